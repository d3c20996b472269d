//! Where an epoch's paged storage lives: the trust vectors, in pages of [`TRUST_PAGE_SIZE`]
//! entries by peer index ([`crate::TrustPages`]), and the member list, in pages of
//! [`MEMBER_PAGE_SIZE`] slots ([`crate::MemberPages`]), read and written through a cache that
//! lives for one block's share of an epoch.
//!
//! An epoch visits every member and every local-trust edge once per iteration. Reading and
//! writing storage for each visit cost a storage access per member and a storage write per edge
//! (about 50 µs at ParityDB rates, against a few microseconds of arithmetic). Through
//! [`PageCache`], a block's steps read each page they touch once and write each page they change
//! once, when the block's share ends ([`PageCache::flush`]): a block that spreads trust over tens
//! of thousands of edges writes a few hundred pages. The cache counts the pages it loads and
//! dirties, so the epoch charges each at its benchmarked weight (`load_trust_page`,
//! `store_trust_page`; a member page, at most 1 KiB, is charged as a trust page of 5.4 KiB) as
//! it happens, and a block never spends more than its share.
//!
//! Readers outside an epoch ([`published_entry`](crate::Pallet::published_entry)) read the
//! published buffer's page directly: the running epoch never writes that buffer. Registration
//! writes a member slot directly ([`set_member`]); it runs in a transaction, never while a
//! block's cache is open.

use crate::{
	types::{
		BufferId, MemberPage, MemberPageIndex, MemberSlot, PeerIndex, TrustEntry, TrustPage,
		TrustPageIndex, MEMBER_PAGE_SIZE, TRUST_PAGE_SIZE,
	},
	Config, MemberPages, TrustPages,
};
use alloc::{collections::BTreeMap, vec::Vec};
use core::marker::PhantomData;
use frame_support::BoundedVec;

/// The trust page holding `index`, and its position in that page.
pub fn locate(index: PeerIndex) -> (TrustPageIndex, usize) {
	(index / TRUST_PAGE_SIZE, (index % TRUST_PAGE_SIZE) as usize)
}

/// `index`'s entry in `page` (the default, stale entry where the page is shorter).
pub fn entry_in(page: &TrustPage, index: PeerIndex) -> TrustEntry {
	page.get(locate(index).1).copied().unwrap_or_default()
}

/// The member page holding `slot`, and its position in that page.
pub fn locate_slot(slot: MemberSlot) -> (MemberPageIndex, usize) {
	(slot / MEMBER_PAGE_SIZE, (slot % MEMBER_PAGE_SIZE) as usize)
}

/// What a member page holds where nothing was written yet (never read below `MemberCount`).
const NO_MEMBER: PeerIndex = PeerIndex::MAX;

/// Writes `index` into member slot `slot`, in storage.
pub fn set_member<T: Config>(slot: MemberSlot, index: PeerIndex) {
	let (page, offset) = locate_slot(slot);
	MemberPages::<T>::mutate(page, |members| {
		let mut cached = Cached { entries: core::mem::take(members).into_inner(), dirty: false };
		cached.change(offset, NO_MEMBER, |e| *e = index);
		*members = MemberPage::truncate_from(cached.entries);
	});
}

/// The peer in member slot `slot`, from storage (`None` past the page's end).
pub fn member<T: Config>(slot: MemberSlot) -> Option<PeerIndex> {
	let (page, offset) = locate_slot(slot);
	MemberPages::<T>::get(page).get(offset).copied()
}

/// Pages loaded and pages dirtied since the cache was last asked.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct PageTraffic {
	/// Pages read from storage.
	pub loaded: u32,
	/// Pages changed for the first time, each written once at the flush.
	pub dirtied: u32,
}

struct Cached<E> {
	entries: Vec<E>,
	dirty: bool,
}

/// The trust and member pages one block's epoch steps work on.
pub struct PageCache<T> {
	trust: BTreeMap<(BufferId, TrustPageIndex), Cached<TrustEntry>>,
	members: BTreeMap<MemberPageIndex, Cached<PeerIndex>>,
	traffic: PageTraffic,
	_config: PhantomData<T>,
}

impl<T: Config> Default for PageCache<T> {
	fn default() -> Self {
		Self {
			trust: BTreeMap::new(),
			members: BTreeMap::new(),
			traffic: PageTraffic::default(),
			_config: PhantomData,
		}
	}
}

impl<E: Copy> Cached<E> {
	fn get(&self, offset: usize) -> Option<E> {
		self.entries.get(offset).copied()
	}

	/// Changes the entry at `offset` (padding with `filler`); returns whether the page was
	/// clean until now.
	fn change(&mut self, offset: usize, filler: E, f: impl FnOnce(&mut E)) -> bool {
		if self.entries.len() <= offset {
			self.entries.resize(offset.saturating_add(1), filler);
		}
		if let Some(entry) = self.entries.get_mut(offset) {
			f(entry);
		}
		!core::mem::replace(&mut self.dirty, true)
	}
}

