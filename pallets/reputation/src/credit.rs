//! The credit model: where a receipt becomes admission credit.
//!
//! ## The guarantee
//!
//! > No coalition of k identities, whatever units its members co-sign among themselves, can
//! > take more from peers outside it than those peers co-signed as received from it, plus k
//! > stranger allowances.
//!
//! ## The model
//!
//! Every peer has a decayed *service* `S` (credit earned by serving) and *usage* `U` (units
//! consumed). With `r = usage_allowance_percent / 100 ≤ 1` and `a` the stranger allowance in
//! force, its *admission credit* is
//!
//! ```text
//! credit = r·S + a − U        (denied once it is below zero)
//! ```
//!
//! When `provider` gives `consumer` `delta` units, on a receipt both signed:
//!
//! ```text
//! vouched = min(delta, max(0, credit(consumer)))      -- before the consumer is charged
//! S(provider) += vouched        U(consumer) += delta
//! debt(consumer → provider) += delta − vouched
//! ```
//!
//! A consumer vouches only out of its own credit: credit moves from consumer to provider and is
//! never created. What it could not vouch for is a *debt* to that provider: when the consumer
//! later earns credit while its own credit is negative, the part of its gain that its deficit
//! absorbs (and that would otherwise vanish) is passed on to its creditors, largest claim first,
//! at most [`MAX_REPAID_PER_RECEIPT`] of them per receipt, one level deep. Debts decay with usage.
//!
//! `docs/reputation.md` proves the guarantee from three facts about the sum of the positive
//! parts of the coalition's credits:
//!
//! 1. *A receipt inside a coalition never raises it*: the consumer's positive credit falls by
//!    at least `vouched` (it is charged `delta ≥ vouched`, and `vouched` is at most what it had);
//!    the provider's positive credit and its repaid creditors together gain at most
//!    `r·vouched ≤ vouched` (a repayment only passes on what the provider's deficit absorbed).
//! 2. *A receipt from an outsider raises it by at most the units the outsider co-signed*.
//! 3. *Decay never raises it beyond k allowances plus what outsiders gave*: usage is forgotten no
//!    faster than service (`usage_half_life ≥ service_half_life`, enforced), and the sum of
//!    positive parts is convex in the decay factor, so it stays below the line joining "nothing
//!    decayed" and "everything forgotten" (k allowances).
//!
//! ## Graduation is witnessed
//!
//! A peer on probation *graduates* (it is `Admitted` rather than on `Probation`, has its whole
//! allowance released, and witnesses others) once its *witnessed* service reaches
//! `graduation_service`: the part of `S` vouched for by consumers that were admitted, or
//! founders, when they co-signed ([`admission::graduated`]). Credit is conserved but service is
//! a volume: two fresh keys passing their allowances back and forth raise each other's `S`
//! without bound while their credit stays at two allowances, so graduating on `S` would admit
//! any ring of fresh keys. Witnessed service grows only when a peer that has graduated (or a
//! founder) spends credit of its own on the provider. A coalition with an admitted member can
//! still graduate its other identities through it, one bond each (docs/reputation.md,
//! "Graduating on allowances alone").
//!
//! A peer that once exhausted its allowance has less than `a` until it graduates
//! ([`admission::allowance_of`]). The proof counts every peer with the whole allowance `a` (so
//! this only makes admission stricter), and vouching and repayment are bounded by that count:
//! a consumer vouches at most its credit with its own, smaller allowance, and a repayment passes
//! on at most what the deficit counted with `a` absorbed ([`deficit`]).
//!
//! Global trust plays no part, so the bound needs no founders and holds from block 0. Fixed-point
//! decay rounds each value down, which may shift a record by one unit when it is touched.

use crate::types::{
	Admission, Debts, DenialReason, LocalTrust, PeerIndex, PeerReputation, ReputationParameters,
	Standing,
};
use crate::{
	admission, maths, Config, DebtsOf, Event, LocalTrustOf, MemberCount, Pallet, Parameters,
	PeerAt, PeerCount, PreTrusted, Reputations, Strangers,
};
use frame_support::BoundedVec;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_arithmetic::traits::{Saturating, UniqueSaturatedInto};

