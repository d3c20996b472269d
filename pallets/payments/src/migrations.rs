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
