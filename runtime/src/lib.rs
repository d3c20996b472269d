//! # Repute runtime
//!
//! The state transition function of the Repute chain. Today it holds the chain's foundation:
//! block production (Aura), finality (GRANDPA), balances, transaction fees and sudo for the dev
//! and local chains. The Repute pallets (interaction receipts, reputation, admission) are added
//! to [`runtime`] as they land; `docs/architecture.md` shows where each one fits.
//!
//! Layout:
//! - this file: the primitive types, the runtime version and the pallet list;
//! - [`configs`]: one `Config` implementation per pallet group;
//! - [`apis`]: the runtime APIs the node and clients call;
//! - [`genesis_config_presets`]: the `dev` and `local` genesis presets;
//! - `benchmarks.rs`: the pallets benchmarked by `repute-node benchmark pallet`.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` needs a high recursion limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod weights;

use alloc::{borrow::Cow, vec::Vec};
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// A block number: blocks since genesis.
pub type BlockNumber = u32;

/// The signature scheme of transactions: sr25519, ed25519 or ecdsa, chosen by the signer.
pub type Signature = MultiSignature;

/// An account: the 32-byte public key (or its hash, for ecdsa) of the signer.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// An amount of the chain's token, in its smallest unit (12 decimals).
pub type Balance = u128;

/// The number of transactions an account has sent.
pub type Nonce = u32;

/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;

/// One token (REP) in the smallest unit.
pub const UNIT: Balance = 1_000_000_000_000;
/// A thousandth of a token.
pub const MILLI_UNIT: Balance = UNIT / 1_000;
/// A millionth of a token.
pub const MICRO_UNIT: Balance = UNIT / 1_000_000;
/// The smallest balance an account may hold; below it the account is removed.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Types the node needs without knowing the runtime's extrinsic format, so it keeps syncing
/// across runtime upgrades that change it.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;

	impl_opaque_keys! {
		/// The keys a validator holds: one to author blocks, one to vote on finality.
		pub struct SessionKeys {
			pub aura: Aura,
			pub grandpa: Grandpa,
		}
	}
}

/// The runtime's version. Bump `spec_version` with every change of behaviour and
/// `transaction_version` whenever the format of calls or extensions changes.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("repute"),
	impl_name: Cow::Borrowed("repute-node"),
	authoring_version: 1,
	spec_version: 113,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 4,
	system_version: 1,
};

/// Target block time. Changing it after genesis would stall Aura, so it is fixed here.
pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
/// Aura slots last exactly one block time.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// The number of blocks whose hashes the runtime keeps (mortal transactions refer to them).
pub const BLOCK_HASH_COUNT: BlockNumber = 2400;

/// How transactions name their sender and other accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A signed block, with its finality justification.
pub type SignedBlock = generic::SignedBlock<Block>;
/// The checks every transaction goes through, in order.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// A transaction as it appears in a block.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload a signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run at the next runtime upgrade, besides the pallets' own.
type Migrations = (
	pallet_payments::migrations::v1::AddPricePeriod<Runtime>,
	pallet_payments::migrations::v2::CountPrices<Runtime>,
	pallet_reputation::migrations::v2::AddStrangerMemory<Runtime>,
	pallet_reputation::migrations::v3::AddStrangerRelease<Runtime>,
	pallet_reputation::migrations::v4::RepageTrust<Runtime>,
	pallet_reputation::migrations::v5::WitnessService<Runtime>,
);

/// Dispatches blocks and transactions to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

/// The pallets of the runtime, in the order their hooks run.
#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	/// Who authored each block, counted for the validator set (declared before the consensus
	/// pallets, so that the session's keys are in place when Aura and GRANDPA read them).
	#[runtime::pallet_index(7)]
	pub type Authorship = pallet_authorship;

	/// The validators, added and removed by governance; offline ones removed.
	#[runtime::pallet_index(8)]
	pub type ValidatorSet = pallet_validator_set;

	/// Sessions: each validator's keys, rotated into Aura and GRANDPA.
	#[runtime::pallet_index(9)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	/// The technical committee: two thirds of it govern Repute.
	#[runtime::pallet_index(13)]
	pub type TechnicalCommittee = pallet_collective<Instance1>;

	/// Who sits on the technical committee.
	#[runtime::pallet_index(14)]
	pub type TechnicalMembership = pallet_membership<Instance1>;

	/// Calls the committee whitelisted by hash, dispatched as root by one member.
	#[runtime::pallet_index(15)]
	pub type Whitelist = pallet_whitelist;

	/// Call preimages for the whitelist.
	#[runtime::pallet_index(16)]
	pub type Preimage = pallet_preimage;

	/// Shared history: bonded peer identities and co-signed interaction receipts.
	#[runtime::pallet_index(10)]
	pub type Receipts = pallet_receipts;

	#[runtime::pallet_index(11)]
	pub type Reputation = pallet_reputation;

	/// Payment channels: recorded receipts pay providers from their consumers' escrows.
	#[runtime::pallet_index(12)]
	pub type Payments = pallet_payments;
}
