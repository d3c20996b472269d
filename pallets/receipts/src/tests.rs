//! Tests of every rule of the receipts pallet, one per bad input, plus a property test.

use crate::{mock::*, *};
use codec::{Decode, Encode};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use frame_support::{dispatch::GetDispatchInfo, traits::Get, weights::Weight};
use repute_primitives::{parameters::PartsPerBillion, Receipt, SignedReceipt, RECEIPT_DOMAIN_TAG};
use sp_runtime::{DispatchError, Perbill};

const SERVICE: u32 = 7;

fn receipt(provider: &Key, consumer: &Key, sequence: u64, units: u128) -> ReceiptOf<Test> {
	Receipt {
		genesis_hash: genesis_hash(),
		provider: provider.account(),
		consumer: consumer.account(),
		service: SERVICE,
		sequence,
		cumulative_units: units,
		timestamp_ms: START_MS,
	}
}

/// Both parties sign `receipt`'s payload.
fn cosign(receipt: ReceiptOf<Test>, provider: &Key, consumer: &Key) -> SignedReceiptOf<Test> {
	receipt.cosign(|payload| provider.sign(payload), |payload| consumer.sign(payload))
}

fn signed(provider: &Key, consumer: &Key, sequence: u64, units: u128) -> SignedReceiptOf<Test> {
	cosign(receipt(provider, consumer, sequence, units), provider, consumer)
}

fn relayer() -> RuntimeOrigin {
	RuntimeOrigin::signed(Key::new(7).account())
}

fn submit(batch: Vec<SignedReceiptOf<Test>>) -> frame_support::dispatch::DispatchResult {
	Receipts::submit_receipts(relayer(), batch).map(|_| ()).map_err(|e| e.error)
}

fn register(key: &Key) {
	assert_ok!(Receipts::register(RuntimeOrigin::signed(key.account())));
}

/// What an sr25519 signature is charged beyond an ed25519 one.
const SR25519_SURCHARGE: Weight = VERIFY_SR25519.saturating_sub(VERIFY_ED25519);

/// Keys 0..4 registered: 0 and 2 are sr25519, 1 and 3 ed25519.
fn peers() -> (Key, Key, Key, Key) {
	let keys = (Key::new(0), Key::new(1), Key::new(2), Key::new(3));
	for k in [&keys.0, &keys.1, &keys.2, &keys.3] {
		register(k);
	}
	keys
}

fn held(key: &Key) -> Balance {
	Balances::balance_on_hold(&HoldReason::PeerBond.into(), &key.account())
}

fn ledger(provider: &Key, consumer: &Key) -> Option<PairLedger<u64>> {
	Served::<Test>::get((provider.account(), consumer.account(), SERVICE))
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

fn rejected_events() -> Vec<(u32, Rejection)> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Receipts(Event::ReceiptRejected { index, reason }) => {
				Some((index, reason))
			}
			_ => None,
		})
		.collect()
}

fn check_invariants() {
	Receipts::do_try_state().expect("pallet invariants hold");
}

// ---------------------------------------------------------------- registration and bonds

#[test]
fn register_holds_the_bond() {
	new_test_ext().execute_with(|| {
		let peer = Key::new(0);
		register(&peer);
		assert_eq!(held(&peer), BOND);
		assert_eq!(Balances::balance(&peer.account()), ENDOWMENT - BOND);
		let info = Peers::<Test>::get(peer.account()).unwrap();
		assert_eq!(info, PeerInfo { bond: BOND, status: PeerStatus::Active, registered_at: 1 });
		assert_eq!(
			last_event(),
			RuntimeEvent::Receipts(Event::PeerRegistered { peer: peer.account(), bond: BOND })
		);
		check_invariants();
	});
}

#[test]
fn register_twice_is_refused() {
	new_test_ext().execute_with(|| {
		let peer = Key::new(0);
		register(&peer);
		assert_noop!(
			Receipts::register(RuntimeOrigin::signed(peer.account())),
			Error::<Test>::AlreadyRegistered
		);
	});
}

#[test]
fn register_without_funds_is_refused() {
	new_test_ext().execute_with(|| {
		let pauper = Key::new(20);
		assert_noop!(
			Receipts::register(RuntimeOrigin::signed(pauper.account())),
			Error::<Test>::InsufficientBalanceForBond
		);
	});
}

#[test]
fn unregister_then_withdraw_after_the_cooldown() {
	new_test_ext().execute_with(|| {
		let peer = Key::new(0);
		register(&peer);
		let period = Parameters::<Test>::get().unbonding_period;
		assert_ok!(Receipts::unregister(RuntimeOrigin::signed(peer.account())));
		assert_eq!(
			last_event(),
			RuntimeEvent::Receipts(Event::UnbondingStarted {
				peer: peer.account(),
				unlock_at: 1 + period
			})
		);
		assert_noop!(
			Receipts::unregister(RuntimeOrigin::signed(peer.account())),
			Error::<Test>::AlreadyUnbonding
		);

		System::set_block_number(period);
		assert_noop!(
			Receipts::withdraw_bond(RuntimeOrigin::signed(peer.account())),
			Error::<Test>::StillUnbonding
		);

		System::set_block_number(1 + period);
		assert_ok!(Receipts::withdraw_bond(RuntimeOrigin::signed(peer.account())));
		assert_eq!(held(&peer), 0);
		assert_eq!(Balances::balance(&peer.account()), ENDOWMENT);
		assert!(Peers::<Test>::get(peer.account()).is_none());
		assert_eq!(
			last_event(),
			RuntimeEvent::Receipts(Event::BondReleased { peer: peer.account(), amount: BOND })
		);
		check_invariants();
	});
}

