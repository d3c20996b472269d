//! The pallets that `repute-node benchmark pallet` (built with `--features runtime-benchmarks`)
//! can benchmark. Each Repute pallet is added here when it lands.

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_receipts, Receipts]
	[pallet_reputation, Reputation]
	[pallet_payments, Payments]
);
