//! What a leaving peer forfeits of its bond: the credit it took on its stranger allowance and
//! never earned back.
//!
//! Every registered peer gets a stranger allowance of credit before it has served anyone, and
//! its bond is what stands behind it. Without a price on leaving, a whitewasher takes the
//! allowance, withdraws its bond in full after the unbonding period and registers a fresh key:
//! a free allowance per cycle, for a few transaction fees. So when a peer withdraws its bond,
//! `pallet-receipts` asks [`forfeit_share`], through [`pallet_receipts::PeerLifecycle`], which
//! share of the bond pays for what it owes:
//!
//! - **a free rider forfeits all of it**: a peer that exhausted its allowance and has not
//!   graduated since ([`PeerReputation::exhausted_allowance`], the flag that also keeps it at the
//!   minimum allowance) — however long it waits before leaving, as the flag does not decay;
//! - **any other peer forfeits its unpaid usage, in allowances**: `min(1, (usage − r · service) /
//!   allowance)`, with the allowance that peer has ([`admission::allowance_of`]). A peer that
//!   served as much as it used forfeits nothing; one that leaves having taken half its allowance
//!   and given nothing back forfeits half its bond.
//!
//! Service counts as the chain counts it, vouched for out of the consumers' own credit, so
//! receipts a coalition co-signs among itself cannot pay a member's debt without moving it to
//! another member (whose bond then pays; `tests/coalitions.rs` checks the coalition's bonds cover
//! what it took). Usage decays (`usage_half_life`, 7 days by default), so a peer in debt that
//! waits before leaving forfeits less, at the price of its bond locked meanwhile; it cannot
//! consume while it waits, as its admission is denied once it starts unbonding.
//!
//! Whitewashing then costs, per identity, at least `bond × taken / allowance` for what it takes
//! up to one allowance and the whole bond beyond it: with the defaults (100 REP, 100,000 units),
//! at least 1 mREP per unit of service taken without paying, against an overshoot of at most
//! `1 + S/k` allowances that the overlay's stranger window allows across S servers
//! (docs/reputation.md, "Leaving").

use crate::{admission, credit::covered, types::*};
use sp_arithmetic::Perbill;

/// The share of its bond a peer whose record (decayed to now) is `record` forfeits by leaving
/// now, when the stranger `allowance` is in force.
pub fn forfeit_share<BlockNumber>(
	record: &PeerReputation<BlockNumber>,
	allowance: u128,
	parameters: &ReputationParameters,
) -> Perbill {
	if record.exhausted_allowance && !admission::graduated(record, parameters) {
		return Perbill::one();
	}
	let unpaid = record.usage.saturating_sub(covered(record.service, 0, parameters));
	if unpaid == 0 {
		return Perbill::zero();
	}
	let allowance = admission::allowance_of(record, allowance, parameters);
	if unpaid >= allowance {
		return Perbill::one();
	}
	Perbill::from_rational(unpaid, allowance)
}

impl<T: crate::Config> crate::Pallet<T> {
	/// The share of its bond `peer` would forfeit if it left now ([`forfeit_share`]); nothing
	/// for a peer without a record (it never consumed). Reads only.
	pub fn forfeit_on_leaving(peer: &T::AccountId) -> Perbill {
		let Some(record) = Self::reputation_of(peer) else { return Perbill::zero() };
		forfeit_share(
			&record,
			crate::Strangers::<T>::get().allowance,
			&crate::Parameters::<T>::get(),
		)
	}

	/// `peer` withdraws its bond: [`Self::forfeit_on_leaving`], and the debt that share pays is
	/// settled in its record (its unpaid usage falls by what the share pays, all of it for a
	/// whole bond, and an exhausted allowance is forgiven), so that the same key, registering
	/// again, is not charged twice for it.
	pub(crate) fn settle_on_leaving(peer: &T::AccountId) -> Perbill {
		let now = frame_system::Pallet::<T>::block_number();
		let parameters = crate::Parameters::<T>::get();
		let allowance = crate::Strangers::<T>::get().allowance;
		let Some(record) = crate::Reputations::<T>::get(peer) else { return Perbill::zero() };
		let mut record = Self::decayed(record, now, &parameters);
		let share = forfeit_share(&record, allowance, &parameters);
		if share.is_zero() {
			return share;
		}
		let unpaid = record.usage.saturating_sub(covered(record.service, 0, &parameters));
		let paid = if share == Perbill::one() {
			unpaid
		} else {
			share.mul_floor(admission::allowance_of(&record, allowance, &parameters)).min(unpaid)
		};
		record.usage = record.usage.saturating_sub(paid);
		if share == Perbill::one() {
			record.exhausted_allowance = false;
		}
		Self::store(peer, record, &parameters, None);
		share
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	use frame_support::traits::Get;

	fn record(service: u128, usage: u128, exhausted: bool) -> PeerReputation<u64> {
		PeerReputation {
			exhausted_allowance: exhausted,
			..PeerReputation::registered(service, usage)
		}
	}

	fn parameters() -> ReputationParameters {
		ReputationParameters {
			usage_allowance_percent: 100,
			graduation_service: 10_000,
			stranger_allowance_min: 100,
			stranger_allowance_max: 1_000,
			..DefaultParameters::get()
		}
	}

	#[test]
	fn unpaid_usage_is_forfeited_in_allowances() {
		let p = parameters();
		assert_eq!(forfeit_share(&record(0, 0, false), 1_000, &p), Perbill::zero());
		assert_eq!(forfeit_share(&record(0, 500, false), 1_000, &p), Perbill::from_percent(50));
		assert_eq!(
			forfeit_share(&record(0, 999, false), 1_000, &p),
			Perbill::from_rational(999u32, 1000)
		);
		assert_eq!(forfeit_share(&record(0, 5_000, false), 1_000, &p), Perbill::one(), "capped");
		// What it served pays for what it used.
		assert_eq!(forfeit_share(&record(400, 500, false), 1_000, &p), Perbill::from_percent(10));
		assert_eq!(forfeit_share(&record(20_000, 20_000, false), 1_000, &p), Perbill::zero());
		// With r = 50%, service pays half as much.
		let half = ReputationParameters { usage_allowance_percent: 50, ..p };
		assert_eq!(
			forfeit_share(&record(400, 500, false), 1_000, &half),
			Perbill::from_percent(30)
		);
		// No allowance in force: any unpaid usage forfeits the bond.
		assert_eq!(forfeit_share(&record(0, 1, false), 0, &p), Perbill::one());
	}

	#[test]
	fn a_free_rider_that_exhausted_its_allowance_forfeits_everything_until_it_graduates() {
		let p = parameters();
		// Its usage has decayed to nothing: the flag still says what it did.
		assert_eq!(forfeit_share(&record(0, 0, true), 1_000, &p), Perbill::one());
		assert_eq!(forfeit_share(&record(9_999, 0, true), 1_000, &p), Perbill::one());
		// Graduated since: judged on its unpaid usage like anyone.
		assert_eq!(forfeit_share(&record(10_000, 10_000, true), 1_000, &p), Perbill::zero());
		// Service no witness vouched for (a sibling's allowance passed to it) does not graduate
		// it, so it does not buy the bond back.
		let unwitnessed = PeerReputation { witnessed_service: 9_999, ..record(50_000, 0, true) };
		assert_eq!(forfeit_share(&unwitnessed, 1_000, &p), Perbill::one());
	}
}
