//! Signed transactions, byte for byte as the Repute runtime expects them (extrinsic format 4):
//!
//! ```text
//! compact(length) ++ 0x84 ++ MultiAddress::Id(signer) ++ MultiSignature ++ extra ++ call
//! extra    = era ++ compact(nonce) ++ compact(tip) ++ metadata-hash mode (0x00)
//! signed   = call ++ extra ++ spec_version ++ transaction_version ++ genesis ++ birth ++ 0x00
//! ```
//!
//! `signed` (blake2-256 hashed first when longer than 256 bytes) is what the key signs. The
//! extensions are the runtime's `TxExtension`: CheckNonZeroSender, CheckSpecVersion,
//! CheckTxVersion, CheckGenesis, CheckMortality, CheckNonce, CheckWeight,
//! ChargeTransactionPayment, CheckMetadataHash, WeightReclaim ([`super::metadata`] checks the
//! node's runtime has exactly these before anything is signed for it).
//!
//! Transactions are **mortal**: valid for [`Mortality::period`] blocks from a recent finalized
//! block (the "birth", whose hash is signed), so a transaction that was not included in time can
//! never be replayed later, after its account's nonce has been reset (a reaped account), or on a
//! fork that does not contain its birth block.

use super::{calls::Call, ChainInfo};
use crate::identity::Signer;
use crate::signature::MultiSignature;
use crate::AccountId32;
use crate::H256;
use codec::{Compact, Decode, Encode, Error, Input, Output};

/// The version byte of a signed transaction of extrinsic format 4: the signed bit and 4.
const SIGNED_V4: u8 = 0b1000_0100;

/// How long transactions stay valid: [`Mortality::period`] blocks from the block `birth`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mortality {
	/// The number of the block they are born at (a recent finalized block).
	pub birth_number: u32,
	/// Its hash, which they sign.
	pub birth_hash: H256,
	/// How many blocks they stay valid for (rounded up to a power of two, from 4 to
	/// [`MAX_PERIOD`]).
	pub period: u64,
}

/// How many blocks a transaction stays valid by default: 64 (six and a half minutes at six
/// seconds a block), ample for a transaction to be included, short enough that one that was
/// not is dead soon.
pub const DEFAULT_PERIOD: u64 = 64;
/// The longest period: the runtime keeps the hashes of the last 2,400 blocks
/// (`BlockHashCount`), and a birth block must stay among them for the whole period.
pub const MAX_PERIOD: u64 = 2048;

impl Mortality {
	/// The era of transactions born at `birth_number`.
	pub fn era(&self) -> Era {
		Era::mortal(self.period.min(MAX_PERIOD), u64::from(self.birth_number))
	}
}

/// `call`, signed by `signer` with `nonce` as a mortal transaction ([`ChainInfo::mortality`])
/// with no tip.
pub fn signed(call: &Call, signer: &Signer, nonce: u32, chain: &ChainInfo) -> Vec<u8> {
	let era = chain.mortality.era();
	let extra = (era, Compact(nonce), Compact(0u128), 0u8);
	let implicit = (
		chain.spec_version,
		chain.transaction_version,
		chain.genesis_hash,
		chain.mortality.birth_hash,
		None::<[u8; 32]>,
	);
	let mut payload = call.as_bytes().to_vec();
	extra.encode_to(&mut payload);
	implicit.encode_to(&mut payload);
	let signature = if payload.len() > 256 {
		signer.sign(&sp_crypto_hashing::blake2_256(&payload))
	} else {
		signer.sign(&payload)
	};
	let mut body = vec![SIGNED_V4];
	0u8.encode_to(&mut body); // MultiAddress::Id
	signer.account().encode_to(&mut body);
	signature.encode_to(&mut body);
	extra.encode_to(&mut body);
	body.extend_from_slice(call.as_bytes());
	body.encode()
}

/// How long a transaction stays valid, encoded as the runtime's `sp_runtime::generic::Era`:
/// immortal is the byte 0; mortal is two bytes, the period's power of two and the phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Era {
	/// Valid forever.
	Immortal,
	/// Valid for `period` blocks (a power of two, 4 to 65536) from the block whose number is
	/// `phase` modulo `period`.
	Mortal(u64, u64),
}