#[test]
fn a_leaving_peer_forfeits_the_share_of_its_bond_the_listener_names() {
	new_test_ext().execute_with(|| {
		let (stays, leaves) = (Key::new(0), Key::new(1));
		register(&stays);
		register(&leaves);
		let issuance = Balances::total_issuance();
		assert_ok!(Receipts::unregister(RuntimeOrigin::signed(leaves.account())));
		System::set_block_number(1 + Parameters::<Test>::get().unbonding_period);
		// The listener (reputation, in the runtime) says it took 40% of its allowance unpaid.
		FORFEIT_ON_LEAVING.with(|f| *f.borrow_mut() = sp_runtime::Perbill::from_percent(40));
		assert_ok!(Receipts::withdraw_bond(RuntimeOrigin::signed(leaves.account())));
		let forfeited = BOND * 40 / 100;
		assert_eq!(held(&leaves), 0);
		assert_eq!(Balances::balance(&leaves.account()), ENDOWMENT - forfeited);
		assert_eq!(Balances::total_issuance(), issuance - forfeited, "burned (Slashed = ())");
		assert!(Peers::<Test>::get(leaves.account()).is_none());
		let receipts_events: Vec<_> = System::events()
			.into_iter()
			.map(|r| r.event)
			.filter(|e| matches!(e, RuntimeEvent::Receipts(_)))
			.collect();
		assert_eq!(
			receipts_events[receipts_events.len() - 2..].to_vec(),
			vec![
				RuntimeEvent::Receipts(Event::BondForfeited {
					peer: leaves.account(),
					amount: forfeited,
					share: PartsPerBillion::from_percent(40),
				}),
				RuntimeEvent::Receipts(Event::BondReleased {
					peer: leaves.account(),
					amount: BOND - forfeited
				}),
			]
		);
		assert_eq!(held(&stays), BOND, "nobody else's bond is touched");
		check_invariants();
	});
}

#[test]
fn a_banned_peer_forfeits_nothing_more_when_it_withdraws_what_is_left() {
	new_test_ext().execute_with(|| {
		let peer = Key::new(0);
		register(&peer);
		assert_ok!(Receipts::sanction(
			RuntimeOrigin::root(),
			peer.account(),
			PartsPerBillion::from_percent(10),
			BoundedVec::truncate_from(b"spam".to_vec())
		));
		System::set_block_number(1 + Parameters::<Test>::get().unbonding_period);
		FORFEIT_ON_LEAVING.with(|f| *f.borrow_mut() = sp_runtime::Perbill::one());
		assert_ok!(Receipts::withdraw_bond(RuntimeOrigin::signed(peer.account())));
		assert_eq!(Balances::balance(&peer.account()), ENDOWMENT - BOND / 10);
		check_invariants();
	});
}

#[test]
fn registering_banning_and_leaving_are_told_to_the_listener() {
	new_test_ext().execute_with(|| {
		let (a, b) = (Key::new(0), Key::new(1));
		register(&a);
		register(&b);
		assert_ok!(Receipts::sanction(
			RuntimeOrigin::root(),
			b.account(),
			PartsPerBillion(0),
			BoundedVec::truncate_from(b"spam".to_vec())
		));
		assert_ok!(Receipts::unregister(RuntimeOrigin::signed(a.account())));
		System::set_block_number(1 + Parameters::<Test>::get().unbonding_period);
		assert_ok!(Receipts::withdraw_bond(RuntimeOrigin::signed(a.account())));
		LIFECYCLE_CALLS.with(|c| {
			assert_eq!(
				*c.borrow(),
				vec![
					("registered", a.account()),
					("registered", b.account()),
					("banned", b.account()),
					("unbonding", a.account()),
					("unregistered", a.account()),
				]
			)
		});
	});
}

#[test]
fn withdraw_needs_unbonding_first() {
	new_test_ext().execute_with(|| {
		let peer = Key::new(0);
		assert_noop!(
			Receipts::withdraw_bond(RuntimeOrigin::signed(peer.account())),
			Error::<Test>::NotRegistered
		);
		register(&peer);
		assert_noop!(
			Receipts::withdraw_bond(RuntimeOrigin::signed(peer.account())),
			Error::<Test>::NotUnbonding
		);
		assert_noop!(
			Receipts::unregister(RuntimeOrigin::signed(Key::new(1).account())),
			Error::<Test>::NotRegistered
		);
	});
}

#[test]
fn a_peer_sanctioned_while_unbonding_gets_what_is_left_of_its_bond_after_the_cooldown() {
	new_test_ext().execute_with(|| {
		let peer = Key::new(0);
		register(&peer);
		assert_ok!(Receipts::unregister(RuntimeOrigin::signed(peer.account())));
		let reason: ReasonOf<Test> = b"fraud".to_vec().try_into().unwrap();
		assert_ok!(Receipts::sanction(
			RuntimeOrigin::root(),
			peer.account(),
			PartsPerBillion::from_percent(20),
			reason.clone()
		));
		assert_eq!(held(&peer), BOND - BOND / 5);
		assert_eq!(
			last_event(),
			RuntimeEvent::Receipts(Event::PeerSanctioned {
				peer: peer.account(),
				slashed: BOND / 5,
				reason
			})
		);
		let period = Parameters::<Test>::get().unbonding_period;
		// The cooldown runs from the ban, whatever the unbonding said.
		System::set_block_number(period);
		assert_noop!(
			Receipts::withdraw_bond(RuntimeOrigin::signed(peer.account())),
			Error::<Test>::StillUnbonding
		);
		assert_noop!(
			Receipts::unregister(RuntimeOrigin::signed(peer.account())),
			Error::<Test>::PeerBanned
		);
		System::set_block_number(1 + period);
		assert_ok!(Receipts::withdraw_bond(RuntimeOrigin::signed(peer.account())));
		assert_eq!(held(&peer), 0);
		assert_eq!(Balances::balance(&peer.account()), ENDOWMENT - BOND / 5);
		assert_eq!(
			last_event(),
			RuntimeEvent::Receipts(Event::BondReleased {
				peer: peer.account(),
				amount: BOND - BOND / 5
			})
		);
		assert_noop!(
			Receipts::withdraw_bond(RuntimeOrigin::signed(peer.account())),
			Error::<Test>::BondAlreadyReleased
		);
		// It stays banned: its key can neither register again nor take part in receipts.
		assert_noop!(
			Receipts::register(RuntimeOrigin::signed(peer.account())),
			Error::<Test>::AlreadyRegistered
		);
		let other = Key::new(1);
		register(&other);
		assert_refused(signed(&peer, &other, 1, 10), Rejection::ProviderBanned);
		check_invariants();
	});
}

