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
/// for by the peers it served), the part of it that witnesses vouched for
/// (`witnessed_service`, see [`graduated`]) and `usage`, the stranger `allowance` it has and the
/// part of it `released` so far (see [`released_allowance_of`]).
///
/// - banned → denied (`Banned`); bond withdrawn → denied (`NotRegistered`);
/// - `usage ≤ service · usage_allowance_percent / 100 + released` (its admission credit is not
///   negative) → admitted once `witnessed_service` reaches `graduation_service` (it has
///   graduated), on probation before;
/// - otherwise denied: `UsageExceedsService` for a peer that has graduated; for one that has
///   not, `StrangerAllowanceNotYetReleased` while its whole `allowance` would still cover its
///   usage, `StrangerAllowanceExhausted` once even that does not.
pub fn decide(
	standing: Standing,
	service: u128,
	witnessed_service: u128,
	usage: u128,
	allowance: u128,
	released: u128,
	parameters: &ReputationParameters,
) -> Admission {
	match standing {
		Standing::Banned => return Admission::Denied(DenialReason::Banned),
		Standing::Unregistered => return Admission::Denied(DenialReason::NotRegistered),
		Standing::Registered => {}
	}
	let graduated = witnessed_service >= parameters.graduation_service;
	if usage <= covered(service, released.min(allowance), parameters) {
		if graduated {
			Admission::Admitted
		} else {
			Admission::Probation
		}
	} else if graduated {
		Admission::Denied(DenialReason::UsageExceedsService)
	} else if usage <= covered(service, allowance, parameters) {
		Admission::Denied(DenialReason::StrangerAllowanceNotYetReleased)
	} else {
		Admission::Denied(DenialReason::StrangerAllowanceExhausted)
	}
}

/// Whether a peer has graduated: the service that witnesses vouched for
/// ([`PeerReputation::witnessed_service`]) reached `graduation_service`.
///
/// A witness is a consumer that was admitted, or a founder, when it co-signed
/// ([`crate::Pallet::note_service`]). Counting all vouched service instead would let any two
/// fresh keys graduate: each vouches its stranger allowance for the other as service, which moves
/// credit without creating any, but admission also lifts the servers' stranger windows and
/// makes the peer a witness whose view moves the adaptive allowance. Service passed on to a
/// creditor by [`crate::Pallet::repay`] is not witnessed.
pub fn graduated<BlockNumber>(
	record: &PeerReputation<BlockNumber>,
	parameters: &ReputationParameters,
) -> bool {
	record.witnessed_service >= parameters.graduation_service
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
	if record.exhausted_allowance && !graduated(record, parameters) {
		allowance.min(parameters.stranger_allowance_min)
	} else {
		allowance
	}
}

/// The part of its stranger allowance ([`allowance_of`]) a peer may use by now: a newcomer's
/// allowance is released evenly over the `stranger_release` blocks after it first registered,
/// so `allowance · age / stranger_release` at `age` blocks (`record.updated_at`, the block the
/// record is decayed to, minus [`PeerReputation::first_registered_at`]), and all of it from
/// then on, at once when `stranger_release` is zero, and for a graduated peer.
///
/// This is what makes re-keying pointless: a fresh identity starts with nothing released, so a
/// whitewasher that drops a denied key for a new one, paying a new bond, is served no sooner
/// than if it had waited, and one identity's use of its allowance is bounded by a rate,
/// `allowance / stranger_release` per block, whatever it does.
pub fn released_allowance_of<BlockNumber: AtLeast32BitUnsigned + Copy>(
	record: &PeerReputation<BlockNumber>,
	allowance: u128,
	parameters: &ReputationParameters,
) -> u128 {
	released_part(record, allowance_of(record, allowance, parameters), parameters)
}

/// The part of `allowance`, the peer's own ([`allowance_of`]), released by now.
fn released_part<BlockNumber: AtLeast32BitUnsigned + Copy>(
	record: &PeerReputation<BlockNumber>,
	allowance: u128,
	parameters: &ReputationParameters,
) -> u128 {
	let release = parameters.stranger_release;
	if release == 0 || graduated(record, parameters) {
		return allowance;
	}
	let age: u32 =
		record.updated_at.saturating_sub(record.first_registered_at).try_into().unwrap_or(u32::MAX);
	if age >= release {
		return allowance;
	}
	Perbill::from_rational(age, release).mul_floor(allowance)
}

/// [`decide`] for a peer's record (already decayed to the block in question) when the stranger
/// `allowance` is in force, with the allowance that peer has ([`allowance_of`]) and what of it
/// is released ([`released_allowance_of`]).
pub fn decide_record<BlockNumber: AtLeast32BitUnsigned + Copy>(
	record: &PeerReputation<BlockNumber>,
	allowance: u128,
	parameters: &ReputationParameters,
) -> Admission {
	let allowance = allowance_of(record, allowance, parameters);
	let released = released_part(record, allowance, parameters);
	decide(
		record.standing,
		record.service,
		record.witnessed_service,
		record.usage,
		allowance,
		released,
		parameters,
	)
}

