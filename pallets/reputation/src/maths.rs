//! The maths of reputation, in fixed point and free of FRAME, so that the pallet, its benchmarks
//! and its tests all call the same functions: exponential decay, the EigenTrust power iteration,
//! and the two-hop max-flow of subjective reputation.
//!
//! Every function is deterministic integer arithmetic (`FixedU128`, 18 decimals): no floats,
//! no panics, no unchecked overflow.

use alloc::vec::Vec;
use sp_arithmetic::{
	traits::{CheckedDiv, One, Saturating, Zero},
	FixedPointNumber, FixedU128, Perbill,
};

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

/// One edge of the receipts graph: `provider` gave `consumer` `units`. Peers are indices into
/// the trust vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
	/// Index of the peer that received the service.
	pub consumer: u32,
	/// Index of the peer that gave it.
	pub provider: u32,
	/// How much service.
	pub units: u128,
}

/// Adds the trust that flows along `edges` in one EigenTrust iteration into `next`:
/// `next[provider] += trust[consumer] · units / consumed[consumer]`, where `consumed[i]` is
/// the sum of units `i` received over all its edges (so each consumer's local trust sums to 1).
///
/// The pallet calls this on bounded slices of the graph in successive blocks; the result does
/// not depend on how the edges are sliced. Edges with an index outside the vectors, or from a
/// consumer that consumed nothing, are skipped.
pub fn accumulate_trust(
	edges: &[Edge],
	trust: &[FixedU128],
	consumed: &[u128],
	next: &mut [FixedU128],
) {
	for edge in edges {
		let (c, p) = (edge.consumer as usize, edge.provider as usize);
		let (Some(t), Some(total), true) = (trust.get(c), consumed.get(c), p < next.len()) else {
			continue;
		};
		next[p] = next[p].saturating_add(pass_on(*t, edge.units, *total));
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

/// One peer's trust at the end of an iteration: `(1 − damping) · (accumulated + dangling ·
/// prior) + damping · prior`, where `accumulated` is what consumers passed it, `dangling` the
/// trust of peers that consumed nothing and `prior` its share of the damping distribution.
pub fn settle(
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

/// How much service to a consumer with global trust `trust` counts, out of `peers` peers
/// whose trust vector was damped by `damping`: `min(1, trust · peers / (1 − damping))`.
///
/// At least `damping` of all trust sits with the pre-trusted peers, so `(1 − damping) / peers`
/// is what a typical peer holds: service to a peer with at least that much counts in full,
/// service to a peer nobody trusts (a Sybil) counts nothing.
pub fn trust_weight(trust: FixedU128, peers: u32, damping: Perbill) -> Perbill {
	let spread = FixedU128::from_perbill(Perbill::one().saturating_sub(damping));
	let relative = trust
		.saturating_mul(FixedU128::saturating_from_integer(peers))
		.checked_div(&spread)
		.unwrap_or_else(FixedU128::one);
	if relative >= FixedU128::one() {
		Perbill::one()
	} else {
		Perbill::from_rational(relative.into_inner(), FixedU128::DIV)
	}
}

/// Completes one EigenTrust iteration once every edge was accumulated into `next`:
/// `next = (1 − damping) · (next + dangling) + damping · pretrusted`, where `dangling` is the
/// trust of peers that consumed nothing (their trust would otherwise leak out of the vector)
/// redistributed like the damping term. `pretrusted` is the damping distribution: it must sum
/// to 1 (see [`pretrusted_distribution`]). Returns the L1 distance between `previous` and the
/// new `next`: the residual that tells when the iteration has converged.
pub fn finish_iteration(
	next: &mut [FixedU128],
	previous: &[FixedU128],
	consumed: &[u128],
	pretrusted: &[FixedU128],
	damping: Perbill,
) -> FixedU128 {
	let dangling = previous
		.iter()
		.zip(consumed)
		.filter(|(_, total)| **total == 0)
		.fold(FixedU128::zero(), |sum, (t, _)| sum.saturating_add(*t));
	let mut residual = FixedU128::zero();
	for (i, value) in next.iter_mut().enumerate() {
		let prior = pretrusted.get(i).copied().unwrap_or_default();
		*value = settle(*value, dangling, prior, damping);
		let before = previous.get(i).copied().unwrap_or_default();
		residual = residual.saturating_add(distance(*value, before));
	}
	residual
}

/// The damping distribution over `peers` peers: uniform over `pretrusted` (indices, duplicates
/// and indices out of range ignored), or uniform over everyone when no peer is pre-trusted.
pub fn pretrusted_distribution(peers: usize, pretrusted: &[u32]) -> Vec<FixedU128> {
	let mut valid: Vec<u32> =
		pretrusted.iter().copied().filter(|i| (*i as usize) < peers).collect();
	valid.sort_unstable();
	valid.dedup();
	let count = u32::try_from(peers).unwrap_or(u32::MAX);
	let listed = u32::try_from(valid.len()).unwrap_or(u32::MAX);
	(0..peers)
		.map(|i| prior_share(count, listed, valid.binary_search(&(i as u32)).is_ok()))
		.collect()
}

/// What a whole EigenTrust run found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustResult {
	/// Global trust per peer; sums to 1 (up to rounding).
	pub trust: Vec<FixedU128>,
	/// Iterations run.
	pub iterations: u32,
	/// L1 distance between the last two iterates.
	pub residual: FixedU128,
}

/// EigenTrust over a whole in-memory graph: starts from the damping distribution and iterates
/// until the residual is at most `tolerance` or `max_iterations` have run. The pallet runs the
/// same steps spread over blocks; this is the reference it is tested against.
pub fn eigentrust(
	peers: usize,
	edges: &[Edge],
	pretrusted: &[u32],
	damping: Perbill,
	max_iterations: u32,
	tolerance: FixedU128,
) -> TrustResult {
	let mut consumed = alloc::vec![0u128; peers];
	for edge in edges {
		if let Some(total) = consumed.get_mut(edge.consumer as usize) {
			*total = total.saturating_add(edge.units);
		}
	}
	let prior = pretrusted_distribution(peers, pretrusted);
	let mut trust = prior.clone();
	let mut residual = FixedU128::zero();
	let mut iterations = 0;
	while iterations < max_iterations {
		let mut next = alloc::vec![FixedU128::zero(); peers];
		accumulate_trust(edges, &trust, &consumed, &mut next);
		residual = finish_iteration(&mut next, &trust, &consumed, &prior, damping);
		trust = next;
		iterations += 1;
		if residual <= tolerance {
			break;
		}
	}
	TrustResult { trust, iterations, residual }
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

	fn to_f64(x: FixedU128) -> f64 {
		x.into_inner() as f64 / 1e18
	}

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

	/// EigenTrust in f64, written independently from the fixed-point version.
	fn reference(
		peers: usize,
		edges: &[Edge],
		pretrusted: &[u32],
		damping: f64,
		iterations: u32,
	) -> Vec<f64> {
		let mut consumed = vec![0f64; peers];
		for e in edges {
			consumed[e.consumer as usize] += e.units as f64;
		}
		let prior: Vec<f64> = if pretrusted.is_empty() {
			vec![1.0 / peers as f64; peers]
		} else {
			let mut p = vec![0.0; peers];
			for i in pretrusted {
				p[*i as usize] = 1.0 / pretrusted.len() as f64;
			}
			p
		};
		let mut t = prior.clone();
		for _ in 0..iterations {
			let mut next = vec![0f64; peers];
			for e in edges {
				let c = e.consumer as usize;
				next[e.provider as usize] += t[c] * e.units as f64 / consumed[c];
			}
			let dangling: f64 = (0..peers).filter(|i| consumed[*i] == 0.0).map(|i| t[i]).sum();
			for i in 0..peers {
				next[i] = (1.0 - damping) * (next[i] + dangling * prior[i]) + damping * prior[i];
			}
			t = next;
		}
		t
	}

	fn graph() -> Vec<Edge> {
		let e = |consumer, provider, units| Edge { consumer, provider, units };
		vec![
			e(0, 1, 100),
			e(1, 0, 50),
			e(2, 0, 30),
			e(2, 1, 70),
			e(3, 2, 10),
			e(0, 3, 5),
			e(4, 1, 1),
		]
	}

	#[test]
	fn eigentrust_matches_a_floating_point_reference() {
		let edges = graph();
		for (pretrusted, damping) in [(vec![], 15u32), (vec![0, 2], 20), (vec![4], 50)] {
			let result = eigentrust(
				6,
				&edges,
				&pretrusted,
				Perbill::from_percent(damping),
				40,
				FixedU128::zero(),
			);
			let expected = reference(6, &edges, &pretrusted, damping as f64 / 100.0, 40);
			for (got, want) in result.trust.iter().zip(&expected) {
				assert!((to_f64(*got) - want).abs() < 1e-9, "{:?} vs {expected:?}", result.trust);
			}
			let sum: f64 = result.trust.iter().map(|t| to_f64(*t)).sum();
			assert!((sum - 1.0).abs() < 1e-9, "trust sums to {sum}");
		}
	}

	#[test]
	fn eigentrust_stops_at_the_tolerance() {
		let result = eigentrust(
			6,
			&graph(),
			&[0],
			Perbill::from_percent(15),
			1_000,
			FixedU128::from_rational(1, 1_000_000),
		);
		assert!(result.iterations < 1_000);
		assert!(result.residual <= FixedU128::from_rational(1, 1_000_000));
	}

	#[test]
	fn slicing_the_edges_does_not_change_an_iteration() {
		let edges = graph();
		let consumed = {
			let mut c = vec![0u128; 6];
			edges.iter().for_each(|e| c[e.consumer as usize] += e.units);
			c
		};
		let trust = pretrusted_distribution(6, &[]);
		let mut whole = vec![FixedU128::zero(); 6];
		accumulate_trust(&edges, &trust, &consumed, &mut whole);
		let mut sliced = vec![FixedU128::zero(); 6];
		for chunk in edges.chunks(2) {
			accumulate_trust(chunk, &trust, &consumed, &mut sliced);
		}
		assert_eq!(whole, sliced);
	}

	#[test]
	fn sybils_that_only_serve_each_other_gain_no_trust_beyond_the_damping() {
		// Honest peers 0..4 serve each other; the attacker 4 and its Sybils 5..12 fake huge
		// service among themselves, and nobody honest ever consumed from them.
		let mut edges = vec![];
		for c in 0..4u32 {
			for p in 0..4u32 {
				if c != p {
					edges.push(Edge { consumer: c, provider: p, units: 1_000 });
				}
			}
		}
		for c in 4..13u32 {
			for p in 4..13u32 {
				if c != p {
					edges.push(Edge { consumer: c, provider: p, units: 1_000_000_000 });
				}
			}
		}
		let result =
			eigentrust(13, &edges, &[0, 1], Perbill::from_percent(15), 60, FixedU128::zero());
		let sybil_trust: f64 = result.trust[4..].iter().map(|t| to_f64(*t)).sum();
		// Pre-trust sits with honest peers, so trust enters the Sybil clique only through the
		// dangling term (none here): the clique ends with nothing.
		assert!(sybil_trust < 1e-12, "Sybils gained {sybil_trust}");
		let honest: f64 = result.trust[..4].iter().map(|t| to_f64(*t)).sum();
		assert!((honest - 1.0).abs() < 1e-9);
	}

	/// The worked example of `docs/reputation.md`.
	#[test]
	fn the_documented_example() {
		let (a, b, c) = (0u32, 1u32, 2u32);
		let edges = [
			Edge { consumer: a, provider: b, units: 100 },
			Edge { consumer: b, provider: c, units: 50 },
		];
		let half = Perbill::from_percent(50);
		let run = |iterations| eigentrust(3, &edges, &[a], half, iterations, FixedU128::zero());
		let f = |v: &[FixedU128]| v.iter().map(|x| to_f64(*x)).collect::<Vec<_>>();
		assert_eq!(f(&run(1).trust), vec![0.5, 0.5, 0.0]);
		assert_eq!(f(&run(2).trust), vec![0.5, 0.25, 0.25]);
		assert_eq!(f(&run(3).trust), vec![0.625, 0.25, 0.125]);
		let fixed = f(&run(200).trust);
		for (got, want) in fixed.iter().zip([4.0 / 7.0, 2.0 / 7.0, 1.0 / 7.0]) {
			assert!((got - want).abs() < 1e-12, "{fixed:?}");
		}
		let weights: Vec<Perbill> =
			run(200).trust.iter().map(|t| trust_weight(*t, 3, half)).collect();
		assert_eq!(weights[0], Perbill::one());
		assert_eq!(weights[1], Perbill::one());
		// 6/7 of 700 is 600; the fixed point rounds each step down, so 599.
		assert_eq!(weights[2].mul_floor(700u128), 599);
	}

	#[test]
	fn a_group_holds_no_more_than_honest_peers_give_it_at_half_damping() {
		// Honest 0..6 (0 and 1 pre-trusted) serve each other; attacker 6 serves honest 0..3 and
		// runs a clique 6..15 with fake receipts of every size.
		for fake in [1u128, 1_000, 1_000_000_000_000] {
			let mut edges = vec![];
			for c in 0..6u32 {
				for p in 0..6u32 {
					if c != p {
						edges.push(Edge { consumer: c, provider: p, units: 1_000 });
					}
				}
			}
			for c in 0..3u32 {
				edges.push(Edge { consumer: c, provider: 6, units: 1_000 });
			}
			for c in 6..15u32 {
				for p in 6..15u32 {
					if c != p {
						edges.push(Edge { consumer: c, provider: p, units: fake });
					}
				}
			}
			let half = Perbill::from_percent(50);
			let t = eigentrust(15, &edges, &[0, 1], half, 200, FixedU128::zero()).trust;
			let region: f64 = t[6..].iter().map(|x| to_f64(*x)).sum();
			let consumed =
				|c: u32| edges.iter().filter(|e| e.consumer == c).map(|e| e.units).sum::<u128>();
			let gave: f64 = edges
				.iter()
				.filter(|e| e.consumer < 6 && e.provider >= 6)
				.map(|e| {
					to_f64(t[e.consumer as usize]) * e.units as f64 / consumed(e.consumer) as f64
				})
				.sum();
			assert!(region <= gave * (1.0 + 1e-9), "fake {fake}: {region} > {gave}");
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
