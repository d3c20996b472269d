//! The receipt protocol's messages on the wire, `/repute/receipt/1`, and their codec.
//!
//! One request-response exchange per receipt: the provider sends a [`Proposal`] (the cumulative
//! receipt, signed by itself) and the consumer answers [`ReceiptResponse::Countersigned`] with its
//! signature, or [`ReceiptResponse::Refused`] with a [`Refusal`] saying why. Messages are SCALE
//! encoded, one per stream, and never longer than [`MAX_MESSAGE_BYTES`]: a longer or undecodable
//! request is read as [`InboundRequest::Invalid`] and answered with a refusal, never a panic.

use crate::signature::MultiSignature;
use crate::{Receipt, SignedReceipt};
use async_trait::async_trait;
use codec::{Decode, DecodeAll, Encode};
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;
use std::io;

/// The protocol name negotiated by multistream-select.
pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/repute/receipt/1");

/// The longest message either side accepts. A proposal is 132 receipt bytes and a 65-byte
/// signature at most; 1 KiB leaves room for future fields and nothing for abuse.
pub const MAX_MESSAGE_BYTES: usize = 1024;

/// A provider's request: "sign this receipt of what I gave you".
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Proposal {
	/// The cumulative receipt the provider proposes.
	pub receipt: Receipt,
	/// The provider's signature of [`Receipt::signing_payload`].
	pub provider_signature: MultiSignature,
}

impl Proposal {
	/// The receipt signed by both parties, once the consumer's signature is known.
	pub fn countersigned(self, consumer_signature: MultiSignature) -> SignedReceipt {
		SignedReceipt {
			receipt: self.receipt,
			provider_signature: self.provider_signature,
			consumer_signature,
		}
	}
}

/// A request as read off the wire: a proposal, or the reason it could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InboundRequest {
	/// A well-formed proposal (not yet checked against the consumer's ledger).
	Proposal(Proposal),
	/// Bytes that are not a proposal.
	Invalid(Refusal),
}

/// The consumer's answer.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum ReceiptResponse {
	/// The consumer's signature of the proposed receipt's signing payload.
	Countersigned(MultiSignature),
	/// The consumer will not sign, and why.
	Refused(Refusal),
}

/// Why a consumer refuses to countersign a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, thiserror::Error)]
pub enum Refusal {
	/// The request did not decode as a proposal.
	#[error("the message is not a valid proposal")]
	Malformed,
	/// The request was longer than [`MAX_MESSAGE_BYTES`].
	#[error("the message is longer than {MAX_MESSAGE_BYTES} bytes")]
	Oversized,
	/// The receipt names another chain.
	#[error("the receipt is for another chain")]
	WrongChain,
	/// The receipt's provider is not the sender, or its consumer is not the receiver.
	#[error("the receipt names other parties than the two peers")]
	WrongParties,
	/// The provider's signature does not verify.
	#[error("the provider's signature does not verify")]
	InvalidSignature,
	/// The sequence is not above the last receipt the consumer signed for this pair.
	#[error("sequence not above the last signed one ({last})")]
	StaleSequence {
		/// The sequence of the last receipt the consumer signed.
		last: u64,
	},
	/// The units are below the last receipt the consumer signed for this pair.
	#[error("cumulative units below the last signed ones ({last})")]
	UnitsDecreased {
		/// The units of the last receipt the consumer signed.
		last: u128,
	},
	/// The receipt claims more units than the consumer has received.
	#[error("the receipt overstates the service: only {received} units were received")]
	Overstated {
		/// What the consumer counted.
		received: u128,
	},
	/// The timestamp is further from the consumer's clock than allowed.
	#[error("the timestamp is too far from the consumer's clock")]
	ClockSkew,
	/// The consumer could not store the receipt, so it will not sign it.
	#[error("the consumer could not store the receipt")]
	Unavailable,
	/// The consumer received nothing of this service from this provider.
	#[error("the consumer received nothing of this service from you")]
	Unsolicited,
	/// The receipt's units equal the last ones the consumer signed: it records nothing.
	#[error("the receipt adds no units to the last one signed")]
	NothingNew,
	/// The provider sent more proposals than the consumer answers in this time.
	#[error("too many proposals: slow down")]
	RateLimited,
	/// A proposal of this provider is still being answered.
	#[error("a proposal is still being answered")]
	Busy,
}

/// Reads and writes [`Proposal`]s and [`ReceiptResponse`]s, bounded by [`MAX_MESSAGE_BYTES`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ReceiptCodec;

/// Reads a stream to its end, but at most `max` + 1 bytes: enough to know a message is too long
/// without reading the rest. For any one-message-per-stream protocol.
pub async fn read_bounded<T: AsyncRead + Unpin + Send>(
	io: &mut T,
	max: usize,
) -> io::Result<Vec<u8>> {
	let mut bytes = Vec::new();
	io.take(max as u64 + 1).read_to_end(&mut bytes).await?;
	Ok(bytes)
}

