//! The part of [`wasm-opt`](https://docs.rs/wasm-opt/0.116.1)'s API that `substrate-wasm-builder`
//! calls, carried out by the system's Binaryen `wasm-opt` program instead of a Binaryen compiled
//! from C++ source into the build (`wasm-opt-sys`, 18 minutes of a cold build on two cores).
//!
//! `substrate-wasm-builder` runs, on the runtime's wasm blob,
//! `new_opt_level_0().mvp_features_only().debug_info(true).add_pass(StripDwarf)
//! .add_pass(SignextLowering).run(bloaty, compact)` (or, for a blob it does not compact, only the
//! sign-extension lowering). Each option maps to the flag of the same meaning:
//! `-O0 --mvp-features -g --strip-dwarf --signext-lowering`.
//!
//! `--signext-lowering` exists from Binaryen 109 on; Debian 12 ships 108. Without it the
//! lowering is replaced by a check: `--disable-sign-ext`, so a blob that uses sign-extension
//! instructions is refused with Binaryen's validation error instead of lowered. A runtime built
//! for `wasm32v1-none` (what `substrate-wasm-builder` chooses when the target is installed, and
//! `scripts/setup.sh` installs it) has none: that target is the Wasm 1.0 instruction set. The
//! program is `$WASM_OPT` if set, else `wasm-opt` on the `PATH`.

use std::{
	ffi::OsString,
	fmt,
	path::Path,
	process::{Command, Output},
};

/// A Binaryen pass to run after the optimisation level's (only those the builder uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
	/// Remove DWARF debug sections.
	StripDwarf,
	/// Replace sign-extension instructions by their MVP equivalents.
	SignextLowering,
}

impl Pass {
	fn flag(&self) -> &'static str {
		match self {
			Self::StripDwarf => "--strip-dwarf",
			Self::SignextLowering => "--signext-lowering",
		}
	}
}

/// How to run `wasm-opt`, built as with the crates.io crate.
#[derive(Clone, Debug, Default)]
pub struct OptimizationOptions {
	optimize_level: u8,
	mvp_features_only: bool,
	debug_info: bool,
	passes: Vec<Pass>,
}

/// Why `wasm-opt` did not produce the output.
#[derive(Debug)]
pub enum OptimizationError {
	/// The program could not be started.
	Start {
		/// The program.
		program: OsString,
		/// Why it did not start.
		error: std::io::Error,
	},
	/// It ran and failed; its standard error says why.
	Failed {
		/// The command line.
		command: String,
		/// What it wrote to standard error.
		stderr: String,
	},
}

impl fmt::Display for OptimizationError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::Start { program, error } => write!(
				f,
				"cannot run {program:?} ({error}): install Binaryen (Debian: `apt-get install \
				 binaryen`, which scripts/setup.sh does) or set WASM_OPT to its wasm-opt"
			),
			Self::Failed { command, stderr } => write!(f, "`{command}` failed: {stderr}"),
		}
	}
}

impl std::error::Error for OptimizationError {}

impl OptimizationOptions {
	/// No optimisation passes of its own (`-O0`); the added passes still run.
	pub fn new_opt_level_0() -> Self {
		Self::default()
	}

	/// Runs `pass` after the level's passes, in the order added.
	pub fn add_pass(&mut self, pass: Pass) -> &mut Self {
		self.passes.push(pass);
		self
	}

	/// Reads and writes the module with the MVP feature set only.
	pub fn mvp_features_only(&mut self) -> &mut Self {
		self.mvp_features_only = true;
		self
	}

	/// Keeps debug information (names) through the passes.
	pub fn debug_info(&mut self, keep: bool) -> &mut Self {
		self.debug_info = keep;
		self
	}

	/// The program's arguments, given whether it knows `--signext-lowering`.
	fn arguments(&self, input: &Path, output: &Path, lowers_signext: bool) -> Vec<OsString> {
		let mut arguments: Vec<OsString> = vec![
			input.into(),
			"-o".into(),
			output.into(),
			format!("-O{}", self.optimize_level).into(),
		];
		if self.mvp_features_only {
			arguments.push("--mvp-features".into());
		}
		if self.debug_info {
			arguments.push("-g".into());
		}
		for pass in &self.passes {
			match pass {
				Pass::SignextLowering if !lowers_signext => {
					arguments.push("--disable-sign-ext".into())
				}
				pass => arguments.push(pass.flag().into()),
			}
		}
		arguments
	}

