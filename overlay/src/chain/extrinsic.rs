//! Signed transactions, byte for byte as the Repute runtime expects them (extrinsic format 4):
//!
//! ```text
//! compact(length) ++ 0x84 ++ MultiAddress::Id(signer) ++ MultiSignature ++ extra ++ call
//! extra    = era (immortal: 0x00) ++ compact(nonce) ++ compact(tip) ++ metadata-hash mode (0x00)
//! signed   = call ++ extra ++ spec_version ++ transaction_version ++ genesis ++ genesis ++ 0x00
//! ```
//!
//! `signed` (blake2-256 hashed first when longer than 256 bytes) is what the key signs. The
//! extensions are the runtime's `TxExtension`: CheckNonZeroSender, CheckSpecVersion,
//! CheckTxVersion, CheckGenesis, CheckEra, CheckNonce, CheckWeight, ChargeTransactionPayment,
//! CheckMetadataHash, WeightReclaim.

use super::{calls::Call, ChainInfo};
use crate::identity::Signer;
use codec::{Compact, Encode};

/// `call`, signed by `signer` with `nonce` as an immortal transaction with no tip.
pub fn signed(call: &Call, signer: &Signer, nonce: u32, chain: &ChainInfo) -> Vec<u8> {
	let extra = (0u8, Compact(nonce), Compact(0u128), 0u8);
	let implicit = (
		chain.spec_version,
		chain.transaction_version,
		chain.genesis_hash,
		chain.genesis_hash,
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
	let mut body = vec![0b1000_0100u8];
	0u8.encode_to(&mut body); // MultiAddress::Id
	signer.account().encode_to(&mut body);
	signature.encode_to(&mut body);
	extra.encode_to(&mut body);
	body.extend_from_slice(call.as_bytes());
	body.encode()
}
