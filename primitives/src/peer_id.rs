//! libp2p peer ids and Repute accounts.
//!
//! The `PeerId` of an ed25519 libp2p key is the *identity* multihash of the protobuf-encoded
//! public key, so it contains the key itself:
//!
//! ```text
//! 00 24 | 08 01 12 20 | <32-byte ed25519 public key>
//! identity multihash, 36 bytes | protobuf PublicKey { Type: Ed25519, Data: 32 bytes }
//! ```
//!
//! A Repute account of an ed25519 signer is exactly that 32-byte public key, so each such
//! `PeerId` maps to one account and back. Other key types (secp256k1, RSA, ECDSA) hash or embed
//! keys differently and have no Repute account of their own.

use alloc::{string::String, vec::Vec};

/// The multihash and protobuf prefix of every ed25519 `PeerId`.
const ED25519_PEER_ID_PREFIX: [u8; 6] = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20];

/// Why a string or byte sequence is not the `PeerId` of an ed25519 key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerIdError {
	/// Not base58.
	NotBase58,
	/// Base58, but not the 38 bytes of an ed25519 identity multihash (another key type, or not
	/// a peer id at all).
	NotEd25519,
}

impl core::fmt::Display for PeerIdError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.write_str(match self {
			PeerIdError::NotBase58 => "a peer id is base58, and this is not",
			PeerIdError::NotEd25519 => {
				"not the peer id of an ed25519 key (only ed25519 peers have a Repute account)"
			}
		})
	}
}

/// The ed25519 public key (the Repute account) inside a binary `PeerId`.
pub fn ed25519_key_from_peer_id_bytes(bytes: &[u8]) -> Result<[u8; 32], PeerIdError> {
	let key = bytes.strip_prefix(&ED25519_PEER_ID_PREFIX[..]).ok_or(PeerIdError::NotEd25519)?;
	key.try_into().map_err(|_| PeerIdError::NotEd25519)
}

/// The ed25519 public key (the Repute account) of a `PeerId` in its usual base58 text form.
pub fn ed25519_key_from_peer_id(text: &str) -> Result<[u8; 32], PeerIdError> {
	let bytes = bs58::decode(text).into_vec().map_err(|_| PeerIdError::NotBase58)?;
	ed25519_key_from_peer_id_bytes(&bytes)
}

/// The binary `PeerId` of an ed25519 public key.
pub fn peer_id_bytes_of_ed25519_key(key: &[u8; 32]) -> Vec<u8> {
	let mut bytes = Vec::with_capacity(ED25519_PEER_ID_PREFIX.len() + key.len());
	bytes.extend_from_slice(&ED25519_PEER_ID_PREFIX);
	bytes.extend_from_slice(key);
	bytes
}

/// The base58 `PeerId` of an ed25519 public key, as libp2p prints it (`12D3KooW...`).
pub fn peer_id_of_ed25519_key(key: &[u8; 32]) -> String {
	bs58::encode(peer_id_bytes_of_ed25519_key(key)).into_string()
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::{ed25519, Pair};

	/// `repute-node key inspect-node-key` prints this peer id for the node key 0x00..01 (an
	/// ed25519 secret seed), so it is what libp2p derives from that key.
	const PEER_ID_OF_SEED_ONE: &str = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";

	fn public_of_seed_one() -> [u8; 32] {
		let mut seed = [0u8; 32];
		seed[31] = 1;
		ed25519::Pair::from_seed(&seed).public().0
	}

	#[test]
	fn a_libp2p_peer_id_holds_its_ed25519_key() {
		assert_eq!(ed25519_key_from_peer_id(PEER_ID_OF_SEED_ONE), Ok(public_of_seed_one()));
		assert_eq!(peer_id_of_ed25519_key(&public_of_seed_one()), PEER_ID_OF_SEED_ONE);
	}

	#[test]
	fn other_inputs_are_refused_with_a_reason() {
		assert_eq!(ed25519_key_from_peer_id("0OIl"), Err(PeerIdError::NotBase58));
		// A secp256k1 peer id (16Uiu2...) is valid base58 but not ed25519.
		assert_eq!(
			ed25519_key_from_peer_id("16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY"),
			Err(PeerIdError::NotEd25519)
		);
		assert_eq!(ed25519_key_from_peer_id_bytes(&[0x00, 0x24]), Err(PeerIdError::NotEd25519));
		let mut too_long = peer_id_bytes_of_ed25519_key(&[7; 32]);
		too_long.push(0);
		assert_eq!(ed25519_key_from_peer_id_bytes(&too_long), Err(PeerIdError::NotEd25519));
	}
}
