//! The validator set's tests: governance's calls and their refusals, when a change takes
//! effect, the session length, and the offline rule against every coalition of absent
//! validators.

use crate::{mock::*, Error, Event, NextRotation, Parameters, Removal, SessionAuthors, Validators};
use frame_support::{assert_noop, assert_ok, traits::ValidatorSet as _};
use proptest::prelude::*;
use sp_runtime::DispatchError;

fn set() -> Vec<u64> {
	Validators::<Test>::get().into_inner()
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::ValidatorSet(event) => Some(event),
			_ => None,
		})
		.collect()
}

#[test]
fn genesis_validators_validate_the_first_sessions() {
	new_test_ext().execute_with(|| {
		assert_eq!(set(), vec![1, 2, 3, 4]);
		assert_eq!(Sessions::validators(), vec![1, 2, 3, 4]);
		assert_eq!(NextRotation::<Test>::get(), 10);
		assert_ok!(crate::Pallet::<Test>::do_try_state());
	});
}

#[test]
fn a_genesis_without_validators_here_starts_from_the_session_pallets_keys() {
	new_test_ext_keyed(&[], &[1, 2, 3], 10, 1).execute_with(|| {
		assert_eq!(Sessions::validators(), vec![1, 2, 3]);
		Sessions::register(5);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 5));
		assert_eq!(set(), vec![1, 2, 3, 5], "adding keeps the validators the chain has");
		run_to_block(20, &[]);
		assert_eq!(Sessions::validators(), vec![1, 2, 3, 5]);
	});
	new_test_ext_keyed(&[], &[1, 2, 3], 10, 1).execute_with(|| {
		// Removing, too, starts from the validators the chain has.
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 3));
		assert_eq!(set(), vec![1, 2]);
		run_to_block(20, &[]);
		assert_eq!(Sessions::validators(), vec![1, 2]);
	});
}

#[test]
fn a_validator_added_by_governance_validates_two_rotations_later() {
	new_test_ext().execute_with(|| {
		Sessions::register(5);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 5));
		assert_eq!(set(), vec![1, 2, 3, 4, 5]);
		assert_eq!(events(), vec![Event::ValidatorAdded { who: 5 }]);

		run_to_block(10, &[]);
		assert_eq!(Sessions::session_index(), 1);
		assert!(!Sessions::validators().contains(&5), "session 1 was planned at genesis");
		assert!(Sessions::queued().contains(&5), "session 2 is planned with it");

		run_to_block(20, &[]);
		assert_eq!(Sessions::session_index(), 2);
		assert_eq!(Sessions::validators(), vec![1, 2, 3, 4, 5]);
		assert_ok!(crate::Pallet::<Test>::do_try_state());
	});
}

#[test]
fn adding_is_refused_without_keys_twice_past_the_maximum_and_to_anyone_but_governance() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 5),
			Error::<Test>::NoSessionKeys
		);
		Sessions::register(5);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(1), 5),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 4),
			Error::<Test>::AlreadyValidator
		);
		for who in 5..=MAX_VALIDATORS as u64 {
			Sessions::register(who);
			assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), who));
		}
		let one_more = MAX_VALIDATORS as u64 + 1;
		Sessions::register(one_more);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), one_more),
			Error::<Test>::TooManyValidators
		);
	});
}

#[test]
fn a_validator_removed_by_governance_validates_until_two_rotations_later() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 4));
		assert_eq!(set(), vec![1, 2, 3]);
		assert_eq!(events(), vec![Event::ValidatorRemoved { who: 4, reason: Removal::Governance }]);
		run_to_block(10, &[]);
		assert!(Sessions::validators().contains(&4));
		run_to_block(20, &[]);
		assert_eq!(Sessions::validators(), vec![1, 2, 3]);
	});
}

#[test]
fn removing_is_refused_for_strangers_below_the_minimum_and_to_anyone_but_governance() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 9),
			Error::<Test>::NotValidator
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::signed(1), 4),
			DispatchError::BadOrigin
		);
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 4));
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 3));
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::TooFewValidators
		);
	});
}

#[test]
fn a_new_session_length_applies_from_the_next_rotation() {
	new_test_ext().execute_with(|| {
		let parameters = crate::ValidatorSetParameters { session_length: 5, min_validators: 2 };
		assert_ok!(ValidatorSet::set_parameters(RuntimeOrigin::root(), parameters));
		assert_eq!(Parameters::<Test>::get(), parameters);
		run_to_block(9, &[]);
		assert_eq!(Sessions::session_index(), 0, "the running session keeps its end");
		run_to_block(10, &[]);
		assert_eq!(Sessions::session_index(), 1);
		assert_eq!(NextRotation::<Test>::get(), 15);
		run_to_block(15, &[]);
		assert_eq!(Sessions::session_index(), 2);
	});
}

/// A chain that adds the pallet by a runtime upgrade has no genesis for it: sessions must not
/// rotate (every rotation is a full block) until governance schedules the first one.
#[test]
fn a_chain_upgraded_into_the_pallet_rotates_only_once_governance_sets_the_parameters() {
	new_test_ext().execute_with(|| {
		NextRotation::<Test>::kill();
		run_to_block(30, &[]);
		assert_eq!(Sessions::session_index(), 0);
		let parameters = crate::ValidatorSetParameters { session_length: 10, min_validators: 2 };
		assert_ok!(ValidatorSet::set_parameters(RuntimeOrigin::root(), parameters));
		assert_eq!(NextRotation::<Test>::get(), 40);
		run_to_block(40, &[]);
		assert_eq!(Sessions::session_index(), 1);
	});
}

