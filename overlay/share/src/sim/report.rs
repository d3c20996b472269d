//! The simulation's outputs: a CSV of every sample, and a Markdown summary with the table of
//! steady-state service per class and policy and the goals checked against it.

use super::scenario::{Class, RunResult, Scenario};
use crate::ServePolicy;
use std::{fmt::Write as _, io::Write, path::Path};

/// Writes a CSV file: `header`, then for every run the rows `row` gives, each after the run's
/// `scenario,policy,`.
fn write_rows<'a>(
	path: &Path,
	header: &str,
	results: &'a [RunResult],
	row: impl Fn(&'a RunResult) -> Vec<String>,
) -> std::io::Result<()> {
	let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
	writeln!(out, "scenario,policy,{header}")?;
	for result in results {
		for line in row(result) {
			writeln!(out, "{},{},{line}", result.scenario.name(), result.policy.name())?;
		}
	}
	out.flush()
}

/// Writes every sample of every run as `scenario,policy,t,class,peers,bytes_per_second`.
pub fn write_csv(path: &Path, results: &[RunResult]) -> std::io::Result<()> {
	write_rows(path, "t,class,peers,bytes_per_second", results, |result| {
		let line = |s: &super::scenario::Sample| {
			format!("{:.1},{},{},{:.0}", s.t, s.class.name(), s.peers, s.bytes_per_second)
		};
		result.samples.iter().map(line).collect()
	})
}

/// Writes the reference price at each sample of the runs under congestion pricing as CSV.
pub fn write_prices_csv(path: &Path, results: &[RunResult]) -> std::io::Result<()> {
	write_rows(path, "t,price,previous_load,load,target_units", results, |result| {
		let Some((bounds, prices)) = &result.prices else { return Vec::new() };
		let line = |p: &super::scenario::PriceSample| {
			format!("{:.1},{},{},{},{}", p.t, p.price, p.previous_load, p.load, bounds.target_units)
		};
		prices.iter().map(line).collect()
	})
}

/// Writes the chain's stranger policy at each sample of every run as CSV.
pub fn write_strangers_csv(path: &Path, results: &[RunResult]) -> std::io::Result<()> {
	write_rows(path, "t,allowance,reciprocated,defected", results, |result| {
		let line = |s: &super::scenario::StrangerSample| {
			format!("{:.1},{},{},{}", s.t, s.allowance, s.reciprocated, s.defected)
		};
		result.strangers.iter().map(line).collect()
	})
}

/// Writes the chain's denials of attacking identities and of honest peers at each sample of
/// every run as CSV.
pub fn write_denials_csv(path: &Path, results: &[RunResult]) -> std::io::Result<()> {
	let header = "t,finalized,denied,served_while_denied_bytes_per_second,receipts_sent,honest,\
	              honest_denied,honest_denied_as_strangers,honest_keeping_credit,\
	              honest_mean_credit_bytes,honest_mean_uncounted_bytes,honest_held_for_credit";
	write_rows(path, header, results, |result| {
		let line = |s: &super::scenario::DenialSample| {
			format!(
				"{:.1},{},{},{:.0},{},{},{},{},{},{},{},{}",
				s.t,
				s.finalized,
				s.denied,
				s.served_while_denied,
				s.receipts_sent,
				s.honest,
				s.honest_denied,
				s.honest_denied_as_strangers,
				s.honest_keeping_credit,
				s.honest_mean_credit,
				s.honest_mean_uncounted,
				s.honest_held_for_credit
			)
		};
		result.denials.iter().map(line).collect()
	})
}

/// The summary's section on service after the chain's denial, for the runs that sampled it.
fn write_denials(out: &mut String, results: &[RunResult]) {
	let runs: Vec<_> = results.iter().filter(|r| r.denials.len() > 1).collect();
	if runs.is_empty() {
		return;
	}
	let _ = writeln!(out, "### service after the chain's denial\n");
	let _ = writeln!(
		out,
		"Attacking identities the chain denied (at the finalized block, as the driver sampled it \
		 every few seconds; a denial only because a newcomer's allowance is still being released \
		 does not count), what they still received between two samples at both of which the \
		 chain denied them (servers acting on verdicts older than the chain's), and how long after \
		 the sample that first saw the denial they were still served. The finalized blocks a \
		 minute show how the node kept up. The last column is what the policy costs honest \
		 peers: the share of live honest peers the chain denied at the same blocks, on average \
		 over the samples after the warm-up and at most (of those, in brackets, the share denied \
		 as strangers that used up their allowance).\n"
	);
	let _ = writeln!(
		out,
		"| scenario | policy | denied identities | served while denied (KiB) | of all they received | \
		 identities served while denied | longest served after denial: mean, max (s) | finalized \
		 blocks a minute | honest peers denied: mean, most (as strangers) |"
	);
	let _ = writeln!(out, "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | --- |");
	for run in runs {
		let denied: Vec<_> =
			run.identities.iter().filter(|i| i.denial.first_denied.is_some()).collect();
		let while_denied: u64 = denied.iter().map(|i| i.denial.served_while_denied).sum();
		let received: u64 = run.identities.iter().map(|i| i.received).sum();
		let lags: Vec<f64> = denied
			.iter()
			.filter(|i| i.denial.served_while_denied > 0)
			.map(|i| i.denial.longest_served)
			.collect();
		let lag = if lags.is_empty() {
			"–".to_string()
		} else {
			let mean = lags.iter().sum::<f64>() / lags.len() as f64;
			format!("{mean:.0}, {:.0}", lags.iter().copied().fold(0.0, f64::max))
		};
		let (first, last) = (run.denials[0], run.denials[run.denials.len() - 1]);
		let minutes = (last.t - first.t) / 60.0;
		let rate = if minutes > 0.0 {
			format!("{:.1}", f64::from(last.finalized.saturating_sub(first.finalized)) / minutes)
		} else {
			"–".into()
		};
		let _ = writeln!(
			out,
			"| {} | {} | {} | {:.0} | {:.1}% | {} | {} | {} | {} |",
			run.scenario.name(),
			run.policy.name(),
			denied.len(),
			while_denied as f64 / 1024.0,
			100.0 * while_denied as f64 / (received as f64).max(1.0),
			lags.len(),
			lag,
			rate,
			honest_denied(run),
		);
	}
	let _ = writeln!(out);
}