/// Writes `message` SCALE-encoded and closes the stream: one message per stream.
pub async fn write_message<T: AsyncWrite + Unpin + Send>(
	io: &mut T,
	message: &impl Encode,
) -> io::Result<()> {
	io.write_all(&message.encode()).await?;
	io.close().await
}

/// Decodes a request; anything but one well-formed proposal becomes [`InboundRequest::Invalid`].
pub fn decode_request(bytes: &[u8]) -> InboundRequest {
	if bytes.len() > MAX_MESSAGE_BYTES {
		return InboundRequest::Invalid(Refusal::Oversized);
	}
	match Proposal::decode_all(&mut &bytes[..]) {
		Ok(proposal) => InboundRequest::Proposal(proposal),
		Err(_) => InboundRequest::Invalid(Refusal::Malformed),
	}
}

/// Decodes a response; anything but one well-formed response is an error.
pub fn decode_response(bytes: &[u8]) -> io::Result<ReceiptResponse> {
	if bytes.len() > MAX_MESSAGE_BYTES {
		return Err(io::Error::new(io::ErrorKind::InvalidData, "oversized receipt response"));
	}
	ReceiptResponse::decode_all(&mut &bytes[..])
		.map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
}

#[async_trait]
impl libp2p::request_response::Codec for ReceiptCodec {
	type Protocol = StreamProtocol;
	type Request = InboundRequest;
	type Response = ReceiptResponse;

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
	) -> io::Result<Self::Response>
	where
		T: AsyncRead + Unpin + Send,
	{
		decode_response(&read_bounded(io, MAX_MESSAGE_BYTES).await?)
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
		let InboundRequest::Proposal(proposal) = request else {
			return Err(io::Error::new(io::ErrorKind::InvalidInput, "only proposals are sent"));
		};
		write_message(io, &proposal).await
	}

	async fn write_response<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
		response: Self::Response,
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
	use crate::AccountId32;
	use crate::H256;

	fn proposal() -> Proposal {
		Proposal {
			receipt: Receipt {
				genesis_hash: H256::repeat_byte(1),
				provider: AccountId32::new([2; 32]),
				consumer: AccountId32::new([3; 32]),
				service: 0,
				sequence: 1,
				cumulative_units: 10,
				timestamp_ms: 5,
			},
			provider_signature: MultiSignature::Ed25519([9; 64]),
		}
	}

	#[test]
	fn a_proposal_round_trips() {
		let bytes = proposal().encode();
		assert_eq!(decode_request(&bytes), InboundRequest::Proposal(proposal()));
	}

	#[test]
	fn truncated_extended_and_garbage_requests_are_malformed() {
		let bytes = proposal().encode();
		for bad in [
			&bytes[..bytes.len() - 1],
			&[bytes.as_slice(), &[0]].concat()[..],
			&[][..],
			&[0xff; 40][..],
		] {
			assert_eq!(decode_request(bad), InboundRequest::Invalid(Refusal::Malformed));
		}
	}

	#[test]
	fn an_unknown_signature_kind_is_malformed() {
		let mut bytes = proposal().encode();
		let signature_kind = bytes.len() - 65;
		bytes[signature_kind] = 7;
		assert_eq!(decode_request(&bytes), InboundRequest::Invalid(Refusal::Malformed));
	}

	#[test]
	fn oversized_requests_and_responses_are_refused() {
		let big = vec![0u8; MAX_MESSAGE_BYTES + 1];
		assert_eq!(decode_request(&big), InboundRequest::Invalid(Refusal::Oversized));
		assert!(decode_response(&big).is_err());
	}

	#[test]
	fn responses_round_trip_and_garbage_is_an_error() {
		for response in [
			ReceiptResponse::Refused(Refusal::Overstated { received: 3 }),
			ReceiptResponse::Countersigned(proposal().provider_signature),
		] {
			assert_eq!(decode_response(&response.encode()).unwrap(), response);
		}
		assert!(decode_response(&[2, 0]).is_err());
		assert!(decode_response(&[]).is_err());
	}

	#[test]
	fn the_codec_reads_what_it_writes_and_stops_at_the_bound() {
		use libp2p::request_response::Codec;
		futures::executor::block_on(async {
			let mut codec = ReceiptCodec;
			let mut wire = futures::io::Cursor::new(Vec::new());
			codec
				.write_request(&PROTOCOL, &mut wire, InboundRequest::Proposal(proposal()))
				.await
				.unwrap();
			let mut reader = futures::io::Cursor::new(wire.into_inner());
			let read = codec.read_request(&PROTOCOL, &mut reader).await.unwrap();
			assert_eq!(read, InboundRequest::Proposal(proposal()));

			// A peer streaming far more than the bound is cut off after the bound.
			let mut flood = futures::io::Cursor::new(vec![0u8; 10 * MAX_MESSAGE_BYTES]);
			let read = codec.read_request(&PROTOCOL, &mut flood).await.unwrap();
			assert_eq!(read, InboundRequest::Invalid(Refusal::Oversized));
			assert_eq!(flood.position(), MAX_MESSAGE_BYTES as u64 + 1);
		});
	}
}
