//! [`ChainClient`]: one JSON-RPC WebSocket connection to a Repute node, reopened on demand.
//!
//! Every call has a timeout, and a broken connection is reopened by the next call, so a node
//! that is down or slow shows up as a [`ChainError`] the caller can retry later
//! ([`ChainError::is_transient`]), never as a hang or a panic.

use super::{
	calls::Call,
	extrinsic::{self, Mortality},
	keys, metadata,
};
use crate::{error::ChainError, identity::Signer, store::PairKey};
use crate::{AccountId32, H256};
use codec::Decode;
use jsonrpsee::{
	core::{
		client::{ClientT, Error as ClientError, Subscription, SubscriptionClientT},
		params::ArrayParams,
	},
	rpc_params,
};
use jsonrpsee_ws_client::{WsClient, WsClientBuilder};
use repute_primitives::parameters::ReputationParameters;
use repute_rpc_api::hex::{from_hex, to_hex};
use repute_rpc_api::{
	json::{
		AdmissionAnswer, AdmissionChanges, ChannelJson, ParametersJson, PeerReportJson, PricesJson,
	},
	ReputeApiClient,
};
use serde::de::DeserializeOwned;
use std::{sync::Arc, time::Duration};
use tokio::sync::Mutex;

/// The Repute runtime's block time (its `MILLI_SECS_PER_BLOCK`): what turns parameters in
/// blocks into time.
pub const BLOCK_TIME: Duration = Duration::from_secs(6);

/// The chain's adaptive stranger policy (`Reputation.Strangers`, as the runtime stores it; the
/// client checks the layout against the node's metadata before it reads it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Decode)]
pub struct StrangerPolicy {
	/// The stranger allowance in force: what a newcomer may use before it has served anyone.
	pub allowance: u128,
	/// Recent newcomers that graduated (counts halve every `stranger_memory` blocks).
	pub reciprocated: u32,
	/// Recent newcomers that used up their allowance without serving.
	pub defected: u32,
	/// The block the counts last halved at.
	pub halved_at: u32,
}

/// What a transaction must name of the chain it is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainInfo {
	/// Block 0's hash.
	pub genesis_hash: H256,
	/// The runtime's `spec_version`.
	pub spec_version: u32,
	/// The runtime's `transaction_version`.
	pub transaction_version: u32,
	/// How long transactions signed for it stay valid, from which block.
	pub mortality: Mortality,
}

/// A connection to a Repute node. Cheap to share behind an `Arc`.
pub struct ChainClient {
	url: String,
	timeout: Duration,
	client: Mutex<Option<Arc<WsClient>>>,
	/// How many blocks the transactions it signs stay valid.
	mortality_period: u64,
	/// The `spec_version` of the runtime whose metadata was last checked and matched.
	checked_runtime: std::sync::Mutex<Option<u32>>,
}

fn unreachable(url: &str, error: impl ToString) -> ChainError {
	ChainError::Unreachable { url: url.to_string(), reason: error.to_string() }
}

/// Whether this build can open `url`: `ws://`, and `wss://` with the `tls` feature. Anything
/// else is refused for good ([`ChainError::UnsupportedUrl`]), not retried as a node that is down.
fn supported(url: &str) -> Result<(), ChainError> {
	let refuse = |reason: &str| ChainError::UnsupportedUrl {
		url: url.chars().take(MAX_URL_QUOTED).collect(),
		reason: reason.to_string(),
	};
	let scheme = url.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
	match scheme.as_deref() {
		Some("ws") => Ok(()),
		Some("wss") if cfg!(feature = "tls") => Ok(()),
		Some("wss") => Err(refuse(
			"`wss://` needs TLS, which this build of repute-overlay leaves out: enable its `tls` feature",
		)),
		_ => Err(refuse("a node's address is `ws://host:port` or `wss://host:port`")),
	}
}

/// How much of a refused address an error quotes.
const MAX_URL_QUOTED: usize = 200;

