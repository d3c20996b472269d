//! Storage migrations of the reputation pallet.

/// Version 2: the stranger policy remembers for `stranger_memory` blocks rather than for an
/// epoch. The parameters gain `stranger_memory` and the policy `halved_at`.
pub mod v2 {
	use crate::{Config, Pallet, Parameters, Strangers};
	use codec::Decode;
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use repute_primitives::parameters::{PartsPerBillion, ReputationParameters};

	use crate::types::StrangerPolicy;

	/// The parameters as version 1 stored them.
	#[derive(Decode)]
	pub struct ParametersV1 {
		/// See [`ReputationParameters::service_half_life`].
		pub service_half_life: u32,
		/// See [`ReputationParameters::usage_half_life`].
		pub usage_half_life: u32,
		/// See [`ReputationParameters::epoch_length`].
		pub epoch_length: u32,
		/// See [`ReputationParameters::damping`].
		pub damping: PartsPerBillion,
		/// See [`ReputationParameters::max_iterations`].
		pub max_iterations: u32,
		/// See [`ReputationParameters::tolerance`].
		pub tolerance: PartsPerBillion,
		/// See [`ReputationParameters::epoch_block_share`].
		pub epoch_block_share: PartsPerBillion,
		/// See [`ReputationParameters::usage_allowance_percent`].
		pub usage_allowance_percent: u32,
		/// See [`ReputationParameters::graduation_service`].
		pub graduation_service: u128,
		/// See [`ReputationParameters::stranger_allowance_min`].
		pub stranger_allowance_min: u128,
		/// See [`ReputationParameters::stranger_allowance_max`].
		pub stranger_allowance_max: u128,
		/// See [`ReputationParameters::subjective_neighbours`].
		pub subjective_neighbours: u32,
		/// See [`ReputationParameters::subjective_scale`].
		pub subjective_scale: u128,
	}

	/// The stranger policy as version 1 stored it.
	#[derive(Decode)]
	pub struct StrangerPolicyV1 {
		/// See [`StrangerPolicy::allowance`].
		pub allowance: u128,
		/// See [`StrangerPolicy::reciprocated`].
		pub reciprocated: u32,
		/// See [`StrangerPolicy::defected`].
		pub defected: u32,
	}

	/// Adds the default `stranger_memory` to the stored parameters (keeping the rest as
	/// governance set them), and starts the stranger policy's memory at the upgrade's block
	/// (keeping its allowance and counts).
	pub struct UncheckedAddStrangerMemory<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedAddStrangerMemory<T> {
		fn on_runtime_upgrade() -> Weight {
			let stranger_memory = T::DefaultParameters::get().stranger_memory;
			let _ = Parameters::<T>::translate::<ParametersV1, _>(|old| {
				old.map(|old| ReputationParameters {
					service_half_life: old.service_half_life,
					usage_half_life: old.usage_half_life,
					epoch_length: old.epoch_length,
					damping: old.damping,
					max_iterations: old.max_iterations,
					tolerance: old.tolerance,
					epoch_block_share: old.epoch_block_share,
					usage_allowance_percent: old.usage_allowance_percent,
					graduation_service: old.graduation_service,
					stranger_allowance_min: old.stranger_allowance_min,
					stranger_allowance_max: old.stranger_allowance_max,
					subjective_neighbours: old.subjective_neighbours,
					subjective_scale: old.subjective_scale,
					stranger_memory,
				})
			});
			let now = frame_system::Pallet::<T>::block_number();
			let _ = Strangers::<T>::translate::<StrangerPolicyV1, _>(|old| {
				old.map(|old| StrangerPolicy {
					allowance: old.allowance,
					reciprocated: old.reciprocated,
					defected: old.defected,
					halved_at: now,
				})
			});
			T::DbWeight::get().reads_writes(2, 2)
		}
	}

	/// [`UncheckedAddStrangerMemory`], run once: from storage version 1 to 2.
	pub type AddStrangerMemory<T> = VersionedMigration<
		1,
		2,
		UncheckedAddStrangerMemory<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
