//! The runtime calls the overlay sends, SCALE-encoded without the runtime crate: a call is its
//! pallet's index in the runtime, the call's index in the pallet, then its arguments. The
//! indices are those of `runtime/src/lib.rs` and the pallets' `#[pallet::call_index]`; the
//! end-to-end tests submit each of these to a real node, so a drift fails them.

use crate::SignedReceipt;
use codec::{Compact, Encode};
use repute_primitives::{
	parameters::{ReceiptParameters, ReputationParameters},
	payments::PaymentParameters,
	pricing::PriceBounds,
	ServiceId,
};
use sp_core::crypto::AccountId32;

const BALANCES: u8 = 4;
const SUDO: u8 = 6;
const RECEIPTS: u8 = 10;
const REPUTATION: u8 = 11;
const PAYMENTS: u8 = 12;

/// An encoded runtime call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call(Vec<u8>);

impl Call {
	fn new(pallet: u8, call: u8, arguments: impl Encode) -> Self {
		let mut bytes = vec![pallet, call];
		arguments.encode_to(&mut bytes);
		Self(bytes)
	}

	/// A call read from a transaction ([`super::extrinsic::decode_signed`]).
	pub(crate) fn from_encoded(bytes: Vec<u8>) -> Self {
		Self(bytes)
	}

	/// The encoded call.
	pub fn as_bytes(&self) -> &[u8] {
		&self.0
	}

	/// The pallet's index in the runtime and the call's index in the pallet.
	pub fn indices(&self) -> [u8; 2] {
		[self.0.first().copied().unwrap_or_default(), self.0.get(1).copied().unwrap_or_default()]
	}

	/// The encoded arguments, after the two indices.
	pub fn arguments(&self) -> &[u8] {
		self.0.get(2..).unwrap_or_default()
	}

	/// `Receipts.register`: hold the peer bond from the sender and make it a peer.
	pub fn register() -> Self {
		Self::new(RECEIPTS, 0, ())
	}

	/// `Receipts.submit_receipts`: record co-signed receipts (at most the runtime's `MaxReceiptsPerBatch`, 512).
	pub fn submit_receipts(receipts: &[SignedReceipt]) -> Self {
		Self::new(RECEIPTS, 3, receipts)
	}

	/// `Receipts.set_parameters` (governance).
	pub fn set_receipt_parameters(parameters: &ReceiptParameters<u128, u32>) -> Self {
		Self::new(RECEIPTS, 6, parameters)
	}

	/// `Reputation.set_parameters` (governance).
	pub fn set_reputation_parameters(parameters: &ReputationParameters) -> Self {
		Self::new(REPUTATION, 0, parameters)
	}

	/// `Reputation.set_pretrusted` (governance).
	pub fn set_pretrusted(peers: &[AccountId32]) -> Self {
		Self::new(REPUTATION, 1, peers)
	}

	/// `Payments.open_channel`: the sender, as consumer, opens a channel to `provider` for
	/// `service`, holding `escrow` and paying `price` a unit (docs/payments.md).
	pub fn open_channel(
		provider: &AccountId32,
		service: ServiceId,
		price: u128,
		escrow: u128,
	) -> Self {
		Self::new(PAYMENTS, 0, (provider, service, price, escrow))
	}

	/// `Payments.top_up`: add `amount` to the sender's channel to `provider` for `service`.
	pub fn top_up(provider: &AccountId32, service: ServiceId, amount: u128) -> Self {
		Self::new(PAYMENTS, 1, (provider, service, amount))
	}

	/// `Payments.close_channel`: start closing the sender's channel to `provider` for `service`.
	pub fn close_channel(provider: &AccountId32, service: ServiceId) -> Self {
		Self::new(PAYMENTS, 2, (provider, service))
	}

	/// `Payments.settle_channel`: return the rest of a closed channel's escrow to `consumer`
	/// (anyone, after the challenge period; the provider at any time).
	pub fn settle_channel(
		consumer: &AccountId32,
		provider: &AccountId32,
		service: ServiceId,
	) -> Self {
		Self::new(PAYMENTS, 3, (consumer, provider, service))
	}

	/// `Payments.set_parameters` (governance).
	pub fn set_payment_parameters(parameters: &PaymentParameters<u128, u32>) -> Self {
		Self::new(PAYMENTS, 4, parameters)
	}

	/// `Payments.set_price_bounds` (governance): give `service` a reference price within
	/// `bounds`, or take it away (`None`).
	pub fn set_price_bounds(service: ServiceId, bounds: Option<&PriceBounds<u128>>) -> Self {
		Self::new(PAYMENTS, 5, (service, bounds))
	}

	/// `Balances.transfer_keep_alive`: send `amount` to `to`.
	pub fn transfer(to: &AccountId32, amount: u128) -> Self {
		// MultiAddress::Id is variant 0.
		Self::new(BALANCES, 3, (0u8, to, Compact(amount)))
	}

	/// `Sudo.sudo`: dispatch `call` as root (dev and test chains).
	pub fn sudo(call: Call) -> Self {
		let mut bytes = vec![SUDO, 0];
		bytes.extend_from_slice(&call.0);
		Self(bytes)
	}
}
