//! Load generator of `scripts/throughput.sh`: how many receipts and how many balance transfers a
//! live dev node puts in a block, each kind with the node's pool kept full.
//!
//! On a node started with `--dev` (the script starts it), it funds and registers a population
//! through the dev chain's sudo key (`//Alice`): `peers` peers with ed25519 keys and as many
//! with sr25519 keys and with ECDSA keys. Then four phases run one after the other, each until
//! `blocks` blocks have
//! been built full (the node's block builder stopped for weight, length or time, not for want
//! of transactions):
//!
//! 1. receipts co-signed with ed25519 keys, in batches of `batch`, one receipt per distinct
//!    (provider, consumer) pair, the realistic worst case (every receipt opens a new ledger).
//!    The population decides how often a block touches each peer again: pairs come in rounds
//!    (i, i + d) over every peer i, from the distance d = peers / 2 outwards, so with peers at
//!    least twice the receipts in a block, no receipt of a block finds a peer an earlier one
//!    wrote (every peer's storage is read from the database), and with a few hundred peers
//!    nearly every one does (it is in the block's overlay);
//! 2. the same with sr25519 keys;
//! 3. the same with ECDSA keys (the dearest scheme to check: a block of them shows whether
//!    receipts are charged for the scheme they carry);
//! 4. `Balances.transfer_keep_alive` between the same accounts, one transfer per transaction.
//!
//! Governance first releases every newcomer's stranger allowance at once (`stranger_release`
//! zero): the population is new, and with the chain's release (600 blocks by default) its
//! consumers' credit would cover few of the first blocks' receipts, most of which would then
//! record a debt or repay one, the reputation hook's dearer path (docs/performance.md). So the
//! phases measure receipts that the consumer's credit covers, what an established network
//! records; with `newcomers` as the last argument the chain's release stays, and they measure
//! a new network's first blocks instead.
//!
//! Every transaction is signed before its phase starts, so signing never throttles the feed;
//! the feed keeps at least two blocks' worth waiting in the pool. Receipt batches are sent by
//! relayers of their own (`RELAYERS` per phase), so the batches a phase signs but never needs
//! leave no gap in the nonces of the accounts a later phase signs with. Per block it reports the items
//! included (read from the block's extrinsics), the normal-class weight used
//! (`System.BlockWeight`), the real build time and why building stopped (the node's "Prepared
//! block for proposing" log line), and the node's RSS; then a summary over the full blocks.
//! After each receipt phase it checks that the chain recorded every receipt its blocks included.
//!
//! With `soak`, only the ed25519 receipt phase runs (only its peers and relayers are funded),
//! for as many blocks as asked, to follow the node's memory over a long run of full blocks: its
//! receipts are signed as the feed needs them (an hour of blocks, some 3 million receipts, would
//! otherwise hold gigabytes of pre-signed transactions in this process), about a fifth of a
//! second of one core per block. Every row then gives the node's RSS and its anonymous part (the
//! node's own memory; the rest is mapped database files, page cache that the kernel takes back
//! under pressure), and the summary both at the first and the last full block, at most, and
//! their change per hour over the second half of the run (last quarter over third).
//!
//! Usage: `throughput <rpc-port> <node-log> <node-pid> <blocks> <batch> <peers> [newcomers]
//! [soak]`.

