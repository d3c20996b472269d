//! The files a peer shares and downloads, cut into chunks of [`CHUNK_BYTES`]. A file's chunk
//! hashes come in pages of [`HASHES_PER_PAGE`], each checked against the page hash its catalogue
//! entry gives; each chunk is checked against its hash.

use crate::chunks::{CatalogueEntry, CHUNK_BYTES, HASHES_PER_PAGE};
use codec::Encode;
use std::borrow::Cow;
use std::collections::{hash_map::DefaultHasher, BTreeMap};
use std::hash::{Hash, Hasher};

/// One file: its catalogue entry, the pages of chunk hashes and the chunks this peer holds.
#[derive(Clone, Debug)]
pub struct File {
	/// Name, size and page hashes.
	pub entry: CatalogueEntry,
	/// The pages of chunk hashes this peer has checked (all of them for a file it shares).
	pages: Vec<Option<Vec<[u8; 32]>>>,
	chunks: Vec<Option<Vec<u8>>>,
	/// For generated files (simulations), which chunks are held: their bytes are generated
	/// again when served rather than kept, so a thousand peers fit in memory.
	generated: Option<Vec<bool>>,
	/// How many chunks are held, so that completeness is known without a scan.
	held: usize,
	/// Every chunk below this one is held, so that a look for missing chunks (at every answer
	/// a download gets) starts here rather than at the first chunk.
	first_missing: usize,
}

/// The bytes of chunk `index` of the generated file `name`: a ChaCha stream keyed by the
/// blake2-256 hash of both, so every peer generates the same bytes.
fn generated_chunk(name: &str, index: u32) -> Vec<u8> {
	use rand::{RngCore, SeedableRng};
	let seed = sp_crypto_hashing::blake2_256(&(name, index).encode());
	let mut bytes = vec![0u8; CHUNK_BYTES];
	rand::rngs::StdRng::from_seed(seed).fill_bytes(&mut bytes);
	bytes
}

/// The hash of a page of chunk hashes, as catalogue entries carry it.
pub fn page_hash(hashes: &[[u8; 32]]) -> [u8; 32] {
	sp_crypto_hashing::blake2_256(&hashes.encode())
}

/// The catalogue entry and pages of a file of `bytes` bytes whose chunks hash to `hashes`.
fn entry_and_pages(
	name: &str,
	bytes: u64,
	hashes: Vec<[u8; 32]>,
) -> (CatalogueEntry, Vec<Option<Vec<[u8; 32]>>>) {
	let pages: Vec<Option<Vec<[u8; 32]>>> =
		hashes.chunks(HASHES_PER_PAGE).map(|page| Some(page.to_vec())).collect();
	let hash_pages = pages.iter().flatten().map(|page| page_hash(page)).collect();
	(CatalogueEntry { file: name.into(), bytes, hash_pages }, pages)
}

impl File {
	/// A complete file with `bytes` as content.
	pub fn complete(name: &str, bytes: &[u8]) -> Self {
		let chunks: Vec<Option<Vec<u8>>> =
			bytes.chunks(CHUNK_BYTES).map(|c| Some(c.to_vec())).collect();
		let hashes = chunks
			.iter()
			.map(|c| sp_crypto_hashing::blake2_256(c.as_deref().unwrap_or_default()))
			.collect();
		let (entry, pages) = entry_and_pages(name, bytes.len() as u64, hashes);
		let held = chunks.len();
		Self { entry, pages, chunks, generated: None, held, first_missing: held }
	}

	/// A synthetic file of `chunks` chunks whose content follows from its name (for
	/// simulations: every peer that seeds `name` holds the same bytes).
	pub fn synthetic(name: &str, chunks: usize) -> Self {
		let hashes = (0..chunks as u32)
			.map(|i| sp_crypto_hashing::blake2_256(&generated_chunk(name, i)))
			.collect();
		let (entry, pages) = entry_and_pages(name, (chunks * CHUNK_BYTES) as u64, hashes);
		Self {
			entry,
			pages,
			chunks: Vec::new(),
			generated: Some(vec![true; chunks]),
			held: chunks,
			first_missing: chunks,
		}
	}

