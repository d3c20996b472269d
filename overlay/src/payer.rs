//! [`Payer`]: a consumer's side of payment channels. When a provider refuses service because it
//! is not paid (the app learns this from its own protocol, with the provider's price), the app
//! calls [`Payer::asked`]; the payer opens a channel to that provider, or tops up the one it
//! has, from the consumer's balance, in the background, within the limits the user set
//! ([`PayerConfig`]): the most it pays a unit and the most it ever puts into escrow.
//!
//! What a consumer relies on: it pays only for what it countersigned, and it countersigns only
//! what it received (the receipt protocol), at the channel's price, never more than the escrow;
//! what is not paid returns when the channel is settled (docs/payments.md). [`Payer::close_all`]
//! starts closing every channel the payer opened or topped up; after the chain's challenge
//! period anyone may settle them (the provider at any time).

use crate::AccountId32;
use crate::{
	background::TaskGuard,
	chain::{calls::Call, ChainClient},
	error::ChainError,
	identity::Signer,
	store::PairKey,
};
use repute_primitives::{payments::Channel, ServiceId};
use std::{
	collections::{HashMap, HashSet},
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};
use tokio::sync::Notify;

/// What a consumer is willing to pay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayerConfig {
	/// The service paid for.
	pub service: ServiceId,
	/// The most it pays a unit: a provider asking more is not paid (and does not serve).
	pub max_price: u128,
	/// What a channel opens with, and what each top-up adds (at least the chain's
	/// `minimum_escrow` for an opening).
	pub escrow: u128,
	/// The most the payer ever moves into escrow, openings and top-ups together: what the user
	/// risks. A payment counts from when it is sent. One that fails counts until the chain shows
	/// it can never land: at once if the node refused its transaction, else once the finalized
	/// state past the last block that could include it shows no deposit (a [`Doubt`]). Whatever
	/// is not paid for service comes back when channels are settled.
	pub budget: u128,
	/// How long it waits for an opening or a top-up to be finalized (providers read finalized
	/// state) before it gives up on it.
	pub confirm_timeout: Duration,
	/// How long it leaves a provider alone after paying it, while the provider's book catches up
	/// with the payment (its refusals meanwhile are not new requests for payment).
	pub quiet_after_payment: Duration,
}

impl Default for PayerConfig {
	fn default() -> Self {
		Self {
			service: 0,
			max_price: 0,
			escrow: 0,
			budget: 0,
			confirm_timeout: Duration::from_secs(60),
			quiet_after_payment: Duration::from_secs(5),
		}
	}
}

/// What the payer does about a provider that asked to be paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
	/// Open a channel at this price with this escrow.
	Open {
		/// The price a unit.
		price: u128,
		/// The escrow.
		escrow: u128,
	},
	/// Add this much to the open channel.
	TopUp(u128),
	/// Nothing, for this reason.
	Decline(Declined),
}

/// Why the payer does not pay a provider that asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Declined {
	/// The provider asks more a unit than the user pays.
	TooExpensive,
	/// The channel was opened at a lower price than the provider asks now (a channel's price is
	/// fixed: it would have to be closed and settled first).
	ChannelPriceTooLow,
	/// The channel is closing: it takes no top-up until it is settled.
	ChannelClosing,
	/// Paying would take the payer past its budget.
	OverBudget,
	/// The last payment to this provider failed and may still land: no other until the chain
	/// says (a [`Doubt`]).
	PaymentInDoubt,
}

/// A payment that was sent but not seen finalized, whose transaction may still be included
/// until it dies: its amount stays committed until the finalized state says whether it landed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doubt {
	/// The provider paid.
	pub provider: AccountId32,
	/// What the channel held in all ([`deposited`]) before the payment; 0 for an opening.
	pub deposited_before: u128,
	/// The payment.
	pub amount: u128,
	/// A block after which no block can include the transaction: the best block before it was
	/// signed (its birth block is that or a later one) plus twice its mortality period.
	pub last_block: u32,
}

/// What a payment in [`Doubt`] is, seen in the finalized state at block `finalized` where the
/// consumer's channel to the provider is `channel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DoubtOutcome {
	/// It may still land.
	Pending,
	/// It landed (or cannot be told apart from one that did: the channel it topped up has been
	/// settled since, so its amount stays counted).
	Landed,
	/// It can no longer land and did not: its amount is free again.
	NeverLanded,
}

