//! End to end: two peers register on a dev chain, co-sign a receipt, a relayer submits it, and
//! the chain's state shows the service, all through the node's RPC as a P2P app would do it.

use crate::common::{
	extrinsic::{cosigned_receipt_call, next_nonce, storage, submit},
	Node, TempDir,
};
use codec::Decode;
use pallet_receipts::PeerTotals;
use repute_runtime::{Runtime, RuntimeCall};
use sp_keyring::Sr25519Keyring;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

/// The storage key of `Receipts::Totals(peer, service)`, as any client computes it.
fn totals_key(peer: &repute_runtime::AccountId, service: u32) -> Vec<u8> {
	pallet_receipts::Totals::<Runtime>::hashed_key_for(peer, service)
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
	node.wait_for("both registrations in a block", TIMEOUT, |n| {
		Ok(next_nonce(n, provider) == 1 && next_nonce(n, consumer) == 1 && n.best_number()? >= 2)
	});

	let call = cosigned_receipt_call(&node, provider, consumer, 1, 65_536);
	submit(&node, relayer, call);

	let key = totals_key(&provider.to_account_id(), 0);
	node.wait_for("the receipt on chain", TIMEOUT, |n| Ok(storage(n, &key).is_some()));
	let totals = PeerTotals::<u32>::decode(&mut &storage(&node, &key).unwrap()[..]).unwrap();
	assert_eq!((totals.units_served, totals.units_consumed, totals.receipts), (65_536, 0, 1));
	let consumer_totals = PeerTotals::<u32>::decode(
		&mut &storage(&node, &totals_key(&consumer.to_account_id(), 0)).unwrap()[..],
	)
	.unwrap();
	assert_eq!(consumer_totals.units_consumed, 65_536);
}
