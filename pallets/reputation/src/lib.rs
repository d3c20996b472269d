//! # Reputation pallet: Repute's reputation and admission control
//!
//! Turns the shared history recorded by `pallet-receipts` into reputation that resists
//! collusion and Sybils, and into an admission decision for every peer that the chain itself
//! computes. `docs/reputation.md` gives the maths with a worked example.
//!
//! ## Terminology
//!
//! - **Service and usage reputation** (Kung & Wu): what a peer gave and what it took, each
//!   decaying exponentially with a governance-set half-life. Decay is applied lazily, in fixed
//!   point, when a peer's record is next touched: an idle peer costs nothing.
//! - **Trust-weighted service**: service only counts in proportion to the global trust of whoever
//!   received it ([`maths::trust_weight`]), so serving one's own Sybils earns nothing.
//! - **Local trust**: the providers a consumer received service from, with decayed units, capped
//!   at [`Config::MaxPartners`] (the largest kept).
//! - **Global trust**: an EigenTrust vector over the local-trust graph, damped towards the
//!   pre-trusted peers, computed in bounded steps in `on_idle` and published once per epoch,
//!   atomically: readers always see a completed epoch.
//! - **Subjective trust**: a target's net service flow to a viewer over the graph limited to two
//!   hops (a max-flow, as in BarterCast), computed on demand by [`Pallet::subjective_trust`].
//! - **Admission**: admitted, on probation (a newcomer living on its stranger allowance), or
//!   denied with a reason; updated whenever a peer's reputation changes and at every epoch.
//! - **Stranger allowance**: the usage a newcomer may have before it must give service back. It
//!   adapts (Feldman et al.): it shrinks when recent newcomers mostly took without giving and
//!   grows when they reciprocated, within governance-set bounds.
//!
//! ## Dispatchables
//!
//! - [`Pallet::set_parameters`] ([`Config::GovernanceOrigin`]): replace the parameters.
//! - [`Pallet::set_pretrusted`] ([`Config::GovernanceOrigin`]): replace the pre-trusted peers.
//! - [`Pallet::refresh_admission`] (signed, anyone): re-decide one peer's admission now, for
//!   example once its usage has decayed, instead of waiting for the next epoch.
//!
//! The pallet listens to `pallet-receipts` through [`pallet_receipts::OnReceiptRecorded`] and
//! [`pallet_receipts::PeerLifecycle`]; it never reads that pallet's storage.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

