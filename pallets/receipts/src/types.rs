//! The data the receipts pallet stores and reports.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt::Debug;
use frame_support::{
	pallet_prelude::{BoundedVec, Get},
	traits::fungible,
};
use repute_primitives::{parameters::PartsPerBillion, Receipt, SignedReceipt};
use scale_info::TypeInfo;

/// An amount of the currency that bonds are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// The block number as the pallet sees it.
pub type BlockNumberOf<T> = frame_system::pallet_prelude::BlockNumberFor<T>;
/// A receipt as this chain names accounts and hashes.
pub type ReceiptOf<T> =
	Receipt<<T as frame_system::Config>::AccountId, <T as frame_system::Config>::Hash>;
/// A co-signed receipt as this chain names accounts, hashes and signatures.
pub type SignedReceiptOf<T> = SignedReceipt<
	<T as frame_system::Config>::AccountId,
	<T as frame_system::Config>::Hash,
	<T as Config>::Signature,
>;
/// Why governance sanctioned a peer, in at most `MaxReasonLength` bytes of UTF-8.
pub type ReasonOf<T> = BoundedVec<u8, <T as Config>::MaxReasonLength>;
/// The parameters as this chain's types fill them.
pub type ParametersOf<T> = ReceiptParameters<BalanceOf<T>, BlockNumberOf<T>>;
/// A peer's record as this chain's types fill it.
pub type PeerOf<T> = PeerInfo<BalanceOf<T>, BlockNumberOf<T>, ReasonOf<T>>;

/// Where a registered peer stands.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum PeerStatus<BlockNumber, Reason> {
	/// Bonded and taking part: its receipts are recorded.
	Active,
	/// Leaving: its receipts are still recorded, and its bond is released at `unlock_at`
	/// unless it is sanctioned first.
	Unbonding {
		/// The first block at which `withdraw_bond` succeeds.
		unlock_at: BlockNumber,
	},
	/// Banned, by governance or for a proven equivocation: receipts that name it are rejected;
	/// what is left of its bond can be withdrawn `unbonding_period` blocks after `at`.
	Banned {
		/// Why, as governance recorded it.
		reason: Reason,
		/// When the ban was imposed.
		at: BlockNumber,
	},
}

/// A registered peer identity.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct PeerInfo<Balance, BlockNumber, Reason> {
	/// The balance held as this peer's bond (less anything slashed).
	pub bond: Balance,
	/// Where the peer stands.
	pub status: PeerStatus<BlockNumber, Reason>,
	/// When the peer registered.
	pub registered_at: BlockNumber,
}

impl<Balance, BlockNumber, Reason> PeerInfo<Balance, BlockNumber, Reason> {
	/// Whether receipts naming this peer may be recorded.
	pub fn may_transact(&self) -> bool {
		!matches!(self.status, PeerStatus::Banned { .. })
	}
}

/// The newest receipt the chain has recorded for one (provider, consumer, service).
#[derive(Clone, Default, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct PairLedger<BlockNumber> {
	/// The sequence number of the newest recorded receipt.
	pub sequence: u64,
	/// The cumulative units of the newest recorded receipt.
	pub cumulative_units: u128,
	/// The block that recorded it.
	pub last_update: BlockNumber,
}

/// One peer's totals for one service, over all its partners.
#[derive(Clone, Default, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct PeerTotals<BlockNumber> {
	/// Units of the service this peer has given others.
	pub units_served: u128,
	/// Units of the service this peer has received from others.
	pub units_consumed: u128,
	/// Receipts recorded with this peer on either side.
	pub receipts: u64,
	/// The block of the first recorded receipt.
	pub first_activity: BlockNumber,
	/// The block of the latest recorded receipt.
	pub last_activity: BlockNumber,
}

impl<BlockNumber: PartialEq> PeerTotals<BlockNumber> {
	/// Whether a receipt recorded in block `now` already wrote these totals: they are then in
	/// the block's overlay, where reading and writing them again costs no database access.
	pub fn written_at(&self, now: BlockNumber) -> bool {
		self.receipts > 0 && self.last_activity == now
	}
}

