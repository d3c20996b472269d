//! Talking to a Repute node: the transactions the overlay sends ([`calls`], [`extrinsic`]), the
//! storage it reads ([`keys`]) and the JSON-RPC connection ([`ChainClient`]).

pub mod calls;
mod client;
pub mod extrinsic;
pub mod keys;
pub mod metadata;

pub use client::{ChainClient, ChainInfo, StrangerPolicy, BLOCK_TIME};
