//! The demo's file-transfer protocol, `/repute-share/chunk/2`: ask a peer for its catalogue, for
//! one page of a file's chunk hashes, or for one chunk of a file. One SCALE message per stream,
//! size-bounded like the receipt protocol.
//!
//! A catalogue entry names a file, its size and the hash of each page of its chunk hashes
//! ([`HASHES_PER_PAGE`] hashes, 16 KiB, a page): a few hundred bytes whatever the file's size. A
//! downloader fetches the pages it needs, checks each against the entry, and checks each chunk
//! against its page. Version 1 carried every chunk hash in the catalogue, which capped a shared
//! file at about 5,100 chunks (80 MiB): a larger one did not fit the response bound, and its
//! sharer served nothing.

use async_trait::async_trait;
use codec::{Decode, DecodeAll, Encode};
use futures::{AsyncRead, AsyncWrite};
use libp2p::StreamProtocol;
use repute_overlay::wire::{read_bounded, write_message};
use std::io;

/// The protocol name.
pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/repute-share/chunk/2");
/// The size of a chunk (the last chunk of a file may be shorter).
pub const CHUNK_BYTES: usize = 16 * 1024;
/// The longest message either side accepts.
pub const MAX_MESSAGE_BYTES: usize = CHUNK_BYTES + 4096;
/// The longest file name.
pub const MAX_NAME_BYTES: usize = 128;
/// Chunk hashes in a page of a file's hash list: 16 KiB of hashes, 8 MiB of file.
pub const HASHES_PER_PAGE: usize = 512;
/// The most chunks a file may have (2 GiB): a catalogue entry claiming more is refused, so that a
/// peer never sizes its books by what a stranger claims, and a catalogue of sixteen of the
/// largest files (8 KiB of page hashes each) fits one response.
pub const MAX_FILE_CHUNKS: u64 = 1 << 17;
/// The longest catalogue response a peer reads.
pub const MAX_CATALOGUE_BYTES: usize = MAX_MESSAGE_BYTES * 8;

/// What a peer asks.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum ChunkRequest {
	/// The files the peer offers.
	Catalogue,
	/// One chunk of a file.
	Chunk {
		/// The file's name.
		file: String,
		/// The chunk's index.
		index: u32,
	},
	/// One page of a file's chunk hashes.
	Hashes {
		/// The file's name.
		file: String,
		/// The page's index: hashes `page · HASHES_PER_PAGE` onwards.
		page: u32,
	},
}

/// One file in a catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct CatalogueEntry {
	/// The file's name.
	pub file: String,
	/// Its size in bytes.
	pub bytes: u64,
	/// For each page of [`HASHES_PER_PAGE`] chunk hashes, the blake2-256 hash of the page's
	/// SCALE encoding (a `Vec<[u8; 32]>`), so pages and then chunks can be checked.
	pub hash_pages: Vec<[u8; 32]>,
}

impl CatalogueEntry {
	/// How many chunks the file has.
	pub fn chunk_count(&self) -> u64 {
		self.bytes.div_ceil(CHUNK_BYTES as u64)
	}

	/// How many hashes page `page` holds (the last page may hold fewer).
	pub fn hashes_in_page(&self, page: u32) -> usize {
		let start = u64::from(page) * HASHES_PER_PAGE as u64;
		self.chunk_count().saturating_sub(start).min(HASHES_PER_PAGE as u64) as usize
	}

	/// Whether the entry is one a peer can download: a file name within bounds, at most
	/// [`MAX_FILE_CHUNKS`] chunks, and one page hash for each page of its chunk hashes.
	pub fn is_well_formed(&self) -> bool {
		let chunks = self.chunk_count();
		self.file.len() <= MAX_NAME_BYTES
			&& chunks <= MAX_FILE_CHUNKS
			&& self.hash_pages.len() as u64 == chunks.div_ceil(HASHES_PER_PAGE as u64)
	}
}

/// Why a peer does not serve a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, thiserror::Error)]
pub enum Refused {
	/// The serving policy refuses this peer (denied, unknown, or it owes too much).
	#[error("not admitted by the serving policy")]
	NotAdmitted,
	/// The peer has left too much service unreceipted: it must countersign first.
	#[error("too much service is unreceipted")]
	Unreceipted,
	/// Upload capacity is used up for now.
	#[error("busy")]
	Busy,
	/// No such file or chunk here.
	#[error("no such chunk")]
	NotFound,
	/// The request did not decode or was too long.
	#[error("malformed request")]
	Malformed,
	/// The requester is a newcomer and this peer's service to it that the chain has not counted
	/// yet is at the stranger window's cap ([`repute_overlay::StrangerWindow`]): ask again once
	/// the chain has caught up.
	#[error("service to this newcomer is not yet counted on chain")]
	Unconfirmed,
	/// BitTorrent's choker ([`crate::choker`]) does not upload to the requester now: ask again
	/// after the next rechoke (every 10 s).
	#[error("choked")]
	Choked,
	/// The provider serves for payment ([`crate::ServePolicy::Paid`]) and the requester's
	/// payment channel to it does not cover this chunk (none, closing, at a lower price, or its
	/// escrow used up): open or top up a channel at `price` a byte at least, and ask again once
	/// the payment is finalized.
	#[error("not paid: open or top up a payment channel at {price} a byte")]
	Unpaid {
		/// What the provider asks a byte.
		price: u128,
	},
}

