//! The receipt protocol between real libp2p swarms (memory transport, noise, yamux): honest
//! co-signing, withheld and overstated receipts, every kind of bad message from a remote, and
//! hostile peers: a consumer that keeps every proposal across the provider's restart, spam of
//! empty and unsolicited proposals, thousands of fake partners, a flood of connections, a disk
//! that hangs.

use async_trait::async_trait;
use codec::Encode;
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, StreamExt};
use libp2p::{
	request_response::{self, ProtocolSupport},
	swarm::SwarmEvent,
	Multiaddr, Swarm,
};
use repute_overlay::{
	wire::{Proposal, ReceiptResponse, Refusal, MAX_MESSAGE_BYTES, PROTOCOL},
	*,
};
use std::{
	io,
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
	time::Duration,
};

const GENESIS: H256 = H256::repeat_byte(0x11);
const CHUNK: u128 = 100;

fn policy() -> ReceiptPolicy {
	ReceiptPolicy { cosign_every: 2 * CHUNK, max_unreceipted: 5 * CHUNK, max_clock_skew_ms: 30_000 }
}

struct TempDir(std::path::PathBuf);
impl TempDir {
	fn new() -> Self {
		Self(std::env::temp_dir().join(format!("repute-protocol-{}", rand::random::<u64>())))
	}
}
impl Drop for TempDir {
	fn drop(&mut self) {
		let _ = std::fs::remove_dir_all(&self.0);
	}
}

fn memory_address() -> Multiaddr {
	static NEXT: AtomicU64 = AtomicU64::new(1);
	format!(
		"/memory/{}",
		40_000 + NEXT.fetch_add(1, Ordering::Relaxed) + rand::random::<u32>() as u64
	)
	.parse()
	.unwrap()
}

struct Peer {
	swarm: Swarm<ReceiptBehaviour>,
	store: Arc<ReceiptStore>,
	_dir: TempDir,
}

fn config(timeout: Duration) -> ReceiptConfig {
	ReceiptConfig {
		policy: policy(),
		request_timeout: timeout,
		retry_interval: Duration::from_secs(60),
		..ReceiptConfig::default()
	}
}

fn peer(timeout: Duration) -> Peer {
	peer_with(Identity::generate(), TempDir::new(), config(timeout))
}

/// A peer of `identity` whose store lives in `dir` (a restarted peer passes the same ones).
fn peer_with(identity: Identity, dir: TempDir, config: ReceiptConfig) -> Peer {
	let store = Arc::new(ReceiptStore::open(&dir.0, Durability::Synced).unwrap());
	let behaviour = ReceiptBehaviour::new(identity.clone(), GENESIS, store.clone(), config);
	let swarm =
		build_swarm(&identity, behaviour, TransportKind::Memory, Duration::from_secs(60)).unwrap();
	Peer { swarm, store, _dir: dir }
}

/// Connects `dialer` to `listener`, driving both until the connection is up.
async fn connect<A, B>(listener: &mut Swarm<A>, dialer: &mut Swarm<B>)
where
	A: libp2p::swarm::NetworkBehaviour,
	B: libp2p::swarm::NetworkBehaviour,
{
	let address = memory_address();
	listener.listen_on(address.clone()).unwrap();
	loop {
		if let SwarmEvent::NewListenAddr { .. } = listener.select_next_some().await {
			break;
		}
	}
	let target = *listener.local_peer_id();
	dialer.dial(address).unwrap();
	let mut up = (false, false);
	while !(up.0 && up.1) {
		tokio::select! {
			event = listener.select_next_some() => if let SwarmEvent::ConnectionEstablished { .. } = event { up.0 = true },
			event = dialer.select_next_some() => if let SwarmEvent::ConnectionEstablished { peer_id, .. } = event { up.1 = peer_id == target },
		}
	}
}

