//! [`AccountId32`]: an account as a client names it, and its SS58 address.
//!
//! The runtime's account is `sp_runtime::AccountId32`; this type has the same SCALE encoding
//! (32 raw bytes), the same SS58 text and the same JSON (the address as a string), so a client
//! reads and writes what the chain does without compiling `sp-core`, whose key derivation and
//! three secp256k1 implementations are most of its build (docs/development.md, "An app compiles
//! no node"). The node's RPC server converts between the two through `[u8; 32]`.

use codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// The SS58 network prefix Repute's chains use (`SS58Prefix` in the runtime; Substrate's generic
/// prefix): what [`AccountId32::to_ss58check`] writes.
pub const SS58_PREFIX: u16 = 42;

/// A 32-byte account: an ed25519 or sr25519 public key, or the hash of an ECDSA key.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct AccountId32([u8; 32]);

/// Why a string is not an SS58 address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Ss58Error {
	/// Longer than any SS58 address of a 32-byte account; not decoded.
	#[error("longer than an SS58 address")]
	TooLong,
	/// Not base58.
	#[error("not base58")]
	BadBase58,
	/// Decodes to the wrong number of bytes for a 32-byte account.
	#[error("not the length of a 32-byte account's address")]
	BadLength,
	/// The first byte is not a valid prefix.
	#[error("invalid network prefix")]
	InvalidPrefix,
	/// One of the two prefixes SS58 reserves (46 and 47).
	#[error("reserved network prefix")]
	ReservedPrefix,
	/// The checksum does not match.
	#[error("checksum mismatch")]
	InvalidChecksum,
}

/// The longest SS58 address of a 32-byte account: 36 bytes (two of prefix, two of checksum) in
/// base58 are at most 50 characters.
const MAX_SS58_LEN: usize = 50;

fn ss58_checksum(data: &[u8]) -> [u8; 2] {
	let hash = sp_crypto_hashing::blake2_512(&[&b"SS58PRE"[..], data].concat());
	[hash[0], hash[1]]
}

impl AccountId32 {
	/// The account of these 32 bytes.
	pub const fn new(bytes: [u8; 32]) -> Self {
		Self(bytes)
	}

	/// The account's 32 bytes.
	pub fn to_bytes(&self) -> [u8; 32] {
		self.0
	}

	/// The SS58 address with Repute's prefix ([`SS58_PREFIX`]).
	pub fn to_ss58check(&self) -> String {
		self.to_ss58check_with_prefix(SS58_PREFIX)
	}

	/// The SS58 address with network prefix `prefix` (its lower 14 bits: SS58 has no more).
	pub fn to_ss58check_with_prefix(&self, prefix: u16) -> String {
		let prefix = prefix & 0b0011_1111_1111_1111;
		let mut data = match prefix {
			0..=63 => vec![prefix as u8],
			_ => {
				let first = ((prefix & 0b1111_1100) as u8) >> 2;
				let second = ((prefix >> 8) as u8) | (((prefix & 0b11) as u8) << 6);
				vec![first | 0b0100_0000, second]
			}
		};
		data.extend_from_slice(&self.0);
		let checksum = ss58_checksum(&data);
		data.extend_from_slice(&checksum);
		bs58::encode(data).into_string()
	}

	/// The account of an SS58 address of any network prefix but the two reserved ones.
	pub fn from_ss58check(address: &str) -> Result<Self, Ss58Error> {
		Self::from_ss58check_with_prefix(address).map(|(account, _)| account)
	}

	/// The account of an SS58 address, and the address's network prefix. Input longer than any
	/// address is refused before it is decoded.
	pub fn from_ss58check_with_prefix(address: &str) -> Result<(Self, u16), Ss58Error> {
		if address.len() > MAX_SS58_LEN {
			return Err(Ss58Error::TooLong);
		}
		let data = bs58::decode(address).into_vec().map_err(|_| Ss58Error::BadBase58)?;
		if data.len() < 2 {
			return Err(Ss58Error::BadLength);
		}
		let (prefix_len, prefix) = match data[0] {
			0..=63 => (1, u16::from(data[0])),
			64..=127 => {
				// 01aaaaaa bbcccccc is the little-endian 14-bit value aaaaaabb 00cccccc.
				let lower = (data[0] << 2) | (data[1] >> 6);
				let upper = data[1] & 0b0011_1111;
				(2, u16::from(lower) | (u16::from(upper) << 8))
			}
			_ => return Err(Ss58Error::InvalidPrefix),
		};
		if data.len() != prefix_len + 32 + 2 {
			return Err(Ss58Error::BadLength);
		}
		if prefix == 46 || prefix == 47 {
			return Err(Ss58Error::ReservedPrefix);
		}
		let (body, checksum) = data.split_at(prefix_len + 32);
		if ss58_checksum(body) != checksum {
			return Err(Ss58Error::InvalidChecksum);
		}
		let mut bytes = [0u8; 32];
		bytes.copy_from_slice(&body[prefix_len..]);
		Ok((Self(bytes), prefix))
	}
}

