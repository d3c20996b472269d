//! The two sides' books of one (provider, consumer, service) relationship, and the checks a
//! consumer applies before it countersigns. Pure logic with no I/O, so every case is unit tested.
//!
//! The provider counts what it served and what the consumer has receipted; the gap between the
//! two is *unreceipted* service, which the provider bounds: a consumer that stops countersigning
//! stops being served after at most [`ReceiptPolicy::max_unreceipted`] units. The consumer counts
//! what it received and never signs a receipt for more.
//!
//! **Neither side ever signs two contradicting receipts** (the chain bans both signers of a
//! contradiction, see `docs/receipts.md`): the provider's proposals strictly increase in sequence
//! and never decrease in units, across restarts too (the behaviour persists each proposal before
//! signing it, and [`ProviderBook::resume`] starts above it); the consumer signs only proposals
//! above its last signed sequence and units.

use crate::signature::MultiSignature;
use crate::AccountId32;
use crate::H256;
use crate::{wire::Refusal, Receipt};

/// How incremental co-signing works for one peer; the same for every partner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceiptPolicy {
	/// Propose a receipt once this many units are unreceipted (per chunk: the chunk size).
	pub cosign_every: u128,
	/// Stop serving a partner once this many units are unreceipted. At least `cosign_every`.
	pub max_unreceipted: u128,
	/// The largest difference between a receipt's timestamp and the consumer's clock.
	pub max_clock_skew_ms: u64,
}

impl Default for ReceiptPolicy {
	fn default() -> Self {
		Self { cosign_every: 256 * 1024, max_unreceipted: 1024 * 1024, max_clock_skew_ms: 30_000 }
	}
}

/// A provider's book of one partner and service.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProviderBook {
	/// Units served so far (including what a previous run had receipted).
	pub served: u128,
	/// Units covered by the newest countersigned receipt.
	pub receipted: u128,
	/// The sequence of the newest receipt proposed (countersigned or not).
	pub last_sequence: u64,
	/// The most units any proposal carried: no later proposal carries fewer.
	pub proposed: u128,
	/// The units of the proposal awaiting an answer, if one is.
	pub outstanding: Option<u128>,
}

impl ProviderBook {
	/// The book after a restart, from the newest countersigned receipt and the newest proposal
	/// (sequence, units) persisted before it was signed: the next proposal comes after both, so
	/// a proposal signed before a crash is never contradicted.
	pub fn resume(receipt: Option<&Receipt>, proposal: Option<(u64, u128)>) -> Self {
		let (receipt_sequence, receipted) =
			receipt.map_or((0, 0), |r| (r.sequence, r.cumulative_units));
		let (proposal_sequence, proposed) = proposal.unwrap_or((0, 0));
		Self {
			served: receipted.max(proposed),
			receipted,
			last_sequence: receipt_sequence.max(proposal_sequence),
			proposed: receipted.max(proposed),
			outstanding: None,
		}
	}

	/// Served units no countersigned receipt covers yet.
	pub fn unreceipted(&self) -> u128 {
		self.served.saturating_sub(self.receipted)
	}

	/// Whether serving `units` more keeps the unreceipted amount within the policy's bound.
	pub fn may_serve(&self, units: u128, policy: &ReceiptPolicy) -> bool {
		self.unreceipted().saturating_add(units) <= policy.max_unreceipted
	}

	/// Counts `units` served.
	pub fn served(&mut self, units: u128) {
		self.served = self.served.saturating_add(units);
	}

	/// The (sequence, units) of the receipt to propose now, if one is due: enough unreceipted
	/// service (or `force`, for a final receipt) and no proposal awaiting an answer.
	pub fn next_proposal(&mut self, policy: &ReceiptPolicy, force: bool) -> Option<(u64, u128)> {
		let due =
			self.unreceipted() >= policy.cosign_every.max(1) || (force && self.unreceipted() > 0);
		if !due || self.outstanding.is_some() || self.served < self.proposed {
			return None;
		}
		self.last_sequence = self.last_sequence.checked_add(1)?;
		self.proposed = self.served;
		self.outstanding = Some(self.served);
		Some((self.last_sequence, self.served))
	}

