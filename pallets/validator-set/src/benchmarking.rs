//! Benchmarks of the validator set's calls and of the bookkeeping every block does, each at its
//! worst case: the set one short of full (or full), the author new to a session of full authors.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_session::ShouldEndSession;

/// `count` distinct validators, each with session keys.
fn validators<T: Config>(count: u32) -> BoundedVec<T::AccountId, T::MaxValidators> {
	let accounts: alloc::vec::Vec<T::AccountId> = (0..count)
		.map(|index| {
			let who: T::AccountId = account("validator", index, 0);
			T::BenchmarkHelper::register_session_keys(&who);
			who
		})
		.collect();
	BoundedVec::try_from(accounts).expect("count is at most MaxValidators")
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The set one short of full: the duplicate check reads every member.
	#[benchmark]
	fn add_validator() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let max = T::MaxValidators::get();
		Validators::<T>::put(validators::<T>(max - 1));
		let who: T::AccountId = account("candidate", 0, 0);
		T::BenchmarkHelper::register_session_keys(&who);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(Validators::<T>::get().contains(&who));
		Ok(())
	}

	/// A full set, the last member removed.
	#[benchmark]
	fn remove_validator() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let set = validators::<T>(T::MaxValidators::get());
		let who = set.last().cloned().expect("MaxValidators is at least one");
		Validators::<T>::put(set);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(!Validators::<T>::get().contains(&who));
		Ok(())
	}

	/// On a chain that gained the pallet by an upgrade: the first rotation is scheduled too.
	#[benchmark]
	fn set_parameters() -> Result<(), BenchmarkError> {
		NextRotation::<T>::kill();
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let parameters = types::ValidatorSetParameters {
			session_length: BlockNumberFor::<T>::from(1_200u32),
			min_validators: 2,
		};

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, parameters);

		assert_eq!(Parameters::<T>::get(), parameters);
		Ok(())
	}

	/// Every block: the session pallet asks whether the session ends, and the author is
	/// counted, new to a session in which every other validator authored already.
	#[benchmark]
	fn note_author() {
		let max = T::MaxValidators::get();
		let authors: alloc::vec::Vec<(T::AccountId, u32)> =
			(0..max - 1).map(|index| (account("author", index, 0), 1)).collect();
		SessionAuthors::<T>::put(BoundedVec::try_from(authors).expect("fewer than the most"));
		let author: T::AccountId = account("author", max - 1, 0);
		let now = frame_system::Pallet::<T>::block_number();

		#[block]
		{
			let _ = <Pallet<T> as ShouldEndSession<BlockNumberFor<T>>>::should_end_session(now);
			<Pallet<T> as pallet_authorship::EventHandler<_, _>>::note_author(author.clone());
		}

		assert!(SessionAuthors::<T>::get().iter().any(|(who, _)| who == &author));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
