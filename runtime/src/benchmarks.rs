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
	[pallet_validator_set, ValidatorSet]
);

/// Registers session keys for the validator set's benchmarks: keys derived from the account's
/// bytes, written where the session pallet keeps the next keys (no proof of possession is
/// needed to weigh adding a validator that has keys).
pub struct SessionKeysHelper;

impl pallet_validator_set::BenchmarkHelper<crate::AccountId> for SessionKeysHelper {
	fn register_session_keys(who: &crate::AccountId) {
		let raw: [u8; 32] = *who.as_ref();
		let keys = crate::opaque::SessionKeys {
			aura: sp_core::sr25519::Public::from_raw(raw).into(),
			grandpa: sp_core::ed25519::Public::from_raw(raw).into(),
		};
		pallet_session::NextKeys::<crate::Runtime>::insert(who, keys);
	}
}
