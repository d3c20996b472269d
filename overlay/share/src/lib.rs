//! # repute-share
//!
//! A file-sharing demo built on [`repute_overlay`]: peers exchange the chunks of files over
//! libp2p, ask the admission gate before serving, and co-sign a receipt with each partner every
//! few chunks. The same peers, many at a time in one process, run the side-by-side simulation
//! of serving policies (`repute-sim`, `docs/simulation.md`).

pub mod choker;
pub mod chunks;
pub mod library;
pub mod peer;
pub mod policy;
pub mod sim;
pub mod waiting;

pub use peer::{
	ChainServices, Command, PeerConfig, PeerHandle, PeerStats, Role, SharePeer, Wants,
	DEFAULT_LONGEST_WAIT, SERVICE,
};
pub use policy::ServePolicy;