/// [`DoubtOutcome`] of `doubt`, from the finalized state at block `finalized`.
pub fn doubt_outcome(
	doubt: &Doubt,
	finalized: u32,
	channel: Option<&Channel<u128, u32>>,
) -> DoubtOutcome {
	let landed = match channel {
		Some(channel) => deposited(channel) >= doubt.deposited_before.saturating_add(doubt.amount),
		None => doubt.deposited_before > 0,
	};
	if landed {
		DoubtOutcome::Landed
	} else if finalized > doubt.last_block {
		DoubtOutcome::NeverLanded
	} else {
		DoubtOutcome::Pending
	}
}

/// What to do when `provider` asks `price` a unit, with `channel` the consumer's channel to it
/// and `committed` what the payer has moved into escrow so far.
pub fn plan(
	config: &PayerConfig,
	channel: Option<&Channel<u128, u32>>,
	price: u128,
	committed: u128,
) -> Plan {
	if price > config.max_price {
		return Plan::Decline(Declined::TooExpensive);
	}
	let within_budget =
		committed.checked_add(config.escrow).is_some_and(|after| after <= config.budget);
	match channel {
		Some(channel) if channel.closes_at.is_some() => Plan::Decline(Declined::ChannelClosing),
		Some(channel) if channel.price < price => Plan::Decline(Declined::ChannelPriceTooLow),
		_ if !within_budget => Plan::Decline(Declined::OverBudget),
		Some(_) => Plan::TopUp(config.escrow),
		None => Plan::Open { price, escrow: config.escrow },
	}
}

/// What the payer has done.
#[derive(Debug, Default)]
pub struct PayerStats {
	/// Channels opened.
	pub opened: AtomicU64,
	/// Top-ups made.
	pub topped_up: AtomicU64,
	/// Requests for payment declined (too expensive, over budget, a channel closing).
	pub declined: AtomicU64,
	/// Openings and top-ups that failed or were not finalized in time.
	pub failed: AtomicU64,
	/// Failed openings and top-ups found never to have landed, whose amount came back to the
	/// budget.
	pub returned: AtomicU64,
	/// Channels closed by [`Payer::close_all`].
	pub closed: AtomicU64,
}

struct Shared {
	chain: Arc<ChainClient>,
	signer: Signer,
	config: PayerConfig,
	/// Providers that asked to be paid since the task last looked, with the price they asked.
	asked: Mutex<HashMap<AccountId32, u128>>,
	wake: Notify,
	/// Providers paid recently, left alone until then.
	quiet_until: Mutex<HashMap<AccountId32, Instant>>,
	/// Providers whose channel the payer opened or topped up.
	channels: Mutex<HashSet<AccountId32>>,
	/// What the payer moved into escrow so far, payments in doubt included.
	committed: Mutex<u128>,
	/// Payments that failed but may still land.
	doubts: Mutex<Vec<Doubt>>,
	/// Serialises the payer's transactions (one nonce at a time).
	sending: tokio::sync::Mutex<()>,
	stats: PayerStats,
}

/// A consumer's payer. Clones share one budget and one background task, which stops when the
/// last clone is dropped.
#[derive(Clone)]
pub struct Payer {
	shared: Arc<Shared>,
	_task: Arc<TaskGuard>,
}

impl Payer {
	/// A payer for the consumer `signer` on `chain`, within `config`. Needs a tokio runtime.
	pub fn spawn(chain: Arc<ChainClient>, signer: Signer, config: PayerConfig) -> Self {
		let shared = Arc::new(Shared {
			chain,
			signer,
			config,
			asked: Mutex::new(HashMap::new()),
			wake: Notify::new(),
			quiet_until: Mutex::new(HashMap::new()),
			channels: Mutex::new(HashSet::new()),
			committed: Mutex::new(0),
			doubts: Mutex::new(Vec::new()),
			sending: tokio::sync::Mutex::new(()),
			stats: PayerStats::default(),
		});
		let task = tokio::spawn(pay_when_asked(shared.clone()));
		Self { shared, _task: Arc::new(TaskGuard(task)) }
	}

