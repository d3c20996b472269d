//! The guarantee admission rests on, attacked where a user meets it (the admission decision):
//!
//! > No coalition of k identities, whatever units its members co-sign among themselves, can
//! > take more from peers outside it than those peers co-signed as received from it, plus k
//! > stranger allowances.
//!
//! Each case builds a random honest graph and a random coalition (a ring, a star, a chain or a
//! clique), with or without pre-trusted peers, records honest history and the coalition's fake
//! receipts before and after epochs, lets the coalition first earn a little real credit if the
//! case says so, then plays the adversary's best strategy: every member consumes from every
//! honest peer, in chunks, for as long as that peer's policy (the chain's global decision, or
//! the peer's own subjective view) says to serve it. What the coalition took is checked against
//! the bound.
//!
//! Then every member leaves, and what their bonds forfeit ([`crate::leaving`]) is checked to
//! pay, in stranger allowances, for what the coalition took beyond what outsiders received from
//! it: whitewashing the members' keys afterwards gains nothing that was not paid for.

use crate::{mock::*, *};
use frame_support::traits::Hooks;
use frame_support::weights::Weight;
use pallet_receipts::{OnReceiptRecorded, PeerLifecycle};
use proptest::prelude::*;

/// The coalition's identities are numbered from here; honest peers from 1.
const COALITION: u64 = 1_000;
/// What an honest provider serves a peer at a time, while its policy allows.
const CHUNK: u128 = 250;
/// The most chunks one honest peer serves one member in a case: far beyond any bound, so a
/// coalition that is never refused shows up as a violation rather than a timeout.
const MAX_CHUNKS: u32 = 200;

#[derive(Clone, Copy, Debug)]
enum Shape {
	Ring,
	Star,
	Chain,
	Clique,
}

#[derive(Clone, Copy, Debug)]
enum Policy {
	/// Honest providers follow the chain's decision.
	Global,
	/// Honest providers follow their own subjective view.
	Subjective,
}

#[derive(Clone, Debug)]
struct Case {
	honest: u64,
	honest_edges: Vec<(u64, u64, u128)>,
	founders: bool,
	coalition: u64,
	shape: Shape,
	fake_units: u128,
	/// (member, honest consumer, units): real service the coalition gives outsiders first.
	attack_edges: Vec<(u64, u64, u128)>,
	epochs_before_fakes: u8,
	epochs_after_fakes: u8,
	policy: Policy,
}

fn case() -> impl Strategy<Value = Case> {
	(4u64..10, 1u64..7)
		.prop_flat_map(|(honest, coalition)| {
			(
				Just(honest),
				prop::collection::vec((1..=honest, 1..=honest, 1u128..3_000), 0..30),
				any::<bool>(),
				Just(coalition),
				prop_oneof![
					Just(Shape::Ring),
					Just(Shape::Star),
					Just(Shape::Chain),
					Just(Shape::Clique)
				],
				prop_oneof![Just(1u128), 1_000u128..100_000, Just(1_000_000_000_000_000u128)],
				prop::collection::vec((0..coalition, 1..=honest, 1u128..500), 0..4),
				0u8..3,
				0u8..3,
				prop_oneof![Just(Policy::Global), Just(Policy::Subjective)],
			)
		})
		.prop_map(
			|(
				honest,
				honest_edges,
				founders,
				coalition,
				shape,
				fake_units,
				attack_edges,
				epochs_before_fakes,
				epochs_after_fakes,
				policy,
			)| Case {
				honest,
				honest_edges,
				founders,
				coalition,
				shape,
				fake_units,
				attack_edges: attack_edges
					.into_iter()
					.map(|(m, h, u)| (COALITION + m, h, u))
					.collect(),
				epochs_before_fakes,
				epochs_after_fakes,
				policy,
			},
		)
}

/// The receipts a coalition of `k` co-signs among itself, as (provider, consumer).
fn fake_edges(shape: Shape, k: u64) -> Vec<(u64, u64)> {
	let member = |i: u64| COALITION + i;
	match shape {
		Shape::Ring if k > 1 => (0..k).map(|i| (member(i), member((i + 1) % k))).collect(),
		Shape::Star => {
			(1..k).flat_map(|i| [(member(0), member(i)), (member(i), member(0))]).collect()
		}
		Shape::Chain => (1..k).map(|i| (member(i - 1), member(i))).collect(),
		Shape::Clique => (0..k)
			.flat_map(|a| (0..k).filter(move |b| *b != a).map(move |b| (member(a), member(b))))
			.collect(),
		Shape::Ring => vec![],
	}
}

