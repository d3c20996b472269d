//! The crash-safe on-disk store of co-signed receipts.
//!
//! For each (provider, consumer, service) the store keeps the newest co-signed receipt, whether
//! this peer was the provider or the consumer, and whether the chain has recorded it yet. Because
//! receipts are cumulative, the newest one is all a pair ever needs to submit, and all a peer needs
//! to resume its books after a restart. As a provider, it also keeps the newest proposal this peer
//! signed ([`ReceiptStore::reserve_proposal`], written before the signature leaves), so that after
//! a crash it never signs a receipt that contradicts one it proposed.
//!
//! The store is an append-only log of checksummed records. [`Durability::Synced`] (the default)
//! calls `fsync` before [`ReceiptStore::put`] returns, so a receipt the peer has acknowledged
//! survives a crash or a power cut. A torn last record (a crash mid-write) is detected by its
//! length and checksum and dropped at the next open; damage anywhere else is reported as
//! [`StoreError::Corrupt`] rather than silently skipped. The log is compacted when it grows to
//! several times its live size.

use crate::AccountId32;
use crate::{error::StoreError, SignedReceipt};
use codec::{Decode, Encode};
use repute_primitives::ServiceId;
use std::{
	collections::BTreeMap,
	fs::{self, File, OpenOptions},
	io::{Read, Write},
	path::{Path, PathBuf},
	sync::Mutex,
};

/// What identifies one relationship's receipts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode)]
pub struct PairKey {
	/// Who gave the service.
	pub provider: AccountId32,
	/// Who received it.
	pub consumer: AccountId32,
	/// Which service.
	pub service: ServiceId,
}

impl PairKey {
	/// The key of `receipt`'s relationship.
	pub fn of(receipt: &SignedReceipt) -> Self {
		Self {
			provider: receipt.receipt.provider.clone(),
			consumer: receipt.receipt.consumer.clone(),
			service: receipt.receipt.service,
		}
	}
}

/// When a write is on disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
	/// `fsync` before each write returns: survives crashes and power cuts.
	#[default]
	Synced,
	/// Left to the operating system's cache: survives the process crashing, not the machine.
	/// For simulations and benchmarks.
	Buffered,
}

/// One entry of the log.
#[derive(Clone, Debug, Encode, Decode)]
#[allow(clippy::large_enum_variant)] // Records live only while written or replayed.
enum Record {
	/// A co-signed receipt, newer than any before it for its pair.
	Receipt(SignedReceipt),
	/// The chain has recorded the pair's receipts up to this sequence.
	Recorded(PairKey, u64),
	/// This peer, as provider, is about to sign a proposal of (sequence, units).
	Proposed(PairKey, u64, u128),
}

/// A stored receipt and what the chain knows of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReceipt {
	/// The newest co-signed receipt of its pair.
	pub receipt: SignedReceipt,
	/// Whether the chain has recorded it (or a newer one).
	pub recorded: bool,
}

struct Inner {
	file: File,
	entries: BTreeMap<PairKey, StoredReceipt>,
	/// The newest proposal of each pair this peer provides, (sequence, units).
	proposals: BTreeMap<PairKey, (u64, u128)>,
	/// The cumulative units the chain is known to have recorded for each pair, as of a finalized
	/// block: from the recorded receipts at start-up, then from what the submitter reads on
	/// chain (for consumers the chain still served at that block). Kept in memory only; one
	/// entry per stored pair at most.
	confirmed: BTreeMap<PairKey, u128>,
	log_bytes: u64,
	/// What a compacted log of `entries` would take: kept up to date so that deciding whether
	/// to compact costs nothing per write.
	live_bytes: u64,
}

/// The store. Cheap to share behind an `Arc`; every method takes `&self`.
pub struct ReceiptStore {
	path: PathBuf,
	durability: Durability,
	inner: Mutex<Inner>,
}

/// Bytes before each record: its length (u32 LE), then the first 8 bytes of its xxHash64 (LE).
const HEADER: usize = 12;
/// The largest record the store writes; anything longer in the file is damage.
const MAX_RECORD: usize = 4096;
/// Compact when the log is this many times its live size (and at least [`COMPACT_MIN`]).
const COMPACT_RATIO: u64 = 4;
const COMPACT_MIN: u64 = 1 << 20;

