//! Tests of congestion pricing: governance's bounds, the toll every paid unit burns, the load it
//! counts, the price's move once a period, and what colluders who fake load pay for it.

use super::*;
use crate::{Prices, ServicePriceOf};
use frame_support::traits::Hooks;
use repute_primitives::pricing::{PriceBounds, ServicePrice};

const BOUNDS: PriceBounds<Balance> = PriceBounds { floor: 8, ceiling: 1_000, target_units: 100 };

fn price_service_0() {
	assert_ok!(Payments::set_price_bounds(RuntimeOrigin::root(), 0, Some(BOUNDS)));
}

fn priced(service: u32) -> ServicePriceOf<Test> {
	Prices::<Test>::get(service).expect("the service is priced")
}

/// Sets service 0's reference price (as periods of load would).
fn set_reference_price(price: Balance) {
	Prices::<Test>::mutate(0, |priced| priced.as_mut().expect("priced").price = price);
}

/// Starts block `n`, running the pallet's `on_initialize`.
fn start_block(n: u64) -> frame_support::weights::Weight {
	System::set_block_number(n);
	Payments::on_initialize(n)
}

#[test]
fn governance_prices_a_service_within_valid_bounds() {
	run(|| {
		assert_noop!(
			Payments::set_price_bounds(RuntimeOrigin::signed(account(0)), 0, Some(BOUNDS)),
			BadOrigin
		);
		assert_noop!(
			Payments::set_price_bounds(RuntimeOrigin::root(), 8, Some(BOUNDS)),
			Error::<Test>::UnknownService
		);
		assert_noop!(
			Payments::set_price_bounds(RuntimeOrigin::root(), 8, None),
			Error::<Test>::UnknownService
		);
		for invalid in [
			PriceBounds { floor: 0, ..BOUNDS },
			PriceBounds { ceiling: 7, ..BOUNDS },
			PriceBounds { target_units: 0, ..BOUNDS },
		] {
			assert_noop!(
				Payments::set_price_bounds(RuntimeOrigin::root(), 0, Some(invalid)),
				Error::<Test>::InvalidPriceBounds
			);
		}
		price_service_0();
		assert_eq!(priced(0), ServicePrice::at_floor(BOUNDS));
		assert_eq!(priced(0).price, 8);
		assert_eq!(
			last_event(),
			RuntimeEvent::Payments(Event::PriceBoundsSet {
				service: 0,
				bounds: Some(BOUNDS),
				price: Some(8),
			})
		);
		// New bounds keep the price, moved within them, and the period's load.
		set_reference_price(500);
		Prices::<Test>::mutate(0, |priced| priced.as_mut().expect("priced").load = 42);
		let lower = PriceBounds { ceiling: 300, ..BOUNDS };
		assert_ok!(Payments::set_price_bounds(RuntimeOrigin::root(), 0, Some(lower.clone())));
		assert_eq!((priced(0).bounds, priced(0).price, priced(0).load), (lower, 300, 42));
		assert_ok!(Payments::set_price_bounds(RuntimeOrigin::root(), 0, None));
		assert!(Prices::<Test>::get(0).is_none());
		assert_eq!(
			last_event(),
			RuntimeEvent::Payments(Event::PriceBoundsSet { service: 0, bounds: None, price: None })
		);
	});
}

#[test]
fn at_its_floor_a_service_takes_no_toll_and_counts_its_load() {
	run(|| {
		price_service_0();
		open(1, 0, 10, 1_000);
		let (provider_before, issuance) = (free(0), Balances::total_issuance());
		submit(vec![receipt(0, 1, 0, 1, 50)]);
		assert_eq!(free(0), provider_before + 500);
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(priced(0).load, 50);
	});
}

