//! The overheads the runtime charges are the benchmarked ones, and each lies in a plausible range.
//!
//! `repute-node benchmark overhead` writes `block_weights.rs` and `extrinsic_weights.rs` with a
//! `#[cfg(test)]` sanity check inside; `scripts/benchmark-pallets.sh` strips it, because a unit test
//! in the runtime library makes `cargo test` compile the whole runtime a second time. The same
//! bounds are checked here, together with what the generated files do not check: that the runtime
//! charges these figures.

use frame_support::{
	dispatch::DispatchClass,
	weights::{constants::WEIGHT_REF_TIME_PER_MICROS, RuntimeDbWeight},
};
use repute_runtime::{
	configs::RuntimeBlockWeights,
	weights::{
		block_weights::BlockExecutionWeight, extrinsic_weights::ExtrinsicBaseWeight,
		paritydb_weights::constants::ParityDbWeight,
	},
	Runtime,
};

fn micros(ref_time: u64) -> f64 {
	ref_time as f64 / WEIGHT_REF_TIME_PER_MICROS as f64
}

#[test]
fn the_benchmarked_overheads_are_plausible() {
	let block = micros(BlockExecutionWeight::get().ref_time());
	assert!((100.0..=50_000.0).contains(&block), "an empty block's execution: {block} µs");

	let extrinsic = micros(ExtrinsicBaseWeight::get().ref_time());
	assert!((10.0..=1_000.0).contains(&extrinsic), "an extrinsic's base: {extrinsic} µs");

	let database = ParityDbWeight::get();
	let (read, write) = (micros(database.read), micros(database.write));
	assert!((1.0..=1_000.0).contains(&read), "a database read: {read} µs");
	assert!((1.0..=1_000.0).contains(&write), "a database write: {write} µs");
	assert!(write >= read, "a write ({write} µs) should not cost less than a read ({read} µs)");
}

#[test]
fn the_runtime_charges_the_benchmarked_overheads() {
	let weights = RuntimeBlockWeights::get();
	assert_eq!(weights.base_block, BlockExecutionWeight::get());
	for class in [DispatchClass::Normal, DispatchClass::Operational, DispatchClass::Mandatory] {
		assert_eq!(weights.get(class).base_extrinsic, ExtrinsicBaseWeight::get(), "{class:?}");
	}
	let charged: RuntimeDbWeight = <Runtime as frame_system::Config>::DbWeight::get();
	assert_eq!(
		(charged.read, charged.write),
		(ParityDbWeight::get().read, ParityDbWeight::get().write)
	);
}
