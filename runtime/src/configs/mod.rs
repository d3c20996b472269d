//! The `Config` of every pallet in the runtime, with the chain-wide constants they share;
//! consensus and its validators in `validators.rs`, the technical committee in `governance.rs`.

mod governance;
mod validators;

pub use governance::{GovernanceOrigin, TechnicalCollective, TechnicalMembershipInstance};
pub use validators::MAX_VALIDATORS;

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{constants::WEIGHT_REF_TIME_PER_SECOND, IdentityFee, Weight},
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment};
use sp_runtime::{
	traits::{Bounded, One},
	FixedPointNumber, Perbill, Perquintill,
};
use sp_version::RuntimeVersion;

use super::{
	AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash, Nonce, PalletInfo, Reputation,
	Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin,
	RuntimeTask, Signature, System, Timestamp, BLOCK_HASH_COUNT, EXISTENTIAL_DEPOSIT,
	SLOT_DURATION, UNIT, VERSION,
};

/// Three quarters of a block is for ordinary transactions; the rest is kept for operational ones.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	pub const BlockHashCount: BlockNumber = BLOCK_HASH_COUNT;
	pub const Version: RuntimeVersion = VERSION;

	/// Two seconds of compute per six-second block, three quarters of it for ordinary
	/// transactions (polkadot-sdk's `with_sensible_defaults`), with an empty block's and a
	/// transaction's base weight as measured on this runtime (`benchmark overhead`,
	/// `runtime/src/weights/{block,extrinsic}_weights.rs`) instead of the reference figures.
	pub RuntimeBlockWeights: BlockWeights = {
		let block = Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX);
		let normal = NORMAL_DISPATCH_RATIO * block;
		BlockWeights::builder()
			.base_block(crate::weights::block_weights::BlockExecutionWeight::get())
			.for_class(DispatchClass::all(), |weights| {
				weights.base_extrinsic = crate::weights::extrinsic_weights::ExtrinsicBaseWeight::get();
			})
			.for_class(DispatchClass::Normal, |weights| weights.max_total = normal.into())
			.for_class(DispatchClass::Operational, |weights| {
				weights.max_total = block.into();
				weights.reserved = (block - normal).into();
			})
			.avg_block_initialization(Perbill::from_percent(10))
			.build_or_panic()
	};
	/// At most 5 MiB per block, three quarters of it for ordinary transactions.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
		.build();
	/// The generic Substrate SS58 prefix: addresses start with 5.
	pub const SS58Prefix: u8 = 42;
}

/// Defaults come from the solochain preset of `frame_system`; what is set here differs from it.
#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node stores state in ParityDB: a read and a write are weighed as measured on it by
	/// `repute-node benchmark storage` on the 100,000-peer synthetic state
	/// (`scripts/benchmark-storage.sh`), not at polkadot-sdk's reference figures.
	type DbWeight = crate::weights::paritydb_weights::constants::ParityDbWeight;
	/// Every signed transaction's checks (nonce, era, weight...), benchmarked on this runtime
	/// with ParityDB rates; the default would weigh them at polkadot-sdk's reference rates.
	type ExtensionsWeightInfo = crate::weights::frame_system_extensions::WeightInfo<Runtime>;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fees rise while blocks are more than a quarter full (of the normal class's capacity)...
	pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
	/// ... by at most about 5.6 in 100,000 a block (Polkadot's rate): in blocks that are full
	/// without end, about 2.2 times a day at 6-second blocks...
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(75, 1_000_000);
	/// ... and fall back as load falls, never below the fees the weights set (the multiplier
	/// never drops under one, so an idle chain is never cheaper than its benchmarks say).
	pub MinimumMultiplier: Multiplier = Multiplier::one();
	pub MaximumMultiplier: Multiplier = Bounded::max_value();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = IdentityFee<Balance>;
	/// Congestion pricing of transactions: the fee multiplier follows block fullness.
	type FeeMultiplierUpdate = TargetedFeeAdjustment<
		Self,
		TargetBlockFullness,
		AdjustmentVariable,
		MinimumMultiplier,
		MaximumMultiplier,
	>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// The bond a peer holds to register, until governance sets another.
	pub const PeerBond: Balance = 100 * UNIT;
	/// How many services receipts and payment channels tell apart (ids 0 to 63).
	pub const MaxServices: u32 = 64;
	/// The least escrow a payment channel opens with, until governance sets another.
	pub const MinimumEscrow: Balance = UNIT;
}

impl pallet_receipts::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// Peers sign receipts with the same keys as transactions: sr25519, ed25519 or ecdsa.
	type Signature = Signature;
	type Signer = <Signature as sp_runtime::traits::Verify>::Signer;
	type Time = Timestamp;
	/// Two thirds of the technical committee, or root (`configs/governance.rs`).
	type GovernanceOrigin = GovernanceOrigin;
	/// Slashed bonds, less the reporter's reward, are burnt.
	type Slashed = ();
	/// Reputation turns every recorded receipt into service, usage and local trust; payments
	/// pays for its new units through the pair's channel, if it has one.
	#[cfg(not(feature = "runtime-benchmarks"))]
	type OnReceiptRecorded = (Reputation, crate::Payments);
	/// A node built for benchmarks leaves the listeners out, so that the receipts pallet's
	/// benchmarks weigh that pallet alone: `submit_receipts` adds the listeners' own benchmarked
	/// worst cases (`pallet_reputation`'s `on_receipt_recorded`, `pallet_payments`'s
	/// `pay_on_receipt`) for each receipt, once.
	#[cfg(feature = "runtime-benchmarks")]
	type OnReceiptRecorded = ();
	/// Reputation follows registrations and bans to keep every peer's admission decision.
	type PeerLifecycle = Reputation;
	/// Two full batches fit in a block at the weights of 2026-11-30 (docs/performance.md).
	type MaxReceiptsPerBatch = ConstU32<512>;
	/// Service ids 0 to 63: each peer's and each pair's ledgers hold at most 64 entries.
	type MaxServices = MaxServices;
	type MaxReasonLength = ConstU32<256>;
	type DefaultParameters = pallet_receipts::DefaultParameters<PeerBond>;
	type WeightInfo = pallet_receipts::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = pallet_receipts::KeystoreBenchmarkHelper;
}

impl pallet_reputation::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Two thirds of the technical committee, or root (`configs/governance.rs`).
	type GovernanceOrigin = GovernanceOrigin;
	/// A consumer's local trust keeps its 64 largest providers.
	type MaxPartners = ConstU32<64>;
	/// A peer keeps its 16 largest debts to providers that served it beyond its credit.
	type MaxCreditors = ConstU32<16>;
	type MaxPreTrusted = ConstU32<32>;
	/// `top_peers` pages through the 256 most trusted peers of each epoch.
	type MaxTopPeers = ConstU32<256>;
	type DefaultParameters = pallet_reputation::DefaultParameters;
	type WeightInfo = pallet_reputation::weights::SubstrateWeight<Runtime>;
}

impl pallet_payments::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// Two thirds of the technical committee, or root (`configs/governance.rs`).
	type GovernanceOrigin = GovernanceOrigin;
	/// The receipts pallet's: a channel for a service no receipt can record could never pay.
	type MaxServices = MaxServices;
	type DefaultParameters = pallet_payments::DefaultParameters<MinimumEscrow>;
	type WeightInfo = pallet_payments::weights::SubstrateWeight<Runtime>;
}
