//! `repute-share`: share files with other peers, and let a Repute chain decide whom to serve.
//!
//! ```text
//! repute-share --data-dir alice --share movie.mkv
//! repute-share --data-dir bob --peer /ip4/127.0.0.1/tcp/4001/p2p/12D3Koo… --fund-from //Alice
//! # Serve for payment, and pay providers that ask (docs/payments.md):
//! repute-share --data-dir carol --policy paid --price 1000 --share movie.mkv
//! repute-share --data-dir dave --pay-max-price 1000 --peer /ip4/…/p2p/12D3Koo… --stop-after-files 1
//! ```
//!
//! Each data directory holds the peer's key (`identity.key`, created on first run), its receipt
//! store and what it downloaded (`downloads/`). The peer registers on the chain (holding the
//! peer bond), serves what its policy admits, downloads every file its partners offer, co-signs
//! receipts and submits them, and prints what the chain thinks of it.

use clap::Parser;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use libp2p::Multiaddr;
use repute_overlay::{
	AdmissionGate, ChainClient, ChannelBook, Durability, GatePolicy, Identity, OwnCredit,
	OwnCreditConfig, Payer, PayerConfig, ReceiptStore, Signer, StrangerWindow, Submitter,
	SubmitterConfig, TransportKind,
};
use repute_share::{
	library::{File, Library},
	ChainServices, Command, PeerConfig, PeerHandle, Role, ServePolicy, SharePeer, SERVICE,
};
use std::{
	collections::HashMap,
	path::{Path, PathBuf},
	sync::{atomic::Ordering, Arc, Mutex},
	time::Duration,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Behaviour {
	/// Serve and download.
	Honest,
	/// Download, never serve.
	FreeRider,
	/// Run many bonded identities that fake service to each other, and download with each.
	Sybil,
}

/// Share files over libp2p; serve only the peers a Repute chain admits.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
	/// The Repute node's WebSocket RPC address.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	node: String,
	/// Where the key, receipts and downloads live.
	#[arg(long)]
	data_dir: PathBuf,
	/// The libp2p address to listen on.
	#[arg(long, default_value = "/ip4/127.0.0.1/tcp/0")]
	listen: Multiaddr,
	/// Peers to connect to (repeatable).
	#[arg(long = "peer")]
	peers: Vec<Multiaddr>,
	/// Files to share (repeatable).
	#[arg(long = "share")]
	files: Vec<PathBuf>,
	/// Generated files to share, as NAME:CHUNKS (repeatable; chunks of 16 KiB).
	#[arg(long = "synthetic")]
	synthetic: Vec<String>,
	/// How to behave.
	#[arg(long, value_enum, default_value_t = Behaviour::Honest)]
	behaviour: Behaviour,
	/// Identities of a Sybil attacker.
	#[arg(long, default_value_t = 8)]
	sybil_identities: usize,
	/// Whom to serve.
	#[arg(long, value_enum, default_value_t = ServePolicy::ReputeGlobal)]
	policy: ServePolicy,
	/// Under the Repute policies, give a newcomer at most 1/K of the chain's largest stranger
	/// allowance in service the chain has not counted yet, so that K servers at once give it at
	/// most twice its allowance (docs/overlay.md, "The stranger window"). 0: no such bound.
	#[arg(long, default_value_t = 16)]
	stranger_window: u32,
	/// Under `--policy paid`: what a byte costs, in the chain's smallest unit (a consumer's
	/// payment channel must pay at least this).
	#[arg(long, default_value_t = 0)]
	price: u128,
	/// Pay providers that ask to be paid, up to this much a byte: open a payment channel to
	/// each, and top it up as it is used (default: pay nobody).
	#[arg(long)]
	pay_max_price: Option<u128>,
	/// What each channel opens with and each top-up adds (default: the chain's least escrow).
	#[arg(long)]
	pay_escrow: Option<u128>,
	/// The most ever put into escrow, all channels together (default: 16 escrows).
	#[arg(long)]
	pay_budget: Option<u128>,
	/// Stop once this many files are downloaded (and close the payment channels it opened).
	#[arg(long)]
	stop_after_files: Option<u64>,
	/// Chunks uploaded per second at most.
	#[arg(long, default_value_t = 32.0)]
	upload_rate: f64,
	/// Seconds a request that lacks only an upload slot waits for one before it is refused as
	/// busy (0: refused at once).
	#[arg(long, default_value_t = repute_share::DEFAULT_LONGEST_WAIT.as_secs())]
	longest_wait: u64,
	/// Top up each identity from this key (a dev chain's `//Alice`) to twice the bond.
	#[arg(long)]
	fund_from: Option<String>,
	/// Stop after this many seconds (default: on Ctrl-C or SIGTERM).
	#[arg(long)]
	duration: Option<u64>,
	/// Seconds between reports of what the chain thinks.
	#[arg(long, default_value_t = 10)]
	report_every: u64,
	/// Seconds between receipt submissions.
	#[arg(long, default_value_t = 3)]
	submit_every: u64,
	/// Seconds a receipt this peer received service for waits for the provider to submit it,
	/// before this peer submits its own copy.
	#[arg(long, default_value_t = 60)]
	backup_delay: u64,
	/// Download as much as providers give, not only within this peer's own admission credit
	/// (by default an honest peer asks for chunks only within what the chain still lets it take,
	/// less what it received and the chain has not counted yet: served by many providers at
	/// once, it would otherwise take past its stranger allowance and be marked a free rider;
	/// docs/overlay.md, "Own credit").
	#[arg(long)]
	beyond_own_credit: bool,
	/// No progress bars (for scripts and tests).
	#[arg(long)]
	quiet: bool,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The identity kept in `dir/identity.key` (32 secret bytes), created on first use.
fn load_identity(dir: &Path) -> Result<Identity, Error> {
	let path = dir.join("identity.key");
	if let Ok(bytes) = std::fs::read(&path) {
		let seed: [u8; 32] =
			bytes.try_into().map_err(|_| format!("{} is not 32 bytes", path.display()))?;
		return Ok(Identity::from_seed(seed));
	}
	let identity = Identity::generate();
	std::fs::create_dir_all(dir)?;
	std::fs::write(&path, identity.seed())?;
	#[cfg(unix)]
	{
		use std::os::unix::fs::PermissionsExt;
		std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
	}
	Ok(identity)
}

struct Running {
	identity: Identity,
	handle: PeerHandle,
	store: Arc<ReceiptStore>,
	submitter: Submitter,
	payer: Option<Payer>,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| "warn,repute_share=info,repute_overlay=info".into()),
		)
		.with_writer(std::io::stderr)
		.init();
	let cli = Cli::parse();
	let chain = Arc::new(ChainClient::new(cli.node.clone()));
	// Receipts name the chain, so nothing starts before the node has answered once; a node that
	// is not up yet is waited for, not a reason to exit.
	let mut wait = Duration::from_millis(500);
	let genesis = loop {
		match chain.genesis_hash().await {
			Ok(genesis) => break genesis,
			Err(error) if error.is_transient() => {
				tracing::warn!(%error, "waiting for the Repute node");
				tokio::time::sleep(wait).await;
				wait = (wait * 2).min(Duration::from_secs(30));
			}
			Err(error) => return Err(error.into()),
		}
	};
	let bond = chain.peer_bond().await?;
	if cli.policy == ServePolicy::Paid && cli.price == 0 {
		return Err("--policy paid needs a --price above zero".into());
	}
	let payer_config = match cli.pay_max_price {
		Some(max_price) => {
			let minimum = chain.parameters().await?.payments.minimum_escrow;
			let minimum: u128 =
				minimum.parse().map_err(|_| format!("a least escrow of {minimum}?"))?;
			let escrow = cli.pay_escrow.unwrap_or(minimum).max(minimum);
			Some(PayerConfig {
				service: SERVICE,
				max_price,
				escrow,
				budget: cli.pay_budget.unwrap_or(escrow.saturating_mul(16)),
				..PayerConfig::default()
			})
		}
		None => None,
	};
	let stranger_window = match cli.stranger_window {
		0 => StrangerWindow::OPEN,
		k => StrangerWindow::shared_by(chain.stranger_allowance_max().await?, k)
			.released_over(chain.stranger_release().await?),
	};

	let mut library = Library::default();
	for path in &cli.files {
		let name = path.file_name().and_then(|n| n.to_str()).ok_or("a file needs a name")?;
		library.add(File::complete(name, &std::fs::read(path)?));
	}
	for spec in &cli.synthetic {
		let (name, chunks) = spec.split_once(':').ok_or("--synthetic takes NAME:CHUNKS")?;
		library.add(File::synthetic(name, chunks.parse()?));
	}

	let identities: Vec<(PathBuf, Identity)> = match cli.behaviour {
		Behaviour::Sybil => (0..cli.sybil_identities.max(2))
			.map(|i| {
				let dir = cli.data_dir.join(format!("sybil-{i}"));
				load_identity(&dir).map(|id| (dir, id))
			})
			.collect::<Result<_, _>>()?,
		_ => vec![(cli.data_dir.clone(), load_identity(&cli.data_dir)?)],
	};
	let funder = cli.fund_from.as_deref().map(Signer::sr25519_from_uri).transpose()?;
	for (_, identity) in &identities {
		if let Some(funder) = &funder {
			if chain.free_balance(identity.account()).await? < 2 * bond {
				let call =
					repute_overlay::chain::calls::Call::transfer(identity.account(), 2 * bond);
				chain.submit_and_wait(&call, funder, Duration::from_secs(60)).await?;
			}
		}
		chain.register(&identity.signer()).await?;
	}

	let progress = MultiProgress::new();
	if cli.quiet {
		progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
	}
	let style = ProgressStyle::with_template(
		"{prefix:>12} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
	)
	.map_err(|e| e.to_string())?
	.progress_chars("=> ");
	let mut running = Vec::new();
	let peer_ids: Vec<_> = identities.iter().map(|(_, id)| id.peer_id()).collect();
	for (index, (dir, identity)) in identities.iter().enumerate() {
		let store = Arc::new(ReceiptStore::open(dir.join("receipts"), Durability::Synced)?);
		let submitter = Submitter::spawn(
			store.clone(),
			chain.clone(),
			identity.signer(),
			SubmitterConfig {
				interval: Duration::from_secs(cli.submit_every.max(1)),
				backup_delay: Duration::from_secs(cli.backup_delay),
				..Default::default()
			},
		);
		let gate_policy = match cli.policy {
			ServePolicy::ReputeSubjective => Some(GatePolicy::Subjective),
			ServePolicy::ReputeGlobal => Some(GatePolicy::Global),
			_ => None,
		};
		let gate = gate_policy.map(|p| AdmissionGate::spawn(chain.clone(), p, identity.account()));
		let channels = (cli.policy == ServePolicy::Paid)
			.then(|| ChannelBook::spawn(chain.clone(), identity.account(), SERVICE));
		let payer = payer_config.map(|c| Payer::spawn(chain.clone(), identity.signer(), c));
		let credit = (cli.behaviour == Behaviour::Honest && !cli.beyond_own_credit).then(|| {
			OwnCredit::spawn(chain.clone(), identity.account(), OwnCreditConfig::default())
		});
		let role = match cli.behaviour {
			Behaviour::Honest => Role::Honest,
			Behaviour::FreeRider => Role::FreeRider,
			Behaviour::Sybil => Role::Sybil {
				next: peer_ids[(index + 1) % peer_ids.len()],
				previous: peer_ids[(index + peer_ids.len() - 1) % peer_ids.len()],
			},
		};
		let bars: Arc<Mutex<HashMap<String, ProgressBar>>> = Default::default();
		let (bars_for_peer, multi, style, label) =
			(bars.clone(), progress.clone(), style.clone(), format!("{}", index));
		let downloads = dir.join("downloads");
		let on_progress = Box::new(move |file: &File| {
			let mut bars = bars_for_peer.lock().unwrap_or_else(|p| p.into_inner());
			let bar = bars.entry(file.entry.file.clone()).or_insert_with(|| {
				let bar = multi.add(ProgressBar::new(file.entry.bytes));
				bar.set_style(style.clone());
				bar.set_prefix(format!("{label}:{}", file.entry.file));
				bar
			});
			let held = file.chunk_count() - file.missing().count();
			bar.set_position(
				(held * repute_share::chunks::CHUNK_BYTES).min(file.entry.bytes as usize) as u64,
			);
			if let Some(content) = file.content() {
				bar.finish();
				let _ = std::fs::create_dir_all(&downloads);
				let _ = std::fs::write(downloads.join(&file.entry.file), content);
			}
		});
		let config = PeerConfig {
			role,
			policy: cli.policy,
			upload_chunks_per_second: cli.upload_rate,
			longest_wait: Duration::from_secs(cli.longest_wait),
			stranger_window,
			price: cli.price,
			..Default::default()
		};
		let handle = SharePeer::start(
			identity.clone(),
			genesis,
			store.clone(),
			ChainServices { gate, channels, payer: payer.clone(), credit },
			library.clone(),
			config,
			TransportKind::Tcp,
			cli.listen.clone(),
			Some(on_progress),
		)
		.await?;
		println!("LISTEN {}/p2p/{}", handle.address, handle.peer_id);
		for peer in &cli.peers {
			handle.send(Command::Dial(peer.clone()));
		}
		running.push(Running { identity: identity.clone(), handle, store, submitter, payer });
	}
	// Sybil identities know each other.
	for a in &running {
		for b in &running {
			if a.handle.peer_id != b.handle.peer_id {
				a.handle.send(Command::Dial(b.handle.address.clone()));
			}
		}
	}

	let stop = async {
		match cli.duration {
			Some(seconds) => tokio::time::sleep(Duration::from_secs(seconds)).await,
			None => shutdown_signal().await,
		}
	};
	tokio::pin!(stop);
	let mut report = tokio::time::interval(Duration::from_secs(cli.report_every.max(1)));
	let mut check = tokio::time::interval(Duration::from_millis(250));
	loop {
		tokio::select! {
			_ = &mut stop => break,
			_ = check.tick(), if cli.stop_after_files.is_some() => {
				let done = running
					.iter()
					.map(|p| p.handle.stats.completed.load(Ordering::Relaxed))
					.min()
					.unwrap_or(0);
				if cli.stop_after_files.is_some_and(|files| done >= files) {
					break;
				}
			}
			_ = report.tick() => {
				for peer in &running {
					print_report(&chain, peer, &progress).await;
				}
			}
		}
	}
	for peer in &running {
		peer.handle.send(Command::Stop);
	}
	// Settle, then give the submitters a last chance to take everything to the chain.
	tokio::time::sleep(Duration::from_secs(3)).await;
	for _ in 0..20 {
		// What each peer is owed: receipts of its own service. (Copies of receipts for what it
		// received are its providers' to submit; it submits them itself only after the backup
		// delay, which a peer on its way out does not wait for.)
		let pending: usize = running
			.iter()
			.map(|p| {
				let unrecorded = p.store.unrecorded();
				unrecorded.iter().filter(|r| &r.receipt.provider == p.identity.account()).count()
			})
			.sum();
		if pending == 0 {
			break;
		}
		for peer in &running {
			peer.submitter.nudge();
		}
		tokio::time::sleep(Duration::from_secs(3)).await;
	}
	for peer in &running {
		if let Some(payer) = &peer.payer {
			match payer.close_all().await {
				Ok(closed) => {
					println!("CLOSED {closed} payment channels of {}", peer.handle.peer_id)
				}
				Err(error) => tracing::warn!(%error, "cannot close the payment channels"),
			}
		}
		print_report(&chain, peer, &progress).await;
	}
	Ok(())
}

