//! Benchmarks of the reputation pallet (FRAME benchmarks v2): its calls, the hooks that
//! `pallet-receipts` calls, and each step of the epoch computation, at their worst case.
//! `scripts/benchmark-pallets.sh` runs them and writes `weights.rs`.

use super::*;
use crate::pages::{PageCache, PageTraffic};
use crate::Pallet as Reputation;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	weights::Weight,
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_arithmetic::{traits::Zero, FixedU128, Perbill};

fn peer<T: Config>(index: u32) -> T::AccountId {
	account("peer", index, 0)
}

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

fn advance<T: Config>(blocks: u32) {
	frame_system::Pallet::<T>::set_block_number(now::<T>() + blocks.into());
}

/// `who`'s index in the trust vector (a chain may have registered peers at genesis, so the
/// benchmarks' peers do not start at 0).
fn index_of<T: Config>(who: &T::AccountId) -> PeerIndex {
	Reputations::<T>::get(who).expect("registered").index
}

/// How many blocks `usage` takes to decay below the minimum stranger allowance, which is all a
/// peer that exhausted its allowance has (whole half-lives, so the result is exact).
fn blocks_until_within_minimum<T: Config>(usage: u128) -> u32 {
	let parameters = Parameters::<T>::get();
	let mut half_lives = 0u32;
	while usage >> half_lives.min(127) >= parameters.stranger_allowance_min && half_lives < 128 {
		half_lives += 1;
	}
	parameters.usage_half_life.saturating_mul(half_lives)
}

/// Registers `count` peers from `first` on, with reputation records.
fn registered<T: Config>(first: u32, count: u32) -> Vec<T::AccountId> {
	(first..first.saturating_add(count))
		.map(|i| {
			let who = peer::<T>(i);
			Reputation::<T>::note_standing(&who, Standing::Registered);
			who
		})
		.collect()
}

/// Peer 0, registered, after taking `allowance` and 1,000 units more from each of
/// `MaxPartners` registered providers (peers 1 to `MaxPartners`): its local trust is full, and
/// it owes far beyond its credit.
fn overdrawn_from_every_partner<T: Config>(allowance: u128) -> T::AccountId {
	let consumer = registered::<T>(0, 1).remove(0);
	for provider in registered::<T>(1, T::MaxPartners::get()) {
		Reputation::<T>::note_service(
			&provider,
			&consumer,
			allowance.saturating_add(1_000),
			now::<T>(),
		);
	}
	consumer
}

/// A full list of founders, none of them a party to the receipts benchmarked: a receipt whose
/// parties are not both admitted reads the list and scans all of it for each party, to know
/// whether the other one witnesses it (`Pallet::note_service`).
fn founders_apart_from_the_parties<T: Config>() {
	let founders = registered::<T>(1_000_000, T::MaxPreTrusted::get());
	PreTrusted::<T>::put(BoundedVec::truncate_from(founders));
}

/// `index`'s slot in the member list.
fn slot_of<T: Config>(index: PeerIndex) -> MemberSlot {
	(0..MemberCount::<T>::get())
		.find(|slot| crate::pages::member::<T>(*slot) == Some(index))
		.expect("a member")
}

/// Writes `entry` for every index below `indices` in `buffer`, in whole pages.
fn fill_buffer<T: Config>(buffer: BufferId, indices: u32, entry: TrustEntry) {
	for page in 0..indices.div_ceil(TRUST_PAGE_SIZE) {
		let len = indices.saturating_sub(page * TRUST_PAGE_SIZE).min(TRUST_PAGE_SIZE);
		TrustPages::<T>::insert(
			buffer,
			page,
			BoundedVec::truncate_from(alloc::vec![entry; len as usize]),
		);
	}
}

/// `index`'s entry in `buffer`, from storage.
fn stored_entry<T: Config>(buffer: BufferId, index: PeerIndex) -> TrustEntry {
	let (page, _) = crate::pages::locate(index);
	crate::pages::entry_in(&TrustPages::<T>::get(buffer, page), index)
}

