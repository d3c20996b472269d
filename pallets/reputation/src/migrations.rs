//! Storage migrations of the reputation pallet.

/// Version 2: the stranger policy remembers for `stranger_memory` blocks rather than for an
/// epoch. The parameters gain `stranger_memory` and the policy `halved_at`.
pub mod v2 {
	use crate::{Config, Pallet, Parameters, Strangers};
	use codec::{Decode, Encode};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use repute_primitives::parameters::PartsPerBillion;

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

	/// The parameters as version 2 stored them.
	#[derive(Encode, Decode)]
	pub struct ParametersV2 {
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
		/// See [`ReputationParameters::stranger_memory`].
		pub stranger_memory: u32,
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
			// Written in version 2's layout, which version 3 reads (the runtime's `Migrations`
			// run both, in order).
			let key = Parameters::<T>::hashed_key();
			if let Some(old) = frame_support::storage::unhashed::get::<ParametersV1>(&key) {
				let new = ParametersV2 {
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
				};
				frame_support::storage::unhashed::put(&key, &new);
			}
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

/// Version 3: a newcomer's stranger allowance is released over its first `stranger_release`
/// blocks. The parameters gain `stranger_release` and every peer's record the block it first
/// registered.
pub mod v3 {
	use crate::{Config, Pallet, Parameters};
	use codec::{Decode, Encode};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use repute_primitives::{parameters::ReputationParameters, reputation::Admission};
	use sp_arithmetic::traits::Saturating;

	use super::v2::ParametersV2;
	use crate::types::{PeerIndex, Standing};

	/// A peer's record as version 2 stored it.
	#[derive(Decode)]
	pub struct PeerReputationV2<BlockNumber> {
		/// See [`PeerReputation::index`].
		pub index: PeerIndex,
		/// See [`PeerReputation::service`].
		pub service: u128,
		/// See [`PeerReputation::usage`].
		pub usage: u128,
		/// See [`PeerReputation::updated_at`].
		pub updated_at: BlockNumber,
		/// See [`PeerReputation::standing`].
		pub standing: Standing,
		/// See [`PeerReputation::admission`].
		pub admission: Admission,
		/// See [`PeerReputation::newcomer_outcome_counted`].
		pub newcomer_outcome_counted: bool,
		/// See [`PeerReputation::exhausted_allowance`].
		pub exhausted_allowance: bool,
		/// See [`PeerReputation::listed`].
		pub listed: bool,
	}

	/// A peer's record as versions 3 and 4 stored it.
	#[derive(Encode, Decode)]
	pub struct PeerReputationV3<BlockNumber> {
		/// See [`PeerReputation::index`].
		pub index: PeerIndex,
		/// See [`PeerReputation::service`].
		pub service: u128,
		/// See [`PeerReputation::usage`].
		pub usage: u128,
		/// See [`PeerReputation::updated_at`].
		pub updated_at: BlockNumber,
		/// See [`PeerReputation::standing`].
		pub standing: Standing,
		/// See [`PeerReputation::admission`].
		pub admission: Admission,
		/// See [`PeerReputation::newcomer_outcome_counted`].
		pub newcomer_outcome_counted: bool,
		/// See [`PeerReputation::exhausted_allowance`].
		pub exhausted_allowance: bool,
		/// See [`PeerReputation::listed`].
		pub listed: bool,
		/// See [`PeerReputation::first_registered_at`].
		pub first_registered_at: BlockNumber,
	}

	/// The records as versions 3 and 4 stored them.
	#[frame_support::storage_alias]
	pub type Reputations<T: Config> = StorageMap<
		Pallet<T>,
		frame_support::Blake2_128Concat,
		<T as frame_system::Config>::AccountId,
		PeerReputationV3<BlockNumberFor<T>>,
	>;

	/// Adds the default `stranger_release` to the stored parameters (keeping the rest as
	/// governance set them) and gives every stored record a first registration one whole release
	/// period before the upgrade's block: peers that registered before the upgrade keep their
	/// whole allowance, and only peers that register afterwards have theirs released over time.
	///
	/// It rewrites every record in the upgrade's block: fine for the chains that exist (a dev
	/// chain, a test network of thousands of peers); a chain of 10⁵ peers or more would run it
	/// as a multi-block migration (`pallet-migrations`) instead.
	pub struct UncheckedAddStrangerRelease<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedAddStrangerRelease<T> {
		fn on_runtime_upgrade() -> Weight {
			let stranger_release = T::DefaultParameters::get().stranger_release;
			let released_since: BlockNumberFor<T> =
				frame_system::Pallet::<T>::block_number().saturating_sub(stranger_release.into());
			let _ = Parameters::<T>::translate::<ParametersV2, _>(|old| {
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
					stranger_memory: old.stranger_memory,
					stranger_release,
				})
			});
			let mut records: u64 = 0;
			Reputations::<T>::translate::<PeerReputationV2<BlockNumberFor<T>>, _>(|_, old| {
				records = records.saturating_add(1);
				Some(PeerReputationV3 {
					index: old.index,
					service: old.service,
					usage: old.usage,
					updated_at: old.updated_at,
					standing: old.standing,
					admission: old.admission,
					newcomer_outcome_counted: old.newcomer_outcome_counted,
					exhausted_allowance: old.exhausted_allowance,
					listed: old.listed,
					first_registered_at: released_since,
				})
			});
			T::DbWeight::get().reads_writes(records.saturating_add(1), records.saturating_add(1))
		}
	}

