//! The errors `repute_*` methods answer with, as JSON-RPC error objects.

use jsonrpsee::types::{error::INVALID_PARAMS_CODE, ErrorObjectOwned};

/// The block hash given is not a block this node knows.
pub const UNKNOWN_BLOCK: i32 = 4001;
/// The runtime could not answer (for example, a runtime without the reputation API).
pub const RUNTIME_ERROR: i32 = 5001;
/// The node could not build a storage proof.
pub const PROOF_ERROR: i32 = 5002;

/// How much of a refused input an error quotes, in characters.
pub const QUOTED_PREFIX: usize = 16;

/// `text` as an error quotes it: whole if at most [`QUOTED_PREFIX`] characters, else its first
/// characters and an ellipsis.
pub fn quoted(text: &str) -> String {
	match text.char_indices().nth(QUOTED_PREFIX) {
		Some((end, _)) => format!("{}…", &text[..end]),
		None => text.to_string(),
	}
}

/// What went wrong in a `repute_*` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
	/// A parameter is malformed or out of bounds; the text says which and why.
	InvalidParams(String),
	/// The block hash is unknown.
	UnknownBlock(String),
	/// The runtime call failed.
	Runtime(String),
	/// The proof could not be built.
	Proof(String),
}

impl From<Error> for ErrorObjectOwned {
	fn from(error: Error) -> Self {
		match error {
			Error::InvalidParams(message) => {
				ErrorObjectOwned::owned(INVALID_PARAMS_CODE, message, None::<()>)
			}
			Error::UnknownBlock(hash) => {
				ErrorObjectOwned::owned(UNKNOWN_BLOCK, format!("unknown block {hash}"), None::<()>)
			}
			Error::Runtime(message) => ErrorObjectOwned::owned(
				RUNTIME_ERROR,
				format!("the runtime could not answer: {message}"),
				None::<()>,
			),
			Error::Proof(message) => ErrorObjectOwned::owned(
				PROOF_ERROR,
				format!("could not build the storage proof: {message}"),
				None::<()>,
			),
		}
	}
}