#[test]
fn above_its_floor_the_toll_is_burnt_and_the_provider_is_paid_the_rest() {
	run(|| {
		price_service_0();
		set_reference_price(10);
		open(1, 0, 12, 1_000);
		let (provider_before, issuance) = (free(0), Balances::total_issuance());
		submit(vec![receipt(0, 1, 0, 1, 50)]);
		// 50 units at 12 leave the escrow (600); the toll is 10 − 8 = 2 a unit (100), burnt.
		assert_eq!(free(0), provider_before + 500);
		assert_eq!(Balances::total_issuance(), issuance - 100);
		assert_eq!(priced(0).tolls, 100);
		assert_eq!(held(1), 400);
		let channel = channel(1, 0);
		assert_eq!(
			(channel.paid, channel.units_paid),
			(600, 50),
			"the consumer paid units × price"
		);
		assert_eq!(priced(0).load, 50);
		assert_eq!(
			payment_events(),
			vec![Event::ChannelPaid {
				consumer: account(1),
				provider: account(0),
				service: 0,
				units: 50,
				amount: 600,
				toll: 100,
				units_unpaid: 0,
			}]
		);
	});
}

#[test]
fn a_channel_below_the_reference_price_pays_its_toll_but_counts_no_load() {
	run(|| {
		price_service_0();
		set_reference_price(20);
		open(1, 0, 11, 1_000);
		let (provider_before, issuance) = (free(0), Balances::total_issuance());
		submit(vec![receipt(0, 1, 0, 1, 50)]);
		// The toll is the channel's own price above the floor: 3 a unit; the provider keeps 8.
		assert_eq!(free(0), provider_before + 400);
		assert_eq!(Balances::total_issuance(), issuance - 150);
		assert_eq!(priced(0).load, 0, "units paid below the reference price are not load");
	});
}

#[test]
fn top_ups_that_pay_unpaid_units_take_the_toll_and_count_the_load() {
	run(|| {
		price_service_0();
		set_reference_price(10);
		open(1, 0, 10, 100);
		submit(vec![receipt(0, 1, 0, 1, 30)]);
		assert_eq!((channel(1, 0).units_paid, channel(1, 0).units_unpaid), (10, 20));
		assert_eq!(priced(0).load, 10);
		let issuance = Balances::total_issuance();
		assert_ok!(Payments::top_up(RuntimeOrigin::signed(account(1)), account(0), 0, 500));
		assert_eq!(Balances::total_issuance(), issuance - 40, "20 units at a toll of 2");
		assert_eq!(priced(0).load, 30);
	});
}

#[test]
fn receipts_without_a_channel_and_unpriced_services_move_no_price() {
	run(|| {
		price_service_0();
		submit(vec![receipt(0, 1, 0, 1, 1_000_000)]);
		assert_eq!(priced(0).load, 0);
		// Service 1 is not priced: its channels pay in full and count nothing.
		assert_ok!(Payments::open_channel(
			RuntimeOrigin::signed(account(1)),
			account(0),
			1,
			10,
			1_000
		));
		let provider_before = free(0);
		submit(vec![receipt(0, 1, 1, 1, 50)]);
		assert_eq!(free(0), provider_before + 500);
		assert!(Prices::<Test>::get(1).is_none());
	});
}