#[test]
fn sanction_is_for_governance_only_and_once() {
	new_test_ext().execute_with(|| {
		let peer = Key::new(0);
		register(&peer);
		let reason: ReasonOf<Test> = b"spam".to_vec().try_into().unwrap();
		assert_noop!(
			Receipts::sanction(
				RuntimeOrigin::signed(peer.account()),
				peer.account(),
				PartsPerBillion::ONE,
				reason.clone()
			),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Receipts::sanction(
				RuntimeOrigin::root(),
				Key::new(1).account(),
				PartsPerBillion::ONE,
				reason.clone()
			),
			Error::<Test>::NotRegistered
		);
		assert_ok!(Receipts::sanction(
			RuntimeOrigin::root(),
			peer.account(),
			PartsPerBillion::ONE,
			reason.clone()
		));
		assert_eq!(held(&peer), 0);
		assert_noop!(
			Receipts::sanction(
				RuntimeOrigin::root(),
				peer.account(),
				PartsPerBillion::ONE,
				reason.clone()
			),
			Error::<Test>::PeerBanned
		);
		// A slash above the whole bond is refused by name.
		let other = Key::new(2);
		register(&other);
		assert_noop!(
			Receipts::sanction(
				RuntimeOrigin::root(),
				other.account(),
				PartsPerBillion(1_000_000_001),
				reason
			),
			Error::<Test>::SlashAbove100Percent
		);
		check_invariants();
	});
}

// ---------------------------------------------------------------- receipts: the happy path

#[test]
fn a_receipt_records_pair_totals_and_tells_the_listener() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		assert_ok!(submit(vec![signed(&a, &b, 1, 100)]));
		assert_eq!(
			ledger(&a, &b),
			Some(PairLedger { sequence: 1, cumulative_units: 100, last_update: 1 })
		);
		assert!(ServedBy::<Test>::contains_key((b.account(), a.account(), SERVICE)));
		let provider = Totals::<Test>::get(a.account(), SERVICE);
		assert_eq!(
			(provider.units_served, provider.units_consumed, provider.receipts),
			(100, 0, 1)
		);
		let consumer = Totals::<Test>::get(b.account(), SERVICE);
		assert_eq!(
			(consumer.units_served, consumer.units_consumed, consumer.receipts),
			(0, 100, 1)
		);
		assert_eq!(
			last_event(),
			RuntimeEvent::Receipts(Event::ReceiptRecorded {
				provider: a.account(),
				consumer: b.account(),
				service: SERVICE,
				delta: 100,
				total: 100,
				sequence: 1
			})
		);
		HOOK_CALLS
			.with(|c| assert_eq!(*c.borrow(), vec![(a.account(), b.account(), SERVICE, 100, 100)]));
		check_invariants();
	});
}

#[test]
fn later_receipts_record_only_the_difference() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		assert_ok!(submit(vec![signed(&a, &b, 1, 100)]));
		System::set_block_number(5);
		assert_ok!(submit(vec![signed(&a, &b, 9, 250)]));
		assert_eq!(
			ledger(&a, &b),
			Some(PairLedger { sequence: 9, cumulative_units: 250, last_update: 5 })
		);
		let totals = Totals::<Test>::get(a.account(), SERVICE);
		assert_eq!((totals.units_served, totals.receipts), (250, 2));
		assert_eq!((totals.first_activity, totals.last_activity), (1, 5));
		HOOK_CALLS.with(|c| assert_eq!(c.borrow().last().unwrap().3, 150));
		// A higher sequence with the same units would record nothing: refused.
		assert_noop!(
			submit(vec![signed(&a, &b, 10, 250)]),
			Error::<Test>::ReceiptRejected(Rejection::NoNewUnits)
		);
		check_invariants();
	});
}

#[test]
fn a_mixed_batch_records_the_valid_receipts_and_reports_the_rest() {
	new_test_ext().execute_with(|| {
		let (a, b, c, _) = peers();
		let stranger = Key::new(5);
		let batch = vec![
			signed(&a, &b, 1, 10),
			signed(&a, &stranger, 1, 10),
			signed(&b, &c, 1, 20),
			signed(&a, &a, 1, 10),
		];
		assert_ok!(submit(batch));
		assert!(ledger(&a, &b).is_some());
		assert!(ledger(&b, &c).is_some());
		assert!(ledger(&a, &stranger).is_none());
		assert_eq!(
			rejected_events(),
			vec![(1, Rejection::ConsumerNotRegistered), (3, Rejection::SelfDealing)]
		);
		check_invariants();
	});
}

/// A batch is charged up front as if every receipt took the listener's most, and refunds what
/// the listener did not use: all of it for a rejected receipt, also when the call fails. The
/// listener's batch-shared part is charged once per batch.
#[test]
fn a_batch_refunds_what_the_listener_did_not_use() {
	new_test_ext().execute_with(|| {
		let (a, b, c, d) = peers();
		let batch = vec![signed(&a, &b, 1, 10), signed(&a, &a, 1, 10), signed(&c, &d, 1, 20)];
		// Four of the six signatures are sr25519 (a's and c's), each charged its surcharge.
		let own = <Test as Config>::WeightInfo::submit_receipts(3) + SR25519_SURCHARGE * 4;
		let call = Call::<Test>::submit_receipts { receipts: batch.clone() };
		assert_eq!(call.get_dispatch_info().call_weight, own + HOOK_WEIGHT_MOST * 3);
		let post = Receipts::submit_receipts(relayer(), batch).expect("two receipts recorded");
		assert_eq!(post.actual_weight, Some(own + HOOK_WEIGHT_SHARED + HOOK_WEIGHT_USED * 2));
		let refused = Receipts::submit_receipts(relayer(), vec![signed(&a, &a, 2, 10)])
			.expect_err("self-dealing is refused");
		assert_eq!(
			refused.post_info.actual_weight,
			Some(<Test as Config>::WeightInfo::submit_receipts(1) + SR25519_SURCHARGE * 2)
		);
	});
}

