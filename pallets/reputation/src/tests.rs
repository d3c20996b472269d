//! Tests of the reputation pallet: decay, the credit model, the epoch computation against the
//! in-memory reference, Sybils and colluders, admission both ways, the stranger policy,
//! governance, and `on_idle`'s weight bound. `coalitions.rs` attacks the credit bound with
//! random coalitions.

use crate::{mock::*, *};
use frame_support::traits::Get;
use frame_support::{assert_noop, assert_ok, traits::Hooks, weights::Weight, BoundedVec};
use pallet_receipts::{OnReceiptRecorded, PeerLifecycle};
use sp_arithmetic::{FixedU128, Perbill};
use sp_runtime::{BuildStorage, DispatchError};

mod coalitions;

fn now() -> u64 {
	System::block_number()
}

fn register(peer: AccountId) {
	<Reputation as PeerLifecycle<AccountId>>::on_registered(&peer);
}

/// Records that `provider` served `consumer` `units`; returns the weight the hook says it took.
fn serve(provider: AccountId, consumer: AccountId, units: u128) -> Weight {
	<Reputation as OnReceiptRecorded<AccountId, u64>>::on_receipt_recorded(
		&provider,
		&consumer,
		0,
		units,
		units,
		now(),
	)
}

fn admission(peer: AccountId) -> Admission {
	Reputations::<Test>::get(peer).unwrap().admission
}

