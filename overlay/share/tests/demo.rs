//! End to end: a dev node and four `repute-share` processes (three honest, one free rider) on
//! loopback. The free rider ends up denied, honest peers stay admitted, and an honest peer
//! killed (SIGKILL) and restarted mid-run loses no receipt: everything any peer stored ends up
//! recorded on chain. And the admission gate of an app outlives a node at its RPC connection
//! limit.

use repute_overlay::chain::{calls::Call, keys};
use repute_overlay::devnet::{node_binary, setup, DevNode};
use repute_overlay::{
	AccountId32, AdmissionGate, ChainClient, ChainError, Durability, GatePolicy, Identity, PairKey,
	ReceiptStore, Signer, StrangerWindow, Verdict,
};
use repute_rpc_api::json::Decision;
use std::{
	io::{BufRead, BufReader},
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	sync::{mpsc, Arc},
	time::{Duration, Instant},
};

const SHARE: &str = env!("CARGO_BIN_EXE_repute-share");
const KIB: u128 = 1024;

struct TempDir(PathBuf);
impl TempDir {
	fn new() -> Self {
		let path = std::env::temp_dir().join(format!("repute-demo-{}", rand::random::<u64>()));
		std::fs::create_dir_all(&path).unwrap();
		Self(path)
	}
}
impl Drop for TempDir {
	fn drop(&mut self) {
		if std::thread::panicking() || std::env::var_os("REPUTE_KEEP_LOGS").is_some() {
			eprintln!("logs kept in {}", self.0.display());
		} else {
			let _ = std::fs::remove_dir_all(&self.0);
		}
	}
}

/// A `repute-share` process, killed when dropped.
struct SharePeer {
	child: Child,
	address: String,
	dir: PathBuf,
}

impl SharePeer {
	fn start(node: &str, dir: &Path, args: &[&str], peers: &[String]) -> Self {
		let log = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(dir.join("peer.log"))
			.unwrap();
		let mut command = Command::new(SHARE);
		command.args(["--node", node, "--data-dir"]).arg(dir).args(["--quiet"]);
		// The test's defaults, for the flags the caller does not set.
		for [flag, value] in [
			["--report-every", "5"],
			["--submit-every", "2"],
			["--backup-delay", "8"],
			["--upload-rate", "8"],
		] {
			if !args.contains(&flag) {
				command.args([flag, value]);
			}
		}
		command.args(args).env("RUST_LOG", "info").stdout(Stdio::piped()).stderr(log);
		for peer in peers {
			command.args(["--peer", peer]);
		}
		let mut child = command.spawn().expect("start repute-share");
		let stdout = child.stdout.take().unwrap();
		let (send, receive) = mpsc::channel();
		let report = dir.join("reports.log");
		std::thread::spawn(move || {
			let mut out = std::fs::File::create(report).unwrap();
			for line in BufReader::new(stdout).lines().map_while(Result::ok) {
				use std::io::Write;
				let _ = writeln!(out, "{line}");
				if let Some(address) = line.strip_prefix("LISTEN ") {
					let _ = send.send(address.to_string());
				}
			}
		});
		let address = receive
			.recv_timeout(Duration::from_secs(120))
			.unwrap_or_else(|_| panic!("peer in {} did not start; see peer.log", dir.display()));
		Self { child, address, dir: dir.to_path_buf() }
	}

	/// SIGTERM, then wait for the peer to settle and flush its receipts.
	fn stop(self) {
		let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
		self.wait(Duration::from_secs(60));
	}

	/// Waits up to `limit` for the peer to exit by itself.
	fn wait(mut self, limit: Duration) {
		for _ in 0..limit.as_millis() / 500 {
			if let Ok(Some(_)) = self.child.try_wait() {
				return;
			}
			std::thread::sleep(Duration::from_millis(500));
		}
		panic!("peer in {} did not stop", self.dir.display());
	}
}