/// How a newcomer left probation, if this change of decision is its way out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NewcomerOutcome {
	/// It served enough to be admitted.
	Reciprocated,
	/// It used up its allowance without serving enough.
	Defected,
}

/// The newcomer outcome a change of decision from `old` to `new` shows, if any. A newcomer
/// waiting for more of its allowance to be released (`StrangerAllowanceNotYetReleased`) is still
/// on probation: it has shown nothing yet.
pub fn newcomer_outcome(old: Admission, new: Admission) -> Option<NewcomerOutcome> {
	let on_probation = matches!(
		old,
		Admission::Probation | Admission::Denied(DenialReason::StrangerAllowanceNotYetReleased)
	);
	match new {
		Admission::Admitted if on_probation => Some(NewcomerOutcome::Reciprocated),
		Admission::Denied(DenialReason::StrangerAllowanceExhausted) if on_probation => {
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

/// The stranger allowance in force once governance moves its bounds from `old` to `new`: **the
/// same place between them**. What the adaptive policy learns is a place,
/// `reciprocated / (reciprocated + defected)` of the way from the minimum to the maximum
/// ([`adapt_stranger_policy`]), not an amount, and genesis starts it at the top (no newcomer has
/// shown anything yet). So an allowance at the top of `[1,000, 100,000]` goes to the top of
/// `[65,536, 524,288]`, where keeping the amount (as runtimes before `spec_version` 112 did, the
/// amount clamped into the new bounds) would have read as "a fifth of newcomers reciprocate"
/// until a newcomer graduated. Old bounds that are one value have no place in them: the amount
/// is clamped.
pub fn allowance_between_new_bounds(
	allowance: u128,
	old: &ReputationParameters,
	new: &ReputationParameters,
) -> u128 {
	let (old_min, old_max) = (old.stranger_allowance_min, old.stranger_allowance_max);
	let (new_min, new_max) = (new.stranger_allowance_min, new.stranger_allowance_max);
	if old_max <= old_min {
		return allowance.clamp(new_min, new_max.max(new_min));
	}
	let place = Perbill::from_rational(
		allowance.clamp(old_min, old_max).saturating_sub(old_min),
		old_max.saturating_sub(old_min),
	);
	new_min.saturating_add(place.mul_floor(new_max.saturating_sub(new_min)))
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
			stranger_release: 0,
			..DefaultParameters::get()
		}
	}

	#[test]
	fn new_bounds_keep_the_allowance_in_its_place() {
		let bounds = |min: u128, max: u128| ReputationParameters {
			stranger_allowance_min: min,
			stranger_allowance_max: max,
			..parameters()
		};
		let moved = |allowance, old: (u128, u128), new: (u128, u128)| {
			allowance_between_new_bounds(allowance, &bounds(old.0, old.1), &bounds(new.0, new.1))
		};
		// Top, bottom and middle keep their places, up or down.
		assert_eq!(moved(100_000, (1_000, 100_000), (65_536, 524_288)), 524_288);
		assert_eq!(moved(1_000, (1_000, 100_000), (65_536, 524_288)), 65_536);
		assert_eq!(moved(550, (100, 1_000), (1_000, 2_000)), 1_500);
		assert_eq!(moved(1_500, (1_000, 2_000), (100, 1_000)), 550);
		// Old bounds of one value have no place in them: the amount is clamped.
		assert_eq!(moved(5_000, (5_000, 5_000), (1_000, 10_000)), 5_000);
		assert_eq!(moved(5_000, (5_000, 5_000), (6_000, 10_000)), 6_000);
		assert_eq!(moved(5_000, (5_000, 5_000), (7, 7)), 7);
		// Whatever the values, the result lies within the new bounds, without overflow.
		let cases = [0, 1, 7, 1 << 64, u128::MAX / 3, u128::MAX - 1, u128::MAX];
		for allowance in cases {
			for old in cases.iter().flat_map(|a| cases.iter().map(move |b| (*a, *b))) {
				for new in cases.iter().flat_map(|a| cases.iter().map(move |b| (*a, *b))) {
					if old.0 > old.1 || new.0 > new.1 {
						continue; // refused by `set_parameters`
					}
					let result = moved(allowance, old, new);
					assert!(new.0 <= result && result <= new.1, "{allowance} {old:?} {new:?}");
				}
			}
		}
	}

	#[test]
	fn a_newcomer_lives_on_its_allowance_then_graduates_or_is_denied() {
		let p = parameters();
		let r = Standing::Registered;
		assert_eq!(decide(r, 0, 0, 0, 500, 500, &p), Admission::Probation);
		assert_eq!(decide(r, 0, 0, 500, 500, 500, &p), Admission::Probation);
		assert_eq!(
			decide(r, 0, 0, 501, 500, 500, &p),
			Admission::Denied(DenialReason::StrangerAllowanceExhausted)
		);
		// Serving earns credit at 50%: 300 units of service cover 150 more of usage.
		assert_eq!(decide(r, 300, 300, 650, 500, 500, &p), Admission::Probation);
		assert_eq!(decide(r, 1_000, 1_000, 1_000, 500, 500, &p), Admission::Admitted);
		// Service that no witness vouched for earns credit but never graduates.
		assert_eq!(decide(r, 1_000, 999, 1_000, 500, 500, &p), Admission::Probation);
		assert_eq!(
			decide(r, 1_000_000, 0, 500_501, 500, 500, &p),
			Admission::Denied(DenialReason::StrangerAllowanceExhausted),
			"past its credit without graduating: its allowance is exhausted"
		);
		assert_eq!(
			decide(r, 1_000, 1_000, 1_001, 500, 500, &p),
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
		record.witnessed_service = 999;
		assert_eq!(allowance_of(&record, 5_000, &p), 100);
		record.service = 1_000_000;
		assert_eq!(allowance_of(&record, 5_000, &p), 100, "unwitnessed service: not graduated");
		record.witnessed_service = 1_000;
		assert_eq!(allowance_of(&record, 5_000, &p), 5_000, "graduated: the whole allowance");
	}

	/// A newcomer's allowance is released evenly over `stranger_release` blocks from its first
	/// registration; graduating releases all of it, and a zero period releases it at once.
	#[test]
	fn a_newcomer_s_allowance_is_released_over_its_first_blocks() {
		let p = ReputationParameters { stranger_release: 100, ..parameters() };
		let mut record = crate::types::PeerReputation::registered(0, 0);
		record.first_registered_at = 1_000;
		let released_at = |record: &PeerReputation<u64>, now: u64| {
			released_allowance_of(&PeerReputation { updated_at: now, ..record.clone() }, 5_000, &p)
		};
		assert_eq!(released_at(&record, 1_000), 0, "a fresh identity has nothing released");
		assert_eq!(released_at(&record, 1_001), 50);
		assert_eq!(released_at(&record, 1_050), 2_500);
		assert_eq!(released_at(&record, 1_100), 5_000);
		assert_eq!(released_at(&record, u64::MAX), 5_000);
		record.exhausted_allowance = true;
		assert_eq!(released_at(&record, 1_050), 50, "half of the minimum");
		record.exhausted_allowance = false;
		record.service = 1_000;
		assert_eq!(released_at(&record, 1_000), 0, "unwitnessed service releases nothing");
		record.witnessed_service = 1_000;
		assert_eq!(released_at(&record, 1_000), 5_000, "graduated: all of it");
		record.service = 0;
		record.witnessed_service = 0;
		let at_once = ReputationParameters { stranger_release: 0, ..p.clone() };
		assert_eq!(released_allowance_of(&record, 5_000, &at_once), 5_000);
	}

	/// Past what is released but within its whole allowance a newcomer waits
	/// (`StrangerAllowanceNotYetReleased`, not counted as defecting); past its whole allowance
	/// it has exhausted it.
	#[test]
	fn a_newcomer_ahead_of_its_release_waits_and_one_past_its_allowance_is_exhausted() {
		let p = parameters();
		let r = Standing::Registered;
		let waiting = Admission::Denied(DenialReason::StrangerAllowanceNotYetReleased);
		assert_eq!(decide(r, 0, 0, 200, 500, 200, &p), Admission::Probation);
		assert_eq!(decide(r, 0, 0, 201, 500, 200, &p), waiting);
		assert_eq!(decide(r, 0, 0, 500, 500, 200, &p), waiting);
		assert_eq!(
			decide(r, 0, 0, 501, 500, 200, &p),
			Admission::Denied(DenialReason::StrangerAllowanceExhausted)
		);
		// Service counts on top of what is released.
		assert_eq!(decide(r, 200, 200, 300, 500, 200, &p), Admission::Probation);
		assert_eq!(
			decide(r, 1_000, 1_000, 1_200, 500, 0, &p),
			Admission::Denied(DenialReason::UsageExceedsService),
			"a graduated peer is never waiting"
		);
		let mut record = crate::types::PeerReputation::registered(0, 0);
		let p = ReputationParameters { stranger_release: 100, ..p };
		record.updated_at = 10;
		record.usage = 51;
		assert_eq!(decide_record(&record, 500, &p), waiting, "50 of 500 released at 10 blocks");
		record.updated_at = 11;
		assert_eq!(decide_record(&record, 500, &p), Admission::Probation);
	}

	#[test]
	fn standing_overrides_reputation() {
		let p = parameters();
		assert_eq!(
			decide(Standing::Banned, u128::MAX, u128::MAX, 0, 500, 500, &p),
			Admission::Denied(DenialReason::Banned)
		);
		assert_eq!(
			decide(Standing::Unregistered, u128::MAX, u128::MAX, 0, 500, 500, &p),
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
		let waiting = Denied(DenialReason::StrangerAllowanceNotYetReleased);
		assert_eq!(newcomer_outcome(Probation, waiting), None, "waiting shows nothing");
		assert_eq!(newcomer_outcome(waiting, Probation), None);
		assert_eq!(newcomer_outcome(waiting, Admitted), Some(NewcomerOutcome::Reciprocated));
		assert_eq!(newcomer_outcome(waiting, exhausted), Some(NewcomerOutcome::Defected));
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