struct World {
	/// Units outsiders co-signed as received from the coalition.
	given_to_outsiders: u128,
	/// Units the coalition received from outsiders while they served it.
	taken_from_outsiders: u128,
	/// Receipts recorded: each may round a decayed value by one unit.
	receipts: u128,
}

impl World {
	fn serve(&mut self, provider: u64, consumer: u64, units: u128) {
		<Reputation as OnReceiptRecorded<AccountId, u64>>::on_receipt_recorded(
			&provider,
			&consumer,
			0,
			units,
			units,
			System::block_number(),
		);
		self.receipts += 1;
		let inside = |p: u64| p >= COALITION;
		if inside(provider) && !inside(consumer) {
			self.given_to_outsiders += units;
		}
		if !inside(provider) && inside(consumer) {
			self.taken_from_outsiders += units;
		}
	}
}

fn run_epoch() {
	let before = Published::<Test>::get().map(|p| p.epoch);
	for _ in 0..10_000 {
		System::set_block_number(System::block_number() + 1);
		Reputation::on_idle(System::block_number(), Weight::MAX);
		let after = Published::<Test>::get().map(|p| p.epoch);
		if after != before && matches!(Epoch::<Test>::get(), Some(EpochState::Idle { .. })) {
			return;
		}
		if after.is_none() && System::block_number() > 200 {
			// No epoch runs on this chain (for example without founders): time still passes.
			return;
		}
	}
}

fn allowed(member: u64, provider: u64, policy: Policy) -> bool {
	match policy {
		Policy::Global => Reputation::admission_for(&member, None),
		Policy::Subjective => Reputation::admission_for(&member, Some(&provider)),
	}
	.allows_service()
}

/// What one case played out to.
struct Outcome {
	/// What the coalition took from outsiders.
	taken: u128,
	/// The most it may take.
	bound: u128,
	/// What outsiders co-signed as received from it.
	given: u128,
	/// Slack for rounding and the last chunk each member was served.
	slack: u128,
	/// What its members' bonds forfeit by leaving, in units (share of the bond × the stranger
	/// allowance the bond stands for).
	forfeited: u128,
}

/// Plays `case` and returns what the coalition took and the bound it must stay within.
fn play(case: &Case) -> (u128, u128) {
	let outcome = play_out(case);
	(outcome.taken, outcome.bound)
}

/// A chain with `case`'s founders, where its honest peers and its coalition registered, the
/// honest history and the coalition's real service to outsiders were recorded, then its fake
/// receipts before and after epochs. Returns the coalition's members.
fn record_history(case: &Case, world: &mut World) -> Vec<u64> {
	let members: Vec<u64> = (0..case.coalition).map(|i| COALITION + i).collect();
	for peer in (1..=case.honest).chain(members.iter().copied()) {
		<Reputation as PeerLifecycle<AccountId>>::on_registered(&peer);
	}
	for (provider, consumer, units) in &case.honest_edges {
		if provider != consumer {
			world.serve(*provider, *consumer, *units);
		}
	}
	// The coalition earns a little real credit first (one attack edge, or a few).
	for (member, honest, units) in &case.attack_edges {
		world.serve(*member, *honest, *units);
	}
	for _ in 0..case.epochs_before_fakes {
		run_epoch();
	}
	let fakes = fake_edges(case.shape, case.coalition);
	for (provider, consumer) in &fakes {
		world.serve(*provider, *consumer, case.fake_units);
	}
	for _ in 0..case.epochs_after_fakes {
		run_epoch();
	}
	// Again after the epochs: receipts recorded once trust is published.
	for (provider, consumer) in &fakes {
		world.serve(*provider, *consumer, case.fake_units);
	}
	members
}

fn founders_of(case: &Case) -> Vec<AccountId> {
	if case.founders {
		vec![1, 2]
	} else {
		vec![]
	}
}

