//! A `repute-node --dev --tmp` process on loopback ports picked at random, stopped (killed) when
//! dropped, even when a run or a test fails.

use std::{
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

/// How many times a node is started on new ports after finding one of its ports taken.
const PORT_RETRIES: usize = 5;

/// Where `repute-node` is: `$REPUTE_NODE`, else beside this executable (or one directory up,
/// for test binaries in `deps/`).
pub fn node_binary() -> Result<PathBuf, String> {
	if let Ok(path) = std::env::var("REPUTE_NODE") {
		return Ok(PathBuf::from(path));
	}
	let me = std::env::current_exe().map_err(|e| e.to_string())?;
	let dir = me.parent().ok_or("no directory")?;
	for candidate in [dir.join("repute-node"), dir.join("..").join("repute-node")] {
		if candidate.exists() {
			return Ok(candidate);
		}
	}
	Err(format!(
		"repute-node not found beside {}; build it (cargo build --release -p repute-node) or set REPUTE_NODE",
		me.display()
	))
}

/// A running dev node.
pub struct DevNode {
	child: Child,
	/// Its WebSocket RPC address.
	pub url: String,
	/// Its log file.
	pub log: PathBuf,
}

impl DevNode {
	/// Starts `binary --dev --tmp`, logging to `log_dir/node.log`, and waits (up to two
	/// minutes) until it produces blocks. It takes up to 10,000 RPC connections (a simulation
	/// holds one per peer).
	pub fn start(binary: &Path, log_dir: &Path) -> Result<Self, String> {
		Self::start_with_rpc_connections(binary, log_dir, 10_000)
	}

	/// [`Self::start`] with at most `max_connections` RPC connections open at once (the node's
	/// `--rpc-max-connections`; a public node's default is 100).
	pub fn start_with_rpc_connections(
		binary: &Path,
		log_dir: &Path,
		max_connections: u32,
	) -> Result<Self, String> {
		Self::spawn(binary, log_dir, max_connections, &[])
	}

	/// [`Self::start`] without a GRANDPA voter: blocks are authored and never finalized, as on
	/// a network whose finality has stalled.
	pub fn start_without_finality(binary: &Path, log_dir: &Path) -> Result<Self, String> {
		Self::spawn(binary, log_dir, 10_000, &["--no-grandpa"])
	}

	fn spawn(
		binary: &Path,
		log_dir: &Path,
		max_connections: u32,
		extra: &[&str],
	) -> Result<Self, String> {
		std::fs::create_dir_all(log_dir).map_err(|e| e.to_string())?;
		let log = log_dir.join("node.log");
		// Another process can take a picked port before the node binds it; the node then exits
		// saying the address "is already in use", and is started again on new ports.
		for _ in 0..=PORT_RETRIES {
			let file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
			let rpc = free_port();
			let child = Command::new(binary)
				.args(["--dev", "--tmp", "--no-telemetry", "--no-mdns", "--rpc-port"])
				.arg(rpc.to_string())
				.args(["--rpc-max-connections", &max_connections.to_string()])
				.args(["--rpc-max-subscriptions-per-connection", "100000"])
				.args(["--pool-limit", "100000", "--pool-kbytes", "512000", "--listen-addr"])
				.arg(format!("/ip4/127.0.0.1/tcp/{}", free_port()))
				.args(["--prometheus-port", &free_port().to_string()])
				.args(extra)
				.stdout(Stdio::null())
				.stderr(file)
				.spawn()
				.map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
			let mut node = Self { child, url: format!("ws://127.0.0.1:{rpc}"), log: log.clone() };
			let deadline = Instant::now() + Duration::from_secs(120);
			loop {
				let text = std::fs::read_to_string(&node.log).unwrap_or_default();
				if text.contains("Imported #2") {
					return Ok(node);
				}
				if let Ok(Some(status)) = node.child.try_wait() {
					// Read again: the last line may have been written after the read above.
					let text = std::fs::read_to_string(&node.log).unwrap_or_default();
					if text.contains("is already in use") {
						break;
					}
					return Err(format!("the node exited ({status}); see {}", node.log.display()));
				}
				if Instant::now() >= deadline {
					return Err(format!(
						"the node did not produce blocks; see {}",
						node.log.display()
					));
				}
				std::thread::sleep(Duration::from_millis(200));
			}
		}
		Err(format!(
			"{} starts in a row found a port taken; see {}",
			PORT_RETRIES + 1,
			log.display()
		))
	}
}

impl Drop for DevNode {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}
