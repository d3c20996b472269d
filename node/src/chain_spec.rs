//! The chain specifications the node knows by name (`dev`, `local`, and, built with the
//! `synthetic-population` feature, `rpc-bench` for speed benchmarks), built from the runtime's
//! genesis presets, and loading of any other chain spec from a JSON file.

use repute_runtime::WASM_BINARY;
use sc_service::{ChainType, Properties};

/// A Repute chain specification; it carries no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token symbol and decimals, so wallets such as polkadot.js show balances correctly.
fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), "REP".into());
	properties.insert("tokenDecimals".into(), 12.into());
	properties.insert("ss58Format".into(), 42.into());
	properties
}

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the wasm runtime is not built into this binary (it was built with SKIP_WASM_BUILD)"
			.to_string()
	})
}

/// The single-validator dev chain: Alice authors and finalises every block and holds sudo.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Repute Development")
		.with_id("dev")
		.with_chain_type(ChainType::Development)
		.with_protocol_id("repute")
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// The local testnet: Alice, Bob, Charlie and Dave validate; Alice holds sudo.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Repute Local Testnet")
		.with_id("local_testnet")
		.with_chain_type(ChainType::Local)
		.with_protocol_id("repute")
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// The dev chain plus a synthetic population of 100,000 peers and 1,000,000 pair entries, for
/// `scripts/rpc-bench.sh` (only with the `synthetic-population` feature). Never for a real
/// network: the synthetic peers have no keys.
#[cfg(feature = "synthetic-population")]
pub fn rpc_bench_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Repute RPC Benchmark")
		.with_id("rpc_bench")
		.with_chain_type(ChainType::Development)
		.with_protocol_id("repute")
		.with_genesis_config_preset_name(repute_runtime::genesis_config_presets::RPC_BENCH_PRESET)
		.with_properties(properties())
		.build())
}

/// The chains this node knows by name.
#[cfg(not(feature = "synthetic-population"))]
const BUILT_IN: &str = "dev, local";
#[cfg(feature = "synthetic-population")]
const BUILT_IN: &str = "dev, local, rpc-bench";

/// The chain spec named by `--chain`: a built-in name or the path of a JSON chain spec.
pub fn load(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
	Ok(match id {
		"dev" => Box::new(development_chain_spec()?),
		"" | "local" => Box::new(local_chain_spec()?),
		#[cfg(feature = "synthetic-population")]
		"rpc-bench" => Box::new(rpc_bench_chain_spec()?),
		path => {
			Box::new(ChainSpec::from_json_file(std::path::PathBuf::from(path)).map_err(|e| {
				format!(
					"`{path}` is neither a built-in chain ({BUILT_IN}) nor a chain spec file: {e}"
				)
			})?)
		}
	})
}