#[test]
fn parameters_that_stop_sessions_or_empty_the_set_are_refused() {
	new_test_ext().execute_with(|| {
		for parameters in [
			crate::ValidatorSetParameters { session_length: 0, min_validators: 2 },
			crate::ValidatorSetParameters { session_length: 10, min_validators: 0 },
			crate::ValidatorSetParameters {
				session_length: 10,
				min_validators: MAX_VALIDATORS + 1,
			},
		] {
			assert_noop!(
				ValidatorSet::set_parameters(RuntimeOrigin::root(), parameters),
				Error::<Test>::InvalidParameters
			);
		}
		assert_noop!(
			ValidatorSet::set_parameters(
				RuntimeOrigin::signed(1),
				crate::ValidatorSetParameters { session_length: 10, min_validators: 1 }
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_validator_that_authors_nothing_for_a_session_is_removed_and_leaves_two_rotations_later() {
	new_test_ext().execute_with(|| {
		run_to_block(9, &[3]);
		assert!(SessionAuthors::<Test>::get().iter().all(|(who, _)| *who != 3));
		run_to_block(10, &[3]);
		assert_eq!(set(), vec![1, 2, 4]);
		assert!(events().contains(&Event::ValidatorRemoved {
			who: 3,
			reason: Removal::Offline { session: 0 }
		}));
		run_to_block(20, &[3]);
		assert_eq!(Sessions::validators(), vec![1, 2, 4]);
		assert_ok!(crate::Pallet::<Test>::do_try_state());
	});
}

#[test]
fn a_validator_that_authored_once_is_kept() {
	new_test_ext().execute_with(|| {
		// Validator 3 authors block 3 (the mock's round robin), then goes away.
		run_to_block(3, &[]);
		run_to_block(10, &[3]);
		assert_eq!(set(), vec![1, 2, 3, 4]);
		assert!(events().is_empty());
	});
}

#[test]
fn no_more_offline_validators_are_removed_than_finality_tolerates() {
	new_test_ext().execute_with(|| {
		// Two of four absent: GRANDPA stalls, and removing both would let the two absent
		// validators' own votes be what finalises the change. One goes; the other is reported.
		run_to_block(10, &[2, 3]);
		assert_eq!(set(), vec![1, 3, 4]);
		assert_eq!(
			events(),
			vec![
				Event::ValidatorRemoved { who: 2, reason: Removal::Offline { session: 0 } },
				Event::ValidatorOffline { who: 3, session: 0 },
			]
		);
	});
}

#[test]
fn offline_validators_are_not_removed_below_the_minimum() {
	new_test_ext_with(&[1, 2, 3, 4], 10, 4).execute_with(|| {
		run_to_block(10, &[3]);
		assert_eq!(set(), vec![1, 2, 3, 4]);
		assert_eq!(events(), vec![Event::ValidatorOffline { who: 3, session: 0 }]);
	});
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(128))]

	/// Whatever coalition of validators stops authoring, over sessions: the set never falls
	/// below its minimum, a session never loses more than ⌊(n − 1) ÷ 3⌋ of its n validators,
	/// only validators that authored nothing in a whole session are removed, and a validator
	/// that authored is never removed.
	#[test]
	fn the_offline_rule_holds_against_any_coalition_of_absent_validators(
		size in 1usize..=MAX_VALIDATORS as usize,
		min_validators in 1u32..=4,
		absent in proptest::collection::vec(any::<bool>(), MAX_VALIDATORS as usize),
		sessions in 1u64..6,
	) {
		let validators: Vec<u64> = (1..=size as u64).collect();
		let min_validators = min_validators.min(size as u32);
		let offline: Vec<u64> =
			validators.iter().copied().filter(|who| absent[*who as usize - 1]).collect();
		new_test_ext_with(&validators, 10, min_validators).execute_with(|| {
			for session in 0..sessions {
				let before = set();
				let session_validators = Sessions::validators();
				run_to_block((session + 1) * 10, &offline);
				let after = set();
				prop_assert!(after.len() as u32 >= min_validators);
				let removed: Vec<u64> =
					before.iter().copied().filter(|who| !after.contains(who)).collect();
				prop_assert!(removed.len() <= session_validators.len().saturating_sub(1) / 3);
				for who in &removed {
					prop_assert!(offline.contains(who), "{who} authored and was removed");
					prop_assert!(session_validators.contains(who));
				}
				prop_assert!(crate::Pallet::<Test>::do_try_state().is_ok());
			}
			Ok(())
		})?;
	}
}

/// The variant indices docs/governance.md gives client authors.
#[test]
fn errors_and_events_encode_as_documented() {
	use codec::Encode;
	let errors = [
		Error::<Test>::AlreadyValidator,
		Error::<Test>::NotValidator,
		Error::<Test>::TooManyValidators,
		Error::<Test>::TooFewValidators,
		Error::<Test>::NoSessionKeys,
		Error::<Test>::InvalidParameters,
	];
	for (index, error) in errors.iter().enumerate() {
		assert_eq!(error.encode(), vec![index as u8]);
	}
	let who = 7u64;
	assert_eq!(Event::<Test>::ValidatorAdded { who }.encode()[0], 0);
	let removed = Event::<Test>::ValidatorRemoved { who, reason: Removal::Offline { session: 3 } };
	let mut expected = vec![1u8];
	expected.extend(who.encode());
	expected.extend([1, 3, 0, 0, 0]);
	assert_eq!(removed.encode(), expected);
	assert_eq!(Removal::Governance.encode(), vec![0]);
	assert_eq!(Event::<Test>::ValidatorOffline { who, session: 0 }.encode()[0], 2);
	let parameters = crate::ValidatorSetParameters { session_length: 1, min_validators: 1 };
	assert_eq!(Event::<Test>::ParametersSet { old: parameters, new: parameters }.encode()[0], 3);
}
