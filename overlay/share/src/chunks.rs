//! The demo's file-transfer protocol, `/repute-share/chunk/1`: ask a peer for its catalogue or
//! for one chunk of a file. One SCALE message per stream, size-bounded like the receipt protocol.

use async_trait::async_trait;
use codec::{Decode, DecodeAll, Encode};
use futures::{AsyncRead, AsyncWrite};
use libp2p::StreamProtocol;
use repute_overlay::wire::{read_bounded, write_message};
use std::io;

/// The protocol name.
pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/repute-share/chunk/1");
/// The size of a chunk (the last chunk of a file may be shorter).
pub const CHUNK_BYTES: usize = 16 * 1024;
/// The longest message either side accepts.
pub const MAX_MESSAGE_BYTES: usize = CHUNK_BYTES + 4096;
/// The longest file name.
pub const MAX_NAME_BYTES: usize = 128;

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
}

/// One file in a catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct CatalogueEntry {
	/// The file's name.
	pub file: String,
	/// Its size in bytes.
	pub bytes: u64,
	/// The blake2-256 hash of each chunk, so downloads can be checked.
	pub chunk_hashes: Vec<[u8; 32]>,
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
		ChunkRequest::Chunk { file, .. } => file.len() <= MAX_NAME_BYTES,
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
		// A catalogue may be longer than a chunk: 64 files of 1 GiB is 64 × 64 Ki hashes... so
		// catalogues are capped at what fits one message too.
		let bytes = read_bounded(io, MAX_MESSAGE_BYTES * 8).await?;
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
	}
}
