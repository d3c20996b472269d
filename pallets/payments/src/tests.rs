//! Tests of payment channels, through the receipts pallet that pays them: what a provider and a
//! consumer rely on, and every refusal.

use crate::{mock::*, Channels, Error, Event, HoldReason, Parameters};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use pallet_receipts::{OnReceiptRecorded, Rejection};
use repute_primitives::payments::PaymentParameters;
use sp_runtime::traits::BadOrigin;

/// Runs `test` in a fresh externality, then checks the pallet's invariants.
fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Payments::do_try_state().expect("escrows and holds agree");
	});
}

fn free(index: u8) -> Balance {
	Balances::balance(&account(index))
}

fn held(index: u8) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::from(HoldReason::ChannelEscrow), &account(index))
}

/// Participant `consumer` opens a channel to `provider` for service 0.
fn open(consumer: u8, provider: u8, price: Balance, escrow: Balance) {
	assert_ok!(Payments::open_channel(
		RuntimeOrigin::signed(account(consumer)),
		account(provider),
		0,
		price,
		escrow
	));
}

fn channel(consumer: u8, provider: u8) -> crate::ChannelOf<Test> {
	Payments::channel(&account(consumer), &account(provider), 0).expect("the channel exists")
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

fn payment_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Payments(event @ Event::ChannelPaid { .. }) => Some(event),
			_ => None,
		})
		.collect()
}

#[test]
fn opening_holds_the_escrow_and_fixes_the_price() {
	run(|| {
		open(1, 0, 3, 600);
		assert_eq!((free(1), held(1)), (ENDOWMENT - BOND - 600, 600));
		let channel = channel(1, 0);
		assert_eq!((channel.price, channel.escrow, channel.paid), (3, 600, 0));
		assert_eq!((channel.opened_at, channel.closes_at), (1, None));
		assert_eq!(
			last_event(),
			RuntimeEvent::Payments(Event::ChannelOpened {
				consumer: account(1),
				provider: account(0),
				service: 0,
				price: 3,
				escrow: 600,
			})
		);
	});
}

#[test]
fn opening_refuses_bad_channels() {
	run(|| {
		let consumer = RuntimeOrigin::signed(account(1));
		let open = |provider: u8, service: u32, price: Balance, escrow: Balance| {
			Payments::open_channel(consumer.clone(), account(provider), service, price, escrow)
		};
		assert_noop!(open(1, 0, 1, 100), Error::<Test>::SelfChannel);
		assert_noop!(open(0, 8, 1, 100), Error::<Test>::UnknownService);
		assert_noop!(open(0, 0, 0, 100), Error::<Test>::ZeroPrice);
		assert_noop!(open(0, 0, 1, MINIMUM_ESCROW - 1), Error::<Test>::EscrowBelowMinimum);
		assert_noop!(open(0, 0, 1, ENDOWMENT), Error::<Test>::InsufficientBalance);
		assert_ok!(open(0, 0, 1, 100));
		assert_noop!(open(0, 0, 1, 100), Error::<Test>::ChannelExists);
		// Another service, or another provider, is another channel.
		assert_ok!(open(0, 1, 1, 100));
		assert_ok!(open(2, 0, 1, 100));
		assert_eq!(held(1), 300);
	});
}

#[test]
fn a_recorded_receipt_pays_its_new_units_once() {
	run(|| {
		open(1, 0, 3, 600);
		let provider_before = free(0);
		submit(vec![receipt(0, 1, 0, 1, 50)]);
		assert_eq!(free(0), provider_before + 150);
		assert_eq!((held(1), channel(1, 0).units_paid), (450, 50));
		// The next receipt pays its increase only.
		submit(vec![receipt(0, 1, 0, 2, 80)]);
		assert_eq!(free(0), provider_before + 240);
		assert_eq!(held(1), 360);
		// Replaying either receipt, or an older one, records nothing and pays nothing: the
		// receipts pallet rejects it, with its reason.
		for replay in [receipt(0, 1, 0, 2, 80), receipt(0, 1, 0, 1, 50)] {
			frame_support::assert_err_ignore_postinfo!(
				Receipts::submit_receipts(RuntimeOrigin::signed(account(7)), vec![replay]),
				pallet_receipts::Error::<Test>::ReceiptRejected(Rejection::StaleSequence)
			);
		}
		assert_eq!(free(0), provider_before + 240);
		assert_eq!(
			payment_events(),
			vec![
				Event::ChannelPaid {
					consumer: account(1),
					provider: account(0),
					service: 0,
					units: 50,
					amount: 150,
					toll: 0,
					units_unpaid: 0,
				},
				Event::ChannelPaid {
					consumer: account(1),
					provider: account(0),
					service: 0,
					units: 30,
					amount: 90,
					toll: 0,
					units_unpaid: 0,
				},
			]
		);
	});
}

