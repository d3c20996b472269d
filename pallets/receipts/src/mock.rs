//! A minimal runtime for the receipts pallet's tests: system, balances, timestamp, receipts.

use crate as pallet_receipts;
use frame_support::weights::Weight;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64},
};
use frame_system::EnsureRoot;
use sp_core::{ecdsa, ed25519, sr25519, Pair, H256};
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::{
	traits::{IdentifyAccount, Verify},
	AccountId32, BuildStorage, MultiSignature,
};
use std::cell::RefCell;

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
	/// Database weights the tests can tell apart from the listener's and the pallet's own.
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
/// The chain's clock at the start of every test, in milliseconds.
pub const START_MS: u64 = 1_700_000_000_000;

parameter_types! {
	pub const PeerBond: Balance = BOND;
}

thread_local! {
	/// Every receipt the pallet reported to its listener: (provider, consumer, service, delta, total).
	pub static HOOK_CALLS: RefCell<Vec<(AccountId, AccountId, u32, u128, u128)>> =
		const { RefCell::new(Vec::new()) };
}

/// What the listener's hook may take at most (charged per receipt up front)...
pub const HOOK_WEIGHT_MOST: frame_support::weights::Weight =
	frame_support::weights::Weight::from_parts(1_000_000, 0);
/// ... and what each call says it took (refunded from the most)...
pub const HOOK_WEIGHT_USED: frame_support::weights::Weight =
	frame_support::weights::Weight::from_parts(250_000, 0);
/// ... and what the calls of one batch share (charged once per batch).
pub const HOOK_WEIGHT_SHARED: frame_support::weights::Weight =
	frame_support::weights::Weight::from_parts(40_000, 0);

/// Records the hook's calls so tests can see what another pallet would be told.
pub struct RecordingListener;
impl crate::OnReceiptRecorded<AccountId, u64> for RecordingListener {
	fn on_receipt_recorded(
		provider: &AccountId,
		consumer: &AccountId,
		service: u32,
		delta: u128,
		total: u128,
		_now: u64,
	) -> frame_support::weights::Weight {
		HOOK_CALLS.with(|c| {
			c.borrow_mut().push((provider.clone(), consumer.clone(), service, delta, total))
		});
		HOOK_WEIGHT_USED
	}

	fn weight() -> frame_support::weights::Weight {
		HOOK_WEIGHT_MOST
	}

	fn batch_shared_weight() -> frame_support::weights::Weight {
		HOOK_WEIGHT_SHARED
	}
}

thread_local! {
	/// Every lifecycle notice the pallet gave: ("registered" | "banned" | "unbonding" |
	/// "unregistered", peer).
	pub static LIFECYCLE_CALLS: RefCell<Vec<(&'static str, AccountId)>> =
		const { RefCell::new(Vec::new()) };
	/// What `settle_on_leaving` answers (a test sets it; nothing by default).
	pub static FORFEIT_ON_LEAVING: RefCell<sp_runtime::Perbill> =
		const { RefCell::new(sp_runtime::Perbill::zero()) };
}

/// Records the lifecycle notices so tests can see what another pallet would be told.
pub struct RecordingLifecycle;
impl crate::PeerLifecycle<AccountId> for RecordingLifecycle {
	fn on_registered(peer: &AccountId) {
		LIFECYCLE_CALLS.with(|c| c.borrow_mut().push(("registered", peer.clone())));
	}
	fn on_banned(peer: &AccountId) {
		LIFECYCLE_CALLS.with(|c| c.borrow_mut().push(("banned", peer.clone())));
	}
	fn on_unbonding(peer: &AccountId) {
		LIFECYCLE_CALLS.with(|c| c.borrow_mut().push(("unbonding", peer.clone())));
	}
	fn on_unregistered(peer: &AccountId) {
		LIFECYCLE_CALLS.with(|c| c.borrow_mut().push(("unregistered", peer.clone())));
	}
	fn settle_on_leaving(_: &AccountId) -> sp_runtime::Perbill {
		FORFEIT_ON_LEAVING.with(|f| *f.borrow())
	}
	fn weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(2_000, 0)
	}
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
	type OnReceiptRecorded = RecordingListener;
	type PeerLifecycle = RecordingLifecycle;
	type MaxReceiptsPerBatch = ConstU32<16>;
	type MaxServices = ConstU32<8>;
	type MaxReasonLength = ConstU32<32>;
	type DefaultParameters = crate::DefaultParameters<PeerBond>;
	type WeightInfo = TestWeights;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::KeystoreBenchmarkHelper;
}

