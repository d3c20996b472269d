//! [`StrangerWindow`]: how much a server gives a newcomer that the chain has not counted yet.
//!
//! The chain decides admission on the service it has recorded at a finalized block. Between a
//! byte served and the chain counting it lie the co-signing of a receipt (every
//! [`crate::ReceiptPolicy::cosign_every`] units), the submitter's round, inclusion and finality:
//! 15–25 s on a dev chain. A server that follows only the chain's verdict keeps serving a peer on
//! probation for that long after its stranger allowance is spent, and S servers at once give it
//! S times as much (the demo's free rider took about 3 MB against a 256 KiB allowance).
//!
//! The window closes that gap with what the server itself knows: it gives a peer on probation at
//! most [`StrangerWindow::cap`] units that the chain has not counted yet
//! ([`crate::ReceiptBehaviour::unconfirmed_to`]: served less what the chain recorded of this
//! pair at a finalized block). The cap is a share of the allowance, `allowance / k`
//! ([`StrangerWindow::shared_by`]). Then, whatever the latency:
//!
//! **A newcomer served by S servers at once takes at most `allowance · (1 + S / k)`**: the chain
//! counts at most its allowance before it denies the peer, and each server holds at most one
//! cap beyond what the chain counted. With `k = 16`, sixteen servers give at most twice the
//! allowance. [`StrangerWindow::overshoot_bound`] is that figure.
//!
//! The price is a newcomer's pace: from one server it gets at most one cap per confirmation
//! (about 20 s on a dev chain) until it graduates, so `k` trades the overshoot against how fast
//! an honest newcomer starts. The window only holds newcomers back: an admitted peer has served
//! and is served as the chain says ([`crate::Verdict::Admitted`]).
//!
//! **Released with age.** The chain releases a newcomer's allowance over its first
//! `stranger_release` blocks, so that a fresh identity starts with nothing and re-keying buys no
//! allowance sooner. A window with a fixed cap would undo that: every fresh key would take one
//! cap from each of its servers at once. [`StrangerWindow::released_over`] releases the cap the
//! same way, over the time since the peer first registered ([`StrangerWindow::cap_after`]), as
//! the chain says it ([`crate::AdmissionGate::registered_for`]: the node's `registeredFor`
//! blocks at its last answer, plus the time since). The bound becomes `released · (1 + S / k)`,
//! `released` what the chain has released so far, as long as blocks come at the runtime's pace
//! (while the chain stalls, the gate's clock runs ahead of it by the stall).
//!
//! (A server's own clock, from when it first saw the peer on probation, would not do: it is
//! behind the chain's for every peer that registered long ago and never graduated, and the
//! simulation's whole initial population starved on it for the first half of the release.)

use crate::Verdict;
use core::time::Duration;

/// A server's bound on service to a peer on probation that the chain has not counted yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrangerWindow {
	/// The most units a peer on probation may hold from this server beyond what the chain has
	/// counted. At least the app's unit of service, or newcomers are never served.
	pub cap: u128,
	/// The time over which the cap is released to a peer on probation, from when it first
	/// registered (zero: all of it at once). Set it to the chain's `stranger_release` (blocks ×
	/// block time, `ChainClient::stranger_release`).
	pub release: Duration,
}

impl StrangerWindow {
	/// No local bound: follow the chain's verdict alone (the overshoot grows with the number of
	/// servers and the chain's latency).
	pub const OPEN: Self = Self { cap: u128::MAX, release: Duration::ZERO };

	/// The window that keeps a newcomer served by `servers_at_once` servers within
	/// `allowance · (1 + servers_at_once / k)`: a cap of `allowance / k` (`k = 0` is taken as 1).
	pub fn shared_by(allowance: u128, k: u32) -> Self {
		Self { cap: allowance / u128::from(k.max(1)), release: Duration::ZERO }
	}

	/// This window with its cap released evenly over `release` after a peer first registered,
	/// as the chain releases the allowance over `stranger_release` blocks.
	pub fn released_over(self, release: Duration) -> Self {
		Self { release, ..self }
	}

	/// The cap for a peer that first registered `registered_for` ago:
	/// `cap · registered_for / release`, all of it from `release` on.
	pub fn cap_after(&self, registered_for: Duration) -> u128 {
		if self.release.is_zero() || registered_for >= self.release {
			return self.cap;
		}
		let (elapsed, release) = (registered_for.as_millis(), self.release.as_millis().max(1));
		// At most `cap · release / release`: `elapsed < release`, and a cap above 2⁶⁴ is open.
		match self.cap.checked_mul(elapsed) {
			Some(product) => product / release,
			None => self.cap / release * elapsed,
		}
	}

