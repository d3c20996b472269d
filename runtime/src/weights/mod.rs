//! Weights of polkadot-sdk code that this runtime benchmarks itself, of an empty block and of a
//! transaction's base, all written by `scripts/benchmark-pallets.sh`, and of the node's
//! database, written by `scripts/benchmark-storage.sh` (Repute's own pallets keep theirs in
//! their crates).

pub mod block_weights;
pub mod extrinsic_weights;
pub mod frame_system_extensions;
pub mod paritydb_weights;
