//! What the chain decides about a peer and what it answers about one, in the form the runtime
//! API returns it (SCALE): shared by the reputation pallet, the runtime API and its clients. The
//! JSON forms the node's RPC answers with live in `repute-rpc`.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Whether peers should serve a peer, as the chain computed it.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum Admission {
	/// Serve it: its usage is covered by the service it gave, and it has graduated.
	Admitted,
	/// A newcomer living on the stranger allowance: serve it until the allowance is used up.
	Probation,
	/// Refuse it, for the reason given.
	Denied(DenialReason),
}

impl Admission {
	/// Whether a peer with this decision should be served.
	pub fn allows_service(&self) -> bool {
		!matches!(self, Admission::Denied(_))
	}
}

/// Why the chain denies a peer.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum DenialReason {
	/// Governance banned it.
	Banned,
	/// It holds no bond (never registered, or withdrew its bond).
	NotRegistered,
	/// A newcomer that used up its stranger allowance without serving enough in return.
	StrangerAllowanceExhausted,
	/// Its usage is above what the service it gave and the stranger allowance cover.
	UsageExceedsService,
	/// A newcomer that used what of its stranger allowance is released so far
	/// (`stranger_release`): it is served again as more is released, or once it serves.
	StrangerAllowanceNotYetReleased,
}

/// A target's reputation in one viewer's eyes: the service that flowed between them over the
/// shared-history graph limited to two hops (a max-flow, as in BarterCast).
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo,
)]
pub struct SubjectiveTrust {
	/// Decayed units the target gave the viewer, directly or through one intermediary.
	pub flow_to_viewer: u128,
	/// Decayed units the viewer gave the target, directly or through one intermediary.
	pub flow_from_viewer: u128,
	/// The net flow squashed into (-1, 1), in parts per billion: positive when the target gave
	/// more than it took.
	pub score_ppb: i64,
}

/// Where a peer stands with its bond.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum BondStatus<BlockNumber> {
	/// It holds no bond: never registered, or withdrew it.
	NotRegistered,
	/// Bonded and taking part.
	Active,
	/// Leaving: the bond can be withdrawn from `unlock_at`.
	Unbonding {
		/// The first block at which the bond can be withdrawn.
		unlock_at: BlockNumber,
	},
	/// Banned by governance at block `at`.
	Banned {
		/// The block of the ban.
		at: BlockNumber,
	},
}

/// A peer's share of global trust in one published epoch.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct GlobalTrust {
	/// Its share of all trust, in parts per 10^18 (all peers' shares sum to 10^18).
	pub parts_per_quintillion: u128,
	/// The epoch it was published in.
	pub epoch: u32,
}

/// Everything the chain knows about one peer, in one answer.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct PeerReport<Balance, BlockNumber> {
	/// Where it stands with its bond.
	pub status: BondStatus<BlockNumber>,
	/// The bond it holds (zero if none).
	pub bond: Balance,
	/// Units it has given others, over all services and all time.
	pub units_served: u128,
	/// Units it has received from others, over all services and all time.
	pub units_consumed: u128,
	/// Receipts recorded with it on either side.
	pub receipts: u64,
	/// Its service reputation: the credit vouched for by the peers it served, decayed to the
	/// block asked about.
	pub service_reputation: u128,
	/// Its usage reputation, decayed to the block asked about.
	pub usage_reputation: u128,
	/// The stranger allowance this peer has: the allowance in force, or no more than the
	/// governance-set minimum for a peer that once exhausted its allowance and has not graduated
	/// since.
	pub stranger_allowance: u128,
	/// How many more units it may consume before the chain denies it:
	/// `max(0, service · usage_allowance_percent / 100 + stranger_allowance − usage)`, zero
	/// when it is banned or holds no bond.
	pub admission_credit: u128,
	/// Its global trust in the latest published epoch, if it was part of it.
	pub global_trust: Option<GlobalTrust>,
	/// The chain's admission decision.
	pub admission: Admission,
}

/// Which side of a partnership to list.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum PartnerDirection {
	/// The peers this peer served (it was the provider).
	Served,
	/// The peers that served this peer (it was the consumer).
	ServedBy,
}

/// One partnership of a peer, for one service, as the chain's newest receipt states it.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Partner<AccountId, BlockNumber> {
	/// The other peer.
	pub peer: AccountId,
	/// The service.
	pub service: crate::ServiceId,
	/// Cumulative units of the newest recorded receipt.
	pub cumulative_units: u128,
	/// Its sequence number.
	pub sequence: u64,
	/// The block that recorded it.
	pub last_update: BlockNumber,
}