	/// `provider` refused service until it is paid `price` a unit; never waits. The payer opens
	/// or tops up a channel to it in the background, unless it paid it in the last
	/// `quiet_after_payment` or the limits say no.
	pub fn asked(&self, provider: &AccountId32, price: u128) {
		let now = Instant::now();
		let quiet = self.shared.quiet_until.lock().unwrap_or_else(|p| p.into_inner());
		if quiet.get(provider).is_some_and(|until| *until > now) {
			return;
		}
		drop(quiet);
		self.shared.asked.lock().unwrap_or_else(|p| p.into_inner()).insert(provider.clone(), price);
		self.shared.wake.notify_one();
	}

	/// What the payer has done.
	pub fn stats(&self) -> &PayerStats {
		&self.shared.stats
	}

	/// The providers whose channel the payer opened or topped up.
	pub fn providers(&self) -> Vec<AccountId32> {
		self.shared.channels.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect()
	}

	/// Whether the payer opened or topped up a channel to `provider`: service from it is paid
	/// for, not taken on admission credit.
	pub fn pays(&self, provider: &AccountId32) -> bool {
		self.shared.channels.lock().unwrap_or_else(|p| p.into_inner()).contains(provider)
	}

	/// What the payer has moved into escrow so far, payments in doubt included.
	pub fn committed(&self) -> u128 {
		*self.shared.committed.lock().unwrap_or_else(|p| p.into_inner())
	}

	/// The payments that failed but may still land (their amounts are in
	/// [`Payer::committed`] until the chain says).
	pub fn in_doubt(&self) -> Vec<Doubt> {
		self.shared.doubts.lock().unwrap_or_else(|p| p.into_inner()).clone()
	}

	/// Starts closing every channel this payer opened or topped up that is still open, waiting
	/// for each close to be in a block; returns how many it closed. The provider's receipts
	/// recorded before the challenge period ends are still paid; after it, anyone may settle.
	pub async fn close_all(&self) -> Result<usize, ChainError> {
		let shared = &self.shared;
		let providers: Vec<AccountId32> =
			shared.channels.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect();
		let me = shared.signer.account();
		let mut closed = 0;
		for provider in providers {
			let _sending = shared.sending.lock().await;
			let channel = shared.chain.channel(&me, &provider, shared.config.service).await?;
			if channel.is_some_and(|c| c.closes_at.is_none()) {
				let call = Call::close_channel(&provider, shared.config.service);
				shared
					.chain
					.submit_and_wait(&call, &shared.signer, shared.config.confirm_timeout)
					.await?;
				shared.stats.closed.fetch_add(1, Ordering::Relaxed);
				closed += 1;
			}
		}
		Ok(closed)
	}
}

/// The consumer's channel to `provider` in the newest finalized state.
async fn finalized_channel(
	shared: &Shared,
	provider: &AccountId32,
) -> Result<Option<Channel<u128, u32>>, ChainError> {
	let at = shared.chain.finalized_head().await?;
	let pair = PairKey {
		provider: provider.clone(),
		consumer: shared.signer.account(),
		service: shared.config.service,
	};
	Ok(shared.chain.channels_at(&[pair], &at).await?.pop().flatten())
}

/// Everything ever put into a channel: escrow and paid move into each other as receipts are
/// recorded, so only an opening or a top-up changes their sum.
fn deposited(channel: &Channel<u128, u32>) -> u128 {
	channel.escrow.saturating_add(channel.paid)
}