	/// Reads the module in `input`, runs the passes and writes it to `output` (which may be
	/// `input`).
	pub fn run(
		&self,
		input: impl AsRef<Path>,
		output: impl AsRef<Path>,
	) -> Result<(), OptimizationError> {
		let program = std::env::var_os("WASM_OPT").unwrap_or_else(|| "wasm-opt".into());
		self.run_with(program, input.as_ref(), output.as_ref())
	}

	fn run_with(
		&self,
		program: OsString,
		input: &Path,
		output: &Path,
	) -> Result<(), OptimizationError> {
		let run = |arguments: &[OsString]| -> Result<Output, OptimizationError> {
			Command::new(&program)
				.args(arguments)
				.output()
				.map_err(|error| OptimizationError::Start { program: program.clone(), error })
		};
		let help = run(&["--help".into()])?;
		let lowers_signext = String::from_utf8_lossy(&help.stdout).contains("--signext-lowering");
		let arguments = self.arguments(input, output, lowers_signext);
		let result = run(&arguments)?;
		if result.status.success() {
			return Ok(());
		}
		let command = std::iter::once(program.clone())
			.chain(arguments)
			.map(|argument| argument.to_string_lossy().into_owned())
			.collect::<Vec<_>>()
			.join(" ");
		Err(OptimizationError::Failed {
			command,
			stderr: String::from_utf8_lossy(&result.stderr).trim().to_owned(),
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// `() -> i32 { i32.const 1; i32.extend8_s }`: one sign-extension instruction (0xc0).
	const SIGN_EXTENDING: &[u8] = &[
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
		0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
		0x03, 0x02, 0x01, 0x00, // function 0 of type 0
		0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export it as "f"
		0x0a, 0x07, 0x01, 0x05, 0x00, 0x41, 0x01, 0xc0, 0x0b, // body
	];

	fn compact(input: &[u8], name: &str) -> (Result<(), OptimizationError>, Option<Vec<u8>>) {
		let dir =
			std::env::temp_dir().join(format!("repute-wasm-opt-{}-{name}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let (source, target) = (dir.join("in.wasm"), dir.join("out.wasm"));
		std::fs::write(&source, input).unwrap();
		let result = OptimizationOptions::new_opt_level_0()
			.mvp_features_only()
			.debug_info(true)
			.add_pass(Pass::StripDwarf)
			.add_pass(Pass::SignextLowering)
			.run(&source, &target);
		let output = std::fs::read(&target).ok();
		std::fs::remove_dir_all(&dir).unwrap();
		(result, output)
	}

	#[test]
	fn the_options_are_the_flags_of_the_same_meaning() {
		let mut options = OptimizationOptions::new_opt_level_0();
		options.mvp_features_only().debug_info(true).add_pass(Pass::StripDwarf);
		options.add_pass(Pass::SignextLowering);
		let flags = |lowers| -> Vec<String> {
			options
				.arguments(Path::new("a.wasm"), Path::new("b.wasm"), lowers)
				.iter()
				.map(|a| a.to_string_lossy().into_owned())
				.collect()
		};
		let expected = "a.wasm -o b.wasm -O0 --mvp-features -g --strip-dwarf";
		assert_eq!(flags(true).join(" "), format!("{expected} --signext-lowering"));
		assert_eq!(flags(false).join(" "), format!("{expected} --disable-sign-ext"));
	}

	/// A module without sign-extension comes out valid and without it either; one with it comes
	/// out lowered (Binaryen ≥ 109) or is refused with Binaryen's reason (older Binaryen), never
	/// passed through unchanged.
	#[test]
	fn the_system_binaryen_compacts_or_refuses() {
		let mvp: Vec<u8> =
			SIGN_EXTENDING.iter().map(|&b| if b == 0xc0 { 0x01 } else { b }).collect(); // `nop`
		let (result, output) = compact(&mvp, "mvp");
		result.expect("an MVP module compacts");
		let output = output.expect("written");
		assert_eq!(&output[..8], &SIGN_EXTENDING[..8], "a wasm module");

		let (result, output) = compact(SIGN_EXTENDING, "signext");
		match result {
			Ok(()) => assert!(!output.expect("written").contains(&0xc0), "lowered"),
			Err(OptimizationError::Failed { stderr, .. }) => assert!(
				stderr.contains("all used features should be allowed")
					&& stderr.contains("extend8_s"),
				"Binaryen names the instruction and why: {stderr}"
			),
			Err(error) => panic!("{error}"),
		}
	}

	#[test]
	fn a_missing_program_is_named() {
		let error = OptimizationOptions::new_opt_level_0()
			.run_with("/nonexistent/wasm-opt".into(), Path::new("a.wasm"), Path::new("b.wasm"))
			.unwrap_err();
		assert!(error.to_string().contains("apt-get install binaryen"), "{error}");
	}
}