#[test]
fn the_reference_price_moves_once_a_period_after_its_load() {
	use crate::WeightInfo;
	run(|| {
		price_service_0();
		let mut parameters = Parameters::<Test>::get();
		parameters.price_period = 10;
		assert_ok!(Payments::set_parameters(RuntimeOrigin::root(), parameters));
		open(1, 0, 50, 400_000);
		submit(vec![receipt(0, 1, 0, 1, 200)]);
		let db = <Test as frame_system::Config>::DbWeight::get();
		assert_eq!(
			start_block(9),
			db.reads(1).saturating_add(Payments::price_items_weight()),
			"not a period's start: the parameters, and the block's price items"
		);
		assert_eq!(priced(0).price, 8);
		assert_eq!(
			start_block(10),
			<() as WeightInfo>::advance_prices(1).saturating_add(Payments::price_items_weight())
		);
		// Twice the target: up an eighth.
		assert_eq!((priced(0).price, priced(0).load, priced(0).previous_load), (9, 0, 200));
		assert_eq!(
			last_event(),
			RuntimeEvent::Payments(Event::ReferencePriceUpdated {
				service: 0,
				load: 200,
				price: 9
			})
		);
		// No load: back down, to the floor and no further.
		start_block(20);
		assert_eq!(priced(0).price, 8);
		start_block(30);
		assert_eq!(priced(0).price, 8);
		// Sustained load, but paid at 50 a unit: the price rises to what the payers pay, and
		// no further, because units paid below it are not load.
		let (mut cumulative, mut highest) = (200, 0);
		for period in 4..40u64 {
			cumulative += 200;
			submit(vec![receipt(0, 1, 0, period, cumulative)]);
			let before = priced(0).price;
			start_block(period * 10);
			let after = priced(0).price;
			assert!(after.abs_diff(before) <= before / 8 + 1, "{before} -> {after}");
			highest = highest.max(after);
		}
		assert!((50..=57).contains(&highest), "{highest}");
		assert!((43..=57).contains(&priced(0).price), "{}", priced(0).price);
		// Payers who pay up to the ceiling take it to the ceiling, and no further.
		let bounds = PriceBounds { ceiling: 100, ..BOUNDS };
		assert_ok!(Payments::set_price_bounds(RuntimeOrigin::root(), 0, Some(bounds)));
		open(2, 0, 100, 600_000);
		let mut cumulative = 0;
		for period in 40..70u64 {
			cumulative += 200;
			submit(vec![receipt(0, 2, 0, period, cumulative)]);
			let before = priced(0).price;
			start_block(period * 10);
			let after = priced(0).price;
			assert!(after > before || after == 100, "{before} -> {after}");
		}
		assert_eq!(priced(0).price, 100);
	});
}

#[test]
fn a_block_is_charged_a_read_per_service_and_a_write_per_priced_one_however_many_receipts_pay() {
	use crate::WeightInfo;
	run(|| {
		let db = <Test as frame_system::Config>::DbWeight::get();
		// The mock's 8 services and the counter are read; nothing is priced, nothing written.
		assert_eq!(Payments::price_items_weight(), db.reads(9));
		for service in 0..3 {
			assert_ok!(Payments::set_price_bounds(RuntimeOrigin::root(), service, Some(BOUNDS)));
		}
		assert_eq!(Payments::price_items_weight(), db.reads(9).saturating_add(db.writes(3)));
		let period = Parameters::<Test>::get().price_period;
		assert_eq!(start_block(period + 1), db.reads(10).saturating_add(db.writes(3)));
		assert_eq!(
			start_block(2 * period),
			<() as WeightInfo>::advance_prices(3).saturating_add(Payments::price_items_weight())
		);
		assert_ok!(Payments::set_price_bounds(RuntimeOrigin::root(), 1, None));
		assert_eq!(Payments::price_items_weight(), db.reads(9).saturating_add(db.writes(2)));
		// However many receipts pay at a price, each is charged the benchmarked payment only:
		// the price item's database read and write are in the block's charge above.
		open(1, 0, 10, 400_000);
		open(2, 0, 10, 400_000);
		let paid = |consumer: u8, nonce: u128, units: u128| {
			<Payments as pallet_receipts::OnReceiptRecorded<_, _>>::on_receipt_recorded(
				&account(0),
				&account(consumer),
				0,
				units,
				units * nonce,
				System::block_number(),
			)
		};
		for nonce in 1..4 {
			assert_eq!(paid(1, nonce, 10), <() as WeightInfo>::pay_on_receipt());
			assert_eq!(paid(2, nonce, 10), <() as WeightInfo>::pay_on_receipt());
		}
		assert_eq!(priced(0).load, 60);
	});
}

mod properties {
	use super::*;
	use proptest::prelude::*;

	/// Which price a colluder opens a channel at, relative to the reference price then.
	#[derive(Clone, Copy, Debug)]
	enum Quote {
		Floor,
		BelowReference,
		Reference,
		Ceiling,
	}

	fn quote() -> impl Strategy<Value = Quote> {
		prop_oneof![
			Just(Quote::Floor),
			Just(Quote::BelowReference),
			Just(Quote::Reference),
			Just(Quote::Ceiling),
		]
	}

