//! What the library's background tasks share: a guard that stops a task with the last handle to
//! it, and the bound on how long a cache fed by the node may be used once the node is silent.

use std::{
	sync::Mutex,
	time::{Duration, Instant},
};
use tokio::task::JoinHandle;

/// Aborts its task when dropped: held in an `Arc` by every clone of a handle, so the task stops
/// with the last clone.
pub(crate) struct TaskGuard(pub(crate) JoinHandle<()>);

impl Drop for TaskGuard {
	fn drop(&mut self) {
		self.0.abort();
	}
}

/// Until when a cache's answers may be used: `max_staleness` after the node last answered.
pub(crate) struct Freshness {
	until: Mutex<Instant>,
	max_staleness: Duration,
}

impl Freshness {
	/// Stale until the node first answers.
	pub(crate) fn new(max_staleness: Duration) -> Self {
		Self { until: Mutex::new(Instant::now()), max_staleness }
	}

	/// Whether the cache's answers may be used now.
	pub(crate) fn is_fresh(&self) -> bool {
		Instant::now() < *self.until.lock().unwrap_or_else(|p| p.into_inner())
	}

	/// The node answered now.
	pub(crate) fn alive(&self) {
		*self.until.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now() + self.max_staleness;
	}
}
