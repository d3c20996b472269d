//! The reputation pallet as configured in the Repute runtime: it hears of registrations and
//! receipts from the receipts pallet, answers through the runtime API, and its epoch work stays
//! within its share of a real block.

use crate::common::with_genesis_of;
use frame_support::{assert_ok, traits::Hooks, weights::Weight, BoundedVec};
use pallet_reputation::{Admission, DenialReason, Parameters, Published};
use repute_primitives::Receipt;
use repute_runtime::{
	configs::RuntimeBlockWeights, AccountId, Reputation, Runtime, RuntimeOrigin, System,
};
use repute_runtime_api::runtime_decl_for_reputation_api::ReputationApiV3;
use sp_genesis_builder::DEV_RUNTIME_PRESET;
use sp_keyring::Sr25519Keyring;
use sp_runtime::MultiSignature;

const NOW_MS: u64 = 1_764_000_000_000;

fn submit(provider: Sr25519Keyring, consumer: Sr25519Keyring, sequence: u64, units: u128) {
	let receipt = Receipt {
		genesis_hash: System::block_hash(0),
		provider: provider.to_account_id(),
		consumer: consumer.to_account_id(),
		service: 0,
		sequence,
		cumulative_units: units,
		timestamp_ms: NOW_MS,
	};
	let signed = receipt.cosign(
		|payload| MultiSignature::from(provider.sign(payload)),
		|payload| MultiSignature::from(consumer.sign(payload)),
	);
	assert_ok!(pallet_receipts::Pallet::<Runtime>::submit_receipts(
		RuntimeOrigin::signed(provider.to_account_id()),
		vec![signed],
	));
}