/// The credit that `service` units of service and a stranger `allowance` give, before usage:
/// `service · usage_allowance_percent / 100 + allowance`, exactly, saturating.
pub fn covered(service: u128, allowance: u128, parameters: &ReputationParameters) -> u128 {
	let percent = u128::from(parameters.usage_allowance_percent);
	(service / 100)
		.saturating_mul(percent)
		.saturating_add((service % 100).saturating_mul(percent) / 100)
		.saturating_add(allowance)
}

/// How much more a peer may consume before it is denied, when the stranger `allowance` is in
/// force: `max(0, covered − usage)` with the part of the allowance the peer has that is released
/// by now ([`crate::admission::released_allowance_of`]), and zero for a peer that is banned or
/// holds no bond.
pub fn admission_credit<BlockNumber: sp_arithmetic::traits::AtLeast32BitUnsigned + Copy>(
	record: &PeerReputation<BlockNumber>,
	allowance: u128,
	parameters: &ReputationParameters,
) -> u128 {
	if record.standing != Standing::Registered {
		return 0;
	}
	let released = admission::released_allowance_of(record, allowance, parameters);
	covered(record.service, released, parameters).saturating_sub(record.usage)
}

/// What a consumer holding `consumer_credit` vouches for `delta` units it co-signed:
/// `min(delta, consumer_credit)`.
pub fn vouched(delta: u128, consumer_credit: u128) -> u128 {
	delta.min(consumer_credit)
}

/// How far a peer's usage exceeds what its service and the stranger `allowance` in force cover:
/// its negative credit as the proof counts it (with the whole allowance, even for a peer that has
/// less; see [`admission::allowance_of`]), so that a repayment never passes on more than the
/// proof's potential absorbed.
pub fn deficit<BlockNumber>(
	record: &PeerReputation<BlockNumber>,
	allowance: u128,
	parameters: &ReputationParameters,
) -> u128 {
	record.usage.saturating_sub(covered(record.service, allowance, parameters))
}

/// The most creditors one receipt repays, so that a receipt's weight stays bounded.
pub const MAX_REPAID_PER_RECEIPT: usize = 2;

/// What noting one receipt's service did, which decides its weight.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ServiceNoted {
	/// How the units were settled.
	pub settlement: Settlement,
	/// How many of the items every receipt reads and writes (the provider's and the consumer's
	/// records, the consumer's local trust) an earlier receipt of this block already wrote:
	/// they are in the block's overlay, where reading and writing them costs no database
	/// access.
	pub warm_items: u64,
	/// Whether the stranger policy's counters were written (a newcomer's outcome counted).
	pub wrote_stranger_policy: bool,
	/// Of the debt storage that the benchmark of its settlement counts
	/// ([`Settlement::debt_storage_counted`]), what this receipt did not take from the database:
	/// the debts it did not touch (no debt added; nothing to repay, or fewer creditors than the
	/// most) and those an earlier receipt of the block wrote. Nothing for a vouched receipt,
	/// whose benchmark counts no debt storage.
	pub debt_storage_unused: DebtStorage,
}

/// Database reads and writes of the debt path beyond the vouched path's: the consumer's and the
/// provider's debts (`DebtsOf`), and for each creditor repaid its account (`PeerAt`) and its
/// record (`Reputations`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct DebtStorage {
	/// Database reads.
	pub reads: u64,
	/// Database writes.
	pub writes: u64,
}

impl DebtStorage {
	/// Counts a database read if `read` and a database write if `write`.
	fn add(&mut self, read: bool, write: bool) {
		self.reads.saturating_accrue(read.into());
		self.writes.saturating_accrue(write.into());
	}

	/// What `self` leaves of `counted` unused.
	fn unused_of(self, counted: Self) -> Self {
		Self {
			reads: counted.reads.saturating_sub(self.reads),
			writes: counted.writes.saturating_sub(self.writes),
		}
	}
}