use codec::{Compact, Decode};
use futures::{stream, StreamExt, TryStreamExt};
use jsonrpsee::rpc_params;
use repute_overlay::{
	chain::{calls::Call, extrinsic},
	devnet, AccountId32, ChainClient, Identity, PairKey, Receipt, SignedReceipt, Signer, H256,
};
use repute_primitives::parameters::{PartsPerBillion, ReceiptParameters, ReputationParameters};
use repute_rpc_api::hex::{from_hex, to_hex};
use sp_crypto_hashing::{blake2_256, twox_128};
use std::{
	collections::BTreeMap,
	path::{Path, PathBuf},
	sync::Arc,
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// Receipts signed for a receipt phase, per block asked for (more than a block holds).
const RECEIPTS_PER_BLOCK: usize = 10_000;
/// Accounts that send the receipt batches of one phase.
const RELAYERS: usize = 16;
/// Items kept waiting in the pool before the first block of a phase is known.
const FIRST_FILL: u64 = 4_000;
/// Transfers signed for the transfer phase, per block asked for.
const TRANSFERS_PER_BLOCK: usize = 8_000;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// One signed transaction, encoded, and how many items (receipts or transfers) it carries.
struct Prepared {
	hex: String,
	items: u64,
}

/// What one block of a phase held, and what the node says of it.
struct BlockRow {
	number: u32,
	items: u64,
	normal_weight_ms: f64,
	memory: Memory,
	built_ms: Option<f64>,
	end: Option<String>,
}

impl BlockRow {
	/// Whether the block builder stopped for a limit, not because the pool ran dry.
	fn full(&self) -> bool {
		self.items > 0 && self.end.as_deref().is_some_and(|end| end != "NoMoreTransactions")
	}
}

/// Which kind of item a phase counts in a block's extrinsics.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
	Receipts,
	Transfers,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
	let args: Vec<String> = std::env::args().collect();
	let usage = "usage: throughput <rpc-port> <node-log> <node-pid> <blocks> <batch> <peers> \
	             [newcomers] [soak]";
	let [_, port, log, pid, blocks, batch, peers, options @ ..] = &args[..] else {
		return Err(usage.into());
	};
	if options.iter().any(|option| option != "newcomers" && option != "soak") {
		return Err(usage.into());
	}
	let newcomers = options.iter().any(|option| option == "newcomers");
	let soak = options.iter().any(|option| option == "soak");
	let (port, log, pid): (u16, PathBuf, u32) = (port.parse()?, log.into(), pid.parse()?);
	let (blocks, batch, peers): (usize, usize, usize) =
		(blocks.parse()?, batch.parse()?, peers.parse()?);
	if peers < 2 {
		return Err("a population needs at least two peers".into());
	}
	// Transactions are signed well before the pool takes them: the longest mortality.
	let chain = Arc::new(
		ChainClient::connect(format!("ws://127.0.0.1:{port}"))
			.await?
			.with_mortality_period(repute_overlay::chain::extrinsic::MAX_PERIOD),
	);
	let info = chain.chain_info().await?;

	let ed25519: Vec<Signer> = (0..peers)
		.map(|i| Identity::from_seed(blake2_256(format!("repute/throughput/{i}").as_bytes())))
		.map(|identity| identity.signer())
		.collect();
	// A soak runs the ed25519 phase alone.
	let others = if soak { 0 } else { peers };
	let sr25519: Vec<Signer> = (0..others)
		.map(|i| Signer::sr25519_from_uri(&format!("//repute//throughput//{i}")))
		.collect::<Result<_, _>>()?;
	let ecdsa: Vec<Signer> = (0..others)
		.map(|i| {
			Signer::ecdsa_from_seed(blake2_256(format!("repute/throughput/ecdsa/{i}").as_bytes()))
		})
		.collect::<Result<_, _>>()?;
	// Relayers for the phases that run: a soak's one, or all three.
	let phases_run = if soak { 1 } else { 3 };
	let relayers: Vec<Vec<Signer>> = (0..phases_run)
		.map(|phase| {
			(0..RELAYERS)
				.map(|i| {
					Signer::sr25519_from_uri(&format!(
						"//repute//throughput//relayer//{phase}//{i}"
					))
				})
				.collect::<Result<_, _>>()
		})
		.collect::<Result<_, _>>()?;
	let everyone: Vec<Signer> = ed25519.iter().chain(&sr25519).chain(&ecdsa).cloned().collect();
	eprintln!("[throughput] funding and registering {} peers...", everyone.len());
	let alice = Signer::sr25519_from_uri("//Alice")?;
	let alice_free = chain.free_balance(&alice.account()).await?;
	let mut bond = chain.peer_bond().await?;
	let amount = (alice_free / (4 * everyone.len() as u128)).min(1_000 * bond);
	if amount < 2 * bond {
		// A population too large for the dev chain's bond: governance lowers it (the bond
		// plays no part in what a receipt or a transfer costs).
		bond = amount / 4;
		lower_peer_bond(&chain, &alice, bond).await?;
		eprintln!("[throughput] the peer bond is lowered to {bond} for {} peers", everyone.len());
	}
	if !newcomers {
		release_allowances_at_once(&chain, &alice).await?;
	}
	let peer_accounts: Vec<AccountId32> = everyone.iter().map(Signer::account).collect();
	devnet::setup::fund(&chain, &alice, &peer_accounts, amount).await?;
	// The relayers pay every batch's fee: a quarter of what `//Alice` has among them, not a
	// peer's share (with thousands of peers that runs out within an hour of full blocks).
	let relayer_accounts: Vec<AccountId32> =
		relayers.iter().flatten().map(Signer::account).collect();
	let relayer_amount = alice_free / (4 * relayer_accounts.len() as u128);
	devnet::setup::fund(&chain, &alice, &relayer_accounts, relayer_amount).await?;
	devnet::setup::register_signers(&chain, &everyone).await?;

	let mut summaries = Vec::new();
	let phases = [
		("receipts, ed25519", &ed25519),
		("receipts, sr25519", &sr25519),
		("receipts, ecdsa", &ecdsa),
	];
	for ((name, peers), relayers) in phases.into_iter().zip(&relayers) {
		if peers.is_empty() {
			continue;
		}
		let mut nonces = Nonces::read(&chain, relayers).await?;
		let info = &info;
		let mut receipts =
			cosigned_pairs(peers, info.genesis_hash, RECEIPTS_PER_BLOCK * (blocks + 4));
		let mut k = 0;
		let batches = std::iter::from_fn(move || {
			let chunk: Vec<SignedReceipt> = receipts.by_ref().take(batch).collect();
			if chunk.is_empty() {
				return None;
			}
			let submitter = &relayers[k % relayers.len()];
			k += 1;
			let xt = extrinsic::signed(
				&Call::submit_receipts(&chunk),
				submitter,
				nonces.take(submitter),
				info,
			);
			Some(Prepared { hex: to_hex(&xt), items: chunk.len() as u64 })
		});
		let (rows, pairs) = if soak {
			run_phase(&chain, name, Kind::Receipts, batches, blocks, &log, pid).await?
		} else {
			eprintln!("[throughput] signing {name}...");
			let work: Vec<Prepared> = batches.collect();
			run_phase(&chain, name, Kind::Receipts, work, blocks, &log, pid).await?
		};
		let included = pairs.len();
		// At the newest block, which included them: the finalized head (what `recorded` reads)
		// is a few blocks behind.
		let best = chain.call::<H256>("chain_getBlockHash", rpc_params![]).await?;
		let recorded = chain.recorded_at(&pairs, &to_hex(best.as_bytes())).await?;
		let missing = recorded.iter().filter(|r| r.is_none()).count();
		if missing > 0 {
			return Err(
				format!("{name}: {missing} of {included} included receipts not recorded").into()
			);
		}
		eprintln!("[throughput] {name}: {included} receipts included, all recorded");
		if soak {
			print_memory(name, &rows);
		}
		summaries.push(summary(name, &rows));
	}
	if soak {
		print_summaries(&summaries);
		return Ok(());
	}

	eprintln!("[throughput] signing transfers...");
	let mut nonces = Nonces::read(&chain, &everyone).await?;
	let wanted = TRANSFERS_PER_BLOCK * (blocks + 4);
	let work: Vec<Prepared> = (0..wanted)
		.map(|k| {
			let sender = &everyone[k % everyone.len()];
			let recipient = everyone[(k + 1) % everyone.len()].account();
			let xt = extrinsic::signed(
				&Call::transfer(&recipient, 1),
				sender,
				nonces.take(sender),
				&info,
			);
			Prepared { hex: to_hex(&xt), items: 1 }
		})
		.collect();
	let (rows, _) =
		run_phase(&chain, "transfers", Kind::Transfers, work, blocks, &log, pid).await?;
	summaries.push(summary("balance transfers", &rows));

	print_summaries(&summaries);
	let transfers = summaries.last().map_or(0, |s| s.items).max(1);
	for s in &summaries[..summaries.len() - 1] {
		println!(
			"\n{} ÷ balance transfers per block: {:.2}",
			s.name,
			s.items as f64 / transfers as f64
		);
	}
	Ok(())
}

