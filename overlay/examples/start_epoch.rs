//! Governance step of `scripts/epoch-bench.sh`: on a node started with `--chain rpc-bench`
//! (100,000 synthetic peers, each served by ten others), names the first `FOUNDERS` synthetic
//! peers as founders and brings the next epoch forward to the next block, through the dev
//! chain's sudo key (`//Alice`). Every other parameter keeps the value the chain has (the
//! runtime's defaults on that chain, the 20% block share included).
//!
//! Usage: `start_epoch <rpc-port>`. Exits once the chain has taken both calls.

use repute_overlay::{
	chain::{calls::Call, ChainClient},
	AccountId32, Signer,
};
use repute_primitives::{parameters::ReputationParameters, synthetic::account};
use std::time::Duration;

/// Founders taken from the synthetic population, so that trust flows through its edges.
const FOUNDERS: u32 = 4;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
	let port: u16 = std::env::args().nth(1).ok_or("usage: start_epoch <rpc-port>")?.parse()?;
	let chain = ChainClient::connect(format!("ws://127.0.0.1:{port}")).await?;
	let sudo = Signer::sr25519_from_uri("//Alice")?;
	let wait = Duration::from_secs(120);
	let founders: Vec<AccountId32> =
		(0..FOUNDERS).map(|index| AccountId32::from(account(index))).collect();
	chain.submit_and_wait(&Call::sudo(Call::set_pretrusted(&founders)), &sudo, wait).await?;
	// The chain's own parameters (the runtime's defaults on this chain), with epochs due every
	// block: the next one starts at once, and each starts as soon as the last is published.
	let parameters =
		ReputationParameters { epoch_length: 1, ..chain.reputation_parameters().await? };
	chain
		.submit_and_wait(&Call::sudo(Call::set_reputation_parameters(&parameters)), &sudo, wait)
		.await?;
	if chain.reputation_parameters().await? != parameters {
		return Err("sudo did not set the parameters".into());
	}
	println!("founders set and epoch brought forward at block {}", chain.best_number().await?);
	Ok(())
}