fn checksum(bytes: &[u8]) -> u64 {
	u64::from_le_bytes(sp_crypto_hashing::twox_64(bytes))
}

fn frame(record: &Record) -> Vec<u8> {
	let body = record.encode();
	let mut framed = Vec::with_capacity(HEADER + body.len());
	framed.extend_from_slice(&(body.len() as u32).to_le_bytes());
	framed.extend_from_slice(&checksum(&body).to_le_bytes());
	framed.extend_from_slice(&body);
	framed
}

impl ReceiptStore {
	/// Opens (or creates) the store in directory `dir`.
	pub fn open(dir: impl AsRef<Path>, durability: Durability) -> Result<Self, StoreError> {
		let dir = dir.as_ref();
		let io = |path: &Path| {
			let path = path.to_path_buf();
			move |source| StoreError::Io { path, source }
		};
		fs::create_dir_all(dir).map_err(io(dir))?;
		let path = dir.join("receipts.log");
		let mut bytes = Vec::new();
		if path.exists() {
			File::open(&path).and_then(|mut f| f.read_to_end(&mut bytes)).map_err(io(&path))?;
		}
		let (entries, proposals, intact) = replay(&path, &bytes)?;
		let file = OpenOptions::new().create(true).append(true).open(&path).map_err(io(&path))?;
		if intact < bytes.len() as u64 {
			tracing::warn!(
				path = %path.display(),
				dropped = bytes.len() as u64 - intact,
				"dropping a torn last record of the receipt store"
			);
			file.set_len(intact).and_then(|_| file.sync_all()).map_err(io(&path))?;
		}
		let confirmed = entries
			.iter()
			.filter(|(_, stored)| stored.recorded)
			.map(|(key, stored)| (key.clone(), stored.receipt.receipt.cumulative_units))
			.collect();
		let store = Self {
			path,
			durability,
			inner: Mutex::new(Inner {
				file,
				confirmed,
				live_bytes: entries.iter().map(|(key, stored)| live_size(key, stored)).sum::<u64>()
					+ proposals.iter().map(|(key, p)| proposal_size(key, *p)).sum::<u64>(),
				entries,
				proposals,
				log_bytes: intact,
			}),
		};
		store.compact_if_large()?;
		Ok(store)
	}

	/// Stores `receipt` if it is newer (higher sequence) than the pair's stored one; returns
	/// whether it was. Once this returns, the receipt is as durable as the store's
	/// [`Durability`].
	pub fn put(&self, receipt: &SignedReceipt) -> Result<bool, StoreError> {
		let key = PairKey::of(receipt);
		let mut inner = self.lock();
		if inner
			.entries
			.get(&key)
			.is_some_and(|stored| stored.receipt.receipt.sequence >= receipt.receipt.sequence)
		{
			return Ok(false);
		}
		self.append(&mut inner, &Record::Receipt(receipt.clone()))?;
		let stored = StoredReceipt { receipt: receipt.clone(), recorded: false };
		inner.live_bytes += live_size(&key, &stored);
		if let Some(old) = inner.entries.insert(key.clone(), stored) {
			inner.live_bytes -= live_size(&key, &old);
		}
		drop(inner);
		self.compact_if_large()?;
		Ok(true)
	}

	/// Notes that the chain recorded `key`'s receipts up to `sequence`; the stored receipt is done
	/// with if it is not newer.
	pub fn mark_recorded(&self, key: &PairKey, sequence: u64) -> Result<(), StoreError> {
		let mut inner = self.lock();
		let Some(stored) = inner.entries.get(key) else { return Ok(()) };
		if stored.recorded || stored.receipt.receipt.sequence > sequence {
			return Ok(());
		}
		self.append(&mut inner, &Record::Recorded(key.clone(), sequence))?;
		if let Some(stored) = inner.entries.get_mut(key) {
			stored.recorded = true;
		}
		inner.live_bytes +=
			(HEADER + Record::Recorded(key.clone(), sequence).encoded_size()) as u64;
		Ok(())
	}

