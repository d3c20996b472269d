//! # Repute RPC
//!
//! The server of the `repute_*` JSON-RPC methods in `repute-node`: one per query of the
//! reputation and payments runtime APIs, each at an optional block hash (default: the best block), plus a
//! subscription that streams admission changes as blocks are finalized. The methods, their JSON
//! answers and error codes are defined in `repute-rpc-api`, which is what an app compiles;
//! `docs/rpc.md` documents every method.
//!
//! This crate is a thin adapter over a Substrate client: it parses and bounds the input, calls
//! the runtime API at a block and turns the answer into stable JSON. The logic lives in the
//! runtime.

use std::{marker::PhantomData, sync::Arc};

use futures::{future::Either, FutureExt, StreamExt};
use jsonrpsee::{core::RpcResult, PendingSubscriptionSink, SubscriptionMessage};
use repute_rpc_api::{
	error::Error, json::*, peer, ReputeApiServer, DEFAULT_PAGE, MAX_BATCH, MAX_PAGE, MAX_START,
};
use repute_runtime_api::{Admission, PaymentsApi, ReputationApi};
use sc_client_api::{BlockchainEvents, ProofProvider};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::{crypto::AccountId32, traits::SpawnNamed, Bytes};
use sp_runtime::traits::{Block as BlockT, Header as HeaderT, UniqueSaturatedInto};

/// The `repute_*` methods over a client.
pub struct Repute<C, Block> {
	client: Arc<C>,
	executor: Arc<dyn SpawnNamed>,
	_block: PhantomData<Block>,
}

impl<C, Block> Repute<C, Block> {
	/// Serves the methods from `client`, running subscriptions on `executor`.
	pub fn new(client: Arc<C>, executor: Arc<dyn SpawnNamed>) -> Self {
		Self { client, executor, _block: PhantomData }
	}
}

/// The bounded (start, limit) of a page.
fn page(start: Option<u32>, limit: Option<u32>, max_start: u32) -> Result<(u32, u32), Error> {
	let (start, limit) = (start.unwrap_or(0), limit.unwrap_or(DEFAULT_PAGE));
	if limit == 0 || limit > MAX_PAGE {
		return Err(Error::InvalidParams(format!(
			"limit is {limit}; it must be between 1 and {MAX_PAGE}"
		)));
	}
	if start > max_start {
		return Err(Error::InvalidParams(format!(
			"start is {start}; pages may start at most at {max_start}"
		)));
	}
	Ok((start, limit))
}

impl<C, Block> Repute<C, Block>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api:
		ReputationApi<Block, AccountId32, u128, u32> + PaymentsApi<Block, AccountId32, u128, u32>,
{
	/// The block to answer at: `at`, which must be known, or the best block.
	fn block(&self, at: Option<Block::Hash>) -> Result<Block::Hash, Error> {
		let hash = at.unwrap_or_else(|| self.client.info().best_hash);
		match self.client.header(hash) {
			Ok(Some(_)) => Ok(hash),
			_ => Err(Error::UnknownBlock(format!("{hash:?}"))),
		}
	}

	fn runtime<R>(
		&self,
		at: Block::Hash,
		call: impl FnOnce(&C::Api, Block::Hash) -> Result<R, sp_api::ApiError>,
	) -> Result<R, Error> {
		call(&self.client.runtime_api(), at).map_err(|e| Error::Runtime(e.to_string()))
	}
}