#[test]
fn receipts_become_reputation_and_admission_through_the_runtime_api() {
	with_genesis_of(DEV_RUNTIME_PRESET, || {
		System::set_block_number(1);
		pallet_timestamp::Now::<Runtime>::put(NOW_MS);
		let (alice, bob, charlie) =
			(Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie);
		let stranger: AccountId = Sr25519Keyring::Ferdie.to_account_id();
		assert_eq!(
			Runtime::admission(stranger.clone(), None),
			Admission::Denied(DenialReason::NotRegistered),
			"never registered"
		);
		assert_eq!(Runtime::peer_report(stranger.clone()), None);

		for peer in [alice, bob, charlie] {
			assert_ok!(pallet_receipts::Pallet::<Runtime>::register(RuntimeOrigin::signed(
				peer.to_account_id()
			)));
			assert_eq!(Runtime::admission(peer.to_account_id(), None), Admission::Probation);
		}
		// Once their allowances are released (`stranger_release`, below).
		System::set_block_number(1 + Parameters::<Runtime>::get().stranger_release);
		let graduation = Parameters::<Runtime>::get().graduation_service;
		// Charlie's service to Alice, on probation, is credit but does not count towards
		// Charlie's graduation: no witness vouched for it.
		submit(charlie, alice, 1, 10);
		assert_eq!(
			Runtime::witnessed_services(vec![charlie.to_account_id(), stranger.clone()]),
			vec![Some(0), None]
		);
		// Bob joins the founders: what he vouches for graduates Alice.
		let founders = [Sr25519Keyring::AliceStash, Sr25519Keyring::BobStash, bob];
		assert_ok!(pallet_reputation::Pallet::<Runtime>::set_pretrusted(
			RuntimeOrigin::root(),
			founders.iter().map(|founder| founder.to_account_id()).collect(),
		));
		submit(alice, bob, 1, graduation);
		assert_eq!(Runtime::admission(alice.to_account_id(), None), Admission::Admitted);
		assert_eq!(Runtime::admission(bob.to_account_id(), None), Admission::Probation);
		assert_eq!(
			Runtime::witnessed_services(vec![alice.to_account_id()]),
			vec![Some(graduation)]
		);
		let report = Runtime::peer_report(alice.to_account_id()).unwrap();
		assert_eq!(report.service_reputation, graduation, "Bob vouched out of his allowance");
		assert_eq!(
			report.admission_credit,
			graduation + report.stranger_allowance - 10,
			"what Alice may still consume"
		);

		// Two hops: Alice served Bob, Charlie served Alice; in Bob's eyes Charlie gave 10.
		let seen = Runtime::subjective_trust(bob.to_account_id(), charlie.to_account_id());
		assert_eq!(seen.flow_to_viewer, 10);
		assert!(seen.score_ppb > 0);

		submit(alice, Sr25519Keyring::AliceStash, 1, 10);

		// Banning goes through the receipts pallet and reaches the decision.
		assert_ok!(pallet_receipts::Pallet::<Runtime>::sanction(
			RuntimeOrigin::root(),
			alice.to_account_id(),
			repute_primitives::parameters::PartsPerBillion(0),
			BoundedVec::truncate_from(b"test".to_vec()),
		));
		assert_eq!(
			Runtime::admission(alice.to_account_id(), None),
			Admission::Denied(DenialReason::Banned)
		);

		// Charlie serves the other founder too.
		submit(charlie, Sr25519Keyring::BobStash, 1, 10);

		// The first epoch runs in on_idle, within its share of each block, damped towards the
		// preset's founders; Alice and Charlie each served one of them, and Alice is banned.
		assert_eq!(Runtime::peer_report(bob.to_account_id()).unwrap().global_trust, None);
		let max_block = RuntimeBlockWeights::get().max_block;
		let share = Parameters::<Runtime>::get().epoch_block_share.perbill();
		let mut block = 1u32;
		while Published::<Runtime>::get().is_none() {
			block += 1;
			System::set_block_number(block);
			let used = Reputation::on_idle(block, max_block);
			assert!(used.ref_time() <= share.mul_floor(max_block.ref_time()), "{used:?}");
			assert!(block < 10_000);
		}
		let report = Runtime::peer_report(charlie.to_account_id()).expect("registered");
		let trust = report.global_trust.expect("published");
		assert_eq!(trust.epoch, 0);
		assert!(trust.parts_per_quintillion > 0);
		// A banned peer leaves the epoch's members: it has no global trust, and what its
		// founder passed it returned to the founders.
		let banned = Runtime::peer_report(alice.to_account_id()).expect("registered");
		assert_eq!(banned.global_trust, None);
		assert_eq!(Reputation::on_idle(block + 1, Weight::zero()), Weight::zero());
	});
}