fn trust(peer: AccountId) -> f64 {
	Reputation::global_trust_of(&peer).map_or(0.0, |(t, _)| t.into_inner() as f64 / 1e18)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Reputation(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// Moves to the next block and gives `on_idle` the whole block.
fn next_block() {
	System::set_block_number(now() + 1);
	Reputation::on_idle(now(), Weight::MAX);
}

/// What `on_idle` needs for its base cost and one worst-case spread step: an epoch given this a
/// block takes one step a block.
fn one_spread_step() -> Weight {
	<() as WeightInfo>::on_idle_base()
		.saturating_add(<() as WeightInfo>::spread(MAX_PARTNERS))
		.saturating_add(Reputation::spread_page_traffic())
}

/// Runs blocks until an epoch newer than the current one is published; returns its number.
fn run_epoch() -> u32 {
	let before = Published::<Test>::get().map(|p| p.epoch);
	for _ in 0..10_000 {
		next_block();
		let after = Published::<Test>::get().map(|p| p.epoch);
		if after != before && matches!(Epoch::<Test>::get(), Some(EpochState::Idle { .. })) {
			return after.unwrap();
		}
	}
	panic!("no epoch was published");
}

fn check_invariants() {
	Reputation::do_try_state().expect("invariants hold");
}

/// The local-trust graph as the in-memory reference sees it.
fn edges() -> Vec<maths::reference::Edge> {
	let mut edges = vec![];
	for (consumer, local) in LocalTrustOf::<Test>::iter() {
		for (provider, units) in local.providers {
			edges.push(maths::reference::Edge { consumer, provider, units });
		}
	}
	edges
}

#[test]
fn service_and_usage_halve_after_their_half_lives() {
	new_test_ext(vec![]).execute_with(|| {
		register(1);
		register(2);
		serve(1, 2, 2_000);
		let record = Reputation::reputation_of(&1).unwrap();
		// 2 vouches for all of it, out of its allowance.
		assert_eq!(record.service, 2_000);
		assert_eq!(Reputation::reputation_of(&2).unwrap().usage, 2_000);

		System::set_block_number(now() + 100);
		assert_eq!(Reputation::reputation_of(&1).unwrap().service, 1_000);
		assert_eq!(Reputation::reputation_of(&2).unwrap().usage, 1_000);
		System::set_block_number(now() + 50);
		let exact = 2_000f64 * 2f64.powf(-1.5);
		let got = Reputation::reputation_of(&1).unwrap().service as f64;
		assert!((got - exact).abs() <= 1.0, "{got} vs {exact}");
		// Reading does not write: the stored record is still as of block 1.
		assert_eq!(Reputations::<Test>::get(1).unwrap().service, 2_000);
		check_invariants();
	});
}

#[test]
fn the_onchain_epoch_equals_the_in_memory_reference() {
	new_test_ext(vec![1, 3]).execute_with(|| {
		for peer in 1..=7 {
			register(peer);
		}
		for (provider, consumer, units) in [
			(2, 1, 100),
			(1, 2, 50),
			(1, 3, 30),
			(2, 3, 70),
			(3, 4, 10),
			(4, 1, 5),
			(2, 5, 1),
			(6, 7, 400),
		] {
			serve(provider, consumer, units);
		}
		let epoch = run_epoch();
		let published = Published::<Test>::get().unwrap();
		let parameters = Parameters::<Test>::get();
		let pretrusted: Vec<u32> =
			[1, 3].iter().map(|p| Reputations::<Test>::get(p).unwrap().index).collect();
		let reference = maths::reference::eigentrust(
			published.peers as usize,
			&edges(),
			&pretrusted,
			parameters.damping.perbill(),
			parameters.max_iterations,
			FixedU128::from_perbill(parameters.tolerance.perbill()),
		);
		assert_eq!(published.iterations, reference.iterations);
		assert_eq!(published.residual, reference.residual);
		for peer in 1..=7u64 {
			let index = Reputations::<Test>::get(peer).unwrap().index;
			assert_eq!(
				Reputation::global_trust_of(&peer),
				Some((reference.trust[index as usize], epoch)),
				"peer {peer}"
			);
		}
		assert!(events().contains(&Event::EpochPublished {
			epoch,
			peers: 7,
			iterations: reference.iterations,
			residual: reference.residual,
		}));
		check_invariants();
	});
}

#[test]
fn slicing_the_epoch_over_many_small_blocks_gives_the_same_result() {
	let graph = |budget: Option<Weight>| {
		new_test_ext(vec![1]).execute_with(|| {
			for peer in 1..=12 {
				register(peer);
			}
			for consumer in 1..=12u64 {
				for step in 1..=3u64 {
					serve(1 + (consumer + step * 5) % 12, consumer, (consumer * step * 37) as u128);
				}
			}
			let mut blocks = 0;
			while Published::<Test>::get().is_none()
				|| !matches!(Epoch::<Test>::get(), Some(EpochState::Idle { .. }))
			{
				System::set_block_number(now() + 1);
				Reputation::on_idle(now(), budget.unwrap_or(Weight::MAX));
				blocks += 1;
				assert!(blocks < 1_000_000);
			}
			let trust: Vec<_> = (1..=12u64).map(|p| Reputation::global_trust_of(&p)).collect();
			(trust, blocks)
		})
	};
	let (whole, few_blocks) = graph(None);
	// Just enough for the base cost and one worst-case spread step per block.
	let small = one_spread_step();
	let (sliced, many_blocks) = graph(Some(small));
	assert_eq!(whole, sliced);
	assert!(many_blocks > few_blocks * 10, "{many_blocks} vs {few_blocks}");
}

#[test]
fn a_consumer_is_charged_for_the_edges_it_has_not_the_most_it_could_have() {
	// A block with room for three worst-case spread steps, and more one-edge consumers than
	// it could spread at their worst case.
	let worst =
		<() as WeightInfo>::spread(MAX_PARTNERS).saturating_add(Reputation::spread_page_traffic());
	let budget = <() as WeightInfo>::on_idle_base().saturating_add(worst.saturating_mul(3));
	let peers = budget.ref_time() / <() as WeightInfo>::spread_without_trust().ref_time() + 10;
	new_test_ext(vec![1]).execute_with(|| {
		for peer in 1..=peers {
			register(peer);
		}
		// Every consumer has a single provider.
		for consumer in 1..=peers {
			serve(consumer % peers + 1, consumer, 100);
		}
		// Start the epoch and compact its members, no more: blocks with room for one start or
		// compaction step, which is less than a spread step's worst case.
		System::set_block_number(10);
		let one_step = <() as WeightInfo>::on_idle_base().saturating_add(
			<() as WeightInfo>::start_epoch(<Test as crate::Config>::MaxPreTrusted::get())
				.max(<() as WeightInfo>::compact().saturating_add(Reputation::page_traffic(2, 1))),
		);
		assert!(!one_step.all_gte(worst), "a compaction block has no room to spread");
		let spreading = || {
			matches!(
				Epoch::<Test>::get(),
				Some(EpochState::Running(EpochRun { phase: EpochPhase::Spread { .. }, .. }))
			)
		};
		for _ in 0..=peers + 1 {
			if spreading() {
				break;
			}
			Reputation::on_idle(now(), one_step);
		}
		assert!(matches!(
			Epoch::<Test>::get(),
			Some(EpochState::Running(EpochRun { phase: EpochPhase::Spread { next: 0 }, .. }))
		));
		// The block spreads more than three one-edge consumers: each is charged for its edge
		// (a step runs while a worst case still fits).
		let used = Reputation::on_idle(now(), budget);
		let Some(EpochState::Running(run)) = Epoch::<Test>::get() else { panic!("running") };
		let EpochPhase::Spread { next } = run.phase else { panic!("spreading") };
		assert!(next > 3, "only {next} consumers spread");
		// In the first iteration only the founder (slot 0) has trust to pass on, over its one
		// edge, loading and changing one page of the running iterate; the others visit none.
		// The member pages of the slots it walked are loaded once each.
		let member_pages = (next - 1) / crate::MEMBER_PAGE_SIZE + 1;
		let expected = <() as WeightInfo>::on_idle_base()
			.saturating_add(<() as WeightInfo>::spread(1))
			.saturating_add(Reputation::page_traffic(1 + member_pages, 1))
			.saturating_add(
				<() as WeightInfo>::spread_without_trust().saturating_mul((next - 1).into()),
			);
		assert_eq!(used, expected);
		assert!(budget.all_gte(used));
	});
}

#[test]
fn readers_see_only_completed_epochs() {
	new_test_ext(vec![1]).execute_with(|| {
		for peer in 1..=4 {
			register(peer);
		}
		serve(2, 1, 100);
		serve(3, 2, 100);
		let first = run_epoch();
		let before: Vec<_> = (1..=4u64).map(|p| Reputation::global_trust_of(&p)).collect();
		// Change the graph, then run the next epoch one step per block.
		serve(4, 1, 10_000);
		let one_step = one_spread_step();
		let mut saw_running = false;
		while Published::<Test>::get().unwrap().epoch == first {
			System::set_block_number(now() + 1);
			Reputation::on_idle(now(), one_step);
			if matches!(Epoch::<Test>::get(), Some(EpochState::Running(_)))
				&& Published::<Test>::get().unwrap().epoch == first
			{
				saw_running = true;
				let during: Vec<_> = (1..=4u64).map(|p| Reputation::global_trust_of(&p)).collect();
				assert_eq!(during, before, "a half-computed epoch leaked to readers");
			}
		}
		assert!(saw_running);
		assert!(trust(4) > 0.0, "the new epoch sees peer 4's service");
		check_invariants();
	});
}

#[test]
fn on_idle_never_uses_more_than_it_is_given_or_its_share_of_the_block() {
	new_test_ext(vec![1]).execute_with(|| {
		for peer in 1..=30 {
			register(peer);
		}
		for consumer in 1..=30u64 {
			for provider in 1..=30u64 {
				if provider != consumer && (provider * consumer) % 3 == 0 {
					serve(provider, consumer, (provider + consumer) as u128);
				}
			}
		}
		let budget = Reputation::epoch_budget(&Parameters::<Test>::get());
		let mut seed = 7u64;
		let mut published = 0;
		for _ in 0..20_000 {
			seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
			let remaining = Weight::from_parts(seed >> 28, (seed >> 8) % (1 << 20));
			System::set_block_number(now() + 1);
			let used = Reputation::on_idle(now(), remaining);
			assert!(remaining.all_gte(used), "used {used:?} of {remaining:?}");
			assert!(budget.all_gte(used), "used {used:?} over the budget {budget:?}");
			published = Published::<Test>::get().map_or(0, |p| p.epoch + 1);
		}
		assert!(published > 0, "the epoch still completes with random budgets");
		System::set_block_number(now() + 1);
		assert_eq!(Reputation::on_idle(now(), Weight::zero()), Weight::zero());
		check_invariants();
	});
}

/// 16 honest peers (1 and 2 pre-trusted) serve each other; the attacker 100 serves honest peers
/// 1..=4 for real, and creates Sybils 101..=108 that report huge service among themselves and
/// with it.
fn sybil_world(fake_units: u128) {
	for peer in (1..=16).chain(100..=108) {
		register(peer);
	}
	for consumer in 1..=16u64 {
		for provider in 1..=16u64 {
			if provider != consumer && (provider + consumer) % 4 != 0 {
				serve(provider, consumer, 1_000);
			}
		}
	}
	for consumer in 1..=4 {
		serve(100, consumer, 1_000);
	}
	for a in 100..=108u64 {
		for b in 100..=108u64 {
			if a != b {
				serve(a, b, fake_units);
			}
		}
	}
}

#[test]
fn sybils_gain_no_more_global_trust_than_honest_peers_gave_them() {
	for fake_units in [10u128, 1_000, 1_000_000_000] {
		new_test_ext(vec![1, 2]).execute_with(|| {
			sybil_world(fake_units);
			for _ in 0..3 {
				run_epoch();
			}
			let index = |peer: u64| Reputations::<Test>::get(peer).unwrap().index;
			let attacker: Vec<u32> = (100..=108).map(index).collect();
			let region: f64 = (100..=108).map(trust).sum();
			// What honest peers gave the attacker's identities: their trust times the share of
			// their consumption those identities served them.
			let mut gave = 0f64;
			for honest in 1..=16u64 {
				let local = LocalTrustOf::<Test>::get(index(honest)).unwrap();
				let total: u128 = local.providers.iter().map(|(_, u)| u).sum();
				let to_attacker: u128 = local
					.providers
					.iter()
					.filter(|(p, _)| attacker.contains(p))
					.map(|(_, u)| u)
					.sum();
				gave += trust(honest) * to_attacker as f64 / total as f64;
			}
			assert!(gave > 0.0);
			assert!(
				region <= gave * (1.0 + 1e-9),
				"fake {fake_units}: the attacker holds {region}, honest peers gave it {gave}"
			);
			// And the attacker's identities hold no more admission credit than their allowances
			// plus what honest peers received from them, however much they report serving each
			// other.
			let allowance = Reputation::stranger_allowance();
			let credit: u128 = (100..=108u64).map(|s| Reputation::admission_credit_of(&s)).sum();
			assert!(credit <= 9 * allowance + 4 * 1_000, "{credit}");
		});
	}
}

/// The finding of the issue this model answers: a fresh identity "serving" 10¹⁵ units to a
/// peer with a little trust became Admitted at once. Now a consumer vouches only out of its own
/// credit.
#[test]
fn a_consumer_vouches_only_out_of_its_credit() {
	new_test_ext(vec![1]).execute_with(|| {
		for peer in [1, 2, 3, 50, 51] {
			register(peer);
		}
		serve(2, 1, 1_000);
		serve(3, 1, 1_000);
		serve(51, 2, 5);
		run_epoch();
		assert!(trust(51) > 0.0, "51 earned a little trust by serving 2");
		// 50 "serves" 51 a quadrillion units: it earns 51's credit (its allowance and the few
		// units it earned), no more.
		let allowance = Reputation::stranger_allowance();
		let credit = Reputation::admission_credit_of(&51);
		assert!((allowance..allowance + 5).contains(&credit), "{credit}");
		serve(50, 51, 1_000_000_000_000_000);
		assert_eq!(Reputation::reputation_of(&50).unwrap().service, credit);
		assert_eq!(Reputation::admission_credit_of(&51), 0);
		assert_eq!(admission(51), Admission::Denied(DenialReason::StrangerAllowanceExhausted));
		// 50 has its allowance and 51's credit: not the quadrillion.
		assert_eq!(Reputation::admission_credit_of(&50), allowance + credit);
		// Again: 51 has nothing left to vouch with.
		serve(50, 51, 1_000_000_000_000_000);
		assert_eq!(Reputation::reputation_of(&50).unwrap().service, credit);
		// Serving a consumer with credit counts in full, whoever it is.
		let before = Reputation::reputation_of(&2).unwrap().service;
		serve(2, 3, 1_000);
		assert_eq!(Reputation::reputation_of(&2).unwrap().service, before + 1_000);
		check_invariants();
	});
}

/// Credit is never lost to an honest overshoot: what a consumer took beyond its credit it owes
/// the provider, and repays out of what it earns while it is in deficit.
#[test]
fn what_a_consumer_could_not_vouch_for_it_owes_and_repays_when_it_earns() {
	// 3 is a founder: what it vouches for 2 graduates 2, which gives 2 its whole allowance back.
	new_test_ext(vec![3]).execute_with(|| {
		for peer in [1, 2, 3] {
			register(peer);
		}
		let allowance = Reputation::stranger_allowance();
		// 2 takes 1,000 more than its credit from 1: it vouches for its allowance, owes the rest.
		serve(1, 2, allowance + 1_000);
		assert_eq!(Reputation::reputation_of(&1).unwrap().service, allowance);
		let index = |p: u64| Reputations::<Test>::get(p).unwrap().index;
		let debts = DebtsOf::<Test>::get(index(2)).unwrap();
		assert_eq!(debts.creditors.into_inner(), vec![(index(1), 1_000)]);
		assert!(!admission(2).allows_service());
		// 2 serves 3 1,500: the first 1,000 of it cover 2's deficit and go to 1.
		serve(2, 3, 1_500);
		assert_eq!(Reputation::reputation_of(&1).unwrap().service, allowance + 1_000);
		assert!(DebtsOf::<Test>::get(index(2)).is_none(), "paid off");
		assert_eq!(Reputation::admission_credit_of(&2), 500);
		assert!(admission(2).allows_service());
		check_invariants();
	});
}

/// `submit_receipts` refunds what the hook says it did not use, so the hook must never say
/// less than it took: a receipt that lets the provider repay its creditors says the worst
/// case's benchmark (a debt added, two creditors repaid), one that only leaves a debt the
/// cheaper `on_receipt_recorded_owing`, each less the debts' and creditors' storage it did not
/// touch; only one its consumer's credit covers, with no deficit on the provider's side, says
/// the cheapest, `on_receipt_recorded_vouched`.
#[test]
fn a_receipt_that_touches_debts_is_charged_the_debt_storage_it_touched() {
	new_test_ext(vec![4]).execute_with(|| {
		for peer in [1, 2, 3] {
			register(peer);
		}
		// 1 graduates in front of the founder, 4, with enough witnessed service to stay
		// graduated as it decays: an admitted peer witnesses 2's outcome below.
		serve(1, 4, 1_500);
		assert_eq!(admission(1), Admission::Admitted);
		let (vouched, owing, worst) = (
			<() as crate::WeightInfo>::on_receipt_recorded_vouched(),
			<() as crate::WeightInfo>::on_receipt_recorded_owing(),
			<() as crate::WeightInfo>::on_receipt_recorded(),
		);
		assert!(vouched.all_lte(owing) && owing.all_lte(worst));
		// The computation too, not only the storage: adding a debt is measured apart from
		// repaying creditors (the `()` weights count their database accesses at ParityDB's
		// reference weights).
		let compute = |weight: Weight, reads, writes| {
			let db = frame_support::weights::constants::ParityDbWeight::get();
			weight.ref_time() - db.reads_writes(reads, writes).ref_time()
		};
		assert!(compute(owing, 7, 4) < compute(worst, 12, 7));
		let db = <Test as frame_system::Config>::DbWeight::get();
		let allowance = Reputation::stranger_allowance();
		// One receipt per block, so that no item is already in the block's overlay.
		next_block();
		assert_eq!(serve(1, 2, 1_000), hook_charge(vouched, 0), "2's credit covers it");
		next_block();
		// 2's debts read and written; no creditor repaid (1 has no deficit): the owing path.
		assert_eq!(
			serve(1, 2, allowance),
			hook_charge_counting_a_newcomer(owing, 0),
			"2 owes 1 what its credit did not cover, and exhausts its allowance with 1 admitted"
		);
		assert_eq!(Strangers::<Test>::get().defected, 1);
		assert!(DebtsOf::<Test>::get(Reputations::<Test>::get(2).unwrap().index).is_some());
		next_block();
		// 3 vouches for all of it (no debt added); 2's debts read and removed, one creditor's
		// account read and record read and written: one creditor fewer than the most.
		assert_eq!(
			serve(2, 3, 1_500),
			hook_charge(worst, 0) - db.reads_writes(3, 2),
			"2 repays 1 out of what it earns"
		);
		next_block();
		assert_eq!(serve(3, 1, 10), hook_charge(vouched, 0));
		// Each debt path's benchmark counts exactly what it adds to the vouched one.
		use crate::credit::Settlement;
		for (settlement, counted) in [
			(Settlement::Vouched, (0, 0)),
			(Settlement::Owing, (1, 1)),
			(Settlement::Repaying, (6, 4)),
		] {
			let storage = settlement.debt_storage_counted();
			assert_eq!((storage.reads, storage.writes), counted, "{settlement:?}");
		}
	});
}

/// A receipt whose debts an earlier receipt of the same block wrote finds them in the block's
/// overlay, as it does a creditor's record: it is charged neither's database access. In a new
/// block the debts are read from and written to the database again.
#[test]
fn debts_already_written_in_the_block_are_not_charged_again() {
	new_test_ext(vec![]).execute_with(|| {
		for peer in [1, 2, 3, 4] {
			register(peer);
		}
		let owing = <() as crate::WeightInfo>::on_receipt_recorded_owing();
		let worst = <() as crate::WeightInfo>::on_receipt_recorded();
		let db = <Test as frame_system::Config>::DbWeight::get();
		let allowance = Reputation::stranger_allowance();
		next_block();
		// 2 overdraws from 1 (counting its way out of probation), then from 3: its debts were
		// written by the first receipt, so the second reads and writes them in the overlay, as
		// it does 2's record (the first receipt wrote it).
		serve(1, 2, allowance + 1_000);
		assert_eq!(
			serve(3, 2, 1_000),
			hook_charge(owing, 2) - db.reads_writes(1, 1),
			"2's record, local trust and debts were written earlier in the block"
		);
		let index = |p: u64| Reputations::<Test>::get(p).unwrap().index;
		assert_eq!(DebtsOf::<Test>::get(index(2)).unwrap().creditors.len(), 2);
		// 2 earns in the same block: its debts, and both creditors' records (1 and 3 each wrote
		// theirs as providers), are in the overlay; only the creditors' accounts are read.
		assert_eq!(
			serve(2, 4, 1_500),
			hook_charge(worst, 1) - db.reads_writes(4, 4),
			"two creditors repaid from the overlay"
		);
		// In a new block 2, still in deficit, overdraws from 3 again: its debts are read from
		// and written to the database.
		next_block();
		assert_eq!(serve(3, 2, 1_000), hook_charge(owing, 0), "a new block starts cold");
		check_invariants();
	});
}

/// What the hook says a receipt took, from its `benchmarked` settlement, with `warm` items
/// already written in the block, counting no newcomer's outcome: the batch-shared reads and the
/// warm items' reads and writes are not charged, nor the vouched benchmark's write of the
/// stranger policy.
fn hook_charge(benchmarked: Weight, warm: u64) -> Weight {
	let db = <Test as frame_system::Config>::DbWeight::get();
	let vouched = benchmarked == <() as crate::WeightInfo>::on_receipt_recorded_vouched();
	benchmarked
		.saturating_sub(db.reads(3))
		.saturating_sub(db.reads_writes(warm, warm))
		.saturating_sub(db.writes(vouched.into()))
}

/// [`hook_charge`] of a receipt that counted a newcomer's outcome: the stranger policy's write
/// is charged, also where the benchmark of debts does not count it.
fn hook_charge_counting_a_newcomer(benchmarked: Weight, warm: u64) -> Weight {
	let db = <Test as frame_system::Config>::DbWeight::get();
	hook_charge(benchmarked, warm).saturating_add(db.writes(1))
}

/// A record or local trust already written in this block is read from and written to the
/// block's overlay: the hook does not charge its database read and write again. Items last
/// written in an earlier block, or never, are charged in full; so is everything in a new block.
#[test]
fn items_already_written_in_the_block_are_not_charged_again() {
	new_test_ext(vec![]).execute_with(|| {
		for peer in [1, 2, 3, 4] {
			register(peer);
		}
		let vouched = <() as crate::WeightInfo>::on_receipt_recorded_vouched();
		// Registering wrote 1's and 2's records in this block; 2 has no local trust yet.
		assert_eq!(serve(1, 2, 10), hook_charge(vouched, 2));
		next_block();
		assert_eq!(serve(1, 2, 10), hook_charge(vouched, 0), "a new block starts cold");
		assert_eq!(serve(1, 2, 10), hook_charge(vouched, 3), "both records and 2's local trust");
		assert_eq!(serve(3, 2, 10), hook_charge(vouched, 2), "2's record and local trust");
		assert_eq!(serve(2, 4, 10), hook_charge(vouched, 1), "2's record only");
		assert_eq!(serve(4, 3, 10), hook_charge(vouched, 2), "4's and 3's records");
		next_block();
		assert_eq!(serve(4, 3, 10), hook_charge(vouched, 0));
		// The most a receipt may say covers every settlement, a stranger-policy write included.
		let most = <Reputation as OnReceiptRecorded<AccountId, u64>>::weight();
		assert!(<() as crate::WeightInfo>::on_receipt_recorded().ref_time() < most.ref_time());
	});
}

/// A debt is repaid out of the debtor's deficit, never out of credit it has: a peer whose
/// deficit has decayed away keeps what it earns.
#[test]
fn debts_decay_with_usage_and_are_repaid_only_from_a_deficit() {
	new_test_ext(vec![]).execute_with(|| {
		for peer in [1, 2, 3] {
			register(peer);
		}
		let allowance = Reputation::stranger_allowance();
		serve(1, 2, allowance + 1_000);
		let index = |p: u64| Reputations::<Test>::get(p).unwrap().index;
		// Five usage half-lives later 2 is back within the minimum allowance it has since it
		// exhausted its own (3,000 → 93), and owes a thirty-second.
		System::set_block_number(now() + 500);
		assert!(Reputation::admission_for(&2, None).allows_service());
		let before = Reputation::reputation_of(&1).unwrap().service;
		serve(2, 3, 100);
		assert_eq!(Reputation::reputation_of(&1).unwrap().service, before, "nothing repaid");
		// The claim decays lazily: stored as of block 1, worth a thirty-second now.
		let debts = DebtsOf::<Test>::get(index(2)).unwrap();
		assert_eq!(debts.creditors[0].1, 1_000);
		assert_eq!(maths::decay(1_000, (now() - debts.updated_at) as u32, 100), 31);
		check_invariants();
	});
}

/// The boot window: before any epoch and without founders, two fresh keys used to mint
/// unlimited credit. Now they can only pass their allowances to each other.
#[test]
fn two_fresh_identities_cannot_mint_credit_at_genesis() {
	new_test_ext(vec![]).execute_with(|| {
		register(1);
		register(2);
		let allowance = Reputation::stranger_allowance();
		for _ in 0..10 {
			serve(1, 2, 1_000_000_000);
			serve(2, 1, 1_000_000_000);
		}
		let total = Reputation::admission_credit_of(&1) + Reputation::admission_credit_of(&2);
		assert!(total <= 2 * allowance, "{total}");
		assert!(!Reputation::admission_for(&1, None).allows_service());
		assert!(!Reputation::admission_for(&2, None).allows_service());
	});
}

/// Usage forgotten faster than service would let a pair mint credit by serving each other
/// and waiting: governance cannot set it.
#[test]
fn usage_is_never_forgotten_faster_than_service() {
	new_test_ext(vec![]).execute_with(|| {
		let mut parameters = Parameters::<Test>::get();
		parameters.usage_half_life = parameters.service_half_life - 1;
		assert_noop!(
			Reputation::set_parameters(RuntimeOrigin::root(), parameters),
			Error::<Test>::InvalidParameter(ParameterError::UsageHalfLife)
		);
	});
}

#[test]
fn colluders_serving_each_other_gain_nothing_in_an_honest_viewers_eyes() {
	new_test_ext(vec![]).execute_with(|| {
		let (viewer, partner, friend_of_partner, colluder_a, colluder_b) = (1, 2, 3, 10, 11);
		for peer in [viewer, partner, friend_of_partner, colluder_a, colluder_b] {
			register(peer);
		}
		serve(partner, viewer, 500);
		serve(friend_of_partner, partner, 300);
		serve(friend_of_partner, viewer, 100);
		serve(colluder_a, colluder_b, 1_000_000_000);
		serve(colluder_b, colluder_a, 1_000_000_000);
		// A colluder also took from the viewer.
		serve(viewer, colluder_a, 200);

		let colluder = Reputation::subjective_trust(&viewer, &colluder_a);
		assert_eq!(colluder.flow_to_viewer, 0, "their mutual service never reaches the viewer");
		assert_eq!(colluder.flow_from_viewer, 200);
		assert!(colluder.score_ppb < 0);
		// B took what the viewer gave A, through A: it gains nothing either.
		let other = Reputation::subjective_trust(&viewer, &colluder_b);
		assert_eq!(other.flow_to_viewer, 0);
		assert!(other.score_ppb <= 0);

		// Direct 100, plus min(300, 500) through the partner.
		let friend = Reputation::subjective_trust(&viewer, &friend_of_partner);
		assert_eq!(friend.flow_to_viewer, 400);
		assert_eq!(friend.score_ppb, maths::subjective_score(400, 0, 1_000));
		assert!(Reputation::subjective_trust(&viewer, &partner).score_ppb > 0);
		// Unknown peers and oneself have no flow.
		assert_eq!(Reputation::subjective_trust(&viewer, &99), SubjectiveTrust::default());
		assert_eq!(Reputation::subjective_trust(&viewer, &viewer).score_ppb, 0);
	});
}

#[test]
fn subjective_trust_looks_at_a_bounded_number_of_neighbours() {
	new_test_ext(vec![]).execute_with(|| {
		let (viewer, target) = (1, 2);
		register(viewer);
		register(target);
		// Intermediaries 10.. each served the viewer (more for lower numbers) and were served
		// by the target.
		for i in 0..MAX_PARTNERS as u64 {
			register(10 + i);
			serve(10 + i, viewer, 1_000 - i as u128);
			serve(target, 10 + i, 50);
		}
		let all = Reputation::subjective_trust(&viewer, &target).flow_to_viewer;
		assert_eq!(all, 50 * MAX_PARTNERS as u128);
		let mut parameters = Parameters::<Test>::get();
		parameters.subjective_neighbours = 3;
		assert_ok!(Reputation::set_parameters(RuntimeOrigin::root(), parameters));
		assert_eq!(Reputation::subjective_trust(&viewer, &target).flow_to_viewer, 150);
	});
}

/// `peer`'s admission from `viewer`'s point of view, computed peer by peer as it was before
/// batches shared the viewer's side: both flows read through the general two-hop routine.
fn admission_peer_by_peer(peer: AccountId, viewer: AccountId) -> Admission {
	let global = Reputation::admission_for(&peer, None);
	let Some(record) = Reputation::reputation_of(&peer) else { return global };
	let Some(seen_by) = Reputations::<Test>::get(viewer) else { return global };
	if record.standing != Standing::Registered || !global.allows_service() {
		return global;
	}
	let parameters = Parameters::<Test>::get();
	let taken = Reputation::two_hop_flow(seen_by.index, record.index, now(), &parameters);
	let given = Reputation::two_hop_flow(record.index, seen_by.index, now(), &parameters);
	let allowance = admission::allowance_of(&record, Reputation::stranger_allowance(), &parameters);
	if taken.saturating_sub(given) > allowance {
		Admission::Denied(DenialReason::UsageExceedsService)
	} else {
		global
	}
}

proptest::proptest! {
	#![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]
	// A viewer's batch (read once: its local trust and its largest providers') decides every
	// peer as the peer asked about alone would be, and as both flows read peer by peer decide
	// it, on random service graphs, bounds on intermediaries and ages.
	#[test]
	fn a_viewer_s_batch_decides_each_peer_as_it_would_alone(
		edges in proptest::collection::vec((1u64..=20, 1u64..=20, 1u128..1_500), 0..240),
		neighbours in 1u32..=6,
		viewer in 1u64..=21,
		later in 0u64..300,
	) {
		new_test_ext(vec![]).execute_with(|| -> Result<(), proptest::test_runner::TestCaseError> {
			for peer in 1..=20 {
				register(peer);
			}
			for (provider, consumer, units) in edges {
				if provider != consumer {
					serve(provider, consumer, units);
				}
			}
			let mut parameters = Parameters::<Test>::get();
			parameters.subjective_neighbours = neighbours;
			Parameters::<Test>::put(parameters);
			System::set_block_number(now() + later);
			// 21 and 22 never registered.
			let peers: Vec<AccountId> = (1..=22).collect();
			let batch = Reputation::admissions_for(&peers, Some(&viewer));
			proptest::prop_assert_eq!(batch.len(), peers.len());
			for (&peer, &decided) in peers.iter().zip(&batch) {
				proptest::prop_assert_eq!(decided, admission_peer_by_peer(peer, viewer), "peer {}", peer);
				proptest::prop_assert_eq!(decided, Reputation::admission_for(&peer, Some(&viewer)));
				let (Some(seen_by), Some(record)) =
					(Reputations::<Test>::get(viewer), Reputations::<Test>::get(peer))
				else {
					continue;
				};
				let parameters = Parameters::<Test>::get();
				let seen = Reputation::subjective_trust(&viewer, &peer);
				proptest::prop_assert_eq!(
					seen.flow_to_viewer,
					Reputation::two_hop_flow(record.index, seen_by.index, now(), &parameters)
				);
				proptest::prop_assert_eq!(
					seen.flow_from_viewer,
					Reputation::two_hop_flow(seen_by.index, record.index, now(), &parameters)
				);
			}
			Ok(())
		})?;
	}
}

#[test]
fn a_newcomer_is_on_probation_then_denied_then_readmitted() {
	new_test_ext(vec![]).execute_with(|| {
		register(1);
		register(2);
		assert_eq!(admission(2), Admission::Probation);
		let allowance = Reputation::stranger_allowance();
		assert_eq!(allowance, 2_000, "the genesis allowance is the maximum");
		serve(1, 2, allowance);
		assert_eq!(admission(2), Admission::Probation);
		serve(1, 2, 1);
		let exhausted = Admission::Denied(DenialReason::StrangerAllowanceExhausted);
		assert_eq!(admission(2), exhausted);
		assert!(events().contains(&Event::AdmissionChanged {
			peer: 2,
			old: Admission::Probation,
			new: exhausted
		}));
		// It exhausted its allowance, so it has only the minimum (100) until it graduates; its
		// usage decays: after five half-lives (2,001 → 62) it is back within it.
		System::set_block_number(now() + 100);
		assert_eq!(Reputation::admission_for(&2, None), exhausted, "the allowance does not return");
		System::set_block_number(now() + 400);
		assert_eq!(Reputation::admission_for(&2, None), Admission::Probation);
		assert_ok!(Reputation::refresh_admission(RuntimeOrigin::signed(9), 2));
		assert_eq!(admission(2), Admission::Probation);
		assert_noop!(
			Reputation::refresh_admission(RuntimeOrigin::signed(9), 77),
			Error::<Test>::UnknownPeer
		);
		check_invariants();
	});
}

/// A free rider used to regain the whole allowance as its usage decayed, and every rise of
/// the allowance re-admitted it at once: its best strategy, consuming all it may at every block,
/// took `allowance · ln 2` per half-life for ever (the simulation's free riders got a third of
/// an honest peer's service). Once it has exhausted its allowance it has only the minimum until
/// it graduates.
#[test]
fn a_free_rider_lives_on_the_minimum_allowance_once_it_exhausted_its_own() {
	// 3, a founder, witnesses the service that graduates 2 at the end.
	new_test_ext(vec![3]).execute_with(|| {
		register(1);
		register(2);
		let (allowance, min) = (2_000u128, 100u128);
		assert_eq!(Reputation::stranger_allowance(), allowance);
		assert_eq!(Reputation::stranger_allowance_of(&2), allowance, "a stranger has it all");
		// Twenty half-lives of taking everything the chain allows, block by block.
		let mut taken = 0u128;
		for _ in 0..2_000 {
			let credit = Reputation::admission_credit_of(&2);
			if credit > 0 {
				serve(1, 2, credit);
				taken += credit;
			}
			// One more unit than it may: it is denied, and it exhausted its allowance.
			serve(1, 2, 1);
			taken += 1;
			System::set_block_number(now() + 1);
		}
		assert!(Reputations::<Test>::get(2).unwrap().exhausted_allowance);
		assert_eq!(Reputation::stranger_allowance_of(&2), min);
		// The steady state is `min · ln 2` per half-life (about 14 · min over twenty), plus the
		// one unit a block it overdraws; with the whole allowance it was about 14 · allowance.
		let bound = allowance + 15 * min + 2_000;
		assert!(taken <= bound, "took {taken}, more than {bound}");

		// When it stops taking, its usage decays and it is served again, within the minimum.
		System::set_block_number(now() + 1_000);
		assert_ok!(Reputation::refresh_admission(RuntimeOrigin::signed(9), 2));
		assert_eq!(admission(2), Admission::Probation, "usage decayed below the minimum");
		assert_eq!(
			Reputation::admission_credit_of(&2),
			min - Reputation::reputation_of(&2).unwrap().usage
		);
		// Serving others until it graduates gives it the whole allowance back.
		serve(2, 3, 1_000);
		assert_eq!(Reputation::stranger_allowance_of(&2), allowance);
		assert_eq!(admission(2), Admission::Admitted);
		check_invariants();
	});
}

#[test]
fn serving_graduates_a_peer_and_overconsuming_denies_it_until_it_serves_again() {
	new_test_ext(vec![2]).execute_with(|| {
		for peer in 1..=3 {
			register(peer);
		}
		serve(1, 2, 1_000);
		assert_eq!(admission(1), Admission::Admitted, "1,000 of service a founder witnessed");
		// Usage up to its service plus the allowance (2,000) is fine.
		serve(2, 1, 3_000);
		assert_eq!(admission(1), Admission::Admitted);
		serve(3, 1, 1);
		assert_eq!(admission(1), Admission::Denied(DenialReason::UsageExceedsService));
		serve(1, 3, 10);
		assert_eq!(admission(1), Admission::Admitted, "serving others readmits it");
		// Banned peers are denied whatever their reputation.
		<Reputation as PeerLifecycle<AccountId>>::on_banned(&1);
		assert_eq!(admission(1), Admission::Denied(DenialReason::Banned));
		serve(1, 3, 1_000_000);
		assert_eq!(admission(1), Admission::Denied(DenialReason::Banned));
		<Reputation as PeerLifecycle<AccountId>>::on_unregistered(&3);
		assert_eq!(admission(3), Admission::Denied(DenialReason::NotRegistered));
		<Reputation as PeerLifecycle<AccountId>>::on_registered(&3);
		assert_ne!(admission(3), Admission::Denied(DenialReason::NotRegistered));
	});
}

#[test]
fn the_epoch_review_readmits_peers_whose_usage_decayed() {
	new_test_ext(vec![1]).execute_with(|| {
		register(1);
		register(2);
		serve(1, 2, 5_000);
		let exhausted = Admission::Denied(DenialReason::StrangerAllowanceExhausted);
		assert_eq!(admission(2), exhausted);
		// Six half-lives: 5,000 → 78, within the minimum allowance it now has.
		System::set_block_number(now() + 600);
		run_epoch();
		assert_eq!(admission(2), Admission::Probation, "the review decided again");
	});
}

#[test]
fn the_stranger_allowance_shrinks_when_newcomers_take_and_grows_when_they_give() {
	new_test_ext(vec![1, 2]).execute_with(|| {
		register(1);
		register(2);
		serve(1, 2, 1_000);
		assert_eq!(admission(1), Admission::Admitted, "1 is an established peer");
		// Nine newcomers take more than their allowance from it; one gives back first.
		for newcomer in 10..19 {
			register(newcomer);
			serve(1, newcomer, 2_001);
		}
		register(19);
		serve(19, 1, 1_000);
		assert_eq!(admission(19), Admission::Admitted);
		serve(1, 19, 3_001);
		assert_eq!(admission(19), Admission::Denied(DenialReason::UsageExceedsService));
		// 19 graduated and 10..19 defected, in front of an admitted peer, and 1 graduated in
		// front of a founder; 19's later overuse is not a newcomer's outcome.
		assert_eq!(
			(Strangers::<Test>::get().reciprocated, Strangers::<Test>::get().defected),
			(2, 9)
		);
		run_epoch();
		let expected = 100 + Perbill::from_rational(2u32, 11).mul_floor(1_900u128);
		assert_eq!(Strangers::<Test>::get().allowance, expected);
		assert!(events().contains(&Event::StrangerAllowanceAdjusted {
			old: 2_000,
			new: expected,
			reciprocated: 2,
			defected: 9
		}));
		assert_eq!(Strangers::<Test>::get().defected, 4, "counts halve every epoch");
		// The allowance in force applies to everyone, newcomers and old peers alike.
		register(30);
		assert_eq!(Reputation::stranger_allowance(), expected);
		assert_eq!(Reputation::admission_credit_of(&30), expected);

		// Now newcomers reciprocate.
		for newcomer in 40..60 {
			register(newcomer);
			serve(newcomer, 1, 1_000);
		}
		run_epoch();
		assert!(Strangers::<Test>::get().allowance > 1_500, "{:?}", Strangers::<Test>::get());
		assert!(Strangers::<Test>::get().allowance <= 2_000);
	});
}

/// The stranger policy remembers for `stranger_memory` blocks, however short epochs are. It
/// used to halve its counts at every epoch, so with epochs of two blocks (twelve seconds) it
/// forgot a wave of defections within a minute, and one graduation afterwards raised the
/// allowance to its maximum for the next wave of fresh identities.
#[test]
fn the_stranger_policy_remembers_for_blocks_however_short_epochs_are() {
	new_test_ext(vec![1, 2]).execute_with(|| {
		let parameters =
			ReputationParameters { epoch_length: 2, stranger_memory: 200, ..test_parameters() };
		assert_ok!(Reputation::set_parameters(RuntimeOrigin::root(), parameters));
		register(1);
		register(2);
		serve(1, 2, 1_000);
		assert_eq!(admission(1), Admission::Admitted);
		// Eight whitewashers' identities take more than their allowance and are denied...
		for newcomer in 10..18 {
			register(newcomer);
			serve(1, newcomer, 2_001);
		}
		assert_eq!(Strangers::<Test>::get().defected, 8);
		// ... and twenty-five short epochs later, an honest newcomer graduates.
		for _ in 0..25 {
			run_epoch();
		}
		assert!(now() < 200, "still within the first memory period");
		assert_eq!(Strangers::<Test>::get().defected, 8, "nothing forgotten yet");
		register(19);
		serve(19, 1, 1_000);
		assert_eq!(admission(19), Admission::Admitted);
		run_epoch();
		// 1 graduated in front of the founder 2, and 19 in front of 1.
		let expected = 100 + Perbill::from_rational(2u32, 10).mul_floor(1_900u128);
		assert_eq!(Strangers::<Test>::get().allowance, expected, "eight of ten defected");
		// Three memory periods later, the wave is mostly forgotten.
		System::set_block_number(600);
		run_epoch();
		assert_eq!(Strangers::<Test>::get().defected, 1);
	});
}

/// What a whitewasher takes over `blocks` blocks with up to `keys` identities, served each block
/// by an honest provider exactly what the chain admits (its admission credit), re-keying to a
/// fresh identity (registered that block) whenever the current one's credit is below a
/// twentieth of the allowance. Half-lives of a million blocks: usage decaying back into credit
/// is another matter (a rate of `allowance · ln 2 / usage_half_life`, tested elsewhere).
fn whitewash(release: u32, keys: u64, blocks: u64) -> u128 {
	let mut taken = 0u128;
	new_test_ext(vec![1]).execute_with(|| {
		let parameters = ReputationParameters {
			stranger_release: release,
			service_half_life: 1_000_000,
			usage_half_life: 1_000_000,
			..test_parameters()
		};
		let threshold = Reputation::stranger_allowance() / 20;
		assert_ok!(Reputation::set_parameters(RuntimeOrigin::root(), parameters));
		register(1);
		let (mut key, mut used) = (1_000, 1);
		register(key);
		for _ in 0..blocks {
			System::set_block_number(now() + 1);
			let mut credit = Reputation::admission_credit_of(&key);
			if credit < threshold && used < keys {
				key += 1;
				used += 1;
				register(key);
				credit = Reputation::admission_credit_of(&key);
			}
			if credit > 0 {
				serve(1, key, credit);
				taken += credit;
			}
		}
	});
	taken
}

/// The adversary's best strategy against the stranger allowance: re-key as soon as an identity
/// is refused. Released at once (`stranger_release` zero, the chain before the release), every
/// fresh identity brings a whole allowance, so `k` identities take `k` allowances in `k`
/// blocks. Released over `R` blocks, a fresh identity starts with nothing, so a whitewasher's
/// identities, one after the other, take no more than `allowance · blocks / R` together: the
/// rate of one identity, whatever the number of keys (each of which still costs a bond, paid
/// for what it took when it leaves).
#[test]
fn re_keying_buys_no_allowance_sooner() {
	let allowance = new_test_ext(vec![]).execute_with(Reputation::stranger_allowance);
	assert_eq!(allowance, 2_000, "the test parameters' maximum, as at genesis");
	assert_eq!(whitewash(0, 8, 8), 8 * allowance, "released at once: an allowance per key");
	for release in [7u32, 50, 100, 600] {
		for keys in [1u64, 2, 8, 64] {
			for blocks in [1u64, 10, 99, 400] {
				let taken = whitewash(release, keys, blocks);
				let bound = allowance * u128::from(blocks) / u128::from(release);
				// A unit per identity for rounding, and per block for decay's rounding (usage
				// loses at least its fractional unit each block).
				let slack = u128::from(keys + blocks);
				assert!(
					taken <= bound + slack,
					"release {release}, {keys} keys, {blocks} blocks: took {taken} > {bound}"
				);
			}
		}
	}
}

/// An honest newcomer that consumes ahead of its release waits (`StrangerAllowanceNotYetReleased`):
/// it is not marked as having exhausted its allowance, not counted as defecting, and is served
/// again as more is released; once it serves enough it graduates, counted as reciprocating.
#[test]
fn a_newcomer_ahead_of_its_release_waits_and_is_not_counted_as_defecting() {
	new_test_ext(vec![1, 2]).execute_with(|| {
		let parameters = ReputationParameters { stranger_release: 100, ..test_parameters() };
		assert_ok!(Reputation::set_parameters(RuntimeOrigin::root(), parameters));
		register(1);
		register(2);
		System::set_block_number(now() + 100);
		serve(1, 2, 1_000);
		assert_eq!(admission(1), Admission::Admitted, "vouched for by the founder 2's allowance");
		assert_eq!(Strangers::<Test>::get().reciprocated, 1, "1 graduated in front of 2");
		register(7);
		System::set_block_number(now() + 10);
		assert_eq!(Reputation::admission_credit_of(&7), 200, "10 of 100 blocks: 200 of 2,000");
		serve(1, 7, 300);
		let waiting = Admission::Denied(DenialReason::StrangerAllowanceNotYetReleased);
		assert_eq!(admission(7), waiting);
		assert_eq!(Reputation::admission_for(&7, None), waiting);
		let record = Reputations::<Test>::get(7).unwrap();
		assert!(!record.exhausted_allowance);
		assert_eq!(Strangers::<Test>::get().defected, 0);
		System::set_block_number(now() + 10);
		assert_eq!(Reputation::admission_for(&7, None), Admission::Probation, "more released");
		serve(7, 1, 1_000);
		assert_eq!(admission(7), Admission::Admitted);
		assert_eq!(Strangers::<Test>::get().reciprocated, 2);
		// Taking more than its whole allowance is exhausting it, released or not.
		register(8);
		System::set_block_number(now() + 1);
		serve(1, 8, 2_001);
		assert_eq!(admission(8), Admission::Denied(DenialReason::StrangerAllowanceExhausted));
		assert_eq!(Strangers::<Test>::get().defected, 1);
	});
}

/// Two fresh keys used to graduate each other (`spec_version` 112 and before): passing their
/// stranger allowances back and forth as vouched service raised both services past
/// `graduation_service` (credit is conserved, but service is a volume), and an admitted ring
/// member then witnessed fresh identities of the ring graduating in front of it, which took the
/// adaptive allowance from its minimum to its maximum. Only service a witness vouched for (an
/// admitted peer's or a founder's) graduates a peer now.
#[test]
fn a_ring_of_fresh_identities_cannot_graduate_on_its_allowances() {
	new_test_ext(vec![1]).execute_with(|| {
		let graduation = Parameters::<Test>::get().graduation_service;
		// Newcomers have been defecting: the allowance is at its minimum.
		Strangers::<Test>::mutate(|policy| policy.allowance = 100);
		register(100);
		register(101);
		// The ring's best strategy: every unit of credit either has, vouched to the other.
		for _ in 0..20 {
			serve(100, 101, Reputation::admission_credit_of(&101));
			serve(101, 100, Reputation::admission_credit_of(&100));
		}
		for peer in [100, 101] {
			let record = Reputations::<Test>::get(peer).unwrap();
			assert_eq!(admission(peer), Admission::Probation, "{peer} graduated");
			assert!(record.service > graduation, "service {} is a volume", record.service);
			assert_eq!(record.witnessed_service, 0);
		}
		assert!(
			Reputation::admission_credit_of(&100) + Reputation::admission_credit_of(&101) <= 200,
			"while their credit is still two allowances"
		);
		// Fresh identities of the ring "graduate" in front of its members.
		for newcomer in 110..120 {
			register(newcomer);
			for _ in 0..20 {
				serve(newcomer, 100, Reputation::admission_credit_of(&100));
				serve(100, newcomer, Reputation::admission_credit_of(&newcomer));
			}
			assert_ne!(admission(newcomer), Admission::Admitted, "{newcomer} graduated");
		}
		assert_eq!(
			(Strangers::<Test>::get().reciprocated, Strangers::<Test>::get().defected),
			(0, 0)
		);
		run_epoch();
		assert_eq!(Reputation::stranger_allowance(), 100, "the allowance did not move");
		check_invariants();
	});
}

/// Service vouched for by a founder, or by a peer that graduated, graduates its provider: the
/// way honest peers graduate, from the founders outwards. A graduated peer can graduate another
/// only by spending its own credit on it (a coalition with an admitted member can graduate its
/// identities, one bond and `graduation_service` of its credit at a time).
#[test]
fn service_a_witness_vouched_for_graduates_its_provider() {
	new_test_ext(vec![1]).execute_with(|| {
		for peer in [2, 3, 4] {
			register(peer);
		}
		serve(2, 1, 1_000);
		assert_eq!(admission(2), Admission::Admitted, "the founder witnessed 2's service");
		assert_eq!(Reputations::<Test>::get(2).unwrap().witnessed_service, 1_000);
		let credit = Reputation::admission_credit_of(&2);
		serve(3, 2, 1_000);
		assert_eq!(admission(3), Admission::Admitted, "2, admitted, witnessed 3's service");
		assert_eq!(Reputation::admission_credit_of(&2), credit - 1_000, "out of 2's credit");
		// Decay takes service and witnessed service down together.
		serve(4, 3, 600);
		let record = Reputations::<Test>::get(4).unwrap();
		assert_eq!((record.service, record.witnessed_service), (600, 600));
		System::set_block_number(now() + 100);
		let record = Reputation::reputation_of(&4).unwrap();
		assert_eq!((record.service, record.witnessed_service), (300, 300), "one half-life");
		check_invariants();
	});
}

/// A ring of fresh identities used to steer the allowance: defecting among themselves pushed
/// it down for every honest newcomer, and faking graduations pushed it up. Outcomes count only
/// when an admitted peer witnessed them.
#[test]
fn a_ring_of_fresh_identities_cannot_steer_the_stranger_allowance() {
	new_test_ext(vec![1]).execute_with(|| {
		for peer in 100..120 {
			register(peer);
		}
		// Half the ring takes far beyond its allowance from the other half...
		for peer in 100..110u64 {
			serve(peer + 10, peer, 1_000_000);
		}
		// ... and pairs pass their allowances to each other to "graduate".
		for peer in (110..120u64).step_by(2) {
			serve(peer, peer + 1, 1_500);
		}
		let policy = Strangers::<Test>::get();
		assert_eq!((policy.reciprocated, policy.defected), (0, 0));
		run_epoch();
		assert_eq!(Reputation::stranger_allowance(), 2_000, "unchanged");
	});
}

#[test]
fn every_parameter_is_validated() {
	new_test_ext(vec![]).execute_with(|| {
		use ParameterError::*;
		let valid = Parameters::<Test>::get();
		let cases: Vec<(fn(&mut ReputationParameters), ParameterError)> = vec![
			(|p| p.service_half_life = 0, ServiceHalfLife),
			(|p| p.usage_half_life = p.service_half_life - 1, UsageHalfLife),
			(|p| p.epoch_length = 0, EpochLength),
			(|p| p.damping = PartsPerBillion::from_percent(49), Damping),
			(|p| p.damping = PartsPerBillion::from_percent(96), Damping),
			// Above 100% decodes and is refused by name, not by a decoding failure.
			(|p| p.damping = PartsPerBillion(u32::MAX), Damping),
			(|p| p.tolerance = PartsPerBillion(1_000_000_001), Tolerance),
			(|p| p.epoch_block_share = PartsPerBillion(u32::MAX), EpochBlockShare),
			(|p| p.max_iterations = 0, MaxIterations),
			(|p| p.max_iterations = 1_001, MaxIterations),
			(|p| p.tolerance = PartsPerBillion(0), Tolerance),
			(|p| p.epoch_block_share = PartsPerBillion(0), EpochBlockShare),
			(|p| p.epoch_block_share = PartsPerBillion::from_percent(76), EpochBlockShare),
			(|p| p.usage_allowance_percent = 0, UsageAllowancePercent),
			(|p| p.usage_allowance_percent = 101, UsageAllowancePercent),
			(|p| p.stranger_allowance_min = p.stranger_allowance_max + 1, StrangerAllowanceBounds),
			(|p| p.subjective_neighbours = 0, SubjectiveNeighbours),
			(|p| p.subjective_neighbours = MAX_PARTNERS + 1, SubjectiveNeighbours),
			(|p| p.subjective_scale = 0, SubjectiveScale),
			(|p| p.stranger_memory = 0, StrangerMemory),
		];
		for (break_it, error) in cases {
			let mut bad = valid.clone();
			break_it(&mut bad);
			assert_noop!(
				Reputation::set_parameters(RuntimeOrigin::root(), bad),
				Error::<Test>::InvalidParameter(error)
			);
		}
		assert_noop!(
			Reputation::set_parameters(RuntimeOrigin::signed(1), valid.clone()),
			DispatchError::BadOrigin
		);
		let mut new = valid.clone();
		new.damping = PartsPerBillion::from_percent(80);
		new.stranger_allowance_max = 500;
		assert_ok!(Reputation::set_parameters(RuntimeOrigin::root(), new.clone()));
		assert_eq!(Parameters::<Test>::get(), new);
		assert_eq!(Strangers::<Test>::get().allowance, 500, "moved into the new bounds");
		assert_eq!(events().last(), Some(&Event::ParametersSet { old: valid, new: new.clone() }));
		// The defaults and the boundaries themselves are valid.
		assert_eq!(Reputation::validate_parameters(&DefaultParameters::get()), Ok(()));
		new.damping = PartsPerBillion::from_percent(50);
		new.epoch_block_share = PartsPerBillion::from_percent(75);
		assert_eq!(Reputation::validate_parameters(&new), Ok(()));
	});
}

/// Governance that moves the stranger allowance's bounds moves the allowance in force with them:
/// what the adaptive policy learned is a place between the bounds, not an amount. Runtimes
/// before `spec_version` 112 kept the amount (clamped): raising the bounds left a network with
/// no outcomes counted yet at the old top until a newcomer graduated in front of an admitted
/// peer (docs/simulation.md, "The stranger allowance keeps its place").
#[test]
fn new_bounds_keep_the_stranger_allowance_in_its_place() {
	new_test_ext(vec![1]).execute_with(|| {
		let set = |min: u128, max: u128| {
			let mut parameters = Parameters::<Test>::get();
			parameters.stranger_allowance_min = min;
			parameters.stranger_allowance_max = max;
			assert_ok!(Reputation::set_parameters(RuntimeOrigin::root(), parameters));
		};
		assert_eq!(Reputation::stranger_allowance(), 2_000, "genesis starts at the top");
		// Raised: from the top of [100, 2,000] to the top of [1,000, 20,000], announced before
		// the parameters.
		set(1_000, 20_000);
		assert_eq!(Reputation::stranger_allowance(), 20_000);
		let adjusted = Event::StrangerAllowanceAdjusted {
			old: 2_000,
			new: 20_000,
			reciprocated: 0,
			defected: 0,
		};
		let announced = events();
		assert_eq!(announced[announced.len() - 2], adjusted);
		assert!(matches!(announced.last(), Some(Event::ParametersSet { .. })));
		register(30);
		assert_eq!(Reputation::admission_credit_of(&30), 20_000, "a newcomer gets the new top");
		// A learned place, a quarter of the way up with its counts, stays a quarter of the way.
		Strangers::<Test>::mutate(|policy| {
			policy.allowance = 1_000 + 19_000 / 4;
			policy.reciprocated = 1;
			policy.defected = 3;
		});
		set(2_000, 42_000);
		assert_eq!(Reputation::stranger_allowance(), 12_000);
		assert_eq!(
			(Strangers::<Test>::get().reciprocated, Strangers::<Test>::get().defected),
			(1, 3),
			"the counts are what was learned: kept"
		);
		// Bounds that do not move leave it alone, and say nothing about it.
		let before = events().len();
		let mut parameters = Parameters::<Test>::get();
		parameters.damping = PartsPerBillion::from_percent(70);
		assert_ok!(Reputation::set_parameters(RuntimeOrigin::root(), parameters));
		assert_eq!(Reputation::stranger_allowance(), 12_000);
		assert_eq!(events().len(), before + 1, "only ParametersSet");
		// The next epoch sets it from the counts, as before, and agrees.
		run_epoch();
		let expected = 2_000 + Perbill::from_rational(1u32, 4).mul_floor(40_000u128);
		assert_eq!(Reputation::stranger_allowance(), expected);
	});
}

#[test]
fn founders_are_registered_peers_set_by_governance() {
	new_test_ext(vec![1]).execute_with(|| {
		register(2);
		register(3);
		let set = |peers: Vec<u64>| Reputation::set_pretrusted(RuntimeOrigin::root(), peers);
		assert_noop!(
			Reputation::set_pretrusted(RuntimeOrigin::signed(1), vec![2]),
			DispatchError::BadOrigin
		);
		assert_noop!(set(vec![2, 3, 2]), Error::<Test>::DuplicatePreTrusted);
		assert_noop!(set(vec![2, 9]), Error::<Test>::PreTrustedNotRegistered);
		assert_noop!(set(vec![2, 3, 4, 5, 6]), Error::<Test>::TooManyPreTrusted);
		assert_ok!(set(vec![2, 3]));
		assert_eq!(PreTrusted::<Test>::get().into_inner(), vec![2, 3]);
		let list = |v: Vec<u64>| BoundedVec::<u64, _>::truncate_from(v);
		assert_eq!(
			events().last(),
			Some(&Event::PreTrustedSet { old: list(vec![1]), new: list(vec![2, 3]) })
		);
		// A founder that is banned or leaves is no longer one, and cannot be named again.
		<Reputation as PeerLifecycle<AccountId>>::on_banned(&2);
		assert_eq!(PreTrusted::<Test>::get().into_inner(), vec![3]);
		assert!(events().contains(&Event::PreTrustedRemoved { peer: 2 }));
		assert_noop!(set(vec![2]), Error::<Test>::PreTrustedNotRegistered);
		serve(3, 1, 100);
		let epoch = run_epoch();
		<Reputation as PeerLifecycle<AccountId>>::on_unregistered(&3);
		assert!(PreTrusted::<Test>::get().is_empty());
		check_invariants();
		// Without founders no epoch runs (no silent fallback to damping towards everyone):
		// the last published vector stays.
		for _ in 0..30 {
			next_block();
		}
		assert_eq!(Published::<Test>::get().unwrap().epoch, epoch);
		assert!(events().contains(&Event::EpochSkippedWithoutPreTrusted));
		// Governance recovers by naming new founders.
		assert_ok!(set(vec![1]));
		assert!(run_epoch() > epoch);
	});
}

#[test]
fn local_trust_keeps_the_largest_providers_when_full() {
	new_test_ext(vec![]).execute_with(|| {
		register(1);
		for provider in 10..10 + MAX_PARTNERS as u64 {
			register(provider);
			serve(provider, 1, 100 + provider as u128);
		}
		register(99);
		serve(99, 1, 50);
		let index = |p: u64| Reputations::<Test>::get(p).unwrap().index;
		let providers = || LocalTrustOf::<Test>::get(index(1)).unwrap().providers;
		assert!(!providers().iter().any(|(p, _)| *p == index(99)), "smaller than all: left out");
		serve(99, 1, 1_000);
		assert!(providers().iter().any(|(p, _)| *p == index(99)), "larger: replaces the smallest");
		assert!(!providers().iter().any(|(p, _)| *p == index(10)));
		assert_eq!(providers().len(), MAX_PARTNERS as usize);
		check_invariants();
	});
}

#[test]
fn peers_joining_during_an_epoch_wait_for_the_next() {
	new_test_ext(vec![1]).execute_with(|| {
		register(1);
		register(2);
		serve(2, 1, 100);
		// Start the epoch and compact its two members (two steps, and one to end), no more.
		System::set_block_number(10);
		let start = <() as WeightInfo>::on_idle_base()
			.saturating_add(<() as WeightInfo>::start_epoch(4))
			.saturating_add(<() as WeightInfo>::compact().saturating_mul(3))
			// The member page, loaded once, and room for the worst case of the step that ends
			// compaction (a step runs only while its worst case fits).
			.saturating_add(Reputation::page_traffic(3, 1));
		Reputation::on_idle(now(), start);
		assert!(matches!(
			Epoch::<Test>::get(),
			Some(EpochState::Running(ref r))
				if r.peers == 2 && r.phase == EpochPhase::Spread { next: 0 }
		));
		register(3);
		serve(3, 1, 100);
		run_epoch();
		assert_eq!(Reputation::global_trust_of(&3), None);
		run_epoch();
		assert!(trust(3) > 0.0);
		check_invariants();
	});
}

/// Runs blocks from the start of the next epoch until it is published and reviewed; returns
/// the weight `on_idle` used.
fn next_epoch_weight() -> Weight {
	if let Some(EpochState::Idle { next_epoch_at }) = Epoch::<Test>::get() {
		System::set_block_number(next_epoch_at.max(now() + 1) - 1);
	}
	let before = Published::<Test>::get().map(|p| p.epoch);
	let mut used = Weight::zero();
	for _ in 0..10_000 {
		System::set_block_number(now() + 1);
		used = used.saturating_add(Reputation::on_idle(now(), Weight::MAX));
		let after = Published::<Test>::get().map(|p| p.epoch);
		if after != before && matches!(Epoch::<Test>::get(), Some(EpochState::Idle { .. })) {
			return used;
		}
	}
	panic!("no epoch was published");
}

/// A compaction step is charged for what it did: a member kept wrote no record, and only a
/// block's first step reads the member count from storage.
#[test]
fn compaction_is_charged_for_the_members_it_kept_and_dropped() {
	new_test_ext(vec![1]).execute_with(|| {
		for peer in 2..=8 {
			register(peer);
		}
		serve(2, 1, 100);
		for peer in [3, 6] {
			<Reputation as PeerLifecycle<AccountId>>::on_unregistered(&peer);
		}
		// A block with room for the start only, then one with room for every compaction step at
		// its worst case and not for a spread step.
		System::set_block_number(10);
		let base = <() as WeightInfo>::on_idle_base();
		let founders = <Test as crate::Config>::MaxPreTrusted::get();
		Reputation::on_idle(now(), base.saturating_add(<() as WeightInfo>::start_epoch(founders)));
		assert!(matches!(
			Epoch::<Test>::get(),
			Some(EpochState::Running(EpochRun { phase: EpochPhase::Compact { read: 0, .. }, .. }))
		));
		let worst = <() as WeightInfo>::compact().saturating_add(Reputation::page_traffic(2, 1));
		// Eight members, and the step that ends compaction.
		let budget = base.saturating_add(worst.saturating_mul(9));
		System::set_block_number(11);
		let used = Reputation::on_idle(now(), budget);
		assert!(matches!(
			Epoch::<Test>::get(),
			Some(EpochState::Running(ref r))
				if r.peers == 6 && r.phase == EpochPhase::Spread { next: 0 }
		));
		// Slots 0 to 7 hold peers 1 to 8: peers 1 and 2 kept in place, 3 dropped, 4 and 5 moved
		// down, 6 dropped, 7 and 8 moved down; then the step that ends compaction, as a drop.
		let read = <Test as frame_system::Config>::DbWeight::get().reads(1);
		let kept = <() as WeightInfo>::compact_kept();
		let dropped = <() as WeightInfo>::compact();
		let expected = base
			.saturating_add(kept)
			.saturating_add(kept.saturating_sub(read).saturating_mul(5))
			.saturating_add(dropped.saturating_sub(read).saturating_mul(3))
			// The member page, loaded once and written once.
			.saturating_add(Reputation::page_traffic(1, 1));
		assert_eq!(used, expected);
		check_invariants();
	});
}

/// Only a block's first review step reads the stranger policy from storage; the others find it
/// in the block's overlay and are refunded that read.
#[test]
fn only_a_blocks_first_review_step_reads_the_stranger_policy() {
	new_test_ext(vec![1]).execute_with(|| {
		// Enough members that a block of worst-case spread steps' room cannot review them all.
		for peer in 2..=400 {
			register(peer);
			serve(peer, peer - 1, 100);
		}
		let base = <() as WeightInfo>::on_idle_base();
		let one_step = one_spread_step();
		let reviewing = || match Epoch::<Test>::get() {
			Some(EpochState::Running(EpochRun { phase: EpochPhase::Review { next }, .. })) => {
				Some(next)
			}
			_ => None,
		};
		System::set_block_number(9);
		for _ in 0..100_000 {
			if reviewing().is_some() {
				break;
			}
			System::set_block_number(now() + 1);
			Reputation::on_idle(now(), one_step);
		}
		let from = reviewing().expect("a block ended while reviewing");
		// A block with room for three review steps at their worst case.
		let review = <() as WeightInfo>::review();
		let review_pages = Reputation::page_traffic(2, 0);
		System::set_block_number(now() + 1);
		let used = Reputation::on_idle(
			now(),
			base.saturating_add(review.saturating_add(review_pages) * 3),
		);
		assert_eq!(reviewing(), Some(from + 3));
		// Its member page and the published vector's page, loaded once (slots 3 apart share
		// their pages unless one starts a page).
		let read = <Test as frame_system::Config>::DbWeight::get().reads(1);
		let traffic = used
			.saturating_sub(base)
			.saturating_sub(review)
			.saturating_sub(review.saturating_sub(read).saturating_mul(2));
		assert!(
			[review_pages, Reputation::page_traffic(3, 0), Reputation::page_traffic(4, 0)]
				.contains(&traffic),
			"{used:?}: two steps after the first refunded the read"
		);
		check_invariants();
	});
}

#[test]
fn peers_that_left_cost_epochs_nothing_once_dropped() {
	// The same four live peers, alone or after `gone` others registered, served each other and
	// left (half withdrew their bond, half were banned).
	let epochs = |gone: u64| {
		new_test_ext(vec![1]).execute_with(|| {
			for peer in 1..=4 {
				register(peer);
			}
			for (provider, consumer, units) in [(2, 1, 100), (3, 1, 50), (4, 2, 30), (1, 3, 20)] {
				serve(provider, consumer, units);
			}
			for peer in 100..100 + gone {
				register(peer);
				serve(peer, if peer == 100 { 100 + gone - 1 } else { peer - 1 }, 1_000);
			}
			for peer in 100..100 + gone {
				if peer % 2 == 0 {
					<Reputation as PeerLifecycle<AccountId>>::on_unregistered(&peer);
				} else {
					<Reputation as PeerLifecycle<AccountId>>::on_banned(&peer);
				}
			}
			let first = next_epoch_weight();
			assert_eq!(Published::<Test>::get().unwrap().peers, 4);
			assert!(events().contains(&Event::EpochStarted { epoch: 0, peers: 4 }));
			assert_eq!(MemberCount::<Test>::get(), 4);
			for peer in 100..100 + gone {
				assert_eq!(Reputation::global_trust_of(&peer), None);
				assert!(!Reputations::<Test>::get(peer).unwrap().listed);
			}
			let second = next_epoch_weight();
			check_invariants();
			let trust: Vec<_> = (1..=4u64).map(|p| Reputation::global_trust_of(&p)).collect();
			(first, second, trust)
		})
	};
	let (alone_first, alone_second, alone_trust) = epochs(0);
	let (crowd_first, crowd_second, crowd_trust) = epochs(16);
	// The first epoch after they left drops them, one compaction step each (the member count
	// it reads already read by an earlier step of the block)...
	let read = <Test as frame_system::Config>::DbWeight::get().reads(1);
	assert_eq!(
		crowd_first,
		alone_first
			.saturating_add(<() as WeightInfo>::compact().saturating_sub(read).saturating_mul(16))
	);
	// ... and from then on they cost nothing, and change nothing.
	assert_eq!(crowd_second, alone_second);
	assert_eq!(crowd_trust, alone_trust);
}

#[test]
fn trust_passed_to_peers_that_left_returns_to_the_founders() {
	new_test_ext(vec![1]).execute_with(|| {
		for peer in 1..=6 {
			register(peer);
		}
		for (provider, consumer, units) in
			[(2, 1, 100), (5, 1, 50), (3, 2, 40), (1, 5, 30), (6, 3, 70), (4, 6, 10), (1, 4, 5)]
		{
			serve(provider, consumer, units);
		}
		<Reputation as PeerLifecycle<AccountId>>::on_unregistered(&5);
		<Reputation as PeerLifecycle<AccountId>>::on_banned(&6);
		let epoch = run_epoch();
		let published = Published::<Test>::get().unwrap();
		assert_eq!(published.peers, 4);
		let parameters = Parameters::<Test>::get();
		let index = |peer: AccountId| Reputations::<Test>::get(peer).unwrap().index;
		let reference = maths::reference::eigentrust_without(
			PeerCount::<Test>::get() as usize,
			&[index(5), index(6)],
			&edges(),
			&[index(1)],
			parameters.damping.perbill(),
			parameters.max_iterations,
			FixedU128::from_perbill(parameters.tolerance.perbill()),
		);
		assert_eq!(
			(published.iterations, published.residual),
			(reference.iterations, reference.residual)
		);
		for peer in 1..=4u64 {
			assert_eq!(
				Reputation::global_trust_of(&peer),
				Some((reference.trust[index(peer) as usize], epoch)),
				"peer {peer}"
			);
		}
		assert_eq!(Reputation::global_trust_of(&5), None);
		assert_eq!(Reputation::global_trust_of(&6), None);
		// Nothing leaks: the members' trust sums to one.
		let total: f64 = (1..=4u64).map(trust).sum();
		assert!((total - 1.0).abs() < 1e-9, "{total}");
		check_invariants();
	});
}

#[test]
fn a_peer_that_registers_again_rejoins_the_epochs() {
	new_test_ext(vec![1]).execute_with(|| {
		for peer in 1..=3 {
			register(peer);
		}
		serve(2, 1, 100);
		serve(3, 1, 100);
		// 2 leaves and comes back before any epoch: it keeps its one slot.
		<Reputation as PeerLifecycle<AccountId>>::on_unregistered(&2);
		register(2);
		check_invariants();
		// 3 leaves for an epoch: it is dropped, then listed again when it comes back.
		<Reputation as PeerLifecycle<AccountId>>::on_unregistered(&3);
		run_epoch();
		assert!(trust(2) > 0.0);
		assert_eq!(Reputation::global_trust_of(&3), None);
		assert_eq!(MemberCount::<Test>::get(), 2);
		register(3);
		assert!(Reputations::<Test>::get(3).unwrap().listed);
		assert_eq!(
			crate::pages::member::<Test>(2),
			Some(Reputations::<Test>::get(3).unwrap().index)
		);
		check_invariants();
		serve(3, 1, 100);
		run_epoch();
		assert!(trust(3) > 0.0);
		assert_eq!(Published::<Test>::get().unwrap().peers, 3);
		check_invariants();
	});
}

#[test]
fn a_founder_that_leaves_mid_compaction_does_not_anchor_the_epoch() {
	new_test_ext(vec![1, 2]).execute_with(|| {
		register(3);
		serve(3, 1, 100);
		serve(1, 2, 100);
		// Start the epoch and stop before compaction reaches founder 2's slot.
		System::set_block_number(10);
		let budget = <() as WeightInfo>::on_idle_base()
			.saturating_add(<() as WeightInfo>::start_epoch(4))
			.saturating_add(<() as WeightInfo>::compact());
		Reputation::on_idle(now(), budget);
		<Reputation as PeerLifecycle<AccountId>>::on_unregistered(&2);
		run_epoch();
		assert_eq!(Reputation::global_trust_of(&2), None);
		assert_eq!(Published::<Test>::get().unwrap().peers, 2);
		// All trust is anchored at the remaining founder and what it passed on.
		let total = trust(1) + trust(3);
		assert!((total - 1.0).abs() < 1e-9, "{total}");
		check_invariants();
	});
}

#[test]
fn no_epoch_runs_without_peers() {
	new_test_ext(vec![]).execute_with(|| {
		for _ in 0..30 {
			next_block();
		}
		assert!(Published::<Test>::get().is_none());
		assert!(events().is_empty());
	});
}

#[test]
fn the_most_trusted_peers_are_ranked_each_epoch() {
	new_test_ext(vec![1]).execute_with(|| {
		for peer in 1..=7 {
			register(peer);
		}
		// Peer 1 (pre-trusted) consumes from 2..=7, more from lower numbers.
		for provider in 2..=7u64 {
			serve(provider, 1, 1_000 * (8 - provider) as u128);
		}
		assert_eq!(Reputation::top_peers(0, 10), (0, vec![]), "nothing before an epoch");
		let epoch = run_epoch();
		let (ranked_epoch, top) = Reputation::top_peers(0, 10);
		assert_eq!(ranked_epoch, epoch);
		assert_eq!(top.len(), 4, "MaxTopPeers is 4 in the mock");
		let order: Vec<u64> = top.iter().map(|(peer, _)| *peer).collect();
		assert_eq!(order, vec![1, 2, 3, 4]);
		for pair in top.windows(2) {
			assert!(pair[0].1 >= pair[1].1);
		}
		for (peer, trust) in &top {
			assert_eq!(Reputation::global_trust_of(peer).unwrap().0, *trust);
		}
		let page: Vec<u64> = Reputation::top_peers(1, 2).1.iter().map(|(p, _)| *p).collect();
		assert_eq!(page, vec![2, 3]);
		assert!(Reputation::top_peers(4, 10).1.is_empty());
	});
}

#[test]
fn ranking_keeps_the_best_and_breaks_ties_by_index() {
	let mut list = BoundedVec::<(PeerIndex, FixedU128), frame_support::traits::ConstU32<3>>::new();
	let t = |n: u128| FixedU128::from_inner(n);
	for entry in [(5, t(10)), (1, t(30)), (7, t(10)), (2, t(20)), (9, t(5)), (0, t(10))] {
		insert_ranked(&mut list, entry);
	}
	assert_eq!(list.into_inner(), vec![(1, t(30)), (2, t(20)), (0, t(10))]);
}

#[test]
fn a_viewer_refuses_who_took_from_it_and_never_admits_whom_the_chain_denies() {
	new_test_ext(vec![]).execute_with(|| {
		let (viewer, helper, taker, stranger) = (1, 2, 3, 4);
		for peer in [viewer, helper, taker, stranger] {
			register(peer);
		}
		serve(helper, viewer, 10);
		assert_eq!(admission(helper), Admission::Probation, "globally still a newcomer");
		assert_eq!(Reputation::admission_for(&helper, Some(&viewer)), Admission::Probation);
		// The taker took more from the viewer than its allowance (2,000) while staying within
		// its global credit thanks to service elsewhere.
		serve(taker, stranger, 900);
		serve(viewer, taker, 2_500);
		assert_eq!(admission(taker), Admission::Probation);
		let refused = Admission::Denied(DenialReason::UsageExceedsService);
		assert_eq!(Reputation::admission_for(&taker, Some(&viewer)), refused);
		// Filling its local trust with fake providers to push the viewer out of it charges
		// the taker their units: the chain denies it, so the viewer still refuses it.
		for fake in 100..100 + u64::from(MAX_PARTNERS) {
			register(fake);
			serve(fake, taker, 10_000);
		}
		assert!(!Reputation::admission_for(&taker, Some(&viewer)).allows_service());
		// A peer the chain denies is denied by every viewer, whatever it gave the viewer.
		serve(stranger, helper, 1_000_000);
		assert!(!admission(helper).allows_service());
		assert!(!Reputation::admission_for(&helper, Some(&viewer)).allows_service());
		// Without flow either way the chain's decision stands; unknown peers are denied.
		assert_eq!(Reputation::admission_for(&stranger, Some(&viewer)), admission(stranger));
		assert_eq!(
			Reputation::admission_for(&99, Some(&viewer)),
			Admission::Denied(DenialReason::NotRegistered)
		);
		<Reputation as PeerLifecycle<AccountId>>::on_banned(&stranger);
		assert_eq!(
			Reputation::admission_for(&stranger, Some(&viewer)),
			Admission::Denied(DenialReason::Banned)
		);
	});
}

#[test]
fn shortening_epochs_brings_the_next_one_forward() {
	new_test_ext(vec![]).execute_with(|| {
		let mut parameters = Parameters::<Test>::get();
		parameters.epoch_length = 1_000;
		assert_ok!(Reputation::set_parameters(RuntimeOrigin::root(), parameters.clone()));
		// Lengthening does not postpone the epoch already scheduled (at block 10).
		assert!(matches!(Epoch::<Test>::get(), Some(EpochState::Idle { next_epoch_at: 10 })));
		System::set_block_number(5);
		parameters.epoch_length = 2;
		assert_ok!(Reputation::set_parameters(RuntimeOrigin::root(), parameters));
		assert!(matches!(Epoch::<Test>::get(), Some(EpochState::Idle { next_epoch_at: 7 })));
	});
}

#[test]
fn a_synthetic_population_is_consistent() {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let history =
		repute_primitives::synthetic::SyntheticHistory { peers: 50, partners: 3, units: 10 };
	crate::GenesisConfig::<Test> { parameters: None, pretrusted: vec![], synthetic: Some(history) }
		.assimilate_storage(&mut storage)
		.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		assert_eq!(PeerCount::<Test>::get(), 50);
		assert_eq!(
			LocalTrustOf::<Test>::iter().map(|(_, l)| l.providers.len()).sum::<usize>(),
			150
		);
		assert_eq!(Published::<Test>::get().unwrap().peers, 50);
		let peer: AccountId = PeerAt::<Test>::get(7).unwrap();
		assert_eq!(Reputation::global_trust_of(&peer).unwrap().0, FixedU128::from_rational(1, 50));
		check_invariants();
	});
}

