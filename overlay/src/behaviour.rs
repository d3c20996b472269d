//! [`ReceiptBehaviour`]: the libp2p `NetworkBehaviour` of the receipt protocol.
//!
//! It runs `/repute/receipt/1` over libp2p's request-response (one connection handler per
//! connection, one stream per exchange) and keeps both sides' books of every partner. The app
//! tells it what it served ([`ReceiptBehaviour::served`]) and received
//! ([`ReceiptBehaviour::received`]), and asks [`ReceiptBehaviour::may_serve`] before serving:
//!
//! - as a **provider**, it proposes a cumulative receipt every
//!   [`ReceiptPolicy::cosign_every`] units and stores it once countersigned; a partner that does
//!   not countersign stops being served after [`ReceiptPolicy::max_unreceipted`] units. Each
//!   proposal is persisted ([`ReceiptStore::reserve_proposal`]) *before* it is signed, so a
//!   restart never re-signs a sequence or proposes fewer units than before: an honest provider
//!   never signs two contradicting receipts, which the chain would punish as an equivocation.
//! - as a **consumer**, it checks each proposal ([`crate::ledger::check_proposal`]), stores it,
//!   then countersigns; it refuses (with a reason) anything malformed, oversized, wrongly signed,
//!   replayed, overstating what it received, unsolicited or adding nothing, and proposals from a
//!   partner that sends too many ([`ReceiptConfig::proposals_per_second`]) or one whose previous
//!   proposal is still being stored. None of these refusals touches the disk.
//!
//! **Bounded by construction.** Books are kept for at most [`ReceiptConfig::max_books`] partners;
//! beyond that the longest idle one with nothing pending is dropped (and reloaded from the store if
//! the partner comes back), and a new partner is refused service while none can be dropped.
//! Connections are limited by [`ReceiptConfig::connection_limits`] (libp2p's
//! `connection_limits`). Disk writes (each `fsync`, and the store's compaction) run on tokio's
//! blocking pool, never inside the swarm's `poll`: a slow disk delays answers, not the swarm.
//!
//! Every co-signed receipt lands in the [`ReceiptStore`] before it is acknowledged, so the
//! [`crate::Submitter`] can take it to the chain even after a crash.