impl ChainClient {
	/// A client of the node at `url` (`ws://host:port`, or `wss://host:port` with the `tls`
	/// feature). Connects on first use, so creating it never fails; [`ChainClient::connect`]
	/// connects at once.
	pub fn new(url: impl Into<String>) -> Self {
		Self {
			url: url.into(),
			timeout: Duration::from_secs(10),
			client: Mutex::new(None),
			mortality_period: extrinsic::DEFAULT_PERIOD,
			checked_runtime: std::sync::Mutex::new(None),
		}
	}

	/// This client, signing transactions that stay valid for `blocks` blocks (rounded up to a
	/// power of two, at most [`extrinsic::MAX_PERIOD`]; 64 by default): longer for
	/// transactions signed well before they are sent.
	pub fn with_mortality_period(mut self, blocks: u64) -> Self {
		self.mortality_period = blocks.min(extrinsic::MAX_PERIOD);
		self
	}

	/// How many blocks a transaction this client signs stays valid for: the period it was given,
	/// rounded up to a power of two (at least 4), as the transaction's era rounds it.
	pub fn mortality_period(&self) -> u64 {
		self.mortality_period.max(4).next_power_of_two()
	}

	/// A client of the node at `url`, connected.
	pub async fn connect(url: impl Into<String>) -> Result<Self, ChainError> {
		let client = Self::new(url);
		client.connection().await?;
		Ok(client)
	}

	/// The node's address.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// The open connection, opened if there is none or it broke.
	pub async fn connection(&self) -> Result<Arc<WsClient>, ChainError> {
		let mut slot = self.client.lock().await;
		if let Some(client) = slot.as_ref().filter(|c| c.is_connected()) {
			return Ok(client.clone());
		}
		supported(&self.url)?;
		let client = tokio::time::timeout(
			self.timeout,
			WsClientBuilder::default()
				.request_timeout(self.timeout)
				.max_buffer_capacity_per_subscription(4096)
				.max_concurrent_requests(65_536)
				.build(&self.url),
		)
		.await
		.map_err(|_| unreachable(&self.url, "connection timed out"))?
		.map_err(|e| unreachable(&self.url, e))?;
		let client = Arc::new(client);
		*slot = Some(client.clone());
		Ok(client)
	}

	fn error(&self, method: &'static str, error: ClientError) -> ChainError {
		match error {
			ClientError::Call(object) => ChainError::Rpc { method, reason: object.to_string() },
			ClientError::ParseError(e) => ChainError::BadAnswer { method, reason: e.to_string() },
			ClientError::RequestTimeout => ChainError::Timeout { method },
			other => unreachable(&self.url, other),
		}
	}

	/// Calls `method` with `params`.
	pub async fn call<R: DeserializeOwned>(
		&self,
		method: &'static str,
		params: ArrayParams,
	) -> Result<R, ChainError> {
		let client = self.connection().await?;
		client.request(method, params).await.map_err(|e| self.error(method, e))
	}

	/// What a transaction must name of the chain: its genesis, the runtime's versions, and a
	/// recent block to be born at (transactions are mortal): the newest finalized block, or,
	/// while finality lags the best block by more than half the mortality period (a stall), the
	/// best block, so that transactions are not dead on arrival. The first time it sees a
	/// runtime version, it checks the runtime's metadata against what this client writes
	/// ([`metadata`]), and refuses a runtime that does not match with
	/// [`ChainError::IncompatibleRuntime`]: nothing can be signed for it.
	pub async fn chain_info(&self) -> Result<ChainInfo, ChainError> {
		let genesis_hash = self.genesis_hash().await?;
		let finalized: H256 = self.call("chain_getFinalizedHead", rpc_params![]).await?;
		let finalized_number = self.header_number(Some(finalized)).await?;
		let best_number = self.header_number(None).await?;
		let (birth_number, birth_hash) = if u64::from(best_number.saturating_sub(finalized_number))
			> self.mortality_period / 2
		{
			let best: H256 = self.call("chain_getBlockHash", rpc_params![best_number]).await?;
			(best_number, best)
		} else {
			(finalized_number, finalized)
		};
		// The versions of the runtime at the birth block: what the transaction is checked against
		// unless an upgrade lands before it is included (then the runtime refuses it).
		let version: serde_json::Value =
			self.call("state_getRuntimeVersion", rpc_params![birth_hash]).await?;
		let field = |name: &str| {
			version[name].as_u64().and_then(|v| u32::try_from(v).ok()).ok_or_else(|| {
				ChainError::BadAnswer {
					method: "state_getRuntimeVersion",
					reason: format!("no {name}"),
				}
			})
		};
		let spec_version = field("specVersion")?;
		self.check_runtime(spec_version, birth_hash).await?;
		Ok(ChainInfo {
			genesis_hash,
			spec_version,
			transaction_version: field("transactionVersion")?,
			mortality: Mortality { birth_number, birth_hash, period: self.mortality_period },
		})
	}

