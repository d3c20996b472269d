//! The parameters governance sets, as the chain stores them and the runtime API returns them.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
#[cfg(feature = "sp-arithmetic")]
use sp_arithmetic::Perbill;

/// A fraction in parts per billion (1,000,000,000 is 100%).
///
/// It encodes exactly as `sp_arithmetic::Perbill` does (a little-endian `u32`), but decodes
/// every `u32`, so that a fraction above 100% in a call reaches the pallet and is refused there
/// with a typed error, instead of making the whole transaction undecodable. The pallets check
/// the range before they store one ([`PartsPerBillion::is_at_most_one`]).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PartsPerBillion(pub u32);

impl PartsPerBillion {
	/// 100%.
	pub const ONE: Self = Self(1_000_000_000);

	/// `percent` percent (saturating at `u32::MAX` parts).
	pub const fn from_percent(percent: u32) -> Self {
		Self(percent.saturating_mul(10_000_000))
	}

	/// Whether it is at most 100%.
	pub const fn is_at_most_one(self) -> bool {
		self.0 <= Self::ONE.0
	}

	/// As a `Perbill`, at most 100% (a value above it, which the pallets never store, counts as
	/// 100%).
	#[cfg(feature = "sp-arithmetic")]
	pub fn perbill(self) -> Perbill {
		Perbill::from_parts(self.0)
	}
}

#[cfg(feature = "sp-arithmetic")]
impl From<Perbill> for PartsPerBillion {
	fn from(fraction: Perbill) -> Self {
		Self(fraction.deconstruct())
	}
}

/// The governance-set parameters of shared history.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReceiptParameters<Balance, BlockNumber> {
	/// What a peer must hold as bond to register.
	pub peer_bond: Balance,
	/// Blocks between `unregister` and the bond's release.
	pub unbonding_period: BlockNumber,
	/// How old a receipt's timestamp may be when it is submitted, in milliseconds.
	pub max_receipt_age_ms: u64,
	/// How far a receipt's timestamp may be ahead of the chain's clock, in milliseconds.
	pub max_clock_drift_ms: u64,
	/// The share of each equivocator's bond that a proof of equivocation slashes (at most 100%).
	pub equivocation_slash: PartsPerBillion,
	/// The share of the slashed amount paid to whoever reported the equivocation (below 100%).
	pub reporter_reward: PartsPerBillion,
}

/// The governance-set parameters of reputation and admission.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct ReputationParameters {
	/// Blocks after which a peer's service reputation (and the weight of its partners' past
	/// service in its local trust) has halved.
	pub service_half_life: u32,
	/// Blocks after which a peer's usage reputation has halved.
	pub usage_half_life: u32,
	/// Blocks between the starts of two global-trust epochs.
	pub epoch_length: u32,
	/// The share of global trust given back to the pre-trusted peers in every iteration. At
	/// 50% or more, a group of identities holds at most the trust honest peers give it.
	pub damping: PartsPerBillion,
	/// The most power iterations one epoch runs.
	pub max_iterations: u32,
	/// An epoch stops early once the L1 distance between two iterates is at most this.
	pub tolerance: PartsPerBillion,
	/// The most of a block's weight that `on_idle` spends on the epoch computation.
	pub epoch_block_share: PartsPerBillion,
	/// How much a peer may consume per unit of trust-weighted service it gave, in percent.
	pub usage_allowance_percent: u32,
	/// The trust-weighted service a newcomer must give to leave probation.
	pub graduation_service: u128,
	/// The smallest stranger allowance the adaptive policy may set, in units.
	pub stranger_allowance_min: u128,
	/// The largest stranger allowance the adaptive policy may set, in units.
	pub stranger_allowance_max: u128,
	/// How many of a peer's partners subjective trust looks at (the largest first).
	pub subjective_neighbours: u32,
	/// The net flow, in units, that subjective trust maps to a score of one half.
	pub subjective_scale: u128,
	/// Blocks after which the stranger policy's counts of newcomers that graduated or defected
	/// have halved: how long the policy remembers how newcomers behaved, whatever the epoch
	/// length.
	pub stranger_memory: u32,
	/// Blocks over which a newcomer's stranger allowance is released, from its first
	/// registration: a peer on probation registered `t` blocks ago may use `t / stranger_release`
	/// of its allowance (all of it from `stranger_release` blocks on, or at once when zero).
	/// A fresh identity starts with nothing, so re-keying buys no allowance sooner.
	pub stranger_release: u32,
}