/// Sets the peer bond to `bond` through `sudo`, keeping the other receipt parameters.
async fn lower_peer_bond(chain: &ChainClient, sudo: &Signer, bond: u128) -> Result<(), Error> {
	let now = chain.parameters().await?.receipts;
	let parameters = ReceiptParameters {
		peer_bond: bond,
		unbonding_period: now.unbonding_period,
		max_receipt_age_ms: now.max_receipt_age_ms.parse()?,
		max_clock_drift_ms: now.max_clock_drift_ms.parse()?,
		equivocation_slash: PartsPerBillion(now.equivocation_slash_ppb),
		reporter_reward: PartsPerBillion(now.reporter_reward_ppb),
	};
	let call = Call::sudo(Call::set_receipt_parameters(&parameters));
	chain.submit_and_wait(&call, sudo, Duration::from_secs(60)).await?;
	if chain.peer_bond().await? != bond {
		return Err("sudo did not lower the peer bond".into());
	}
	Ok(())
}

/// Sets `stranger_release` to zero through `sudo`, keeping the other reputation parameters:
/// a newcomer may use its whole stranger allowance at once.
async fn release_allowances_at_once(chain: &ChainClient, sudo: &Signer) -> Result<(), Error> {
	let parameters =
		ReputationParameters { stranger_release: 0, ..chain.reputation_parameters().await? };
	let call = Call::sudo(Call::set_reputation_parameters(&parameters));
	chain.submit_and_wait(&call, sudo, Duration::from_secs(60)).await?;
	if chain.reputation_parameters().await? != parameters {
		return Err("sudo did not release the stranger allowances".into());
	}
	Ok(())
}