use crate::AccountId32;
use crate::H256;
use crate::{
	identity::account_of,
	ledger::{check_proposal, CheckContext, ConsumerBook, ProviderBook, ReceiptPolicy},
	store::{PairKey, ReceiptStore},
	wire::{InboundRequest, Proposal, ReceiptCodec, ReceiptResponse, Refusal, PROTOCOL},
	Identity, Receipt, SignedReceipt,
};
use futures::{future::BoxFuture, stream::FuturesUnordered, FutureExt, StreamExt};
use libp2p::{
	connection_limits::{self, ConnectionLimits},
	core::{transport::PortUse, Endpoint},
	request_response::{self, OutboundRequestId, ProtocolSupport, ResponseChannel},
	swarm::{
		ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, THandler, THandlerInEvent,
		THandlerOutEvent, ToSwarm,
	},
	Multiaddr, PeerId,
};
use repute_primitives::ServiceId;
use std::{
	collections::{HashMap, VecDeque},
	sync::Arc,
	task::{Context, Poll},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// How the behaviour runs.
#[derive(Clone, Debug)]
pub struct ReceiptConfig {
	/// When to propose receipts and when to stop serving.
	pub policy: ReceiptPolicy,
	/// How long a partner has to answer a proposal.
	pub request_timeout: Duration,
	/// How often unanswered service is proposed again (after a failed proposal).
	pub retry_interval: Duration,
	/// The most partners (per side and service) whose books are kept in memory.
	pub max_books: usize,
	/// The most proposals a partner may send per second (with a burst of twice as many); more
	/// are refused with [`Refusal::RateLimited`].
	pub proposals_per_second: u32,
	/// Limits on connections, pending and established.
	pub connection_limits: ConnectionLimits,
}

impl Default for ReceiptConfig {
	fn default() -> Self {
		Self {
			policy: ReceiptPolicy::default(),
			request_timeout: Duration::from_secs(10),
			retry_interval: Duration::from_secs(2),
			max_books: 10_000,
			proposals_per_second: 20,
			connection_limits: ConnectionLimits::default()
				.with_max_pending_incoming(Some(256))
				.with_max_established_incoming(Some(4_096))
				.with_max_established_per_peer(Some(2)),
		}
	}
}

/// What happened in the receipt protocol.
#[derive(Clone, Debug)]
pub enum ReceiptEvent {
	/// A partner countersigned a receipt for service this peer gave; it is stored and queued for
	/// the chain.
	Countersigned {
		/// The consumer.
		peer: PeerId,
		/// The co-signed receipt.
		receipt: SignedReceipt,
	},
	/// This peer countersigned a receipt for service it received (stored too).
	Signed {
		/// The provider.
		peer: PeerId,
		/// The co-signed receipt.
		receipt: SignedReceipt,
	},
	/// A partner refused this peer's proposal.
	ProposalRefused {
		/// The consumer.
		peer: PeerId,
		/// The service of the proposal.
		service: ServiceId,
		/// Its reason.
		reason: Refusal,
	},
	/// This peer refused a partner's proposal (and told it why).
	ProposalRejected {
		/// The provider.
		peer: PeerId,
		/// Why.
		reason: Refusal,
	},
	/// A proposal got no valid answer: timeout, lost connection, or a bad countersignature.
	ProposalFailed {
		/// The consumer.
		peer: PeerId,
		/// The service of the proposal.
		service: ServiceId,
		/// What went wrong.
		error: String,
	},
	/// A partner owes the bound of unreceipted service: serving it stops until it countersigns.
	Withholding {
		/// The consumer.
		peer: PeerId,
		/// The service.
		service: ServiceId,
		/// The units it has not receipted.
		unreceipted: u128,
	},
	/// The receipt store failed; nothing was acknowledged that was not stored.
	StoreFailed {
		/// The store's error.
		error: String,
	},
}

/// A provider's book of one partner, and whether proposing the same units again could help.
#[derive(Clone, Copy, Debug)]
struct ProviderEntry {
	book: ProviderBook,
	last_active: Instant,
	/// False after a refusal that the same units would meet again (nothing new, overstated):
	/// the next proposal waits for more service.
	retry: bool,
}

/// A consumer's book of one partner, and whether an answer to it is being stored.
#[derive(Clone, Copy, Debug)]
struct ConsumerEntry {
	book: ConsumerBook,
	last_active: Instant,
	answering: bool,
}

/// A token bucket of one partner's proposals.
#[derive(Clone, Copy, Debug)]
struct Bucket {
	tokens: f64,
	at: Instant,
}

/// A disk write finished on the blocking pool.
enum Done {
	/// The consumer's countersigned receipt is stored (or not): answer the provider.
	Answered {
		peer: PeerId,
		service: ServiceId,
		channel: ResponseChannel<ReceiptResponse>,
		signed: Box<SignedReceipt>,
		result: Result<(), String>,
	},
	/// A proposal is persisted (or not): sign and send it.
	Reserved { peer: PeerId, receipt: Box<Receipt>, result: Result<(), String> },
	/// A receipt this peer proposed, countersigned, is stored (or not).
	Stored { peer: PeerId, signed: Box<SignedReceipt>, result: Result<(), String> },
}

/// The receipt protocol's `NetworkBehaviour`. See the [module documentation](self).
pub struct ReceiptBehaviour {
	inner: request_response::Behaviour<ReceiptCodec>,
	limits: connection_limits::Behaviour,
	identity: Identity,
	genesis_hash: H256,
	config: ReceiptConfig,
	store: Arc<ReceiptStore>,
	providing: HashMap<(PeerId, ServiceId), ProviderEntry>,
	consuming: HashMap<(PeerId, ServiceId), ConsumerEntry>,
	buckets: HashMap<PeerId, Bucket>,
	in_flight: HashMap<OutboundRequestId, (PeerId, Proposal)>,
	writes: FuturesUnordered<BoxFuture<'static, Done>>,
	events: VecDeque<ReceiptEvent>,
	retry: futures_timer::Delay,
}

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Runs `write` on tokio's blocking pool and maps its outcome into a [`Done`] with `done`.
fn off_the_swarm<T: Send + 'static>(
	write: impl FnOnce() -> Result<T, crate::StoreError> + Send + 'static,
	done: impl FnOnce(Result<(), String>) -> Done + Send + 'static,
) -> BoxFuture<'static, Done> {
	let task = tokio::task::spawn_blocking(write);
	async move {
		let result = match task.await {
			Ok(Ok(_)) => Ok(()),
			Ok(Err(error)) => Err(error.to_string()),
			Err(error) => Err(format!("the store's writer stopped: {error}")),
		};
		done(result)
	}
	.boxed()
}

