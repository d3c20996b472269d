//! Where a session ends and the next set is planned: the pallet as the session pallet's
//! `ShouldEndSession`, `EstimateNextSessionRotation` and `SessionManager`.

use crate::{
	Config, NextRotation, Pallet, Parameters, SessionAuthors, SessionIndex, SetChanged, Validators,
};
use alloc::vec::Vec;
use frame_support::{
	traits::{EstimateNextSessionRotation, Get},
	weights::Weight,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	Permill,
};

impl<T: Config> pallet_session::ShouldEndSession<BlockNumberFor<T>> for Pallet<T> {
	/// The session ends at [`NextRotation`]; the read is charged in every block by the
	/// pallet's `on_initialize`. A chain that gained the pallet by a runtime upgrade has no
	/// rotation scheduled (zero) and keeps its authorities until governance sets the parameters.
	fn should_end_session(now: BlockNumberFor<T>) -> bool {
		let next = NextRotation::<T>::get();
		!next.is_zero() && now >= next
	}
}

impl<T: Config> EstimateNextSessionRotation<BlockNumberFor<T>> for Pallet<T> {
	fn average_session_length() -> BlockNumberFor<T> {
		Parameters::<T>::get().session_length
	}

	fn estimate_current_session_progress(now: BlockNumberFor<T>) -> (Option<Permill>, Weight) {
		let length = Parameters::<T>::get().session_length;
		let remaining = NextRotation::<T>::get().saturating_sub(now);
		let progress = if length.is_zero() {
			None
		} else {
			Some(Permill::from_rational(length.saturating_sub(remaining), length))
		};
		(progress, T::DbWeight::get().reads(2))
	}

	fn estimate_next_session_rotation(
		_now: BlockNumberFor<T>,
	) -> (Option<BlockNumberFor<T>>, Weight) {
		(Some(NextRotation::<T>::get()), T::DbWeight::get().reads(1))
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	/// Called at a rotation, after the ending session's [`Self::end_session`]: the session that
	/// starts now ends `session_length` blocks from now, and the session after it is given the
	/// set if it changed since the last plan.
	fn new_session(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		let now = frame_system::Pallet::<T>::block_number();
		NextRotation::<T>::put(now.saturating_add(Parameters::<T>::get().session_length));
		if !SetChanged::<T>::take() {
			return None;
		}
		Some(Pallet::<T>::validators().into_inner())
	}

	/// The first two sessions are the genesis set's (or, if genesis named none here, those of
	/// the session pallet's genesis keys).
	fn new_session_genesis(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		let validators = Validators::<T>::get();
		(!validators.is_empty()).then(|| validators.into_inner())
	}

	/// Finds the validators of the ending session that authored nothing in it (`liveness.rs`).
	fn end_session(end_index: SessionIndex) {
		Self::remove_offline(end_index);
	}

	/// A session starts with no authors counted.
	fn start_session(_start_index: SessionIndex) {
		SessionAuthors::<T>::kill();
	}
}
