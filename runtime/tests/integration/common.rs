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

/// Builds the genesis state of a preset, as the node does, and runs `check` inside it.
pub fn with_genesis_of(preset: &str, check: impl FnOnce()) {
	let patch = get_preset::<RuntimeGenesisConfig>(
		&Some(PresetId::from(preset)),
		genesis_config_presets::get_preset,
	)
	.unwrap_or_else(|| panic!("preset {preset} is missing"));
	let mut genesis = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut genesis, serde_json::from_slice(&patch).expect("a preset is JSON"));
	sp_io::TestExternalities::default().execute_with(|| {
		build_state::<RuntimeGenesisConfig>(serde_json::to_vec(&genesis).unwrap())
			.expect("the preset builds a genesis state");
		check();
	});
}