impl ReceiptBehaviour {
	/// The behaviour of `identity` on the chain of `genesis_hash`, resuming its books from
	/// `store` (where it also stores every co-signed receipt and every proposal it signs). Needs
	/// a tokio runtime.
	pub fn new(
		identity: Identity,
		genesis_hash: H256,
		store: Arc<ReceiptStore>,
		config: ReceiptConfig,
	) -> Self {
		let mut behaviour = Self {
			inner: request_response::Behaviour::with_codec(
				ReceiptCodec,
				[(PROTOCOL, ProtocolSupport::Full)],
				request_response::Config::default().with_request_timeout(config.request_timeout),
			),
			limits: connection_limits::Behaviour::new(config.connection_limits.clone()),
			retry: futures_timer::Delay::new(config.retry_interval),
			identity,
			genesis_hash,
			config,
			store,
			providing: HashMap::new(),
			consuming: HashMap::new(),
			buckets: HashMap::new(),
			in_flight: HashMap::new(),
			writes: FuturesUnordered::new(),
			events: VecDeque::new(),
		};
		behaviour.resume();
		behaviour
	}

	/// Loads, up to `max_books` per side, the books a restart must not forget: as a consumer,
	/// every partner it signed for (with the slack of what it received since, which was not on
	/// disk); as a provider, every partner with a proposal above its newest receipt (to propose
	/// again).
	fn resume(&mut self) {
		let me = self.identity.account().clone();
		let now = Instant::now();
		let slack = self.config.policy.max_unreceipted;
		for stored in self.store.all() {
			let receipt = &stored.receipt.receipt;
			if receipt.genesis_hash != self.genesis_hash || receipt.consumer != me {
				continue;
			}
			if self.consuming.len() >= self.config.max_books {
				break;
			}
			let peer = crate::identity::peer_of(&receipt.provider);
			self.consuming.insert(
				(peer, receipt.service),
				ConsumerEntry {
					book: ConsumerBook::resume(receipt, slack),
					last_active: now,
					answering: false,
				},
			);
		}
		for (key, proposal) in self.store.proposals() {
			if key.provider != me || self.providing.len() >= self.config.max_books {
				continue;
			}
			let stored = self.store.get(&key);
			let book =
				ProviderBook::resume(stored.as_ref().map(|s| &s.receipt.receipt), Some(proposal));
			if book.unreceipted() > 0 {
				let peer = crate::identity::peer_of(&key.consumer);
				self.providing.insert(
					(peer, key.service),
					ProviderEntry { book, last_active: now, retry: true },
				);
			}
		}
	}

	fn pair_key(
		&self,
		provider: AccountId32,
		consumer: AccountId32,
		service: ServiceId,
	) -> PairKey {
		PairKey { provider, consumer, service }
	}

	/// The provider book of `peer`, loaded from the store or created; `None` if the peer has no
	/// account or every book is busy and none can be dropped.
	fn provider_entry(&mut self, peer: PeerId, service: ServiceId) -> Option<&mut ProviderEntry> {
		if !self.providing.contains_key(&(peer, service)) {
			let consumer = account_of(&peer).ok()?;
			if self.providing.len() >= self.config.max_books && !self.evict_provider() {
				return None;
			}
			let key = self.pair_key(self.identity.account().clone(), consumer, service);
			let stored = self.store.get(&key);
			let book = ProviderBook::resume(
				stored.as_ref().map(|s| &s.receipt.receipt),
				self.store.proposal(&key),
			);
			self.providing.insert(
				(peer, service),
				ProviderEntry { book, last_active: Instant::now(), retry: true },
			);
		}
		let entry = self.providing.get_mut(&(peer, service))?;
		entry.last_active = Instant::now();
		Some(entry)
	}

