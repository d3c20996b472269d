//! One simulation run: a fresh dev chain, a population of peers in this process on libp2p's
//! memory transport, one serving policy for all of them, and a workload; sampled every few
//! seconds into the service each class of peer receives.
//!
//! Scenarios (see `docs/simulation.md`):
//! - [`Scenario::Baseline`]: 16 honest peers, 4 free riders, one Sybil attacker with 8 bonded
//!   identities faking service to each other; everyone wants every file.
//! - [`Scenario::Imbalance`]: 15 honest peers in cycles of three, A wants only B's file, B only
//!   C's, C only A's: nobody can repay the peer that serves it.
//! - [`Scenario::Churn`]: a large population (1,000 by default) with a tenth free riders that
//!   re-key (whitewash) once denied, each paying its new identities' bonds from its own budget
//!   ([`SimConfig::whitewasher_budget`]); every period a tenth of the peers leave and fresh ones
//!   join (never the founders, [`SimConfig::founders`]).
//! - [`Scenario::Overshoot`]: one free rider against [`SimConfig::servers`] seeds at once, each
//!   with its own file: how much of its stranger allowance it takes before every server refuses
//!   it, with and without the servers' [`StrangerWindow`].

use crate::{
	choker::ChokerConfig,
	chunks::CHUNK_BYTES,
	library::{File, Library},
	ChainServices, Command, PeerConfig, PeerHandle, Role, ServePolicy, SharePeer, Wants, SERVICE,
};
use rand::{seq::SliceRandom, Rng, SeedableRng};
use repute_overlay::chain::calls::Call;
use repute_overlay::devnet::{setup, DevNode};
use repute_overlay::{
	AdmissionGate, ChainClient, ChannelBook, CreditStanding, Durability, GatePolicy, Identity,
	OwnCredit, OwnCreditConfig, Payer, PayerConfig, ReceiptConfig, ReceiptPolicy, ReceiptStore,
	Signer, StrangerWindow, Submitter, SubmitterConfig, TransportKind,
};
use repute_primitives::{payments::PaymentParameters, pricing::PriceBounds};
use repute_rpc_api::json::{AdmissionAnswer, Decision, Reason, ServicePriceJson};
use std::{
	collections::HashMap,
	path::PathBuf,
	sync::{atomic::Ordering, Arc},
	time::{Duration, Instant},
};

/// Which population and workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Scenario {
	/// 16 honest, 4 free riders, a Sybil attacker with 8 identities.
	Baseline,
	/// Wants in cycles of three.
	Imbalance,
	/// A large population with churn and whitewashers.
	Churn,
	/// One free rider against many seeds at once.
	Overshoot,
}

impl Scenario {
	/// A short name.
	pub fn name(&self) -> &'static str {
		match self {
			Self::Baseline => "baseline",
			Self::Imbalance => "imbalance",
			Self::Churn => "churn",
			Self::Overshoot => "overshoot",
		}
	}
}

/// What kind of peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
	/// Serves and downloads.
	Honest,
	/// Downloads, never serves.
	FreeRider,
	/// An identity of the Sybil attacker.
	Sybil,
	/// A free rider that re-keys once denied.
	Whitewasher,
}

impl Class {
	/// A short name.
	pub fn name(&self) -> &'static str {
		match self {
			Self::Honest => "honest",
			Self::FreeRider => "free-rider",
			Self::Sybil => "sybil",
			Self::Whitewasher => "whitewasher",
		}
	}
}

/// How to run.
#[derive(Clone, Debug)]
pub struct SimConfig {
	/// The population and workload.
	pub scenario: Scenario,
	/// The serving policy every peer uses.
	pub policy: ServePolicy,
	/// How long the workload runs.
	pub duration: Duration,
	/// What the summary leaves out at the start.
	pub warmup: Duration,
	/// Time between samples.
	pub sample_every: Duration,
	/// Peers in the churn scenario.
	pub churn_peers: usize,
	/// Pre-trusted honest peers, the network's founders ([`SimConfig::founders_of`]): the first
	/// honest peers, named by governance before the workload starts, the first witnesses of
	/// newcomers' graduation, and never among the peers a churn round replaces.
	pub founders: usize,
	/// Time between churn rounds.
	pub churn_period: Duration,
	/// Chunks each peer uploads per second.
	pub upload_chunks_per_second: f64,
	/// How long a request that lacks only an upload slot waits for one
	/// ([`crate::PeerConfig::longest_wait`]; zero refuses it as busy at once).
	pub longest_wait: Duration,
	/// Chunk requests each peer keeps open at once ([`crate::PeerConfig::max_in_flight`];
	/// [`DEFAULT_MAX_IN_FLIGHT`] unless the run asks otherwise): how much an honest peer asks
	/// of its providers, which decides whether servers idle once attackers are refused.
	pub max_in_flight: usize,
	/// Time between each peer's receipt submissions ([`SubmitterConfig::interval`]); `None`:
	/// [`SimConfig::default_submit_every`] for the scenario.
	pub submit_every: Option<Duration>,
	/// Honest peers under the Repute policies ask for chunks only within their own admission
	/// credit ([`crate::peer::ChainServices::credit`]); false: as much as providers give them.
	pub within_own_credit: bool,
	/// Where logs and stores go.
	pub work_dir: PathBuf,
	/// The `repute-node` binary.
	pub node_binary: PathBuf,
	/// Seed of the run's randomness (topology, churn).
	pub seed: u64,
	/// Seeds serving the free rider at once in the overshoot scenario.
	pub servers: usize,
	/// What a whitewasher has to spend, in peer bonds (every other peer gets two). Its first
	/// identity holds one; each re-key leaves the old bond held (and forfeited for the allowance
	/// it took) and pays the next from what is left, so it affords about `budget − 1` fresh
	/// identities.
	pub whitewasher_budget: u32,
	/// The servers' stranger window: a newcomer gets at most `allowance / k` of service the chain
	/// has not counted from each server (0: no window, the chain's verdict alone).
	pub stranger_window: u32,
	/// Blocks over which the chain releases a newcomer's stranger allowance
	/// (`stranger_release`; 0: at once); the servers' stranger window releases its cap over the
	/// same time.
	pub stranger_release: u32,
	/// Under the paid policy: congestion pricing of the served bytes, set through sudo before
	/// the workload starts (`None`: the dev chain's genesis pricing, which stays at its floor).
	pub congestion: Option<Congestion>,
}

impl SimConfig {
	/// Time between each peer's receipt submissions unless `--submit-every` says otherwise:
	/// 12 s in the churn scenario (its value since the first simulator; 3 s lowered honest
	/// service at 1,000 peers on 2026-12-05: docs/simulation.md), the library's 3 s
	/// ([`SubmitterConfig::default`]) in the others.
	pub fn default_submit_every(scenario: Scenario) -> Duration {
		match scenario {
			Scenario::Churn => Duration::from_secs(12),
			_ => SubmitterConfig::default().interval,
		}
	}

