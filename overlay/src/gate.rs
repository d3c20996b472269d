//! [`AdmissionGate`]: "may I serve this peer?" answered from memory.
//!
//! The gate keeps the chain's admission decision of every peer the app has asked about in a
//! local cache, kept fresh by the node's `repute_subscribeAdmissions` stream (a message at each
//! finalized block in which a decision changed). [`AdmissionGate::check`] only reads that cache:
//! it never waits on the network, so it can sit on an app's hot path. A peer it has not seen
//! yet is [`Verdict::Unknown`] for the few milliseconds a background task needs to ask the node
//! (`repute_admissions`); the peers that arrive within [`GateConfig::resubscribe_after`] (a
//! block) of each other then join the subscriptions together. If the node goes away the task
//! reconnects with backoff, and the cache's answers stay usable for at most
//! [`GateConfig::max_staleness`]: after that every check says [`Verdict::Unknown`] (do not
//! serve) until the subscription is back.
//! The gate fails closed: a peer the chain denied in the meantime is never served on an answer
//! older than that bound.
//!
//! The gate watches at most [`GateConfig::max_peers`] peers; past that it forgets the peers it
//! was asked about longest ago (they are looked up again if asked about again).
//!
//! [`GatePolicy::Global`] uses the chain's decision; [`GatePolicy::Subjective`] the decision
//! from this peer's own point of view (its trust in the peer's neighbourhood).

use crate::AccountId32;
use crate::{
	background::{Freshness, TaskGuard},
	chain::ChainClient,
	error::ChainError,
	identity::account_of,
};
use futures::{stream::SelectAll, StreamExt};
use libp2p::PeerId;
use repute_primitives::reputation::DenialReason;
use repute_rpc_api::json::{AdmissionAnswer, Decision, Reason};
use std::{
	collections::{HashMap, HashSet, VecDeque},
	sync::{Arc, Mutex, RwLock},
	time::{Duration, Instant},
};
use tokio::sync::Notify;

/// Whose judgement the gate follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatePolicy {
	/// The chain's global decision: trust-weighted service against usage.
	Global,
	/// The decision from this peer's point of view (subjective trust).
	Subjective,
}

/// What the gate says about a peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
	/// It has served enough: serve it.
	Admitted,
	/// A newcomer on its stranger allowance: serve it (the chain counts what it takes).
	Probation,
	/// Refuse it, for this reason.
	Denied(DenialReason),
	/// Not known yet: the gate is asking the node.
	Unknown,
}

impl Verdict {
	/// Whether to serve the peer.
	pub fn allows_service(&self) -> bool {
		matches!(self, Self::Admitted | Self::Probation)
	}

	/// The verdict of an RPC answer.
	pub fn of(answer: &AdmissionAnswer) -> Self {
		match (answer.decision, answer.reason) {
			(Decision::Admitted, _) => Self::Admitted,
			(Decision::Probation, _) => Self::Probation,
			(Decision::Denied, reason) => Self::Denied(match reason {
				Some(Reason::Banned) => DenialReason::Banned,
				Some(Reason::StrangerAllowanceExhausted) => {
					DenialReason::StrangerAllowanceExhausted
				}
				Some(Reason::UsageExceedsService) => DenialReason::UsageExceedsService,
				Some(Reason::StrangerAllowanceNotYetReleased) => {
					DenialReason::StrangerAllowanceNotYetReleased
				}
				Some(Reason::NotRegistered) | None => DenialReason::NotRegistered,
			}),
		}
	}
}

/// The most peers one subscription watches (the node's limit).
const WATCH_CHUNK: usize = repute_rpc_api::MAX_BATCH;

/// The gate's bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GateConfig {
	/// How long cached answers are used after the node's subscription was last known alive.
	pub max_staleness: Duration,
	/// The most peers the gate watches and caches.
	pub max_peers: usize,
	/// The longest wait between two attempts to reach the node while it is gone: once it is
	/// back, verdicts are fresh again within about this long.
	pub max_reconnect_backoff: Duration,
	/// How long newly watched peers wait to join the gate's subscriptions. A new peer is looked
	/// up at once (`repute_admissions`, answered within milliseconds), and the subscriptions,
	/// which the node computes anew for every peer they watch when they start, are renewed once
	/// for all the peers that arrived meanwhile: the node's work for a burst of connections is
	/// one lookup per burst and one subscription for all of them, not one of each per peer. A
	/// new peer's changes of decision reach the gate at most this late.
	pub resubscribe_after: Duration,
}