	/// Checks the metadata of the runtime at block `at`, whose `spec_version` is given, unless
	/// that version was checked before.
	async fn check_runtime(&self, spec_version: u32, at: H256) -> Result<(), ChainError> {
		let checked = *self.checked_runtime.lock().unwrap_or_else(|p| p.into_inner());
		if checked == Some(spec_version) {
			return Ok(());
		}
		const METHOD: &str = "state_getMetadata";
		let encoded: String = self.call(METHOD, rpc_params![at]).await?;
		if encoded.len() > 2 * metadata::MAX_METADATA_BYTES + 2 {
			return Err(ChainError::BadAnswer {
				method: METHOD,
				reason: format!("metadata of {} hex digits", encoded.len()),
			});
		}
		let bytes = from_hex(&encoded).map_err(|e| ChainError::BadAnswer {
			method: METHOD,
			reason: format!("metadata that is not hex: {e:?}"),
		})?;
		metadata::check_encoded(&bytes)
			.map_err(|reason| ChainError::IncompatibleRuntime { spec_version, reason })?;
		*self.checked_runtime.lock().unwrap_or_else(|p| p.into_inner()) = Some(spec_version);
		tracing::debug!(spec_version, "the node's runtime matches this client");
		Ok(())
	}

	/// Block 0's hash.
	pub async fn genesis_hash(&self) -> Result<H256, ChainError> {
		self.call("chain_getBlockHash", rpc_params![0]).await
	}

	/// The next nonce of `account`, counting its transactions in the node's pool.
	pub async fn next_nonce(&self, account: &AccountId32) -> Result<u32, ChainError> {
		self.call("system_accountNextIndex", rpc_params![account.to_ss58check()]).await
	}

	/// The best block's number.
	pub async fn best_number(&self) -> Result<u32, ChainError> {
		self.header_number(None).await
	}

	/// The number of the block whose hash is `hash` (as [`ChainClient::finalized_head`] gives it).
	pub async fn block_number(&self, hash: &str) -> Result<u32, ChainError> {
		let hash: H256 = hash.parse().map_err(|_| ChainError::BadAnswer {
			method: "chain_getHeader",
			reason: format!("`{hash}` is not a block hash"),
		})?;
		self.header_number(Some(hash)).await
	}

	/// The number of block `at`, or of the best block.
	async fn header_number(&self, at: Option<H256>) -> Result<u32, ChainError> {
		let header: serde_json::Value = match at {
			Some(at) => self.call("chain_getHeader", rpc_params![at]).await?,
			None => self.call("chain_getHeader", rpc_params![]).await?,
		};
		header["number"]
			.as_str()
			.and_then(|n| u32::from_str_radix(n.trim_start_matches("0x"), 16).ok())
			.ok_or(ChainError::BadAnswer { method: "chain_getHeader", reason: "no number".into() })
	}

	/// Signs `call` with `signer` (at its next nonce) and hands it to the node's pool; returns
	/// the transaction's hash.
	pub async fn submit(&self, call: &Call, signer: &Signer) -> Result<H256, ChainError> {
		let info = self.chain_info().await?;
		let nonce = self.next_nonce(&signer.account()).await?;
		self.submit_with(call, signer, nonce, &info).await
	}