#[test]
fn receipts_of_other_pairs_and_earlier_units_pay_nothing() {
	run(|| {
		// Units recorded before the channel opened are not the channel's.
		submit(vec![receipt(0, 1, 0, 1, 1_000)]);
		open(1, 0, 1, 600);
		let (provider_before, other_before) = (free(0), free(2));
		submit(vec![
			// The reverse direction: participant 1 served participant 0.
			receipt(1, 0, 0, 1, 10),
			// Another service of the same pair.
			receipt(0, 1, 1, 1, 10),
			// Another provider for the same consumer.
			receipt(2, 1, 0, 1, 10),
		]);
		assert_eq!((free(0), free(2), held(1)), (provider_before, other_before, 600));
		assert!(payment_events().is_empty());
		// The pair's next receipt pays its 5 new units only.
		submit(vec![receipt(0, 1, 0, 2, 1_005)]);
		assert_eq!((free(0), held(1)), (provider_before + 5, 595));
	});
}

#[test]
fn what_the_escrow_cannot_cover_waits_for_the_next_top_up() {
	run(|| {
		open(1, 0, 2, 100);
		let provider_before = free(0);
		// 80 units at 2 cost 160: the escrow pays 50 of them.
		submit(vec![receipt(0, 1, 0, 1, 80)]);
		let exhausted = channel(1, 0);
		assert_eq!((exhausted.escrow, exhausted.units_paid, exhausted.units_unpaid), (0, 50, 30));
		assert_eq!(free(0), provider_before + 100);
		// The top-up pays the 30 unpaid units first, then holds the rest.
		let consumer_before = free(1);
		assert_ok!(Payments::top_up(RuntimeOrigin::signed(account(1)), account(0), 0, 100));
		let topped = channel(1, 0);
		assert_eq!((topped.escrow, topped.units_paid, topped.units_unpaid), (40, 80, 0));
		assert_eq!((free(0), free(1), held(1)), (provider_before + 160, consumer_before - 100, 40));
		assert_eq!(
			last_event(),
			RuntimeEvent::Payments(Event::ChannelToppedUp {
				consumer: account(1),
				provider: account(0),
				service: 0,
				amount: 100,
				escrow: 40,
			})
		);
	});
}

#[test]
fn top_ups_are_refused_when_they_cannot_be_held_or_the_channel_is_not_open() {
	run(|| {
		let top_up =
			|amount| Payments::top_up(RuntimeOrigin::signed(account(1)), account(0), 0, amount);
		assert_noop!(top_up(10), Error::<Test>::NoChannel);
		open(1, 0, 1, 100);
		assert_noop!(top_up(0), Error::<Test>::ZeroAmount);
		assert_noop!(top_up(ENDOWMENT), Error::<Test>::InsufficientBalance);
		assert_ok!(Payments::close_channel(RuntimeOrigin::signed(account(1)), account(0), 0));
		assert_noop!(top_up(10), Error::<Test>::ChannelClosing);
	});
}

#[test]
fn a_consumer_cannot_close_away_what_it_owes() {
	run(|| {
		open(1, 0, 1, 500);
		let (provider_before, consumer_before) = (free(0), free(1));
		assert_ok!(Payments::close_channel(RuntimeOrigin::signed(account(1)), account(0), 0));
		let closes_at = 1 + CHALLENGE_PERIOD;
		assert_eq!(channel(1, 0).closes_at, Some(closes_at));
		assert_noop!(
			Payments::close_channel(RuntimeOrigin::signed(account(1)), account(0), 0),
			Error::<Test>::ChannelClosing
		);
		// Nobody settles before the challenge period is over, the consumer included.
		System::set_block_number(closes_at - 1);
		for caller in [1, 5] {
			assert_noop!(
				Payments::settle_channel(
					RuntimeOrigin::signed(account(caller)),
					account(1),
					account(0),
					0
				),
				Error::<Test>::ChallengePeriodNotOver
			);
		}
		// The provider's newest receipt, submitted in the last block of the period, is paid.
		submit(vec![receipt(0, 1, 0, 1, 120)]);
		assert_eq!(free(0), provider_before + 120);
		// From `closes_at` on, receipts record history but pay nothing, and anyone settles.
		System::set_block_number(closes_at);
		submit(vec![receipt(0, 1, 0, 2, 200)]);
		assert_eq!(free(0), provider_before + 120);
		assert_ok!(Payments::settle_channel(
			RuntimeOrigin::signed(account(5)),
			account(1),
			account(0),
			0
		));
		assert_eq!((free(1), held(1)), (consumer_before + 380, 0));
		assert!(Channels::<Test>::iter().next().is_none());
		assert_eq!(
			last_event(),
			RuntimeEvent::Payments(Event::ChannelSettled {
				consumer: account(1),
				provider: account(0),
				service: 0,
				paid: 120,
				returned: 380,
				units_unpaid: 0,
			})
		);
		// Settled once: the channel is gone.
		assert_noop!(
			Payments::settle_channel(RuntimeOrigin::signed(account(1)), account(1), account(0), 0),
			Error::<Test>::NoChannel
		);
	});
}

