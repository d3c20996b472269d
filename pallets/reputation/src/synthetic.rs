//! A synthetic population written at genesis, so that speed can be measured on a large state
//! (the `rpc-bench` preset). Never used on a real network.

use crate::{
	pages::locate,
	types::{LocalTrust, PublishedTrust, ReputationParameters, TrustEntry},
	Config, LocalTrustOf, Pallet, Published, TrustPages,
};
use alloc::vec::Vec;
use codec::Decode;
use frame_support::BoundedVec;
use sp_arithmetic::{traits::Zero, FixedPointNumber, FixedU128};

impl<T: Config> Pallet<T> {
	/// Writes a synthetic population: records (service and usage of its partners' units),
	/// local trust, and a published uniform trust vector. Genesis only.
	pub(crate) fn build_synthetic(
		history: repute_primitives::synthetic::SyntheticHistory,
		parameters: &ReputationParameters,
	) {
		use repute_primitives::synthetic::{account, provider};
		let partners = history.partners.min(history.peers.saturating_sub(1));
		let total = history.units.saturating_mul(u128::from(partners));
		let now = frame_system::Pallet::<T>::block_number();
		let uniform = TrustEntry {
			stamp: 1,
			value: FixedU128::saturating_from_rational(1u32, history.peers.max(1)),
			damped: true,
		};
		let mut page = Vec::new();
		for index in 0..history.peers {
			let peer =
				T::AccountId::decode(&mut &account(index)[..]).expect("32-byte accounts decode");
			let Some(mut record) = Self::record_or_new(&peer, now) else { return };
			record.service = total;
			record.usage = total;
			Self::store(&peer, record, parameters, None);
			let providers = (0..partners)
				.map(|k| (provider(index, k, history.peers), history.units))
				.collect::<Vec<_>>();
			LocalTrustOf::<T>::insert(
				index,
				LocalTrust { updated_at: now, providers: BoundedVec::truncate_from(providers) },
			);
			page.push(uniform);
			let (number, offset) = locate(index);
			if offset as u32 + 1 == crate::TRUST_PAGE_SIZE || index + 1 == history.peers {
				TrustPages::<T>::insert(
					0,
					number,
					BoundedVec::truncate_from(core::mem::take(&mut page)),
				);
			}
		}
		Published::<T>::put(PublishedTrust {
			epoch: 0,
			buffer: 0,
			stamp: 1,
			peers: history.peers,
			damping: parameters.damping.perbill(),
			iterations: 0,
			residual: FixedU128::zero(),
			published_at: now,
		});
	}
}
