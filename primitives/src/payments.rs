//! Payment channels on receipts: what a channel holds and what a recorded receipt pays.
//!
//! A consumer opens a channel to a provider for one service, with an escrow held from its
//! balance and a price per unit fixed at opening. Every receipt of that (provider, consumer,
//! service) that the chain records while the channel is open pays the provider for the receipt's
//! new units (`delta`), from the escrow: the receipt that builds shared history is also the
//! payment voucher, so one submission does both. Units the escrow cannot cover are kept as
//! `units_unpaid` and paid first by the next top-up.
//!
//! The guarantee a provider relies on: **every unit recorded while the channel is open is paid
//! once, at the channel's price, as long as the escrow lasts** (never twice, because the chain
//! records each unit of a pair once; never more than the escrow). The guarantee a consumer relies
//! on: **the channel never pays more than `price` for a unit, nor more than the escrow in
//! all; what it does not pay returns to the consumer when the channel is settled.**
//! [`Channel::pay`] is that rule, with no FRAME in it, so it is tested on its own.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// One payment channel: a consumer's escrow for one provider and one service.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Channel<Balance, BlockNumber> {
	/// What one unit of the service costs, fixed when the channel opened.
	pub price: Balance,
	/// What is still held from the consumer for this channel, not yet paid.
	pub escrow: Balance,
	/// Everything the channel has paid the provider so far.
	pub paid: Balance,
	/// The units the channel has paid for so far.
	pub units_paid: u128,
	/// Units recorded while the channel was open that the escrow could not cover: the next
	/// top-up pays them first.
	pub units_unpaid: u128,
	/// The block the channel opened in.
	pub opened_at: BlockNumber,
	/// Set once the consumer has asked to close: receipts recorded before this block still pay,
	/// and from this block on anyone may settle the channel (the rest of the escrow returns to
	/// the consumer).
	pub closes_at: Option<BlockNumber>,
}

/// What one payment moved: `units` at the channel's price, for `amount` in all.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Payment<Balance> {
	/// The units paid for.
	pub units: u128,
	/// What the provider was paid for them (`units × price`).
	pub amount: Balance,
}

/// The arithmetic a channel does on its amounts: unsigned integers, saturating. Implemented for
/// `u32`, `u64` and `u128` (the runtime's balance) without `sp-arithmetic`, so that an app's
/// client computes what a channel pays with the same code the chain runs.
pub trait Amount: Copy + PartialOrd {
	/// Nothing.
	fn zero() -> Self;
	/// Whether it is nothing.
	fn is_nothing(&self) -> bool;
	/// `self + other`, at most the type's largest value.
	fn plus(self, other: Self) -> Self;
	/// `self − other`, at least nothing.
	fn minus(self, other: Self) -> Self;
	/// `self × other`, at most the type's largest value.
	fn times(self, other: Self) -> Self;
	/// How many whole `price`s `self` holds (`price` is not nothing), at most `u128::MAX`.
	fn units_at(self, price: Self) -> u128;
	/// `units` as an amount, at most the type's largest value.
	fn from_units(units: u128) -> Self;
}

macro_rules! amount {
	($($unsigned:ty),*) => {$(
		impl Amount for $unsigned {
			fn zero() -> Self {
				0
			}
			fn is_nothing(&self) -> bool {
				*self == 0
			}
			fn plus(self, other: Self) -> Self {
				self.saturating_add(other)
			}
			fn minus(self, other: Self) -> Self {
				self.saturating_sub(other)
			}
			fn times(self, other: Self) -> Self {
				self.saturating_mul(other)
			}
			fn units_at(self, price: Self) -> u128 {
				u128::from(self.checked_div(price).unwrap_or(0))
			}
			fn from_units(units: u128) -> Self {
				Self::try_from(units).unwrap_or(Self::MAX)
			}
		}
	)*};
}

amount!(u32, u64, u128);

impl<Balance: Amount, BlockNumber: PartialOrd + Copy> Channel<Balance, BlockNumber> {
	/// A channel opened at block `now`, with `escrow` held and `price` per unit.
	pub fn open(price: Balance, escrow: Balance, now: BlockNumber) -> Self {
		Self {
			price,
			escrow,
			paid: Balance::zero(),
			units_paid: 0,
			units_unpaid: 0,
			opened_at: now,
			closes_at: None,
		}
	}

	/// Whether a receipt recorded at block `now` is paid by this channel: it is open, or asked
	/// to close at a later block.
	pub fn pays_at(&self, now: BlockNumber) -> bool {
		self.closes_at.is_none_or(|closes_at| now < closes_at)
	}

