//! Benchmarks of the payments pallet (FRAME benchmarks v2). `scripts/benchmark-pallets.sh` runs
//! them and writes `weights.rs`. Each is the worst case of its call: the consumer's and the
//! provider's accounts and the consumer's hold exist and are read and written, and a payment
//! burns a toll (its service is priced above its floor) as well as paying the provider.

use super::*;
use crate::Pallet as Payments;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::RawOrigin;
use pallet_receipts::OnReceiptRecorded;
use repute_primitives::{
	pricing::{PriceBounds, ServicePrice},
	ServiceId,
};
use sp_runtime::{traits::One, SaturatedConversion, Saturating};

/// The price of the benchmarks' channels: twice the reference price's floor.
fn price<T: Config>() -> BalanceOf<T> {
	2u32.into()
}

/// Prices `service` at the channels' price, above a floor of one, so that every unit paid at it
/// burns a toll and counts as load.
fn priced<T: Config>(service: ServiceId) {
	let bounds = PriceBounds { floor: One::one(), ceiling: 1_000u32.into(), target_units: 1_000 };
	Prices::<T>::insert(
		service,
		ServicePrice { price: price::<T>(), load: 1, ..ServicePrice::at_floor(bounds) },
	);
}

/// An escrow of 1,000 times the least one (and at least 1,000 existential deposits).
fn escrow<T: Config>() -> BalanceOf<T> {
	Parameters::<T>::get()
		.minimum_escrow
		.max(T::Currency::minimum_balance())
		.saturating_mul(1_000u32.into())
}

/// A funded account: ten escrows and an existential deposit.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who = account::<T::AccountId>(name, index, 0);
	let funds =
		escrow::<T>().saturating_mul(10u32.into()).saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, funds);
	who
}

/// A consumer with an open channel to a provider for service 0, priced, at the reference price,
/// holding an escrow for it (and for another channel, so its hold is shared).
fn open<T: Config>() -> (T::AccountId, T::AccountId) {
	priced::<T>(0);
	let consumer = funded::<T>("consumer", 0);
	let provider = funded::<T>("provider", 0);
	let other = funded::<T>("provider", 1);
	for to in [&other, &provider] {
		Payments::<T>::open_channel(
			RawOrigin::Signed(consumer.clone()).into(),
			to.clone(),
			0,
			price::<T>(),
			escrow::<T>(),
		)
		.expect("a funded consumer opens a channel");
	}
	(consumer, provider)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn open_channel() {
		let consumer = funded::<T>("consumer", 0);
		let provider = funded::<T>("provider", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(consumer.clone()), provider.clone(), 0, One::one(), escrow::<T>());
		assert!(Channels::<T>::contains_key((&consumer, &provider, 0)));
	}

	/// The top-up pays units the escrow could not cover: the worst case burns a toll and moves
	/// funds to the provider as well as holding more.
	#[benchmark]
	fn top_up() {
		let (consumer, provider) = open::<T>();
		let affordable = escrow::<T>() / price::<T>();
		let units: u128 = affordable.saturated_into::<u128>().saturating_add(10);
		Payments::<T>::on_receipt_recorded(&provider, &consumer, 0, units, units, One::one());
		assert_eq!(
			Payments::<T>::channel(&consumer, &provider, 0).map(|c| c.units_unpaid),
			Some(10)
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(consumer.clone()), provider.clone(), 0, escrow::<T>());
		assert_eq!(
			Payments::<T>::channel(&consumer, &provider, 0).map(|c| c.units_unpaid),
			Some(0)
		);
	}

	#[benchmark]
	fn close_channel() {
		let (consumer, provider) = open::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(consumer.clone()), provider.clone(), 0);
		assert!(
			Payments::<T>::channel(&consumer, &provider, 0).is_some_and(|c| c.closes_at.is_some())
		);
	}

	/// Settled by a third party after the challenge period: the longest path.
	#[benchmark]
	fn settle_channel() {
		let (consumer, provider) = open::<T>();
		Payments::<T>::close_channel(
			RawOrigin::Signed(consumer.clone()).into(),
			provider.clone(),
			0,
		)
		.expect("an open channel closes");
		let after = frame_system::Pallet::<T>::block_number()
			.saturating_add(Parameters::<T>::get().challenge_period);
		frame_system::Pallet::<T>::set_block_number(after);
		let anyone = funded::<T>("anyone", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(anyone), consumer.clone(), provider.clone(), 0);
		assert!(Payments::<T>::channel(&consumer, &provider, 0).is_none());
	}

	#[benchmark]
	fn set_parameters() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let mut new = Parameters::<T>::get();
		new.challenge_period = new.challenge_period.saturating_add(One::one());
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new.clone());
		assert_eq!(Parameters::<T>::get(), new);
		Ok(())
	}

	/// A recorded receipt paying through an open channel: the channel and its service's price read
	/// and written, the toll burnt from the consumer's hold and the rest moved to the provider.
	/// The price item is whitelisted: a block reads and writes it in the database once, however
	/// many receipts pay at that price, and `on_initialize` charges that (`pricing.rs`).
	#[benchmark]
	fn pay_on_receipt() {
		let (consumer, provider) = open::<T>();
		frame_benchmarking::benchmarking::add_to_whitelist(Prices::<T>::hashed_key_for(0).into());
		#[block]
		{
			Payments::<T>::on_receipt_recorded(&provider, &consumer, 0, 1_000, 1_000, One::one());
		}
		assert_eq!(
			Payments::<T>::channel(&consumer, &provider, 0).map(|c| c.units_paid),
			Some(1_000)
		);
		assert_eq!(Prices::<T>::get(0).map(|priced| priced.load), Some(1_001));
	}

	/// Pricing a service already priced: the price is read, kept within the new bounds and
	/// written.
	#[benchmark]
	fn set_price_bounds() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		priced::<T>(0);
		let bounds = PriceBounds { floor: 3u32.into(), ceiling: 1_000u32.into(), target_units: 5 };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0, Some(bounds));
		assert_eq!(Prices::<T>::get(0).map(|priced| priced.price), Some(3u32.into()));
		Ok(())
	}

	/// The start of a pricing period with `s` priced services, each with load to count.
	#[benchmark]
	fn advance_prices(s: Linear<0, { T::MaxServices::get() }>) {
		for service in 0..s {
			priced::<T>(service);
		}
		let period = Parameters::<T>::get().price_period;
		#[block]
		{
			Payments::<T>::on_price_period(period);
		}
		for service in 0..s {
			assert_eq!(Prices::<T>::get(service).map(|priced| priced.load), Some(0));
		}
	}

	impl_benchmark_test_suite!(Payments, crate::mock::new_test_ext(), crate::mock::Test);
}
