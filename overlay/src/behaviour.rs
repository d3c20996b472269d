//! [`ReceiptBehaviour`]: the libp2p `NetworkBehaviour` of the receipt protocol.
//!
//! It runs `/repute/receipt/1` over libp2p's request-response (one connection handler per
//! connection, one stream per exchange) and keeps both sides' books of every partner. The app
//! tells it what it served ([`ReceiptBehaviour::served`]) and received
//! ([`ReceiptBehaviour::received`]), and asks [`ReceiptBehaviour::may_serve`] before serving:
//!
//! - as a **provider**, it proposes a cumulative receipt every
//!   [`ReceiptPolicy::cosign_every`] units and stores it once countersigned; a partner that does
//!   not countersign stops being served after [`ReceiptPolicy::max_unreceipted`] units;
//! - as a **consumer**, it checks each proposal ([`crate::ledger::check_proposal`]), stores it,
//!   then countersigns; it refuses (with a reason) anything malformed, oversized, wrongly signed,
//!   replayed or overstating what it received.
//!
//! Every co-signed receipt lands in the [`ReceiptStore`] before it is acknowledged, so the
//! [`crate::Submitter`] can take it to the chain even after a crash.

use crate::{
	identity::account_of,
	ledger::{check_proposal, CheckContext, ConsumerBook, ProviderBook, ReceiptPolicy},
	store::ReceiptStore,
	wire::{InboundRequest, Proposal, ReceiptCodec, ReceiptResponse, Refusal, PROTOCOL},
	Identity, Receipt, SignedReceipt,
};
use futures::FutureExt;
use libp2p::{
	core::{transport::PortUse, Endpoint},
	request_response::{self, OutboundRequestId, ProtocolSupport},
	swarm::{
		ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, THandler, THandlerInEvent,
		THandlerOutEvent, ToSwarm,
	},
	Multiaddr, PeerId,
};
use repute_primitives::ServiceId;
use sp_core::H256;
use sp_runtime::traits::Verify;
use std::{
	collections::{HashMap, VecDeque},
	sync::Arc,
	task::{Context, Poll},
	time::{Duration, SystemTime, UNIX_EPOCH},
};

/// How the behaviour runs.
#[derive(Clone, Debug)]
pub struct ReceiptConfig {
	/// When to propose receipts and when to stop serving.
	pub policy: ReceiptPolicy,
	/// How long a partner has to answer a proposal.
	pub request_timeout: Duration,
	/// How often unanswered service is proposed again (after a failed or refused proposal).
	pub retry_interval: Duration,
}

