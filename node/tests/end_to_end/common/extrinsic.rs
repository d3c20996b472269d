//! Signed transactions for the end-to-end tests, built byte for byte as a wallet builds them:
//! the runtime's call, its transaction extensions, and an sr25519 signature of the payload.

use super::Node;
use codec::Encode;
use repute_runtime::{
	Runtime, RuntimeCall, SignedPayload, TxExtension, UncheckedExtrinsic, VERSION,
};
use serde_json::json;
use sp_core::{crypto::Ss58Codec, H256};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{generic::Era, MultiAddress, MultiSignature};

/// The chain's genesis hash, as every receipt and transaction must name it.
pub fn genesis_hash(node: &Node) -> H256 {
	let hex = node.rpc("chain_getBlockHash", json!([0])).expect("genesis hash");
	let bytes = hex_bytes(hex.as_str().expect("a hex string"));
	H256::from_slice(&bytes)
}

/// The next nonce of `signer`, counting its transactions still in the pool.
pub fn next_nonce(node: &Node, signer: Sr25519Keyring) -> u32 {
	let account = signer.to_account_id().to_ss58check();
	let nonce = node.rpc("system_accountNextIndex", json!([account])).expect("nonce");
	nonce.as_u64().expect("a number") as u32
}

/// `call`, signed by `signer` as an immortal transaction with no tip, as a `0x` hex string
/// ready for `author_submitExtrinsic`.
pub fn signed_extrinsic(node: &Node, signer: Sr25519Keyring, call: RuntimeCall) -> String {
	let genesis = genesis_hash(node);
	let nonce = next_nonce(node, signer);
	let extension: TxExtension = (
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		frame_system::WeightReclaim::<Runtime>::new(),
	);
	// What the extensions add to the signed payload without being in the transaction.
	let implicit = (
		(),
		VERSION.spec_version,
		VERSION.transaction_version,
		genesis,
		genesis,
		(),
		(),
		(),
		None,
		(),
	);
	let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	let extrinsic = UncheckedExtrinsic::new_signed(
		call,
		MultiAddress::Id(signer.to_account_id()),
		MultiSignature::from(signature),
		extension,
	);
	format!("0x{}", hex_string(&extrinsic.encode()))
}

/// Submits a signed transaction and returns its hash; fails the test if the pool refuses it.
pub fn submit(node: &Node, signer: Sr25519Keyring, call: RuntimeCall) -> String {
	let extrinsic = signed_extrinsic(node, signer, call);
	node.rpc("author_submitExtrinsic", json!([extrinsic]))
		.unwrap_or_else(|e| panic!("the transaction pool refused the transaction: {e}"))
		.as_str()
		.expect("a transaction hash")
		.to_string()
}

/// The raw value at a storage key, if any.
pub fn storage(node: &Node, key: &[u8]) -> Option<Vec<u8>> {
	let value = node
		.rpc("state_getStorage", json!([format!("0x{}", hex_string(key))]))
		.expect("state_getStorage");
	value.as_str().map(hex_bytes)
}

pub fn hex_string(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hex_bytes(hex: &str) -> Vec<u8> {
	let hex = hex.trim_start_matches("0x");
	(0..hex.len())
		.step_by(2)
		.map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digits"))
		.collect()
}

/// A `submit_receipts` call carrying one receipt of `units` (cumulative, at `sequence`) that
/// `provider` gave `consumer` on service 0, timestamped now and co-signed by both.
pub fn cosigned_receipt_call(
	node: &Node,
	provider: Sr25519Keyring,
	consumer: Sr25519Keyring,
	sequence: u64,
	units: u128,
) -> RuntimeCall {
	use std::time::{SystemTime, UNIX_EPOCH};
	let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
	let receipt = repute_primitives::Receipt {
		genesis_hash: genesis_hash(node),
		provider: provider.to_account_id(),
		consumer: consumer.to_account_id(),
		service: 0,
		sequence,
		cumulative_units: units,
		timestamp_ms: now_ms,
	};
	let signed: pallet_receipts::SignedReceiptOf<Runtime> = receipt.cosign(
		|payload| MultiSignature::from(provider.sign(payload)),
		|payload| MultiSignature::from(consumer.sign(payload)),
	);
	RuntimeCall::Receipts(pallet_receipts::Call::submit_receipts { receipts: vec![signed] })
}