	/// Signs `call` with `signer` at `nonce` and hands it to the node's pool.
	pub async fn submit_with(
		&self,
		call: &Call,
		signer: &Signer,
		nonce: u32,
		info: &ChainInfo,
	) -> Result<H256, ChainError> {
		let bytes = extrinsic::signed(call, signer, nonce, info);
		self.call("author_submitExtrinsic", rpc_params![hex(&bytes)]).await
	}

	/// Submits `call` and waits until a block includes it; returns that block's hash. Whether
	/// the call succeeded is for the caller to read from state.
	pub async fn submit_and_wait(
		&self,
		call: &Call,
		signer: &Signer,
		wait: Duration,
	) -> Result<H256, ChainError> {
		let info = self.chain_info().await?;
		let nonce = self.next_nonce(&signer.account()).await?;
		let bytes = extrinsic::signed(call, signer, nonce, &info);
		let client = self.connection().await?;
		const METHOD: &str = "author_submitAndWatchExtrinsic";
		let mut statuses: Subscription<serde_json::Value> = client
			.subscribe(METHOD, rpc_params![hex(&bytes)], "author_unwatchExtrinsic")
			.await
			.map_err(|e| self.error(METHOD, e))?;
		let watch = async {
			while let Some(status) = statuses.next().await {
				let status = status
					.map_err(|e| ChainError::BadAnswer { method: METHOD, reason: e.to_string() })?;
				for included in ["inBlock", "finalized"] {
					if let Some(block) = status.get(included) {
						return serde_json::from_value(block.clone()).map_err(|e| {
							ChainError::BadAnswer { method: METHOD, reason: e.to_string() }
						});
					}
				}
				if let Some(text) = status.as_str().filter(|s| matches!(*s, "dropped" | "invalid"))
				{
					return Err(ChainError::Transaction(format!("transaction {text}")));
				}
				if status.get("usurped").is_some() {
					return Err(ChainError::Transaction("transaction usurped".into()));
				}
			}
			Err(unreachable(&self.url, "the node closed the transaction watch"))
		};
		tokio::time::timeout(wait, watch)
			.await
			.map_err(|_| ChainError::Timeout { method: METHOD })?
	}

