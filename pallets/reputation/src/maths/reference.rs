//! EigenTrust over a whole in-memory graph: the reference the pallet's epochs, which run the
//! same steps spread over blocks, are tested against. Test-only: it is not compiled into the
//! runtime.

use super::{damp, distance, pass_on, prior_share};
use alloc::vec::Vec;
use sp_arithmetic::{
	traits::{Saturating, Zero},
	FixedU128, Perbill,
};

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

/// Completes one EigenTrust iteration once every edge was accumulated into `next`:
/// `next = (1 − damping) · (next + dangling · pretrusted) + damping · pretrusted`, where
/// `dangling` is the trust of the last iterate that reached no peer of the vector (the trust of
/// peers that consumed nothing, and of edges to peers outside the epoch, which would otherwise
/// leak out of the vector), redistributed like the damping term. `pretrusted` is the damping
/// distribution: it must sum to 1 (see [`pretrusted_distribution`]). Returns the L1 distance
/// between `previous` and the new `next`: the residual that tells when the iteration has
/// converged.
pub fn finish_iteration(
	next: &mut [FixedU128],
	previous: &[FixedU128],
	pretrusted: &[FixedU128],
	damping: Perbill,
) -> FixedU128 {
	let sum = |vector: &[FixedU128]| {
		vector.iter().fold(FixedU128::zero(), |sum, t| sum.saturating_add(*t))
	};
	let dangling = sum(previous).saturating_sub(sum(next));
	let mut residual = FixedU128::zero();
	for (i, value) in next.iter_mut().enumerate() {
		let prior = pretrusted.get(i).copied().unwrap_or_default();
		*value = damp(*value, dangling, prior, damping);
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
	eigentrust_without(peers, &[], edges, pretrusted, damping, max_iterations, tolerance)
}

/// [`eigentrust`] over the peers below `peers` except `absent` ones (peers outside the epoch:
/// their trust stays zero, and what their consumers pass them is dangling).
pub fn eigentrust_without(
	peers: usize,
	absent: &[u32],
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
		for peer in absent {
			if let Some(value) = next.get_mut(*peer as usize) {
				*value = FixedU128::zero();
			}
		}
		residual = finish_iteration(&mut next, &trust, &prior, damping);
		trust = next;
		iterations += 1;
		if residual <= tolerance {
			break;
		}
	}
	TrustResult { trust, iterations, residual }
}

#[cfg(test)]
mod tests {
	use super::*;

	fn to_f64(x: FixedU128) -> f64 {
		x.into_inner() as f64 / 1e18
	}
	/// EigenTrust in f64, written independently from the fixed-point version: the trust of
	/// consumers with no edges and of edges to `absent` peers is dangling.
	fn reference(
		peers: usize,
		absent: &[u32],
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
			let mut dangling: f64 = (0..peers).filter(|i| consumed[*i] == 0.0).map(|i| t[i]).sum();
			for e in edges {
				let c = e.consumer as usize;
				let passed = t[c] * e.units as f64 / consumed[c];
				if absent.contains(&e.provider) {
					dangling += passed;
				} else {
					next[e.provider as usize] += passed;
				}
			}
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
			let expected = reference(6, &[], &edges, &pretrusted, damping as f64 / 100.0, 40);
			for (got, want) in result.trust.iter().zip(&expected) {
				assert!((to_f64(*got) - want).abs() < 1e-9, "{:?} vs {expected:?}", result.trust);
			}
			let sum: f64 = result.trust.iter().map(|t| to_f64(*t)).sum();
			assert!((sum - 1.0).abs() < 1e-9, "trust sums to {sum}");
		}
	}

	#[test]
	fn trust_passed_to_absent_peers_returns_to_the_founders() {
		let edges = graph();
		let half = Perbill::from_percent(50);
		let with_all = eigentrust(6, &edges, &[0], half, 60, FixedU128::zero());
		// Peer 3 left: what 0 passes it is dangling, and 3 passes nothing on to 2.
		let result = eigentrust_without(6, &[3], &edges, &[0], half, 60, FixedU128::zero());
		let expected = reference(6, &[3], &edges, &[0], 0.5, 60);
		for (got, want) in result.trust.iter().zip(&expected) {
			assert!((to_f64(*got) - want).abs() < 1e-9, "{got:?} vs {want}");
		}
		assert_eq!(result.trust[3], FixedU128::zero());
		let sum: f64 = result.trust.iter().map(|t| to_f64(*t)).sum();
		assert!((sum - 1.0).abs() < 1e-9, "trust sums to {sum}");
		assert!(result.trust[0] > with_all.trust[0], "the founder took back the dangling trust");
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

	/// Every member of `members` served every other `units`.
	fn clique(members: core::ops::Range<u32>, units: u128) -> Vec<Edge> {
		members
			.clone()
			.flat_map(|c| members.clone().filter(move |p| *p != c).map(move |p| (c, p)))
			.map(|(consumer, provider)| Edge { consumer, provider, units })
			.collect()
	}

	#[test]
	fn sybils_that_only_serve_each_other_gain_no_trust_beyond_the_damping() {
		// Honest peers 0..4 serve each other; the attacker 4 and its Sybils 5..12 fake huge
		// service among themselves, and nobody honest ever consumed from them.
		let mut edges = vec![];
		edges.extend(clique(0..4, 1_000));
		edges.extend(clique(4..13, 1_000_000_000));
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
	}

	#[test]
	fn a_group_holds_no_more_than_honest_peers_give_it_at_half_damping() {
		// Honest 0..6 (0 and 1 pre-trusted) serve each other; attacker 6 serves honest 0..3 and
		// runs a clique 6..15 with fake receipts of every size.
		for fake in [1u128, 1_000, 1_000_000_000_000] {
			let mut edges = vec![];
			edges.extend(clique(0..6, 1_000));
			for c in 0..3u32 {
				edges.push(Edge { consumer: c, provider: 6, units: 1_000 });
			}
			edges.extend(clique(6..15, fake));
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
}
