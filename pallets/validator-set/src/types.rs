//! The validator set's data types: its governed parameters and why a validator left the set.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::traits::Get;
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// A session's index, as the session pallet counts them (the first session is 0).
pub type SessionIndex = u32;

/// What governance sets for the validator set ([`crate::Pallet::set_parameters`]).
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Deserialize,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	Serialize,
	TypeInfo,
)]
#[serde(rename_all = "camelCase")]
pub struct ValidatorSetParameters<BlockNumber> {
	/// Blocks a session lasts. A change of the validator set takes effect two session
	/// rotations after it is made (the session pallet plans one session ahead), and a validator
	/// must author at least one block in a session it validates in full, or it is removed. Each
	/// validator gets about `session_length ÷ validators` slots in a session, so the length
	/// should give each several.
	pub session_length: BlockNumber,
	/// The fewest validators the set may have: governance cannot remove one below it, and
	/// validators that author nothing are not removed below it either.
	pub min_validators: u32,
}

/// The parameters of a chain whose genesis does not set them: sessions of an hour of 6-second
/// blocks, and at least one validator.
pub struct DefaultParameters;

impl<BlockNumber: From<u32>> Get<ValidatorSetParameters<BlockNumber>> for DefaultParameters {
	fn get() -> ValidatorSetParameters<BlockNumber> {
		ValidatorSetParameters { session_length: 600u32.into(), min_validators: 1 }
	}
}

/// Why a validator left the set ([`crate::Event::ValidatorRemoved`]).
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	TypeInfo,
)]
pub enum Removal {
	/// Governance removed it ([`crate::Pallet::remove_validator`]).
	Governance,
	/// It validated the whole of a session and authored no block in it.
	Offline {
		/// The session in which it authored nothing.
		session: SessionIndex,
	},
}
