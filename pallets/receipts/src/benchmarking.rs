//! Benchmarks of the receipts pallet (FRAME benchmarks v2). `scripts/benchmark-pallets.sh` runs
//! them and writes `weights.rs`.

use super::*;
use crate::Pallet as Receipts;
use alloc::{boxed::Box, vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get, UnixTime,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use repute_primitives::{parameters::PartsPerBillion, Receipt};
use sp_runtime::{
	traits::{Verify, Zero},
	Saturating,
};

/// The scheme the calls that check signatures are benchmarked with: the others are charged
/// what their check costs more ([`Pallet::signature_surcharge`]), from the `verify_*`
/// benchmarks below.
const BASE_SCHEME: SignatureScheme = SignatureScheme::Ed25519;

/// An account with enough funds for a bond and fees, registered as a peer if `register`.
fn funded_signer<T: Config>(index: u32, register: bool) -> T::AccountId {
	let who = T::BenchmarkHelper::create_signer(index, BASE_SCHEME);
	let bond = Parameters::<T>::get().peer_bond;
	let funds = bond.saturating_mul(100u32.into()).saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, funds);
	if register {
		Receipts::<T>::register(RawOrigin::Signed(who.clone()).into())
			.expect("a funded account registers");
	}
	who
}

/// Both parties' signatures over a receipt.
fn cosigned<T: Config>(receipt: ReceiptOf<T>) -> SignedReceiptOf<T> {
	let (provider, consumer) = (receipt.provider.clone(), receipt.consumer.clone());
	receipt.cosign(
		|payload| T::BenchmarkHelper::sign(&provider, payload),
		|payload| T::BenchmarkHelper::sign(&consumer, payload),
	)
}

fn receipt_of<T: Config>(
	provider: &T::AccountId,
	consumer: &T::AccountId,
	sequence: u64,
	units: u128,
) -> ReceiptOf<T> {
	Receipt {
		genesis_hash: frame_system::Pallet::<T>::block_hash(
			frame_system::pallet_prelude::BlockNumberFor::<T>::zero(),
		),
		provider: provider.clone(),
		consumer: consumer.clone(),
		service: 0,
		sequence,
		cumulative_units: units,
		timestamp_ms: u64::try_from(T::Time::now().as_millis()).unwrap_or(u64::MAX),
	}
}

fn reason<T: Config>() -> ReasonOf<T> {
	BoundedVec::truncate_from(vec![b'x'; T::MaxReasonLength::get() as usize])
}