	/// The consumer book of `peer`, loaded from the store or created (trusting no slack: it was
	/// dropped with nothing unsigned, or never existed); `None` as for providers.
	fn consumer_entry(&mut self, peer: PeerId, service: ServiceId) -> Option<&mut ConsumerEntry> {
		if !self.consuming.contains_key(&(peer, service)) {
			let provider = account_of(&peer).ok()?;
			if self.consuming.len() >= self.config.max_books && !self.evict_consumer() {
				return None;
			}
			let key = self.pair_key(provider, self.identity.account().clone(), service);
			let book = self
				.store
				.get(&key)
				.map(|s| ConsumerBook::resume(&s.receipt.receipt, 0))
				.unwrap_or_default();
			self.consuming.insert(
				(peer, service),
				ConsumerEntry { book, last_active: Instant::now(), answering: false },
			);
		}
		let entry = self.consuming.get_mut(&(peer, service))?;
		entry.last_active = Instant::now();
		Some(entry)
	}

	/// Drops the longest idle provider book with nothing unreceipted or outstanding.
	fn evict_provider(&mut self) -> bool {
		let idle = self
			.providing
			.iter()
			.filter(|(_, e)| e.book.outstanding.is_none() && e.book.unreceipted() == 0)
			.min_by_key(|(_, e)| e.last_active)
			.map(|(key, _)| *key);
		idle.is_some_and(|key| self.providing.remove(&key).is_some())
	}

	/// Drops the longest idle consumer book with nothing received beyond what it signed.
	fn evict_consumer(&mut self) -> bool {
		let idle = self
			.consuming
			.iter()
			.filter(|(_, e)| !e.answering && e.book.received == e.book.signed_units)
			.min_by_key(|(_, e)| e.last_active)
			.map(|(key, _)| *key);
		idle.is_some_and(|key| self.consuming.remove(&key).is_some())
	}

	/// How many partners' books are in memory, as (provider side, consumer side).
	pub fn books(&self) -> (usize, usize) {
		(self.providing.len(), self.consuming.len())
	}

	/// Whether serving `units` more of `service` to `peer` keeps what it has not receipted within
	/// the bound. Ask before serving. A new partner is refused while every book is busy.
	pub fn may_serve(&self, peer: &PeerId, service: ServiceId, units: u128) -> bool {
		match self.providing.get(&(*peer, service)) {
			Some(entry) => entry.book.may_serve(units, &self.config.policy),
			None => {
				(self.providing.len() < self.config.max_books
					|| self
						.providing
						.values()
						.any(|e| e.book.outstanding.is_none() && e.book.unreceipted() == 0))
					&& units <= self.config.policy.max_unreceipted
			}
		}
	}

	/// Units served to `peer` that no countersigned receipt covers yet.
	pub fn unreceipted(&self, peer: &PeerId, service: ServiceId) -> u128 {
		self.providing.get(&(*peer, service)).map_or(0, |e| e.book.unreceipted())
	}

	/// Units received from `peer` so far (as this peer counts them).
	pub fn received_from(&self, peer: &PeerId, service: ServiceId) -> u128 {
		self.consuming.get(&(*peer, service)).map_or(0, |e| e.book.received)
	}

	/// Units served to `peer` so far.
	pub fn served_to(&self, peer: &PeerId, service: ServiceId) -> u128 {
		self.providing.get(&(*peer, service)).map_or(0, |e| e.book.served)
	}

