//! The runtime's identity, genesis presets and metadata, checked without a node.

mod common;

use common::with_genesis_of;
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
fn presets_are_dev_local_and_rpc_bench() {
	let names = genesis_config_presets::preset_names();
	assert_eq!(
		names,
		vec![
			PresetId::from(DEV_RUNTIME_PRESET),
			PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET),
			PresetId::from(genesis_config_presets::RPC_BENCH_PRESET),
		]
	);
	assert!(genesis_config_presets::get_preset(&PresetId::from("no-such-preset")).is_none());
	// The benchmark preset is the dev chain plus the same synthetic population in both pallets.
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
	assert!(genesis_config_presets::get_preset(&PresetId::from(DEV_RUNTIME_PRESET))
		.map(|dev| !String::from_utf8(dev).unwrap().contains("synthetic"))
		.unwrap());
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
fn local_preset_has_three_validators() {
	with_genesis_of(LOCAL_TESTNET_RUNTIME_PRESET, || {
		let aura = pallet_aura::Authorities::<Runtime>::get();
		let expected: Vec<_> =
			[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
				.into_iter()
				.map(|k| sp_consensus_aura::sr25519::AuthorityId::from(k.public()))
				.collect();
		assert_eq!(aura.into_inner(), expected);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 3);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(alice()));
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