/// How a receipt's units were settled, which decides its weight: a receipt that touches debts
/// reads, computes and writes more than one the consumer's credit covers, and repaying
/// creditors most of all.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Settlement {
	/// The consumer vouched for every unit and the provider had no deficit: no debt was
	/// touched (weighed by `on_receipt_recorded_vouched`).
	Vouched,
	/// The consumer owes the provider part of the units (a debt added to its list) and the
	/// provider had no deficit to repay (weighed by `on_receipt_recorded_owing`).
	Owing,
	/// The provider's deficit absorbed part of the credit it earned, which it passed on to its
	/// creditors; the consumer may owe part of the units too (weighed by
	/// `on_receipt_recorded`, the worst case).
	Repaying,
}

impl Settlement {
	/// The database accesses to debts that the benchmark of this settlement counts beyond the
	/// vouched path's: for [`Settlement::Owing`], the consumer's debts read and written; for
	/// [`Settlement::Repaying`], both parties' debts read and written and
	/// [`MAX_REPAID_PER_RECEIPT`] creditors' accounts read and records read and written.
	pub const fn debt_storage_counted(self) -> DebtStorage {
		match self {
			Self::Vouched => DebtStorage { reads: 0, writes: 0 },
			Self::Owing => DebtStorage { reads: 1, writes: 1 },
			Self::Repaying => DebtStorage {
				reads: 2 + 2 * MAX_REPAID_PER_RECEIPT as u64,
				writes: 2 + MAX_REPAID_PER_RECEIPT as u64,
			},
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The stranger allowance in force: what a peer without history gets.
	pub fn stranger_allowance() -> u128 {
		Strangers::<T>::get().allowance
	}

	/// The stranger allowance `peer` has now ([`admission::allowance_of`]); zero for a peer that
	/// never registered.
	pub fn stranger_allowance_of(peer: &T::AccountId) -> u128 {
		let Some(record) = Self::reputation_of(peer) else { return 0 };
		admission::allowance_of(&record, Strangers::<T>::get().allowance, &Parameters::<T>::get())
	}

	/// The part of its stranger allowance `peer` may use by now
	/// ([`admission::released_allowance_of`]): what a server's stranger window shares among the
	/// servers of a peer on probation. Zero for a peer that never registered.
	pub fn released_allowance_of(peer: &T::AccountId) -> u128 {
		let Some(record) = Self::reputation_of(peer) else { return 0 };
		let allowance = Strangers::<T>::get().allowance;
		admission::released_allowance_of(&record, allowance, &Parameters::<T>::get())
	}

	/// The blocks since `peer` first registered ([`PeerReputation::first_registered_at`]): what
	/// its stranger allowance is released over. `None` for a peer that never registered.
	pub fn registration_age(peer: &T::AccountId) -> Option<BlockNumberFor<T>> {
		let record = Reputations::<T>::get(peer)?;
		let now = frame_system::Pallet::<T>::block_number();
		Some(now.saturating_sub(record.first_registered_at))
	}

	/// How much more `peer` may consume before the chain denies it, as of now; zero for a peer
	/// that never registered, is banned or withdrew its bond.
	pub fn admission_credit_of(peer: &T::AccountId) -> u128 {
		let Some(record) = Self::reputation_of(peer) else { return 0 };
		admission_credit(&record, Strangers::<T>::get().allowance, &Parameters::<T>::get())
	}

	/// `provider` gave `consumer` `delta` more units: the consumer vouches for them out of its
	/// credit (witnessed service, towards the provider's graduation, if the consumer is admitted
	/// or a founder) and owes the provider the rest, its usage grows by `delta`, its local trust
	/// notes the provider, the provider passes what its deficit absorbs of the new credit on to
	/// its own creditors, and every peer touched is decided again. Says whether debts were touched,
	/// and what storage an earlier receipt of the block already wrote.
	pub(crate) fn note_service(
		provider: &T::AccountId,
		consumer: &T::AccountId,
		delta: u128,
		now: BlockNumberFor<T>,
	) -> ServiceNoted {
		let nothing = ServiceNoted {
			settlement: Settlement::Vouched,
			warm_items: 0,
			wrote_stranger_policy: false,
			debt_storage_unused: DebtStorage::default(),
		};
		let parameters = Parameters::<T>::get();
		let allowance = Strangers::<T>::get().allowance;
		let Some((consumer_record, consumer_stored)) = Self::stored_or_new(consumer, now) else {
			return nothing;
		};
		let Some((provider_record, provider_stored)) = Self::stored_or_new(provider, now) else {
			return nothing;
		};
		let mut warm_items =
			[(consumer_stored, &consumer_record), (provider_stored, &provider_record)]
				.into_iter()
				.filter(|(stored, record)| *stored && record.updated_at == now)
				.count() as u64;
		let mut provider_record = Self::decayed(provider_record, now, &parameters);
		let mut consumer_record = Self::decayed(consumer_record, now, &parameters);
		// Each side is witnessed by the other if the other was admitted, or is a founder, when
		// the receipt was recorded: only then does the provider's new service count towards its
		// graduation, and each side's way out of probation for the stranger policy.
		let admitted = |record: &PeerReputation<_>| record.admission == Admission::Admitted;
		let founders = if admitted(&consumer_record) && admitted(&provider_record) {
			Default::default()
		} else {
			PreTrusted::<T>::get()
		};
		let provider_witnessed = admitted(&consumer_record) || founders.contains(consumer);
		let consumer_witnessed = admitted(&provider_record) || founders.contains(provider);
		let vouched = vouched(delta, admission_credit(&consumer_record, allowance, &parameters));
		let owed = delta.saturating_sub(vouched);
		let deficit_before = deficit(&provider_record, allowance, &parameters);
		let covered_before = covered(provider_record.service, 0, &parameters);
		provider_record.service = provider_record.service.saturating_add(vouched);
		if provider_witnessed {
			provider_record.witnessed_service =
				provider_record.witnessed_service.saturating_add(vouched);
		}
		let gain = covered(provider_record.service, 0, &parameters).saturating_sub(covered_before);
		consumer_record.usage = consumer_record.usage.saturating_add(delta);
		let (provider_index, consumer_index) = (provider_record.index, consumer_record.index);
		if Self::note_local_trust(consumer_index, provider_index, delta, now, &parameters) {
			warm_items.saturating_accrue(1);
		}
		let provider_counted =
			Self::store(provider, provider_record, &parameters, Some(provider_witnessed));
		let consumer_counted =
			Self::store(consumer, consumer_record, &parameters, Some(consumer_witnessed));
		let wrote_stranger_policy = provider_counted || consumer_counted;
		let mut debt_storage_used = DebtStorage::default();
		if owed > 0 {
			Self::note_debt(
				consumer_index,
				provider_index,
				owed,
				now,
				&parameters,
				&mut debt_storage_used,
			);
		}
		let absorbed = gain.min(deficit_before);
		if absorbed > 0 {
			Self::repay(provider_index, absorbed, now, &parameters, &mut debt_storage_used);
		}
		let settlement = if absorbed > 0 {
			Settlement::Repaying
		} else if owed > 0 {
			Settlement::Owing
		} else {
			Settlement::Vouched
		};
		ServiceNoted {
			settlement,
			warm_items,
			wrote_stranger_policy,
			debt_storage_unused: debt_storage_used.unused_of(settlement.debt_storage_counted()),
		}
	}

	/// `debtor`'s debts decayed to `now`, largest first, without the ones decayed to nothing,
	/// and whether an earlier receipt of the block wrote them (they are then in the block's
	/// overlay). Notes in `used` a database read of them unless it did.
	fn debts_decayed(
		debtor: PeerIndex,
		now: BlockNumberFor<T>,
		parameters: &ReputationParameters,
		used: &mut DebtStorage,
	) -> Option<(Debts<BlockNumberFor<T>, T::MaxCreditors>, bool)> {
		let stored = DebtsOf::<T>::get(debtor);
		// Debts are written with `updated_at` at the block that writes them.
		let written_in_block = stored.as_ref().is_some_and(|debts| debts.updated_at == now);
		used.add(!written_in_block, false);
		let mut debts = stored?;
		let elapsed: u32 = now.saturating_sub(debts.updated_at).unique_saturated_into();
		maths::decay_all(
			debts.creditors.iter_mut().map(|(_, owed)| owed),
			elapsed,
			parameters.usage_half_life,
		);
		debts.creditors.retain(|(_, owed)| *owed > 0);
		debts.updated_at = debts.updated_at.max(now);
		Some((debts, written_in_block))
	}

	/// Writes `debts` of `debtor`, largest first, or removes them once nothing is owed. Notes
	/// in `used` a database write unless an earlier receipt of the block wrote them
	/// (`written_in_block`).
	fn put_debts(
		debtor: PeerIndex,
		mut debts: Debts<BlockNumberFor<T>, T::MaxCreditors>,
		written_in_block: bool,
		used: &mut DebtStorage,
	) {
		used.add(false, !written_in_block);
		if debts.creditors.is_empty() {
			DebtsOf::<T>::remove(debtor);
		} else {
			debts.creditors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
			DebtsOf::<T>::insert(debtor, debts);
		}
	}

	/// `debtor` owes `creditor` `owed` more units. When its list is full, the new claim
	/// replaces the smallest one if it is larger, and is dropped otherwise. Notes in `used` the
	/// database accesses it made.
	fn note_debt(
		debtor: PeerIndex,
		creditor: PeerIndex,
		owed: u128,
		now: BlockNumberFor<T>,
		parameters: &ReputationParameters,
		used: &mut DebtStorage,
	) {
		let (mut debts, written_in_block) = Self::debts_decayed(debtor, now, parameters, used)
			.unwrap_or((Debts { updated_at: now, creditors: BoundedVec::new() }, false));
		if let Some((_, amount)) = debts.creditors.iter_mut().find(|(c, _)| *c == creditor) {
			*amount = amount.saturating_add(owed);
		} else if debts.creditors.try_push((creditor, owed)).is_err() {
			if let Some(smallest) = debts.creditors.iter_mut().min_by_key(|(_, amount)| *amount) {
				if smallest.1 < owed {
					*smallest = (creditor, owed);
				}
			}
		}
		Self::put_debts(debtor, debts, written_in_block, used);
	}

	/// Passes `amount` units of credit that `debtor`'s deficit absorbed on to its creditors,
	/// largest claim first, at most [`MAX_REPAID_PER_RECEIPT`] of them; each is credited as
	/// service vouched for (its own deficit keeps what it absorbs: repayment is one level deep).
	/// Notes in `used` the database accesses it made: a creditor's record that an earlier
	/// receipt of the block wrote is read from and written to the block's overlay.
	fn repay(
		debtor: PeerIndex,
		amount: u128,
		now: BlockNumberFor<T>,
		parameters: &ReputationParameters,
		used: &mut DebtStorage,
	) {
		let Some((mut debts, written_in_block)) =
			Self::debts_decayed(debtor, now, parameters, used)
		else {
			return;
		};
		let mut left = amount;
		for (creditor, owed) in debts.creditors.iter_mut().take(MAX_REPAID_PER_RECEIPT) {
			if left == 0 {
				break;
			}
			let paid = left.min(*owed);
			used.add(true, false);
			let Some(account) = PeerAt::<T>::get(*creditor) else { continue };
			let stored = Reputations::<T>::get(&account);
			let record_written_in_block = stored.as_ref().is_some_and(|r| r.updated_at == now);
			used.add(!record_written_in_block, false);
			let Some(record) = stored else { continue };
			used.add(false, !record_written_in_block);
			let mut record = Self::decayed(record, now, parameters);
			record.service = record.service.saturating_add(paid);
			Self::store(&account, record, parameters, None);
			*owed = owed.saturating_sub(paid);
			left = left.saturating_sub(paid);
		}
		debts.creditors.retain(|(_, owed)| *owed > 0);
		Self::put_debts(debtor, debts, written_in_block, used);
	}

	/// Sets `peer`'s standing (creating its record if it has none) and decides again. A founder
	/// that leaves good standing leaves the founders.
	pub(crate) fn note_standing(peer: &T::AccountId, standing: Standing) {
		let now = frame_system::Pallet::<T>::block_number();
		let parameters = Parameters::<T>::get();
		let Some(record) = Self::record_or_new(peer, now) else { return };
		let mut record = Self::decayed(record, now, &parameters);
		record.standing = standing;
		if standing == Standing::Registered && !record.listed {
			// It registers again after an epoch dropped it: it walks with the members again.
			Self::list_member(&mut record);
		}
		Self::store(peer, record, &parameters, None);
		if standing != Standing::Registered {
			let mut founders = PreTrusted::<T>::get();
			let before = founders.len();
			founders.retain(|founder| founder != peer);
			if founders.len() != before {
				PreTrusted::<T>::put(founders);
				Self::deposit_event(Event::PreTrustedRemoved { peer: peer.clone() });
			}
		}
	}

	/// `peer`'s record, or a new one (with a fresh index) if it has none. `None` only once
	/// every index is taken.
	pub(crate) fn record_or_new(
		peer: &T::AccountId,
		now: BlockNumberFor<T>,
	) -> Option<PeerReputation<BlockNumberFor<T>>> {
		Self::stored_or_new(peer, now).map(|(record, _)| record)
	}

	/// [`Self::record_or_new`], and whether the record was already stored.
	fn stored_or_new(
		peer: &T::AccountId,
		now: BlockNumberFor<T>,
	) -> Option<(PeerReputation<BlockNumberFor<T>>, bool)> {
		if let Some(record) = Reputations::<T>::get(peer) {
			return Some((record, true));
		}
		let index = PeerCount::<T>::get();
		let Some(next) = index.checked_add(1) else {
			frame_support::defensive!("every peer index is taken");
			return None;
		};
		PeerCount::<T>::put(next);
		PeerAt::<T>::insert(index, peer);
		let mut record = PeerReputation {
			index,
			service: 0,
			witnessed_service: 0,
			usage: 0,
			updated_at: now,
			standing: Standing::Registered,
			admission: Admission::Probation,
			newcomer_outcome_counted: false,
			exhausted_allowance: false,
			listed: false,
			first_registered_at: now,
		};
		Self::list_member(&mut record);
		Some((record, false))
	}

	/// Gives `record`'s peer the next member slot: epochs walk it from the next one on.
	fn list_member(record: &mut PeerReputation<BlockNumberFor<T>>) {
		let slot = MemberCount::<T>::get();
		// There are no more slots than indices, and indices are u32.
		MemberCount::<T>::put(slot.saturating_add(1));
		crate::pages::set_member::<T>(slot, record.index);
		record.listed = true;
	}

	/// `record` with service (witnessed or not) and usage decayed to `now`.
	pub(crate) fn decayed(
		mut record: PeerReputation<BlockNumberFor<T>>,
		now: BlockNumberFor<T>,
		parameters: &ReputationParameters,
	) -> PeerReputation<BlockNumberFor<T>> {
		let elapsed: u32 = now.saturating_sub(record.updated_at).unique_saturated_into();
		record.service = maths::decay(record.service, elapsed, parameters.service_half_life);
		record.witnessed_service =
			maths::decay(record.witnessed_service, elapsed, parameters.service_half_life)
				.min(record.service);
		record.usage = maths::decay(record.usage, elapsed, parameters.usage_half_life);
		record.updated_at = record.updated_at.max(now);
		record
	}

	/// Decides `record`'s admission with the allowance in force, emits the change if there is
	/// one, counts a newcomer's way out of probation for the stranger policy when an admitted
	/// counterparty `witnessed` it, and stores the record. `witnessed` is `None` when no
	/// receipt caused the change (decay, a review, a change of standing or of the allowance):
	/// such changes never count. Says whether it wrote the stranger policy's counters.
	pub(crate) fn store(
		peer: &T::AccountId,
		mut record: PeerReputation<BlockNumberFor<T>>,
		parameters: &ReputationParameters,
		witnessed: Option<bool>,
	) -> bool {
		let mut wrote_stranger_policy = false;
		let allowance = Strangers::<T>::get().allowance;
		let new = admission::decide_record(&record, allowance, parameters);
		let old = record.admission;
		if new != old {
			if new == Admission::Denied(DenialReason::StrangerAllowanceExhausted) {
				record.exhausted_allowance = true;
			}
			if !record.newcomer_outcome_counted && witnessed == Some(true) {
				if let Some(outcome) = admission::newcomer_outcome(old, new) {
					record.newcomer_outcome_counted = true;
					wrote_stranger_policy = true;
					Strangers::<T>::mutate(|policy| match outcome {
						admission::NewcomerOutcome::Reciprocated => {
							policy.reciprocated = policy.reciprocated.saturating_add(1)
						}
						admission::NewcomerOutcome::Defected => {
							policy.defected = policy.defected.saturating_add(1)
						}
					});
				}
			}
			record.admission = new;
			Self::deposit_event(Event::AdmissionChanged { peer: peer.clone(), old, new });
		}
		Reputations::<T>::insert(peer, record);
		wrote_stranger_policy
	}

	/// Adds `delta` units from `provider` to `consumer`'s local trust, decaying the existing
	/// entries first. When the list is full, the new provider replaces the smallest entry if it
	/// is larger, and is left out otherwise. Says whether an earlier receipt of this block
	/// already wrote the list.
	fn note_local_trust(
		consumer: PeerIndex,
		provider: PeerIndex,
		delta: u128,
		now: BlockNumberFor<T>,
		parameters: &ReputationParameters,
	) -> bool {
		let stored = LocalTrustOf::<T>::get(consumer);
		let written_in_block = stored.as_ref().is_some_and(|local| local.updated_at == now);
		let mut local =
			stored.unwrap_or(LocalTrust { updated_at: now, providers: BoundedVec::new() });
		let elapsed: u32 = now.saturating_sub(local.updated_at).unique_saturated_into();
		if elapsed > 0 {
			maths::decay_all(
				local.providers.iter_mut().map(|(_, units)| units),
				elapsed,
				parameters.service_half_life,
			);
			local.providers.retain(|(_, units)| *units > 0);
			local.updated_at = now;
		}
		if let Some((_, units)) = local.providers.iter_mut().find(|(p, _)| *p == provider) {
			*units = units.saturating_add(delta);
		} else if local.providers.try_push((provider, delta)).is_err() {
			if let Some(smallest) = local.providers.iter_mut().min_by_key(|(_, units)| *units) {
				if smallest.1 < delta {
					*smallest = (provider, delta);
				}
			}
		}
		LocalTrustOf::<T>::insert(consumer, local);
		written_in_block
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::types::DefaultParameters;
	use frame_support::traits::Get;

	fn record(service: u128, usage: u128) -> PeerReputation<u64> {
		PeerReputation::registered(service, usage)
	}

	#[test]
	fn credit_is_exact_never_overflows_and_is_zero_out_of_standing() {
		let p = ReputationParameters {
			usage_allowance_percent: 70,
			stranger_release: 0,
			..DefaultParameters::get()
		};
		assert_eq!(covered(0, 7, &p), 7);
		assert_eq!(covered(10, 0, &p), 7);
		assert_eq!(covered(12_345, 5, &p), 8_641 + 5);
		assert_eq!(covered(u128::MAX, u128::MAX, &p), u128::MAX);
		assert_eq!(admission_credit(&record(1_000, 200), 100, &p), 600);
		assert_eq!(admission_credit(&record(0, 200), 100, &p), 0, "overdrawn: no credit");
		let released_over_600 = ReputationParameters { stranger_release: 600, ..p.clone() };
		assert_eq!(
			admission_credit(&record(1_000, 200), 100, &released_over_600),
			500,
			"no allowance released to a fresh identity: its service alone"
		);
		let banned = PeerReputation { standing: Standing::Banned, ..record(1_000, 0) };
		assert_eq!(admission_credit(&banned, 100, &p), 0);
	}

	#[test]
	fn the_deficit_is_the_negative_credit() {
		let p = DefaultParameters::get();
		assert_eq!(deficit(&record(1_000, 1_500), 100, &p), 400);
		assert_eq!(deficit(&record(1_000, 500), 100, &p), 0);
	}

	#[test]
	fn a_consumer_vouches_only_out_of_its_credit() {
		assert_eq!(vouched(500, 1_000), 500);
		assert_eq!(vouched(5_000, 1_000), 1_000);
		assert_eq!(vouched(u128::MAX, 0), 0);
	}
}