impl Default for ReceiptConfig {
	fn default() -> Self {
		Self {
			policy: ReceiptPolicy::default(),
			request_timeout: Duration::from_secs(10),
			retry_interval: Duration::from_secs(2),
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

struct InFlight {
	peer: PeerId,
	proposal: Proposal,
}

/// The receipt protocol's `NetworkBehaviour`. See the [module documentation](self).
pub struct ReceiptBehaviour {
	inner: request_response::Behaviour<ReceiptCodec>,
	identity: Identity,
	genesis_hash: H256,
	config: ReceiptConfig,
	store: Arc<ReceiptStore>,
	providing: HashMap<(PeerId, ServiceId), ProviderBook>,
	consuming: HashMap<(PeerId, ServiceId), ConsumerBook>,
	in_flight: HashMap<OutboundRequestId, InFlight>,
	events: VecDeque<ReceiptEvent>,
	retry: futures_timer::Delay,
}

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

impl ReceiptBehaviour {
	/// The behaviour of `identity` on the chain of `genesis_hash`, resuming its books from
	/// `store` (where it also stores every co-signed receipt).
	pub fn new(
		identity: Identity,
		genesis_hash: H256,
		store: Arc<ReceiptStore>,
		config: ReceiptConfig,
	) -> Self {
		let mut providing = HashMap::new();
		let mut consuming = HashMap::new();
		for stored in store.all() {
			let receipt = &stored.receipt.receipt;
			if receipt.genesis_hash != genesis_hash {
				continue;
			}
			if &receipt.provider == identity.account() {
				let peer = crate::identity::peer_of(&receipt.consumer);
				providing.insert((peer, receipt.service), ProviderBook::resume(receipt));
			} else if &receipt.consumer == identity.account() {
				let peer = crate::identity::peer_of(&receipt.provider);
				consuming.insert((peer, receipt.service), ConsumerBook::resume(receipt));
			}
		}
		let inner = request_response::Behaviour::with_codec(
			ReceiptCodec,
			[(PROTOCOL, ProtocolSupport::Full)],
			request_response::Config::default().with_request_timeout(config.request_timeout),
		);
		let retry = futures_timer::Delay::new(config.retry_interval);
		Self {
			inner,
			identity,
			genesis_hash,
			config,
			store,
			providing,
			consuming,
			in_flight: HashMap::new(),
			events: VecDeque::new(),
			retry,
		}
	}

	/// Whether serving `units` more of `service` to `peer` keeps what it has not receipted within
	/// the bound. Ask before serving.
	pub fn may_serve(&self, peer: &PeerId, service: ServiceId, units: u128) -> bool {
		self.providing
			.get(&(*peer, service))
			.copied()
			.unwrap_or_default()
			.may_serve(units, &self.config.policy)
	}

	/// Units served to `peer` that no countersigned receipt covers yet.
	pub fn unreceipted(&self, peer: &PeerId, service: ServiceId) -> u128 {
		self.providing.get(&(*peer, service)).map_or(0, ProviderBook::unreceipted)
	}

	/// Units received from `peer` so far (as this peer counts them).
	pub fn received_from(&self, peer: &PeerId, service: ServiceId) -> u128 {
		self.consuming.get(&(*peer, service)).map_or(0, |book| book.received)
	}

	/// Units served to `peer` so far.
	pub fn served_to(&self, peer: &PeerId, service: ServiceId) -> u128 {
		self.providing.get(&(*peer, service)).map_or(0, |book| book.served)
	}

	/// Counts `units` of `service` served to `peer` (call once they are sent), and proposes a
	/// receipt if one is due.
	pub fn served(&mut self, peer: PeerId, service: ServiceId, units: u128) {
		let policy = self.config.policy;
		let book = self.providing.entry((peer, service)).or_default();
		book.served(units);
		let proposal = book.next_proposal(&policy, false);
		if !book.may_serve(1, &policy) {
			let unreceipted = book.unreceipted();
			tracing::debug!(%peer, service, unreceipted, "partner reached the unreceipted bound");
			self.events.push_back(ReceiptEvent::Withholding { peer, service, unreceipted });
		}
		if let Some((sequence, units)) = proposal {
			self.propose(peer, service, sequence, units);
		}
	}

	/// Counts `units` of `service` received from `peer`.
	pub fn received(&mut self, peer: PeerId, service: ServiceId, units: u128) {
		self.consuming.entry((peer, service)).or_default().received(units);
	}

	/// Proposes a receipt for everything served to `peer` and not yet receipted (at the end of a
	/// transfer), if no proposal is awaiting an answer.
	pub fn settle(&mut self, peer: PeerId, service: ServiceId) {
		let policy = self.config.policy;
		if let Some((sequence, units)) = self
			.providing
			.get_mut(&(peer, service))
			.and_then(|book| book.next_proposal(&policy, true))
		{
			self.propose(peer, service, sequence, units);
		}
	}

	/// The account this behaviour signs for.
	pub fn identity(&self) -> &Identity {
		&self.identity
	}

	fn propose(&mut self, peer: PeerId, service: ServiceId, sequence: u64, units: u128) {
		let Ok(consumer) = account_of(&peer) else {
			if let Some(book) = self.providing.get_mut(&(peer, service)) {
				book.failed();
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
		let provider_signature = self.identity.sign(&receipt.signing_payload());
		let proposal = Proposal { receipt, provider_signature };
		tracing::trace!(%peer, service, sequence, units, "proposing a receipt");
		let id = self.inner.send_request(&peer, InboundRequest::Proposal(proposal.clone()));
		self.in_flight.insert(id, InFlight { peer, proposal });
	}

	/// Answers a partner's proposal: checks it, stores it, countersigns it.
	fn answer(&mut self, peer: PeerId, request: InboundRequest) -> ReceiptResponse {
		let proposal = match request {
			InboundRequest::Proposal(proposal) => proposal,
			InboundRequest::Invalid(reason) => return self.reject(peer, reason),
		};
		let Ok(provider) = account_of(&peer) else {
			return self.reject(peer, Refusal::WrongParties);
		};
		let service = proposal.receipt.service;
		let book = self.consuming.get(&(peer, service)).copied().unwrap_or_default();
		let context = CheckContext {
			genesis_hash: self.genesis_hash,
			consumer: self.identity.account(),
			provider: &provider,
			now_ms: now_ms(),
		};
		if let Err(reason) = check_proposal(
			&proposal.receipt,
			&proposal.provider_signature,
			&context,
			&book,
			&self.config.policy,
		) {
			return self.reject(peer, reason);
		}
		let signature = self.identity.sign(&proposal.receipt.signing_payload());
		let signed = proposal.countersigned(signature.clone());
		if let Err(error) = self.store.put(&signed) {
			tracing::error!(%error, "cannot store a receipt, so not countersigning it");
			self.events.push_back(ReceiptEvent::StoreFailed { error: error.to_string() });
			return ReceiptResponse::Refused(Refusal::Unavailable);
		}
		self.consuming.entry((peer, service)).or_default().signed(&signed.receipt);
		self.events.push_back(ReceiptEvent::Signed { peer, receipt: signed });
		ReceiptResponse::Countersigned(signature)
	}

	fn reject(&mut self, peer: PeerId, reason: Refusal) -> ReceiptResponse {
		tracing::warn!(%peer, %reason, "refusing a receipt proposal");
		self.events.push_back(ReceiptEvent::ProposalRejected { peer, reason });
		ReceiptResponse::Refused(reason)
	}

	/// Handles the partner's answer to one of this peer's proposals.
	fn on_answer(&mut self, id: OutboundRequestId, response: ReceiptResponse) {
		let Some(InFlight { peer, proposal }) = self.in_flight.remove(&id) else { return };
		let service = proposal.receipt.service;
		let units = proposal.receipt.cumulative_units;
		match response {
			ReceiptResponse::Countersigned(signature) => {
				let payload = proposal.receipt.signing_payload();
				if !signature.verify(&payload[..], &proposal.receipt.consumer) {
					tracing::warn!(%peer, "partner returned an invalid countersignature");
					self.fail(peer, service, "invalid countersignature".into());
					return;
				}
				let signed = proposal.countersigned(signature);
				if let Err(error) = self.store.put(&signed) {
					tracing::error!(%error, "cannot store a countersigned receipt");
					self.events.push_back(ReceiptEvent::StoreFailed { error: error.to_string() });
					self.fail(peer, service, "store failed".into());
					return;
				}
				if let Some(book) = self.providing.get_mut(&(peer, service)) {
					book.countersigned(units);
				}
				tracing::debug!(%peer, service, units, "receipt countersigned");
				self.events.push_back(ReceiptEvent::Countersigned { peer, receipt: signed });
			}
			ReceiptResponse::Refused(reason) => {
				tracing::debug!(%peer, service, %reason, "partner refused a receipt");
				let book = self.providing.entry((peer, service)).or_default();
				book.failed();
				let retry = match reason {
					Refusal::Overstated { received } => book.next_proposal_up_to(received),
					_ => None,
				};
				self.events.push_back(ReceiptEvent::ProposalRefused { peer, service, reason });
				if let Some((sequence, units)) = retry {
					self.propose(peer, service, sequence, units);
				}
			}
		}
	}

	fn fail(&mut self, peer: PeerId, service: ServiceId, error: String) {
		if let Some(book) = self.providing.get_mut(&(peer, service)) {
			book.failed();
		}
		self.events.push_back(ReceiptEvent::ProposalFailed { peer, service, error });
	}

	/// Proposes again, for every connected partner, service that is unreceipted after a failure.
	fn retry_unanswered(&mut self) {
		let policy = self.config.policy;
		let due: Vec<_> = self
			.providing
			.iter_mut()
			.filter(|((peer, _), book)| {
				book.outstanding.is_none()
					&& book.unreceipted() > 0
					&& self.inner.is_connected(peer)
			})
			.filter_map(|((peer, service), book)| {
				book.next_proposal(&policy, true).map(|(seq, units)| (*peer, *service, seq, units))
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
				let response = self.answer(peer, request);
				// The partner may have gone; then there is nobody to tell.
				let _ = self.inner.send_response(channel, response);
			}
			Event::Message { message: Message::Response { request_id, response }, .. } => {
				self.on_answer(request_id, response);
			}
			Event::OutboundFailure { peer, request_id, error } => {
				if let Some(flight) = self.in_flight.remove(&request_id) {
					tracing::debug!(%peer, %error, "receipt proposal failed");
					self.fail(peer, flight.proposal.receipt.service, error.to_string());
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
		self.inner.handle_pending_inbound_connection(connection_id, local_addr, remote_addr)
	}

	fn handle_established_inbound_connection(
		&mut self,
		connection_id: ConnectionId,
		peer: PeerId,
		local_addr: &Multiaddr,
		remote_addr: &Multiaddr,
	) -> Result<THandler<Self>, ConnectionDenied> {
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
		self.inner.handle_established_outbound_connection(
			connection_id,
			peer,
			addr,
			role_override,
			port_use,
		)
	}

	fn on_swarm_event(&mut self, event: FromSwarm) {
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
