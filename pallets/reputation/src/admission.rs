//! Where admission is decided: the decision rule and the adaptive stranger allowance, as pure
//! functions of a peer's decayed reputation. The pallet calls them whenever a reputation changes
//! and for every peer at every epoch; [`crate::credit`] says what service and usage mean.

use crate::{
	credit::covered,
	types::{
		Admission, DenialReason, PeerReputation, ReputationParameters, Standing, StrangerPolicy,
	},
};
use sp_arithmetic::{traits::AtLeast32BitUnsigned, Perbill};

/// What a peer gets from the chain, given its standing, its decayed `service` (credit vouched
/// for by the peers it served) and `usage`, and the stranger `allowance` in force.
///
/// - banned → denied (`Banned`); bond withdrawn → denied (`NotRegistered`);
/// - `usage ≤ service · usage_allowance_percent / 100 + allowance` (its admission credit is not
///   negative) → admitted once `service` reaches `graduation_service`, on probation before;
/// - otherwise denied: `StrangerAllowanceExhausted` for a peer that has not graduated,
///   `UsageExceedsService` for one that has.
pub fn decide(
	standing: Standing,
	service: u128,
	usage: u128,
	allowance: u128,
	parameters: &ReputationParameters,
) -> Admission {
	match standing {
		Standing::Banned => return Admission::Denied(DenialReason::Banned),
		Standing::Unregistered => return Admission::Denied(DenialReason::NotRegistered),
		Standing::Registered => {}
	}
	let graduated = service >= parameters.graduation_service;
	if usage <= covered(service, allowance, parameters) {
		if graduated {
			Admission::Admitted
		} else {
			Admission::Probation
		}
	} else if graduated {
		Admission::Denied(DenialReason::UsageExceedsService)
	} else {
		Admission::Denied(DenialReason::StrangerAllowanceExhausted)
	}
}

/// The stranger allowance a peer has when `allowance` is in force: all of it, unless the peer
/// once exhausted its allowance ([`PeerReputation::exhausted_allowance`]) and has not graduated
/// since, in which case it gets no more than `stranger_allowance_min`.
///
/// A stranger is someone without history. A peer that used its allowance up without serving has
/// history, and what it showed is taking: it keeps the minimum (usage decays, so a peer that
/// stops consuming is served again, slowly) but does not regain the full allowance when usage
/// decays or when the policy raises the allowance for newcomers. Without this a free rider
/// consumes `allowance · ln 2 / usage_half_life` per block for ever, and every rise of the
/// allowance re-admits every free rider at once.
pub fn allowance_of<BlockNumber>(
	record: &PeerReputation<BlockNumber>,
	allowance: u128,
	parameters: &ReputationParameters,
) -> u128 {
	if record.exhausted_allowance && record.service < parameters.graduation_service {
		allowance.min(parameters.stranger_allowance_min)
	} else {
		allowance
	}
}

/// [`decide`] for a peer's record (already decayed to the block in question) when the stranger
/// `allowance` is in force, with the allowance that peer has ([`allowance_of`]).
pub fn decide_record<BlockNumber>(
	record: &PeerReputation<BlockNumber>,
	allowance: u128,
	parameters: &ReputationParameters,
) -> Admission {
	let allowance = allowance_of(record, allowance, parameters);
	decide(record.standing, record.service, record.usage, allowance, parameters)
}

/// How a newcomer left probation, if this change of decision is its way out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NewcomerOutcome {
	/// It served enough to be admitted.
	Reciprocated,
	/// It used up its allowance without serving enough.
	Defected,
}

/// The newcomer outcome a change of decision from `old` to `new` shows, if any.
pub fn newcomer_outcome(old: Admission, new: Admission) -> Option<NewcomerOutcome> {
	match (old, new) {
		(Admission::Probation, Admission::Admitted) => Some(NewcomerOutcome::Reciprocated),
		(Admission::Probation, Admission::Denied(DenialReason::StrangerAllowanceExhausted)) => {
			Some(NewcomerOutcome::Defected)
		}
		_ => None,
	}
}

