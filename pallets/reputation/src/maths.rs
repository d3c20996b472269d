//! The maths of reputation, in fixed point and free of FRAME, so that the pallet, its benchmarks
//! and its tests all call the same functions: exponential decay, the steps of the EigenTrust
//! power iteration, and the two-hop max-flow of subjective reputation. The whole-graph EigenTrust
//! the pallet's epochs are tested against is [`reference`], compiled for tests only.
//!
//! Every function is deterministic integer arithmetic (`FixedU128`, 18 decimals): no floats,
//! no panics, no unchecked overflow.

use sp_arithmetic::{
	traits::{CheckedDiv, One, Saturating, Zero},
	FixedPointNumber, FixedU128, Perbill,
};

#[cfg(test)]
pub mod reference;

/// ln 2 with 18 decimals.
const LN_2: FixedU128 = FixedU128::from_inner(693_147_180_559_945_309);

/// `2^(-numerator/denominator)` for `numerator < denominator`, i.e. a value in (1/2, 1].
///
/// Computed as `1 / e^x` with `x = ln 2 · numerator/denominator < ln 2`, whose Taylor series
/// has only positive terms and converges to the last of 18 decimals within 25 terms.
fn two_to_minus_fraction(numerator: u32, denominator: u32) -> FixedU128 {
	if numerator == 0 || denominator == 0 {
		return FixedU128::one();
	}
	let x = LN_2.saturating_mul(FixedU128::saturating_from_rational(numerator, denominator));
	let mut term = FixedU128::one();
	let mut exp_x = FixedU128::one();
	for k in 1..=30u32 {
		term = term.saturating_mul(x) / FixedU128::saturating_from_integer(k);
		if term.is_zero() {
			break;
		}
		exp_x = exp_x.saturating_add(term);
	}
	FixedU128::one().checked_div(&exp_x).unwrap_or_else(FixedU128::one)
}

/// `value · 2^(-elapsed / half_life)`: what `value` has decayed to after `elapsed` blocks with a
/// half-life of `half_life` blocks. A half-life of zero means no decay.
///
/// The fraction of a half-life is applied in fixed point, whole half-lives halve exactly (a bit
/// shift), so `decay(v, h, h)` is exactly `v / 2` rounded down, and the result is within one
/// unit of the exact value.
pub fn decay(value: u128, elapsed: u32, half_life: u32) -> u128 {
	if half_life == 0 || elapsed == 0 {
		return value;
	}
	let halvings = elapsed / half_life;
	if halvings >= 128 {
		return 0;
	}
	// The fraction first, then the halvings: one rounding down at the very end.
	two_to_minus_fraction(elapsed % half_life, half_life).saturating_mul_int(value) >> halvings
}

/// [`decay`] applied to many values at once: the fraction of a half-life is computed once, so
/// decaying `n` values costs one series and `n` multiplications. Each result equals
/// `decay(value, elapsed, half_life)`.
pub fn decay_all<'a>(values: impl IntoIterator<Item = &'a mut u128>, elapsed: u32, half_life: u32) {
	if half_life == 0 || elapsed == 0 {
		return;
	}
	let halvings = elapsed / half_life;
	let fraction = two_to_minus_fraction(elapsed % half_life, half_life);
	for value in values {
		*value = if halvings >= 128 { 0 } else { fraction.saturating_mul_int(*value) >> halvings };
	}
}

/// The trust a consumer holding `trust` passes to a provider that gave it `units` of the
/// `total` units it consumed: `trust · units / total` (zero when `total` is zero).
pub fn pass_on(trust: FixedU128, units: u128, total: u128) -> FixedU128 {
	if total == 0 || units == 0 {
		return FixedU128::zero();
	}
	trust.saturating_mul(FixedU128::checked_from_rational(units, total).unwrap_or_default())
}

/// One peer's trust at the end of an iteration, once damped: `(1 − damping) · (accumulated + dangling ·
/// prior) + damping · prior`, where `accumulated` is what consumers passed it, `dangling` the
/// trust of peers that consumed nothing and `prior` its share of the damping distribution.
pub fn damp(
	accumulated: FixedU128,
	dangling: FixedU128,
	prior: FixedU128,
	damping: Perbill,
) -> FixedU128 {
	let damping = FixedU128::from_perbill(damping);
	let keep = FixedU128::one().saturating_sub(damping);
	let followed = accumulated.saturating_add(dangling.saturating_mul(prior));
	keep.saturating_mul(followed).saturating_add(damping.saturating_mul(prior))
}

/// `|a − b|`, the contribution of one peer to an iteration's L1 residual.
pub fn distance(a: FixedU128, b: FixedU128) -> FixedU128 {
	if a > b {
		a.saturating_sub(b)
	} else {
		b.saturating_sub(a)
	}
}

/// One peer's share of the damping distribution: `1 / pretrusted` for each of `pretrusted`
/// pre-trusted peers, or `1 / peers` for everyone when no peer is pre-trusted.
pub fn prior_share(peers: u32, pretrusted: u32, is_pretrusted: bool) -> FixedU128 {
	match (pretrusted, is_pretrusted) {
		(0, _) if peers > 0 => FixedU128::saturating_from_rational(1u32, peers),
		(0, _) => FixedU128::zero(),
		(_, true) => FixedU128::saturating_from_rational(1u32, pretrusted),
		(_, false) => FixedU128::zero(),
	}
}

