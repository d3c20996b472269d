//! Congestion pricing of service: the rule by which a service's reference price follows load.
//!
//! Each service has a reference price. At the end of every pricing period the price moves
//! toward what the period's load asks, as EIP-1559 moves Ethereum's base fee: by
//! `price × (load − target) / target / 8`, so **at most ±12.5% a period** (load above twice the
//! target counts as twice the target), and stays within the governed floor and ceiling. Load at
//! the target leaves the price where it is; no load lowers it by 12.5% a period until the floor.
//! Cole et al. (2003) price congestion by its marginal cost; this is its bounded, decentralised
//! form: nobody sets the price, the load the chain records does, slowly enough that a burst
//! cannot jump it.
//!
//! `next_price` is the rule and [`ServicePrice`] what the chain keeps of a service: the load it
//! reads (units paid through channels at the reference price or more) and the toll that makes
//! fake load cost its makers (the reference price above the floor, burnt from every unit paid).
//! Both are here with no FRAME in them, so they are tested on their own; the payments pallet
//! applies them (docs/payments.md, "Congestion pricing"). The rule and `ServicePrice`'s methods
//! come with the `sp-arithmetic` feature (the pallets'); an app's client reads the types only.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
#[cfg(feature = "sp-arithmetic")]
use sp_arithmetic::{
	helpers_128bit::multiply_by_rational_with_rounding,
	per_things::Rounding,
	traits::{Saturating, UniqueSaturatedInto, Zero},
};

/// The largest step of one period: 1/8 of the price (12.5%).
pub const MAX_STEP_DENOMINATOR: u128 = 8;

/// The governed bounds of a service's reference price, and the load it aims at.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PriceBounds<Balance> {
	/// The least price a unit.
	pub floor: Balance,
	/// The most price a unit.
	pub ceiling: Balance,
	/// The units a period at which the price holds.
	pub target_units: u128,
}

/// The reference price after a period of `load` units, from `price`, within `bounds`.
///
/// Moves by `price × (min(load, 2 × target) − target) / (8 × target)`, rounded down but at
/// least 1 when the load is not at the target, then clamps to `[floor, ceiling]`. A price of zero, or a target of zero, stays at the floor (a zero price
/// could never rise multiplicatively).
#[cfg(feature = "sp-arithmetic")]
pub fn next_price<Balance>(price: Balance, load: u128, bounds: &PriceBounds<Balance>) -> Balance
where
	Balance: Copy + Ord + UniqueSaturatedInto<u128> + TryFrom<u128>,
{
	let floor: u128 = bounds.floor.unique_saturated_into();
	let ceiling: u128 = bounds.ceiling.unique_saturated_into().max(floor);
	let price: u128 = price.unique_saturated_into().clamp(floor, ceiling);
	let target = bounds.target_units;
	let next = if target == 0 || price == 0 {
		floor
	} else {
		let load = load.min(target.saturating_mul(2));
		let denominator = target.saturating_mul(MAX_STEP_DENOMINATOR);
		if load >= target {
			let step = multiply_by_rational_with_rounding(
				price,
				load - target,
				denominator,
				Rounding::Down,
			)
			.unwrap_or(0);
			// At least one unit of price when the load is above the target, so a small price
			// is never stuck (as EIP-1559 raises the base fee by at least 1 wei).
			price.saturating_add(step.max(u128::from(load > target)))
		} else {
			let step = multiply_by_rational_with_rounding(
				price,
				target - load,
				denominator,
				Rounding::Down,
			)
			.unwrap_or(0);
			price.saturating_sub(step.max(1))
		}
	};
	let next = next.clamp(floor, ceiling);
	// `next` lies between floor and ceiling, both of which came from `Balance`.
	Balance::try_from(next).unwrap_or(bounds.ceiling)
}