#[test]
fn only_the_provider_settles_an_open_channel() {
	run(|| {
		open(1, 0, 1, 500);
		for caller in [1, 5] {
			assert_noop!(
				Payments::settle_channel(
					RuntimeOrigin::signed(account(caller)),
					account(1),
					account(0),
					0
				),
				Error::<Test>::ChannelOpen
			);
		}
		submit(vec![receipt(0, 1, 0, 1, 100)]);
		let consumer_before = free(1);
		assert_ok!(Payments::settle_channel(
			RuntimeOrigin::signed(account(0)),
			account(1),
			account(0),
			0
		));
		assert_eq!((free(1), held(1)), (consumer_before + 400, 0));
		// After settlement the pair's receipts pay nothing.
		let provider_before = free(0);
		submit(vec![receipt(0, 1, 0, 2, 300)]);
		assert_eq!(free(0), provider_before);
	});
}

#[test]
fn a_channel_used_and_closed_moves_exactly_units_times_price() {
	run(|| {
		let issuance = Balances::total_issuance();
		let (provider_before, consumer_before) = (free(0), free(1));
		open(1, 0, 7, 100_000);
		// A download in many receipts, only some of which reach the chain: one claim per batch.
		let mut sequence = 0;
		for units in [1_000u128, 4_096, 10_000, 10_001] {
			sequence += 1;
			submit(vec![receipt(0, 1, 0, sequence, units)]);
		}
		assert_ok!(Payments::close_channel(RuntimeOrigin::signed(account(1)), account(0), 0));
		System::set_block_number(1 + CHALLENGE_PERIOD);
		assert_ok!(Payments::settle_channel(
			RuntimeOrigin::signed(account(1)),
			account(1),
			account(0),
			0
		));
		assert_eq!(free(0), provider_before + 10_001 * 7);
		assert_eq!(free(1), consumer_before - 10_001 * 7);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn governance_sets_valid_parameters() {
	run(|| {
		let new =
			PaymentParameters { minimum_escrow: 1_000, challenge_period: 10, price_period: 5 };
		assert_noop!(
			Payments::set_parameters(RuntimeOrigin::signed(account(0)), new.clone()),
			BadOrigin
		);
		for invalid in [
			PaymentParameters {
				minimum_escrow: EXISTENTIAL_DEPOSIT - 1,
				challenge_period: 10,
				price_period: 5,
			},
			PaymentParameters { minimum_escrow: 1_000, challenge_period: 0, price_period: 5 },
			PaymentParameters { minimum_escrow: 1_000, challenge_period: 10, price_period: 0 },
		] {
			assert_noop!(
				Payments::set_parameters(RuntimeOrigin::root(), invalid),
				Error::<Test>::InvalidParameters
			);
		}
		let old = Parameters::<Test>::get();
		assert_ok!(Payments::set_parameters(RuntimeOrigin::root(), new.clone()));
		assert_eq!(Parameters::<Test>::get(), new);
		assert_eq!(last_event(), RuntimeEvent::Payments(Event::ParametersSet { old, new }));
		assert_noop!(
			Payments::open_channel(RuntimeOrigin::signed(account(1)), account(0), 0, 1, 999),
			Error::<Test>::EscrowBelowMinimum
		);
	});
}

#[test]
fn the_listener_charges_a_read_without_a_channel_and_a_payment_with_one() {
	use crate::WeightInfo;
	run(|| {
		let (provider, consumer) = (account(0), account(1));
		let read = <Test as frame_system::Config>::DbWeight::get().reads(1);
		assert_eq!(Payments::unpaid_receipt_weight(), read);
		assert_eq!(Payments::on_receipt_recorded(&provider, &consumer, 0, 5, 5, 1), read);
		open(1, 0, 1, 100);
		assert_eq!(
			Payments::on_receipt_recorded(&provider, &consumer, 0, 5, 5, 1),
			<() as WeightInfo>::pay_on_receipt()
		);
		assert!(<Payments as OnReceiptRecorded<_, _>>::weight().all_gte(read));
	});
}

#[test]
fn an_account_without_funds_cannot_open_a_channel() {
	run(|| {
		let pauper = sp_runtime::AccountId32::new([9; 32]);
		assert_noop!(
			Payments::open_channel(RuntimeOrigin::signed(pauper), account(0), 0, 1, 100),
			Error::<Test>::InsufficientBalance
		);
	});
}

mod properties {
	use super::*;
	use proptest::prelude::*;

	/// One step of a random history over consumers 1–3 and providers 0, 4 and 5.
	#[derive(Clone, Debug)]
	enum Step {
		Open { consumer: u8, provider: u8, price: Balance, escrow: Balance },
		Serve { consumer: u8, provider: u8, units: u128 },
		TopUp { consumer: u8, provider: u8, amount: Balance },
		Close { consumer: u8, provider: u8 },
		Wait { blocks: u64 },
		Settle { caller: u8, consumer: u8, provider: u8 },
	}

	fn step() -> impl Strategy<Value = Step> {
		let consumer = 1u8..4;
		let provider = prop_oneof![Just(0u8), Just(4u8), Just(5u8)];
		prop_oneof![
			(consumer.clone(), provider.clone(), 1u128..20, 100u128..5_000).prop_map(
				|(consumer, provider, price, escrow)| Step::Open {
					consumer,
					provider,
					price,
					escrow
				}
			),
			(consumer.clone(), provider.clone(), 0u128..400)
				.prop_map(|(consumer, provider, units)| Step::Serve { consumer, provider, units }),
			(consumer.clone(), provider.clone(), 1u128..2_000).prop_map(
				|(consumer, provider, amount)| Step::TopUp { consumer, provider, amount }
			),
			(consumer.clone(), provider.clone())
				.prop_map(|(consumer, provider)| Step::Close { consumer, provider }),
			(1u64..4_000).prop_map(|blocks| Step::Wait { blocks }),
			(0u8..6, consumer, provider).prop_map(|(caller, consumer, provider)| Step::Settle {
				caller,
				consumer,
				provider
			}),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]

		/// Whatever consumers and providers do, in any order: no balance is created or
		/// destroyed; each provider gains exactly what the channels say they paid it, each at
		/// its channel's price for units recorded while the channel was open and never more
		/// than was recorded; each consumer loses exactly that; and holds match escrows.
		#[test]
		fn channels_conserve_value_and_pay_only_for_recorded_units(
			steps in proptest::collection::vec(step(), 1..60),
		) {
			new_test_ext().execute_with(|| {
				let issuance = Balances::total_issuance();
				let total = |i: u8| Balances::total_balance(&account(i));
				let before: Vec<Balance> = (0..6).map(total).collect();
				// Per (consumer, provider): units recorded in all, units recorded while a
				// channel was paying, and what channels paid.
				let mut recorded = std::collections::BTreeMap::<(u8, u8), (u128, u64)>::new();
				let mut paying_units = std::collections::BTreeMap::<(u8, u8), u128>::new();
				let mut paid = std::collections::BTreeMap::<(u8, u8), Balance>::new();
				for step in steps {
					match step {
						Step::Open { consumer, provider, price, escrow } => {
							let _ = Payments::open_channel(
								RuntimeOrigin::signed(account(consumer)),
								account(provider),
								0,
								price,
								escrow,
							);
						}
						Step::Serve { consumer, provider, units } => {
							let entry = recorded.entry((consumer, provider)).or_default();
							if units == 0 {
								continue;
							}
							let paying = Payments::channel(&account(consumer), &account(provider), 0)
								.filter(|c| c.pays_at(System::block_number()));
							let before = paying.as_ref().map(|c| c.paid);
							entry.0 += units;
							entry.1 += 1;
							submit(vec![receipt(provider, consumer, 0, entry.1, entry.0)]);
							if let (Some(before), Some(channel)) =
								(before, Payments::channel(&account(consumer), &account(provider), 0))
							{
								*paying_units.entry((consumer, provider)).or_default() += units;
								*paid.entry((consumer, provider)).or_default() += channel.paid - before;
								prop_assert!(channel.paid - before <= units * channel.price);
							}
						}
						Step::TopUp { consumer, provider, amount } => {
							let before = Payments::channel(&account(consumer), &account(provider), 0)
								.map(|c| c.paid);
							if Payments::top_up(
								RuntimeOrigin::signed(account(consumer)),
								account(provider),
								0,
								amount,
							)
							.is_ok()
							{
								let channel = Payments::channel(&account(consumer), &account(provider), 0)
									.expect("a topped-up channel exists");
								*paid.entry((consumer, provider)).or_default() +=
									channel.paid - before.expect("it existed before");
							}
						}
						Step::Close { consumer, provider } => {
							let _ = Payments::close_channel(
								RuntimeOrigin::signed(account(consumer)),
								account(provider),
								0,
							);
						}
						Step::Wait { blocks } => System::set_block_number(System::block_number() + blocks),
						Step::Settle { caller, consumer, provider } => {
							let _ = Payments::settle_channel(
								RuntimeOrigin::signed(account(caller)),
								account(consumer),
								account(provider),
								0,
							);
						}
					}
					prop_assert!(Payments::do_try_state().is_ok());
					prop_assert_eq!(Balances::total_issuance(), issuance);
				}
				// Value moved only along channels, and only as much as they say.
				for i in 0..6u8 {
					let gained: Balance =
						paid.iter().filter(|((_, p), _)| *p == i).map(|(_, amount)| amount).sum();
					let spent: Balance =
						paid.iter().filter(|((c, _), _)| *c == i).map(|(_, amount)| amount).sum();
					prop_assert_eq!(total(i) + spent, before[i as usize] + gained);
				}
				for (pair, amount) in &paid {
					// Never paid for more units than were recorded while paying, at 19 at most.
					let units = paying_units.get(pair).copied().unwrap_or(0);
					prop_assert!(*amount <= units * 19);
				}
				Ok(())
			})?;
		}
	}
}

#[test]
fn stored_parameters_of_version_0_gain_the_default_price_period() {
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	run(|| {
		frame_support::storage::unhashed::put_raw(
			&Parameters::<Test>::hashed_key(),
			&(1_000 as Balance, 10u64).encode(),
		);
		StorageVersion::new(0).put::<Payments>();
		crate::migrations::v1::AddPricePeriod::<Test>::on_runtime_upgrade();
		assert_eq!(
			Parameters::<Test>::get(),
			PaymentParameters { minimum_escrow: 1_000, challenge_period: 10, price_period: 600 }
		);
		assert_eq!(Payments::on_chain_storage_version(), 1);
		// Run again, it changes nothing.
		assert_ok!(Payments::set_parameters(
			RuntimeOrigin::root(),
			PaymentParameters { minimum_escrow: 1_000, challenge_period: 10, price_period: 7 }
		));
		crate::migrations::v1::AddPricePeriod::<Test>::on_runtime_upgrade();
		assert_eq!(Parameters::<Test>::get().price_period, 7);
	});
}

#[test]
fn stored_prices_of_version_1_are_counted() {
	use crate::Prices;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	use repute_primitives::pricing::{PriceBounds, ServicePrice};
	run(|| {
		let bounds = PriceBounds { floor: 8, ceiling: 1_000, target_units: 100 };
		for service in [0, 5, 9] {
			Prices::<Test>::insert(service, ServicePrice::at_floor(bounds.clone()));
		}
		// Version 1 had no counter.
		frame_support::storage::unhashed::kill(&Prices::<Test>::counter_storage_final_key());
		StorageVersion::new(1).put::<Payments>();
		assert_eq!(Prices::<Test>::count(), 0);
		crate::migrations::v2::CountPrices::<Test>::on_runtime_upgrade();
		assert_eq!(Prices::<Test>::count(), 3);
		assert_eq!(Payments::on_chain_storage_version(), 2);
		// The map keeps its count from now on, and the migration runs once only.
		Prices::<Test>::remove(5);
		assert_eq!(Prices::<Test>::count(), 2);
		frame_support::storage::unhashed::kill(&Prices::<Test>::counter_storage_final_key());
		crate::migrations::v2::CountPrices::<Test>::on_runtime_upgrade();
		assert_eq!(Prices::<Test>::count(), 0);
	});
}

mod pricing;
