//! The data the reputation pallet stores and reports.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::BoundedVec, traits::Get};
use scale_info::TypeInfo;
use sp_arithmetic::{FixedU128, Perbill};

pub use repute_primitives::reputation::{Admission, DenialReason, SubjectiveTrust};

/// A peer's position in the trust vector. Assigned once, in order of first appearance.
pub type PeerIndex = u32;

/// A position in the list of peers an epoch walks ([`crate::MemberPages`]).
pub type MemberSlot = u32;

/// A page of the member list: slots `page × MEMBER_PAGE_SIZE` up to the next page's first.
pub type MemberPageIndex = u32;

/// How many member slots a page holds.
pub const MEMBER_PAGE_SIZE: u32 = 256;

/// The peers of one member page, by position (`slot % MEMBER_PAGE_SIZE`). Positions at or past
/// `MemberCount` mean nothing: compaction leaves them behind and registration overwrites them.
pub type MemberPage = BoundedVec<PeerIndex, frame_support::traits::ConstU32<MEMBER_PAGE_SIZE>>;

/// Which of the three trust buffers a vector lives in (see [`crate::TrustPages`]).
pub type BufferId = u8;

/// A page of a trust buffer: peers `page × TRUST_PAGE_SIZE` up to the next page's first.
pub type TrustPageIndex = u32;

/// How many peers' entries a trust page holds (256 until storage version 4). A spreading block
/// touches nearly every page of two iterates (a consumer's providers are anywhere), and a page
/// costs a storage access whatever its size, so fewer, larger pages leave a block more of its
/// share for steps; larger pages also make a page's decoding and encoding, and a reader's proof
/// of one peer's entry (about 21 KiB), dearer.
pub const TRUST_PAGE_SIZE: u32 = 1024;

/// The entries of one trust page, by position (`index % TRUST_PAGE_SIZE`). A page may be
/// shorter than `TRUST_PAGE_SIZE`: a missing entry is the default, stale one.
pub type TrustPage = BoundedVec<TrustEntry, frame_support::traits::ConstU32<TRUST_PAGE_SIZE>>;

pub use repute_primitives::parameters::{PartsPerBillion, ReputationParameters};

/// Defaults for a fresh chain at 6-second blocks: a week of half-life for service and usage,
/// hourly epochs of at most 30 iterations, half of all trust anchored at the pre-trusted peers,
/// up to a fifth of each block for the computation, a unit of usage per unit of service vouched
/// for, and a stranger allowance between 1,000 and 100,000 units that remembers newcomers'
/// behaviour with a half-life of an hour and is released to a newcomer over its first hour.
pub struct DefaultParameters;

impl Get<ReputationParameters> for DefaultParameters {
	fn get() -> ReputationParameters {
		ReputationParameters {
			service_half_life: 100_800,
			usage_half_life: 100_800,
			epoch_length: 600,
			damping: PartsPerBillion::from_percent(50),
			max_iterations: 30,
			tolerance: PartsPerBillion(1_000),
			epoch_block_share: PartsPerBillion::from_percent(20),
			usage_allowance_percent: 100,
			graduation_service: 10_000,
			stranger_allowance_min: 1_000,
			stranger_allowance_max: 100_000,
			subjective_neighbours: 16,
			subjective_scale: 10_000,
			stranger_memory: 600,
			stranger_release: 600,
		}
	}
}

/// Which parameter was out of range, so governance knows what to fix.
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
	frame_support::PalletError,
)]
pub enum ParameterError {
	/// `service_half_life` must be at least one block (zero would never forget anything).
	ServiceHalfLife,
	/// `usage_half_life` must be at least `service_half_life`: usage forgotten faster than
	/// service would let colluders mint credit by serving each other and waiting.
	UsageHalfLife,
	/// `epoch_length` must be at least one block.
	EpochLength,
	/// `damping` must lie between 50% and 95%.
	Damping,
	/// `max_iterations` must lie between 1 and 1,000.
	MaxIterations,
	/// `tolerance` must be above zero.
	Tolerance,
	/// `epoch_block_share` must lie between 1% and 75%.
	EpochBlockShare,
	/// `usage_allowance_percent` must lie between 1 and 100: above 100, vouching in a circle
	/// would create credit.
	UsageAllowancePercent,
	/// `stranger_allowance_min` must not exceed `stranger_allowance_max`.
	StrangerAllowanceBounds,
	/// `subjective_neighbours` must lie between 1 and the runtime's `MaxPartners`.
	SubjectiveNeighbours,
	/// `subjective_scale` must be above zero.
	SubjectiveScale,
	/// `stranger_memory` must be at least one block.
	StrangerMemory,
}

/// Whether a peer holds a bond, as the receipts pallet told this pallet.
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
pub enum Standing {
	/// Bonded (active or unbonding).
	Registered,
	/// Its bond was withdrawn.
	Unregistered,
	/// Governance banned it.
	Banned,
}

