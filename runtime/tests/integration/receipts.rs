//! The receipts pallet as configured in the Repute runtime: real accounts, real `MultiSignature`s,
//! the runtime's hold reasons and block limits.

use crate::common::with_genesis_of;
use frame_support::{
	assert_ok,
	dispatch::{DispatchClass, GetDispatchInfo},
	traits::Get,
};
use pallet_receipts::{OnReceiptRecorded, ReceiptOf, SignedReceiptOf, Totals, WeightInfo};
use repute_primitives::Receipt;
use repute_runtime::{configs::RuntimeBlockWeights, Runtime, RuntimeCall, RuntimeOrigin, System};
use sp_genesis_builder::DEV_RUNTIME_PRESET;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::MultiSignature;

const NOW_MS: u64 = 1_764_000_000_000;

fn start_block() {
	System::set_block_number(1);
	pallet_timestamp::Now::<Runtime>::put(NOW_MS);
}

#[test]
fn an_sr25519_and_an_ed25519_peer_record_a_receipt() {
	with_genesis_of(DEV_RUNTIME_PRESET, || {
		start_block();
		// The provider signs with sr25519 (a wallet key), the consumer with ed25519 (a libp2p key).
		let provider = Sr25519Keyring::Alice;
		let consumer = Ed25519Keyring::Bob;
		let provider_account = provider.to_account_id();
		let consumer_account: repute_runtime::AccountId = consumer.to_account_id();
		// Fund the ed25519 account; Alice is pre-funded by the preset.
		assert_ok!(pallet_balances::Pallet::<Runtime>::force_set_balance(
			RuntimeOrigin::root(),
			consumer_account.clone().into(),
			1_000 * repute_runtime::UNIT,
		));
		for who in [&provider_account, &consumer_account] {
			assert_ok!(pallet_receipts::Pallet::<Runtime>::register(RuntimeOrigin::signed(
				who.clone()
			)));
		}

		let receipt: ReceiptOf<Runtime> = Receipt {
			genesis_hash: System::block_hash(0),
			provider: provider_account.clone(),
			consumer: consumer_account.clone(),
			service: 0,
			sequence: 1,
			cumulative_units: 4096,
			timestamp_ms: NOW_MS,
		};
		let signed: SignedReceiptOf<Runtime> = receipt.cosign(
			|payload| MultiSignature::from(provider.sign(payload)),
			|payload| MultiSignature::from(consumer.sign(payload)),
		);
		assert_ok!(pallet_receipts::Pallet::<Runtime>::submit_receipts(
			RuntimeOrigin::signed(Sr25519Keyring::Charlie.to_account_id()),
			vec![signed],
		));
		assert_eq!(Totals::<Runtime>::get(&provider_account, 0).units_served, 4096);
		assert_eq!(Totals::<Runtime>::get(&consumer_account, 0).units_consumed, 4096);
	});
}

#[test]
fn a_full_batch_fits_in_one_extrinsic() {
	let max_batch = <Runtime as pallet_receipts::Config>::MaxReceiptsPerBatch::get();
	let call =
		RuntimeCall::Receipts(pallet_receipts::Call::submit_receipts { receipts: Vec::new() });
	let per_call = call.get_dispatch_info().call_weight;
	let hook = <<Runtime as pallet_receipts::Config>::OnReceiptRecorded as OnReceiptRecorded<
		_,
		_,
	>>::weight();
	// Every receipt signed by both parties with the dearest scheme to check.
	let signatures = pallet_receipts::Pallet::<Runtime>::max_signature_surcharge()
		.saturating_mul(2 * u64::from(max_batch));
	let full = <Runtime as pallet_receipts::Config>::WeightInfo::submit_receipts(max_batch)
		.saturating_add(signatures)
		.saturating_add(hook.saturating_mul(u64::from(max_batch)));
	let limit = RuntimeBlockWeights::get()
		.get(DispatchClass::Normal)
		.max_extrinsic
		.expect("normal extrinsics are limited");
	assert!(per_call.ref_time() > 0);
	assert!(
		full.all_lte(limit),
		"a batch of {max_batch} receipts weighs {full:?}, over the extrinsic limit {limit:?}"
	);
}

/// Storage that an earlier receipt of the same block wrote (both peers' totals and reputation
/// records, the consumer's local trust) is in the block's overlay: a receipt that touches it
/// again is charged neither its database read nor its write, nor the read of either peer's
/// registration, which the earlier receipt read. The next block starts cold.
#[test]
fn a_receipt_is_not_charged_again_for_storage_written_earlier_in_the_block() {
	with_genesis_of(DEV_RUNTIME_PRESET, || {
		start_block();
		let provider = Sr25519Keyring::Alice;
		let consumer = Sr25519Keyring::Bob;
		for who in [provider, consumer] {
			assert_ok!(pallet_receipts::Pallet::<Runtime>::register(RuntimeOrigin::signed(
				who.to_account_id()
			)));
		}
		let receipt = |sequence: u64| -> SignedReceiptOf<Runtime> {
			Receipt {
				genesis_hash: System::block_hash(0),
				provider: provider.to_account_id(),
				consumer: consumer.to_account_id(),
				service: 0,
				sequence,
				cumulative_units: 10 * u128::from(sequence),
				timestamp_ms: NOW_MS,
			}
			.cosign(
				|payload| MultiSignature::from(provider.sign(payload)),
				|payload| MultiSignature::from(consumer.sign(payload)),
			)
		};
		let charged = |sequence: u64| {
			pallet_receipts::Pallet::<Runtime>::submit_receipts(
				RuntimeOrigin::signed(Sr25519Keyring::Charlie.to_account_id()),
				vec![receipt(sequence)],
			)
			.expect("recorded")
			.actual_weight
			.expect("submit_receipts reports its weight")
		};
		// Registration wrote the records in block 1: start in a block of their own.
		System::set_block_number(2);
		let cold = charged(1);
		let warm = charged(2);
		let db = <Runtime as frame_system::Config>::DbWeight::get();
		assert_eq!(cold.saturating_sub(warm), db.reads_writes(7, 5));
		System::set_block_number(3);
		assert_eq!(charged(3), cold);
	});
}
