//! Where a viewer sees a peer: subjective trust (the service that flowed between them over the
//! local-trust graph limited to two hops, a max-flow as in BarterCast) and the viewer's
//! admission decision.
//!
//! A viewer's view can only make admission *stricter* than the chain's: it refuses a peer that
//! took more from its neighbourhood than it gave back, beyond one stranger allowance, and
//! otherwise follows the chain. It never admits a peer the chain denies, so the chain's bound on
//! admission credit ([`crate::credit`]) holds for subjective policies too: flows through an
//! intermediary can be claimed by many colluders at once, so they cannot be a source of credit.

use crate::types::{
	Admission, DenialReason, PeerIndex, ReputationParameters, Standing, SubjectiveTrust,
};
use crate::{maths, Config, LocalTrustOf, Pallet, Parameters, Reputations, Strangers};
use alloc::vec::Vec;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_arithmetic::traits::{Saturating, UniqueSaturatedInto};

impl<T: Config> Pallet<T> {
	/// `peer`'s admission, optionally from `viewer`'s point of view, as of now.
	///
	/// Without a viewer it is the chain's decision, decayed to now with the allowance in force.
	/// With one, a peer the chain does not deny is denied (`UsageExceedsService`) if the viewer's
	/// neighbourhood gave it more than it gave back by over one stranger allowance; otherwise the
	/// chain's decision stands. Peers that never registered are denied (`NotRegistered`).
	pub fn admission_for(peer: &T::AccountId, viewer: Option<&T::AccountId>) -> Admission {
		Self::admissions_for(core::slice::from_ref(peer), viewer)
			.pop()
			.unwrap_or(Admission::Denied(DenialReason::NotRegistered))
	}

	/// The admissions of `peers`, each as [`Self::admission_for`] decides it, with what they
	/// share read once: the parameters, the allowance in force, and the viewer's side of every
	/// flow towards it (its local trust and its largest providers'). A batch from one viewer
	/// (what a subjective gate asks at every block) then costs each peer the chain serves its
	/// record and the flow from the viewer, at most `subjective_neighbours + 2` reads, instead of
	/// twice that and more; a peer the chain denies costs its record.
	pub fn admissions_for(peers: &[T::AccountId], viewer: Option<&T::AccountId>) -> Vec<Admission> {
		let parameters = Parameters::<T>::get();
		let allowance = Strangers::<T>::get().allowance;
		let now = frame_system::Pallet::<T>::block_number();
		// Read at the first peer that needs it; `None` inside for a viewer that never registered
		// (it has no flows, so its view refuses nobody).
		let mut viewpoint: Option<Option<Viewpoint>> = None;
		peers
			.iter()
			.map(|peer| {
				let Some(stored) = Reputations::<T>::get(peer) else {
					return Admission::Denied(DenialReason::NotRegistered);
				};
				let record = Self::decayed(stored, now, &parameters);
				let global = crate::admission::decide_record(&record, allowance, &parameters);
				let Some(viewer) = viewer else { return global };
				if record.standing != Standing::Registered || !global.allows_service() {
					return global;
				}
				let Some(viewpoint) = viewpoint
					.get_or_insert_with(|| Self::viewpoint(viewer, now, &parameters))
					.as_ref()
				else {
					return global;
				};
				let taken = Self::two_hop_flow(viewpoint.viewer, record.index, now, &parameters);
				let given = viewpoint.flow_from(record.index);
				let own = crate::admission::allowance_of(&record, allowance, &parameters);
				if taken.saturating_sub(given) > own {
					Admission::Denied(DenialReason::UsageExceedsService)
				} else {
					global
				}
			})
			.collect()
	}

