//! A minimal runtime for the validator set's tests, with a stand-in for the session pallet that
//! rotates sessions the way it does: the ending session's `end_session`, the queued set made
//! current, `start_session`, then the next session planned with `new_session`.

use crate as pallet_validator_set;
use crate::{SessionIndex, ValidatorSetParameters};
use core::cell::RefCell;
use frame_support::{
	derive_impl,
	traits::{ConstU32, ValidatorRegistration, ValidatorSet as SessionValidators},
};
use frame_system::EnsureRoot;
use pallet_session::{SessionManager, ShouldEndSession};
use sp_runtime::{traits::ConvertInto, BuildStorage};
use std::collections::BTreeSet;

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
	pub type ValidatorSet = pallet_validator_set;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// The most validators in the tests' set.
pub const MAX_VALIDATORS: u32 = 8;

impl pallet_validator_set::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type GovernanceOrigin = EnsureRoot<u64>;
	type Sessions = Sessions;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type DefaultParameters = pallet_validator_set::DefaultParameters;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Sessions;
}

thread_local! {
	/// Accounts with session keys.
	static REGISTERED: RefCell<BTreeSet<u64>> = const { RefCell::new(BTreeSet::new()) };
	/// The current session's index, validators, and the validators queued for the next one.
	static SESSION: RefCell<(SessionIndex, Vec<u64>, Vec<u64>)> =
		const { RefCell::new((0, Vec::new(), Vec::new())) };
}

/// The session pallet's part, as the validator set sees it.
pub struct Sessions;

impl Sessions {
	/// Give `who` session keys.
	pub fn register(who: u64) {
		REGISTERED.with(|registered| registered.borrow_mut().insert(who));
	}

	/// Genesis as the session pallet builds it: sessions 0 and 1 both get the genesis set, or
	/// the accounts of the session pallet's own genesis keys (`keyed`) if the manager names none.
	fn genesis(keyed: &[u64]) {
		let current = ValidatorSetPallet::new_session_genesis(0).unwrap_or_else(|| keyed.to_vec());
		let queued = ValidatorSetPallet::new_session_genesis(1).unwrap_or_else(|| current.clone());
		SESSION.with(|session| *session.borrow_mut() = (0, current, queued));
		ValidatorSetPallet::start_session(0);
	}

	/// A rotation, as the session pallet does it, at the current block.
	pub fn rotate() {
		let (index, _, queued) = SESSION.with(|session| session.borrow().clone());
		ValidatorSetPallet::end_session(index);
		ValidatorSetPallet::start_session(index + 1);
		let next = ValidatorSetPallet::new_session(index + 2).unwrap_or_else(|| queued.clone());
		SESSION.with(|session| *session.borrow_mut() = (index + 1, queued, next));
	}

	/// The validators queued for the next session.
	pub fn queued() -> Vec<u64> {
		SESSION.with(|session| session.borrow().2.clone())
	}
}

impl SessionValidators<u64> for Sessions {
	type ValidatorId = u64;
	type ValidatorIdOf = ConvertInto;

	fn session_index() -> SessionIndex {
		SESSION.with(|session| session.borrow().0)
	}

	fn validators() -> Vec<u64> {
		SESSION.with(|session| session.borrow().1.clone())
	}
}

impl ValidatorRegistration<u64> for Sessions {
	fn is_registered(who: &u64) -> bool {
		REGISTERED.with(|registered| registered.borrow().contains(who))
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for Sessions {
	fn register_session_keys(who: &u64) {
		Self::register(*who);
	}
}

type ValidatorSetPallet = pallet_validator_set::Pallet<Test>;

/// Runs blocks up to `block`: each block's author (round robin over the current validators,
/// skipping `offline`) is counted, and the session rotates where the pallet says.
pub fn run_to_block(block: u64, offline: &[u64]) {
	while System::block_number() < block {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		if <ValidatorSetPallet as ShouldEndSession<u64>>::should_end_session(next) {
			Sessions::rotate();
		}
		let validators = Sessions::validators();
		if !validators.is_empty() {
			let author = validators[(next as usize) % validators.len()];
			if !offline.contains(&author) {
				<ValidatorSetPallet as pallet_authorship::EventHandler<u64, u64>>::note_author(
					author,
				);
			}
		}
	}
}

/// A chain whose genesis set is `validators` (each with keys), with sessions of
/// `session_length` blocks and at least `min_validators`.
pub fn new_test_ext_with(
	validators: &[u64],
	session_length: u64,
	min_validators: u32,
) -> sp_io::TestExternalities {
	new_test_ext_keyed(validators, validators, session_length, min_validators)
}

/// As [`new_test_ext_with`], with `keyed` the validators of the session pallet's own genesis
/// keys, which decide the first sessions if `validators` is empty.
pub fn new_test_ext_keyed(
	validators: &[u64],
	keyed: &[u64],
	session_length: u64,
	min_validators: u32,
) -> sp_io::TestExternalities {
	REGISTERED.with(|registered| *registered.borrow_mut() = keyed.iter().copied().collect());
	let keyed = keyed.to_vec();
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		validator_set: pallet_validator_set::GenesisConfig {
			validators: validators.to_vec(),
			parameters: Some(ValidatorSetParameters { session_length, min_validators }),
		},
	}
	.build_storage()
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(0);
		Sessions::genesis(&keyed);
		System::set_block_number(1);
	});
	ext
}

/// Four validators (1 to 4), sessions of 10 blocks, at least two validators.
pub fn new_test_ext() -> sp_io::TestExternalities {
	new_test_ext_with(&[1, 2, 3, 4], 10, 2)
}
