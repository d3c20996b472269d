//! # Reputation pallet: Repute's reputation and admission control
//!
//! Turns the shared history recorded by `pallet-receipts` into admission credit that cannot be
//! minted, into global and subjective trust, and into an admission decision for every peer that
//! the chain itself computes. `docs/reputation.md` gives the model, its proof and a worked
//! example.
//!
//! ## The guarantee
//!
//! > No coalition of k identities, whatever units its members co-sign among themselves, can
//! > take more from peers outside it than those peers co-signed as received from it, plus k
//! > stranger allowances.
//!
//! It holds from genesis, with or without pre-trusted peers, because credit is *conserved*
//! ([`credit`]): a consumer vouches for the service it received only out of its own admission
//! credit, so co-signing among colluders moves credit around the coalition but never creates it.
//! `tests/coalitions.rs` attacks it with random coalitions at the admission decision.
//!
//! ## Terminology
//!
//! - **Service and usage** (Kung & Wu): the credit a peer earned by serving others and the units
//!   it consumed, each decaying exponentially with a governance-set half-life (usage is never
//!   forgotten faster than service). Decay is applied lazily, in fixed point, when a record is
//!   next touched: an idle peer costs nothing.
//! - **Admission credit**: how much more a peer may consume before it is denied:
//!   `service · usage_allowance_percent / 100 + stranger allowance − usage`.
//! - **Vouching**: when a consumer co-signs `delta` units, its provider's service grows by
//!   `min(delta, the consumer's admission credit)`, and the consumer's usage by `delta`.
//! - **Debt**: the part of `delta` the consumer could not vouch for. It owes it to that provider
//!   and repays it out of the credit it earns later, while it is in deficit; debts decay with
//!   usage.
//! - **Local trust**: the providers a consumer received service from, with decayed units, capped
//!   at [`Config::MaxPartners`] (the largest kept).
//! - **Global trust**: an EigenTrust vector over the local-trust graph, damped towards the
//!   pre-trusted peers (founders), computed in bounded steps in `on_idle` and published once per
//!   epoch, atomically ([`epoch`]). It ranks peers; admission does not read it.
//! - **Subjective trust**: a target's net service flow to a viewer over the graph limited to two
//!   hops (a max-flow, as in BarterCast), computed on demand ([`subjective`]). A viewer may use
//!   it to refuse a peer the chain admits, never to admit a peer the chain denies.
//! - **Stranger allowance**: the credit every registered peer has before it gives anything back.
//!   It adapts (Feldman et al.): it shrinks when recent newcomers mostly took without giving and
//!   grows when they reciprocated, within governance-set bounds. Only outcomes witnessed by an
//!   admitted peer or a founder count, so a ring of fresh identities cannot steer it.
//! - **Graduation**: a peer leaves probation (it is admitted rather than on probation, is
//!   released its whole allowance, and becomes a witness) once its *witnessed service*, the part
//!   of its service that admitted peers and founders vouched for, reaches `graduation_service`
//!   ([`admission::graduated`]). Service alone would not do: credit passed around a ring of fresh
//!   keys is conserved, but the service it records grows without bound.
//!
//! ## Dispatchables
//!
//! - [`Pallet::set_parameters`] ([`Config::GovernanceOrigin`]): replace the parameters.
//! - [`Pallet::set_pretrusted`] ([`Config::GovernanceOrigin`]): replace the pre-trusted peers;
//!   each must be a registered peer in good standing.
//! - [`Pallet::refresh_admission`] (signed, anyone): re-decide one peer's admission now, for
//!   example once its usage has decayed, instead of waiting for the next epoch.
//!
//! The pallet listens to `pallet-receipts` through [`pallet_receipts::OnReceiptRecorded`] and
//! [`pallet_receipts::PeerLifecycle`]; it never reads that pallet's storage.
//!
//! ## Where things are
//!
//! - [`credit`]: the credit model (vouching, decay of records, the admission decision stored).
//! - [`admission`]: the decision rule and the adaptive stranger allowance, as pure functions.
//! - [`leaving`]: what a leaving peer forfeits of its bond for the credit it never earned back.
//! - [`epoch`]: the global-trust epoch, step by step in `on_idle`.
//! - [`subjective`]: two-hop subjective trust and the viewer's admission.
//! - [`maths`]: decay, EigenTrust steps and max-flow, free of FRAME.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