/// Pays `provider`, which asked `price` a unit, if the limits allow; returns once the payment
/// is finalized (or failed).
async fn pay(shared: &Shared, provider: &AccountId32, price: u128) -> Result<(), ChainError> {
	let _sending = shared.sending.lock().await;
	settle_doubts(shared).await?;
	let channel = finalized_channel(shared, provider).await?;
	let committed = *shared.committed.lock().unwrap_or_else(|p| p.into_inner());
	let in_doubt = shared
		.doubts
		.lock()
		.unwrap_or_else(|p| p.into_inner())
		.iter()
		.any(|doubt| doubt.provider == *provider);
	let planned = if in_doubt {
		Plan::Decline(Declined::PaymentInDoubt)
	} else {
		plan(&shared.config, channel.as_ref(), price, committed)
	};
	let (call, amount) = match planned {
		Plan::Decline(reason) => {
			tracing::info!(provider = %provider.to_ss58check(), price, ?reason, "not paying");
			shared.stats.declined.fetch_add(1, Ordering::Relaxed);
			return Ok(());
		}
		Plan::Open { price, escrow } => {
			(Call::open_channel(provider, shared.config.service, price, escrow), escrow)
		}
		Plan::TopUp(amount) => (Call::top_up(provider, shared.config.service, amount), amount),
	};
	let before = channel.as_ref().map_or(0, deposited);
	// The birth block of the transaction is this block or a later one: a bound on its death.
	let best = shared.chain.best_number().await?;
	let last_block = u32::try_from(shared.chain.mortality_period().saturating_mul(2))
		.map_or(u32::MAX, |twice| best.saturating_add(twice));
	*shared.committed.lock().unwrap_or_else(|p| p.into_inner()) = committed.saturating_add(amount);
	shared.channels.lock().unwrap_or_else(|p| p.into_inner()).insert(provider.clone());
	match send_and_confirm(shared, provider, &call, before.saturating_add(amount)).await {
		Ok(()) => {}
		Err(Unconfirmed::Refused(error)) => {
			give_back(shared, amount);
			return Err(error);
		}
		Err(Unconfirmed::InDoubt(error)) => {
			let doubt =
				Doubt { provider: provider.clone(), deposited_before: before, amount, last_block };
			shared.doubts.lock().unwrap_or_else(|p| p.into_inner()).push(doubt);
			return Err(error);
		}
	}
	let counter = match channel {
		None => &shared.stats.opened,
		Some(_) => &shared.stats.topped_up,
	};
	counter.fetch_add(1, Ordering::Relaxed);
	tracing::info!(provider = %provider.to_ss58check(), amount, "paid into a channel");
	Ok(())
}

/// Why a payment that was sent is not confirmed.
enum Unconfirmed {
	/// The node answered with an error before the transaction was in its pool (it refused it,
	/// or a query failed before it was signed): it can never land.
	Refused(ChainError),
	/// It may still land (no answer, or not finalized in time).
	InDoubt(ChainError),
}