/// `docs/reputation.md` tells client authors how errors reach them; this pins it.
#[test]
fn module_errors_encode_as_documented() {
	let module = |error: Error<Test>| match DispatchError::from(error) {
		DispatchError::Module(module) => module.error,
		other => panic!("{other:?}"),
	};
	assert_eq!(module(Error::InvalidParameter(ParameterError::UsageHalfLife)), [0, 1, 0, 0]);
	assert_eq!(module(Error::InvalidParameter(ParameterError::SubjectiveScale)), [0, 10, 0, 0]);
	assert_eq!(module(Error::InvalidParameter(ParameterError::StrangerMemory)), [0, 11, 0, 0]);
	assert_eq!(module(Error::DuplicatePreTrusted), [1, 0, 0, 0]);
	assert_eq!(module(Error::UnknownPeer), [2, 0, 0, 0]);
	assert_eq!(module(Error::TooManyPreTrusted), [3, 0, 0, 0]);
	assert_eq!(module(Error::PreTrustedNotRegistered), [4, 0, 0, 0]);
}

#[test]
fn leaving_denies_at_once_and_settles_the_unpaid_allowance_once() {
	new_test_ext(vec![]).execute_with(|| {
		let allowance = Reputation::stranger_allowance();
		for peer in [1, 2, 3] {
			register(peer);
		}
		// 2 takes its whole allowance and more from 1, and gives nothing: denied, flagged.
		serve(1, 2, allowance + 1);
		assert_eq!(admission(2), Admission::Denied(DenialReason::StrangerAllowanceExhausted));
		// 3 takes a quarter of its allowance.
		serve(1, 3, allowance / 4);
		assert_eq!(Reputation::forfeit_on_leaving(&1), Perbill::zero(), "1 only served");
		assert_eq!(Reputation::forfeit_on_leaving(&2), Perbill::one());
		assert_eq!(Reputation::forfeit_on_leaving(&3), Perbill::from_percent(25));

		// Unbonding: no longer served on the bond it is taking back.
		<Reputation as PeerLifecycle<AccountId>>::on_unbonding(&3);
		assert_eq!(admission(3), Admission::Denied(DenialReason::NotRegistered));

		// Withdrawing settles: the share pays the debt, once.
		let settle = |peer| <Reputation as PeerLifecycle<AccountId>>::settle_on_leaving(&peer);
		assert_eq!(settle(3), Perbill::from_percent(25));
		assert_eq!(Reputation::forfeit_on_leaving(&3), Perbill::zero(), "paid");
		assert_eq!(settle(3), Perbill::zero(), "not charged twice");
		assert_eq!(settle(2), Perbill::one());
		let record = Reputations::<Test>::get(2).unwrap();
		assert!(!record.exhausted_allowance, "its bond paid for what it did");
		assert_eq!(record.usage, 0);
		assert_eq!(settle(1), Perbill::zero());
		assert_eq!(settle(9), Perbill::zero(), "no record: never consumed");
		// Registering the paid-up key again is registering a new key: a new bond, an allowance.
		<Reputation as PeerLifecycle<AccountId>>::on_unregistered(&2);
		register(2);
		assert_eq!(admission(2), Admission::Probation);
		check_invariants();
	});
}

