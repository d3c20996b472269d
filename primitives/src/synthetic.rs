//! Synthetic populations for benchmarks: a deterministic history of `peers` peers, each served by
//! `partners` others, that the `rpc-bench` genesis preset writes so speed can be measured on a
//! large state. The accounts have no private keys: they exist to be queried.

use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;

/// What to generate.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct SyntheticHistory {
	/// How many peers.
	pub peers: u32,
	/// How many providers served each peer: `peers · partners` pair entries in all.
	pub partners: u32,
	/// Units each provider gave each of its consumers.
	pub units: u128,
}

/// The account of synthetic peer `index`: the index (little endian), then a fixed tag.
pub fn account(index: u32) -> [u8; 32] {
	let mut account = [0u8; 32];
	account[..4].copy_from_slice(&index.to_le_bytes());
	account[4..20].copy_from_slice(b"repute/synthetic");
	account
}

/// The `k`-th provider of synthetic peer `consumer`, never the consumer itself: `partners`
/// consecutive multiples of a prime stride away from a starting offset that a hash of the
/// consumer picks. With one offset for every consumer (until 2026-12-01) the graph was a
/// circulant, whose paths of `h` hops from a peer reach only `9h + 1` peers: trust from a few
/// founders reached a few hundred peers whatever the population. With an offset a consumer of its
/// own, the peers reached grow about tenfold a hop, as in a random graph.
pub fn provider(consumer: u32, k: u32, peers: u32) -> u32 {
	if peers < 2 {
		return 0;
	}
	let others = u64::from(peers) - 1;
	let start = mix(u64::from(consumer)) % others;
	let step = 1 + (start + u64::from(k) * 7_919) % others;
	((u64::from(consumer) + step) % u64::from(peers)) as u32
}

/// SplitMix64's finaliser: a fixed, well-spread hash of `value`.
fn mix(value: u64) -> u64 {
	let mut z = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
	z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
	z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
	z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn providers_are_others_and_distinct() {
		for peers in [2u32, 3, 11, 100_000] {
			for consumer in [0, peers / 2, peers - 1] {
				let chosen: Vec<u32> =
					(0..10.min(peers - 1)).map(|k| provider(consumer, k, peers)).collect();
				assert!(chosen.iter().all(|p| *p != consumer && *p < peers), "{peers} {chosen:?}");
				let mut unique = chosen.clone();
				unique.sort();
				unique.dedup();
				if peers == 100_000 {
					assert_eq!(unique.len(), chosen.len());
				}
			}
		}
		assert_ne!(account(1), account(2));
	}

	/// What `scripts/epoch-bench.sh` relies on: trust spread from four founders of the
	/// `rpc-bench` population (100,000 peers, ten providers each) reaches most peers within the
	/// iterations of an epoch (97,374 in five hops, 99,997 in six). With the same offsets for every
	/// consumer it reached 361 in six hops.
	#[test]
	fn trust_from_four_founders_reaches_most_of_the_population_in_six_hops() {
		let peers = 100_000u32;
		let mut reached = vec![false; peers as usize];
		let mut frontier: Vec<u32> = (0..4).collect();
		for founder in &frontier {
			reached[*founder as usize] = true;
		}
		for _hop in 0..6 {
			let mut next = Vec::new();
			for consumer in frontier {
				for k in 0..10 {
					let provider = provider(consumer, k, peers) as usize;
					if !reached[provider] {
						reached[provider] = true;
						next.push(provider as u32);
					}
				}
			}
			frontier = next;
		}
		let count = reached.iter().filter(|r| **r).count();
		assert!(count > 90_000, "six hops from four founders reached {count} of {peers} peers");
	}
}