/// Plays `case` to the end: the coalition takes what it can, then every member leaves.
fn play_out(case: &Case) -> Outcome {
	let mut ext = new_test_ext(founders_of(case));
	ext.execute_with(|| {
		let mut world = World { given_to_outsiders: 0, taken_from_outsiders: 0, receipts: 0 };
		let members = record_history(case, &mut world);
		// What the coalition took before this point was taken from outsiders too.
		let before = world.taken_from_outsiders;
		assert_eq!(before, 0, "honest peers have not served the coalition yet");
		// The adversary's best strategy: every member takes from every honest peer for as long
		// as that peer serves it.
		for member in &members {
			for provider in 1..=case.honest {
				let mut chunks = 0;
				while chunks < MAX_CHUNKS && allowed(*member, provider, case.policy) {
					world.serve(provider, *member, CHUNK);
					chunks += 1;
				}
			}
		}
		let allowance = Parameters::<Test>::get().stranger_allowance_max;
		let k = case.coalition as u128;
		// Each member may overshoot by the last chunk it was served before it was refused.
		let slack = k * CHUNK + world.receipts;
		let bound = k * allowance + world.given_to_outsiders + slack;
		let forfeited = members
			.iter()
			.map(|member| Reputation::forfeit_on_leaving(member).mul_floor(allowance))
			.sum();
		Outcome {
			taken: world.taken_from_outsiders,
			bound,
			given: world.given_to_outsiders,
			slack,
			forfeited,
		}
	})
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

	#[test]
	fn no_coalition_takes_more_than_outsiders_received_from_it_plus_its_allowances(
		case in case()
	) {
		let (taken, bound) = play(&case);
		prop_assert!(taken <= bound, "took {} > bound {}", taken, bound);
	}
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

	#[test]
	fn a_leaving_coalition_s_bonds_pay_for_what_it_took_beyond_what_it_gave(case in case()) {
		let outcome = play_out(&case);
		let unpaid = outcome.taken.saturating_sub(outcome.given);
		prop_assert!(
			outcome.forfeited + outcome.slack >= unpaid,
			"took {} and gave {}, but its bonds forfeit only {} (slack {})",
			outcome.taken,
			outcome.given,
			outcome.forfeited,
			outcome.slack
		);
	}
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

	/// Graduating is what lifts a peer out of probation and makes it a witness of newcomers'
	/// outcomes (the adaptive allowance follows them): a coalition that served no outsider must
	/// not graduate any member, whatever units it co-signs among itself, before or after epochs.
	/// Its members' service grows without bound (credit passed around a ring is volume), so
	/// graduating on service alone admitted any two fresh keys.
	#[test]
	fn no_coalition_graduates_on_what_it_cosigns_among_itself(case in case()) {
		let case = Case { attack_edges: vec![], ..case };
		new_test_ext(founders_of(&case)).execute_with(|| {
			let mut world = World { given_to_outsiders: 0, taken_from_outsiders: 0, receipts: 0 };
			let members = record_history(&case, &mut world);
			for member in &members {
				let record = Reputations::<Test>::get(member).expect("registered");
				prop_assert_ne!(record.admission, Admission::Admitted, "member {} graduated", member);
				prop_assert_eq!(record.witnessed_service, 0);
				// Nor was its way out of probation (exhausting its allowance in front of
				// another member) counted by the stranger policy.
				prop_assert!(!record.newcomer_outcome_counted, "member {} was counted", member);
			}
			Ok(())
		})?;
	}
}

fn assert_bounded(case: Case) {
	let (taken, bound) = play(&case);
	assert!(taken <= bound, "took {taken} > bound {bound}: {case:?}");
}

/// The case proptest shrank to on the model this one replaced: one identity that served an
/// honest peer 286 units could take 2,750 (usage was allowed up to twice the service).
#[test]
fn regression_one_identity_with_one_small_attack_edge() {
	assert_bounded(Case {
		honest: 4,
		honest_edges: vec![],
		founders: false,
		coalition: 1,
		shape: Shape::Ring,
		fake_units: 1,
		attack_edges: vec![(COALITION, 1, 286)],
		epochs_before_fakes: 0,
		epochs_after_fakes: 0,
		policy: Policy::Global,
	});
}

/// The attack: a pair earns a little trust from founders, then co-signs 10¹⁵ units
/// after an epoch has published that trust, and takes from every honest peer, under both
/// policies.
#[test]
fn regression_a_quadrillion_units_cosigned_after_an_epoch() {
	for policy in [Policy::Global, Policy::Subjective] {
		assert_bounded(Case {
			honest: 6,
			honest_edges: vec![(3, 1, 1_000), (4, 2, 1_000), (1, 5, 500), (2, 6, 500)],
			founders: true,
			coalition: 2,
			shape: Shape::Star,
			fake_units: 1_000_000_000_000_000,
			attack_edges: vec![(COALITION, 1, 10), (COALITION + 1, 2, 10)],
			epochs_before_fakes: 1,
			epochs_after_fakes: 1,
			policy,
		});
	}
}
