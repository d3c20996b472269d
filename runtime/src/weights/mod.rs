//! Weights of polkadot-sdk code that this runtime benchmarks itself, written by
//! `scripts/benchmark-pallets.sh` (Repute's own pallets keep theirs in their crates).

pub mod frame_system_extensions;