/// Each signature is charged for its own scheme, up front and once the batch ran: the call's
/// benchmark is of ed25519 signatures, and an sr25519 or ECDSA one adds what its check costs
/// more. Without it, a batch of the dearest scheme would be charged as the cheapest and a block
/// of them would take longer to build than it is charged (the adversary picks the scheme).
#[test]
fn every_signature_is_charged_for_its_scheme() {
	new_test_ext().execute_with(|| {
		let (a, b, c, d) = peers(); // a and c sign with sr25519, b and d with ed25519
		let (e, x) = (Key::ecdsa(0), Key::eth(0));
		for key in [&e, &x] {
			assert_ok!(<Balances as frame_support::traits::fungible::Mutate<_>>::mint_into(
				&key.account(),
				ENDOWMENT
			));
			register(key);
		}
		let sr = SR25519_SURCHARGE;
		let ecdsa = VERIFY_ECDSA - VERIFY_ED25519;
		let eth = VERIFY_ETH - VERIFY_ED25519;
		let own = |len: u32| <Test as Config>::WeightInfo::submit_receipts(len);
		let up_front = |batch: &[SignedReceiptOf<Test>]| {
			Call::<Test>::submit_receipts { receipts: batch.to_vec() }
				.get_dispatch_info()
				.call_weight
		};
		let cases = [
			(vec![signed(&b, &d, 1, 10)], Weight::zero()),
			(vec![signed(&a, &b, 1, 10)], sr),
			(vec![signed(&a, &c, 1, 10)], sr * 2),
			(vec![signed(&e, &b, 1, 10)], ecdsa),
			(vec![signed(&e, &a, 1, 10), signed(&d, &b, 1, 10)], ecdsa + sr),
			(vec![signed(&x, &e, 1, 10)], eth + ecdsa),
		];
		for (block, (batch, surcharge)) in (2..).zip(cases) {
			// A block of its own, so that no receipt finds its totals written earlier in it.
			System::set_block_number(block);
			let len = batch.len() as u32;
			assert_eq!(up_front(&batch), own(len) + HOOK_WEIGHT_MOST * u64::from(len) + surcharge);
			let post = Receipts::submit_receipts(relayer(), batch).expect("recorded");
			assert_eq!(
				post.actual_weight,
				Some(own(len) + HOOK_WEIGHT_SHARED + HOOK_WEIGHT_USED * u64::from(len) + surcharge)
			);
		}
		// A batch longer than the most is refused, charged for the receipts it may hold.
		let max: u32 = <Test as Config>::MaxReceiptsPerBatch::get();
		let too_long: Vec<_> =
			(0..=u64::from(max)).map(|i| signed(&e, &a, 10 + i, 100 + u128::from(i))).collect();
		assert_eq!(
			up_front(&too_long),
			own(max) + HOOK_WEIGHT_MOST * u64::from(max) + (ecdsa + sr) * u64::from(max)
		);
		// A proof of equivocation: four signatures, each charged for its scheme.
		let first = signed(&x, &a, 50, 1_000);
		let second = signed(&x, &a, 50, 999);
		let call = Call::<Test>::report_equivocation {
			first: Box::new(first.clone()),
			second: Box::new(second.clone()),
		};
		let lifecycle = <RecordingLifecycle as PeerLifecycle<AccountId>>::weight();
		assert_eq!(
			call.get_dispatch_info().call_weight,
			<Test as Config>::WeightInfo::report_equivocation() + lifecycle * 2 + (eth + sr) * 2
		);
		// Whatever the schemes, the surcharge never exceeds the dearest scheme's, twice a receipt.
		assert_eq!(Receipts::max_signature_surcharge(), eth);
	});
}

/// A peer's totals already written in this block (by this batch or an earlier one) are in the
/// block's overlay, and its registration was read by the receipt that wrote them: the receipt
/// that touches the peer again is refunded the totals' database read and write and the
/// registration's read. Totals last written in an earlier block are charged in full.
#[test]
fn peers_already_written_in_the_block_are_not_charged_again() {
	new_test_ext().execute_with(|| {
		let (a, b, c, d) = peers();
		let db = <Test as frame_system::Config>::DbWeight::get();
		// `sr25519` of the batch's signatures are a's or c's.
		let charged = |len: u32, recorded: u64, warm: u64, sr25519: u64| {
			Some(
				<Test as Config>::WeightInfo::submit_receipts(len)
					+ SR25519_SURCHARGE * sr25519
					+ HOOK_WEIGHT_SHARED
					+ HOOK_WEIGHT_USED * recorded
					- db.reads_writes(2 * warm, warm),
			)
		};
		// a's totals: written by the first receipt, warm for the second.
		let post = Receipts::submit_receipts(
			relayer(),
			vec![signed(&a, &b, 1, 10), signed(&a, &c, 1, 10)],
		)
		.expect("recorded");
		assert_eq!(post.actual_weight, charged(2, 2, 1, 3));
		// Another batch of the same block: b and c were both written by the first one.
		let post =
			Receipts::submit_receipts(relayer(), vec![signed(&b, &c, 1, 10)]).expect("recorded");
		assert_eq!(post.actual_weight, charged(1, 1, 2, 1));
		// d was never written; a rejected receipt refunds nothing for a's warm totals.
		let post = Receipts::submit_receipts(
			relayer(),
			vec![signed(&a, &b, 1, 10), signed(&d, &c, 1, 10)],
		)
		.expect("the second is recorded");
		assert_eq!(post.actual_weight, charged(2, 1, 1, 2), "c is warm, d is not");
		// The next block starts cold.
		System::set_block_number(2);
		let post =
			Receipts::submit_receipts(relayer(), vec![signed(&a, &b, 2, 20)]).expect("recorded");
		assert_eq!(post.actual_weight, charged(1, 1, 0, 1));
		check_invariants();
	});
}