	/// Whether to serve `units` more to a peer with the gate's `verdict`, of whom `unconfirmed`
	/// units this server gave are not counted on chain yet, registered long enough ago for the
	/// whole cap. Admitted peers are served; peers on probation while
	/// `unconfirmed + units` stays within the cap; everyone else is refused.
	pub fn allows(&self, verdict: Verdict, unconfirmed: u128, units: u128) -> bool {
		self.allows_after(verdict, unconfirmed, units, Duration::MAX)
	}

	/// [`Self::allows`] for a peer that first registered `registered_for` ago: within
	/// [`Self::cap_after`] rather than the whole cap.
	pub fn allows_after(
		&self,
		verdict: Verdict,
		unconfirmed: u128,
		units: u128,
		registered_for: Duration,
	) -> bool {
		match verdict {
			Verdict::Admitted => true,
			Verdict::Probation => {
				unconfirmed.saturating_add(units) <= self.cap_after(registered_for)
			}
			Verdict::Denied(_) | Verdict::Unknown => false,
		}
	}

	/// The most a newcomer with stranger `allowance` takes from `servers` servers using this
	/// window, all serving it at once: its allowance, plus one cap from each server.
	pub fn overshoot_bound(&self, allowance: u128, servers: u32) -> u128 {
		allowance.saturating_add(self.cap.saturating_mul(u128::from(servers)))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;
	use repute_primitives::reputation::DenialReason;

	#[test]
	fn probation_is_served_up_to_the_cap_of_unconfirmed_service() {
		let window = StrangerWindow::shared_by(256, 16);
		assert_eq!(window.cap, 16);
		assert!(window.allows(Verdict::Probation, 0, 16));
		assert!(window.allows(Verdict::Probation, 10, 6));
		assert!(!window.allows(Verdict::Probation, 10, 7));
		assert!(!window.allows(Verdict::Probation, u128::MAX, 1), "no overflow");
	}

	#[test]
	fn the_cap_is_released_with_the_time_since_registration() {
		let window = StrangerWindow::shared_by(1_600, 16).released_over(Duration::from_secs(100));
		assert_eq!(window.cap_after(Duration::ZERO), 0, "a peer just seen gets nothing yet");
		assert_eq!(window.cap_after(Duration::from_secs(10)), 10);
		assert_eq!(window.cap_after(Duration::from_secs(50)), 50);
		assert_eq!(window.cap_after(Duration::from_secs(100)), 100);
		assert_eq!(window.cap_after(Duration::MAX), 100);
		assert!(!window.allows_after(Verdict::Probation, 0, 11, Duration::from_secs(10)));
		assert!(window.allows_after(Verdict::Probation, 0, 10, Duration::from_secs(10)));
		assert!(window.allows_after(Verdict::Admitted, 1 << 40, 1, Duration::ZERO));
		assert!(window.allows(Verdict::Probation, 0, 100), "long known: the whole cap");
		let open = StrangerWindow::OPEN.released_over(Duration::from_secs(100));
		assert_eq!(open.cap_after(Duration::from_secs(99)), u128::MAX / 100_000 * 99_000);
		assert_eq!(StrangerWindow::shared_by(1_600, 16).cap_after(Duration::ZERO), 100);
	}

	#[test]
	fn admitted_peers_are_not_held_back_and_others_are_refused() {
		let window = StrangerWindow::shared_by(256, 16);
		assert!(window.allows(Verdict::Admitted, 1 << 40, 1 << 20));
		assert!(!window.allows(Verdict::Unknown, 0, 1));
		for reason in [
			DenialReason::Banned,
			DenialReason::NotRegistered,
			DenialReason::StrangerAllowanceExhausted,
			DenialReason::UsageExceedsService,
			DenialReason::StrangerAllowanceNotYetReleased,
		] {
			assert!(!window.allows(Verdict::Denied(reason), 0, 1));
		}
		assert!(StrangerWindow::OPEN.allows(Verdict::Probation, u128::MAX - 1, 1));
		assert_eq!(StrangerWindow::shared_by(100, 0).cap, 100, "k = 0 is taken as 1");
	}

	/// A model of the window against its adversary: a newcomer asks `servers` servers for a unit
	/// at a time, in any order the adversary likes; now and then the chain catches up with what
	/// some servers gave (in any order and amount) and, once the counted usage passes the
	/// allowance, every server learns the newcomer is denied. Whatever the schedule, the newcomer
	/// never holds more than the bound.
	#[derive(Clone, Debug)]
	enum Step {
		Request {
			server: usize,
		},
		Confirm {
			server: usize,
		},
		/// A second passes (what the release is measured in; the model without it ignores it).
		Tick,
	}

	fn step(servers: usize) -> impl Strategy<Value = Step> {
		prop_oneof![
			4 => (0..servers).prop_map(|server| Step::Request { server }),
			1 => (0..servers).prop_map(|server| Step::Confirm { server }),
			1 => Just(Step::Tick),
		]
	}

	proptest! {
		#[test]
		fn a_newcomer_never_takes_more_than_the_bound(
			k in 1u32..32,
			servers in 1usize..24,
			unit in 1u128..64,
			steps in prop::collection::vec(step(24), 1..2_000),
		) {
			let allowance = 1_024u128;
			let window = StrangerWindow::shared_by(allowance, k);
			prop_assume!(window.cap >= unit);
			let mut served = vec![0u128; servers];
			let mut confirmed = vec![0u128; servers];
			let mut denied = false;
			for step in steps {
				match step {
					Step::Request { server } if server < servers => {
						let verdict = if denied {
							Verdict::Denied(DenialReason::StrangerAllowanceExhausted)
						} else {
							Verdict::Probation
						};
						if window.allows(verdict, served[server] - confirmed[server], unit) {
							served[server] += unit;
						}
					}
					Step::Confirm { server } if server < servers => {
						confirmed[server] = served[server];
						// The chain denies once counted usage is beyond the allowance.
						denied |= confirmed.iter().sum::<u128>() > allowance;
					}
					_ => {}
				}
			}
			let taken: u128 = served.iter().sum();
			let bound = window.overshoot_bound(allowance, servers as u32);
			prop_assert!(taken <= bound, "took {taken} > bound {bound}");
		}
	}

	// The same adversary against a window released over the chain's release period, while
	// time passes (`Step::Tick`, a second): the chain serves the newcomer while what it counted is
	// within what it has released, and denies it (`StrangerAllowanceNotYetReleased`) otherwise,
	// serving it again as more is released. Whatever the schedule, at every moment the
	// newcomer holds at most `released(t) + S · cap_after(t)`, that is
	// `released(t) · (1 + S/k)`: nothing at all at first, so that a fresh identity is worth
	// nothing until it has waited.
	proptest! {
		#[test]
		fn a_newcomer_never_takes_more_than_what_is_released(
			k in 1u32..32,
			servers in 1usize..24,
			unit in 1u128..16,
			release in 1u64..100,
			steps in prop::collection::vec(step(24), 1..2_000),
		) {
			let allowance = 1_024u128;
			let window =
				StrangerWindow::shared_by(allowance, k).released_over(Duration::from_secs(release));
			let released = |t: u64| allowance * u128::from(t.min(release)) / u128::from(release);
			let mut served = vec![0u128; servers];
			let mut confirmed = vec![0u128; servers];
			let mut t = 0u64;
			for step in steps {
				match step {
					Step::Request { server } if server < servers => {
						let counted: u128 = confirmed.iter().sum();
						let verdict = if counted > released(t) {
							Verdict::Denied(DenialReason::StrangerAllowanceNotYetReleased)
						} else {
							Verdict::Probation
						};
						let unconfirmed = served[server] - confirmed[server];
						if window.allows_after(verdict, unconfirmed, unit, Duration::from_secs(t)) {
							served[server] += unit;
						}
					}
					Step::Confirm { server } if server < servers => {
						confirmed[server] = served[server];
					}
					Step::Tick => t += 1,
					_ => {}
				}
				let taken: u128 = served.iter().sum();
				// The chain's release, not the window's: `allowance / k` released over `release`.
				let cap = u128::from(t.min(release)) * (allowance / u128::from(k)) / u128::from(release);
				let bound = released(t) + servers as u128 * cap;
				prop_assert!(taken <= bound, "at {t} s took {taken} > bound {bound}");
			}
		}
	}

	/// Without the window (following the verdict alone) the same adversary takes as much as it
	/// asks for before the chain catches up: what the window is for.
	#[test]
	fn without_the_window_the_overshoot_grows_with_latency() {
		let allowance = 1_024u128;
		let servers = 16u128;
		let unit = 16u128;
		// Every server serves 200 units before the first confirmation.
		let taken_open = servers * 200 * unit;
		assert!(StrangerWindow::OPEN.allows(Verdict::Probation, 199 * unit, unit));
		assert!(taken_open > 2 * allowance);
		let window = StrangerWindow::shared_by(allowance, 16);
		let mut taken = 0;
		for _server in 0..servers {
			let mut unconfirmed = 0;
			for _ in 0..200 {
				if window.allows(Verdict::Probation, unconfirmed, unit) {
					unconfirmed += unit;
				}
			}
			taken += unconfirmed;
		}
		assert!(taken <= 2 * allowance, "{taken}");
	}
}
