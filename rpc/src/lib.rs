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
//! runtime. It registers the methods itself ([`Repute::into_rpc`]) rather than through a
//! generated server trait, so that each reads its parameters strictly (`params`: extra, unknown
//! and mistyped parameters are refused by name) and runs on a blocking thread, as does each
//! block's computation of a subscription (at most as many at once as the node has cores, methods
//! and subscriptions together); each method's
//! parameter names and order (`signatures`) are those of `repute-rpc-api`'s `ReputeApiClient`.

mod params;

use std::{marker::PhantomData, sync::Arc};

use futures::{future::Either, FutureExt, StreamExt};
use jsonrpsee::{
	core::RegisterMethodError, types::ErrorObjectOwned, PendingSubscriptionSink, RpcModule,
	SubscriptionMessage,
};
use params::{Arguments, Signature};
use repute_rpc_api::{
	error::Error, json::*, peer, Bytes, DEFAULT_PAGE, MAX_BATCH, MAX_PAGE, MAX_START,
};
use repute_runtime_api::{Admission, PaymentsApi, ReputationApi};
use sc_client_api::{BlockchainEvents, ProofProvider};
use serde::Serialize;
use sp_api::ApiExt;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::{crypto::AccountId32, traits::SpawnNamed};
use sp_runtime::traits::{Block as BlockT, Header as HeaderT, UniqueSaturatedInto};

/// What a block-hash parameter must be, as errors say it.
const A_BLOCK_HASH: &str = "a block hash (0x and 64 hex digits)";
/// What a page bound must be, as errors say it.
const A_WHOLE_NUMBER: &str = "a whole number from 0 to 4294967295";

/// Every method's parameters, in positional order (`docs/rpc.md` lists the same).
mod signatures {
	use super::Signature;

	pub static PEER_REPORT: Signature =
		Signature { method: "repute_peerReport", names: &["peer", "at"], required: 1 };
	pub static PEER_REPORT_PROOF: Signature =
		Signature { method: "repute_peerReportProof", names: &["peer", "at"], required: 1 };
	pub static ADMISSION: Signature =
		Signature { method: "repute_admission", names: &["peer", "viewer", "at"], required: 1 };
	pub static ADMISSIONS: Signature =
		Signature { method: "repute_admissions", names: &["peers", "viewer", "at"], required: 1 };
	pub static SUBJECTIVE_TRUST: Signature = Signature {
		method: "repute_subjectiveTrust",
		names: &["viewer", "target", "at"],
		required: 2,
	};
	pub static PARTNERS: Signature = Signature {
		method: "repute_partners",
		names: &["peer", "direction", "start", "limit", "at"],
		required: 2,
	};
	pub static TOP_PEERS: Signature =
		Signature { method: "repute_topPeers", names: &["start", "limit", "at"], required: 0 };
	pub static PARAMETERS: Signature =
		Signature { method: "repute_parameters", names: &["at"], required: 0 };
	pub static CHANNEL: Signature = Signature {
		method: "repute_channel",
		names: &["consumer", "provider", "service", "at"],
		required: 3,
	};
	pub static PRICES: Signature =
		Signature { method: "repute_prices", names: &["at"], required: 0 };
	pub static SUBSCRIBE_ADMISSIONS: Signature = Signature {
		method: "repute_subscribeAdmissions",
		names: &["peers", "viewer"],
		required: 1,
	};
}

/// The notification method of `repute_subscribeAdmissions`.
const ADMISSION_CHANGES: &str = "repute_admissionChanges";
/// Its unsubscribe method.
const UNSUBSCRIBE_ADMISSIONS: &str = "repute_unsubscribeAdmissions";

/// The `repute_*` methods over a client.
pub struct Repute<C, Block> {
	client: Arc<C>,
	executor: Arc<dyn SpawnNamed>,
	computations: Computations,
	_block: PhantomData<Block>,
}