/// What the tests charge a signature check of each scheme: distinct, so a test tells which
/// scheme a transaction was charged for.
pub const VERIFY_ED25519: Weight = Weight::from_parts(10_000, 0);
pub const VERIFY_SR25519: Weight = Weight::from_parts(30_000, 0);
pub const VERIFY_ECDSA: Weight = Weight::from_parts(70_000, 0);
pub const VERIFY_ETH: Weight = Weight::from_parts(90_000, 0);

/// The pallet's default weights, but for signature checks ([`VERIFY_ED25519`] and the others).
pub struct TestWeights;

impl crate::WeightInfo for TestWeights {
	fn register() -> Weight {
		<() as crate::WeightInfo>::register()
	}
	fn unregister() -> Weight {
		<() as crate::WeightInfo>::unregister()
	}
	fn withdraw_bond() -> Weight {
		<() as crate::WeightInfo>::withdraw_bond()
	}
	fn submit_receipts(n: u32) -> Weight {
		<() as crate::WeightInfo>::submit_receipts(n)
	}
	fn verify_ed25519() -> Weight {
		VERIFY_ED25519
	}
	fn verify_sr25519() -> Weight {
		VERIFY_SR25519
	}
	fn verify_ecdsa() -> Weight {
		VERIFY_ECDSA
	}
	fn verify_eth() -> Weight {
		VERIFY_ETH
	}
	fn report_equivocation() -> Weight {
		<() as crate::WeightInfo>::report_equivocation()
	}
	fn sanction() -> Weight {
		<() as crate::WeightInfo>::sanction()
	}
	fn set_parameters() -> Weight {
		<() as crate::WeightInfo>::set_parameters()
	}
}

/// A test participant: a key pair and its account. Even indices use sr25519, odd ones ed25519,
/// so both schemes are exercised; [`Key::ecdsa`] and [`Key::eth`] make ECDSA ones.
#[derive(Clone)]
pub enum Key {
	Sr(Box<sr25519::Pair>),
	Ed(Box<ed25519::Pair>),
	Ecdsa(Box<ecdsa::Pair>),
	Eth(Box<ecdsa::KeccakPair>),
}

impl Key {
	pub fn new(index: u8) -> Self {
		let seed = [index.wrapping_add(1); 32];
		if index.is_multiple_of(2) {
			Key::Sr(Box::new(sr25519::Pair::from_seed(&seed)))
		} else {
			Key::Ed(Box::new(ed25519::Pair::from_seed(&seed)))
		}
	}

	/// An ECDSA participant (not funded at genesis).
	pub fn ecdsa(index: u8) -> Self {
		Key::Ecdsa(Box::new(ecdsa::Pair::from_seed(&[index.wrapping_add(101); 32])))
	}

	/// An Ethereum-style participant (ECDSA of the keccak hash; not funded at genesis).
	pub fn eth(index: u8) -> Self {
		Key::Eth(Box::new(ecdsa::KeccakPair::from_seed(&[index.wrapping_add(151); 32])))
	}

	pub fn account(&self) -> AccountId {
		match self {
			Key::Sr(pair) => sp_runtime::MultiSigner::from(pair.public()).into_account(),
			Key::Ed(pair) => sp_runtime::MultiSigner::from(pair.public()).into_account(),
			Key::Ecdsa(pair) => sp_runtime::MultiSigner::from(pair.public()).into_account(),
			Key::Eth(pair) => sp_runtime::MultiSigner::Eth(pair.public()).into_account(),
		}
	}

	pub fn sign(&self, message: &[u8]) -> MultiSignature {
		match self {
			Key::Sr(pair) => pair.sign(message).into(),
			Key::Ed(pair) => pair.sign(message).into(),
			Key::Ecdsa(pair) => pair.sign(message).into(),
			Key::Eth(pair) => MultiSignature::Eth(pair.sign(message)),
		}
	}
}

/// The genesis hash frame-system records in tests (block 0's hash is set in `new_test_ext`).
pub fn genesis_hash() -> H256 {
	H256::repeat_byte(0x42)
}

/// Funded accounts 0..8, the default parameters, the clock at `START_MS`, block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (0..8).map(|i| (Key::new(i).account(), ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| {
		frame_system::BlockHash::<Test>::insert(0, genesis_hash());
		System::set_block_number(1);
		pallet_timestamp::Now::<Test>::put(START_MS);
		HOOK_CALLS.with(|c| c.borrow_mut().clear());
		LIFECYCLE_CALLS.with(|c| c.borrow_mut().clear());
		FORFEIT_ON_LEAVING.with(|f| *f.borrow_mut() = sp_runtime::Perbill::zero());
	});
	ext
}
