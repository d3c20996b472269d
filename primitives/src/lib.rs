//! # Repute primitives
//!
//! The formats that the chain, the overlay library and clients in any language must agree on,
//! byte for byte. `docs/receipts.md` specifies them with a worked example.
//!
//! A [`Receipt`] states that `provider` has given `consumer` a total of `cumulative_units` of
//! service `service` so far, as of `sequence` and `timestamp_ms`, on the chain whose genesis
//! block is `genesis_hash`. Both parties sign [`Receipt::signing_payload`]: the
//! [`RECEIPT_DOMAIN_TAG`] followed by the SCALE encoding of the receipt. Because receipts are
//! cumulative, only a pair's newest receipt ever needs to reach the chain.
//!
//! [`peer_id`] maps a libp2p ed25519 `PeerId` to the account it is, and back. [`reputation`]
//! holds what the chain answers about a peer (its admission decision, subjective trust, report
//! and partners) and [`parameters`] what governance sets. [`payments`] holds a payment channel
//! and the rule by which a recorded receipt pays through it; [`pricing`] the rule by which a
//! service's reference price follows load.
//!
//! This crate is `no_std` and free of FRAME, so an app can depend on it without building a
//! runtime.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod parameters;
pub mod payments;
pub mod peer_id;
pub mod pricing;
pub mod reputation;
pub mod synthetic;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Prefixes every signed receipt payload, so that a receipt signature can never be mistaken for
/// (or replayed as) a transaction or any other signed message.
pub const RECEIPT_DOMAIN_TAG: &[u8; 16] = b"repute/receipt/1";

/// A numeric service identifier: what kind of units a receipt counts. Apps agree on meanings
/// (for example 0 = bandwidth bytes, 1 = storage byte-hours, 2 = CPU milliseconds).
pub type ServiceId = u32;

/// The cumulative statement of service between one provider and one consumer.
///
/// Field order is the wire order: SCALE encodes the fields one after the other.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Receipt<AccountId, Hash> {
	/// The genesis hash of the chain this receipt is for; it stops replays on other chains.
	pub genesis_hash: Hash,
	/// The peer that gave the service.
	pub provider: AccountId,
	/// The peer that received the service.
	pub consumer: AccountId,
	/// Which service the units count.
	pub service: ServiceId,
	/// Strictly increases with each receipt of this (provider, consumer, service).
	pub sequence: u64,
	/// All units of `service` that `provider` has given `consumer` so far; never decreases.
	pub cumulative_units: u128,
	/// When the parties signed, in milliseconds since the Unix epoch.
	pub timestamp_ms: u64,
}

impl<AccountId: Encode, Hash: Encode> Receipt<AccountId, Hash> {
	/// The exact bytes both parties sign: the domain tag, then the SCALE-encoded receipt.
	pub fn signing_payload(&self) -> Vec<u8> {
		let mut payload = Vec::with_capacity(RECEIPT_DOMAIN_TAG.len() + self.size_hint());
		payload.extend_from_slice(RECEIPT_DOMAIN_TAG);
		self.encode_to(&mut payload);
		payload
	}

	/// The receipt with both parties' signatures of its signing payload, made by `provider` and
	/// `consumer` (each given the payload bytes): what two peers hold once they agree.
	pub fn cosign<Signature>(
		self,
		provider: impl FnOnce(&[u8]) -> Signature,
		consumer: impl FnOnce(&[u8]) -> Signature,
	) -> SignedReceipt<AccountId, Hash, Signature> {
		let payload = self.signing_payload();
		SignedReceipt {
			provider_signature: provider(&payload),
			consumer_signature: consumer(&payload),
			receipt: self,
		}
	}
}

/// A receipt with both parties' signatures over its [`Receipt::signing_payload`].
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SignedReceipt<AccountId, Hash, Signature> {
	/// What both parties agree on.
	pub receipt: Receipt<AccountId, Hash>,
	/// The provider's signature of the signing payload.
	pub provider_signature: Signature,
	/// The consumer's signature of the signing payload.
	pub consumer_signature: Signature,
}

