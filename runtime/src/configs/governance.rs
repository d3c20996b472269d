//! Governance: the technical committee (`pallet-collective`, its members kept by
//! `pallet-membership`) and the origin that changes Repute's parameters, founders, sanctions and
//! validators: two thirds of the committee, or root.
//!
//! What only root may do (a runtime upgrade, `System.authorize_upgrade`) the committee does
//! through `pallet-whitelist`: a two-thirds motion whitelists the hash of the call, then any
//! member dispatches that exact call as root. Root is otherwise reachable through `sudo` on the
//! dev and local chains only while a sudo key is set; `Sudo.remove_key` takes it away for good
//! (docs/governance.md).

use frame_support::{
	parameter_types,
	traits::{
		fungible::HoldConsideration, ConstU32, EitherOf, EitherOfDiverse, LinearStoragePrice,
	},
	weights::Weight,
};
use frame_system::EnsureRoot;
use sp_runtime::Perbill;

use super::RuntimeBlockWeights;
use crate::{
	AccountId, Balance, Balances, BlockNumber, Preimage, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeHoldReason, RuntimeOrigin, System, TechnicalCommittee, DAYS, UNIT,
};

/// The committee's instance of `pallet-collective`.
pub type TechnicalCollective = pallet_collective::Instance1;
/// The committee's instance of `pallet-membership`.
pub type TechnicalMembershipInstance = pallet_membership::Instance1;

/// Who governs Repute: a motion passed by at least two thirds of the technical committee, or
/// root (sudo, where the chain still has a sudo key).
pub type GovernanceOrigin = EitherOf<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, TechnicalCollective, 2, 3>,
>;

parameter_types! {
	/// How long a motion stays open for votes before anyone may close it.
	pub const MotionDuration: BlockNumber = 3 * DAYS;
	/// A motion may carry a call of at most half a block's weight.
	pub MaxProposalWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<TechnicalCollective> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = MotionDuration;
	/// Open motions at once.
	type MaxProposals = ConstU32<32>;
	/// The committee's most members (pallet-membership keeps the same bound).
	type MaxMembers = ConstU32<16>;
	/// Members who did not vote when a motion is closed after its duration follow the prime
	/// member, if there is one, and otherwise count as nays.
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	/// Members change through pallet-membership (by [`GovernanceOrigin`]); root may also set
	/// them directly.
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxProposalWeight;
	type DisapproveOrigin = GovernanceOrigin;
	type KillOrigin = GovernanceOrigin;
	/// Members propose without a deposit.
	type Consideration = ();
}

impl pallet_membership::Config<TechnicalMembershipInstance> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = GovernanceOrigin;
	type RemoveOrigin = GovernanceOrigin;
	type SwapOrigin = GovernanceOrigin;
	type ResetOrigin = GovernanceOrigin;
	type PrimeOrigin = GovernanceOrigin;
	type MembershipInitialized = TechnicalCommittee;
	type MembershipChanged = TechnicalCommittee;
	type MaxMembers = ConstU32<16>;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}

/// Who may dispatch a whitelisted call as root: any one committee member (through
/// `TechnicalCommittee.execute`), or root.
pub type WhitelistedCallDispatcher = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureMember<AccountId, TechnicalCollective>,
>;

parameter_types! {
	/// How long a deferred dispatch waits for its call to be whitelisted.
	pub const DeferredDispatchExpiration: BlockNumber = 7 * DAYS;
	pub const PreimageHoldReason: RuntimeHoldReason = RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
	/// A noted preimage holds 1 REP...
	pub const PreimageBaseDeposit: Balance = UNIT;
	/// ... and a thousandth of a REP a byte (a megabyte holds about 1,000 REP).
	pub const PreimageByteDeposit: Balance = UNIT / 1_000;
}

impl pallet_whitelist::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	/// Two thirds of the committee (or root) whitelist a call's hash...
	type WhitelistOrigin = GovernanceOrigin;
	/// ... and any one member then dispatches that call, and only that call, as root.
	type DispatchWhitelistedOrigin = WhitelistedCallDispatcher;
	type Preimages = Preimage;
	type DeferredDispatchExpiration = DeferredDispatchExpiration;
	type BlockNumberProvider = System;
	type WeightInfo = pallet_whitelist::weights::SubstrateWeight<Runtime>;
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// Governance may remove preimages it requested.
	type ManagerOrigin = GovernanceOrigin;
	/// Whoever notes a preimage that nobody requested holds a deposit for its bytes until it
	/// is cleared; a whitelisted call's preimage is requested, and noted without one.
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}