#[test]
fn a_batch_with_two_receipts_of_one_pair_applies_them_in_order() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		assert_ok!(submit(vec![
			signed(&a, &b, 1, 10),
			signed(&a, &b, 2, 30),
			signed(&a, &b, 2, 40)
		]));
		assert_eq!(ledger(&a, &b).unwrap().cumulative_units, 30);
		assert_eq!(rejected_events(), vec![(2, Rejection::StaleSequence)]);
		assert_eq!(Totals::<Test>::get(a.account(), SERVICE).units_served, 30);
	});
}

// ---------------------------------------------------------------- receipts: one test per bad input

/// Submits one receipt that must be refused for `reason`, changing nothing.
fn assert_refused(receipt: SignedReceiptOf<Test>, reason: Rejection) {
	assert_noop!(submit(vec![receipt]), Error::<Test>::ReceiptRejected(reason));
}

/// Service ids used to be any `u32`: a pair could open a new ledger per id, without limit. They
/// are now below `MaxServices` (8 in the mock).
#[test]
fn a_service_id_beyond_the_bound_is_refused() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		let beyond = Receipt { service: 8, ..receipt(&a, &b, 1, 10) };
		assert_refused(cosign(beyond, &a, &b), Rejection::UnknownService);
		let last = Receipt { service: 7, ..receipt(&a, &b, 1, 10) };
		assert_ok!(submit(vec![cosign(last, &a, &b)]));
	});
}

#[test]
fn wrong_provider_signature_is_refused() {
	new_test_ext().execute_with(|| {
		let (a, b, c, _) = peers();
		let mut r = signed(&a, &b, 1, 10);
		r.provider_signature = c.sign(&r.receipt.signing_payload());
		assert_refused(r, Rejection::InvalidProviderSignature);
	});
}

#[test]
fn wrong_consumer_signature_is_refused() {
	new_test_ext().execute_with(|| {
		let (a, b, c, _) = peers();
		let mut r = signed(&a, &b, 1, 10);
		r.consumer_signature = c.sign(&r.receipt.signing_payload());
		assert_refused(r, Rejection::InvalidConsumerSignature);
	});
}

#[test]
fn swapped_roles_are_refused() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		let mut r = signed(&a, &b, 1, 10);
		// The consumer claims to have been the provider, keeping the signatures.
		core::mem::swap(&mut r.receipt.provider, &mut r.receipt.consumer);
		assert_refused(r, Rejection::InvalidProviderSignature);
	});
}

#[test]
fn self_dealing_is_refused() {
	new_test_ext().execute_with(|| {
		let (a, _, _, _) = peers();
		assert_refused(signed(&a, &a, 1, 10), Rejection::SelfDealing);
	});
}

#[test]
fn unregistered_parties_are_refused() {
	new_test_ext().execute_with(|| {
		let (a, _, _, _) = peers();
		let stranger = Key::new(5);
		assert_refused(signed(&stranger, &a, 1, 10), Rejection::ProviderNotRegistered);
		assert_refused(signed(&a, &stranger, 1, 10), Rejection::ConsumerNotRegistered);
	});
}

#[test]
fn banned_parties_are_refused() {
	new_test_ext().execute_with(|| {
		let (a, b, c, d) = peers();
		let reason: ReasonOf<Test> = b"banned".to_vec().try_into().unwrap();
		for peer in [&c, &d] {
			assert_ok!(Receipts::sanction(
				RuntimeOrigin::root(),
				peer.account(),
				PartsPerBillion(0),
				reason.clone()
			));
		}
		assert_refused(signed(&c, &a, 1, 10), Rejection::ProviderBanned);
		assert_refused(signed(&b, &d, 1, 10), Rejection::ConsumerBanned);
	});
}

#[test]
fn replayed_and_lower_sequences_are_refused() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		let first = signed(&a, &b, 5, 10);
		assert_ok!(submit(vec![first.clone()]));
		assert_refused(first, Rejection::StaleSequence);
		assert_refused(signed(&a, &b, 4, 20), Rejection::StaleSequence);
	});
}

#[test]
fn receipts_that_record_nothing_are_refused() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		assert_refused(signed(&a, &b, 1, 0), Rejection::NoNewUnits);
		assert!(ledger(&a, &b).is_none(), "a zero-unit receipt stores no pair");
		assert_ok!(submit(vec![signed(&a, &b, 1, 100)]));
		assert_refused(signed(&a, &b, 2, 100), Rejection::NoNewUnits);
		assert_eq!(ledger(&a, &b).unwrap().sequence, 1);
	});
}

#[test]
fn lower_units_are_refused() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		assert_ok!(submit(vec![signed(&a, &b, 1, 100)]));
		assert_refused(signed(&a, &b, 2, 99), Rejection::UnitsDecreased);
	});
}

#[test]
fn wrong_genesis_hash_is_refused() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		let mut r = receipt(&a, &b, 1, 10);
		r.genesis_hash = sp_core::H256::repeat_byte(1);
		assert_refused(cosign(r, &a, &b), Rejection::WrongGenesis);
	});
}

#[test]
fn wrong_domain_tag_is_refused() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		let r = receipt(&a, &b, 1, 10);
		// Signed over the SCALE encoding with another tag: a signature meant for something else.
		let mut payload = b"another/domain/1".to_vec();
		assert_eq!(payload.len(), RECEIPT_DOMAIN_TAG.len());
		payload.extend(r.encode());
		let forged = SignedReceipt {
			provider_signature: a.sign(&payload),
			consumer_signature: b.sign(&payload),
			receipt: r,
		};
		assert_refused(forged, Rejection::InvalidProviderSignature);
	});
}