/// A cache holding the pages of `indices` in the buffers a running epoch reads and writes, and
/// their member pages, with its traffic counted away: steps are benchmarked without their page
/// traffic, which is charged by `load_trust_page` and `store_trust_page`.
fn cached<T: Config>(indices: &[PeerIndex]) -> PageCache<T> {
	let mut cache = PageCache::<T>::default();
	for index in indices {
		cache.trust(1, *index);
		cache.mutate_trust(2, *index, |_| {});
		let slot = slot_of::<T>(*index);
		cache.set_member(slot, *index);
	}
	cache.take_traffic();
	cache
}

/// A published epoch over `peers` peers in buffer 0, in which everyone has some trust.
fn published<T: Config>(peers: u32) {
	fill_buffer::<T>(
		0,
		peers,
		TrustEntry {
			stamp: 1,
			value: FixedU128::from_rational(1, peers.max(1) as u128),
			damped: true,
		},
	);
	Published::<T>::put(PublishedTrust {
		epoch: 0,
		buffer: 0,
		stamp: 1,
		peers,
		damping: Perbill::from_percent(50),
		iterations: 1,
		residual: FixedU128::zero(),
		published_at: now::<T>(),
	});
}

/// A running epoch over every member in its second iteration: it reads buffer 1 and writes
/// buffer 2, and every peer of the first iteration has trust. `founders` are its pre-trusted
/// peers.
fn running<T: Config>(founders: &[T::AccountId]) -> EpochRunOf<T> {
	let indices = PeerCount::<T>::get();
	fill_buffer::<T>(
		1,
		indices,
		TrustEntry {
			stamp: 2,
			value: FixedU128::from_rational(1, indices.max(1) as u128),
			damped: true,
		},
	);
	let mut pretrusted: Vec<PeerIndex> = founders.iter().map(index_of::<T>).collect();
	pretrusted.sort_unstable();
	EpochRun {
		epoch: 1,
		started_at: now::<T>(),
		peers: MemberCount::<T>::get(),
		damping: Perbill::from_percent(50),
		max_iterations: 30,
		tolerance: FixedU128::from_rational(1, 1_000_000),
		pretrusted: BoundedVec::truncate_from(pretrusted),
		iteration: 1,
		phase: EpochPhase::Spread { next: 0 },
		previous: Some(1),
		current: 2,
		published: Some(0),
		stamp: 3,
		previous_total: FixedU128::from_u32(1),
		current_total: FixedU128::zero(),
		accumulated: FixedU128::zero(),
		residual: FixedU128::zero(),
		top: BoundedVec::new(),
	}
}