pub mod admission;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod maths;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{pallet_prelude::*, weights::WeightMeter};
	use frame_system::pallet_prelude::*;
	use sp_arithmetic::{
		traits::{Saturating, UniqueSaturatedInto, Zero},
		FixedPointNumber, FixedU128, Perbill,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	/// The number of trust buffers: the published vector and the two iterates of a running epoch.
	pub(crate) const BUFFERS: BufferId = 3;

	/// A running epoch as this chain's types fill it.
	pub type EpochRunOf<T> =
		EpochRun<BlockNumberFor<T>, <T as Config>::MaxPreTrusted, <T as Config>::MaxTopPeers>;

	/// The epoch state as this chain's types fill it.
	pub type EpochStateOf<T> =
		EpochState<BlockNumberFor<T>, <T as Config>::MaxPreTrusted, <T as Config>::MaxTopPeers>;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Who may set parameters and pre-trusted peers (root in the dev runtime).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The most providers a consumer's local trust keeps (the largest by decayed units).
		#[pallet::constant]
		type MaxPartners: Get<u32>;

		/// The most pre-trusted peers governance may name.
		#[pallet::constant]
		type MaxPreTrusted: Get<u32>;

		/// How many of the most trusted peers each epoch ranks for `top_peers`.
		#[pallet::constant]
		type MaxTopPeers: Get<u32>;

		/// The parameters of a chain whose genesis sets none.
		type DefaultParameters: Get<ReputationParameters>;

		/// Weights of this pallet's calls and steps, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// The governance-set parameters of reputation and admission.
	#[pallet::storage]
	pub type Parameters<T: Config> =
		StorageValue<_, ReputationParameters, ValueQuery, T::DefaultParameters>;

	/// The peers global trust is damped towards; empty means uniformly towards everyone.
	#[pallet::storage]
	pub type PreTrusted<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxPreTrusted>, ValueQuery>;

	/// Every peer's reputation and admission decision.
	#[pallet::storage]
	pub type Reputations<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, PeerReputation<BlockNumberFor<T>>>;

	/// Which account holds each trust-vector index.
	#[pallet::storage]
	pub type PeerAt<T: Config> = StorageMap<_, Twox64Concat, PeerIndex, T::AccountId>;

	/// How many indices have been assigned.
	#[pallet::storage]
	pub type PeerCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Each consumer's local trust: its providers and the decayed units they gave it.
	#[pallet::storage]
	pub type Providers<T: Config> =
		StorageMap<_, Twox64Concat, PeerIndex, LocalTrust<BlockNumberFor<T>, T::MaxPartners>>;

	/// Three trust vectors by buffer: the published one and a running epoch's two iterates.
	/// An entry counts only for the iteration its stamp names.
	#[pallet::storage]
	pub type TrustBuffers<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BufferId,
		Twox64Concat,
		PeerIndex,
		TrustEntry,
		ValueQuery,
	>;

	/// The latest completed epoch's global trust vector: what readers see.
	#[pallet::storage]
	pub type Published<T: Config> = StorageValue<_, PublishedTrust<BlockNumberFor<T>>>;

	/// Where the epoch computation stands.
	#[pallet::storage]
	pub type Epoch<T: Config> = StorageValue<_, EpochStateOf<T>>;

	/// The most trusted peers of the latest reviewed epoch, best first.
	#[pallet::storage]
	pub type TopPeers<T: Config> = StorageValue<_, TopList<T::MaxTopPeers>>;

	/// The stranger allowance newcomers get now, and how recent newcomers behaved.
	#[pallet::storage]
	pub type Strangers<T: Config> = StorageValue<_, StrangerPolicy, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The parameters at genesis; `None` keeps [`Config::DefaultParameters`].
		pub parameters: Option<ReputationParameters>,
		/// The pre-trusted peers at genesis.
		pub pretrusted: Vec<T::AccountId>,
		/// A synthetic population with its local trust and a published uniform trust vector,
		/// for speed benchmarks (the `rpc-bench` preset); `None` on real chains.
		pub synthetic: Option<repute_primitives::synthetic::SyntheticHistory>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let parameters = self.parameters.clone().unwrap_or_else(T::DefaultParameters::get);
			assert!(
				Pallet::<T>::validate_parameters(&parameters).is_ok(),
				"genesis reputation parameters are invalid"
			);
			let pretrusted = BoundedVec::<_, T::MaxPreTrusted>::try_from(self.pretrusted.clone())
				.expect("too many genesis pre-trusted peers");
			assert!(Pallet::<T>::has_no_duplicates(&pretrusted), "duplicate pre-trusted peer");
			Parameters::<T>::put(&parameters);
			PreTrusted::<T>::put(pretrusted);
			Strangers::<T>::put(StrangerPolicy {
				allowance: parameters.stranger_allowance_max,
				..Default::default()
			});
			Epoch::<T>::put(EpochState::Idle { next_epoch_at: parameters.epoch_length.into() });
			if let Some(history) = self.synthetic {
				Pallet::<T>::build_synthetic(history, &parameters);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `peer`'s admission changed from `old` to `new`.
		AdmissionChanged { peer: T::AccountId, old: Admission, new: Admission },
		/// Epoch `epoch` started computing global trust over `peers` peers.
		EpochStarted { epoch: u32, peers: u32 },
		/// Epoch `epoch`'s global trust is published: `iterations` run, with an L1 `residual`
		/// between the last two iterates (18 decimals).
		EpochPublished { epoch: u32, peers: u32, iterations: u32, residual: FixedU128 },
		/// The stranger allowance moved from `old` to `new` units, after `reciprocated` recent
		/// newcomers graduated and `defected` used up their allowance.
		StrangerAllowanceAdjusted { old: u128, new: u128, reciprocated: u32, defected: u32 },
		/// Governance replaced the parameters `old` with `new`.
		ParametersSet { old: ReputationParameters, new: ReputationParameters },
		/// Governance replaced the pre-trusted peers `old` with `new`.
		PreTrustedSet {
			old: BoundedVec<T::AccountId, T::MaxPreTrusted>,
			new: BoundedVec<T::AccountId, T::MaxPreTrusted>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A parameter is out of range; the variant names which one.
		InvalidParameter(ParameterError),
		/// A peer appears twice in the pre-trusted list.
		DuplicatePreTrusted,
		/// The account has no reputation record (it never registered).
		UnknownPeer,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Advances the global-trust epoch with the block's spare weight, at most
		/// `epoch_block_share` of a block, and returns the weight it used.
		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::advance_epoch(now, remaining)
		}

		fn integrity_test() {
			assert!(T::MaxPartners::get() > 0, "MaxPartners must be at least one");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Replace the reputation and admission parameters. A running epoch keeps the damping,
		/// iteration limit and tolerance it started with; a shorter epoch length brings the next
		/// epoch forward; the stranger allowance is moved into the new bounds at once.
		///
		/// Origin: [`Config::GovernanceOrigin`].
		/// Emits [`Event::ParametersSet`] with the old and new values.
		///
		/// ## Complexity
		/// O(1).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(origin: OriginFor<T>, new: ReputationParameters) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::validate_parameters(&new).map_err(Error::<T>::InvalidParameter)?;
			let old = Parameters::<T>::get();
			Parameters::<T>::put(&new);
			// A shorter epoch length applies to the epoch being waited for, too.
			if let Some(EpochState::Idle { next_epoch_at }) = Epoch::<T>::get() {
				let sooner = frame_system::Pallet::<T>::block_number()
					.saturating_add(new.epoch_length.into());
				if sooner < next_epoch_at {
					Epoch::<T>::put(EpochState::Idle { next_epoch_at: sooner });
				}
			}
			Strangers::<T>::mutate(|policy| {
				policy.allowance =
					policy.allowance.clamp(new.stranger_allowance_min, new.stranger_allowance_max)
			});
			Self::deposit_event(Event::ParametersSet { old, new });
			Ok(())
		}

		/// Replace the pre-trusted peers: global trust is damped towards them from the next
		/// epoch on. Naming none damps towards everyone, which gives up Sybil resistance.
		///
		/// Origin: [`Config::GovernanceOrigin`].
		/// Emits [`Event::PreTrustedSet`] with the old and new lists.
		///
		/// ## Complexity
		/// O(n²) in the list's length (at most [`Config::MaxPreTrusted`]), to refuse duplicates.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_pretrusted(peers.len() as u32))]
		pub fn set_pretrusted(
			origin: OriginFor<T>,
			peers: BoundedVec<T::AccountId, T::MaxPreTrusted>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(Self::has_no_duplicates(&peers), Error::<T>::DuplicatePreTrusted);
			let old = PreTrusted::<T>::get();
			PreTrusted::<T>::put(&peers);
			Self::deposit_event(Event::PreTrustedSet { old, new: peers });
			Ok(())
		}

		/// Decay `peer`'s reputation to now and decide its admission again, without waiting for
		/// the next epoch's review: a denied peer whose usage has decayed is readmitted at once.
		///
		/// Origin: signed, by anyone.
		/// Emits [`Event::AdmissionChanged`] if the decision changes.
		///
		/// ## Complexity
		/// O(1).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::refresh_admission())]
		pub fn refresh_admission(origin: OriginFor<T>, peer: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			let record = Reputations::<T>::get(&peer).ok_or(Error::<T>::UnknownPeer)?;
			let parameters = Parameters::<T>::get();
			let now = frame_system::Pallet::<T>::block_number();
			Self::store(&peer, Self::decayed(record, now, &parameters), &parameters);
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Refuses parameters out of range, naming the first offending one.
		pub fn validate_parameters(p: &ReputationParameters) -> Result<(), ParameterError> {
			use ParameterError::*;
			let checks = [
				(p.service_half_life >= 1, ServiceHalfLife),
				(p.usage_half_life >= 1, UsageHalfLife),
				(p.epoch_length >= 1, EpochLength),
				(
					p.damping >= Perbill::from_percent(50)
						&& p.damping <= Perbill::from_percent(95),
					Damping,
				),
				((1..=1_000).contains(&p.max_iterations), MaxIterations),
				(!p.tolerance.is_zero(), Tolerance),
				(
					p.epoch_block_share >= Perbill::from_percent(1)
						&& p.epoch_block_share <= Perbill::from_percent(75),
					EpochBlockShare,
				),
				((1..=100_000).contains(&p.usage_allowance_percent), UsageAllowancePercent),
				(p.stranger_allowance_min <= p.stranger_allowance_max, StrangerAllowanceBounds),
				(
					(1..=T::MaxPartners::get()).contains(&p.subjective_neighbours),
					SubjectiveNeighbours,
				),
				(p.subjective_scale > 0, SubjectiveScale),
			];
			checks.into_iter().find(|(ok, _)| !ok).map_or(Ok(()), |(_, error)| Err(error))
		}

		fn has_no_duplicates(peers: &[T::AccountId]) -> bool {
			peers.iter().enumerate().all(|(i, peer)| !peers[..i].contains(peer))
		}

		/// `peer`'s reputation decayed to now (not written), or `None` if it never registered.
		pub fn reputation_of(peer: &T::AccountId) -> Option<PeerReputation<BlockNumberFor<T>>> {
			let record = Reputations::<T>::get(peer)?;
			let now = frame_system::Pallet::<T>::block_number();
			Some(Self::decayed(record, now, &Parameters::<T>::get()))
		}

		/// `peer`'s global trust in the latest published epoch, with that epoch's number, or
		/// `None` before the first epoch or for a peer that joined after it started.
		pub fn global_trust_of(peer: &T::AccountId) -> Option<(FixedU128, u32)> {
			let published = Published::<T>::get()?;
			let index = Reputations::<T>::get(peer)?.index;
			(index < published.peers)
				.then(|| (Self::published_value(&published, index), published.epoch))
		}

		/// `peer`'s admission, optionally from `viewer`'s point of view, as of now.
		///
		/// Without a viewer it is the chain's decision, decayed to now. With one, a peer
		/// that is not banned and holds a bond is admitted if it gave the viewer's neighbourhood
		/// more than it took (positive subjective net flow), denied if it took more than its
		/// stranger allowance beyond what it gave, and otherwise gets the chain's decision.
		/// Peers that never registered are denied (`NotRegistered`).
		pub fn admission_for(peer: &T::AccountId, viewer: Option<&T::AccountId>) -> Admission {
			let Some(record) = Self::reputation_of(peer) else {
				return Admission::Denied(DenialReason::NotRegistered);
			};
			let global = admission::decide_record(&record, &Parameters::<T>::get());
			let Some(viewer) = viewer else { return global };
			if record.standing != Standing::Registered {
				return global;
			}
			let seen = Self::subjective_trust(viewer, peer);
			if seen.flow_to_viewer > seen.flow_from_viewer {
				Admission::Admitted
			} else if seen.flow_from_viewer.saturating_sub(seen.flow_to_viewer) > record.allowance {
				Admission::Denied(DenialReason::UsageExceedsService)
			} else {
				global
			}
		}

		/// Up to `limit` of the most trusted peers of the latest reviewed epoch, from rank
		/// `start` (0 is the most trusted), with that epoch's number.
		pub fn top_peers(start: u32, limit: u32) -> (u32, Vec<(T::AccountId, FixedU128)>) {
			let Some(list) = TopPeers::<T>::get() else { return (0, Vec::new()) };
			let peers = list
				.peers
				.into_iter()
				.skip(start as usize)
				.take(limit as usize)
				.filter_map(|(index, trust)| PeerAt::<T>::get(index).map(|a| (a, trust)))
				.collect();
			(list.epoch, peers)
		}

		/// The storage keys `peer`'s reputation is computed from: its record, the parameters,
		/// the published epoch and its entry in it. A client checks them against a block's
		/// state root.
		pub fn report_keys(peer: &T::AccountId) -> Vec<Vec<u8>> {
			let mut keys = alloc::vec![
				Reputations::<T>::hashed_key_for(peer),
				Parameters::<T>::hashed_key().to_vec(),
				Published::<T>::hashed_key().to_vec(),
			];
			if let (Some(record), Some(published)) =
				(Reputations::<T>::get(peer), Published::<T>::get())
			{
				keys.push(TrustBuffers::<T>::hashed_key_for(published.buffer, record.index));
			}
			keys
		}

		/// Writes a synthetic population: records (service and usage of its partners' units),
		/// local trust, and a published uniform trust vector. Genesis only.
		fn build_synthetic(
			history: repute_primitives::synthetic::SyntheticHistory,
			parameters: &ReputationParameters,
		) {
			use repute_primitives::synthetic::{account, provider};
			let partners = history.partners.min(history.peers.saturating_sub(1));
			let total = history.units.saturating_mul(u128::from(partners));
			let now = frame_system::Pallet::<T>::block_number();
			for index in 0..history.peers {
				let peer = T::AccountId::decode(&mut &account(index)[..])
					.expect("32-byte accounts decode");
				let Some(mut record) = Self::record_or_new(&peer, now) else { return };
				record.service = total;
				record.usage = total;
				Self::store(&peer, record, parameters);
				let providers = (0..partners)
					.map(|k| (provider(index, k, history.peers), history.units))
					.collect::<Vec<_>>();
				Providers::<T>::insert(
					index,
					LocalTrust { updated_at: now, providers: BoundedVec::truncate_from(providers) },
				);
				TrustBuffers::<T>::insert(
					0,
					index,
					TrustEntry {
						stamp: 1,
						value: FixedU128::saturating_from_rational(1u32, history.peers.max(1)),
					},
				);
			}
			Published::<T>::put(PublishedTrust {
				epoch: 0,
				buffer: 0,
				stamp: 1,
				peers: history.peers,
				damping: parameters.damping,
				iterations: 0,
				residual: FixedU128::zero(),
				published_at: now,
			});
		}

		// ----- listening to shared history -----

		/// `provider` gave `consumer` `delta` more units: credit the provider's service weighted
		/// by the consumer's trust, charge the consumer's usage, update the consumer's local
		/// trust, and decide both peers' admission again.
		pub(crate) fn note_service(
			provider: &T::AccountId,
			consumer: &T::AccountId,
			delta: u128,
			now: BlockNumberFor<T>,
		) {
			let parameters = Parameters::<T>::get();
			let Some(consumer_record) = Self::record_or_new(consumer, now) else { return };
			let Some(provider_record) = Self::record_or_new(provider, now) else { return };
			let weight = Self::trust_weight_of(consumer, consumer_record.index);
			let mut provider_record = Self::decayed(provider_record, now, &parameters);
			let mut consumer_record = Self::decayed(consumer_record, now, &parameters);
			provider_record.service =
				provider_record.service.saturating_add(weight.mul_floor(delta));
			consumer_record.usage = consumer_record.usage.saturating_add(delta);
			Self::note_provider(
				consumer_record.index,
				provider_record.index,
				delta,
				now,
				&parameters,
			);
			Self::store(provider, provider_record, &parameters);
			Self::store(consumer, consumer_record, &parameters);
		}

		/// Sets `peer`'s standing (creating its record if it has none) and decides again.
		pub(crate) fn note_standing(peer: &T::AccountId, standing: Standing) {
			let now = frame_system::Pallet::<T>::block_number();
			let parameters = Parameters::<T>::get();
			let Some(record) = Self::record_or_new(peer, now) else { return };
			let mut record = Self::decayed(record, now, &parameters);
			record.standing = standing;
			Self::store(peer, record, &parameters);
		}

		/// `peer`'s record, or a new one (with a fresh index and the current stranger allowance)
		/// if it has none. `None` only once every index is taken.
		fn record_or_new(
			peer: &T::AccountId,
			now: BlockNumberFor<T>,
		) -> Option<PeerReputation<BlockNumberFor<T>>> {
			if let Some(record) = Reputations::<T>::get(peer) {
				return Some(record);
			}
			let index = PeerCount::<T>::get();
			let Some(next) = index.checked_add(1) else {
				frame_support::defensive!("every peer index is taken");
				return None;
			};
			PeerCount::<T>::put(next);
			PeerAt::<T>::insert(index, peer);
			Some(PeerReputation {
				index,
				service: 0,
				usage: 0,
				updated_at: now,
				allowance: Strangers::<T>::get().allowance,
				standing: Standing::Registered,
				admission: Admission::Probation,
				newcomer_outcome_counted: false,
			})
		}

		/// `record` with service and usage decayed to `now`.
		fn decayed(
			mut record: PeerReputation<BlockNumberFor<T>>,
			now: BlockNumberFor<T>,
			parameters: &ReputationParameters,
		) -> PeerReputation<BlockNumberFor<T>> {
			let elapsed: u32 = now.saturating_sub(record.updated_at).unique_saturated_into();
			record.service = maths::decay(record.service, elapsed, parameters.service_half_life);
			record.usage = maths::decay(record.usage, elapsed, parameters.usage_half_life);
			record.updated_at = record.updated_at.max(now);
			record
		}

		/// Decides `record`'s admission, emits the change if there is one, counts a newcomer's
		/// way out of probation for the stranger policy, and stores the record.
		fn store(
			peer: &T::AccountId,
			mut record: PeerReputation<BlockNumberFor<T>>,
			parameters: &ReputationParameters,
		) {
			let new = admission::decide_record(&record, parameters);
			let old = record.admission;
			if new != old {
				if !record.newcomer_outcome_counted {
					if let Some(outcome) = admission::newcomer_outcome(old, new) {
						record.newcomer_outcome_counted = true;
						Strangers::<T>::mutate(|policy| match outcome {
							admission::NewcomerOutcome::Reciprocated => {
								policy.reciprocated = policy.reciprocated.saturating_add(1)
							}
							admission::NewcomerOutcome::Defected => {
								policy.defected = policy.defected.saturating_add(1)
							}
						});
					}
				}
				record.admission = new;
				Self::deposit_event(Event::AdmissionChanged { peer: peer.clone(), old, new });
			}
			Reputations::<T>::insert(peer, record);
		}

		/// Adds `delta` units from `provider` to `consumer`'s local trust, decaying the
		/// existing entries first. When the list is full, the new provider replaces the smallest
		/// entry if it is larger, and is left out otherwise.
		fn note_provider(
			consumer: PeerIndex,
			provider: PeerIndex,
			delta: u128,
			now: BlockNumberFor<T>,
			parameters: &ReputationParameters,
		) {
			let mut local = Providers::<T>::get(consumer)
				.unwrap_or(LocalTrust { updated_at: now, providers: BoundedVec::new() });
			let elapsed: u32 = now.saturating_sub(local.updated_at).unique_saturated_into();
			if elapsed > 0 {
				maths::decay_all(
					local.providers.iter_mut().map(|(_, units)| units),
					elapsed,
					parameters.service_half_life,
				);
				local.providers.retain(|(_, units)| *units > 0);
				local.updated_at = now;
			}
			if let Some((_, units)) = local.providers.iter_mut().find(|(p, _)| *p == provider) {
				*units = units.saturating_add(delta);
			} else if local.providers.try_push((provider, delta)).is_err() {
				if let Some(smallest) = local.providers.iter_mut().min_by_key(|(_, units)| *units) {
					if smallest.1 < delta {
						*smallest = (provider, delta);
					}
				}
			}
			Providers::<T>::insert(consumer, local);
		}

		/// How much service to `consumer` counts: its weight in the published trust vector, or
		/// before the first epoch, full for pre-trusted peers (for everyone if none is named).
		fn trust_weight_of(consumer: &T::AccountId, index: PeerIndex) -> Perbill {
			match Published::<T>::get() {
				Some(published) => maths::trust_weight(
					Self::published_value(&published, index),
					published.peers,
					published.damping,
				),
				None => {
					let pretrusted = PreTrusted::<T>::get();
					if pretrusted.is_empty() || pretrusted.contains(consumer) {
						Perbill::one()
					} else {
						Perbill::zero()
					}
				}
			}
		}

		fn published_value(
			published: &PublishedTrust<BlockNumberFor<T>>,
			index: PeerIndex,
		) -> FixedU128 {
			if index >= published.peers {
				return FixedU128::zero();
			}
			let entry = TrustBuffers::<T>::get(published.buffer, index);
			if entry.stamp == published.stamp {
				entry.value
			} else {
				FixedU128::zero()
			}
		}

		// ----- subjective trust -----

		/// `target`'s reputation in `viewer`'s eyes: the decayed service that flowed between them
		/// over paths of at most two hops, each way, through at most `subjective_neighbours`
		/// intermediaries (the largest partners first), and the net flow as a score.
		///
		/// Read-only; costs at most `2 · (subjective_neighbours + 1)` storage reads.
		pub fn subjective_trust(viewer: &T::AccountId, target: &T::AccountId) -> SubjectiveTrust {
			let (Some(viewer), Some(target)) =
				(Reputations::<T>::get(viewer), Reputations::<T>::get(target))
			else {
				return SubjectiveTrust::default();
			};
			let parameters = Parameters::<T>::get();
			let now = frame_system::Pallet::<T>::block_number();
			let flow_to_viewer = Self::two_hop_flow(target.index, viewer.index, now, &parameters);
			let flow_from_viewer = Self::two_hop_flow(viewer.index, target.index, now, &parameters);
			SubjectiveTrust {
				flow_to_viewer,
				flow_from_viewer,
				score_ppb: maths::subjective_score(
					flow_to_viewer,
					flow_from_viewer,
					parameters.subjective_scale,
				),
			}
		}

		/// Decayed units `source` gave `sink`, directly or through one intermediary.
		fn two_hop_flow(
			source: PeerIndex,
			sink: PeerIndex,
			now: BlockNumberFor<T>,
			parameters: &ReputationParameters,
		) -> u128 {
			if source == sink {
				return 0;
			}
			let mut into_sink = Self::decayed_providers(sink, now, parameters);
			let direct = into_sink.iter().find(|(p, _)| *p == source).map_or(0, |(_, u)| *u);
			into_sink.retain(|(p, _)| *p != source);
			into_sink.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
			into_sink.truncate(parameters.subjective_neighbours as usize);
			let via: Vec<(u128, u128)> = into_sink
				.into_iter()
				.map(|(intermediary, to_sink)| {
					let from_source = Self::decayed_providers(intermediary, now, parameters)
						.into_iter()
						.find(|(p, _)| *p == source)
						.map_or(0, |(_, u)| u);
					(from_source, to_sink)
				})
				.collect();
			maths::two_hop_flow(direct, &via)
		}

		/// `consumer`'s providers with their units decayed to `now`.
		fn decayed_providers(
			consumer: PeerIndex,
			now: BlockNumberFor<T>,
			parameters: &ReputationParameters,
		) -> Vec<(PeerIndex, u128)> {
			let Some(local) = Providers::<T>::get(consumer) else { return Vec::new() };
			let elapsed: u32 = now.saturating_sub(local.updated_at).unique_saturated_into();
			let mut providers = local.providers.into_inner();
			maths::decay_all(
				providers.iter_mut().map(|(_, units)| units),
				elapsed,
				parameters.service_half_life,
			);
			providers
		}

		// ----- the epoch computation -----

		/// The most weight one block may spend on the epoch: `epoch_block_share` of a block.
		pub fn epoch_budget(parameters: &ReputationParameters) -> Weight {
			let max_block = <T as frame_system::Config>::BlockWeights::get().max_block;
			Weight::from_parts(
				parameters.epoch_block_share.mul_floor(max_block.ref_time()),
				parameters.epoch_block_share.mul_floor(max_block.proof_size()),
			)
		}

		/// Runs as many steps of the epoch computation as `remaining` and the epoch budget
		/// allow, each step metered at its benchmarked worst case, and returns the weight used.
		pub(crate) fn advance_epoch(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let base = T::WeightInfo::on_idle_base();
			if !remaining.all_gte(base) {
				return Weight::zero();
			}
			let parameters = Parameters::<T>::get();
			let mut meter = WeightMeter::with_limit(remaining.min(Self::epoch_budget(&parameters)));
			if meter.try_consume(base).is_err() {
				return Weight::zero();
			}
			let mut state = Epoch::<T>::get()
				.unwrap_or(EpochState::Idle { next_epoch_at: parameters.epoch_length.into() });
			let spread = T::WeightInfo::spread(T::MaxPartners::get());
			let settle = T::WeightInfo::settle();
			let finish = T::WeightInfo::finish_iteration();
			let review = T::WeightInfo::review();
			let start = T::WeightInfo::start_epoch(T::MaxPreTrusted::get());
			loop {
				let step = match &state {
					EpochState::Idle { next_epoch_at } if now < *next_epoch_at => break,
					EpochState::Idle { .. } => start,
					EpochState::Running(run) => match run.phase {
						EpochPhase::Spread { next } if next < run.peers => spread,
						EpochPhase::Settle { next } if next < run.peers => settle,
						EpochPhase::Review { next } if next < run.peers => review,
						_ => finish,
					},
				};
				if meter.try_consume(step).is_err() {
					break;
				}
				state = match state {
					EpochState::Idle { .. } => Self::start_epoch(now, &parameters),
					EpochState::Running(run) => Self::step(run, now, &parameters),
				};
			}
			Epoch::<T>::put(state);
			meter.consumed()
		}

		/// Starts an epoch over every peer indexed so far, or waits another epoch if there are
		/// none.
		pub(crate) fn start_epoch(
			now: BlockNumberFor<T>,
			parameters: &ReputationParameters,
		) -> EpochStateOf<T> {
			let peers = PeerCount::<T>::get();
			if peers == 0 {
				return EpochState::Idle {
					next_epoch_at: now.saturating_add(parameters.epoch_length.into()),
				};
			}
			let mut pretrusted: Vec<PeerIndex> = PreTrusted::<T>::get()
				.iter()
				.filter_map(|account| Reputations::<T>::get(account).map(|r| r.index))
				.collect();
			pretrusted.sort_unstable();
			pretrusted.dedup();
			let published = Published::<T>::get();
			let epoch = published.as_ref().map_or(0, |p| p.epoch.saturating_add(1));
			let stamp = published.as_ref().map_or(1, |p| p.stamp.wrapping_add(1));
			let published_buffer = published.as_ref().map(|p| p.buffer);
			let current = Self::free_buffer(published_buffer, None);
			let pretrusted = BoundedVec::truncate_from(pretrusted);
			let count = pretrusted.len() as u32;
			// The damping distribution sums to one share per pre-trusted peer (per peer if none).
			let previous_total = maths::prior_share(peers, count, true).saturating_mul(
				FixedU128::saturating_from_integer(if count == 0 { peers } else { count }),
			);
			Self::deposit_event(Event::EpochStarted { epoch, peers });
			EpochState::Running(EpochRun {
				epoch,
				started_at: now,
				peers,
				damping: parameters.damping,
				max_iterations: parameters.max_iterations,
				tolerance: FixedU128::from_perbill(parameters.tolerance),
				pretrusted,
				iteration: 0,
				phase: EpochPhase::Spread { next: 0 },
				previous: None,
				current,
				published: published_buffer,
				stamp,
				previous_total,
				current_total: FixedU128::zero(),
				distributed: FixedU128::zero(),
				residual: FixedU128::zero(),
				top: BoundedVec::new(),
			})
		}

		/// The lowest buffer that is neither `a` nor `b`.
		fn free_buffer(a: Option<BufferId>, b: Option<BufferId>) -> BufferId {
			(0..BUFFERS).find(|id| Some(*id) != a && Some(*id) != b).unwrap_or(0)
		}

		/// One step of a running epoch.
		pub(crate) fn step(
			mut run: EpochRunOf<T>,
			now: BlockNumberFor<T>,
			parameters: &ReputationParameters,
		) -> EpochStateOf<T> {
			match run.phase {
				EpochPhase::Spread { next } if next < run.peers => {
					Self::spread_from(&mut run, next);
					run.phase = EpochPhase::Spread { next: next.saturating_add(1) };
				}
				EpochPhase::Spread { .. } => run.phase = EpochPhase::Settle { next: 0 },
				EpochPhase::Settle { next } if next < run.peers => {
					Self::settle_peer(&mut run, next);
					run.phase = EpochPhase::Settle { next: next.saturating_add(1) };
				}
				EpochPhase::Settle { .. } => Self::finish_iteration(&mut run, now),
				EpochPhase::Review { next } if next < run.peers => {
					if let Some(peer) = PeerAt::<T>::get(next) {
						if let Some(record) = Reputations::<T>::get(&peer) {
							Self::store(&peer, Self::decayed(record, now, parameters), parameters);
						}
					}
					let entry = TrustBuffers::<T>::get(run.current, next);
					if entry.stamp == run.stamp {
						insert_ranked(&mut run.top, (next, entry.value));
					}
					run.phase = EpochPhase::Review { next: next.saturating_add(1) };
				}
				EpochPhase::Review { .. } => {
					TopPeers::<T>::put(TopList { epoch: run.epoch, peers: run.top });
					Self::adapt_strangers(parameters);
					let next_epoch_at = run
						.started_at
						.saturating_add(parameters.epoch_length.into())
						.max(now.saturating_add(1u32.into()));
					return EpochState::Idle { next_epoch_at };
				}
			}
			EpochState::Running(run)
		}

		/// The damping distribution's share for `peer` in `run`.
		fn prior(run: &EpochRunOf<T>, peer: PeerIndex) -> FixedU128 {
			maths::prior_share(
				run.peers,
				run.pretrusted.len() as u32,
				run.pretrusted.binary_search(&peer).is_ok(),
			)
		}

		/// `peer`'s value in the last iterate.
		fn previous_value(run: &EpochRunOf<T>, peer: PeerIndex) -> FixedU128 {
			match run.previous {
				None => Self::prior(run, peer),
				Some(buffer) => {
					let entry = TrustBuffers::<T>::get(buffer, peer);
					if entry.stamp == run.stamp.wrapping_sub(1) {
						entry.value
					} else {
						FixedU128::zero()
					}
				}
			}
		}

		/// Consumer `consumer` passes its trust to its providers, in proportion to the units each
		/// gave it.
		pub(crate) fn spread_from(run: &mut EpochRunOf<T>, consumer: PeerIndex) {
			let trust = Self::previous_value(run, consumer);
			if trust.is_zero() {
				return;
			}
			let Some(local) = Providers::<T>::get(consumer) else { return };
			let total = local
				.providers
				.iter()
				.filter(|(p, _)| *p < run.peers)
				.fold(0u128, |sum, (_, units)| sum.saturating_add(*units));
			if total == 0 {
				return;
			}
			run.distributed = run.distributed.saturating_add(trust);
			for (provider, units) in local.providers.iter().filter(|(p, _)| *p < run.peers) {
				let passed = maths::pass_on(trust, *units, total);
				TrustBuffers::<T>::mutate(run.current, provider, |entry| {
					if entry.stamp != run.stamp {
						*entry = TrustEntry { stamp: run.stamp, value: FixedU128::zero() };
					}
					entry.value = entry.value.saturating_add(passed);
				});
			}
		}

		/// Damps `peer`'s accumulated trust into its final value for this iteration.
		pub(crate) fn settle_peer(run: &mut EpochRunOf<T>, peer: PeerIndex) {
			let entry = TrustBuffers::<T>::get(run.current, peer);
			let accumulated =
				if entry.stamp == run.stamp { entry.value } else { FixedU128::zero() };
			let dangling = run.previous_total.saturating_sub(run.distributed);
			let value = maths::settle(accumulated, dangling, Self::prior(run, peer), run.damping);
			TrustBuffers::<T>::insert(run.current, peer, TrustEntry { stamp: run.stamp, value });
			run.residual = run
				.residual
				.saturating_add(maths::distance(value, Self::previous_value(run, peer)));
			run.current_total = run.current_total.saturating_add(value);
		}

		/// Ends an iteration: publishes the epoch if it converged or ran out of iterations, and
		/// starts the next iteration in the free buffer otherwise.
		pub(crate) fn finish_iteration(run: &mut EpochRunOf<T>, now: BlockNumberFor<T>) {
			run.iteration = run.iteration.saturating_add(1);
			if run.residual <= run.tolerance || run.iteration >= run.max_iterations {
				Published::<T>::put(PublishedTrust {
					epoch: run.epoch,
					buffer: run.current,
					stamp: run.stamp,
					peers: run.peers,
					damping: run.damping,
					iterations: run.iteration,
					residual: run.residual,
					published_at: now,
				});
				Self::deposit_event(Event::EpochPublished {
					epoch: run.epoch,
					peers: run.peers,
					iterations: run.iteration,
					residual: run.residual,
				});
				run.phase = EpochPhase::Review { next: 0 };
			} else {
				run.previous = Some(run.current);
				run.current = Self::free_buffer(run.published, Some(run.current));
				run.stamp = run.stamp.wrapping_add(1);
				run.previous_total = run.current_total;
				run.current_total = FixedU128::zero();
				run.distributed = FixedU128::zero();
				run.residual = FixedU128::zero();
				run.phase = EpochPhase::Spread { next: 0 };
			}
		}

		/// Moves the stranger allowance by how recent newcomers behaved.
		fn adapt_strangers(parameters: &ReputationParameters) {
			let old = Strangers::<T>::get();
			let new = admission::adapt_stranger_policy(old, parameters);
			if new.allowance != old.allowance {
				Self::deposit_event(Event::StrangerAllowanceAdjusted {
					old: old.allowance,
					new: new.allowance,
					reciprocated: old.reciprocated,
					defected: old.defected,
				});
			}
			Strangers::<T>::put(new);
		}

		/// Checks the pallet's invariants: indices and records agree, local trust stays within
		/// the indexed peers, and the published vector is never a running epoch's buffer.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let count = PeerCount::<T>::get();
			for (account, record) in Reputations::<T>::iter() {
				ensure!(record.index < count, "a record's index is not assigned");
				ensure!(
					PeerAt::<T>::get(record.index).as_ref() == Some(&account),
					"an index points at another account"
				);
			}
			for (consumer, local) in Providers::<T>::iter() {
				ensure!(consumer < count, "local trust of an unassigned index");
				ensure!(
					local.providers.iter().all(|(p, _)| *p < count && *p != consumer),
					"local trust names an unassigned index or the consumer itself"
				);
			}
			if let (Some(published), Some(EpochState::Running(run))) =
				(Published::<T>::get(), Epoch::<T>::get())
			{
				if matches!(run.phase, EpochPhase::Review { .. }) {
					// The epoch under review is the published one.
					return Ok(());
				}
				ensure!(
					run.current != published.buffer,
					"a running epoch writes the published buffer"
				);
				ensure!(
					run.previous != Some(published.buffer),
					"a running epoch reads the published buffer"
				);
			}
			Ok(())
		}
	}

	impl<T: Config> pallet_receipts::OnReceiptRecorded<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
		fn on_receipt_recorded(
			provider: &T::AccountId,
			consumer: &T::AccountId,
			_service: repute_primitives::ServiceId,
			delta: u128,
			_total: u128,
			now: BlockNumberFor<T>,
		) {
			Self::note_service(provider, consumer, delta, now);
		}

		fn weight() -> Weight {
			T::WeightInfo::on_receipt_recorded()
		}
	}

	impl<T: Config> pallet_receipts::PeerLifecycle<T::AccountId> for Pallet<T> {
		fn on_registered(peer: &T::AccountId) {
			Self::note_standing(peer, Standing::Registered);
		}

		fn on_banned(peer: &T::AccountId) {
			Self::note_standing(peer, Standing::Banned);
		}

		fn on_unregistered(peer: &T::AccountId) {
			Self::note_standing(peer, Standing::Unregistered);
		}

		fn weight() -> Weight {
			T::WeightInfo::note_standing()
		}
	}
}
