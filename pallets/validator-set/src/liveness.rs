//! Where offline validators are found: every block's author is counted for its session, and at
//! the session's end the validators that authored nothing are removed, within the bounds that
//! keep finality and the minimum set.

use crate::{
	Config, Event, Pallet, Parameters, Removal, SessionAuthors, SessionIndex, SetChanged,
	Validators,
};
use frame_support::{defensive, traits::ValidatorSet};

impl<T: Config>
	pallet_authorship::EventHandler<T::AccountId, frame_system::pallet_prelude::BlockNumberFor<T>>
	for Pallet<T>
{
	/// Counts a block for its author in the current session.
	fn note_author(author: T::AccountId) {
		SessionAuthors::<T>::mutate(|authors| {
			if let Some((_, blocks)) = authors.iter_mut().find(|(who, _)| who == &author) {
				*blocks = blocks.saturating_add(1);
			} else if authors.try_push((author, 1)).is_err() {
				defensive!("more authors in a session than validators");
			}
		});
	}
}

impl<T: Config> Pallet<T> {
	/// At the end of `session`: each validator of that session that authored no block in it is
	/// removed from the set, at most `⌊(n − 1) ÷ 3⌋` of the session's `n` validators and never
	/// below `min_validators`; the others found offline are reported and kept. Runs in the
	/// rotation block, which the session pallet charges as a full block.
	pub(crate) fn remove_offline(session: SessionIndex) {
		let session_validators = T::Sessions::validators();
		let authors = SessionAuthors::<T>::get();
		let tolerated = session_validators.len().saturating_sub(1) / 3;
		let min_validators = Parameters::<T>::get().min_validators as usize;
		let mut validators = Pallet::<T>::validators();
		let mut removed = 0usize;
		for offline in session_validators
			.iter()
			.filter(|validator| !authors.iter().any(|(author, _)| author == *validator))
		{
			let Some(index) = validators.iter().position(|validator| validator == offline) else {
				// Governance removed it already; it leaves with the set it took.
				continue;
			};
			if removed < tolerated && validators.len() > min_validators {
				validators.remove(index);
				removed += 1;
				Self::deposit_event(Event::ValidatorRemoved {
					who: offline.clone(),
					reason: Removal::Offline { session },
				});
			} else {
				Self::deposit_event(Event::ValidatorOffline { who: offline.clone(), session });
			}
		}
		if removed > 0 {
			Validators::<T>::put(validators);
			SetChanged::<T>::put(true);
		}
	}
}
