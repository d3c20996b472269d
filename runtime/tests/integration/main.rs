//! The runtime's integration tests, in one binary: each file of this directory would otherwise be
//! a test binary of its own that links the whole native runtime (docs/development.md, "What the
//! build costs"). Run one group with a filter, e.g.
//! `cargo test --release -p repute-runtime --test integration block_capacity -- --nocapture`.

mod basics;
mod block_capacity;
mod common;
mod epoch_cost;
mod fees;
mod governance;
mod payments;
mod receipts;
mod reputation;
mod validators;
mod weights;
