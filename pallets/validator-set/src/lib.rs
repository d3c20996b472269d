//! # Validator set pallet: who validates, decided by governance
//!
//! The chain's validators (who author blocks with Aura and vote on finality with GRANDPA) as a
//! set that governance changes by extrinsic, without a new chain: validators are added and
//! removed by [`Config::GovernanceOrigin`] (on Repute, two thirds of the technical committee, or
//! root), and a validator that stops authoring is removed automatically. The session pallet
//! rotates sessions when this pallet says so and asks it for the next set; each validator sets
//! its own session keys there (`Session.set_keys`).
//!
//! ## Terminology
//!
//! - **Validator set** ([`Validators`]): the accounts governance has approved, at most
//!   [`Config::MaxValidators`]. The session pallet takes it at the next session rotation, for
//!   the session after that: a change is in force two rotations after it is made.
//! - **Session**: a run of [`ValidatorSetParameters::session_length`] blocks with a fixed set of validators
//!   and keys. A rotation block is charged a full block by the session pallet.
//! - **Session keys**: the Aura and GRANDPA public keys of a validator, which the validator
//!   itself registers with the session pallet (`Session.set_keys`, with a proof that it holds
//!   them). An account without them cannot be added: it could not author nor vote.
//! - **Offline**: a validator that validated the whole of a session and authored no block in it.
//!
//! ## Guarantees
//!
//! - The set never has fewer than [`ValidatorSetParameters::min_validators`] validators, nor more than
//!   [`Config::MaxValidators`], and never holds an account twice.
//! - **An offline validator is removed, but never so many that finality depends on them.**
//!   At the end of each session, validators of that session that authored nothing are removed,
//!   at most `⌊(n − 1) ÷ 3⌋` of a session's `n` (as many as GRANDPA finalises without), and never
//!   below the minimum; the others are reported ([`Event::ValidatorOffline`]) and kept. A larger
//!   outage stalls finality (GRANDPA needs more than two thirds of the votes), and the removal of
//!   the absent would itself need finality, so the chain waits for them: governance then removes
//!   them, or they come back.
//! - A validator's removal, like an addition, is in force two session rotations later; until
//!   then it still authors its slots and votes.
//!
//! ## Dispatchables
//!
//! - [`Pallet::add_validator`] ([`Config::GovernanceOrigin`]): add an account that has set its
//!   session keys.
//! - [`Pallet::remove_validator`] ([`Config::GovernanceOrigin`]): remove a validator.
//! - [`Pallet::set_parameters`] ([`Config::GovernanceOrigin`]): the session length and the
//!   fewest validators.
//!
//! The pallet is the runtime's `pallet_session::SessionManager` and `ShouldEndSession`
//! (`session.rs`) and the block author's listener (`pallet_authorship::EventHandler`,
//! `liveness.rs`, where offline validators are found).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod liveness;
#[cfg(test)]
mod mock;
mod session;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

