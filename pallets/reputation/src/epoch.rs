//! Where an epoch advances: global trust (EigenTrust damped towards the founders) computed in
//! bounded steps in `on_idle` and published atomically.
//!
//! Each block spends at most `epoch_block_share` of its weight, in steps metered at their
//! benchmarked cost (a step runs only if its worst case fits; a spread step is then charged for
//! the edges it visited, not for the most a consumer can have): *compact* (one slot of the member list is kept, moved down or
//! dropped), *spread* (one consumer passes its trust to its providers), *damp* (one member's
//! accumulated trust is damped and compared with the last iterate), *finish* (an iteration ends:
//! the founders are damped, then the epoch is published or the next iteration starts) and
//! *review* (after publishing, one member's admission is decided again and ranked). Three
//! buffers hold trust vectors: the published one and a running epoch's two iterates; entries
//! carry the iteration's stamp, so a buffer never needs clearing, and readers always see a
//! completed epoch.
//!
//! ## Members
//!
//! An epoch walks the member list ([`crate::MemberPages`]), not every index ever assigned. A peer
//! that withdraws its bond or is banned keeps its slot until the next epoch starts, whose first
//! pass drops it and moves the remaining members down in order: from then on it costs epochs
//! nothing, and it is not counted in their `peers`. Peers registering while an epoch runs take
//! slots beyond the ones it walks, and wait for the next one. Trust that consumers pass to a
//! peer outside the epoch (one that left, or one that joined since it started) reaches no
//! member: like the trust of consumers that consumed nothing, it is *dangling*, and returns to
//! the founders. This is why the founders are damped last, once every member's share is known.
//!
//! An epoch runs only while founders are named: without them, damping towards everyone would
//! let Sybils farm trust, so the chain keeps its last published vector instead
//! ([`crate::Event::EpochSkippedWithoutPreTrusted`]). Admission never reads global trust.

use crate::pages::{self, PageCache, PageTraffic};
use crate::types::{
	insert_ranked, BufferId, EpochPhase, EpochRun, EpochState, MemberSlot, PeerIndex,
	PublishedTrust, ReputationParameters, Standing, TopList, TrustEntry,
};
use crate::{
	admission, maths, Config, Epoch, EpochRunOf, EpochStateOf, Event, LocalTrustOf, MemberCount,
	Pallet, Parameters, PeerAt, PreTrusted, Published, Reputations, Strangers, TopPeers,
	TrustPages, WeightInfo,
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

/// What a step did, where its charge depends on it; any other step is charged its benchmark.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Done {
	/// A spread step, charged for what it passed on.
	Spread(Spread),
	/// A compaction step kept its member (in place or moved down): it wrote no record, and is
	/// charged `compact_kept` instead of `compact` (a member dropped).
	KeptMember,
}

/// What a spread step did, which is what it is charged for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Spread {
	/// The consumer had no trust to pass on (or its slot was empty): nothing was read.
	NothingToPass,
	/// The consumer passed its trust over this many edges (none if it has no local trust).
	Edges(u32),
}

/// The log target of the epoch's progress (`-l runtime::reputation=debug` shows a line a block).
pub const LOG_TARGET: &str = "runtime::reputation";

/// What one block's share of an epoch did, for its log line.
#[derive(Default)]
struct BlockWork {
	spread: u32,
	edges: u32,
	damped: u32,
	compacted: u32,
	reviewed: u32,
	pages: PageTraffic,
}

/// The kind of step an epoch in some state takes next: what it is charged and counted as.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum StepKind {
	Start,
	Compact,
	Spread,
	Damp,
	Review,
	/// Ends a pass: finishes an iteration (founders damped) or moves to the next phase.
	EndPass,
	/// Ends the review: the epoch goes idle.
	EndReview,
}

