//! Consensus and its validators: Aura authors blocks and GRANDPA finalises them, with the
//! session keys of the validator set that governance keeps (`pallet-validator-set`); sessions
//! rotate the keys, and block authorship tells which validators are offline.

use frame_support::traits::{ConstBool, ConstU128, ConstU32, ConstU64};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::traits::{ConvertInto, OpaqueKeys};

use super::governance::GovernanceOrigin;
use crate::{
	opaque::SessionKeys, AccountId, Aura, Balances, Runtime, RuntimeEvent, Session, ValidatorSet,
	UNIT,
};

/// The most validators: the consensus pallets' authority limit.
pub const MAX_VALIDATORS: u32 = 32;

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<MAX_VALIDATORS>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_VALIDATORS>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	// No historical session proofs, so GRANDPA equivocations are not reported on chain.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_authorship::Config for Runtime {
	/// The author of a block is the session validator whose Aura slot it is.
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Aura>;
	/// Every block's author is counted for its session, to find validators that are offline.
	type EventHandler = ValidatorSet;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	/// Sessions last as long as governance sets (`ValidatorSet.set_parameters`).
	type ShouldEndSession = ValidatorSet;
	type NextSessionRotation = ValidatorSet;
	/// The next session's validators are the set governance keeps.
	type SessionManager = ValidatorSet;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// Held while an account has session keys registered, returned by `Session.purge_keys`.
	type KeyDeposit = ConstU128<UNIT>;
}

impl pallet_validator_set::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type GovernanceOrigin = GovernanceOrigin;
	type Sessions = Session;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	/// Sessions of an hour, at least one validator, where genesis does not say otherwise.
	type DefaultParameters = pallet_validator_set::DefaultParameters;
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::SessionKeysHelper;
}
