//! Preparing a dev chain for a run: governance through `sudo` (the dev chain's `//Alice`),
//! funding peers, registering them, all through the overlay's own client.

use crate::{
	chain::{calls::Call, keys},
	AccountId32, ChainClient, ChainError, Identity, Signer,
};
use repute_primitives::parameters::{PartsPerBillion, ReputationParameters};
use std::time::{Duration, Instant};

/// Reputation parameters for runs of minutes instead of days: an epoch every `epoch_length`
/// blocks, half-lives of `half_life` blocks (service, usage, and the stranger policy's memory),
/// a stranger allowance of `allowance` units (bytes), released to a newcomer at once
/// (`stranger_release` zero: set it to see a newcomer's allowance released over time), and
/// graduation after a tenth of it in witnessed service, the ratio of the chain's defaults
/// (10,000 against an allowance of at most 100,000).
pub fn fast_parameters(allowance: u128, epoch_length: u32, half_life: u32) -> ReputationParameters {
	ReputationParameters {
		service_half_life: half_life,
		usage_half_life: half_life,
		epoch_length,
		damping: PartsPerBillion::from_percent(50),
		max_iterations: 30,
		tolerance: PartsPerBillion(1_000),
		epoch_block_share: PartsPerBillion::from_percent(50),
		usage_allowance_percent: 100,
		graduation_service: allowance / 10,
		stranger_allowance_min: allowance,
		stranger_allowance_max: allowance,
		subjective_neighbours: 16,
		subjective_scale: 2 * allowance,
		stranger_memory: half_life,
		stranger_release: 0,
	}
}

/// Sets the reputation parameters and, unless `pretrusted` is empty, the pre-trusted peers as
/// root, through `sudo`, and checks the chain took both: `sudo` reports a refused call only in
/// an event, so a list the chain refuses (longer than `MaxPreTrusted`, a peer named twice or not
/// registered) is an error here, not a run without founders.
pub async fn govern(
	chain: &ChainClient,
	sudo: &Signer,
	parameters: &ReputationParameters,
	pretrusted: &[AccountId32],
) -> Result<(), ChainError> {
	let wait = Duration::from_secs(60);
	let call = Call::sudo(Call::set_reputation_parameters(parameters));
	chain.submit_and_wait(&call, sudo, wait).await?;
	if !pretrusted.is_empty() {
		chain.submit_and_wait(&Call::sudo(Call::set_pretrusted(pretrusted)), sudo, wait).await?;
	}
	if chain.reputation_parameters().await? != *parameters {
		return Err(ChainError::Transaction("sudo did not set the parameters".into()));
	}
	if !pretrusted.is_empty() && chain.pre_trusted().await? != pretrusted {
		return Err(ChainError::Transaction(format!(
			"the chain refused the {} pre-trusted peers (more than it allows, one named twice, \
			 or one not a registered peer in good standing)",
			pretrusted.len()
		)));
	}
	Ok(())
}

/// Sends `amount` from `funder` to each account (one transaction each, consecutive nonces),
/// and waits until every account has it.
pub async fn fund(
	chain: &ChainClient,
	funder: &Signer,
	accounts: &[AccountId32],
	amount: u128,
) -> Result<(), ChainError> {
	let info = chain.chain_info().await?;
	let mut nonce = chain.next_nonce(&funder.account()).await?;
	for account in accounts {
		chain.submit_with(&Call::transfer(account, amount), funder, nonce, &info).await?;
		nonce += 1;
	}
	wait_for(chain, accounts, keys::system_account, |value| {
		value.and_then(|bytes| keys::free_balance(bytes)).is_some_and(|free| free >= amount)
	})
	.await
}

/// Registers every identity (each pays its own bond) and waits until all are peers.
pub async fn register(chain: &ChainClient, identities: &[Identity]) -> Result<(), ChainError> {
	let signers: Vec<Signer> = identities.iter().map(Identity::signer).collect();
	register_signers(chain, &signers).await
}

/// Registers the account of every key, ed25519 or sr25519 (each pays its own bond), and waits
/// until all are peers.
pub async fn register_signers(chain: &ChainClient, signers: &[Signer]) -> Result<(), ChainError> {
	let info = chain.chain_info().await?;
	for signer in signers {
		let nonce = chain.next_nonce(&signer.account()).await?;
		chain.submit_with(&Call::register(), signer, nonce, &info).await?;
	}
	let accounts: Vec<_> = signers.iter().map(Signer::account).collect();
	wait_for(chain, &accounts, keys::peer, |value| value.is_some()).await
}

/// Polls the storage of `key(account)` for every account until `done` holds for all (at most
/// three minutes).
async fn wait_for(
	chain: &ChainClient,
	accounts: &[AccountId32],
	key: fn(&AccountId32) -> Vec<u8>,
	done: impl Fn(Option<&Vec<u8>>) -> bool,
) -> Result<(), ChainError> {
	let deadline = Instant::now() + Duration::from_secs(180);
	let mut waiting: Vec<AccountId32> = accounts.to_vec();
	while !waiting.is_empty() {
		if Instant::now() > deadline {
			return Err(ChainError::Transaction(format!(
				"{} of {} accounts not ready in time",
				waiting.len(),
				accounts.len()
			)));
		}
		tokio::time::sleep(Duration::from_secs(2)).await;
		let mut still = Vec::new();
		for chunk in waiting.chunks(256) {
			let keys: Vec<_> = chunk.iter().map(key).collect();
			for (account, value) in chunk.iter().zip(chain.storage(&keys).await?) {
				if !done(value.as_ref()) {
					still.push(account.clone());
				}
			}
		}
		waiting = still;
	}
	Ok(())
}