#[test]
fn timestamps_outside_the_window_are_refused() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		let window = Parameters::<Test>::get();
		let mut old = receipt(&a, &b, 1, 10);
		old.timestamp_ms = START_MS - window.max_receipt_age_ms - 1;
		assert_refused(cosign(old, &a, &b), Rejection::TimestampTooOld);
		let mut future = receipt(&a, &b, 1, 10);
		future.timestamp_ms = START_MS + window.max_clock_drift_ms + 1;
		assert_refused(cosign(future, &a, &b), Rejection::TimestampInFuture);
		// The edges of the window are inside it.
		let mut edge = receipt(&a, &b, 1, 10);
		edge.timestamp_ms = START_MS - window.max_receipt_age_ms;
		assert_ok!(submit(vec![cosign(edge, &a, &b)]));
	});
}

#[test]
fn an_empty_batch_is_refused() {
	new_test_ext().execute_with(|| {
		assert_noop!(submit(vec![]), Error::<Test>::EmptyBatch);
	});
}

/// An over-long batch used to be undecodable (a `BoundedVec` in the call): the client got a
/// decoding failure instead of an error it could name. It now decodes, is charged as the
/// longest batch, and is refused with `TooManyReceipts` before any receipt is checked.
#[test]
fn an_oversized_batch_is_refused_with_a_typed_error_and_charged_as_the_longest() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		let too_many: Vec<_> = (1..=17).map(|s| signed(&a, &b, s, 10)).collect();
		// Encoded as a client would, with one receipt over the bound of 16.
		let encoded =
			RuntimeCall::Receipts(Call::submit_receipts { receipts: too_many.clone() }).encode();
		let call = RuntimeCall::decode(&mut &encoded[..]).expect("a long batch decodes");
		let longest =
			RuntimeCall::Receipts(Call::submit_receipts { receipts: too_many[..16].to_vec() });
		assert_eq!(call.get_dispatch_info().call_weight, longest.get_dispatch_info().call_weight);
		let huge = RuntimeCall::Receipts(Call::submit_receipts {
			receipts: core::iter::repeat_n(too_many[0].clone(), 10_000).collect(),
		});
		assert_eq!(huge.get_dispatch_info().call_weight, longest.get_dispatch_info().call_weight);
		assert_noop!(submit(too_many), Error::<Test>::TooManyReceipts);
		assert_eq!(Totals::<Test>::get(a.account(), SERVICE).units_served, 0);
	});
}

#[test]
fn overflowing_totals_are_refused() {
	new_test_ext().execute_with(|| {
		let (a, b, c, _) = peers();
		assert_ok!(submit(vec![signed(&a, &b, 1, u128::MAX)]));
		// A's total served would pass u128::MAX.
		assert_refused(signed(&a, &c, 1, 1), Rejection::Overflow);
		assert_eq!(Totals::<Test>::get(a.account(), SERVICE).units_served, u128::MAX);
	});
}

#[test]
fn a_batch_whose_every_receipt_fails_fails_with_the_first_reason() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		assert_noop!(
			submit(vec![signed(&a, &a, 1, 1), signed(&Key::new(5), &b, 1, 1)]),
			Error::<Test>::ReceiptRejected(Rejection::SelfDealing)
		);
	});
}

// ---------------------------------------------------------------- equivocation

fn report(
	first: SignedReceiptOf<Test>,
	second: SignedReceiptOf<Test>,
) -> frame_support::dispatch::DispatchResult {
	Receipts::report_equivocation(relayer(), Box::new(first), Box::new(second))
}

#[test]
fn a_proven_equivocation_slashes_both_signers_and_rewards_the_reporter() {
	new_test_ext().execute_with(|| {
		let (a, b, c, _) = peers();
		let reporter = Key::new(7).account();
		let before = Balances::balance(&reporter);
		let issuance = Balances::total_issuance();
		assert_ok!(report(signed(&a, &b, 3, 100), signed(&a, &b, 3, 90)));

		let slash_each = Perbill::from_percent(10) * BOND;
		assert_eq!(held(&a), BOND - slash_each);
		assert_eq!(held(&b), BOND - slash_each);
		let total = 2 * slash_each;
		let reward = Perbill::from_percent(50) * total;
		assert_eq!(Balances::balance(&reporter), before + reward);
		// The rest is burnt by `Slashed = ()`.
		assert_eq!(Balances::total_issuance(), issuance - (total - reward));
		assert_eq!(
			last_event(),
			RuntimeEvent::Receipts(Event::EquivocationPunished {
				provider: a.account(),
				consumer: b.account(),
				service: SERVICE,
				slashed: total,
				reward,
				reporter
			})
		);
		assert_eq!(Offences::<Test>::iter().count(), 1);
		// Both signers are banned: no receipt of theirs is recorded any more.
		for offender in [&a, &b] {
			assert!(!Peers::<Test>::get(offender.account()).unwrap().may_transact());
		}
		assert_refused(signed(&a, &c, 1, 10), Rejection::ProviderBanned);
		assert_refused(signed(&c, &b, 1, 10), Rejection::ConsumerBanned);
		LIFECYCLE_CALLS.with(|calls| {
			let calls = calls.borrow();
			assert!(calls.contains(&("banned", a.account())));
			assert!(calls.contains(&("banned", b.account())));
		});
		check_invariants();
	});
}

/// A signer used to report its own equivocation and collect half of its own slash.
#[test]
fn a_signer_cannot_report_its_own_equivocation() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		for offender in [&a, &b] {
			assert_noop!(
				Receipts::report_equivocation(
					RuntimeOrigin::signed(offender.account()),
					Box::new(signed(&a, &b, 3, 100)),
					Box::new(signed(&a, &b, 3, 90)),
				),
				Error::<Test>::ReporterIsOffender
			);
		}
		// Through an account of its own, a pair gets back less than it lost, and is banned.
		let accomplice = Key::new(7).account();
		let before = Balances::total_balance(&a.account())
			+ Balances::total_balance(&b.account())
			+ Balances::total_balance(&accomplice);
		assert_ok!(report(signed(&a, &b, 3, 100), signed(&a, &b, 3, 90)));
		let after = Balances::total_balance(&a.account())
			+ Balances::total_balance(&b.account())
			+ Balances::total_balance(&accomplice);
		assert!(after < before, "{after} vs {before}");
	});
}

