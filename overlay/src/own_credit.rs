//! What a consumer may still take before the chain denies it: its own admission credit as the
//! node last reported it, less what it has received since that the chain has not counted yet.
//!
//! A provider decides from the chain (its [`AdmissionGate`](crate::AdmissionGate)) and from what
//! it served itself ([`StrangerWindow`](crate::StrangerWindow)). Neither sees what the consumer
//! takes from other providers at the same moment, and receipts reach the chain seconds after
//! the service. A newcomer served by several providers at once therefore takes past its stranger
//! allowance before the chain has counted any of it, and once the chain counts it the newcomer
//! is `StrangerAllowanceExhausted`: it lives on the minimum allowance until it graduates and
//! forfeits its bond if it leaves before (docs/reputation.md). That is the mark of a free rider,
//! and an honest consumer does not want it.
//!
//! [`OwnCredit`] is the consumer's side of the window. It asks the node for its own peer report
//! (`repute_peerReport`: `admissionCredit`, and `unitsConsumed`, the units the chain has counted
//! it as receiving, all time) every [`OwnCreditConfig::interval`], and the app tells it every unit
//! it receives ([`OwnCredit::received`]). What it received and the chain has not counted is
//! what it received less what the chain's count grew by since it first asked, oldest first;
//! [`OwnCredit::remaining`] is the reported credit less that. An app that asks for service only
//! within `remaining` never takes past what the chain allows, however many providers serve it.
//!
//! Units whose receipt never reaches the chain (a provider that never submits) are forgotten
//! after [`OwnCreditConfig::forget_after`], so that they do not hold the consumer back for ever;
//! if such a receipt lands later, the units it counts are taken for newer ones, and `remaining`
//! is that much too high until the next report.

use crate::{
	background::{Freshness, TaskGuard},
	chain::ChainClient,
	AccountId32,
};
use std::{
	collections::VecDeque,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

/// How often [`OwnCredit`] asks, and how long it trusts an answer.
#[derive(Clone, Debug)]
pub struct OwnCreditConfig {
	/// How often to ask the node for the peer's own report (a block, by default).
	pub interval: Duration,
	/// Units received this long ago and still not counted by the chain are forgotten (their
	/// receipt is taken never to land). Longer than a receipt takes to be submitted and included.
	pub forget_after: Duration,
	/// How long the last report is used once the node stops answering; after that
	/// [`OwnCredit::remaining`] is `None` (unknown).
	pub max_staleness: Duration,
}

impl Default for OwnCreditConfig {
	fn default() -> Self {
		Self {
			interval: Duration::from_secs(6),
			forget_after: Duration::from_secs(120),
			max_staleness: Duration::from_secs(60),
		}
	}
}

/// The arithmetic of [`OwnCredit`], without the node: what the chain reported, and the units
/// received that it had not counted.
#[derive(Debug, Default)]
pub struct CreditEstimate {
	/// The admission credit last reported.
	credit: Option<u128>,
	/// The chain's count of units received (all time) at the last report.
	consumed: Option<u128>,
	/// Units received that the chain had not counted at the last report, oldest first, with
	/// when they were received (one entry per second at most).
	uncounted: VecDeque<(Instant, u128)>,
	/// The sum of `uncounted`.
	uncounted_total: u128,
}

/// Entries of [`CreditEstimate::uncounted`] at most: a second each, so ample for
/// [`OwnCreditConfig::forget_after`] of a few minutes; older entries are merged.
const MAX_ENTRIES: usize = 1_024;

impl CreditEstimate {
	/// `units` received at `now`.
	pub fn received(&mut self, units: u128, now: Instant) {
		if units == 0 {
			return;
		}
		self.uncounted_total = self.uncounted_total.saturating_add(units);
		match self.uncounted.back_mut() {
			Some((at, pending)) if now.saturating_duration_since(*at) < Duration::from_secs(1) => {
				*pending = pending.saturating_add(units)
			}
			_ => self.uncounted.push_back((now, units)),
		}
		if self.uncounted.len() > MAX_ENTRIES {
			// Merge the two oldest (keeping the older time: forgotten no later than either).
			if let (Some((at, first)), Some((_, second))) =
				(self.uncounted.pop_front(), self.uncounted.pop_front())
			{
				self.uncounted.push_front((at, first.saturating_add(second)));
			}
		}
	}

	/// The node reported `credit` and `consumed` (units the chain has counted as received, all
	/// time): the units counted since the last report are taken off the oldest uncounted.
	pub fn reported(&mut self, credit: u128, consumed: u128) {
		if let Some(before) = self.consumed {
			let mut counted = consumed.saturating_sub(before);
			while counted > 0 {
				let Some((_, pending)) = self.uncounted.front_mut() else { break };
				let taken = counted.min(*pending);
				*pending -= taken;
				counted -= taken;
				self.uncounted_total = self.uncounted_total.saturating_sub(taken);
				if *pending == 0 {
					self.uncounted.pop_front();
				}
			}
		}
		self.credit = Some(credit);
		// A lagging node may report a lower count than one before: keep the highest, so that
		// what was counted once is not counted again.
		self.consumed = Some(self.consumed.map_or(consumed, |before| before.max(consumed)));
	}

	/// Forgets units received before `now − forget_after` and still uncounted.
	pub fn forget_before(&mut self, now: Instant, forget_after: Duration) {
		while let Some((at, pending)) = self.uncounted.front() {
			if now.saturating_duration_since(*at) < forget_after {
				break;
			}
			self.uncounted_total = self.uncounted_total.saturating_sub(*pending);
			self.uncounted.pop_front();
		}
	}

	/// Units received that the chain has not counted (as far as the last report tells).
	pub fn uncounted(&self) -> u128 {
		self.uncounted_total
	}

	/// The last reported credit and the units uncounted now; `None` before the first report.
	pub fn standing(&self) -> Option<CreditStanding> {
		Some(CreditStanding { reported_credit: self.credit?, uncounted: self.uncounted_total })
	}

	/// What may still be taken: the last reported credit less the uncounted units; `None`
	/// before the first report.
	pub fn remaining(&self) -> Option<u128> {
		self.standing().as_ref().map(CreditStanding::remaining)
	}
}

/// Where a consumer that keeps within its own credit stands ([`OwnCredit::standing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreditStanding {
	/// The admission credit the node last reported.
	pub reported_credit: u128,
	/// Units received that the chain had not counted at that report.
	pub uncounted: u128,
}