/// A signer of `scheme`, a receipt's signing payload and the signer's signature of it: what a
/// `verify_*` benchmark checks.
fn signed_payload<T: Config>(scheme: SignatureScheme) -> (T::AccountId, Vec<u8>, T::Signature) {
	let signer = T::BenchmarkHelper::create_signer(0, scheme);
	let payload = receipt_of::<T>(&signer, &signer, 1, 1_000).signing_payload();
	let signature = T::BenchmarkHelper::sign(&signer, &payload);
	assert_eq!(signature.scheme(), scheme, "the helper signs with the signer's scheme");
	(signer, payload, signature)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		let who = funded_signer::<T>(0, false);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Peers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn unregister() {
		let who = funded_signer::<T>(0, true);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(matches!(
			Peers::<T>::get(&who).map(|p| p.status),
			Some(PeerStatus::Unbonding { .. })
		));
	}

	#[benchmark]
	fn withdraw_bond() {
		let who = funded_signer::<T>(0, true);
		Receipts::<T>::unregister(RawOrigin::Signed(who.clone()).into()).expect("peer unregisters");
		let period = Parameters::<T>::get().unbonding_period;
		let now = frame_system::Pallet::<T>::block_number();
		frame_system::Pallet::<T>::set_block_number(now.saturating_add(period));
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!Peers::<T>::contains_key(&who));
	}

	/// The worst case per receipt: distinct pairs, each new (so the reverse index is written
	/// too), between peers whose totals are all different storage items (no receipt of the
	/// batch finds another's writes in the overlay). This weighs the pallet alone: the call adds
	/// `Config::OnReceiptRecorded`'s own weight per receipt, so a runtime benchmarks this with
	/// that listener left out (Repute's runtime does, in its `runtime-benchmarks` build).
	#[benchmark]
	fn submit_receipts(n: Linear<1, { T::MaxReceiptsPerBatch::get() }>) {
		let pairs: Vec<(T::AccountId, T::AccountId)> = (0..n)
			.map(|i| (funded_signer::<T>(2 * i, true), funded_signer::<T>(2 * i + 1, true)))
			.collect();
		let receipts: Vec<SignedReceiptOf<T>> = pairs
			.iter()
			.map(|(provider, consumer)| {
				cosigned::<T>(receipt_of::<T>(provider, consumer, 1, 1_000))
			})
			.collect();
		let relayer = funded_signer::<T>(u32::MAX, false);
		#[extrinsic_call]
		_(RawOrigin::Signed(relayer), receipts);
		for (provider, _) in &pairs {
			assert_eq!(Totals::<T>::get(provider, 0).units_served, 1_000);
		}
	}

	/// One ed25519 signature check of a receipt's payload, as `submit_receipts` and
	/// `report_equivocation` make it (they are benchmarked with ed25519 signatures).
	#[benchmark]
	fn verify_ed25519() {
		let (signer, payload, signature) = signed_payload::<T>(SignatureScheme::Ed25519);
		let valid;
		#[block]
		{
			valid = signature.verify(&payload[..], &signer);
		}
		assert!(valid);
	}

	/// One sr25519 signature check of a receipt's payload.
	#[benchmark]
	fn verify_sr25519() {
		let (signer, payload, signature) = signed_payload::<T>(SignatureScheme::Sr25519);
		let valid;
		#[block]
		{
			valid = signature.verify(&payload[..], &signer);
		}
		assert!(valid);
	}

	/// One ECDSA signature check of a receipt's payload (the key recovered, then hashed).
	#[benchmark]
	fn verify_ecdsa() {
		let (signer, payload, signature) = signed_payload::<T>(SignatureScheme::Ecdsa);
		let valid;
		#[block]
		{
			valid = signature.verify(&payload[..], &signer);
		}
		assert!(valid);
	}

	/// One Ethereum-style ECDSA signature check of a receipt's payload (keccak hashes).
	#[benchmark]
	fn verify_eth() {
		let (signer, payload, signature) = signed_payload::<T>(SignatureScheme::Eth);
		let valid;
		#[block]
		{
			valid = signature.verify(&payload[..], &signer);
		}
		assert!(valid);
	}

	#[benchmark]
	fn report_equivocation() {
		let provider = funded_signer::<T>(0, true);
		let consumer = funded_signer::<T>(1, true);
		let reporter = funded_signer::<T>(2, false);
		let first = cosigned::<T>(receipt_of::<T>(&provider, &consumer, 5, 100));
		let second = cosigned::<T>(receipt_of::<T>(&provider, &consumer, 5, 90));
		#[extrinsic_call]
		_(RawOrigin::Signed(reporter), Box::new(first), Box::new(second));
		assert_eq!(Offences::<T>::iter().count(), 1);
		assert!(!Peers::<T>::get(&provider).map(|p| p.may_transact()).unwrap_or(true));
	}

	#[benchmark]
	fn sanction() -> Result<(), BenchmarkError> {
		let peer = funded_signer::<T>(0, true);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			peer.clone(),
			PartsPerBillion::from_percent(50),
			reason::<T>(),
		);
		assert!(!Peers::<T>::get(&peer).map(|p| p.may_transact()).unwrap_or(true));
		Ok(())
	}

	#[benchmark]
	fn set_parameters() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let mut new = Parameters::<T>::get();
		new.max_receipt_age_ms = new.max_receipt_age_ms.saturating_add(1);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new.clone());
		assert_eq!(Parameters::<T>::get(), new);
		Ok(())
	}

	impl_benchmark_test_suite!(Receipts, crate::mock::new_test_ext(), crate::mock::Test);
}
