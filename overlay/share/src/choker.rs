//! BitTorrent's choking algorithm, as BEP 3 describes the deployed one: the policy that stands for
//! BitTorrent in the simulation ([`crate::policy::ServePolicy::Bittorrent`]).
//!
//! A server uploads to at most [`ChokerConfig::regular_slots`] peers chosen for what they give
//! back, plus one optimistic unchoke chosen at random, and changes that set only every
//! [`ChokerConfig::rechoke_every`] (no "fibrillation"):
//!
//! - **Regular slots**: the interested peers it downloads fastest from, over the last
//!   [`ChokerConfig::rate_window`]. A seed (a peer that wants nothing more) ranks them by how fast
//!   it uploads to them instead. A slot that no reciprocating peer fills goes to a peer that gives
//!   nothing (ties are broken at random): that, with the optimistic slot, is what a free rider
//!   lives on in a real swarm (BitThief, Locher et al. 2006).
//! - **Optimistic unchoke**: one interested peer outside the regular slots, rotated every
//!   [`ChokerConfig::optimistic_every`]; a peer connected for less than one rotation is
//!   [`ChokerConfig::new_connection_weight`] times as likely to be picked as the others.
//! - **Anti-snubbing**: a peer this server has been asking for data for
//!   [`ChokerConfig::snub_after`] without receiving any is not given a regular slot (it may still
//!   be the optimistic unchoke).
//!
//! The chunk protocol has no choke or interested messages: a requester is **interested** while it
//! keeps asking (a refused requester retries after its back-off, well within a rechoke period),
//! and a **choked** requester is refused with [`crate::chunks::Refused::Choked`]. BEP 3's rule
//! that uninterested peers with better rates are unchoked in advance has no counterpart here: a
//! peer that asks nothing needs no slot. What the choker does not model is BitTorrent's piece
//! exchange itself (rarest first, endgame): the simulation's peers ask for missing chunks in
//! order, from providers chosen at random.

use rand::{seq::SliceRandom, Rng};
use std::{
	collections::{BTreeMap, VecDeque},
	time::{Duration, Instant},
};

/// The choker's timings and slots. [`Default`] is BEP 3's deployed algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChokerConfig {
	/// Peers unchoked for what they give back (BEP 3: four uploads in all, one optimistic).
	pub regular_slots: usize,
	/// How often the unchoked set is chosen again.
	pub rechoke_every: Duration,
	/// The window over which download (or, for a seed, upload) rates are measured.
	pub rate_window: Duration,
	/// How often the optimistic unchoke moves to another peer.
	pub optimistic_every: Duration,
	/// How long a peer may leave this server's requests unanswered before it is snubbed.
	pub snub_after: Duration,
	/// How long after its last request a peer still counts as interested.
	pub interest_lasts: Duration,
	/// How much likelier a new connection is to be the next optimistic unchoke.
	pub new_connection_weight: u32,
}

impl Default for ChokerConfig {
	fn default() -> Self {
		Self {
			regular_slots: 3,
			rechoke_every: Duration::from_secs(10),
			rate_window: Duration::from_secs(20),
			optimistic_every: Duration::from_secs(30),
			snub_after: Duration::from_secs(30),
			interest_lasts: Duration::from_secs(10),
			new_connection_weight: 3,
		}
	}
}

/// Bytes moved at given instants, kept for one rate window.
#[derive(Debug, Default)]
struct Transfers(VecDeque<(Instant, u64)>);

impl Transfers {
	fn add(&mut self, now: Instant, bytes: u64, window: Duration) {
		self.forget_before(now, window);
		self.0.push_back((now, bytes));
	}

	fn forget_before(&mut self, now: Instant, window: Duration) {
		while self.0.front().is_some_and(|(at, _)| now.saturating_duration_since(*at) > window) {
			self.0.pop_front();
		}
	}

	/// Bytes per second over the window that ends at `now`.
	fn rate(&self, now: Instant, window: Duration) -> f64 {
		let bytes: u64 = self
			.0
			.iter()
			.filter(|(at, _)| now.saturating_duration_since(*at) <= window)
			.map(|(_, bytes)| *bytes)
			.sum();
		bytes as f64 / window.as_secs_f64().max(f64::MIN_POSITIVE)
	}
}