/// The share of live honest peers the chain denied, over the samples after `run`'s warm-up: the
/// mean and the most (each with the share denied as strangers in brackets), as percentages.
fn honest_denied(run: &RunResult) -> String {
	let shares: Vec<(f64, f64)> = run
		.denials
		.iter()
		.filter(|s| s.t >= run.warmup && s.honest > 0)
		.map(|s| {
			let honest = s.honest as f64;
			(
				100.0 * s.honest_denied as f64 / honest,
				100.0 * s.honest_denied_as_strangers as f64 / honest,
			)
		})
		.collect();
	if shares.is_empty() {
		return "–".into();
	}
	let count = shares.len() as f64;
	let mean = shares.iter().map(|s| s.0).sum::<f64>() / count;
	let mean_as_strangers = shares.iter().map(|s| s.1).sum::<f64>() / count;
	let most =
		shares.iter().copied().fold((0.0, 0.0), |most, s| if s.0 > most.0 { s } else { most });
	format!("{mean:.1}% ({mean_as_strangers:.1}%), {:.1}% ({:.1}%)", most.0, most.1)
}

fn find(results: &[RunResult], scenario: Scenario, policy: ServePolicy) -> Option<&RunResult> {
	results.iter().find(|r| r.scenario == scenario && r.policy == policy)
}

fn kib(rate: Option<f64>) -> String {
	rate.map_or("–".into(), |r| format!("{:.1}", r / 1024.0))
}

/// A goal and whether the runs met it.
#[derive(Clone, Debug)]
pub struct Goal {
	/// What is checked.
	pub text: String,
	/// The measured value, in words.
	pub measured: String,
	/// Met or not; `None` when the runs needed were not made.
	pub met: Option<bool>,
}