/// A punished equivocation.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct OffenceRecord<AccountId, Balance, BlockNumber> {
	/// The provider of the contradicting receipts.
	pub provider: AccountId,
	/// The consumer of the contradicting receipts.
	pub consumer: AccountId,
	/// The service the receipts counted.
	pub service: repute_primitives::ServiceId,
	/// Who proved it, and was rewarded.
	pub reporter: AccountId,
	/// The total slashed from both bonds.
	pub slashed: Balance,
	/// The block that punished it.
	pub at: BlockNumber,
}

pub use repute_primitives::parameters::ReceiptParameters;

/// Defaults for a fresh chain: a bond of `Bond`, a day of unbonding at 6-second blocks, receipts
/// up to a day old and a minute ahead, 10% slashed per equivocation, half of it to the reporter.
pub struct DefaultParameters<Bond>(core::marker::PhantomData<Bond>);

impl<Bond, Balance, BlockNumber> Get<ReceiptParameters<Balance, BlockNumber>>
	for DefaultParameters<Bond>
where
	Bond: Get<Balance>,
	BlockNumber: From<u32>,
{
	fn get() -> ReceiptParameters<Balance, BlockNumber> {
		ReceiptParameters {
			peer_bond: Bond::get(),
			unbonding_period: BlockNumber::from(14_400),
			max_receipt_age_ms: 24 * 60 * 60 * 1000,
			max_clock_drift_ms: 60 * 1000,
			equivocation_slash: PartsPerBillion::from_percent(10),
			reporter_reward: PartsPerBillion::from_percent(50),
		}
	}
}

/// Why one receipt of a batch was not recorded. The pallet's `ReceiptRejected` error carries it
/// too, when no receipt of a batch was recorded (the first one's reason).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	frame_support::PalletError,
)]
pub enum Rejection {
	/// The receipt names another chain's genesis hash.
	WrongGenesis,
	/// Provider and consumer are the same account.
	SelfDealing,
	/// The provider is not a registered peer.
	ProviderNotRegistered,
	/// The consumer is not a registered peer.
	ConsumerNotRegistered,
	/// The provider is banned.
	ProviderBanned,
	/// The consumer is banned.
	ConsumerBanned,
	/// The sequence number is not above the newest recorded one for this pair and service.
	StaleSequence,
	/// The cumulative units are below the newest recorded ones for this pair and service.
	UnitsDecreased,
	/// The timestamp is older than `max_receipt_age_ms`.
	TimestampTooOld,
	/// The timestamp is more than `max_clock_drift_ms` ahead of the chain.
	TimestampInFuture,
	/// The provider's signature does not verify.
	InvalidProviderSignature,
	/// The consumer's signature does not verify.
	InvalidConsumerSignature,
	/// Recording the receipt would overflow a total.
	Overflow,
	/// The cumulative units equal the newest recorded ones (or are zero for a new pair): the
	/// receipt records nothing, so it is refused rather than stored.
	NoNewUnits,
	/// The service id is not below the runtime's `MaxServices`.
	UnknownService,
}

/// Lets other pallets (reputation) learn of every recorded delta without reading this pallet's
/// storage. Implemented for `()` (nobody listens).
pub trait OnReceiptRecorded<AccountId, BlockNumber> {
	/// `provider` gave `consumer` `delta` more units of `service`, for a pair total of `total`.
	/// Returns the weight this call took without [`Self::batch_shared_weight`], at most
	/// [`Self::weight`]: `submit_receipts` is charged [`Self::weight`] per receipt up front,
	/// then charges what the calls returned plus [`Self::batch_shared_weight`] once per batch,
	/// and refunds the difference.
	fn on_receipt_recorded(
		provider: &AccountId,
		consumer: &AccountId,
		service: repute_primitives::ServiceId,
		delta: u128,
		total: u128,
		now: BlockNumber,
	) -> frame_support::weights::Weight;

	/// The most weight one call of `on_receipt_recorded` may take, batch-shared part included.
	fn weight() -> frame_support::weights::Weight;

	/// The part of every call's weight spent on storage that all calls of one batch share (a
	/// value read once and then served from the block's cache): charged once per batch.
	fn batch_shared_weight() -> frame_support::weights::Weight;
}

impl<AccountId, BlockNumber> OnReceiptRecorded<AccountId, BlockNumber> for () {
	fn on_receipt_recorded(
		_: &AccountId,
		_: &AccountId,
		_: repute_primitives::ServiceId,
		_: u128,
		_: u128,
		_: BlockNumber,
	) -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}

	fn weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}

	fn batch_shared_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