/// Up to `wanted` distinct (provider, consumer) pairs of `peers`, each with one co-signed
/// receipt of 1,000 units, signed as they are taken.
fn cosigned_pairs(
	peers: &[Signer],
	genesis_hash: H256,
	wanted: usize,
) -> impl Iterator<Item = SignedReceipt> + '_ {
	let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
	let n = peers.len();
	// Rounds of pairs (i, i + d), one per distance d, from n / 2 outwards: in a round, peer i is
	// the provider at position i and the consumer at position i − d, so a run of consecutive
	// receipts shorter than both d and n − d touches each peer at most once.
	let mut distances: Vec<usize> = (1..n).collect();
	distances.sort_by_key(|distance| distance.abs_diff(n / 2));
	distances
		.into_iter()
		.flat_map(move |distance| {
			peers
				.iter()
				.enumerate()
				.map(move |(i, provider)| (provider, &peers[(i + distance) % n]))
		})
		.take(wanted)
		.map(move |(provider, consumer)| {
			let receipt = Receipt {
				genesis_hash,
				provider: provider.account(),
				consumer: consumer.account(),
				service: 0,
				sequence: 1,
				cumulative_units: 1_000,
				timestamp_ms: now_ms,
			};
			receipt.cosign(|p| provider.sign(p), |p| consumer.sign(p))
		})
}

/// Each signer's next nonce, counted here once read from the chain.
struct Nonces(BTreeMap<AccountId32, u32>);

impl Nonces {
	async fn read(chain: &ChainClient, signers: &[Signer]) -> Result<Self, Error> {
		let mut nonces = BTreeMap::new();
		for signer in signers {
			nonces.insert(signer.account(), chain.next_nonce(&signer.account()).await?);
		}
		Ok(Self(nonces))
	}