impl From<[u8; 32]> for AccountId32 {
	fn from(bytes: [u8; 32]) -> Self {
		Self(bytes)
	}
}

impl From<AccountId32> for [u8; 32] {
	fn from(account: AccountId32) -> Self {
		account.0
	}
}

impl AsRef<[u8; 32]> for AccountId32 {
	fn as_ref(&self) -> &[u8; 32] {
		&self.0
	}
}

impl AsRef<[u8]> for AccountId32 {
	fn as_ref(&self) -> &[u8] {
		&self.0
	}
}

impl std::str::FromStr for AccountId32 {
	type Err = Ss58Error;

	/// An SS58 address ([`AccountId32::from_ss58check`]).
	fn from_str(address: &str) -> Result<Self, Self::Err> {
		Self::from_ss58check(address)
	}
}

impl std::fmt::Display for AccountId32 {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&self.to_ss58check())
	}
}

impl std::fmt::Debug for AccountId32 {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&self.to_ss58check())
	}
}

impl Serialize for AccountId32 {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&self.to_ss58check())
	}
}

impl<'de> Deserialize<'de> for AccountId32 {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		let address = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
		Self::from_ss58check(&address)
			.map_err(|e| de::Error::custom(format!("not an SS58 address: {e}")))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;
	use sp_core::crypto::{Ss58AddressFormat, Ss58Codec};

	#[test]
	fn alice_reads_and_writes_as_polkadot_js_shows_her() {
		let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
		let account = AccountId32::from_ss58check(alice).unwrap();
		assert_eq!(account.to_ss58check(), alice);
		assert_eq!(account.to_string(), alice);
		assert_eq!(serde_json::to_string(&account).unwrap(), format!("\"{alice}\""));
		assert_eq!(serde_json::from_str::<AccountId32>(&format!("\"{alice}\"")).unwrap(), account);
	}

	#[test]
	fn bad_addresses_are_named_errors() {
		let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
		let mut typo = alice.to_string();
		typo.replace_range(10..11, "z");
		assert_eq!(AccountId32::from_ss58check(&typo), Err(Ss58Error::InvalidChecksum));
		assert_eq!(AccountId32::from_ss58check("0OIl"), Err(Ss58Error::BadBase58));
		assert_eq!(AccountId32::from_ss58check("5Grw"), Err(Ss58Error::BadLength));
		assert_eq!(AccountId32::from_ss58check(&"5".repeat(51)), Err(Ss58Error::TooLong));
		let reserved = AccountId32::new([1; 32]).to_ss58check_with_prefix(46);
		assert_eq!(AccountId32::from_ss58check(&reserved), Err(Ss58Error::ReservedPrefix));
		assert!(serde_json::from_str::<AccountId32>("\"nope\"").is_err());
	}

	proptest! {
		/// The same bytes, text and JSON as `sp-core`'s account for every account and prefix
		/// (`sp-core` is a dev-dependency only).
		#[test]
		fn encodes_as_sp_core_does(bytes in any::<[u8; 32]>(), prefix in 0u16..16_384) {
			prop_assume!(prefix != 46 && prefix != 47);
			let ours = AccountId32::new(bytes);
			let theirs = sp_core::crypto::AccountId32::new(bytes);
			prop_assert_eq!(ours.encode(), theirs.encode());
			let text = theirs.to_ss58check_with_version(Ss58AddressFormat::custom(prefix));
			prop_assert_eq!(ours.to_ss58check_with_prefix(prefix), text.clone());
			prop_assert_eq!(AccountId32::from_ss58check_with_prefix(&text), Ok((ours.clone(), prefix)));
			prop_assert_eq!(ours.to_ss58check(), theirs.to_ss58check());
			prop_assert_eq!(serde_json::to_string(&ours).unwrap(), serde_json::to_string(&theirs).unwrap());
		}

		/// Whatever the input, a result or a named error, never a panic.
		#[test]
		fn any_text_is_an_account_or_an_error(text in ".{0,60}") {
			let _ = AccountId32::from_ss58check(&text);
		}
	}
}
