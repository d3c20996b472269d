//! End to end: a dev node and four `repute-share` processes (three honest, one free rider) on
//! loopback. The free rider ends up denied, honest peers stay admitted, and an honest peer
//! killed (SIGKILL) and restarted mid-run loses no receipt: everything any peer stored ends up
//! recorded on chain.

use repute_overlay::devnet::{node_binary, setup, DevNode};
use repute_overlay::{
	AccountId32, ChainClient, Durability, Identity, PairKey, ReceiptStore, Signer, StrangerWindow,
};
use repute_rpc_api::json::Decision;
use std::{
	io::{BufRead, BufReader},
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	sync::mpsc,
	time::Duration,
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
		command
			.args(["--node", node, "--data-dir"])
			.arg(dir)
			.args(["--quiet", "--report-every", "5", "--submit-every", "2", "--backup-delay", "8"])
			.args(["--upload-rate", "8"])
			.args(args)
			.env("RUST_LOG", "info")
			.stdout(Stdio::piped())
			.stderr(log);
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
	fn stop(mut self) {
		let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
		for _ in 0..120 {
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
	// Epochs every 2 blocks; a stranger allowance of 2 MiB, graduation after 512 KiB of service.
	// Credit is conserved: a peer may use what the peers it served vouched for, plus the
	// allowance, so the allowance must cover what a peer takes while its own service is still on
	// its way to the chain (receipts every 256 KiB, 15 to 25 s to finality). Admission needs no
	// founders; the dev chain's own (named at genesis) anchor global trust.
	let mut parameters = setup::fast_parameters(2 * 1024 * KIB, 2, 10_000);
	parameters.graduation_service = 512 * KIB;
	setup::govern(&chain, &alice, &parameters, &[]).await.unwrap();
	let bond = chain.peer_bond().await.unwrap();
	setup::fund(&chain, &alice, &accounts, 3 * bond).await.unwrap();

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