impl CreditStanding {
	/// What may still be taken: the reported credit less the uncounted units (never negative).
	pub fn remaining(&self) -> u128 {
		self.reported_credit.saturating_sub(self.uncounted)
	}
}

struct Shared {
	estimate: Mutex<CreditEstimate>,
	freshness: Freshness,
	config: OwnCreditConfig,
}

/// A consumer's own admission credit, kept by a background task; cheap to clone, and the task
/// stops with the last clone. See the [module docs](self).
#[derive(Clone)]
pub struct OwnCredit {
	shared: Arc<Shared>,
	_task: Arc<TaskGuard>,
}

impl OwnCredit {
	/// Starts asking `chain` for `me`'s report.
	pub fn spawn(chain: Arc<ChainClient>, me: &AccountId32, config: OwnCreditConfig) -> Self {
		let shared = Arc::new(Shared {
			estimate: Mutex::new(CreditEstimate::default()),
			freshness: Freshness::new(config.max_staleness),
			config,
		});
		let task = tokio::spawn(keep_fresh(shared.clone(), chain, me.clone()));
		Self { shared, _task: Arc::new(TaskGuard(task)) }
	}

	/// The consumer received `units` (call it for every unit of service, from any provider).
	pub fn received(&self, units: u128) {
		self.estimate().received(units, Instant::now());
	}

	/// Units it may still receive before the chain denies it, as far as it knows: `None` before
	/// the node first answered or once its last answer is older than
	/// [`OwnCreditConfig::max_staleness`].
	pub fn remaining(&self) -> Option<u128> {
		self.standing().as_ref().map(CreditStanding::remaining)
	}

	/// The admission credit the node last reported and the units received that it had not
	/// counted then, of which [`remaining`](Self::remaining) is the difference: for an app's logs
	/// and metrics. `None` when `remaining` is.
	pub fn standing(&self) -> Option<CreditStanding> {
		if !self.shared.freshness.is_fresh() {
			return None;
		}
		let mut estimate = self.estimate();
		estimate.forget_before(Instant::now(), self.shared.config.forget_after);
		estimate.standing()
	}

	fn estimate(&self) -> std::sync::MutexGuard<'_, CreditEstimate> {
		self.shared.estimate.lock().unwrap_or_else(|p| p.into_inner())
	}
}