	/// [`UncheckedAddStrangerRelease`], run once: from storage version 2 to 3.
	pub type AddStrangerRelease<T> = VersionedMigration<
		2,
		3,
		UncheckedAddStrangerRelease<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// Version 4: trust pages hold [`TRUST_PAGE_SIZE`] entries (1,024) instead of 256, so that a
/// spreading block loads and writes a quarter as many pages (docs/performance.md, "Global trust
/// epochs").
pub mod v4 {
	use crate::{
		types::{EpochPhase, EpochState, TrustEntry, TRUST_PAGE_SIZE},
		Config, Epoch, Pallet, Published, TrustPages,
	};
	use alloc::{collections::BTreeMap, vec::Vec};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		BoundedVec,
	};

	/// How many entries a trust page held until version 4.
	pub const OLD_TRUST_PAGE_SIZE: u32 = 256;

	/// Re-pages the published trust vector (each peer keeps its entry, so readers see the same
	/// published epoch) and removes the pages of a running epoch's two iterates. An epoch that
	/// was iterating starts its iterations again, over the members it compacted (its iterates
	/// were in the old layout); one compacting or reviewing goes on (compaction reads no trust
	/// page, and review reads the published vector).
	///
	/// It reads and writes every page in the upgrade's block: a page per 256 peers, about 4,000
	/// reads at a million peers, within a block's weight.
	pub struct UncheckedRepageTrust<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedRepageTrust<T> {
		fn on_runtime_upgrade() -> Weight {
			let published = Published::<T>::get();
			let mut reads: u64 = 2;
			let mut pages: BTreeMap<u32, Vec<TrustEntry>> = BTreeMap::new();
			if let Some(published) = &published {
				for (old_page, entries) in TrustPages::<T>::iter_prefix(published.buffer) {
					reads = reads.saturating_add(1);
					let first = old_page.saturating_mul(OLD_TRUST_PAGE_SIZE);
					for (offset, entry) in entries.into_iter().enumerate() {
						let index = first.saturating_add(offset as u32);
						let page = pages.entry(index / TRUST_PAGE_SIZE).or_default();
						let position = (index % TRUST_PAGE_SIZE) as usize;
						if page.len() <= position {
							page.resize(position.saturating_add(1), TrustEntry::default());
						}
						if let Some(slot) = page.get_mut(position) {
							*slot = entry;
						}
					}
				}
			}
			let removed = TrustPages::<T>::clear(u32::MAX, None).unique;
			let written = pages.len() as u64;
			if let Some(published) = &published {
				for (page, entries) in pages {
					TrustPages::<T>::insert(
						published.buffer,
						page,
						BoundedVec::truncate_from(entries),
					);
				}
			}
			let restarted = Epoch::<T>::mutate(|state| match state {
				Some(EpochState::Running(run))
					if matches!(run.phase, EpochPhase::Spread { .. } | EpochPhase::Damp { .. }) =>
				{
					Pallet::<T>::restart_iterations(run);
					true
				}
				_ => false,
			});
			T::DbWeight::get().reads_writes(
				reads,
				written.saturating_add(removed.into()).saturating_add(restarted.into()),
			)
		}
	}

	/// [`UncheckedRepageTrust`], run once: from storage version 3 to 4.
	pub type RepageTrust<T> = VersionedMigration<
		3,
		4,
		UncheckedRepageTrust<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// Version 5: a peer graduates on the service that witnesses (admitted peers and founders)
/// vouched for, not on all of it (docs/reputation.md, "Graduating on allowances alone"). Every
/// record gains `witnessed_service`.
pub mod v5 {
	use crate::{types::PeerReputation, Config, Pallet, Reputations};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use frame_system::pallet_prelude::BlockNumberFor;

	use super::v3::PeerReputationV3;

	/// Counts every stored record's service as witnessed: the chain did not note who vouched for
	/// it, so a peer admitted before the upgrade stays admitted, and one on probation keeps the
	/// progress it made. What colluders vouched for each other before the upgrade decays like
	/// any service (a week's half-life by default); what they vouch afterwards counts only as
	/// credit.
	///
	/// It rewrites every record in the upgrade's block, as version 3 did: fine for the chains
	/// that exist; a chain of 10⁵ peers or more would run it as a multi-block migration.
	pub struct UncheckedWitnessService<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedWitnessService<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut records: u64 = 0;
			Reputations::<T>::translate::<PeerReputationV3<BlockNumberFor<T>>, _>(|_, old| {
				records = records.saturating_add(1);
				Some(PeerReputation {
					index: old.index,
					service: old.service,
					witnessed_service: old.service,
					usage: old.usage,
					updated_at: old.updated_at,
					standing: old.standing,
					admission: old.admission,
					newcomer_outcome_counted: old.newcomer_outcome_counted,
					exhausted_allowance: old.exhausted_allowance,
					listed: old.listed,
					first_registered_at: old.first_registered_at,
				})
			});
			T::DbWeight::get().reads_writes(records, records)
		}
	}

	/// [`UncheckedWitnessService`], run once: from storage version 4 to 5.
	pub type WitnessService<T> = VersionedMigration<
		4,
		5,
		UncheckedWitnessService<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