	/// Time between each peer's receipt submissions in this run.
	pub fn submit_interval(&self) -> Duration {
		self.submit_every.unwrap_or_else(|| Self::default_submit_every(self.scenario))
	}

	/// How many of `honest` peers are founders: [`SimConfig::founders`], at least one (the
	/// global gate asks as one) and at most every honest peer; an error above [`MAX_FOUNDERS`],
	/// before anything starts (the chain would refuse the list, which `setup::govern` reports).
	pub fn founders_of(&self, honest: usize) -> Result<usize, String> {
		founders_among(self.founders, honest)
	}
}

/// Chunk requests each simulated peer keeps open at once unless a run asks otherwise (the
/// library's default is 8, [`crate::PeerConfig::default`]; every published run before
/// 2026-12-06 used 4).
pub const DEFAULT_MAX_IN_FLIGHT: usize = 4;

/// The most chunk requests in flight a run may ask each peer to keep (the command line's bound).
pub const MAX_REQUESTS_IN_FLIGHT: usize = 64;

/// The most founders a run may name: the runtime's `MaxPreTrusted` (the command line's bound; a
/// runtime that allows fewer refuses the list, and `setup::govern` fails the run).
pub const MAX_FOUNDERS: usize = 32;

/// [`SimConfig::founders_of`] for `asked` founders among `honest` peers.
fn founders_among(asked: usize, honest: usize) -> Result<usize, String> {
	if asked > MAX_FOUNDERS {
		return Err(format!(
			"{asked} founders asked for; the runtime pre-trusts at most {MAX_FOUNDERS}"
		));
	}
	Ok(asked.clamp(1, honest.max(1)))
}

/// Congestion pricing for a run: the pricing period and the bytes' price bounds.
#[derive(Clone, Debug)]
pub struct Congestion {
	/// Blocks in a pricing period.
	pub price_period: u32,
	/// The reference price's floor, ceiling and target load a period.
	pub bounds: PriceBounds<u128>,
}

impl Congestion {
	/// Periods of `price_period` blocks aiming at `target_units` bytes paid a period, priced
	/// from an eighth of what payers pay ([`PRICE`]) up to four times it: a load above the target
	/// raises the price until it reaches what payers pay, where units paid below it stop
	/// counting as load.
	pub fn around_the_payers_price(price_period: u32, target_units: u128) -> Self {
		Self {
			price_period,
			bounds: PriceBounds { floor: PRICE / 8, ceiling: PRICE * 4, target_units },
		}
	}
}

/// The reference price of the served bytes at one sample, under congestion pricing.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceSample {
	/// Seconds since the workload started.
	pub t: f64,
	/// The reference price a byte.
	pub price: u128,
	/// The load of the last period that ended, in bytes.
	pub previous_load: u128,
	/// The load so far in the current period, in bytes.
	pub load: u128,
}

/// The chain's adaptive stranger policy at one sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StrangerSample {
	/// Seconds since the workload started.
	pub t: f64,
	/// The stranger allowance in force, in bytes.
	pub allowance: u128,
	/// Recent newcomers that graduated, as the policy counts them (halved every
	/// `stranger_memory` blocks).
	pub reciprocated: u32,
	/// Recent newcomers that used up their allowance without serving.
	pub defected: u32,
}

/// The chain's denials of attacking identities at one sample, and the service that reached
/// identities it had already denied: what servers gave on verdicts older than the chain's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DenialSample {
	/// Seconds since the workload started.
	pub t: f64,
	/// The finalized block the decisions were read at (gates follow finalized blocks).
	pub finalized: u32,
	/// Live attacking identities the chain denies for what they did (a denial only because their
	/// allowance is still being released does not count).
	pub denied: usize,
	/// Bytes per second received since the last sample by identities the chain denied at both
	/// samples, summed over them.
	pub served_while_denied: f64,
	/// Receipts the live peers' submitters have sent to the node so far (a resend counts
	/// again): when they start to flow.
	pub receipts_sent: u64,
	/// Live honest peers at the sample.
	pub honest: usize,
	/// Of them, the ones the chain denies at the same block (for anything but an allowance
	/// still being released): what the policy costs honest peers.
	pub honest_denied: usize,
	/// Of those, the ones denied as strangers that used up their allowance before they had
	/// credit of their own.
	pub honest_denied_as_strangers: usize,
	/// Of the live honest peers that keep within their own credit, how many knew it at the
	/// sample (their node had answered lately); the next two are means over them.
	pub honest_keeping_credit: usize,
	/// The admission credit their node last reported them, on average, in bytes.
	pub honest_mean_credit: u128,
	/// What they had received that the chain had not counted at its last report, on average,
	/// in bytes: the part of their credit they could not ask for.
	pub honest_mean_uncounted: u128,
	/// Times live honest peers held back a request because it was beyond their own credit, so
	/// far (summed over them).
	pub honest_held_for_credit: u64,
}

/// What whitewashing cost the whitewashers of a run, at its end.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Whitewashing {
	/// Bonds each whitewasher could pay for (`--whitewasher-budget`).
	pub budget_in_bonds: u32,
	/// Whitewasher identities that took part (initial, joining and re-keyed ones).
	pub identities: usize,
	/// Of those, the fresh identities whitewashers re-keyed to, each paid with a bond.
	pub rekeys: usize,
	/// Live whitewashers that could not pay another bond and kept a denied identity.
	pub broke: usize,
}

/// WebSocket connections the peers share to reach the node: a real peer has one of its own,
/// but a thousand connections would each fetch the runtime's metadata and keep buffers in the
/// one node and the one process of a run. Until 2026-12-03 all peers shared one, so that each
/// peer's submissions waited behind every other peer's calls (and, under the subjective policy,
/// behind a thousand gates' lookups and subscriptions).
pub const PEER_CONNECTIONS: usize = 64;

/// The stranger allowance (and bilateral credit's), in chunks.
pub const ALLOWANCE_CHUNKS: u128 = 32;

/// What the paid policy asks a byte: a 16 KiB chunk costs 0.016 UNIT.
pub const PRICE: u128 = 1_000_000;

/// What an honest peer pays with under the paid policy: channels of 1 UNIT (the chain's least
/// escrow; about 61 chunks at [`PRICE`]), 60 UNIT in all.
const PAYER: PayerConfig = PayerConfig {
	service: SERVICE,
	max_price: PRICE,
	escrow: 1_000_000_000_000,
	budget: 60_000_000_000_000,
	confirm_timeout: Duration::from_secs(60),
	quiet_after_payment: Duration::from_secs(5),
};