	/// The consumer countersigned the outstanding proposal of `units`.
	pub fn countersigned(&mut self, units: u128) {
		self.receipted = self.receipted.max(units);
		self.outstanding = None;
	}

	/// The outstanding proposal failed (refused, timed out, connection lost).
	pub fn failed(&mut self) {
		self.outstanding = None;
	}
}

/// A consumer's book of one partner and service.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConsumerBook {
	/// Units received so far (including what a previous run had signed for).
	pub received: u128,
	/// The sequence of the newest receipt the consumer signed.
	pub signed_sequence: u64,
	/// The units of the newest receipt the consumer signed.
	pub signed_units: u128,
}

impl ConsumerBook {
	/// The book after a restart, from the newest receipt it signed. What it received since then
	/// was not on disk: it trusts the provider for up to `slack` units of it (the provider's
	/// unreceipted bound), so that an honest provider's next proposal is not refused forever.
	pub fn resume(receipt: &Receipt, slack: u128) -> Self {
		Self {
			received: receipt.cumulative_units.saturating_add(slack),
			signed_sequence: receipt.sequence,
			signed_units: receipt.cumulative_units,
		}
	}

	/// Counts `units` received.
	pub fn received(&mut self, units: u128) {
		self.received = self.received.saturating_add(units);
	}

	/// Records that the consumer signed `receipt`.
	pub fn signed(&mut self, receipt: &Receipt) {
		self.signed_sequence = receipt.sequence;
		self.signed_units = receipt.cumulative_units;
	}
}

/// What a consumer knows when it checks a proposal.
#[derive(Clone, Debug)]
pub struct CheckContext<'a> {
	/// The chain the peers use.
	pub genesis_hash: H256,
	/// The consumer (this peer).
	pub consumer: &'a AccountId32,
	/// The provider (the remote peer that sent the proposal).
	pub provider: &'a AccountId32,
	/// The consumer's clock, in milliseconds since the Unix epoch.
	pub now_ms: u64,
}

