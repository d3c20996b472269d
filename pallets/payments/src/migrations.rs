//! Storage migrations of the payments pallet.

/// Version 1: the parameters gain `price_period`, the length of a pricing period.
pub mod v1 {
	use crate::{Config, Pallet, Parameters};
	use codec::Decode;
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use repute_primitives::payments::PaymentParameters;

	/// The parameters as version 0 stored them.
	#[derive(Decode)]
	pub struct ParametersV0<Balance, BlockNumber> {
		/// The least escrow a channel opens with.
		pub minimum_escrow: Balance,
		/// Blocks from `close_channel` to the earliest settlement.
		pub challenge_period: BlockNumber,
	}

	/// Adds the default `price_period` to stored parameters, keeping the rest as governance set
	/// it. A chain that never set parameters stores none and needs nothing.
	pub struct UncheckedAddPricePeriod<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedAddPricePeriod<T> {
		fn on_runtime_upgrade() -> Weight {
			let price_period = T::DefaultParameters::get().price_period;
			let _ = Parameters::<T>::translate::<ParametersV0<_, _>, _>(|old| {
				old.map(|old| PaymentParameters {
					minimum_escrow: old.minimum_escrow,
					challenge_period: old.challenge_period,
					price_period,
				})
			});
			T::DbWeight::get().reads_writes(1, 1)
		}
	}

	/// [`UncheckedAddPricePeriod`], run once: from storage version 0 to 1.
	pub type AddPricePeriod<T> = VersionedMigration<
		0,
		1,
		UncheckedAddPricePeriod<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// Version 2: the reference prices are counted, so that a block is charged the database accesses
/// of exactly the priced services (`pricing.rs`).
pub mod v2 {
	use crate::{Config, Pallet, Prices};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};

	/// Counts the stored reference prices: at most `MaxServices` items, each read once.
	pub struct UncheckedCountPrices<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedCountPrices<T> {
		fn on_runtime_upgrade() -> Weight {
			let services = Prices::<T>::initialize_counter();
			T::DbWeight::get().reads_writes(u64::from(services), 1)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			frame_support::ensure!(
				Prices::<T>::count() as usize == Prices::<T>::iter_keys().count(),
				"the price counter does not count the prices"
			);
			Ok(())
		}
	}

	/// [`UncheckedCountPrices`], run once: from storage version 1 to 2.
	pub type CountPrices<T> = VersionedMigration<
		1,
		2,
		UncheckedCountPrices<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