impl Default for GateConfig {
	fn default() -> Self {
		Self {
			max_staleness: Duration::from_secs(60),
			max_peers: 100_000,
			max_reconnect_backoff: Duration::from_secs(2),
			resubscribe_after: crate::chain::BLOCK_TIME,
		}
	}
}

/// The first wait before trying to reach the node again.
const FIRST_RECONNECT_BACKOFF: Duration = Duration::from_millis(250);

struct Shared {
	cache: RwLock<HashMap<AccountId32, Verdict>>,
	/// For each cached peer the node said had registered: blocks since it first registered, as
	/// of the answer, and when the answer came.
	ages: RwLock<HashMap<AccountId32, (u32, Instant)>>,
	wanted: Mutex<Vec<AccountId32>>,
	wake: Notify,
	viewer: Option<AccountId32>,
	config: GateConfig,
	/// Cached answers are used until then: the subscription was alive `max_staleness` before.
	freshness: Freshness,
}

/// The admission gate. Clones share one cache and one background task, which stops when the
/// last clone is dropped.
#[derive(Clone)]
pub struct AdmissionGate {
	shared: Arc<Shared>,
	chain: Arc<ChainClient>,
	_task: Arc<TaskGuard>,
}

impl AdmissionGate {
	/// A gate for the peer `me` following `policy`, fed by `chain`, with the default bounds.
	/// Needs a tokio runtime.
	pub fn spawn(chain: Arc<ChainClient>, policy: GatePolicy, me: &AccountId32) -> Self {
		Self::spawn_with(chain, policy, me, GateConfig::default())
	}

	/// A gate as [`Self::spawn`], with the bounds of `config`.
	pub fn spawn_with(
		chain: Arc<ChainClient>,
		policy: GatePolicy,
		me: &AccountId32,
		config: GateConfig,
	) -> Self {
		let shared = Arc::new(Shared {
			cache: RwLock::new(HashMap::new()),
			ages: RwLock::new(HashMap::new()),
			wanted: Mutex::new(Vec::new()),
			wake: Notify::new(),
			viewer: (policy == GatePolicy::Subjective).then(|| me.clone()),
			config,
			freshness: Freshness::new(config.max_staleness),
		});
		let task = tokio::spawn(keep_fresh(shared.clone(), chain.clone()));
		Self { shared, chain, _task: Arc::new(TaskGuard(task)) }
	}

	/// The cached verdict on `peer`; never waits. An unknown peer is looked up in the background;
	/// while the node's subscription has been gone for longer than `max_staleness`, every peer
	/// is [`Verdict::Unknown`].
	pub fn check(&self, peer: &AccountId32) -> Verdict {
		let cached = self.shared.cache.read().unwrap_or_else(|p| p.into_inner()).get(peer).copied();
		match cached {
			Some(verdict) if self.shared.freshness.is_fresh() => verdict,
			Some(_) => Verdict::Unknown,
			None => {
				self.watch(std::iter::once(peer.clone()));
				Verdict::Unknown
			}
		}
	}

	/// How long ago `peer` first registered, as the node last said (`registeredFor` blocks of
	/// [`crate::chain::BLOCK_TIME`] at its answer) plus the time since that answer: what the
	/// chain has released its stranger allowance over, the input of
	/// [`crate::StrangerWindow::allows_after`]. `None` until the node has answered for it (the
	/// window then releases nothing), or if its runtime does not say.
	pub fn registered_for(&self, peer: &AccountId32) -> Option<Duration> {
		let ages = self.shared.ages.read().unwrap_or_else(|p| p.into_inner());
		let (blocks, at) = ages.get(peer).copied()?;
		Some(crate::chain::BLOCK_TIME.saturating_mul(blocks).saturating_add(at.elapsed()))
	}

	/// Whether to serve the libp2p peer `peer` now: admitted or on probation. Unknown peers and
	/// peers without an ed25519 key (no account) are refused.
	pub fn is_admitted(&self, peer: &PeerId) -> bool {
		account_of(peer).is_ok_and(|account| self.check(&account).allows_service())
	}

