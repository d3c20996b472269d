//! [`Submitter`]: takes co-signed receipts from the [`ReceiptStore`] to the chain.
//!
//! Every [`SubmitterConfig::interval`] it reads the store's unrecorded receipts, asks the chain
//! which of them it already recorded (one storage query per 256 pairs) and marks those done,
//! then submits the rest in batches of at most [`SubmitterConfig::max_batch`] from the peer's
//! account. Because receipts are cumulative, each pair contributes only its newest receipt, and
//! a receipt the chain already holds is never sent again: a batch is only ever refused as a
//! whole if every receipt in it was recorded in the moments between the check and inclusion.
//!
//! The provider of a receipt submits it (it earns the reputation); the consumer's copy is a
//! backup, submitted only if it is still unrecorded after [`SubmitterConfig::backup_delay`].
//! A sent batch that does not show up on chain within [`SubmitterConfig::resubmit_after`] is
//! sent again. When the node is down or slow, rounds back off exponentially up to
//! [`SubmitterConfig::max_backoff`]; the receipts wait in the store, which survives restarts.

use crate::AccountId32;
use crate::{
	chain::{calls::Call, ChainClient},
	error::ChainError,
	identity::Signer,
	store::{PairKey, ReceiptStore},
};
use repute_rpc_api::json::Decision;
use std::{
	collections::{HashMap, HashSet},
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};
use tokio::{sync::Notify, task::JoinHandle};

/// The most receipts one `submit_receipts` call may carry (the runtime's `MaxReceiptsPerBatch`).
pub const MAX_BATCH: usize = 512;

/// How the submitter paces itself.
#[derive(Clone, Debug)]
pub struct SubmitterConfig {
	/// Time between rounds.
	pub interval: Duration,
	/// The most receipts in one transaction (at most [`MAX_BATCH`], what the runtime accepts).
	/// A block admits a batch only if its worst case still fits, so the larger the batches,
	/// the more room a full block leaves unused: 128 fit 2,688 receipts in a block where 256
	/// fit 2,304 (docs/performance.md).
	pub max_batch: usize,
	/// How long a consumer's copy waits for the provider to submit before submitting it itself.
	pub backup_delay: Duration,
	/// How long a sent receipt may stay off chain before it is sent again.
	pub resubmit_after: Duration,
	/// The longest pause after failures.
	pub max_backoff: Duration,
	/// After this many sends without being recorded, a receipt is left alone (and logged): the
	/// chain rejects it for a reason retrying cannot change.
	pub max_attempts: u32,
}

impl Default for SubmitterConfig {
	fn default() -> Self {
		Self {
			interval: Duration::from_secs(3),
			max_batch: 128,
			backup_delay: Duration::from_secs(60),
			resubmit_after: Duration::from_secs(30),
			max_backoff: Duration::from_secs(60),
			max_attempts: 5,
		}
	}
}

/// Counters of what the submitter did, readable while it runs.
#[derive(Debug, Default)]
pub struct SubmitterStats {
	/// Receipts the chain has recorded (as seen by the submitter).
	pub recorded: AtomicU64,
	/// Receipts sent in transactions (a resend counts again).
	pub sent: AtomicU64,
	/// Transactions accepted by the node's pool.
	pub transactions: AtomicU64,
	/// Rounds that failed (node down, refusals).
	pub failed_rounds: AtomicU64,
}

/// The running submitter; stops when dropped.
pub struct Submitter {
	stats: Arc<SubmitterStats>,
	wake: Arc<Notify>,
	task: JoinHandle<()>,
}

impl Drop for Submitter {
	fn drop(&mut self) {
		self.task.abort();
	}
}

impl Submitter {
	/// Starts submitting `store`'s receipts to `chain`, paying with `signer` (the peer's own
	/// account). Needs a tokio runtime.
	pub fn spawn(
		store: Arc<ReceiptStore>,
		chain: Arc<ChainClient>,
		signer: Signer,
		config: SubmitterConfig,
	) -> Self {
		let stats = Arc::new(SubmitterStats::default());
		let wake = Arc::new(Notify::new());
		let mut state = State {
			store,
			chain,
			signer,
			config,
			stats: stats.clone(),
			first_seen: HashMap::new(),
			sent: HashMap::new(),
		};
		let task_wake = wake.clone();
		let task = tokio::spawn(async move {
			let mut backoff = state.config.interval;
			loop {
				tokio::select! {
					_ = tokio::time::sleep(backoff) => {}
					_ = task_wake.notified() => {}
				}
				match state.round().await {
					Ok(()) => backoff = state.config.interval,
					Err(error) => {
						state.stats.failed_rounds.fetch_add(1, Ordering::Relaxed);
						backoff = (backoff * 2).min(state.config.max_backoff);
						tracing::warn!(%error, retry_in = ?backoff, "receipt submission failed");
					}
				}
			}
		});
		Self { stats, wake, task }
	}

	/// Runs a round now instead of at the next interval.
	pub fn nudge(&self) {
		self.wake.notify_one();
	}

	/// What the submitter did so far.
	pub fn stats(&self) -> &SubmitterStats {
		&self.stats
	}
}

