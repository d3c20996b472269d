//! The node's tests, in one binary: each file of this directory would otherwise be a test binary
//! of its own (docs/development.md, "What the build costs"). All but `preflight` start the real
//! `repute-node` binary on loopback ports they pick and stop it themselves, even when they fail.
//! Run one group with a filter, e.g. `cargo test --release -p repute-node --test end_to_end rpc::`.

mod bad_input;
mod common;
mod dev_chain;
mod local_testnet;
mod receipts;
mod rpc;

/// The unit tests of the node's start-up checks. They are compiled here rather than in the
/// `repute-node` binary, whose test harness would compile the whole node a second time.
#[path = "../../src/preflight.rs"]
#[allow(dead_code)] // `check` is what the node calls; its parts are what these tests call.
mod preflight;
