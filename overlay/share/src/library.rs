//! The files a peer shares and downloads, cut into chunks of [`CHUNK_BYTES`], each checked
//! against the blake2-256 hash its catalogue gives.

use crate::chunks::{CatalogueEntry, CHUNK_BYTES};
use std::collections::BTreeMap;

/// One file: its catalogue entry and the chunks this peer holds.
#[derive(Clone, Debug)]
pub struct File {
	/// Name, size and chunk hashes.
	pub entry: CatalogueEntry,
	chunks: Vec<Option<Vec<u8>>>,
}

impl File {
	/// A complete file with `bytes` as content.
	pub fn complete(name: &str, bytes: &[u8]) -> Self {
		let chunks: Vec<Option<Vec<u8>>> =
			bytes.chunks(CHUNK_BYTES).map(|c| Some(c.to_vec())).collect();
		let chunk_hashes = chunks
			.iter()
			.map(|c| sp_crypto_hashing::blake2_256(c.as_deref().unwrap_or_default()))
			.collect();
		Self {
			entry: CatalogueEntry { file: name.into(), bytes: bytes.len() as u64, chunk_hashes },
			chunks,
		}
	}

	/// A synthetic file of `chunks` chunks whose content follows from its name (for
	/// simulations: every peer that seeds `name` holds the same bytes).
	pub fn synthetic(name: &str, chunks: usize) -> Self {
		let mut bytes = Vec::with_capacity(chunks * CHUNK_BYTES);
		let mut block = sp_crypto_hashing::blake2_256(name.as_bytes());
		while bytes.len() < chunks * CHUNK_BYTES {
			bytes.extend_from_slice(&block);
			block = sp_crypto_hashing::blake2_256(&block);
		}
		Self::complete(name, &bytes)
	}

	/// An empty file to download, as a catalogue describes it.
	pub fn wanted(entry: CatalogueEntry) -> Self {
		let chunks = vec![None; entry.chunk_hashes.len()];
		Self { entry, chunks }
	}

	/// How many chunks the file has.
	pub fn chunk_count(&self) -> usize {
		self.chunks.len()
	}

	/// The chunk at `index`, if held.
	pub fn chunk(&self, index: u32) -> Option<&[u8]> {
		self.chunks.get(index as usize).and_then(|c| c.as_deref())
	}

	/// Stores a downloaded chunk if it matches the catalogue's hash; returns whether it did.
	pub fn store(&mut self, index: u32, bytes: Vec<u8>) -> bool {
		let Some(expected) = self.entry.chunk_hashes.get(index as usize) else { return false };
		if sp_crypto_hashing::blake2_256(&bytes) != *expected {
			return false;
		}
		self.chunks[index as usize] = Some(bytes);
		true
	}

	/// Indices of chunks not held yet.
	pub fn missing(&self) -> impl Iterator<Item = u32> + '_ {
		self.chunks.iter().enumerate().filter(|(_, c)| c.is_none()).map(|(i, _)| i as u32)
	}

	/// Whether every chunk is held.
	pub fn is_complete(&self) -> bool {
		self.chunks.iter().all(Option::is_some)
	}

	/// The whole content, once complete.
	pub fn content(&self) -> Option<Vec<u8>> {
		self.is_complete().then(|| self.chunks.iter().flatten().flatten().copied().collect())
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
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_file_downloads_chunk_by_chunk_and_bad_chunks_are_refused() {
		let source = File::synthetic("movie", 3);
		let mut copy = File::wanted(source.entry.clone());
		assert_eq!(copy.missing().collect::<Vec<_>>(), vec![0, 1, 2]);
		assert!(!copy.store(1, vec![0; CHUNK_BYTES]), "wrong bytes");
		assert!(!copy.store(9, source.chunk(0).unwrap().to_vec()), "no such chunk");
		for index in 0..3 {
			assert!(copy.store(index, source.chunk(index).unwrap().to_vec()));
		}
		assert_eq!(copy.content(), source.content());
	}

	#[test]
	fn files_shorter_than_a_chunk_and_ragged_ends_work() {
		let file = File::complete("note", b"hello");
		assert_eq!(file.chunk_count(), 1);
		let ragged = File::complete("ragged", &vec![1; CHUNK_BYTES + 10]);
		assert_eq!(ragged.chunk(1).unwrap().len(), 10);
	}
}