impl Era {
	/// The era of `period` blocks (rounded up to a power of two, 4 to 65,536) that starts at
	/// block `current`, as `sp_runtime::generic::Era::mortal` makes it.
	pub fn mortal(period: u64, current: u64) -> Self {
		let period = period.checked_next_power_of_two().unwrap_or(1 << 16).clamp(4, 1 << 16);
		let phase = current % period;
		let quantize_factor = (period >> 12).max(1);
		Self::Mortal(period, phase / quantize_factor * quantize_factor)
	}

	/// The first block of this era that is at most `current`: whose hash a transaction of this
	/// era signs.
	pub fn birth(self, current: u64) -> u64 {
		match self {
			Self::Immortal => 0,
			Self::Mortal(period, phase) => {
				(current.max(phase).saturating_sub(phase)) / period.max(1) * period + phase
			}
		}
	}
}

impl Encode for Era {
	fn encode_to<T: Output + ?Sized>(&self, output: &mut T) {
		match *self {
			Self::Immortal => output.push_byte(0),
			Self::Mortal(period, phase) => {
				let quantize_factor = (period >> 12).max(1);
				let encoded = (period.trailing_zeros().saturating_sub(1)).clamp(1, 15) as u16
					| ((phase / quantize_factor) << 4) as u16;
				encoded.encode_to(output);
			}
		}
	}
}

impl Decode for Era {
	fn decode<I: Input>(input: &mut I) -> Result<Self, Error> {
		let first = input.read_byte()?;
		if first == 0 {
			return Ok(Self::Immortal);
		}
		let encoded = u64::from(first) + (u64::from(input.read_byte()?) << 8);
		let period = 2u64 << (encoded % (1 << 4));
		let quantize_factor = (period >> 12).max(1);
		let phase = (encoded >> 4) * quantize_factor;
		if period >= 4 && phase < period {
			Ok(Self::Mortal(period, phase))
		} else {
			Err("invalid period and phase".into())
		}
	}
}

/// A signed transaction read back: who signed it, its nonce and tip, and its call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTransaction {
	/// The signer's account (`MultiAddress::Id`).
	pub signer: AccountId32,
	/// Its signature, not checked here.
	pub signature: MultiSignature,
	/// Its mortality.
	pub era: Era,
	/// The signer's nonce.
	pub nonce: u32,
	/// The tip.
	pub tip: u128,
	/// The call: pallet index, call index, arguments.
	pub call: Call,
}

