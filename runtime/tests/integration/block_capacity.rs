//! How many receipts fit in one block, from the benchmarked weights the runtime charges, compared
//! with balance transfers. Deterministic arithmetic on weights, not a timing: the weights come
//! from `scripts/benchmark-pallets.sh`. Run with `--nocapture` to see the figures that
//! `docs/performance.md` reports.

use frame_support::{dispatch::DispatchClass, traits::Get, weights::Weight};
use pallet_balances::WeightInfo as _;
use pallet_receipts::{OnReceiptRecorded, SignatureScheme, WeightInfo as _};
use pallet_reputation::credit::Settlement;
use repute_runtime::{
	configs::RuntimeBlockLength, configs::RuntimeBlockWeights, Runtime, RuntimeCall, TxExtension,
};
use sp_runtime::traits::TransactionExtension;

/// Bytes of one co-signed receipt in a transaction: 132 for the receipt, 65 per signature.
const RECEIPT_BYTES: u64 = 132 + 2 * 65;
/// Bytes a signed transaction adds around its call: address, signature, extensions (generous).
const TRANSACTION_OVERHEAD_BYTES: u64 = 150;

/// The weight and length available to ordinary transactions in one block.
fn normal_budget() -> (Weight, u64) {
	let weights = RuntimeBlockWeights::get();
	let normal = weights.get(DispatchClass::Normal);
	let max_total = normal.max_total.expect("normal transactions are limited");
	// `max_total` already excludes the block's own base weight.
	let length = u64::from(*RuntimeBlockLength::get().max.get(DispatchClass::Normal));
	(max_total, length)
}

/// What every transaction pays before its call: the runtime's measured base weight.
fn base_extrinsic() -> Weight {
	RuntimeBlockWeights::get().get(DispatchClass::Normal).base_extrinsic
}

/// What a signed transaction's extensions (sender, versions, era, nonce, weight and fee checks)
/// charge on top of its call and `base_extrinsic`. None of them depends on the call.
fn extensions_weight() -> Weight {
	let extensions: TxExtension = (
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(sp_runtime::generic::Era::Immortal),
		frame_system::CheckNonce::from(0),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	);
	let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
	<TxExtension as TransactionExtension<RuntimeCall>>::weight(&extensions, &call)
}

/// Receipts per block when they come in batches of `batch` per transaction.
fn receipts_per_block(batch: u32) -> u64 {
	let (budget, length) = normal_budget();
	let per_transaction =
		base_extrinsic().saturating_add(extensions_weight()).saturating_add(batch_weight(batch));
	let by_weight = budget.ref_time() / per_transaction.ref_time();
	let by_length = length / (TRANSACTION_OVERHEAD_BYTES + RECEIPT_BYTES * u64::from(batch));
	by_weight.min(by_length) * u64::from(batch)
}

/// What `submit_receipts` charges for `batch` receipts at their worst case: the pallet's own
/// benchmarked weight, both signatures of each receipt of the dearest scheme to check, and the
/// listeners' hook for each receipt.
fn batch_weight(batch: u32) -> Weight {
	<Runtime as pallet_receipts::Config>::WeightInfo::submit_receipts(batch)
		.saturating_add(signatures_surcharge(batch, None))
		.saturating_add(
			<<Runtime as pallet_receipts::Config>::OnReceiptRecorded as OnReceiptRecorded<_, _>>::weight()
				.saturating_mul(u64::from(batch)),
		)
}

/// What checking both signatures of `batch` receipts of `scheme` costs beyond ed25519 (the
/// scheme the call is benchmarked with); `None`: of the dearest scheme.
fn signatures_surcharge(batch: u32, scheme: Option<SignatureScheme>) -> Weight {
	let per_signature = match scheme {
		Some(scheme) => pallet_receipts::Pallet::<Runtime>::signature_surcharge(scheme),
		None => pallet_receipts::Pallet::<Runtime>::max_signature_surcharge(),
	};
	per_signature.saturating_mul(2 * u64::from(batch))
}

/// Receipts per block in batches of `batch` when every receipt is settled as `settlement` (no
/// creditor repaid) and counts no newcomer's outcome: vouched for is the common case, owing
/// (a debt added) a network of newcomers'. Each transaction must fit at its
/// worst case before it is applied (`CheckWeight`), then `WeightReclaim` gives back what the
/// call refunds, so the block holds what the refunded weights add up to, less one transaction's
/// worst case. With `warm`, every peer's totals, record and local trust were already written by
/// an earlier receipt of the block (a population much smaller than the receipts in a block);
/// without, none were (every receipt of the block between peers no other receipt touches);
/// the consumer's debts likewise. Both parties sign with `scheme`.
fn receipts_per_block_settled(
	batch: u32,
	settlement: Settlement,
	warm: bool,
	scheme: SignatureScheme,
) -> u64 {
	let (budget, length) = normal_budget();
	let overhead = base_extrinsic().saturating_add(extensions_weight());
	// What the block builder checks before applying the batch: its up-front charge.
	let worst = overhead
		.saturating_add(batch_weight(batch))
		.saturating_sub(signatures_surcharge(batch, None))
		.saturating_add(signatures_surcharge(batch, Some(scheme)))
		.ref_time();
	let debt_storage_unused = if warm {
		settlement.debt_storage_counted()
	} else {
		pallet_reputation::credit::DebtStorage::default()
	};
	let noted = pallet_reputation::credit::ServiceNoted {
		settlement,
		warm_items: if warm { 3 } else { 0 },
		wrote_stranger_policy: false,
		debt_storage_unused,
	};
	// Reputation notes the service; payments finds no channel for the pair (one read).
	let listener =
		pallet_reputation::Pallet::<Runtime>::receipt_weight(&noted)
			.saturating_add(pallet_payments::Pallet::<Runtime>::unpaid_receipt_weight())
			.saturating_mul(u64::from(batch))
			.saturating_add(
				<<Runtime as pallet_receipts::Config>::OnReceiptRecorded as OnReceiptRecorded<
					_,
					_,
				>>::batch_shared_weight(),
			);
	let warm_parties = if warm { 2 * u64::from(batch) } else { 0 };
	let actual = overhead
		.saturating_add(pallet_receipts::Pallet::<Runtime>::recorded_batch_weight(
			batch,
			listener,
			signatures_surcharge(batch, Some(scheme)),
			warm_parties,
		))
		.ref_time();
	let by_weight = budget.ref_time().checked_sub(worst).map_or(0, |room| room / actual + 1);
	let by_length = length / (TRANSACTION_OVERHEAD_BYTES + RECEIPT_BYTES * u64::from(batch));
	by_weight.min(by_length) * u64::from(batch)
}

