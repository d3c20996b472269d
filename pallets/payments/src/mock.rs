//! A minimal runtime for the payments pallet's tests: system, timestamp, balances, the receipts
//! pallet (whose recorded receipts pay through channels) and payments.

use crate as pallet_payments;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64},
};
use frame_system::EnsureRoot;
use repute_primitives::Receipt;
use sp_core::{sr25519, Pair, H256};
use sp_runtime::{
	traits::{IdentifyAccount, Verify},
	AccountId32, BuildStorage, MultiSignature,
};

pub type AccountId = AccountId32;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

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
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(3)]
	pub type Receipts = pallet_receipts;
	#[runtime::pallet_index(4)]
	pub type Payments = pallet_payments;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
	type DbWeight = TestDbWeight;
}

parameter_types! {
	/// Database weights the tests can tell apart from the pallet's own.
	pub const TestDbWeight: frame_support::weights::RuntimeDbWeight =
		frame_support::weights::RuntimeDbWeight { read: 7_000, write: 11_000 };
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

pub const EXISTENTIAL_DEPOSIT: Balance = 10;
pub const BOND: Balance = 1_000;
pub const ENDOWMENT: Balance = 1_000_000;
pub const MINIMUM_ESCROW: Balance = 100;
/// The challenge period of the default parameters, in blocks.
pub const CHALLENGE_PERIOD: u64 = 7_200;
/// The chain's clock at the start of every test, in milliseconds.
pub const START_MS: u64 = 1_700_000_000_000;

parameter_types! {
	pub const PeerBond: Balance = BOND;
	pub const MinimumEscrow: Balance = MINIMUM_ESCROW;
}

impl pallet_receipts::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Signature = MultiSignature;
	type Signer = <MultiSignature as Verify>::Signer;
	type Time = Timestamp;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type Slashed = ();
	type OnReceiptRecorded = Payments;
	type PeerLifecycle = ();
	type MaxReceiptsPerBatch = ConstU32<16>;
	type MaxServices = ConstU32<8>;
	type MaxReasonLength = ConstU32<32>;
	type DefaultParameters = pallet_receipts::DefaultParameters<PeerBond>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = pallet_receipts::KeystoreBenchmarkHelper;
}

impl pallet_payments::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type MaxServices = ConstU32<8>;
	type DefaultParameters = crate::DefaultParameters<MinimumEscrow>;
	type WeightInfo = ();
}

/// Test participant `index`'s sr25519 key.
pub fn key(index: u8) -> sr25519::Pair {
	sr25519::Pair::from_seed(&[index.wrapping_add(1); 32])
}

/// Test participant `index`'s account.
pub fn account(index: u8) -> AccountId {
	sp_runtime::MultiSigner::from(key(index).public()).into_account()
}

/// The genesis hash frame-system records in tests (block 0's hash is set in `new_test_ext`).
pub fn genesis_hash() -> H256 {
	H256::repeat_byte(0x42)
}

/// A receipt from `provider` to `consumer` for `service`, signed by both.
pub fn receipt(
	provider: u8,
	consumer: u8,
	service: u32,
	sequence: u64,
	cumulative_units: u128,
) -> pallet_receipts::SignedReceiptOf<Test> {
	Receipt {
		genesis_hash: genesis_hash(),
		provider: account(provider),
		consumer: account(consumer),
		service,
		sequence,
		cumulative_units,
		timestamp_ms: START_MS,
	}
	.cosign(
		|payload| MultiSignature::from(key(provider).sign(payload)),
		|payload| MultiSignature::from(key(consumer).sign(payload)),
	)
}

/// Submits `receipts` in one batch, relayed by participant 7 (who is no party to them).
pub fn submit(receipts: Vec<pallet_receipts::SignedReceiptOf<Test>>) {
	assert_ok!(Receipts::submit_receipts(RuntimeOrigin::signed(account(7)), receipts));
}

/// Funded accounts 0..8, of which 0..6 are registered peers; the default parameters; the clock
/// at `START_MS`; block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (0..8).map(|i| (account(i), ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_receipts::GenesisConfig::<Test> {
		peers: (0..6).map(account).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	#[cfg(feature = "runtime-benchmarks")]
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| {
		frame_system::BlockHash::<Test>::insert(0, genesis_hash());
		System::set_block_number(1);
		pallet_timestamp::Now::<Test>::put(START_MS);
	});
	ext
}
