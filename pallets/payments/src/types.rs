//! The data the payments pallet stores and reports.

use crate::Config;
use frame_support::{pallet_prelude::Get, traits::fungible};
use repute_primitives::{
	payments::{Channel, PaymentParameters},
	pricing::{PriceBounds, ServicePrice},
};

/// An amount of the currency that escrows are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// The block number as the pallet sees it.
pub type BlockNumberOf<T> = frame_system::pallet_prelude::BlockNumberFor<T>;
/// A channel as this chain's types fill it.
pub type ChannelOf<T> = Channel<BalanceOf<T>, BlockNumberOf<T>>;
/// The parameters as this chain's types fill them.
pub type ParametersOf<T> = PaymentParameters<BalanceOf<T>, BlockNumberOf<T>>;
/// A service's governed price bounds as this chain's types fill them.
pub type PriceBoundsOf<T> = PriceBounds<BalanceOf<T>>;
/// A service's reference price as this chain's types fill it.
pub type ServicePriceOf<T> = ServicePrice<BalanceOf<T>>;

/// The parameters of a chain whose genesis sets none: a challenge period of 7,200 blocks (12 h
/// at 6 s blocks, as Filecoin's payment channels settle after 12 h), a pricing period of 600
/// blocks (an hour) and the least escrow `MinimumEscrow`.
pub struct DefaultParameters<MinimumEscrow>(core::marker::PhantomData<MinimumEscrow>);

impl<MinimumEscrow, Balance, BlockNumber> Get<PaymentParameters<Balance, BlockNumber>>
	for DefaultParameters<MinimumEscrow>
where
	MinimumEscrow: Get<Balance>,
	BlockNumber: From<u32>,
{
	fn get() -> PaymentParameters<Balance, BlockNumber> {
		PaymentParameters {
			minimum_escrow: MinimumEscrow::get(),
			challenge_period: BlockNumber::from(7_200),
			price_period: BlockNumber::from(600),
		}
	}
}