/// The goals of `docs/simulation.md`, checked against the runs made.
pub fn goals(results: &[RunResult]) -> Vec<Goal> {
	let mut goals = Vec::new();
	let repute = [ServePolicy::ReputeGlobal, ServePolicy::ReputeSubjective];
	for policy in repute {
		let run = find(results, Scenario::Baseline, policy);
		let ratio = run
			.and_then(|r| Some(r.steady_rate(Class::FreeRider)? / r.steady_rate(Class::Honest)?));
		goals.push(Goal {
			text: format!(
				"baseline, {}: a free rider gets ≤ 5% of an honest peer's service",
				policy.name()
			),
			measured: ratio.map_or("not run".into(), |r| format!("{:.1}%", 100.0 * r)),
			met: ratio.map(|r| r <= 0.05),
		});
	}
	let free_riding = |policy| {
		let run = find(results, Scenario::Baseline, policy)?;
		Some(run.steady_rate(Class::FreeRider)? / run.steady_rate(Class::Honest)?)
	};
	for policy in repute {
		let ratios = free_riding(policy).zip(free_riding(ServePolicy::Bittorrent));
		goals.push(Goal {
			text: format!(
				"baseline, {}: a free rider's share of an honest peer's service is ≥ 3× below \
				 what BitTorrent's choker gives it",
				policy.name()
			),
			measured: ratios.map_or("not run".into(), |(repute, bittorrent)| {
				format!("{:.1}% against {:.1}%", 100.0 * repute, 100.0 * bittorrent)
			}),
			met: ratios.map(|(repute, bittorrent)| repute * 3.0 <= bittorrent),
		});
	}
	let paid = find(results, Scenario::Baseline, ServePolicy::Paid);
	let ratio =
		paid.and_then(|r| Some(r.steady_rate(Class::FreeRider)? / r.steady_rate(Class::Honest)?));
	goals.push(Goal {
		text: "baseline, paid: a free rider that does not pay gets ≤ 5% of an honest peer's \
		       service"
			.into(),
		measured: ratio.map_or("not run".into(), |r| format!("{:.1}%", 100.0 * r)),
		met: ratio.map(|r| r <= 0.05),
	});
	let net = paid.and_then(|r| r.payments);
	goals.push(Goal {
		text: "baseline, paid: honest peers earn what they spend (what they do not earn back is \
		       ≤ 20% of what they paid)"
			.into(),
		measured: net.map_or("not run".into(), |p| format!("{:.1}%", 100.0 * p.net_share())),
		met: net.map(|p| p.paid > 0 && p.net_share() <= 0.2),
	});
	for policy in repute {
		let rates = (|| {
			let repute = find(results, Scenario::Imbalance, policy)?.steady_rate(Class::Honest)?;
			let open = find(results, Scenario::Imbalance, ServePolicy::Open)?
				.steady_rate(Class::Honest)?;
			Some((repute, open))
		})();
		goals.push(Goal {
			text: format!(
				"imbalance, {}: honest peers get ≥ 75% of what the open network gives them",
				policy.name()
			),
			measured: rates.map_or("not run".into(), |(repute, open)| {
				format!("{:.1} KiB/s against {:.1} KiB/s", repute / 1024.0, open / 1024.0)
			}),
			met: rates.map(|(repute, open)| repute > 0.0 && repute >= 0.75 * open),
		});
	}
	for policy in repute {
		let attackers: Vec<_> = results
			.iter()
			.filter(|r| r.policy == policy)
			.flat_map(|r| r.identities.iter().map(move |i| (r, i)))
			.filter(|(_, i)| matches!(i.class, Class::Sybil | Class::Whitewasher))
			.collect();
		let admitted = attackers.iter().filter(|(_, i)| i.ever_admitted).count();
		let mean_allowances = if attackers.is_empty() {
			0.0
		} else {
			attackers.iter().map(|(r, i)| i.received as f64 / r.allowance as f64).sum::<f64>()
				/ attackers.len() as f64
		};
		goals.push(Goal {
			text: format!(
				"{}: no Sybil identity or whitewasher is admitted beyond probation",
				policy.name()
			),
			measured: if attackers.is_empty() {
				"not run".into()
			} else {
				format!(
					"{admitted} of {} admitted; each received {:.1} stranger allowances on average",
					attackers.len(),
					mean_allowances
				)
			},
			met: (!attackers.is_empty()).then_some(admitted == 0),
		});
	}
	for policy in repute {
		let ratio = (|| {
			let large = find(results, Scenario::Churn, policy)?.steady_rate(Class::Honest)?;
			let small = find(results, Scenario::Baseline, policy)?.steady_rate(Class::Honest)?;
			Some(large / small)
		})();
		goals.push(Goal {
			text: format!(
				"churn, {}: honest service within 20% of the 16-peer baseline",
				policy.name()
			),
			measured: ratio.map_or("not run".into(), |r| format!("{:.0}% of baseline", 100.0 * r)),
			met: ratio.map(|r| (0.8..).contains(&r)),
		});
	}
	for policy in repute {
		let ratio = find(results, Scenario::Churn, policy)
			.and_then(|r| Some(r.steady_rate(Class::Whitewasher)? / r.steady_rate(Class::Honest)?));
		goals.push(Goal {
			text: format!(
				"churn, {}: a whitewasher paying its own bonds gets ≤ 20% of an honest peer's \
				 service",
				policy.name()
			),
			measured: ratio.map_or("not run".into(), |r| format!("{:.0}%", 100.0 * r)),
			met: ratio.map(|r| r <= 0.2),
		});
	}
	for run in results.iter().filter(|r| r.scenario == Scenario::Overshoot && r.servers == 16) {
		let taken = overshoot(run);
		goals.push(Goal {
			text: format!(
				"overshoot, {}, 16 servers, {}: a free rider takes ≤ 2 stranger allowances",
				run.policy.name(),
				window_name(run.stranger_window)
			),
			measured: format!("{taken:.2} allowances"),
			met: Some(taken <= 2.0),
		});
	}
	goals
}

/// What the free riders of an overshoot run took, in stranger allowances.
pub fn overshoot(run: &RunResult) -> f64 {
	let taken: u64 =
		run.identities.iter().filter(|i| i.class == Class::FreeRider).map(|i| i.received).sum();
	taken as f64 / run.allowance.max(1) as f64
}

/// The longest gap between a run's samples, in seconds, past which the summary flags the run.
pub const MAX_SAMPLE_GAP: f64 = 30.0;

/// How many times the driver sampled a run, and the longest gap between samples (from the
/// start of the workload to its end), in seconds.
pub fn sampling(run: &RunResult) -> (usize, f64) {
	let mut times: Vec<f64> = run.samples.iter().map(|s| s.t).collect();
	times.dedup();
	let mut gap: f64 = 0.0;
	let mut last = 0.0;
	for t in &times {
		gap = gap.max(t - last);
		last = *t;
	}
	if run.scenario != Scenario::Overshoot {
		gap = gap.max(run.duration - last);
	}
	(times.len(), gap)
}

fn window_name(k: u32) -> String {
	match k {
		0 => "no window".into(),
		k => format!("window allowance/{k}"),
	}
}