	/// The verdict on `peer`, asking the node directly if the cache does not know it.
	pub async fn admission(&self, peer: &AccountId32) -> Result<Verdict, ChainError> {
		match self.check(peer) {
			Verdict::Unknown => {
				let answers = self
					.chain
					.admissions(std::slice::from_ref(peer), self.shared.viewer.as_ref())
					.await?;
				store_answers(&self.shared, &answers);
				Ok(answers.first().map(Verdict::of).unwrap_or(Verdict::Unknown))
			}
			known => Ok(known),
		}
	}

	/// Starts watching `peers` (for example every peer the app is connected to), so that later
	/// checks find them in the cache.
	pub fn watch(&self, peers: impl IntoIterator<Item = AccountId32>) {
		self.shared.wanted.lock().unwrap_or_else(|p| p.into_inner()).extend(peers);
		self.shared.wake.notify_one();
	}

	/// How many peers the cache knows.
	pub fn known(&self) -> usize {
		self.shared.cache.read().unwrap_or_else(|p| p.into_inner()).len()
	}

	/// Whether cached answers are in use: the node's subscription was alive within
	/// `max_staleness`.
	pub fn is_fresh(&self) -> bool {
		self.shared.freshness.is_fresh()
	}
}

fn store_answers(shared: &Shared, answers: &[AdmissionAnswer]) {
	let mut cache = shared.cache.write().unwrap_or_else(|p| p.into_inner());
	let mut ages = shared.ages.write().unwrap_or_else(|p| p.into_inner());
	let now = Instant::now();
	for answer in answers {
		match AccountId32::from_ss58check(&answer.peer) {
			Ok(account) => {
				match answer.registered_for {
					Some(blocks) => ages.insert(account.clone(), (blocks, now)),
					None => ages.remove(&account),
				};
				cache.insert(account, Verdict::of(answer));
			}
			Err(_) => tracing::warn!(peer = %answer.peer, "the node named an unreadable peer"),
		}
	}
}

