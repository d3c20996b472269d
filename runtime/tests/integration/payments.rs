//! Payment channels as configured in the Repute runtime: a receipt recorded through the runtime
//! pays both reputation's listener and the channel, with the runtime's listeners, hold reasons and
//! encodings.

use crate::common::with_genesis_of;
use codec::Encode;
use frame_support::{assert_ok, traits::fungible::Inspect};
use pallet_receipts::{OnReceiptRecorded, SignedReceiptOf};
use repute_primitives::Receipt;
use repute_runtime::{AccountId, Balances, Runtime, RuntimeCall, RuntimeOrigin, System, UNIT};
use sp_genesis_builder::DEV_RUNTIME_PRESET;
use sp_keyring::Sr25519Keyring;
use sp_runtime::MultiSignature;

const NOW_MS: u64 = 1_764_000_000_000;

/// A receipt of `units` in all from Alice (provider) to Bob (consumer), signed by both.
fn receipt(sequence: u64, units: u128) -> SignedReceiptOf<Runtime> {
	let (provider, consumer) = (Sr25519Keyring::Alice, Sr25519Keyring::Bob);
	Receipt {
		genesis_hash: System::block_hash(0),
		provider: provider.to_account_id(),
		consumer: consumer.to_account_id(),
		service: 0,
		sequence,
		cumulative_units: units,
		timestamp_ms: NOW_MS,
	}
	.cosign(
		|payload| MultiSignature::from(provider.sign(payload)),
		|payload| MultiSignature::from(consumer.sign(payload)),
	)
}

/// Alice (the provider of [`receipt`]) and Bob (its consumer), registered as peers.
fn registered_alice_and_bob() -> (AccountId, AccountId) {
	let (alice, bob) = (Sr25519Keyring::Alice.to_account_id(), Sr25519Keyring::Bob.to_account_id());
	for who in [&alice, &bob] {
		if pallet_receipts::Peers::<Runtime>::get(who).is_none() {
			assert_ok!(pallet_receipts::Pallet::<Runtime>::register(RuntimeOrigin::signed(
				who.clone()
			)));
		}
	}
	(alice, bob)
}

#[test]
fn a_submitted_receipt_records_history_and_pays_the_channel() {
	with_genesis_of(DEV_RUNTIME_PRESET, || {
		System::set_block_number(1);
		pallet_timestamp::Now::<Runtime>::put(NOW_MS);
		let (alice, bob) = registered_alice_and_bob();
		// Bob pays Alice a millionth of a unit per unit of service, up to 10 units.
		let price = UNIT / 1_000_000;
		assert_ok!(pallet_payments::Pallet::<Runtime>::open_channel(
			RuntimeOrigin::signed(bob.clone()),
			alice.clone(),
			0,
			price,
			10 * UNIT,
		));
		let alice_before = Balances::balance(&alice);
		assert_ok!(pallet_receipts::Pallet::<Runtime>::submit_receipts(
			RuntimeOrigin::signed(Sr25519Keyring::Charlie.to_account_id()),
			vec![receipt(1, 4_096)],
		));
		assert_eq!(Balances::balance(&alice), alice_before + 4_096 * price);
		assert_eq!(pallet_receipts::Totals::<Runtime>::get(&alice, 0).units_served, 4_096);
		let channel = pallet_payments::Pallet::<Runtime>::channel(&bob, &alice, 0).unwrap();
		assert_eq!((channel.units_paid, channel.escrow), (4_096, 10 * UNIT - 4_096 * price));
	});
}

/// The dev chain prices bytes from genesis, at the floor; a period's load above the target
/// raises the price at the next period's start, and from then on each unit paid burns the toll.
#[test]
fn bytes_are_priced_from_genesis_and_the_toll_is_burnt_above_the_floor() {
	use frame_support::traits::Hooks;
	use repute_primitives::pricing::{PriceBounds, ServicePrice};
	with_genesis_of(DEV_RUNTIME_PRESET, || {
		System::set_block_number(1);
		pallet_timestamp::Now::<Runtime>::put(NOW_MS);
		assert_eq!(
			pallet_payments::Pallet::<Runtime>::prices(),
			vec![(
				0,
				ServicePrice::at_floor(
					repute_runtime::genesis_config_presets::dev_byte_price_bounds()
				)
			)]
		);
		let (alice, bob) = registered_alice_and_bob();
		let bounds = PriceBounds { floor: 1_000, ceiling: UNIT, target_units: 10 };
		assert_ok!(pallet_payments::Pallet::<Runtime>::set_price_bounds(
			RuntimeOrigin::root(),
			0,
			Some(bounds)
		));
		assert_ok!(pallet_payments::Pallet::<Runtime>::open_channel(
			RuntimeOrigin::signed(bob.clone()),
			alice.clone(),
			0,
			10_000,
			UNIT,
		));
		let relay = RuntimeOrigin::signed(Sr25519Keyring::Charlie.to_account_id());
		assert_ok!(pallet_receipts::Pallet::<Runtime>::submit_receipts(
			relay.clone(),
			vec![receipt(1, 20)]
		));
		let period = pallet_payments::Parameters::<Runtime>::get().price_period;
		System::set_block_number(period);
		pallet_payments::Pallet::<Runtime>::on_initialize(period);
		// Twice the target: up an eighth, from 1,000 to 1,125.
		assert_eq!(pallet_payments::Prices::<Runtime>::get(0).unwrap().price, 1_125);
		let (issuance, alice_before) = (Balances::total_issuance(), Balances::balance(&alice));
		assert_ok!(pallet_receipts::Pallet::<Runtime>::submit_receipts(
			relay,
			vec![receipt(2, 60)]
		));
		assert_eq!(Balances::total_issuance(), issuance - 40 * 125, "the toll on 40 units");
		assert_eq!(Balances::balance(&alice), alice_before + 40 * (10_000 - 125));
	});
}