/// What the choker knows of one connected peer.
#[derive(Debug)]
struct Remote {
	connected_at: Instant,
	/// When the peer last asked this server for data.
	last_request: Option<Instant>,
	/// When this server last asked the peer for data, and since when it has been asking without
	/// receiving any.
	last_asked: Option<Instant>,
	asking_since: Option<Instant>,
	/// Bytes received from the peer, and sent to it.
	received: Transfers,
	sent: Transfers,
}

/// One server's choker over peers named by `K`.
#[derive(Debug)]
pub struct Choker<K> {
	config: ChokerConfig,
	remotes: BTreeMap<K, Remote>,
	regular: Vec<K>,
	optimistic: Option<K>,
	next_rechoke: Option<Instant>,
	next_rotation: Option<Instant>,
}

impl<K: Ord + Clone> Choker<K> {
	/// A choker with no peers; its first [`tick`](Self::tick) chooses.
	pub fn new(config: ChokerConfig) -> Self {
		Self {
			config,
			remotes: BTreeMap::new(),
			regular: Vec::new(),
			optimistic: None,
			next_rechoke: None,
			next_rotation: None,
		}
	}

	/// `peer` connected at `now` (choked, as every connection starts).
	pub fn connected(&mut self, peer: K, now: Instant) {
		self.remotes.entry(peer).or_insert_with(|| Remote {
			connected_at: now,
			last_request: None,
			last_asked: None,
			asking_since: None,
			received: Transfers::default(),
			sent: Transfers::default(),
		});
	}

	/// `peer` disconnected: forgotten, and its slot free until the next rechoke.
	pub fn disconnected(&mut self, peer: &K) {
		self.remotes.remove(peer);
		self.regular.retain(|p| p != peer);
		if self.optimistic.as_ref() == Some(peer) {
			self.optimistic = None;
		}
	}

	/// `peer` asked this server for data at `now`: it is interested.
	pub fn requested_by(&mut self, peer: &K, now: Instant) {
		if let Some(remote) = self.remotes.get_mut(peer) {
			remote.last_request = Some(now);
		}
	}

	/// This server asked `peer` for data at `now`.
	pub fn asked(&mut self, peer: &K, now: Instant) {
		let lasts = self.config.interest_lasts;
		if let Some(remote) = self.remotes.get_mut(peer) {
			let lapsed =
				remote.last_asked.is_none_or(|at| now.saturating_duration_since(at) > lasts);
			if remote.asking_since.is_none() || lapsed {
				remote.asking_since = Some(now);
			}
			remote.last_asked = Some(now);
		}
	}

	/// This server received `bytes` of data from `peer` at `now`.
	pub fn received_from(&mut self, peer: &K, bytes: u64, now: Instant) {
		let window = self.config.rate_window;
		if let Some(remote) = self.remotes.get_mut(peer) {
			remote.received.add(now, bytes, window);
			remote.asking_since = None;
		}
	}

	/// This server sent `bytes` of data to `peer` at `now`.
	pub fn sent_to(&mut self, peer: &K, bytes: u64, now: Instant) {
		let window = self.config.rate_window;
		if let Some(remote) = self.remotes.get_mut(peer) {
			remote.sent.add(now, bytes, window);
		}
	}

	/// Whether this server uploads to `peer` now.
	pub fn is_unchoked(&self, peer: &K) -> bool {
		self.regular.contains(peer) || self.optimistic.as_ref() == Some(peer)
	}

	/// The peers in the regular slots, best first.
	pub fn regular(&self) -> &[K] {
		&self.regular
	}

	/// The optimistic unchoke.
	pub fn optimistic(&self) -> Option<&K> {
		self.optimistic.as_ref()
	}

	/// Bytes per second received from `peer` over the rate window.
	pub fn download_rate(&self, peer: &K, now: Instant) -> f64 {
		self.remotes.get(peer).map_or(0.0, |r| r.received.rate(now, self.config.rate_window))
	}

	/// Whether `peer` has left this server's requests unanswered for the snubbing time, while
	/// this server kept asking.
	pub fn is_snubbed(&self, peer: &K, now: Instant) -> bool {
		let Some(remote) = self.remotes.get(peer) else { return false };
		let still_asking = remote
			.last_asked
			.is_some_and(|at| now.saturating_duration_since(at) <= self.config.interest_lasts);
		still_asking
			&& remote
				.asking_since
				.is_some_and(|at| now.saturating_duration_since(at) >= self.config.snub_after)
	}

