// This file is part of Repute.
// SPDX-License-Identifier: Apache-2.0

//! THIS FILE WAS AUTO-GENERATED USING THE SUBSTRATE BENCHMARK CLI VERSION 64.0.0
//! DATE: 2026-11-30 (Y/M/D)
//! HOSTNAME: `vm`, CPU: `AMD EPYC`
//!
//! DATABASE: `ParityDb`, RUNTIME: `Repute RPC Benchmark`
//! BLOCK-NUM: `Number(0)`
//! SKIP-WRITE: `false`, SKIP-READ: `false`, WARMUPS: `1`
//! STATE-VERSION: `V1`, STATE-CACHE-SIZE: ``
//! WEIGHT-PATH: `runtime/src/weights/`
//! METRIC: `Average`, WEIGHT-MUL: `1.0`, WEIGHT-ADD: `0`

// Executed Command:
//   /root/.cache/repute/bench-target/release/repute-node
//   benchmark
//   storage
//   --chain
//   /root/.cache/repute/storage-bench/rpc-bench-raw.json
//   --base-path
//   /root/.cache/repute/storage-bench/db
//   --database
//   paritydb
//   --state-version
//   1
//   --keys-limit
//   200000
//   --batch-size
//   10000
//   --random-seed
//   1
//   --weight-path
//   runtime/src/weights/
//   --template-path
//   .maintain/db-weight-template.hbs
//   --header
//   .maintain/HEADER-APACHE2

//! What one storage read and one storage write cost on this node's database, measured by
//! `repute-node benchmark storage` on the 100,000-peer synthetic state (`scripts/benchmark-storage.sh`):
//! the runtime's `DbWeight`.

/// Storage DB weights for the `Repute RPC Benchmark` runtime and `ParityDb`.
pub mod constants {
	use frame_support::{
		parameter_types,
		weights::{constants, RuntimeDbWeight},
	};

	parameter_types! {
		/// ParityDB, the only database `repute-node` opens.
		pub const ParityDbWeight: RuntimeDbWeight = RuntimeDbWeight {
			// Time to read one storage item.
			// Calculated by multiplying the *Average* of all values with `1.0` and adding `0`.
			//
			// Stats nanoseconds:
			//   Min, Max: 3_137, 2_948_429
			//   Average:  15_280
			//   Median:   13_285
			//   Std-Dev:  47010.61
			//
			// Percentiles nanoseconds:
			//   99th: 40_967
			//   95th: 18_685
			//   75th: 15_108
			read: 15_280 * constants::WEIGHT_REF_TIME_PER_NANOS,

			// Time to write one storage item.
			// Calculated by multiplying the *Average* of all values with `1.0` and adding `0`.
			//
			// Stats nanoseconds:
			//   Min, Max: 26_638, 51_673
			//   Average:  37_639
			//   Median:   35_492
			//   Std-Dev:  7545.42
			//
			// Percentiles nanoseconds:
			//   99th: 51_673
			//   95th: 50_548
			//   75th: 43_307
			write: 37_639 * constants::WEIGHT_REF_TIME_PER_NANOS,
		};
	}
}