#[test]
fn stored_state_of_version_1_gains_the_stranger_memory_and_release() {
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext(vec![]).execute_with(|| {
		let set = ReputationParameters { stranger_allowance_min: 7, ..test_parameters() };
		let mut old_parameters = set.encode();
		// Version 1 had neither `stranger_memory` nor `stranger_release` (two u32s, last).
		old_parameters.truncate(old_parameters.len() - 8);
		frame_support::storage::unhashed::put_raw(
			&Parameters::<Test>::hashed_key(),
			&old_parameters,
		);
		frame_support::storage::unhashed::put_raw(
			&Strangers::<Test>::hashed_key(),
			&(1_234u128, 3u32, 5u32).encode(),
		);
		StorageVersion::new(1).put::<Reputation>();
		System::set_block_number(77);
		// The runtime's `Migrations` run both, in order.
		crate::migrations::v2::AddStrangerMemory::<Test>::on_runtime_upgrade();
		assert_eq!(Reputation::on_chain_storage_version(), 2);
		crate::migrations::v3::AddStrangerRelease::<Test>::on_runtime_upgrade();
		assert_eq!(
			Parameters::<Test>::get(),
			ReputationParameters { stranger_memory: 600, stranger_release: 600, ..set },
			"governance's values kept, the default memory and release added"
		);
		assert_eq!(
			Strangers::<Test>::get(),
			StrangerPolicy { allowance: 1_234, reciprocated: 3, defected: 5, halved_at: 77 }
		);
		assert_eq!(Reputation::on_chain_storage_version(), 3);
		// Run again, they change nothing.
		crate::migrations::v2::AddStrangerMemory::<Test>::on_runtime_upgrade();
		crate::migrations::v3::AddStrangerRelease::<Test>::on_runtime_upgrade();
		assert_eq!(Strangers::<Test>::get().halved_at, 77);
		assert_eq!(Parameters::<Test>::get().stranger_release, 600);
	});
}

