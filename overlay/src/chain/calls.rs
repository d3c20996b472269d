//! The runtime calls the overlay sends, SCALE-encoded without the runtime crate: a call is its
//! pallet's index in the runtime, the call's index in the pallet, then its arguments. The
//! indices ([`index`]) are those of `runtime/src/lib.rs` and the pallets'
//! `#[pallet::call_index]`; [`super::metadata`] checks each of them, by name, against the node's
//! runtime before anything is signed, and the end-to-end tests submit them to a real node.

use crate::AccountId32;
use crate::SignedReceipt;
use codec::{Compact, Encode};
use repute_primitives::{
	parameters::{ReceiptParameters, ReputationParameters},
	payments::PaymentParameters,
	pricing::PriceBounds,
	ServiceId,
};

/// Where a call stands in the runtime: its pallet's name and index, and its own name and index
/// in the pallet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallIndex {
	/// The pallet's name and index in the runtime.
	pub pallet: (&'static str, u8),
	/// The call's name and index in the pallet.
	pub call: (&'static str, u8),
}

/// The place of every call the overlay sends.
pub mod index {
	use super::CallIndex;

	const BALANCES: (&str, u8) = ("Balances", 4);
	const SUDO: (&str, u8) = ("Sudo", 6);
	const RECEIPTS: (&str, u8) = ("Receipts", 10);
	const REPUTATION: (&str, u8) = ("Reputation", 11);
	const PAYMENTS: (&str, u8) = ("Payments", 12);

	const fn at(pallet: (&'static str, u8), call: (&'static str, u8)) -> CallIndex {
		CallIndex { pallet, call }
	}

	pub const REGISTER: CallIndex = at(RECEIPTS, ("register", 0));
	pub const UNREGISTER: CallIndex = at(RECEIPTS, ("unregister", 1));
	pub const SUBMIT_RECEIPTS: CallIndex = at(RECEIPTS, ("submit_receipts", 3));
	pub const SET_RECEIPT_PARAMETERS: CallIndex = at(RECEIPTS, ("set_parameters", 6));
	pub const SET_REPUTATION_PARAMETERS: CallIndex = at(REPUTATION, ("set_parameters", 0));
	pub const SET_PRETRUSTED: CallIndex = at(REPUTATION, ("set_pretrusted", 1));
	pub const OPEN_CHANNEL: CallIndex = at(PAYMENTS, ("open_channel", 0));
	pub const TOP_UP: CallIndex = at(PAYMENTS, ("top_up", 1));
	pub const CLOSE_CHANNEL: CallIndex = at(PAYMENTS, ("close_channel", 2));
	pub const SETTLE_CHANNEL: CallIndex = at(PAYMENTS, ("settle_channel", 3));
	pub const SET_PAYMENT_PARAMETERS: CallIndex = at(PAYMENTS, ("set_parameters", 4));
	pub const SET_PRICE_BOUNDS: CallIndex = at(PAYMENTS, ("set_price_bounds", 5));
	pub const TRANSFER: CallIndex = at(BALANCES, ("transfer_keep_alive", 3));
	pub const SUDO_CALL: CallIndex = at(SUDO, ("sudo", 0));
}

/// An encoded runtime call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call(Vec<u8>);

impl Call {
	fn new(index: CallIndex, arguments: impl Encode) -> Self {
		let mut bytes = vec![index.pallet.1, index.call.1];
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
		Self::new(index::REGISTER, ())
	}

	/// `Receipts.unregister`: the sender starts leaving; its bond is held for the unbonding
	/// period, and what it took on its stranger allowance without serving is forfeited when it
	/// withdraws (docs/reputation.md, "Leaving").
	pub fn unregister() -> Self {
		Self::new(index::UNREGISTER, ())
	}

	/// `Receipts.submit_receipts`: record co-signed receipts (at most the runtime's `MaxReceiptsPerBatch`, 512).
	pub fn submit_receipts(receipts: &[SignedReceipt]) -> Self {
		Self::new(index::SUBMIT_RECEIPTS, receipts)
	}

	/// `Receipts.set_parameters` (governance).
	pub fn set_receipt_parameters(parameters: &ReceiptParameters<u128, u32>) -> Self {
		Self::new(index::SET_RECEIPT_PARAMETERS, parameters)
	}

	/// `Reputation.set_parameters` (governance).
	pub fn set_reputation_parameters(parameters: &ReputationParameters) -> Self {
		Self::new(index::SET_REPUTATION_PARAMETERS, parameters)
	}

	/// `Reputation.set_pretrusted` (governance).
	pub fn set_pretrusted(peers: &[AccountId32]) -> Self {
		Self::new(index::SET_PRETRUSTED, peers)
	}

	/// `Payments.open_channel`: the sender, as consumer, opens a channel to `provider` for
	/// `service`, holding `escrow` and paying `price` a unit (docs/payments.md).
	pub fn open_channel(
		provider: &AccountId32,
		service: ServiceId,
		price: u128,
		escrow: u128,
	) -> Self {
		Self::new(index::OPEN_CHANNEL, (provider, service, price, escrow))
	}

	/// `Payments.top_up`: add `amount` to the sender's channel to `provider` for `service`.
	pub fn top_up(provider: &AccountId32, service: ServiceId, amount: u128) -> Self {
		Self::new(index::TOP_UP, (provider, service, amount))
	}

	/// `Payments.close_channel`: start closing the sender's channel to `provider` for `service`.
	pub fn close_channel(provider: &AccountId32, service: ServiceId) -> Self {
		Self::new(index::CLOSE_CHANNEL, (provider, service))
	}

	/// `Payments.settle_channel`: return the rest of a closed channel's escrow to `consumer`
	/// (anyone, after the challenge period; the provider at any time).
	pub fn settle_channel(
		consumer: &AccountId32,
		provider: &AccountId32,
		service: ServiceId,
	) -> Self {
		Self::new(index::SETTLE_CHANNEL, (consumer, provider, service))
	}

	/// `Payments.set_parameters` (governance).
	pub fn set_payment_parameters(parameters: &PaymentParameters<u128, u32>) -> Self {
		Self::new(index::SET_PAYMENT_PARAMETERS, parameters)
	}

	/// `Payments.set_price_bounds` (governance): give `service` a reference price within
	/// `bounds`, or take it away (`None`).
	pub fn set_price_bounds(service: ServiceId, bounds: Option<&PriceBounds<u128>>) -> Self {
		Self::new(index::SET_PRICE_BOUNDS, (service, bounds))
	}

	/// `Balances.transfer_keep_alive`: send `amount` to `to`.
	pub fn transfer(to: &AccountId32, amount: u128) -> Self {
		// MultiAddress::Id is variant 0.
		Self::new(index::TRANSFER, (0u8, to, Compact(amount)))
	}

	/// `Sudo.sudo`: dispatch `call` as root (dev and test chains).
	pub fn sudo(call: Call) -> Self {
		let mut bytes = vec![index::SUDO_CALL.pallet.1, index::SUDO_CALL.call.1];
		bytes.extend_from_slice(&call.0);
		Self(bytes)
	}
}
