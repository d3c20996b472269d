//! Storage keys of the runtime's items the overlay reads, built as FRAME builds them:
//! `twox128(pallet) ++ twox128(item) ++ hashed keys`.

use crate::store::PairKey;
use crate::AccountId32;
use codec::Encode;
use sp_crypto_hashing::{blake2_128, twox_128, twox_64};

fn prefix(item: &str) -> Vec<u8> {
	prefix_of("Receipts", item)
}

fn prefix_of(pallet: &str, item: &str) -> Vec<u8> {
	[twox_128(pallet.as_bytes()), twox_128(item.as_bytes())].concat()
}

fn blake2_128_concat(bytes: &[u8]) -> Vec<u8> {
	[&blake2_128(bytes)[..], bytes].concat()
}

/// The key of an item keyed `(Blake2_128Concat account, Blake2_128Concat account,
/// Twox64Concat service)`, as both pair-keyed items below are.
fn pair_item(mut out: Vec<u8>, first: &AccountId32, second: &AccountId32, service: u32) -> Vec<u8> {
	out.extend(blake2_128_concat(first.as_ref()));
	out.extend(blake2_128_concat(second.as_ref()));
	let service = service.encode();
	out.extend(twox_64(&service));
	out.extend(service);
	out
}

/// `Receipts.Served[(provider, consumer, service)]`: the newest recorded receipt of a pair.
pub fn served(key: &PairKey) -> Vec<u8> {
	pair_item(prefix("Served"), &key.provider, &key.consumer, key.service)
}

/// `Payments.Channels[(consumer, provider, service)]`: the pair's payment channel, if open.
pub fn channel(key: &PairKey) -> Vec<u8> {
	pair_item(prefix_of("Payments", "Channels"), &key.consumer, &key.provider, key.service)
}

/// `Receipts.Peers[account]`: a registered peer's bond and status.
pub fn peer(account: &AccountId32) -> Vec<u8> {
	let mut out = prefix("Peers");
	out.extend(blake2_128_concat(account.as_ref()));
	out
}

/// The free balance in the value of `System.Account[account]` (an `AccountInfo`: four `u32`
/// counters, then the free balance as a `u128`), if it is one.
pub fn free_balance(account_info: &[u8]) -> Option<u128> {
	account_info.get(16..32).and_then(|b| b.try_into().ok()).map(u128::from_le_bytes)
}

/// `Reputation.Strangers`: the adaptive stranger policy (the allowance in force for newcomers,
/// and the recent newcomers' outcomes it follows).
pub fn stranger_policy() -> Vec<u8> {
	prefix_of("Reputation", "Strangers")
}

/// `Reputation.PreTrusted`: the founders, the pre-trusted peers every trust computation starts
/// from (governance sets them with `set_pretrusted`).
pub fn pre_trusted() -> Vec<u8> {
	prefix_of("Reputation", "PreTrusted")
}

/// `System.Account[account]`: nonce and balances.
pub fn system_account(account: &AccountId32) -> Vec<u8> {
	let mut out = [twox_128(b"System"), twox_128(b"Account")].concat();
	out.extend(blake2_128_concat(account.as_ref()));
	out
}
