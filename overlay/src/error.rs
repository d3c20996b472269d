//! The library's error types, one per part, so callers can tell what failed and why.

use libp2p::PeerId;

/// Why a key or peer cannot be a Repute identity.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
	/// Repute accounts are ed25519 keys; this peer's key is of another kind.
	#[error("peer {0} does not have an ed25519 key, so it has no Repute account")]
	NotEd25519(PeerId),
	/// A secret URI such as `//Alice` did not parse.
	#[error("the secret URI is not valid")]
	BadSecretUri,
	/// 32 bytes that are not a secp256k1 secret key (zero, or not below the curve's order).
	#[error("the seed is not a secp256k1 secret key")]
	BadEcdsaSeed,
}

/// Why the on-disk receipt store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	/// Reading or writing the store's file failed.
	#[error("receipt store I/O at {path}: {source}")]
	Io {
		/// The file concerned.
		path: std::path::PathBuf,
		/// What the operating system said.
		source: std::io::Error,
	},
	/// The store holds a record it cannot decode before its last intact record: it was altered.
	#[error("receipt store {path} is corrupt at byte {offset}")]
	Corrupt {
		/// The file concerned.
		path: std::path::PathBuf,
		/// Where the damage starts.
		offset: u64,
	},
}

/// Why talking to the Repute node failed.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
	/// The node could not be reached, or the connection broke.
	#[error("cannot reach the Repute node at {url}: {reason}")]
	Unreachable {
		/// The node's WebSocket address.
		url: String,
		/// The transport's explanation.
		reason: String,
	},
	/// The node answered with a JSON-RPC error.
	#[error("the node refused {method}: {reason}")]
	Rpc {
		/// The method called.
		method: &'static str,
		/// The node's error message.
		reason: String,
	},
	/// The node's answer did not have the expected shape.
	#[error("unexpected answer to {method}: {reason}")]
	BadAnswer {
		/// The method called.
		method: &'static str,
		/// What was wrong with it.
		reason: String,
	},
	/// A transaction was included but failed, or did not make it into a block in time.
	#[error("transaction failed: {0}")]
	Transaction(String),
	/// The node runs a runtime whose calls, storage or transaction format differ from what
	/// this client writes (`chain::metadata`): nothing is signed for it.
	#[error(
		"the node's runtime (spec version {spec_version}) does not match this client: {reason}"
	)]
	IncompatibleRuntime {
		/// The runtime's `spec_version`.
		spec_version: u32,
		/// The first difference found.
		reason: String,
	},
	/// The node's address is not one this build can open: not `ws://` or `wss://`, or `wss://`
	/// without the `tls` feature. Retrying does not help.
	#[error("cannot use the node address {url}: {reason}")]
	UnsupportedUrl {
		/// The address, or its first 200 characters.
		url: String,
		/// What is wrong with it.
		reason: String,
	},
	/// No answer in time.
	#[error("the node did not answer {method} in time")]
	Timeout {
		/// The method called.
		method: &'static str,
	},
}

impl ChainError {
	/// Whether retrying later may succeed (the node is down or slow), as opposed to a refusal.
	pub fn is_transient(&self) -> bool {
		matches!(self, Self::Unreachable { .. } | Self::Timeout { .. })
	}
}