/// Version 5 counts every stored record's service as witnessed (the chain did not note who
/// vouched for it): a peer admitted before the upgrade stays admitted, one on probation keeps
/// its progress towards graduating.
#[test]
fn stored_records_of_version_4_keep_their_graduation() {
	use crate::migrations::v3::{PeerReputationV3, Reputations as RecordsV4};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext(vec![]).execute_with(|| {
		let old = |index, service, admission| PeerReputationV3 {
			index,
			service,
			usage: 500,
			updated_at: 1,
			standing: Standing::Registered,
			admission,
			newcomer_outcome_counted: true,
			exhausted_allowance: false,
			listed: true,
			first_registered_at: 0,
		};
		RecordsV4::<Test>::insert(1, old(0, 1_500, Admission::Admitted));
		RecordsV4::<Test>::insert(2, old(1, 700, Admission::Probation));
		StorageVersion::new(4).put::<Reputation>();
		crate::migrations::v5::WitnessService::<Test>::on_runtime_upgrade();
		assert_eq!(Reputation::on_chain_storage_version(), 5);
		let graduated = Reputations::<Test>::get(1).unwrap();
		assert_eq!(
			(graduated.index, graduated.service, graduated.witnessed_service, graduated.usage),
			(0, 1_500, 1_500, 500)
		);
		assert!(graduated.newcomer_outcome_counted && graduated.listed);
		assert_eq!(Reputation::admission_for(&1, None), Admission::Admitted, "still graduated");
		assert_eq!(Reputations::<Test>::get(2).unwrap().witnessed_service, 700);
		assert_eq!(Reputation::admission_for(&2, None), Admission::Probation);
		// Run again, it changes nothing.
		let before = Reputations::<Test>::get(1);
		crate::migrations::v5::WitnessService::<Test>::on_runtime_upgrade();
		assert_eq!(Reputations::<Test>::get(1), before);
	});
}

