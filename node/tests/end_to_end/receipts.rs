//! End to end: two peers register on a dev chain, the consumer opens a payment channel to the
//! provider, they co-sign a receipt, a relayer submits it, and the chain's state shows the
//! service and the payment, all through the node's RPC as a P2P app would do it.

use crate::common::{
	extrinsic::{cosigned_receipt_call, next_nonce, storage, submit},
	Node, TempDir,
};
use codec::Decode;
use pallet_receipts::PeerTotals;
use repute_runtime::{Runtime, RuntimeCall, UNIT};
use serde_json::json;
use sp_core::crypto::Ss58Codec;
use sp_keyring::Sr25519Keyring;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

/// The storage key of `Receipts::Totals(peer, service)`, as any client computes it.
fn totals_key(peer: &repute_runtime::AccountId, service: u32) -> Vec<u8> {
	pallet_receipts::Totals::<Runtime>::hashed_key_for(peer, service)
}

/// `peer`'s free balance, read from `System.Account` as any client decodes it: nonce,
/// consumers, providers and sufficients (four `u32`), then the free balance (`u128`).
fn free_balance(node: &Node, peer: &repute_runtime::AccountId) -> u128 {
	let key = frame_system::Account::<Runtime>::hashed_key_for(peer);
	let info = storage(node, &key).expect("the account exists");
	u128::decode(&mut &info[16..32]).unwrap()
}

#[test]
fn a_co_signed_receipt_reaches_the_chain() {
	let dir = TempDir::new("receipts");
	let mut node = Node::start_dev(&dir);
	node.wait_for("block 1", TIMEOUT, |n| Ok(n.best_number()? >= 1));

	let (provider, consumer, relayer) =
		(Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave);
	let register = RuntimeCall::Receipts(pallet_receipts::Call::register {});
	submit(&node, provider, register.clone());
	submit(&node, consumer, register);
	// The consumer pays a millionth of a unit per unit of service, from 10 units of escrow.
	let price = UNIT / 1_000_000;
	let open = RuntimeCall::Payments(pallet_payments::Call::open_channel {
		provider: provider.to_account_id(),
		service: 0,
		price,
		escrow: 10 * UNIT,
	});
	submit(&node, consumer, open);
	node.wait_for("both registrations and the channel in blocks", TIMEOUT, |n| {
		Ok(next_nonce(n, provider) == 1 && next_nonce(n, consumer) == 2 && n.best_number()? >= 2)
	});
	let channel_params = json!([
		consumer.to_account_id().to_ss58check(),
		provider.to_account_id().to_ss58check(),
		0
	]);
	let opened = node.rpc("repute_channel", channel_params.clone()).unwrap();
	assert_eq!(opened["escrow"], (10 * UNIT).to_string(), "{opened}");
	assert_eq!(opened["unitsPaid"], "0");
	let provider_before = free_balance(&node, &provider.to_account_id());

	let call = cosigned_receipt_call(&node, provider, consumer, 1, 65_536);
	submit(&node, relayer, call);

	let key = totals_key(&provider.to_account_id(), 0);
	node.wait_for("the receipt on chain", TIMEOUT, |n| Ok(storage(n, &key).is_some()));
	// The same receipt paid the provider through the channel.
	let paid = node.rpc("repute_channel", channel_params).unwrap();
	assert_eq!(paid["unitsPaid"], "65536", "{paid}");
	assert_eq!(paid["paid"], (65_536 * price).to_string());
	assert_eq!(paid["escrow"], (10 * UNIT - 65_536 * price).to_string());
	assert_eq!(free_balance(&node, &provider.to_account_id()), provider_before + 65_536 * price);
	let totals = PeerTotals::<u32>::decode(&mut &storage(&node, &key).unwrap()[..]).unwrap();
	assert_eq!((totals.units_served, totals.units_consumed, totals.receipts), (65_536, 0, 1));
	let consumer_totals = PeerTotals::<u32>::decode(
		&mut &storage(&node, &totals_key(&consumer.to_account_id(), 0)).unwrap()[..],
	)
	.unwrap();
	assert_eq!(consumer_totals.units_consumed, 65_536);
}