/// Every further contradicting receipt of the same (pair, service, sequence) used to be a new
/// offence (the proof's identity hashed whole receipts, timestamps included).
#[test]
fn one_offence_per_pair_service_and_sequence() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		assert_ok!(report(signed(&a, &b, 3, 100), signed(&a, &b, 3, 90)));
		let held_after_one = held(&a);
		let mut later = receipt(&a, &b, 3, 80);
		later.timestamp_ms += 1;
		assert_noop!(
			report(signed(&a, &b, 3, 100), cosign(later.clone(), &a, &b)),
			Error::<Test>::OffenceAlreadyReported
		);
		assert_noop!(
			report(signed(&a, &b, 3, 90), cosign(later, &a, &b)),
			Error::<Test>::OffenceAlreadyReported
		);
		// A lower sequence with more units ending at 3 is the same offence too.
		assert_noop!(
			report(signed(&a, &b, 2, 500), signed(&a, &b, 3, 90)),
			Error::<Test>::OffenceAlreadyReported
		);
		assert_eq!(held(&a), held_after_one);
		// Another sequence is another offence: the banned pair is slashed again, within its
		// cooldown.
		assert_ok!(report(signed(&a, &b, 4, 100), signed(&a, &b, 4, 90)));
		assert!(held(&a) < held_after_one);
		check_invariants();
	});
}

#[test]
fn a_higher_sequence_with_fewer_units_is_an_equivocation() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		assert_ok!(report(signed(&a, &b, 4, 50), signed(&a, &b, 5, 40)));
	});
}

#[test]
fn consistent_receipts_are_not_an_equivocation() {
	new_test_ext().execute_with(|| {
		let (a, b, c, _) = peers();
		assert_noop!(
			report(signed(&a, &b, 4, 50), signed(&a, &b, 5, 60)),
			Error::<Test>::NotAnEquivocation
		);
		assert_noop!(
			report(signed(&a, &b, 4, 50), signed(&a, &b, 4, 50)),
			Error::<Test>::NotAnEquivocation
		);
		assert_noop!(
			report(signed(&a, &b, 4, 50), signed(&a, &c, 4, 40)),
			Error::<Test>::NotAnEquivocation
		);
	});
}

#[test]
fn an_equivocation_proof_needs_valid_signatures() {
	new_test_ext().execute_with(|| {
		let (a, b, c, _) = peers();
		let mut forged = signed(&a, &b, 3, 90);
		forged.consumer_signature = c.sign(&forged.receipt.signing_payload());
		assert_noop!(
			report(signed(&a, &b, 3, 100), forged),
			Error::<Test>::ReceiptRejected(Rejection::InvalidConsumerSignature)
		);
		let mut other_chain = receipt(&a, &b, 3, 90);
		other_chain.genesis_hash = sp_core::H256::repeat_byte(9);
		assert_noop!(
			report(signed(&a, &b, 3, 100), cosign(other_chain, &a, &b)),
			Error::<Test>::ReceiptRejected(Rejection::WrongGenesis)
		);
	});
}

#[test]
fn an_equivocation_proof_is_used_once_in_either_order() {
	new_test_ext().execute_with(|| {
		let (a, b, _, _) = peers();
		let (x, y) = (signed(&a, &b, 3, 100), signed(&a, &b, 3, 90));
		assert_ok!(report(x.clone(), y.clone()));
		assert_noop!(report(x.clone(), y.clone()), Error::<Test>::OffenceAlreadyReported);
		assert_noop!(report(y, x), Error::<Test>::OffenceAlreadyReported);
	});
}

#[test]
fn an_equivocation_of_unbonded_signers_has_nothing_to_slash() {
	new_test_ext().execute_with(|| {
		let (a, b) = (Key::new(4), Key::new(5));
		assert_noop!(
			report(signed(&a, &b, 3, 100), signed(&a, &b, 3, 90)),
			Error::<Test>::NothingToSlash
		);
	});
}

// ---------------------------------------------------------------- parameters

fn parameters() -> ParametersOf<Test> {
	Parameters::<Test>::get()
}

#[test]
fn governance_sets_parameters_with_an_event_of_old_and_new() {
	new_test_ext().execute_with(|| {
		let old = parameters();
		let new = ReceiptParameters { peer_bond: 5_000, unbonding_period: 3, ..old.clone() };
		assert_ok!(Receipts::set_parameters(RuntimeOrigin::root(), new.clone()));
		assert_eq!(parameters(), new);
		assert_eq!(last_event(), RuntimeEvent::Receipts(Event::ParametersSet { old, new }));
		let peer = Key::new(0);
		register(&peer);
		assert_eq!(held(&peer), 5_000);
	});
}

#[test]
fn parameters_are_for_governance_only() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Receipts::set_parameters(RuntimeOrigin::signed(Key::new(0).account()), parameters()),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn out_of_range_parameters_are_refused() {
	new_test_ext().execute_with(|| {
		let base = parameters();
		let invalid = [
			ReceiptParameters { peer_bond: EXISTENTIAL_DEPOSIT - 1, ..base.clone() },
			ReceiptParameters { unbonding_period: 0, ..base.clone() },
			ReceiptParameters { max_receipt_age_ms: 0, ..base.clone() },
			ReceiptParameters { reporter_reward: PartsPerBillion::ONE, ..base.clone() },
			// Above 100%: it decodes (a client gets this error, not a decoding failure).
			ReceiptParameters { reporter_reward: PartsPerBillion(u32::MAX), ..base.clone() },
			ReceiptParameters {
				equivocation_slash: PartsPerBillion(1_000_000_001),
				..base.clone()
			},
		];
		for bad in invalid {
			assert_noop!(
				Receipts::set_parameters(RuntimeOrigin::root(), bad.clone()),
				Error::<Test>::InvalidParameters
			);
		}
	});
}