	/// Pays for `new_units` more units (a recorded receipt's delta, or nothing when a top-up
	/// pays what is unpaid): the units already unpaid first, then the new ones, each at
	/// `price`, as far as the escrow covers them. Moves the amount from `escrow` to `paid` and
	/// returns the payment; what the escrow cannot cover is added to `units_unpaid`.
	///
	/// Never pays more than the escrow, nor more than `price` a unit, and never fails: the
	/// counters saturate at `u128::MAX` units, which no escrow can pay for.
	pub fn pay(&mut self, new_units: u128) -> Payment<Balance> {
		let due = self.units_unpaid.saturating_add(new_units);
		let affordable: u128 = if self.price.is_nothing() {
			// A free channel (not something the pallet opens) pays nothing and owes nothing.
			due
		} else {
			self.escrow.units_at(self.price)
		};
		let units = due.min(affordable);
		let amount = self.price.times(Balance::from_units(units));
		// `units ≤ escrow / price`, so `amount ≤ escrow`; saturating all the same.
		self.escrow = self.escrow.minus(amount);
		self.paid = self.paid.plus(amount);
		self.units_paid = self.units_paid.saturating_add(units);
		self.units_unpaid = due.saturating_sub(units);
		Payment { units, amount }
	}

	/// The pair's cumulative units through which this channel pays, given `recorded_units`, the
	/// units the chain had recorded for the pair in the same state the channel was read from: a
	/// provider that keeps its served units at or below this is paid for every one of them, as
	/// long as the channel is not closing.
	///
	/// It is `recorded_units + escrow / price − units_unpaid`, and a recorded receipt does not
	/// move it (its delta moves from the escrow's reach to `units_paid`, or to `units_unpaid`):
	/// only a top-up raises it. So a provider may read it from any recent state, and a stale
	/// read errs on the side of serving less. `None` for a free channel, which pays nothing.
	pub fn pays_through(&self, recorded_units: u128) -> Option<u128> {
		if self.price.is_nothing() {
			return None;
		}
		let affordable: u128 = self.escrow.units_at(self.price);
		Some(recorded_units.saturating_add(affordable).saturating_sub(self.units_unpaid))
	}
}

/// The governance-set parameters of payment channels.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PaymentParameters<Balance, BlockNumber> {
	/// The least escrow a channel opens with: what each channel's storage costs its consumer
	/// at least, so that channels cannot be opened for nothing.
	pub minimum_escrow: Balance,
	/// Blocks between a consumer's request to close a channel and the settlement: the window in
	/// which the provider submits its newest receipt and is paid for it.
	pub challenge_period: BlockNumber,
	/// Blocks in a pricing period: every service with a reference price moves it once a period,
	/// after the load the period saw (`pricing::next_price`).
	pub price_period: BlockNumber,
}

#[cfg(test)]
mod tests {
	use super::*;

	proptest::proptest! {
		// An amount's arithmetic is what `sp_arithmetic`'s `BaseArithmetic` did for the chain
		// before the channel rule stopped depending on it (so an app's client needs no
		// `sp-arithmetic`): saturating, and conversions saturating at the type's bounds.
		#[test]
		fn amounts_saturate_as_sp_arithmetic_does(a: u64, b: u64, wide: u128, narrow: u32) {
			use sp_arithmetic::traits::{Saturating, UniqueSaturatedFrom, UniqueSaturatedInto};
			proptest::prop_assert_eq!(a.plus(b), Saturating::saturating_add(a, b));
			proptest::prop_assert_eq!(a.minus(b), Saturating::saturating_sub(a, b));
			proptest::prop_assert_eq!(a.times(b), Saturating::saturating_mul(a, b));
			let as_u64 = u64::unique_saturated_from(wide);
			proptest::prop_assert_eq!(<u64 as Amount>::from_units(wide), as_u64);
			let as_u32 = u32::unique_saturated_from(wide);
			proptest::prop_assert_eq!(<u32 as Amount>::from_units(wide), as_u32);
			proptest::prop_assert_eq!(<u128 as Amount>::from_units(wide), wide);
			if let Some(quotient) = a.checked_div(b) {
				let units: u128 = quotient.unique_saturated_into();
				proptest::prop_assert_eq!(a.units_at(b), units);
			}
			let price = u128::from(narrow);
			if let Some(quotient) = wide.checked_div(price) {
				proptest::prop_assert_eq!(wide.units_at(price), quotient);
			}
			proptest::prop_assert_eq!(a.is_nothing(), a == 0);
			proptest::prop_assert_eq!(<u128 as Amount>::zero(), 0);
		}
	}

	type TestChannel = Channel<u128, u32>;

	#[test]
	fn a_receipt_pays_its_new_units_at_the_price() {
		let mut channel = TestChannel::open(3, 100, 1);
		assert_eq!(channel.pay(10), Payment { units: 10, amount: 30 });
		assert_eq!((channel.escrow, channel.paid, channel.units_paid), (70, 30, 10));
		assert_eq!(channel.units_unpaid, 0);
	}

