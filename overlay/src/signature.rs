//! [`MultiSignature`]: the signatures Repute's runtime accepts, for receipts and transactions.
//!
//! The runtime's type is `sp_runtime::MultiSignature`; this one encodes and decodes to the same
//! bytes (variant indices 0 to 3, the raw signature after them) and verifies the same way, so a
//! receipt signed here is accepted on chain. It lives here so that an app that embeds the
//! overlay does not compile `sp-runtime`, which brings `sp-io`, the state machine and the trie
//! (the tests check both properties against `sp-runtime` itself, a dev-dependency).

use crate::AccountId32;
use codec::{Decode, Encode};
use sp_crypto_hashing::{blake2_256, keccak_256};

/// The context sr25519 signatures are made in on Substrate chains.
pub(crate) const SR25519_CONTEXT: &[u8] = b"substrate";

/// A signature of any of the kinds the runtime accepts, as its raw bytes.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub enum MultiSignature {
	/// An ed25519 signature: the account is the public key (every overlay peer).
	#[codec(index = 0)]
	Ed25519([u8; 64]),
	/// An sr25519 signature (in Substrate's `"substrate"` signing context): the account is the
	/// public key.
	#[codec(index = 1)]
	Sr25519([u8; 64]),
	/// An ECDSA (secp256k1) signature of the message's blake2-256 hash, with its recovery id
	/// last: the account is the blake2-256 hash of the compressed public key.
	#[codec(index = 2)]
	Ecdsa([u8; 65]),
	/// An ECDSA signature of the message's keccak-256 hash: the account is the Ethereum address
	/// of the key followed by twelve `0xEE` bytes.
	#[codec(index = 3)]
	Eth([u8; 65]),
}

impl MultiSignature {
	/// Whether this is `signer`'s signature of `message`, by the runtime's rules: ed25519 by
	/// ZIP-215 (`ed25519-zebra`, as `sp-core`), sr25519 by `schnorrkel`, ECDSA by public key
	/// recovery.
	pub fn verify(&self, message: &[u8], signer: &AccountId32) -> bool {
		let who: &[u8; 32] = signer.as_ref();
		match self {
			Self::Ed25519(signature) => ed25519_zebra::VerificationKey::try_from(&who[..])
				.is_ok_and(|key| {
					key.verify(&ed25519_zebra::Signature::from_bytes(signature), message).is_ok()
				}),
			Self::Sr25519(signature) => {
				let (Ok(signature), Ok(key)) = (
					schnorrkel::Signature::from_bytes(signature),
					schnorrkel::PublicKey::from_bytes(who),
				) else {
					return false;
				};
				key.verify_simple(SR25519_CONTEXT, message, &signature).is_ok()
			}
			Self::Ecdsa(signature) => recover_compressed(signature, &blake2_256(message))
				.is_some_and(|public| blake2_256(&public) == *who),
			Self::Eth(signature) => recover_compressed(signature, &keccak_256(message))
				.is_some_and(|public| {
					let mut account = [0xEE; 32];
					account[..20].copy_from_slice(&keccak_256(&public)[12..]);
					account == *who
				}),
		}
	}
}

