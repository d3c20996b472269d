//! Serving policies: whom a peer serves. The simulation runs the same population once with
//! each, side by side.
//!
//! - [`ServePolicy::Open`]: serve everyone (Gnutella): free riding costs nothing.
//! - [`ServePolicy::Bittorrent`]: BitTorrent's choker (BEP 3, [`crate::choker`]): three regular
//!   upload slots for the peers that upload fastest to this one, and one optimistic slot.
//! - [`ServePolicy::BilateralCredit`]: private, bilateral history only: serve a peer while what it
//!   was given exceeds what it gave back by at most a stranger allowance (until 2026-12-01 this
//!   stood for BitTorrent, as "tit-for-tat"; it is a credit model, not BitTorrent's choker).
//! - [`ServePolicy::ReputeGlobal`]: the chain's admission decision.
//! - [`ServePolicy::ReputeSubjective`]: the chain's decision from this peer's point of view.
//! - [`ServePolicy::Paid`]: serve a peer whose payment channel to this one pays for the chunk
//!   at this peer's price ([`repute_overlay::ChannelBook`], docs/payments.md), whatever the
//!   chain thinks of it: a stranger pays its way in.
//!
//! Under both Repute policies a newcomer on probation is also held to the server's
//! [`StrangerWindow`]: no more than its cap of service the chain has not counted yet.

use crate::chunks::Refused;
use core::time::Duration;
use repute_overlay::{Cover, StrangerWindow, Verdict};

/// Whom to serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ServePolicy {
	/// Everyone.
	Open,
	/// The peers BitTorrent's choker unchokes.
	Bittorrent,
	/// Peers that gave back what they took, less a stranger allowance (bilateral only).
	BilateralCredit,
	/// Peers the chain admits.
	ReputeGlobal,
	/// Peers the chain admits from this peer's point of view.
	ReputeSubjective,
	/// Peers whose payment channel pays for the service.
	Paid,
}

impl ServePolicy {
	/// A short name for files and tables.
	pub fn name(&self) -> &'static str {
		match self {
			Self::Open => "open",
			Self::Bittorrent => "bittorrent",
			Self::BilateralCredit => "bilateral-credit",
			Self::ReputeGlobal => "repute-global",
			Self::ReputeSubjective => "repute-subjective",
			Self::Paid => "paid",
		}
	}

	/// Whether the policy asks the chain's admission decision.
	pub fn uses_chain(&self) -> bool {
		matches!(self, Self::ReputeGlobal | Self::ReputeSubjective)
	}

	/// Whether the policy serves for payment.
	pub fn is_paid(&self) -> bool {
		matches!(self, Self::Paid)
	}
}

/// What a server knows about a requester when it decides.
#[derive(Clone, Copy, Debug)]
pub struct Standing {
	/// Bytes this server received from the requester (bilateral history).
	pub received_from: u128,
	/// Bytes this server gave the requester, counting those on their way (the units its next
	/// receipt carries).
	pub served_to: u128,
	/// Of those, the bytes the chain has not counted yet (`ReceiptBehaviour::unconfirmed_to`).
	pub unconfirmed: u128,
	/// Whether this server's choker unchokes the requester (read by the BitTorrent policy only).
	pub unchoked: bool,
	/// The admission gate's verdict on the requester (unused by the local policies).
	pub verdict: Verdict,
	/// How long ago the requester first registered, as the chain says
	/// (`AdmissionGate::registered_for`; zero while unknown): what the stranger window releases
	/// its cap over ([`StrangerWindow::cap_after`]).
	pub registered_for: Duration,
	/// What the requester's payment channel to this server covers (read by the paid policy).
	pub cover: Cover,
}

/// What a server asks of requesters beyond its policy's rule.
#[derive(Clone, Copy, Debug)]
pub struct Terms {
	/// How far bilateral credit lets a peer run ahead, in bytes.
	pub allowance: u128,
	/// How much uncounted service the Repute policies give a newcomer.
	pub window: StrangerWindow,
	/// What the paid policy asks a byte.
	pub price: u128,
}

