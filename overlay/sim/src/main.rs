//! `repute-sim`: the same population and workload under each serving policy, side by side, on a
//! real `repute-node` (a fresh dev chain per run). Writes `samples.csv`, one PNG per scenario and
//! `summary.md` (tables and goals) into `--out`. `scripts/simulate.sh` runs it.

mod plot;

use clap::Parser;
use repute_overlay::devnet::node_binary;
use repute_share::{
	sim::{
		report,
		scenario::{self, Congestion, Scenario, SimConfig},
	},
	ServePolicy,
};
use std::{path::PathBuf, time::Duration};

/// Simulate serving policies side by side.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
	/// Scenarios to run (repeatable; default: all).
	#[arg(long = "scenario", value_enum)]
	scenarios: Vec<Scenario>,
	/// Policies to compare (repeatable; default: open, bittorrent, repute-global and
	/// repute-subjective).
	#[arg(long = "policy", value_enum)]
	policies: Vec<ServePolicy>,
	/// Seconds each run's workload lasts.
	#[arg(long, default_value_t = 180)]
	duration: u64,
	/// Seconds at the start that the summary leaves out.
	#[arg(long, default_value_t = 60)]
	warmup: u64,
	/// Seconds between samples.
	#[arg(long, default_value_t = 5)]
	sample_every: u64,
	/// Peers in the churn scenario.
	#[arg(long, default_value_t = 1000)]
	churn_peers: usize,
	/// Pre-trusted honest peers (the network's founders, named by governance; at most the
	/// runtime's `MaxPreTrusted`, 32): the first witnesses of newcomers' graduation. They never
	/// leave in churn rounds.
	#[arg(long, default_value_t = 4,
		value_parser = clap::value_parser!(u16).range(1..=scenario::MAX_FOUNDERS as i64))]
	founders: u16,
	/// Seconds between churn rounds.
	#[arg(long, default_value_t = 30)]
	churn_period: u64,
	/// What each whitewasher has to spend on bonds, in peer bonds (every other peer is given
	/// two): its first identity holds one, and every re-key costs one more.
	#[arg(long, default_value_t = 3)]
	whitewasher_budget: u32,
	/// Chunks (16 KiB) each peer uploads per second.
	#[arg(long, default_value_t = 1.0)]
	upload_rate: f64,
	/// Seconds a request that lacks only an upload slot waits for one, first come, first
	/// served, a full room making way for a requester holding two places fewer than another
	/// (8 by default, as `PeerConfig`; 0 refuses it as busy at once, the default until
	/// 2026-12-05: docs/simulation.md, "Waiting for upload slots by default").
	#[arg(long, default_value_t = repute_share::DEFAULT_LONGEST_WAIT.as_secs())]
	longest_wait: u64,
	/// Chunk requests each peer keeps open at once (how much an honest peer asks of its
	/// providers: with few, servers idle once attackers are refused; docs/simulation.md, "Why
	/// honest service falls over fifteen minutes").
	#[arg(long, default_value_t = scenario::DEFAULT_MAX_IN_FLIGHT as u64,
		value_parser = clap::value_parser!(u64).range(1..=scenario::MAX_REQUESTS_IN_FLIGHT as u64))]
	max_in_flight: u64,
	/// Seconds between each peer's receipt submissions (default: 12 in the churn scenario, 3 in
	/// the others). A newcomer's service is counted on chain, and its servers' stranger windows
	/// open again, only after a submission and the next round after finality.
	#[arg(long)]
	submit_every: Option<u64>,
	/// Honest peers ask for as much as providers give them, not only within their own
	/// admission credit (the default keeps them within it under the Repute policies;
	/// docs/simulation.md, "Honest peers that keep within their own credit").
	#[arg(long)]
	beyond_own_credit: bool,
	/// Where results go.
	#[arg(long, default_value = "target/simulation")]
	out: PathBuf,
	/// Seed of the topology and churn.
	#[arg(long, default_value_t = 7)]
	seed: u64,
	/// Seeds serving the free rider at once in the overshoot scenario (repeatable; default: 1, 4
	/// and 16).
	#[arg(long = "servers")]
	servers: Vec<usize>,
	/// The servers' stranger window K: a newcomer gets at most allowance/K of service the chain
	/// has not counted from each server; 0 for none (repeatable; default: 0 and 16 in the
	/// overshoot scenario, 0 in the others).
	#[arg(long = "stranger-window")]
	stranger_windows: Vec<u32>,
	/// Blocks (6 s) over which the chain releases a newcomer's stranger allowance from its
	/// registration, and the servers' stranger window its cap (0: at once).
	#[arg(long, default_value_t = 0)]
	stranger_release: u32,
	/// Under the paid policy, price the served bytes by congestion: a reference price that
	/// follows the bytes paid for every `--price-period` blocks (docs/payments.md), plotted into
	/// `<scenario>-prices.png` and written to `prices.csv`.
	#[arg(long)]
	congestion: bool,
	/// Blocks in a pricing period, with `--congestion`.
	#[arg(long, default_value_t = 2)]
	price_period: u32,
	/// Bytes paid a period at which the price holds, with `--congestion`.
	#[arg(long, default_value_t = 1 << 20)]
	price_target: u128,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| "warn,repute_share=info".into()),
		)
		.init();
	let cli = Cli::parse();
	let scenarios = if cli.scenarios.is_empty() {
		vec![Scenario::Baseline, Scenario::Imbalance, Scenario::Churn, Scenario::Overshoot]
	} else {
		cli.scenarios.clone()
	};
	let policies = if cli.policies.is_empty() {
		vec![
			ServePolicy::Open,
			ServePolicy::Bittorrent,
			ServePolicy::ReputeGlobal,
			ServePolicy::ReputeSubjective,
			ServePolicy::Paid,
		]
	} else {
		cli.policies.clone()
	};
	std::fs::create_dir_all(&cli.out)?;
	let node_binary = node_binary()?;
	let mut results = Vec::new();
	for scenario in &scenarios {
		// The overshoot scenario varies the servers and the window; the others run once.
		let (servers, windows) = match scenario {
			Scenario::Overshoot => (
				if cli.servers.is_empty() { vec![1, 4, 16] } else { cli.servers.clone() },
				if cli.stranger_windows.is_empty() {
					vec![0, 16]
				} else {
					cli.stranger_windows.clone()
				},
			),
			_ => (
				vec![0],
				if cli.stranger_windows.is_empty() {
					vec![0]
				} else {
					cli.stranger_windows.clone()
				},
			),
		};
		let mut variants: Vec<(ServePolicy, usize, u32)> = Vec::new();
		// The window only changes what the Repute policies do.
		for policy in policies.iter().filter(|p| *scenario != Scenario::Overshoot || p.uses_chain())
		{
			for count in &servers {
				for window in &windows {
					variants.push((*policy, *count, *window));
				}
			}
		}
		for (policy, servers, stranger_window) in variants {
			let policy = &policy;
			let config = SimConfig {
				scenario: *scenario,
				policy: *policy,
				duration: Duration::from_secs(cli.duration),
				warmup: Duration::from_secs(cli.warmup),
				sample_every: Duration::from_secs(cli.sample_every),
				churn_peers: cli.churn_peers,
				founders: usize::from(cli.founders),
				churn_period: Duration::from_secs(cli.churn_period),
				whitewasher_budget: cli.whitewasher_budget,
				upload_chunks_per_second: cli.upload_rate,
				longest_wait: Duration::from_secs(cli.longest_wait),
				max_in_flight: usize::try_from(cli.max_in_flight)?,
				submit_every: cli.submit_every.map(|s| Duration::from_secs(s.max(1))),
				within_own_credit: !cli.beyond_own_credit,
				work_dir: cli.out.join("runs"),
				node_binary: node_binary.clone(),
				seed: cli.seed,
				servers,
				stranger_window,
				stranger_release: cli.stranger_release,
				congestion: cli.congestion.then(|| {
					Congestion::around_the_payers_price(cli.price_period, cli.price_target)
				}),
			};
			println!(
				"running {} under {} (servers {servers}, stranger window {stranger_window}) …",
				scenario.name(),
				policy.name()
			);
			let result = scenario::run(config).await?;
			results.push(result);
			// Write as we go, so a long run leaves partial results.
			report::write_csv(&cli.out.join("samples.csv"), &results)?;
			std::fs::write(cli.out.join("summary.md"), report::summary(&results))?;
			report::write_strangers_csv(&cli.out.join("strangers.csv"), &results)?;
			report::write_denials_csv(&cli.out.join("denials.csv"), &results)?;
			if results.iter().any(|r| r.prices.is_some()) {
				report::write_prices_csv(&cli.out.join("prices.csv"), &results)?;
			}
		}
		let runs: Vec<_> = results.iter().filter(|r| r.scenario == *scenario).collect();
		if *scenario == Scenario::Overshoot {
			continue; // a table in the summary, no plot
		}
		let path = cli.out.join(format!("{}.png", scenario.name()));
		plot::plot(&path, &format!("{}: service received per class", scenario.name()), &runs)?;
		println!("wrote {}", path.display());
		for run in runs.iter().filter(|r| r.prices.is_some()) {
			let path = cli.out.join(format!("{}-prices.png", scenario.name()));
			let title = format!(
				"{}, {}: the reference price follows load",
				scenario.name(),
				run.policy.name()
			);
			plot::plot_prices(&path, &title, run)?;
			println!("wrote {}", path.display());
		}
	}
	println!("{}", report::summary(&results));
	Ok(())
}
