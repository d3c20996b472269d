//! [`SharePeer`]: one file-sharing peer. It serves chunks to peers its [`ServePolicy`] admits,
//! downloads what it wants from peers that have it, and co-signs a receipt with each partner
//! every few chunks through [`ReceiptBehaviour`].
//!
//! Its [`Role`] says how it behaves: honest, a free rider (downloads, never serves), or one
//! identity of a Sybil attacker (fakes service to its sibling identities with real co-signed
//! receipts, never serves anyone else).

use crate::{
	choker::{Choker, ChokerConfig},
	chunks::{ChunkCodec, ChunkRequest, ChunkResponse, Refused, CHUNK_BYTES, PROTOCOL},
	library::{File, FileOrder, Library},
	policy::{decide, ServePolicy, Standing, Terms},
};
use futures::StreamExt;
use libp2p::{
	request_response::{self, InboundRequestId, OutboundRequestId, ProtocolSupport},
	swarm::{NetworkBehaviour, SwarmEvent},
	Multiaddr, PeerId, Swarm,
};
use repute_overlay::{
	account_of, AdmissionGate, ChannelBook, Cover, Identity, OwnCredit, Payer, ReceiptBehaviour,
	ReceiptConfig, ReceiptEvent, ReceiptStore, StrangerWindow, TransportKind, Verdict, H256,
};
use std::{
	collections::{HashMap, HashSet, VecDeque},
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};
use tokio::sync::mpsc;

/// The most files a catalogue lists (it must fit one message).
pub const MAX_CATALOGUE: usize = 16;

/// The service id of the demo: bytes of file content.
pub const SERVICE: u32 = 0;

/// How a peer behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
	/// Serves what it has to whoever its policy admits, downloads what it wants.
	Honest,
	/// Downloads, never serves.
	FreeRider,
	/// One identity of a Sybil attacker: fakes service to `next` (its next sibling) and signs
	/// whatever `previous` claims, serves nobody else, downloads from everyone.
	Sybil {
		/// The sibling it claims to serve.
		next: PeerId,
		/// The sibling that claims to serve it.
		previous: PeerId,
	},
}

impl Role {
	/// A short name.
	pub fn name(&self) -> &'static str {
		match self {
			Self::Honest => "honest",
			Self::FreeRider => "free-rider",
			Self::Sybil { .. } => "sybil",
		}
	}
}

/// What a download asks a provider for: a chunk, or a page of chunk hashes (which comes first:
/// a chunk is checked against its page).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Piece {
	Chunk(u32),
	Hashes(u32),
}

/// How a peer runs.
#[derive(Clone)]
pub struct PeerConfig {
	/// How it behaves.
	pub role: Role,
	/// Whom it serves.
	pub policy: ServePolicy,
	/// How far bilateral credit lets a stranger run ahead, in bytes.
	pub bilateral_allowance: u128,
	/// BitTorrent's choker, for [`ServePolicy::Bittorrent`].
	pub choker: ChokerConfig,
	/// How much service not yet counted on chain the Repute policies give a newcomer.
	pub stranger_window: StrangerWindow,
	/// What the paid policy asks a byte.
	pub price: u128,
	/// Chunks it uploads per second at most (its capacity).
	pub upload_chunks_per_second: f64,
	/// Chunk requests it keeps in flight at most.
	pub max_in_flight: usize,
	/// How long it leaves a peer alone after a refusal.
	pub refusal_backoff: Duration,
	/// How long a request it would serve but for its upload capacity may wait for a free
	/// upload slot (first come, first served) before it is refused as busy. It holds as many
	/// such requests as its capacity serves in that time. By default [`DEFAULT_LONGEST_WAIT`];
	/// `Duration::ZERO` refuses them at once, and each refusal is asked again (at 1,000
	/// simulated peers, six refusals for every chunk served: docs/simulation.md, "Waiting for
	/// upload slots by default").
	pub longest_wait: Duration,
	/// Bytes a Sybil identity claims to give its next sibling per second.
	pub sybil_fake_rate: u128,
	/// Receipt protocol settings.
	pub receipts: ReceiptConfig,
	/// How often to ask connected peers for their catalogues again.
	pub catalogue_refresh: Duration,
	/// Which files to fetch.
	pub wants: Wants,
	/// Check downloaded chunks and count them, but do not keep their bytes (simulations).
	pub generated_downloads: bool,
}

/// How long a request that lacks only an upload slot waits for one by default
/// ([`PeerConfig::longest_wait`]).
pub const DEFAULT_LONGEST_WAIT: Duration = Duration::from_secs(8);

/// Which files a peer downloads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wants {
	/// Every file its partners offer.
	Everything,
	/// Only these.
	Only(Vec<String>),
}

impl Default for PeerConfig {
	fn default() -> Self {
		Self {
			role: Role::Honest,
			policy: ServePolicy::ReputeGlobal,
			bilateral_allowance: 8 * CHUNK_BYTES as u128,
			choker: ChokerConfig::default(),
			stranger_window: StrangerWindow::OPEN,
			price: 0,
			upload_chunks_per_second: 32.0,
			max_in_flight: 8,
			refusal_backoff: Duration::from_secs(2),
			longest_wait: DEFAULT_LONGEST_WAIT,
			sybil_fake_rate: 64 * CHUNK_BYTES as u128,
			receipts: ReceiptConfig::default(),
			catalogue_refresh: Duration::from_secs(30),
			wants: Wants::Everything,
			generated_downloads: false,
		}
	}
}

/// What a peer has done, readable from outside while it runs.
#[derive(Debug, Default)]
pub struct PeerStats {
	/// Bytes of verified chunks received.
	pub received: AtomicU64,
	/// Bytes of chunks served.
	pub served: AtomicU64,
	/// Refusals by reason: not admitted, unreceipted, busy, not found, malformed, unconfirmed,
	/// choked, unpaid.
	pub refused_by: [AtomicU64; 8],
	/// Chunk requests this peer made that were answered with a chunk.
	pub answered: AtomicU64,
	/// Receipts co-signed (either side).
	pub receipts: AtomicU64,
	/// Files completed.
	pub completed: AtomicU64,
	/// Connected peers.
	pub connected: AtomicU64,
	/// Rounds of chunk requests in which it held some back because its own admission credit
	/// would not cover them ([`ChainServices::credit`]).
	pub held_for_credit: AtomicU64,
}