	/// Notes that the chain (at a finalized block) has recorded `units` cumulative units for
	/// `key`, for [`Self::confirmed`]. Ignored for a pair the store holds no receipt of (the
	/// map stays bounded by the stored pairs) and when it would lower the figure.
	pub fn note_confirmed(&self, key: &PairKey, units: u128) {
		let mut inner = self.lock();
		if !inner.entries.contains_key(key) {
			return;
		}
		let confirmed = inner.confirmed.entry(key.clone()).or_default();
		*confirmed = (*confirmed).max(units);
	}

	/// The cumulative units of `key` that the chain is known to have recorded at a finalized
	/// block (0 if none is known): what it already counts in its admission decisions. Service
	/// beyond it is service the chain has not seen yet.
	pub fn confirmed(&self, key: &PairKey) -> u128 {
		self.lock().confirmed.get(key).copied().unwrap_or(0)
	}

	/// Persists that this peer, as the provider of `key`, is about to sign a proposal of
	/// (`sequence`, `units`). Call before signing: once this returns (as durable as the store's
	/// [`Durability`]), a restart resumes above it. Older proposals are ignored.
	pub fn reserve_proposal(
		&self,
		key: &PairKey,
		sequence: u64,
		units: u128,
	) -> Result<(), StoreError> {
		let mut inner = self.lock();
		if inner.proposals.get(key).is_some_and(|(newest, _)| *newest >= sequence) {
			return Ok(());
		}
		self.append(&mut inner, &Record::Proposed(key.clone(), sequence, units))?;
		let size = proposal_size(key, (sequence, units));
		inner.live_bytes += size;
		if inner.proposals.insert(key.clone(), (sequence, units)).is_some() {
			inner.live_bytes -= size;
		}
		drop(inner);
		self.compact_if_large()
	}

	/// The newest proposal persisted for `key`, (sequence, units).
	pub fn proposal(&self, key: &PairKey) -> Option<(u64, u128)> {
		self.lock().proposals.get(key).copied()
	}

	/// The newest proposal of every pair this peer provides.
	pub fn proposals(&self) -> Vec<(PairKey, (u64, u128))> {
		self.lock().proposals.iter().map(|(key, p)| (key.clone(), *p)).collect()
	}

	/// The newest receipt of every pair the chain has not recorded yet.
	pub fn unrecorded(&self) -> Vec<SignedReceipt> {
		let inner = self.lock();
		inner.entries.values().filter(|s| !s.recorded).map(|s| s.receipt.clone()).collect()
	}

	/// The newest receipt of every pair, recorded or not: a peer's books after a restart.
	pub fn all(&self) -> Vec<StoredReceipt> {
		self.lock().entries.values().cloned().collect()
	}

	/// The newest receipt of one pair.
	pub fn get(&self, key: &PairKey) -> Option<StoredReceipt> {
		self.lock().entries.get(key).cloned()
	}

	/// The log file.
	pub fn path(&self) -> &Path {
		&self.path
	}

	fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
		// A panic while holding the lock cannot leave the map inconsistent with the log (the map
		// changes only after the log write succeeded), so a poisoned lock is safe to reuse.
		self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	fn append(&self, inner: &mut Inner, record: &Record) -> Result<(), StoreError> {
		let framed = frame(record);
		let io = |source| StoreError::Io { path: self.path.clone(), source };
		inner.file.write_all(&framed).map_err(io)?;
		if self.durability == Durability::Synced {
			inner.file.sync_data().map_err(io)?;
		}
		inner.log_bytes += framed.len() as u64;
		Ok(())
	}

	/// Rewrites the log with only the live entries when it has grown large, atomically: a new
	/// file is written and synced, then renamed over the old one.
	fn compact_if_large(&self) -> Result<(), StoreError> {
		let mut inner = self.lock();
		if inner.log_bytes < COMPACT_MIN || inner.log_bytes < inner.live_bytes * COMPACT_RATIO {
			return Ok(());
		}
		let live: Vec<u8> = inner
			.entries
			.iter()
			.flat_map(|(key, stored)| {
				let mut framed = frame(&Record::Receipt(stored.receipt.clone()));
				if stored.recorded {
					framed.extend(frame(&Record::Recorded(
						key.clone(),
						stored.receipt.receipt.sequence,
					)));
				}
				framed
			})
			.chain(inner.proposals.iter().flat_map(|(key, (sequence, units))| {
				frame(&Record::Proposed(key.clone(), *sequence, *units))
			}))
			.collect();
		let live_bytes = live.len() as u64;
		debug_assert_eq!(live_bytes, inner.live_bytes, "the live size is kept exactly");
		let temporary = self.path.with_extension("log.compacting");
		let io = |path: &Path| {
			let path = path.to_path_buf();
			move |source| StoreError::Io { path, source }
		};
		let mut file = File::create(&temporary).map_err(io(&temporary))?;
		file.write_all(&live).and_then(|_| file.sync_all()).map_err(io(&temporary))?;
		fs::rename(&temporary, &self.path).map_err(io(&self.path))?;
		if let Some(dir) = self.path.parent() {
			File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))?;
		}
		inner.file = OpenOptions::new().append(true).open(&self.path).map_err(io(&self.path))?;
		inner.log_bytes = live_bytes;
		inner.live_bytes = live_bytes;
		tracing::debug!(bytes = live_bytes, "compacted the receipt store");
		Ok(())
	}
}