#[test]
fn every_receipt_is_charged_both_listeners() {
	let listeners =
		<<Runtime as pallet_receipts::Config>::OnReceiptRecorded as OnReceiptRecorded<_, _>>::weight();
	let reputation = <pallet_reputation::Pallet<Runtime> as OnReceiptRecorded<_, _>>::weight();
	let payments = <pallet_payments::Pallet<Runtime> as OnReceiptRecorded<_, _>>::weight();
	assert_eq!(listeners, reputation.saturating_add(payments));
	assert!(payments.all_gte(pallet_payments::Pallet::<Runtime>::unpaid_receipt_weight()));
}

/// The encodings docs/payments.md gives client authors: the pallet at index 12, its calls by
/// index, its errors as `Module { index: 12, error: [variant, 0, 0, 0] }`.
#[test]
fn calls_and_errors_encode_as_documented() {
	let alice = Sr25519Keyring::Alice.to_account_id();
	let calls: [(RuntimeCall, u8); 6] = [
		(
			pallet_payments::Call::open_channel {
				provider: alice.clone(),
				service: 0,
				price: 1,
				escrow: UNIT,
			}
			.into(),
			0,
		),
		(
			pallet_payments::Call::top_up { provider: alice.clone(), service: 0, amount: 1 }.into(),
			1,
		),
		(pallet_payments::Call::close_channel { provider: alice.clone(), service: 0 }.into(), 2),
		(
			pallet_payments::Call::settle_channel {
				consumer: alice.clone(),
				provider: alice.clone(),
				service: 0,
			}
			.into(),
			3,
		),
		(
			pallet_payments::Call::set_parameters {
				parameters: repute_primitives::payments::PaymentParameters {
					minimum_escrow: UNIT,
					challenge_period: 7_200,
					price_period: 600,
				},
			}
			.into(),
			4,
		),
		(
			pallet_payments::Call::set_price_bounds {
				service: 0,
				bounds: Some(repute_primitives::pricing::PriceBounds {
					floor: 1,
					ceiling: 2,
					target_units: 3,
				}),
			}
			.into(),
			5,
		),
	];
	for (call, index) in calls {
		assert_eq!(call.encode()[..2], [12, index]);
	}
	// set_price_bounds: service (u32), then an Option: 1 and floor, ceiling (u128) and target (u128).
	let bounds: RuntimeCall = pallet_payments::Call::set_price_bounds {
		service: 2,
		bounds: Some(repute_primitives::pricing::PriceBounds {
			floor: 1,
			ceiling: 2,
			target_units: 3,
		}),
	}
	.into();
	let mut expected = vec![12, 5];
	expected.extend_from_slice(&2u32.to_le_bytes());
	expected.push(1);
	for value in [1u128, 2, 3] {
		expected.extend_from_slice(&value.to_le_bytes());
	}
	assert_eq!(bounds.encode(), expected);
	let unpriced: RuntimeCall =
		pallet_payments::Call::set_price_bounds { service: 2, bounds: None }.into();
	assert_eq!(unpriced.encode(), [12, 5, 2, 0, 0, 0, 0]);
	// open_channel: provider (32 bytes), service (u32), price and escrow (u128), all fixed width.
	let open: RuntimeCall = pallet_payments::Call::open_channel {
		provider: alice.clone(),
		service: 3,
		price: 5,
		escrow: 7,
	}
	.into();
	let mut expected = vec![12, 0];
	expected.extend_from_slice(alice.as_ref());
	expected.extend_from_slice(&3u32.to_le_bytes());
	expected.extend_from_slice(&5u128.to_le_bytes());
	expected.extend_from_slice(&7u128.to_le_bytes());
	assert_eq!(open.encode(), expected);

	let module =
		|error: pallet_payments::Error<Runtime>| match sp_runtime::DispatchError::from(error) {
			sp_runtime::DispatchError::Module(module) => (module.index, module.error),
			other => panic!("{other:?}"),
		};
	use pallet_payments::Error::*;
	for (error, variant) in [
		(ChannelExists, 0u8),
		(NoChannel, 1),
		(SelfChannel, 2),
		(UnknownService, 3),
		(ZeroPrice, 4),
		(EscrowBelowMinimum, 5),
		(ZeroAmount, 6),
		(InsufficientBalance, 7),
		(ChannelClosing, 8),
		(ChannelOpen, 9),
		(ChallengePeriodNotOver, 10),
		(InvalidParameters, 11),
		(InvalidPriceBounds, 12),
	] {
		assert_eq!(module(error), (12, [variant, 0, 0, 0]));
	}
}