/// What a peer answers.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum ChunkResponse {
	/// The catalogue (file names, sizes, chunk hashes).
	Catalogue(Vec<CatalogueEntry>),
	/// The chunk's bytes.
	Chunk(Vec<u8>),
	/// Not served.
	Refused(Refused),
	/// A page of chunk hashes.
	Hashes(Vec<[u8; 32]>),
}

/// Reads and writes chunk messages, bounded by [`MAX_MESSAGE_BYTES`]. A request that does not
/// decode is read as `None`, to be answered with [`Refused::Malformed`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ChunkCodec;

/// Decodes a request; `None` if it is too long, not one request, or names too long a file.
pub fn decode_request(bytes: &[u8]) -> Option<ChunkRequest> {
	if bytes.len() > MAX_MESSAGE_BYTES {
		return None;
	}
	ChunkRequest::decode_all(&mut &bytes[..]).ok().filter(|request| match request {
		ChunkRequest::Chunk { file, .. } | ChunkRequest::Hashes { file, .. } => {
			file.len() <= MAX_NAME_BYTES
		}
		ChunkRequest::Catalogue => true,
	})
}

#[async_trait]
impl libp2p::request_response::Codec for ChunkCodec {
	type Protocol = StreamProtocol;
	type Request = Option<ChunkRequest>;
	type Response = ChunkResponse;

	async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Self::Request>
	where
		T: AsyncRead + Unpin + Send,
	{
		Ok(decode_request(&read_bounded(io, MAX_MESSAGE_BYTES).await?))
	}

	async fn read_response<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
	) -> io::Result<ChunkResponse>
	where
		T: AsyncRead + Unpin + Send,
	{
		// A catalogue of many files may be longer than a chunk (each entry is its name and a page
		// hash per 8 MiB of file), so responses are read up to the catalogue bound.
		let bytes = read_bounded(io, MAX_CATALOGUE_BYTES).await?;
		ChunkResponse::decode_all(&mut &bytes[..])
			.map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
	}

	async fn write_request<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
		request: Self::Request,
	) -> io::Result<()>
	where
		T: AsyncWrite + Unpin + Send,
	{
		let request = request
			.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no request to send"))?;
		write_message(io, &request).await
	}

	async fn write_response<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
		response: ChunkResponse,
	) -> io::Result<()>
	where
		T: AsyncWrite + Unpin + Send,
	{
		write_message(io, &response).await
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn requests_round_trip_and_bad_ones_are_rejected() {
		let request = ChunkRequest::Chunk { file: "a".into(), index: 3 };
		assert_eq!(decode_request(&request.encode()), Some(request));
		assert_eq!(decode_request(&[]), None);
		assert_eq!(decode_request(&[7, 7]), None);
		let long = ChunkRequest::Chunk { file: "x".repeat(MAX_NAME_BYTES + 1), index: 0 };
		assert_eq!(decode_request(&long.encode()), None);
		assert_eq!(decode_request(&vec![0; MAX_MESSAGE_BYTES + 1]), None);
		let page = ChunkRequest::Hashes { file: "a".into(), page: 2 };
		assert_eq!(decode_request(&page.encode()), Some(page));
		let long = ChunkRequest::Hashes { file: "x".repeat(MAX_NAME_BYTES + 1), page: 0 };
		assert_eq!(decode_request(&long.encode()), None);
	}

	#[test]
	fn an_entry_names_one_page_hash_per_page_and_no_more_than_the_largest_file() {
		let entry = |bytes: u64, pages: usize| CatalogueEntry {
			file: "f".into(),
			bytes,
			hash_pages: vec![[0; 32]; pages],
		};
		let page_bytes = (HASHES_PER_PAGE * CHUNK_BYTES) as u64;
		assert!(entry(0, 0).is_well_formed());
		assert!(entry(1, 1).is_well_formed());
		assert!(entry(page_bytes, 1).is_well_formed());
		assert!(entry(page_bytes + 1, 2).is_well_formed());
		assert!(!entry(page_bytes + 1, 1).is_well_formed(), "a page missing");
		assert!(!entry(1, 2).is_well_formed(), "a page too many");
		assert_eq!(entry(page_bytes + 1, 2).hashes_in_page(1), 1);
		assert_eq!(entry(page_bytes + 1, 2).hashes_in_page(0), HASHES_PER_PAGE);
		let largest = MAX_FILE_CHUNKS * CHUNK_BYTES as u64;
		let pages = (MAX_FILE_CHUNKS / HASHES_PER_PAGE as u64) as usize;
		assert!(entry(largest, pages).is_well_formed());
		assert!(!entry(largest + 1, pages + 1).is_well_formed(), "more than 2 GiB");
		assert!(!entry(u64::MAX, 0).is_well_formed());
		// Sixteen of the largest files fit one catalogue response.
		let catalogue = ChunkResponse::Catalogue(vec![entry(largest, pages); 16]);
		assert!(catalogue.encode().len() <= MAX_CATALOGUE_BYTES);
	}
}