	/// The raw values at `keys` in the best block's state.
	pub async fn storage(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>, ChainError> {
		self.storage_at(keys, None).await
	}

	/// The hash of the newest finalized block, as the node's `0x…` hex.
	pub async fn finalized_head(&self) -> Result<String, ChainError> {
		self.call("chain_getFinalizedHead", rpc_params![]).await
	}

	/// The raw values at `keys` in the state of block `at` (a `0x…` hash), or of the best block.
	pub async fn storage_at(
		&self,
		keys: &[Vec<u8>],
		at: Option<&str>,
	) -> Result<Vec<Option<Vec<u8>>>, ChainError> {
		const METHOD: &str = "state_queryStorageAt";
		let hex_keys: Vec<String> = keys.iter().map(|k| hex(k)).collect();
		let answer: serde_json::Value = match at {
			Some(at) => self.call(METHOD, rpc_params![hex_keys.clone(), at]).await?,
			None => self.call(METHOD, rpc_params![hex_keys.clone()]).await?,
		};
		let bad = |reason: &str| ChainError::BadAnswer { method: METHOD, reason: reason.into() };
		let changes = answer
			.get(0)
			.and_then(|set| set.get("changes"))
			.and_then(|c| c.as_array())
			.ok_or_else(|| bad("no change set"))?;
		let mut values = vec![None; keys.len()];
		for change in changes {
			let key = change.get(0).and_then(|k| k.as_str()).ok_or_else(|| bad("no key"))?;
			let Some(index) = hex_keys.iter().position(|k| k == key) else { continue };
			values[index] = match change.get(1).and_then(|v| v.as_str()) {
				Some(value) => Some(from_hex(value).map_err(|_| bad("value is not hex"))?),
				None => None,
			};
		}
		Ok(values)
	}

	/// The (sequence, cumulative units) the chain has recorded for each pair, if any, as of the
	/// newest finalized block: what the chain's admission decisions (which follow finalized
	/// blocks) already count.
	pub async fn recorded(
		&self,
		pairs: &[PairKey],
	) -> Result<Vec<Option<(u64, u128)>>, ChainError> {
		let at = self.finalized_head().await?;
		self.recorded_at(pairs, &at).await
	}

	/// The (sequence, cumulative units) the chain has recorded for each pair, if any, in the
	/// state of block `at` (a `0x…` hash).
	pub async fn recorded_at(
		&self,
		pairs: &[PairKey],
		at: &str,
	) -> Result<Vec<Option<(u64, u128)>>, ChainError> {
		let keys: Vec<_> = pairs.iter().map(keys::served).collect();
		let mut recorded = Vec::with_capacity(pairs.len());
		for chunk in keys.chunks(256) {
			for value in self.storage_at(chunk, Some(at)).await? {
				recorded.push(value.and_then(|bytes| <(u64, u128)>::decode(&mut &bytes[..]).ok()));
			}
		}
		Ok(recorded)
	}

	/// The payment channel of each pair (consumer to provider for the service), if one is open
	/// or closing, in the state of block `at` (a `0x…` hash): read from storage, 256 pairs a
	/// call, for a provider that watches many consumers.
	pub async fn channels_at(
		&self,
		pairs: &[PairKey],
		at: &str,
	) -> Result<Vec<Option<repute_primitives::payments::Channel<u128, u32>>>, ChainError> {
		let keys: Vec<_> = pairs.iter().map(keys::channel).collect();
		let mut channels = Vec::with_capacity(pairs.len());
		for chunk in keys.chunks(256) {
			for value in self.storage_at(chunk, Some(at)).await? {
				let channel = match value {
					Some(bytes) => Some(Decode::decode(&mut &bytes[..]).map_err(|e| {
						ChainError::BadAnswer {
							method: "state_queryStorageAt",
							reason: format!("a channel that does not decode: {e}"),
						}
					})?),
					None => None,
				};
				channels.push(channel);
			}
		}
		Ok(channels)
	}

	/// Whether `account` is a registered peer.
	pub async fn is_registered(&self, account: &AccountId32) -> Result<bool, ChainError> {
		Ok(self.storage(&[keys::peer(account)]).await?[0].is_some())
	}

	/// `account`'s free balance.
	pub async fn free_balance(&self, account: &AccountId32) -> Result<u128, ChainError> {
		let value = self.storage(&[keys::system_account(account)]).await?.remove(0);
		Ok(value.as_deref().and_then(keys::free_balance).unwrap_or(0))
	}

	/// Registers `signer` as a peer (holds the peer bond) unless it already is, waiting for
	/// the block that does it.
	pub async fn register(&self, signer: &Signer) -> Result<(), ChainError> {
		let account = signer.account();
		if self.is_registered(&account).await? {
			return Ok(());
		}
		self.submit_and_wait(&Call::register(), signer, Duration::from_secs(60)).await?;
		if self.is_registered(&account).await? {
			tracing::info!(account = %account.to_ss58check(), "registered as a Repute peer");
			Ok(())
		} else {
			Err(ChainError::Transaction(
				"register was included but failed (is the balance above the peer bond?)".into(),
			))
		}
	}

	/// The admission of each of `peers`, from `viewer`'s point of view if given.
	pub async fn admissions(
		&self,
		peers: &[AccountId32],
		viewer: Option<&AccountId32>,
	) -> Result<Vec<AdmissionAnswer>, ChainError> {
		let client = self.connection().await?;
		let names = peers.iter().map(|p| p.to_ss58check()).collect();
		client
			.admissions(names, viewer.map(|v| v.to_ss58check()), None::<H256>)
			.await
			.map_err(|e| self.error("repute_admissions", e))
	}

	/// The chain's own (global) admission of each of `peers` in the state of block `at` (a `0x…`
	/// hash), in order, in calls of at most [`repute_rpc_api::MAX_BATCH`] peers.
	pub async fn admissions_at(
		&self,
		peers: &[AccountId32],
		at: &str,
	) -> Result<Vec<AdmissionAnswer>, ChainError> {
		let bad = |reason: String| ChainError::BadAnswer { method: "repute_admissions", reason };
		let at: H256 = at.parse().map_err(|_| bad(format!("block hash {at} is not a hash")))?;
		let client = self.connection().await?;
		let mut answers = Vec::with_capacity(peers.len());
		for chunk in peers.chunks(repute_rpc_api::MAX_BATCH) {
			let names = chunk.iter().map(|p| p.to_ss58check()).collect();
			let part = client
				.admissions(names, None, Some(at))
				.await
				.map_err(|e| self.error("repute_admissions", e))?;
			if part.len() != chunk.len() {
				return Err(bad(format!("{} answers for {} peers", part.len(), chunk.len())));
			}
			answers.extend(part);
		}
		Ok(answers)
	}

	/// Streams the admission of `peers` at each finalized block (first all, then changes).
	pub async fn subscribe_admissions(
		&self,
		peers: &[AccountId32],
		viewer: Option<&AccountId32>,
	) -> Result<Subscription<AdmissionChanges<H256>>, ChainError> {
		let client = self.connection().await?;
		let names = peers.iter().map(|p| p.to_ss58check()).collect();
		client
			.subscribe_admissions(names, viewer.map(|v| v.to_ss58check()))
			.await
			.map_err(|e| self.error("repute_subscribeAdmissions", e))
	}

	/// The parameters governance has set.
	pub async fn parameters(&self) -> Result<ParametersJson, ChainError> {
		let client = self.connection().await?;
		client.parameters(None::<H256>).await.map_err(|e| self.error("repute_parameters", e))
	}

	/// Every priced service's reference price, bounds and load so far this period, at the best
	/// block.
	pub async fn prices(&self) -> Result<PricesJson, ChainError> {
		let client = self.connection().await?;
		client.prices(None::<H256>).await.map_err(|e| self.error("repute_prices", e))
	}

	/// The reputation parameters in force, as `Reputation.set_parameters` takes them: read,
	/// change a field, submit back through governance (`Call::set_reputation_parameters`).
	pub async fn reputation_parameters(&self) -> Result<ReputationParameters, ChainError> {
		ReputationParameters::try_from(self.parameters().await?.reputation)
			.map_err(|reason| ChainError::BadAnswer { method: "repute_parameters", reason })
	}

	/// The bond a peer must hold to register.
	pub async fn peer_bond(&self) -> Result<u128, ChainError> {
		let bond = self.parameters().await?.receipts.peer_bond;
		bond.parse().map_err(|_| ChainError::BadAnswer {
			method: "repute_parameters",
			reason: format!("peer bond {bond} is not a number"),
		})
	}

	/// The most stranger allowance the chain grants a newcomer (the adaptive allowance moves
	/// between governance's minimum and this maximum): what a [`crate::StrangerWindow`] shares
	/// out, so that its bound holds whatever the allowance is today.
	pub async fn stranger_allowance_max(&self) -> Result<u128, ChainError> {
		let allowance = self.parameters().await?.reputation.stranger_allowance_max;
		allowance.parse().map_err(|_| ChainError::BadAnswer {
			method: "repute_parameters",
			reason: format!("stranger allowance {allowance} is not a number"),
		})
	}

	/// How long the chain takes to release a newcomer's whole stranger allowance
	/// (`stranger_release` blocks of [`BLOCK_TIME`]): what a [`crate::StrangerWindow`] releases
	/// its cap over ([`crate::StrangerWindow::released_over`]).
	pub async fn stranger_release(&self) -> Result<Duration, ChainError> {
		let blocks = self.parameters().await?.reputation.stranger_release;
		Ok(BLOCK_TIME.saturating_mul(blocks))
	}

	/// The chain's adaptive stranger policy at the best block: the allowance a newcomer gets
	/// now, and the recent newcomers' outcomes it follows (docs/reputation.md, "Admission").
	pub async fn stranger_policy(&self) -> Result<StrangerPolicy, ChainError> {
		let value = self.storage(&[keys::stranger_policy()]).await?.remove(0);
		// Absent before anything set it: the default (all zero).
		let Some(bytes) = value else { return Ok(StrangerPolicy::default()) };
		StrangerPolicy::decode(&mut &bytes[..]).map_err(|e| ChainError::BadAnswer {
			method: "state_getStorage",
			reason: format!("Reputation.Strangers: {e}"),
		})
	}

	/// The founders (pre-trusted peers) at the best block, in the order governance named them.
	pub async fn pre_trusted(&self) -> Result<Vec<AccountId32>, ChainError> {
		let value = self.storage(&[keys::pre_trusted()]).await?.remove(0);
		// Absent when none was ever named: an empty list.
		let Some(bytes) = value else { return Ok(Vec::new()) };
		<Vec<AccountId32>>::decode(&mut &bytes[..]).map_err(|e| ChainError::BadAnswer {
			method: "state_getStorage",
			reason: format!("Reputation.PreTrusted: {e}"),
		})
	}

	/// The payment channel of `consumer` to `provider` for `service`, if one is open.
	pub async fn channel(
		&self,
		consumer: &AccountId32,
		provider: &AccountId32,
		service: repute_primitives::ServiceId,
	) -> Result<Option<ChannelJson>, ChainError> {
		let client = self.connection().await?;
		client
			.channel(consumer.to_ss58check(), provider.to_ss58check(), service, None::<H256>)
			.await
			.map_err(|e| self.error("repute_channel", e))
	}

	/// Everything the chain knows about `peer`.
	pub async fn peer_report(
		&self,
		peer: &AccountId32,
	) -> Result<Option<PeerReportJson>, ChainError> {
		let client = self.connection().await?;
		client
			.peer_report(peer.to_ss58check(), None::<H256>)
			.await
			.map_err(|e| self.error("repute_peerReport", e))
	}
}

/// `0x`-prefixed hex, as the node's JSON-RPC wants bytes.
fn hex(bytes: &[u8]) -> String {
	to_hex(bytes)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[tokio::test]
	async fn a_node_that_is_down_is_a_transient_error_not_a_hang() {
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let client = ChainClient::new(format!("ws://127.0.0.1:{port}"));
		let error = client.genesis_hash().await.unwrap_err();
		assert!(error.is_transient(), "{error}");
	}

	/// An address that is no WebSocket address used to be `Unreachable`, so callers retried it
	/// for ever; so would `wss://` in a build without TLS.
	#[tokio::test]
	async fn an_address_this_build_cannot_open_is_refused_for_good() {
		let long = format!("http://{}", "a".repeat(100_000));
		for url in ["http://127.0.0.1:9944", "127.0.0.1:9944", "", "ftp://x", long.as_str()] {
			let error = ChainClient::new(url).genesis_hash().await.unwrap_err();
			assert!(matches!(error, ChainError::UnsupportedUrl { .. }), "{url:.40}: {error}");
			assert!(!error.is_transient());
			assert!(error.to_string().len() < 500, "the error quotes a bounded prefix");
		}
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let error = ChainClient::new(format!("wss://127.0.0.1:{port}")).genesis_hash().await;
		let error = error.unwrap_err();
		if cfg!(feature = "tls") {
			// Nothing listens: the node is down, which may change.
			assert!(error.is_transient(), "{error}");
		} else {
			assert!(matches!(error, ChainError::UnsupportedUrl { .. }), "{error}");
			assert!(error.to_string().contains("`tls` feature"), "{error}");
		}
		// Schemes are case-insensitive.
		let error = ChainClient::new(format!("WS://127.0.0.1:{port}")).genesis_hash().await;
		assert!(error.unwrap_err().is_transient());
	}
}