impl<C, Block> ReputeApiServer<Block::Hash> for Repute<C, Block>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ BlockchainEvents<Block>
		+ ProofProvider<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api:
		ReputationApi<Block, AccountId32, u128, u32> + PaymentsApi<Block, AccountId32, u128, u32>,
{
	fn peer_report(
		&self,
		peer: String,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<PeerReportJson>> {
		let peer = peer::parse_peer(&peer)?;
		let at = self.block(at)?;
		let report = self.runtime(at, |api, at| api.peer_report(at, peer.clone()))?;
		Ok(report.map(|report| PeerReportJson::new(&peer, report)))
	}

	fn peer_report_proof(
		&self,
		peer: String,
		at: Option<Block::Hash>,
	) -> RpcResult<PeerReportProof<Block::Hash>> {
		let peer = peer::parse_peer(&peer)?;
		let at = self.block(at)?;
		let report = self.runtime(at, |api, at| api.peer_report(at, peer.clone()))?;
		let keys = self.runtime(at, |api, at| api.peer_report_keys(at, peer.clone()))?;
		let proof = self
			.client
			.read_proof(at, &mut keys.iter().map(|key| key.as_slice()))
			.map_err(|e| Error::Proof(e.to_string()))?;
		Ok(PeerReportProof {
			at,
			report: report.map(|report| PeerReportJson::new(&peer, report)),
			keys: keys.into_iter().map(Bytes).collect(),
			proof: proof.into_iter_nodes().map(Bytes).collect(),
		})
	}

	fn admission(
		&self,
		peer: String,
		viewer: Option<String>,
		at: Option<Block::Hash>,
	) -> RpcResult<AdmissionAnswer> {
		let peer = peer::parse_peer(&peer)?;
		let viewer = peer::parse_optional(viewer.as_deref(), "viewer")?;
		let at = self.block(at)?;
		let admission = self.runtime(at, |api, at| api.admission(at, peer.clone(), viewer))?;
		Ok(AdmissionAnswer::new(&peer, admission))
	}

	fn admissions(
		&self,
		peers: Vec<String>,
		viewer: Option<String>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<AdmissionAnswer>> {
		let peers = peer::parse_peers(&peers, MAX_BATCH, "peers")?;
		let viewer = peer::parse_optional(viewer.as_deref(), "viewer")?;
		let at = self.block(at)?;
		let admissions = self.runtime(at, |api, at| api.admissions(at, peers.clone(), viewer))?;
		Ok(peers.iter().zip(admissions).map(|(p, a)| AdmissionAnswer::new(p, a)).collect())
	}

	fn subjective_trust(
		&self,
		viewer: String,
		target: String,
		at: Option<Block::Hash>,
	) -> RpcResult<SubjectiveTrustJson> {
		let viewer = peer::parse_named(&viewer, "viewer")?;
		let target = peer::parse_named(&target, "target")?;
		let at = self.block(at)?;
		let trust =
			self.runtime(at, |api, at| api.subjective_trust(at, viewer.clone(), target.clone()))?;
		Ok(SubjectiveTrustJson::new(&viewer, &target, trust))
	}

	fn partners(
		&self,
		peer: String,
		direction: DirectionJson,
		start: Option<u32>,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<PartnerJson>> {
		let peer = peer::parse_peer(&peer)?;
		let (start, limit) = page(start, limit, MAX_START)?;
		let at = self.block(at)?;
		let partners = self.runtime(at, |api, at| {
			api.partners(at, peer.clone(), direction.into(), start, limit)
		})?;
		Ok(partners.into_iter().map(Into::into).collect())
	}

	fn top_peers(
		&self,
		start: Option<u32>,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<TopPeersJson> {
		let (start, limit) = page(start, limit, u32::MAX)?;
		let at = self.block(at)?;
		let (epoch, peers) = self.runtime(at, |api, at| api.top_peers(at, start, limit))?;
		Ok(TopPeersJson {
			epoch,
			peers: peers
				.into_iter()
				.enumerate()
				.map(|(i, (peer, trust))| RankedPeer {
					rank: start.saturating_add(i as u32),
					peer: peer::address_of(&peer),
					parts_per_quintillion: trust.parts_per_quintillion.to_string(),
				})
				.collect(),
		})
	}

	fn parameters(&self, at: Option<Block::Hash>) -> RpcResult<ParametersJson> {
		let at = self.block(at)?;
		let (receipts, reputation) =
			self.runtime(at, |api, at| ReputationApi::parameters(api, at))?;
		let payments = self.runtime(at, |api, at| PaymentsApi::parameters(api, at))?;
		Ok((receipts, reputation, payments).into())
	}

	fn channel(
		&self,
		consumer: String,
		provider: String,
		service: u32,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<ChannelJson>> {
		let consumer = peer::parse_named(&consumer, "consumer")?;
		let provider = peer::parse_named(&provider, "provider")?;
		let at = self.block(at)?;
		let channel = self.runtime(at, |api, at| api.channel(at, consumer, provider, service))?;
		Ok(channel.map(Into::into))
	}

	fn prices(&self, at: Option<Block::Hash>) -> RpcResult<PricesJson> {
		let at = self.block(at)?;
		let number: u32 = match self.client.header(at) {
			Ok(Some(header)) => (*header.number()).unique_saturated_into(),
			_ => return Err(Error::UnknownBlock(format!("{at:?}")).into()),
		};
		let period = self.runtime(at, |api, at| PaymentsApi::parameters(api, at))?.price_period;
		let services = self.runtime(at, |api, at| api.prices(at))?;
		Ok(PricesJson {
			number,
			// The pallet refuses a zero period; `max(1)` keeps a broken state from dividing by 0.
			next_update: (number / period.max(1)).saturating_add(1).saturating_mul(period.max(1)),
			services: services.into_iter().map(Into::into).collect(),
		})
	}

	fn subscribe_admissions(
		&self,
		pending: PendingSubscriptionSink,
		peers: Vec<String>,
		viewer: Option<String>,
	) {
		let parsed = peer::parse_peers(&peers, MAX_BATCH, "peers")
			.and_then(|peers| Ok((peers, peer::parse_optional(viewer.as_deref(), "viewer")?)));
		let client = self.client.clone();
		let task = async move {
			let (peers, viewer) = match parsed {
				Ok(parsed) => parsed,
				Err(error) => {
					pending.reject(jsonrpsee::types::ErrorObjectOwned::from(error)).await;
					return;
				}
			};
			let Ok(sink) = pending.accept().await else { return };
			let mut finalized = client.finality_notification_stream();
			let mut last: Vec<Option<Admission>> = vec![None; peers.len()];
			let mut block = {
				let info = client.info();
				(info.finalized_hash, info.finalized_number.unique_saturated_into())
			};
			loop {
				let (hash, number): (Block::Hash, u32) = block;
				let Ok(now) = client.runtime_api().admissions(hash, peers.clone(), viewer.clone())
				else {
					break;
				};
				let changes: Vec<AdmissionAnswer> = peers
					.iter()
					.zip(last.iter_mut())
					.zip(now)
					.filter_map(|((peer, last), now)| {
						(last.replace(now) != Some(now)).then(|| AdmissionAnswer::new(peer, now))
					})
					.collect();
				if !changes.is_empty() {
					let message = AdmissionChanges { block: hash, number, changes };
					let Ok(message) = SubscriptionMessage::from_json(&message) else { break };
					if sink.send(message).await.is_err() {
						break;
					}
				}
				let next = futures::future::select(finalized.next(), sink.closed().boxed()).await;
				match next {
					Either::Left((Some(notification), _)) => {
						block = (
							notification.hash,
							(*notification.header.number()).unique_saturated_into(),
						)
					}
					_ => break,
				}
			}
		};
		self.executor.spawn("repute-admission-subscription", Some("rpc"), task.boxed());
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn pages_are_bounded() {
		assert_eq!(page(None, None, MAX_START), Ok((0, DEFAULT_PAGE)));
		assert_eq!(page(Some(5), Some(MAX_PAGE), MAX_START), Ok((5, MAX_PAGE)));
		for (start, limit) in
			[(None, Some(0)), (None, Some(MAX_PAGE + 1)), (Some(MAX_START + 1), None)]
		{
			assert!(matches!(page(start, limit, MAX_START), Err(Error::InvalidParams(_))));
		}
	}
}