/// `record` as version 2 stored it: without `witnessed_service` and `first_registered_at`.
fn version_2_encoding(record: &PeerReputation<u64>) -> Vec<u8> {
	use codec::Encode;
	(
		record.index,
		record.service,
		record.usage,
		record.updated_at,
		record.standing,
		record.admission,
		record.newcomer_outcome_counted,
		record.exhausted_allowance,
		record.listed,
	)
		.encode()
}

/// Version 3 gives every stored record a first registration a whole release period before the
/// upgrade: peers registered before it keep their whole allowance; peers registering after it
/// have theirs released over time. (Version 5 then adds `witnessed_service`: the runtime's
/// `Migrations` run every version's in order.)
#[test]
fn stored_records_of_version_2_keep_their_whole_allowance() {
	use codec::Encode;
	use frame_support::traits::{
		GetStorageVersion, OnRuntimeUpgrade, StorageVersion, UncheckedOnRuntimeUpgrade,
	};
	new_test_ext(vec![]).execute_with(|| {
		let mut record = PeerReputation { index: 3, usage: 40, ..PeerReputation::registered(9, 0) };
		record.updated_at = 50;
		record.first_registered_at = 0;
		let old = version_2_encoding(&record);
		frame_support::storage::unhashed::put_raw(&Reputations::<Test>::hashed_key_for(1), &old);
		let set = test_parameters();
		let mut old_parameters = set.encode();
		old_parameters.truncate(old_parameters.len() - 4);
		frame_support::storage::unhashed::put_raw(
			&Parameters::<Test>::hashed_key(),
			&old_parameters,
		);
		StorageVersion::new(2).put::<Reputation>();
		System::set_block_number(60);
		crate::migrations::v3::AddStrangerRelease::<Test>::on_runtime_upgrade();
		crate::migrations::v5::UncheckedWitnessService::<Test>::on_runtime_upgrade();
		assert_eq!(Reputations::<Test>::get(1), Some(record), "block 60 − 600, saturated");
		assert_eq!(
			Parameters::<Test>::get(),
			ReputationParameters { stranger_release: 600, ..set }
		);
		assert_eq!(Reputation::on_chain_storage_version(), 3);
		let parameters = Parameters::<Test>::get();
		let record = Reputation::reputation_of(&1).unwrap();
		assert_eq!(
			crate::admission::released_allowance_of(&record, 2_000, &parameters),
			200,
			"the chain is younger than a release period: 60 of 600 blocks"
		);
		System::set_block_number(1_000);
		// Only version-2 records in storage, as at a real upgrade.
		Reputations::<Test>::remove(1);
		let mut newer = record.clone();
		newer.first_registered_at = 77;
		let old = version_2_encoding(&newer);
		frame_support::storage::unhashed::put_raw(&Reputations::<Test>::hashed_key_for(2), &old);
		StorageVersion::new(2).put::<Reputation>();
		frame_support::storage::unhashed::put_raw(
			&Parameters::<Test>::hashed_key(),
			&old_parameters,
		);
		crate::migrations::v3::UncheckedAddStrangerRelease::<Test>::on_runtime_upgrade();
		crate::migrations::v5::UncheckedWitnessService::<Test>::on_runtime_upgrade();
		let migrated = Reputations::<Test>::get(2).unwrap();
		assert_eq!(migrated.first_registered_at, 400);
		let record = Reputation::reputation_of(&2).unwrap();
		assert_eq!(
			crate::admission::released_allowance_of(&record, 2_000, &parameters),
			2_000,
			"registered before the upgrade: all of it released"
		);
	});
}

