//! [`ChannelBook`]: "does this consumer's payment channel pay for what I am about to serve?",
//! answered from memory.
//!
//! A provider that serves for payment (docs/payments.md) keeps, for each consumer it was asked
//! about, what the consumer's channel to it pays through: the pair's cumulative units up to which
//! every unit is paid once recorded ([`Channel::pays_through`]). A recorded receipt does not move
//! that figure, only a top-up raises it, so the provider may read it from any recent finalized
//! state, and serve while its own served count (the units its next receipt will carry) stays at
//! or below it. [`ChannelBook::cover`] only reads the book: it never waits on the network, so it
//! can sit on the serving path. A consumer the book has not seen yet is [`Cover::Unknown`] until
//! a background task has read its channel (at once, then every [`ChannelBookConfig::refresh`]).
//!
//! What a provider relies on, and what it must do for it:
//! - **Paid for every unit it serves within the cover**, as long as it submits the receipts of
//!   that service before the channel's `closes_at` (its [`crate::Submitter`] does within seconds;
//!   the chain's challenge period is 12 hours by default).
//! - The book fails closed: a consumer whose channel is closing is [`Cover::Closing`] (serve no
//!   more), and when the node has not answered for [`ChannelBookConfig::max_staleness`] every
//!   consumer is [`Cover::Unknown`]. A close can go unseen for at most that long, so that bound
//!   must stay below the chain's challenge period (60 s against 12 h by default).
//! - What a consumer leaves unreceipted is bounded by the receipt protocol, as for any service
//!   ([`crate::ReceiptPolicy::max_unreceipted`]): a consumer that stops countersigning costs a
//!   provider at most that much unpaid service.

use crate::AccountId32;
use crate::{
	background::{Freshness, TaskGuard},
	chain::ChainClient,
	error::ChainError,
	store::PairKey,
};
use repute_primitives::{payments::Channel, ServiceId};
use std::{
	collections::{HashMap, HashSet, VecDeque},
	sync::{Arc, Mutex, RwLock},
	time::Duration,
};
use tokio::sync::Notify;

/// What a provider's book says of a consumer's payment channel to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cover {
	/// Not read yet, or the book has not heard from the node for too long: serve nothing on it.
	Unknown,
	/// The consumer has no channel to this provider for this service.
	Unpaid,
	/// The consumer asked to close its channel: what is served from now on may not be paid.
	Closing,
	/// An open channel.
	Open {
		/// What it pays a unit.
		price: u128,
		/// The pair's cumulative units through which it pays.
		pays_through: u128,
	},
}

impl Cover {
	/// The cover of `channel`, read in a state in which the chain had recorded `recorded_units`
	/// of the pair.
	pub fn of(channel: Option<&Channel<u128, u32>>, recorded_units: u128) -> Self {
		match channel {
			None => Self::Unpaid,
			Some(channel) if channel.closes_at.is_some() => Self::Closing,
			Some(channel) => match channel.pays_through(recorded_units) {
				Some(pays_through) => Self::Open { price: channel.price, pays_through },
				None => Self::Unpaid,
			},
		}
	}

	/// Whether serving `units` more, after `served` units of the pair (the cumulative units the
	/// provider's next receipt carries, counting what is on its way), is paid at `price` a unit
	/// or more.
	pub fn pays_for(&self, price: u128, served: u128, units: u128) -> bool {
		match self {
			Self::Open { price: paid, pays_through } => {
				*paid >= price
					&& served.checked_add(units).is_some_and(|after| after <= *pays_through)
			}
			Self::Unknown | Self::Unpaid | Self::Closing => false,
		}
	}
}

/// The book's bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelBookConfig {
	/// How often every watched consumer's channel is read again (a top-up is seen within this,
	/// after the block that made it is finalized).
	pub refresh: Duration,
	/// How long the book's answers are used after the node last answered a refresh.
	pub max_staleness: Duration,
	/// The most consumers the book watches; past that it forgets those asked about longest ago.
	pub max_consumers: usize,
}

impl Default for ChannelBookConfig {
	fn default() -> Self {
		Self {
			refresh: Duration::from_secs(3),
			max_staleness: Duration::from_secs(60),
			max_consumers: 10_000,
		}
	}
}

struct Shared {
	provider: AccountId32,
	service: ServiceId,
	config: ChannelBookConfig,
	covers: RwLock<HashMap<AccountId32, Cover>>,
	wanted: Mutex<Vec<AccountId32>>,
	wake: Notify,
	freshness: Freshness,
}