impl StepKind {
	/// The next step from `state`, or `None` while idle before the next epoch is due.
	fn next<B: PartialOrd, P: Get<u32>, K: Get<u32>>(
		state: &EpochState<B, P, K>,
		now: &B,
	) -> Option<Self> {
		Some(match state {
			EpochState::Idle { next_epoch_at } if now < next_epoch_at => return None,
			EpochState::Idle { .. } => Self::Start,
			EpochState::Running(run) => match run.phase {
				EpochPhase::Compact { .. } => Self::Compact,
				EpochPhase::Spread { next } if next < run.peers => Self::Spread,
				EpochPhase::Damp { next } if next < run.peers => Self::Damp,
				EpochPhase::Review { next } if next < run.peers => Self::Review,
				EpochPhase::Review { .. } => Self::EndReview,
				_ => Self::EndPass,
			},
		})
	}
}

impl BlockWork {
	/// Counts a step of kind `kind`.
	fn count_step(&mut self, kind: StepKind) {
		let counter = match kind {
			StepKind::Compact => &mut self.compacted,
			StepKind::Spread => &mut self.spread,
			StepKind::Damp => &mut self.damped,
			StepKind::Review => &mut self.reviewed,
			StepKind::Start | StepKind::EndPass | StepKind::EndReview => return,
		};
		*counter = counter.saturating_add(1);
	}

	/// Whether the step of kind `kind` just counted finds the key every step of its kind reads
	/// (the member count while compacting, the stranger policy while reviewing) already read by
	/// an earlier step of the block: in the block's overlay, which the benchmarks count as free.
	fn repeats_a_read(&self, kind: StepKind) -> bool {
		match kind {
			StepKind::Compact => self.compacted > 1,
			StepKind::Review => self.reviewed > 1,
			_ => false,
		}
	}

	/// Counts the edges a step visited and the page traffic it caused.
	fn count_traffic(&mut self, done: Option<Done>, traffic: PageTraffic) {
		if let Some(Done::Spread(Spread::Edges(edges))) = done {
			self.edges = self.edges.saturating_add(edges);
		}
		self.pages.loaded = self.pages.loaded.saturating_add(traffic.loaded);
		self.pages.dirtied = self.pages.dirtied.saturating_add(traffic.dirtied);
	}
}