/// How long what the free rider receives must stay flat, after the chain denied it, for the
/// overshoot run to end.
const OVERSHOOT_QUIET: Duration = Duration::from_secs(30);

/// Service one class received in one sampling interval.
#[derive(Clone, Debug)]
pub struct Sample {
	/// Seconds since the workload started.
	pub t: f64,
	/// The class.
	pub class: Class,
	/// Live peers of the class.
	pub peers: usize,
	/// Mean bytes per second per peer received in the interval.
	pub bytes_per_second: f64,
}

/// What one identity got, for the attack classes.
#[derive(Clone, Debug)]
pub struct IdentityOutcome {
	/// Its class.
	pub class: Class,
	/// Bytes it received.
	pub received: u64,
	/// Whether the chain ever admitted it (beyond probation), at a finalized block the driver
	/// sampled.
	pub ever_admitted: bool,
	/// What it received after the chain denied it.
	pub denial: DenialOutcome,
}

/// What one attacking identity received after the chain denied it, as the driver sampled it
/// (every `sample_every`, at the finalized block).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DenialOutcome {
	/// Seconds from the start until the chain first denied it, if it did.
	pub first_denied: Option<f64>,
	/// Bytes it received between two samples at both of which the chain denied it.
	pub served_while_denied: u64,
	/// The longest it was still served while denied: seconds from the sample at which the chain
	/// denied it to the last sample of that denial by which it had received more (0: never).
	pub longest_served: f64,
}

/// A run's results.
#[derive(Clone, Debug)]
pub struct RunResult {
	/// The scenario.
	pub scenario: Scenario,
	/// The policy.
	pub policy: ServePolicy,
	/// The seed of the run's random choices.
	pub seed: u64,
	/// How long the workload was to run, in seconds (an overshoot run stops once every server
	/// refuses).
	pub duration: f64,
	/// Samples over time.
	pub samples: Vec<Sample>,
	/// Each attacking identity's outcome.
	pub identities: Vec<IdentityOutcome>,
	/// The stranger allowance in bytes.
	pub allowance: u128,
	/// The warm-up, in seconds.
	pub warmup: f64,
	/// Peers that ever took part.
	pub identities_total: usize,
	/// Servers in the overshoot scenario (0 in the others).
	pub servers: usize,
	/// The stranger window's `k` (0: none).
	pub stranger_window: u32,
	/// Blocks over which a newcomer's stranger allowance was released (0: at once).
	pub stranger_release: u32,
	/// Pre-trusted honest peers (founders), who stayed through churn.
	pub founders: usize,
	/// How long a request that lacks only an upload slot waited for one, in seconds (0: none).
	pub longest_wait: f64,
	/// Chunk requests each peer kept open at once.
	pub max_in_flight: usize,
	/// Seconds between each peer's receipt submissions.
	pub submit_every: f64,
	/// Whether honest peers asked for chunks only within their own admission credit.
	pub within_own_credit: bool,
	/// Seconds from the start until the chain denied the first free rider, if it did.
	pub free_rider_denied_at: Option<f64>,
	/// Under the paid policy: what honest peers paid and earned through their channels.
	pub payments: Option<Payments>,
	/// Under congestion pricing: the bytes' price bounds and the price at each sample.
	pub prices: Option<(PriceBounds<u128>, Vec<PriceSample>)>,
	/// The chain's stranger policy at each sample.
	pub strangers: Vec<StrangerSample>,
	/// The chain's denials of attacking identities at each sample.
	pub denials: Vec<DenialSample>,
	/// In runs with whitewashers: how many identities they paid for, and how many went broke.
	pub whitewashing: Option<Whitewashing>,
}

/// What honest peers paid and earned through payment channels in a run of the paid policy, as
/// the chain's channels show at its end (every channel an honest peer's payer opened).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Payments {
	/// Honest peers.
	pub peers: usize,
	/// Channels they opened.
	pub channels: usize,
	/// What they paid, in all (the chain's smallest unit).
	pub paid: u128,
	/// What they earned from each other's channels, in all.
	pub earned: u128,
	/// What the honest peers that paid more than they earned paid net (paid − earned), in all:
	/// what paying cost the honest population.
	pub net_paid: u128,
	/// What the honest peer that paid most net paid net.
	pub worst_net: i128,
	/// Of what was paid, what congestion tolls burnt (everyone's channels; only honest peers
	/// pay under the paid policy): `earned` and the net figures count payments before tolls.
	pub tolls: u128,
}

impl Payments {
	/// What honest peers paid and did not earn back, as a share of what they paid (0: each
	/// earned what it spent).
	pub fn net_share(&self) -> f64 {
		self.net_paid as f64 / (self.paid as f64).max(1.0)
	}
}

impl RunResult {
	/// Mean bytes per second per peer of `class` after the warm-up.
	pub fn steady_rate(&self, class: Class) -> Option<f64> {
		self.rate_after(class, self.warmup)
	}

	/// Mean bytes per second per peer of `class` over the workload's last minute (after the
	/// warm-up, if the workload is shorter than the warm-up and a minute): what a class gets
	/// once allowances taken at the start are spent, where the mean after the warm-up still
	/// counts them.
	pub fn last_minute_rate(&self, class: Class) -> Option<f64> {
		self.rate_after(class, (self.duration - 60.0).max(self.warmup))
	}

	/// Mean bytes per second per peer of `class` over the samples after `from` seconds.
	fn rate_after(&self, class: Class, from: f64) -> Option<f64> {
		let rates: Vec<f64> = self
			.samples
			.iter()
			.filter(|s| s.class == class && s.t > from && s.peers > 0)
			.map(|s| s.bytes_per_second)
			.collect();
		(!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64)
	}
}

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Member {
	class: Class,
	/// A whitewasher busy leaving this identity for a fresh one.
	rekeying: bool,
	/// A whitewasher that cannot pay another bond.
	broke: bool,
	identity: Identity,
	handle: PeerHandle,
	submitter: Option<Submitter>,
	payer: Option<Payer>,
	/// Its own credit, for an honest peer that keeps within it.
	credit: Option<OwnCredit>,
	last_received: u64,
	/// Bytes received between the last two samples.
	last_delta: u64,
	/// Since when (seconds) the chain has denied it, as last sampled.
	denied_since: Option<f64>,
	denial: DenialOutcome,
	last_refused: u64,
	last_answered: u64,
	alive: bool,
	ever_admitted: bool,
}

/// Identities funded and registered ahead of need, so joining peers do not wait for blocks.
struct Reserve {
	identities: Vec<Identity>,
}