/// Whether `policy` serves a requester of `standing` another chunk of `chunk` bytes, on the
/// server's `terms`.
pub fn decide(
	policy: ServePolicy,
	standing: &Standing,
	chunk: u128,
	terms: &Terms,
) -> Result<(), Refused> {
	let Terms { allowance, ref window, price } = *terms;
	let ok = match policy {
		ServePolicy::Open => true,
		ServePolicy::Bittorrent => {
			if !standing.unchoked {
				return Err(Refused::Choked);
			}
			true
		}
		ServePolicy::BilateralCredit => {
			standing.served_to.saturating_add(chunk)
				<= standing.received_from.saturating_add(allowance)
		}
		ServePolicy::ReputeGlobal | ServePolicy::ReputeSubjective => {
			if !standing.verdict.allows_service() {
				return Err(Refused::NotAdmitted);
			}
			let (verdict, unconfirmed) = (standing.verdict, standing.unconfirmed);
			if !window.allows_after(verdict, unconfirmed, chunk, standing.registered_for) {
				return Err(Refused::Unconfirmed);
			}
			true
		}
		ServePolicy::Paid => {
			if !standing.cover.pays_for(price, standing.served_to, chunk) {
				return Err(Refused::Unpaid { price });
			}
			true
		}
	};
	ok.then_some(()).ok_or(Refused::NotAdmitted)
}

#[cfg(test)]
mod tests {
	use super::*;
	use repute_primitives::reputation::DenialReason;

	fn standing(received_from: u128, served_to: u128, verdict: Verdict) -> Standing {
		Standing {
			received_from,
			served_to,
			unconfirmed: served_to,
			unchoked: false,
			verdict,
			registered_for: Duration::MAX,
			cover: Cover::Unknown,
		}
	}

	fn terms(allowance: u128, window: StrangerWindow) -> Terms {
		Terms { allowance, window, price: 0 }
	}

	const OPEN: StrangerWindow = StrangerWindow::OPEN;

	#[test]
	fn open_serves_everyone() {
		let denied = Verdict::Denied(DenialReason::UsageExceedsService);
		assert_eq!(
			decide(ServePolicy::Open, &standing(0, 1 << 40, denied), 10, &terms(0, OPEN)),
			Ok(())
		);
	}

	#[test]
	fn bilateral_credit_serves_up_to_the_allowance_beyond_what_came_back() {
		let s = |received, served| standing(received, served, Verdict::Unknown);
		assert_eq!(decide(ServePolicy::BilateralCredit, &s(0, 90), 10, &terms(100, OPEN)), Ok(()));
		assert_eq!(
			decide(ServePolicy::BilateralCredit, &s(0, 91), 10, &terms(100, OPEN)),
			Err(Refused::NotAdmitted)
		);
		assert_eq!(
			decide(ServePolicy::BilateralCredit, &s(500, 590), 10, &terms(100, OPEN)),
			Ok(())
		);
	}

	#[test]
	fn bittorrent_serves_whom_its_choker_unchokes_whatever_the_chain_says() {
		let admitted = standing(1 << 30, 0, Verdict::Admitted);
		assert_eq!(
			decide(ServePolicy::Bittorrent, &admitted, 10, &terms(1 << 40, OPEN)),
			Err(Refused::Choked)
		);
		let denied = Verdict::Denied(DenialReason::UsageExceedsService);
		let unchoked = Standing { unchoked: true, ..standing(0, 1 << 40, denied) };
		assert_eq!(decide(ServePolicy::Bittorrent, &unchoked, 10, &terms(0, OPEN)), Ok(()));
	}