	/// An empty file to download, as a catalogue describes it, with none of its pages of chunk
	/// hashes yet; `None` if the entry is not well formed
	/// ([`CatalogueEntry::is_well_formed`]). With `generated`, downloaded chunks are checked
	/// and counted but not kept.
	pub fn wanted(entry: CatalogueEntry, generated: bool) -> Option<Self> {
		if !entry.is_well_formed() {
			return None;
		}
		let count = entry.chunk_count() as usize;
		let pages = vec![None; entry.hash_pages.len()];
		Some(if generated {
			Self {
				entry,
				pages,
				chunks: Vec::new(),
				generated: Some(vec![false; count]),
				held: 0,
				first_missing: 0,
			}
		} else {
			Self {
				entry,
				pages,
				chunks: vec![None; count],
				generated: None,
				held: 0,
				first_missing: 0,
			}
		})
	}

	/// How many chunks the file has.
	pub fn chunk_count(&self) -> usize {
		self.entry.chunk_count() as usize
	}

	/// The page `page` of chunk hashes, if this peer has it.
	pub fn hash_page(&self, page: u32) -> Option<&[[u8; 32]]> {
		self.pages.get(page as usize)?.as_deref()
	}

	/// Stores a page of chunk hashes if it is the one the catalogue entry names; returns
	/// whether it did.
	pub fn store_hash_page(&mut self, page: u32, hashes: Vec<[u8; 32]>) -> bool {
		let Some(expected) = self.entry.hash_pages.get(page as usize) else { return false };
		if hashes.len() != self.entry.hashes_in_page(page) || page_hash(&hashes) != *expected {
			return false;
		}
		self.pages[page as usize] = Some(hashes);
		true
	}

	/// Indices of the pages of chunk hashes not held yet.
	pub fn missing_pages(&self) -> impl Iterator<Item = u32> + '_ {
		self.pages.iter().enumerate().filter(|(_, p)| p.is_none()).map(|(i, _)| i as u32)
	}

	/// The hash of chunk `index`, if its page is held.
	fn chunk_hash(&self, index: u32) -> Option<[u8; 32]> {
		let index = index as usize;
		self.pages.get(index / HASHES_PER_PAGE)?.as_ref()?.get(index % HASHES_PER_PAGE).copied()
	}

	/// The chunk at `index`, if held.
	pub fn chunk(&self, index: u32) -> Option<Cow<'_, [u8]>> {
		match &self.generated {
			Some(held) => held
				.get(index as usize)
				.copied()
				.unwrap_or(false)
				.then(|| Cow::Owned(generated_chunk(&self.entry.file, index))),
			None => self.chunks.get(index as usize).and_then(|c| c.as_deref()).map(Cow::Borrowed),
		}
	}

	/// The length of chunk `index` if this peer holds it, without reading or generating its
	/// bytes (the last chunk of a file may be short).
	pub fn chunk_len(&self, index: u32) -> Option<usize> {
		let index = index as usize;
		if index >= self.chunk_count() || !self.held(index) {
			return None;
		}
		let start = index as u64 * CHUNK_BYTES as u64;
		Some(self.entry.bytes.saturating_sub(start).min(CHUNK_BYTES as u64) as usize)
	}

	/// Stores a downloaded chunk if it matches its hash (from a page already checked); returns
	/// whether it did.
	pub fn store(&mut self, index: u32, bytes: Vec<u8>) -> bool {
		let Some(expected) = self.chunk_hash(index) else { return false };
		if sp_crypto_hashing::blake2_256(&bytes) != expected {
			return false;
		}
		if !self.held(index as usize) {
			self.held += 1;
		}
		match &mut self.generated {
			Some(held) => held[index as usize] = true,
			None => self.chunks[index as usize] = Some(bytes),
		}
		while self.first_missing < self.chunk_count() && self.held(self.first_missing) {
			self.first_missing += 1;
		}
		true
	}

	fn held(&self, index: usize) -> bool {
		match &self.generated {
			Some(held) => held[index],
			None => self.chunks[index].is_some(),
		}
	}

	/// Indices of chunks not held yet whose hashes are (so they can be asked for and checked).
	pub fn missing(&self) -> impl Iterator<Item = u32> + '_ {
		(self.first_missing..self.chunk_count())
			.filter(|i| self.pages[i / HASHES_PER_PAGE].is_some() && !self.held(*i))
			.map(|i| i as u32)
	}

	/// Whether every chunk is held.
	pub fn is_complete(&self) -> bool {
		self.held == self.chunk_count()
	}

	/// The whole content, once complete (for generated files, generated again).
	pub fn content(&self) -> Option<Vec<u8>> {
		self.is_complete().then(|| {
			(0..self.chunk_count() as u32)
				.flat_map(|i| self.chunk(i).unwrap_or_default().into_owned())
				.collect()
		})
	}

	/// Whether the file is generated (its chunks are not kept).
	pub fn is_generated(&self) -> bool {
		self.generated.is_some()
	}
}