impl Reserve {
	async fn new(
		chain: &ChainClient,
		alice: &Signer,
		count: usize,
		funding: u128,
	) -> Result<Self, Error> {
		let identities: Vec<Identity> = (0..count).map(|_| Identity::generate()).collect();
		let accounts: Vec<_> = identities.iter().map(|i| i.account().clone()).collect();
		for chunk in accounts.chunks(1000) {
			setup::fund(chain, alice, chunk, funding).await?;
		}
		for chunk in identities.chunks(1000) {
			setup::register(chain, chunk).await?;
		}
		Ok(Self { identities })
	}

	fn take(&mut self) -> Option<Identity> {
		self.identities.pop()
	}
}

struct Run {
	config: SimConfig,
	chain: Arc<ChainClient>,
	/// The peers' connections to the node ([`PEER_CONNECTIONS`]), each shared by the peers
	/// whose index it is modulo their number.
	connections: Vec<Arc<ChainClient>>,
	/// The driver's own connection, for its checks.
	driver: Arc<ChainClient>,
	genesis: repute_overlay::H256,
	global_gate: Option<AdmissionGate>,
	members: Vec<Member>,
	next_address: u64,
	rng: rand::rngs::StdRng,
	stores: PathBuf,
	/// Whitewasher identities replaced by fresh ones the whitewashers paid for.
	rekeys: usize,
	/// The founders are `members[..founders]`: churn rounds leave them in place.
	founders: usize,
}

impl Run {
	fn peer_config(&self, role: Role, wants: Wants) -> PeerConfig {
		let chunk = CHUNK_BYTES as u128;
		PeerConfig {
			role,
			policy: self.config.policy,
			bilateral_allowance: ALLOWANCE_CHUNKS * chunk,
			choker: ChokerConfig::default(),
			stranger_window: match self.config.stranger_window {
				0 => StrangerWindow::OPEN,
				k => StrangerWindow::shared_by(ALLOWANCE_CHUNKS * chunk, k).released_over(
					repute_overlay::chain::BLOCK_TIME.saturating_mul(self.config.stranger_release),
				),
			},
			price: PRICE,
			upload_chunks_per_second: self.config.upload_chunks_per_second,
			max_in_flight: self.config.max_in_flight,
			refusal_backoff: Duration::from_secs(2),
			longest_wait: self.config.longest_wait,
			sybil_fake_rate: 64 * chunk,
			receipts: ReceiptConfig {
				policy: ReceiptPolicy {
					cosign_every: 4 * chunk,
					max_unreceipted: 16 * chunk,
					max_clock_skew_ms: 30_000,
				},
				request_timeout: Duration::from_secs(10),
				retry_interval: Duration::from_secs(2),
				..ReceiptConfig::default()
			},
			catalogue_refresh: Duration::from_secs(30),
			wants,
			generated_downloads: true,
		}
	}

	async fn spawn(
		&mut self,
		class: Class,
		identity: Identity,
		role: Role,
		library: Library,
		wants: Wants,
	) -> Result<usize, Error> {
		let index = self.members.len();
		let dir = self.stores.join(format!("peer-{index}"));
		let store = Arc::new(ReceiptStore::open(&dir, Durability::Buffered)?);
		let chain = self.connections[index % self.connections.len()].clone();
		let submitter = Submitter::spawn(
			store.clone(),
			chain.clone(),
			identity.signer(),
			SubmitterConfig {
				interval: self.config.submit_interval(),
				backup_delay: Duration::from_secs(60),
				..Default::default()
			},
		);
		let gate = match self.config.policy {
			ServePolicy::ReputeGlobal => self.global_gate.clone(),
			ServePolicy::ReputeSubjective => Some(AdmissionGate::spawn(
				chain.clone(),
				GatePolicy::Subjective,
				identity.account(),
			)),
			_ => None,
		};
		let paid = self.config.policy.is_paid();
		// Honest peers pay their way; the attackers do not (a peer that pays is not free riding).
		let payer = (paid && class == Class::Honest)
			.then(|| Payer::spawn(chain.clone(), identity.signer(), PAYER));
		// Honest peers keep to their own credit where the chain decides who is served.
		let credit = (self.config.within_own_credit && gate.is_some() && class == Class::Honest)
			.then(|| {
				OwnCredit::spawn(chain.clone(), identity.account(), OwnCreditConfig::default())
			});
		let chain = ChainServices {
			gate,
			channels: paid.then(|| ChannelBook::spawn(chain.clone(), identity.account(), SERVICE)),
			payer: payer.clone(),
			credit: credit.clone(),
		};
		self.next_address += 1;
		let address = format!("/memory/{}", 1_000_000 + self.next_address).parse()?;
		let config = self.peer_config(role, wants);
		let handle = SharePeer::start(
			identity.clone(),
			self.genesis,
			store,
			chain,
			library,
			config,
			TransportKind::Memory,
			address,
			None,
		)
		.await?;
		self.members.push(Member {
			class,
			rekeying: false,
			broke: false,
			identity,
			handle,
			submitter: Some(submitter),
			payer,
			credit,
			last_received: 0,
			last_delta: 0,
			denied_since: None,
			denial: DenialOutcome::default(),
			last_refused: 0,
			last_answered: 0,
			alive: true,
			ever_admitted: false,
		});
		Ok(index)
	}

	/// A peer that downloads everything and serves nothing.
	async fn spawn_free_rider(&mut self, class: Class, identity: Identity) -> Result<usize, Error> {
		self.spawn(class, identity, Role::FreeRider, Library::default(), Wants::Everything).await
	}

	fn connect(&self, from: usize, to: usize) {
		if from != to && self.members[to].alive {
			self.members[from].handle.send(Command::Dial(self.members[to].handle.address.clone()));
		}
	}

	fn connect_randomly(&mut self, from: usize, degree: usize) {
		let alive: Vec<usize> =
			(0..self.members.len()).filter(|i| *i != from && self.members[*i].alive).collect();
		let picks: Vec<usize> = alive.choose_multiple(&mut self.rng, degree).copied().collect();
		for to in picks {
			self.connect(from, to);
		}
	}

	fn stop(&mut self, index: usize) {
		let member = &mut self.members[index];
		member.alive = false;
		member.handle.send(Command::Stop);
		member.submitter = None;
	}

	/// One sample per class: mean bytes per second per live peer since the last sample.
	fn sample(&mut self, t: f64, interval: f64) -> Vec<Sample> {
		let mut sums: HashMap<Class, (usize, f64)> = HashMap::new();
		for member in self.members.iter_mut() {
			if !member.alive {
				member.last_delta = 0;
				continue;
			}
			let received = member.handle.stats.received.load(Ordering::Relaxed);
			let delta = received.saturating_sub(member.last_received);
			member.last_received = received;
			member.last_delta = delta;
			let entry = sums.entry(member.class).or_default();
			entry.0 += 1;
			entry.1 += delta as f64 / interval;
		}
		let mut samples: Vec<Sample> = sums
			.into_iter()
			.map(|(class, (peers, total))| Sample {
				t,
				class,
				peers,
				bytes_per_second: total / peers as f64,
			})
			.collect();
		samples.sort_by_key(|s| s.class);
		samples
	}