	fn take(&mut self, signer: &Signer) -> u32 {
		let nonce = self.0.entry(signer.account()).or_default();
		*nonce += 1;
		*nonce - 1
	}
}

/// Feeds `work` to the pool, keeping at least two blocks' worth waiting, until `blocks` full
/// blocks are built (or the work runs out), then lets the pool drain; returns every block that
/// held items of `kind`, and the relationship of every receipt those blocks included (the pool
/// orders batches of different relayers as it receives them, not as they were signed).
async fn run_phase(
	chain: &ChainClient,
	name: &str,
	kind: Kind,
	work: impl IntoIterator<Item = Prepared>,
	blocks: usize,
	log: &Path,
	pid: u32,
) -> Result<(Vec<BlockRow>, Vec<PairKey>), Error> {
	eprintln!("[throughput] {name}: feeding the pool...");
	let mut pairs = Vec::new();
	let mut queue = work.into_iter().peekable();
	let (mut submitted, mut included, mut most_in_a_block) = (0u64, 0u64, 0u64);
	let mut next_block = chain.best_number().await? + 1;
	let mut rows: Vec<BlockRow> = Vec::new();
	let mut last_block_at = Instant::now();
	// A pool that refuses the feed ends the phase, after its blocks so far are printed.
	let mut refused = None;
	loop {
		let full_so_far = rows.iter().filter(|row| row.items > 0).count().saturating_sub(1);
		let feeding = full_so_far < blocks;
		let ahead = (2 * most_in_a_block).max(FIRST_FILL);
		if feeding && submitted - included < ahead {
			let mut chunk = Vec::new();
			let mut adding = 0;
			while submitted + adding - included < ahead + ahead / 2 {
				let Some(prepared) = queue.next() else { break };
				adding += prepared.items;
				chunk.push(prepared);
			}
			if let Err(error) = submit_all(chain, chunk).await {
				refused = Some(error);
				break;
			}
			submitted += adding;
		}
		if (!feeding || queue.peek().is_none()) && included == submitted {
			break;
		}
		let Some(hash) = block_hash(chain, next_block).await? else {
			if last_block_at.elapsed() > Duration::from_secs(120) {
				return Err(format!("{name}: no block {next_block} within two minutes").into());
			}
			tokio::time::sleep(Duration::from_millis(100)).await;
			continue;
		};
		last_block_at = Instant::now();
		let items = items_in_block(chain, hash, kind, &mut pairs).await?;
		included += items;
		most_in_a_block = most_in_a_block.max(items);
		if items > 0 || !rows.is_empty() {
			rows.push(BlockRow {
				number: next_block,
				items,
				normal_weight_ms: normal_weight_ms(chain, hash).await?,
				memory: Memory::of(pid),
				built_ms: None,
				end: None,
			});
		}
		next_block += 1;
	}
	rows.retain(|row| row.items > 0);
	let built = prepared_blocks(log)?;
	println!("\n### {name}\n");
	println!("| block | items | normal weight used (ms) | built (ms) | building stopped | node RSS (MiB) | of which anonymous (MiB) |");
	println!("| ---: | ---: | ---: | ---: | --- | ---: | ---: |");
	for row in &mut rows {
		if let Some((ms, end)) = built.get(&row.number) {
			row.built_ms = Some(*ms);
			row.end = Some(end.clone());
		}
		println!(
			"| {} | {} | {:.0} | {} | {} | {:.0} | {:.0} |",
			row.number,
			row.items,
			row.normal_weight_ms,
			row.built_ms.map_or("?".into(), |ms| format!("{ms:.0}")),
			row.end.as_deref().unwrap_or("?"),
			row.memory.rss_mib,
			row.memory.anonymous_mib
		);
	}
	if let Some(error) = refused {
		return Err(format!(
			"{name}: the pool refused the feed after {} blocks: {error}",
			rows.len()
		)
		.into());
	}
	Ok((rows, pairs))
}