/// Drives both swarms until `done` says so (or 20 s pass), collecting each side's events.
async fn drive<B: libp2p::swarm::NetworkBehaviour>(
	a: &mut Swarm<ReceiptBehaviour>,
	b: &mut Swarm<B>,
	mut done: impl FnMut(&[ReceiptEvent], &[B::ToSwarm]) -> bool,
) -> (Vec<ReceiptEvent>, Vec<B::ToSwarm>) {
	let mut from_a = Vec::new();
	let mut from_b = Vec::new();
	let deadline = tokio::time::sleep(Duration::from_secs(20));
	tokio::pin!(deadline);
	while !done(&from_a, &from_b) {
		tokio::select! {
			event = a.select_next_some() => if let SwarmEvent::Behaviour(e) = event { from_a.push(e) },
			event = b.select_next_some() => if let SwarmEvent::Behaviour(e) = event { from_b.push(e) },
			_ = &mut deadline => panic!("timed out; provider saw {from_a:?}"),
		}
	}
	(from_a, from_b)
}

fn countersigned(events: &[ReceiptEvent]) -> Vec<u128> {
	events
		.iter()
		.filter_map(|e| match e {
			ReceiptEvent::Countersigned { receipt, .. } => Some(receipt.receipt.cumulative_units),
			_ => None,
		})
		.collect()
}

#[tokio::test]
async fn honest_peers_cosign_every_few_chunks_and_both_store_the_receipt() {
	let mut provider = peer(Duration::from_secs(10));
	let mut consumer = peer(Duration::from_secs(10));
	connect(&mut consumer.swarm, &mut provider.swarm).await;
	let consumer_id = *consumer.swarm.local_peer_id();
	let provider_id = *provider.swarm.local_peer_id();

	for chunk in 1..=6 {
		assert!(provider.swarm.behaviour().may_serve(&consumer_id, 0, CHUNK));
		consumer.swarm.behaviour_mut().received(provider_id, 0, CHUNK);
		provider.swarm.behaviour_mut().served(consumer_id, 0, CHUNK);
		if chunk % 2 == 0 {
			// A proposal is due every two chunks; it is answered before the next chunk.
			let (events, _) =
				drive(&mut provider.swarm, &mut consumer.swarm, |a, _| !a.is_empty()).await;
			assert_eq!(countersigned(&events), vec![chunk * CHUNK], "{events:?}");
		}
	}
	assert_eq!(provider.swarm.behaviour().unreceipted(&consumer_id, 0), 0);
	let provider_copy = provider.store.unrecorded();
	let consumer_copy = consumer.store.unrecorded();
	assert_eq!(provider_copy, consumer_copy, "both hold the same co-signed receipt");
	assert_eq!(provider_copy.len(), 1);
	assert_eq!(provider_copy[0].receipt.cumulative_units, 6 * CHUNK);
	assert_eq!(provider_copy[0].receipt.sequence, 3);
}

/// What a server has given a newcomer beyond what the chain counted: everything it served until
/// the chain records a receipt at a finalized block, then only what came after. A stranger
/// window caps it, and opens again as the chain catches up.
#[tokio::test]
async fn unconfirmed_service_is_served_less_what_the_chain_recorded_and_the_window_caps_it() {
	let mut provider = peer(Duration::from_secs(10));
	let mut consumer = peer(Duration::from_secs(10));
	connect(&mut consumer.swarm, &mut provider.swarm).await;
	let consumer_id = *consumer.swarm.local_peer_id();
	let provider_id = *provider.swarm.local_peer_id();
	let window = StrangerWindow::shared_by(3 * CHUNK, 1);
	let serve = |provider: &mut Peer, consumer: &mut Peer| {
		let unconfirmed = provider.swarm.behaviour().unconfirmed_to(&consumer_id, 0);
		if !window.allows(Verdict::Probation, unconfirmed, CHUNK) {
			return false;
		}
		consumer.swarm.behaviour_mut().received(provider_id, 0, CHUNK);
		provider.swarm.behaviour_mut().served(consumer_id, 0, CHUNK);
		true
	};

	assert!(serve(&mut provider, &mut consumer));
	assert!(serve(&mut provider, &mut consumer));
	let (events, _) = drive(&mut provider.swarm, &mut consumer.swarm, |a, _| !a.is_empty()).await;
	assert_eq!(countersigned(&events), vec![2 * CHUNK]);
	assert!(serve(&mut provider, &mut consumer));
	// Receipted or not, none of it is on chain: the window is full.
	assert_eq!(provider.swarm.behaviour().unconfirmed_to(&consumer_id, 0), 3 * CHUNK);
	assert!(!serve(&mut provider, &mut consumer), "refused at the cap");

	// The chain records the receipt of 2 chunks (the submitter reads it at a finalized block,
	// where the consumer is still served).
	let key = PairKey::of(&provider.store.unrecorded()[0]);
	provider.store.mark_recorded(&key, 1).unwrap();
	provider.store.note_confirmed(&key, 2 * CHUNK);
	assert_eq!(provider.swarm.behaviour().unconfirmed_to(&consumer_id, 0), CHUNK);
	assert!(serve(&mut provider, &mut consumer));
	assert!(serve(&mut provider, &mut consumer));
	assert!(!serve(&mut provider, &mut consumer), "refused at the cap again");
	assert_eq!(provider.swarm.behaviour().served_to(&consumer_id, 0), 5 * CHUNK);
}

