//! The validator set on the real runtime: sessions rotate Aura's and GRANDPA's authorities, a
//! validator registers its own keys and governance adds it, and a validator that authors
//! nothing for a session is removed, on the `local` chain's four validators.

use crate::common::{produce_blocks_to, with_genesis_of};
use codec::Encode;
use frame_support::{assert_noop, assert_ok};
use repute_runtime::{
	opaque::SessionKeys, AccountId, Runtime, RuntimeEvent, RuntimeOrigin, Session, System,
	ValidatorSet,
};
use sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET;
use sp_keyring::Sr25519Keyring;
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use std::sync::Arc;

fn account(keyring: Sr25519Keyring) -> AccountId {
	keyring.to_account_id()
}

fn aura_authorities() -> Vec<sp_consensus_aura::sr25519::AuthorityId> {
	pallet_aura::Authorities::<Runtime>::get().into_inner()
}

fn validator_set_events() -> Vec<pallet_validator_set::Event<Runtime>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::ValidatorSet(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Session keys made in the test's keystore, with the proof that `owner` holds them, as
/// `author_rotateKeysWithOwner` makes them on a validator's node.
fn generate_keys(owner: &AccountId) -> (SessionKeys, Vec<u8>) {
	let generated = SessionKeys::generate(&owner.encode(), None);
	(generated.keys, generated.proof.encode())
}

#[test]
fn the_local_chain_starts_with_four_validators_in_sessions_of_a_minute() {
	with_genesis_of(LOCAL_TESTNET_RUNTIME_PRESET, || {
		let names = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		];
		let accounts: Vec<AccountId> = names.iter().copied().map(account).collect();
		assert_eq!(pallet_validator_set::Validators::<Runtime>::get().into_inner(), accounts);
		assert_eq!(pallet_session::Validators::<Runtime>::get(), accounts);
		let expected: Vec<_> = names
			.iter()
			.map(|k| sp_consensus_aura::sr25519::AuthorityId::from(k.public()))
			.collect();
		assert_eq!(aura_authorities(), expected);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 4);
		let parameters = pallet_validator_set::Parameters::<Runtime>::get();
		assert_eq!(parameters.session_length, repute_runtime::MINUTES);
		assert_eq!(parameters.min_validators, 2);
	});
}

#[test]
fn a_validator_with_its_own_keys_added_by_governance_authors_two_rotations_later() {
	let mut ext = sp_io::TestExternalities::default();
	ext.register_extension(KeystoreExt(Arc::new(MemoryKeystore::new())));
	ext.execute_with(|| {
		crate::common::build_genesis_of(LOCAL_TESTNET_RUNTIME_PRESET);
		let eve = account(Sr25519Keyring::Eve);
		produce_blocks_to(1, &[]);

		// Without keys, governance cannot add Eve: she could neither author nor vote.
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), eve.clone()),
			pallet_validator_set::Error::<Runtime>::NoSessionKeys
		);
		// Keys with a proof made for another account are refused.
		let (keys, proof) = generate_keys(&account(Sr25519Keyring::Ferdie));
		assert_noop!(
			Session::set_keys(RuntimeOrigin::signed(eve.clone()), keys, proof),
			pallet_session::Error::<Runtime>::InvalidProof
		);
		let (keys, proof) = generate_keys(&eve);
		assert_ok!(Session::set_keys(RuntimeOrigin::signed(eve.clone()), keys.clone(), proof));
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), eve.clone()));

		// Blocks 1 to 9 are session 0; session 1 was planned at genesis, so Eve's keys reach
		// Aura at the second rotation (block 20).
		produce_blocks_to(19, &[]);
		assert!(!aura_authorities().contains(&keys.aura));
		produce_blocks_to(20, &[]);
		assert!(aura_authorities().contains(&keys.aura));
		assert!(pallet_session::Validators::<Runtime>::get().contains(&eve));
		// GRANDPA gets the new set as a change scheduled in this block's digest, which the
		// client enacts once the block is finalised.
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 5);
		assert!(System::digest().logs.iter().any(|log| log
			.as_consensus()
			.is_some_and(|(engine, _)| engine == sp_consensus_grandpa::GRANDPA_ENGINE_ID)));
	});
}

#[test]
fn a_validator_that_authors_nothing_for_a_session_leaves_aura_and_grandpa() {
	let mut ext = sp_io::TestExternalities::default();
	ext.execute_with(|| {
		crate::common::build_genesis_of(LOCAL_TESTNET_RUNTIME_PRESET);
		let dave = account(Sr25519Keyring::Dave);
		// Dave's node is down from the start: his slots pass without blocks.
		produce_blocks_to(10, std::slice::from_ref(&dave));
		assert!(!pallet_validator_set::Validators::<Runtime>::get().contains(&dave));
		assert!(validator_set_events().contains(&pallet_validator_set::Event::ValidatorRemoved {
			who: dave.clone(),
			reason: pallet_validator_set::Removal::Offline { session: 0 },
		}));
		produce_blocks_to(20, std::slice::from_ref(&dave));
		let dave_aura =
			sp_consensus_aura::sr25519::AuthorityId::from(Sr25519Keyring::Dave.public());
		assert!(!aura_authorities().contains(&dave_aura));
		assert_eq!(aura_authorities().len(), 3);
		// The three left must all author: none of them is removed (the set's minimum is two,
		// and each authors in its slots).
		produce_blocks_to(40, &[]);
		assert_eq!(pallet_validator_set::Validators::<Runtime>::get().len(), 3);
	});
}

#[test]
fn session_keys_are_registered_only_with_a_proof_for_their_owner() {
	let mut ext = sp_io::TestExternalities::default();
	ext.register_extension(KeystoreExt(Arc::new(MemoryKeystore::new())));
	ext.execute_with(|| {
		crate::common::build_genesis_of(LOCAL_TESTNET_RUNTIME_PRESET);
		let eve = account(Sr25519Keyring::Eve);
		let (keys, _) = generate_keys(&eve);
		assert_noop!(
			Session::set_keys(RuntimeOrigin::signed(eve.clone()), keys, vec![]),
			pallet_session::Error::<Runtime>::InvalidProof
		);
		// Bob's GRANDPA key cannot be claimed by Eve: a key belongs to one validator.
		let bob_keys = pallet_session::NextKeys::<Runtime>::get(account(Sr25519Keyring::Bob))
			.expect("Bob has keys at genesis");
		assert!(Session::set_keys(RuntimeOrigin::signed(eve), bob_keys, vec![]).is_err());
	});
}
