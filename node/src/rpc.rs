//! The node's RPC extension: the RPCs that Repute adds to the standard Substrate ones
//! (`system_*`, `chain_*`, `state_*`, `author_*`, which `sc-service` provides itself).
//!
//! `system_accountNextIndex`, `payment_*`, and Repute's `repute_*` reputation queries and
//! admission subscription (from the `repute-rpc` crate, documented in `docs/rpc.md`). All are
//! thin adapters: they parse input, call a runtime API at a block and map errors; the logic
//! lives in the runtime.

use std::sync::Arc;

use jsonrpsee::RpcModule;
use repute_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Nonce};
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// What the RPC extension needs from the node.
pub struct FullDeps<C, P> {
	/// The client, to call runtime APIs at a block.
	pub client: Arc<C>,
	/// The transaction pool, for nonces that count pending transactions.
	pub pool: Arc<P>,
	/// Runs subscription tasks.
	pub executor: Arc<dyn sp_core::traits::SpawnNamed>,
}

/// Builds the RPC extension of a full node.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ sc_client_api::BlockchainEvents<Block>
		+ sc_client_api::ProofProvider<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: repute_runtime_api::ReputationApi<Block, AccountId, Balance, BlockNumber>,
	C::Api: repute_runtime_api::PaymentsApi<Block, AccountId, Balance, BlockNumber>,
	P: TransactionPool + 'static,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use repute_rpc::Repute;
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool, executor } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(Repute::new(client, executor).into_rpc()?)?;

	Ok(module)
}
