//! # Receipts pallet: Repute's shared history
//!
//! A tamper-evident record of who served whom. Peers register an identity by holding a bond;
//! after a provider serves a consumer, both sign a cumulative *receipt* of the service so far,
//! and anyone submits it. The chain records the increase over the last receipt it saw for that
//! pair, keeps per-pair and per-peer totals, and tells other pallets (reputation, payments) of each
//! increase through [`Config::OnReceiptRecorded`]. The signed receipts themselves stay in the
//! blocks as the audit trail.
//!
//! ## Terminology
//!
//! - **Peer**: an account registered with a bond. Accounts are `MultiSigner`-derived, so an
//!   overlay peer's libp2p ed25519 key is directly its account (its `PeerId` embeds the key).
//! - **Receipt**: [`repute_primitives::Receipt`], signed by both parties over
//!   [`repute_primitives::Receipt::signing_payload`] (a domain tag, then the SCALE encoding,
//!   which includes this chain's genesis hash). `docs/receipts.md` gives the bytes.
//! - **Pair**: one (provider, consumer, service). Each pair's receipts carry strictly increasing
//!   sequence numbers and never-decreasing cumulative units.
//! - **Equivocation**: two validly co-signed receipts of one pair that contradict each other
//!   (same sequence with other units, or a higher sequence with fewer units). One offence per
//!   (provider, consumer, service, higher sequence): each is punished once, by slashing
//!   `equivocation_slash` of both signers' bonds and banning both; what is left of a banned
//!   peer's bond is released to it after `unbonding_period`, the window in which further proofs
//!   against it can still slash it.
//!
//! ## Dispatchables
//!
//! - [`Pallet::register`] (signed): hold the bond and become a peer.
//! - [`Pallet::unregister`] (signed peer): start the unbonding period.
//! - [`Pallet::withdraw_bond`] (signed peer): after the unbonding period (or the same cooldown
//!   after a ban), release the bond that is left.
//! - [`Pallet::submit_receipts`] (signed, anyone): record a batch of co-signed receipts; each is
//!   checked and applied on its own.
//! - [`Pallet::report_equivocation`] (signed, anyone but the signers): prove an equivocation;
//!   the signers are slashed and banned, and the reporter rewarded.
//! - [`Pallet::sanction`] ([`Config::GovernanceOrigin`]): slash and ban a peer, with a reason.
//! - [`Pallet::set_parameters`] ([`Config::GovernanceOrigin`]): change bond, periods, windows
//!   and slash fractions.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::{boxed::Box, vec::Vec};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Balanced, BalancedHold, Credit, Inspect, Mutate, MutateHold},
			tokens::Precision,
			Imbalance, OnUnbalanced, UnixTime,
		},
	};
	use frame_system::pallet_prelude::*;
	use repute_primitives::{parameters::PartsPerBillion, receipts_contradict};
	use sp_runtime::{
		traits::{IdentifyAccount, Saturating, Verify, Zero},
		DispatchErrorWithPostInfo, Perbill,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The bond of a registered peer.
		#[codec(index = 0)]
		PeerBond,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency bonds are held in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ BalancedHold<Self::AccountId>
			+ Mutate<Self::AccountId>;

		/// The runtime's hold reasons, of which [`HoldReason`] is one.
		type RuntimeHoldReason: From<HoldReason>;

		/// What peers sign receipts with.
		type Signature: Verify<Signer = Self::Signer>
			+ SignatureKind
			+ Parameter
			+ MaxEncodedLen
			+ DecodeWithMemTracking;

		/// The public key behind a signature; it identifies to an account.
		type Signer: IdentifyAccount<AccountId = Self::AccountId>;

		/// The chain's clock, to bound receipt timestamps.
		type Time: UnixTime;

		/// Who may sanction peers and set parameters (root in the dev runtime).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Where slashed funds go, less the reporter's reward (`()` burns them).
		type Slashed: OnUnbalanced<Credit<Self::AccountId, Self::Currency>>;

		/// Told of every recorded receipt (the reputation and payments pallets listen here, as a
		/// tuple: each is told in turn).
		type OnReceiptRecorded: OnReceiptRecorded<Self::AccountId, BlockNumberFor<Self>>;

		/// Told when a peer registers, is banned or withdraws its bond (the reputation pallet
		/// listens here).
		type PeerLifecycle: PeerLifecycle<Self::AccountId>;

		/// The most receipts one `submit_receipts` call may carry.
		#[pallet::constant]
		type MaxReceiptsPerBatch: Get<u32>;

		/// How many services a chain tells apart: a receipt's `service` must be below it. This
		/// bounds the ledgers of each peer (`Totals`) and of each pair (`Served`, `ServedBy`) to
		/// `MaxServices` entries, so a pair cannot grow storage without limit by inventing
		/// service ids.
		#[pallet::constant]
		type MaxServices: Get<u32>;

		/// The longest sanction reason, in bytes.
		#[pallet::constant]
		type MaxReasonLength: Get<u32>;

		/// The parameters of a chain whose genesis sets none.
		type DefaultParameters: Get<ParametersOf<Self>>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;

		/// Creates signers and signatures for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, Self::Signature>;
	}

	/// The governance-set parameters of shared history.
	#[pallet::storage]
	pub type Parameters<T: Config> =
		StorageValue<_, ParametersOf<T>, ValueQuery, T::DefaultParameters>;

	/// Registered peers: bond, status and registration block.
	#[pallet::storage]
	pub type Peers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, PeerOf<T>>;

	/// The newest recorded receipt of each (provider, consumer, service): iterate by provider to
	/// list everyone a peer served.
	#[pallet::storage]
	pub type Served<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, repute_primitives::ServiceId>,
		),
		PairLedger<BlockNumberFor<T>>,
	>;

	/// The reverse index of [`Served`], keyed (consumer, provider, service): iterate by consumer
	/// to list everyone who served a peer, then read the ledger in [`Served`].
	#[pallet::storage]
	pub type ServedBy<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, repute_primitives::ServiceId>,
		),
		(),
	>;

	/// Each peer's totals per service, over all its partners.
	#[pallet::storage]
	pub type Totals<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		repute_primitives::ServiceId,
		PeerTotals<BlockNumberFor<T>>,
		ValueQuery,
	>;

	/// Equivocation proofs already used, by the hash of the two receipts (in canonical order),
	/// with the block that punished them.
	#[pallet::storage]
	pub type Offences<T: Config> = StorageMap<
		_,
		Identity,
		[u8; 32],
		OffenceRecord<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>,
	>;

	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The parameters at genesis; `None` keeps [`Config::DefaultParameters`].
		pub parameters: Option<ParametersOf<T>>,
		/// Peers registered at genesis, holding `peer_bond` from their genesis balance (the
		/// founders a chain names as pre-trusted must be among them).
		pub peers: alloc::vec::Vec<T::AccountId>,
		/// A synthetic population to register with its pair ledgers, for speed benchmarks
		/// (the `rpc-bench` preset). Only with the `synthetic-population` feature.
		#[cfg(any(test, feature = "synthetic-population"))]
		pub synthetic: Option<repute_primitives::synthetic::SyntheticHistory>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			Self {
				parameters: None,
				peers: alloc::vec::Vec::new(),
				#[cfg(any(test, feature = "synthetic-population"))]
				synthetic: None,
			}
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(parameters) = &self.parameters {
				assert!(
					Pallet::<T>::validate_parameters(parameters).is_ok(),
					"genesis receipt parameters are invalid"
				);
				Parameters::<T>::put(parameters);
			}
			for peer in &self.peers {
				assert!(!Peers::<T>::contains_key(peer), "a genesis peer is listed twice");
				Pallet::<T>::bond(peer).expect("a genesis peer's balance must cover the bond");
			}
			#[cfg(any(test, feature = "synthetic-population"))]
			if let Some(history) = self.synthetic {
				Pallet::<T>::build_synthetic(history);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `peer` registered, holding `bond`.
		PeerRegistered { peer: T::AccountId, bond: BalanceOf<T> },
		/// `peer` started unbonding; its bond can be withdrawn from block `unlock_at`.
		UnbondingStarted { peer: T::AccountId, unlock_at: BlockNumberFor<T> },
		/// `peer` withdrew its bond of `amount` and is no longer registered.
		BondReleased { peer: T::AccountId, amount: BalanceOf<T> },
		/// Governance slashed `slashed` of `peer`'s bond and banned it for `reason`.
		PeerSanctioned { peer: T::AccountId, slashed: BalanceOf<T>, reason: ReasonOf<T> },
		/// A receipt was recorded: `provider` has now given `consumer` `total` units of `service`,
		/// `delta` more than before, as of `sequence`.
		ReceiptRecorded {
			provider: T::AccountId,
			consumer: T::AccountId,
			service: repute_primitives::ServiceId,
			delta: u128,
			total: u128,
			sequence: u64,
		},
		/// The receipt at `index` of a batch was not recorded, for `reason`; nothing changed.
		ReceiptRejected { index: u32, reason: Rejection },
		/// An equivocation of `provider` and `consumer` on `service` was proven: `slashed` was
		/// taken from their bonds and `reward` of it paid to `reporter`.
		EquivocationPunished {
			provider: T::AccountId,
			consumer: T::AccountId,
			service: repute_primitives::ServiceId,
			slashed: BalanceOf<T>,
			reward: BalanceOf<T>,
			reporter: T::AccountId,
		},
		/// Governance replaced the parameters `old` with `new`.
		ParametersSet { old: ParametersOf<T>, new: ParametersOf<T> },
		/// `peer`, leaving, forfeited `amount` of its bond for what it took on its stranger
		/// allowance and never earned back ([`Config::PeerLifecycle`]'s `settle_on_leaving`,
		/// `share` of the bond). Deposited just before its [`Event::BondReleased`].
		BondForfeited { peer: T::AccountId, amount: BalanceOf<T>, share: PartsPerBillion },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a registered peer.
		AlreadyRegistered,
		/// The account is not a registered peer.
		NotRegistered,
		/// The account's free balance cannot cover the bond.
		InsufficientBalanceForBond,
		/// The peer is banned: it cannot unbond or withdraw.
		PeerBanned,
		/// The peer is already unbonding.
		AlreadyUnbonding,
		/// The peer has not started unbonding.
		NotUnbonding,
		/// The unbonding period has not ended yet.
		StillUnbonding,
		/// A batch must hold at least one receipt.
		EmptyBatch,
		/// A receipt was not recorded, for the reason given: the first receipt's reason when no
		/// receipt of a batch was recorded, or why a receipt of an equivocation report is invalid.
		ReceiptRejected(Rejection),
		/// The two receipts of an equivocation report do not contradict each other.
		NotAnEquivocation,
		/// This equivocation proof was already used.
		OffenceAlreadyReported,
		/// Neither signer of the equivocating receipts holds a bond to slash.
		NothingToSlash,
		/// A parameter is out of range: the bond is below the existential deposit, the
		/// unbonding period or the receipt age window is zero, or the reporter's reward is the
		/// whole slash (it must be below 100%, so that reporting oneself never pays), or the
		/// equivocation slash is above 100%.
		InvalidParameters,
		/// The reporter of an equivocation signed the receipts it reports.
		ReporterIsOffender,
		/// A banned peer's remaining bond was already released.
		BondAlreadyReleased,
		/// A batch holds more than `MaxReceiptsPerBatch` receipts.
		TooManyReceipts,
		/// A sanction's slash is above 100% (1,000,000,000 parts per billion) of the bond.
		SlashAbove100Percent,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register the caller as a peer, holding the current `peer_bond` from its free balance.
		///
		/// Origin: signed, by an account that is not yet a peer.
		/// Emits [`Event::PeerRegistered`].
		///
		/// ## Complexity
		/// O(1).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register().saturating_add(T::PeerLifecycle::weight()))]
		pub fn register(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!Peers::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
			let bond = Self::bond(&who)?;
			Self::deposit_event(Event::PeerRegistered { peer: who, bond });
			Ok(())
		}

		/// Start leaving: after `unbonding_period` blocks the caller may withdraw its bond. Its
		/// receipts are still recorded meanwhile, and it can still be sanctioned; but it is no
		/// longer to be served on the bond it is taking back ([`Config::PeerLifecycle`] is told:
		/// in this runtime its admission becomes `Denied(NotRegistered)`).
		///
		/// Origin: signed, by an active peer.
		/// Emits [`Event::UnbondingStarted`].
		///
		/// ## Complexity
		/// O(1).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::unregister().saturating_add(T::PeerLifecycle::weight()))]
		pub fn unregister(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let unlock_at = Peers::<T>::try_mutate(&who, |peer| {
				let peer = peer.as_mut().ok_or(Error::<T>::NotRegistered)?;
				match peer.status {
					PeerStatus::Active => {}
					PeerStatus::Unbonding { .. } => return Err(Error::<T>::AlreadyUnbonding),
					PeerStatus::Banned { .. } => return Err(Error::<T>::PeerBanned),
				}
				let unlock_at = frame_system::Pallet::<T>::block_number()
					.saturating_add(Parameters::<T>::get().unbonding_period);
				peer.status = PeerStatus::Unbonding { unlock_at };
				Ok(unlock_at)
			})?;
			T::PeerLifecycle::on_unbonding(&who);
			Self::deposit_event(Event::UnbondingStarted { peer: who, unlock_at });
			Ok(())
		}

		/// Release the caller's bond once its unbonding period has ended, and remove its peer
		/// registration. Its recorded history stays. A banned peer may withdraw what is left of
		/// its bond `unbonding_period` blocks after its ban; it stays banned (its key cannot
		/// register again).
		///
		/// A leaving peer first forfeits the share of its bond that
		/// [`Config::PeerLifecycle`]'s `settle_on_leaving` names (to [`Config::Slashed`]): in
		/// this runtime, what it consumed on its stranger allowance and never earned back by
		/// serving, so that a fresh identity's allowance is paid for by its bond (a free rider
		/// that exhausted its allowance forfeits all of it; docs/reputation.md, "Leaving").
		///
		/// Origin: signed, by an unbonding peer whose `unlock_at` has passed, or a banned peer
		/// whose cooldown has passed.
		/// Errors: [`Error::NotRegistered`], [`Error::NotUnbonding`] (an active peer),
		/// [`Error::StillUnbonding`] (too early), [`Error::BondAlreadyReleased`] (a banned peer,
		/// twice).
		/// Emits [`Event::BondForfeited`] (if anything was forfeited), then [`Event::BondReleased`].
		///
		/// ## Complexity
		/// O(1).
		#[pallet::call_index(2)]
		// The benchmark of `withdraw_bond` now runs the forfeit's slash (of zero), but the
		// committed weights predate it: the slash is charged as `sanction`'s, which slashes a
		// bond and bans, until `scripts/benchmark-pallets.sh pallet_receipts` runs again.
		#[pallet::weight(
			T::WeightInfo::withdraw_bond()
				.saturating_add(T::WeightInfo::sanction())
				.saturating_add(T::PeerLifecycle::weight().saturating_mul(2))
		)]
		pub fn withdraw_bond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut peer = Peers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			let now = frame_system::Pallet::<T>::block_number();
			let banned = match peer.status {
				PeerStatus::Unbonding { unlock_at } => {
					ensure!(now >= unlock_at, Error::<T>::StillUnbonding);
					false
				}
				PeerStatus::Active => return Err(Error::<T>::NotUnbonding.into()),
				PeerStatus::Banned { at, .. } => {
					ensure!(!peer.bond.is_zero(), Error::<T>::BondAlreadyReleased);
					let release_at = at.saturating_add(Parameters::<T>::get().unbonding_period);
					ensure!(now >= release_at, Error::<T>::StillUnbonding);
					true
				}
			};
			if !banned {
				// Always through the slash, a zero one included, so that the benchmark weighs
				// the path a forfeiting peer takes.
				// The registration is removed below: slash the hold directly rather than through
				// `slash_bond`, which would read and write `Peers` once more.
				let share = T::PeerLifecycle::settle_on_leaving(&who);
				let (credit, _missing) = <T::Currency as BalancedHold<T::AccountId>>::slash(
					&HoldReason::PeerBond.into(),
					&who,
					share.mul_floor(peer.bond),
				);
				let forfeited = credit.peek();
				T::Slashed::on_unbalanced(credit);
				if !forfeited.is_zero() {
					Self::deposit_event(Event::BondForfeited {
						peer: who.clone(),
						amount: forfeited,
						share: PartsPerBillion(share.deconstruct()),
					});
				}
			}
			let amount = T::Currency::release_all(
				&HoldReason::PeerBond.into(),
				&who,
				Precision::BestEffort,
			)?;
			if banned {
				peer.bond = Zero::zero();
				Peers::<T>::insert(&who, peer);
			} else {
				Peers::<T>::remove(&who);
				T::PeerLifecycle::on_unregistered(&who);
			}
			Self::deposit_event(Event::BondReleased { peer: who, amount });
			Ok(())
		}

		/// Record a batch of at most `MaxReceiptsPerBatch` co-signed receipts (a longer batch is
		/// charged as the longest and refused with [`Error::TooManyReceipts`]; an empty one with
		/// [`Error::EmptyBatch`]). Each receipt is checked and applied on its own:
		/// a rejected one changes nothing and is reported in [`Event::ReceiptRejected`] with its
		/// index; the others are recorded. If every receipt is rejected the call fails with the
		/// first one's reason.
		///
		/// Origin: signed, by anyone (either party, or a relayer paying the fee).
		/// Emits [`Event::ReceiptRecorded`] or [`Event::ReceiptRejected`] per receipt.
		///
		/// ## Weight
		/// Each signature is charged for its own scheme (ed25519, sr25519, ECDSA or Ethereum-style
		/// ECDSA: the calls
		/// are benchmarked with ed25519 and each other scheme adds what its check costs more,
		/// [`Pallet::signature_surcharge`]).
		/// Charged up front as if every receipt took [`Config::OnReceiptRecorded`]'s most; the
		/// call then refunds what the listener did not use (all of it for a rejected receipt;
		/// the listener's batch-shared reads for all but one), and, for each peer whose totals
		/// an earlier receipt of the same block had written, those totals' database read and
		/// write and the read of its registration (which that receipt read), so the fee and the
		/// block's weight follow what the batch really did.
		///
		/// ## Complexity
		/// O(n) in the number of receipts; each costs two signature checks and O(1) storage.
		#[pallet::call_index(3)]
		#[pallet::weight(Pallet::<T>::submit_receipts_weight(
			Pallet::<T>::charged_batch_len(receipts.len()),
			T::OnReceiptRecorded::weight()
				.saturating_mul(Pallet::<T>::charged_batch_len(receipts.len()).into()),
			Pallet::<T>::batch_signature_surcharge(receipts),
		))]
		pub fn submit_receipts(
			origin: OriginFor<T>,
			receipts: Vec<SignedReceiptOf<T>>,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			ensure!(!receipts.is_empty(), Error::<T>::EmptyBatch);
			ensure!(
				receipts.len() <= T::MaxReceiptsPerBatch::get() as usize,
				Error::<T>::TooManyReceipts
			);
			let context = Self::check_context();
			let mut recorded_any = false;
			let mut first_rejection = None;
			let mut listener_weight = Weight::zero();
			let mut warm_parties = 0u64;
			for (index, signed) in receipts.iter().enumerate() {
				match Self::record_receipt(signed, &context) {
					Ok(recorded) => {
						if !recorded_any {
							// The storage every listener call of a batch shares, paid once.
							listener_weight
								.saturating_accrue(T::OnReceiptRecorded::batch_shared_weight());
						}
						recorded_any = true;
						listener_weight.saturating_accrue(
							recorded.listener_weight.min(T::OnReceiptRecorded::weight()),
						);
						warm_parties.saturating_accrue(recorded.warm_parties);
					}
					Err(reason) => {
						first_rejection.get_or_insert(reason);
						Self::deposit_event(Event::ReceiptRejected {
							index: index.try_into().unwrap_or(u32::MAX),
							reason,
						});
					}
				}
			}
			let actual = Some(Self::recorded_batch_weight(
				Self::charged_batch_len(receipts.len()),
				listener_weight,
				Self::batch_signature_surcharge(&receipts),
				warm_parties,
			));
			match (recorded_any, first_rejection) {
				(false, Some(reason)) => Err(DispatchErrorWithPostInfo {
					post_info: actual.into(),
					error: Error::<T>::ReceiptRejected(reason).into(),
				}),
				_ => Ok(actual.into()),
			}
		}

		/// Prove that the signers of two receipts equivocated. Both receipts must be of the same
		/// (provider, consumer, service) on this chain, validly signed by both, and contradict
		/// each other. The provider's and consumer's bonds are each slashed by
		/// `equivocation_slash` and both are banned (their remaining bonds are released after
		/// `unbonding_period`); `reporter_reward` of the total goes to the caller, the rest to
		/// [`Config::Slashed`]. One offence per (provider, consumer, service, higher sequence of
		/// the two): another proof of the same offence is refused.
		///
		/// Origin: signed, by anyone but the two signers. (A signer reporting through another
		/// account of its own gets back `reporter_reward < 100%` of the slash, and is banned.)
		/// Errors: [`Error::ReporterIsOffender`], [`Error::ReceiptRejected`] (wrong genesis or
		/// signature), [`Error::NotAnEquivocation`], [`Error::OffenceAlreadyReported`],
		/// [`Error::NothingToSlash`].
		/// Emits [`Event::EquivocationPunished`] (both signers are banned from then on).
		///
		/// ## Complexity
		/// O(1): four signature checks, each charged for its scheme as in `submit_receipts`.
		#[pallet::call_index(4)]
		#[pallet::weight(
			T::WeightInfo::report_equivocation()
				.saturating_add(T::PeerLifecycle::weight().saturating_mul(2))
				.saturating_add(Pallet::<T>::receipt_signature_surcharge(first))
				.saturating_add(Pallet::<T>::receipt_signature_surcharge(second))
		)]
		pub fn report_equivocation(
			origin: OriginFor<T>,
			first: Box<SignedReceiptOf<T>>,
			second: Box<SignedReceiptOf<T>>,
		) -> DispatchResult {
			let reporter = ensure_signed(origin)?;
			ensure!(
				reporter != first.receipt.provider && reporter != first.receipt.consumer,
				Error::<T>::ReporterIsOffender
			);
			let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
			for signed in [&first, &second] {
				ensure!(
					signed.receipt.genesis_hash == genesis,
					Error::<T>::ReceiptRejected(Rejection::WrongGenesis)
				);
				Self::check_signatures(signed).map_err(Error::<T>::ReceiptRejected)?;
			}
			ensure!(
				receipts_contradict(&first.receipt, &second.receipt),
				Error::<T>::NotAnEquivocation
			);
			let proof_id = Self::offence_id(&first, &second);
			ensure!(!Offences::<T>::contains_key(proof_id), Error::<T>::OffenceAlreadyReported);

			let parameters = Parameters::<T>::get();
			let receipt = &first.receipt;
			let mut slashed = Credit::<T::AccountId, T::Currency>::zero();
			for offender in [&receipt.provider, &receipt.consumer] {
				slashed
					.subsume(Self::slash_bond(offender, parameters.equivocation_slash.perbill()));
			}
			let total = slashed.peek();
			ensure!(!total.is_zero(), Error::<T>::NothingToSlash);
			let reason: ReasonOf<T> = BoundedVec::truncate_from(EQUIVOCATION_REASON.to_vec());
			for offender in [&receipt.provider, &receipt.consumer] {
				Self::ban(offender, &reason);
			}

			let (reward, rest) = slashed.ration(
				parameters.reporter_reward.perbill().deconstruct(),
				Perbill::one()
					.deconstruct()
					.saturating_sub(parameters.reporter_reward.perbill().deconstruct()),
			);
			let reward_amount = reward.peek();
			// A reward the reporter's account cannot take (below the existential deposit) is
			// slashed like the rest.
			let unpaid = T::Currency::resolve(&reporter, reward).err();
			let paid = if unpaid.is_some() { Zero::zero() } else { reward_amount };
			let mut rest = rest;
			if let Some(unpaid) = unpaid {
				rest.subsume(unpaid);
			}
			T::Slashed::on_unbalanced(rest);

			Offences::<T>::insert(
				proof_id,
				OffenceRecord {
					provider: receipt.provider.clone(),
					consumer: receipt.consumer.clone(),
					service: receipt.service,
					reporter: reporter.clone(),
					slashed: total,
					at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::EquivocationPunished {
				provider: receipt.provider.clone(),
				consumer: receipt.consumer.clone(),
				service: receipt.service,
				slashed: total,
				reward: paid,
				reporter,
			});
			Ok(())
		}

		/// Sanction a peer: slash `slash` of its bond and ban it, recording `reason`. A banned
		/// peer's receipts are rejected; what is left of its bond is released to it by
		/// `withdraw_bond` after `unbonding_period` blocks.
		///
		/// Origin: [`Config::GovernanceOrigin`].
		/// Emits [`Event::PeerSanctioned`].
		///
		/// ## Complexity
		/// O(1).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::sanction().saturating_add(T::PeerLifecycle::weight()))]
		pub fn sanction(
			origin: OriginFor<T>,
			peer: T::AccountId,
			slash: PartsPerBillion,
			reason: ReasonOf<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(slash.is_at_most_one(), Error::<T>::SlashAbove100Percent);
			let info = Peers::<T>::get(&peer).ok_or(Error::<T>::NotRegistered)?;
			ensure!(info.may_transact(), Error::<T>::PeerBanned);
			let credit = Self::slash_bond(&peer, slash.perbill());
			let slashed = credit.peek();
			T::Slashed::on_unbalanced(credit);
			Self::ban(&peer, &reason);
			Self::deposit_event(Event::PeerSanctioned { peer, slashed, reason });
			Ok(())
		}

		/// Replace the parameters of shared history. Bonds already held keep their amount; the
		/// new bond applies to registrations from now on.
		///
		/// Origin: [`Config::GovernanceOrigin`].
		/// Emits [`Event::ParametersSet`] with the old and new values.
		///
		/// ## Complexity
		/// O(1).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(origin: OriginFor<T>, new: ParametersOf<T>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::validate_parameters(&new)?;
			let old = Parameters::<T>::get();
			Parameters::<T>::put(&new);
			Self::deposit_event(Event::ParametersSet { old, new });
			Ok(())
		}
	}

	/// The reason recorded for a peer banned by a proof of equivocation.
	pub const EQUIVOCATION_REASON: &[u8] = b"equivocation";

	/// What recording one receipt cost beyond `submit_receipts`' benchmarked worst case.
	struct Recorded {
		/// What [`Config::OnReceiptRecorded`] says it took, without its batch-shared part.
		listener_weight: Weight,
		/// How many of the two peers' totals were already written in this block. The pallet's
		/// benchmark counts, for each peer, a database read of its registration and a read and
		/// a write of its totals; for such a peer, the totals are in the block's overlay and its
		/// registration was read by the receipt that wrote them, so none reaches the database.
		warm_parties: u64,
	}

	/// What every receipt of one batch is checked against.
	pub(crate) struct CheckContext<T: Config> {
		genesis_hash: T::Hash,
		now_ms: u64,
		now: BlockNumberFor<T>,
		parameters: ParametersOf<T>,
	}

	impl<T: Config> Pallet<T> {
		/// The number of receipts a batch of `len` is charged for: `len`, or the most a batch
		/// may hold when it holds more (it is then refused before any receipt is checked).
		pub fn charged_batch_len(len: usize) -> u32 {
			u32::try_from(len).unwrap_or(u32::MAX).min(T::MaxReceiptsPerBatch::get())
		}

		/// The weight of a `submit_receipts` of `len` receipts whose listener calls took
		/// `listener` in all and whose signatures cost `signatures` more to check than ed25519
		/// ones ([`Self::batch_signature_surcharge`]): this pallet's own work (benchmarked without
		/// a listener, with ed25519 signatures) plus theirs.
		pub fn submit_receipts_weight(len: u32, listener: Weight, signatures: Weight) -> Weight {
			T::WeightInfo::submit_receipts(len).saturating_add(listener).saturating_add(signatures)
		}

		/// The weight a `submit_receipts` of `len` receipts is charged once it ran: its
		/// [`Self::submit_receipts_weight`], less [`Self::warm_party_refund`] for each of the
		/// `warm_parties` peers whose totals an earlier receipt of the block had written.
		pub fn recorded_batch_weight(
			len: u32,
			listener: Weight,
			signatures: Weight,
			warm_parties: u64,
		) -> Weight {
			Self::submit_receipts_weight(len, listener, signatures)
				.saturating_sub(Self::warm_party_refund().saturating_mul(warm_parties))
		}

		/// What a receipt is refunded for each of its peers whose totals an earlier receipt of
		/// the same block wrote: the totals' database read and write (they are read from, and
		/// written to, the block's overlay) and the read of the peer's registration (read by
		/// that earlier receipt, so served from the block's cache: FRAME's benchmarks charge a
		/// key's repeated reads nothing).
		pub fn warm_party_refund() -> Weight {
			T::DbWeight::get().reads_writes(2, 1)
		}

		/// What checking a signature of `scheme` costs beyond an ed25519 one. The calls that
		/// check signatures are benchmarked with ed25519 signatures and add this for each
		/// signature of another scheme they carry, so a transaction is charged for the schemes
		/// it really uses. Never negative: a scheme measured cheaper than ed25519 is charged as
		/// ed25519.
		pub fn signature_surcharge(scheme: SignatureScheme) -> Weight {
			let check = match scheme {
				SignatureScheme::Ed25519 => T::WeightInfo::verify_ed25519(),
				SignatureScheme::Sr25519 => T::WeightInfo::verify_sr25519(),
				SignatureScheme::Ecdsa => T::WeightInfo::verify_ecdsa(),
				SignatureScheme::Eth => T::WeightInfo::verify_eth(),
			};
			check.saturating_sub(T::WeightInfo::verify_ed25519())
		}

		/// The largest [`Self::signature_surcharge`] of any scheme.
		pub fn max_signature_surcharge() -> Weight {
			SignatureScheme::ALL
				.into_iter()
				.map(Self::signature_surcharge)
				.fold(Weight::zero(), |max, surcharge| max.max(surcharge))
		}

		/// The [`Self::signature_surcharge`] of both signatures of each receipt of `receipts`
		/// that a `submit_receipts` is charged for (the first `MaxReceiptsPerBatch`).
		pub fn batch_signature_surcharge(receipts: &[SignedReceiptOf<T>]) -> Weight {
			receipts
				.iter()
				.take(T::MaxReceiptsPerBatch::get() as usize)
				.map(Self::receipt_signature_surcharge)
				.fold(Weight::zero(), |total, surcharge| total.saturating_add(surcharge))
		}

		/// The [`Self::signature_surcharge`] of a co-signed receipt's two signatures.
		pub fn receipt_signature_surcharge(signed: &SignedReceiptOf<T>) -> Weight {
			Self::signature_surcharge(signed.provider_signature.scheme())
				.saturating_add(Self::signature_surcharge(signed.consumer_signature.scheme()))
		}

		/// Refuses parameters that would make the pallet unusable or unsafe.
		pub fn validate_parameters(parameters: &ParametersOf<T>) -> DispatchResult {
			ensure!(
				parameters.peer_bond >= T::Currency::minimum_balance()
					&& !parameters.unbonding_period.is_zero()
					&& parameters.max_receipt_age_ms > 0
					&& parameters.equivocation_slash.is_at_most_one()
					&& parameters.reporter_reward < PartsPerBillion::ONE,
				Error::<T>::InvalidParameters
			);
			Ok(())
		}

		fn check_context() -> CheckContext<T> {
			CheckContext {
				genesis_hash: frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero()),
				now_ms: u64::try_from(T::Time::now().as_millis()).unwrap_or(u64::MAX),
				now: frame_system::Pallet::<T>::block_number(),
				parameters: Parameters::<T>::get(),
			}
		}

		/// Checks one receipt against the rules and, only if it passes all of them, records it;
		/// returns what recording it cost beyond this pallet's benchmarked worst case.
		fn record_receipt(
			signed: &SignedReceiptOf<T>,
			context: &CheckContext<T>,
		) -> Result<Recorded, Rejection> {
			let receipt = &signed.receipt;
			if receipt.genesis_hash != context.genesis_hash {
				return Err(Rejection::WrongGenesis);
			}
			if receipt.provider == receipt.consumer {
				return Err(Rejection::SelfDealing);
			}
			if receipt.service >= T::MaxServices::get() {
				return Err(Rejection::UnknownService);
			}
			let provider =
				Peers::<T>::get(&receipt.provider).ok_or(Rejection::ProviderNotRegistered)?;
			let consumer =
				Peers::<T>::get(&receipt.consumer).ok_or(Rejection::ConsumerNotRegistered)?;
			if !provider.may_transact() {
				return Err(Rejection::ProviderBanned);
			}
			if !consumer.may_transact() {
				return Err(Rejection::ConsumerBanned);
			}
			if receipt.timestamp_ms.saturating_add(context.parameters.max_receipt_age_ms)
				< context.now_ms
			{
				return Err(Rejection::TimestampTooOld);
			}
			if receipt.timestamp_ms
				> context.now_ms.saturating_add(context.parameters.max_clock_drift_ms)
			{
				return Err(Rejection::TimestampInFuture);
			}

			let key = (receipt.provider.clone(), receipt.consumer.clone(), receipt.service);
			let previous = Served::<T>::get(&key);
			let new_pair = previous.is_none();
			let previous = previous.unwrap_or_default();
			if !new_pair && receipt.sequence <= previous.sequence {
				return Err(Rejection::StaleSequence);
			}
			let delta = receipt
				.cumulative_units
				.checked_sub(previous.cumulative_units)
				.ok_or(Rejection::UnitsDecreased)?;
			if delta == 0 {
				return Err(Rejection::NoNewUnits);
			}

			let mut provider_totals = Totals::<T>::get(&receipt.provider, receipt.service);
			let mut consumer_totals = Totals::<T>::get(&receipt.consumer, receipt.service);
			let warm_parties = [&provider_totals, &consumer_totals]
				.into_iter()
				.filter(|totals| totals.written_at(context.now))
				.count() as u64;
			provider_totals.units_served =
				provider_totals.units_served.checked_add(delta).ok_or(Rejection::Overflow)?;
			consumer_totals.units_consumed =
				consumer_totals.units_consumed.checked_add(delta).ok_or(Rejection::Overflow)?;
			for totals in [&mut provider_totals, &mut consumer_totals] {
				totals.receipts = totals.receipts.checked_add(1).ok_or(Rejection::Overflow)?;
				if totals.receipts == 1 {
					totals.first_activity = context.now;
				}
				totals.last_activity = context.now;
			}

			// Signatures last: they are the most expensive check.
			Self::check_signatures(signed)?;

			Served::<T>::insert(
				&key,
				PairLedger {
					sequence: receipt.sequence,
					cumulative_units: receipt.cumulative_units,
					last_update: context.now,
				},
			);
			if new_pair {
				ServedBy::<T>::insert((&receipt.consumer, &receipt.provider, receipt.service), ());
			}
			Totals::<T>::insert(&receipt.provider, receipt.service, provider_totals);
			Totals::<T>::insert(&receipt.consumer, receipt.service, consumer_totals);
			let listener_weight = T::OnReceiptRecorded::on_receipt_recorded(
				&receipt.provider,
				&receipt.consumer,
				receipt.service,
				delta,
				receipt.cumulative_units,
				context.now,
			);
			Self::deposit_event(Event::ReceiptRecorded {
				provider: receipt.provider.clone(),
				consumer: receipt.consumer.clone(),
				service: receipt.service,
				delta,
				total: receipt.cumulative_units,
				sequence: receipt.sequence,
			});
			Ok(Recorded { listener_weight, warm_parties })
		}

		/// Both parties' signatures over the receipt's signing payload.
		fn check_signatures(signed: &SignedReceiptOf<T>) -> Result<(), Rejection> {
			let payload = signed.receipt.signing_payload();
			if !signed.provider_signature.verify(&payload[..], &signed.receipt.provider) {
				return Err(Rejection::InvalidProviderSignature);
			}
			if !signed.consumer_signature.verify(&payload[..], &signed.receipt.consumer) {
				return Err(Rejection::InvalidConsumerSignature);
			}
			Ok(())
		}

		/// The identity of an offence: (provider, consumer, service, the higher sequence of the
		/// two receipts). Every pair of contradicting receipts that ends at the same sequence is
		/// the same offence, whichever order and whatever units or timestamps they carry.
		fn offence_id(first: &SignedReceiptOf<T>, second: &SignedReceiptOf<T>) -> [u8; 32] {
			let receipt = &first.receipt;
			let sequence = first.receipt.sequence.max(second.receipt.sequence);
			(&receipt.provider, &receipt.consumer, receipt.service, sequence)
				.using_encoded(sp_io::hashing::blake2_256)
		}

		/// Holds the current `peer_bond` from `who`'s free balance and registers it as an
		/// active peer. The caller checked it is not registered yet.
		fn bond(who: &T::AccountId) -> Result<BalanceOf<T>, Error<T>> {
			let bond = Parameters::<T>::get().peer_bond;
			T::Currency::hold(&HoldReason::PeerBond.into(), who, bond)
				.map_err(|_| Error::<T>::InsufficientBalanceForBond)?;
			let now = frame_system::Pallet::<T>::block_number();
			Peers::<T>::insert(
				who,
				PeerInfo { bond, status: PeerStatus::Active, registered_at: now },
			);
			T::PeerLifecycle::on_registered(who);
			Ok(bond)
		}

		/// Bans `who` (if it is a peer and not banned yet) for `reason`, from now.
		fn ban(who: &T::AccountId, reason: &ReasonOf<T>) {
			let Some(mut info) = Peers::<T>::get(who) else { return };
			if !info.may_transact() {
				return;
			}
			info.status = PeerStatus::Banned {
				reason: reason.clone(),
				at: frame_system::Pallet::<T>::block_number(),
			};
			Peers::<T>::insert(who, info);
			T::PeerLifecycle::on_banned(who);
		}

		/// Slashes `fraction` of `who`'s bond, if it is a peer, and returns the slashed funds.
		fn slash_bond(who: &T::AccountId, fraction: Perbill) -> Credit<T::AccountId, T::Currency> {
			let Some(mut info) = Peers::<T>::get(who) else {
				return Credit::<T::AccountId, T::Currency>::zero();
			};
			let amount = fraction.mul_floor(info.bond);
			let (credit, _missing) = <T::Currency as BalancedHold<T::AccountId>>::slash(
				&HoldReason::PeerBond.into(),
				who,
				amount,
			);
			info.bond = info.bond.saturating_sub(credit.peek());
			Peers::<T>::insert(who, info);
			credit
		}

		/// Registers a synthetic population, funded and bonded, with a pair ledger per
		/// (provider, consumer) and consistent totals. Genesis only: it panics on bad input.
		#[cfg(any(test, feature = "synthetic-population"))]
		fn build_synthetic(history: repute_primitives::synthetic::SyntheticHistory) {
			use repute_primitives::synthetic::{account, provider};
			let who = |index: u32| {
				T::AccountId::decode(&mut &account(index)[..]).expect("32-byte accounts decode")
			};
			let bond = Parameters::<T>::get().peer_bond;
			for index in 0..history.peers {
				let peer = who(index);
				let funds =
					bond.saturating_add(bond).saturating_add(T::Currency::minimum_balance());
				T::Currency::set_balance(&peer, funds);
				T::Currency::hold(&HoldReason::PeerBond.into(), &peer, bond)
					.expect("a funded account holds its bond");
				Peers::<T>::insert(
					&peer,
					PeerInfo { bond, status: PeerStatus::Active, registered_at: Zero::zero() },
				);
			}
			for consumer_index in 0..history.peers {
				let consumer = who(consumer_index);
				for k in 0..history.partners.min(history.peers.saturating_sub(1)) {
					let provider = who(provider(consumer_index, k, history.peers));
					Served::<T>::insert(
						(&provider, &consumer, 0),
						PairLedger {
							sequence: 1,
							cumulative_units: history.units,
							last_update: Zero::zero(),
						},
					);
					ServedBy::<T>::insert((&consumer, &provider, 0), ());
					Totals::<T>::mutate(&provider, 0, |t| {
						t.units_served = t.units_served.saturating_add(history.units);
						t.receipts = t.receipts.saturating_add(1);
					});
					Totals::<T>::mutate(&consumer, 0, |t| {
						t.units_consumed = t.units_consumed.saturating_add(history.units);
						t.receipts = t.receipts.saturating_add(1);
					});
				}
			}
		}

		/// `who`'s bond status and held bond, as the runtime API reports them.
		pub fn bond_status(
			who: &T::AccountId,
		) -> (repute_primitives::reputation::BondStatus<BlockNumberFor<T>>, BalanceOf<T>) {
			use repute_primitives::reputation::BondStatus;
			match Peers::<T>::get(who) {
				None => (BondStatus::NotRegistered, Zero::zero()),
				Some(info) => (
					match info.status {
						PeerStatus::Active => BondStatus::Active,
						PeerStatus::Unbonding { unlock_at } => BondStatus::Unbonding { unlock_at },
						PeerStatus::Banned { at, .. } => BondStatus::Banned { at },
					},
					info.bond,
				),
			}
		}

		/// `who`'s totals summed over every service it took part in.
		pub fn totals_of(who: &T::AccountId) -> PeerTotals<BlockNumberFor<T>> {
			Totals::<T>::iter_prefix_values(who).fold(PeerTotals::default(), |sum, t| PeerTotals {
				units_served: sum.units_served.saturating_add(t.units_served),
				units_consumed: sum.units_consumed.saturating_add(t.units_consumed),
				receipts: sum.receipts.saturating_add(t.receipts),
				first_activity: if sum.receipts == 0 {
					t.first_activity
				} else {
					sum.first_activity.min(t.first_activity)
				},
				last_activity: sum.last_activity.max(t.last_activity),
			})
		}

		/// Up to `limit` of `who`'s partnerships in `direction`, skipping the first `start`, in
		/// storage order (stable between blocks that do not add partnerships).
		///
		/// Costs O(`start` + `limit`) storage reads: callers bound both.
		pub fn partners(
			who: &T::AccountId,
			direction: repute_primitives::reputation::PartnerDirection,
			start: u32,
			limit: u32,
		) -> alloc::vec::Vec<repute_primitives::reputation::Partner<T::AccountId, BlockNumberFor<T>>>
		{
			use repute_primitives::reputation::{Partner, PartnerDirection};
			let to_partner = |peer: T::AccountId,
			                  service: repute_primitives::ServiceId,
			                  ledger: PairLedger<BlockNumberFor<T>>| Partner {
				peer,
				service,
				cumulative_units: ledger.cumulative_units,
				sequence: ledger.sequence,
				last_update: ledger.last_update,
			};
			let (start, limit) = (start as usize, limit as usize);
			match direction {
				PartnerDirection::Served => Served::<T>::iter_prefix((who,))
					.skip(start)
					.take(limit)
					.map(|((consumer, service), ledger)| to_partner(consumer, service, ledger))
					.collect(),
				PartnerDirection::ServedBy => ServedBy::<T>::iter_key_prefix((who,))
					.skip(start)
					.take(limit)
					.filter_map(|(provider, service)| {
						Served::<T>::get((&provider, who, service))
							.map(|ledger| to_partner(provider, service, ledger))
					})
					.collect(),
			}
		}

		/// The storage keys a peer report reads from this pallet: its registration, its totals
		/// per service and the parameters. A client checks them against a block's state root.
		pub fn report_keys(who: &T::AccountId) -> alloc::vec::Vec<alloc::vec::Vec<u8>> {
			let mut keys = alloc::vec![Peers::<T>::hashed_key_for(who)];
			keys.extend(
				Totals::<T>::iter_key_prefix(who)
					.map(|service| Totals::<T>::hashed_key_for(who, service)),
			);
			keys
		}

		/// Checks the pallet's invariants: every peer's recorded bond is exactly what is held for
		/// it, and every reverse index entry has its ledger.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			for (peer, info) in Peers::<T>::iter() {
				let held = T::Currency::balance_on_hold(&HoldReason::PeerBond.into(), &peer);
				ensure!(held == info.bond, "a peer's recorded bond differs from its held balance");
			}
			for ((consumer, provider, service), ()) in ServedBy::<T>::iter() {
				ensure!(
					Served::<T>::contains_key((&provider, &consumer, service)),
					"a reverse index entry has no ledger"
				);
			}
			Ok(())
		}
	}
}