/// Whether a consumer may countersign `receipt`, signed by the provider with `signature`: it must
/// name the two peers and this chain, be for a service the consumer received something of, carry
/// the provider's valid signature, come after the last receipt the consumer signed (a higher
/// sequence and more units), and claim no more than the consumer received. The cheap checks come
/// first; none touches the disk.
pub fn check_proposal(
	receipt: &Receipt,
	signature: &MultiSignature,
	context: &CheckContext<'_>,
	book: &ConsumerBook,
	policy: &ReceiptPolicy,
) -> Result<(), Refusal> {
	if &receipt.provider != context.provider || &receipt.consumer != context.consumer {
		return Err(Refusal::WrongParties);
	}
	if receipt.genesis_hash != context.genesis_hash {
		return Err(Refusal::WrongChain);
	}
	if book.received == 0 {
		return Err(Refusal::Unsolicited);
	}
	if !signature.verify(&receipt.signing_payload()[..], &receipt.provider) {
		return Err(Refusal::InvalidSignature);
	}
	if receipt.sequence <= book.signed_sequence {
		return Err(Refusal::StaleSequence { last: book.signed_sequence });
	}
	if receipt.cumulative_units < book.signed_units {
		return Err(Refusal::UnitsDecreased { last: book.signed_units });
	}
	if receipt.cumulative_units == book.signed_units {
		return Err(Refusal::NothingNew);
	}
	if receipt.cumulative_units > book.received {
		return Err(Refusal::Overstated { received: book.received });
	}
	if receipt.timestamp_ms.abs_diff(context.now_ms) > policy.max_clock_skew_ms {
		return Err(Refusal::ClockSkew);
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::Identity;

	const NOW: u64 = 1_800_000_000_000;

	fn policy() -> ReceiptPolicy {
		ReceiptPolicy { cosign_every: 10, max_unreceipted: 30, max_clock_skew_ms: 1_000 }
	}

	struct Pair {
		provider: Identity,
		consumer: Identity,
	}

	fn pair() -> Pair {
		Pair { provider: Identity::from_seed([1; 32]), consumer: Identity::from_seed([2; 32]) }
	}

	fn receipt(pair: &Pair, sequence: u64, units: u128) -> Receipt {
		Receipt {
			genesis_hash: H256::repeat_byte(0x11),
			provider: pair.provider.account().clone(),
			consumer: pair.consumer.account().clone(),
			service: 0,
			sequence,
			cumulative_units: units,
			timestamp_ms: NOW,
		}
	}

	fn check(pair: &Pair, receipt: &Receipt, book: &ConsumerBook) -> Result<(), Refusal> {
		let signature = pair.provider.sign(&receipt.signing_payload());
		let context = CheckContext {
			genesis_hash: H256::repeat_byte(0x11),
			consumer: pair.consumer.account(),
			provider: pair.provider.account(),
			now_ms: NOW,
		};
		check_proposal(receipt, &signature, &context, book, &policy())
	}

	fn book(received: u128, signed_sequence: u64, signed_units: u128) -> ConsumerBook {
		ConsumerBook { received, signed_sequence, signed_units }
	}

	#[test]
	fn an_honest_proposal_is_accepted() {
		let pair = pair();
		assert_eq!(check(&pair, &receipt(&pair, 1, 10), &book(10, 0, 0)), Ok(()));
		assert_eq!(check(&pair, &receipt(&pair, 4, 25), &book(30, 3, 20)), Ok(()));
	}

	#[test]
	fn an_overstated_receipt_is_refused() {
		let pair = pair();
		assert_eq!(
			check(&pair, &receipt(&pair, 1, 11), &book(10, 0, 0)),
			Err(Refusal::Overstated { received: 10 })
		);
	}

	#[test]
	fn replays_and_decreases_are_refused() {
		let pair = pair();
		assert_eq!(
			check(&pair, &receipt(&pair, 3, 25), &book(30, 3, 20)),
			Err(Refusal::StaleSequence { last: 3 })
		);
		assert_eq!(
			check(&pair, &receipt(&pair, 4, 19), &book(30, 3, 20)),
			Err(Refusal::UnitsDecreased { last: 20 })
		);
	}

	#[test]
	fn wrong_parties_chain_signature_and_clock_are_refused() {
		let pair = pair();
		let fresh = book(10, 0, 0);

		let mut swapped = receipt(&pair, 1, 10);
		std::mem::swap(&mut swapped.provider, &mut swapped.consumer);
		assert_eq!(check(&pair, &swapped, &fresh), Err(Refusal::WrongParties));

		let mut other_chain = receipt(&pair, 1, 10);
		other_chain.genesis_hash = H256::repeat_byte(0x22);
		assert_eq!(check(&pair, &other_chain, &fresh), Err(Refusal::WrongChain));

		let honest = receipt(&pair, 1, 10);
		let forged = pair.consumer.sign(&honest.signing_payload());
		let context = CheckContext {
			genesis_hash: H256::repeat_byte(0x11),
			consumer: pair.consumer.account(),
			provider: pair.provider.account(),
			now_ms: NOW,
		};
		assert_eq!(
			check_proposal(&honest, &forged, &context, &fresh, &policy()),
			Err(Refusal::InvalidSignature)
		);

		let mut late = receipt(&pair, 1, 10);
		late.timestamp_ms = NOW - 1_001;
		assert_eq!(check(&pair, &late, &fresh), Err(Refusal::ClockSkew));
	}

	#[test]
	fn the_provider_proposes_every_few_units_and_one_at_a_time() {
		let mut book = ProviderBook::default();
		book.served(9);
		assert_eq!(book.next_proposal(&policy(), false), None);
		book.served(1);
		assert_eq!(book.next_proposal(&policy(), false), Some((1, 10)));
		book.served(15);
		// One proposal at a time: the next waits for the answer.
		assert_eq!(book.next_proposal(&policy(), false), None);
		book.countersigned(10);
		assert_eq!(book.unreceipted(), 15);
		assert_eq!(book.next_proposal(&policy(), false), Some((2, 25)));
		book.failed();
		// A failed proposal is retried with a new sequence, never a second receipt at one.
		assert_eq!(book.next_proposal(&policy(), false), Some((3, 25)));
	}

	/// A consumer that refused a proposal may still hold it, signed by the provider: a smaller
	/// proposal at a higher sequence would give it a proof of equivocation against an honest
	/// provider. So under-reporting gets no receipt at all, and no more service past the bound.
	#[test]
	fn proposals_never_decrease_in_units() {
		let mut book = ProviderBook::default();
		book.served(30);
		assert_eq!(book.next_proposal(&policy(), false), Some((1, 30)));
		book.failed(); // refused: "only 12 received"
		assert_eq!(book.next_proposal(&policy(), true), Some((2, 30)), "the same units again");
		book.failed();
		assert!(!book.may_serve(1, &policy()), "30 unreceipted: the bound");
		assert_eq!(book.proposed, 30);
	}

	#[test]
	fn zero_unit_and_unsolicited_proposals_are_refused() {
		let pair = pair();
		assert_eq!(check(&pair, &receipt(&pair, 1, 0), &book(0, 0, 0)), Err(Refusal::Unsolicited));
		assert_eq!(check(&pair, &receipt(&pair, 1, 5), &book(0, 0, 0)), Err(Refusal::Unsolicited));
		assert_eq!(check(&pair, &receipt(&pair, 1, 0), &book(10, 0, 0)), Err(Refusal::NothingNew));
		assert_eq!(
			check(&pair, &receipt(&pair, 4, 20), &book(30, 3, 20)),
			Err(Refusal::NothingNew)
		);
	}

	#[test]
	fn a_final_receipt_covers_any_remainder() {
		let mut book = ProviderBook::default();
		book.served(3);
		assert_eq!(book.next_proposal(&policy(), false), None);
		assert_eq!(book.next_proposal(&policy(), true), Some((1, 3)));
		book.countersigned(3);
		assert_eq!(book.next_proposal(&policy(), true), None);
	}

	#[test]
	fn withholding_signatures_stops_service_after_the_bound() {
		let mut book = ProviderBook::default();
		let mut served = 0;
		// The consumer never countersigns: the provider serves 30 units at most, then stops.
		while book.may_serve(5, &policy()) {
			book.served(5);
			served += 5;
			let _ = book.next_proposal(&policy(), false);
			book.failed();
			assert!(served <= 1_000, "the provider never stopped");
		}
		assert_eq!(served, policy().max_unreceipted);
		// A countersignature reopens service.
		book.countersigned(served);
		assert!(book.may_serve(5, &policy()));
	}

	#[test]
	fn books_resume_from_the_newest_receipt() {
		let pair = pair();
		let newest = receipt(&pair, 7, 70);
		assert_eq!(ProviderBook::resume(Some(&newest), None).next_proposal(&policy(), true), None);
		let mut provider = ProviderBook::resume(Some(&newest), None);
		provider.served(10);
		assert_eq!(provider.next_proposal(&policy(), false), Some((8, 80)));
		let consumer = ConsumerBook::resume(&newest, 5);
		assert_eq!(
			check(&pair, &receipt(&pair, 7, 70), &consumer),
			Err(Refusal::StaleSequence { last: 7 })
		);
		assert_eq!(check(&pair, &receipt(&pair, 8, 75), &consumer), Ok(()), "within the slack");
		assert_eq!(
			check(&pair, &receipt(&pair, 8, 76), &consumer),
			Err(Refusal::Overstated { received: 75 })
		);
	}

	/// The crash this guards against: the provider signed proposal 8 for 80 units, the consumer
	/// countersigned it, and the provider crashed before the answer reached its store. It
	/// resumes above the persisted proposal, so it never signs another receipt at 8, nor one
	/// above 8 for fewer than 80 units.
	#[test]
	fn a_provider_resumes_above_its_last_persisted_proposal() {
		let pair = pair();
		let stored = receipt(&pair, 7, 70);
		let mut book = ProviderBook::resume(Some(&stored), Some((8, 80)));
		assert_eq!((book.last_sequence, book.served, book.receipted), (8, 80, 70));
		assert_eq!(book.unreceipted(), 10, "what it proposed still counts as served");
		let (sequence, units) = book.next_proposal(&policy(), true).unwrap();
		assert!(sequence > 8 && units >= 80, "({sequence}, {units})");
	}
}