/// A fraction above 100% used to make the whole call undecodable (a `Perbill`), so a client got
/// no error it could name. It now decodes, as a client encodes it, and is refused by the pallet.
#[test]
fn fractions_above_one_hundred_percent_are_refused_with_a_typed_error() {
	new_test_ext().execute_with(|| {
		let call = RuntimeCall::Receipts(Call::set_parameters { new: parameters() });
		let mut encoded = call.encode();
		// The parameters end with the two fractions; make the last one 100% + 1.
		let len = encoded.len();
		encoded[len - 4..].copy_from_slice(&1_000_000_001u32.to_le_bytes());
		let RuntimeCall::Receipts(Call::set_parameters { new }) =
			RuntimeCall::decode(&mut &encoded[..]).expect("any u32 decodes")
		else {
			panic!("decoded another call")
		};
		assert_eq!(new.reporter_reward, PartsPerBillion(1_000_000_001));
		assert_noop!(
			Receipts::set_parameters(RuntimeOrigin::root(), new),
			Error::<Test>::InvalidParameters
		);
	});
}

// ---------------------------------------------------------------- property

mod property {
	use super::*;
	use proptest::prelude::*;
	use std::collections::BTreeMap;

	proptest! {
		#![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

		/// Whatever receipts arrive, in whatever order, every total equals the sum of the deltas
		/// that were recorded, and every ledger holds the highest accepted receipt.
		#[test]
		fn totals_equal_the_sum_of_recorded_deltas(
			steps in proptest::collection::vec((0u8..4, 0u8..4, 0u64..12, 0u128..1_000), 1..40)
		) {
			new_test_ext().execute_with(|| {
				let keys: Vec<Key> = (0..4).map(Key::new).collect();
				for k in &keys { register(k); }
				let mut expected_served: BTreeMap<u8, u128> = BTreeMap::new();
				let mut expected_consumed: BTreeMap<u8, u128> = BTreeMap::new();
				let mut pairs: BTreeMap<(u8, u8), (u64, u128)> = BTreeMap::new();
				for (p, c, sequence, units) in steps {
					let result = submit(vec![signed(&keys[p as usize], &keys[c as usize], sequence, units)]);
					let previous = pairs.get(&(p, c)).copied();
					let acceptable = p != c && match previous {
						None => units > 0,
						Some((s, u)) => sequence > s && units > u,
					};
					prop_assert_eq!(result.is_ok(), acceptable);
					if acceptable {
						let delta = units - previous.map_or(0, |(_, u)| u);
						*expected_served.entry(p).or_default() += delta;
						*expected_consumed.entry(c).or_default() += delta;
						pairs.insert((p, c), (sequence, units));
					}
				}
				for (i, k) in keys.iter().enumerate() {
					let totals = Totals::<Test>::get(k.account(), SERVICE);
					prop_assert_eq!(totals.units_served, expected_served.get(&(i as u8)).copied().unwrap_or(0));
					prop_assert_eq!(totals.units_consumed, expected_consumed.get(&(i as u8)).copied().unwrap_or(0));
				}
				for ((p, c), (sequence, units)) in pairs {
					let l = ledger(&keys[p as usize], &keys[c as usize]).unwrap();
					prop_assert_eq!((l.sequence, l.cumulative_units), (sequence, units));
				}
				check_invariants();
				Ok(())
			})?;
		}
	}
}

#[test]
fn a_synthetic_population_is_registered_and_consistent() {
	use sp_runtime::BuildStorage;
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let history =
		repute_primitives::synthetic::SyntheticHistory { peers: 10, partners: 2, units: 5 };
	crate::GenesisConfig::<Test> { parameters: None, peers: vec![], synthetic: Some(history) }
		.assimilate_storage(&mut storage)
		.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		assert_eq!(Peers::<Test>::iter().count(), 10);
		assert_eq!(Served::<Test>::iter().count(), 20);
		assert_eq!(ServedBy::<Test>::iter().count(), 20);
		let served: u128 = Totals::<Test>::iter_values().map(|t| t.units_served).sum();
		let consumed: u128 = Totals::<Test>::iter_values().map(|t| t.units_consumed).sum();
		assert_eq!((served, consumed), (100, 100));
		check_invariants();
	});
}

#[test]
fn genesis_registers_the_peers_it_lists_with_their_bonds() {
	use sp_runtime::BuildStorage;
	let (a, b) = (Key::new(0), Key::new(1));
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(a.account(), ENDOWMENT), (b.account(), ENDOWMENT)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	crate::GenesisConfig::<Test> {
		parameters: None,
		peers: vec![a.account(), b.account()],
		synthetic: None,
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		assert_eq!(held(&a), BOND);
		assert_eq!(held(&b), BOND);
		assert!(matches!(
			Peers::<Test>::get(a.account()).map(|p| p.status),
			Some(PeerStatus::Active)
		));
		check_invariants();
	});
}

/// `docs/receipts.md` tells client authors how errors reach them; this pins it.
#[test]
fn module_errors_encode_as_documented() {
	let module = |error: Error<Test>| match DispatchError::from(error) {
		DispatchError::Module(module) => module.error,
		other => panic!("{other:?}"),
	};
	assert_eq!(module(Error::AlreadyRegistered), [0, 0, 0, 0]);
	assert_eq!(module(Error::ReceiptRejected(Rejection::WrongGenesis)), [8, 0, 0, 0]);
	assert_eq!(module(Error::ReceiptRejected(Rejection::NoNewUnits)), [8, 13, 0, 0]);
	assert_eq!(module(Error::ReceiptRejected(Rejection::UnknownService)), [8, 14, 0, 0]);
	assert_eq!(module(Error::InvalidParameters), [12, 0, 0, 0]);
	assert_eq!(module(Error::ReporterIsOffender), [13, 0, 0, 0]);
	assert_eq!(module(Error::BondAlreadyReleased), [14, 0, 0, 0]);
	assert_eq!(module(Error::TooManyReceipts), [15, 0, 0, 0]);
	assert_eq!(module(Error::SlashAbove100Percent), [16, 0, 0, 0]);
}