impl PeerStats {
	/// Chunk requests this peer made that were refused, whatever the reason.
	pub fn refused(&self) -> u64 {
		self.refused_by.iter().map(|count| count.load(Ordering::Relaxed)).sum()
	}
}

/// Orders for a running peer.
#[derive(Debug)]
pub enum Command {
	/// Connect to a peer at this address.
	Dial(Multiaddr),
	/// Stop (after settling receipts with connected partners).
	Stop,
}

/// The swarm's behaviour: the receipt protocol and the chunk protocol.
#[derive(NetworkBehaviour)]
pub struct ShareBehaviour {
	/// `/repute/receipt/1`.
	pub receipts: ReceiptBehaviour,
	/// `/repute-share/chunk/1`.
	pub chunks: request_response::Behaviour<ChunkCodec>,
}

/// A running peer's handle: its address, stats, and a channel for commands.
#[derive(Clone)]
pub struct PeerHandle {
	/// Its libp2p id.
	pub peer_id: PeerId,
	/// Where it listens.
	pub address: Multiaddr,
	/// What it has done.
	pub stats: Arc<PeerStats>,
	commands: mpsc::UnboundedSender<Command>,
}

impl PeerHandle {
	/// Sends a command; false if the peer has stopped.
	pub fn send(&self, command: Command) -> bool {
		self.commands.send(command).is_ok()
	}
}

/// What a peer asks of the chain: admission decisions, payment channels, payments.
#[derive(Clone, Default)]
pub struct ChainServices {
	/// The admission gate (the Repute policies).
	pub gate: Option<AdmissionGate>,
	/// The book of its consumers' payment channels (the paid policy).
	pub channels: Option<ChannelBook>,
	/// What pays providers that ask to be paid (a peer that pays its way).
	pub payer: Option<Payer>,
	/// Its own admission credit: when set, it asks for chunks only within what the chain still
	/// lets it take, less what it received and the chain has not counted yet, so that being
	/// served by many providers at once does not take it past its stranger allowance (which
	/// would mark it as a free rider: docs/overlay.md, "Own credit").
	pub credit: Option<OwnCredit>,
}

/// A request that would be served but for the upload capacity, waiting for a slot.
struct Waiting {
	peer: PeerId,
	request_id: InboundRequestId,
	request: ChunkRequest,
	channel: request_response::ResponseChannel<ChunkResponse>,
	/// When it is refused as busy if still waiting.
	until: Instant,
}

/// How a peer answers a request.
enum Answer {
	/// This response now, and the bytes it serves (to count once sent).
	Now(ChunkResponse, Option<u128>),
	/// Served but for the upload capacity: the request may wait for a slot.
	NoSlot,
}

/// One peer. Build with [`SharePeer::start`].
pub struct SharePeer {
	swarm: Swarm<ShareBehaviour>,
	config: PeerConfig,
	library: Library,
	/// The order in which it goes through catalogues and its downloads.
	file_order: FileOrder,
	gate: Option<AdmissionGate>,
	channels: Option<ChannelBook>,
	payer: Option<Payer>,
	credit: Option<OwnCredit>,
	/// Providers that served it without being paid: with a payer, beyond its credit it asks
	/// only providers it pays and those not known to serve on credit (which may ask to be paid).
	served_on_credit: HashSet<PeerId>,
	stats: Arc<PeerStats>,
	/// Who offers each file.
	providers: HashMap<String, HashSet<PeerId>>,
	/// Chunks and pages of chunk hashes requested and not answered: request → (file, what,
	/// provider).
	in_flight: HashMap<OutboundRequestId, (String, Piece, PeerId)>,
	requested: HashSet<(String, Piece)>,
	/// Chunks sent and not yet confirmed written: request → (peer, bytes).
	sending: HashMap<InboundRequestId, (PeerId, u128)>,
	backoff: HashMap<PeerId, Instant>,
	/// Requests waiting for an upload slot, oldest first.
	waiting: VecDeque<Waiting>,
	/// Whom BitTorrent's choker unchokes (kept whatever the policy; read by
	/// [`ServePolicy::Bittorrent`] only).
	choker: Choker<PeerId>,
	tokens: f64,
	last_refill: Instant,
	progress: Option<Box<dyn FnMut(&File) + Send>>,
}

impl SharePeer {
	/// Starts a peer of `identity` on the chain of `genesis_hash`, listening on `listen`,
	/// storing receipts in `store` and asking `chain` (the gate for the Repute policies, the
	/// channel book for the paid one, the payer to pay providers that ask). Returns its
	/// handle; the peer runs on the tokio runtime until [`Command::Stop`] or its handle's
	/// channel closes.
	#[allow(clippy::too_many_arguments)]
	pub async fn start(
		identity: Identity,
		genesis_hash: H256,
		store: Arc<ReceiptStore>,
		chain: ChainServices,
		library: Library,
		config: PeerConfig,
		transport: TransportKind,
		listen: Multiaddr,
		progress: Option<Box<dyn FnMut(&File) + Send>>,
	) -> Result<PeerHandle, Box<dyn std::error::Error + Send + Sync>> {
		let behaviour = ShareBehaviour {
			receipts: ReceiptBehaviour::new(
				identity.clone(),
				genesis_hash,
				store,
				config.receipts.clone(),
			),
			chunks: request_response::Behaviour::with_codec(
				ChunkCodec,
				[(PROTOCOL, ProtocolSupport::Full)],
				request_response::Config::default()
					.with_request_timeout(Duration::from_secs(20))
					.with_max_concurrent_streams(256),
			),
		};
		let mut swarm = repute_overlay::build_swarm(
			&identity,
			behaviour,
			transport,
			Duration::from_secs(3600),
		)?;
		swarm.listen_on(listen)?;
		let address = loop {
			if let SwarmEvent::NewListenAddr { address, .. } = swarm.select_next_some().await {
				break address;
			}
		};
		let stats = Arc::new(PeerStats::default());
		let (commands, receiver) = mpsc::unbounded_channel();
		let handle =
			PeerHandle { peer_id: *swarm.local_peer_id(), address, stats: stats.clone(), commands };
		let mut peer = SharePeer {
			swarm,
			library,
			file_order: FileOrder::random(),
			gate: chain.gate,
			channels: chain.channels,
			payer: chain.payer,
			credit: chain.credit,
			served_on_credit: HashSet::new(),
			stats,
			providers: HashMap::new(),
			in_flight: HashMap::new(),
			requested: HashSet::new(),
			sending: HashMap::new(),
			backoff: HashMap::new(),
			waiting: VecDeque::new(),
			choker: Choker::new(config.choker),
			tokens: config.upload_chunks_per_second.max(1.0),
			last_refill: Instant::now(),
			config,
			progress,
		};
		if let Role::Sybil { previous, .. } = &peer.config.role {
			// Sign whatever the previous sibling claims: the fake half of the attack.
			peer.swarm.behaviour_mut().receipts.received(*previous, SERVICE, u128::MAX / 4);
		}
		tokio::spawn(async move { peer.run(receiver).await });
		Ok(handle)
	}