/// Hands every transaction to the node's pool, 32 at a time.
async fn submit_all(chain: &ChainClient, work: Vec<Prepared>) -> Result<(), Error> {
	stream::iter(work)
		.map(|prepared| async move {
			chain.call::<H256>("author_submitExtrinsic", rpc_params![prepared.hex]).await
		})
		.buffer_unordered(32)
		.try_collect::<Vec<_>>()
		.await?;
	Ok(())
}

async fn block_hash(chain: &ChainClient, number: u32) -> Result<Option<H256>, Error> {
	Ok(chain.call("chain_getBlockHash", rpc_params![number]).await?)
}

/// The items of `kind` in the signed extrinsics of block `hash`; the relationship of each
/// receipt among them is appended to `pairs`.
async fn items_in_block(
	chain: &ChainClient,
	hash: H256,
	kind: Kind,
	pairs: &mut Vec<PairKey>,
) -> Result<u64, Error> {
	let block: serde_json::Value = chain.call("chain_getBlock", rpc_params![hash]).await?;
	let extrinsics = block["block"]["extrinsics"].as_array().ok_or("a block without extrinsics")?;
	let submit_receipts = Call::submit_receipts(&[]).indices();
	let transfer = Call::transfer(&AccountId32::new([0; 32]), 0).indices();
	let mut items = 0;
	for xt in extrinsics {
		let bytes = from_hex(xt.as_str().ok_or("an extrinsic that is not hex")?)?;
		let Some(transaction) = extrinsic::decode_signed(&bytes) else { continue };
		let call = &transaction.call;
		items += match kind {
			Kind::Receipts if call.indices() == submit_receipts => {
				let batch = Vec::<SignedReceipt>::decode(&mut call.arguments())?;
				pairs.extend(batch.iter().map(PairKey::of));
				batch.len() as u64
			}
			Kind::Transfers if call.indices() == transfer => 1,
			_ => 0,
		};
	}
	Ok(items)
}

/// Normal-class `ref_time` used in block `hash` (`System.BlockWeight`: per class, a `Weight` of
/// two compact `u64`s, normal first), in milliseconds.
async fn normal_weight_ms(chain: &ChainClient, hash: H256) -> Result<f64, Error> {
	let key = to_hex(&[twox_128(b"System"), twox_128(b"BlockWeight")].concat());
	let value: Option<String> = chain.call("state_getStorage", rpc_params![key, hash]).await?;
	let bytes = from_hex(&value.ok_or("no System.BlockWeight")?)?;
	let (ref_time, _proof_size) = <(Compact<u64>, Compact<u64>)>::decode(&mut &bytes[..])?;
	Ok(ref_time.0 as f64 / 1e9)
}

/// The node's resident memory, and the part of it that is its own (anonymous) memory, in MiB.
#[derive(Clone, Copy, Default)]
struct Memory {
	rss_mib: f64,
	anonymous_mib: f64,
}

impl Memory {
	/// Read from `/proc/<pid>/status`; zero where the process is gone.
	fn of(pid: u32) -> Self {
		let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
		let mib = |field: &str| {
			status
				.lines()
				.find_map(|line| line.strip_prefix(field))
				.and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
				.map_or(0.0, |kib| kib / 1024.0)
		};
		Self { rss_mib: mib("VmRSS:"), anonymous_mib: mib("RssAnon:") }
	}
}

