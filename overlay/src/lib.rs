//! # repute-overlay
//!
//! What a peer-to-peer app embeds to use Repute: shared, tamper-evident history of who served
//! whom, and admission decisions drawn from it.
//!
//! - [`Identity`]: the app's libp2p ed25519 keypair is its Repute account.
//! - [`ReceiptBehaviour`]: a libp2p `NetworkBehaviour` running `/repute/receipt/1`, with which two
//!   peers co-sign cumulative receipts of the service one gave the other, incrementally. A
//!   consumer never signs more than it received; a provider stops serving a consumer that leaves
//!   more than a bounded amount unreceipted ([`ReceiptPolicy`]).
//! - [`ReceiptStore`]: a crash-safe log of the newest co-signed receipt of each pair.
//! - [`Submitter`]: takes stored receipts to the chain in batches, with retries and backoff,
//!   never resending what the chain already recorded.
//! - [`AdmissionGate`]: `is_admitted(peer)` from a local cache that the node's admission
//!   subscription keeps fresh; never waits on the chain.
//! - [`ChannelBook`] (provider) and [`Payer`] (consumer): service paid through payment channels
//!   on the same receipts (docs/payments.md): the book says from memory whether a consumer's
//!   channel pays for what the provider is about to serve; the payer opens and tops up channels
//!   when a provider asks to be paid, within the user's price and budget.
//! - [`OwnCredit`] (consumer): what it may still take before the chain denies it, its admission
//!   credit less what it received and the chain has not counted yet, so that an honest newcomer
//!   served by many providers at once does not take past its allowance.
//! - [`StrangerWindow`]: how much a server gives a newcomer that the chain has not counted yet
//!   ([`ReceiptBehaviour::unconfirmed_to`]), so that a free rider served by many servers at once
//!   takes a bounded multiple of its stranger allowance.
//! - [`ChainClient`]: the node's JSON-RPC (jsonrpsee), and [`chain::calls`] to register a peer
//!   (bond) and submit receipts.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use repute_overlay::*;
//! use std::{sync::Arc, time::Duration};
//!
//! let identity = Identity::generate();
//! let chain = Arc::new(ChainClient::connect("ws://127.0.0.1:9944").await?);
//! chain.register(&identity.signer()).await?; // holds the peer bond
//! let store = Arc::new(ReceiptStore::open("receipts", Durability::Synced)?);
//! let genesis = chain.genesis_hash().await?;
//! let behaviour =
//!     ReceiptBehaviour::new(identity.clone(), genesis, store.clone(), ReceiptConfig::default());
//! let mut swarm = build_swarm(&identity, behaviour, TransportKind::Tcp, Duration::from_secs(60))?;
//! let _submitter = Submitter::spawn(store, chain.clone(), identity.signer(), Default::default());
//! let window = StrangerWindow::shared_by(chain.stranger_allowance_max().await?, 16);
//! let gate = AdmissionGate::spawn(chain, GatePolicy::Global, identity.account());
//! // Before serving `n` units to `peer` (account `who`):
//! //   window.allows(gate.check(&who), swarm.behaviour().unconfirmed_to(&peer, 0), n)
//! //     && swarm.behaviour().may_serve(&peer, 0, n)
//! // after: `swarm.behaviour_mut().served(peer, 0, n)`. The consumer calls `received`.
//! # let _ = (&mut swarm, gate); Ok(()) }
//! ```
//!
//! `examples/two_peers.rs` runs two peers that co-sign receipts; `docs/overlay.md` explains the
//! protocol and the guarantees.

mod background;
pub mod behaviour;
pub mod chain;
pub mod channel_book;
#[cfg(feature = "devnet")]
pub mod devnet;
pub mod error;
pub mod gate;
pub mod identity;
pub mod ledger;
pub mod own_credit;
pub mod payer;
pub mod signature;
pub mod store;
pub mod stranger_window;
pub mod submitter;
pub mod transport;
pub mod wire;

pub use behaviour::{ReceiptBehaviour, ReceiptConfig, ReceiptEvent};
pub use chain::{ChainClient, ChainInfo, StrangerPolicy};
pub use channel_book::{ChannelBook, ChannelBookConfig, Cover};
pub use error::{ChainError, IdentityError, StoreError};
pub use gate::{AdmissionGate, GateConfig, GatePolicy, Verdict};
pub use identity::{account_of, peer_of, Identity, Signer};
pub use ledger::ReceiptPolicy;
pub use own_credit::{CreditStanding, OwnCredit, OwnCreditConfig};
pub use payer::{Doubt, Payer, PayerConfig, PayerStats};
pub use store::{Durability, PairKey, ReceiptStore};
pub use stranger_window::StrangerWindow;
pub use submitter::{Submitter, SubmitterConfig, SubmitterStats};
pub use transport::{build_swarm, TransportKind};