	/// Units served to `peer` that the chain has not counted yet: served so far, less what the
	/// chain has recorded of this pair at a finalized block (as the [`crate::Submitter`] last
	/// read it). Unreceipted service, receipts not yet submitted and receipts not yet finalized
	/// are all in it: it is what this peer gave that the chain's admission decision does not
	/// know of, the input of a [`crate::StrangerWindow`].
	pub fn unconfirmed_to(&self, peer: &PeerId, service: ServiceId) -> u128 {
		let served = self.served_to(peer, service);
		let Ok(consumer) = account_of(peer) else { return served };
		let key = PairKey { provider: self.identity.account().clone(), consumer, service };
		served.saturating_sub(self.store.confirmed(&key))
	}

	/// Counts `units` of `service` served to `peer` (call once they are sent), and proposes a
	/// receipt if one is due.
	pub fn served(&mut self, peer: PeerId, service: ServiceId, units: u128) {
		let policy = self.config.policy;
		let Some(entry) = self.provider_entry(peer, service) else {
			tracing::warn!(%peer, "no room for another partner's book: service not counted");
			return;
		};
		entry.book.served(units);
		entry.retry = true;
		let proposal = entry.book.next_proposal(&policy, false);
		if !entry.book.may_serve(1, &policy) {
			let unreceipted = entry.book.unreceipted();
			tracing::debug!(%peer, service, unreceipted, "partner reached the unreceipted bound");
			self.events.push_back(ReceiptEvent::Withholding { peer, service, unreceipted });
		}
		if let Some((sequence, units)) = proposal {
			self.propose(peer, service, sequence, units);
		}
	}

	/// Counts `units` of `service` received from `peer`.
	pub fn received(&mut self, peer: PeerId, service: ServiceId, units: u128) {
		match self.consumer_entry(peer, service) {
			Some(entry) => entry.book.received(units),
			None => tracing::warn!(%peer, "no room for another partner's book: not counted"),
		}
	}

	/// Proposes a receipt for everything served to `peer` and not yet receipted (at the end of a
	/// transfer), if no proposal is awaiting an answer.
	pub fn settle(&mut self, peer: PeerId, service: ServiceId) {
		let policy = self.config.policy;
		if let Some((sequence, units)) = self
			.providing
			.get_mut(&(peer, service))
			.and_then(|entry| entry.book.next_proposal(&policy, true))
		{
			self.propose(peer, service, sequence, units);
		}
	}

	/// The account this behaviour signs for.
	pub fn identity(&self) -> &Identity {
		&self.identity
	}

	/// Persists the proposal (sequence, units), then signs and sends it (in
	/// [`Self::on_written`]).
	fn propose(&mut self, peer: PeerId, service: ServiceId, sequence: u64, units: u128) {
		let Ok(consumer) = account_of(&peer) else {
			if let Some(entry) = self.providing.get_mut(&(peer, service)) {
				entry.book.failed();
			}
			return;
		};
		let receipt = Receipt {
			genesis_hash: self.genesis_hash,
			provider: self.identity.account().clone(),
			consumer,
			service,
			sequence,
			cumulative_units: units,
			timestamp_ms: now_ms(),
		};
		let store = self.store.clone();
		let key = self.pair_key(receipt.provider.clone(), receipt.consumer.clone(), service);
		let receipt = Box::new(receipt);
		self.writes.push(off_the_swarm(
			move || store.reserve_proposal(&key, sequence, units),
			move |result| Done::Reserved { peer, receipt, result },
		));
	}