/// A service's reference price as the chain keeps it: its governed bounds, the price in force
/// and the load of the period so far.
///
/// The price moves once a period ([`ServicePrice::advance`]). Within a period it is fixed, and
/// every unit paid through a channel of the service pays a **toll** of the reference price above
/// the floor ([`ServicePrice::toll`]), burnt, not paid to the provider: the congestion part of
/// the price is a cost to whoever makes the load, so load cannot be faked for nothing. Units count
/// as load only when paid at the reference price or more ([`ServicePrice::record`]): a channel
/// opened cheaper neither raises the price nor escapes the toll below its own price.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ServicePrice<Balance> {
	/// The governed floor, ceiling and target load.
	pub bounds: PriceBounds<Balance>,
	/// The reference price a unit in force this period.
	pub price: Balance,
	/// The units paid at the reference price or more so far this period.
	pub load: u128,
	/// The load of the period that ended last: what set the price in force.
	pub previous_load: u128,
	/// Every toll this service's channels have burnt since it was priced.
	pub tolls: Balance,
}

#[cfg(feature = "sp-arithmetic")]
impl<Balance> ServicePrice<Balance>
where
	Balance: Copy + Ord + UniqueSaturatedInto<u128> + TryFrom<u128> + Saturating,
{
	/// A service priced at its floor, with no load yet.
	pub fn at_floor(bounds: PriceBounds<Balance>) -> Self
	where
		Balance: Zero,
	{
		Self { price: bounds.floor, bounds, load: 0, previous_load: 0, tolls: Zero::zero() }
	}

	/// New bounds for a priced service: the price is kept, within the new bounds, and so is the
	/// period's load.
	pub fn rebound(&mut self, bounds: PriceBounds<Balance>) {
		self.price = self.price.max(bounds.floor).min(bounds.ceiling);
		self.bounds = bounds;
	}

	/// The toll burnt for each unit a channel of `channel_price` pays: the reference price above
	/// the floor, but never more than the channel's own price above the floor. At the floor it is
	/// zero, so an idle service costs nothing beyond its providers' prices.
	pub fn toll(&self, channel_price: Balance) -> Balance {
		channel_price.min(self.price).saturating_sub(self.bounds.floor)
	}

	/// Counts `units` paid at `channel_price` as load, if that is the reference price or more,
	/// and `toll` as burnt.
	pub fn record(&mut self, units: u128, channel_price: Balance, toll: Balance) {
		if channel_price >= self.price {
			self.load = self.load.saturating_add(units);
		}
		self.tolls = self.tolls.saturating_add(toll);
	}

	/// Ends the period: the price follows the period's load ([`next_price`]) and the load
	/// starts again from zero. Returns the load the period saw.
	pub fn advance(&mut self) -> u128 {
		let load = core::mem::take(&mut self.load);
		self.price = next_price(self.price, load, &self.bounds);
		self.previous_load = load;
		load
	}
}

#[cfg(all(test, feature = "sp-arithmetic"))]
mod tests {
	use super::*;

	const BOUNDS: PriceBounds<u128> =
		PriceBounds { floor: 100, ceiling: 1_000_000, target_units: 1_000 };

	#[test]
	fn load_at_the_target_holds_the_price() {
		assert_eq!(next_price(8_000, 1_000, &BOUNDS), 8_000);
	}

	#[test]
	fn a_period_moves_the_price_by_at_most_an_eighth() {
		assert_eq!(next_price(8_000, 2_000, &BOUNDS), 9_000);
		assert_eq!(
			next_price(8_000, u128::MAX, &BOUNDS),
			9_000,
			"a burst counts as twice the target"
		);
		assert_eq!(next_price(8_000, 1_500, &BOUNDS), 8_500);
		assert_eq!(next_price(8_000, 0, &BOUNDS), 7_000);
		assert_eq!(next_price(8_000, 500, &BOUNDS), 7_500);
	}