/// Reads a signed transaction of the format [`signed`] writes (extrinsic format 4, any
/// `MultiSignature`, any era and tip, the metadata-hash mode byte 0), such as the hex strings of
/// `chain_getBlock`'s `extrinsics`. `None` for anything else: an inherent (unsigned), another
/// address kind, a length prefix that is not the rest of the bytes, or bytes that end early.
pub fn decode_signed(bytes: &[u8]) -> Option<SignedTransaction> {
	let input = &mut &bytes[..];
	let length = Compact::<u32>::decode(input).ok()?.0;
	if usize::try_from(length).ok()? != input.len() || u8::decode(input).ok()? != SIGNED_V4 {
		return None;
	}
	// MultiAddress::Id is variant 0.
	if u8::decode(input).ok()? != 0 {
		return None;
	}
	let signer = AccountId32::decode(input).ok()?;
	let signature = MultiSignature::decode(input).ok()?;
	let era = Era::decode(input).ok()?;
	let nonce = Compact::<u32>::decode(input).ok()?.0;
	let tip = Compact::<u128>::decode(input).ok()?.0;
	// CheckMetadataHash's mode: 0, no hash signed.
	if u8::decode(input).ok()? != 0 || input.len() < 2 {
		return None;
	}
	let call = Call::from_encoded(input.to_vec());
	Some(SignedTransaction { signer, signature, era, nonce, tip, call })
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::Identity;
	use crate::H256;

	fn chain() -> ChainInfo {
		ChainInfo {
			genesis_hash: H256::repeat_byte(7),
			spec_version: 3,
			transaction_version: 2,
			mortality: Mortality {
				birth_number: 1_000,
				birth_hash: H256::repeat_byte(8),
				period: DEFAULT_PERIOD,
			},
		}
	}

	fn signers() -> [Signer; 2] {
		[Identity::from_seed([9; 32]).signer(), Signer::sr25519_from_seed([10; 32])]
	}

	#[test]
	fn a_signed_transaction_reads_back_as_it_was_written() {
		let calls = [
			Call::register(),
			Call::transfer(&AccountId32::new([5; 32]), 1_000_000),
			// Long enough for the signed payload to be hashed first.
			Call::set_pretrusted(&(0..12).map(|i| AccountId32::new([i; 32])).collect::<Vec<_>>()),
		];
		for signer in signers() {
			for call in &calls {
				let bytes = signed(call, &signer, 41, &chain());
				let read = decode_signed(&bytes).expect("it reads back");
				assert_eq!(read.signer, signer.account());
				assert_eq!((read.era, read.nonce, read.tip), (Era::Mortal(64, 1_000 % 64), 41, 0));
				assert_eq!(&read.call, call);
				assert_eq!(read.call.indices(), [call.as_bytes()[0], call.as_bytes()[1]]);
				// The signature is over the documented payload.
				let mut payload = call.as_bytes().to_vec();
				(Era::Mortal(64, 1_000 % 64), Compact(41u32), Compact(0u128), 0u8)
					.encode_to(&mut payload);
				(3u32, 2u32, chain().genesis_hash, H256::repeat_byte(8), None::<[u8; 32]>)
					.encode_to(&mut payload);
				if payload.len() > 256 {
					payload = sp_crypto_hashing::blake2_256(&payload).to_vec();
				}
				assert!(read.signature.verify(&payload[..], &signer.account()));
			}
		}
	}

	#[test]
	fn anything_else_is_not_read_as_a_signed_transaction() {
		let bytes = signed(&Call::register(), &signers()[0], 0, &chain());
		assert_eq!(decode_signed(&[]), None);
		for end in 0..bytes.len() {
			assert_eq!(decode_signed(&bytes[..end]), None, "cut at {end}");
		}
		let mut longer = bytes.clone();
		longer.push(0);
		assert_eq!(decode_signed(&longer), None, "the length prefix does not match");
		// An inherent: version 4 without the signed bit (the timestamp's `set`).
		let inherent = (Compact(5u32), 4u8, 3u8, 0u8, Compact(1u64)).encode();
		assert_eq!(decode_signed(&inherent[..]), None);
	}

	/// `Era` reads every one- and two-byte input as `sp_runtime::generic::Era` does, and writes
	/// what it reads back to the same bytes.
	#[test]
	fn eras_are_the_runtimes() {
		use sp_runtime::generic::Era as Theirs;
		let ours = |era: &Era| match *era {
			Era::Immortal => Theirs::Immortal,
			Era::Mortal(period, phase) => Theirs::Mortal(period, phase),
		};
		assert_eq!(Era::decode(&mut &[0u8][..]), Ok(Era::Immortal));
		for encoded in 1..=u16::MAX {
			let bytes = encoded.to_le_bytes();
			let mine = Era::decode(&mut &bytes[..]).ok();
			let theirs = Theirs::decode(&mut &bytes[..]).ok();
			assert_eq!(mine.as_ref().map(ours), theirs, "{bytes:?}");
			if let Some(era) = mine {
				assert_eq!(era.encode(), ours(&era).encode(), "{bytes:?}");
			}
		}
		for (period, phase) in [(4, 0), (64, 63), (4096, 100), (65536, 65535)] {
			let era = Era::Mortal(period, phase);
			assert_eq!(era.encode(), Theirs::Mortal(period, phase).encode());
		}
	}

	proptest::proptest! {
		/// `Era::mortal` and `birth` are the runtime's, for any period and block; and a
		/// transaction born at a block within the longest period names that block as its birth,
		/// so the hash it signs is the block's.
		#[test]
		fn mortal_eras_are_the_runtimes(period in 0u64..100_000, current in 0u64..u64::from(u32::MAX)) {
			use sp_runtime::generic::Era as Theirs;
			let theirs = Theirs::mortal(period, current);
			let mine = Era::mortal(period, current);
			proptest::prop_assert_eq!(mine.encode(), theirs.encode());
			for later in [current, current + 1, current + 5_000] {
				proptest::prop_assert_eq!(mine.birth(later), theirs.birth(later));
			}
			let mortality = Mortality {
				birth_number: current as u32,
				birth_hash: H256::zero(),
				period,
			};
			proptest::prop_assert_eq!(mortality.era().birth(current), current);
		}
	}
}