	/// Whether the chain denies any free rider now.
	async fn any_free_rider_denied(&self) -> bool {
		let accounts: Vec<_> = self
			.members
			.iter()
			.filter(|m| m.class == Class::FreeRider)
			.take(1000)
			.map(|m| m.identity.account().clone())
			.collect();
		!accounts.is_empty()
			&& self.driver.admissions(&accounts, None).await.is_ok_and(|answers| {
				answers.iter().any(|answer| answer.decision == Decision::Denied)
			})
	}

	/// Bytes the peers of `class` received so far.
	fn received(&self, class: Class) -> u64 {
		self.members
			.iter()
			.filter(|m| m.class == class)
			.map(|m| m.handle.stats.received.load(Ordering::Relaxed))
			.sum()
	}

	/// Records, at the chain's finalized block (the one gates follow), which live attacking
	/// identities it admits, which it denies and what those it denied at the last sample too
	/// received since (`interval` seconds ago): service given on a verdict older than the
	/// chain's; and how many live honest peers it denies at that block. One query a sample: the
	/// driver read the best block for admissions as well until 2026-12-03.
	async fn watch_denials(&mut self, t: f64, interval: f64) -> Option<DenialSample> {
		// The finalized block first, so that its number is the one the sample was taken at.
		let finalized = self.driver.finalized_head().await.ok();
		let (honest, live): (Vec<usize>, Vec<usize>) = (0..self.members.len())
			.filter(|i| self.members[*i].alive)
			.partition(|i| self.members[*i].class == Class::Honest);
		let accounts: Vec<_> = live
			.iter()
			.chain(&honest)
			.map(|i| self.members[*i].identity.account().clone())
			.collect();
		let at_finalized = match &finalized {
			Some(hash) => self.driver.admissions_at(&accounts, hash).await.ok(),
			None => None,
		};
		let (finalized, mut answers) = finalized.zip(at_finalized)?;
		let number = self.driver.block_number(&finalized).await.ok()?;
		let is_denied = |answer: &AdmissionAnswer| {
			answer.decision == Decision::Denied
				&& answer.reason != Some(Reason::StrangerAllowanceNotYetReleased)
		};
		let honest_answers = answers.split_off(live.len().min(answers.len()));
		let honest_denied = honest_answers.iter().filter(|answer| is_denied(answer)).count();
		let honest_denied_as_strangers = honest_answers
			.iter()
			.filter(|answer| answer.reason == Some(Reason::StrangerAllowanceExhausted))
			.count();
		let (mut denied, mut served) = (0, 0u64);
		for (i, answer) in live.iter().zip(answers) {
			let member = &mut self.members[*i];
			if answer.decision == Decision::Admitted {
				member.ever_admitted = true;
			}
			if !is_denied(&answer) {
				member.denied_since = None;
				continue;
			}
			denied += 1;
			if let Some(since) = member.denied_since {
				member.denial.served_while_denied += member.last_delta;
				served += member.last_delta;
				if member.last_delta > 0 {
					member.denial.longest_served = member.denial.longest_served.max(t - since);
				}
			}
			member.denied_since.get_or_insert(t);
			member.denial.first_denied.get_or_insert(t);
		}
		let receipts_sent = self
			.members
			.iter()
			.filter_map(|m| m.submitter.as_ref())
			.map(|s| s.stats().sent.load(Ordering::Relaxed))
			.sum();
		let standings: Vec<CreditStanding> =
			honest.iter().filter_map(|i| self.members[*i].credit.as_ref()?.standing()).collect();
		let mean = |part: fn(&CreditStanding) -> u128| {
			standings.iter().map(part).sum::<u128>() / (standings.len().max(1) as u128)
		};
		let honest_held_for_credit = honest
			.iter()
			.map(|i| self.members[*i].handle.stats.held_for_credit.load(Ordering::Relaxed))
			.sum();
		Some(DenialSample {
			t,
			finalized: number,
			denied,
			served_while_denied: served as f64 / interval.max(f64::EPSILON),
			receipts_sent,
			honest: honest.len(),
			honest_denied,
			honest_denied_as_strangers,
			honest_keeping_credit: standings.len(),
			honest_mean_credit: mean(|standing| standing.reported_credit),
			honest_mean_uncounted: mean(|standing| standing.uncounted),
			honest_held_for_credit,
		})
	}
}