	/// A period of fake load: pairs of colluders (indices into the coalition), each paying the
	/// other for some units through a channel opened at some quote.
	fn period() -> impl Strategy<Value = Vec<(usize, usize, Quote, u128)>> {
		proptest::collection::vec((0usize..5, 0usize..5, quote(), 0u128..60), 0..8)
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(48))]

		/// A coalition of colluders fakes load among themselves, with channels at any price,
		/// period after period, to raise a service's reference price. Whatever they do: they
		/// lose exactly the tolls burnt (value moves only among them otherwise), the price moves
		/// by at most an eighth a period, and in every period that does not lower a price above
		/// the floor they burn at least `(price − floor) × target_units`: holding a congestion
		/// price costs its whole premium on a whole target's load.
		#[test]
		fn colluders_pay_the_toll_on_every_unit_of_load_that_holds_a_price(
			size in 2usize..=5,
			periods in proptest::collection::vec(period(), 1..14),
		) {
			new_test_ext().execute_with(|| {
				const SERVICE: u32 = 3;
				const PERIOD: u64 = 10;
				assert_ok!(Payments::set_price_bounds(RuntimeOrigin::root(), SERVICE, Some(BOUNDS)));
				let mut parameters = Parameters::<Test>::get();
				parameters.price_period = PERIOD;
				assert_ok!(Payments::set_parameters(RuntimeOrigin::root(), parameters));
				let coalition: Vec<u8> = (0..size as u8).collect();
				let wealth = || -> Balance {
					coalition.iter().map(|&i| Balances::total_balance(&account(i))).sum()
				};
				let (wealth_at_start, issuance_at_start) = (wealth(), Balances::total_issuance());
				let mut cumulative = std::collections::BTreeMap::<(u8, u8), (u128, u64)>::new();
				for (index, actions) in periods.into_iter().enumerate() {
					let before = Prices::<Test>::get(SERVICE).expect("priced").price;
					let issuance = Balances::total_issuance();
					for (consumer, provider, quote, units) in actions {
						let (consumer, provider) =
							(coalition[consumer % size], coalition[provider % size]);
						if consumer == provider || units == 0 {
							continue;
						}
						let reference = Prices::<Test>::get(SERVICE).expect("priced").price;
						let price = match quote {
							Quote::Floor => BOUNDS.floor,
							Quote::BelowReference => reference.saturating_sub(1).max(1),
							Quote::Reference => reference,
							Quote::Ceiling => BOUNDS.ceiling,
						};
						let (consumer_account, provider_account) = (account(consumer), account(provider));
						let channel = Payments::channel(&consumer_account, &provider_account, SERVICE);
						let due = units * channel.as_ref().map_or(price, |channel| channel.price);
						if Balances::balance(&consumer_account) < due.max(MINIMUM_ESCROW) + EXISTENTIAL_DEPOSIT {
							// The colluder cannot afford it: the coalition does without.
							continue;
						}
						let paid = match channel {
							None => Payments::open_channel(
								RuntimeOrigin::signed(consumer_account),
								provider_account,
								SERVICE,
								price,
								due.max(MINIMUM_ESCROW),
							),
							Some(_) => Payments::top_up(
								RuntimeOrigin::signed(consumer_account),
								provider_account,
								SERVICE,
								due,
							),
						};
						prop_assert!(paid.is_ok(), "{:?}", paid);
						let entry = cumulative.entry((consumer, provider)).or_default();
						entry.0 += units;
						entry.1 += 1;
						submit(vec![receipt(provider, consumer, SERVICE, entry.1, entry.0)]);
					}
					let burnt = issuance - Balances::total_issuance();
					start_block((index as u64 + 1) * PERIOD);
					let after = Prices::<Test>::get(SERVICE).expect("priced").price;
					prop_assert!(after.abs_diff(before) <= before / 8 + 1, "{} -> {}", before, after);
					if after >= before && before > BOUNDS.floor {
						prop_assert!(
							burnt >= (before - BOUNDS.floor) * BOUNDS.target_units,
							"held {} (floor {}) for {} burnt",
							before,
							BOUNDS.floor,
							burnt
						);
					}
					prop_assert!(Payments::do_try_state().is_ok());
				}
				// Escrows still held are the coalition's own; all it lost is what was burnt.
				let burnt = issuance_at_start - Balances::total_issuance();
				prop_assert_eq!(wealth_at_start - wealth(), burnt);
				Ok(())
			})?;
		}
	}
}
