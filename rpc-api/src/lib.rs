//! # Repute RPC API
//!
//! The interface of the `repute_*` JSON-RPC methods that `repute-node` serves, for the apps that
//! call them: the method definitions ([`ReputeApiClient`] is a typed jsonrpsee client of them),
//! the JSON answers ([`json`]), the error codes ([`error`]), the bounds on every input, and the
//! peer names the methods accept ([`peer`]), and the values they carry: [`AccountId32`] with its
//! SS58 address ([`account`]), [`H256`] and [`Bytes`] ([`hex`]). `docs/rpc.md` documents every
//! method.
//!
//! This crate compiles no Substrate client, no HTTP server and not `sp-core`: an app that embeds
//! `repute-overlay` builds only jsonrpsee's client, serde, SCALE and the primitives. The server over a
//! Substrate client is `repute-rpc` (this split is `sc-rpc-api`'s from `sc-rpc`).

pub mod account;
pub mod error;
pub mod hex;
pub mod json;
pub mod peer;

pub use account::AccountId32;
pub use hex::{Bytes, H256};

use json::*;
use jsonrpsee::proc_macros::rpc;

/// The most peers one `repute_admissions` call or one admission subscription may name.
pub const MAX_BATCH: usize = 1024;
/// The most entries one page of `repute_partners` or `repute_topPeers` may hold.
pub const MAX_PAGE: u32 = 100;
/// The furthest a `repute_partners` page may start: pages cost reads up to their start.
pub const MAX_START: u32 = 10_000;
/// The page size when none is given.
pub const DEFAULT_PAGE: u32 = 20;

/// The `repute_*` methods.
#[rpc(client)]
pub trait ReputeApi<BlockHash> {
	/// Everything the chain knows about `peer`, or `null` if it never registered.
	#[method(name = "repute_peerReport")]
	fn peer_report(&self, peer: String, at: Option<BlockHash>)
		-> RpcResult<Option<PeerReportJson>>;

	/// `repute_peerReport` with a storage proof of the entries it was computed from.
	#[method(name = "repute_peerReportProof")]
	fn peer_report_proof(
		&self,
		peer: String,
		at: Option<BlockHash>,
	) -> RpcResult<PeerReportProof<BlockHash>>;

	/// `peer`'s admission; from `viewer`'s point of view if one is given.
	#[method(name = "repute_admission")]
	fn admission(
		&self,
		peer: String,
		viewer: Option<String>,
		at: Option<BlockHash>,
	) -> RpcResult<AdmissionAnswer>;

	/// The admission of each of `peers` (at most [`MAX_BATCH`]), in order.
	#[method(name = "repute_admissions")]
	fn admissions(
		&self,
		peers: Vec<String>,
		viewer: Option<String>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<AdmissionAnswer>>;

	/// `target`'s reputation in `viewer`'s eyes.
	#[method(name = "repute_subjectiveTrust")]
	fn subjective_trust(
		&self,
		viewer: String,
		target: String,
		at: Option<BlockHash>,
	) -> RpcResult<SubjectiveTrustJson>;

	/// A page of `peer`'s partnerships in `direction` (`served` or `servedBy`).
	#[method(name = "repute_partners")]
	fn partners(
		&self,
		peer: String,
		direction: DirectionJson,
		start: Option<u32>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<PartnerJson>>;

	/// A page of the most trusted peers of the latest reviewed epoch.
	#[method(name = "repute_topPeers")]
	fn top_peers(
		&self,
		start: Option<u32>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<TopPeersJson>;

	/// The parameters of shared history, of reputation and of payment channels.
	#[method(name = "repute_parameters")]
	fn parameters(&self, at: Option<BlockHash>) -> RpcResult<ParametersJson>;

	/// The payment channel of `consumer` to `provider` for `service`, or `null` if none is open
	/// (never opened, or settled).
	#[method(name = "repute_channel")]
	fn channel(
		&self,
		consumer: String,
		provider: String,
		service: u32,
		at: Option<BlockHash>,
	) -> RpcResult<Option<ChannelJson>>;

	/// Every priced service's reference price, its bounds and its load so far this period.
	#[method(name = "repute_prices")]
	fn prices(&self, at: Option<BlockHash>) -> RpcResult<PricesJson>;

	/// Streams the admission of `peers` (at most [`MAX_BATCH`]) at each finalized block: first
	/// every peer, then only those whose decision changed.
	#[subscription(
		name = "repute_subscribeAdmissions" => "repute_admissionChanges",
		unsubscribe = "repute_unsubscribeAdmissions",
		item = AdmissionChanges<BlockHash>
	)]
	fn subscribe_admissions(&self, peers: Vec<String>, viewer: Option<String>);
}