	#[test]
	fn the_price_stays_within_its_bounds() {
		assert_eq!(next_price(100, 0, &BOUNDS), 100, "the floor");
		assert_eq!(next_price(999_999, 2_000, &BOUNDS), 1_000_000, "the ceiling");
		assert_eq!(next_price(5, 1_000, &BOUNDS), 100, "a price below the floor is raised to it");
		let no_target = PriceBounds { target_units: 0, ..BOUNDS };
		assert_eq!(next_price(8_000, 5, &no_target), 100);
		let zero = PriceBounds { floor: 0, ..BOUNDS };
		assert_eq!(next_price(0, 2_000, &zero), 0, "a zero price cannot rise multiplicatively");
	}

	#[test]
	fn the_toll_is_the_reference_price_above_the_floor_within_the_channel_price() {
		let mut service = ServicePrice::at_floor(BOUNDS);
		assert_eq!(service.toll(5_000), 0, "an idle service at its floor takes no toll");
		service.price = 800;
		assert_eq!(service.toll(5_000), 700);
		assert_eq!(service.toll(300), 200, "a cheaper channel pays its own price above the floor");
		assert_eq!(service.toll(50), 0, "a channel below the floor pays no toll");
	}

	#[test]
	fn only_units_paid_at_the_reference_price_count_as_load() {
		let mut service = ServicePrice { price: 800, ..ServicePrice::at_floor(BOUNDS) };
		service.record(10, 800, 7_000);
		service.record(20, 5_000, 14_000);
		service.record(1_000, 799, 699_000);
		assert_eq!((service.load, service.tolls), (30, 720_000));
		assert_eq!(service.advance(), 30);
		assert_eq!(
			(service.load, service.price),
			(0, 703),
			"30 units against 1,000: down 800 × 970 / 8,000 = 97"
		);
		assert_eq!(service.previous_load, 30);
	}

	#[test]
	fn new_bounds_keep_the_price_within_them() {
		let mut service = ServicePrice { price: 800, load: 7, ..ServicePrice::at_floor(BOUNDS) };
		service.rebound(PriceBounds { floor: 1_000, ceiling: 2_000, target_units: 5 });
		assert_eq!((service.price, service.load), (1_000, 7));
		service.rebound(PriceBounds { floor: 1, ceiling: 10, target_units: 5 });
		assert_eq!(service.price, 10);
	}

	mod properties {
		use super::*;
		use proptest::prelude::*;

		proptest! {
			/// Whatever the loads: the price stays within its bounds, moves by at most an eighth
			/// a period, rises with load above the target and falls below it, and never moves
			/// the other way.
			#[test]
			fn the_price_follows_load_in_bounded_steps(
				floor in 1u128..1_000,
				span in 0u128..1_000_000,
				target in 1u128..1_000_000,
				start in 0u128..2_000_000,
				loads in proptest::collection::vec(0u128..4_000_000, 1..60),
			) {
				let bounds = PriceBounds { floor, ceiling: floor + span, target_units: target };
				let mut price = start.clamp(floor, floor + span);
				for load in loads {
					let next = next_price(price, load, &bounds);
					prop_assert!((bounds.floor..=bounds.ceiling).contains(&next));
					prop_assert!(next.abs_diff(price) <= price / 8 + 1, "{} -> {}", price, next);
					if load > target {
						prop_assert!(next >= price);
					} else if load < target {
						prop_assert!(next <= price);
					} else {
						prop_assert_eq!(next, price);
					}
					price = next;
				}
			}

			/// Sustained load above the target reaches the ceiling, and none returns to the
			/// floor, within a bounded number of periods.
			#[test]
			fn sustained_load_reaches_a_bound(floor in 1u128..1_000, times in 2u128..100) {
				let ceiling = floor * times;
				let bounds = PriceBounds { floor, ceiling, target_units: 10 };
				let mut price = floor;
				// Each period at least an eighth (or one unit): log(times)/log(1.125) + floor.
				for _ in 0..(8 * 64 + floor as usize) {
					price = next_price(price, 20, &bounds);
				}
				prop_assert_eq!(price, ceiling);
				for _ in 0..(8 * 64 + ceiling as usize) {
					price = next_price(price, 0, &bounds);
				}
				prop_assert_eq!(price, floor);
			}
		}
	}
}