/// The most files a peer downloads at once. Each file it wants holds a slot per chunk (up to
/// `MAX_FILE_CHUNKS`, 2 GiB of content) from the moment a partner's catalogue names it, so
/// without this bound a partner that names new files in every catalogue would grow the peer's
/// memory without end.
pub const MAX_DOWNLOADS: usize = 16;

/// The order in which a peer goes through the files it could download: a ranking of their names
/// of its own, drawn when it starts. When every peer went through them in name order, every
/// downloader chose the same files from catalogues and asked their few providers first, while
/// the providers of the others sat idle (docs/simulation.md, "Every peer its own order of
/// files").
#[derive(Clone, Copy, Debug)]
pub struct FileOrder {
	salt: u64,
}

impl FileOrder {
	/// An order of its own for one peer.
	pub fn random() -> Self {
		Self { salt: rand::random() }
	}

	/// Where the file `name` comes in this order (lower first; ties, of which there are few,
	/// keep the order the names came in: name order in the library, the provider's in a
	/// catalogue).
	pub fn rank(&self, name: &str) -> u64 {
		let mut hasher = DefaultHasher::new();
		self.salt.hash(&mut hasher);
		name.hash(&mut hasher);
		hasher.finish()
	}
}

/// The files a peer holds (complete or not), by name.
#[derive(Clone, Debug, Default)]
pub struct Library {
	files: BTreeMap<String, File>,
}

impl Library {
	/// Adds (or replaces) a file.
	pub fn add(&mut self, file: File) {
		self.files.insert(file.entry.file.clone(), file);
	}

	/// Adds a file to download, unless [`MAX_DOWNLOADS`] files are being downloaded already;
	/// returns whether it did.
	pub fn want(&mut self, file: File) -> bool {
		if self.downloading() >= MAX_DOWNLOADS {
			return false;
		}
		self.add(file);
		true
	}

	/// How many files are being downloaded (not complete).
	pub fn downloading(&self) -> usize {
		self.files.values().filter(|f| !f.is_complete()).count()
	}

	/// The file named `name`.
	pub fn get(&self, name: &str) -> Option<&File> {
		self.files.get(name)
	}

	/// The file named `name`, to store chunks into.
	pub fn get_mut(&mut self, name: &str) -> Option<&mut File> {
		self.files.get_mut(name)
	}

	/// The catalogue of complete files (what this peer offers).
	pub fn catalogue(&self) -> Vec<CatalogueEntry> {
		self.files.values().filter(|f| f.is_complete()).map(|f| f.entry.clone()).collect()
	}

	/// Every file.
	pub fn files(&self) -> impl Iterator<Item = &File> {
		self.files.values()
	}