/// Asks for the report every interval; an answer that does not parse is logged and skipped.
async fn keep_fresh(shared: Arc<Shared>, chain: Arc<ChainClient>, me: AccountId32) {
	let mut ticks = tokio::time::interval(shared.config.interval);
	ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
	loop {
		ticks.tick().await;
		let report = match chain.peer_report(&me).await {
			Ok(report) => report,
			Err(error) => {
				tracing::debug!(%error, "own peer report failed; asks again next interval");
				continue;
			}
		};
		// A peer the chain does not know has no credit.
		let (credit, consumed) = match &report {
			None => (Ok(0), Ok(0)),
			Some(report) => (report.admission_credit.parse(), report.units_consumed.parse()),
		};
		let (Ok(credit), Ok(consumed)) = (credit, consumed) else {
			tracing::warn!(?report, "own peer report with amounts that are not numbers");
			continue;
		};
		shared.estimate.lock().unwrap_or_else(|p| p.into_inner()).reported(credit, consumed);
		shared.freshness.alive();
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn units_received_count_against_the_credit_until_the_chain_counts_them() {
		let start = Instant::now();
		let mut estimate = CreditEstimate::default();
		assert_eq!(estimate.remaining(), None, "unknown before the first report");
		estimate.reported(1_000, 50);
		assert_eq!(estimate.remaining(), Some(1_000));
		assert_eq!(
			estimate.standing(),
			Some(CreditStanding { reported_credit: 1_000, uncounted: 0 })
		);
		// Served 300 by one provider and 400 by another before any receipt lands.
		estimate.received(300, start);
		estimate.received(400, start + Duration::from_secs(2));
		assert_eq!(estimate.remaining(), Some(300));
		// The chain counts the first provider's 300: its credit fell by as much.
		estimate.reported(700, 350);
		assert_eq!(estimate.uncounted(), 400);
		assert_eq!(estimate.remaining(), Some(300));
		assert_eq!(
			estimate.standing(),
			Some(CreditStanding { reported_credit: 700, uncounted: 400 })
		);
		// Past the credit: nothing remains (never negative).
		estimate.received(500, start + Duration::from_secs(3));
		assert_eq!(estimate.remaining(), Some(0));
		// Everything counted, and the credit grew (the consumer served others meanwhile).
		estimate.reported(2_000, 1_250);
		assert_eq!((estimate.uncounted(), estimate.remaining()), (0, Some(2_000)));
	}

	#[test]
	fn a_standing_leaves_the_credit_less_what_was_not_counted_and_never_less_than_nothing() {
		let standing = CreditStanding { reported_credit: 1_000, uncounted: 300 };
		assert_eq!(standing.remaining(), 700);
		let overdrawn = CreditStanding { reported_credit: 1_000, uncounted: 1_500 };
		assert_eq!(overdrawn.remaining(), 0);
	}

	#[test]
	fn counted_units_are_taken_off_the_oldest_first_and_uncounted_ones_are_forgotten() {
		let start = Instant::now();
		let mut estimate = CreditEstimate::default();
		estimate.reported(10_000, 0);
		estimate.received(100, start);
		estimate.received(200, start + Duration::from_secs(10));
		estimate.received(300, start + Duration::from_secs(20));
		// 150 counted: all of the first entry and half of the second.
		estimate.reported(9_850, 150);
		assert_eq!(estimate.uncounted(), 450);
		// The second entry's other half never lands: forgotten two minutes after it came.
		estimate.forget_before(start + Duration::from_secs(129), Duration::from_secs(120));
		assert_eq!(estimate.uncounted(), 450);
		estimate.forget_before(start + Duration::from_secs(130), Duration::from_secs(120));
		assert_eq!(estimate.uncounted(), 300);
		assert_eq!(estimate.remaining(), Some(9_550));
	}

	#[test]
	fn many_receipts_in_a_second_are_one_entry_and_the_entries_are_bounded() {
		let start = Instant::now();
		let mut estimate = CreditEstimate::default();
		for i in 0..10 {
			estimate.received(1, start + Duration::from_millis(i * 50));
		}
		assert_eq!(estimate.uncounted.len(), 1);
		for i in 0..(3 * MAX_ENTRIES as u64) {
			estimate.received(1, start + Duration::from_secs(2 + i));
		}
		assert!(estimate.uncounted.len() <= MAX_ENTRIES);
		assert_eq!(estimate.uncounted(), 10 + 3 * MAX_ENTRIES as u128, "merged, not lost");
	}

	#[test]
	fn a_report_that_counts_less_than_before_takes_nothing_off() {
		// A reorganised or lagging node may report an older count: nothing is taken off, and
		// the next report's growth is measured from the highest count seen.
		let start = Instant::now();
		let mut estimate = CreditEstimate::default();
		estimate.reported(1_000, 500);
		estimate.received(200, start);
		estimate.reported(1_000, 400);
		assert_eq!(estimate.uncounted(), 200);
		estimate.reported(800, 600);
		assert_eq!(estimate.uncounted(), 100);
	}
}
