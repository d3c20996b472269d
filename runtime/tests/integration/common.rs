//! Genesis state for the runtime's integration tests, built from a preset as the node builds it.

use frame_support::genesis_builder_helper::{build_state, get_preset};
use repute_runtime::{genesis_config_presets, RuntimeGenesisConfig};
use serde_json::Value;
use sp_genesis_builder::PresetId;

/// Applies a JSON patch over a JSON value, as the node applies a preset over the default genesis.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		}
		(base, patch) => *base = patch,
	}
}

/// Builds the genesis state of a preset into the current externalities, as the node does.
pub fn build_genesis_of(preset: &str) {
	let patch = get_preset::<RuntimeGenesisConfig>(
		&Some(PresetId::from(preset)),
		genesis_config_presets::get_preset,
	)
	.unwrap_or_else(|| panic!("preset {preset} is missing"));
	let mut genesis = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut genesis, serde_json::from_slice(&patch).expect("a preset is JSON"));
	build_state::<RuntimeGenesisConfig>(serde_json::to_vec(&genesis).unwrap())
		.expect("the preset builds a genesis state");
}

/// Builds the genesis state of a preset, as the node does, and runs `check` inside it.
pub fn with_genesis_of(preset: &str, check: impl FnOnce()) {
	sp_io::TestExternalities::default().execute_with(|| {
		build_genesis_of(preset);
		check();
	});
}

/// Builds blocks up to `last` as the chain would, on the hooks of every pallet: each block in
/// the next Aura slot whose author is not in `offline` (an offline validator's slots pass
/// without a block), with its timestamp, and the block's hooks run to the end.
pub fn produce_blocks_to(last: u32, offline: &[repute_runtime::AccountId]) {
	use codec::Encode;
	use frame_support::traits::{OnFinalize, OnInitialize};
	use repute_runtime::{AllPalletsWithSystem, Runtime, RuntimeOrigin, System, SLOT_DURATION};
	use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
	use sp_runtime::{Digest, DigestItem};

	while System::block_number() < last {
		let number = System::block_number() + 1;
		let validators = pallet_session::Validators::<Runtime>::get();
		let mut slot = u64::from(pallet_aura::CurrentSlot::<Runtime>::get()) + 1;
		while offline.contains(&validators[(slot % validators.len() as u64) as usize]) {
			slot += 1;
		}
		let digest = Digest {
			logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(slot).encode())],
		};
		let parent = System::parent_hash();
		System::reset_events();
		System::initialize(&number, &parent, &digest);
		AllPalletsWithSystem::on_initialize(number);
		pallet_timestamp::Pallet::<Runtime>::set(RuntimeOrigin::none(), slot * SLOT_DURATION)
			.expect("the block's timestamp is its slot's");
		AllPalletsWithSystem::on_finalize(number);
		System::finalize();
	}
}