/// A phase's name in the log.
fn phase_name(phase: EpochPhase) -> &'static str {
	match phase {
		EpochPhase::Compact { .. } => "compacting",
		EpochPhase::Spread { .. } => "spreading",
		EpochPhase::Damp { .. } => "damping",
		EpochPhase::Review { .. } => "reviewing",
	}
}

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
		let compact = T::WeightInfo::compact();
		// A consumer is checked against the most providers it can have, and charged for the
		// ones it has.
		let spread = T::WeightInfo::spread(T::MaxPartners::get());
		let damp = T::WeightInfo::damp();
		let finish = T::WeightInfo::finish_iteration(T::MaxPreTrusted::get());
		let review = T::WeightInfo::review();
		let start = T::WeightInfo::start_epoch(T::MaxPreTrusted::get());
		// The most pages each kind of step can load and dirty.
		let founders = T::MaxPreTrusted::get();
		let spread_pages = Self::spread_page_traffic();
		// Every step that walks a slot may load its member page first.
		let compact_pages = Self::page_traffic(2, 1);
		let damp_pages = Self::page_traffic(3, 1);
		let finish_pages = Self::page_traffic(founders.saturating_mul(2), founders);
		let review_pages = Self::page_traffic(2, 0);
		let mut cache = PageCache::<T>::default();
		let mut work = BlockWork::default();
		while let Some(kind) = StepKind::next(&state, &now) {
			// What the step computes, and the most page traffic it can cause.
			let (compute, pages) = match kind {
				StepKind::Start => (start, Weight::zero()),
				// The step that ends compaction costs less than one that moves a slot.
				StepKind::Compact => (compact, compact_pages),
				StepKind::Spread => (spread, spread_pages),
				StepKind::Damp => (damp, damp_pages),
				StepKind::Review => (review, review_pages),
				StepKind::EndReview => (finish, Weight::zero()),
				StepKind::EndPass => (finish, finish_pages),
			};
			if !meter.can_consume(compute.saturating_add(pages)) {
				break;
			}
			work.count_step(kind);
			let (next, outcome) = match state {
				EpochState::Idle { .. } => (Self::start_epoch(now, &parameters), None),
				EpochState::Running(run) => Self::step(run, now, &parameters, &mut cache),
			};
			let traffic = cache.take_traffic();
			work.count_traffic(outcome, traffic);
			let compute = match outcome {
				None => compute,
				Some(Done::Spread(Spread::NothingToPass)) => T::WeightInfo::spread_without_trust(),
				Some(Done::Spread(Spread::Edges(edges))) => T::WeightInfo::spread(edges),
				Some(Done::KeptMember) => T::WeightInfo::compact_kept(),
			};
			let compute = if work.repeats_a_read(kind) {
				compute.saturating_sub(T::DbWeight::get().reads(1))
			} else {
				compute
			};
			meter.consume(
				compute.saturating_add(Self::page_traffic(traffic.loaded, traffic.dirtied)),
			);
			state = next;
		}
		cache.flush();
		if let EpochState::Running(run) = &state {
			log::debug!(
				target: LOG_TARGET,
				"reputation: epoch {} block {:?} phase {} iteration {}: {} spread over {} edges, \
				 {} damped, {} compacted, {} reviewed; pages {} loaded {} written; charged {} us",
				run.epoch,
				now,
				phase_name(run.phase),
				run.iteration,
				work.spread,
				work.edges,
				work.damped,
				work.compacted,
				work.reviewed,
				work.pages.loaded,
				work.pages.dirtied,
				meter.consumed().ref_time() / 1_000_000,
			);
		}
		Epoch::<T>::put(state);
		meter.consumed()
	}

	/// The most page traffic a spread step can cause: its consumer's member page and page of
	/// the last iterate, and a page of the running one for each provider.
	pub(crate) fn spread_page_traffic() -> Weight {
		let partners = T::MaxPartners::get();
		Self::page_traffic(partners.saturating_add(2), partners)
	}

	/// The weight of loading `loaded` pages and writing `dirtied` back. Member pages (at most
	/// 1 KiB) are charged as trust pages (5.4 KiB).
	pub(crate) fn page_traffic(loaded: u32, dirtied: u32) -> Weight {
		T::WeightInfo::load_trust_page()
			.saturating_mul(loaded.into())
			.saturating_add(T::WeightInfo::store_trust_page().saturating_mul(dirtied.into()))
	}

	/// Starts an epoch by compacting the member list, or waits another epoch if there are no
	/// members or no founders.
	pub(crate) fn start_epoch(
		now: BlockNumberFor<T>,
		parameters: &ReputationParameters,
	) -> EpochStateOf<T> {
		let members = MemberCount::<T>::get();
		let founders = PreTrusted::<T>::get();
		if members == 0 || founders.is_empty() {
			if members > 0 {
				Self::deposit_event(Event::EpochSkippedWithoutPreTrusted);
			}
			return Self::idle_after(now, now, parameters);
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
		EpochState::Running(EpochRun {
			epoch,
			started_at: now,
			peers: 0,
			damping: parameters.damping.perbill(),
			max_iterations: parameters.max_iterations,
			tolerance: FixedU128::from_perbill(parameters.tolerance.perbill()),
			pretrusted: BoundedVec::truncate_from(pretrusted),
			iteration: 0,
			phase: EpochPhase::Compact { read: 0, write: 0 },
			previous: None,
			current,
			published: published_buffer,
			stamp,
			previous_total: FixedU128::zero(),
			current_total: FixedU128::zero(),
			accumulated: FixedU128::zero(),
			residual: FixedU128::zero(),
			top: BoundedVec::new(),
		})
	}

	/// Idle until one epoch length after `started_at`, and at least until the next block.
	fn idle_after(
		started_at: BlockNumberFor<T>,
		now: BlockNumberFor<T>,
		parameters: &ReputationParameters,
	) -> EpochStateOf<T> {
		let next_epoch_at = started_at
			.saturating_add(parameters.epoch_length.into())
			.max(now.saturating_add(1u32.into()));
		EpochState::Idle { next_epoch_at }
	}

	/// The lowest buffer that is neither `a` nor `b`.
	pub(crate) fn free_buffer(a: Option<BufferId>, b: Option<BufferId>) -> BufferId {
		(0..BUFFERS).find(|id| Some(*id) != a && Some(*id) != b).unwrap_or(0)
	}

	/// One step of a running epoch, and what it did where its charge depends on it.
	pub(crate) fn step(
		mut run: EpochRunOf<T>,
		now: BlockNumberFor<T>,
		parameters: &ReputationParameters,
		cache: &mut PageCache<T>,
	) -> (EpochStateOf<T>, Option<Done>) {
		let mut done = None;
		match run.phase {
			EpochPhase::Compact { read, write } => {
				// Peers registering meanwhile take slots at the end: they are compacted too.
				if read < MemberCount::<T>::get() {
					let next_write = Self::compact_slot(&mut run, read, write, cache);
					if next_write != write {
						done = Some(Done::KeptMember);
					}
					run.phase =
						EpochPhase::Compact { read: read.saturating_add(1), write: next_write };
				} else if !Self::begin_iterations(&mut run, write) {
					return (Self::idle_after(run.started_at, now, parameters), None);
				}
			}
			EpochPhase::Spread { next } if next < run.peers => {
				let consumer = cache.member(next);
				done = Some(Done::Spread(consumer.map_or(Spread::NothingToPass, |consumer| {
					Self::spread_from(&mut run, consumer, cache)
				})));
				run.phase = EpochPhase::Spread { next: next.saturating_add(1) };
			}
			EpochPhase::Spread { .. } => run.phase = EpochPhase::Damp { next: 0 },
			EpochPhase::Damp { next } if next < run.peers => {
				if let Some(peer) = cache.member(next) {
					// Founders are damped when the iteration finishes.
					if run.pretrusted.binary_search(&peer).is_err() {
						Self::damp_peer(&mut run, peer, cache);
					}
				}
				run.phase = EpochPhase::Damp { next: next.saturating_add(1) };
			}
			EpochPhase::Damp { .. } => Self::finish_iteration(&mut run, now, cache),
			EpochPhase::Review { next } if next < run.peers => {
				if let Some(index) = cache.member(next) {
					Self::review_member(&mut run, index, now, parameters, cache);
				}
				run.phase = EpochPhase::Review { next: next.saturating_add(1) };
			}
			EpochPhase::Review { .. } => {
				TopPeers::<T>::put(TopList { epoch: run.epoch, peers: run.top });
				Self::adapt_strangers(now, parameters);
				return (Self::idle_after(run.started_at, now, parameters), None);
			}
		}
		(EpochState::Running(run), done)
	}

	/// Compacts slot `read` of the member list into slot `write`: keeps its peer if it is
	/// registered (moving it down) and drops it otherwise (a dropped founder leaves this
	/// epoch's founders too). Returns the next slot to write.
	pub(crate) fn compact_slot(
		run: &mut EpochRunOf<T>,
		read: MemberSlot,
		write: MemberSlot,
		cache: &mut PageCache<T>,
	) -> MemberSlot {
		let Some(index) = cache.member(read) else {
			frame_support::defensive!("a member slot below the count is empty");
			return write;
		};
		let account = PeerAt::<T>::get(index);
		let record = account.as_ref().and_then(Reputations::<T>::get);
		match (account, record) {
			(Some(account), Some(mut record)) if record.standing != Standing::Registered => {
				record.listed = false;
				Reputations::<T>::insert(&account, record);
				if let Ok(position) = run.pretrusted.binary_search(&index) {
					run.pretrusted.remove(position);
				}
				write
			}
			_ => {
				if write != read {
					cache.set_member(write, index);
				}
				write.saturating_add(1)
			}
		}
	}

	/// Ends compaction with `members` members and starts the first iteration from the damping
	/// distribution, or returns `false` if no member or no founder is left.
	fn begin_iterations(run: &mut EpochRunOf<T>, members: u32) -> bool {
		MemberCount::<T>::put(members);
		if members == 0 || run.pretrusted.is_empty() {
			if members > 0 {
				Self::deposit_event(Event::EpochSkippedWithoutPreTrusted);
			}
			return false;
		}
		run.peers = members;
		Self::restart_iterations(run);
		Self::deposit_event(Event::EpochStarted { epoch: run.epoch, peers: members });
		true
	}

	/// Starts `run`'s first iteration from the damping distribution, over the members it
	/// compacted: what a fresh epoch does, and what a running one does when its iterates were
	/// lost ([`crate::migrations::v4`]). Its current buffer's entries must all be stale.
	pub(crate) fn restart_iterations(run: &mut EpochRunOf<T>) {
		let count = run.pretrusted.len() as u32;
		run.iteration = 0;
		run.previous = None;
		// The damping distribution sums to one share per founder.
		run.previous_total = maths::prior_share(run.peers, count, true)
			.saturating_mul(FixedU128::saturating_from_integer(count));
		run.current_total = FixedU128::zero();
		run.accumulated = FixedU128::zero();
		run.residual = FixedU128::zero();
		run.phase = EpochPhase::Spread { next: 0 };
	}

	/// The damping distribution's share for `peer` in `run`: its share of the founders.
	fn prior(run: &EpochRunOf<T>, peer: PeerIndex) -> FixedU128 {
		maths::prior_share(
			run.peers,
			run.pretrusted.len() as u32,
			run.pretrusted.binary_search(&peer).is_ok(),
		)
	}

	/// `peer`'s value in the last iterate (zero for a peer outside the epoch).
	fn previous_value(run: &EpochRunOf<T>, peer: PeerIndex, cache: &mut PageCache<T>) -> FixedU128 {
		match run.previous {
			None => Self::prior(run, peer),
			Some(buffer) => {
				let entry = cache.trust(buffer, peer);
				if entry.damped && entry.stamp == run.stamp.wrapping_sub(1) {
					entry.value
				} else {
					FixedU128::zero()
				}
			}
		}
	}

	/// What consumers passed `peer` so far in this iteration.
	fn accumulated_value(
		run: &EpochRunOf<T>,
		peer: PeerIndex,
		cache: &mut PageCache<T>,
	) -> FixedU128 {
		let entry = cache.trust(run.current, peer);
		if !entry.damped && entry.stamp == run.stamp {
			entry.value
		} else {
			FixedU128::zero()
		}
	}

	/// Consumer `consumer` passes its trust to its providers, in proportion to the units each
	/// gave it, and returns what it did: nothing if it has no trust (its local trust is not
	/// even read), or how many providers it passed trust to. What reaches a provider outside
	/// the epoch is never damped: it is dangling.
	pub(crate) fn spread_from(
		run: &mut EpochRunOf<T>,
		consumer: PeerIndex,
		cache: &mut PageCache<T>,
	) -> Spread {
		let trust = Self::previous_value(run, consumer, cache);
		if trust.is_zero() {
			return Spread::NothingToPass;
		}
		let Some(local) = LocalTrustOf::<T>::get(consumer) else { return Spread::Edges(0) };
		let total =
			local.providers.iter().fold(0u128, |sum, (_, units)| sum.saturating_add(*units));
		if total == 0 {
			return Spread::Edges(0);
		}
		for (provider, units) in local.providers.iter() {
			let passed = maths::pass_on(trust, *units, total);
			cache.mutate_trust(run.current, *provider, |entry| {
				if entry.stamp != run.stamp {
					*entry =
						TrustEntry { stamp: run.stamp, value: FixedU128::zero(), damped: false };
				}
				entry.value = entry.value.saturating_add(passed);
			});
		}
		Spread::Edges(local.providers.len() as u32)
	}

	/// Damps `peer`'s accumulated trust into its final value for this iteration. `peer` is a
	/// member and not a founder, so its share of the damping distribution is zero and dangling
	/// trust does not reach it.
	pub(crate) fn damp_peer(run: &mut EpochRunOf<T>, peer: PeerIndex, cache: &mut PageCache<T>) {
		let accumulated = Self::accumulated_value(run, peer, cache);
		let value = maths::damp(accumulated, FixedU128::zero(), FixedU128::zero(), run.damping);
		Self::write_damped(run, peer, accumulated, value, cache);
	}

	/// Writes `peer`'s damped `value` and adds it to the iteration's sums.
	fn write_damped(
		run: &mut EpochRunOf<T>,
		peer: PeerIndex,
		accumulated: FixedU128,
		value: FixedU128,
		cache: &mut PageCache<T>,
	) {
		cache.insert_trust(run.current, peer, TrustEntry { stamp: run.stamp, value, damped: true });
		run.accumulated = run.accumulated.saturating_add(accumulated);
		let previous = Self::previous_value(run, peer, cache);
		run.residual = run.residual.saturating_add(maths::distance(value, previous));
		run.current_total = run.current_total.saturating_add(value);
	}

	/// Damps the founders, now that every other member's share is known: the trust of the last
	/// iterate that reached no member (dangling) returns to them with the damping distribution.
	fn damp_founders(run: &mut EpochRunOf<T>, cache: &mut PageCache<T>) {
		let founders: Vec<(PeerIndex, FixedU128)> = run
			.pretrusted
			.iter()
			.map(|founder| (*founder, Self::accumulated_value(run, *founder, cache)))
			.collect();
		let reached = founders
			.iter()
			.fold(run.accumulated, |sum, (_, accumulated)| sum.saturating_add(*accumulated));
		let dangling = run.previous_total.saturating_sub(reached);
		for (founder, accumulated) in founders {
			let value = maths::damp(accumulated, dangling, Self::prior(run, founder), run.damping);
			Self::write_damped(run, founder, accumulated, value, cache);
		}
	}

	/// Ends an iteration: damps the founders, then publishes the epoch if it converged or ran
	/// out of iterations, and starts the next iteration in the free buffer otherwise.
	pub(crate) fn finish_iteration(
		run: &mut EpochRunOf<T>,
		now: BlockNumberFor<T>,
		cache: &mut PageCache<T>,
	) {
		Self::damp_founders(run, cache);
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
			log::info!(
				target: LOG_TARGET,
				"reputation: epoch {} published at block {:?} after {} iterations over {} peers, \
				 residual {} (parts per 10^18)",
				run.epoch,
				now,
				run.iteration,
				run.peers,
				run.residual.into_inner(),
			);
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
			run.accumulated = FixedU128::zero();
			run.residual = FixedU128::zero();
			run.phase = EpochPhase::Spread { next: 0 };
		}
	}

	/// Decides member `index`'s admission again, with its record decayed to now, and ranks it
	/// by the trust just published.
	fn review_member(
		run: &mut EpochRunOf<T>,
		index: PeerIndex,
		now: BlockNumberFor<T>,
		parameters: &ReputationParameters,
		cache: &mut PageCache<T>,
	) {
		if let Some(peer) = PeerAt::<T>::get(index) {
			if let Some(record) = Reputations::<T>::get(&peer) {
				Self::store(&peer, Self::decayed(record, now, parameters), parameters, None);
			}
		}
		let entry = cache.trust(run.current, index);
		if entry.damped && entry.stamp == run.stamp {
			insert_ranked(&mut run.top, (index, entry.value));
		}
	}

	/// Moves the stranger allowance by how recent newcomers behaved.
	fn adapt_strangers(now: BlockNumberFor<T>, parameters: &ReputationParameters) {
		let old = Strangers::<T>::get();
		let new = admission::adapt_stranger_policy(old, parameters, now);
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

	/// `index`'s value in the published vector `published`, or `None` if it was not a member
	/// of that epoch.
	pub(crate) fn published_entry(
		published: &PublishedTrust<BlockNumberFor<T>>,
		index: PeerIndex,
	) -> Option<FixedU128> {
		let (page, _) = pages::locate(index);
		let entry = pages::entry_in(&TrustPages::<T>::get(published.buffer, page), index);
		(entry.damped && entry.stamp == published.stamp).then_some(entry.value)
	}
}