#[tokio::test]
async fn an_overstated_receipt_is_refused_and_never_followed_by_a_smaller_one() {
	let mut provider = peer(Duration::from_secs(10));
	let mut consumer = peer(Duration::from_secs(10));
	connect(&mut consumer.swarm, &mut provider.swarm).await;
	let consumer_id = *consumer.swarm.local_peer_id();
	let provider_id = *provider.swarm.local_peer_id();

	// The provider claims two chunks; the consumer got one.
	consumer.swarm.behaviour_mut().received(provider_id, 0, CHUNK);
	provider.swarm.behaviour_mut().served(consumer_id, 0, 2 * CHUNK);
	let refused = |e: &ReceiptEvent| {
		matches!(
			e,
			ReceiptEvent::ProposalRefused { reason: Refusal::Overstated { received: CHUNK }, .. }
		)
	};
	let (provider_events, consumer_events) =
		drive(&mut provider.swarm, &mut consumer.swarm, |a, _| a.iter().any(refused)).await;
	assert!(consumer_events.iter().any(|e| matches!(
		e,
		ReceiptEvent::ProposalRejected { reason: Refusal::Overstated { .. }, .. }
	)));
	// No smaller receipt is proposed (the consumer may hold the refused one, signed): the
	// unreceipted service still counts against the bound.
	assert!(countersigned(&provider_events).is_empty());
	assert_eq!(provider.swarm.behaviour().unreceipted(&consumer_id, 0), 2 * CHUNK);
	// Once the consumer has received what was sent, the next proposal covers it all.
	consumer.swarm.behaviour_mut().received(provider_id, 0, 2 * CHUNK);
	provider.swarm.behaviour_mut().served(consumer_id, 0, CHUNK);
	let (provider_events, _) =
		drive(&mut provider.swarm, &mut consumer.swarm, |a, _| !countersigned(a).is_empty()).await;
	assert_eq!(countersigned(&provider_events), vec![3 * CHUNK]);
}

/// A remote that speaks `/repute/receipt/1` with raw bytes: it can send and answer anything.
#[derive(Clone, Default)]
struct RawCodec;

#[async_trait]
impl request_response::Codec for RawCodec {
	type Protocol = libp2p::StreamProtocol;
	type Request = Vec<u8>;
	type Response = Vec<u8>;

	async fn read_request<T: AsyncRead + Unpin + Send>(
		&mut self,
		_: &Self::Protocol,
		io: &mut T,
	) -> io::Result<Vec<u8>> {
		let mut bytes = Vec::new();
		io.take(64 * 1024).read_to_end(&mut bytes).await?;
		Ok(bytes)
	}
	async fn read_response<T: AsyncRead + Unpin + Send>(
		&mut self,
		p: &Self::Protocol,
		io: &mut T,
	) -> io::Result<Vec<u8>> {
		self.read_request(p, io).await
	}
	async fn write_request<T: AsyncWrite + Unpin + Send>(
		&mut self,
		_: &Self::Protocol,
		io: &mut T,
		bytes: Vec<u8>,
	) -> io::Result<()> {
		io.write_all(&bytes).await?;
		io.close().await
	}
	async fn write_response<T: AsyncWrite + Unpin + Send>(
		&mut self,
		p: &Self::Protocol,
		io: &mut T,
		bytes: Vec<u8>,
	) -> io::Result<()> {
		self.write_request(p, io, bytes).await
	}
}

type Raw = request_response::Behaviour<RawCodec>;