/// The background task: looks up new peers, and keeps one subscription per 1,024 watched peers,
/// renewed with the new peers at most every `resubscribe_after`.
async fn keep_fresh(gate: Arc<Shared>, chain: Arc<ChainClient>) {
	let mut watched: VecDeque<AccountId32> = VecDeque::new();
	let mut watched_set: HashSet<AccountId32> = HashSet::new();
	let mut streams = SelectAll::new();
	let mut subscribed = false;
	// When the subscriptions are renewed to take in the peers looked up since they started.
	let mut renew_at: Option<tokio::time::Instant> = None;
	let mut backoff = FIRST_RECONNECT_BACKOFF.min(gate.config.max_reconnect_backoff);
	loop {
		// Peers asked about since the last turn, not watched yet.
		let fresh: Vec<AccountId32> = {
			let mut wanted = gate.wanted.lock().unwrap_or_else(|p| p.into_inner());
			wanted.drain(..).filter(|p| watched_set.insert(p.clone())).collect()
		};
		if !fresh.is_empty() {
			watched.extend(fresh.iter().cloned());
			// Forget the peers asked about longest ago, past the bound (and renew the
			// subscriptions now, so that none of them is answered for again).
			while watched.len() > gate.config.max_peers {
				if let Some(old) = watched.pop_front() {
					watched_set.remove(&old);
					gate.cache.write().unwrap_or_else(|p| p.into_inner()).remove(&old);
					gate.ages.write().unwrap_or_else(|p| p.into_inner()).remove(&old);
					subscribed = false;
				}
			}
			renew_at
				.get_or_insert_with(|| tokio::time::Instant::now() + gate.config.resubscribe_after);
			for chunk in fresh.chunks(WATCH_CHUNK) {
				match chain.admissions(chunk, gate.viewer.as_ref()).await {
					Ok(answers) => store_answers(&gate, &answers),
					Err(error) => {
						tracing::debug!(%error, "admission lookup failed; the subscription will fill in")
					}
				}
			}
		}
		if renew_at.is_some_and(|at| at <= tokio::time::Instant::now()) {
			subscribed = false;
		}
		if !subscribed && !watched.is_empty() {
			let mut fresh_streams = SelectAll::new();
			let mut ok = true;
			for chunk in watched.make_contiguous().chunks(WATCH_CHUNK) {
				match chain.subscribe_admissions(chunk, gate.viewer.as_ref()).await {
					Ok(stream) => fresh_streams.push(stream),
					Err(error) => {
						tracing::warn!(%error, "cannot subscribe to admissions; the cache goes stale until the node is back");
						ok = false;
						break;
					}
				}
			}
			if ok {
				streams = fresh_streams;
				subscribed = true;
				renew_at = None;
				gate.freshness.alive();
				backoff = FIRST_RECONNECT_BACKOFF.min(gate.config.max_reconnect_backoff);
			}
		}
		let wake = gate.wake.notified();
		if watched.is_empty() || subscribed {
			let renew = renew_at.unwrap_or_else(tokio::time::Instant::now);
			tokio::select! {
				_ = wake => {
					// Gather the burst of lookups that usually follows the first.
					tokio::time::sleep(Duration::from_millis(20)).await;
				}
				_ = tokio::time::sleep_until(renew), if renew_at.is_some() => {}
				_ = tokio::time::sleep(gate.config.max_staleness / 2), if subscribed => gate.freshness.alive(),
				item = streams.next(), if subscribed => match item {
					Some(Ok(changes)) => {
						store_answers(&gate, &changes.changes);
						gate.freshness.alive();
					}
					Some(Err(error)) => tracing::warn!(%error, "bad admission notification"),
					None => {
						tracing::warn!("the node closed the admission subscription; reconnecting");
						subscribed = false;
					}
				},
			}
		} else {
			tokio::select! {
				_ = wake => {}
				_ = tokio::time::sleep(backoff) => {}
			}
			backoff = (backoff * 2).min(gate.config.max_reconnect_backoff);
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn verdicts_of_answers() {
		let answer = |decision, reason| AdmissionAnswer {
			peer: String::new(),
			decision,
			reason,
			registered_for: None,
		};
		assert_eq!(Verdict::of(&answer(Decision::Admitted, None)), Verdict::Admitted);
		assert_eq!(Verdict::of(&answer(Decision::Probation, None)), Verdict::Probation);
		assert_eq!(
			Verdict::of(&answer(Decision::Denied, Some(Reason::UsageExceedsService))),
			Verdict::Denied(DenialReason::UsageExceedsService)
		);
		assert!(!Verdict::Unknown.allows_service());
		assert!(Verdict::Probation.allows_service());
	}

	#[tokio::test]
	async fn checks_never_wait_even_when_the_node_is_down() {
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let chain = Arc::new(ChainClient::new(format!("ws://127.0.0.1:{port}")));
		let me = AccountId32::new([1; 32]);
		let gate = AdmissionGate::spawn(chain, GatePolicy::Global, &me);
		let peer = AccountId32::new([2; 32]);
		for _ in 0..1_000 {
			assert_eq!(gate.check(&peer), Verdict::Unknown);
		}
		assert!(gate.admission(&peer).await.unwrap_err().is_transient());
	}

	/// A known peer used to keep its last verdict forever while the node was down.
	#[tokio::test]
	async fn a_gate_whose_node_is_gone_fails_closed_after_its_bound() {
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let chain = Arc::new(ChainClient::new(format!("ws://127.0.0.1:{port}")));
		let me = AccountId32::new([1; 32]);
		let config = GateConfig {
			max_staleness: Duration::from_millis(200),
			max_peers: 10,
			..GateConfig::default()
		};
		let gate = AdmissionGate::spawn_with(chain, GatePolicy::Global, &me, config);
		let peer = AccountId32::new([2; 32]);
		// The node answered once (admitted), and the subscription was alive.
		gate.shared.cache.write().unwrap().insert(peer.clone(), Verdict::Admitted);
		gate.shared.freshness.alive();
		assert_eq!(gate.check(&peer), Verdict::Admitted);
		// The node is gone: nothing renews the answers; after the bound they are not used.
		tokio::time::sleep(Duration::from_millis(300)).await;
		assert!(!gate.is_fresh());
		assert_eq!(gate.check(&peer), Verdict::Unknown);
		assert!(!gate.check(&peer).allows_service());
	}

	/// The gate keeps how long ago each peer registered, as the node said, and counts the time
	/// since its answer on top; an answer without it (never registered) forgets it.
	#[tokio::test]
	async fn the_gate_knows_how_long_ago_a_peer_registered() {
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let chain = Arc::new(ChainClient::new(format!("ws://127.0.0.1:{port}")));
		let gate = AdmissionGate::spawn(chain, GatePolicy::Global, &AccountId32::new([1; 32]));
		let peer = AccountId32::new([2; 32]);
		assert_eq!(gate.registered_for(&peer), None, "not answered yet");
		let answer = |registered_for| AdmissionAnswer {
			peer: repute_rpc_api::peer::address_of(&peer),
			decision: Decision::Probation,
			reason: None,
			registered_for,
		};
		store_answers(&gate.shared, &[answer(Some(10))]);
		let age = gate.registered_for(&peer).unwrap();
		assert!(age >= Duration::from_secs(60) && age < Duration::from_secs(61), "{age:?}");
		tokio::time::sleep(Duration::from_millis(50)).await;
		assert!(gate.registered_for(&peer).unwrap() >= age + Duration::from_millis(50));
		store_answers(&gate.shared, &[answer(None)]);
		assert_eq!(gate.registered_for(&peer), None);
	}

	/// A node that answers every lookup and subscription with "probation" for each peer, and
	/// records how many peers each lookup and each subscription named.
	struct FakeNode {
		url: String,
		lookups: Arc<Mutex<Vec<usize>>>,
		subscriptions: Arc<Mutex<Vec<usize>>>,
		_server: jsonrpsee::server::ServerHandle,
	}

	impl FakeNode {
		async fn start() -> Self {
			use jsonrpsee::{server::Server, RpcModule, SubscriptionMessage};
			use repute_rpc_api::json::AdmissionChanges;
			let probation = |peers: Vec<String>| -> Vec<AdmissionAnswer> {
				peers
					.into_iter()
					.map(|peer| AdmissionAnswer {
						peer,
						decision: Decision::Probation,
						reason: None,
						registered_for: Some(1),
					})
					.collect()
			};
			let lookups = Arc::new(Mutex::new(Vec::new()));
			let subscriptions = Arc::new(Mutex::new(Vec::new()));
			let mut module = RpcModule::new((lookups.clone(), subscriptions.clone()));
			module
				.register_method("repute_admissions", move |params, counts, _| {
					let peers: Vec<String> = params.sequence().next()?;
					counts.0.lock().unwrap().push(peers.len());
					Ok::<_, jsonrpsee::types::ErrorObjectOwned>(probation(peers))
				})
				.unwrap();
			module
				.register_subscription(
					"repute_subscribeAdmissions",
					"repute_admissionChanges",
					"repute_unsubscribeAdmissions",
					move |params, pending, counts, _| async move {
						let peers: Vec<String> = params.sequence().next()?;
						counts.1.lock().unwrap().push(peers.len());
						let sink = pending.accept().await?;
						let first = AdmissionChanges {
							block: a_block_hash(),
							number: 1,
							changes: probation(peers),
						};
						sink.send(SubscriptionMessage::from_json(&first)?).await?;
						sink.closed().await;
						Ok(())
					},
				)
				.unwrap();
			let server = Server::builder().build("127.0.0.1:0").await.unwrap();
			let url = format!("ws://{}", server.local_addr().unwrap());
			Self { url, lookups, subscriptions, _server: server.start(module) }
		}
	}

	fn a_block_hash() -> crate::H256 {
		crate::H256::repeat_byte(7)
	}

	fn account(i: u32) -> AccountId32 {
		let mut bytes = [9u8; 32];
		bytes[..4].copy_from_slice(&i.to_le_bytes());
		AccountId32::new(bytes)
	}

	/// A gate used to renew its subscriptions for every new peer: a peer connecting to ten
	/// others one after the other made the node compute ten subscriptions from scratch (and a
	/// thousand such gates on one node kept it busy for minutes). Each new peer is now looked up
	/// at once, and the subscriptions renewed once, after `resubscribe_after`, for all of them.
	#[tokio::test]
	async fn new_peers_are_looked_up_at_once_and_subscribed_together() {
		let node = FakeNode::start().await;
		let chain = Arc::new(ChainClient::new(node.url.clone()));
		let config =
			GateConfig { resubscribe_after: Duration::from_secs(3), ..GateConfig::default() };
		let gate = AdmissionGate::spawn_with(chain, GatePolicy::Subjective, &account(0), config);
		// Ten peers, one at a time, further apart than the gate's gathering of a burst.
		for i in 1..=10 {
			gate.watch([account(i)]);
			tokio::time::sleep(Duration::from_millis(60)).await;
		}
		// Every one is answered (by its lookup) well before the renewal.
		let deadline = Instant::now() + Duration::from_secs(2);
		while gate.known() < 10 && Instant::now() < deadline {
			tokio::time::sleep(Duration::from_millis(10)).await;
		}
		assert_eq!(gate.known(), 10);
		assert_eq!(gate.check(&account(10)), Verdict::Probation);
		assert_eq!(node.lookups.lock().unwrap().iter().sum::<usize>(), 10);
		// Then one subscription for all of them.
		let deadline = Instant::now() + Duration::from_secs(10);
		while node.subscriptions.lock().unwrap().last() != Some(&10) && Instant::now() < deadline {
			tokio::time::sleep(Duration::from_millis(20)).await;
		}
		let subscriptions = node.subscriptions.lock().unwrap().clone();
		assert_eq!(subscriptions.last(), Some(&10), "{subscriptions:?}");
		assert!(
			subscriptions.len() <= 3,
			"{} subscriptions: {subscriptions:?}",
			subscriptions.len()
		);
	}

	#[tokio::test]
	async fn the_gate_watches_a_bounded_number_of_peers() {
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let chain = Arc::new(ChainClient::new(format!("ws://127.0.0.1:{port}")));
		let me = AccountId32::new([1; 32]);
		let config = GateConfig { max_peers: 10, ..GateConfig::default() };
		let gate = AdmissionGate::spawn_with(chain, GatePolicy::Global, &me, config);
		for i in 0..1_000u32 {
			let mut bytes = [0u8; 32];
			bytes[..4].copy_from_slice(&i.to_le_bytes());
			let peer = AccountId32::new(bytes);
			gate.shared.cache.write().unwrap().insert(peer.clone(), Verdict::Probation);
			gate.watch([peer]);
			tokio::task::yield_now().await;
		}
		// The task forgets all but the 10 newest (and their answers).
		tokio::time::sleep(Duration::from_millis(200)).await;
		assert!(gate.known() <= 10, "{}", gate.known());
	}

	/// After an outage the gate used to wait up to 30 s between attempts, so verdicts stayed
	/// stale for up to 30 s after the node was back. Attempts now come at least every
	/// `max_reconnect_backoff`, however long the node was gone.
	#[tokio::test]
	async fn a_gate_keeps_trying_the_node_at_its_bound() {
		// A "node" that accepts connections and drops them at once: every attempt fails fast.
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let port = listener.local_addr().unwrap().port();
		let attempts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
		let counted = attempts.clone();
		tokio::spawn(async move {
			while let Ok((stream, _)) = listener.accept().await {
				counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
				drop(stream);
			}
		});
		let chain = Arc::new(ChainClient::new(format!("ws://127.0.0.1:{port}")));
		let me = AccountId32::new([1; 32]);
		let config = GateConfig {
			max_reconnect_backoff: Duration::from_millis(100),
			..GateConfig::default()
		};
		let gate = AdmissionGate::spawn_with(chain, GatePolicy::Global, &me, config);
		gate.watch([AccountId32::new([2; 32])]);
		// Long enough for an uncapped doubling backoff to have reached seconds...
		tokio::time::sleep(Duration::from_secs(2)).await;
		let before = attempts.load(std::sync::atomic::Ordering::SeqCst);
		// ... while the capped one still tries about every 100 ms.
		tokio::time::sleep(Duration::from_secs(1)).await;
		let during = attempts.load(std::sync::atomic::Ordering::SeqCst) - before;
		assert!(during >= 4, "{during} attempts in a second");
	}
}