	fn is_interested(&self, remote: &Remote, now: Instant) -> bool {
		remote
			.last_request
			.is_some_and(|at| now.saturating_duration_since(at) <= self.config.interest_lasts)
	}

	/// Whether a rechoke is due at `now` (so a caller can leave out working out `seeding`).
	pub fn is_due(&self, now: Instant) -> bool {
		self.next_rechoke.is_none_or(|at| now >= at)
	}

	/// Rechokes if a rechoke is due at `now` (and moves the optimistic unchoke if its rotation
	/// is due); `seeding` tells whether this server still wants anything. Call it often (the
	/// simulation's peers call it four times a second); it does nothing between rechokes.
	pub fn tick(&mut self, now: Instant, seeding: bool, rng: &mut impl Rng) {
		if !self.is_due(now) {
			return;
		}
		self.next_rechoke = Some(now + self.config.rechoke_every);
		let rotate = self.next_rotation.is_none_or(|at| now >= at);
		if rotate {
			self.next_rotation = Some(now + self.config.optimistic_every);
		}
		self.rechoke(now, seeding, rotate, rng);
	}

	fn rechoke(&mut self, now: Instant, seeding: bool, rotate: bool, rng: &mut impl Rng) {
		let window = self.config.rate_window;
		let mut candidates: Vec<(K, f64)> = self
			.remotes
			.iter()
			.filter(|(peer, remote)| self.is_interested(remote, now) && !self.is_snubbed(peer, now))
			.map(|(peer, remote)| {
				let rate = if seeding {
					remote.sent.rate(now, window)
				} else {
					remote.received.rate(now, window)
				};
				(peer.clone(), rate)
			})
			.collect();
		// Shuffled, then sorted stably: peers of equal rates are ranked at random.
		candidates.shuffle(rng);
		candidates.sort_by(|a, b| b.1.total_cmp(&a.1));
		self.regular =
			candidates.into_iter().take(self.config.regular_slots).map(|(p, _)| p).collect();

		let keep = self.optimistic.as_ref().is_some_and(|peer| {
			!self.regular.contains(peer)
				&& self.remotes.get(peer).is_some_and(|r| self.is_interested(r, now))
		});
		if rotate || !keep {
			self.optimistic = self.pick_optimistic(now, rng);
		}
	}