impl Shared {
	fn pair(&self, consumer: &AccountId32) -> PairKey {
		PairKey {
			provider: self.provider.clone(),
			consumer: consumer.clone(),
			service: self.service,
		}
	}
}

/// A provider's book of its consumers' payment channels for one service. Clones share one book
/// and one background task, which stops when the last clone is dropped.
#[derive(Clone)]
pub struct ChannelBook {
	shared: Arc<Shared>,
	_task: Arc<TaskGuard>,
}

impl ChannelBook {
	/// The book of `provider`'s channels for `service`, read from `chain`, with the default
	/// bounds. Needs a tokio runtime.
	pub fn spawn(chain: Arc<ChainClient>, provider: &AccountId32, service: ServiceId) -> Self {
		Self::spawn_with(chain, provider, service, ChannelBookConfig::default())
	}

	/// A book as [`Self::spawn`], with the bounds of `config`.
	pub fn spawn_with(
		chain: Arc<ChainClient>,
		provider: &AccountId32,
		service: ServiceId,
		config: ChannelBookConfig,
	) -> Self {
		let shared = Arc::new(Shared {
			provider: provider.clone(),
			service,
			config,
			covers: RwLock::new(HashMap::new()),
			wanted: Mutex::new(Vec::new()),
			wake: Notify::new(),
			freshness: Freshness::new(config.max_staleness),
		});
		let task = tokio::spawn(keep_fresh(shared.clone(), chain));
		Self { shared, _task: Arc::new(TaskGuard(task)) }
	}

	/// What `consumer`'s channel covers, from the book; never waits. A consumer not in the book
	/// is read in the background and is [`Cover::Unknown`] until then; while the node has not
	/// answered for longer than `max_staleness`, every consumer is.
	pub fn cover(&self, consumer: &AccountId32) -> Cover {
		let known =
			self.shared.covers.read().unwrap_or_else(|p| p.into_inner()).get(consumer).copied();
		match known {
			Some(cover) if self.shared.freshness.is_fresh() => cover,
			Some(_) => Cover::Unknown,
			None => {
				self.shared.wanted.lock().unwrap_or_else(|p| p.into_inner()).push(consumer.clone());
				self.shared.wake.notify_one();
				Cover::Unknown
			}
		}
	}

	/// How many consumers the book holds.
	pub fn known(&self) -> usize {
		self.shared.covers.read().unwrap_or_else(|p| p.into_inner()).len()
	}
}

/// The first wait before trying the node again after a failed read.
const FIRST_RETRY: Duration = Duration::from_millis(250);

/// Reads the channels of `consumers` and the pair's recorded units in one finalized state.
async fn read_covers(
	chain: &ChainClient,
	shared: &Shared,
	consumers: &[AccountId32],
) -> Result<(), ChainError> {
	let at = chain.finalized_head().await?;
	let pairs: Vec<PairKey> = consumers.iter().map(|c| shared.pair(c)).collect();
	let channels = chain.channels_at(&pairs, &at).await?;
	let recorded = chain.recorded_at(&pairs, &at).await?;
	let mut covers = shared.covers.write().unwrap_or_else(|p| p.into_inner());
	for ((consumer, channel), recorded) in consumers.iter().zip(&channels).zip(&recorded) {
		let recorded_units = recorded.map_or(0, |(_, units)| units);
		covers.insert(consumer.clone(), Cover::of(channel.as_ref(), recorded_units));
	}
	Ok(())
}