/// The bytes `stored` takes in a compacted log: its receipt record, and its recorded mark.
fn live_size(key: &PairKey, stored: &StoredReceipt) -> u64 {
	let receipt = HEADER + 1 + stored.receipt.encoded_size();
	let recorded = if stored.recorded {
		HEADER + Record::Recorded(key.clone(), stored.receipt.receipt.sequence).encoded_size()
	} else {
		0
	};
	(receipt + recorded) as u64
}

/// The bytes a proposal of `key` takes in a compacted log.
fn proposal_size(key: &PairKey, (sequence, units): (u64, u128)) -> u64 {
	(HEADER + Record::Proposed(key.clone(), sequence, units).encoded_size()) as u64
}

/// What a replayed log holds: the receipts, the proposals, and how many leading bytes are intact.
type Replayed = (BTreeMap<PairKey, StoredReceipt>, BTreeMap<PairKey, (u64, u128)>, u64);

/// Rebuilds the entries from the log.
fn replay(path: &Path, bytes: &[u8]) -> Result<Replayed, StoreError> {
	let mut entries = BTreeMap::new();
	let mut proposals: BTreeMap<PairKey, (u64, u128)> = BTreeMap::new();
	let mut offset = 0usize;
	while offset < bytes.len() {
		let rest = &bytes[offset..];
		if rest.len() < HEADER {
			break; // a header cut short by a crash
		}
		let length = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes; qed")) as usize;
		let sum = u64::from_le_bytes(rest[4..12].try_into().expect("8 bytes; qed"));
		let corrupt = StoreError::Corrupt { path: path.to_path_buf(), offset: offset as u64 };
		if length > MAX_RECORD {
			return Err(corrupt);
		}
		if rest.len() < HEADER + length {
			break; // a body cut short by a crash
		}
		let body = &rest[HEADER..HEADER + length];
		let is_last = offset + HEADER + length == bytes.len();
		let record = (checksum(body) == sum).then(|| Record::decode(&mut &body[..]).ok()).flatten();
		let Some(record) = record else {
			if is_last {
				break; // a last record written partly (sectors out of order)
			}
			return Err(corrupt);
		};
		match record {
			Record::Receipt(receipt) => {
				entries.insert(PairKey::of(&receipt), StoredReceipt { receipt, recorded: false });
			}
			Record::Recorded(key, sequence) => {
				if let Some(stored) = entries.get_mut(&key) {
					if stored.receipt.receipt.sequence <= sequence {
						stored.recorded = true;
					}
				}
			}
			Record::Proposed(key, sequence, units) => {
				let newest = proposals.entry(key).or_insert((sequence, units));
				if sequence > newest.0 {
					*newest = (sequence, units);
				}
			}
		}
		offset += HEADER + length;
	}
	Ok((entries, proposals, offset as u64))
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::H256;
	use crate::{Identity, Receipt};

	struct Dir(PathBuf);
	impl Dir {
		fn new(label: &str) -> Self {
			let path = std::env::temp_dir().join(format!(
				"repute-store-{label}-{}-{}",
				std::process::id(),
				rand::random::<u64>()
			));
			Self(path)
		}
	}
	impl Drop for Dir {
		fn drop(&mut self) {
			let _ = fs::remove_dir_all(&self.0);
		}
	}

	fn signed(consumer_seed: u8, sequence: u64, units: u128) -> SignedReceipt {
		let provider = Identity::from_seed([1; 32]);
		let consumer = Identity::from_seed([consumer_seed; 32]);
		Receipt {
			genesis_hash: H256::repeat_byte(0x11),
			provider: provider.account().clone(),
			consumer: consumer.account().clone(),
			service: 0,
			sequence,
			cumulative_units: units,
			timestamp_ms: 1,
		}
		.cosign(|p| provider.sign(p), |p| consumer.sign(p))
	}

	#[test]
	fn keeps_the_newest_receipt_per_pair_across_reopen() {
		let dir = Dir::new("newest");
		{
			let store = ReceiptStore::open(&dir.0, Durability::Synced).unwrap();
			assert!(store.put(&signed(2, 1, 10)).unwrap());
			assert!(store.put(&signed(2, 2, 20)).unwrap());
			assert!(!store.put(&signed(2, 2, 20)).unwrap(), "same sequence again");
			assert!(!store.put(&signed(2, 1, 10)).unwrap(), "older");
			assert!(store.put(&signed(3, 1, 5)).unwrap());
		}
		let store = ReceiptStore::open(&dir.0, Durability::Synced).unwrap();
		let mut units: Vec<u128> =
			store.unrecorded().iter().map(|r| r.receipt.cumulative_units).collect();
		units.sort();
		assert_eq!(units, vec![5, 20]);
	}

	#[test]
	fn confirmed_units_follow_the_chain_never_fall_and_survive_a_reopen_once_recorded() {
		let dir = Dir::new("confirmed");
		let key = PairKey::of(&signed(2, 1, 10));
		{
			let store = ReceiptStore::open(&dir.0, Durability::Synced).unwrap();
			store.note_confirmed(&key, 7);
			assert_eq!(store.confirmed(&key), 0, "no receipt of the pair held: not kept");
			assert!(store.put(&signed(2, 1, 10)).unwrap());
			assert!(store.put(&signed(2, 2, 30)).unwrap());
			// The chain has an older receipt of the pair (10 units) at a finalized block.
			store.note_confirmed(&key, 10);
			assert_eq!(store.confirmed(&key), 10);
			store.note_confirmed(&key, 4);
			assert_eq!(store.confirmed(&key), 10, "never lowered");
			// Recording alone confirms nothing (the submitter confirms, for consumers the chain
			// still serves); the chain's 30 units do.
			store.mark_recorded(&key, 2).unwrap();
			assert_eq!(store.confirmed(&key), 10);
			store.note_confirmed(&key, 30);
			assert_eq!(store.confirmed(&key), 30);
			let other = PairKey::of(&signed(3, 1, 5));
			assert_eq!(store.confirmed(&other), 0);
		}
		let store = ReceiptStore::open(&dir.0, Durability::Synced).unwrap();
		assert_eq!(store.confirmed(&key), 30, "a recorded receipt's units are confirmed");
		assert!(store.put(&signed(2, 3, 50)).unwrap());
		assert_eq!(store.confirmed(&key), 30, "a newer, unrecorded receipt confirms nothing");
	}

	#[test]
	fn recorded_receipts_leave_the_queue_but_not_the_books() {
		let dir = Dir::new("recorded");
		let store = ReceiptStore::open(&dir.0, Durability::Synced).unwrap();
		store.put(&signed(2, 3, 30)).unwrap();
		let key = PairKey::of(&signed(2, 3, 30));
		store.mark_recorded(&key, 2).unwrap();
		assert_eq!(store.unrecorded().len(), 1, "an older sequence does not cover it");
		store.mark_recorded(&key, 3).unwrap();
		assert!(store.unrecorded().is_empty());
		drop(store);
		let store = ReceiptStore::open(&dir.0, Durability::Synced).unwrap();
		assert!(store.unrecorded().is_empty());
		assert_eq!(store.all().len(), 1);
		// A newer receipt is queued again.
		store.put(&signed(2, 4, 40)).unwrap();
		assert_eq!(store.unrecorded().len(), 1);
	}

	#[test]
	fn a_torn_last_record_is_dropped_and_everything_before_it_kept() {
		let dir = Dir::new("torn");
		let path = {
			let store = ReceiptStore::open(&dir.0, Durability::Synced).unwrap();
			store.put(&signed(2, 1, 10)).unwrap();
			store.put(&signed(3, 1, 10)).unwrap();
			store.path().to_path_buf()
		};
		let full = fs::read(&path).unwrap();
		// Cut the file at every length inside the last record: a crash mid-write.
		let last_start = full.len() - frame(&Record::Receipt(signed(3, 1, 10))).len();
		for cut in last_start..full.len() {
			fs::write(&path, &full[..cut]).unwrap();
			let store = ReceiptStore::open(&dir.0, Durability::Synced).unwrap();
			assert_eq!(store.unrecorded(), vec![signed(2, 1, 10)], "cut at {cut}");
			drop(store);
			assert_eq!(fs::metadata(&path).unwrap().len(), last_start as u64);
		}
		// A garbled last record is dropped the same way.
		let mut garbled = full.clone();
		*garbled.last_mut().unwrap() ^= 0xff;
		fs::write(&path, &garbled).unwrap();
		let store = ReceiptStore::open(&dir.0, Durability::Synced).unwrap();
		assert_eq!(store.unrecorded().len(), 1);
	}

	#[test]
	fn damage_before_the_last_record_is_reported() {
		let dir = Dir::new("corrupt");
		let path = {
			let store = ReceiptStore::open(&dir.0, Durability::Synced).unwrap();
			store.put(&signed(2, 1, 10)).unwrap();
			store.put(&signed(3, 1, 10)).unwrap();
			store.path().to_path_buf()
		};
		let mut bytes = fs::read(&path).unwrap();
		bytes[HEADER + 5] ^= 0xff;
		fs::write(&path, &bytes).unwrap();
		assert!(matches!(
			ReceiptStore::open(&dir.0, Durability::Synced),
			Err(StoreError::Corrupt { offset: 0, .. })
		));
	}

	#[test]
	fn compaction_keeps_exactly_the_live_entries() {
		let dir = Dir::new("compact");
		let store = ReceiptStore::open(&dir.0, Durability::Buffered).unwrap();
		// Enough updates of two pairs to pass the compaction threshold several times.
		for sequence in 1..=5_000u64 {
			store.put(&signed(2, sequence, sequence.into())).unwrap();
			store.put(&signed(3, sequence, sequence.into())).unwrap();
		}
		store.mark_recorded(&PairKey::of(&signed(3, 1, 1)), 5_000).unwrap();
		assert!(fs::metadata(store.path()).unwrap().len() < COMPACT_MIN * 2);
		// The live size kept per write is exactly what a compacted log holds.
		let compacted: usize = store
			.all()
			.iter()
			.map(|s| {
				let key = PairKey::of(&s.receipt);
				frame(&Record::Receipt(s.receipt.clone())).len()
					+ if s.recorded {
						frame(&Record::Recorded(key, s.receipt.receipt.sequence)).len()
					} else {
						0
					}
			})
			.sum();
		assert_eq!(store.lock().live_bytes, compacted as u64);
		drop(store);
		let store = ReceiptStore::open(&dir.0, Durability::Buffered).unwrap();
		assert_eq!(store.unrecorded(), vec![signed(2, 5_000, 5_000)]);
		assert_eq!(store.all().len(), 2);
	}

	#[test]
	fn the_newest_proposal_survives_reopen_and_compaction() {
		let dir = Dir::new("proposals");
		let store = ReceiptStore::open(&dir.0, Durability::Buffered).unwrap();
		let key = PairKey::of(&signed(2, 1, 1));
		assert_eq!(store.proposal(&key), None);
		// Enough proposals to pass the compaction threshold.
		for sequence in 1..=20_000u64 {
			store.reserve_proposal(&key, sequence, sequence.into()).unwrap();
		}
		store.reserve_proposal(&key, 3, 3).unwrap();
		assert_eq!(store.proposal(&key), Some((20_000, 20_000)), "an older one is ignored");
		assert!(fs::metadata(store.path()).unwrap().len() < COMPACT_MIN * 2, "compacted");
		assert_eq!(store.lock().live_bytes, proposal_size(&key, (20_000, 20_000)));
		drop(store);
		let store = ReceiptStore::open(&dir.0, Durability::Synced).unwrap();
		assert_eq!(store.proposal(&key), Some((20_000, 20_000)));
		assert!(store.all().is_empty(), "a proposal is not a receipt");
	}
}
