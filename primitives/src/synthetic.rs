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

/// The `k`-th provider of synthetic peer `consumer`, never the consumer itself.
pub fn provider(consumer: u32, k: u32, peers: u32) -> u32 {
	if peers < 2 {
		return 0;
	}
	let step = 1 + (u64::from(k) * 7_919) % (u64::from(peers) - 1);
	((u64::from(consumer) + step) % u64::from(peers)) as u32
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
}
