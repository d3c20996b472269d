//! The files a peer shares and downloads, cut into chunks of [`CHUNK_BYTES`], each checked
//! against the blake2-256 hash its catalogue gives.

use crate::chunks::{CatalogueEntry, CHUNK_BYTES};
use codec::Encode;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// One file: its catalogue entry and the chunks this peer holds.
#[derive(Clone, Debug)]
pub struct File {
	/// Name, size and chunk hashes.
	pub entry: CatalogueEntry,
	chunks: Vec<Option<Vec<u8>>>,
	/// For generated files (simulations), which chunks are held: their bytes are generated
	/// again when served rather than kept, so a thousand peers fit in memory.
	generated: Option<Vec<bool>>,
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
			generated: None,
		}
	}

	/// A synthetic file of `chunks` chunks whose content follows from its name (for
	/// simulations: every peer that seeds `name` holds the same bytes).
	pub fn synthetic(name: &str, chunks: usize) -> Self {
		let chunk_hashes = (0..chunks as u32)
			.map(|i| sp_crypto_hashing::blake2_256(&generated_chunk(name, i)))
			.collect();
		Self {
			entry: CatalogueEntry {
				file: name.into(),
				bytes: (chunks * CHUNK_BYTES) as u64,
				chunk_hashes,
			},
			chunks: Vec::new(),
			generated: Some(vec![true; chunks]),
		}
	}

	/// An empty file to download, as a catalogue describes it. With `generated`, downloaded
	/// chunks are checked and counted but not kept.
	pub fn wanted(entry: CatalogueEntry, generated: bool) -> Self {
		let count = entry.chunk_hashes.len();
		if generated {
			Self { entry, chunks: Vec::new(), generated: Some(vec![false; count]) }
		} else {
			Self { entry, chunks: vec![None; count], generated: None }
		}
	}

	/// How many chunks the file has.
	pub fn chunk_count(&self) -> usize {
		self.entry.chunk_hashes.len()
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

	/// Stores a downloaded chunk if it matches the catalogue's hash; returns whether it did.
	pub fn store(&mut self, index: u32, bytes: Vec<u8>) -> bool {
		let Some(expected) = self.entry.chunk_hashes.get(index as usize) else { return false };
		if sp_crypto_hashing::blake2_256(&bytes) != *expected {
			return false;
		}
		match &mut self.generated {
			Some(held) => held[index as usize] = true,
			None => self.chunks[index as usize] = Some(bytes),
		}
		true
	}

	fn held(&self, index: usize) -> bool {
		match &self.generated {
			Some(held) => held[index],
			None => self.chunks[index].is_some(),
		}
	}

	/// Indices of chunks not held yet.
	pub fn missing(&self) -> impl Iterator<Item = u32> + '_ {
		(0..self.chunk_count()).filter(|i| !self.held(*i)).map(|i| i as u32)
	}

	/// Whether every chunk is held.
	pub fn is_complete(&self) -> bool {
		(0..self.chunk_count()).all(|i| self.held(i))
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
		for source in [File::synthetic("movie", 3), File::complete("text", &[7; 3 * CHUNK_BYTES])] {
			for generated in [false, true] {
				let mut copy = File::wanted(source.entry.clone(), generated);
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

	#[test]
	fn files_shorter_than_a_chunk_and_ragged_ends_work() {
		let file = File::complete("note", b"hello");
		assert_eq!(file.chunk_count(), 1);
		let ragged = File::complete("ragged", &vec![1; CHUNK_BYTES + 10]);
		assert_eq!(ragged.chunk(1).unwrap().len(), 10);
	}
}
