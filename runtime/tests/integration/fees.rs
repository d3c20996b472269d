//! Transaction fees follow load (`TargetedFeeAdjustment`): the fee multiplier rises while blocks
//! are more than a quarter full, falls back as they empty, and never drops below one, the fees
//! the benchmarked weights set.

use frame_support::dispatch::DispatchClass;
use pallet_transaction_payment::Multiplier;
use repute_runtime::{configs::RuntimeBlockWeights, Runtime, System};
use sp_runtime::{
	traits::{Convert, One},
	FixedPointNumber,
};

type FeeMultiplierUpdate = <Runtime as pallet_transaction_payment::Config>::FeeMultiplierUpdate;

/// The multiplier after `blocks` blocks whose normal class each used `percent` of its capacity,
/// from `previous`.
fn after_blocks(blocks: u32, percent: u64, previous: Multiplier) -> Multiplier {
	sp_io::TestExternalities::default().execute_with(|| {
		let capacity = RuntimeBlockWeights::get()
			.get(DispatchClass::Normal)
			.max_total
			.expect("the normal class is limited");
		System::set_block_consumed_resources(capacity.saturating_mul(percent) / 100, 0);
		(0..blocks).fold(previous, |multiplier, _| FeeMultiplierUpdate::convert(multiplier))
	})
}

#[test]
fn fees_rise_with_full_blocks_and_fall_back_to_the_weights() {
	let one = Multiplier::one();
	// Blocks a quarter full keep fees where they are.
	assert_eq!(after_blocks(1, 25, one), one);
	// Full blocks raise them, a little each block...
	let raised = after_blocks(1, 100, one);
	assert!(raised > one, "{raised:?}");
	assert!(raised < Multiplier::saturating_from_rational(10_001, 10_000), "{raised:?}");
	// ... and about 2.2 times over a day (14,400 blocks) of blocks that are all full.
	let day = after_blocks(14_400, 100, one);
	assert!(day > Multiplier::saturating_from_rational(2, 1), "{day:?}");
	assert!(day < Multiplier::saturating_from_rational(3, 1), "{day:?}");
	// Empty blocks bring them back down, but never below the weights' fees.
	assert!(after_blocks(1, 0, day) < day);
	assert_eq!(after_blocks(1_000, 0, raised), one);
	assert_eq!(after_blocks(100_000, 0, day), one);
}
