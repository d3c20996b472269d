//! Governance on the real runtime: two thirds of the technical committee change the validator
//! set and Repute's parameters; one member, a minority or an outsider cannot; the committee
//! changes its own members only by the same majority; and governance outlives the sudo key.

use crate::common::with_genesis_of;
use codec::Encode;
use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo};
use repute_runtime::{
	AccountId, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, Sudo, System, TechnicalCommittee,
	TechnicalMembership,
};
use sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET;
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve};
use sp_runtime::{traits::Hash, DispatchError};

fn account(keyring: Sr25519Keyring) -> AccountId {
	keyring.to_account_id()
}

fn validators() -> Vec<AccountId> {
	pallet_validator_set::Validators::<Runtime>::get().into_inner()
}

/// The result of every motion the committee executed.
fn executed() -> Vec<Result<(), DispatchError>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::TechnicalCommittee(pallet_collective::Event::Executed {
				result, ..
			}) => Some(result),
			_ => None,
		})
		.collect()
}

/// `proposer` moves `call` with `threshold` ayes needed, each of `ayes` votes for it, and the
/// proposer closes it.
fn motion(proposer: Sr25519Keyring, threshold: u32, call: RuntimeCall, ayes: &[Sr25519Keyring]) {
	let length = call.encoded_size() as u32;
	let weight = call.get_dispatch_info().call_weight;
	let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
	let index = pallet_collective::ProposalCount::<Runtime, pallet_collective::Instance1>::get();
	assert_ok!(TechnicalCommittee::propose(
		RuntimeOrigin::signed(account(proposer)),
		threshold,
		Box::new(call),
		length
	));
	if threshold <= 1 {
		return; // executed at once
	}
	for voter in ayes {
		assert_ok!(TechnicalCommittee::vote(
			RuntimeOrigin::signed(account(*voter)),
			hash,
			index,
			true
		));
	}
	assert_ok!(TechnicalCommittee::close(
		RuntimeOrigin::signed(account(proposer)),
		hash,
		index,
		weight,
		length
	));
}

fn remove_dave() -> RuntimeCall {
	RuntimeCall::ValidatorSet(pallet_validator_set::Call::remove_validator { who: account(Dave) })
}

#[test]
fn two_thirds_of_the_committee_remove_a_validator() {
	with_genesis_of(LOCAL_TESTNET_RUNTIME_PRESET, || {
		System::set_block_number(1);
		motion(Alice, 2, remove_dave(), &[Alice, Bob]);
		assert_eq!(executed(), vec![Ok(())]);
		assert!(!validators().contains(&account(Dave)));
	});
}