impl Drop for SharePeer {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// The last `REPORT` line a peer printed.
fn last_report(dir: &Path) -> String {
	let reports = std::fs::read_to_string(dir.join("reports.log")).unwrap_or_default();
	reports.lines().rev().find(|l| l.starts_with("REPORT ")).unwrap_or_default().to_string()
}

/// `System.Account[account]`'s free and reserved (held) balances.
async fn balances(chain: &ChainClient, account: &AccountId32) -> (u128, u128) {
	let value = chain.storage(&[keys::system_account(account)]).await.unwrap().remove(0);
	let value = value.expect("an account with a balance");
	let read = |at: usize| u128::from_le_bytes(value[at..at + 16].try_into().unwrap());
	(read(16), read(32))
}

/// The most a peer reported having received (its `REPORT … received N …` lines).
fn received(dir: &Path) -> u128 {
	let reports = std::fs::read_to_string(dir.join("reports.log")).unwrap_or_default();
	reports
		.lines()
		.filter_map(|line| line.split_once(" received ")?.1.split(' ').next()?.parse().ok())
		.max()
		.unwrap_or_else(|| panic!("no REPORT line in {}", dir.display()))
}

fn identity_in(dir: &Path) -> Identity {
	std::fs::create_dir_all(dir).unwrap();
	let identity = Identity::generate();
	std::fs::write(dir.join("identity.key"), identity.seed()).unwrap();
	identity
}

async fn decision(chain: &ChainClient, peer: &AccountId32) -> Decision {
	chain.admissions(std::slice::from_ref(peer), None).await.unwrap()[0].decision
}

/// Every receipt in `dir`'s store is on chain (at its sequence or a newer one).
async fn assert_all_recorded(
	chain: &ChainClient,
	receipts: &[repute_overlay::SignedReceipt],
	who: &str,
) {
	let keys: Vec<PairKey> = receipts.iter().map(PairKey::of).collect();
	let recorded = chain.recorded(&keys).await.unwrap();
	for (receipt, on_chain) in receipts.iter().zip(recorded) {
		let sequence = on_chain.map(|(s, _)| s).unwrap_or(0);
		assert!(
			sequence >= receipt.receipt.sequence,
			"{who}: receipt {} → {} #{} ({} bytes) is not on chain (chain has #{sequence})",
			receipt.receipt.provider,
			receipt.receipt.consumer,
			receipt.receipt.sequence,
			receipt.receipt.cumulative_units,
		);
	}
}

fn stored(dir: &Path) -> Vec<repute_overlay::SignedReceipt> {
	ReceiptStore::open(dir.join("receipts"), Durability::Synced)
		.unwrap()
		.all()
		.into_iter()
		.map(|s| s.receipt)
		.collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_rider_denied_honest_admitted_and_a_killed_peer_loses_no_receipt() {
	let temp = TempDir::new();
	let node = DevNode::start(&node_binary().unwrap(), &temp.0.join("node")).unwrap();
	let chain = ChainClient::connect(node.url.clone()).await.unwrap();
	let alice = Signer::sr25519_from_uri("//Alice").unwrap();

	let dirs: Vec<PathBuf> = ["a", "b", "c", "free-rider"].iter().map(|n| temp.0.join(n)).collect();
	let ids: Vec<Identity> = dirs.iter().map(|d| identity_in(d)).collect();
	let accounts: Vec<AccountId32> = ids.iter().map(|i| i.account().clone()).collect();
	// Epochs every 2 blocks; a stranger allowance of 2 MiB, graduation after 512 KiB of service
	// that a founder or an admitted peer vouched for. Credit is conserved: a peer may use what
	// the peers it served vouched for, plus the allowance, so the allowance must cover what a
	// peer takes while its own service is still on its way to the chain (receipts every 256 KiB,
	// 15 to 25 s to finality). A and B are the network's founders: graduating is witnessed
	// (docs/reputation.md), so a network whose peers are all newcomers admits nobody.
	let mut parameters = setup::fast_parameters(2 * 1024 * KIB, 2, 10_000);
	parameters.graduation_service = 512 * KIB;
	let bond = chain.peer_bond().await.unwrap();
	setup::fund(&chain, &alice, &accounts, 3 * bond).await.unwrap();
	setup::register(&chain, &ids[..2]).await.unwrap();
	setup::govern(&chain, &alice, &parameters, &accounts[..2]).await.unwrap();

	let url = node.url.clone();
	let a = SharePeer::start(&url, &dirs[0], &["--synthetic", "alpha:256"], &[]);
	let b = SharePeer::start(
		&url,
		&dirs[1],
		&["--synthetic", "beta:256"],
		std::slice::from_ref(&a.address),
	);
	let c = SharePeer::start(
		&url,
		&dirs[2],
		&["--synthetic", "gamma:256"],
		&[a.address.clone(), b.address.clone()],
	);
	let free_rider = SharePeer::start(
		&url,
		&dirs[3],
		&["--behaviour", "free-rider"],
		&[a.address.clone(), b.address.clone(), c.address.clone()],
	);

	// Mid-run, B dies without warning, then comes back with its key and store.
	tokio::time::sleep(Duration::from_secs(25)).await;
	drop(b);
	let before_crash = stored(&dirs[1]);
	assert!(!before_crash.is_empty(), "B had co-signed receipts before it was killed");
	let b = SharePeer::start(
		&url,
		&dirs[1],
		&["--synthetic", "beta:256"],
		&[a.address.clone(), c.address.clone(), free_rider.address.clone()],
	);

	// Run until the chain has made up its mind (at most three minutes more: the stranger window
	// paces newcomers, the free rider included).
	let mut verdicts = Vec::new();
	for _ in 0..90 {
		tokio::time::sleep(Duration::from_secs(2)).await;
		verdicts = Vec::new();
		for account in &accounts {
			verdicts.push(decision(&chain, account).await);
		}
		if verdicts[..3].iter().all(|d| *d == Decision::Admitted) && verdicts[3] == Decision::Denied
		{
			break;
		}
	}
	assert_eq!(
		verdicts,
		vec![Decision::Admitted, Decision::Admitted, Decision::Admitted, Decision::Denied],
		"honest A, B, C admitted; the free rider denied"
	);

	for peer in [a, b, c, free_rider] {
		peer.stop();
	}
	// The stranger window (repute-share's default, 1/16 of the largest allowance per server):
	// the free rider, served by three servers at once, took no more than its allowance plus one
	// window from each, plus one window that B forgot when it was killed (its unreceipted
	// service). Following the chain's verdict alone, it takes what three servers upload in the
	// 15–25 s the chain needs to count it: several allowances.
	let allowance = chain.stranger_allowance_max().await.unwrap();
	let window = StrangerWindow::shared_by(allowance, 16);
	let bound = window.overshoot_bound(allowance, 3) + window.cap;
	let taken = received(&dirs[3]);
	assert!(
		taken <= bound,
		"the free rider received {taken} bytes, over the stranger window's bound of {bound} \
		 ({:.2} allowances of {allowance})",
		taken as f64 / allowance as f64
	);
	for (dir, name) in dirs.iter().zip(["A", "B", "C", "free rider"]) {
		assert_all_recorded(&chain, &stored(dir), name).await;
	}
	assert_all_recorded(&chain, &before_crash, "B before the crash").await;
	// And the free rider is still denied: it cannot come back by waiting.
	assert_eq!(decision(&chain, &accounts[3]).await, Decision::Denied);
}

/// Receipts that pay (docs/payments.md), end to end on a real node: a provider serves a 64 MiB
/// file only for payment; the consumer's payer opens a channel when asked, tops it up as it is
/// used, and closes it when the download is done. The provider, killed before it claimed
/// anything, claims once after its restart; settling then leaves the provider paid exactly
/// `units × price`, for exactly the bytes the consumer received, and the rest of the escrow back
/// with the consumer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_download_moves_exactly_units_times_price_with_one_claim() {
	const PRICE: u128 = 50_000; // a byte: 64 MiB cost 3.36 UNIT
	const ESCROW: u128 = 1_500_000_000_000; // 1.5 UNIT: an opening and two top-ups
	const FILE_BYTES: u128 = 64 * 1024 * KIB;
	let temp = TempDir::new();
	let node = DevNode::start(&node_binary().unwrap(), &temp.0.join("node")).unwrap();
	let chain = ChainClient::connect(node.url.clone()).await.unwrap();
	let alice = Signer::sr25519_from_uri("//Alice").unwrap();
	let dirs: Vec<PathBuf> = ["provider", "consumer"].iter().map(|n| temp.0.join(n)).collect();
	let ids: Vec<Identity> = dirs.iter().map(|d| identity_in(d)).collect();
	let (provider, consumer) = (ids[0].account().clone(), ids[1].account().clone());
	let bond = chain.peer_bond().await.unwrap();
	setup::fund(&chain, &alice, &[provider.clone(), consumer.clone()], 3 * bond).await.unwrap();
	let start = [balances(&chain, &provider).await, balances(&chain, &consumer).await];

	let url = node.url.clone();
	let price = PRICE.to_string();
	let escrow = ESCROW.to_string();
	// The provider claims only at exit (one claim); nobody submits a backup copy.
	let provider_args = [
		"--policy",
		"paid",
		"--price",
		&price,
		"--synthetic",
		"movie:4096",
		"--upload-rate",
		"512",
		"--submit-every",
		"3600",
		"--backup-delay",
		"3600",
	];
	let serving = SharePeer::start(&url, &dirs[0], &provider_args, &[]);
	let paying = SharePeer::start(
		&url,
		&dirs[1],
		&[
			"--pay-max-price",
			&price,
			"--pay-escrow",
			&escrow,
			"--stop-after-files",
			"1",
			"--submit-every",
			"3600",
			"--backup-delay",
			"3600",
		],
		std::slice::from_ref(&serving.address),
	);
	// The consumer stops by itself once it has the file, and closes its channel.
	paying.wait(Duration::from_secs(400));
	assert_eq!(received(&dirs[1]), FILE_BYTES, "the consumer got the whole file");
	let closing = chain.channel(&consumer, &provider, 0).await.unwrap().expect("a channel");
	assert!(closing.closes_at.is_some(), "the consumer closed its channel: {closing:?}");
	assert_eq!(closing.paid, "0", "nothing is paid before the provider claims");
	assert!(
		last_report(&dirs[1]).contains(&format!("escrowed {}", 3 * ESCROW)),
		"an opening and two top-ups: {}",
		last_report(&dirs[1])
	);

	// The provider dies before it claimed, and claims after its restart.
	drop(serving);
	let pair = PairKey { provider: provider.clone(), consumer: consumer.clone(), service: 0 };
	assert_eq!(chain.recorded(std::slice::from_ref(&pair)).await.unwrap()[0], None);
	let newest = stored(&dirs[0]);
	assert_eq!(newest.len(), 1);
	assert_eq!(newest[0].receipt.cumulative_units, FILE_BYTES);
	let restarted =
		SharePeer::start(&url, &dirs[0], &[&provider_args[..], &["--duration", "5"]].concat(), &[]);
	restarted.wait(Duration::from_secs(120));
	assert!(last_report(&dirs[0]).contains(" recorded 1 "), "one claim: {}", last_report(&dirs[0]));
	let recorded = chain.recorded(std::slice::from_ref(&pair)).await.unwrap()[0];
	assert_eq!(recorded, Some((newest[0].receipt.sequence, FILE_BYTES)));

	let paid = chain.channel(&consumer, &provider, 0).await.unwrap().expect("a channel");
	assert_eq!(paid.units_paid, FILE_BYTES.to_string());
	assert_eq!(paid.units_unpaid, "0");
	assert_eq!(paid.paid, (FILE_BYTES * PRICE).to_string(), "exactly units × price");
	assert_eq!(paid.escrow, (3 * ESCROW - FILE_BYTES * PRICE).to_string());

	// The provider settles (it may at any time): the rest goes back to the consumer.
	let settle = Call::settle_channel(&consumer, &provider, 0);
	chain.submit_and_wait(&settle, &ids[0].signer(), Duration::from_secs(60)).await.unwrap();
	for _ in 0..60 {
		if chain.channel(&consumer, &provider, 0).await.unwrap().is_none() {
			break;
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	assert_eq!(chain.channel(&consumer, &provider, 0).await.unwrap(), None, "settled");
	let end = [balances(&chain, &provider).await, balances(&chain, &consumer).await];
	// Both hold only the peer bond now: no escrow is left held.
	assert_eq!((end[0].1, end[1].1), (bond, bond));
	// Balances moved by the payment less the transaction fees each paid (three or five
	// transactions: 0.0043 UNIT for the provider when measured, an eighth of a percent).
	let total = |(free, held): (u128, u128)| free + held;
	let payment = FILE_BYTES * PRICE;
	let provider_fees = (total(start[0]) + payment).checked_sub(total(end[0])).unwrap();
	let consumer_fees = (total(start[1]) - payment).checked_sub(total(end[1])).unwrap();
	for (who, fees) in [("provider", provider_fees), ("consumer", consumer_fees)] {
		assert!(fees < payment / 100, "the {who} paid {fees} in fees");
	}
}

/// A public node that has as many RPC connections open as it allows refuses more
/// (`--rpc-max-connections`, docs/rpc.md). An app's admission gate connecting then gets no
/// answers: it fails closed (nothing is served on a verdict it does not have) and keeps trying,
/// and once a connection frees it has the chain's verdicts within a few seconds, without a
/// restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admission_gate_outlives_a_node_at_its_connection_limit() {
	const LIMIT: u32 = 4;
	let temp = TempDir::new();
	let node =
		DevNode::start_with_rpc_connections(&node_binary().unwrap(), &temp.0.join("node"), LIMIT)
			.unwrap();
	let mut holders = Vec::new();
	for _ in 0..LIMIT {
		holders.push(ChainClient::connect(node.url.clone()).await.unwrap());
	}
	let refused = ChainClient::connect(node.url.clone()).await;
	assert!(
		matches!(refused, Err(ChainError::Unreachable { .. })),
		"the node took one connection more than its limit: {:?}",
		refused.map(|_| ())
	);

	let alice = Signer::sr25519_from_uri("//Alice").unwrap().account();
	let expected =
		Verdict::of(&holders[0].admissions(std::slice::from_ref(&alice), None).await.unwrap()[0]);
	let me = Identity::generate();
	let gate = AdmissionGate::spawn(
		Arc::new(ChainClient::new(node.url.clone())),
		GatePolicy::Global,
		me.account(),
	);
	assert_eq!(gate.check(&alice), Verdict::Unknown);
	tokio::time::sleep(Duration::from_secs(3)).await;
	assert_eq!(gate.check(&alice), Verdict::Unknown, "no connection: no verdict, no service");
	assert!(!gate.is_admitted(&repute_overlay::peer_of(&alice)));
	assert!(gate.admission(&alice).await.is_err());

	// One app leaves; the gate gets its connection at its next attempt (at most every 2 s).
	drop(holders.pop());
	let freed = Instant::now();
	while gate.check(&alice) != expected {
		assert!(
			freed.elapsed() < Duration::from_secs(10),
			"the gate still has no verdict {:?} after a connection freed",
			freed.elapsed()
		);
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	assert!(gate.is_fresh());
	println!("the gate had its verdict {:?} after a connection freed", freed.elapsed());
}

/// `repute-rpc-api`'s typed client calls every `repute_*` method as the node serves it: the
/// server reads its parameters by hand (strictly, by name), so a method whose parameters drifted
/// between the two would be refused here. Every parameter is given (optional ones as `null` or a
/// value), as the client always sends them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_typed_client_calls_every_repute_method() {
	use repute_overlay::H256;
	use repute_rpc_api::{json::DirectionJson, ReputeApiClient};

	let temp = TempDir::new();
	let node = DevNode::start(&node_binary().unwrap(), &temp.0.join("node")).unwrap();
	let chain = ChainClient::connect(node.url.clone()).await.unwrap();
	let client = chain.connection().await.unwrap();
	let client = &*client;
	let alice = Signer::sr25519_from_uri("//Alice").unwrap().account().to_string();
	let bob = Signer::sr25519_from_uri("//Bob").unwrap().account().to_string();
	let best: H256 = chain.finalized_head().await.unwrap().parse().unwrap();
	for at in [None, Some(best)] {
		ReputeApiClient::<H256>::peer_report(client, alice.clone(), at).await.unwrap();
		let proof = ReputeApiClient::<H256>::peer_report_proof(client, alice.clone(), at).await;
		assert!(!proof.unwrap().keys.is_empty());
		let one = client.admission(alice.clone(), Some(bob.clone()), at).await.unwrap();
		assert_eq!(one.peer, alice);
		let both = client.admissions(vec![alice.clone(), bob.clone()], None, at).await.unwrap();
		assert_eq!(both.len(), 2);
		let trust = client.subjective_trust(bob.clone(), alice.clone(), at).await.unwrap();
		assert_eq!((trust.viewer, trust.target), (bob.clone(), alice.clone()));
		for direction in [DirectionJson::Served, DirectionJson::ServedBy] {
			client.partners(alice.clone(), direction, Some(0), Some(10), at).await.unwrap();
		}
		client.top_peers(Some(0), Some(10), at).await.unwrap();
		ReputeApiClient::<H256>::parameters(client, at).await.unwrap();
		let channel = client.channel(alice.clone(), bob.clone(), 0, at).await.unwrap();
		assert_eq!(channel, None);
		ReputeApiClient::<H256>::prices(client, at).await.unwrap();
	}
	// The stranger policy, read from storage in the layout the metadata check accepted: the
	// genesis puts governance's maximum in force, with no newcomer counted yet.
	let policy = chain.stranger_policy().await.unwrap();
	let parameters = ReputeApiClient::<H256>::parameters(client, None).await.unwrap().reputation;
	let max: u128 = parameters.stranger_allowance_max.parse().unwrap();
	assert!(max > 0);
	let expected = repute_overlay::StrangerPolicy { allowance: max, ..Default::default() };
	assert_eq!(policy, expected);
	let mut changes =
		ReputeApiClient::<H256>::subscribe_admissions(client, vec![alice.clone()], Some(bob))
			.await
			.unwrap();
	let first = tokio::time::timeout(Duration::from_secs(30), changes.next()).await;
	let first = first.expect("a first notification").expect("the stream is open").unwrap();
	assert_eq!(first.changes[0].peer, alice);
}

/// `sudo` reports a refused call only in an event, so `govern` reads the founders back: a list
/// the chain refuses (a peer that never registered; more than `MaxPreTrusted`) is an error and
/// leaves the chain's founders as they were, and a list it takes is read back as named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn governance_of_founders_the_chain_refuses_is_an_error() {
	let temp = TempDir::new();
	let node = DevNode::start(&node_binary().unwrap(), &temp.0.join("node")).unwrap();
	let chain = ChainClient::connect(node.url.clone()).await.unwrap();
	let alice = Signer::sr25519_from_uri("//Alice").unwrap();
	let parameters = chain.reputation_parameters().await.unwrap();
	let genesis = chain.pre_trusted().await.unwrap();
	assert!(genesis.len() >= 2, "the dev chain names two founders at genesis");

	let stranger = Identity::generate().account().clone();
	let unregistered = [genesis[0].clone(), stranger];
	let error = setup::govern(&chain, &alice, &parameters, &unregistered).await.unwrap_err();
	assert!(error.to_string().contains("refused the 2 pre-trusted peers"), "{error}");
	let too_many: Vec<AccountId32> =
		(0..33).map(|_| Identity::generate().account().clone()).collect();
	assert!(setup::govern(&chain, &alice, &parameters, &too_many).await.is_err());
	assert_eq!(chain.pre_trusted().await.unwrap(), genesis);

	let reversed: Vec<AccountId32> = genesis.iter().rev().cloned().collect();
	setup::govern(&chain, &alice, &parameters, &reversed).await.unwrap();
	assert_eq!(chain.pre_trusted().await.unwrap(), reversed);
}

/// The mortality period of the clients of [`stalled_node`].
const STALL_PERIOD: u64 = 8;

/// A dev node without a GRANDPA voter (nothing is finalized after genesis), once its best block
/// is past [`STALL_PERIOD`], and a client of it with that period: its transactions are born at
/// the best block.
async fn stalled_node(temp: &TempDir) -> (DevNode, ChainClient) {
	let node =
		DevNode::start_without_finality(&node_binary().unwrap(), &temp.0.join("node")).unwrap();
	let chain =
		ChainClient::connect(node.url.clone()).await.unwrap().with_mortality_period(STALL_PERIOD);
	let started = Instant::now();
	while chain.best_number().await.unwrap() <= STALL_PERIOD as u32 + 1 {
		assert!(started.elapsed() < Duration::from_secs(180), "the node authors no blocks");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	(node, chain)
}

/// Transactions are mortal, born at the newest finalized block. While finality stalls, that
/// block falls behind: a transaction born there would be dead on arrival once the best block is
/// a period past it. The client then bears them at the best block, and they are included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_are_included_while_finality_stalls() {
	let temp = TempDir::new();
	let (_node, chain) = stalled_node(&temp).await;
	let finalized = chain.finalized_head().await.unwrap();
	let genesis = format!("{:?}", chain.genesis_hash().await.unwrap());
	assert_eq!(finalized, genesis, "nothing is finalized without a GRANDPA voter");

	let alice = Signer::sr25519_from_uri("//Alice").unwrap();
	let bob = Signer::sr25519_from_uri("//Bob").unwrap().account();
	let before = chain.free_balance(&bob).await.unwrap();
	let transfer = Call::transfer(&bob, 1_000_000);
	chain.submit_and_wait(&transfer, &alice, Duration::from_secs(60)).await.unwrap();
	assert_eq!(chain.free_balance(&bob).await.unwrap(), before + 1_000_000);
	let info = chain.chain_info().await.unwrap();
	assert!(
		info.mortality.birth_number > STALL_PERIOD as u32,
		"born at {}",
		info.mortality.birth_number
	);
}

/// A payment the node refuses (the consumer cannot pay the fees) comes back to the payer's
/// budget at once: failures do not eat it. (Before, every failed send stayed committed, so a
/// few failures left an honest consumer unable to pay anyone.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_the_node_refuses_comes_back_to_the_budget() {
	use repute_overlay::{Payer, PayerConfig};
	use std::sync::atomic::Ordering;
	let temp = TempDir::new();
	let node = DevNode::start(&node_binary().unwrap(), &temp.0.join("node")).unwrap();
	let chain = Arc::new(ChainClient::connect(node.url.clone()).await.unwrap());
	let consumer = Identity::from_seed([41; 32]);
	let provider = Identity::from_seed([42; 32]).account().clone();
	let config = PayerConfig {
		max_price: 10,
		escrow: 1_000_000_000_000,
		budget: 1_000_000_000_000,
		confirm_timeout: Duration::from_secs(30),
		quiet_after_payment: Duration::from_millis(200),
		..PayerConfig::default()
	};
	let payer = Payer::spawn(chain.clone(), consumer.signer(), config);
	let started = Instant::now();
	for attempt in 1..=2u64 {
		payer.asked(&provider, 7);
		while payer.stats().failed.load(Ordering::Relaxed) < attempt {
			assert!(started.elapsed() < Duration::from_secs(60), "no attempt to pay");
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
		// The second attempt is not declined as over budget: the first came back.
		assert_eq!(payer.committed(), 0, "attempt {attempt}");
		assert_eq!(payer.stats().returned.load(Ordering::Relaxed), attempt);
		assert_eq!(payer.stats().declined.load(Ordering::Relaxed), 0);
		assert!(payer.in_doubt().is_empty());
		tokio::time::sleep(Duration::from_millis(300)).await;
	}
	// Funded, the consumer pays: the channel is open and the escrow committed.
	let alice = Signer::sr25519_from_uri("//Alice").unwrap();
	setup::fund(&chain, &alice, &[consumer.account().clone()], 10 * config.escrow).await.unwrap();
	payer.asked(&provider, 7);
	while payer.stats().opened.load(Ordering::Relaxed) < 1 {
		assert!(started.elapsed() < Duration::from_secs(120), "the payment did not land");
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	assert_eq!(payer.committed(), config.escrow);
	let channel = chain.channel(consumer.account(), &provider, 0).await.unwrap();
	assert_eq!(channel.map(|c| c.escrow), Some(config.escrow.to_string()));
}

/// A payment that lands in a block but is never finalized (a node without a GRANDPA voter) is
/// in doubt: it stays counted, and the provider is not paid a second time while it may still
/// count, though the budget would allow it. (Before, the payer paid again: the finalized state
/// showed no channel, so it opened another.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_in_doubt_is_neither_forgotten_nor_made_twice() {
	use repute_overlay::{Payer, PayerConfig};
	use std::sync::atomic::Ordering;
	let temp = TempDir::new();
	let (_node, chain) = stalled_node(&temp).await;
	let chain = Arc::new(chain);
	let started = Instant::now();
	let consumer = Identity::from_seed([43; 32]);
	let provider = Identity::from_seed([44; 32]).account().clone();
	let config = PayerConfig {
		max_price: 10,
		escrow: 1_000_000_000_000,
		budget: 4_000_000_000_000,
		confirm_timeout: Duration::from_secs(8),
		quiet_after_payment: Duration::from_millis(200),
		..PayerConfig::default()
	};
	let alice = Signer::sr25519_from_uri("//Alice").unwrap();
	setup::fund(&chain, &alice, &[consumer.account().clone()], 10 * config.escrow).await.unwrap();
	let payer = Payer::spawn(chain.clone(), consumer.signer(), config);
	payer.asked(&provider, 7);
	while payer.stats().failed.load(Ordering::Relaxed) < 1 {
		assert!(
			started.elapsed() < Duration::from_secs(240),
			"the payment neither failed nor landed"
		);
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	// It is in the best chain but not finalized: in doubt, still counted.
	let best_channel = chain.channel(consumer.account(), &provider, 0).await.unwrap();
	assert_eq!(best_channel.map(|c| c.escrow), Some(config.escrow.to_string()));
	assert_eq!(payer.committed(), config.escrow);
	let doubts = payer.in_doubt();
	assert_eq!(doubts.len(), 1);
	assert_eq!((doubts[0].amount, doubts[0].deposited_before), (config.escrow, 0));
	// Asked again, it does not pay twice.
	tokio::time::sleep(Duration::from_millis(300)).await;
	payer.asked(&provider, 7);
	while payer.stats().declined.load(Ordering::Relaxed) < 1 {
		assert!(started.elapsed() < Duration::from_secs(300), "the second request was not handled");
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	assert_eq!(payer.committed(), config.escrow);
	assert_eq!(payer.stats().opened.load(Ordering::Relaxed), 0);
	assert_eq!(payer.stats().failed.load(Ordering::Relaxed), 1);
	let best_channel = chain.channel(consumer.account(), &provider, 0).await.unwrap();
	assert_eq!(best_channel.map(|c| c.escrow), Some(config.escrow.to_string()));
}
