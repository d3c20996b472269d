//! A peer's identity: its libp2p ed25519 keypair *is* its Repute account.
//!
//! The account is the 32-byte ed25519 public key, the same key the `PeerId` carries, so a peer
//! and its account map to each other one to one (`docs/receipts.md`, "Identities"). This module
//! owns that mapping and signing with the key.

use crate::error::IdentityError;
use crate::signature::{MultiSignature, SR25519_CONTEXT};
use crate::AccountId32;
use libp2p::{identity, PeerId};
use sp_crypto_hashing::blake2_256;

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
	signer: identity::ed25519::Keypair,
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
		let signer = keypair
			.clone()
			.try_into_ed25519()
			.map_err(|_| IdentityError::NotEd25519(keypair.public().to_peer_id()))?;
		let account = AccountId32::new(signer.public().to_bytes());
		Ok(Self { keypair, signer, account })
	}

	/// The 32-byte secret seed, to store the identity (keep it private).
	pub fn seed(&self) -> [u8; 32] {
		let mut seed = [0u8; 32];
		seed.copy_from_slice(self.signer.secret().as_ref());
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
		sign_ed25519(&self.signer, message)
	}

	/// The identity as a transaction signer.
	pub fn signer(&self) -> Signer {
		Signer::Ed25519(self.signer.clone())
	}
}

impl std::fmt::Debug for Identity {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "Identity({})", self.peer_id())
	}
}

fn sign_ed25519(key: &identity::ed25519::Keypair, message: &[u8]) -> MultiSignature {
	let signature = key.sign(message);
	MultiSignature::Ed25519(
		signature.try_into().expect("an ed25519 signature is 64 bytes long; qed"),
	)
}

/// A key that signs transactions: a peer's ed25519 key, or an sr25519 key (a wallet's account,
/// such as one that funds peers, or the dev chain's `//Alice` for governance on a test chain), or
/// an ECDSA (secp256k1) key.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // A handful of long-lived signers; boxing buys nothing.
pub enum Signer {
	/// An ed25519 key (every overlay peer).
	Ed25519(identity::ed25519::Keypair),
	/// An sr25519 key.
	Sr25519(schnorrkel::Keypair),
	/// An ECDSA key over secp256k1: it signs a message's blake2-256 hash, and its account is the
	/// blake2-256 hash of its compressed public key (as `sp_core::ecdsa`).
	Ecdsa(k256::ecdsa::SigningKey),
}

impl Signer {
	/// The sr25519 key of a 32-byte seed (a "mini secret key", expanded as Substrate and
	/// polkadot.js expand it: the key `subkey inspect 0x<seed>` shows).
	pub fn sr25519_from_seed(seed: [u8; 32]) -> Self {
		let secret = schnorrkel::MiniSecretKey::from_bytes(&seed)
			.expect("any 32 bytes are a mini secret key; qed");
		Self::Sr25519(secret.expand_to_keypair(schnorrkel::ExpansionMode::Ed25519))
	}

	/// The ECDSA key whose secret scalar is `seed` (big-endian, as `sp_core::ecdsa` reads a
	/// seed): refused if `seed` is zero or not below secp256k1's order.
	pub fn ecdsa_from_seed(seed: [u8; 32]) -> Result<Self, IdentityError> {
		k256::ecdsa::SigningKey::from_bytes(&seed.into())
			.map(Self::Ecdsa)
			.map_err(|_| IdentityError::BadEcdsaSeed)
	}

	/// An sr25519 key from a secret URI: `//Alice`, a mnemonic phrase with a derivation path and
	/// a password (`<phrase>//hard/soft///password`), or a hex seed, as `subkey` reads them
	/// (through `sp-core`'s key derivation, hence the `secret-uri` feature).
	#[cfg(feature = "secret-uri")]
	pub fn sr25519_from_uri(uri: &str) -> Result<Self, IdentityError> {
		use sp_core::Pair;
		let pair = sp_core::sr25519::Pair::from_string(uri, None)
			.map_err(|_| IdentityError::BadSecretUri)?;
		schnorrkel::SecretKey::from_bytes(&pair.to_raw_vec())
			.map(|secret| Self::Sr25519(secret.to_keypair()))
			.map_err(|_| IdentityError::BadSecretUri)
	}