	/// `target`'s reputation in `viewer`'s eyes: the decayed service that flowed between them
	/// over paths of at most two hops, each way, through at most `subjective_neighbours`
	/// intermediaries (the largest partners first), and the net flow as a score.
	///
	/// Read-only; costs at most `2 · subjective_neighbours + 6` storage reads.
	pub fn subjective_trust(viewer: &T::AccountId, target: &T::AccountId) -> SubjectiveTrust {
		let parameters = Parameters::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		let (Some(viewpoint), Some(target)) =
			(Self::viewpoint(viewer, now, &parameters), Reputations::<T>::get(target))
		else {
			return SubjectiveTrust::default();
		};
		let flow_to_viewer = viewpoint.flow_from(target.index);
		let flow_from_viewer = Self::two_hop_flow(viewpoint.viewer, target.index, now, &parameters);
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

	/// `viewer`'s side of every flow towards it, as of `now`; `None` if it never registered.
	/// Costs at most `subjective_neighbours + 3` storage reads.
	fn viewpoint(
		viewer: &T::AccountId,
		now: BlockNumberFor<T>,
		parameters: &ReputationParameters,
	) -> Option<Viewpoint> {
		let viewer = Reputations::<T>::get(viewer)?.index;
		let mut providers = Self::local_trust_decayed(viewer, now, parameters);
		providers.sort_by(largest_first);
		// A flow from one of these skips it as an intermediary, so one more than the
		// neighbours it may use.
		let considered = (parameters.subjective_neighbours as usize).saturating_add(1);
		let intermediaries = providers
			.iter()
			.take(considered)
			.map(|(intermediary, _)| Self::local_trust_decayed(*intermediary, now, parameters))
			.collect();
		Some(Viewpoint {
			viewer,
			providers,
			intermediaries,
			neighbours: parameters.subjective_neighbours as usize,
		})
	}

	/// Decayed units `source` gave `sink`, directly or through one intermediary.
	pub(crate) fn two_hop_flow(
		source: PeerIndex,
		sink: PeerIndex,
		now: BlockNumberFor<T>,
		parameters: &ReputationParameters,
	) -> u128 {
		if source == sink {
			return 0;
		}
		let mut into_sink = Self::local_trust_decayed(sink, now, parameters);
		let direct = into_sink.iter().find(|(p, _)| *p == source).map_or(0, |(_, u)| *u);
		into_sink.retain(|(p, _)| *p != source);
		into_sink.sort_by(largest_first);
		into_sink.truncate(parameters.subjective_neighbours as usize);
		let via: Vec<(u128, u128)> = into_sink
			.into_iter()
			.map(|(intermediary, to_sink)| {
				let from_source = Self::local_trust_decayed(intermediary, now, parameters)
					.into_iter()
					.find(|(p, _)| *p == source)
					.map_or(0, |(_, u)| u);
				(from_source, to_sink)
			})
			.collect();
		maths::two_hop_flow(direct, &via)
	}

	/// `consumer`'s local trust (its providers) with their units decayed to `now`.
	fn local_trust_decayed(
		consumer: PeerIndex,
		now: BlockNumberFor<T>,
		parameters: &ReputationParameters,
	) -> Vec<(PeerIndex, u128)> {
		let Some(local) = LocalTrustOf::<T>::get(consumer) else { return Vec::new() };
		let elapsed: u32 = now.saturating_sub(local.updated_at).unique_saturated_into();
		let mut providers = local.providers.into_inner();
		maths::decay_all(
			providers.iter_mut().map(|(_, units)| units),
			elapsed,
			parameters.service_half_life,
		);
		providers
	}
}

/// Providers by the units they gave, largest first, ties by index: the order in which
/// intermediaries are taken.
fn largest_first(a: &(PeerIndex, u128), b: &(PeerIndex, u128)) -> core::cmp::Ordering {
	b.1.cmp(&a.1).then(a.0.cmp(&b.0))
}

/// What every flow towards one viewer shares, read once for a batch of peers: the viewer's
/// providers (decayed, largest first) and the local trust of the largest of them, the
/// intermediaries a flow towards the viewer may pass through.
struct Viewpoint {
	viewer: PeerIndex,
	/// (provider, decayed units it gave the viewer), largest first.
	providers: Vec<(PeerIndex, u128)>,
	/// The decayed local trust of each of the first `neighbours + 1` providers, in their order.
	intermediaries: Vec<Vec<(PeerIndex, u128)>>,
	/// How many intermediaries a flow may pass through (`subjective_neighbours`).
	neighbours: usize,
}

impl Viewpoint {
	/// Decayed units `source` gave the viewer, directly or through one intermediary: the same as
	/// `two_hop_flow(source, viewer)`, with no storage read.
	fn flow_from(&self, source: PeerIndex) -> u128 {
		if source == self.viewer {
			return 0;
		}
		let direct = self.providers.iter().find(|(p, _)| *p == source).map_or(0, |(_, u)| *u);
		let via: Vec<(u128, u128)> = self
			.providers
			.iter()
			.zip(&self.intermediaries)
			.filter(|((intermediary, _), _)| *intermediary != source)
			.take(self.neighbours)
			.map(|((_, to_viewer), their_providers)| {
				let from_source =
					their_providers.iter().find(|(p, _)| *p == source).map_or(0, |(_, u)| *u);
				(from_source, *to_viewer)
			})
			.collect();
		maths::two_hop_flow(direct, &via)
	}
}
