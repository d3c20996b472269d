//! Where trust vectors are stored: in pages of [`TRUST_PAGE_SIZE`] entries by peer index
//! ([`crate::TrustPages`]), read and written through a cache that lives for one block's share of
//! an epoch.
//!
//! An epoch visits every local-trust edge once per iteration. Writing each visit to storage
//! cost a storage write per edge (about 50 µs at ParityDB rates, against a few microseconds of
//! arithmetic). Through [`TrustCache`], a block's steps read each page they touch once and write
//! each page they change once, when the block's share ends ([`TrustCache::flush`]): a block
//! that spreads trust over tens of thousands of edges writes a few hundred pages. The cache
//! counts the pages it loads and dirties, so the epoch charges each at its benchmarked weight
//! (`load_trust_page`, `store_trust_page`) as it happens, and a block never spends more than its
//! share.
//!
//! Readers outside an epoch ([`published_entry`](crate::Pallet::published_entry)) read the
//! published buffer's page directly: the running epoch never writes that buffer.

use crate::{
	types::{BufferId, PeerIndex, TrustEntry, TrustPage, TrustPageIndex, TRUST_PAGE_SIZE},
	Config, TrustPages,
};
use alloc::{collections::BTreeMap, vec::Vec};
use core::marker::PhantomData;
use frame_support::BoundedVec;

/// The page holding `index`, and its position in that page.
pub fn locate(index: PeerIndex) -> (TrustPageIndex, usize) {
	(index / TRUST_PAGE_SIZE, (index % TRUST_PAGE_SIZE) as usize)
}

/// `index`'s entry in `page` (the default, stale entry where the page is shorter).
pub fn entry_in(page: &TrustPage, index: PeerIndex) -> TrustEntry {
	page.get(locate(index).1).copied().unwrap_or_default()
}

/// Pages loaded and pages dirtied since the cache was last asked.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct PageTraffic {
	/// Pages read from storage.
	pub loaded: u32,
	/// Pages changed for the first time, each written once at the flush.
	pub dirtied: u32,
}

struct CachedPage {
	entries: Vec<TrustEntry>,
	dirty: bool,
}

/// The trust pages one block's epoch steps work on.
pub struct TrustCache<T> {
	pages: BTreeMap<(BufferId, TrustPageIndex), CachedPage>,
	traffic: PageTraffic,
	_config: PhantomData<T>,
}

impl<T: Config> Default for TrustCache<T> {
	fn default() -> Self {
		Self { pages: BTreeMap::new(), traffic: PageTraffic::default(), _config: PhantomData }
	}
}

impl<T: Config> TrustCache<T> {
	fn page(&mut self, buffer: BufferId, page: TrustPageIndex) -> &mut CachedPage {
		let traffic = &mut self.traffic;
		self.pages.entry((buffer, page)).or_insert_with(|| {
			traffic.loaded = traffic.loaded.saturating_add(1);
			CachedPage { entries: TrustPages::<T>::get(buffer, page).into_inner(), dirty: false }
		})
	}

	/// `index`'s entry in `buffer`.
	pub fn get(&mut self, buffer: BufferId, index: PeerIndex) -> TrustEntry {
		let (page, offset) = locate(index);
		self.page(buffer, page).entries.get(offset).copied().unwrap_or_default()
	}

	/// Changes `index`'s entry in `buffer`; the page is written at the flush.
	pub fn mutate(&mut self, buffer: BufferId, index: PeerIndex, f: impl FnOnce(&mut TrustEntry)) {
		let (page, offset) = locate(index);
		let cached = self.page(buffer, page);
		let first_change = !cached.dirty;
		cached.dirty = true;
		Self::change(cached, offset, f);
		if first_change {
			self.traffic.dirtied = self.traffic.dirtied.saturating_add(1);
		}
	}

	fn change(cached: &mut CachedPage, offset: usize, f: impl FnOnce(&mut TrustEntry)) {
		if cached.entries.len() <= offset {
			cached.entries.resize(offset.saturating_add(1), TrustEntry::default());
		}
		if let Some(entry) = cached.entries.get_mut(offset) {
			f(entry);
		}
	}

	/// Sets `index`'s entry in `buffer`.
	pub fn insert(&mut self, buffer: BufferId, index: PeerIndex, entry: TrustEntry) {
		self.mutate(buffer, index, |e| *e = entry);
	}

	/// The pages loaded and dirtied since the last call.
	pub fn take_traffic(&mut self) -> PageTraffic {
		core::mem::take(&mut self.traffic)
	}

	/// Writes every changed page.
	pub fn flush(self) {
		for ((buffer, page), cached) in self.pages {
			if cached.dirty {
				// A page never holds more than `TRUST_PAGE_SIZE` entries: offsets are below it.
				TrustPages::<T>::insert(buffer, page, BoundedVec::truncate_from(cached.entries));
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::mock::{new_test_ext, Test};
	use sp_arithmetic::FixedU128;

	fn entry(stamp: u32) -> TrustEntry {
		TrustEntry { stamp, value: FixedU128::from_u32(stamp), damped: true }
	}

	#[test]
	fn a_page_is_loaded_once_and_written_once_however_many_entries_change() {
		new_test_ext(vec![]).execute_with(|| {
			let mut cache = TrustCache::<Test>::default();
			for index in 0..TRUST_PAGE_SIZE {
				cache.insert(1, index, entry(index + 1));
			}
			// The last entry of the next page: the page is padded with stale entries.
			cache.insert(1, 2 * TRUST_PAGE_SIZE - 1, entry(7));
			assert_eq!(cache.get(0, 5), TrustEntry::default());
			assert_eq!(cache.take_traffic(), PageTraffic { loaded: 3, dirtied: 2 });
			assert_eq!(cache.get(1, 3), entry(4));
			assert_eq!(cache.take_traffic(), PageTraffic::default());
			// Nothing reaches storage before the flush.
			assert!(TrustPages::<Test>::get(1, 0).is_empty());
			cache.flush();
			assert_eq!(TrustPages::<Test>::get(1, 0).len() as u32, TRUST_PAGE_SIZE);
			assert_eq!(entry_in(&TrustPages::<Test>::get(1, 0), 255), entry(256));
			let second = TrustPages::<Test>::get(1, 1);
			assert_eq!(second.len() as u32, TRUST_PAGE_SIZE);
			assert_eq!(entry_in(&second, TRUST_PAGE_SIZE), TrustEntry::default());
			assert_eq!(entry_in(&second, 2 * TRUST_PAGE_SIZE - 1), entry(7));
			// A page that was only read is not written.
			assert!(!TrustPages::<Test>::contains_key(0, 0));
		});
	}
}