/// Writes trust buffer `buffer` as version 3 laid it out (pages of 256 entries), with `entries`
/// by peer index, after removing the buffer's pages.
fn write_old_layout(buffer: BufferId, entries: &[(PeerIndex, TrustEntry)]) {
	use crate::migrations::v4::OLD_TRUST_PAGE_SIZE;
	let _ = TrustPages::<Test>::clear_prefix(buffer, u32::MAX, None);
	let mut pages: std::collections::BTreeMap<u32, Vec<TrustEntry>> = Default::default();
	for (index, entry) in entries {
		let page = pages.entry(index / OLD_TRUST_PAGE_SIZE).or_default();
		let position = (index % OLD_TRUST_PAGE_SIZE) as usize;
		if page.len() <= position {
			page.resize(position + 1, TrustEntry::default());
		}
		page[position] = *entry;
	}
	for (page, entries) in pages {
		TrustPages::<Test>::insert(buffer, page, BoundedVec::truncate_from(entries));
	}
}

/// Runs an epoch to publication over a small graph, then the next one into its second
/// iteration; with `upgrade`, lays the trust buffers out as version 3 did there and runs the
/// version-4 migration. Returns the published trust of every peer once the second epoch is.
fn second_epoch(upgrade: bool) -> Vec<Option<(FixedU128, u32)>> {
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	let mut published = vec![];
	new_test_ext(vec![1, 3]).execute_with(|| {
		for peer in 1..=7 {
			register(peer);
		}
		for (provider, consumer, units) in
			[(2, 1, 100), (1, 2, 50), (1, 3, 30), (2, 3, 70), (3, 4, 10), (4, 1, 5), (6, 7, 400)]
		{
			serve(provider, consumer, units);
		}
		let first = run_epoch();
		serve(5, 2, 300);
		let one_step = one_spread_step();
		let iterating = || match Epoch::<Test>::get() {
			Some(EpochState::Running(run)) => run.iteration >= 1,
			_ => false,
		};
		while !iterating() {
			System::set_block_number(now() + 1);
			Reputation::on_idle(now(), one_step);
		}
		let Some(EpochState::Running(run)) = Epoch::<Test>::get() else { panic!("running") };
		assert_eq!(Published::<Test>::get().unwrap().epoch, first);
		if upgrade {
			let before: Vec<_> = (1..=7u64).map(|p| Reputation::global_trust_of(&p)).collect();
			let buffer = Published::<Test>::get().unwrap().buffer;
			let stamp = Published::<Test>::get().unwrap().stamp;
			let value = |i: u32| TrustEntry { stamp, value: FixedU128::from_u32(i), damped: true };
			// The members' published entries, and entries around the old pages' edges.
			let mut entries: Vec<(PeerIndex, TrustEntry)> = (1..=7u64)
				.map(|p| {
					let index = Reputations::<Test>::get(p).unwrap().index;
					(index, crate::pages::entry_in(&TrustPages::<Test>::get(buffer, 0), index))
				})
				.collect();
			let far = [255, 256, 511, 1_023, 1_024, 1_300];
			entries.extend(far.iter().map(|i| (*i, value(*i))));
			write_old_layout(buffer, &entries);
			// The running iterates, in the old layout, with this iteration's stamps: they
			// would count if they were left.
			for iterate in [run.current, run.previous.unwrap()] {
				let junk =
					TrustEntry { stamp: run.stamp, value: FixedU128::from_u32(9), damped: true };
				write_old_layout(iterate, &(0..600).map(|i| (i, junk)).collect::<Vec<_>>());
			}
			StorageVersion::new(3).put::<Reputation>();
			crate::migrations::v4::RepageTrust::<Test>::on_runtime_upgrade();
			assert_eq!(Reputation::on_chain_storage_version(), 4);
			let after: Vec<_> = (1..=7u64).map(|p| Reputation::global_trust_of(&p)).collect();
			assert_eq!(after, before, "readers see the same published epoch");
			let published = Published::<Test>::get().unwrap();
			for i in far {
				assert_eq!(Reputation::published_entry(&published, i), Some(value(i).value));
			}
			assert!(TrustPages::<Test>::iter_keys().all(|(b, _)| b == buffer));
			let Some(EpochState::Running(restarted)) = Epoch::<Test>::get() else {
				panic!("still running")
			};
			assert_eq!(restarted.iteration, 0);
			assert_eq!(restarted.previous, None);
			assert_eq!(restarted.phase, EpochPhase::Spread { next: 0 });
			assert_eq!(restarted.epoch, run.epoch);
		}
		assert_eq!(run_epoch(), first + 1);
		check_invariants();
		published = (1..=7u64).map(|p| Reputation::global_trust_of(&p)).collect();
	});
	published
}

/// Version 4 lays trust pages out anew: the published epoch reads the same, and an epoch that
/// was iterating starts its iterations again and publishes what it would have.
#[test]
fn trust_pages_laid_out_anew_keep_the_published_epoch_and_the_running_one() {
	let upgraded = second_epoch(true);
	assert!(upgraded.iter().all(Option::is_some));
	assert_eq!(upgraded, second_epoch(false));
}