/// The compressed secp256k1 public key that made `signature` (`r`, `s`, then the recovery id
/// `v`) of the 32-byte `digest`, if any, as the runtime's host function recovers it: `v` is 0 to
/// 3 or the same plus 27, and a high-`s` signature recovers (with `s` normalized and the parity
/// of `v` flipped, which names the same key).
fn recover_compressed(signature: &[u8; 65], digest: &[u8; 32]) -> Option<[u8; 33]> {
	use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
	let v = signature[64];
	let recovery = RecoveryId::from_byte(if v > 26 { v.wrapping_sub(27) } else { v })?;
	let parsed = Signature::from_slice(&signature[..64]).ok()?;
	let (parsed, recovery) = match parsed.normalize_s() {
		Some(low) => (low, RecoveryId::new(!recovery.is_y_odd(), recovery.is_x_reduced())),
		None => (parsed, recovery),
	};
	let key = VerifyingKey::recover_from_prehash(digest, &parsed, recovery).ok()?;
	key.to_encoded_point(true).as_bytes().try_into().ok()
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;
	use sp_core::{ecdsa, ed25519, sr25519, Pair};
	use sp_runtime::traits::{IdentifyAccount, Verify};

	fn runtimes(signature: &MultiSignature) -> sp_runtime::MultiSignature {
		let bytes = signature.encode();
		let decoded = sp_runtime::MultiSignature::decode(&mut &bytes[..]).expect("the same type");
		assert_eq!(decoded.encode(), bytes, "encodes as the runtime's type");
		assert_eq!(MultiSignature::decode(&mut &bytes[..]).unwrap(), *signature);
		decoded
	}

	fn account(signer: sp_runtime::MultiSigner) -> AccountId32 {
		AccountId32::new(signer.into_account().into())
	}

	/// Whether ours and the runtime's agree on `signature` for `message` by `who`.
	fn agree(signature: &MultiSignature, message: &[u8], who: &AccountId32) -> bool {
		let theirs = runtimes(signature);
		let runtime_account = sp_runtime::AccountId32::new(who.to_bytes());
		signature.verify(message, who) == theirs.verify(message, &runtime_account)
	}

	/// secp256k1's group order: `s` above half of it is "high".
	const ORDER: [u8; 32] = [
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36,
		0x41, 0x41,
	];

	/// The same signature with `s` replaced by `n - s` and the parity of `v` flipped (another
	/// valid encoding of it, which the runtime's libsecp256k1 accepts).
	fn high_s(signature: [u8; 65]) -> [u8; 65] {
		let mut out = signature;
		let mut borrow = 0i16;
		for i in (0..32).rev() {
			let difference = i16::from(ORDER[i]) - i16::from(signature[32 + i]) - borrow;
			borrow = i16::from(difference < 0);
			out[32 + i] = difference.rem_euclid(256) as u8;
		}
		out[64] ^= 1;
		out
	}

	/// Each kind encodes to the bytes of `sp_runtime::MultiSignature` and verifies exactly
	/// when the runtime's verifies, for the right and a wrong message and signer, and for the
	/// other encodings of an ECDSA signature the runtime accepts (`v` + 27, high `s`).
	#[test]
	fn every_kind_encodes_and_verifies_as_the_runtimes() {
		let message = b"a receipt's signing payload";
		let ed = ed25519::Pair::from_seed(&[1; 32]);
		let sr = sr25519::Pair::from_seed(&[2; 32]);
		let ec = ecdsa::Pair::from_seed(&[3; 32]);
		let eth = ecdsa::KeccakPair::from_seed(&[4; 32]);
		let ec_signature = ec.sign(message).0;
		let eth_signature = eth.sign(message).0;
		let ec_account = account(ec.public().into());
		let eth_account = account(sp_runtime::MultiSigner::Eth(eth.public()));
		let with_v_plus_27 = |mut signature: [u8; 65]| {
			signature[64] += 27;
			signature
		};
		let cases: Vec<(MultiSignature, AccountId32)> = vec![
			(MultiSignature::Ed25519(ed.sign(message).0), account(ed.public().into())),
			(MultiSignature::Sr25519(sr.sign(message).0), account(sr.public().into())),
			(MultiSignature::Ecdsa(ec_signature), ec_account.clone()),
			(MultiSignature::Eth(eth_signature), eth_account.clone()),
			(MultiSignature::Ecdsa(with_v_plus_27(ec_signature)), ec_account.clone()),
			(MultiSignature::Ecdsa(high_s(ec_signature)), ec_account.clone()),
			(MultiSignature::Eth(high_s(eth_signature)), eth_account.clone()),
			(MultiSignature::Eth(with_v_plus_27(high_s(eth_signature))), eth_account.clone()),
		];
		let stranger = AccountId32::new([9; 32]);
		for (index, (signature, signer)) in cases.iter().enumerate() {
			if index < 4 {
				assert_eq!(signature.encode()[0], index as u8);
			}
			for (text, who) in [(&message[..], signer), (&b"another payload"[..], signer)]
				.into_iter()
				.chain([(&message[..], &stranger)])
			{
				assert!(agree(signature, text, who), "case {index}, message {text:?}");
			}
			assert!(signature.verify(message, signer), "case {index} verifies");
		}
	}

	#[test]
	fn signatures_made_here_verify_on_chain() {
		let message = b"a transaction's payload";
		let sr = schnorrkel::MiniSecretKey::from_bytes(&[5; 32])
			.unwrap()
			.expand_to_keypair(schnorrkel::ExpansionMode::Ed25519);
		let signature =
			MultiSignature::Sr25519(sr.sign_simple(SR25519_CONTEXT, message).to_bytes());
		let signer = sp_runtime::AccountId32::new(sr.public.to_bytes());
		assert!(runtimes(&signature).verify(&message[..], &signer));
		assert!(signature.verify(message, &AccountId32::new(sr.public.to_bytes())));
	}

	#[test]
	fn bytes_that_are_no_signature_do_not_decode() {
		for bytes in [&[4u8; 65][..], &[0; 10][..], &[][..]] {
			assert!(MultiSignature::decode(&mut &bytes[..]).is_err(), "{bytes:?}");
		}
	}

	proptest! {
		/// Arbitrary bytes as a signature of any kind: ours accepts exactly what the runtime's
		/// accepts (malformed keys, points and scalars, high `s`, every `v`), for an arbitrary
		/// signer and, for ECDSA, for the key the runtime's own library recovers.
		#[test]
		fn garbage_verifies_as_the_runtimes(
			kind in 0u8..4,
			bytes in proptest::collection::vec(any::<u8>(), 65),
			who in any::<[u8; 32]>(),
			v in prop_oneof![0u8..4, 27u8..31, any::<u8>()],
			recovered in any::<bool>(),
		) {
			let mut signature = [0u8; 65];
			signature.copy_from_slice(&bytes);
			signature[64] = v;
			let mut short = [0u8; 64];
			short.copy_from_slice(&bytes[..64]);
			let message = b"message";
			let mut who = who;
			let normalized_v = if v > 26 { v.wrapping_sub(27) } else { v };
			if recovered && kind >= 2 && normalized_v < 4 {
				let mut runtime = signature;
				runtime[64] = normalized_v;
				let runtime = sp_core::ecdsa::Signature::from_raw(runtime);
				if kind == 2 {
					if let Some(key) = runtime.recover_prehashed(&blake2_256(message)) {
						who = blake2_256(key.as_ref());
					}
				} else if let Some(key) = runtime.recover_prehashed(&keccak_256(message)) {
					// `sp-runtime`'s rule: the keccak-256 of the compressed key.
					who = [0xEE; 32];
					who[..20].copy_from_slice(&keccak_256(key.as_ref())[12..]);
				}
			}
			let signature = match kind {
				0 => MultiSignature::Ed25519(short),
				1 => MultiSignature::Sr25519(short),
				2 => MultiSignature::Ecdsa(signature),
				_ => MultiSignature::Eth(signature),
			};
			prop_assert!(agree(&signature, message, &AccountId32::new(who)));
		}
	}
}