/// Runs one scenario under one policy; the node is stopped when it returns.
pub async fn run(config: SimConfig) -> Result<RunResult, Error> {
	let run_dir = config.work_dir.join(match config.scenario {
		Scenario::Overshoot => format!(
			"overshoot-{}-servers-{}-window-{}",
			config.policy.name(),
			config.servers,
			config.stranger_window
		),
		_ => format!("{}-{}", config.scenario.name(), config.policy.name()),
	});
	let _ = std::fs::remove_dir_all(&run_dir);
	let node = DevNode::start(&config.node_binary, &run_dir)?;
	let chain = Arc::new(ChainClient::connect(node.url.clone()).await?);
	// The driver's own connection: its samples and checks do not queue behind the peers'
	// submissions and admission queries on theirs.
	let driver = Arc::new(ChainClient::connect(node.url.clone()).await?);
	let genesis = chain.genesis_hash().await?;
	let alice = Signer::sr25519_from_uri("//Alice")?;
	let bond = chain.peer_bond().await?;
	let chunk = CHUNK_BYTES as u128;
	let allowance = ALLOWANCE_CHUNKS * chunk;

	// Population sizes.
	let (honest, free_riders, sybils, whitewashers) = match config.scenario {
		Scenario::Baseline => (16, 4, 8, 0),
		Scenario::Imbalance => (15, 0, 0, 0),
		Scenario::Churn => {
			let n = config.churn_peers.max(20);
			(n - n / 10, 0, 0, n / 10)
		}
		Scenario::Overshoot => (config.servers.max(1), 1, 0, 0),
	};
	let initial = honest + free_riders + sybils + whitewashers;
	let rounds = (config.duration.as_secs() / config.churn_period.as_secs().max(1)) as usize + 1;
	// Peers that join in churn rounds (a tenth of the population a round, of every class);
	// whitewashers' own re-keys are paid from their budgets, not from this reserve.
	let (spare, spare_whitewashers) = match config.scenario {
		Scenario::Churn => (rounds * (initial / 10), rounds * (whitewashers / 5 + 1)),
		_ => (0, 0),
	};
	tracing::info!(
		scenario = config.scenario.name(),
		policy = config.policy.name(),
		initial,
		spare,
		"funding and registering"
	);
	let mut reserve =
		Reserve::new(&chain, &alice, initial - whitewashers + spare, 2 * bond).await?;
	let budget = u128::from(config.whitewasher_budget.max(1)) * bond;
	let mut whitewasher_reserve =
		Reserve::new(&chain, &alice, whitewashers + spare_whitewashers, budget).await?;
	// The first honest peers are the pre-trusted ones (a network's founders).
	let founders: Vec<Identity> =
		(0..config.founders_of(honest)?).filter_map(|_| reserve.take()).collect();
	let founder_count = founders.len();
	let pretrusted: Vec<_> = founders.iter().map(|i| i.account().clone()).collect();
	// The stranger allowance adapts between an eighth of it and all of it, with how newcomers
	// behave (Feldman et al.'s adaptive stranger policy): whitewashers drive it down.
	let mut parameters = setup::fast_parameters(allowance, 2, 50);
	parameters.stranger_release = config.stranger_release;
	parameters.stranger_allowance_min = match config.scenario {
		// One fixed allowance, so that what the free rider takes is measured against it.
		Scenario::Overshoot => allowance,
		_ => allowance / 8,
	};
	setup::govern(&chain, &alice, &parameters, &pretrusted).await?;
	if config.stranger_release > 0 {
		// The network existed before the run: the identities registered above (the initial
		// population and the churn's joiners) have their allowances released before the
		// workload starts. Only identities registered during the run, whitewashers' re-keys,
		// start from nothing.
		let registered_by = chain.best_number().await?;
		let released_at = registered_by.saturating_add(config.stranger_release);
		tracing::info!(registered_by, released_at, "waiting for the allowances' release");
		while chain.best_number().await? < released_at {
			tokio::time::sleep(Duration::from_secs(3)).await;
		}
	}
	let congestion = config.congestion.clone().filter(|_| config.policy == ServePolicy::Paid);
	if let Some(congestion) = &congestion {
		price(&chain, &alice, congestion).await?;
	}
	let mut prices = Vec::new();
	let mut strangers = Vec::new();
	let mut denials = Vec::new();

	let global_gate = (config.policy == ServePolicy::ReputeGlobal)
		.then(|| AdmissionGate::spawn(chain.clone(), GatePolicy::Global, founders[0].account()));
	let mut run = Run {
		rng: rand::rngs::StdRng::seed_from_u64(config.seed),
		stores: run_dir.join("stores"),
		config: config.clone(),
		chain: chain.clone(),
		// Opened at their first call.
		connections: (0..PEER_CONNECTIONS)
			.map(|_| Arc::new(ChainClient::new(node.url.clone())))
			.collect(),
		driver: driver.clone(),
		genesis,
		global_gate,
		members: Vec::new(),
		next_address: rand::random::<u32>() as u64,
		rekeys: 0,
		founders: founder_count,
	};
	let file_chunks = match config.scenario {
		Scenario::Churn => 64,
		_ => 256,
	};
	let mut founders = founders.into_iter();
	for i in 0..honest {
		let identity = founders.next().or_else(|| reserve.take()).ok_or("reserve ran out")?;
		let mut library = Library::default();
		library.add(File::synthetic(&format!("file-{i}"), file_chunks));
		let wants = match config.scenario {
			// Cycles of three: peer 3k+j wants the file of 3k+(j+1)%3.
			Scenario::Imbalance => {
				Wants::Only(vec![format!("file-{}", 3 * (i / 3) + (i % 3 + 1) % 3)])
			}
			// Seeds: they only serve.
			Scenario::Overshoot => Wants::Only(Vec::new()),
			_ => Wants::Everything,
		};
		run.spawn(Class::Honest, identity, Role::Honest, library, wants).await?;
	}
	for _ in 0..free_riders {
		let identity = reserve.take().ok_or("reserve ran out")?;
		run.spawn_free_rider(Class::FreeRider, identity).await?;
	}
	for _ in 0..whitewashers {
		let identity = whitewasher_reserve.take().ok_or("reserve ran out")?;
		run.spawn_free_rider(Class::Whitewasher, identity).await?;
	}
	let (rekeyed_tx, mut rekeyed_rx) = tokio::sync::mpsc::unbounded_channel();
	if sybils > 0 {
		let ids: Vec<Identity> = (0..sybils).filter_map(|_| reserve.take()).collect();
		let peer_ids: Vec<_> = ids.iter().map(|i| i.peer_id()).collect();
		for (k, identity) in ids.into_iter().enumerate() {
			let role = Role::Sybil {
				next: peer_ids[(k + 1) % sybils],
				previous: peer_ids[(k + sybils - 1) % sybils],
			};
			run.spawn(Class::Sybil, identity, role, Library::default(), Wants::Everything).await?;
		}
	}
	// Topology: a full mesh for the small scenarios, 8 random dials each for the large one.
	let count = run.members.len();
	if config.scenario == Scenario::Churn {
		for from in 0..count {
			run.connect_randomly(from, 8);
		}
	} else {
		for from in 0..count {
			for to in from + 1..count {
				run.connect(from, to);
			}
		}
	}

	tracing::info!(peers = count, "workload running");
	let started = Instant::now();
	let mut samples = Vec::new();
	let mut last_sample = started;
	let mut next_churn = started + config.churn_period;
	let mut free_rider_denied_at = None;
	let (mut last_received, mut quiet) = (0, Duration::ZERO);
	let mut next_sample = started + config.sample_every;
	while started.elapsed() < config.duration {
		// On a fixed cadence: what a sample asks the chain comes out of its period, not on top of
		// it (until 2026-12-03 samples came every 7 to 9 s at 1,000 peers, not every 5); one that
		// took longer than the period is followed at once.
		tokio::time::sleep_until(tokio::time::Instant::from_std(next_sample)).await;
		next_sample = (next_sample + config.sample_every).max(Instant::now());
		let now = Instant::now();
		let interval = now.duration_since(last_sample).as_secs_f64();
		last_sample = now;
		let t = now.duration_since(started).as_secs_f64();
		let fresh = run.sample(t, interval);
		tracing::info!(
			t = t as u64,
			rates = ?fresh.iter().map(|s| format!("{}={:.0}", s.class.name(), s.bytes_per_second)).collect::<Vec<_>>(),
			"sample"
		);
		samples.extend(fresh);
		if congestion.is_some() {
			if let Some(priced) = bytes_price(&chain).await? {
				prices.push(PriceSample {
					t,
					price: priced.price.parse()?,
					previous_load: priced.previous_load.parse()?,
					load: priced.load.parse()?,
				});
			}
		}
		if let Ok(policy) = driver.stranger_policy().await {
			strangers.push(StrangerSample {
				t,
				allowance: policy.allowance,
				reciprocated: policy.reciprocated,
				defected: policy.defected,
			});
		}
		if let Some(denial) = run.watch_denials(t, interval).await {
			denials.push(denial);
		}
		if free_rider_denied_at.is_none() && run.any_free_rider_denied().await {
			free_rider_denied_at = Some(t);
		}
		// The overshoot is measured once every server refuses: the chain has denied the free
		// rider and what it received stopped growing for a while.
		if config.scenario == Scenario::Overshoot {
			let received = run.received(Class::FreeRider);
			if free_rider_denied_at.is_some() && received == last_received {
				quiet += config.sample_every;
				if quiet >= OVERSHOOT_QUIET {
					break;
				}
			} else {
				quiet = Duration::ZERO;
			}
			last_received = received;
		}
		if config.scenario == Scenario::Churn {
			whitewash(&mut run, bond, &rekeyed_tx);
			while let Ok((index, rekeyed)) = rekeyed_rx.try_recv() {
				rejoin(&mut run, index, rekeyed).await?;
			}
			if now >= next_churn {
				next_churn += config.churn_period;
				churn(&mut run, &mut reserve, &mut whitewasher_reserve, file_chunks).await?;
			}
		}
	}
	let identities = run
		.members
		.iter()
		.filter(|m| m.class != Class::Honest)
		.map(|m| IdentityOutcome {
			class: m.class,
			received: m.handle.stats.received.load(Ordering::Relaxed),
			ever_admitted: m.ever_admitted,
			denial: m.denial,
		})
		.collect();
	let identities_total = run.members.len();
	let whitewashing = (whitewashers > 0).then(|| Whitewashing {
		budget_in_bonds: config.whitewasher_budget,
		identities: run.members.iter().filter(|m| m.class == Class::Whitewasher).count(),
		rekeys: run.rekeys,
		broke: run.members.iter().filter(|m| m.alive && m.broke).count(),
	});
	for class in [Class::Honest, Class::FreeRider, Class::Sybil, Class::Whitewasher] {
		let mut by = [0u64; 8];
		let mut answered = 0;
		let mut held_for_credit = 0;
		for m in run.members.iter().filter(|m| m.class == class) {
			held_for_credit += m.handle.stats.held_for_credit.load(Ordering::Relaxed);
			for (slot, count) in m.handle.stats.refused_by.iter().enumerate() {
				by[slot] += count.load(Ordering::Relaxed);
			}
			answered += m.handle.stats.answered.load(Ordering::Relaxed);
		}
		tracing::info!(
			class = class.name(),
			answered,
			not_admitted = by[0],
			unreceipted = by[1],
			busy = by[2],
			not_found = by[3],
			unconfirmed = by[5],
			choked = by[6],
			unpaid = by[7],
			held_for_credit,
			"requests made by the class"
		);
	}
	for index in 0..run.members.len() {
		if run.members[index].alive {
			run.stop(index);
		}
	}
	let payments = match config.policy {
		ServePolicy::Paid => {
			let mut payments = payments(&run).await?;
			if let Some(priced) = bytes_price(&chain).await? {
				payments.tolls = priced.tolls.parse()?;
			}
			Some(payments)
		}
		_ => None,
	};
	drop(node);
	Ok(RunResult {
		scenario: config.scenario,
		policy: config.policy,
		seed: config.seed,
		duration: config.duration.as_secs_f64(),
		samples,
		identities,
		allowance,
		warmup: config.warmup.as_secs_f64(),
		identities_total,
		servers: if config.scenario == Scenario::Overshoot { config.servers.max(1) } else { 0 },
		stranger_window: config.stranger_window,
		stranger_release: config.stranger_release,
		founders: founder_count,
		longest_wait: config.longest_wait.as_secs_f64(),
		max_in_flight: config.max_in_flight,
		submit_every: config.submit_interval().as_secs_f64(),
		within_own_credit: config.within_own_credit,
		free_rider_denied_at,
		payments,
		prices: congestion.map(|congestion| (congestion.bounds, prices)),
		strangers,
		denials,
		whitewashing,
	})
}

