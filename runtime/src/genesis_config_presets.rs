//! Genesis presets: the initial state of the `dev` and `local` chains.
//!
//! A chain spec names one of these presets; the node never hard-codes genesis state itself.
//! - `development` (chain `dev`): Alice is the only validator and the sudo key; sessions of an
//!   hour.
//! - `local_testnet` (chain `local`): Alice, Bob, Charlie and Dave validate (one of them may be
//!   down and GRANDPA still finalises), at least two always; sessions of ten blocks (a minute),
//!   so that validator changes show quickly; Alice is sudo.
//!
//! In both, Alice, Bob and Charlie are the technical committee, whose two-thirds motions govern
//! (`configs/governance.rs`). Each validator's session keys are the well-known dev keys of its
//! name (`--alice`, `--bob`, ... put them in the node's keystore).
//!
//! In both, the well-known dev accounts (Alice to Ferdie and their `//stash` accounts) start with
//! [`ENDOWMENT`] each, and `//Alice//stash` and `//Bob//stash` are the founders: registered peers
//! (holding the bond) that global trust is damped towards, so epochs run from the start.
//! Admission credit does not depend on them (see `pallet-reputation`'s credit model). Service 0
//! (bytes) has a reference price from genesis ([`dev_byte_price_bounds`]), at its floor.

use crate::{
	opaque::SessionKeys, AccountId, BalancesConfig, BlockNumber, PaymentsConfig, ReceiptsConfig,
	ReputationConfig, RuntimeGenesisConfig, SessionConfig, SudoConfig, TechnicalMembershipConfig,
	ValidatorSetConfig, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What each pre-funded dev account holds at genesis: a million REP.
pub const ENDOWMENT: u128 = 1_000_000 * UNIT;

/// The reference price of service 0 (bytes) from genesis: a floor of 10⁻¹² REP a byte (1 REP a
/// terabyte), a ceiling of 10⁻⁶ REP a byte (1 REP a megabyte), and a target of a gibibyte paid
/// for in a pricing period (an hour by default). At its floor it takes no toll.
pub fn dev_byte_price_bounds() -> repute_primitives::pricing::PriceBounds<u128> {
	repute_primitives::pricing::PriceBounds {
		floor: 1,
		ceiling: UNIT / 1_000_000,
		target_units: 1 << 30,
	}
}

/// A validator at genesis: its account and its session keys.
struct GenesisValidator {
	account: AccountId,
	aura: AuraId,
	grandpa: GrandpaId,
}

/// The genesis state for the given validators (with their sessions' length and the fewest
/// validators), sudo key, committee and pre-funded accounts, as the JSON patch over the default
/// genesis that the runtime's genesis builder applies.
fn repute_genesis(
	validators: Vec<GenesisValidator>,
	validator_parameters: pallet_validator_set::ValidatorSetParameters<BlockNumber>,
	endowed_accounts: Vec<AccountId>,
	founders: Vec<AccountId>,
	committee: Vec<AccountId>,
	root: AccountId,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		receipts: ReceiptsConfig { peers: founders.clone() },
		reputation: ReputationConfig { pretrusted: founders },
		balances: BalancesConfig {
			balances: endowed_accounts.iter().cloned().map(|k| (k, ENDOWMENT)).collect::<Vec<_>>(),
		},
		validator_set: ValidatorSetConfig {
			validators: validators.iter().map(|v| v.account.clone()).collect::<Vec<_>>(),
			parameters: Some(validator_parameters),
		},
		// Aura's and GRANDPA's authorities come from the session keys.
		session: SessionConfig {
			keys: validators
				.iter()
				.map(|v| {
					let keys = SessionKeys { aura: v.aura.clone(), grandpa: v.grandpa.clone() };
					(v.account.clone(), v.account.clone(), keys)
				})
				.collect::<Vec<_>>(),
		},
		technical_membership: TechnicalMembershipConfig {
			members: frame_support::BoundedVec::truncate_from(committee),
		},
		sudo: SudoConfig { key: Some(root) },
		payments: PaymentsConfig { prices: vec![(0, dev_byte_price_bounds())] },
	})
}

/// A well-known dev validator (`--alice`, `--bob`, ...): its sr25519 account, and its session
/// keys: Aura signs with the sr25519 key of the name, GRANDPA votes with its ed25519 key.
fn dev_validator(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> GenesisValidator {
	GenesisValidator {
		account: aura.to_account_id(),
		aura: aura.public().into(),
		grandpa: grandpa.public().into(),
	}
}

/// The technical committee of the dev and local chains: Alice, Bob and Charlie.
fn dev_committee() -> Vec<AccountId> {
	[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		.iter()
		.map(|k| k.to_account_id())
		.collect()
}

/// The well-known dev accounts that start funded.
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// The founders of the dev and local chains: registered at genesis and pre-trusted.
pub fn dev_founders() -> Vec<AccountId> {
	vec![Sr25519Keyring::AliceStash.to_account_id(), Sr25519Keyring::BobStash.to_account_id()]
}

/// The `development` preset: a single-validator chain run by Alice.
pub fn development_config_genesis() -> Value {
	repute_genesis(
		vec![dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		pallet_validator_set::ValidatorSetParameters {
			session_length: crate::HOURS,
			min_validators: 1,
		},
		dev_accounts(),
		dev_founders(),
		dev_committee(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The `local_testnet` preset: Alice, Bob, Charlie and Dave validate, in sessions of a minute.
pub fn local_config_genesis() -> Value {
	repute_genesis(
		vec![
			dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			dev_validator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			dev_validator(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		pallet_validator_set::ValidatorSetParameters {
			session_length: crate::MINUTES,
			min_validators: 2,
		},
		dev_accounts(),
		dev_founders(),
		dev_committee(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The name of the preset with a large synthetic history, for speed benchmarks (only with the
/// `synthetic-population` feature).
#[cfg(feature = "synthetic-population")]
pub const RPC_BENCH_PRESET: &str = "rpc-bench";

/// The `rpc-bench` preset: the development chain plus 100,000 synthetic peers, each served by
/// ten others (1,000,000 pair entries), registered, with local trust and a published trust
/// vector. For `scripts/rpc-bench.sh`; never for a real network.
#[cfg(feature = "synthetic-population")]
pub fn rpc_bench_config_genesis() -> Value {
	let mut genesis = development_config_genesis();
	let history = serde_json::json!({ "peers": 100_000, "partners": 10, "units": 10_000 });
	genesis["receipts"]["synthetic"] = history.clone();
	genesis["reputation"]["synthetic"] = history;
	genesis
}

/// The JSON of the named preset, or `None` for a name this runtime does not know.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		#[cfg(feature = "synthetic-population")]
		RPC_BENCH_PRESET => rpc_bench_config_genesis(),
		_ => return None,
	};
	// Serialising a `Value` cannot fail; `ok()` keeps the runtime free of panics regardless.
	serde_json::to_vec(&patch).ok()
}

/// The names of the presets this runtime provides.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		#[cfg(feature = "synthetic-population")]
		PresetId::from(RPC_BENCH_PRESET),
	]
}