	#[test]
	fn what_the_escrow_cannot_cover_stays_unpaid_until_a_top_up() {
		let mut channel = TestChannel::open(3, 100, 1);
		// 40 units cost 120; the escrow covers 33 of them (99), and 1 is left in escrow.
		assert_eq!(channel.pay(40), Payment { units: 33, amount: 99 });
		assert_eq!((channel.escrow, channel.units_unpaid), (1, 7));
		// A top-up of 50: the 7 unpaid units are paid first.
		channel.escrow += 50;
		assert_eq!(channel.pay(0), Payment { units: 7, amount: 21 });
		assert_eq!((channel.escrow, channel.units_unpaid, channel.units_paid), (30, 0, 40));
	}

	#[test]
	fn a_channel_pays_until_it_closes() {
		let mut channel = TestChannel::open(1, 10, 1);
		assert!(channel.pays_at(1_000));
		channel.closes_at = Some(50);
		assert!(channel.pays_at(49));
		assert!(!channel.pays_at(50));
	}

	#[test]
	fn huge_counts_saturate_instead_of_overflowing() {
		let mut channel = TestChannel::open(u128::MAX, u128::MAX, 1);
		assert_eq!(channel.pay(u128::MAX), Payment { units: 1, amount: u128::MAX });
		assert_eq!((channel.escrow, channel.units_unpaid), (0, u128::MAX - 1));
		assert_eq!(channel.pay(u128::MAX), Payment { units: 0, amount: 0 });
		assert_eq!(channel.units_unpaid, u128::MAX);
	}

	#[test]
	fn a_channel_pays_through_what_is_recorded_plus_what_its_escrow_covers() {
		// 1,000 units recorded when read; 100 of escrow at 3 a unit covers 33 more.
		let mut channel = TestChannel::open(3, 100, 1);
		assert_eq!(channel.pays_through(1_000), Some(1_033));
		// 40 more recorded: 33 paid, 7 unpaid; the channel pays through no further than before.
		channel.pay(40);
		assert_eq!(channel.pays_through(1_040), Some(1_033));
		// A top-up of 30 (escrow 31, 10 units' worth) pays the 7 and covers 3 more: 10 in all.
		channel.escrow += 30;
		channel.pay(0);
		assert_eq!(channel.pays_through(1_040), Some(1_043));
		assert_eq!(TestChannel::open(0, 100, 1).pays_through(5), None);
	}

	mod properties {
		use super::*;
		use proptest::prelude::*;

		proptest! {
			/// Whatever the receipts and top-ups: the provider is paid exactly `price` for each
			/// unit paid for, never more than was escrowed in all; escrowed = paid + escrow; and
			/// every unit recorded is either paid for or still unpaid, never both, never lost.
			#[test]
			fn paid_plus_unpaid_is_what_was_recorded_and_escrow_is_conserved(
				price in 1u128..1_000,
				opening in 0u128..100_000,
				steps in proptest::collection::vec((0u128..500, 0u128..5_000), 0..40),
			) {
				let mut channel = TestChannel::open(price, opening, 1);
				let (mut escrowed, mut recorded, mut paid) = (opening, 0u128, 0u128);
				for (units, top_up) in steps {
					recorded += units;
					paid += channel.pay(units).amount;
					escrowed += top_up;
					channel.escrow += top_up;
					paid += channel.pay(0).amount;
					prop_assert_eq!(channel.paid, paid);
					prop_assert_eq!(channel.paid, channel.units_paid * price);
					prop_assert_eq!(channel.paid + channel.escrow, escrowed);
					prop_assert_eq!(channel.units_paid + channel.units_unpaid, recorded);
					// Unpaid units remain only when the escrow cannot pay for one more.
					prop_assert!(channel.units_unpaid == 0 || channel.escrow < price);
				}
			}

			/// What a provider reads: the units a channel pays through do not move when receipts
			/// are recorded (whatever their deltas, covered or not), rise by exactly what a
			/// top-up covers, and every unit recorded at or below them is paid for.
			#[test]
			fn recorded_receipts_do_not_move_what_a_channel_pays_through(
				price in 1u128..1_000,
				opening in 0u128..100_000,
				already in 0u128..1_000_000,
				steps in proptest::collection::vec((0u128..500, 0u128..5_000), 0..40),
			) {
				let mut channel = TestChannel::open(price, opening, 1);
				let mut recorded = already;
				let mut through = channel.pays_through(recorded).unwrap();
				for (units, top_up) in steps {
					recorded += units;
					channel.pay(units);
					prop_assert_eq!(channel.pays_through(recorded).unwrap(), through);
					if recorded <= through {
						prop_assert_eq!(channel.units_unpaid, 0);
					}
					let covered_before = channel.escrow / price;
					channel.escrow += top_up;
					let covered = channel.escrow / price - covered_before;
					channel.pay(0);
					through += covered;
					prop_assert_eq!(channel.pays_through(recorded).unwrap(), through);
				}
			}
		}
	}
}