/// Whitewashing through the runtime: a fresh key takes its stranger allowance and leaves to come
/// back as another key. Leaving starts denying it at once, and withdrawing the bond forfeits
/// what it took without serving; a peer that served as much as it took leaves with its whole
/// bond.
#[test]
fn a_whitewasher_pays_for_its_allowance_with_its_bond_and_an_honest_peer_does_not() {
	use frame_support::traits::fungible::Inspect;
	use pallet_receipts::Parameters as ReceiptParameters;
	use repute_runtime::Balances;

	with_genesis_of(DEV_RUNTIME_PRESET, || {
		System::set_block_number(1);
		pallet_timestamp::Now::<Runtime>::put(NOW_MS);
		let (server, whitewasher, honest) =
			(Sr25519Keyring::Alice, Sr25519Keyring::Dave, Sr25519Keyring::Eve);
		for peer in [server, whitewasher, honest] {
			assert_ok!(pallet_receipts::Pallet::<Runtime>::register(RuntimeOrigin::signed(
				peer.to_account_id()
			)));
		}
		let bond = ReceiptParameters::<Runtime>::get().peer_bond;
		let allowance = Reputation::stranger_allowance();
		// Once their allowances are released (`stranger_release`, below).
		let start = 1 + Parameters::<Runtime>::get().stranger_release;
		System::set_block_number(start);
		// The whitewasher takes its whole allowance and gives nothing: denied, flagged.
		submit(server, whitewasher, 1, allowance + 1);
		assert_eq!(
			Runtime::admission(whitewasher.to_account_id(), None),
			Admission::Denied(DenialReason::StrangerAllowanceExhausted)
		);
		// The honest newcomer takes half an allowance and serves as much back.
		submit(server, honest, 1, allowance / 2);
		submit(honest, server, 1, allowance / 2);

		for peer in [whitewasher, honest] {
			assert_ok!(pallet_receipts::Pallet::<Runtime>::unregister(RuntimeOrigin::signed(
				peer.to_account_id()
			)));
			assert_eq!(
				Runtime::admission(peer.to_account_id(), None),
				Admission::Denied(DenialReason::NotRegistered),
				"not served on a bond it is taking back"
			);
		}
		let unlock = start + ReceiptParameters::<Runtime>::get().unbonding_period;
		System::set_block_number(unlock);
		let before = |peer: Sr25519Keyring| Balances::balance(&peer.to_account_id());
		let (whitewasher_before, honest_before) = (before(whitewasher), before(honest));
		for peer in [whitewasher, honest] {
			assert_ok!(pallet_receipts::Pallet::<Runtime>::withdraw_bond(RuntimeOrigin::signed(
				peer.to_account_id()
			)));
		}
		assert_eq!(before(whitewasher), whitewasher_before, "its whole bond is forfeited");
		assert_eq!(before(honest), honest_before + bond, "its whole bond comes back");
	});
}

/// A fresh key's stranger allowance is released over `stranger_release` blocks from its
/// registration: served beyond what is released, it waits (`StrangerAllowanceNotYetReleased`,
/// not flagged as exhausted, its bond not forfeited for it) and is served again as more is
/// released; the runtime API reports the same.
#[test]
fn a_fresh_key_is_served_its_allowance_as_it_is_released() {
	with_genesis_of(DEV_RUNTIME_PRESET, || {
		System::set_block_number(1);
		pallet_timestamp::Now::<Runtime>::put(NOW_MS);
		let (server, newcomer) = (Sr25519Keyring::Alice, Sr25519Keyring::Dave);
		for peer in [server, newcomer] {
			assert_ok!(pallet_receipts::Pallet::<Runtime>::register(RuntimeOrigin::signed(
				peer.to_account_id()
			)));
		}
		let release = Parameters::<Runtime>::get().stranger_release;
		assert!(release > 0, "the dev chain releases allowances over time");
		let allowance = Reputation::stranger_allowance();
		let report = Runtime::peer_report(newcomer.to_account_id()).unwrap();
		assert_eq!((report.stranger_allowance, report.admission_credit), (allowance, 0));
		let stranger = Sr25519Keyring::Ferdie.to_account_id();
		assert_eq!(
			Runtime::registration_ages(vec![newcomer.to_account_id(), stranger.clone()]),
			vec![Some(0), None]
		);
		submit(server, newcomer, 1, 1);
		let waiting = Admission::Denied(DenialReason::StrangerAllowanceNotYetReleased);
		assert_eq!(Runtime::admission(newcomer.to_account_id(), None), waiting);
		System::set_block_number(1 + release / 2);
		assert_eq!(
			Runtime::registration_ages(vec![newcomer.to_account_id()]),
			vec![Some(release / 2)]
		);
		assert_eq!(Runtime::admission(newcomer.to_account_id(), None), Admission::Probation);
		let credit = Runtime::peer_report(newcomer.to_account_id()).unwrap().admission_credit;
		// Half released, one unit used (decayed since to nothing, or not).
		assert!((allowance / 2 - 1..=allowance / 2).contains(&credit), "{credit}");
		let forfeit = Reputation::forfeit_on_leaving(&newcomer.to_account_id());
		assert!(forfeit < sp_runtime::Perbill::from_percent(1), "waiting is not exhausting");
	});
}