/// Two listeners, told in order (reputation, then payments, in this runtime): each call's weight
/// is the sum of theirs.
impl<AccountId, BlockNumber: Copy, A, B> OnReceiptRecorded<AccountId, BlockNumber> for (A, B)
where
	A: OnReceiptRecorded<AccountId, BlockNumber>,
	B: OnReceiptRecorded<AccountId, BlockNumber>,
{
	fn on_receipt_recorded(
		provider: &AccountId,
		consumer: &AccountId,
		service: repute_primitives::ServiceId,
		delta: u128,
		total: u128,
		now: BlockNumber,
	) -> frame_support::weights::Weight {
		A::on_receipt_recorded(provider, consumer, service, delta, total, now)
			.saturating_add(B::on_receipt_recorded(provider, consumer, service, delta, total, now))
	}

	fn weight() -> frame_support::weights::Weight {
		A::weight().saturating_add(B::weight())
	}

	fn batch_shared_weight() -> frame_support::weights::Weight {
		A::batch_shared_weight().saturating_add(B::batch_shared_weight())
	}
}

/// Lets other pallets (reputation) follow peers' registrations and bans without reading this
/// pallet's storage, and say what a leaving peer owes. Implemented for `()` (nobody listens;
/// nothing is forfeited).
pub trait PeerLifecycle<AccountId> {
	/// `peer` registered (or registered again after withdrawing its bond).
	fn on_registered(peer: &AccountId);
	/// Governance banned `peer`.
	fn on_banned(peer: &AccountId);
	/// `peer` started unbonding: it is leaving, and is no longer to be served on the bond it is
	/// taking back.
	fn on_unbonding(peer: &AccountId);
	/// `peer` withdrew its bond and is no longer registered.
	fn on_unregistered(peer: &AccountId);
	/// `peer` is withdrawing its bond: the share of the bond that pays for what it took on its
	/// stranger allowance and never earned back, which the bond stands for. The listener
	/// counts that debt as paid (the caller slashes exactly this share).
	fn settle_on_leaving(peer: &AccountId) -> sp_runtime::Perbill;
	/// The most weight one call of any of these may take.
	fn weight() -> frame_support::weights::Weight;
}

impl<AccountId> PeerLifecycle<AccountId> for () {
	fn on_registered(_: &AccountId) {}
	fn on_banned(_: &AccountId) {}
	fn on_unbonding(_: &AccountId) {}
	fn on_unregistered(_: &AccountId) {}
	fn settle_on_leaving(_: &AccountId) -> sp_runtime::Perbill {
		sp_runtime::Perbill::zero()
	}
	fn weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

/// The signature schemes a receipt can be signed with. Their checks cost different weights, so
/// a batch is charged for the schemes its receipts carry (see [`SignatureKind`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SignatureScheme {
	/// Ed25519 (ZIP-215 rules, as the runtime's host function checks them).
	Ed25519,
	/// Sr25519 (Schnorr over Ristretto, the `substrate` signing context).
	Sr25519,
	/// ECDSA over secp256k1 of the payload's blake2 hash: the signer's key is recovered from the
	/// signature, then hashed into the account.
	Ecdsa,
	/// ECDSA over secp256k1 of the payload's keccak hash, for Ethereum-style accounts (the
	/// key's Ethereum address padded with `0xEE`).
	Eth,
}

impl SignatureScheme {
	/// Every scheme, in a fixed order.
	pub const ALL: [SignatureScheme; 4] = [
		SignatureScheme::Ed25519,
		SignatureScheme::Sr25519,
		SignatureScheme::Ecdsa,
		SignatureScheme::Eth,
	];
}

/// A signature that tells which scheme it is of, before it is checked.
pub trait SignatureKind {
	/// The scheme this signature claims to be of (what checking it will cost).
	fn scheme(&self) -> SignatureScheme;
}

impl SignatureKind for sp_runtime::MultiSignature {
	fn scheme(&self) -> SignatureScheme {
		match self {
			sp_runtime::MultiSignature::Ed25519(_) => SignatureScheme::Ed25519,
			sp_runtime::MultiSignature::Sr25519(_) => SignatureScheme::Sr25519,
			sp_runtime::MultiSignature::Ecdsa(_) => SignatureScheme::Ecdsa,
			sp_runtime::MultiSignature::Eth(_) => SignatureScheme::Eth,
		}
	}
}