fn raw_peer(identity: &Identity) -> Swarm<Raw> {
	let behaviour = Raw::with_codec(
		RawCodec,
		[(PROTOCOL, ProtocolSupport::Full)],
		request_response::Config::default().with_request_timeout(Duration::from_secs(10)),
	);
	build_swarm(identity, behaviour, TransportKind::Memory, Duration::from_secs(60)).unwrap()
}

fn responses(events: &[request_response::Event<Vec<u8>, Vec<u8>>]) -> Vec<ReceiptResponse> {
	use codec::Decode;
	events
		.iter()
		.filter_map(|e| match e {
			request_response::Event::Message {
				message: request_response::Message::Response { response, .. },
				..
			} => Some(ReceiptResponse::decode(&mut &response[..]).expect("a valid response")),
			_ => None,
		})
		.collect()
}

fn now_ms() -> u64 {
	std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

/// A proposal from `provider` to `consumer`, signed by the provider, timestamped now.
fn proposal_from(
	provider: &Identity,
	consumer: &AccountId32,
	service: u32,
	sequence: u64,
	units: u128,
) -> Proposal {
	let receipt = Receipt {
		genesis_hash: GENESIS,
		provider: provider.account().clone(),
		consumer: consumer.clone(),
		service,
		sequence,
		cumulative_units: units,
		timestamp_ms: now_ms(),
	};
	Proposal { provider_signature: provider.sign(&receipt.signing_payload()), receipt }
}

#[tokio::test]
async fn malformed_oversized_and_wrongly_signed_proposals_get_an_error_response() {
	let mut consumer = peer(Duration::from_secs(10));
	let attacker_identity = Identity::generate();
	let mut attacker = raw_peer(&attacker_identity);
	connect(&mut consumer.swarm, &mut attacker).await;
	let consumer_id = *consumer.swarm.local_peer_id();
	let consumer_account = account_of(&consumer_id).unwrap();
	consumer.swarm.behaviour_mut().received(*attacker.local_peer_id(), 0, 10 * CHUNK);

	let receipt = |provider: &AccountId32| Receipt {
		genesis_hash: GENESIS,
		provider: provider.clone(),
		consumer: consumer_account.clone(),
		service: 0,
		sequence: 1,
		cumulative_units: CHUNK,
		timestamp_ms: now_ms(),
	};
	let honest = receipt(attacker_identity.account());
	let forged = Proposal {
		receipt: honest.clone(),
		provider_signature: Identity::generate().sign(&honest.signing_payload()),
	};
	let impostor = Identity::generate();
	let someone_else = receipt(impostor.account());
	let not_theirs = Proposal {
		provider_signature: impostor.sign(&someone_else.signing_payload()),
		receipt: someone_else,
	};
	let mut other_chain = honest.clone();
	other_chain.genesis_hash = H256::repeat_byte(0x22);
	let wrong_chain = Proposal {
		provider_signature: attacker_identity.sign(&other_chain.signing_payload()),
		receipt: other_chain,
	};
	let cases: Vec<(Vec<u8>, Refusal)> = vec![
		(vec![], Refusal::Malformed),
		(vec![0xff; 100], Refusal::Malformed),
		(forged.encode()[..50].to_vec(), Refusal::Malformed),
		(vec![0; 10 * MAX_MESSAGE_BYTES], Refusal::Oversized),
		(forged.encode(), Refusal::InvalidSignature),
		(not_theirs.encode(), Refusal::WrongParties),
		(wrong_chain.encode(), Refusal::WrongChain),
	];
	for (bytes, _) in &cases {
		attacker.behaviour_mut().send_request(&consumer_id, bytes.clone());
	}
	let (consumer_events, attacker_events) =
		drive(&mut consumer.swarm, &mut attacker, |_, b| responses(b).len() == cases.len()).await;
	let mut got: Vec<_> = responses(&attacker_events);
	let mut expected: Vec<_> =
		cases.iter().map(|(_, refusal)| ReceiptResponse::Refused(*refusal)).collect();
	let key = |r: &ReceiptResponse| format!("{r:?}");
	got.sort_by_key(key);
	expected.sort_by_key(key);
	assert_eq!(got, expected);
	let rejected = consumer_events
		.iter()
		.filter(|e| matches!(e, ReceiptEvent::ProposalRejected { .. }))
		.count();
	assert_eq!(rejected, cases.len(), "each bad message is reported");
	assert!(consumer.store.all().is_empty(), "nothing bad was stored");
}

#[tokio::test]
async fn a_consumer_that_withholds_signatures_stops_being_served_after_the_bound() {
	let mut provider = peer(Duration::from_millis(300));
	let freeloader = Identity::generate();
	let mut consumer = raw_peer(&freeloader);
	connect(&mut consumer, &mut provider.swarm).await;
	let consumer_id = *consumer.local_peer_id();

	let mut served = 0;
	while provider.swarm.behaviour().may_serve(&consumer_id, 0, CHUNK) {
		provider.swarm.behaviour_mut().served(consumer_id, 0, CHUNK);
		served += CHUNK;
		// Let the proposal reach the consumer, which never answers (and once answers garbage).
		let _ = tokio::time::timeout(Duration::from_millis(50), async {
			loop {
				tokio::select! {
					_ = provider.swarm.select_next_some() => {},
					event = consumer.select_next_some() => {
						if let SwarmEvent::Behaviour(request_response::Event::Message {
							message: request_response::Message::Request { channel, .. }, ..
						}) = event {
							if served == 2 * CHUNK {
								let _ = consumer.behaviour_mut().send_response(channel, vec![9, 9, 9]);
							}
							// Otherwise the channel is dropped: no answer.
						}
					},
				}
			}
		})
		.await;
		assert!(served <= 100 * CHUNK, "the provider never stopped");
	}
	assert_eq!(served, policy().max_unreceipted);
	assert_eq!(provider.swarm.behaviour().unreceipted(&consumer_id, 0), served);
	assert!(provider.store.all().is_empty());
}

/// A hostile consumer keeps every proposal, signed by the provider, and refuses them all. The
/// provider crashes and restarts with its store. Before, it resumed from its newest
/// countersigned receipt (none) and signed sequence 1 again with other units: the consumer,
/// countersigning both, held a proof of equivocation that would get the honest provider banned.
#[tokio::test]
async fn a_provider_that_restarts_mid_exchange_never_signs_contradicting_receipts() {
	use codec::Decode;
	let identity = Identity::generate();
	let hostile = Identity::generate();
	let mut consumer = raw_peer(&hostile);
	let consumer_id = *consumer.local_peer_id();
	let mut kept: Vec<Proposal> = Vec::new();
	let mut provider = peer_with(identity.clone(), TempDir::new(), config(Duration::from_secs(5)));
	for life in 0..3 {
		connect(&mut consumer, &mut provider.swarm).await;
		// Other amounts in each life, so that a reused sequence would carry other units.
		let chunks = [3, 2, 2][life];
		for _ in 0..(2 + life) {
			provider.swarm.behaviour_mut().served(consumer_id, 0, chunks * CHUNK);
			// Drive until the consumer holds one more proposal; after each refusal the
			// provider proposes again.
			let before = kept.len();
			let deadline = tokio::time::sleep(Duration::from_secs(20));
			tokio::pin!(deadline);
			while kept.len() == before {
				tokio::select! {
					event = provider.swarm.select_next_some() => {
						if let SwarmEvent::Behaviour(ReceiptEvent::ProposalRefused { .. }) = event {
							provider.swarm.behaviour_mut().settle(consumer_id, 0);
						}
					}
					event = consumer.select_next_some() => {
						if let SwarmEvent::Behaviour(request_response::Event::Message {
							message: request_response::Message::Request { request, channel, .. },
							..
						}) = event {
							kept.push(Proposal::decode(&mut &request[..]).expect("a proposal"));
							let refused = ReceiptResponse::Refused(Refusal::Unavailable).encode();
							let _ = consumer.behaviour_mut().send_response(channel, refused);
						}
					}
					_ = &mut deadline => panic!("no proposal in life {life}"),
				}
			}
		}
		// Crash: the swarm and behaviour are gone; the store's directory stays.
		let Peer { swarm, store, _dir } = provider;
		drop((swarm, store));
		provider = peer_with(identity.clone(), _dir, config(Duration::from_secs(5)));
	}
	assert!(kept.len() >= 9, "{} proposals", kept.len());
	for (i, a) in kept.iter().enumerate() {
		for b in &kept[i + 1..] {
			assert!(
				!repute_primitives::receipts_contradict(&a.receipt, &b.receipt),
				"contradicting proposals: {:?} and {:?}",
				(a.receipt.sequence, a.receipt.cumulative_units),
				(b.receipt.sequence, b.receipt.cumulative_units)
			);
		}
	}
}

/// Spam of proposals for service never given, and of proposals that add nothing: refused, and
/// nothing reaches the disk.
#[tokio::test]
async fn empty_and_unsolicited_proposals_are_refused_without_touching_the_disk() {
	let mut consumer = peer(Duration::from_secs(10));
	let spammer = Identity::generate();
	let mut attacker = raw_peer(&spammer);
	connect(&mut consumer.swarm, &mut attacker).await;
	let consumer_id = *consumer.swarm.local_peer_id();
	let consumer_account = account_of(&consumer_id).unwrap();
	let log = consumer.store.path().to_path_buf();
	let size_before = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
	let proposal = |service: u32, sequence: u64, units: u128| {
		proposal_from(&spammer, &consumer_account, service, sequence, units)
	};
	// 0 units, and units for services the consumer never received anything of.
	// Fewer than the remote's 100 concurrent streams, more than the 40 the rate limit lets by.
	let spam: Vec<Proposal> = (0..90u64)
		.map(|i| if i % 2 == 0 { proposal(0, i + 1, 0) } else { proposal(i as u32, 1, CHUNK) })
		.collect();
	for p in &spam {
		attacker.behaviour_mut().send_request(&consumer_id, p.encode());
	}
	let (_, attacker_events) =
		drive(&mut consumer.swarm, &mut attacker, |_, b| responses(b).len() == spam.len()).await;
	for response in responses(&attacker_events) {
		assert!(
			matches!(
				response,
				ReceiptResponse::Refused(
					Refusal::Unsolicited | Refusal::NothingNew | Refusal::RateLimited
				)
			),
			"{response:?}"
		);
	}
	assert_eq!(consumer.swarm.behaviour().books(), (0, 0), "no book kept for a spammer");
	assert_eq!(std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0), size_before);
	assert!(consumer.store.all().is_empty());
}