	/// The files being downloaded (at most [`MAX_DOWNLOADS`]), in `order`.
	pub fn downloads_in(&self, order: &FileOrder) -> Vec<&File> {
		let mut downloads: Vec<&File> = self.files.values().filter(|f| !f.is_complete()).collect();
		downloads.sort_by_cached_key(|file| order.rank(&file.entry.file));
		downloads
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// Peers that download the same files go through them each in an order of its own, so that
	/// no file's providers are every downloader's first stop.
	#[test]
	fn peers_go_through_the_same_downloads_in_orders_of_their_own() {
		let mut library = Library::default();
		for i in 0..MAX_DOWNLOADS {
			let seed = File::synthetic(&format!("file-{i}"), 4);
			assert!(library.want(File::wanted(seed.entry, true).unwrap()));
		}
		let peers = 64;
		let mut first: BTreeMap<String, usize> = BTreeMap::new();
		for salt in 0..peers {
			let downloads = library.downloads_in(&FileOrder { salt });
			let mut names: Vec<&str> = downloads.iter().map(|f| f.entry.file.as_str()).collect();
			*first.entry(names[0].to_owned()).or_default() += 1;
			names.sort_unstable();
			let mut all: Vec<String> = (0..MAX_DOWNLOADS).map(|i| format!("file-{i}")).collect();
			all.sort_unstable();
			assert_eq!(names, all, "every download, each once");
		}
		// 64 downloaders over 16 files start with 4 each on average (in name order, all 64
		// started with file-0).
		let busiest = first.values().copied().max().unwrap_or_default();
		assert!(first.len() >= MAX_DOWNLOADS * 3 / 4, "first stops: {first:?}");
		assert!(busiest <= peers as usize / 6, "first stops: {first:?}");
	}

	/// The look for missing chunks starts past the held prefix; whatever the order chunks come
	/// in, it finds exactly the chunks not held.
	#[test]
	fn missing_chunks_are_exactly_those_not_held_in_any_order() {
		let source = File::synthetic("order", 40);
		let mut copy = File::wanted(source.entry.clone(), true).unwrap();
		assert!(copy.store_hash_page(0, source.hash_page(0).unwrap().to_vec()));
		let mut order: Vec<u32> = (0..40).collect();
		use rand::{seq::SliceRandom, SeedableRng};
		order.shuffle(&mut rand::rngs::StdRng::seed_from_u64(7));
		let mut held = std::collections::BTreeSet::new();
		for index in order {
			assert!(copy.store(index, source.chunk(index).unwrap().to_vec()));
			held.insert(index);
			let expected: Vec<u32> = (0..40).filter(|i| !held.contains(i)).collect();
			assert_eq!(copy.missing().collect::<Vec<_>>(), expected);
		}
		assert!(copy.is_complete());
	}

	#[test]
	fn a_file_downloads_chunk_by_chunk_and_bad_chunks_are_refused() {
		for source in [File::synthetic("movie", 3), File::complete("text", &[7; 3 * CHUNK_BYTES])] {
			for generated in [false, true] {
				let mut copy = File::wanted(source.entry.clone(), generated).unwrap();
				assert_eq!(copy.missing().count(), 0, "no chunk can be checked before its page");
				assert!(!copy.store(0, source.chunk(0).unwrap().to_vec()));
				assert_eq!(copy.missing_pages().collect::<Vec<_>>(), vec![0]);
				let page = source.hash_page(0).unwrap().to_vec();
				let mut forged = page.clone();
				forged[1] = [9; 32];
				assert!(!copy.store_hash_page(0, forged), "a page that is not the entry's");
				assert!(!copy.store_hash_page(0, page[..2].to_vec()), "a short page");
				assert!(!copy.store_hash_page(1, page.clone()), "no such page");
				assert!(copy.store_hash_page(0, page));
				assert_eq!(copy.missing().collect::<Vec<_>>(), vec![0, 1, 2]);
				assert!(!copy.store(1, vec![0; CHUNK_BYTES]), "wrong bytes");
				assert!(!copy.store(9, source.chunk(0).unwrap().to_vec()), "no such chunk");
				for index in 0..3 {
					assert!(copy.chunk(index).is_none());
					assert!(copy.store(index, source.chunk(index).unwrap().to_vec()));
				}
				assert!(copy.is_complete());
				if generated == source.is_generated() {
					assert_eq!(copy.content(), source.content());
				}
			}
		}
	}

	/// A chunk's length is known without its bytes, for held chunks only, the short last one
	/// included.
	#[test]
	fn chunk_len_is_the_held_chunks_length() {
		let short = File::complete("short", &[3; 2 * CHUNK_BYTES + 100]);
		for source in [File::synthetic("movie", 3), short] {
			for index in 0..4 {
				let len = source.chunk(index).map(|chunk| chunk.len());
				assert_eq!(source.chunk_len(index), len, "chunk {index} of {}", source.entry.file);
			}
			let copy = File::wanted(source.entry.clone(), source.is_generated()).unwrap();
			assert_eq!(copy.chunk_len(0), None, "not held");
		}
		assert_eq!(File::complete("short", &[3; 2 * CHUNK_BYTES + 100]).chunk_len(2), Some(100));
	}

	/// A partner that names new files in every catalogue cannot make a peer want more than
	/// [`MAX_DOWNLOADS`] at once; a completed download frees its place.
	#[test]
	fn a_peer_downloads_at_most_max_downloads_files_at_once() {
		let mut library = Library::default();
		library.add(File::synthetic("shared", 2));
		let huge = |n: usize| {
			File::wanted(File::synthetic(&format!("huge-{n}"), 4).entry.clone(), false).unwrap()
		};
		for n in 0..MAX_DOWNLOADS {
			assert!(library.want(huge(n)), "download {n}");
		}
		assert_eq!(library.downloading(), MAX_DOWNLOADS);
		for n in MAX_DOWNLOADS..4 * MAX_DOWNLOADS {
			assert!(!library.want(huge(n)), "download {n} is one too many");
		}
		assert_eq!(library.files().count(), MAX_DOWNLOADS + 1);
		// Completing one frees a place.
		let source = File::synthetic("huge-0", 4);
		let file = library.get_mut("huge-0").unwrap();
		assert!(file.store_hash_page(0, source.hash_page(0).unwrap().to_vec()));
		for index in 0..4 {
			assert!(file.store(index, source.chunk(index).unwrap().to_vec()));
			// Storing a chunk twice counts it once.
			assert!(file.store(index, source.chunk(index).unwrap().to_vec()));
			assert_eq!(file.is_complete(), index == 3);
		}
		assert!(library.want(huge(99)));
		assert!(!library.want(huge(100)));
	}

	/// A file of 256 MiB (16,384 chunks): its catalogue entry is 32 page hashes, a downloader
	/// checks every page and then any chunk, and a forged catalogue entry is refused.
	#[test]
	fn a_256_mib_file_is_described_by_32_page_hashes_and_checked_page_by_page() {
		use crate::chunks::{ChunkResponse, MAX_CATALOGUE_BYTES};
		let chunks = 256 * 1024 * 1024 / CHUNK_BYTES;
		let source = File::synthetic("large", chunks);
		assert_eq!(source.entry.hash_pages.len(), 32);
		let catalogue = ChunkResponse::Catalogue(vec![source.entry.clone(); 16]);
		assert!(catalogue.encode().len() <= MAX_CATALOGUE_BYTES);
		let mut copy = File::wanted(source.entry.clone(), true).unwrap();
		for page in copy.missing_pages().collect::<Vec<_>>() {
			let hashes = source.hash_page(page).unwrap().to_vec();
			assert_eq!(hashes.len(), HASHES_PER_PAGE);
			assert!(copy.store_hash_page(page, hashes));
		}
		assert_eq!(copy.missing().count(), chunks);
		for index in [0, 511, 512, chunks as u32 - 1] {
			assert!(copy.store(index, source.chunk(index).unwrap().to_vec()));
		}
		assert!(!copy.store(7, source.chunk(8).unwrap().to_vec()));
		let mut forged = source.entry.clone();
		forged.hash_pages.pop();
		assert!(File::wanted(forged, true).is_none(), "a page hash missing");
		let mut huge = source.entry.clone();
		huge.bytes = u64::MAX;
		assert!(File::wanted(huge, false).is_none(), "far more than the largest file");
	}

	#[test]
	fn files_shorter_than_a_chunk_and_ragged_ends_work() {
		let file = File::complete("note", b"hello");
		assert_eq!(file.chunk_count(), 1);
		let ragged = File::complete("ragged", &vec![1; CHUNK_BYTES + 10]);
		assert_eq!(ragged.chunk(1).unwrap().len(), 10);
	}
}