/// The background task: reads new consumers at once and every watched one each `refresh`.
async fn keep_fresh(shared: Arc<Shared>, chain: Arc<ChainClient>) {
	let mut watched: VecDeque<AccountId32> = VecDeque::new();
	let mut watched_set: HashSet<AccountId32> = HashSet::new();
	let mut next_refresh = tokio::time::Instant::now();
	let mut retry = FIRST_RETRY;
	loop {
		let fresh: Vec<AccountId32> = {
			let mut wanted = shared.wanted.lock().unwrap_or_else(|p| p.into_inner());
			wanted.drain(..).filter(|c| watched_set.insert(c.clone())).collect()
		};
		watched.extend(fresh.iter().cloned());
		while watched.len() > shared.config.max_consumers {
			if let Some(old) = watched.pop_front() {
				watched_set.remove(&old);
				shared.covers.write().unwrap_or_else(|p| p.into_inner()).remove(&old);
			}
		}
		let full = tokio::time::Instant::now() >= next_refresh;
		let targets: Vec<AccountId32> =
			if full { watched.iter().cloned().collect() } else { fresh };
		if !targets.is_empty() {
			match read_covers(&chain, &shared, &targets).await {
				Ok(()) => {
					retry = FIRST_RETRY;
					if full {
						shared.freshness.alive();
						next_refresh = tokio::time::Instant::now() + shared.config.refresh;
					}
				}
				Err(error) => {
					tracing::warn!(%error, "cannot read payment channels; retrying");
					next_refresh = tokio::time::Instant::now() + retry;
					retry = (retry * 2).min(shared.config.refresh);
				}
			}
		} else if full {
			next_refresh = tokio::time::Instant::now() + shared.config.refresh;
		}
		tokio::select! {
			_ = shared.wake.notified() => {
				// Gather the burst of lookups that usually follows the first.
				tokio::time::sleep(Duration::from_millis(20)).await;
			}
			_ = tokio::time::sleep_until(next_refresh) => {}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn channel(price: u128, escrow: u128) -> Channel<u128, u32> {
		Channel::open(price, escrow, 1)
	}

	#[test]
	fn a_cover_pays_at_its_price_up_to_what_the_escrow_covers() {
		// 1,000 units recorded; 500 of escrow at 5 a unit covers 100 more.
		let cover = Cover::of(Some(&channel(5, 500)), 1_000);
		assert_eq!(cover, Cover::Open { price: 5, pays_through: 1_100 });
		assert!(cover.pays_for(5, 1_050, 50));
		assert!(!cover.pays_for(5, 1_051, 50), "one unit beyond the escrow");
		assert!(cover.pays_for(4, 1_000, 10), "a channel above the asked price pays");
		assert!(!cover.pays_for(6, 1_000, 10), "a channel below the asked price does not");
	}

	#[test]
	fn no_channel_a_closing_one_and_an_unknown_one_pay_nothing() {
		assert_eq!(Cover::of(None, 5), Cover::Unpaid);
		let mut closing = channel(1, 1 << 40);
		closing.closes_at = Some(100);
		assert_eq!(Cover::of(Some(&closing), 0), Cover::Closing);
		for cover in [Cover::Unpaid, Cover::Closing, Cover::Unknown] {
			assert!(!cover.pays_for(1, 0, 1));
		}
	}

	#[test]
	fn huge_counts_do_not_overflow() {
		let cover = Cover::of(Some(&channel(1, u128::MAX)), u128::MAX);
		assert_eq!(cover, Cover::Open { price: 1, pays_through: u128::MAX });
		assert!(!cover.pays_for(1, u128::MAX, 1), "past the largest count is never paid");
		assert!(cover.pays_for(1, u128::MAX - 1, 1));
	}

	#[tokio::test]
	async fn covers_never_wait_and_fail_closed_when_the_node_is_gone() {
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let chain = Arc::new(ChainClient::new(format!("ws://127.0.0.1:{port}")));
		let config =
			ChannelBookConfig { max_staleness: Duration::from_millis(200), ..Default::default() };
		let book = ChannelBook::spawn_with(chain, &AccountId32::new([1; 32]), 0, config);
		let consumer = AccountId32::new([2; 32]);
		for _ in 0..1_000 {
			assert_eq!(book.cover(&consumer), Cover::Unknown);
		}
		// Read once while the node answered; then nothing renews it.
		let open = Cover::Open { price: 1, pays_through: 1 << 30 };
		book.shared.covers.write().unwrap().insert(consumer.clone(), open);
		book.shared.freshness.alive();
		assert_eq!(book.cover(&consumer), open);
		tokio::time::sleep(Duration::from_millis(300)).await;
		assert_eq!(book.cover(&consumer), Cover::Unknown);
	}

	#[tokio::test]
	async fn the_book_watches_a_bounded_number_of_consumers() {
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let chain = Arc::new(ChainClient::new(format!("ws://127.0.0.1:{port}")));
		let config = ChannelBookConfig { max_consumers: 10, ..Default::default() };
		let book = ChannelBook::spawn_with(chain, &AccountId32::new([1; 32]), 0, config);
		for i in 0..1_000u32 {
			let mut bytes = [0u8; 32];
			bytes[..4].copy_from_slice(&i.to_le_bytes());
			let consumer = AccountId32::new(bytes);
			book.shared.covers.write().unwrap().insert(consumer.clone(), Cover::Unpaid);
			book.shared.wanted.lock().unwrap().push(consumer);
			book.shared.wake.notify_one();
			tokio::task::yield_now().await;
		}
		tokio::time::sleep(Duration::from_millis(200)).await;
		assert!(book.known() <= 10, "{}", book.known());
	}
}
