//! Speed of the overlay library (a benchmark, not a test: `cargo bench -p repute-overlay`).
//!
//! 1. An admission check from the gate's cache, with 10,000 peers cached (goal: p99 < 10 µs).
//! 2. Co-signing a receipt end to end between two peers over TCP loopback (proposal, check,
//!    store with fsync, countersignature, check, store with fsync).
//! 3. Receipts the submitter gets on chain per second against one dev node (`repute-node` from
//!    the target directory, or `$REPUTE_NODE`).
//!
//! Prints a Markdown table; `docs/performance.md` has the figures. `BENCH_QUICK=1` makes every
//! part smaller (a smoke run).

use futures::StreamExt;
use libp2p::swarm::SwarmEvent;
use repute_overlay::{
	devnet::{self, DevNode},
	*,
};
use std::{
	sync::Arc,
	time::{Duration, Instant},
};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
	sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn row(name: &str, mut samples: Vec<Duration>, extra: &str) {
	samples.sort();
	println!(
		"| {name} | {} | {:.2?} | {:.2?} | {:.2?} | {extra} |",
		samples.len(),
		percentile(&samples, 0.5),
		percentile(&samples, 0.99),
		percentile(&samples, 1.0),
	);
}

fn quick() -> bool {
	std::env::var_os("BENCH_QUICK").is_some()
}

async fn gate_check(chain: Arc<ChainClient>) {
	let peers: Vec<AccountId32> = (0..10_000u32)
		.map(|i| AccountId32::new(sp_crypto_hashing::blake2_256(&i.to_le_bytes())))
		.collect();
	let me = Identity::generate();
	let gate = AdmissionGate::spawn(chain, GatePolicy::Global, me.account());
	gate.watch(peers.iter().cloned());
	let deadline = Instant::now() + Duration::from_secs(60);
	while gate.known() < peers.len() && Instant::now() < deadline {
		tokio::time::sleep(Duration::from_millis(50)).await;
	}
	assert_eq!(gate.known(), peers.len(), "the gate did not learn every peer");
	let rounds = if quick() { 10_000 } else { 1_000_000 };
	let mut samples = Vec::with_capacity(rounds);
	let mut denied = 0;
	for i in 0..rounds {
		let peer = &peers[(i * 7919) % peers.len()];
		let start = Instant::now();
		let verdict = gate.check(peer);
		samples.push(start.elapsed());
		denied += usize::from(!verdict.allows_service());
	}
	assert_eq!(denied, rounds, "unregistered peers are denied");
	row("admission check from the cache (10,000 peers cached)", samples, "");
}

async fn cosign() {
	let dir = std::env::temp_dir().join(format!("repute-bench-{}", std::process::id()));
	let mut swarms = Vec::new();
	for side in ["provider", "consumer"] {
		let store = Arc::new(ReceiptStore::open(dir.join(side), Durability::Synced).unwrap());
		let identity = Identity::generate();
		let config = ReceiptConfig {
			policy: ReceiptPolicy {
				cosign_every: 1,
				max_unreceipted: u128::MAX,
				max_clock_skew_ms: 60_000,
			},
			// The benchmark measures the protocol, not the per-partner rate limit.
			proposals_per_second: u32::MAX,
			..Default::default()
		};
		let behaviour =
			ReceiptBehaviour::new(identity.clone(), H256::repeat_byte(1), store, config);
		swarms.push(
			build_swarm(&identity, behaviour, TransportKind::Tcp, Duration::from_secs(60)).unwrap(),
		);
	}
	let (mut provider, mut consumer) = (swarms.remove(0), swarms.remove(0));
	consumer.listen_on("/ip4/127.0.0.1/tcp/0".parse().unwrap()).unwrap();
	let address = loop {
		if let SwarmEvent::NewListenAddr { address, .. } = consumer.select_next_some().await {
			break address;
		}
	};
	provider.dial(address).unwrap();
	let consumer_id = *consumer.local_peer_id();
	let provider_id = *provider.local_peer_id();
	loop {
		tokio::select! {
			event = provider.select_next_some() => if let SwarmEvent::ConnectionEstablished { .. } = event { break },
			_ = consumer.select_next_some() => {},
		}
	}
	let rounds = if quick() { 100 } else { 2_000 };
	let mut samples = Vec::with_capacity(rounds);
	for _ in 0..rounds {
		consumer.behaviour_mut().received(provider_id, 0, 1);
		let start = Instant::now();
		provider.behaviour_mut().served(consumer_id, 0, 1);
		loop {
			tokio::select! {
				event = provider.select_next_some() => match event {
					SwarmEvent::Behaviour(ReceiptEvent::Countersigned { .. }) => break,
					SwarmEvent::Behaviour(other @ (ReceiptEvent::ProposalFailed { .. } | ReceiptEvent::ProposalRefused { .. })) => panic!("{other:?}"),
					_ => {}
				},
				_ = consumer.select_next_some() => {},
			}
		}
		samples.push(start.elapsed());
	}
	let _ = std::fs::remove_dir_all(&dir);
	row("co-sign a receipt over TCP loopback (both sides fsync)", samples, "");
}