/// The stranger policy for the next epoch (Feldman et al.'s adaptive stranger policy): the
/// allowance moves to `min + (max − min) · reciprocated / (reciprocated + defected)` when any
/// newcomer left probation recently, and stays put otherwise; the counts then halve once for
/// every whole `stranger_memory` blocks since they last did, so the policy follows the newcomers
/// of the last few `stranger_memory` periods, however long or short epochs are. Only outcomes an
/// admitted peer witnessed are counted (see [`crate::Pallet::store`]).
pub fn adapt_stranger_policy<BlockNumber: AtLeast32BitUnsigned + Copy>(
	policy: StrangerPolicy<BlockNumber>,
	parameters: &ReputationParameters,
	now: BlockNumber,
) -> StrangerPolicy<BlockNumber> {
	let (min, max) = (parameters.stranger_allowance_min, parameters.stranger_allowance_max);
	let outcomes = policy.reciprocated.saturating_add(policy.defected);
	let allowance = if outcomes == 0 {
		policy.allowance.clamp(min, max)
	} else {
		let span = max.saturating_sub(min);
		min.saturating_add(Perbill::from_rational(policy.reciprocated, outcomes).mul_floor(span))
	};
	let memory = BlockNumber::from(parameters.stranger_memory.max(1));
	let periods = now.saturating_sub(policy.halved_at) / memory;
	// A count halved 32 times or more is zero.
	let halvings: u32 = periods.try_into().unwrap_or(u32::MAX);
	let halve = |count: u32| count.checked_shr(halvings).unwrap_or(0);
	StrangerPolicy {
		allowance,
		reciprocated: halve(policy.reciprocated),
		defected: halve(policy.defected),
		halved_at: policy.halved_at.saturating_add(periods.saturating_mul(memory)),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::types::DefaultParameters;
	use frame_support::traits::Get;

	fn parameters() -> ReputationParameters {
		ReputationParameters {
			graduation_service: 1_000,
			usage_allowance_percent: 50,
			stranger_allowance_min: 100,
			stranger_allowance_max: 10_000,
			..DefaultParameters::get()
		}
	}

	#[test]
	fn a_newcomer_lives_on_its_allowance_then_graduates_or_is_denied() {
		let p = parameters();
		let r = Standing::Registered;
		assert_eq!(decide(r, 0, 0, 500, &p), Admission::Probation);
		assert_eq!(decide(r, 0, 500, 500, &p), Admission::Probation);
		assert_eq!(
			decide(r, 0, 501, 500, &p),
			Admission::Denied(DenialReason::StrangerAllowanceExhausted)
		);
		// Serving earns credit at 50%: 300 units of service cover 150 more of usage.
		assert_eq!(decide(r, 300, 650, 500, &p), Admission::Probation);
		assert_eq!(decide(r, 1_000, 1_000, 500, &p), Admission::Admitted);
		assert_eq!(
			decide(r, 1_000, 1_001, 500, &p),
			Admission::Denied(DenialReason::UsageExceedsService)
		);
	}

	#[test]
	fn a_peer_that_exhausted_its_allowance_has_the_minimum_until_it_graduates() {
		let p = parameters();
		let mut record = crate::types::PeerReputation::registered(0, 0);
		assert_eq!(allowance_of(&record, 5_000, &p), 5_000);
		record.exhausted_allowance = true;
		assert_eq!(allowance_of(&record, 5_000, &p), 100);
		assert_eq!(allowance_of(&record, 50, &p), 50, "never more than the allowance in force");
		record.usage = 101;
		assert_eq!(
			decide_record(&record, 5_000, &p),
			Admission::Denied(DenialReason::StrangerAllowanceExhausted)
		);
		record.service = 999;
		assert_eq!(allowance_of(&record, 5_000, &p), 100);
		record.service = 1_000;
		assert_eq!(allowance_of(&record, 5_000, &p), 5_000, "graduated: the whole allowance");
	}

	#[test]
	fn standing_overrides_reputation() {
		let p = parameters();
		assert_eq!(
			decide(Standing::Banned, u128::MAX, 0, 500, &p),
			Admission::Denied(DenialReason::Banned)
		);
		assert_eq!(
			decide(Standing::Unregistered, u128::MAX, 0, 500, &p),
			Admission::Denied(DenialReason::NotRegistered)
		);
	}

	#[test]
	fn only_the_way_out_of_probation_is_a_newcomer_outcome() {
		use Admission::*;
		let exhausted = Denied(DenialReason::StrangerAllowanceExhausted);
		assert_eq!(newcomer_outcome(Probation, Admitted), Some(NewcomerOutcome::Reciprocated));
		assert_eq!(newcomer_outcome(Probation, exhausted), Some(NewcomerOutcome::Defected));
		assert_eq!(newcomer_outcome(Admitted, Denied(DenialReason::UsageExceedsService)), None);
		assert_eq!(newcomer_outcome(exhausted, Probation), None);
		assert_eq!(newcomer_outcome(Probation, Denied(DenialReason::Banned)), None);
	}

	#[test]
	fn the_allowance_follows_how_newcomers_behaved() {
		let p = parameters();
		let memory = p.stranger_memory;
		let policy = |allowance, reciprocated, defected| StrangerPolicy {
			allowance,
			reciprocated,
			defected,
			halved_at: 0u32,
		};
		let start = policy(5_000, 0, 0);
		assert_eq!(adapt_stranger_policy(start, &p, memory).allowance, 5_000, "no evidence");
		let next = adapt_stranger_policy(policy(5_000, 1, 9), &p, memory);
		assert_eq!(next.allowance, 100 + 990, "mostly takers: near the minimum");
		assert_eq!((next.reciprocated, next.defected), (0, 4), "counts halve");
		let givers = policy(100, 10, 0);
		assert_eq!(adapt_stranger_policy(givers, &p, memory).allowance, 10_000, "all gave");
		let outside = policy(1_000_000, 0, 0);
		assert_eq!(adapt_stranger_policy(outside, &p, memory).allowance, 10_000, "in bounds");
	}

	/// The counts halve with time, not with epochs: many short epochs within one memory period
	/// forget nothing, one long epoch over many periods forgets accordingly, and a period's
	/// remainder carries over to the next adaptation.
	#[test]
	fn the_policy_remembers_for_blocks_not_epochs() {
		let p = ReputationParameters { stranger_memory: 100, ..parameters() };
		let mut policy =
			StrangerPolicy { allowance: 5_000, reciprocated: 0, defected: 64, halved_at: 0u32 };
		for now in (2..100).step_by(2) {
			policy = adapt_stranger_policy(policy, &p, now);
			assert_eq!(policy.defected, 64, "an epoch of 2 blocks halves nothing");
		}
		assert_eq!(policy.allowance, 100, "defections keep the allowance at the minimum");
		policy = adapt_stranger_policy(policy, &p, 150);
		assert_eq!((policy.defected, policy.halved_at), (32, 100), "one period, 50 blocks left");
		policy = adapt_stranger_policy(policy, &p, 200);
		assert_eq!((policy.defected, policy.halved_at), (16, 200), "the remainder carried over");
		policy = adapt_stranger_policy(policy, &p, 200 + 3 * 100);
		assert_eq!(policy.defected, 2, "three periods, three halvings");
		policy = adapt_stranger_policy(policy, &p, u32::MAX);
		assert_eq!(policy.defected, 0, "forgotten after long enough");
	}
}