/// The Markdown summary: one table per scenario (steady-state KiB/s per peer, after the
/// warm-up), then the goals.
pub fn summary(results: &[RunResult]) -> String {
	let mut out = String::new();
	let _ = writeln!(out, "### runs\n");
	let _ = writeln!(
		out,
		"The driver samples every 5 s; on an overloaded machine its samples come late, and a \
		 run whose longest gap between samples is over {MAX_SAMPLE_GAP:.0} s also churned and \
		 re-keyed late (the same loop does both): its figures say more about the machine than \
		 about the policy.\n"
	);
	let _ = writeln!(
		out,
		"| scenario | policy | seed | workload (s) | peers | founders | stranger window | stranger \
		 release (blocks) | whitewashers' budget (bonds) | longest wait for an upload slot (s) | requests \
		 in flight per peer | receipts submitted every (s) | honest peers within their own credit | \
		 samples | longest gap (s) |"
	);
	let _ = writeln!(
		out,
		"| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |"
	);
	for run in results {
		let (samples, gap) = sampling(run);
		let gap = if gap > MAX_SAMPLE_GAP { format!("**{gap:.0}**") } else { format!("{gap:.0}") };
		let _ = writeln!(
			out,
			"| {} | {} | {} | {:.0} | {} | {} | {} | {} | {} | {:.0} | {} | {:.0} | {} | {samples} | {gap} |",
			run.scenario.name(),
			run.policy.name(),
			run.seed,
			run.duration,
			run.identities_total,
			run.founders,
			window_name(run.stranger_window),
			run.stranger_release,
			run.whitewashing.map_or("–".into(), |w| w.budget_in_bonds.to_string()),
			run.longest_wait,
			run.max_in_flight,
			run.submit_every,
			if run.within_own_credit { "yes" } else { "no" },
		);
	}
	let _ = writeln!(out);
	for scenario in [Scenario::Baseline, Scenario::Imbalance, Scenario::Churn] {
		let runs: Vec<_> = results.iter().filter(|r| r.scenario == scenario).collect();
		if runs.is_empty() {
			continue;
		}
		let _ = writeln!(out, "### {}\n", scenario.name());
		let _ = writeln!(
			out,
			"Mean KiB/s received per peer after the {:.0} s warm-up; the last two columns over \
			 the workload's last minute only, once what attackers took at the start is spent \
			 (the free rider's, or else the whitewashers', share).\n",
			runs[0].warmup
		);
		let _ = writeln!(
			out,
			"| policy | honest | free rider | Sybil | whitewasher | free rider ÷ honest | honest, \
			 last minute | free rider ÷ honest, last minute | peers |"
		);
		let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
		for run in runs {
			let share = |rate: fn(&RunResult, Class) -> Option<f64>| {
				let honest = rate(run, Class::Honest);
				let rider = rate(run, Class::FreeRider).or(rate(run, Class::Whitewasher));
				let ratio = honest
					.zip(rider)
					.map_or("–".into(), |(h, f)| format!("{:.0}%", 100.0 * f / h.max(1.0)));
				(honest, ratio)
			};
			let (honest, ratio) = share(RunResult::steady_rate);
			let (honest_last, ratio_last) = share(RunResult::last_minute_rate);
			let _ = writeln!(
				out,
				"| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
				run.policy.name(),
				kib(honest),
				kib(run.steady_rate(Class::FreeRider)),
				kib(run.steady_rate(Class::Sybil)),
				kib(run.steady_rate(Class::Whitewasher)),
				ratio,
				kib(honest_last),
				ratio_last,
				run.identities_total,
			);
		}
		let _ = writeln!(out);
	}
	let adaptive: Vec<_> = results
		.iter()
		.filter(|r| r.scenario != Scenario::Overshoot && !r.strangers.is_empty())
		.collect();
	if !adaptive.is_empty() {
		let _ = writeln!(out, "### stranger allowance and whitewashing\n");
		let _ = writeln!(
			out,
			"The chain's adaptive stranger allowance over the run (KiB; it moves between its \
			 minimum and {} KiB with how newcomers behave), the newcomers it counted at the end \
			 (recent ones: the counts halve every `stranger_memory` blocks), and what the \
			 whitewashers paid for: their identities (of them, the re-keyed ones), the \
			 stranger allowances each took on average, and the live whitewashers left broke.\n",
			adaptive[0].allowance / 1024
		);
		let _ = writeln!(
			out,
			"| scenario | policy | allowance: first, lowest, mean after warm-up, last | \
			 reciprocated, defected | whitewasher identities (re-keyed) | allowances each | broke |"
		);
		let _ = writeln!(out, "| --- | --- | --- | --- | ---: | ---: | ---: |");
		for run in adaptive {
			let k = |bytes: u128| format!("{:.0}", bytes as f64 / 1024.0);
			let allowances: Vec<u128> = run.strangers.iter().map(|s| s.allowance).collect();
			let steady: Vec<u128> =
				run.strangers.iter().filter(|s| s.t >= run.warmup).map(|s| s.allowance).collect();
			let mean = if steady.is_empty() {
				"–".into()
			} else {
				k(steady.iter().sum::<u128>() / steady.len() as u128)
			};
			let last = run.strangers.last();
			let (identities, each, broke) = match run.whitewashing {
				Some(w) => {
					let taken: u64 = run
						.identities
						.iter()
						.filter(|i| i.class == Class::Whitewasher)
						.map(|i| i.received)
						.sum();
					let each =
						taken as f64 / run.allowance.max(1) as f64 / w.identities.max(1) as f64;
					let identities = format!("{} ({})", w.identities, w.rekeys);
					(identities, format!("{each:.1}"), w.broke.to_string())
				}
				None => ("–".into(), "–".into(), "–".into()),
			};
			let _ = writeln!(
				out,
				"| {} | {} | {}, {}, {}, {} | {}, {} | {} | {} | {} |",
				run.scenario.name(),
				run.policy.name(),
				k(allowances[0]),
				k(allowances.iter().copied().min().unwrap_or(0)),
				mean,
				k(last.map_or(0, |s| s.allowance)),
				last.map_or(0, |s| s.reciprocated),
				last.map_or(0, |s| s.defected),
				identities,
				each,
				broke,
			);
		}
		let _ = writeln!(out);
	}
	write_denials(&mut out, results);
	let overshoots: Vec<_> = results.iter().filter(|r| r.scenario == Scenario::Overshoot).collect();
	if !overshoots.is_empty() {
		let _ = writeln!(out, "### overshoot\n");
		let _ = writeln!(
			out,
			"One free rider against seeds serving it at once; what it took before every server \
			 refused it, in stranger allowances ({} KiB).\n",
			overshoots[0].allowance / 1024
		);
		let _ = writeln!(
			out,
			"| policy | servers | stranger window | taken (allowances) | denied at |"
		);
		let _ = writeln!(out, "| --- | ---: | --- | ---: | ---: |");
		for run in overshoots {
			let _ = writeln!(
				out,
				"| {} | {} | {} | {:.2} | {} |",
				run.policy.name(),
				run.servers,
				window_name(run.stranger_window),
				overshoot(run),
				run.free_rider_denied_at.map_or("never".into(), |t| format!("{t:.0} s")),
			);
		}
		let _ = writeln!(out);
	}
	let paid: Vec<_> = results.iter().filter(|r| r.payments.is_some()).collect();
	if !paid.is_empty() {
		let _ = writeln!(out, "### paid\n");
		let _ = writeln!(
			out,
			"What honest peers paid each other through payment channels at {} a byte (amounts in \
			 UNIT), and what it cost them: what the peers that paid more than they earned paid \
			 net, and what congestion tolls burnt of what was paid (earned and net count payments \
			 before tolls).\n",
			super::scenario::PRICE
		);
		let _ = writeln!(
			out,
			"| scenario | honest peers | channels | paid | earned | net ÷ paid | worst peer's net | \
			 tolls |"
		);
		let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
		for run in paid {
			let Some(p) = run.payments else { continue };
			let unit = |amount: f64| format!("{:.2}", amount / 1e12);
			let _ = writeln!(
				out,
				"| {} | {} | {} | {} | {} | {:.1}% | {} | {} |",
				run.scenario.name(),
				p.peers,
				p.channels,
				unit(p.paid as f64),
				unit(p.earned as f64),
				100.0 * p.net_share(),
				unit(p.worst_net as f64),
				unit(p.tolls as f64),
			);
		}
		let _ = writeln!(out);
	}
	let priced: Vec<_> = results.iter().filter(|r| r.prices.is_some()).collect();
	if !priced.is_empty() {
		let _ = writeln!(out, "### congestion pricing\n");
		let _ = writeln!(
			out,
			"The served bytes' reference price (a byte, in the smallest unit) under congestion \
			 pricing: where it started, its highest and where it ended, against the load of the \
			 periods (bytes paid at the reference price or more).\n"
		);
		let _ = writeln!(
			out,
			"| scenario | floor | ceiling | target a period | price: first, highest, last | \
			 highest period load |"
		);
		let _ = writeln!(out, "| --- | ---: | ---: | ---: | --- | ---: |");
		for run in priced {
			let Some((bounds, prices)) = &run.prices else { continue };
			let first = prices.first().map_or(0, |p| p.price);
			let last = prices.last().map_or(0, |p| p.price);
			let highest = prices.iter().map(|p| p.price).max().unwrap_or(0);
			let load = prices.iter().map(|p| p.previous_load).max().unwrap_or(0);
			let _ = writeln!(
				out,
				"| {} | {} | {} | {} | {first}, {highest}, {last} | {load} |",
				run.scenario.name(),
				bounds.floor,
				bounds.ceiling,
				bounds.target_units,
			);
		}
		let _ = writeln!(out);
	}
	let _ = writeln!(out, "### Goals\n");
	let _ = writeln!(out, "| goal | measured | met |");
	let _ = writeln!(out, "| --- | --- | --- |");
	for goal in goals(results) {
		let met = match goal.met {
			Some(true) => "yes",
			Some(false) => "**no**",
			None => "–",
		};
		let _ = writeln!(out, "| {} | {} | {} |", goal.text, goal.measured, met);
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::sim::scenario::{IdentityOutcome, Payments, Sample};

	fn run(scenario: Scenario, policy: ServePolicy, honest: f64, rider: f64) -> RunResult {
		let mut samples = Vec::new();
		for t in [10.0, 70.0, 80.0] {
			// The warm-up sample (t = 10) is wild and must be left out.
			let scale = if t < 60.0 { 100.0 } else { 1.0 };
			samples.push(Sample {
				t,
				class: Class::Honest,
				peers: 2,
				bytes_per_second: honest * scale,
			});
			samples.push(Sample {
				t,
				class: Class::FreeRider,
				peers: 1,
				bytes_per_second: rider * scale,
			});
		}
		RunResult {
			scenario,
			policy,
			seed: 7,
			duration: 180.0,
			samples,
			identities: vec![IdentityOutcome {
				class: Class::Sybil,
				received: 10,
				ever_admitted: false,
				denial: Default::default(),
			}],
			allowance: 10,
			warmup: 60.0,
			identities_total: 3,
			servers: 0,
			stranger_window: 0,
			stranger_release: 0,
			founders: 4,
			longest_wait: 0.0,
			max_in_flight: 4,
			submit_every: 3.0,
			within_own_credit: false,
			free_rider_denied_at: None,
			payments: None,
			prices: None,
			strangers: Vec::new(),
			denials: Vec::new(),
			whitewashing: None,
		}
	}

	#[test]
	fn congestion_pricing_reports_the_price_against_the_load() {
		use crate::sim::scenario::PriceSample;
		use repute_primitives::pricing::PriceBounds;
		let sample = |t, price, previous_load| PriceSample { t, price, previous_load, load: 0 };
		let results = vec![RunResult {
			prices: Some((
				PriceBounds { floor: 125, ceiling: 4_000, target_units: 1_000 },
				vec![sample(5.0, 125, 0), sample(10.0, 140, 2_500), sample(15.0, 130, 400)],
			)),
			..run(Scenario::Baseline, ServePolicy::Paid, 1000.0, 0.0)
		}];
		let text = summary(&results);
		assert!(text.contains("| baseline | 125 | 4000 | 1000 | 125, 140, 130 | 2500 |"), "{text}");
		let path = std::env::temp_dir().join(format!("prices-{}.csv", std::process::id()));
		write_prices_csv(&path, &results).unwrap();
		let csv = std::fs::read_to_string(&path).unwrap();
		let _ = std::fs::remove_file(&path);
		assert_eq!(csv.lines().nth(2), Some("baseline,paid,10.0,140,2500,0,1000"));
	}

	#[test]
	fn overshoot_is_what_free_riders_took_in_allowances() {
		let overshoot_run = |window, received| RunResult {
			servers: 16,
			stranger_window: window,
			stranger_release: 0,
			founders: 4,
			longest_wait: 0.0,
			max_in_flight: 4,
			submit_every: 3.0,
			within_own_credit: false,
			free_rider_denied_at: Some(40.0),
			identities: vec![IdentityOutcome {
				class: Class::FreeRider,
				received,
				ever_admitted: false,
				denial: Default::default(),
			}],
			..run(Scenario::Overshoot, ServePolicy::ReputeGlobal, 0.0, 0.0)
		};
		let results = vec![overshoot_run(0, 95), overshoot_run(16, 18)];
		let overshoot_goals: Vec<_> =
			goals(&results).into_iter().filter(|g| g.text.starts_with("overshoot")).collect();
		assert_eq!(overshoot_goals.len(), 2);
		assert_eq!(overshoot_goals[0].met, Some(false), "9.5 allowances without the window");
		assert_eq!(overshoot_goals[1].met, Some(true), "1.8 allowances with it");
		let text = summary(&results);
		assert!(
			text.contains("| repute-global | 16 | window allowance/16 | 1.80 | 40 s |"),
			"{text}"
		);
	}

	#[test]
	fn goals_follow_the_numbers_after_the_warm_up() {
		let results = vec![
			run(Scenario::Baseline, ServePolicy::ReputeGlobal, 1000.0, 40.0),
			run(Scenario::Baseline, ServePolicy::ReputeSubjective, 1000.0, 250.0),
			run(Scenario::Baseline, ServePolicy::Bittorrent, 1000.0, 600.0),
			run(Scenario::Imbalance, ServePolicy::Open, 300.0, 0.0),
			run(Scenario::Imbalance, ServePolicy::ReputeGlobal, 250.0, 0.0),
			run(Scenario::Churn, ServePolicy::ReputeGlobal, 850.0, 0.0),
			RunResult {
				payments: Some(Payments {
					peers: 16,
					channels: 10,
					paid: 100_000_000_000_000,
					earned: 100_000_000_000_000,
					net_paid: 30_000_000_000_000,
					worst_net: 5_000_000_000_000,
					tolls: 2_000_000_000_000,
				}),
				..run(Scenario::Baseline, ServePolicy::Paid, 1000.0, 0.0)
			},
		];
		let met: Vec<Option<bool>> = goals(&results).iter().map(|g| g.met).collect();
		assert_eq!(
			met,
			vec![
				Some(true),  // 4% ≤ 5%
				Some(false), // 25% > 5%
				Some(true),  // 4% is 15× below BitTorrent's 60%
				Some(false), // 25% is 2.4× below
				Some(true),  // paid: free riders 0% ≤ 5%
				Some(false), // paid: 30% not earned back > 20%
				Some(true),  // 250 ≥ 75% of 300
				None,        // subjective imbalance not run
				Some(true),  // Sybil never admitted
				Some(true),
				Some(true), // 85% of baseline
				None,
				None, // no whitewasher sampled
				None,
			]
		);
		let text = summary(&results);
		assert!(text.contains("| repute-global | 1.0 | 0.0 |"), "{text}");
		assert!(
			text.contains("| baseline | 16 | 10 | 100.00 | 100.00 | 30.0% | 5.00 | 2.00 |"),
			"{text}"
		);
	}

	/// The summary states each run's set-up, and what the adaptive allowance did and
	/// whitewashing cost, from the samples; the CSV keeps every sample.
	#[test]
	fn the_summary_tells_the_runs_apart_and_follows_the_stranger_allowance() {
		use crate::sim::scenario::{StrangerSample, Whitewashing};
		let kib = 1024;
		let sample = |t, allowance, reciprocated, defected| StrangerSample {
			t,
			allowance,
			reciprocated,
			defected,
		};
		let whitewasher = |received| IdentityOutcome {
			class: Class::Whitewasher,
			received,
			ever_admitted: false,
			denial: Default::default(),
		};
		let results = vec![RunResult {
			allowance: 512 * kib,
			stranger_window: 16,
			stranger_release: 100,
			founders: 4,
			longest_wait: 8.0,
			max_in_flight: 6,
			submit_every: 3.0,
			within_own_credit: true,
			identities_total: 1_200,
			// Before the warm-up ends (60 s) the allowance is at its maximum; the mean leaves
			// that out.
			strangers: vec![
				sample(5.0, 512 * kib, 0, 0),
				sample(65.0, 64 * kib, 2, 14),
				sample(70.0, 128 * kib, 4, 12),
			],
			// Three identities took three allowances and a half in all.
			identities: vec![
				whitewasher(512 * kib as u64),
				whitewasher(1_024 * kib as u64),
				whitewasher(256 * kib as u64),
			],
			whitewashing: Some(Whitewashing {
				budget_in_bonds: 3,
				identities: 3,
				rekeys: 2,
				broke: 1,
			}),
			..run(Scenario::Churn, ServePolicy::ReputeGlobal, 1000.0, 0.0)
		}];
		let text = summary(&results);
		// Samples at 10, 70 and 80 s of a 180 s run: the last 100 s went unsampled.
		assert!(
			text.contains(
				"| churn | repute-global | 7 | 180 | 1200 | 4 | window allowance/16 | 100 | 3 | 8 | 6 | 3 | yes | 3 | **100** |"
			),
			"{text}"
		);
		assert!(
			text.contains("| churn | repute-global | 512, 64, 96, 128 | 4, 12 | 3 (2) | 1.2 | 1 |"),
			"{text}"
		);
		let path = std::env::temp_dir().join(format!("strangers-{}.csv", std::process::id()));
		write_strangers_csv(&path, &results).unwrap();
		let csv = std::fs::read_to_string(&path).unwrap();
		let _ = std::fs::remove_file(&path);
		assert_eq!(csv.lines().nth(2), Some("churn,repute-global,65.0,65536,2,14"));
		let path = std::env::temp_dir().join(format!("samples-{}.csv", std::process::id()));
		write_csv(&path, &results).unwrap();
		let csv = std::fs::read_to_string(&path).unwrap();
		let _ = std::fs::remove_file(&path);
		assert_eq!(csv.lines().next(), Some("scenario,policy,t,class,peers,bytes_per_second"));
		assert_eq!(csv.lines().nth(1), Some("churn,repute-global,10.0,honest,2,100000"));
	}

	/// Service an identity received while the chain denied it is summed, its longest lag
	/// reported, and the node's pace follows the finalized blocks sampled.
	#[test]
	fn the_summary_tells_what_denied_identities_still_received() {
		use crate::sim::scenario::{DenialOutcome, DenialSample};
		let kib = 1024u64;
		let identity = |received, denial| IdentityOutcome {
			class: Class::Whitewasher,
			received,
			ever_admitted: false,
			denial,
		};
		let denied = |served_while_denied, longest_served| DenialOutcome {
			first_denied: Some(30.0),
			served_while_denied,
			longest_served,
		};
		let sample = |t, finalized, denied, served_while_denied, honest_denied| DenialSample {
			t,
			finalized,
			denied,
			served_while_denied,
			receipts_sent: 7,
			honest: 900,
			honest_denied,
			honest_denied_as_strangers: honest_denied / 3,
			honest_keeping_credit: 850,
			honest_mean_credit: 4 * finalized as u128 * 1_000,
			honest_mean_uncounted: 3 * finalized as u128 * 1_000,
			honest_held_for_credit: 2 * finalized as u64,
		};
		let results = vec![RunResult {
			identities: vec![
				identity(300 * kib, denied(64 * kib, 10.0)),
				identity(200 * kib, denied(16 * kib, 30.0)),
				identity(100 * kib, denied(0, 0.0)),
				identity(400 * kib, DenialOutcome::default()),
			],
			// 30 blocks in two minutes.
			// The first sample is in the warm-up: its honest denials do not count.
			denials: vec![
				sample(10.0, 5, 0, 0.0, 900),
				sample(70.0, 20, 1, 0.0, 9),
				sample(130.0, 35, 3, 4_096.0, 27),
			],
			..run(Scenario::Churn, ServePolicy::ReputeSubjective, 1000.0, 0.0)
		}];
		let text = summary(&results);
		assert!(
			text.contains(
				"| churn | repute-subjective | 3 | 80 | 8.0% | 2 | 20, 30 | 15.0 | 2.0% (0.7%), 3.0% \
				 (1.0%) |"
			),
			"{text}"
		);
		let path = std::env::temp_dir().join(format!("denials-{}.csv", std::process::id()));
		write_denials_csv(&path, &results).unwrap();
		let csv = std::fs::read_to_string(&path).unwrap();
		let _ = std::fs::remove_file(&path);
		assert_eq!(
			csv.lines().collect::<Vec<_>>(),
			[
				"scenario,policy,t,finalized,denied,served_while_denied_bytes_per_second,\
				 receipts_sent,honest,honest_denied,honest_denied_as_strangers,\
				 honest_keeping_credit,honest_mean_credit_bytes,honest_mean_uncounted_bytes,\
				 honest_held_for_credit",
				"churn,repute-subjective,10.0,5,0,0,7,900,900,300,850,20000,15000,10",
				"churn,repute-subjective,70.0,20,1,0,7,900,9,3,850,80000,60000,40",
				"churn,repute-subjective,130.0,35,3,4096,7,900,27,9,850,140000,105000,70",
			]
		);
		// A run that sampled no denials has no such section.
		let quiet = summary(&[run(Scenario::Churn, ServePolicy::ReputeGlobal, 1000.0, 0.0)]);
		assert!(!quiet.contains("service after the chain's denial"), "{quiet}");
	}

	#[test]
	fn the_summary_gives_the_last_minute_beside_the_mean_after_the_warm_up() {
		// A free rider that takes its allowance in the second minute and nothing in the third.
		let mut run = run(Scenario::Baseline, ServePolicy::ReputeGlobal, 1000.0, 0.0);
		run.samples.retain(|s| s.class == Class::Honest);
		for (t, rider) in [(70.0, 600.0), (80.0, 600.0), (130.0, 0.0), (170.0, 0.0)] {
			run.samples.push(Sample {
				t,
				class: Class::FreeRider,
				peers: 1,
				bytes_per_second: rider,
			});
			run.samples.push(Sample {
				t,
				class: Class::Honest,
				peers: 2,
				bytes_per_second: 1024.0,
			});
		}
		assert_eq!(run.last_minute_rate(Class::FreeRider), Some(0.0));
		assert_eq!(run.last_minute_rate(Class::Honest), Some(1024.0));
		let summary = summary(&[run.clone()]);
		let row = summary.lines().find(|l| l.starts_with("| repute-global | 1.0 ")).unwrap();
		// After the warm-up: 300 B/s of the honest 1,016 B/s (30%); over the last minute: 0%.
		assert!(row.ends_with("| 30% | 1.0 | 0% | 3 |"), "{row}");
		// A workload shorter than the warm-up and a minute: the last minute starts at the warm-up.
		run.duration = 90.0;
		assert_eq!(run.last_minute_rate(Class::FreeRider), run.steady_rate(Class::FreeRider));
	}

	#[test]
	fn whitewashers_are_measured_against_honest_peers_in_churn() {
		let churn = |policy, whitewasher| {
			let mut run = run(Scenario::Churn, policy, 1000.0, 0.0);
			for t in [10.0, 70.0, 80.0] {
				let bytes_per_second = if t < 60.0 { 5_000.0 } else { whitewasher };
				run.samples.push(Sample {
					t,
					class: Class::Whitewasher,
					peers: 3,
					bytes_per_second,
				});
			}
			run
		};
		let results =
			[churn(ServePolicy::ReputeGlobal, 150.0), churn(ServePolicy::ReputeSubjective, 250.0)];
		let whitewashing: Vec<_> = goals(&results)
			.into_iter()
			.filter(|g| g.text.contains("whitewasher paying its own bonds"))
			.collect();
		assert_eq!(
			whitewashing.iter().map(|g| g.met).collect::<Vec<_>>(),
			[Some(true), Some(false)]
		);
		assert_eq!(
			(whitewashing[0].measured.as_str(), whitewashing[1].measured.as_str()),
			("15%", "25%")
		);
	}
}