/// Sets the pricing period and the served bytes' price bounds through sudo, and checks the
/// chain took them.
async fn price(chain: &ChainClient, sudo: &Signer, congestion: &Congestion) -> Result<(), Error> {
	let wait = Duration::from_secs(60);
	let now = chain.parameters().await?.payments;
	let parameters = PaymentParameters {
		minimum_escrow: now.minimum_escrow.parse()?,
		challenge_period: now.challenge_period,
		price_period: congestion.price_period,
	};
	chain
		.submit_and_wait(&Call::sudo(Call::set_payment_parameters(&parameters)), sudo, wait)
		.await?;
	let bounds = Call::set_price_bounds(SERVICE, Some(&congestion.bounds));
	chain.submit_and_wait(&Call::sudo(bounds), sudo, wait).await?;
	match bytes_price(chain).await? {
		Some(priced) if priced.floor == congestion.bounds.floor.to_string() => Ok(()),
		_ => Err("sudo did not set the price bounds".into()),
	}
}

/// The served bytes' reference price, if they are priced.
async fn bytes_price(chain: &ChainClient) -> Result<Option<ServicePriceJson>, Error> {
	Ok(chain.prices().await?.services.into_iter().find(|priced| priced.service == SERVICE))
}

/// What the honest peers paid and earned, read from the channels their payers opened (after
/// the peers stopped and their submitters took the last receipts to the chain).
async fn payments(run: &Run) -> Result<Payments, Error> {
	// Give the submitters' last round time to be recorded.
	tokio::time::sleep(Duration::from_secs(15)).await;
	let honest: Vec<&Member> = run.members.iter().filter(|m| m.class == Class::Honest).collect();
	let mut net: HashMap<repute_overlay::AccountId32, i128> =
		honest.iter().map(|m| (m.identity.account().clone(), 0)).collect();
	let mut total = Payments { peers: honest.len(), ..Payments::default() };
	for member in &honest {
		let Some(payer) = &member.payer else { continue };
		let consumer = member.identity.account();
		for provider in payer.providers() {
			let Some(channel) = run.chain.channel(consumer, &provider, SERVICE).await? else {
				continue;
			};
			let paid: u128 = channel.paid.parse()?;
			total.channels += 1;
			total.paid += paid;
			*net.entry(consumer.clone()).or_default() += paid as i128;
			if let Some(earner) = net.get_mut(&provider) {
				*earner -= paid as i128;
				total.earned += paid;
			}
		}
	}
	total.net_paid = net.values().map(|n| (*n).max(0) as u128).sum();
	total.worst_net = net.values().copied().max().unwrap_or(0);
	Ok(total)
}

