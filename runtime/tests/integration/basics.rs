//! The runtime's identity, genesis presets and metadata, checked without a node.

use crate::common::with_genesis_of;
use repute_runtime::{
	genesis_config_presets::{self, ENDOWMENT},
	AccountId, Runtime, VERSION,
};
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::Sr25519Keyring;

#[test]
fn runtime_is_named_repute() {
	assert_eq!(VERSION.spec_name, "repute");
	assert_eq!(VERSION.impl_name, "repute-node");
}

#[test]
fn presets_are_dev_and_local() {
	let names = genesis_config_presets::preset_names();
	let mut expected =
		vec![PresetId::from(DEV_RUNTIME_PRESET), PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET)];
	if cfg!(feature = "synthetic-population") {
		expected.push(PresetId::from("rpc-bench"));
	}
	assert_eq!(names, expected);
	assert!(genesis_config_presets::get_preset(&PresetId::from("no-such-preset")).is_none());
	assert!(genesis_config_presets::get_preset(&PresetId::from(DEV_RUNTIME_PRESET))
		.map(|dev| !String::from_utf8(dev).unwrap().contains("synthetic"))
		.unwrap());
}

/// A production runtime has no way to write a synthetic population: the genesis field exists
/// only with the `synthetic-population` feature, and a chain spec that names it is refused.
#[cfg(not(feature = "synthetic-population"))]
#[test]
fn a_production_runtime_refuses_a_synthetic_population() {
	assert!(genesis_config_presets::get_preset(&PresetId::from("rpc-bench")).is_none());
	let mut genesis =
		serde_json::to_value(repute_runtime::RuntimeGenesisConfig::default()).unwrap();
	genesis["reputation"]["synthetic"] =
		serde_json::json!({ "peers": 10, "partners": 2, "units": 5 });
	let built = sp_io::TestExternalities::default().execute_with(|| {
		frame_support::genesis_builder_helper::build_state::<repute_runtime::RuntimeGenesisConfig>(
			serde_json::to_vec(&genesis).unwrap(),
		)
	});
	let error = built.expect_err("an unknown genesis field is refused");
	assert!(error.contains("synthetic"), "{error}");
}

/// The benchmark preset is the dev chain plus the same synthetic population in both pallets.
#[cfg(feature = "synthetic-population")]
#[test]
fn the_rpc_bench_preset_adds_a_synthetic_population_to_the_dev_chain() {
	let bench: serde_json::Value = serde_json::from_slice(
		&genesis_config_presets::get_preset(&PresetId::from(
			genesis_config_presets::RPC_BENCH_PRESET,
		))
		.unwrap(),
	)
	.unwrap();
	let synthetic = &bench["reputation"]["synthetic"];
	assert_eq!(synthetic["peers"], 100_000);
	assert_eq!(synthetic["partners"], 10);
	assert_eq!(&bench["receipts"]["synthetic"], synthetic);
}

fn alice() -> AccountId {
	Sr25519Keyring::Alice.to_account_id()
}

#[test]
fn dev_preset_has_alice_as_sole_validator_and_sudo() {
	with_genesis_of(DEV_RUNTIME_PRESET, || {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 1);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(alice()));
		assert_eq!(
			pallet_validator_set::Parameters::<Runtime>::get().session_length,
			repute_runtime::HOURS
		);
		assert_eq!(pallet_balances::Pallet::<Runtime>::free_balance(alice()), ENDOWMENT);
		let ferdie = Sr25519Keyring::Ferdie.to_account_id();
		assert_eq!(pallet_balances::Pallet::<Runtime>::free_balance(ferdie), ENDOWMENT);
		// The founders are registered peers, holding their bonds, and pre-trusted.
		let founders = genesis_config_presets::dev_founders();
		assert_eq!(pallet_reputation::PreTrusted::<Runtime>::get().into_inner(), founders);
		for founder in &founders {
			let bond = pallet_receipts::Peers::<Runtime>::get(founder).expect("registered").bond;
			assert!(bond > 0);
			assert_eq!(pallet_balances::Pallet::<Runtime>::free_balance(founder), ENDOWMENT - bond);
		}
	});
}

#[test]
fn local_preset_has_four_validators_a_committee_of_three_and_sudo() {
	with_genesis_of(LOCAL_TESTNET_RUNTIME_PRESET, || {
		let aura = pallet_aura::Authorities::<Runtime>::get();
		let expected: Vec<_> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.into_iter()
		.map(|k| sp_consensus_aura::sr25519::AuthorityId::from(k.public()))
		.collect();
		assert_eq!(aura.into_inner(), expected);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 4);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(alice()));
		// Membership keeps its members sorted.
		let mut committee: Vec<AccountId> =
			[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
				.into_iter()
				.map(|k| k.to_account_id())
				.collect();
		committee.sort();
		assert_eq!(
			pallet_collective::Members::<Runtime, pallet_collective::Instance1>::get(),
			committee
		);
	});
}

/// The runtime's metadata at version 15, the first that lists runtime APIs, decoded as a
/// wallet or subxt would decode it.
fn metadata_v15() -> frame_metadata::v15::RuntimeMetadataV15 {
	use codec::Decode;
	let opaque = Runtime::metadata_at_version(15).expect("the runtime serves metadata v15");
	let prefixed = frame_metadata::RuntimeMetadataPrefixed::decode(&mut &opaque[..])
		.expect("metadata v15 decodes");
	match prefixed.1 {
		frame_metadata::RuntimeMetadata::V15(metadata) => metadata,
		_ => panic!("asked for v15, got another version"),
	}
}

#[test]
fn metadata_lists_the_runtime_apis() {
	let metadata = metadata_v15();
	let apis: Vec<&str> = metadata.apis.iter().map(|api| api.name.as_str()).collect();
	for wanted in [
		"Core",
		"Metadata",
		"BlockBuilder",
		"TaggedTransactionQueue",
		"AuraApi",
		"GrandpaApi",
		"AccountNonceApi",
		"TransactionPaymentApi",
		"GenesisBuilder",
	] {
		assert!(apis.contains(&wanted), "{wanted} missing from metadata apis {apis:?}");
	}
}

#[test]
fn transactions_carry_the_metadata_hash_extension() {
	let metadata = metadata_v15();
	let extensions: Vec<&str> =
		metadata.extrinsic.signed_extensions.iter().map(|e| e.identifier.as_str()).collect();
	assert!(extensions.contains(&"CheckMetadataHash"), "extensions: {extensions:?}");
}