async fn submit(chain: Arc<ChainClient>) {
	let alice = Signer::sr25519_from_uri("//Alice").unwrap();
	let peers: Vec<Identity> =
		(0..if quick() { 8 } else { 100 }).map(|_| Identity::generate()).collect();
	let relayer = Identity::generate();
	let bond = chain.peer_bond().await.unwrap();
	let mut accounts: Vec<_> = peers.iter().map(|p| p.account().clone()).collect();
	accounts.push(relayer.account().clone());
	devnet::setup::fund(&chain, &alice, &accounts, 10 * bond).await.unwrap();
	devnet::setup::register(&chain, &peers).await.unwrap();
	let genesis = chain.genesis_hash().await.unwrap();
	let dir = std::env::temp_dir().join(format!("repute-bench-submit-{}", std::process::id()));
	let store = Arc::new(ReceiptStore::open(&dir, Durability::Buffered).unwrap());
	let now_ms =
		std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()
			as u64;
	let mut count = 0u64;
	for provider in &peers {
		for consumer in &peers {
			if provider.account() == consumer.account() {
				continue;
			}
			let receipt = Receipt {
				genesis_hash: genesis,
				provider: provider.account().clone(),
				consumer: consumer.account().clone(),
				service: 0,
				sequence: 1,
				cumulative_units: 1_000,
				timestamp_ms: now_ms,
			};
			store.put(&receipt.cosign(|p| provider.sign(p), |p| consumer.sign(p))).unwrap();
			count += 1;
		}
	}
	let start = Instant::now();
	let submitter = Submitter::spawn(
		store.clone(),
		chain.clone(),
		relayer.signer(),
		SubmitterConfig {
			interval: Duration::from_millis(500),
			max_batch: 512,
			backup_delay: Duration::ZERO,
			resubmit_after: Duration::from_secs(60),
			..Default::default()
		},
	);
	while !store.unrecorded().is_empty() {
		assert!(start.elapsed() < Duration::from_secs(600), "the receipts did not reach the chain");
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	let elapsed = start.elapsed();
	drop(submitter);
	let _ = std::fs::remove_dir_all(&dir);
	println!(
		"| submitter: {count} receipts from store to recorded on chain | 1 | {elapsed:.1?} | | | {:.0} receipts/s (6 s blocks) |",
		count as f64 / elapsed.as_secs_f64()
	);
}

#[tokio::main]
async fn main() {
	// `cargo bench` passes `--bench`; nothing else to parse.
	println!("| what | samples | p50 | p99 | max | throughput |");
	println!("| --- | ---: | ---: | ---: | ---: | --- |");
	cosign().await;
	let binary = devnet::node_binary().expect("repute-node must be built first");
	let log_dir = std::env::temp_dir().join(format!("repute-bench-node-{}", std::process::id()));
	let node = DevNode::start(&binary, &log_dir).expect("start a dev node");
	let chain = Arc::new(ChainClient::connect(node.url.clone()).await.expect("connect"));
	gate_check(chain.clone()).await;
	submit(chain).await;
	drop(node);
	let _ = std::fs::remove_dir_all(&log_dir);
}