	#[test]
	fn repute_follows_the_gate() {
		for policy in [ServePolicy::ReputeGlobal, ServePolicy::ReputeSubjective] {
			assert_eq!(
				decide(policy, &standing(0, 0, Verdict::Admitted), 10, &terms(0, OPEN)),
				Ok(())
			);
			assert_eq!(
				decide(policy, &standing(0, 0, Verdict::Probation), 10, &terms(0, OPEN)),
				Ok(())
			);
			assert_eq!(
				decide(policy, &standing(1 << 40, 0, Verdict::Unknown), 10, &terms(0, OPEN)),
				Err(Refused::NotAdmitted)
			);
			assert_eq!(
				decide(
					policy,
					&standing(1 << 40, 0, Verdict::Denied(DenialReason::NotRegistered)),
					10,
					&terms(0, OPEN)
				),
				Err(Refused::NotAdmitted)
			);
		}
	}

	#[test]
	fn repute_holds_newcomers_to_the_stranger_window() {
		let window = StrangerWindow { cap: 100, release: Duration::ZERO };
		for policy in [ServePolicy::ReputeGlobal, ServePolicy::ReputeSubjective] {
			let probation = |unconfirmed| Standing {
				received_from: 0,
				served_to: 1 << 30,
				unconfirmed,
				unchoked: false,
				verdict: Verdict::Probation,
				registered_for: Duration::MAX,
				cover: Cover::Unknown,
			};
			assert_eq!(decide(policy, &probation(90), 10, &terms(0, window)), Ok(()));
			assert_eq!(
				decide(policy, &probation(91), 10, &terms(0, window)),
				Err(Refused::Unconfirmed)
			);
			let admitted = Standing { verdict: Verdict::Admitted, ..probation(1 << 30) };
			assert_eq!(decide(policy, &admitted, 10, &terms(0, window)), Ok(()));
			let denied = Standing {
				verdict: Verdict::Denied(DenialReason::StrangerAllowanceExhausted),
				..probation(0)
			};
			assert_eq!(decide(policy, &denied, 10, &terms(0, window)), Err(Refused::NotAdmitted));
			// Released over 100 s: 10 s on probation, 10 bytes.
			let released = terms(0, window.released_over(Duration::from_secs(100)));
			let fresh = Standing { registered_for: Duration::from_secs(10), ..probation(0) };
			assert_eq!(decide(policy, &fresh, 10, &released), Ok(()));
			assert_eq!(decide(policy, &fresh, 11, &released), Err(Refused::Unconfirmed));
		}
		// The local policies ignore it.
		let s = standing(0, 0, Verdict::Probation);
		assert_eq!(
			decide(
				ServePolicy::Open,
				&s,
				10,
				&terms(0, StrangerWindow { cap: 0, release: Duration::ZERO })
			),
			Ok(())
		);
	}

	#[test]
	fn paid_serves_whom_a_channel_pays_for_at_the_price_whatever_the_chain_says() {
		let paid = Terms {
			allowance: 0,
			window: StrangerWindow { cap: 0, release: Duration::ZERO },
			price: 5,
		};
		let denied = Verdict::Denied(DenialReason::NotRegistered);
		let with = |cover, served_to| Standing { cover, ..standing(0, served_to, denied) };
		let open = Cover::Open { price: 5, pays_through: 100 };
		assert_eq!(decide(ServePolicy::Paid, &with(open, 90), 10, &paid), Ok(()));
		// One byte past what the escrow covers, a channel below the price, none, closing.
		assert_eq!(
			decide(ServePolicy::Paid, &with(open, 91), 10, &paid),
			Err(Refused::Unpaid { price: 5 })
		);
		let cheap = Cover::Open { price: 4, pays_through: 1 << 40 };
		for cover in [cheap, Cover::Unpaid, Cover::Closing, Cover::Unknown] {
			assert_eq!(
				decide(ServePolicy::Paid, &with(cover, 0), 10, &paid),
				Err(Refused::Unpaid { price: 5 })
			);
		}
		// An admitted peer pays as everyone does.
		let admitted = Standing { verdict: Verdict::Admitted, ..with(Cover::Unpaid, 0) };
		assert_eq!(
			decide(ServePolicy::Paid, &admitted, 10, &paid),
			Err(Refused::Unpaid { price: 5 })
		);
	}
}
