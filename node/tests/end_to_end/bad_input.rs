//! End to end: `repute-node` refuses unusable settings with one clear line on stderr and exit
//! code 1, never with a panic or a backtrace; `--help` reads well.

use crate::common::{free_port, TempDir, NODE_BINARY};
use std::{
	net::TcpListener,
	process::{Command, Output, Stdio},
	time::{Duration, Instant},
};

/// Runs `repute-node` with `args` and returns its output; fails the test if it is still running
/// after `timeout` (it is killed then).
fn run_node(args: &[String], timeout: Duration) -> Output {
	let mut child = Command::new(NODE_BINARY)
		.args(args)
		.args(["--no-mdns", "--no-telemetry"])
		.stdin(Stdio::null())
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.expect("start repute-node");
	let deadline = Instant::now() + timeout;
	loop {
		if let Ok(Some(_)) = child.try_wait() {
			return child.wait_with_output().expect("collect output");
		}
		if Instant::now() > deadline {
			let _ = child.kill();
			let output = child.wait_with_output().expect("collect output");
			panic!(
				"repute-node {args:?} still ran after {timeout:?}; it should have refused to start\n{}",
				String::from_utf8_lossy(&output.stderr)
			);
		}
		std::thread::sleep(Duration::from_millis(100));
	}
}

/// The error line the node printed, after checking that it failed without a panic.
fn refusal(output: &Output) -> String {
	let stderr = String::from_utf8_lossy(&output.stderr).to_string();
	assert_eq!(output.status.code(), Some(1), "exit status {:?}, stderr:\n{stderr}", output.status);
	assert!(
		!stderr.contains("panicked") && !stderr.contains("backtrace"),
		"the node panicked instead of reporting an error:\n{stderr}"
	);
	let error = stderr
		.lines()
		.find(|line| line.starts_with("Error: "))
		.unwrap_or_else(|| panic!("no `Error: ` line on stderr:\n{stderr}"));
	error.to_string()
}

fn dev_args(dir: &TempDir, rpc_port: u16, p2p_port: u16) -> Vec<String> {
	vec![
		"--dev".into(),
		"--base-path".into(),
		dir.path().join("base").display().to_string(),
		"--rpc-port".into(),
		rpc_port.to_string(),
		"--listen-addr".into(),
		format!("/ip4/127.0.0.1/tcp/{p2p_port}"),
		"--prometheus-port".into(),
		free_port().to_string(),
	]
}

#[test]
fn taken_rpc_port_is_refused_with_a_clear_message() {
	let dir = TempDir::new("taken-rpc");
	let taken = TcpListener::bind("127.0.0.1:0").unwrap();
	let port = taken.local_addr().unwrap().port();

	let output = run_node(&dev_args(&dir, port, free_port()), Duration::from_secs(60));
	let error = refusal(&output);
	assert!(
		error.contains(&port.to_string())
			&& error.contains("already in use")
			&& error.contains("--rpc-port"),
		"the message should name the port and say it is in use: {error}"
	);
}

#[test]
fn taken_p2p_port_is_refused_with_a_clear_message() {
	let dir = TempDir::new("taken-p2p");
	let taken = TcpListener::bind("127.0.0.1:0").unwrap();
	let port = taken.local_addr().unwrap().port();

	let output = run_node(&dev_args(&dir, free_port(), port), Duration::from_secs(60));
	let error = refusal(&output);
	assert!(
		error.contains(&port.to_string()) && error.contains("already in use"),
		"the message should name the port and say it is in use: {error}"
	);
}

#[test]
fn base_path_that_is_a_file_is_refused_with_a_clear_message() {
	let dir = TempDir::new("bad-base");
	let file = dir.path().join("not-a-directory");
	std::fs::write(&file, b"a file, not a directory").unwrap();

	let mut args = dev_args(&dir, free_port(), free_port());
	args[2] = file.display().to_string();
	let output = run_node(&args, Duration::from_secs(60));
	let error = refusal(&output);
	assert!(error.contains("not-a-directory"), "the message should name the base path: {error}");
}

#[test]
fn unknown_chain_is_refused_with_a_clear_message() {
	let output = run_node(
		&["--chain".into(), "no-such-chain".into(), "--tmp".into()],
		Duration::from_secs(60),
	);
	let error = refusal(&output);
	assert!(error.contains("no-such-chain"), "the message should name the chain: {error}");
}

#[test]
fn help_describes_the_node() {
	let output = Command::new(NODE_BINARY).arg("--help").output().expect("run --help");
	assert!(output.status.success());
	let help = String::from_utf8_lossy(&output.stdout);
	assert!(help.contains("Repute"), "--help should say what the node is:\n{help}");
	assert!(help.contains("--dev") && help.contains("export-chain-spec"), "{help}");
}
