//! A minimal runtime for the reputation pallet's tests: system and reputation. Shared history
//! is fed in through the same hooks `pallet-receipts` calls.

use crate as pallet_reputation;
use frame_support::{derive_impl, traits::ConstU32};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

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
	pub type Reputation = pallet_reputation;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type DbWeight = TestDbWeight;
}

frame_support::parameter_types! {
	/// Database weights, so that the tests see what the receipt hook refunds.
	pub const TestDbWeight: frame_support::weights::RuntimeDbWeight =
		frame_support::weights::RuntimeDbWeight { read: 7_000, write: 11_000 };
}

/// The most providers a consumer's local trust keeps in the tests: small, to test eviction.
/// (The default `subjective_neighbours` must fit.)
pub const MAX_PARTNERS: u32 = 16;

impl pallet_reputation::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type MaxPartners = ConstU32<MAX_PARTNERS>;
	type MaxCreditors = ConstU32<4>;
	type MaxPreTrusted = ConstU32<4>;
	type MaxTopPeers = ConstU32<4>;
	type DefaultParameters = crate::DefaultParameters;
	type WeightInfo = ();
}

/// Test parameters: fast epochs, short half-lives, small allowances.
pub fn test_parameters() -> crate::ReputationParameters {
	crate::ReputationParameters {
		service_half_life: 100,
		usage_half_life: 100,
		epoch_length: 10,
		max_iterations: 60,
		tolerance: crate::PartsPerBillion(1),
		graduation_service: 1_000,
		stranger_allowance_min: 100,
		stranger_allowance_max: 2_000,
		subjective_neighbours: MAX_PARTNERS,
		subjective_scale: 1_000,
		// The policy remembers for one epoch.
		stranger_memory: 10,
		// Allowances released at once; the tests of the release set their own period.
		stranger_release: 0,
		..<crate::DefaultParameters as frame_support::traits::Get<_>>::get()
	}
}

/// A chain at block 1 with the test parameters and the given founders, registered (as
/// `pallet-receipts`' genesis registers them before this pallet's genesis names them).
pub fn new_test_ext(founders: Vec<AccountId>) -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_reputation::GenesisConfig::<Test> {
		parameters: Some(test_parameters()),
		pretrusted: vec![],
		synthetic: None,
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		for founder in &founders {
			<Reputation as pallet_receipts::PeerLifecycle<AccountId>>::on_registered(founder);
		}
		pallet_reputation::PreTrusted::<Test>::put(
			frame_support::BoundedVec::try_from(founders).expect("few founders"),
		);
		System::set_block_number(1);
	});
	ext
}