	/// The account that pays for and is the origin of what this key signs.
	pub fn account(&self) -> AccountId32 {
		match self {
			Self::Ed25519(key) => AccountId32::new(key.public().to_bytes()),
			Self::Sr25519(key) => AccountId32::new(key.public.to_bytes()),
			Self::Ecdsa(key) => {
				AccountId32::new(blake2_256(key.verifying_key().to_encoded_point(true).as_bytes()))
			}
		}
	}

	/// Signs `message`.
	pub fn sign(&self, message: &[u8]) -> MultiSignature {
		match self {
			Self::Ed25519(key) => sign_ed25519(key, message),
			Self::Sr25519(key) => {
				MultiSignature::Sr25519(key.sign_simple(SR25519_CONTEXT, message).to_bytes())
			}
			Self::Ecdsa(key) => {
				let (signature, recovery) = key
					.sign_prehash_recoverable(&blake2_256(message))
					.expect("a 32-byte digest always signs; qed");
				let mut bytes = [0u8; 65];
				bytes[..64].copy_from_slice(&signature.to_bytes());
				bytes[64] = recovery.to_byte();
				MultiSignature::Ecdsa(bytes)
			}
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

	/// The keys and signatures are `sp-core`'s (and so the runtime's and polkadot.js's): the same
	/// account and, ed25519 being deterministic, the same signature bytes.
	#[test]
	fn keys_and_signatures_are_the_ones_sp_core_makes() {
		use sp_core::Pair;
		let message = b"a signing payload";
		let identity = Identity::from_seed([3; 32]);
		let theirs = sp_core::ed25519::Pair::from_seed(&[3; 32]);
		assert_eq!(identity.account().to_bytes(), theirs.public().0);
		assert_eq!(identity.sign(message), MultiSignature::Ed25519(theirs.sign(message).0));
		assert_eq!(identity.signer().sign(message), identity.sign(message));

		let signer = Signer::sr25519_from_seed([4; 32]);
		let theirs = sp_core::sr25519::Pair::from_seed(&[4; 32]);
		assert_eq!(signer.account().to_bytes(), theirs.public().0);
		assert!(signer.sign(message).verify(message, &signer.account()));
		assert!(!signer.sign(message).verify(b"another", &signer.account()));

		// ECDSA: RFC 6979 signatures are deterministic too, so the bytes are sp-core's, and the
		// runtime's `MultiSignature` accepts them for the account sp-core derives.
		let signer = Signer::ecdsa_from_seed([5; 32]).expect("a valid scalar");
		let theirs = sp_core::ecdsa::Pair::from_seed(&[5; 32]);
		let account = sp_runtime::traits::IdentifyAccount::into_account(
			sp_runtime::MultiSigner::from(theirs.public()),
		);
		assert_eq!(
			signer.account().to_bytes(),
			*<sp_runtime::AccountId32 as AsRef<[u8; 32]>>::as_ref(&account)
		);
		assert_eq!(signer.sign(message), MultiSignature::Ecdsa(theirs.sign(message).0));
		let runtime_signature = sp_runtime::MultiSignature::Ecdsa(theirs.sign(message));
		assert!(sp_runtime::traits::Verify::verify(&runtime_signature, &message[..], &account));
		assert!(signer.sign(message).verify(message, &signer.account()));
		assert!(!signer.sign(message).verify(b"another", &signer.account()));
		assert!(matches!(Signer::ecdsa_from_seed([0; 32]), Err(IdentityError::BadEcdsaSeed)));
		assert!(matches!(Signer::ecdsa_from_seed([0xff; 32]), Err(IdentityError::BadEcdsaSeed)));
	}

	#[cfg(feature = "secret-uri")]
	#[test]
	fn secret_uris_name_the_keys_subkey_names() {
		// `subkey inspect //Alice` (sr25519).
		let alice = Signer::sr25519_from_uri("//Alice").unwrap().account();
		assert_eq!(alice.to_ss58check(), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
		let signer = Signer::sr25519_from_uri("//Alice").unwrap();
		assert!(signer.sign(b"x").verify(b"x", &alice));
		assert!(matches!(Signer::sr25519_from_uri("not a uri"), Err(IdentityError::BadSecretUri)));
	}

	#[test]
	fn signatures_verify_against_the_account() {
		let identity = Identity::generate();
		let signature = identity.sign(b"hello");
		assert!(signature.verify(&b"hello"[..], identity.account()));
		assert!(!signature.verify(&b"hellO"[..], identity.account()));
	}
}
