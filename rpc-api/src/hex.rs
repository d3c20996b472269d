//! Hex values as Substrate's JSON-RPC writes them: [`H256`] (a block or receipt hash) and
//! [`Bytes`] (a storage key, value or proof node), both `0x`-prefixed lowercase hex.
//!
//! The same SCALE encoding and JSON as `sp_core::H256` and `sp_core::Bytes`, without compiling
//! `sp-core` ([`crate::account`] says why).

use codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// Why a string is not the hex this module reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
	/// A character that is not a hex digit, or an odd number of digits.
	#[error("not hex")]
	NotHex,
	/// The wrong number of bytes.
	#[error("{0} bytes where {1} are expected")]
	BadLength(usize, usize),
}

/// `bytes` as `0x`-prefixed lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	let mut text = String::with_capacity(2 + 2 * bytes.len());
	text.push_str("0x");
	for byte in bytes {
		text.push(char::from(DIGITS[usize::from(byte >> 4)]));
		text.push(char::from(DIGITS[usize::from(byte & 0xf)]));
	}
	text
}

/// The bytes of hex `text`, with or without a `0x` prefix, in either case.
pub fn from_hex(text: &str) -> Result<Vec<u8>, HexError> {
	let digits = text.strip_prefix("0x").unwrap_or(text).as_bytes();
	if !digits.len().is_multiple_of(2) {
		return Err(HexError::NotHex);
	}
	let value = |digit: u8| char::from(digit).to_digit(16).ok_or(HexError::NotHex);
	digits
		.chunks_exact(2)
		.map(|pair| Ok(((value(pair[0])? << 4) | value(pair[1])?) as u8))
		.collect()
}

/// A 32-byte hash (blake2-256 on Repute's chains).
#[derive(
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Hash,
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct H256(pub [u8; 32]);

impl H256 {
	/// The all-zero hash.
	pub const fn zero() -> Self {
		Self([0; 32])
	}

	/// The hash whose 32 bytes are all `byte` (for tests and placeholders).
	pub const fn repeat_byte(byte: u8) -> Self {
		Self([byte; 32])
	}

	/// The hash's bytes.
	pub fn as_bytes(&self) -> &[u8] {
		&self.0
	}

	/// The hash's bytes, by value.
	pub fn to_fixed_bytes(self) -> [u8; 32] {
		self.0
	}
}

impl From<[u8; 32]> for H256 {
	fn from(bytes: [u8; 32]) -> Self {
		Self(bytes)
	}
}

impl From<H256> for [u8; 32] {
	fn from(hash: H256) -> Self {
		hash.0
	}
}

impl AsRef<[u8]> for H256 {
	fn as_ref(&self) -> &[u8] {
		&self.0
	}
}

impl std::str::FromStr for H256 {
	type Err = HexError;

	/// Hex of 32 bytes, with or without `0x`.
	fn from_str(text: &str) -> Result<Self, Self::Err> {
		if text.len() > 66 {
			return Err(HexError::BadLength(text.len() / 2, 32));
		}
		let bytes = from_hex(text)?;
		<[u8; 32]>::try_from(bytes.as_slice())
			.map(Self)
			.map_err(|_| HexError::BadLength(bytes.len(), 32))
	}
}

impl std::fmt::Display for H256 {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&to_hex(&self.0))
	}
}

impl std::fmt::Debug for H256 {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&to_hex(&self.0))
	}
}

impl Serialize for H256 {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&to_hex(&self.0))
	}
}

impl<'de> Deserialize<'de> for H256 {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
		text.parse().map_err(|e| de::Error::custom(format!("not a 32-byte hash: {e}")))
	}
}

/// Bytes of any length, written as hex in JSON.
#[derive(Clone, Default, PartialEq, Eq, Hash, Encode, Decode)]
pub struct Bytes(pub Vec<u8>);

impl From<Vec<u8>> for Bytes {
	fn from(bytes: Vec<u8>) -> Self {
		Self(bytes)
	}
}

impl std::ops::Deref for Bytes {
	type Target = [u8];

	fn deref(&self) -> &[u8] {
		&self.0
	}
}

impl std::fmt::Debug for Bytes {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&to_hex(&self.0))
	}
}

impl Serialize for Bytes {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&to_hex(&self.0))
	}
}

impl<'de> Deserialize<'de> for Bytes {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
		from_hex(&text).map(Self).map_err(|e| de::Error::custom(format!("not hex bytes: {e}")))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn malformed_hex_is_refused() {
		assert_eq!(from_hex("0x0"), Err(HexError::NotHex));
		assert_eq!(from_hex("0xzz"), Err(HexError::NotHex));
		assert_eq!("0x00".parse::<H256>(), Err(HexError::BadLength(1, 32)));
		assert!(format!("0x{}", "0".repeat(66)).parse::<H256>().is_err());
		assert!(serde_json::from_str::<Bytes>("\"0x1\"").is_err());
		assert_eq!(serde_json::from_str::<Bytes>("\"0x\"").unwrap(), Bytes(vec![]));
	}

	proptest! {
		/// The same SCALE bytes and JSON as `sp-core`'s types, which read ours back.
		#[test]
		fn encodes_as_sp_core_does(hash in any::<[u8; 32]>(), bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
			let ours = H256(hash);
			let theirs = sp_core::H256(hash);
			prop_assert_eq!(ours.encode(), theirs.encode());
			let json = serde_json::to_string(&ours).unwrap();
			prop_assert_eq!(&json, &serde_json::to_string(&theirs).unwrap());
			prop_assert_eq!(serde_json::from_str::<H256>(&json).unwrap(), ours);
			prop_assert_eq!(ours.to_string().parse::<H256>(), Ok(ours));
			prop_assert_eq!(ours.to_string().to_uppercase().replace("0X", "0x").parse::<H256>(), Ok(ours));

			let ours = Bytes(bytes.clone());
			let json = serde_json::to_string(&ours).unwrap();
			prop_assert_eq!(&json, &serde_json::to_string(&sp_core::Bytes(bytes)).unwrap());
			prop_assert_eq!(serde_json::from_str::<sp_core::Bytes>(&json).unwrap().0, ours.0.clone());
			prop_assert_eq!(serde_json::from_str::<Bytes>(&json).unwrap(), ours);
		}
	}
}