impl<C, Block> Repute<C, Block> {
	/// Serves the methods from `client`, running subscriptions on `executor`.
	pub fn new(client: Arc<C>, executor: Arc<dyn SpawnNamed>) -> Self {
		Self { client, executor, computations: Computations::per_core(), _block: PhantomData }
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
	/// The methods as a module for the node's RPC server.
	///
	/// Every method reads its parameters with [`params`] (strict: extra or unknown parameters
	/// are refused, errors name the parameter) and runs on a blocking thread, so that a slow
	/// runtime call never holds up the server's async workers and the other callers they serve;
	/// at most as many methods and subscription computations run at once as the node has cores
	/// ([`Computations`]), and the rest wait their turn.
	pub fn into_rpc(self) -> Result<RpcModule<Self>, RegisterMethodError> {
		use signatures::*;
		let mut module = RpcModule::new(self);
		register(&mut module, &PEER_REPORT, Self::peer_report)?;
		register(&mut module, &PEER_REPORT_PROOF, Self::peer_report_proof)?;
		register(&mut module, &ADMISSION, Self::admission)?;
		register(&mut module, &ADMISSIONS, Self::admissions)?;
		register(&mut module, &SUBJECTIVE_TRUST, Self::subjective_trust)?;
		register(&mut module, &PARTNERS, Self::partners)?;
		register(&mut module, &TOP_PEERS, Self::top_peers)?;
		register(&mut module, &PARAMETERS, Self::parameters)?;
		register(&mut module, &CHANNEL, Self::channel)?;
		register(&mut module, &PRICES, Self::prices)?;
		module.register_subscription(
			SUBSCRIBE_ADMISSIONS.method,
			ADMISSION_CHANGES,
			UNSUBSCRIBE_ADMISSIONS,
			|params, pending, repute, _| async move {
				let args = SUBSCRIBE_ADMISSIONS.parse(params.as_str());
				let parsed =
					args.and_then(|args| Ok((args.peers(0, MAX_BATCH)?, args.optional_peer(1)?)));
				match parsed {
					Ok((peers, viewer)) => repute.subscribe_admissions(pending, peers, viewer),
					Err(error) => pending.reject(ErrorObjectOwned::from(error)).await,
				}
			},
		)?;
		Ok(module)
	}

	/// The block to answer at: the `at` parameter (at `index`), which must be known, or the
	/// best block.
	fn block(&self, args: &Arguments, index: usize) -> Result<Block::Hash, Error> {
		Ok(self.header(args, index)?.hash())
	}

	/// The header of [`Self::block`].
	fn header(&self, args: &Arguments, index: usize) -> Result<Block::Header, Error> {
		let at: Option<Block::Hash> = args.optional(index, A_BLOCK_HASH)?;
		let hash = at.unwrap_or_else(|| self.client.info().best_hash);
		match self.client.header(hash) {
			Ok(Some(header)) => Ok(header),
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

	fn peer_report(&self, args: &Arguments) -> Result<Option<PeerReportJson>, Error> {
		let peer = args.peer(0)?;
		let at = self.block(args, 1)?;
		let report = self.runtime(at, |api, at| api.peer_report(at, peer.clone()))?;
		Ok(report.map(|report| self.peer_report_json(&peer, at, report)))
	}

	/// The JSON form of `peer`'s `report` at `at`, with its witnessed service where the runtime
	/// says it (`ReputationApi` version 3).
	fn peer_report_json(
		&self,
		peer: &AccountId32,
		at: Block::Hash,
		report: repute_runtime_api::PeerReport<u128, u32>,
	) -> PeerReportJson {
		let peers = core::slice::from_ref(peer);
		let witnessed = per_peer_since(&*self.client, at, peers, 3, |api| {
			api.witnessed_services(at, peers.to_vec())
		});
		PeerReportJson::new(peer, report).witnessed_service(witnessed[0])
	}

	fn peer_report_proof(&self, args: &Arguments) -> Result<PeerReportProof<Block::Hash>, Error> {
		let peer = args.peer(0)?;
		let at = self.block(args, 1)?;
		let report = self.runtime(at, |api, at| api.peer_report(at, peer.clone()))?;
		let keys = self.runtime(at, |api, at| api.peer_report_keys(at, peer.clone()))?;
		let proof = self
			.client
			.read_proof(at, &mut keys.iter().map(|key| key.as_slice()))
			.map_err(|e| Error::Proof(e.to_string()))?;
		Ok(PeerReportProof {
			at,
			report: report.map(|report| self.peer_report_json(&peer, at, report)),
			keys: keys.into_iter().map(Bytes).collect(),
			proof: proof.into_iter_nodes().map(Bytes).collect(),
		})
	}

	fn admission(&self, args: &Arguments) -> Result<AdmissionAnswer, Error> {
		let peer = args.peer(0)?;
		let viewer = args.optional_peer(1)?;
		let at = self.block(args, 2)?;
		let admission = self.runtime(at, |api, at| api.admission(at, peer.clone(), viewer))?;
		let age = registration_ages(&*self.client, at, core::slice::from_ref(&peer));
		Ok(AdmissionAnswer::new(&peer, admission).registered_for(age[0]))
	}

	fn admissions(&self, args: &Arguments) -> Result<Vec<AdmissionAnswer>, Error> {
		let peers = args.peers(0, MAX_BATCH)?;
		let viewer = args.optional_peer(1)?;
		let at = self.block(args, 2)?;
		let admissions = self.runtime(at, |api, at| api.admissions(at, peers.clone(), viewer))?;
		let ages = registration_ages(&*self.client, at, &peers);
		Ok(peers
			.iter()
			.zip(admissions)
			.zip(ages)
			.map(|((p, a), age)| AdmissionAnswer::new(p, a).registered_for(age))
			.collect())
	}

	fn subjective_trust(&self, args: &Arguments) -> Result<SubjectiveTrustJson, Error> {
		let viewer = args.peer(0)?;
		let target = args.peer(1)?;
		let at = self.block(args, 2)?;
		let trust =
			self.runtime(at, |api, at| api.subjective_trust(at, viewer.clone(), target.clone()))?;
		Ok(SubjectiveTrustJson::new(&viewer, &target, trust))
	}

	fn partners(&self, args: &Arguments) -> Result<Vec<PartnerJson>, Error> {
		let peer = args.peer(0)?;
		let direction: DirectionJson = args.required(1, "`served` or `servedBy`")?;
		let start = args.optional(2, A_WHOLE_NUMBER)?;
		let limit = args.optional(3, A_WHOLE_NUMBER)?;
		let (start, limit) = page(start, limit, MAX_START).map_err(|e| args.within(e))?;
		let at = self.block(args, 4)?;
		let partners = self.runtime(at, |api, at| {
			api.partners(at, peer.clone(), direction.into(), start, limit)
		})?;
		Ok(partners.into_iter().map(Into::into).collect())
	}

	fn top_peers(&self, args: &Arguments) -> Result<TopPeersJson, Error> {
		let start = args.optional(0, A_WHOLE_NUMBER)?;
		let limit = args.optional(1, A_WHOLE_NUMBER)?;
		let (start, limit) = page(start, limit, u32::MAX).map_err(|e| args.within(e))?;
		let at = self.block(args, 2)?;
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

	fn parameters(&self, args: &Arguments) -> Result<ParametersJson, Error> {
		let at = self.block(args, 0)?;
		let (receipts, reputation) =
			self.runtime(at, |api, at| ReputationApi::parameters(api, at))?;
		let payments = self.runtime(at, |api, at| PaymentsApi::parameters(api, at))?;
		Ok((receipts, reputation, payments).into())
	}

	fn channel(&self, args: &Arguments) -> Result<Option<ChannelJson>, Error> {
		let consumer = args.peer(0)?;
		let provider = args.peer(1)?;
		let service: u32 = args.required(2, "a service number from 0 to 4294967295")?;
		let at = self.block(args, 3)?;
		let channel = self.runtime(at, |api, at| api.channel(at, consumer, provider, service))?;
		Ok(channel.map(Into::into))
	}

	fn prices(&self, args: &Arguments) -> Result<PricesJson, Error> {
		let header = self.header(args, 0)?;
		let (at, number): (_, u32) = (header.hash(), (*header.number()).unique_saturated_into());
		let period = self.runtime(at, |api, at| PaymentsApi::parameters(api, at))?.price_period;
		let services = self.runtime(at, |api, at| api.prices(at))?;
		Ok(PricesJson {
			number,
			// The pallet refuses a zero period; `max(1)` keeps a broken state from dividing by 0.
			next_update: (number / period.max(1)).saturating_add(1).saturating_mul(period.max(1)),
			services: services.into_iter().map(Into::into).collect(),
		})
	}

	/// Accepts `pending` and streams the admissions of `peers` (seen by `viewer`) that change
	/// with each finalized block, on a task of its own, until the subscriber leaves. Each
	/// block's computation runs on a blocking thread ([`Computations`]).
	fn subscribe_admissions(
		&self,
		pending: PendingSubscriptionSink,
		peers: Vec<AccountId32>,
		viewer: Option<AccountId32>,
	) {
		let client = self.client.clone();
		let computations = self.computations.clone();
		let task = async move {
			let Ok(sink) = pending.accept().await else { return };
			let mut finalized = client.finality_notification_stream();
			let peers = Arc::new(peers);
			let mut last: Vec<Option<Admission>> = vec![None; peers.len()];
			let mut block = {
				let info = client.info();
				(info.finalized_hash, info.finalized_number.unique_saturated_into())
			};
			loop {
				let (hash, number): (Block::Hash, u32) = block;
				let step = {
					let (client, peers, viewer) = (client.clone(), peers.clone(), viewer.clone());
					move || admission_changes(&*client, hash, &peers, viewer, last)
				};
				let Some(Some((now, changes))) = computations.run(step).await else { break };
				last = now;
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
						// Behind (blocks finalized while it computed): on to the newest.
						let notification = newest(notification, &mut finalized);
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

/// The admissions of `peers` (seen by `viewer`) at block `at`, and the answers for those that
/// differ from `last`; `None` if the runtime call fails.
fn admission_changes<C, Block>(
	client: &C,
	at: Block::Hash,
	peers: &[AccountId32],
	viewer: Option<AccountId32>,
	mut last: Vec<Option<Admission>>,
) -> Option<(Vec<Option<Admission>>, Vec<AdmissionAnswer>)>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block>,
	C::Api: ReputationApi<Block, AccountId32, u128, u32>,
{
	let now = client.runtime_api().admissions(at, peers.to_vec(), viewer).ok()?;
	let changed: Vec<usize> = last
		.iter_mut()
		.zip(now)
		.enumerate()
		.filter_map(|(i, (last, now))| (last.replace(now) != Some(now)).then_some(i))
		.collect();
	// Most blocks change nothing for most subscribers: then no second runtime call.
	let ages = if changed.is_empty() {
		Vec::new()
	} else {
		let changed_peers: Vec<AccountId32> = changed.iter().map(|&i| peers[i].clone()).collect();
		registration_ages(client, at, &changed_peers)
	};
	let changes = changed
		.iter()
		.zip(ages)
		.filter_map(|(&i, age)| {
			let admission = last[i]?;
			Some(AdmissionAnswer::new(&peers[i], admission).registered_for(age))
		})
		.collect();
	Some((last, changes))
}

/// Where the methods and subscriptions compute: on the runtime's blocking threads, at most as
/// many at once as the machine has cores, first come first served. A runtime call takes
/// milliseconds; until 2026-12-03 every subscription made it on the node's async workers, so a
/// node serving a thousand subscriptions (a thousand subjective gates) spent seconds of every
/// block with those workers blocked, and its networking, block authoring and every other RPC
/// call waited. The methods ran on blocking threads without a bound until the same day: a flood
/// of calls ran as many runtime calls at once as it had callers, each beyond the node's pool of
/// wasm instances (8 by default) on an instance compiled for it (792 in the end-to-end flood
/// test).
#[derive(Clone)]
struct Computations {
	permits: Arc<tokio::sync::Semaphore>,
}

impl Computations {
	/// At most `at_once` computations at a time (at least one).
	fn new(at_once: usize) -> Self {
		Self { permits: Arc::new(tokio::sync::Semaphore::new(at_once.max(1))) }
	}

	/// As many at once as the machine has cores.
	fn per_core() -> Self {
		Self::new(std::thread::available_parallelism().map_or(1, |cores| cores.get()))
	}

	/// Runs `work` on a blocking thread once a permit is free; `None` if it panicked (or the
	/// runtime is shutting down).
	async fn run<R: Send + 'static>(&self, work: impl FnOnce() -> R + Send + 'static) -> Option<R> {
		let permit = self.permits.clone().acquire_owned().await.ok()?;
		tokio::task::spawn_blocking(move || {
			let _permit = permit;
			work()
		})
		.await
		.ok()
	}
}

/// `first`, or the last of the items `stream` already holds after it: a subscriber that fell
/// behind the chain answers for the newest finalized block, not for each block it missed in turn
/// (its answers are the changes since its last message, so a skipped block loses nothing).
/// Until 2026-12-03 a subscription computed every finalized block in order: one that took longer
/// than a block to compute fell further behind with every block, and its subscriber was told
/// of a denial minutes after the chain decided it.
fn newest<T>(first: T, stream: &mut (impl futures::Stream<Item = T> + Unpin)) -> T {
	let mut newest = first;
	while let Some(Some(next)) = stream.next().now_or_never() {
		newest = next;
	}
	newest
}

/// How long ago each of `peers` first registered, in blocks, at block `at`
/// (`ReputationApi::registration_ages`); `None` for each at a block whose runtime predates
/// version 2 of the API or when the call fails (the answer is then as before).
fn registration_ages<C, Block>(
	client: &C,
	at: Block::Hash,
	peers: &[AccountId32],
) -> Vec<Option<u32>>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block>,
	C::Api: ReputationApi<Block, AccountId32, u128, u32>,
{
	per_peer_since(client, at, peers, 2, |api| api.registration_ages(at, peers.to_vec()))
}

/// The answer of `call`, one per peer of `peers`, at a block whose runtime has `version` of
/// `ReputationApi` or a later one; `None` for each peer at an older runtime, when the call
/// fails, or when it answers for a different number of peers.
fn per_peer_since<C, Block, T: Clone>(
	client: &C,
	at: Block::Hash,
	peers: &[AccountId32],
	version: u32,
	call: impl FnOnce(&C::Api) -> Result<Vec<Option<T>>, sp_api::ApiError>,
) -> Vec<Option<T>>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block>,
	C::Api: ReputationApi<Block, AccountId32, u128, u32>,
{
	let api = client.runtime_api();
	let supported = api
		.api_version::<dyn ReputationApi<Block, AccountId32, u128, u32>>(at)
		.ok()
		.flatten()
		.is_some_and(|found| found >= version);
	let answers = supported.then(|| call(&api).ok()).flatten();
	match answers {
		Some(answers) if answers.len() == peers.len() => answers,
		_ => vec![None; peers.len()],
	}
}

/// Registers the method of `signature`, answered by `answer` on a blocking thread among the
/// [`Computations`]' bounded number.
fn register<C, Block, R>(
	module: &mut RpcModule<Repute<C, Block>>,
	signature: &'static Signature,
	answer: fn(&Repute<C, Block>, &Arguments) -> Result<R, Error>,
) -> Result<(), RegisterMethodError>
where
	Repute<C, Block>: Send + Sync + 'static,
	R: Serialize + Clone + Send + 'static,
{
	module.register_async_method(signature.method, move |params, repute, _| async move {
		let computations = repute.computations.clone();
		computations
			.run(move || {
				// Every `InvalidParams` is already prefixed with the method's name.
				signature.parse(params.as_str()).and_then(|args| answer(&repute, &args))
			})
			.await
			.unwrap_or_else(|| {
				Err(Error::Runtime(format!(
					"{}: the computation panicked or the node is stopping",
					signature.method
				)))
			})
	})?;
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_subscriber_behind_the_chain_skips_to_the_newest_block() {
		let (sender, mut blocks) = futures::channel::mpsc::unbounded();
		for number in 2..=5u32 {
			sender.unbounded_send(number).unwrap();
		}
		assert_eq!(newest(1, &mut blocks), 5, "the blocks already waiting are skipped");
		assert_eq!(newest(6, &mut blocks), 6, "nothing waiting: the block itself");
		sender.unbounded_send(7).unwrap();
		drop(sender);
		assert_eq!(newest(6, &mut blocks), 7, "a closed stream gives what it held");
		assert_eq!(newest(8, &mut blocks), 8);
	}

	/// A subscription's computation runs off the async worker that awaits it, and no more run
	/// at once than the permits allow, however many subscribers wait.
	#[test]
	fn computations_run_on_blocking_threads_a_bounded_number_at_once() {
		use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
		let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
		let worker = std::thread::current().id();
		let computations = Computations::new(2);
		let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
		let results = runtime.block_on(futures::future::join_all((0..8).map(|i| {
			let (running, most) = (running.clone(), most.clone());
			computations.run(move || {
				let now = running.fetch_add(1, SeqCst) + 1;
				most.fetch_max(now, SeqCst);
				std::thread::sleep(std::time::Duration::from_millis(20));
				running.fetch_sub(1, SeqCst);
				(i, std::thread::current().id())
			})
		})));
		assert_eq!(results.len(), 8);
		for (i, result) in results.into_iter().enumerate() {
			let (j, thread) = result.expect("it ran");
			assert_eq!(i, j);
			assert_ne!(thread, worker, "computed on the async worker");
		}
		assert!(most.load(SeqCst) <= 2, "{} at once", most.load(SeqCst));
		// A computation that panics is `None`; the next ones still run.
		assert_eq!(runtime.block_on(computations.run(|| -> u8 { panic!("runtime call") })), None);
		assert_eq!(runtime.block_on(computations.run(|| 7)), Some(7));
	}

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