	async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
		// Each peer ticks at its own phase, so no peer's requests systematically arrive first.
		let phase = Duration::from_millis(rand::random::<u64>() % 250);
		let mut tick = tokio::time::interval_at(
			tokio::time::Instant::now() + phase,
			Duration::from_millis(250),
		);
		tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
		let mut catalogue_refresh = tokio::time::interval(self.config.catalogue_refresh);
		catalogue_refresh.tick().await; // the first tick is immediate; catalogues come on connect
								  // When the oldest waiting request gets a slot or runs out of time (armed only while
								  // requests wait).
		let service = tokio::time::sleep(Duration::ZERO);
		tokio::pin!(service);
		loop {
			if let Some(at) = self.next_service() {
				let at = tokio::time::Instant::from_std(at);
				if service.deadline() != at {
					service.as_mut().reset(at);
				}
			}
			tokio::select! {
				event = self.swarm.select_next_some() => self.on_swarm_event(event),
				_ = &mut service, if !self.waiting.is_empty() => self.serve_waiting(),
				_ = tick.tick() => self.on_tick(),
				_ = catalogue_refresh.tick() => self.refresh_catalogues(),
				command = commands.recv() => match command {
					Some(Command::Dial(address)) => {
						if let Err(error) = self.swarm.dial(address.clone()) {
							tracing::warn!(%address, %error, "cannot dial");
						}
					}
					Some(Command::Stop) | None => {
						self.settle_all();
						// Give the final proposals a moment to be answered.
						let deadline = tokio::time::sleep(Duration::from_secs(2));
						tokio::pin!(deadline);
						loop {
							tokio::select! {
								event = self.swarm.select_next_some() => self.on_swarm_event(event),
								_ = &mut deadline => return,
							}
						}
					}
				},
			}
		}
	}

	fn settle_all(&mut self) {
		let peers: Vec<PeerId> = self.swarm.connected_peers().copied().collect();
		for peer in peers {
			self.swarm.behaviour_mut().receipts.settle(peer, SERVICE);
		}
	}

	fn refresh_catalogues(&mut self) {
		let peers: Vec<PeerId> = self.swarm.connected_peers().copied().collect();
		for peer in peers {
			self.swarm.behaviour_mut().chunks.send_request(&peer, Some(ChunkRequest::Catalogue));
		}
	}

	/// Adds the upload tokens earned since the last refill (continuously, so no requester's
	/// timing is favoured); returns the seconds elapsed.
	fn refill(&mut self) -> f64 {
		let now = Instant::now();
		let elapsed = now.duration_since(self.last_refill).as_secs_f64();
		self.last_refill = now;
		let capacity = self.config.upload_chunks_per_second.max(1.0);
		self.tokens = (self.tokens + elapsed * self.config.upload_chunks_per_second).min(capacity);
		elapsed
	}

	/// When the oldest waiting request is to be answered: when the next upload slot frees up,
	/// or when it has waited as long as it may, whichever comes first. `None` if none waits.
	fn next_service(&self) -> Option<Instant> {
		let oldest = self.waiting.front()?;
		let rate = self.config.upload_chunks_per_second.max(f64::MIN_POSITIVE);
		let missing = (1.0 - self.tokens).max(0.0);
		let slot = self.last_refill + Duration::from_secs_f64((missing / rate).min(3600.0));
		Some(slot.min(oldest.until))
	}

	/// Answers waiting requests, oldest first, while upload slots are free (each decided
	/// again: the requester's standing may have changed while it waited); refuses those that
	/// waited as long as they may as busy.
	fn serve_waiting(&mut self) {
		let now = Instant::now();
		while let Some(waiting) = self.waiting.pop_front() {
			if waiting.until <= now {
				let busy = ChunkResponse::Refused(Refused::Busy);
				let _ = self.swarm.behaviour_mut().chunks.send_response(waiting.channel, busy);
				continue;
			}
			match self.answer(waiting.peer, &waiting.request, true) {
				Answer::Now(response, bytes) => {
					self.respond(waiting.peer, waiting.request_id, waiting.channel, response, bytes)
				}
				Answer::NoSlot => {
					self.waiting.push_front(waiting);
					break;
				}
			}
		}
	}

	/// Holds a request that only lacks an upload slot, if it can be served within
	/// [`PeerConfig::longest_wait`]; otherwise refuses it as busy. When the room is full, a
	/// requester holding two places fewer than another takes that one's newest place, which is
	/// refused as busy instead ([`crate::waiting::place_for`]): no requester can keep the others
	/// out by keeping many requests in flight.
	fn wait_or_refuse(
		&mut self,
		peer: PeerId,
		request_id: InboundRequestId,
		request: ChunkRequest,
		channel: request_response::ResponseChannel<ChunkResponse>,
	) {
		let wait = self.config.longest_wait;
		let room = (self.config.upload_chunks_per_second * wait.as_secs_f64()).floor() as usize;
		let busy = ChunkResponse::Refused(Refused::Busy);
		if self.waiting.len() >= room {
			let holders = self.waiting.iter().map(|waiting| waiting.peer);
			let Some(given_up) = crate::waiting::place_for(holders, &peer)
				.and_then(|index| self.waiting.remove(index))
			else {
				let _ = self.swarm.behaviour_mut().chunks.send_response(channel, busy);
				return;
			};
			let _ = self.swarm.behaviour_mut().chunks.send_response(given_up.channel, busy);
		}
		let until = Instant::now() + wait;
		self.waiting.push_back(Waiting { peer, request_id, request, channel, until });
	}

	/// Sends `response` to `peer`, counting `bytes` as being sent until it is written.
	fn respond(
		&mut self,
		peer: PeerId,
		request_id: InboundRequestId,
		channel: request_response::ResponseChannel<ChunkResponse>,
		response: ChunkResponse,
		bytes: Option<u128>,
	) {
		if let Some(bytes) = bytes {
			self.sending.insert(request_id, (peer, bytes));
		}
		let _ = self.swarm.behaviour_mut().chunks.send_response(channel, response);
	}

	/// Takes one upload slot for a request in its turn: a new request only if none waits
	/// (`waited`: the request is the oldest waiting one).
	fn take_upload_slot_in_turn(&mut self, waited: bool) -> bool {
		(waited || self.waiting.is_empty()) && self.take_upload_slot()
	}

	/// Takes one upload slot (a chunk's worth of capacity) if one is free.
	fn take_upload_slot(&mut self) -> bool {
		self.refill();
		if self.tokens < 1.0 {
			return false;
		}
		self.tokens -= 1.0;
		true
	}

	fn on_tick(&mut self) {
		let now = Instant::now();
		let elapsed = self.refill();
		if self.choker.is_due(now) {
			// Every 10 s, not every tick: a file of 2^17 chunks takes as many checks.
			let seeding = self.library.files().all(|f| f.is_complete());
			self.choker.tick(now, seeding, &mut rand::thread_rng());
		}
		if let Role::Sybil { next, .. } = self.config.role.clone() {
			let fake = (self.config.sybil_fake_rate as f64 * elapsed) as u128;
			if self.swarm.is_connected(&next) && fake > 0 {
				self.swarm.behaviour_mut().receipts.served(next, SERVICE, fake);
			}
		}
		self.request_chunks(now);
	}

	/// Whether this peer pays `provider` (its payer opened or topped up a channel to it).
	fn pays(&self, provider: &PeerId) -> bool {
		match (&self.payer, account_of(provider)) {
			(Some(payer), Ok(account)) => payer.pays(&account),
			_ => false,
		}
	}

	/// Asks providers for missing chunks, up to the in-flight limit, skipping peers in backoff.
	fn request_chunks(&mut self, now: Instant) {
		self.backoff.retain(|_, until| *until > now);
		let mut budget = self.config.max_in_flight.saturating_sub(self.in_flight.len());
		if budget == 0 {
			return;
		}
		let mut busy: HashMap<PeerId, usize> = HashMap::new();
		for (_, _, peer) in self.in_flight.values() {
			*busy.entry(*peer).or_default() += 1;
		}
		// Chunks it may still ask for within its own credit (each in flight counted whole),
		// when it keeps to it; pages of hashes are not service, and chunks from providers it
		// pays are paid for, not taken on credit: neither is counted.
		let mut chunks_within_credit = match self.credit.as_ref().and_then(OwnCredit::remaining) {
			Some(remaining) => {
				let chunk = CHUNK_BYTES as u128;
				let asked = self
					.in_flight
					.values()
					.filter(|(_, piece, provider)| {
						matches!(piece, Piece::Chunk(_)) && !self.pays(provider)
					})
					.count() as u128;
				(remaining / chunk).saturating_sub(asked)
			}
			None => u128::MAX,
		};
		let mut held_for_credit = false;
		let mut wanted = Vec::new();
		for file in self.library.downloads_in(&self.file_order) {
			let name = &file.entry.file;
			let pieces =
				file.missing_pages().map(Piece::Hashes).chain(file.missing().map(Piece::Chunk));
			for piece in pieces {
				if !self.requested.contains(&(name.clone(), piece)) {
					wanted.push((name.clone(), piece));
				}
				if wanted.len() >= budget * 4 {
					break;
				}
			}
		}
		for (file, piece) in wanted {
			if budget == 0 {
				break;
			}
			// Beyond its credit, a chunk is asked only of a provider it pays or, when it is willing
			// to pay, of one not known to serve on credit: that one either asks to be paid (and
			// the payer opens a channel) or serves at most two chunks on credit once.
			let beyond_credit = matches!(piece, Piece::Chunk(_)) && chunks_within_credit == 0;
			let Some(candidates) = self.providers.get(&file) else { continue };
			let mut candidates: Vec<PeerId> = candidates
				.iter()
				.filter(|p| !self.backoff.contains_key(p) && busy.get(p).copied().unwrap_or(0) < 2)
				.filter(|p| {
					!beyond_credit
						|| self.pays(p) || (self.payer.is_some() && !self.served_on_credit.contains(p))
				})
				.copied()
				.collect();
			if candidates.is_empty() {
				held_for_credit |= beyond_credit;
				continue;
			}
			let provider = candidates.swap_remove(rand::random::<usize>() % candidates.len());
			let request = match piece {
				Piece::Chunk(index) => ChunkRequest::Chunk { file: file.clone(), index },
				Piece::Hashes(page) => ChunkRequest::Hashes { file: file.clone(), page },
			};
			if matches!(piece, Piece::Chunk(_)) && !self.pays(&provider) {
				chunks_within_credit = chunks_within_credit.saturating_sub(1);
			}
			let id = self.swarm.behaviour_mut().chunks.send_request(&provider, Some(request));
			self.choker.asked(&provider, now);
			self.in_flight.insert(id, (file.clone(), piece, provider));
			self.requested.insert((file, piece));
			*busy.entry(provider).or_default() += 1;
			budget -= 1;
		}
		if held_for_credit {
			self.stats.held_for_credit.fetch_add(1, Ordering::Relaxed);
		}
	}

	fn on_swarm_event(&mut self, event: SwarmEvent<ShareBehaviourEvent>) {
		match event {
			SwarmEvent::ConnectionEstablished { peer_id, num_established, .. } => {
				if num_established.get() == 1 {
					self.stats.connected.fetch_add(1, Ordering::Relaxed);
					self.choker.connected(peer_id, Instant::now());
					if let (Some(gate), Ok(account)) = (&self.gate, account_of(&peer_id)) {
						gate.watch([account]);
					}
				}
				self.swarm
					.behaviour_mut()
					.chunks
					.send_request(&peer_id, Some(ChunkRequest::Catalogue));
			}
			SwarmEvent::ConnectionClosed { peer_id, num_established: 0, .. } => {
				self.stats.connected.fetch_sub(1, Ordering::Relaxed);
				self.choker.disconnected(&peer_id);
				self.waiting.retain(|waiting| waiting.peer != peer_id);
				for providers in self.providers.values_mut() {
					providers.remove(&peer_id);
				}
			}
			SwarmEvent::Behaviour(ShareBehaviourEvent::Chunks(event)) => self.on_chunk_event(event),
			SwarmEvent::Behaviour(ShareBehaviourEvent::Receipts(event)) => match event {
				ReceiptEvent::Countersigned { .. } | ReceiptEvent::Signed { .. } => {
					self.stats.receipts.fetch_add(1, Ordering::Relaxed);
				}
				ReceiptEvent::StoreFailed { error } => {
					tracing::error!(%error, "receipt store failed");
				}
				other => tracing::debug!(?other, "receipt protocol"),
			},
			_ => {}
		}
	}

	/// Bytes answered to `peer` and not yet written (not yet counted as served).
	fn sending_to(&self, peer: &PeerId) -> u128 {
		self.sending.values().filter(|(to, _)| to == peer).map(|(_, bytes)| *bytes).sum()
	}

	fn on_chunk_event(
		&mut self,
		event: request_response::Event<Option<ChunkRequest>, ChunkResponse>,
	) {
		use request_response::{Event, Message};
		match event {
			Event::Message { peer, message: Message::Request { request_id, request, channel } } => {
				let Some(request) = request else {
					tracing::warn!(%peer, "malformed chunk request");
					let malformed = ChunkResponse::Refused(Refused::Malformed);
					let _ = self.swarm.behaviour_mut().chunks.send_response(channel, malformed);
					return;
				};
				match self.answer(peer, &request, false) {
					Answer::Now(response, bytes) => {
						self.respond(peer, request_id, channel, response, bytes)
					}
					Answer::NoSlot => self.wait_or_refuse(peer, request_id, request, channel),
				}
			}
			Event::ResponseSent { peer, request_id } => {
				if let Some((to, bytes)) = self.sending.remove(&request_id) {
					debug_assert_eq!(to, peer);
					self.stats.served.fetch_add(bytes as u64, Ordering::Relaxed);
					self.choker.sent_to(&peer, bytes as u64, Instant::now());
					self.swarm.behaviour_mut().receipts.served(peer, SERVICE, bytes);
				}
			}
			Event::InboundFailure { request_id, .. } => {
				self.sending.remove(&request_id);
			}
			Event::Message { peer, message: Message::Response { request_id, response } } => {
				self.on_response(peer, request_id, response)
			}
			Event::OutboundFailure { peer, request_id, error } => {
				// A response that does not decode is the other peer's bug or malice: say so.
				match &error {
					request_response::OutboundFailure::Io(_) => {
						tracing::warn!(%peer, %error, "chunk request failed")
					}
					_ => tracing::debug!(%peer, %error, "chunk request failed"),
				}
				if let Some((file, piece, _)) = self.in_flight.remove(&request_id) {
					self.requested.remove(&(file, piece));
				}
				self.backoff.insert(peer, Instant::now() + self.config.refusal_backoff);
			}
		}
	}

	/// The answer to a request. `waited`: the request has waited for an upload slot and is
	/// first in line (a new request takes a slot only if none waits).
	fn answer(&mut self, peer: PeerId, request: &ChunkRequest, waited: bool) -> Answer {
		let refuse = |reason| Answer::Now(ChunkResponse::Refused(reason), None);
		let (file, index) = match request {
			ChunkRequest::Catalogue => {
				let catalogue = match self.config.role {
					Role::Honest => {
						let mut catalogue = self.library.catalogue();
						catalogue.truncate(MAX_CATALOGUE);
						catalogue
					}
					Role::FreeRider | Role::Sybil { .. } => Vec::new(),
				};
				return Answer::Now(ChunkResponse::Catalogue(catalogue), None);
			}
			ChunkRequest::Chunk { file, index } => (file, *index),
			ChunkRequest::Hashes { file, page } => {
				// Hash pages are the catalogue's continuation: free for whoever asks (32 bytes
				// a chunk, 0.2% of the file), but each costs an upload slot like a chunk.
				if self.config.role != Role::Honest {
					return refuse(Refused::Busy);
				}
				if self.library.get(file).and_then(|f| f.hash_page(*page)).is_none() {
					return refuse(Refused::NotFound);
				}
				if !self.take_upload_slot_in_turn(waited) {
					return Answer::NoSlot;
				}
				let hashes = self.library.get(file).and_then(|f| f.hash_page(*page));
				return Answer::Now(
					ChunkResponse::Hashes(hashes.unwrap_or_default().to_vec()),
					None,
				);
			}
		};
		if self.config.role != Role::Honest {
			return refuse(Refused::Busy);
		}
		// The chunk's bytes are made (read, or generated in simulations) only once it is served.
		let Some(bytes) = self.library.get(file).and_then(|f| f.chunk_len(index)) else {
			return refuse(Refused::NotFound);
		};
		let bytes = bytes as u128;
		self.choker.requested_by(&peer, Instant::now());
		let receipts = &self.swarm.behaviour().receipts;
		let account = account_of(&peer).ok();
		let verdict = match (&self.gate, &account) {
			(Some(gate), Some(account)) => gate.check(account),
			_ => Verdict::Unknown,
		};
		let cover = match (&self.channels, &account) {
			(Some(channels), Some(account)) => channels.cover(account),
			_ => Cover::Unknown,
		};
		// What the chain has released the requester's allowance over (nothing while unknown).
		let registered_for = match (&self.gate, &account) {
			(Some(gate), Some(account)) => gate.registered_for(account).unwrap_or_default(),
			_ => Duration::ZERO,
		};
		let standing = Standing {
			received_from: receipts.received_from(&peer, SERVICE),
			served_to: receipts.served_to(&peer, SERVICE).saturating_add(self.sending_to(&peer)),
			// Chunks on their way out are not counted as served until they are written: count
			// them here, or every request in flight would pass the window on the same count.
			unconfirmed: receipts
				.unconfirmed_to(&peer, SERVICE)
				.saturating_add(self.sending_to(&peer)),
			unchoked: self.choker.is_unchoked(&peer),
			verdict,
			registered_for,
			cover,
		};
		let terms = Terms {
			allowance: self.config.bilateral_allowance,
			window: self.config.stranger_window,
			price: self.config.price,
		};
		if let Err(reason) = decide(self.config.policy, &standing, bytes, &terms) {
			if reason == Refused::Unconfirmed {
				// What holds the newcomer back is service the chain has not counted: propose a
				// receipt for whatever is unreceipted, so that it can be (a cap below the
				// co-signing step would otherwise never see a receipt).
				self.swarm.behaviour_mut().receipts.settle(peer, SERVICE);
			}
			return refuse(reason);
		}
		if !self.swarm.behaviour().receipts.may_serve(&peer, SERVICE, bytes) {
			return refuse(Refused::Unreceipted);
		}
		if !self.take_upload_slot_in_turn(waited) {
			return Answer::NoSlot;
		}
		match self.library.get(file).and_then(|f| f.chunk(index)) {
			Some(chunk) => Answer::Now(ChunkResponse::Chunk(chunk.into_owned()), Some(bytes)),
			None => refuse(Refused::NotFound),
		}
	}

	fn on_response(&mut self, peer: PeerId, id: OutboundRequestId, response: ChunkResponse) {
		match response {
			ChunkResponse::Catalogue(mut entries) => {
				// In its own order, so that the files it takes when it may download no more are
				// not the same for every peer.
				entries.truncate(MAX_CATALOGUE);
				entries.sort_by_cached_key(|entry| self.file_order.rank(&entry.file));
				for entry in entries {
					let name = entry.file.clone();
					let wanted = match &self.config.wants {
						Wants::Everything => true,
						Wants::Only(names) => names.contains(&name),
					};
					if self.library.get(&name).is_none() && wanted {
						let Some(file) =
							File::wanted(entry.clone(), self.config.generated_downloads)
						else {
							tracing::warn!(%peer, file = name, "a catalogue entry that is not well formed");
							continue;
						};
						if !self.library.want(file) {
							tracing::debug!(%peer, file = name, "downloading as many files as it may; asks again later");
							continue;
						}
					}
					// A provider of another file under the same name is no provider of ours.
					if self.library.get(&name).is_some_and(|file| file.entry == entry) {
						self.providers.entry(name).or_default().insert(peer);
					}
				}
			}
			ChunkResponse::Hashes(hashes) => {
				let Some((file, piece, _)) = self.in_flight.remove(&id) else { return };
				self.requested.remove(&(file.clone(), piece));
				let stored = match (piece, self.library.get_mut(&file)) {
					(Piece::Hashes(page), Some(entry)) => entry.store_hash_page(page, hashes),
					_ => false,
				};
				if !stored {
					tracing::warn!(%peer, file, ?piece, "a page of hashes that is not the catalogue's");
					self.backoff.insert(peer, Instant::now() + self.config.refusal_backoff * 10);
				}
			}
			ChunkResponse::Chunk(bytes) => {
				let Some((file, piece, _)) = self.in_flight.remove(&id) else { return };
				self.requested.remove(&(file.clone(), piece));
				let Piece::Chunk(index) = piece else {
					tracing::warn!(%peer, file, ?piece, "a chunk where a page of hashes was asked for");
					self.backoff.insert(peer, Instant::now() + self.config.refusal_backoff * 10);
					return;
				};
				let length = bytes.len() as u128;
				let paid = self.pays(&peer);
				let Some(entry) = self.library.get_mut(&file) else { return };
				if !entry.store(index, bytes) {
					tracing::warn!(%peer, file, index, "a chunk did not match its hash");
					self.backoff.insert(peer, Instant::now() + self.config.refusal_backoff * 10);
					return;
				}
				self.stats.answered.fetch_add(1, Ordering::Relaxed);
				self.stats.received.fetch_add(length as u64, Ordering::Relaxed);
				self.choker.received_from(&peer, length as u64, Instant::now());
				self.swarm.behaviour_mut().receipts.received(peer, SERVICE, length);
				if let (Some(credit), false) = (&self.credit, paid) {
					credit.received(length);
					self.served_on_credit.insert(peer);
				}
				let complete = entry.is_complete();
				if let Some(progress) = self.progress.as_mut() {
					progress(entry);
				}
				if complete {
					self.stats.completed.fetch_add(1, Ordering::Relaxed);
					// Settle with everyone who served the file.
					self.settle_all();
				}
				// Keep the pipeline full: ask for the next chunk now rather than at the next
				// tick (which capped a download from one provider at 2 requests a tick, 128 KiB/s).
				self.request_chunks(Instant::now());
			}
			ChunkResponse::Refused(reason) => {
				if let Some((file, piece, _)) = self.in_flight.remove(&id) {
					self.requested.remove(&(file, piece));
				}
				let slot = match reason {
					Refused::NotAdmitted => 0,
					Refused::Unreceipted => 1,
					Refused::Busy => 2,
					Refused::NotFound => 3,
					Refused::Malformed => 4,
					Refused::Unconfirmed => 5,
					Refused::Choked => 6,
					Refused::Unpaid { .. } => 7,
				};
				if let (Refused::Unpaid { price }, Some(payer), Ok(account)) =
					(reason, &self.payer, account_of(&peer))
				{
					// Never waits: the payer opens or tops up a channel in the background.
					payer.asked(&account, price);
				}
				self.stats.refused_by[slot].fetch_add(1, Ordering::Relaxed);
				let pause = match reason {
					Refused::Busy => self.config.refusal_backoff / 4,
					_ => self.config.refusal_backoff,
				};
				// Jitter (½ to 1½ times the pause), so that retries of many peers do not fall into
				// step with each other or with the server's capacity.
				let pause = pause.mul_f64(0.5 + rand::random::<f64>());
				self.backoff.insert(peer, Instant::now() + pause);
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use repute_overlay::Durability;

	/// A directory for one test, removed when dropped.
	struct TempDir(std::path::PathBuf);

	impl TempDir {
		fn new(label: &str) -> Self {
			let path = std::env::temp_dir().join(format!(
				"repute-share-{label}-{}-{}",
				std::process::id(),
				rand::random::<u64>()
			));
			std::fs::create_dir_all(&path).unwrap();
			Self(path)
		}
	}

	impl Drop for TempDir {
		fn drop(&mut self) {
			let _ = std::fs::remove_dir_all(&self.0);
		}
	}

	async fn start(dir: &TempDir, name: &str, library: Library, config: PeerConfig) -> PeerHandle {
		let store = Arc::new(ReceiptStore::open(dir.0.join(name), Durability::Buffered).unwrap());
		let address = format!("/memory/{}", 2_000_000 + rand::random::<u32>() as u64 % 1_000_000);
		SharePeer::start(
			Identity::generate(),
			H256::repeat_byte(7),
			store,
			ChainServices::default(),
			library,
			config,
			TransportKind::Memory,
			address.parse().unwrap(),
			None,
		)
		.await
		.unwrap()
	}

	/// What a catalogue of whole chunk hashes could not carry (version 1 of the chunk protocol
	/// capped a shared file at about 80 MiB): a peer shares a 256 MiB file, and another one
	/// learns its 32 pages of hashes from it and downloads chunks it checks against them.
	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn a_256_mib_file_is_shared_page_by_page() {
		let dir = TempDir::new("large-file");
		let chunks = 256 * 1024 * 1024 / CHUNK_BYTES;
		let mut seeds = Library::default();
		seeds.add(File::synthetic("large", chunks));
		let config = PeerConfig {
			policy: ServePolicy::Open,
			upload_chunks_per_second: 200.0,
			generated_downloads: true,
			..PeerConfig::default()
		};
		let seed = start(&dir, "seed", seeds, config.clone()).await;
		let leech = start(&dir, "leech", Library::default(), config).await;
		assert!(leech.send(Command::Dial(seed.address.clone())));
		// 32 pages and then 64 chunks: every chunk checked against a page.
		let deadline = Instant::now() + Duration::from_secs(60);
		while leech.stats.answered.load(Ordering::Relaxed) < 64 {
			assert!(Instant::now() < deadline, "the leech got {:?} chunks", leech.stats.answered);
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
		assert_eq!(leech.stats.refused_by[3].load(Ordering::Relaxed), 0, "nothing was not found");
		assert!(seed.stats.served.load(Ordering::Relaxed) >= 64 * CHUNK_BYTES as u64);
		seed.send(Command::Stop);
		leech.send(Command::Stop);
	}

	/// A downloader keeping more requests in flight than a provider's upload capacity serves at
	/// once: with room to wait (the default), its requests wait for upload slots and none is
	/// refused as busy (every request costs the provider one answer, not a refusal per retry);
	/// without (`longest_wait` zero), most of them are refused as busy and asked again.
	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn requests_wait_for_upload_slots_instead_of_being_refused() {
		let dir = TempDir::new("waiting");
		let mut busy_refusals = Vec::new();
		for longest_wait in [PeerConfig::default().longest_wait, Duration::ZERO] {
			let mut seeds = Library::default();
			seeds.add(File::synthetic("slow", 64));
			let config = PeerConfig {
				policy: ServePolicy::Open,
				upload_chunks_per_second: 4.0,
				max_in_flight: 8,
				refusal_backoff: Duration::from_millis(200),
				longest_wait,
				generated_downloads: true,
				..PeerConfig::default()
			};
			let name = format!("seed-{}", longest_wait.as_secs());
			let seed = start(&dir, &name, seeds, config.clone()).await;
			let leech = start(&dir, &format!("leech-{name}"), Library::default(), config).await;
			assert!(leech.send(Command::Dial(seed.address.clone())));
			let deadline = Instant::now() + Duration::from_secs(60);
			while leech.stats.answered.load(Ordering::Relaxed) < 12 {
				assert!(
					Instant::now() < deadline,
					"the leech got {:?} chunks",
					leech.stats.answered
				);
				tokio::time::sleep(Duration::from_millis(50)).await;
			}
			busy_refusals.push(leech.stats.refused_by[2].load(Ordering::Relaxed));
			seed.send(Command::Stop);
			leech.send(Command::Stop);
		}
		assert_eq!(busy_refusals[0], 0, "requests that may wait are not refused as busy");
		assert!(busy_refusals[1] >= 12, "without waiting, refused as busy: {busy_refusals:?}");
	}

	/// An honest newcomer served by four providers at once, each giving it a whole allowance
	/// that the chain has not counted yet: one that takes what it is given overdraws, and once
	/// the chain counts it, it is marked as having exhausted its allowance (a free rider's
	/// mark); one that keeps within its own credit ([`ChainServices::credit`]) takes its
	/// allowance and stops there, never marked. Real node, real receipts.
	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn a_newcomer_within_its_own_credit_never_exhausts_its_allowance() {
		use repute_overlay::{
			devnet::{node_binary, setup, DevNode},
			AdmissionGate, ChainClient, GatePolicy, OwnCreditConfig, ReceiptPolicy, Signer,
			Submitter, SubmitterConfig,
		};
		use repute_rpc_api::json::{Decision, Reason};

		const ALLOWANCE: u128 = 512 * 1024;
		let dir = TempDir::new("own-credit");
		let node = DevNode::start(&node_binary().unwrap(), &dir.0.join("node")).unwrap();
		let chain = Arc::new(ChainClient::connect(node.url.clone()).await.unwrap());
		let alice = Signer::sr25519_from_uri("//Alice").unwrap();
		// Newcomers stay newcomers (graduation far off) with the whole allowance at once.
		let mut parameters = setup::fast_parameters(ALLOWANCE, 2, 10_000);
		parameters.graduation_service = 1_000 * ALLOWANCE;
		setup::govern(&chain, &alice, &parameters, &[]).await.unwrap();
		let identities: Vec<Identity> = (0..6).map(|_| Identity::generate()).collect();
		let accounts: Vec<_> = identities.iter().map(|i| i.account().clone()).collect();
		let bond = chain.peer_bond().await.unwrap();
		setup::fund(&chain, &alice, &accounts, 3 * bond).await.unwrap();
		setup::register(&chain, &identities).await.unwrap();
		let genesis = chain.genesis_hash().await.unwrap();

		let chunk = CHUNK_BYTES as u128;
		let config = PeerConfig {
			policy: ServePolicy::ReputeGlobal,
			// Each provider gives a newcomer a whole allowance the chain has not counted.
			stranger_window: StrangerWindow::shared_by(ALLOWANCE, 1),
			upload_chunks_per_second: 64.0,
			refusal_backoff: Duration::from_millis(500),
			generated_downloads: true,
			receipts: ReceiptConfig {
				policy: ReceiptPolicy {
					cosign_every: 4 * chunk,
					max_unreceipted: 16 * chunk,
					max_clock_skew_ms: 30_000,
				},
				..ReceiptConfig::default()
			},
			..PeerConfig::default()
		};
		let mut peers = Vec::new();
		let mut submitters = Vec::new();
		for (index, identity) in identities.iter().enumerate() {
			let store = Arc::new(
				ReceiptStore::open(dir.0.join(format!("peer-{index}")), Durability::Buffered)
					.unwrap(),
			);
			submitters.push(Submitter::spawn(
				store.clone(),
				chain.clone(),
				identity.signer(),
				SubmitterConfig { interval: Duration::from_secs(1), ..Default::default() },
			));
			let provider = index < 4;
			let mut library = Library::default();
			if provider {
				library.add(File::synthetic("shared", 1_024));
			}
			let services = ChainServices {
				gate: Some(AdmissionGate::spawn(
					chain.clone(),
					GatePolicy::Global,
					identity.account(),
				)),
				// Peer 4 keeps within its own credit; peer 5 takes what it is given.
				credit: (index == 4).then(|| {
					OwnCredit::spawn(
						chain.clone(),
						identity.account(),
						OwnCreditConfig { interval: Duration::from_secs(1), ..Default::default() },
					)
				}),
				..ChainServices::default()
			};
			let address =
				format!("/memory/{}", 3_000_000 + rand::random::<u32>() as u64 % 1_000_000);
			peers.push(
				SharePeer::start(
					identity.clone(),
					genesis,
					store,
					services,
					library,
					config.clone(),
					TransportKind::Memory,
					address.parse().unwrap(),
					None,
				)
				.await
				.unwrap(),
			);
		}
		for consumer in &peers[4..] {
			for provider in &peers[..4] {
				assert!(consumer.send(Command::Dial(provider.address.clone())));
			}
		}

		let exhausted = |answer: &repute_rpc_api::json::AdmissionAnswer| {
			answer.decision == Decision::Denied
				&& answer.reason == Some(Reason::StrangerAllowanceExhausted)
		};
		// Until the one taking what it is given is marked (or two minutes), checking every
		// second that the one keeping within its credit never is.
		let deadline = Instant::now() + Duration::from_secs(120);
		let mut taker_marked = false;
		while Instant::now() < deadline && !taker_marked {
			tokio::time::sleep(Duration::from_secs(1)).await;
			let answers = chain.admissions(&accounts[4..], None).await.unwrap();
			assert!(
				!exhausted(&answers[0]),
				"the newcomer within its own credit was marked: {answers:?}, received {}",
				peers[4].stats.received.load(Ordering::Relaxed)
			);
			taker_marked = exhausted(&answers[1]);
		}
		let received: Vec<u64> =
			peers[4..].iter().map(|p| p.stats.received.load(Ordering::Relaxed)).collect();
		assert!(taker_marked, "the newcomer taking what it is given overdrew: {received:?}");
		// Some seconds more: what the keeper received is all counted, and it still is not marked.
		tokio::time::sleep(Duration::from_secs(15)).await;
		let report = chain.peer_report(&accounts[4]).await.unwrap().unwrap();
		let consumed: u128 = report.units_consumed.parse().unwrap();
		assert!(!exhausted(&report.admission), "{report:?}");
		assert!(consumed <= ALLOWANCE, "it consumed {consumed} of an allowance of {ALLOWANCE}");
		// And keeping within its credit is not taking nothing: it got most of its allowance.
		let kept = peers[4].stats.received.load(Ordering::Relaxed) as u128;
		assert!(kept >= ALLOWANCE / 2, "the newcomer within its credit received only {kept}");
		assert!(peers[4].stats.held_for_credit.load(Ordering::Relaxed) > 0);
		for peer in &peers {
			peer.send(Command::Stop);
		}
		drop(submitters);
	}
}
