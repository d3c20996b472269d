//! The runtime APIs: what the node and clients may ask the runtime, at any block.
//!
//! Besides the standard ones (core, metadata, block building, transaction pool, consensus,
//! session keys, nonce, fees, genesis presets, benchmarks), the Repute APIs for reputation and
//! admission queries are implemented here as their pallets land.

use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	weights::Weight,
};
use pallet_grandpa::AuthorityId as GrandpaId;
use sp_api::impl_runtime_apis;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult, ExtrinsicInclusionMode,
};
use sp_session::OpaqueGeneratedSessionKeys;
use sp_version::RuntimeVersion;

use repute_runtime_api::{
	Admission, GlobalTrust, Partner, PartnerDirection, PeerReport, ReceiptParameters,
	ReputationParameters, SubjectiveTrust,
};

use super::opaque::SessionKeys;

use super::{
	AccountId, Aura, Balance, Block, BlockNumber, Executive, Grandpa, InherentDataExt, Nonce,
	Receipts, Reputation, Runtime, RuntimeCall, RuntimeGenesisConfig, System, TransactionPayment,
	VERSION,
};

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(owner: Vec<u8>, seed: Option<Vec<u8>>) -> OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		// There is no session pallet, so there are no key-ownership proofs to check a GRANDPA
		// equivocation report against; such reports are not accepted on chain.
		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			_key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			_authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			None
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	#[api_version(3)]
	impl repute_runtime_api::ReputationApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn peer_report(peer: AccountId) -> Option<PeerReport<Balance, BlockNumber>> {
			let record = Reputation::reputation_of(&peer)?;
			let (status, bond) = Receipts::bond_status(&peer);
			let totals = Receipts::totals_of(&peer);
			Some(PeerReport {
				status,
				bond,
				units_served: totals.units_served,
				units_consumed: totals.units_consumed,
				receipts: totals.receipts,
				service_reputation: record.service,
				usage_reputation: record.usage,
				stranger_allowance: Reputation::stranger_allowance_of(&peer),
				admission_credit: Reputation::admission_credit_of(&peer),
				global_trust: Reputation::global_trust_of(&peer).map(|(trust, epoch)| GlobalTrust {
					parts_per_quintillion: trust.into_inner(),
					epoch,
				}),
				admission: Reputation::admission_for(&peer, None),
			})
		}

		fn peer_report_keys(peer: AccountId) -> Vec<Vec<u8>> {
			let mut keys = Receipts::report_keys(&peer);
			keys.extend(Reputation::report_keys(&peer));
			keys
		}

		fn admission(peer: AccountId, viewer: Option<AccountId>) -> Admission {
			Reputation::admission_for(&peer, viewer.as_ref())
		}

		fn admissions(peers: Vec<AccountId>, viewer: Option<AccountId>) -> Vec<Admission> {
			Reputation::admissions_for(&peers, viewer.as_ref())
		}

		fn subjective_trust(viewer: AccountId, target: AccountId) -> SubjectiveTrust {
			Reputation::subjective_trust(&viewer, &target)
		}

		fn partners(
			peer: AccountId,
			direction: PartnerDirection,
			start: u32,
			limit: u32,
		) -> Vec<Partner<AccountId, BlockNumber>> {
			Receipts::partners(&peer, direction, start, limit)
		}

		fn top_peers(start: u32, limit: u32) -> (u32, Vec<(AccountId, GlobalTrust)>) {
			let (epoch, peers) = Reputation::top_peers(start, limit);
			let peers = peers
				.into_iter()
				.map(|(peer, trust)| {
					(peer, GlobalTrust { parts_per_quintillion: trust.into_inner(), epoch })
				})
				.collect();
			(epoch, peers)
		}

		fn parameters() -> (ReceiptParameters<Balance, BlockNumber>, ReputationParameters) {
			(
				pallet_receipts::Parameters::<Runtime>::get(),
				pallet_reputation::Parameters::<Runtime>::get(),
			)
		}

		fn registration_ages(peers: Vec<AccountId>) -> Vec<Option<BlockNumber>> {
			peers.iter().map(Reputation::registration_age).collect()
		}

		fn witnessed_services(peers: Vec<AccountId>) -> Vec<Option<u128>> {
			peers
				.iter()
				.map(|peer| Reputation::reputation_of(peer).map(|record| record.witnessed_service))
				.collect()
		}
	}

	#[api_version(2)]
	impl repute_runtime_api::PaymentsApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn channel(
			consumer: AccountId,
			provider: AccountId,
			service: u32,
		) -> Option<repute_runtime_api::Channel<Balance, BlockNumber>> {
			pallet_payments::Pallet::<Runtime>::channel(&consumer, &provider, service)
		}

		fn parameters() -> repute_runtime_api::PaymentParameters<Balance, BlockNumber> {
			pallet_payments::Parameters::<Runtime>::get()
		}

		fn prices() -> Vec<(u32, repute_runtime_api::ServicePrice<Balance>)> {
			pallet_payments::Pallet::<Runtime>::prices()
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}
		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}
		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, crate::genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			crate::genesis_config_presets::preset_names()
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			use frame_benchmarking::BenchmarkList;
			use frame_support::traits::StorageInfoTrait;
			use frame_system_benchmarking::Pallet as SystemBench;
			use frame_system_benchmarking::extensions::Pallet as SystemExtensionsBench;
			use frame_benchmarking::baseline::Pallet as BaselineBench;
			use super::*;

			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);

			let storage_info = AllPalletsWithSystem::storage_info();
			(list, storage_info)
		}

		#[allow(non_local_definitions)]
		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_benchmarking::{baseline, BenchmarkBatch};
			use frame_support::traits::WhitelistedStorageKeys;
			use frame_system_benchmarking::Pallet as SystemBench;
			use frame_system_benchmarking::extensions::Pallet as SystemExtensionsBench;
			use frame_benchmarking::baseline::Pallet as BaselineBench;
			use sp_storage::TrackedStorageKey;
			use super::*;

			impl frame_system_benchmarking::Config for Runtime {}
			impl baseline::Config for Runtime {}

			let whitelist: Vec<TrackedStorageKey> = AllPalletsWithSystem::whitelisted_storage_keys();

			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);

			Ok(batches)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			let weight = Executive::try_runtime_upgrade(checks).unwrap();
			(weight, super::configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.expect("execute-block failed")
		}
	}
}