/// Registers session keys for an account in a runtime built for benchmarks, so that the
/// benchmarks can add it to the set.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Give `who` session keys that no other account holds.
	fn register_session_keys(who: &AccountId);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{ValidatorRegistration, ValidatorSet},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::{Saturating, Zero};

	/// The current storage layout.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Who may add and remove validators and set the parameters.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The session pallet: the validators of the current session, and whether an account
		/// has set its session keys.
		type Sessions: ValidatorSet<Self::AccountId, ValidatorId = Self::AccountId>
			+ ValidatorRegistration<Self::AccountId>;

		/// The most validators the set may hold (at most the consensus pallets' own limits).
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// The parameters of a chain whose genesis does not set them.
		type DefaultParameters: Get<ValidatorSetParameters<BlockNumberFor<Self>>>;

		/// Weights of this pallet's calls and of the author's bookkeeping in every block.
		type WeightInfo: WeightInfo;

		/// Registers session keys for the benchmarks' accounts.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The validator set governance has approved. The session pallet takes it at the next
	/// rotation, for the session after that.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether [`Validators`] changed since the session pallet last took it.
	#[pallet::storage]
	pub type SetChanged<T: Config> = StorageValue<_, bool, ValueQuery>;

	/// The session length and the fewest validators.
	#[pallet::storage]
	pub type Parameters<T: Config> = StorageValue<
		_,
		types::ValidatorSetParameters<BlockNumberFor<T>>,
		ValueQuery,
		T::DefaultParameters,
	>;

	/// The block at which the current session ends and the next begins.
	#[pallet::storage]
	pub type NextRotation<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The validators that authored a block in the current session, with how many each.
	#[pallet::storage]
	pub type SessionAuthors<T: Config> =
		StorageValue<_, BoundedVec<(T::AccountId, u32), T::MaxValidators>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The validators of the first sessions. Each must also have its session keys in the
		/// session pallet's genesis. If empty, the session pallet's genesis keys name the first
		/// validators, and the set starts as theirs.
		pub validators: Vec<T::AccountId>,
		/// The parameters, if not [`Config::DefaultParameters`].
		pub parameters: Option<types::ValidatorSetParameters<BlockNumberFor<T>>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let parameters = self.parameters.unwrap_or_else(T::DefaultParameters::get);
			assert!(
				Pallet::<T>::valid_parameters(&parameters),
				"genesis validator-set parameters are invalid"
			);
			let mut validators = BoundedVec::<T::AccountId, T::MaxValidators>::default();
			for validator in &self.validators {
				assert!(!validators.contains(validator), "a genesis validator is named twice");
				validators
					.try_push(validator.clone())
					.expect("more genesis validators than MaxValidators");
			}
			assert!(
				validators.is_empty() || validators.len() as u32 >= parameters.min_validators,
				"fewer genesis validators than min_validators"
			);
			Parameters::<T>::put(parameters);
			Validators::<T>::put(validators);
			NextRotation::<T>::put(parameters.session_length);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` joins the set; it validates from the session after next.
		ValidatorAdded { who: T::AccountId },
		/// `who` leaves the set; it stops validating after the next session.
		ValidatorRemoved { who: T::AccountId, reason: Removal },
		/// `who` authored no block in `session`, which it validated, and stays in the set: its
		/// removal would have taken the set below its minimum, or removed more validators in
		/// one session than GRANDPA finalises without.
		ValidatorOffline { who: T::AccountId, session: SessionIndex },
		/// Governance replaced the parameters.
		ParametersSet {
			old: types::ValidatorSetParameters<BlockNumberFor<T>>,
			new: types::ValidatorSetParameters<BlockNumberFor<T>>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already in the validator set.
		AlreadyValidator,
		/// The account is not in the validator set.
		NotValidator,
		/// The set holds `MaxValidators` already.
		TooManyValidators,
		/// Removing the validator would leave fewer than `min_validators`.
		TooFewValidators,
		/// The account has not set session keys (`Session.set_keys`): it could not validate.
		NoSessionKeys,
		/// A session must last at least one block, and `min_validators` must be between one and
		/// `MaxValidators`.
		InvalidParameters,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Charges what every block costs this pallet: the session pallet's check whether the
		/// session ends, and the author's count (`pallet_authorship` calls [`Pallet`] as its
		/// event handler in its own `on_initialize`, uncharged).
		fn on_initialize(_now: BlockNumberFor<T>) -> Weight {
			T::WeightInfo::note_author()
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Add `who` to the validator set. It validates from the session after next, with the
		/// session keys it registered.
		///
		/// Origin: [`Config::GovernanceOrigin`].
		/// Errors: [`Error::NoSessionKeys`], [`Error::AlreadyValidator`],
		/// [`Error::TooManyValidators`].
		/// Emits [`Event::ValidatorAdded`].
		///
		/// ## Complexity
		/// O(n) in the size of the set.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator())]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(T::Sessions::is_registered(&who), Error::<T>::NoSessionKeys);
			let mut validators = Self::validators();
			ensure!(!validators.contains(&who), Error::<T>::AlreadyValidator);
			validators.try_push(who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
			Validators::<T>::put(validators);
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorAdded { who });
			Ok(())
		}

		/// Remove `who` from the validator set. It validates until the session after next.
		///
		/// Origin: [`Config::GovernanceOrigin`].
		/// Errors: [`Error::NotValidator`], [`Error::TooFewValidators`].
		/// Emits [`Event::ValidatorRemoved`] with [`Removal::Governance`].
		///
		/// ## Complexity
		/// O(n) in the size of the set.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator())]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let min_validators = Parameters::<T>::get().min_validators;
			let mut validators = Self::validators();
			let index = validators
				.iter()
				.position(|validator| validator == &who)
				.ok_or(Error::<T>::NotValidator)?;
			ensure!(validators.len() as u32 > min_validators, Error::<T>::TooFewValidators);
			validators.remove(index);
			Validators::<T>::put(validators);
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorRemoved { who, reason: Removal::Governance });
			Ok(())
		}

		/// Replace the parameters. A new session length applies from the next rotation; a new
		/// minimum applies at once, and may exceed the current set (which then cannot shrink).
		/// On a chain that gained this pallet by a runtime upgrade, the first call also schedules
		/// the first rotation, `session_length` blocks from now (docs/governance.md).
		///
		/// Origin: [`Config::GovernanceOrigin`].
		/// Errors: [`Error::InvalidParameters`].
		/// Emits [`Event::ParametersSet`].
		///
		/// ## Complexity
		/// O(1).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(
			origin: OriginFor<T>,
			parameters: types::ValidatorSetParameters<BlockNumberFor<T>>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(Self::valid_parameters(&parameters), Error::<T>::InvalidParameters);
			let old = Parameters::<T>::get();
			Parameters::<T>::put(parameters);
			if NextRotation::<T>::get().is_zero() {
				// The pallet came by a runtime upgrade: sessions start rotating now.
				let now = frame_system::Pallet::<T>::block_number();
				NextRotation::<T>::put(now.saturating_add(parameters.session_length));
			}
			Self::deposit_event(Event::ParametersSet { old, new: parameters });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The validator set: [`Validators`], or, on a chain whose genesis named none here, the
		/// current session's validators (as many as fit), which the set starts from.
		pub fn validators() -> BoundedVec<T::AccountId, T::MaxValidators> {
			let validators = Validators::<T>::get();
			if !validators.is_empty() {
				return validators;
			}
			BoundedVec::truncate_from(T::Sessions::validators())
		}

		/// Whether governance may set `parameters`.
		pub(crate) fn valid_parameters(
			parameters: &types::ValidatorSetParameters<BlockNumberFor<T>>,
		) -> bool {
			!parameters.session_length.is_zero()
				&& parameters.min_validators >= 1
				&& parameters.min_validators <= T::MaxValidators::get()
		}

		/// The set's invariants: no account twice, at most the maximum (by type), and a
		/// session author count only for accounts that authored.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let validators = Validators::<T>::get();
			for (index, validator) in validators.iter().enumerate() {
				ensure!(
					!validators[index + 1..].contains(validator),
					"a validator is in the set twice"
				);
			}
			let authors = SessionAuthors::<T>::get();
			ensure!(authors.iter().all(|(_, blocks)| *blocks > 0), "an author with no block");
			Ok(())
		}
	}
}
