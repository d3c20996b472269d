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
		let Some(record) = Self::reputation_of(peer) else {
			return Admission::Denied(DenialReason::NotRegistered);
		};
		let allowance = Strangers::<T>::get().allowance;
		let global = crate::admission::decide_record(&record, allowance, &Parameters::<T>::get());
		let Some(viewer) = viewer else { return global };
		if record.standing != Standing::Registered || !global.allows_service() {
			return global;
		}
		let seen = Self::subjective_trust(viewer, peer);
		let allowance = crate::admission::allowance_of(&record, allowance, &Parameters::<T>::get());
		if seen.flow_from_viewer.saturating_sub(seen.flow_to_viewer) > allowance {
			Admission::Denied(DenialReason::UsageExceedsService)
		} else {
			global
		}
	}

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
		let mut into_sink = Self::local_trust_decayed(sink, now, parameters);
		let direct = into_sink.iter().find(|(p, _)| *p == source).map_or(0, |(_, u)| *u);
		into_sink.retain(|(p, _)| *p != source);
		into_sink.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
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
