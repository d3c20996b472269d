//! How long a global-trust epoch takes at the runtime's block weights, from the benchmarked
//! weight of each step and of trust-page traffic. Deterministic arithmetic on weights, not a
//! timing. Run with `--nocapture` to print the table `docs/performance.md` reports.

use frame_support::{traits::Get, weights::Weight};
use pallet_reputation::Config;
use pallet_reputation::{
	DefaultParameters, Pallet as Reputation, WeightInfo, MEMBER_PAGE_SIZE, TRUST_PAGE_SIZE,
};
use repute_runtime::Runtime;

type Weights = <Runtime as pallet_reputation::Config>::WeightInfo;

/// Average providers per consumer assumed by the table.
const AVERAGE_DEGREE: u64 = 10;

/// The most one step can cost, with the most trust-page traffic it can cause: a step runs only
/// if this fits in what is left of the block's share, so up to this much of each block is lost.
fn worst_step() -> Weight {
	let partners = <Runtime as Config>::MaxPartners::get();
	let founders = <Runtime as Config>::MaxPreTrusted::get();
	let load = Weights::load_trust_page();
	let store = Weights::store_trust_page();
	let spread = Weights::spread(partners)
		.saturating_add(load.saturating_mul(u64::from(partners) + 1))
		.saturating_add(store.saturating_mul(partners.into()));
	let finish = Weights::finish_iteration(founders)
		.saturating_add(load.saturating_mul(2 * u64::from(founders)))
		.saturating_add(store.saturating_mul(founders.into()));
	spread
		.max(finish)
		.max(Weights::start_epoch(founders))
		.max(Weights::compact())
		.max(Weights::damp().saturating_add(load.saturating_mul(2)).saturating_add(store))
		.max(Weights::review().saturating_add(load))
}

/// The page traffic of a spreading block whose consumers' providers are spread over the whole
/// vector: every page of the last iterate loaded, every page of the running one loaded and
/// written.
fn page_traffic_per_block(peers: u64) -> Weight {
	let pages = peers.div_ceil(u64::from(TRUST_PAGE_SIZE));
	Weights::load_trust_page()
		.saturating_mul(2 * pages)
		.saturating_add(Weights::store_trust_page().saturating_mul(pages))
}

/// The page traffic of the passes that walk the members in order, per member: compaction loads
/// and writes each member page once, review loads each member page and each page of the
/// published vector once (a member page is charged as a trust page).
fn sequential_page_traffic_per_member() -> Weight {
	let member_page = Weights::load_trust_page().saturating_add(Weights::store_trust_page());
	member_page
		.saturating_add(Weights::load_trust_page())
		.saturating_div(u64::from(MEMBER_PAGE_SIZE))
		.saturating_add(Weights::load_trust_page().saturating_div(u64::from(TRUST_PAGE_SIZE)))
}

/// What one epoch over `edges` local-trust entries with `iterations` iterations costs.
struct EpochCost {
	/// Blocks to publication and review, or `None` if a spreading block's page traffic alone
	/// fills its share (this layout cannot run the epoch).
	blocks: Option<u64>,
	/// The weight of one iteration's steps.
	per_iteration: Weight,
	/// The weight a spreading block has left for steps, after its page traffic.
	for_spreading: Weight,
}