async fn print_report(chain: &ChainClient, peer: &Running, progress: &MultiProgress) {
	let stats = &peer.handle.stats;
	let chain_view = match chain.peer_report(peer.identity.account()).await {
		Ok(Some(report)) => format!(
			"chain: {:?}{} service {} usage {} allowance {} credit {}",
			report.admission.decision,
			report.admission.reason.map(|r| format!(" ({r:?})")).unwrap_or_default(),
			report.service_reputation,
			report.usage_reputation,
			report.stranger_allowance,
			report.admission_credit,
		),
		Ok(None) => "chain: not registered".into(),
		Err(error) => format!("chain unreachable ({error})"),
	};
	let paid = match &peer.payer {
		Some(payer) => format!(
			" escrowed {} channels {}",
			payer.committed(),
			payer.stats().opened.load(Ordering::Relaxed)
		),
		None => String::new(),
	};
	let line = format!(
		"REPORT {} received {} served {} refused {} receipts {} recorded {}{paid} | {}",
		peer.handle.peer_id,
		stats.received.load(Ordering::Relaxed),
		stats.served.load(Ordering::Relaxed),
		stats.refused(),
		stats.receipts.load(Ordering::Relaxed),
		peer.submitter.stats().recorded.load(Ordering::Relaxed),
		chain_view,
	);
	let _ = progress.println(&line);
	if progress.is_hidden() {
		println!("{line}");
	}
}

async fn shutdown_signal() {
	#[cfg(unix)]
	{
		let mut term =
			match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
				Ok(term) => term,
				Err(_) => return std::future::pending().await,
			};
		tokio::select! {
			_ = tokio::signal::ctrl_c() => {}
			_ = term.recv() => {}
		}
	}
	#[cfg(not(unix))]
	let _ = tokio::signal::ctrl_c().await;
}