pub use repute_primitives::ServiceId;
pub use repute_rpc_api::AccountId32;
pub use repute_rpc_api::H256;
pub use signature::MultiSignature;

/// A receipt as Repute's runtime defines it (32-byte accounts and hashes).
pub type Receipt = repute_primitives::Receipt<AccountId32, H256>;
/// A receipt signed by both parties, as submitted to the chain.
pub type SignedReceipt = repute_primitives::SignedReceipt<AccountId32, H256, MultiSignature>;

#[cfg(test)]
mod tests {
	use std::process::Command;

	/// What an app that embeds the overlay must not compile: a Substrate client (`sc-*` and the
	/// client-side `sp-*` crates, which bring the wasm executor), the runtime-API machinery, the
	/// JSON-RPC server, `sp-runtime` with the runtime's I/O, state machine and trie, nor
	/// `sp-core` (its key derivation and three secp256k1 implementations; the `secret-uri`
	/// feature brings it back, for tools that read subkey's secret URIs), nor `sp-arithmetic`,
	/// nor TLS (rustls, for `wss://`) unless the `tls` feature asks for it. `repute-rpc-api` holds the client side of the `repute_*` methods and [`signature`] the
	/// runtime's signature type so that this holds; this test fails the day a dependency brings
	/// any of them back.
	#[test]
	fn an_app_compiles_no_substrate_client_and_no_server() {
		let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
		// The runner's directory at run time (cargo and nextest both set it), not the one this
		// was compiled in: a build directory shared between two checkouts keeps the first's.
		let directory = std::env::var("CARGO_MANIFEST_DIR")
			.unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
		let manifest = format!("{directory}/Cargo.toml");
		let tree = |features: &[&str]| {
			let output = Command::new(&cargo)
				.args(["tree", "--locked", "--offline", "--manifest-path", &manifest])
				.args(["-p", "repute-overlay", "-e", "normal,build", "--prefix", "none"])
				.args(["--format", "{p}"])
				.args(features)
				.output()
				.expect("run cargo tree");
			assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
			String::from_utf8(output.stdout).expect("cargo tree prints UTF-8")
		};
		let names = |tree: &str| -> std::collections::BTreeSet<String> {
			tree.lines().filter_map(|line| line.split(' ').next()).map(String::from).collect()
		};
		// TLS (`wss://`) is the `tls` feature's: rustls and ring only when an app asks.
		let with_tls = names(&tree(&["--features", "tls"]));
		assert!(with_tls.contains("rustls") && with_tls.contains("jsonrpsee-ws-client"));
		let tree = tree(&[]);
		let crates: Vec<&str> = tree.lines().filter_map(|line| line.split(' ').next()).collect();
		assert!(crates.contains(&"repute-rpc-api") && crates.contains(&"libp2p"), "{tree}");
		let tls: Vec<&&str> = crates.iter().filter(|name| name.contains("rustls")).collect();
		assert!(tls.is_empty(), "TLS compiled without the `tls` feature: {tls:?}");
		let forbidden = |name: &&str| {
			name.starts_with("sc-")
				|| name.starts_with("wasmtime")
				// `frame-metadata` is only the metadata's types (codec and scale-info), for the
				// client's check of the node's runtime (chain::metadata); no FRAME machinery.
				|| (name.starts_with("frame-") && *name != "frame-metadata")
				|| [
					"sp-api",
					"sp-blockchain",
					"sp-consensus",
					"sp-core",
					"sp-runtime",
					"sp-io",
					"sp-state-machine",
					"sp-trie",
					"jsonrpsee-server",
					"repute-rpc",
					// The chain's maths (`repute-primitives`' `sp-arithmetic` feature): an app
					// reads the types only.
					"sp-arithmetic",
				]
				.contains(name)
		};
		let found: std::collections::BTreeSet<&str> =
			crates.iter().copied().filter(forbidden).collect();
		assert!(found.is_empty(), "the overlay compiles server-side crates: {found:?}");
	}
}