	/// Whether `peer` may send another proposal now (a token bucket per partner).
	fn take_token(&mut self, peer: PeerId) -> bool {
		let rate = f64::from(self.config.proposals_per_second.max(1));
		let now = Instant::now();
		if self.buckets.len() >= self.config.max_books && !self.buckets.contains_key(&peer) {
			// Forget the partners whose buckets are full again: they are idle.
			self.buckets.retain(|_, b| {
				b.tokens + now.duration_since(b.at).as_secs_f64() * rate < 2.0 * rate
			});
		}
		let bucket = self.buckets.entry(peer).or_insert(Bucket { tokens: 2.0 * rate, at: now });
		bucket.tokens =
			(bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(2.0 * rate);
		bucket.at = now;
		if bucket.tokens >= 1.0 {
			bucket.tokens -= 1.0;
			true
		} else {
			false
		}
	}

	/// Answers a partner's proposal: checks it; if it passes, countersigns it and stores it on
	/// the blocking pool, answering once it is stored. Refusals are answered at once.
	fn answer(
		&mut self,
		peer: PeerId,
		request: InboundRequest,
		channel: ResponseChannel<ReceiptResponse>,
	) {
		let proposal = match request {
			InboundRequest::Proposal(proposal) => proposal,
			InboundRequest::Invalid(reason) => return self.reject(peer, reason, channel),
		};
		if !self.take_token(peer) {
			return self.reject(peer, Refusal::RateLimited, channel);
		}
		let Ok(provider) = account_of(&peer) else {
			return self.reject(peer, Refusal::WrongParties, channel);
		};
		let service = proposal.receipt.service;
		// A partner that never served this peer anything gets no book: nothing is kept for it.
		let known = self.consuming.contains_key(&(peer, service));
		let stored = !known
			&& self
				.store
				.get(&self.pair_key(provider.clone(), self.identity.account().clone(), service))
				.is_some();
		if !known && !stored {
			return self.reject(peer, Refusal::Unsolicited, channel);
		}
		let policy = self.config.policy;
		let Some(entry) = self.consumer_entry(peer, service) else {
			return self.reject(peer, Refusal::Unavailable, channel);
		};
		if entry.answering {
			return self.reject(peer, Refusal::Busy, channel);
		}
		let book = entry.book;
		let me = self.identity.account().clone();
		let context = CheckContext {
			genesis_hash: self.genesis_hash,
			consumer: &me,
			provider: &provider,
			now_ms: now_ms(),
		};
		if let Err(reason) = check_proposal(
			&proposal.receipt,
			&proposal.provider_signature,
			&context,
			&book,
			&policy,
		) {
			return self.reject(peer, reason, channel);
		}
		let signature = self.identity.sign(&proposal.receipt.signing_payload());
		let signed = proposal.countersigned(signature);
		// Counted as signed from now on, stored or not: this peer never signs anything that
		// contradicts it.
		if let Some(entry) = self.consuming.get_mut(&(peer, service)) {
			entry.book.signed(&signed.receipt);
			entry.answering = true;
		}
		let store = self.store.clone();
		let to_store = signed.clone();
		let signed = Box::new(signed);
		self.writes.push(off_the_swarm(
			move || store.put(&to_store),
			move |result| Done::Answered { peer, service, channel, signed, result },
		));
	}

	fn reject(&mut self, peer: PeerId, reason: Refusal, channel: ResponseChannel<ReceiptResponse>) {
		tracing::debug!(%peer, %reason, "refusing a receipt proposal");
		self.events.push_back(ReceiptEvent::ProposalRejected { peer, reason });
		// The partner may have gone; then there is nobody to tell.
		let _ = self.inner.send_response(channel, ReceiptResponse::Refused(reason));
	}

	/// A disk write finished: carry on with what waited for it.
	fn on_written(&mut self, done: Done) {
		match done {
			Done::Answered { peer, service, channel, signed, result } => {
				if let Some(entry) = self.consuming.get_mut(&(peer, service)) {
					entry.answering = false;
				}
				let response = match result {
					Ok(()) => {
						let signature = signed.consumer_signature.clone();
						self.events.push_back(ReceiptEvent::Signed { peer, receipt: *signed });
						ReceiptResponse::Countersigned(signature)
					}
					Err(error) => {
						tracing::error!(%error, "cannot store a receipt, so not countersigning it");
						self.events.push_back(ReceiptEvent::StoreFailed { error });
						ReceiptResponse::Refused(Refusal::Unavailable)
					}
				};
				let _ = self.inner.send_response(channel, response);
			}
			Done::Reserved { peer, receipt, result } => {
				let service = receipt.service;
				if let Err(error) = result {
					tracing::error!(%error, "cannot persist a proposal, so not signing it");
					self.events.push_back(ReceiptEvent::StoreFailed { error: error.clone() });
					return self.fail(peer, service, error);
				}
				let provider_signature = self.identity.sign(&receipt.signing_payload());
				let proposal = Proposal { receipt: *receipt, provider_signature };
				tracing::trace!(%peer, sequence = proposal.receipt.sequence, "proposing a receipt");
				let id = self.inner.send_request(&peer, InboundRequest::Proposal(proposal.clone()));
				self.in_flight.insert(id, (peer, proposal));
			}
			Done::Stored { peer, signed, result } => {
				let service = signed.receipt.service;
				if let Err(error) = result {
					tracing::error!(%error, "cannot store a countersigned receipt");
					self.events.push_back(ReceiptEvent::StoreFailed { error });
					return self.fail(peer, service, "store failed".into());
				}
				let units = signed.receipt.cumulative_units;
				if let Some(entry) = self.providing.get_mut(&(peer, service)) {
					entry.book.countersigned(units);
				}
				tracing::debug!(%peer, service, units, "receipt countersigned");
				self.events.push_back(ReceiptEvent::Countersigned { peer, receipt: *signed });
			}
		}
	}

	/// Handles the partner's answer to one of this peer's proposals.
	fn on_answer(&mut self, id: OutboundRequestId, response: ReceiptResponse) {
		let Some((peer, proposal)) = self.in_flight.remove(&id) else { return };
		let service = proposal.receipt.service;
		match response {
			ReceiptResponse::Countersigned(signature) => {
				let payload = proposal.receipt.signing_payload();
				if !signature.verify(&payload[..], &proposal.receipt.consumer) {
					tracing::warn!(%peer, "partner returned an invalid countersignature");
					return self.fail(peer, service, "invalid countersignature".into());
				}
				let signed = proposal.countersigned(signature);
				let store = self.store.clone();
				let to_store = signed.clone();
				let signed = Box::new(signed);
				self.writes.push(off_the_swarm(
					move || store.put(&to_store),
					move |result| Done::Stored { peer, signed, result },
				));
			}
			ReceiptResponse::Refused(reason) => {
				tracing::debug!(%peer, service, %reason, "partner refused a receipt");
				if let Some(entry) = self.providing.get_mut(&(peer, service)) {
					entry.book.failed();
					// The same units would be refused again: wait for more service. (A smaller
					// proposal is never made: the partner may hold this one, signed.)
					if matches!(
						reason,
						Refusal::Overstated { .. } | Refusal::NothingNew | Refusal::Unsolicited
					) {
						entry.retry = false;
					}
				}
				self.events.push_back(ReceiptEvent::ProposalRefused { peer, service, reason });
			}
		}
	}

	fn fail(&mut self, peer: PeerId, service: ServiceId, error: String) {
		if let Some(entry) = self.providing.get_mut(&(peer, service)) {
			entry.book.failed();
		}
		self.events.push_back(ReceiptEvent::ProposalFailed { peer, service, error });
	}

	/// Proposes again, for every connected partner, service that is unreceipted after a failure.
	fn retry_unanswered(&mut self) {
		let policy = self.config.policy;
		let due: Vec<_> = self
			.providing
			.iter_mut()
			.filter(|((peer, _), entry)| {
				entry.retry
					&& entry.book.outstanding.is_none()
					&& entry.book.unreceipted() > 0
					&& self.inner.is_connected(peer)
			})
			.filter_map(|((peer, service), entry)| {
				entry
					.book
					.next_proposal(&policy, true)
					.map(|(seq, units)| (*peer, *service, seq, units))
			})
			.collect();
		for (peer, service, sequence, units) in due {
			self.propose(peer, service, sequence, units);
		}
	}

	fn on_event(&mut self, event: request_response::Event<InboundRequest, ReceiptResponse>) {
		use request_response::{Event, Message};
		match event {
			Event::Message { peer, message: Message::Request { request, channel, .. } } => {
				self.answer(peer, request, channel);
			}
			Event::Message { message: Message::Response { request_id, response }, .. } => {
				self.on_answer(request_id, response);
			}
			Event::OutboundFailure { peer, request_id, error } => {
				if let Some((_, proposal)) = self.in_flight.remove(&request_id) {
					tracing::debug!(%peer, %error, "receipt proposal failed");
					self.fail(peer, proposal.receipt.service, error.to_string());
				}
			}
			Event::InboundFailure { peer, error, .. } => {
				tracing::debug!(%peer, %error, "inbound receipt exchange failed");
			}
			Event::ResponseSent { .. } => {}
		}
	}
}

impl NetworkBehaviour for ReceiptBehaviour {
	type ConnectionHandler =
		<request_response::Behaviour<ReceiptCodec> as NetworkBehaviour>::ConnectionHandler;
	type ToSwarm = ReceiptEvent;

