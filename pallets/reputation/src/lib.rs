//! # Reputation pallet (in progress)
//!
//! Will turn the shared history of `pallet-receipts` into reputation and admission decisions:
//! decayed service and usage reputation, an EigenTrust global trust vector computed in bounded
//! steps in `on_idle`, subjective reputation by two-hop max-flow, and per-peer admission with an
//! adaptive stranger allowance (see the open issue and `docs/architecture.md`).
//!
//! What exists so far is [`maths`]: the fixed-point functions all of that rests on, tested
//! against floating-point references. The pallet itself is not in the runtime yet.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod maths;