/// Sends `call` and waits until the finalized state shows the consumer's channel to `provider`
/// holding `deposited_after` in all (what providers read).
async fn send_and_confirm(
	shared: &Shared,
	provider: &AccountId32,
	call: &Call,
	deposited_after: u128,
) -> Result<(), Unconfirmed> {
	let timeout = shared.config.confirm_timeout;
	match shared.chain.submit_and_wait(call, &shared.signer, timeout).await {
		Ok(_) => {}
		Err(error @ (ChainError::Rpc { .. } | ChainError::IncompatibleRuntime { .. })) => {
			return Err(Unconfirmed::Refused(error))
		}
		Err(error) => return Err(Unconfirmed::InDoubt(error)),
	}
	// Included is not yet what the provider sees: wait for the finalized state to show it.
	let deadline = Instant::now() + timeout;
	loop {
		let now = finalized_channel(shared, provider).await.map_err(Unconfirmed::InDoubt)?;
		if now.as_ref().is_some_and(|c| deposited(c) >= deposited_after) {
			return Ok(());
		}
		if Instant::now() >= deadline {
			return Err(Unconfirmed::InDoubt(ChainError::Transaction(format!(
				"the payment to {} was not finalized in {timeout:?} (is the balance enough?)",
				provider.to_ss58check(),
			))));
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// Takes a payment that can never land back out of what is committed.
fn give_back(shared: &Shared, amount: u128) {
	let mut committed = shared.committed.lock().unwrap_or_else(|p| p.into_inner());
	*committed = committed.saturating_sub(amount);
	shared.stats.returned.fetch_add(1, Ordering::Relaxed);
}

/// Looks up every payment in doubt in the finalized state: gives back those that can no longer
/// land and did not, forgets those that landed, keeps the rest.
async fn settle_doubts(shared: &Shared) -> Result<(), ChainError> {
	let doubts = shared.doubts.lock().unwrap_or_else(|p| p.into_inner()).clone();
	if doubts.is_empty() {
		return Ok(());
	}
	let at = shared.chain.finalized_head().await?;
	let finalized = shared.chain.block_number(&at).await?;
	let pairs: Vec<PairKey> = doubts
		.iter()
		.map(|doubt| PairKey {
			provider: doubt.provider.clone(),
			consumer: shared.signer.account(),
			service: shared.config.service,
		})
		.collect();
	let channels = shared.chain.channels_at(&pairs, &at).await?;
	let mut settled = Vec::new();
	for (doubt, channel) in doubts.iter().zip(&channels) {
		match doubt_outcome(doubt, finalized, channel.as_ref()) {
			DoubtOutcome::Pending => continue,
			DoubtOutcome::Landed => {}
			DoubtOutcome::NeverLanded => give_back(shared, doubt.amount),
		}
		settled.push(doubt.clone());
	}
	shared.doubts.lock().unwrap_or_else(|p| p.into_inner()).retain(|d| !settled.contains(d));
	Ok(())
}

/// The background task: pays the providers that asked, one at a time.
async fn pay_when_asked(shared: Arc<Shared>) {
	loop {
		let asked: Vec<(AccountId32, u128)> =
			shared.asked.lock().unwrap_or_else(|p| p.into_inner()).drain().collect();
		if asked.is_empty() {
			shared.wake.notified().await;
			continue;
		}
		for (provider, price) in asked {
			if let Err(error) = pay(&shared, &provider, price).await {
				tracing::warn!(provider = %provider.to_ss58check(), %error, "payment failed");
				shared.stats.failed.fetch_add(1, Ordering::Relaxed);
			}
			// Whatever happened, the provider's next refusals within the quiet time are not
			// new requests: its book needs that long to see a payment. Nor are the refusals
			// that came while paying (they would pay it a second time).
			shared
				.quiet_until
				.lock()
				.unwrap_or_else(|p| p.into_inner())
				.insert(provider.clone(), Instant::now() + shared.config.quiet_after_payment);
			shared.asked.lock().unwrap_or_else(|p| p.into_inner()).remove(&provider);
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const CONFIG: PayerConfig = PayerConfig {
		service: 0,
		max_price: 10,
		escrow: 1_000,
		budget: 2_500,
		confirm_timeout: Duration::from_secs(1),
		quiet_after_payment: Duration::from_secs(1),
	};

	fn channel(price: u128) -> Channel<u128, u32> {
		Channel::open(price, 1_000, 1)
	}

	#[test]
	fn a_provider_without_a_channel_gets_one_at_its_price() {
		assert_eq!(plan(&CONFIG, None, 7, 0), Plan::Open { price: 7, escrow: 1_000 });
	}

	#[test]
	fn an_open_channel_at_the_price_is_topped_up() {
		assert_eq!(plan(&CONFIG, Some(&channel(7)), 7, 1_000), Plan::TopUp(1_000));
		assert_eq!(plan(&CONFIG, Some(&channel(9)), 7, 1_000), Plan::TopUp(1_000));
	}

	#[test]
	fn the_limits_say_no() {
		assert_eq!(plan(&CONFIG, None, 11, 0), Plan::Decline(Declined::TooExpensive));
		assert_eq!(
			plan(&CONFIG, Some(&channel(5)), 7, 0),
			Plan::Decline(Declined::ChannelPriceTooLow)
		);
		let mut closing = channel(7);
		closing.closes_at = Some(9);
		assert_eq!(plan(&CONFIG, Some(&closing), 7, 0), Plan::Decline(Declined::ChannelClosing));
		// 2,000 committed: one more 1,000 would pass the budget of 2,500.
		assert_eq!(plan(&CONFIG, None, 7, 2_000), Plan::Decline(Declined::OverBudget));
		assert_eq!(plan(&CONFIG, Some(&channel(7)), 7, 2_000), Plan::Decline(Declined::OverBudget));
		assert_eq!(plan(&CONFIG, None, 7, u128::MAX), Plan::Decline(Declined::OverBudget));
	}

	/// Whatever providers ask, the payer never commits past its budget: the budget is checked
	/// against what was committed, before anything is sent.
	#[test]
	fn no_sequence_of_requests_passes_the_budget() {
		let mut committed = 0u128;
		for (price, has_channel) in [(7, false), (7, true), (3, false), (7, true), (1, false)] {
			let open = has_channel.then(|| channel(7));
			match plan(&CONFIG, open.as_ref(), price, committed) {
				Plan::Open { escrow, .. } => committed += escrow,
				Plan::TopUp(amount) => committed += amount,
				Plan::Decline(_) => {}
			}
			assert!(committed <= CONFIG.budget, "{committed}");
		}
		assert_eq!(committed, 2_000);
	}

	fn doubt(deposited_before: u128) -> Doubt {
		Doubt {
			provider: AccountId32::new([2; 32]),
			deposited_before,
			amount: 1_000,
			last_block: 100,
		}
	}

	/// A payment in doubt is given back only once no block can include it and the channel does
	/// not hold it; while it may still land, or once it did, it stays counted.
	#[test]
	fn a_payment_in_doubt_comes_back_only_when_it_cannot_land() {
		let opening = doubt(0);
		assert_eq!(doubt_outcome(&opening, 50, None), DoubtOutcome::Pending);
		assert_eq!(doubt_outcome(&opening, 100, None), DoubtOutcome::Pending);
		assert_eq!(doubt_outcome(&opening, 101, None), DoubtOutcome::NeverLanded);
		assert_eq!(doubt_outcome(&opening, 50, Some(&channel(7))), DoubtOutcome::Landed);
		assert_eq!(doubt_outcome(&opening, 500, Some(&channel(7))), DoubtOutcome::Landed);

		// A top-up of a channel that held 1,000: landed once it holds 2,000.
		let top_up = doubt(1_000);
		let mut topped = channel(7);
		assert_eq!(doubt_outcome(&top_up, 50, Some(&topped)), DoubtOutcome::Pending);
		assert_eq!(doubt_outcome(&top_up, 101, Some(&topped)), DoubtOutcome::NeverLanded);
		// What the provider was paid since still counts as deposited.
		topped.escrow = 600;
		topped.paid = 1_400;
		assert_eq!(doubt_outcome(&top_up, 101, Some(&topped)), DoubtOutcome::Landed);
		// The channel settled since: the top-up may have landed, so it stays counted.
		assert_eq!(doubt_outcome(&top_up, 101, None), DoubtOutcome::Landed);
	}

	/// A payment that failed to confirm stays committed while it may still land, so failures
	/// never let the payer pass its budget: with every payment in doubt, never more than the
	/// budget is committed, and a provider in doubt is not paid again.
	#[test]
	fn doubts_keep_the_budget() {
		let mut committed = 0u128;
		let mut doubts: Vec<Doubt> = Vec::new();
		for provider in 0..10u8 {
			let planned = plan(&CONFIG, None, 7, committed);
			if let Plan::Open { escrow, .. } = planned {
				committed += escrow;
				doubts.push(Doubt {
					provider: AccountId32::new([provider; 32]),
					deposited_before: 0,
					amount: escrow,
					last_block: 100,
				});
			}
			assert!(committed <= CONFIG.budget);
		}
		assert_eq!(doubts.len(), 2);
		// After their death, neither landed: both come back and the budget is whole again.
		for doubt in &doubts {
			if doubt_outcome(doubt, 101, None) == DoubtOutcome::NeverLanded {
				committed -= doubt.amount;
			}
		}
		assert_eq!(committed, 0);
	}

	#[tokio::test]
	async fn asking_never_waits_even_when_the_node_is_down() {
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let chain = Arc::new(ChainClient::new(format!("ws://127.0.0.1:{port}")));
		let payer = Payer::spawn(chain, crate::Identity::generate().signer(), CONFIG);
		let provider = AccountId32::new([2; 32]);
		for _ in 0..1_000 {
			payer.asked(&provider, 7);
		}
		// The attempt fails (no node) and counts as failed; nothing was paid.
		tokio::time::sleep(Duration::from_millis(500)).await;
		assert!(payer.stats().failed.load(Ordering::Relaxed) >= 1);
		assert_eq!(payer.stats().opened.load(Ordering::Relaxed), 0);
		assert_eq!(payer.committed(), 0);
	}
}
