//! Where reference prices advance: once every `price_period` blocks, in `on_initialize`, each
//! priced service's reference price follows the load its period saw
//! ([`repute_primitives::pricing::ServicePrice::advance`]) and the next period starts from no
//! load. The toll and the load themselves are taken where a channel pays (`Pallet::pay`).
//!
//! ## What a block is charged for prices
//!
//! Every paid receipt reads its service's price item (which may not exist: the service may be
//! unpriced) and, if it exists, writes it. A block reads each item from the database at most once
//! and writes it at most once (at the block's commit), however many receipts pay for that
//! service, and there are at most [`Config::MaxServices`] services. So a paid receipt is charged
//! only its compute (`pay_on_receipt` is benchmarked with the item already in the block's
//! overlay), and `on_initialize` charges every block a read for every service a receipt can name
//! and a write for every priced one: [`Pallet::price_items_weight`].

use crate::{Config, Event, Pallet, Parameters, Prices, WeightInfo};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::Weight, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Zero;

impl<T: Config> Pallet<T> {
	/// Advances every priced service's reference price if block `now` starts a pricing period
	/// (its number is a multiple of `price_period`); returns the weight used.
	pub(crate) fn on_price_period(now: BlockNumberFor<T>) -> Weight {
		let read = T::DbWeight::get().reads(1);
		let period = Parameters::<T>::get().price_period;
		if period.is_zero() || !(now % period).is_zero() {
			return read;
		}
		// `Prices` holds at most `MaxServices` entries (`set_price_bounds` and the genesis check
		// the service); the bound is kept here all the same.
		let priced: Vec<_> = Prices::<T>::iter().take(T::MaxServices::get() as usize).collect();
		let services = priced.len() as u32;
		for (service, mut price) in priced {
			let load = price.advance();
			Prices::<T>::insert(service, &price);
			Self::deposit_event(Event::ReferencePriceUpdated { service, load, price: price.price });
		}
		// The benchmark weighs this whole function, the `Parameters` read included.
		T::WeightInfo::advance_prices(services)
	}

	/// The database accesses of the price items in one block, the most its paid receipts can
	/// make whatever their number: counting the priced services (one read), then a read for
	/// every service a receipt can name, priced or not, and a write for every priced one.
	pub fn price_items_weight() -> Weight {
		let priced = u64::from(Prices::<T>::count().min(T::MaxServices::get()));
		let services = u64::from(T::MaxServices::get());
		T::DbWeight::get().reads_writes(services.saturating_add(1), priced)
	}
}