/// Thousands of partners (as an app would meet them): the books stay within their bound, and a
/// new partner is refused service while none can be dropped.
#[tokio::test]
async fn thousands_of_partners_keep_the_books_bounded() {
	let dir = TempDir::new();
	let config = ReceiptConfig { max_books: 64, ..config(Duration::from_secs(10)) };
	let mut peer = peer_with(Identity::generate(), dir, config);
	let behaviour = peer.swarm.behaviour_mut();
	for _ in 0..5_000 {
		let fake = Identity::generate().peer_id();
		behaviour.received(fake, 0, CHUNK);
		if behaviour.may_serve(&fake, 0, CHUNK) {
			behaviour.served(fake, 0, CHUNK);
		}
	}
	let (providing, consuming) = behaviour.books();
	assert!(providing <= 64 && consuming <= 64, "{providing} {consuming}");
	// Every provider book holds unreceipted service: none can be dropped, so a new partner
	// waits.
	assert!(!behaviour.may_serve(&Identity::generate().peer_id(), 0, CHUNK));
}

/// A flood of connections is held to the configured limits.
#[tokio::test]
async fn a_flood_of_connections_is_held_to_the_limits() {
	let limits = libp2p::connection_limits::ConnectionLimits::default()
		.with_max_established_incoming(Some(4));
	let config = ReceiptConfig { connection_limits: limits, ..config(Duration::from_secs(10)) };
	let mut target = peer_with(Identity::generate(), TempDir::new(), config);
	let address = memory_address();
	target.swarm.listen_on(address.clone()).unwrap();
	loop {
		if let SwarmEvent::NewListenAddr { .. } = target.swarm.select_next_some().await {
			break;
		}
	}
	let mut flood: Vec<Swarm<Raw>> = (0..12).map(|_| raw_peer(&Identity::generate())).collect();
	for attacker in &mut flood {
		attacker.dial(address.clone()).unwrap();
	}
	let mut denied = 0;
	let deadline = tokio::time::sleep(Duration::from_secs(10));
	tokio::pin!(deadline);
	loop {
		let attackers =
			futures::future::select_all(flood.iter_mut().map(|s| Box::pin(s.select_next_some())));
		tokio::select! {
			event = target.swarm.select_next_some() => {
				if let SwarmEvent::IncomingConnectionError { .. } = event {
					denied += 1;
				}
			}
			_ = attackers => {}
			_ = &mut deadline => break,
		}
		if denied >= 8 {
			break;
		}
	}
	assert!(denied >= 8, "only {denied} connections were denied");
	assert!(target.swarm.connected_peers().count() <= 4);
}