/// Everything the chain keeps about one peer's reputation.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct PeerReputation<BlockNumber> {
	/// Its position in the trust vector.
	pub index: PeerIndex,
	/// Credit vouched for by the peers it served (see [`crate::credit`]), decayed to
	/// `updated_at`.
	pub service: u128,
	/// The part of `service` that witnesses vouched for: consumers that were admitted, or
	/// founders, when they co-signed (see [`crate::credit`]), decayed like `service`. A peer
	/// graduates once it reaches `graduation_service` ([`crate::admission`]): colluders passing
	/// their stranger allowances to each other as service move `service`, never this.
	pub witnessed_service: u128,
	/// Units it consumed, decayed to `updated_at`.
	pub usage: u128,
	/// The block `service` and `usage` were last decayed to.
	pub updated_at: BlockNumber,
	/// Whether it holds a bond or is banned.
	pub standing: Standing,
	/// The current admission decision.
	pub admission: Admission,
	/// Whether its first witnessed way out of probation (graduating or exhausting its
	/// allowance, with an admitted peer on the other side) has been counted by the adaptive
	/// stranger policy.
	pub newcomer_outcome_counted: bool,
	/// Whether it was ever denied for exhausting its stranger allowance
	/// ([`DenialReason::StrangerAllowanceExhausted`]). Until it graduates, such a peer gets only
	/// `stranger_allowance_min` (see [`crate::admission::allowance_of`]).
	pub exhausted_allowance: bool,
	/// Whether it holds a slot in [`crate::Members`], the peers epochs walk. A peer that leaves
	/// good standing keeps its slot until the next epoch's compaction drops it; if it registers
	/// again after that, it is given a new one.
	pub listed: bool,
	/// The block it first registered (its record was created): its stranger allowance is
	/// released over the `stranger_release` blocks from then on
	/// ([`crate::admission::released_allowance_of`]). Registering again keeps it.
	pub first_registered_at: BlockNumber,
}

#[cfg(test)]
impl PeerReputation<u64> {
	/// A registered, listed peer on probation with `service` and `usage`: the record unit tests
	/// start from.
	pub(crate) fn registered(service: u128, usage: u128) -> Self {
		Self {
			index: 0,
			service,
			witnessed_service: service,
			usage,
			updated_at: 0,
			standing: Standing::Registered,
			admission: Admission::Probation,
			newcomer_outcome_counted: false,
			exhausted_allowance: false,
			listed: true,
			first_registered_at: 0,
		}
	}
}

/// The providers a consumer received service from, with decayed units: its local trust.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(MaxPartners))]
#[codec(mel_bound(BlockNumber: MaxEncodedLen))]
pub struct LocalTrust<BlockNumber, MaxPartners: Get<u32>> {
	/// The block the units were last decayed to.
	pub updated_at: BlockNumber,
	/// (provider, units received from it), at most `MaxPartners`.
	pub providers: BoundedVec<(PeerIndex, u128), MaxPartners>,
}

/// What a peer owes the providers that served it beyond its credit: (creditor, units owed),
/// decayed with usage, at most `MaxCreditors` (the largest kept).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(MaxCreditors))]
#[codec(mel_bound(BlockNumber: MaxEncodedLen))]
pub struct Debts<BlockNumber, MaxCreditors: Get<u32>> {
	/// The block the amounts were last decayed to.
	pub updated_at: BlockNumber,
	/// (creditor, units owed), largest first.
	pub creditors: BoundedVec<(PeerIndex, u128), MaxCreditors>,
}

/// One peer's entry in a trust buffer, valid for the iteration `stamp` only.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct TrustEntry {
	/// The iteration that wrote it.
	pub stamp: u32,
	/// The trust value: once `damped`, the peer's value in that iteration's vector; before,
	/// the trust its consumers passed it so far.
	pub value: FixedU128,
	/// Whether `value` is final. Only the epoch's members are damped: trust passed to a peer
	/// outside the epoch never becomes part of the vector (it returns to the founders).
	pub damped: bool,
}

/// The global trust vector readers see: always a completed epoch.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct PublishedTrust<BlockNumber> {
	/// The epoch it is the result of.
	pub epoch: u32,
	/// The buffer holding it.
	pub buffer: BufferId,
	/// The stamp of its entries.
	pub stamp: u32,
	/// How many peers it covers: the members of its epoch.
	pub peers: u32,
	/// The damping it was computed with.
	pub damping: Perbill,
	/// Iterations run.
	pub iterations: u32,
	/// L1 distance between the last two iterates.
	pub residual: FixedU128,
	/// The block that published it.
	pub published_at: BlockNumber,
}