/// Creates accounts and signatures for benchmarks, so they can build valid receipts whatever
/// the runtime's signature type.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, Signature> {
	/// A fresh signer of `scheme`, distinct for each (`index`, `scheme`).
	fn create_signer(index: u32, scheme: SignatureScheme) -> AccountId;
	/// `signer`'s signature of `message`, in the scheme `signer` was created with.
	fn sign(signer: &AccountId, message: &[u8]) -> Signature;
}

/// The benchmark helper for keys of every scheme in the runtime's keystore, for `AccountId32`
/// accounts and `MultiSignature`.
#[cfg(feature = "runtime-benchmarks")]
pub struct KeystoreBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl BenchmarkHelper<sp_runtime::AccountId32, sp_runtime::MultiSignature>
	for KeystoreBenchmarkHelper
{
	fn create_signer(index: u32, scheme: SignatureScheme) -> sp_runtime::AccountId32 {
		use sp_runtime::traits::IdentifyAccount;
		let seed = alloc::format!("//repute-bench-{scheme:?}-{index}").into_bytes();
		let signer: sp_runtime::MultiSigner = match scheme {
			SignatureScheme::Ed25519 => sp_io::crypto::ed25519_generate(ED25519, Some(seed)).into(),
			SignatureScheme::Sr25519 => sp_io::crypto::sr25519_generate(SR25519, Some(seed)).into(),
			SignatureScheme::Ecdsa => sp_io::crypto::ecdsa_generate(ECDSA, Some(seed)).into(),
			SignatureScheme::Eth => sp_runtime::MultiSigner::Eth(keccak_public(
				sp_io::crypto::ecdsa_generate(ETH, Some(seed)),
			)),
		};
		signer.into_account()
	}

	fn sign(signer: &sp_runtime::AccountId32, message: &[u8]) -> sp_runtime::MultiSignature {
		let raw: [u8; 32] = signer.clone().into();
		if let Some(signature) =
			sp_io::crypto::ed25519_sign(ED25519, &sp_core::ed25519::Public::from_raw(raw), message)
		{
			return signature.into();
		}
		if let Some(signature) =
			sp_io::crypto::sr25519_sign(SR25519, &sp_core::sr25519::Public::from_raw(raw), message)
		{
			return signature.into();
		}
		// An ECDSA or Ethereum account is a hash of its key: find the key (a linear search,
		// fine for the few such signers benchmarks create).
		let account_of = |signer: sp_runtime::MultiSigner| -> [u8; 32] {
			use sp_runtime::traits::IdentifyAccount;
			signer.into_account().into()
		};
		if let Some(public) = sp_io::crypto::ecdsa_public_keys(ECDSA)
			.into_iter()
			.find(|public| account_of(sp_runtime::MultiSigner::Ecdsa(*public)) == raw)
		{
			return sp_io::crypto::ecdsa_sign(ECDSA, &public, message)
				.expect("the key is in the keystore")
				.into();
		}
		sp_io::crypto::ecdsa_public_keys(ETH)
			.into_iter()
			.find(|public| account_of(sp_runtime::MultiSigner::Eth(keccak_public(*public))) == raw)
			.and_then(|public| {
				let hash = sp_io::hashing::keccak_256(message);
				sp_io::crypto::ecdsa_sign_prehashed(ETH, &public, &hash)
			})
			.map(|signature| {
				let bytes: [u8; 65] = signature.into();
				sp_runtime::MultiSignature::Eth(bytes.into())
			})
			.expect("benchmark keys are generated in the keystore first")
	}
}

/// The same secp256k1 key, as the key of an Ethereum-style account.
#[cfg(feature = "runtime-benchmarks")]
fn keccak_public(public: sp_core::ecdsa::Public) -> sp_core::ecdsa::KeccakPublic {
	let bytes: [u8; 33] = public.into();
	bytes.into()
}

/// The keystore key types benchmark signers live under, one per scheme: the test keystore finds a
/// key by its type and public bytes only, and would sign with the wrong scheme if they shared one.
#[cfg(feature = "runtime-benchmarks")]
const ED25519: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"rbce");
#[cfg(feature = "runtime-benchmarks")]
const SR25519: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"rbcs");
#[cfg(feature = "runtime-benchmarks")]
const ECDSA: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"rbck");
#[cfg(feature = "runtime-benchmarks")]
const ETH: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"rbcx");