/// A disk that hangs: the runtime's only blocking thread (where the store's writes run) is held
/// by a write that does not return. The consumer cannot countersign (it stores a receipt before
/// it answers with it), but its swarm keeps running: a spammer's proposals are still answered,
/// at once. When the disk comes back, the exchange completes and both sides hold the receipt.
/// (The hang is emulated at the blocking pool, so this checks that nothing the swarm answers
/// waits on a pending write; a write moved back inside `NetworkBehaviour::poll` would not touch
/// the pool and would need a really slow disk to show.)
#[test]
fn a_disk_that_hangs_stalls_only_the_exchanges_that_need_it() {
	let runtime = tokio::runtime::Builder::new_multi_thread()
		.worker_threads(2)
		.max_blocking_threads(1)
		.enable_all()
		.build()
		.unwrap();
	runtime.block_on(async {
		let mut provider = peer(Duration::from_secs(30));
		let mut consumer = peer(Duration::from_secs(30));
		connect(&mut consumer.swarm, &mut provider.swarm).await;
		let spammer = Identity::generate();
		let mut attacker = raw_peer(&spammer);
		connect(&mut consumer.swarm, &mut attacker).await;
		let consumer_id = *consumer.swarm.local_peer_id();
		let provider_id = *provider.swarm.local_peer_id();
		let consumer_account = account_of(&consumer_id).unwrap();

		// The disk hangs from now on.
		let (release, hang) = std::sync::mpsc::channel::<()>();
		let stuck_write = tokio::task::spawn_blocking(move || hang.recv());

		for _ in 0..2 {
			consumer.swarm.behaviour_mut().received(provider_id, 0, CHUNK);
			provider.swarm.behaviour_mut().served(consumer_id, 0, CHUNK);
		}
		// For two seconds the proposal cannot be countersigned.
		let mut provider_events = Vec::new();
		let window = tokio::time::sleep(Duration::from_secs(2));
		tokio::pin!(window);
		loop {
			tokio::select! {
				event = provider.swarm.select_next_some() => if let SwarmEvent::Behaviour(e) = event { provider_events.push(e) },
				_ = consumer.swarm.select_next_some() => {},
				_ = &mut window => break,
			}
		}
		assert!(countersigned(&provider_events).is_empty(), "{provider_events:?}");

		// Meanwhile the consumer answers a spammer at once: its swarm is not waiting on the disk.
		let spam: Vec<Vec<u8>> = (1..=5u32)
			.map(|service| proposal_from(&spammer, &consumer_account, service, 1, CHUNK).encode())
			.collect();
		for request in &spam {
			attacker.behaviour_mut().send_request(&consumer_id, request.clone());
		}
		let started = std::time::Instant::now();
		let (_, attacker_events) =
			drive(&mut consumer.swarm, &mut attacker, |_, b| responses(b).len() == spam.len())
				.await;
		assert!(responses(&attacker_events)
			.iter()
			.all(|r| matches!(r, ReceiptResponse::Refused(Refusal::Unsolicited))));
		assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());

		// The disk comes back: the exchange completes.
		release.send(()).unwrap();
		stuck_write.await.unwrap().unwrap();
		let (events, _) = drive(&mut provider.swarm, &mut consumer.swarm, |a, _| {
			!countersigned(a).is_empty()
		})
		.await;
		assert_eq!(countersigned(&events), vec![2 * CHUNK], "{events:?}");
		assert_eq!(consumer.store.unrecorded().len(), 1);
		assert_eq!(provider.store.unrecorded(), consumer.store.unrecorded());
	});
}