	fn handle_pending_inbound_connection(
		&mut self,
		connection_id: ConnectionId,
		local_addr: &Multiaddr,
		remote_addr: &Multiaddr,
	) -> Result<(), ConnectionDenied> {
		self.limits.handle_pending_inbound_connection(connection_id, local_addr, remote_addr)?;
		self.inner.handle_pending_inbound_connection(connection_id, local_addr, remote_addr)
	}

	fn handle_established_inbound_connection(
		&mut self,
		connection_id: ConnectionId,
		peer: PeerId,
		local_addr: &Multiaddr,
		remote_addr: &Multiaddr,
	) -> Result<THandler<Self>, ConnectionDenied> {
		self.limits.handle_established_inbound_connection(
			connection_id,
			peer,
			local_addr,
			remote_addr,
		)?;
		self.inner.handle_established_inbound_connection(
			connection_id,
			peer,
			local_addr,
			remote_addr,
		)
	}

	fn handle_pending_outbound_connection(
		&mut self,
		connection_id: ConnectionId,
		maybe_peer: Option<PeerId>,
		addresses: &[Multiaddr],
		effective_role: Endpoint,
	) -> Result<Vec<Multiaddr>, ConnectionDenied> {
		self.limits.handle_pending_outbound_connection(
			connection_id,
			maybe_peer,
			addresses,
			effective_role,
		)?;
		self.inner.handle_pending_outbound_connection(
			connection_id,
			maybe_peer,
			addresses,
			effective_role,
		)
	}

