//! # Payments pallet: receipts that pay
//!
//! Payment channels settled by the same co-signed receipts that build shared history. A consumer
//! opens a channel to a provider for one service: it holds an escrow from its balance and fixes a
//! price per unit. From then on, every receipt of that (provider, consumer, service) that the
//! receipts pallet records pays the provider `price` for each of the receipt's new units, from the
//! escrow, in the same call: one submission of the newest receipt both records the service and
//! pays for it. Claiming is submitting a receipt (`Receipts.submit_receipts`); its cost is O(1)
//! whatever the number of units, because receipts are cumulative and the chain pays the increase.
//!
//! ## Terminology
//!
//! - **Channel**: [`repute_primitives::payments::Channel`], keyed (consumer, provider, service):
//!   its price, the escrow still held, what it paid, and whether it is closing.
//! - **Escrow**: the consumer's balance held for a channel ([`HoldReason::ChannelEscrow`]). It
//!   cannot be spent elsewhere while the channel lasts; the provider is paid from it.
//! - **Unpaid units**: units recorded while the channel is open that the escrow could not cover.
//!   The consumer's next top-up pays them first. A provider that serves beyond the escrow serves on
//!   credit: the chain shows it `escrow` and `units_unpaid` to decide before serving.
//! - **Challenge period**: blocks between a consumer's request to close and the settlement, in
//!   which the provider submits its newest receipt and is paid for it (12 h by default, as
//!   Filecoin's payment channels).
//! - **Reference price**: a service's congestion price per unit, which governance may give a
//!   service with its bounds ([`Pallet::set_price_bounds`]): it moves once every `price_period`
//!   blocks by at most ±12.5%, up when the units paid at it or more in the period (its **load**)
//!   were above the governed target, down when below, between a floor and a ceiling
//!   ([`repute_primitives::pricing`]). Providers quote it, and consumers open channels at it.
//! - **Toll**: the part of every paid unit's price that is burnt instead of paid to the provider:
//!   the reference price above the floor (no more than the channel's own price above it). A
//!   service at its floor takes no toll.
//!
//! ## Guarantees
//!
//! - A provider is paid once for each unit recorded while its channel is open, at the channel's
//!   price, as far as the escrow goes: the receipts pallet records each unit of a pair once
//!   (replays and older receipts are rejected there, with their reasons), so no unit is paid twice.
//! - A consumer never pays more than `price` a unit nor more than its escrow, and gets back, at
//!   settlement, all that was not paid. It cannot close away what it owes for receipts recorded
//!   before the challenge period ends: they are paid from the escrow, which stays held until then.
//! - Every escrow held is accounted for by a channel: the balance a consumer holds under
//!   [`HoldReason::ChannelEscrow`] is the sum of its channels' escrows (checked by `try_state`).
//! - **Load cannot be faked for free above the floor.** Only units paid through channels count as
//!   load (receipts with no channel, free to make between colluders, move no price), and only
//!   units paid at the reference price or more; each of them burns the toll. Colluders who pay
//!   each other to raise a price lose, each period, the toll on every unit of their fake load:
//!   holding a price `p` costs them at least `(p − floor) × target_units` a period. The first
//!   step above the floor costs them only fees (the toll at the floor is zero): a 12.5% rise at
//!   most, which decays again as soon as they stop.
//!
//! ## Dispatchables
//!
//! - [`Pallet::open_channel`] (signed, the consumer): hold an escrow and fix a price.
//! - [`Pallet::top_up`] (signed, the consumer): hold more escrow; unpaid units are paid first.
//! - [`Pallet::close_channel`] (signed, the consumer): start the challenge period.
//! - [`Pallet::settle_channel`] (signed, anyone after the challenge period; the provider at any
//!   time): return the rest of the escrow to the consumer and remove the channel.
//! - [`Pallet::set_parameters`] ([`Config::GovernanceOrigin`]): the least escrow, the challenge
//!   period and the pricing period.
//! - [`Pallet::set_price_bounds`] ([`Config::GovernanceOrigin`]): give a service a reference
//!   price, with its floor, ceiling and target load, or take it away.
//!
//! Every `price_period` blocks, `on_initialize` moves each priced service's reference price after
//! the period's load (`pricing.rs`).
//!
//! Payments themselves happen in [`pallet_receipts::OnReceiptRecorded`], which this pallet
//! implements: the runtime lists it among the receipts pallet's listeners.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
mod pricing;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Restriction},
		},
	};
	use frame_system::pallet_prelude::*;
	use repute_primitives::{payments::Channel, pricing::ServicePrice, ServiceId};
	use sp_runtime::{
		traits::{Saturating, Zero},
		SaturatedConversion,
	};

	/// The in-code storage version: 1 added `price_period` to [`Parameters`]
	/// ([`crate::migrations::v1`]); 2 counts [`Prices`] ([`crate::migrations::v2`]).
	pub(crate) const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The escrow of a consumer's payment channels.
		#[codec(index = 0)]
		ChannelEscrow,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency escrows are held in and providers are paid in.
		type Currency: MutateHold<
				Self::AccountId,
				Reason = Self::RuntimeHoldReason,
				Balance: repute_primitives::payments::Amount,
			> + Mutate<Self::AccountId>;

		/// The runtime's hold reasons, of which [`HoldReason`] is one.
		type RuntimeHoldReason: From<HoldReason>;

		/// Who may set the parameters (root in the dev runtime).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// How many services a chain tells apart: a channel's `service` must be below it (the
		/// receipts pallet records no receipt of another service, so no such channel could pay).
		#[pallet::constant]
		type MaxServices: Get<u32>;

		/// The parameters of a chain whose genesis sets none.
		type DefaultParameters: Get<ParametersOf<Self>>;

		/// Weights of this pallet's calls and of a payment, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// The governance-set parameters of payment channels.
	#[pallet::storage]
	pub type Parameters<T: Config> =
		StorageValue<_, ParametersOf<T>, ValueQuery, T::DefaultParameters>;

	/// Every open or closing channel, keyed (consumer, provider, service): iterate by consumer to
	/// list a consumer's channels.
	#[pallet::storage]
	pub type Channels<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, ServiceId>,
		),
		ChannelOf<T>,
	>;

	/// The reference price of every priced service, with its bounds and the load of the current
	/// period. Only services below [`Config::MaxServices`] have one, so it holds at most that
	/// many entries. Counted, so that a block is charged the database accesses of exactly the
	/// services that exist (see `pricing.rs`).
	#[pallet::storage]
	pub type Prices<T: Config> = CountedStorageMap<_, Twox64Concat, ServiceId, ServicePriceOf<T>>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The parameters at genesis; `None` keeps [`Config::DefaultParameters`].
		pub parameters: Option<ParametersOf<T>>,
		/// The services priced from genesis, each at its floor.
		pub prices: alloc::vec::Vec<(ServiceId, PriceBoundsOf<T>)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(parameters) = &self.parameters {
				assert!(
					Pallet::<T>::validate_parameters(parameters).is_ok(),
					"genesis payment parameters are invalid"
				);
				Parameters::<T>::put(parameters);
			}
			for (service, bounds) in &self.prices {
				assert!(
					Pallet::<T>::validate_price_bounds(*service, bounds).is_ok(),
					"genesis price bounds are invalid"
				);
				Prices::<T>::insert(service, ServicePrice::at_floor(bounds.clone()));
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `consumer` opened a channel to `provider` for `service`, holding `escrow`, at `price` a
		/// unit.
		ChannelOpened {
			consumer: T::AccountId,
			provider: T::AccountId,
			service: ServiceId,
			price: BalanceOf<T>,
			escrow: BalanceOf<T>,
		},
		/// `consumer` added `amount` to the channel's escrow, which is now `escrow` (after paying
		/// any unpaid units, reported by a [`Event::ChannelPaid`] just before).
		ChannelToppedUp {
			consumer: T::AccountId,
			provider: T::AccountId,
			service: ServiceId,
			amount: BalanceOf<T>,
			escrow: BalanceOf<T>,
		},
		/// The channel paid `amount` from its escrow for `units` units: `toll` of it was burnt
		/// (the service's reference price above its floor, for each unit) and the rest went to
		/// `provider`; `units_unpaid` recorded units are still waiting for escrow.
		ChannelPaid {
			consumer: T::AccountId,
			provider: T::AccountId,
			service: ServiceId,
			units: u128,
			amount: BalanceOf<T>,
			toll: BalanceOf<T>,
			units_unpaid: u128,
		},
		/// `consumer` asked to close the channel: receipts recorded before block `closes_at`
		/// still pay; from then on anyone may settle it.
		ChannelClosing {
			consumer: T::AccountId,
			provider: T::AccountId,
			service: ServiceId,
			closes_at: BlockNumberFor<T>,
		},
		/// The channel is settled and removed: `returned` went back to `consumer`; it paid `paid`
		/// in all, and `units_unpaid` recorded units were never paid for.
		ChannelSettled {
			consumer: T::AccountId,
			provider: T::AccountId,
			service: ServiceId,
			paid: BalanceOf<T>,
			returned: BalanceOf<T>,
			units_unpaid: u128,
		},
		/// Governance replaced the parameters `old` with `new`.
		ParametersSet { old: ParametersOf<T>, new: ParametersOf<T> },
		/// Governance gave `service` the price bounds `bounds` (its reference price is now
		/// `price`), or took its reference price away (`None`, `None`).
		PriceBoundsSet {
			service: ServiceId,
			bounds: Option<PriceBoundsOf<T>>,
			price: Option<BalanceOf<T>>,
		},
		/// A pricing period ended: `service` saw `load` units paid at its reference price or
		/// more, and its reference price is now `price`.
		ReferencePriceUpdated { service: ServiceId, load: u128, price: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The consumer already has a channel to this provider for this service.
		ChannelExists,
		/// There is no such channel (never opened, or already settled).
		NoChannel,
		/// A channel's provider must be another account than its consumer.
		SelfChannel,
		/// The service id is not below `MaxServices`: no receipt of it can be recorded.
		UnknownService,
		/// A channel's price must be above zero.
		ZeroPrice,
		/// The escrow is below the parameters' `minimum_escrow`.
		EscrowBelowMinimum,
		/// A top-up must add something.
		ZeroAmount,
		/// The consumer's free balance cannot cover the escrow or the top-up.
		InsufficientBalance,
		/// The channel is closing: it takes no top-up and cannot be closed again.
		ChannelClosing,
		/// The channel is open: only its provider may settle it before it is closed and its
		/// challenge period has passed.
		ChannelOpen,
		/// The challenge period has not ended yet.
		ChallengePeriodNotOver,
		/// A parameter is out of range: the least escrow is below the existential deposit, or the
		/// challenge or pricing period is zero.
		InvalidParameters,
		/// Price bounds out of range: a zero floor, a ceiling below the floor or a zero target.
		InvalidPriceBounds,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Every `price_period` blocks: moves each priced service's reference price after the
		/// period's load.
		/// Also charges the block the database accesses of the price items that its paid
		/// receipts make ([`Pallet::price_items_weight`], `pricing.rs`).
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::on_price_period(now).saturating_add(Self::price_items_weight())
		}

		fn integrity_test() {
			assert!(T::MaxServices::get() > 0, "a chain prices at least one service");
		}
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Open a channel to `provider` for `service`: hold `escrow` from the caller's free
		/// balance and fix `price` per unit. Every receipt of (provider, caller, service) recorded
		/// from now on pays `price` per new unit from the escrow. Units the pair recorded before
		/// are not paid; units the parties signed before but submit after are (the consumer
		/// co-signed them).
		///
		/// Origin: signed, the consumer.
		/// Errors: [`Error::SelfChannel`], [`Error::UnknownService`], [`Error::ZeroPrice`],
		/// [`Error::EscrowBelowMinimum`], [`Error::ChannelExists`],
		/// [`Error::InsufficientBalance`].
		/// Emits [`Event::ChannelOpened`].
		///
		/// ## Complexity
		/// O(1).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::open_channel())]
		pub fn open_channel(
			origin: OriginFor<T>,
			provider: T::AccountId,
			service: ServiceId,
			price: BalanceOf<T>,
			escrow: BalanceOf<T>,
		) -> DispatchResult {
			let consumer = ensure_signed(origin)?;
			ensure!(provider != consumer, Error::<T>::SelfChannel);
			ensure!(service < T::MaxServices::get(), Error::<T>::UnknownService);
			ensure!(!price.is_zero(), Error::<T>::ZeroPrice);
			ensure!(
				escrow >= Parameters::<T>::get().minimum_escrow,
				Error::<T>::EscrowBelowMinimum
			);
			let key = (&consumer, &provider, service);
			ensure!(!Channels::<T>::contains_key(key), Error::<T>::ChannelExists);
			T::Currency::hold(&HoldReason::ChannelEscrow.into(), &consumer, escrow)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			let now = frame_system::Pallet::<T>::block_number();
			Channels::<T>::insert(key, Channel::open(price, escrow, now));
			Self::deposit_event(Event::ChannelOpened {
				consumer,
				provider,
				service,
				price,
				escrow,
			});
			Ok(())
		}

		/// Add `amount` to the escrow of the caller's channel to `provider` for `service`. Units
		/// recorded that the escrow could not cover are paid from it first.
		///
		/// Origin: signed, the consumer.
		/// Errors: [`Error::ZeroAmount`], [`Error::NoChannel`], [`Error::ChannelClosing`],
		/// [`Error::InsufficientBalance`].
		/// Emits [`Event::ChannelPaid`] (if unpaid units were paid), then
		/// [`Event::ChannelToppedUp`].
		///
		/// ## Complexity
		/// O(1).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::top_up())]
		pub fn top_up(
			origin: OriginFor<T>,
			provider: T::AccountId,
			service: ServiceId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let consumer = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let key = (&consumer, &provider, service);
			let mut channel = Channels::<T>::get(key).ok_or(Error::<T>::NoChannel)?;
			ensure!(channel.closes_at.is_none(), Error::<T>::ChannelClosing);
			T::Currency::hold(&HoldReason::ChannelEscrow.into(), &consumer, amount)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			channel.escrow = channel.escrow.saturating_add(amount);
			Self::pay(&consumer, &provider, service, &mut channel, 0);
			let escrow = channel.escrow;
			Channels::<T>::insert(key, channel);
			Self::deposit_event(Event::ChannelToppedUp {
				consumer,
				provider,
				service,
				amount,
				escrow,
			});
			Ok(())
		}

		/// Ask to close the caller's channel to `provider` for `service`: receipts recorded in
		/// the next `challenge_period` blocks still pay; after that, anyone may settle the
		/// channel and the rest of the escrow returns to the caller.
		///
		/// Origin: signed, the consumer.
		/// Errors: [`Error::NoChannel`], [`Error::ChannelClosing`] (asked already).
		/// Emits [`Event::ChannelClosing`].
		///
		/// ## Complexity
		/// O(1).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::close_channel())]
		pub fn close_channel(
			origin: OriginFor<T>,
			provider: T::AccountId,
			service: ServiceId,
		) -> DispatchResult {
			let consumer = ensure_signed(origin)?;
			let closes_at =
				Channels::<T>::try_mutate((&consumer, &provider, service), |channel| {
					let channel = channel.as_mut().ok_or(Error::<T>::NoChannel)?;
					ensure!(channel.closes_at.is_none(), Error::<T>::ChannelClosing);
					let closes_at = frame_system::Pallet::<T>::block_number()
						.saturating_add(Parameters::<T>::get().challenge_period);
					channel.closes_at = Some(closes_at);
					Ok::<_, Error<T>>(closes_at)
				})?;
			Self::deposit_event(Event::ChannelClosing { consumer, provider, service, closes_at });
			Ok(())
		}

		/// Settle the channel of `consumer` to `provider` for `service`: release what is left of
		/// its escrow to `consumer` and remove it. Receipts recorded afterwards pay nothing.
		///
		/// Origin: signed, by anyone once the consumer has closed the channel and its challenge
		/// period has passed; by the channel's provider at any time (it gives up being paid for
		/// what it has not yet submitted).
		/// Errors: [`Error::NoChannel`], [`Error::ChannelOpen`] (not closed, and the caller is not
		/// the provider), [`Error::ChallengePeriodNotOver`].
		/// Emits [`Event::ChannelSettled`].
		///
		/// ## Complexity
		/// O(1).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::settle_channel())]
		pub fn settle_channel(
			origin: OriginFor<T>,
			consumer: T::AccountId,
			provider: T::AccountId,
			service: ServiceId,
		) -> DispatchResult {
			let caller = ensure_signed(origin)?;
			let key = (&consumer, &provider, service);
			let channel = Channels::<T>::get(key).ok_or(Error::<T>::NoChannel)?;
			if caller != provider {
				let closes_at = channel.closes_at.ok_or(Error::<T>::ChannelOpen)?;
				ensure!(
					frame_system::Pallet::<T>::block_number() >= closes_at,
					Error::<T>::ChallengePeriodNotOver
				);
			}
			// Best effort: the hold covers every channel's escrow (`try_state`), so all of it
			// is released; if it ever did not, the channel is settled with what there is.
			let returned = T::Currency::release(
				&HoldReason::ChannelEscrow.into(),
				&consumer,
				channel.escrow,
				Precision::BestEffort,
			)
			.unwrap_or_default();
			Channels::<T>::remove(key);
			Self::deposit_event(Event::ChannelSettled {
				consumer,
				provider,
				service,
				paid: channel.paid,
				returned,
				units_unpaid: channel.units_unpaid,
			});
			Ok(())
		}

		/// Replace the parameters of payment channels. Open channels keep their price and
		/// escrow; a new challenge period applies to channels closed from now on.
		///
		/// Origin: [`Config::GovernanceOrigin`].
		/// Errors: [`Error::InvalidParameters`].
		/// Emits [`Event::ParametersSet`].
		///
		/// ## Complexity
		/// O(1).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(origin: OriginFor<T>, parameters: ParametersOf<T>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::validate_parameters(&parameters)?;
			let old = Parameters::<T>::get();
			Parameters::<T>::put(&parameters);
			Self::deposit_event(Event::ParametersSet { old, new: parameters });
			Ok(())
		}

		/// Give `service` a reference price within `bounds`, starting at the floor (a service
		/// priced already keeps its price, moved within the new bounds, and its period's load),
		/// or, with `None`, take its reference price away: its channels then pay no toll and
		/// its load is no longer counted.
		///
		/// Origin: [`Config::GovernanceOrigin`].
		/// Errors: [`Error::UnknownService`], [`Error::InvalidPriceBounds`].
		/// Emits [`Event::PriceBoundsSet`].
		///
		/// ## Complexity
		/// O(1).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_price_bounds())]
		pub fn set_price_bounds(
			origin: OriginFor<T>,
			service: ServiceId,
			bounds: Option<PriceBoundsOf<T>>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let price = match bounds.clone() {
				Some(bounds) => {
					Self::validate_price_bounds(service, &bounds)?;
					let priced = match Prices::<T>::get(service) {
						Some(mut priced) => {
							priced.rebound(bounds);
							priced
						}
						None => ServicePrice::at_floor(bounds),
					};
					Prices::<T>::insert(service, &priced);
					Some(priced.price)
				}
				None => {
					ensure!(service < T::MaxServices::get(), Error::<T>::UnknownService);
					Prices::<T>::remove(service);
					None
				}
			};
			Self::deposit_event(Event::PriceBoundsSet { service, bounds, price });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Refuses parameters that would make channels free to open or impossible to settle.
		pub fn validate_parameters(parameters: &ParametersOf<T>) -> DispatchResult {
			ensure!(
				parameters.minimum_escrow >= T::Currency::minimum_balance()
					&& !parameters.minimum_escrow.is_zero()
					&& !parameters.challenge_period.is_zero()
					&& !parameters.price_period.is_zero(),
				Error::<T>::InvalidParameters
			);
			Ok(())
		}

		/// Refuses a service no receipt can be recorded for, and bounds whose price could not
		/// move (a zero floor or target) or could not be kept (a ceiling below the floor).
		pub fn validate_price_bounds(
			service: ServiceId,
			bounds: &PriceBoundsOf<T>,
		) -> DispatchResult {
			ensure!(service < T::MaxServices::get(), Error::<T>::UnknownService);
			ensure!(
				!bounds.floor.is_zero()
					&& bounds.ceiling >= bounds.floor
					&& bounds.target_units > 0,
				Error::<T>::InvalidPriceBounds
			);
			Ok(())
		}

		/// What a recorded receipt that no channel pays costs this pallet: looking for the
		/// channel, one database read. Every receipt pays at least this.
		pub fn unpaid_receipt_weight() -> Weight {
			T::DbWeight::get().reads(1)
		}

		/// Every priced service's reference price, by service id (at most `MaxServices`).
		pub fn prices() -> alloc::vec::Vec<(ServiceId, ServicePriceOf<T>)> {
			Prices::<T>::iter().take(T::MaxServices::get() as usize).collect()
		}

		/// The channel of `consumer` to `provider` for `service`, if open or closing.
		pub fn channel(
			consumer: &T::AccountId,
			provider: &T::AccountId,
			service: ServiceId,
		) -> Option<ChannelOf<T>> {
			Channels::<T>::get((consumer, provider, service))
		}

		/// Pays for `new_units` more units (and for the unpaid ones first) from the channel's
		/// escrow: the service's toll on each unit is burnt from the consumer's hold, the rest
		/// moves to the provider's free balance, and the units count as the service's load if paid
		/// at its reference price or more. If a transfer fails (it cannot, unless the held balance
		/// and the channels disagree or the provider's account cannot receive), nothing is paid,
		/// burnt or counted, and the units count as unpaid.
		pub(crate) fn pay(
			consumer: &T::AccountId,
			provider: &T::AccountId,
			service: ServiceId,
			channel: &mut ChannelOf<T>,
			new_units: u128,
		) {
			let mut paid = channel.clone();
			let payment = paid.pay(new_units);
			let mut priced = if payment.units > 0 { Prices::<T>::get(service) } else { None };
			let toll = priced.as_ref().map_or_else(Zero::zero, |priced| {
				// At most `price` a unit, so at most the payment's amount.
				priced
					.toll(channel.price)
					.saturating_mul(payment.units.saturated_into())
					.min(payment.amount)
			});
			let moved = frame_support::storage::with_storage_layer(|| {
				let reason = HoldReason::ChannelEscrow.into();
				if !toll.is_zero() {
					T::Currency::burn_held(
						&reason,
						consumer,
						toll,
						Precision::Exact,
						Fortitude::Force,
					)?;
				}
				let to_provider = payment.amount.saturating_sub(toll);
				if !to_provider.is_zero() {
					T::Currency::transfer_on_hold(
						&reason,
						consumer,
						provider,
						to_provider,
						Precision::Exact,
						Restriction::Free,
						Fortitude::Polite,
					)?;
				}
				Ok::<_, DispatchError>(())
			})
			.is_ok();
			if moved {
				*channel = paid;
				if let Some(priced) = priced.as_mut() {
					priced.record(payment.units, channel.price, toll);
					Prices::<T>::insert(service, &*priced);
				}
			} else {
				frame_support::defensive!("a channel's escrow could not be paid to its provider");
				channel.units_unpaid = channel.units_unpaid.saturating_add(new_units);
			}
			if payment.units > 0 || new_units > 0 {
				Self::deposit_event(Event::ChannelPaid {
					consumer: consumer.clone(),
					provider: provider.clone(),
					service,
					units: if moved { payment.units } else { 0 },
					amount: if moved { payment.amount } else { Zero::zero() },
					toll: if moved { toll } else { Zero::zero() },
					units_unpaid: channel.units_unpaid,
				});
			}
		}

		/// Checks that every consumer holds, under [`HoldReason::ChannelEscrow`], exactly the sum
		/// of its channels' escrows.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			let mut escrows = alloc::collections::BTreeMap::<T::AccountId, BalanceOf<T>>::new();
			for ((consumer, _, _), channel) in Channels::<T>::iter() {
				let sum = escrows.entry(consumer).or_default();
				*sum = sum.saturating_add(channel.escrow);
			}
			for (consumer, escrow) in escrows {
				let held =
					T::Currency::balance_on_hold(&HoldReason::ChannelEscrow.into(), &consumer);
				ensure!(held == escrow, "a consumer's held escrow is not its channels' escrow");
			}
			Ok(())
		}
	}

	/// Pays every receipt recorded on an open channel: this is how a provider claims.
	impl<T: Config> pallet_receipts::OnReceiptRecorded<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
		fn on_receipt_recorded(
			provider: &T::AccountId,
			consumer: &T::AccountId,
			service: ServiceId,
			delta: u128,
			_total: u128,
			now: BlockNumberFor<T>,
		) -> Weight {
			let key = (consumer, provider, service);
			let Some(mut channel) = Channels::<T>::get(key) else {
				return Self::unpaid_receipt_weight();
			};
			if !channel.pays_at(now) {
				return Self::unpaid_receipt_weight();
			}
			Self::pay(consumer, provider, service, &mut channel, delta);
			Channels::<T>::insert(key, channel);
			T::WeightInfo::pay_on_receipt()
		}

		fn weight() -> Weight {
			T::WeightInfo::pay_on_receipt()
		}

		fn batch_shared_weight() -> Weight {
			Weight::zero()
		}
	}
}