/// What a whitewasher's re-keying came to.
enum Rekeyed {
	/// A fresh identity, registered with the whitewasher's own funds.
	Fresh(Box<Identity>),
	/// What is left cannot pay another bond.
	Broke,
}

/// Whitewashers that were refused almost everything since the last look start re-keying, in
/// the background ([`rekey`]); [`rejoin`] swaps the identities once the chain has the new one.
fn whitewash(
	run: &mut Run,
	bond: u128,
	rekeyed: &tokio::sync::mpsc::UnboundedSender<(usize, Result<Rekeyed, String>)>,
) {
	for index in 0..run.members.len() {
		let m = &mut run.members[index];
		if !m.alive || m.class != Class::Whitewasher || m.rekeying || m.broke {
			continue;
		}
		let refused = m.handle.stats.refused();
		let answered = m.handle.stats.answered.load(Ordering::Relaxed);
		let (new_refused, new_answered) = (refused - m.last_refused, answered - m.last_answered);
		m.last_refused = refused;
		m.last_answered = answered;
		if new_refused > 10 * new_answered.max(1) {
			m.rekeying = true;
			let (chain, old, sender) = (run.chain.clone(), m.identity.clone(), rekeyed.clone());
			tokio::spawn(async move {
				let result = rekey(&chain, &old, bond).await.map_err(|e| e.to_string());
				let _ = sender.send((index, result));
			});
		}
	}
}

/// A whitewasher leaves its denied identity and comes back under a fresh one, paid from its own
/// funds, as a real one would: the old key starts unbonding (its bond stays held for the
/// unbonding period, and what it took on its allowance without serving is forfeited from it)
/// and sends what it has left to the new key, which registers with it. A whitewasher whose free
/// balance cannot cover another bond is broke.
async fn rekey(chain: &ChainClient, old: &Identity, bond: u128) -> Result<Rekeyed, Error> {
	// Fees and the existential deposit, with room to spare (fees are about 0.003 UNIT).
	let margin = bond / 100;
	let signer = old.signer();
	let free = chain.free_balance(old.account()).await?;
	if free < bond + 3 * margin {
		return Ok(Rekeyed::Broke);
	}
	let new = Identity::generate();
	let info = chain.chain_info().await?;
	let nonce = chain.next_nonce(old.account()).await?;
	chain.submit_with(&Call::unregister(), &signer, nonce, &info).await?;
	chain
		.submit_with(&Call::transfer(new.account(), free - margin), &signer, nonce + 1, &info)
		.await?;
	let deadline = Instant::now() + Duration::from_secs(120);
	while chain.free_balance(new.account()).await? < bond + margin {
		if Instant::now() > deadline {
			return Err("a whitewasher's funds did not reach its new key in two minutes".into());
		}
		tokio::time::sleep(Duration::from_secs(2)).await;
	}
	chain.register(&new.signer()).await?;
	Ok(Rekeyed::Fresh(Box::new(new)))
}

/// Swaps a whitewasher's identity for the fresh one [`rekey`] registered.
async fn rejoin(
	run: &mut Run,
	index: usize,
	rekeyed: Result<Rekeyed, String>,
) -> Result<(), Error> {
	run.members[index].rekeying = false;
	match rekeyed {
		Ok(Rekeyed::Fresh(identity)) => {
			if run.members[index].alive {
				run.stop(index);
				let new = run.spawn_free_rider(Class::Whitewasher, *identity).await?;
				run.connect_randomly(new, 8);
				run.rekeys += 1;
			}
		}
		Ok(Rekeyed::Broke) => run.members[index].broke = true,
		// Tried again at the next look.
		Err(error) => tracing::warn!(%error, "a whitewasher could not re-key"),
	}
	Ok(())
}

/// Who leaves in a churn round: a tenth of the live members (`alive[i]` for member `i`) other
/// than the founders, `members[..founders]`. Founders stay: a network's pre-trusted peers are
/// its long-lived core, and one that left would take a first witness of newcomers' graduation
/// with it until governance named another.
fn churn_leavers(alive: &[bool], founders: usize, rng: &mut impl rand::Rng) -> Vec<usize> {
	let candidates: Vec<usize> = (founders..alive.len()).filter(|i| alive[*i]).collect();
	candidates.choose_multiple(rng, candidates.len() / 10).copied().collect()
}

/// A tenth of the live peers other than the founders leave ([`churn_leavers`]); as many fresh
/// peers of the same classes join.
async fn churn(
	run: &mut Run,
	reserve: &mut Reserve,
	whitewasher_reserve: &mut Reserve,
	file_chunks: usize,
) -> Result<(), Error> {
	let alive: Vec<bool> = run.members.iter().map(|m| m.alive).collect();
	let leaving = churn_leavers(&alive, run.founders, &mut run.rng);
	for index in &leaving {
		run.stop(*index);
	}
	for index in leaving {
		let class = run.members[index].class;
		let reserve = match class {
			Class::Whitewasher => &mut *whitewasher_reserve,
			_ => &mut *reserve,
		};
		let Some(identity) = reserve.take() else { continue };
		let (role, library) = match class {
			Class::Honest => {
				let mut library = Library::default();
				library
					.add(File::synthetic(&format!("file-{}", run.rng.gen::<u32>()), file_chunks));
				(Role::Honest, library)
			}
			_ => (Role::FreeRider, Library::default()),
		};
		let new = run.spawn(class, identity, role, library, Wants::Everything).await?;
		run.connect_randomly(new, 8);
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use rand::SeedableRng;

	#[test]
	fn founders_are_bounded_by_what_the_runtime_pre_trusts() {
		assert_eq!(founders_among(4, 900), Ok(4));
		assert_eq!(founders_among(0, 900), Ok(1), "the global gate asks as a founder");
		assert_eq!(founders_among(32, 16), Ok(16), "at most every honest peer");
		assert!(founders_among(MAX_FOUNDERS + 1, 900).is_err());
	}

	#[test]
	fn churn_rounds_never_take_a_founder() {
		let mut rng = rand::rngs::StdRng::seed_from_u64(11);
		for founders in [1, 4, 32] {
			// A thousand members, some gone already, over as many rounds as a long run has.
			let mut alive = vec![true; 1_000];
			for round in 0..100 {
				alive[(round * 37) % 1_000] = false;
				let leavers = churn_leavers(&alive, founders, &mut rng);
				let candidates = (founders..alive.len()).filter(|i| alive[*i]).count();
				assert_eq!(leavers.len(), candidates / 10, "a tenth of the others leave");
				assert!(leavers.iter().all(|i| *i >= founders && alive[*i]), "{leavers:?}");
				let mut distinct = leavers.clone();
				distinct.sort_unstable();
				distinct.dedup();
				assert_eq!(distinct.len(), leavers.len());
			}
		}
	}
}
