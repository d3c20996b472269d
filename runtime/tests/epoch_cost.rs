//! How long a global-trust epoch takes at the runtime's block weights, from the benchmarked
//! weight of each step. Deterministic arithmetic on weights, not a timing. Run with
//! `--nocapture` to print the table `docs/performance.md` reports.

use frame_support::{traits::Get, weights::Weight};
use pallet_reputation::Config;
use pallet_reputation::{DefaultParameters, Pallet as Reputation, WeightInfo};
use repute_runtime::Runtime;

type Weights = <Runtime as pallet_reputation::Config>::WeightInfo;

/// Average providers per consumer assumed by the table.
const AVERAGE_DEGREE: u64 = 10;

/// Blocks one epoch takes over `edges` local-trust entries with `iterations` iterations.
fn epoch_blocks(edges: u64, iterations: u64) -> (u64, Weight) {
	let peers = edges / AVERAGE_DEGREE;
	let per_consumer = Weights::spread(AVERAGE_DEGREE as u32);
	let per_iteration = per_consumer
		.saturating_add(Weights::damp())
		.saturating_mul(peers)
		.saturating_add(Weights::finish_iteration(<Runtime as Config>::MaxPreTrusted::get()));
	let total = per_iteration
		.saturating_mul(iterations)
		.saturating_add(Weights::compact().saturating_add(Weights::review()).saturating_mul(peers))
		.saturating_add(Weights::start_epoch(<Runtime as Config>::MaxPreTrusted::get()));
	let budget = Reputation::<Runtime>::epoch_budget(&DefaultParameters::get())
		.saturating_sub(Weights::on_idle_base());
	(total.ref_time().div_ceil(budget.ref_time()), per_iteration)
}

#[test]
fn an_epoch_is_bounded_per_block_and_its_duration_is_known() {
	let budget = Reputation::<Runtime>::epoch_budget(&DefaultParameters::get());
	let per_edge = Weights::spread(2).saturating_sub(Weights::spread(1));
	println!("budget per block: {:.1} ms", budget.ref_time() as f64 / 1e9);
	println!("per edge (spread slope): {:.1} µs", per_edge.ref_time() as f64 / 1e6);
	println!(
		"per peer per iteration (spread base + damp): {:.1} µs",
		Weights::spread(0).saturating_add(Weights::damp()).ref_time() as f64 / 1e6
	);
	println!("per peer review: {:.1} µs", Weights::review().ref_time() as f64 / 1e6);
	println!("per peer compaction: {:.1} µs", Weights::compact().ref_time() as f64 / 1e6);
	let iterations = u64::from(DefaultParameters::get().max_iterations);
	for edges in [10_000u64, 100_000, 1_000_000] {
		let (blocks, per_iteration) = epoch_blocks(edges, iterations);
		println!(
			"{edges} edges, {} peers: {:.2} s of weight per iteration, {blocks} blocks ({:.1} h) \
			 for {iterations} iterations",
			edges / AVERAGE_DEGREE,
			per_iteration.ref_time() as f64 / 1e12,
			blocks as f64 * 6.0 / 3600.0,
		);
	}
	// The smallest network's epoch fits in the default epoch length.
	let (blocks, _) = epoch_blocks(10_000, iterations);
	assert!(blocks <= u64::from(DefaultParameters::get().epoch_length), "{blocks} blocks");
	// A single worst-case step always fits in the per-block budget, so every epoch progresses.
	let founders = <Runtime as Config>::MaxPreTrusted::get();
	let worst = Weights::spread(<Runtime as Config>::MaxPartners::get())
		.max(Weights::start_epoch(founders))
		.max(Weights::finish_iteration(founders))
		.max(Weights::compact());
	assert!(budget.all_gte(worst.saturating_add(Weights::on_idle_base())));
}