	/// An interested peer outside the regular slots, new connections weighted up.
	fn pick_optimistic(&self, now: Instant, rng: &mut impl Rng) -> Option<K> {
		let weighted: Vec<(&K, u32)> = self
			.remotes
			.iter()
			.filter(|(peer, remote)| {
				!self.regular.contains(peer) && self.is_interested(remote, now)
			})
			.map(|(peer, remote)| {
				let new = now.saturating_duration_since(remote.connected_at)
					< self.config.optimistic_every;
				(peer, if new { self.config.new_connection_weight.max(1) } else { 1 })
			})
			.collect();
		let total: u32 = weighted.iter().map(|(_, w)| *w).sum();
		if total == 0 {
			return None;
		}
		let mut draw = rng.gen_range(0..total);
		for (peer, weight) in weighted {
			if draw < weight {
				return Some(peer.clone());
			}
			draw -= weight;
		}
		None
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use rand::{rngs::StdRng, SeedableRng};

	const CHUNK: u64 = 16 * 1024;

	struct Clock(Instant);

	impl Clock {
		fn at(&self, seconds: f64) -> Instant {
			self.0 + Duration::from_secs_f64(seconds)
		}
	}

	fn choker(peers: u32, clock: &Clock) -> Choker<u32> {
		let mut choker = Choker::new(ChokerConfig::default());
		for peer in 0..peers {
			choker.connected(peer, clock.at(0.0));
		}
		choker
	}

	/// Every peer asks at `now`; `uploaders` also sent this server `rate` chunks a second for the
	/// last ten seconds.
	fn round(
		choker: &mut Choker<u32>,
		peers: u32,
		uploaders: &[(u32, u64)],
		clock: &Clock,
		t: f64,
	) {
		for peer in 0..peers {
			choker.requested_by(&peer, clock.at(t));
		}
		for (peer, rate) in uploaders {
			for second in 0..10 {
				choker.received_from(peer, rate * CHUNK, clock.at(t - 10.0 + second as f64));
			}
		}
	}

	#[test]
	fn the_fastest_uploaders_get_the_regular_slots_and_one_more_is_optimistic() {
		let clock = Clock(Instant::now());
		let mut choker = choker(10, &clock);
		let mut rng = StdRng::seed_from_u64(1);
		round(&mut choker, 10, &[(7, 4), (2, 3), (5, 2), (9, 1)], &clock, 20.0);
		choker.tick(clock.at(20.0), false, &mut rng);
		assert_eq!(choker.regular(), &[7, 2, 5]);
		let optimistic = *choker.optimistic().expect("an interested peer is left");
		assert!(![7, 2, 5].contains(&optimistic));
		let unchoked: Vec<u32> = (0..10).filter(|p| choker.is_unchoked(p)).collect();
		assert_eq!(unchoked.len(), 4, "{unchoked:?}");
	}

	#[test]
	fn the_set_changes_only_at_rechokes_and_the_optimistic_slot_only_every_thirty_seconds() {
		let clock = Clock(Instant::now());
		let mut choker = choker(10, &clock);
		let mut rng = StdRng::seed_from_u64(2);
		round(&mut choker, 10, &[(1, 4), (2, 3), (3, 2)], &clock, 20.0);
		choker.tick(clock.at(20.0), false, &mut rng);
		let optimistic = *choker.optimistic().unwrap();
		// Peer 8 becomes the best uploader, but the set waits for the next rechoke.
		round(&mut choker, 10, &[(8, 9)], &clock, 25.0);
		choker.tick(clock.at(25.0), false, &mut rng);
		assert!(!choker.regular().contains(&8) || optimistic == 8);
		choker.tick(clock.at(30.0), false, &mut rng);
		assert_eq!(choker.regular()[0], 8);
		if optimistic != 8 {
			assert_eq!(choker.optimistic(), Some(&optimistic), "kept between rotations");
		}
		// Over many rotations every interested peer outside the regular slots gets a turn.
		let mut seen = std::collections::BTreeSet::new();
		for rotation in 0..60 {
			let t = 50.0 + 30.0 * rotation as f64;
			round(&mut choker, 10, &[(1, 4), (2, 3), (3, 2)], &clock, t);
			choker.tick(clock.at(t), false, &mut rng);
			seen.insert(*choker.optimistic().unwrap());
		}
		assert_eq!(seen, (0..10).filter(|p| ![1, 2, 3].contains(p)).collect());
	}

	#[test]
	fn a_peer_that_gives_nothing_gets_a_regular_slot_only_when_no_uploader_wants_it() {
		let clock = Clock(Instant::now());
		let mut rng = StdRng::seed_from_u64(3);
		// Two uploaders and a free rider (peer 9): the third slot goes to the free rider.
		let mut choker = choker(10, &clock);
		for peer in [0, 1, 9] {
			choker.requested_by(&peer, clock.at(20.0));
		}
		for second in 10..20 {
			choker.received_from(&0, CHUNK, clock.at(second as f64));
			choker.received_from(&1, CHUNK, clock.at(second as f64));
		}
		choker.tick(clock.at(20.0), false, &mut rng);
		assert!(choker.is_unchoked(&9));
		// With three uploaders interested, the free rider has at most the optimistic slot.
		let mut regular_turns = 0;
		for rechoke in 0..30 {
			let t = 30.0 + 10.0 * rechoke as f64;
			round(&mut choker, 10, &[(0, 1), (1, 1), (2, 1)], &clock, t);
			choker.tick(clock.at(t), false, &mut rng);
			regular_turns += usize::from(choker.regular().contains(&9));
		}
		assert_eq!(regular_turns, 0);
	}

	#[test]
	fn new_connections_are_three_times_as_likely_to_be_the_optimistic_unchoke() {
		let clock = Clock(Instant::now());
		let mut rng = StdRng::seed_from_u64(4);
		let mut picks = [0u32; 2];
		for _ in 0..4_000 {
			// Peer 0 connected long ago, peer 1 just now; nobody uploads.
			let mut choker = Choker::new(ChokerConfig { regular_slots: 0, ..Default::default() });
			choker.connected(0, clock.at(0.0));
			choker.connected(1, clock.at(100.0));
			choker.requested_by(&0, clock.at(100.0));
			choker.requested_by(&1, clock.at(100.0));
			choker.tick(clock.at(100.0), false, &mut rng);
			picks[*choker.optimistic().unwrap() as usize] += 1;
		}
		let ratio = f64::from(picks[1]) / f64::from(picks[0]);
		assert!((2.6..3.4).contains(&ratio), "{picks:?}: {ratio}");
	}

	#[test]
	fn a_peer_that_leaves_requests_unanswered_for_thirty_seconds_is_snubbed() {
		let clock = Clock(Instant::now());
		let mut rng = StdRng::seed_from_u64(5);
		let mut choker = choker(5, &clock);
		// This server has been asking peer 4 since t = 0; 4 sent a burst at 5 s, then nothing.
		for second in 0..=40 {
			choker.asked(&4, clock.at(second as f64));
			if second == 5 {
				for _ in 0..40 {
					choker.received_from(&4, CHUNK, clock.at(5.0));
				}
			}
		}
		assert!(!choker.is_snubbed(&4, clock.at(34.0)));
		assert!(choker.is_snubbed(&4, clock.at(36.0)));
		// The best rate of the window, but snubbed: no regular slot.
		round(&mut choker, 5, &[(0, 1)], &clock, 24.0);
		choker.tick(clock.at(24.0), false, &mut rng);
		assert!(choker.regular().contains(&4), "not yet snubbed at 24 s");
		round(&mut choker, 5, &[(0, 1)], &clock, 40.0);
		choker.tick(clock.at(40.0), false, &mut rng);
		assert!(!choker.regular().contains(&4));
		// Once it answers, it is no longer snubbed.
		choker.received_from(&4, CHUNK, clock.at(41.0));
		assert!(!choker.is_snubbed(&4, clock.at(41.0)));
		// And when this server stops asking, the peer is not snubbed either.
		assert!(!choker.is_snubbed(&3, clock.at(100.0)));
	}

	#[test]
	fn a_seed_ranks_by_what_it_uploads_and_ignores_what_it_is_sent() {
		let clock = Clock(Instant::now());
		let mut rng = StdRng::seed_from_u64(6);
		let mut choker = choker(6, &clock);
		for peer in 0..6 {
			choker.requested_by(&peer, clock.at(20.0));
		}
		for second in 10..20 {
			choker.sent_to(&5, 4 * CHUNK, clock.at(second as f64));
			choker.sent_to(&4, 3 * CHUNK, clock.at(second as f64));
			choker.sent_to(&3, 2 * CHUNK, clock.at(second as f64));
			choker.received_from(&0, 9 * CHUNK, clock.at(second as f64));
		}
		choker.tick(clock.at(20.0), true, &mut rng);
		assert_eq!(choker.regular(), &[5, 4, 3]);
	}

	#[test]
	fn peers_that_stop_asking_or_leave_lose_their_slots() {
		let clock = Clock(Instant::now());
		let mut rng = StdRng::seed_from_u64(7);
		let mut choker = choker(4, &clock);
		round(&mut choker, 4, &[(0, 3), (1, 2)], &clock, 20.0);
		choker.tick(clock.at(20.0), false, &mut rng);
		assert!(choker.is_unchoked(&0) && choker.is_unchoked(&1));
		choker.disconnected(&1);
		assert!(!choker.is_unchoked(&1));
		// Peer 0 asks no more: uninterested at the next rechoke.
		for peer in [2, 3] {
			choker.requested_by(&peer, clock.at(35.0));
		}
		choker.tick(clock.at(35.0), false, &mut rng);
		assert!(!choker.is_unchoked(&0));
		assert!(choker.is_unchoked(&2) && choker.is_unchoked(&3));
	}

	#[test]
	fn rates_count_only_the_window() {
		let clock = Clock(Instant::now());
		let mut choker = choker(1, &clock);
		choker.received_from(&0, 20 * CHUNK, clock.at(0.0));
		choker.received_from(&0, 20 * CHUNK, clock.at(15.0));
		assert_eq!(choker.download_rate(&0, clock.at(15.0)), (40 * CHUNK) as f64 / 20.0);
		assert_eq!(choker.download_rate(&0, clock.at(25.0)), (20 * CHUNK) as f64 / 20.0);
		assert_eq!(choker.download_rate(&0, clock.at(40.0)), 0.0);
	}
}
