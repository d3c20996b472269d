//! A peer's identity: its libp2p ed25519 keypair *is* its Repute account.
//!
//! The account is the 32-byte ed25519 public key, the same key the `PeerId` carries, so a peer
//! and its account map to each other one to one (`docs/receipts.md`, "Identities"). This module
//! owns that mapping and signing with the key.

use crate::error::IdentityError;
use crate::signature::MultiSignature;
use libp2p::{identity, PeerId};
use sp_core::crypto::AccountId32;
use sp_core::{ed25519, sr25519, Pair};

/// The account of a libp2p peer, if its `PeerId` holds an ed25519 key (what Repute accepts).
pub fn account_of(peer: &PeerId) -> Result<AccountId32, IdentityError> {
	repute_primitives::peer_id::ed25519_key_from_peer_id_bytes(&peer.to_bytes())
		.map(AccountId32::new)
		.map_err(|_| IdentityError::NotEd25519(*peer))
}

/// The libp2p `PeerId` of an account (ed25519 accounts only: any 32 bytes name one).
pub fn peer_of(account: &AccountId32) -> PeerId {
	let bytes = repute_primitives::peer_id::peer_id_bytes_of_ed25519_key(account.as_ref());
	PeerId::from_bytes(&bytes).expect("a well-formed identity multihash of an ed25519 key; qed")
}

/// A peer's keypair, usable by libp2p (to run a swarm) and by Repute (to sign receipts and
/// transactions).
#[derive(Clone)]
pub struct Identity {
	keypair: identity::Keypair,
	signer: ed25519::Pair,
	account: AccountId32,
}

impl Identity {
	/// A fresh random identity.
	pub fn generate() -> Self {
		Self::from_keypair(identity::Keypair::generate_ed25519())
			.expect("a generated ed25519 keypair is ed25519; qed")
	}

	/// The identity of the 32-byte ed25519 secret `seed`.
	pub fn from_seed(seed: [u8; 32]) -> Self {
		let mut seed = seed;
		let secret = identity::ed25519::SecretKey::try_from_bytes(&mut seed)
			.expect("any 32 bytes are an ed25519 secret key; qed");
		Self::from_keypair(identity::ed25519::Keypair::from(secret).into())
			.expect("built from an ed25519 key; qed")
	}

	/// The identity of an existing libp2p keypair, which must be ed25519.
	pub fn from_keypair(keypair: identity::Keypair) -> Result<Self, IdentityError> {
		let ed = keypair
			.clone()
			.try_into_ed25519()
			.map_err(|_| IdentityError::NotEd25519(keypair.public().to_peer_id()))?;
		let signer = ed25519::Pair::from_seed_slice(ed.secret().as_ref())
			.map_err(|_| IdentityError::NotEd25519(keypair.public().to_peer_id()))?;
		let account = AccountId32::new(signer.public().0);
		Ok(Self { keypair, signer, account })
	}

	/// The 32-byte secret seed, to store the identity (keep it private).
	pub fn seed(&self) -> [u8; 32] {
		let ed = self.keypair.clone().try_into_ed25519().expect("checked at construction; qed");
		let mut seed = [0u8; 32];
		seed.copy_from_slice(ed.secret().as_ref());
		seed
	}

	/// The libp2p keypair, to build a swarm with.
	pub fn keypair(&self) -> &identity::Keypair {
		&self.keypair
	}

	/// The libp2p peer id.
	pub fn peer_id(&self) -> PeerId {
		self.keypair.public().to_peer_id()
	}

	/// The Repute account.
	pub fn account(&self) -> &AccountId32 {
		&self.account
	}

	/// Signs `message` with the peer's key.
	pub fn sign(&self, message: &[u8]) -> MultiSignature {
		MultiSignature::Ed25519(self.signer.sign(message))
	}

	/// The identity as a transaction signer.
	pub fn signer(&self) -> Signer {
		Signer::Ed25519(self.signer)
	}
}

impl std::fmt::Debug for Identity {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "Identity({})", self.peer_id())
	}
}

/// A key that signs transactions: a peer's ed25519 key, or an sr25519 key (such as the dev
/// chain's `//Alice`, for funding peers and governance on a test chain).
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // A handful of long-lived signers; boxing buys nothing.
pub enum Signer {
	/// An ed25519 key (every overlay peer).
	Ed25519(ed25519::Pair),
	/// An sr25519 key.
	Sr25519(sr25519::Pair),
}

impl Signer {
	/// An sr25519 key from a secret URI such as `//Alice`.
	pub fn sr25519_from_uri(uri: &str) -> Result<Self, IdentityError> {
		sr25519::Pair::from_string(uri, None)
			.map(Self::Sr25519)
			.map_err(|_| IdentityError::BadSecretUri)
	}

	/// The account that pays for and is the origin of what this key signs.
	pub fn account(&self) -> AccountId32 {
		match self {
			Self::Ed25519(pair) => AccountId32::new(pair.public().0),
			Self::Sr25519(pair) => AccountId32::new(pair.public().0),
		}
	}

	/// Signs `message`.
	pub fn sign(&self, message: &[u8]) -> MultiSignature {
		match self {
			Self::Ed25519(pair) => MultiSignature::Ed25519(pair.sign(message)),
			Self::Sr25519(pair) => MultiSignature::Sr25519(pair.sign(message)),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn peer_id_and_account_map_to_each_other() {
		let identity = Identity::from_seed([7; 32]);
		assert_eq!(account_of(&identity.peer_id()).unwrap(), *identity.account());
		assert_eq!(peer_of(identity.account()), identity.peer_id());
		assert_eq!(Identity::from_seed(identity.seed()).account(), identity.account());
	}

	#[test]
	fn the_key_is_the_one_of_the_documented_example() {
		// docs/receipts.md: the ed25519 key of seed 0x01 × 32.
		let identity = Identity::from_seed([1; 32]);
		let bytes: &[u8] = identity.account().as_ref();
		let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
		assert_eq!(hex, "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c");
	}

	#[test]
	fn a_peer_without_an_ed25519_key_has_no_account() {
		let peer = PeerId::random();
		assert!(matches!(account_of(&peer), Err(IdentityError::NotEd25519(_))));
	}

	#[test]
	fn signatures_verify_against_the_account() {
		let identity = Identity::generate();
		let signature = identity.sign(b"hello");
		assert!(signature.verify(&b"hello"[..], identity.account()));
		assert!(!signature.verify(&b"hellO"[..], identity.account()));
	}
}