/// The cost of an epoch: compaction and review walk the members in order, with little page
/// traffic; each iteration spreads over the whole vector, and pays a full sweep of page
/// traffic in every block (the table's pessimistic assumption).
fn epoch_cost(edges: u64, iterations: u64) -> EpochCost {
	let peers = edges / AVERAGE_DEGREE;
	let founders = <Runtime as Config>::MaxPreTrusted::get();
	let per_consumer = Weights::spread(AVERAGE_DEGREE as u32);
	let per_iteration = per_consumer
		.saturating_add(Weights::damp())
		.saturating_mul(peers)
		.saturating_add(Weights::finish_iteration(founders));
	// Every member kept (a peer that left costs one dropped step, once), and the member count
	// and stranger policy that every compaction and review step reads found in the block's
	// overlay.
	let read = <Runtime as frame_system::Config>::DbWeight::get().reads(1);
	let walks = Weights::compact_kept()
		.saturating_add(Weights::review())
		.saturating_sub(read.saturating_mul(2))
		.saturating_add(sequential_page_traffic_per_member())
		.saturating_mul(peers)
		.saturating_add(Weights::start_epoch(founders));
	let for_steps = Reputation::<Runtime>::epoch_budget(&DefaultParameters::get())
		.saturating_sub(Weights::on_idle_base())
		.saturating_sub(worst_step());
	let for_spreading = for_steps.saturating_sub(page_traffic_per_block(peers));
	let blocks = (for_spreading.ref_time() > 0).then(|| {
		walks.ref_time().div_ceil(for_steps.ref_time())
			+ per_iteration.saturating_mul(iterations).ref_time().div_ceil(for_spreading.ref_time())
	});
	EpochCost { blocks, per_iteration, for_spreading }
}

#[test]
fn an_epoch_is_bounded_per_block_and_its_duration_is_known() {
	let budget = Reputation::<Runtime>::epoch_budget(&DefaultParameters::get());
	let per_edge = Weights::spread(2).saturating_sub(Weights::spread(1));
	let ms = |w: Weight| w.ref_time() as f64 / 1e9;
	let us = |w: Weight| w.ref_time() as f64 / 1e6;
	println!("budget per block: {:.1} ms", ms(budget));
	println!("per edge (spread slope): {:.2} µs", us(per_edge));
	println!(
		"per peer per iteration (spread base + damp): {:.1} µs",
		us(Weights::spread(0).saturating_add(Weights::damp()))
	);
	println!("per peer review: {:.1} µs", us(Weights::review()));
	println!(
		"per peer compaction: {:.1} µs kept, {:.1} µs dropped",
		us(Weights::compact_kept()),
		us(Weights::compact())
	);
	println!(
		"trust page: load {:.1} µs, store {:.1} µs; worst step {:.1} ms",
		us(Weights::load_trust_page()),
		us(Weights::store_trust_page()),
		ms(worst_step())
	);
	let iterations = u64::from(DefaultParameters::get().max_iterations);
	for edges in [10_000u64, 100_000, 1_000_000, 10_000_000] {
		let EpochCost { blocks, per_iteration, for_spreading } = epoch_cost(edges, iterations);
		let peers = edges / AVERAGE_DEGREE;
		let per_iteration = per_iteration.ref_time() as f64 / 1e12;
		match blocks {
			Some(blocks) => println!(
				"{edges} edges, {peers} peers: {per_iteration:.2} s of weight per iteration, \
				 {:.0} ms a spreading block for steps, {blocks} blocks ({:.1} h) for \
				 {iterations} iterations",
				ms(for_spreading),
				blocks as f64 * 6.0 / 3600.0,
			),
			None => println!(
				"{edges} edges, {peers} peers: {per_iteration:.2} s of weight per iteration; the \
				 trust-page traffic of a block ({:.0} ms) exceeds its share",
				ms(page_traffic_per_block(peers)),
			),
		}
	}
	let blocks_at =
		|edges| epoch_cost(edges, iterations).blocks.expect("a spreading block has room for steps");
	// The smallest network's epoch fits in the default epoch length.
	let blocks = blocks_at(10_000);
	assert!(blocks <= u64::from(DefaultParameters::get().epoch_length), "{blocks} blocks");
	// A million edges within an hour of blocks, for 30 iterations (6,357 blocks before the
	// trust vector and the member list were paged).
	let blocks = blocks_at(1_000_000);
	assert!(blocks <= 600, "{blocks} blocks at 1,000,000 edges");
	// Ten million edges (a million peers) within 6,000 blocks, as the ledger-at-scale issue asks
	// (14,734 blocks at the weights of 2026-12-04 with pages of 256 entries).
	let blocks = blocks_at(10_000_000);
	assert!(blocks <= 6_000, "{blocks} blocks at 10,000,000 edges");
	// A single worst-case step always fits in the per-block budget, so every epoch progresses.
	assert!(budget.all_gte(worst_step().saturating_add(Weights::on_idle_base())));
}