impl<T: Config> PageCache<T> {
	fn trust_page(&mut self, buffer: BufferId, page: TrustPageIndex) -> &mut Cached<TrustEntry> {
		let traffic = &mut self.traffic;
		self.trust.entry((buffer, page)).or_insert_with(|| {
			traffic.loaded = traffic.loaded.saturating_add(1);
			Cached { entries: TrustPages::<T>::get(buffer, page).into_inner(), dirty: false }
		})
	}

	fn member_page(&mut self, page: MemberPageIndex) -> &mut Cached<PeerIndex> {
		let traffic = &mut self.traffic;
		self.members.entry(page).or_insert_with(|| {
			traffic.loaded = traffic.loaded.saturating_add(1);
			Cached { entries: MemberPages::<T>::get(page).into_inner(), dirty: false }
		})
	}

	fn note_dirtied(&mut self, first_change: bool) {
		if first_change {
			self.traffic.dirtied = self.traffic.dirtied.saturating_add(1);
		}
	}

	/// `index`'s entry in trust buffer `buffer`.
	pub fn trust(&mut self, buffer: BufferId, index: PeerIndex) -> TrustEntry {
		let (page, offset) = locate(index);
		self.trust_page(buffer, page).get(offset).unwrap_or_default()
	}

	/// Changes `index`'s entry in trust buffer `buffer`; the page is written at the flush.
	pub fn mutate_trust(
		&mut self,
		buffer: BufferId,
		index: PeerIndex,
		f: impl FnOnce(&mut TrustEntry),
	) {
		let (page, offset) = locate(index);
		let first_change = self.trust_page(buffer, page).change(offset, TrustEntry::default(), f);
		self.note_dirtied(first_change);
	}

	/// Sets `index`'s entry in trust buffer `buffer`.
	pub fn insert_trust(&mut self, buffer: BufferId, index: PeerIndex, entry: TrustEntry) {
		self.mutate_trust(buffer, index, |e| *e = entry);
	}

	/// The peer in member slot `slot` (`None` past the page's end).
	pub fn member(&mut self, slot: MemberSlot) -> Option<PeerIndex> {
		let (page, offset) = locate_slot(slot);
		self.member_page(page).get(offset)
	}

	/// Puts `index` in member slot `slot`; the page is written at the flush.
	pub fn set_member(&mut self, slot: MemberSlot, index: PeerIndex) {
		let (page, offset) = locate_slot(slot);
		let first_change = self.member_page(page).change(offset, NO_MEMBER, |e| *e = index);
		self.note_dirtied(first_change);
	}

	/// The pages loaded and dirtied since the last call.
	pub fn take_traffic(&mut self) -> PageTraffic {
		core::mem::take(&mut self.traffic)
	}

	/// Writes every changed page.
	pub fn flush(self) {
		for ((buffer, page), cached) in self.trust {
			if cached.dirty {
				// Offsets are below the page size, so a page never outgrows its bound.
				TrustPages::<T>::insert(buffer, page, BoundedVec::truncate_from(cached.entries));
			}
		}
		for (page, cached) in self.members {
			if cached.dirty {
				MemberPages::<T>::insert(page, MemberPage::truncate_from(cached.entries));
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
			let mut cache = PageCache::<Test>::default();
			for index in 0..TRUST_PAGE_SIZE {
				cache.insert_trust(1, index, entry(index + 1));
			}
			// The last entry of the next page: the page is padded with stale entries.
			cache.insert_trust(1, 2 * TRUST_PAGE_SIZE - 1, entry(7));
			assert_eq!(cache.trust(0, 5), TrustEntry::default());
			assert_eq!(cache.take_traffic(), PageTraffic { loaded: 3, dirtied: 2 });
			assert_eq!(cache.trust(1, 3), entry(4));
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

	#[test]
	fn member_slots_are_read_and_written_a_page_at_a_time() {
		new_test_ext(vec![]).execute_with(|| {
			// Genesis of the mock registers nobody: slots start empty.
			assert_eq!(member::<Test>(0), None);
			for slot in 0..MEMBER_PAGE_SIZE + 3 {
				set_member::<Test>(slot, slot + 100);
			}
			assert_eq!(member::<Test>(MEMBER_PAGE_SIZE + 2), Some(MEMBER_PAGE_SIZE + 102));
			assert_eq!(member::<Test>(MEMBER_PAGE_SIZE + 3), None);
			let mut cache = PageCache::<Test>::default();
			for slot in 0..MEMBER_PAGE_SIZE {
				assert_eq!(cache.member(slot), Some(slot + 100));
			}
			// Compaction moves a member down: one page loaded twice over, written once.
			cache.set_member(1, 7);
			cache.set_member(2, 8);
			assert_eq!(cache.take_traffic(), PageTraffic { loaded: 1, dirtied: 1 });
			assert_eq!(member::<Test>(1), Some(101), "not before the flush");
			cache.flush();
			assert_eq!(member::<Test>(1), Some(7));
			assert_eq!(member::<Test>(2), Some(8));
		});
	}
}
