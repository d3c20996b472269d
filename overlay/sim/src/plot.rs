//! PNG plots of a scenario's runs with `plotters`: one panel per policy, one line per class of
//! peer, service received (KiB/s per peer) over time.

use plotters::prelude::*;
use repute_share::sim::scenario::{Class, RunResult};
use std::path::Path;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Where fonts are looked for (Debian's `fonts-dejavu-core`, which `scripts/setup.sh` installs).
const FONTS: &[&str] = &[
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/TTF/DejaVuSans.ttf",
	"/usr/share/fonts/dejavu/DejaVuSans.ttf",
];

/// Registers a sans-serif font with plotters (once).
fn register_font() -> Result<(), Error> {
	static REGISTERED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
	REGISTERED
		.get_or_init(|| {
			let bytes = FONTS.iter().find_map(|path| std::fs::read(path).ok()).ok_or(
				"no DejaVu Sans font found: install fonts-dejavu-core (scripts/setup.sh does)",
			)?;
			plotters::style::register_font(
				"sans-serif",
				FontStyle::Normal,
				Box::leak(bytes.into_boxed_slice()),
			)
			.map_err(|_| "the DejaVu Sans font did not load".to_string())
		})
		.clone()
		.map_err(Into::into)
}

fn colour(class: Class) -> RGBColor {
	match class {
		Class::Honest => RGBColor(0x1f, 0x77, 0xb4),
		Class::FreeRider => RGBColor(0xd6, 0x27, 0x28),
		Class::Sybil => RGBColor(0x94, 0x67, 0xbd),
		Class::Whitewasher => RGBColor(0xff, 0x7f, 0x0e),
	}
}

/// Draws `runs` (one scenario, several policies) into `path`.
pub fn plot(path: &Path, title: &str, runs: &[&RunResult]) -> Result<(), Error> {
	register_font()?;
	let root = BitMapBackend::new(path, (1400, 900)).into_drawing_area();
	root.fill(&WHITE)?;
	let root = root.titled(title, ("sans-serif", 28))?;
	let columns = 2;
	let rows = runs.len().div_ceil(columns).max(1);
	let panels = root.split_evenly((rows, columns));
	let t_max = runs.iter().flat_map(|r| r.samples.iter().map(|s| s.t)).fold(1.0, f64::max);
	let y_max = runs
		.iter()
		.flat_map(|r| r.samples.iter().map(|s| s.bytes_per_second / 1024.0))
		.fold(1.0, f64::max)
		* 1.1;
	for (panel, run) in panels.iter().zip(runs) {
		let mut chart = ChartBuilder::on(panel)
			.caption(run.policy.name(), ("sans-serif", 22))
			.margin(12)
			.x_label_area_size(40)
			.y_label_area_size(60)
			.build_cartesian_2d(0.0..t_max, 0.0..y_max)?;
		chart
			.configure_mesh()
			.x_desc("seconds")
			.y_desc("KiB/s received per peer")
			.label_style(("sans-serif", 14))
			.draw()?;
		let warmup = run.warmup;
		chart.draw_series(std::iter::once(PathElement::new(
			vec![(warmup, 0.0), (warmup, y_max)],
			ShapeStyle::from(&BLACK.mix(0.3)).stroke_width(1),
		)))?;
		let mut classes: Vec<Class> = run.samples.iter().map(|s| s.class).collect();
		classes.sort();
		classes.dedup();
		for class in classes {
			let points: Vec<(f64, f64)> = run
				.samples
				.iter()
				.filter(|s| s.class == class)
				.map(|s| (s.t, s.bytes_per_second / 1024.0))
				.collect();
			let style = ShapeStyle::from(&colour(class)).stroke_width(3);
			chart
				.draw_series(LineSeries::new(points, style))?
				.label(class.name())
				.legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
		}
		chart
			.configure_series_labels()
			.background_style(WHITE.mix(0.8))
			.border_style(BLACK)
			.label_font(("sans-serif", 16))
			.draw()?;
	}
	root.present()?;
	Ok(())
}

/// Draws a run's reference price (top) and the load of each period against the target (bottom)
/// into `path`.
pub fn plot_prices(path: &Path, title: &str, run: &RunResult) -> Result<(), Error> {
	let Some((bounds, prices)) = &run.prices else { return Ok(()) };
	register_font()?;
	let root = BitMapBackend::new(path, (1400, 900)).into_drawing_area();
	root.fill(&WHITE)?;
	let root = root.titled(title, ("sans-serif", 28))?;
	let (top, bottom) = root.split_vertically(450);
	let t_max = prices.iter().map(|p| p.t).fold(1.0, f64::max);
	let price_max =
		prices.iter().map(|p| p.price).max().unwrap_or(1).max(bounds.floor) as f64 * 1.2;
	panel(
		&top,
		"reference price a byte (smallest unit)",
		(t_max, price_max),
		(
			"reference price",
			RGBColor(0x1f, 0x77, 0xb4),
			prices.iter().map(|p| (p.t, p.price as f64)),
		),
		("floor", ShapeStyle::from(&BLACK.mix(0.4)).stroke_width(1), bounds.floor as f64),
	)?;
	let kib = |bytes: u128| bytes as f64 / 1024.0;
	let load_max =
		prices.iter().map(|p| p.previous_load).max().unwrap_or(0).max(bounds.target_units * 2);
	panel(
		&bottom,
		"load of the last period (KiB paid at the reference price or more)",
		(t_max, kib(load_max) * 1.1),
		("load", RGBColor(0xd6, 0x27, 0x28), prices.iter().map(|p| (p.t, kib(p.previous_load)))),
		("target", ShapeStyle::from(&BLACK.mix(0.6)).stroke_width(2), kib(bounds.target_units)),
	)?;
	root.present()?;
	Ok(())
}

/// One panel of [`plot_prices`]: a series over time, `(label, colour, points)`, against a level
/// drawn across it, `(label, style, y)`, on axes from 0 to `(t_max, y_max)`.
fn panel(
	area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
	caption: &str,
	(t_max, y_max): (f64, f64),
	(label, colour, points): (&str, RGBColor, impl Iterator<Item = (f64, f64)>),
	(level_label, level_style, level): (&str, ShapeStyle, f64),
) -> Result<(), Error> {
	let mut chart = ChartBuilder::on(area)
		.caption(caption, ("sans-serif", 20))
		.margin(12)
		.x_label_area_size(40)
		.y_label_area_size(80)
		.build_cartesian_2d(0.0..t_max, 0.0..y_max)?;
	chart.configure_mesh().x_desc("seconds").label_style(("sans-serif", 14)).draw()?;
	let style = ShapeStyle::from(&colour).stroke_width(3);
	chart
		.draw_series(LineSeries::new(points, style))?
		.label(label)
		.legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
	chart
		.draw_series(std::iter::once(PathElement::new(
			vec![(0.0, level), (t_max, level)],
			level_style,
		)))?
		.label(level_label)
		.legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], level_style));
	chart
		.configure_series_labels()
		.background_style(WHITE.mix(0.8))
		.border_style(BLACK)
		.label_font(("sans-serif", 16))
		.draw()?;
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use repute_share::sim::scenario::{Congestion, PriceSample, Scenario};

	#[test]
	fn a_price_plot_is_drawn_for_a_priced_run_and_skipped_otherwise() {
		let sample = |t, price, previous_load| PriceSample { t, price, previous_load, load: 0 };
		let mut run = RunResult {
			scenario: Scenario::Baseline,
			policy: repute_share::ServePolicy::Paid,
			seed: 7,
			duration: 180.0,
			samples: Vec::new(),
			identities: Vec::new(),
			allowance: 0,
			warmup: 60.0,
			identities_total: 0,
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
		};
		let dir = std::env::temp_dir().join(format!("repute-plot-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let path = dir.join("prices.png");
		plot_prices(&path, "unpriced", &run).unwrap();
		assert!(!path.exists(), "a run without prices has no price plot");
		run.prices = Some((
			Congestion::around_the_payers_price(1, 1_000).bounds,
			vec![sample(5.0, 125, 0), sample(10.0, 140, 2_500), sample(15.0, 130, 0)],
		));
		plot_prices(&path, "priced", &run).unwrap();
		let png = std::fs::read(&path).unwrap();
		std::fs::remove_dir_all(&dir).unwrap();
		assert_eq!(&png[1..4], b"PNG");
		assert!(png.len() > 10_000, "a plot with two panels, not an empty image");
	}
}