/// The node's memory over the full blocks of a soak: at the first and the last, at most, and
/// its change per hour over the second half of the run, from the mean of the third quarter of
/// the blocks to that of the last (whether it is flat once warm: the first half, where caches
/// fill, is left out).
fn print_memory(name: &str, rows: &[BlockRow]) {
	let full: Vec<&BlockRow> = rows.iter().filter(|row| row.full()).collect();
	let (Some(first), Some(last)) = (full.first(), full.last()) else {
		println!("\n{name}: no full block, no memory figures");
		return;
	};
	let max =
		|field: fn(&Memory) -> f64| full.iter().map(|row| field(&row.memory)).fold(0.0, f64::max);
	let quarter = full.len() / 4;
	let (third, fourth) = full[2 * quarter..].split_at(quarter);
	let mean = |rows: &[&BlockRow], value: &dyn Fn(&BlockRow) -> f64| {
		rows.iter().map(|row| value(row)).sum::<f64>() / rows.len().max(1) as f64
	};
	let block = |row: &BlockRow| f64::from(row.number);
	let hours_apart = (mean(fourth, &block) - mean(third, &block))
		* repute_overlay::chain::BLOCK_TIME.as_secs_f64()
		/ 3600.0;
	let per_hour = |field: fn(&Memory) -> f64| {
		let value = |row: &BlockRow| field(&row.memory);
		if quarter > 0 && hours_apart > 0.0 {
			(mean(fourth, &value) - mean(third, &value)) / hours_apart
		} else {
			0.0
		}
	};
	let rss = |memory: &Memory| memory.rss_mib;
	let anonymous = |memory: &Memory| memory.anonymous_mib;
	println!("\n### {name}: the node's memory over {} full blocks\n", full.len());
	println!("| MiB | first full block | last full block | most | change per hour over the second half (last quarter over third) |");
	println!("| --- | ---: | ---: | ---: | ---: |");
	for (label, field) in [("RSS", rss as fn(&Memory) -> f64), ("of which anonymous", anonymous)] {
		println!(
			"| {label} | {:.0} | {:.0} | {:.0} | {:+.0} |",
			field(&first.memory),
			field(&last.memory),
			max(field),
			per_hour(field)
		);
	}
}

/// Per block number, the build time and the reason building stopped, from the node's lines
/// `Prepared block for proposing at N (T ms) hash: …; end: REASON; extrinsics_count: K`.
fn prepared_blocks(log: &Path) -> Result<BTreeMap<u32, (f64, String)>, Error> {
	let text = std::fs::read_to_string(log)?;
	let mut blocks = BTreeMap::new();
	for line in text.lines() {
		let Some(rest) = line.split("Prepared block for proposing at ").nth(1) else { continue };
		let mut words = rest.split_whitespace();
		let number = words.next().and_then(|n| n.parse::<u32>().ok());
		let ms = words.next().and_then(|t| t.trim_start_matches('(').parse::<f64>().ok());
		let end = rest.split("end: ").nth(1).and_then(|e| e.split(';').next());
		if let (Some(number), Some(ms), Some(end)) = (number, ms, end) {
			blocks.insert(number, (ms, end.to_string()));
		}
	}
	Ok(blocks)
}

fn print_summaries(summaries: &[Summary]) {
	println!();
	println!("| kind | full blocks | items per block (median) | normal weight used (ms, median) | real build time (ms, median) | charged ÷ real |");
	println!("| --- | ---: | ---: | ---: | ---: | ---: |");
	for s in summaries {
		println!(
			"| {} | {} | {} | {:.0} | {:.0} | {:.2} |",
			s.name, s.full_blocks, s.items, s.weight_ms, s.built_ms, s.ratio
		);
	}
}

struct Summary {
	name: &'static str,
	full_blocks: usize,
	items: u64,
	weight_ms: f64,
	built_ms: f64,
	ratio: f64,
}

/// Medians over the full blocks, and their charged weight over their real build time.
fn summary(name: &'static str, rows: &[BlockRow]) -> Summary {
	let full: Vec<&BlockRow> = rows.iter().filter(|row| row.full()).collect();
	let median = |mut values: Vec<f64>| {
		values.sort_by(f64::total_cmp);
		values.get(values.len() / 2).copied().unwrap_or(0.0)
	};
	let weight: f64 = full.iter().map(|row| row.normal_weight_ms).sum();
	let built: f64 = full.iter().filter_map(|row| row.built_ms).sum();
	Summary {
		name,
		full_blocks: full.len(),
		items: median(full.iter().map(|row| row.items as f64).collect()) as u64,
		weight_ms: median(full.iter().map(|row| row.normal_weight_ms).collect()),
		built_ms: median(full.iter().filter_map(|row| row.built_ms).collect()),
		ratio: if built > 0.0 { weight / built } else { 0.0 },
	}
}