/// Which pass of an epoch runs next.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub enum EpochPhase {
	/// The member list is compacted: peers that left good standing since the last epoch are
	/// dropped, and the others move down to fill the gaps, in order.
	Compact {
		/// The next slot to read.
		read: MemberSlot,
		/// The slot the next peer kept moves to.
		write: MemberSlot,
	},
	/// Consumers pass their trust to their providers, from this member slot on.
	Spread {
		/// The slot of the next consumer to process.
		next: MemberSlot,
	},
	/// Each member's accumulated trust is damped and compared with the last iterate (the
	/// founders' at the end of the iteration, once the trust that reached no member is known).
	Damp {
		/// The slot of the next peer to damp.
		next: MemberSlot,
	},
	/// The result is published; every member's admission is reviewed against it.
	Review {
		/// The slot of the next peer to review.
		next: MemberSlot,
	},
}

/// An epoch being computed.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(MaxPreTrusted, MaxTop))]
#[codec(mel_bound(BlockNumber: MaxEncodedLen))]
pub struct EpochRun<BlockNumber, MaxPreTrusted: Get<u32>, MaxTop: Get<u32>> {
	/// The epoch's number.
	pub epoch: u32,
	/// The block it started at.
	pub started_at: BlockNumber,
	/// The members this epoch walks (slots below this, once compacted; peers registering
	/// later wait for the next epoch). Zero while compacting.
	pub peers: u32,
	/// Damping, snapshot at the start.
	pub damping: Perbill,
	/// Iteration limit, snapshot at the start.
	pub max_iterations: u32,
	/// Residual at which to stop, snapshot at the start.
	pub tolerance: FixedU128,
	/// Indices of the pre-trusted peers, sorted (never empty once compacted).
	pub pretrusted: BoundedVec<PeerIndex, MaxPreTrusted>,
	/// Iterations completed.
	pub iteration: u32,
	/// What runs next.
	pub phase: EpochPhase,
	/// The buffer holding the last iterate; `None` while it is still the damping distribution.
	pub previous: Option<BufferId>,
	/// The buffer the current iteration writes.
	pub current: BufferId,
	/// The buffer of the published vector when the epoch started: never written by it.
	pub published: Option<BufferId>,
	/// The stamp of the current iteration's entries.
	pub stamp: u32,
	/// Sum of the last iterate over all peers.
	pub previous_total: FixedU128,
	/// Sum of the current iterate over the peers damped so far.
	pub current_total: FixedU128,
	/// Trust passed on to the members damped so far in this iteration (before damping).
	pub accumulated: FixedU128,
	/// L1 distance to the last iterate, accumulated over the peers damped so far.
	pub residual: FixedU128,
	/// The most trusted peers of the published result, gathered by the review, best first.
	pub top: BoundedVec<(PeerIndex, FixedU128), MaxTop>,
}

/// Where the epoch computation stands.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(MaxPreTrusted, MaxTop))]
#[codec(mel_bound(BlockNumber: MaxEncodedLen))]
pub enum EpochState<BlockNumber, MaxPreTrusted: Get<u32>, MaxTop: Get<u32>> {
	/// Nothing runs; the next epoch starts at this block.
	Idle {
		/// The first block the next epoch may start in.
		next_epoch_at: BlockNumber,
	},
	/// An epoch is being computed.
	Running(EpochRun<BlockNumber, MaxPreTrusted, MaxTop>),
}

/// The adaptive stranger policy: the allowance newcomers get, and how recent newcomers behaved.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct StrangerPolicy<BlockNumber> {
	/// The allowance every registered peer has now, in units.
	pub allowance: u128,
	/// Recent newcomers that graduated (served an admitted peer enough to leave probation),
	/// halved every `stranger_memory` blocks.
	pub reciprocated: u32,
	/// Recent newcomers that used up their allowance on an admitted peer's service without
	/// serving, halved every `stranger_memory` blocks.
	pub defected: u32,
	/// The block the counts were last halved at (or, before any halving, the block the policy
	/// started counting at); whole `stranger_memory` periods since then are still to halve.
	pub halved_at: BlockNumber,
}

/// The most trusted peers of a published epoch, best first.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(MaxTop))]
pub struct TopList<MaxTop: Get<u32>> {
	/// The epoch they are the most trusted peers of.
	pub epoch: u32,
	/// (index, global trust), highest trust first, ties by lower index.
	pub peers: BoundedVec<(PeerIndex, FixedU128), MaxTop>,
}

/// Inserts `entry` into `list`, kept sorted by trust (highest first, ties by lower index) and
/// at most `MaxTop` long: an entry below a full list's last is left out.
pub fn insert_ranked<MaxTop: Get<u32>>(
	list: &mut BoundedVec<(PeerIndex, FixedU128), MaxTop>,
	entry: (PeerIndex, FixedU128),
) {
	let rank = |e: &(PeerIndex, FixedU128)| (core::cmp::Reverse(e.1), e.0);
	let position = list.partition_point(|e| rank(e) < rank(&entry));
	if list.len() < MaxTop::get() as usize {
		let _ = list.try_insert(position, entry);
	} else if position < list.len() {
		list.pop();
		let _ = list.try_insert(position, entry);
	}
}