#[test]
fn one_member_or_a_minority_cannot_govern() {
	with_genesis_of(LOCAL_TESTNET_RUNTIME_PRESET, || {
		System::set_block_number(1);
		// A motion with a threshold of one executes at once, with one member's origin: refused.
		motion(Alice, 1, remove_dave(), &[]);
		assert_eq!(executed(), vec![Err(DispatchError::BadOrigin)]);
		assert!(validators().contains(&account(Dave)));
		// One aye of three cannot close a motion that needs two.
		let call = remove_dave();
		let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
		let length = call.encoded_size() as u32;
		let weight = call.get_dispatch_info().call_weight;
		let index =
			pallet_collective::ProposalCount::<Runtime, pallet_collective::Instance1>::get();
		assert_ok!(TechnicalCommittee::propose(
			RuntimeOrigin::signed(account(Alice)),
			2,
			Box::new(call),
			length
		));
		assert_ok!(TechnicalCommittee::vote(
			RuntimeOrigin::signed(account(Alice)),
			hash,
			index,
			true
		));
		assert_noop!(
			TechnicalCommittee::close(
				RuntimeOrigin::signed(account(Alice)),
				hash,
				index,
				weight,
				length
			),
			pallet_collective::Error::<Runtime, pallet_collective::Instance1>::TooEarly
		);
		// Outsiders cannot move anything, nor call governance directly.
		assert_noop!(
			TechnicalCommittee::propose(
				RuntimeOrigin::signed(account(Eve)),
				2,
				Box::new(remove_dave()),
				length
			),
			pallet_collective::Error::<Runtime, pallet_collective::Instance1>::NotMember
		);
		assert_noop!(
			repute_runtime::ValidatorSet::remove_validator(
				RuntimeOrigin::signed(account(Alice)),
				account(Dave)
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn the_committee_changes_its_members_only_by_its_two_thirds() {
	with_genesis_of(LOCAL_TESTNET_RUNTIME_PRESET, || {
		System::set_block_number(1);
		let members = || pallet_collective::Members::<Runtime, pallet_collective::Instance1>::get();
		let mut genesis_members = vec![account(Alice), account(Bob), account(Charlie)];
		genesis_members.sort();
		assert_eq!(members(), genesis_members);
		assert_noop!(
			TechnicalMembership::add_member(
				RuntimeOrigin::signed(account(Alice)),
				account(Dave).into()
			),
			DispatchError::BadOrigin
		);
		let add_dave = RuntimeCall::TechnicalMembership(pallet_membership::Call::add_member {
			who: account(Dave).into(),
		});
		motion(Bob, 2, add_dave, &[Bob, Charlie]);
		assert_eq!(executed(), vec![Ok(())]);
		assert!(members().contains(&account(Dave)));
	});
}

#[test]
fn repute_parameters_are_governed_by_the_committee_after_the_sudo_key_is_removed() {
	with_genesis_of(LOCAL_TESTNET_RUNTIME_PRESET, || {
		System::set_block_number(1);
		assert_ok!(Sudo::remove_key(RuntimeOrigin::signed(account(Alice))));
		let founders = vec![account(Sr25519Keyring::AliceStash)];
		let set_founders = RuntimeCall::Reputation(pallet_reputation::Call::set_pretrusted {
			peers: founders.clone(),
		});
		assert!(Sudo::sudo(RuntimeOrigin::signed(account(Alice)), Box::new(set_founders.clone()))
			.is_err());
		motion(Charlie, 2, set_founders, &[Charlie, Alice]);
		assert_eq!(executed(), vec![Ok(())]);
		assert_eq!(pallet_reputation::PreTrusted::<Runtime>::get().into_inner(), founders);
	});
}

/// Root's own calls (a runtime upgrade's `System.authorize_upgrade`, here a balance set by
/// force) pass by whitelist: two thirds whitelist the call's hash, then one member dispatches
/// that exact call as root. Neither step alone does anything, and no other call rides on it.
#[test]
fn root_calls_pass_only_by_a_whitelisted_hash_and_one_members_dispatch() {
	with_genesis_of(LOCAL_TESTNET_RUNTIME_PRESET, || {
		System::set_block_number(1);
		let ferdie = account(Sr25519Keyring::Ferdie);
		let root_call = RuntimeCall::Balances(pallet_balances::Call::force_set_balance {
			who: ferdie.clone().into(),
			new_free: 42 * repute_runtime::UNIT,
		});
		let dispatch = |call: RuntimeCall| {
			RuntimeCall::Whitelist(
				pallet_whitelist::Call::dispatch_whitelisted_call_with_preimage {
					call: Box::new(call),
				},
			)
		};
		let execute_as = |member: Sr25519Keyring, call: RuntimeCall| {
			let length = call.encoded_size() as u32;
			TechnicalCommittee::execute(
				RuntimeOrigin::signed(account(member)),
				Box::new(call),
				length,
			)
		};
		let free = || pallet_balances::Pallet::<Runtime>::free_balance(&ferdie);
		let before = free();

		// Not whitelisted: a member's dispatch only defers it, nothing runs.
		assert_ok!(execute_as(Alice, dispatch(root_call.clone())));
		assert_eq!(free(), before);
		// An outsider cannot dispatch it, whitelisted or not.
		assert!(repute_runtime::Whitelist::dispatch_whitelisted_call_with_preimage(
			RuntimeOrigin::signed(ferdie.clone()),
			Box::new(root_call.clone())
		)
		.is_err());

		let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&root_call);
		let whitelist =
			RuntimeCall::Whitelist(pallet_whitelist::Call::whitelist_call { call_hash: hash });
		motion(Alice, 2, whitelist, &[Alice, Charlie]);
		assert_eq!(executed(), vec![Ok(())]);
		// Another call does not ride on the whitelisted hash.
		let other = RuntimeCall::Balances(pallet_balances::Call::force_set_balance {
			who: ferdie.clone().into(),
			new_free: 1_000_000 * repute_runtime::UNIT,
		});
		assert_ok!(execute_as(Bob, dispatch(other)));
		assert_eq!(free(), before);

		assert_ok!(execute_as(Bob, dispatch(root_call)));
		assert_eq!(free(), 42 * repute_runtime::UNIT);
	});
}