	fn handle_established_outbound_connection(
		&mut self,
		connection_id: ConnectionId,
		peer: PeerId,
		addr: &Multiaddr,
		role_override: Endpoint,
		port_use: PortUse,
	) -> Result<THandler<Self>, ConnectionDenied> {
		self.limits.handle_established_outbound_connection(
			connection_id,
			peer,
			addr,
			role_override,
			port_use,
		)?;
		self.inner.handle_established_outbound_connection(
			connection_id,
			peer,
			addr,
			role_override,
			port_use,
		)
	}

	fn on_swarm_event(&mut self, event: FromSwarm) {
		self.limits.on_swarm_event(event);
		self.inner.on_swarm_event(event)
	}

	fn on_connection_handler_event(
		&mut self,
		peer: PeerId,
		connection_id: ConnectionId,
		event: THandlerOutEvent<Self>,
	) {
		self.inner.on_connection_handler_event(peer, connection_id, event)
	}

	fn poll(&mut self, cx: &mut Context<'_>) -> Poll<ToSwarm<ReceiptEvent, THandlerInEvent<Self>>> {
		loop {
			if let Some(event) = self.events.pop_front() {
				return Poll::Ready(ToSwarm::GenerateEvent(event));
			}
			if let Poll::Ready(Some(done)) = self.writes.poll_next_unpin(cx) {
				self.on_written(done);
				continue;
			}
			if self.retry.poll_unpin(cx).is_ready() {
				self.retry.reset(self.config.retry_interval);
				self.retry_unanswered();
				continue;
			}
			match self.inner.poll(cx) {
				Poll::Ready(ToSwarm::GenerateEvent(event)) => self.on_event(event),
				Poll::Ready(action) => {
					return Poll::Ready(action.map_out(|_| {
						unreachable!("GenerateEvent is handled in the arm above; qed")
					}))
				}
				Poll::Pending => return Poll::Pending,
			}
		}
	}
}
