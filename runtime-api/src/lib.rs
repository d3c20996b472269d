//! # Repute runtime API
//!
//! What a client (the node's RPC, the overlay library) may ask the runtime about reputation
//! and admission at any block. It lives in its own crate so that clients depend on it and on
//! `repute-primitives`, never on the runtime.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;

pub use repute_primitives::{
	parameters::{ReceiptParameters, ReputationParameters},
	payments::{Channel, PaymentParameters},
	pricing::{PriceBounds, ServicePrice},
	reputation::{
		Admission, BondStatus, DenialReason, GlobalTrust, Partner, PartnerDirection, PeerReport,
		SubjectiveTrust,
	},
};

sp_api::decl_runtime_apis! {
	/// Reputation and admission queries. Every answer is computed from the state of the block it
	/// is asked at, with decay applied up to that block. Callers bound the sizes they pass
	/// (`peers`, `limit`): the runtime does what it is asked. Version 2 added
	/// [`ReputationApi::registration_ages`], version 3 [`ReputationApi::witnessed_services`].
	#[api_version(2)]
	pub trait ReputationApi<AccountId, Balance, BlockNumber>
	where
		AccountId: codec::Codec,
		Balance: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// Everything the chain knows about `peer`, or `None` if it never registered.
		fn peer_report(peer: AccountId) -> Option<PeerReport<Balance, BlockNumber>>;

		/// The storage keys `peer_report` reads, to request a proof of them at the same block.
		fn peer_report_keys(peer: AccountId) -> Vec<Vec<u8>>;

		/// `peer`'s admission; from `viewer`'s point of view if one is given.
		fn admission(peer: AccountId, viewer: Option<AccountId>) -> Admission;

		/// The admission of each of `peers`, in order; from `viewer`'s point of view if given.
		fn admissions(peers: Vec<AccountId>, viewer: Option<AccountId>) -> Vec<Admission>;

		/// `target`'s reputation in `viewer`'s eyes (two-hop max-flow, both ways).
		fn subjective_trust(viewer: AccountId, target: AccountId) -> SubjectiveTrust;

		/// Up to `limit` of `peer`'s partnerships in `direction`, skipping the first `start`.
		fn partners(
			peer: AccountId,
			direction: PartnerDirection,
			start: u32,
			limit: u32,
		) -> Vec<Partner<AccountId, BlockNumber>>;

		/// Up to `limit` of the most trusted peers from rank `start`, with the epoch ranked.
		fn top_peers(start: u32, limit: u32) -> (u32, Vec<(AccountId, GlobalTrust)>);

		/// The parameters of shared history and of reputation.
		fn parameters() -> (ReceiptParameters<Balance, BlockNumber>, ReputationParameters);

		/// For each of `peers`, in order, the blocks since it first registered (what its
		/// stranger allowance is released over), or `None` if it never registered.
		#[api_version(2)]
		fn registration_ages(peers: Vec<AccountId>) -> Vec<Option<BlockNumber>>;

		/// For each of `peers`, in order, its witnessed service decayed to this block: the part
		/// of its service reputation that admitted peers and founders vouched for, on which it
		/// graduates (leaves probation); `None` if it never registered.
		#[api_version(3)]
		fn witnessed_services(peers: Vec<AccountId>) -> Vec<Option<u128>>;
	}
}

sp_api::decl_runtime_apis! {
	/// Payment-channel queries: what a provider reads before serving a consumer that pays, and
	/// what governance set. Version 2 added [`PaymentsApi::prices`].
	#[api_version(2)]
	pub trait PaymentsApi<AccountId, Balance, BlockNumber>
	where
		AccountId: codec::Codec,
		Balance: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// The channel of `consumer` to `provider` for `service`, or `None` if it is not open
		/// (never opened, or settled).
		fn channel(
			consumer: AccountId,
			provider: AccountId,
			service: u32,
		) -> Option<Channel<Balance, BlockNumber>>;

		/// The parameters of payment channels.
		fn parameters() -> PaymentParameters<Balance, BlockNumber>;

		/// Every priced service's reference price, bounds and load so far this period, by
		/// service id (at most `MaxServices` of them).
		#[api_version(2)]
		fn prices() -> Vec<(u32, ServicePrice<Balance>)>;
	}
}