fn transfers_per_block() -> u64 {
	let (budget, length) = normal_budget();
	let per_transaction = base_extrinsic()
		.saturating_add(extensions_weight())
		.saturating_add(<Runtime as pallet_balances::Config>::WeightInfo::transfer_allow_death());
	let by_weight = budget.ref_time() / per_transaction.ref_time();
	let by_length = length / (TRANSACTION_OVERHEAD_BYTES + 40);
	by_weight.min(by_length)
}

#[test]
fn at_least_a_thousand_receipts_fit_in_a_block() {
	let max_batch = <Runtime as pallet_receipts::Config>::MaxReceiptsPerBatch::get();
	let full = receipts_per_block(max_batch);
	// Whole transactions must fit, so a smaller batch can fill a block better.
	let (best_batch, best) = [32u32, 64, 128, 256, 341, 512, 768, max_batch]
		.into_iter()
		.filter(|batch| *batch <= max_batch)
		.map(|batch| (batch, receipts_per_block(batch)))
		.max_by_key(|(_, receipts)| *receipts)
		.expect("at least one batch size");
	let single = receipts_per_block(1);
	let transfers = transfers_per_block();
	let per_receipt = batch_weight(2).saturating_sub(batch_weight(1));
	println!("normal budget per block: {:?}", normal_budget());
	println!("weight per additional receipt: {per_receipt:?}");
	println!("receipts per block in batches of {max_batch}: {full}");
	println!("receipts per block in batches of {best_batch}: {best}");
	println!("receipts per block one per transaction: {single}");
	for scheme in SignatureScheme::ALL {
		println!(
			"signature check beyond ed25519, {scheme:?}: {:?}",
			pallet_receipts::Pallet::<Runtime>::signature_surcharge(scheme)
		);
	}
	let mut vouched = u64::MAX;
	let mut warm = u64::MAX;
	for scheme in [SignatureScheme::Ed25519, SignatureScheme::Sr25519] {
		let cold = receipts_per_block_settled(best_batch, Settlement::Vouched, false, scheme);
		let hot = receipts_per_block_settled(best_batch, Settlement::Vouched, true, scheme);
		println!(
			"receipts per block in batches of {best_batch}, every receipt vouched, {scheme:?}: \
			 {cold}; every peer already written earlier in the block (a small population): {hot}"
		);
		assert!(hot >= cold, "storage already written in the block is not charged again");
		vouched = vouched.min(cold);
		warm = warm.min(hot);
		let owing_cold = receipts_per_block_settled(best_batch, Settlement::Owing, false, scheme);
		let owing_warm = receipts_per_block_settled(best_batch, Settlement::Owing, true, scheme);
		println!(
			"receipts per block in batches of {best_batch}, every receipt owing (a debt added), \
			 {scheme:?}: {owing_cold}; every peer and debt already written earlier in the block: \
			 {owing_warm}"
		);
		assert!(owing_warm >= owing_cold);
		assert!(best <= owing_cold, "adding a debt costs no more than the worst case");
		assert!(owing_cold <= cold && owing_warm <= hot, "nor less than vouching");
	}
	println!("balance transfers per block: {transfers}");
	println!("transaction extensions, per transaction: {:?}", extensions_weight());
	println!("base weight, per transaction: {:?}", base_extrinsic());
	// The floor was 2,000 before the credit model, then 1,500. A receipt's worst case now also
	// writes both parties' debts and repays two creditors, and the weights of 2026-11-30 were
	// measured on a machine about twice as slow as the previous run (a balance transfer took
	// 87 µs instead of 47.8). Each part of a receipt is now weighed once (the receipts pallet
	// alone, plus the reputation hook's worst case), and every transaction, receipts and
	// transfers alike, also pays its extensions' benchmarked weight. Batching a block's
	// reputation writes is how it goes back up (the ledger-at-scale issue).
	assert!(best >= 1_000, "only {best} receipts fit in a block; the floor is 1,000");
	assert!(full >= 1_000, "only {full} receipts fit in a block in full batches");
	assert!(vouched >= best, "a refund never makes a block hold fewer receipts");
	assert!(warm >= vouched);
}