pub mod admission;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod credit;
pub mod epoch;
pub mod leaving;
pub mod maths;
pub mod migrations;
#[cfg(test)]
mod mock;
pub mod pages;
pub mod subjective;
#[cfg(any(test, feature = "synthetic-population"))]
mod synthetic;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use sp_arithmetic::{traits::Saturating, FixedU128};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(5);

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

		/// The most providers a peer owes for service it was given beyond its credit (the
		/// largest claims kept).
		#[pallet::constant]
		type MaxCreditors: Get<u32>;

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

	/// The founders global trust is damped towards: registered peers in good standing. While it
	/// is empty no epoch runs (admission does not need one).
	#[pallet::storage]
	pub type PreTrusted<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxPreTrusted>, ValueQuery>;

	/// Every peer's service, usage and admission decision.
	#[pallet::storage]
	pub type Reputations<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, PeerReputation<BlockNumberFor<T>>>;

	/// Which account holds each trust-vector index.
	#[pallet::storage]
	pub type PeerAt<T: Config> = StorageMap<_, Twox64Concat, PeerIndex, T::AccountId>;

	/// How many indices have been assigned.
	#[pallet::storage]
	pub type PeerCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The peers epochs walk, by slot, in pages of [`MEMBER_PAGE_SIZE`] slots: every registered
	/// peer, and those that left good standing since the last epoch's compaction. Slots below
	/// [`MemberCount`] are in use. See [`pages`].
	#[pallet::storage]
	pub type MemberPages<T: Config> =
		StorageMap<_, Twox64Concat, MemberPageIndex, MemberPage, ValueQuery>;

	/// How many slots of [`MemberPages`] are in use: new peers take the next one.
	#[pallet::storage]
	pub type MemberCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Each consumer's local trust, by the consumer's index: the providers it received service
	/// from and the decayed units each gave it.
	#[pallet::storage]
	pub type LocalTrustOf<T: Config> =
		StorageMap<_, Twox64Concat, PeerIndex, LocalTrust<BlockNumberFor<T>, T::MaxPartners>>;

	/// What each peer, by index, owes the providers that served it beyond its credit: repaid
	/// out of the credit it earns while it is in deficit ([`credit`]).
	#[pallet::storage]
	pub type DebtsOf<T: Config> =
		StorageMap<_, Twox64Concat, PeerIndex, Debts<BlockNumberFor<T>, T::MaxCreditors>>;

	/// Three trust vectors by buffer, in pages of [`TRUST_PAGE_SIZE`] entries by peer index:
	/// the published one and a running epoch's two iterates. An entry counts only for the
	/// iteration its stamp names. See [`pages`].
	#[pallet::storage]
	pub type TrustPages<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BufferId,
		Twox64Concat,
		TrustPageIndex,
		TrustPage,
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

	/// The stranger allowance in force, and how recent newcomers behaved.
	#[pallet::storage]
	pub type Strangers<T: Config> = StorageValue<_, StrangerPolicy<BlockNumberFor<T>>, ValueQuery>;

	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The parameters at genesis; `None` keeps [`Config::DefaultParameters`].
		pub parameters: Option<ReputationParameters>,
		/// The founders at genesis. Each must already be registered, by `pallet-receipts`'
		/// genesis (which comes first in the runtime).
		pub pretrusted: Vec<T::AccountId>,
		/// A synthetic population with its local trust and a published uniform trust vector,
		/// for speed benchmarks (the `rpc-bench` preset). Only with the `synthetic-population`
		/// feature.
		#[cfg(any(test, feature = "synthetic-population"))]
		pub synthetic: Option<repute_primitives::synthetic::SyntheticHistory>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			Self {
				parameters: None,
				pretrusted: Vec::new(),
				#[cfg(any(test, feature = "synthetic-population"))]
				synthetic: None,
			}
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let parameters = self.parameters.clone().unwrap_or_else(T::DefaultParameters::get);
			assert!(
				Pallet::<T>::validate_parameters(&parameters).is_ok(),
				"genesis reputation parameters are invalid"
			);
			Parameters::<T>::put(&parameters);
			Strangers::<T>::put(StrangerPolicy {
				allowance: parameters.stranger_allowance_max,
				..Default::default()
			});
			let pretrusted = Pallet::<T>::validate_pretrusted(self.pretrusted.clone()).expect(
				"genesis founders must be distinct registered peers, at most MaxPreTrusted",
			);
			PreTrusted::<T>::put(pretrusted);
			Epoch::<T>::put(EpochState::Idle { next_epoch_at: parameters.epoch_length.into() });
			#[cfg(any(test, feature = "synthetic-population"))]
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
		/// newcomers graduated and `defected` used up their allowance (at the end of an epoch),
		/// or because governance moved its bounds (`set_parameters`, with the counts as they
		/// stand).
		StrangerAllowanceAdjusted { old: u128, new: u128, reciprocated: u32, defected: u32 },
		/// Governance replaced the parameters `old` with `new`.
		ParametersSet { old: ReputationParameters, new: ReputationParameters },
		/// Governance replaced the pre-trusted peers `old` with `new`.
		PreTrustedSet {
			old: BoundedVec<T::AccountId, T::MaxPreTrusted>,
			new: BoundedVec<T::AccountId, T::MaxPreTrusted>,
		},
		/// Founder `peer` was banned or withdrew its bond, and no longer anchors global trust.
		PreTrustedRemoved { peer: T::AccountId },
		/// No epoch started at its time because no founder is named; the last published vector
		/// stays. Governance names founders with `set_pretrusted`.
		EpochSkippedWithoutPreTrusted,
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A parameter is out of range; the variant names which one.
		InvalidParameter(ParameterError),
		/// A peer appears twice in the pre-trusted list.
		DuplicatePreTrusted,
		/// The account has no reputation record (it never registered).
		UnknownPeer,
		/// The pre-trusted list is longer than `MaxPreTrusted`.
		TooManyPreTrusted,
		/// A pre-trusted peer is not a registered peer in good standing (never registered,
		/// withdrew its bond, or banned).
		PreTrustedNotRegistered,
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
			assert!(T::MaxCreditors::get() > 0, "MaxCreditors must be at least one");
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
		/// epoch forward; the stranger allowance in force keeps its place between the bounds
		/// ([`admission::allowance_between_new_bounds`]: at the top of the old ones, at the top of
		/// the new ones) at once, and applies to every peer's next decision.
		///
		/// Origin: [`Config::GovernanceOrigin`].
		/// Errors: [`Error::InvalidParameter`] naming the first parameter out of range.
		/// Emits [`Event::ParametersSet`] with the old and new values, after
		/// [`Event::StrangerAllowanceAdjusted`] if the stranger allowance in force moved.
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
			let strangers = Strangers::<T>::get();
			let allowance =
				admission::allowance_between_new_bounds(strangers.allowance, &old, &new);
			if allowance != strangers.allowance {
				Strangers::<T>::put(StrangerPolicy { allowance, ..strangers });
				Self::deposit_event(Event::StrangerAllowanceAdjusted {
					old: strangers.allowance,
					new: allowance,
					reciprocated: strangers.reciprocated,
					defected: strangers.defected,
				});
			}
			Self::deposit_event(Event::ParametersSet { old, new });
			Ok(())
		}

		/// Replace the founders: global trust is damped towards them from the next epoch on.
		/// Each must be a registered peer in good standing (bonded, not banned), and a founder
		/// that is later banned or withdraws its bond leaves the list
		/// ([`Event::PreTrustedRemoved`]). Naming none stops epochs: the last published vector
		/// stays, and admission, which does not read global trust, is unaffected.
		///
		/// Origin: [`Config::GovernanceOrigin`].
		/// Errors: [`Error::TooManyPreTrusted`], [`Error::DuplicatePreTrusted`],
		/// [`Error::PreTrustedNotRegistered`].
		/// Emits [`Event::PreTrustedSet`] with the old and new lists.
		///
		/// ## Complexity
		/// O(n²) in the list's length (at most [`Config::MaxPreTrusted`]), to refuse duplicates,
		/// and one read per peer.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_pretrusted(
			(peers.len() as u32).min(T::MaxPreTrusted::get())
		))]
		pub fn set_pretrusted(origin: OriginFor<T>, peers: Vec<T::AccountId>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let new = Self::validate_pretrusted(peers)?;
			let old = PreTrusted::<T>::get();
			PreTrusted::<T>::put(&new);
			Self::deposit_event(Event::PreTrustedSet { old, new });
			Ok(())
		}

		/// Decay `peer`'s reputation to now and decide its admission again, without waiting for
		/// the next epoch's review: a denied peer whose usage has decayed is readmitted at once.
		///
		/// Origin: signed, by anyone.
		/// Errors: [`Error::UnknownPeer`] for an account that never registered.
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
			Self::store(&peer, Self::decayed(record, now, &parameters), &parameters, None);
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Refuses parameters out of range, naming the first offending one.
		pub fn validate_parameters(p: &ReputationParameters) -> Result<(), ParameterError> {
			use ParameterError::*;
			let checks = [
				(p.service_half_life >= 1, ServiceHalfLife),
				(p.usage_half_life >= p.service_half_life, UsageHalfLife),
				(p.epoch_length >= 1, EpochLength),
				(
					p.damping >= PartsPerBillion::from_percent(50)
						&& p.damping <= PartsPerBillion::from_percent(95),
					Damping,
				),
				((1..=1_000).contains(&p.max_iterations), MaxIterations),
				(p.tolerance.0 > 0 && p.tolerance.is_at_most_one(), Tolerance),
				(
					p.epoch_block_share >= PartsPerBillion::from_percent(1)
						&& p.epoch_block_share <= PartsPerBillion::from_percent(75),
					EpochBlockShare,
				),
				((1..=100).contains(&p.usage_allowance_percent), UsageAllowancePercent),
				(p.stranger_allowance_min <= p.stranger_allowance_max, StrangerAllowanceBounds),
				(
					(1..=T::MaxPartners::get()).contains(&p.subjective_neighbours),
					SubjectiveNeighbours,
				),
				(p.subjective_scale > 0, SubjectiveScale),
				(p.stranger_memory >= 1, StrangerMemory),
			];
			checks.into_iter().find(|(ok, _)| !ok).map_or(Ok(()), |(_, error)| Err(error))
		}

		/// Checks a founders list: bounded, without duplicates, every peer registered and in
		/// good standing.
		pub fn validate_pretrusted(
			peers: Vec<T::AccountId>,
		) -> Result<BoundedVec<T::AccountId, T::MaxPreTrusted>, Error<T>> {
			let peers = BoundedVec::<_, T::MaxPreTrusted>::try_from(peers)
				.map_err(|_| Error::<T>::TooManyPreTrusted)?;
			ensure!(
				peers.iter().enumerate().all(|(i, peer)| !peers[..i].contains(peer)),
				Error::<T>::DuplicatePreTrusted
			);
			ensure!(
				peers.iter().all(|peer| Reputations::<T>::get(peer)
					.is_some_and(|r| r.standing == Standing::Registered)),
				Error::<T>::PreTrustedNotRegistered
			);
			Ok(peers)
		}

		/// `peer`'s reputation decayed to now (not written), or `None` if it never registered.
		pub fn reputation_of(peer: &T::AccountId) -> Option<PeerReputation<BlockNumberFor<T>>> {
			let record = Reputations::<T>::get(peer)?;
			let now = frame_system::Pallet::<T>::block_number();
			Some(Self::decayed(record, now, &Parameters::<T>::get()))
		}

		/// `peer`'s global trust in the latest published epoch, with that epoch's number, or
		/// `None` before the first epoch or for a peer that was not a member of it (it joined
		/// after the epoch started, or had left before).
		pub fn global_trust_of(peer: &T::AccountId) -> Option<(FixedU128, u32)> {
			let published = Published::<T>::get()?;
			let index = Reputations::<T>::get(peer)?.index;
			Self::published_entry(&published, index).map(|trust| (trust, published.epoch))
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
		/// the stranger policy, the published epoch and its entry in it. A client checks them
		/// against a block's state root.
		pub fn report_keys(peer: &T::AccountId) -> Vec<Vec<u8>> {
			let mut keys = alloc::vec![
				Reputations::<T>::hashed_key_for(peer),
				Parameters::<T>::hashed_key().to_vec(),
				Strangers::<T>::hashed_key().to_vec(),
				Published::<T>::hashed_key().to_vec(),
			];
			if let (Some(record), Some(published)) =
				(Reputations::<T>::get(peer), Published::<T>::get())
			{
				keys.push(TrustPages::<T>::hashed_key_for(
					published.buffer,
					pages::locate(record.index).0,
				));
			}
			keys
		}

		/// Checks the pallet's invariants: indices and records agree, every listed peer holds
		/// exactly one member slot and only listed peers do, local trust stays within the
		/// indexed peers, founders are registered, and the published vector is never a running
		/// epoch's buffer.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let count = PeerCount::<T>::get();
			let members = MemberCount::<T>::get();
			let mut listed = alloc::collections::BTreeSet::new();
			for slot in 0..members {
				let index =
					pages::member::<T>(slot).ok_or("a member slot below the count is empty")?;
				ensure!(listed.insert(index), "a peer holds two member slots");
			}
			for (account, record) in Reputations::<T>::iter() {
				ensure!(record.index < count, "a record's index is not assigned");
				ensure!(
					record.witnessed_service <= record.service,
					"a record's witnessed service exceeds its service"
				);
				ensure!(
					PeerAt::<T>::get(record.index).as_ref() == Some(&account),
					"an index points at another account"
				);
				ensure!(
					record.listed == listed.remove(&record.index),
					"a record's listing and the member slots disagree"
				);
				ensure!(
					record.listed || record.standing != Standing::Registered,
					"a registered peer holds no member slot"
				);
			}
			ensure!(listed.is_empty(), "a member slot names a peer without a record");
			for (consumer, local) in LocalTrustOf::<T>::iter() {
				ensure!(consumer < count, "local trust of an unassigned index");
				ensure!(
					local.providers.iter().all(|(p, _)| *p < count && *p != consumer),
					"local trust names an unassigned index or the consumer itself"
				);
			}
			for (debtor, debts) in DebtsOf::<T>::iter() {
				ensure!(debtor < count, "debts of an unassigned index");
				ensure!(
					debts.creditors.iter().all(|(c, owed)| *c < count && *c != debtor && *owed > 0),
					"a debt names an unassigned index, the debtor itself, or nothing owed"
				);
			}
			for founder in PreTrusted::<T>::get() {
				ensure!(
					Reputations::<T>::get(&founder)
						.is_some_and(|r| r.standing == Standing::Registered),
					"a founder is not registered in good standing"
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

	impl<T: Config> Pallet<T> {
		/// The weight of noting one receipt's service, as the receipt hook reports it: the
		/// benchmark of its settlement, less the batch-shared reads (charged once per batch)
		/// and what the benchmark counts that this receipt did not cost. Items an earlier
		/// receipt of the block wrote are read from and written to the block's overlay, not the
		/// database; the vouched benchmark writes the stranger policy, which a receipt that
		/// counts no newcomer's outcome does not (and the benchmarks of debts do not, which a
		/// receipt that counts one does). A receipt whose consumer owes and whose provider repays
		/// no one is charged the benchmark of adding a debt (`on_receipt_recorded_owing`), one
		/// whose provider repays its creditors the worst case (`on_receipt_recorded`: a debt
		/// added and two creditors repaid); neither is charged the debts' and creditors' storage
		/// it did not touch ([`credit::ServiceNoted::debt_storage_unused`]).
		pub fn receipt_weight(noted: &credit::ServiceNoted) -> Weight {
			let db = T::DbWeight::get();
			let debts = noted.debt_storage_unused;
			let mut unused = db
				.reads_writes(noted.warm_items, noted.warm_items)
				.saturating_add(db.reads_writes(debts.reads, debts.writes));
			let stranger_policy_write = db.writes(noted.wrote_stranger_policy.into());
			let benchmarked = match noted.settlement {
				credit::Settlement::Vouched => {
					if !noted.wrote_stranger_policy {
						unused.saturating_accrue(db.writes(1));
					}
					T::WeightInfo::on_receipt_recorded_vouched()
				}
				credit::Settlement::Owing => {
					T::WeightInfo::on_receipt_recorded_owing().saturating_add(stranger_policy_write)
				}
				credit::Settlement::Repaying => {
					T::WeightInfo::on_receipt_recorded().saturating_add(stranger_policy_write)
				}
			};
			benchmarked
				.saturating_sub(
					<Self as pallet_receipts::OnReceiptRecorded<_, _>>::batch_shared_weight(),
				)
				.saturating_sub(unused)
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
		) -> Weight {
			Self::receipt_weight(&Self::note_service(provider, consumer, delta, now))
		}

		fn weight() -> Weight {
			T::WeightInfo::on_receipt_recorded().saturating_add(T::DbWeight::get().writes(1))
		}

		/// The parameters and the stranger policy, read by every receipt, and the founders, read
		/// by every receipt whose parties are not both admitted (every benchmark counts all
		/// three): read from the database once, then from the block's cache.
		fn batch_shared_weight() -> Weight {
			T::DbWeight::get().reads(3)
		}
	}

	impl<T: Config> pallet_receipts::PeerLifecycle<T::AccountId> for Pallet<T> {
		fn on_registered(peer: &T::AccountId) {
			Self::note_standing(peer, Standing::Registered);
		}

		fn on_banned(peer: &T::AccountId) {
			Self::note_standing(peer, Standing::Banned);
		}

		fn on_unbonding(peer: &T::AccountId) {
			Self::note_standing(peer, Standing::Unregistered);
		}

		fn on_unregistered(peer: &T::AccountId) {
			Self::note_standing(peer, Standing::Unregistered);
		}

		fn settle_on_leaving(peer: &T::AccountId) -> sp_arithmetic::Perbill {
			Self::settle_on_leaving(peer)
		}

		/// `note_standing` reads and writes at least what `settle_on_leaving` does (the record,
		/// the parameters and the stranger policy; the record written back), so its benchmark
		/// bounds every call.
		fn weight() -> Weight {
			T::WeightInfo::note_standing()
		}
	}
}
