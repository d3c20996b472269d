//! Where an epoch advances: global trust (EigenTrust damped towards the founders) computed in
//! bounded steps in `on_idle` and published atomically.
//!
//! Each block spends at most `epoch_block_share` of its weight, in steps metered at their
//! benchmarked worst case: *spread* (one consumer passes its trust to its providers), *damp*
//! (one peer's accumulated trust is damped and compared with the last iterate), *finish* (an
//! iteration ends: publish, or start the next) and *review* (after publishing, one peer's
//! admission is decided again and ranked). Three buffers hold trust vectors: the published one
//! and a running epoch's two iterates; entries carry the iteration's stamp, so a buffer never
//! needs clearing, and readers always see a completed epoch.
//!
//! An epoch runs only while founders are named: without them, damping towards everyone would
//! let Sybils farm trust, so the chain keeps its last published vector instead
//! ([`crate::Event::EpochSkippedWithoutPreTrusted`]). Admission never reads global trust.

use crate::types::{
	insert_ranked, BufferId, EpochPhase, EpochRun, EpochState, PeerIndex, PublishedTrust,
	ReputationParameters, TopList, TrustEntry,
};
use crate::{
	admission, maths, Config, Epoch, EpochRunOf, EpochStateOf, Event, LocalTrustOf, Pallet,
	Parameters, PeerAt, PeerCount, PreTrusted, Published, Reputations, Strangers, TopPeers,
	TrustBuffers, WeightInfo,
};
use alloc::vec::Vec;
use frame_support::{
	traits::Get,
	weights::{Weight, WeightMeter},
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_arithmetic::{
	traits::{Saturating, Zero},
	FixedPointNumber, FixedU128,
};

/// The number of trust buffers: the published vector and the two iterates of a running epoch.
pub(crate) const BUFFERS: BufferId = 3;

impl<T: Config> Pallet<T> {
	/// The most weight one block may spend on the epoch: `epoch_block_share` of a block.
	pub fn epoch_budget(parameters: &ReputationParameters) -> Weight {
		let max_block = <T as frame_system::Config>::BlockWeights::get().max_block;
		Weight::from_parts(
			parameters.epoch_block_share.perbill().mul_floor(max_block.ref_time()),
			parameters.epoch_block_share.perbill().mul_floor(max_block.proof_size()),
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
		let damp = T::WeightInfo::damp();
		let finish = T::WeightInfo::finish_iteration();
		let review = T::WeightInfo::review();
		let start = T::WeightInfo::start_epoch(T::MaxPreTrusted::get());
		loop {
			let step = match &state {
				EpochState::Idle { next_epoch_at } if now < *next_epoch_at => break,
				EpochState::Idle { .. } => start,
				EpochState::Running(run) => match run.phase {
					EpochPhase::Spread { next } if next < run.peers => spread,
					EpochPhase::Damp { next } if next < run.peers => damp,
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
	/// no peers or no founders.
	pub(crate) fn start_epoch(
		now: BlockNumberFor<T>,
		parameters: &ReputationParameters,
	) -> EpochStateOf<T> {
		let peers = PeerCount::<T>::get();
		let founders = PreTrusted::<T>::get();
		if peers == 0 || founders.is_empty() {
			if peers > 0 {
				Self::deposit_event(Event::EpochSkippedWithoutPreTrusted);
			}
			return EpochState::Idle {
				next_epoch_at: now.saturating_add(parameters.epoch_length.into()),
			};
		}
		let mut pretrusted: Vec<PeerIndex> = founders
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
		// The damping distribution sums to one share per founder.
		let previous_total = maths::prior_share(peers, count, true)
			.saturating_mul(FixedU128::saturating_from_integer(count));
		Self::deposit_event(Event::EpochStarted { epoch, peers });
		EpochState::Running(EpochRun {
			epoch,
			started_at: now,
			peers,
			damping: parameters.damping.perbill(),
			max_iterations: parameters.max_iterations,
			tolerance: FixedU128::from_perbill(parameters.tolerance.perbill()),
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
	pub(crate) fn free_buffer(a: Option<BufferId>, b: Option<BufferId>) -> BufferId {
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
			EpochPhase::Spread { .. } => run.phase = EpochPhase::Damp { next: 0 },
			EpochPhase::Damp { next } if next < run.peers => {
				Self::damp_peer(&mut run, next);
				run.phase = EpochPhase::Damp { next: next.saturating_add(1) };
			}
			EpochPhase::Damp { .. } => Self::finish_iteration(&mut run, now),
			EpochPhase::Review { next } if next < run.peers => {
				if let Some(peer) = PeerAt::<T>::get(next) {
					if let Some(record) = Reputations::<T>::get(&peer) {
						Self::store(
							&peer,
							Self::decayed(record, now, parameters),
							parameters,
							None,
						);
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
		let Some(local) = LocalTrustOf::<T>::get(consumer) else { return };
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
	pub(crate) fn damp_peer(run: &mut EpochRunOf<T>, peer: PeerIndex) {
		let entry = TrustBuffers::<T>::get(run.current, peer);
		let accumulated = if entry.stamp == run.stamp { entry.value } else { FixedU128::zero() };
		let dangling = run.previous_total.saturating_sub(run.distributed);
		let value = maths::damp(accumulated, dangling, Self::prior(run, peer), run.damping);
		TrustBuffers::<T>::insert(run.current, peer, TrustEntry { stamp: run.stamp, value });
		run.residual =
			run.residual.saturating_add(maths::distance(value, Self::previous_value(run, peer)));
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

	/// `index`'s value in the published vector `published` (zero outside it).
	pub(crate) fn published_value(
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
}