/// The running epoch in `state`.
fn run_of<T: Config>(state: EpochStateOf<T>) -> EpochRunOf<T> {
	match state {
		EpochState::Running(run) => run,
		EpochState::Idle { .. } => panic!("the epoch ended"),
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The worst receipt: the consumer's local trust is full (it is decayed, scanned and the
	/// smallest entry replaced) and it has debts; it vouches for part of the units and owes the
	/// rest (a debt is added); the provider is in deficit, so what its deficit absorbs repays two
	/// of its creditors (two more records read, decided and written). Both parties are
	/// registered, as `pallet-receipts` guarantees.
	#[benchmark]
	fn on_receipt_recorded() {
		let partners = T::MaxPartners::get();
		let allowance = Strangers::<T>::get().allowance;
		// The consumer took far beyond its credit from every one of its providers...
		let consumer = overdrawn_from_every_partner::<T>(allowance);
		// ... then earned back more than its deficit from a rich peer.
		let rich = registered::<T>(partners + 1, 1).remove(0);
		let mut record = Reputations::<T>::get(&rich).expect("registered");
		record.service = u128::MAX / 4;
		Reputations::<T>::insert(&rich, record);
		let deficit = crate::credit::deficit(
			&Reputations::<T>::get(&consumer).expect("registered"),
			allowance,
			&Parameters::<T>::get(),
		);
		Reputation::<T>::note_service(
			&consumer,
			&rich,
			deficit.saturating_mul(2).saturating_add(10_000),
			now::<T>(),
		);
		let credit = Reputation::<T>::admission_credit_of(&consumer);
		assert!(credit > 0);
		// The provider owes two lenders more than its allowance each, so that its deficit (which
		// counts its whole allowance as covered) is larger than its largest claim and what it
		// absorbs reaches both, whether its allowance was released at once or not at all yet.
		let provider = registered::<T>(partners + 2, 1).remove(0);
		let lenders = registered::<T>(partners + 3, 2);
		for lender in &lenders {
			Reputation::<T>::note_service(
				lender,
				&provider,
				allowance.saturating_add(1_000),
				now::<T>(),
			);
		}
		let service_of = |peer: &T::AccountId| Reputations::<T>::get(peer).map(|r| r.service);
		let lent: Vec<_> = lenders.iter().map(service_of).collect();
		founders_apart_from_the_parties::<T>();
		advance::<T>(7);
		let noted;
		#[block]
		{
			noted = Reputation::<T>::note_service(
				&provider,
				&consumer,
				credit.saturating_add(1_000_000),
				now::<T>(),
			);
		}
		assert_eq!(noted.settlement, crate::credit::Settlement::Repaying);
		assert_eq!(noted.debt_storage_unused, crate::credit::DebtStorage::default(), "all of it");
		let index = index_of::<T>(&provider);
		let consumer_index = index_of::<T>(&consumer);
		let local = LocalTrustOf::<T>::get(consumer_index).expect("the consumer has local trust");
		assert!(local.providers.iter().any(|(p, _)| *p == index));
		let debts = DebtsOf::<T>::get(consumer_index).expect("the consumer owes");
		assert!(debts.creditors.iter().any(|(c, _)| *c == index));
		for (lender, before) in lenders.iter().zip(lent) {
			assert!(service_of(lender) > before, "both creditors repaid");
		}
	}

	/// The worst receipt whose consumer owes and whose provider repays no one: the consumer's
	/// local trust is full (decayed, scanned, the smallest entry replaced) and so is its list
	/// of debts (decayed, scanned, the smallest claim replaced by the new one, sorted); it owes
	/// what its credit does not cover. The provider has no deficit, so nothing is repaid.
	#[benchmark]
	fn on_receipt_recorded_owing() {
		let partners = T::MaxPartners::get();
		let allowance = Strangers::<T>::get().allowance;
		// The consumer took beyond its credit from every one of its providers: its local trust
		// is full, and so is its list of debts.
		let consumer = overdrawn_from_every_partner::<T>(allowance);
		let consumer_index = index_of::<T>(&consumer);
		let debts = DebtsOf::<T>::get(consumer_index).expect("the consumer owes");
		assert_eq!(debts.creditors.len() as u32, T::MaxCreditors::get(), "a full list of debts");
		let largest = debts.creditors.iter().map(|(_, owed)| *owed).max().unwrap_or_default();
		let credit = Reputation::<T>::admission_credit_of(&consumer);
		let provider = registered::<T>(partners + 2, 1).remove(0);
		founders_apart_from_the_parties::<T>();
		advance::<T>(7);
		let noted;
		#[block]
		{
			noted = Reputation::<T>::note_service(
				&provider,
				&consumer,
				credit.saturating_add(largest).saturating_add(1_000),
				now::<T>(),
			);
		}
		assert_eq!(noted.settlement, crate::credit::Settlement::Owing);
		assert_eq!(noted.debt_storage_unused, crate::credit::DebtStorage::default(), "all of it");
		assert!(!noted.wrote_stranger_policy);
		let index = index_of::<T>(&provider);
		let local = LocalTrustOf::<T>::get(consumer_index).expect("the consumer has local trust");
		assert!(local.providers.iter().any(|(p, _)| *p == index));
		let debts = DebtsOf::<T>::get(consumer_index).expect("the consumer owes");
		assert!(debts.creditors.iter().any(|(c, _)| *c == index), "the smallest claim replaced");
	}

	/// The worst receipt that touches no debt: the consumer's credit covers every unit and the
	/// provider has no deficit. The consumer's local trust is full and decayed (scanned, and the
	/// smallest entry replaced); the provider graduates with the consumer admitted, so its
	/// decision changes and the stranger policy counts the outcome; the provider is not admitted
	/// yet, so the founders are read to know whether it witnesses the consumer.
	#[benchmark]
	fn on_receipt_recorded_vouched() {
		let partners = T::MaxPartners::get();
		let parameters = Parameters::<T>::get();
		let consumer = registered::<T>(0, 1).remove(0);
		let mut record = Reputations::<T>::get(&consumer).expect("registered");
		record.service = u128::MAX / 4;
		record.witnessed_service = record.service;
		record.admission = Admission::Admitted;
		Reputations::<T>::insert(&consumer, record);
		for provider in registered::<T>(1, partners) {
			Reputation::<T>::note_service(&provider, &consumer, 1_000, now::<T>());
		}
		let provider = registered::<T>(partners + 1, 1).remove(0);
		founders_apart_from_the_parties::<T>();
		advance::<T>(7);
		let mut record = Reputations::<T>::get(&provider).expect("registered");
		record.service = parameters.graduation_service.saturating_sub(1);
		record.witnessed_service = record.service;
		record.updated_at = now::<T>();
		Reputations::<T>::insert(&provider, record);
		let reciprocated = Strangers::<T>::get().reciprocated;
		let noted;
		#[block]
		{
			noted = Reputation::<T>::note_service(&provider, &consumer, 2_000, now::<T>());
		}
		assert_eq!(noted.settlement, crate::credit::Settlement::Vouched);
		assert!(noted.wrote_stranger_policy);
		let index = index_of::<T>(&provider);
		let local = LocalTrustOf::<T>::get(index_of::<T>(&consumer)).expect("local trust");
		assert!(local.providers.iter().any(|(p, _)| *p == index), "the smallest entry replaced");
		assert_eq!(
			Reputations::<T>::get(&provider).map(|r| r.admission),
			Some(Admission::Admitted)
		);
		assert_eq!(Strangers::<T>::get().reciprocated, reciprocated.saturating_add(1));
	}

	/// A new peer's record is created and its decision changes (it is banned).
	#[benchmark]
	fn note_standing() {
		let who = peer::<T>(0);
		#[block]
		{
			Reputation::<T>::note_standing(&who, Standing::Banned);
		}
		assert_eq!(
			Reputations::<T>::get(&who).map(|r| r.admission),
			Some(Admission::Denied(DenialReason::Banned))
		);
	}

	/// `on_idle` with nothing to do: read the parameters and the state, write the state.
	#[benchmark]
	fn on_idle_base() {
		Epoch::<T>::put(EpochState::Idle { next_epoch_at: now::<T>() + 1_000u32.into() });
		#[block]
		{
			Reputation::<T>::advance_epoch(now::<T>(), Weight::MAX);
		}
	}

	/// Starting an epoch with `p` pre-trusted peers to look up.
	#[benchmark]
	fn start_epoch(p: Linear<0, { T::MaxPreTrusted::get() }>) {
		let peers = registered::<T>(0, p.max(1));
		let pretrusted = BoundedVec::truncate_from(peers.into_iter().take(p as usize).collect());
		PreTrusted::<T>::put(pretrusted);
		published::<T>(1);
		let parameters = Parameters::<T>::get();
		#[block]
		{
			let _ = Reputation::<T>::start_epoch(now::<T>(), &parameters);
		}
	}

	/// Compacting one slot of the member list: its peer withdrew its bond and was a founder,
	/// so it is dropped (its record written) and leaves the epoch's founders.
	#[benchmark]
	fn compact() {
		let parameters = Parameters::<T>::get();
		let peers = registered::<T>(0, 2);
		Reputation::<T>::note_standing(&peers[0], Standing::Unregistered);
		let slot = slot_of::<T>(index_of::<T>(&peers[0]));
		let run = EpochRun {
			phase: EpochPhase::Compact { read: slot, write: slot },
			..running::<T>(&peers[..1])
		};
		let mut cache = cached::<T>(&[index_of::<T>(&peers[0])]);
		let state;
		#[block]
		{
			state = Reputation::<T>::step(run, now::<T>(), &parameters, &mut cache).0;
		}
		assert_eq!(cache.take_traffic(), PageTraffic::default());
		let run = run_of::<T>(state);
		assert!(run.pretrusted.is_empty());
		assert!(!Reputations::<T>::get(&peers[0]).expect("registered once").listed);
	}

	/// Compacting a slot whose peer is still registered: its record read, the peer moved down
	/// into the slot a peer that left freed (its member page already in the block's cache).
	#[benchmark]
	fn compact_kept() {
		let parameters = Parameters::<T>::get();
		let peers = registered::<T>(0, 2);
		Reputation::<T>::note_standing(&peers[0], Standing::Unregistered);
		let gone = slot_of::<T>(index_of::<T>(&peers[0]));
		let kept = slot_of::<T>(index_of::<T>(&peers[1]));
		let run = EpochRun {
			phase: EpochPhase::Compact { read: kept, write: gone },
			..running::<T>(&[])
		};
		let mut cache = cached::<T>(&[index_of::<T>(&peers[1])]);
		let step;
		#[block]
		{
			step = Reputation::<T>::step(run, now::<T>(), &parameters, &mut cache);
		}
		assert_eq!(step.1, Some(crate::epoch::Done::KeptMember));
		assert_eq!(cache.take_traffic(), PageTraffic::default());
		assert_eq!(cache.member(gone), Some(index_of::<T>(&peers[1])), "moved down");
		assert!(Reputations::<T>::get(&peers[1]).expect("registered").listed);
	}

	/// One consumer passing its trust to `k` providers, their pages already in the block's
	/// cache.
	#[benchmark]
	fn spread(k: Linear<0, { T::MaxPartners::get() }>) {
		let parameters = Parameters::<T>::get();
		let consumer = registered::<T>(0, 1).remove(0);
		let providers = registered::<T>(1, k);
		for provider in &providers {
			Reputation::<T>::note_service(provider, &consumer, 1_000, now::<T>());
		}
		let run = EpochRun {
			phase: EpochPhase::Spread { next: slot_of::<T>(index_of::<T>(&consumer)) },
			..running::<T>(&[])
		};
		let indices: Vec<PeerIndex> =
			core::iter::once(&consumer).chain(&providers).map(index_of::<T>).collect();
		let mut cache = cached::<T>(&indices);
		let edges;
		#[block]
		{
			edges = Reputation::<T>::step(run, now::<T>(), &parameters, &mut cache).1;
		}
		assert_eq!(edges, Some(crate::epoch::Done::Spread(crate::epoch::Spread::Edges(k))));
		assert_eq!(cache.take_traffic(), PageTraffic::default());
		for provider in &providers {
			assert!(!cache.trust(2, index_of::<T>(provider)).value.is_zero());
		}
	}

	/// A consumer with no trust to pass on, its pages already in the block's cache: its local
	/// trust (full) is not read.
	#[benchmark]
	fn spread_without_trust() {
		let parameters = Parameters::<T>::get();
		let consumer = registered::<T>(0, 1).remove(0);
		for provider in registered::<T>(1, T::MaxPartners::get()) {
			Reputation::<T>::note_service(&provider, &consumer, 1_000, now::<T>());
		}
		let index = index_of::<T>(&consumer);
		let run = EpochRun {
			phase: EpochPhase::Spread { next: slot_of::<T>(index) },
			..running::<T>(&[])
		};
		let mut cache = cached::<T>(&[index]);
		// It received nothing in the last iteration.
		cache.insert_trust(1, index, TrustEntry::default());
		cache.take_traffic();
		let outcome;
		#[block]
		{
			outcome = Reputation::<T>::step(run, now::<T>(), &parameters, &mut cache).1;
		}
		assert_eq!(outcome, Some(crate::epoch::Done::Spread(crate::epoch::Spread::NothingToPass)));
		assert_eq!(cache.take_traffic(), PageTraffic::default());
	}

	/// Damping one member's trust, its pages already in the block's cache.
	#[benchmark]
	fn damp() {
		let parameters = Parameters::<T>::get();
		let peers = registered::<T>(0, 2);
		Reputation::<T>::note_service(&peers[1], &peers[0], 1_000, now::<T>());
		let mut run = running::<T>(&[]);
		let mut cache = cached::<T>(&[index_of::<T>(&peers[0]), index_of::<T>(&peers[1])]);
		Reputation::<T>::spread_from(&mut run, index_of::<T>(&peers[0]), &mut cache);
		run.phase = EpochPhase::Damp { next: slot_of::<T>(index_of::<T>(&peers[1])) };
		let state;
		#[block]
		{
			state = Reputation::<T>::step(run, now::<T>(), &parameters, &mut cache).0;
		}
		assert_eq!(cache.take_traffic(), PageTraffic::default());
		let run = run_of::<T>(state);
		assert!(!run.current_total.is_zero());
		assert!(cache.trust(2, index_of::<T>(&peers[1])).damped);
	}

	/// Ending an iteration with `p` founders to damp, by publishing the epoch.
	#[benchmark]
	fn finish_iteration(p: Linear<0, { T::MaxPreTrusted::get() }>) {
		let parameters = Parameters::<T>::get();
		let founders = registered::<T>(0, p);
		// The last iteration allowed: the epoch is published (one more write than iterating).
		let mut run = EpochRun { max_iterations: 2, ..running::<T>(&founders) };
		let indices: Vec<PeerIndex> = founders.iter().map(index_of::<T>).collect();
		let mut cache = cached::<T>(&indices);
		for index in &indices {
			cache.insert_trust(
				2,
				*index,
				TrustEntry { stamp: 3, value: FixedU128::from_rational(1, 1_000), damped: false },
			);
		}
		run.phase = EpochPhase::Damp { next: run.peers };
		let state;
		#[block]
		{
			state = Reputation::<T>::step(run, now::<T>(), &parameters, &mut cache).0;
		}
		assert_eq!(cache.take_traffic(), PageTraffic::default());
		let run = run_of::<T>(state);
		assert!(matches!(run.phase, EpochPhase::Review { .. }));
		for index in &indices {
			assert!(cache.trust(2, *index).damped);
		}
	}

	/// Reviewing one peer whose decision changes: it exhausted its allowance, and its usage
	/// has decayed back within the minimum allowance it now has, so it is readmitted to
	/// probation (an event), and it is ranked.
	#[benchmark]
	fn review() {
		let parameters = Parameters::<T>::get();
		let peers = registered::<T>(0, 2);
		let allowance = Strangers::<T>::get().allowance;
		Reputation::<T>::note_service(
			&peers[0],
			&peers[1],
			allowance.saturating_mul(2),
			now::<T>(),
		);
		advance::<T>(blocks_until_within_minimum::<T>(allowance.saturating_mul(2)));
		let run = EpochRun {
			phase: EpochPhase::Review { next: slot_of::<T>(index_of::<T>(&peers[1])) },
			..running::<T>(&[])
		};
		let mut cache = cached::<T>(&[index_of::<T>(&peers[1])]);
		#[block]
		{
			let _ = Reputation::<T>::step(run, now::<T>(), &parameters, &mut cache);
		}
		assert_eq!(cache.take_traffic(), PageTraffic::default());
		assert_eq!(
			Reputations::<T>::get(&peers[1]).map(|r| r.admission),
			Some(Admission::Probation)
		);
	}

	/// Loading a full trust page into the block's cache: one read, decoded.
	#[benchmark]
	fn load_trust_page() {
		let entry = TrustEntry { stamp: 1, value: FixedU128::from_rational(1, 3), damped: true };
		fill_buffer::<T>(0, TRUST_PAGE_SIZE, entry);
		let mut cache = PageCache::<T>::default();
		let read;
		#[block]
		{
			read = cache.trust(0, TRUST_PAGE_SIZE - 1);
		}
		assert_eq!(read, entry);
		assert_eq!(cache.take_traffic(), PageTraffic { loaded: 1, dirtied: 0 });
	}

	/// Writing a full, changed trust page back at the end of a block's share: encoded, one
	/// write, and the page hashed whole as the block's storage root will hash it. The database
	/// weight of a write was measured on the state's mostly small values (`benchmark storage`),
	/// and the benchmark's own storage root is not part of the weight, so the hash of a page of
	/// 21.5 KiB, which grows with the page, is measured here.
	#[benchmark]
	fn store_trust_page() {
		let entry = TrustEntry { stamp: 1, value: FixedU128::from_rational(1, 3), damped: true };
		fill_buffer::<T>(0, TRUST_PAGE_SIZE, entry);
		let mut cache = PageCache::<T>::default();
		let changed = TrustEntry { stamp: 2, ..entry };
		cache.insert_trust(0, 0, changed);
		let mut page = alloc::vec![entry; TRUST_PAGE_SIZE as usize];
		page.insert(0, changed);
		page.truncate(TRUST_PAGE_SIZE as usize);
		let encoded = codec::Encode::encode(&page);
		let hash;
		#[block]
		{
			cache.flush();
			hash = <sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(&encoded);
		}
		assert_eq!(
			hash,
			<sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(
				&codec::Encode::encode(&TrustPages::<T>::get(0, 0))
			),
			"the stored page is what was hashed"
		);
		assert_eq!(stored_entry::<T>(0, 0), changed);
		assert_eq!(TrustPages::<T>::get(0, 0).len() as u32, TRUST_PAGE_SIZE);
	}

	#[benchmark]
	fn set_parameters() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let mut new = Parameters::<T>::get();
		new.damping = crate::PartsPerBillion::from_percent(60);
		// The worst case moves the stranger allowance's bounds: the allowance in force moves
		// with them and is announced.
		new.stranger_allowance_max = new.stranger_allowance_max.saturating_mul(2).max(1);
		let before = Strangers::<T>::get().allowance;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new.clone());
		assert_eq!(Parameters::<T>::get(), new);
		assert_ne!(Strangers::<T>::get().allowance, before, "the allowance moved");
		Ok(())
	}

	#[benchmark]
	fn set_pretrusted(p: Linear<0, { T::MaxPreTrusted::get() }>) -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let peers = registered::<T>(0, p);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, peers.clone());
		assert_eq!(PreTrusted::<T>::get().into_inner(), peers);
		Ok(())
	}

	#[benchmark]
	fn refresh_admission() {
		let peers = registered::<T>(0, 2);
		let allowance = Strangers::<T>::get().allowance;
		Reputation::<T>::note_service(
			&peers[0],
			&peers[1],
			allowance.saturating_mul(2).saturating_add(1),
			now::<T>(),
		);
		advance::<T>(blocks_until_within_minimum::<T>(
			allowance.saturating_mul(2).saturating_add(1),
		));
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), peers[1].clone());
		assert_eq!(
			Reputations::<T>::get(&peers[1]).map(|r| r.admission),
			Some(Admission::Probation)
		);
	}

	impl_benchmark_test_suite!(
		Reputation,
		crate::mock::new_test_ext(alloc::vec![]),
		crate::mock::Test
	);
}
