//! Helpers for tests, benchmarks and simulations against a local dev chain: start a
//! `repute-node --dev --tmp` on free loopback ports ([`DevNode`]), and use the dev chain's sudo
//! key to set parameters, fund and register peers ([`setup`]). Not for production chains.

mod node;
pub mod setup;

pub use node::{free_port, node_binary, DevNode};