/// Whether two receipts of the same (provider, consumer, service) contradict each other, which
/// proves that whoever signed both equivocated: the same sequence with different units, or a
/// higher sequence with fewer units. Receipts of different pairs, services or chains never
/// contradict each other.
pub fn receipts_contradict<AccountId: PartialEq, Hash: PartialEq>(
	a: &Receipt<AccountId, Hash>,
	b: &Receipt<AccountId, Hash>,
) -> bool {
	if a.genesis_hash != b.genesis_hash
		|| a.provider != b.provider
		|| a.consumer != b.consumer
		|| a.service != b.service
	{
		return false;
	}
	match a.sequence.cmp(&b.sequence) {
		core::cmp::Ordering::Equal => a.cumulative_units != b.cumulative_units,
		core::cmp::Ordering::Greater => a.cumulative_units < b.cumulative_units,
		core::cmp::Ordering::Less => a.cumulative_units > b.cumulative_units,
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::{sr25519, Pair, H256};
	use sp_runtime::{traits::Verify, AccountId32, MultiSignature};

	fn receipt(sequence: u64, units: u128) -> Receipt<AccountId32, H256> {
		Receipt {
			genesis_hash: H256::repeat_byte(7),
			provider: AccountId32::new([1; 32]),
			consumer: AccountId32::new([2; 32]),
			service: 0,
			sequence,
			cumulative_units: units,
			timestamp_ms: 1_700_000_000_000,
		}
	}

	#[test]
	fn payload_is_tag_then_fields_in_order() {
		let r = receipt(5, 1000);
		let payload = r.signing_payload();
		assert_eq!(&payload[..16], RECEIPT_DOMAIN_TAG);
		let mut expected = RECEIPT_DOMAIN_TAG.to_vec();
		expected.extend_from_slice(&[7; 32]);
		expected.extend_from_slice(&[1; 32]);
		expected.extend_from_slice(&[2; 32]);
		expected.extend_from_slice(&0u32.to_le_bytes());
		expected.extend_from_slice(&5u64.to_le_bytes());
		expected.extend_from_slice(&1000u128.to_le_bytes());
		expected.extend_from_slice(&1_700_000_000_000u64.to_le_bytes());
		assert_eq!(payload, expected);
		assert_eq!(payload.len(), 16 + 32 + 32 + 32 + 4 + 8 + 16 + 8);
	}

	#[test]
	fn a_signature_over_the_payload_verifies_against_the_account() {
		let pair = sr25519::Pair::from_seed(&[3; 32]);
		let mut r = receipt(1, 10);
		r.provider = AccountId32::from(pair.public());
		let signature = MultiSignature::from(pair.sign(&r.signing_payload()));
		assert!(signature.verify(&r.signing_payload()[..], &r.provider));
		r.cumulative_units += 1;
		assert!(!signature.verify(&r.signing_payload()[..], &r.provider));
	}

	#[test]
	fn contradiction_rules() {
		assert!(receipts_contradict(&receipt(3, 10), &receipt(3, 11)));
		assert!(receipts_contradict(&receipt(4, 9), &receipt(3, 10)));
		assert!(receipts_contradict(&receipt(3, 10), &receipt(4, 9)));
		assert!(!receipts_contradict(&receipt(3, 10), &receipt(3, 10)));
		assert!(!receipts_contradict(&receipt(4, 10), &receipt(3, 10)));
		assert!(!receipts_contradict(&receipt(4, 12), &receipt(3, 10)));
		let mut other_service = receipt(3, 11);
		other_service.service = 1;
		assert!(!receipts_contradict(&receipt(3, 10), &other_service));
	}
}

/// The worked example of `docs/receipts.md`, pinned so that the document and the code cannot
/// drift apart: if this test fails, the wire format changed.
#[cfg(test)]
mod worked_example {
	use super::*;
	use sp_core::{ed25519, Pair, H256};
	use sp_runtime::{traits::Verify, AccountId32, MultiSignature};

	const PROVIDER_PUBLIC: &str =
		"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
	const CONSUMER_PUBLIC: &str =
		"8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394";
	const PAYLOAD: &str = concat!(
		"7265707574652f726563656970742f31",
		"1111111111111111111111111111111111111111111111111111111111111111",
		"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c",
		"8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394",
		"00000000",
		"0300000000000000",
		"00001000000000000000000000000000",
		"00e897b69a010000",
	);
	const PROVIDER_SIGNATURE: &str = concat!(
		"8f32d18ba1b73e079e9e48820b7feaa43e12ffc182f177aab665770805ccffae",
		"b290dcbb9d67fea7e95fb53a1051492bc1ff6728365ecf24696c0d161ebb6e0c",
	);
	const CONSUMER_SIGNATURE: &str = concat!(
		"3e4575271fb85ccb1fc422e56e8b377a6ee0b6b31ae0d46f48c28ad222bed783",
		"e52447da9a678999890b909afd2e453c65ae62253e9845fddbb558fb2aeaea01",
	);

	fn hex(bytes: &[u8]) -> String {
		bytes.iter().map(|b| format!("{b:02x}")).collect()
	}

	#[test]
	fn the_documented_receipt_encodes_and_signs_as_documented() {
		let provider = ed25519::Pair::from_seed(&[0x01; 32]);
		let consumer = ed25519::Pair::from_seed(&[0x02; 32]);
		assert_eq!(hex(&provider.public().0), PROVIDER_PUBLIC);
		assert_eq!(hex(&consumer.public().0), CONSUMER_PUBLIC);

		let receipt = Receipt {
			genesis_hash: H256::repeat_byte(0x11),
			provider: AccountId32::from(provider.public().0),
			consumer: AccountId32::from(consumer.public().0),
			service: 0,
			sequence: 3,
			cumulative_units: 1_048_576,
			timestamp_ms: 1_764_000_000_000,
		};
		let payload = receipt.signing_payload();
		assert_eq!(hex(&payload), PAYLOAD);
		// Ed25519 signatures are deterministic, so they are part of the example too.
		assert_eq!(hex(&provider.sign(&payload).0), PROVIDER_SIGNATURE);
		assert_eq!(hex(&consumer.sign(&payload).0), CONSUMER_SIGNATURE);

		// As submitted on chain: the receipt, then each signature as a MultiSignature, whose
		// first byte 0x00 says ed25519.
		let signed = SignedReceipt {
			provider_signature: MultiSignature::from(provider.sign(&payload)),
			consumer_signature: MultiSignature::from(consumer.sign(&payload)),
			receipt: receipt.clone(),
		};
		let expected = format!(
			"{}00{PROVIDER_SIGNATURE}00{CONSUMER_SIGNATURE}",
			&PAYLOAD[2 * RECEIPT_DOMAIN_TAG.len()..]
		);
		assert_eq!(hex(&signed.encode()), expected);
		assert!(signed.provider_signature.verify(&payload[..], &receipt.provider));
		assert!(signed.consumer_signature.verify(&payload[..], &receipt.consumer));
	}
}
