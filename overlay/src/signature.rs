//! [`MultiSignature`]: the signatures Repute's runtime accepts, for receipts and transactions.
//!
//! The runtime's type is `sp_runtime::MultiSignature`; this one encodes and decodes to the same
//! bytes (variant indices 0 to 3, the raw signature after them) and verifies the same way, so a
//! receipt signed here is accepted on chain. It lives here so that an app that embeds the
//! overlay does not compile `sp-runtime`, which brings `sp-io`, the state machine and the trie
//! (the tests check both properties against `sp-runtime` itself, a dev-dependency).

use codec::{Decode, Encode};
use sp_core::{crypto::AccountId32, ecdsa, ed25519, sr25519, Pair};
use sp_crypto_hashing::{blake2_256, keccak_256};

/// A signature of any of the kinds the runtime accepts.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub enum MultiSignature {
	/// An ed25519 signature: the account is the public key (every overlay peer).
	#[codec(index = 0)]
	Ed25519(ed25519::Signature),
	/// An sr25519 signature: the account is the public key.
	#[codec(index = 1)]
	Sr25519(sr25519::Signature),
	/// An ECDSA (secp256k1) signature of the message's blake2-256 hash: the account is the
	/// blake2-256 hash of the compressed public key.
	#[codec(index = 2)]
	Ecdsa(ecdsa::Signature),
	/// An ECDSA signature of the message's keccak-256 hash: the account is the Ethereum address
	/// of the key followed by twelve `0xEE` bytes.
	#[codec(index = 3)]
	Eth(ecdsa::KeccakSignature),
}

impl MultiSignature {
	/// Whether this is `signer`'s signature of `message`, by the runtime's rules.
	pub fn verify(&self, message: &[u8], signer: &AccountId32) -> bool {
		let who: &[u8; 32] = signer.as_ref();
		match self {
			Self::Ed25519(signature) => {
				ed25519::Pair::verify(signature, message, &ed25519::Public::from_raw(*who))
			}
			Self::Sr25519(signature) => {
				sr25519::Pair::verify(signature, message, &sr25519::Public::from_raw(*who))
			}
			Self::Ecdsa(signature) => signature
				.recover_prehashed(&blake2_256(message))
				.is_some_and(|public| blake2_256(public.as_ref()) == *who),
			Self::Eth(signature) => {
				signature.recover_prehashed(&keccak_256(message)).is_some_and(|public| {
					let mut account = [0xEE; 32];
					account[..20].copy_from_slice(&keccak_256(public.as_ref())[12..]);
					account == *who
				})
			}
		}
	}
}

impl From<ed25519::Signature> for MultiSignature {
	fn from(signature: ed25519::Signature) -> Self {
		Self::Ed25519(signature)
	}
}

impl From<sr25519::Signature> for MultiSignature {
	fn from(signature: sr25519::Signature) -> Self {
		Self::Sr25519(signature)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_runtime::traits::{IdentifyAccount, Verify};

	fn runtimes(signature: &MultiSignature) -> sp_runtime::MultiSignature {
		let bytes = signature.encode();
		let decoded = sp_runtime::MultiSignature::decode(&mut &bytes[..]).expect("the same type");
		assert_eq!(decoded.encode(), bytes, "encodes as the runtime's type");
		assert_eq!(MultiSignature::decode(&mut &bytes[..]).unwrap(), *signature);
		decoded
	}

	/// Each kind encodes to the bytes of `sp_runtime::MultiSignature` and verifies exactly
	/// when the runtime's verifies, for the right and a wrong message and signer.
	#[test]
	fn every_kind_encodes_and_verifies_as_the_runtimes() {
		let message = b"a receipt's signing payload";
		let ed = ed25519::Pair::from_seed(&[1; 32]);
		let sr = sr25519::Pair::from_seed(&[2; 32]);
		let ec = ecdsa::Pair::from_seed(&[3; 32]);
		let eth = ecdsa::KeccakPair::from_seed(&[4; 32]);
		let cases: Vec<(MultiSignature, AccountId32)> = vec![
			(ed.sign(message).into(), sp_runtime::MultiSigner::from(ed.public()).into_account()),
			(sr.sign(message).into(), sp_runtime::MultiSigner::from(sr.public()).into_account()),
			(
				MultiSignature::Ecdsa(ec.sign(message)),
				sp_runtime::MultiSigner::from(ec.public()).into_account(),
			),
			(
				MultiSignature::Eth(eth.sign(message)),
				sp_runtime::MultiSigner::Eth(eth.public()).into_account(),
			),
		];
		let stranger = AccountId32::new([9; 32]);
		for (index, (signature, signer)) in cases.iter().enumerate() {
			assert_eq!(signature.encode()[0], index as u8);
			let theirs = runtimes(signature);
			for (text, who) in [(&message[..], signer), (&b"another payload"[..], signer)]
				.into_iter()
				.chain([(&message[..], &stranger)])
			{
				assert_eq!(
					signature.verify(text, who),
					theirs.verify(text, who),
					"kind {index}, message {text:?}"
				);
			}
			assert!(signature.verify(message, signer), "kind {index} verifies");
		}
	}

	#[test]
	fn bytes_that_are_no_signature_do_not_decode() {
		for bytes in [&[4u8; 65][..], &[0; 10][..], &[][..]] {
			assert!(MultiSignature::decode(&mut &bytes[..]).is_err(), "{bytes:?}");
		}
	}
}
