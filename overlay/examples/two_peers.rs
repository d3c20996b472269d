//! Two peers co-sign receipts over TCP loopback, without a chain: the provider "serves" ten
//! chunks of 64 KiB, the consumer counts them, and a receipt is co-signed every two chunks.
//!
//! ```sh
//! cargo run --release -p repute-overlay --example two_peers
//! ```

use futures::StreamExt;
use libp2p::swarm::SwarmEvent;
use repute_overlay::*;
use std::{sync::Arc, time::Duration};

const CHUNK: u128 = 64 * 1024;

fn store_dir(name: &str) -> std::path::PathBuf {
	std::env::temp_dir().join(format!("repute-two-peers-{name}-{}", std::process::id()))
}

fn peer(name: &str) -> libp2p::Swarm<ReceiptBehaviour> {
	let dir = store_dir(name);
	let store = Arc::new(ReceiptStore::open(dir, Durability::Synced).expect("open the store"));
	let identity = Identity::generate();
	let config = ReceiptConfig {
		policy: ReceiptPolicy {
			cosign_every: 2 * CHUNK,
			max_unreceipted: 4 * CHUNK,
			max_clock_skew_ms: 30_000,
		},
		..Default::default()
	};
	// A real app uses `chain.genesis_hash()`; any fixed hash works between two peers.
	let behaviour = ReceiptBehaviour::new(identity.clone(), H256::repeat_byte(1), store, config);
	build_swarm(&identity, behaviour, TransportKind::Tcp, Duration::from_secs(60)).expect("a swarm")
}

#[tokio::main]
async fn main() {
	let mut provider = peer("provider");
	let mut consumer = peer("consumer");
	consumer.listen_on("/ip4/127.0.0.1/tcp/0".parse().unwrap()).unwrap();
	let address = loop {
		if let SwarmEvent::NewListenAddr { address, .. } = consumer.select_next_some().await {
			break address;
		}
	};
	provider.dial(address).unwrap();
	let (provider_id, consumer_id) = (*provider.local_peer_id(), *consumer.local_peer_id());
	loop {
		tokio::select! {
			event = provider.select_next_some() => if let SwarmEvent::ConnectionEstablished { .. } = event { break },
			_ = consumer.select_next_some() => {},
		}
	}
	println!("provider {provider_id}\nconsumer {consumer_id}");
	let mut cosigned = 0;
	for chunk in 1..=10 {
		assert!(provider.behaviour().may_serve(&consumer_id, 0, CHUNK));
		// The chunk itself would go over the app's own protocol.
		consumer.behaviour_mut().received(provider_id, 0, CHUNK);
		provider.behaviour_mut().served(consumer_id, 0, CHUNK);
		if chunk % 2 == 1 {
			continue;
		}
		loop {
			tokio::select! {
				event = provider.select_next_some() => if let SwarmEvent::Behaviour(event) = event {
					if let ReceiptEvent::Countersigned { receipt, .. } = event {
						cosigned += 1;
						println!(
							"receipt #{}: {} bytes, signed by both",
							receipt.receipt.sequence, receipt.receipt.cumulative_units
						);
						break;
					}
					println!("{event:?}");
				},
				_ = consumer.select_next_some() => {},
			}
		}
	}
	println!("{cosigned} receipts co-signed; both stores hold the newest, ready to submit");
	for name in ["provider", "consumer"] {
		let _ = std::fs::remove_dir_all(store_dir(name));
	}
}