/// The service that flowed from `source` to `sink` over paths of at most two hops, in the spirit
/// of BarterCast: the direct edge plus, for each intermediary, the smaller of its two edges.
/// Paths through different intermediaries share no edge, so this sum *is* the maximum flow of
/// the two-hop graph. `direct` is `source → sink`; `via` lists, per intermediary,
/// (`source → intermediary`, `intermediary → sink`).
pub fn two_hop_flow(direct: u128, via: &[(u128, u128)]) -> u128 {
	via.iter().fold(direct, |flow, (first, second)| flow.saturating_add(*first.min(second)))
}

/// A subjective reputation in (−1, 1) from net flows: how much `target` gave the viewer's
/// neighbourhood minus how much it took, squashed by `scale` (the net flow that maps to ±1/2).
/// Returned as a signed fraction in parts per billion, so the runtime API can expose it without
/// floats.
pub fn subjective_score(given: u128, taken: u128, scale: u128) -> i64 {
	let scale = scale.max(1);
	let (net, negative) =
		if given >= taken { (given - taken, false) } else { (taken - given, true) };
	let fraction = Perbill::from_rational(net, net.saturating_add(scale));
	let parts = i64::from(fraction.deconstruct());
	if negative {
		-parts
	} else {
		parts
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_half_life_halves_exactly() {
		for value in [1u128, 2, 1_000, 1_000_000_007, u64::MAX as u128, u128::MAX] {
			for half_life in [1u32, 7, 600, 14_400, u32::MAX] {
				assert_eq!(decay(value, half_life, half_life), value / 2, "{value} {half_life}");
				if let Some(two) = half_life.checked_mul(2) {
					assert_eq!(decay(value, two, half_life), value / 4);
				}
			}
		}
	}

	#[test]
	fn decay_matches_floating_point_within_fixed_point_error() {
		for (value, elapsed, half_life) in [
			(1_000_000_000_000u128, 1u32, 14_400u32),
			(1_000_000_000_000, 7_200, 14_400),
			(123_456_789_012_345, 10_001, 600),
			(10u128.pow(24), 3, 5),
		] {
			let exact = value as f64 * 2f64.powf(-(elapsed as f64) / half_life as f64);
			let got = decay(value, elapsed, half_life) as f64;
			// Within one unit (the final rounding down) and f64's own precision.
			let tolerance = 1.0f64.max(exact * 1e-15);
			assert!(
				(got - exact).abs() <= tolerance,
				"{value} {elapsed} {half_life}: {got} vs {exact}"
			);
		}
	}

	#[test]
	fn decaying_many_at_once_equals_decaying_each() {
		let values = [0u128, 1, 999, 1_000_000_007, u64::MAX as u128, u128::MAX];
		for (elapsed, half_life) in [(0u32, 10u32), (3, 10), (10, 10), (25, 10), (5_000, 7), (1, 0)]
		{
			let mut all = values;
			decay_all(all.iter_mut(), elapsed, half_life);
			let each: Vec<u128> = values.iter().map(|v| decay(*v, elapsed, half_life)).collect();
			assert_eq!(all.to_vec(), each, "{elapsed} {half_life}");
		}
	}

	#[test]
	fn decay_edges() {
		assert_eq!(decay(1_000, 0, 10), 1_000);
		assert_eq!(decay(1_000, 10, 0), 1_000, "a zero half-life means no decay");
		assert_eq!(decay(u128::MAX, u32::MAX, 1), 0);
		assert!(decay(1_000, 5, 10) < 1_000 && decay(1_000, 5, 10) > 500);
		// Monotone in elapsed time.
		let mut last = u128::MAX;
		for elapsed in 0..50 {
			let now = decay(1 << 100, elapsed, 13);
			assert!(now <= last);
			last = now;
		}
	}

	#[test]
	fn two_hop_flow_is_the_direct_edge_plus_each_bottleneck() {
		assert_eq!(two_hop_flow(10, &[]), 10);
		assert_eq!(two_hop_flow(10, &[(5, 100), (100, 7), (0, 9)]), 22);
		assert_eq!(two_hop_flow(u128::MAX, &[(1, 1)]), u128::MAX);
	}

	#[test]
	fn a_clique_serving_only_itself_has_no_flow_to_an_honest_viewer() {
		// Colluders A and B report enormous service to each other, none to the viewer or the
		// viewer's partners: from the viewer's side of the graph, their flow is zero.
		let flow_from_colluder_to_viewer = two_hop_flow(0, &[(1_000_000_000, 0)]);
		assert_eq!(flow_from_colluder_to_viewer, 0);
		assert_eq!(subjective_score(flow_from_colluder_to_viewer, 0, 1_000), 0);
	}

	#[test]
	fn subjective_scores_are_signed_and_bounded() {
		assert_eq!(subjective_score(0, 0, 100), 0);
		assert_eq!(subjective_score(100, 0, 100), 500_000_000);
		assert_eq!(subjective_score(0, 100, 100), -500_000_000);
		assert!(subjective_score(u128::MAX, 0, 1) <= 1_000_000_000);
		assert!(subjective_score(0, u128::MAX, 0) >= -1_000_000_000);
	}
}