struct State {
	store: Arc<ReceiptStore>,
	chain: Arc<ChainClient>,
	signer: Signer,
	config: SubmitterConfig,
	stats: Arc<SubmitterStats>,
	/// When each consumer copy was first seen unrecorded.
	first_seen: HashMap<PairKey, Instant>,
	/// When each receipt (pair, sequence) was last sent, and how often.
	sent: HashMap<PairKey, (u64, Instant, u32)>,
}

/// Pool answers that mean "already on its way", not failure.
fn already_pending(error: &ChainError) -> bool {
	let ChainError::Rpc { reason, .. } = error else { return false };
	["already imported", "Priority is too low", "outdated", "Transaction Already Imported"]
		.iter()
		.any(|text| reason.contains(text))
}

impl State {
	/// The consumers of this peer's own recorded pairs (it is their provider) that the chain
	/// still serves (admitted or on probation) at block `at`.
	async fn served_consumers_admitted(
		&self,
		keys: &[PairKey],
		recorded: &[Option<(u64, u128)>],
		me: &AccountId32,
		at: &str,
	) -> Result<HashSet<AccountId32>, ChainError> {
		let consumers: Vec<AccountId32> = keys
			.iter()
			.zip(recorded)
			.filter(|(key, on_chain)| key.provider == *me && on_chain.is_some())
			.map(|(key, _)| key.consumer.clone())
			.collect::<HashSet<_>>()
			.into_iter()
			.collect();
		if consumers.is_empty() {
			return Ok(HashSet::new());
		}
		let answers = self.chain.admissions_at(&consumers, at).await?;
		Ok(consumers
			.into_iter()
			.zip(answers)
			.filter(|(_, answer)| answer.decision != Decision::Denied)
			.map(|(consumer, _)| consumer)
			.collect())
	}

	async fn round(&mut self) -> Result<(), ChainError> {
		let me = self.signer.account();
		let now = Instant::now();
		let candidates: Vec<_> = self
			.store
			.unrecorded()
			.into_iter()
			.filter(|signed| {
				let key = PairKey::of(signed);
				signed.receipt.provider == me
					|| now.duration_since(*self.first_seen.entry(key).or_insert(now))
						>= self.config.backup_delay
			})
			.collect();
		if candidates.is_empty() {
			return Ok(());
		}
		let keys: Vec<PairKey> = candidates.iter().map(PairKey::of).collect();
		// Everything read at one finalized block, the one the chain's admission decisions
		// (and so the admission gate's) follow.
		let at = self.chain.finalized_head().await?;
		let recorded = self.chain.recorded_at(&keys, &at).await?;
		let served_consumers = self.served_consumers_admitted(&keys, &recorded, &me, &at).await?;
		let mut due = Vec::new();
		for ((signed, key), on_chain) in candidates.into_iter().zip(keys).zip(recorded) {
			let sequence = signed.receipt.sequence;
			// Service the chain counted to a consumer it still serves at that block opens this
			// peer's stranger window again; counted service to a consumer it denies there does
			// not, whatever the admission gate has heard yet (docs/overlay.md).
			if let Some((_, units)) = on_chain {
				if served_consumers.contains(&key.consumer) {
					self.store.note_confirmed(&key, units);
				}
			}
			if let Some((chain_sequence, _)) = on_chain.filter(|(s, _)| *s >= sequence) {
				if let Err(error) = self.store.mark_recorded(&key, chain_sequence) {
					tracing::error!(%error, "cannot mark a receipt recorded; will check it again");
				}
				self.stats.recorded.fetch_add(1, Ordering::Relaxed);
				self.sent.remove(&key);
				self.first_seen.remove(&key);
				continue;
			}
			match self.sent.get(&key) {
				Some((s, _, attempts))
					if *s == sequence && *attempts >= self.config.max_attempts =>
				{
					continue
				}
				Some((s, at, _))
					if *s == sequence && now.duration_since(*at) < self.config.resubmit_after =>
				{
					continue
				}
				_ => due.push((key, signed)),
			}
		}
		if due.is_empty() {
			return Ok(());
		}
		let info = self.chain.chain_info().await?;
		let mut nonce = self.chain.next_nonce(&me).await?;
		for batch in due.chunks(self.config.max_batch.clamp(1, MAX_BATCH)) {
			let receipts: Vec<_> = batch.iter().map(|(_, signed)| signed.clone()).collect();
			let call = Call::submit_receipts(&receipts);
			match self.chain.submit_with(&call, &self.signer, nonce, &info).await {
				Ok(hash) => {
					tracing::debug!(receipts = receipts.len(), %hash, "submitted receipts");
					self.stats.transactions.fetch_add(1, Ordering::Relaxed);
					self.stats.sent.fetch_add(receipts.len() as u64, Ordering::Relaxed);
					nonce = nonce.saturating_add(1);
				}
				Err(error) if already_pending(&error) => nonce = nonce.saturating_add(1),
				Err(error) => return Err(error),
			}
			for (key, signed) in batch {
				let attempts = match self.sent.get(key) {
					Some((s, _, n)) if *s == signed.receipt.sequence => n + 1,
					_ => 1,
				};
				if attempts == self.config.max_attempts {
					tracing::error!(
						provider = %key.provider,
						consumer = %key.consumer,
						sequence = signed.receipt.sequence,
						"the chain has not recorded this receipt after {attempts} sends; giving up on it"
					);
				}
				self.sent.insert(key.clone(), (signed.receipt.sequence, now, attempts));
			}
		}
		Ok(())
	}
}
