//! Harness for the end-to-end tests: starts the real `repute-node` binary on loopback ports it
//! picks, talks JSON-RPC to it over HTTP, and stops it when dropped, even when a test fails.
//!
//! It uses only the standard library and `serde_json`, so the tests add nothing to the build.

pub mod extrinsic;
pub mod ws;

use serde_json::{json, Value};
use std::{
	collections::BTreeSet,
	fs,
	io::{Read, Write},
	net::{TcpListener, TcpStream},
	path::{Path, PathBuf},
	process::{Child, Command, ExitStatus, Stdio},
	sync::{
		atomic::{AtomicU32, Ordering},
		Mutex,
	},
	time::{Duration, Instant},
};

/// The binary under test, built by cargo for this test run.
pub const NODE_BINARY: &str = env!("CARGO_BIN_EXE_repute-node");

/// How long a node may take from its start to its first JSON-RPC answer.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);

/// A port on 127.0.0.1 that was free a moment ago. Each call returns a different port: the
/// kernel may hand the same ephemeral port out twice, so the ports already given are remembered.
/// Another process can still take the port before the node binds it; [`Node::start`] then picks
/// new ports and starts the node again.
pub fn free_port() -> u16 {
	static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
	let mut given = GIVEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
	loop {
		let listener =
			TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port on 127.0.0.1");
		let port = listener.local_addr().expect("local address of the ephemeral port").port();
		if given.insert(port) {
			return port;
		}
	}
}

/// A directory for one test, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
	/// Creates a fresh, empty directory under the system's temporary directory.
	pub fn new(label: &str) -> Self {
		static COUNTER: AtomicU32 = AtomicU32::new(0);
		let unique = format!(
			"repute-e2e-{label}-{}-{}",
			std::process::id(),
			COUNTER.fetch_add(1, Ordering::Relaxed)
		);
		let path = std::env::temp_dir().join(unique);
		let _ = fs::remove_dir_all(&path);
		fs::create_dir_all(&path).expect("create a temporary directory");
		Self(path)
	}

	pub fn path(&self) -> &Path {
		&self.0
	}
}

impl Drop for TempDir {
	fn drop(&mut self) {
		let _ = fs::remove_dir_all(&self.0);
	}
}

/// Ports a node listens on.
#[derive(Clone, Copy, Debug)]
pub struct Ports {
	pub rpc: u16,
	pub p2p: u16,
	pub prometheus: u16,
}

impl Ports {
	pub fn pick() -> Self {
		Self { rpc: free_port(), p2p: free_port(), prometheus: free_port() }
	}

	/// The flags that bind the node to these ports on loopback only.
	pub fn args(&self) -> Vec<String> {
		vec![
			"--rpc-port".into(),
			self.rpc.to_string(),
			"--listen-addr".into(),
			format!("/ip4/127.0.0.1/tcp/{}", self.p2p),
			"--prometheus-port".into(),
			self.prometheus.to_string(),
		]
	}
}

/// A running `repute-node`. Dropping it kills the process.
pub struct Node {
	pub name: String,
	pub ports: Ports,
	args: Vec<String>,
	log: PathBuf,
	child: Option<Child>,
}

impl Node {
	/// Starts `repute-node --dev` on picked ports, with its database in `dir/base` (so it can be
	/// restarted on it) and its output in `dir/node.log`.
	pub fn start_dev(dir: &TempDir) -> Self {
		let args = vec![
			"--dev".to_string(),
			"--base-path".to_string(),
			dir.path().join("base").display().to_string(),
		];
		Self::start("dev", Ports::pick(), args, dir.path().join("node.log"))
	}

	/// Starts `repute-node` with `args` plus the flags for `ports`; its output goes to `log`.
	/// Returns once the node answers JSON-RPC. If a port was taken meanwhile (the node exits
	/// saying an address "is already in use"), it picks new ports and starts again; any other
	/// exit fails the test with the node's log.
	pub fn start(name: &str, ports: Ports, args: Vec<String>, log: PathBuf) -> Self {
		let mut node = Self { name: name.into(), ports, args, log, child: None };
		node.spawn_until_answering();
		node
	}

	/// How many times a node is started on fresh ports after finding one of its ports taken.
	const PORT_RETRIES: usize = 5;

	fn spawn_until_answering(&mut self) {
		for _ in 0..=Self::PORT_RETRIES {
			let log_before = fs::metadata(&self.log).map(|m| m.len() as usize).unwrap_or(0);
			self.spawn();
			let deadline = Instant::now() + STARTUP_TIMEOUT;
			while Instant::now() < deadline {
				if self.rpc("system_health", json!([])).is_ok() {
					return;
				}
				if let Some(status) = self.exited() {
					self.child = None;
					let attempt = self.log().get(log_before..).unwrap_or_default().to_string();
					if attempt.contains("is already in use") {
						self.ports = Ports::pick();
						break;
					}
					panic!(
						"{}: exited ({status}) at start\n--- log ---\n{}",
						self.name,
						self.log_tail()
					);
				}
				std::thread::sleep(Duration::from_millis(200));
			}
			if self.child.is_some() {
				panic!(
					"{}: no JSON-RPC answer within {STARTUP_TIMEOUT:?} of start\n--- log ---\n{}",
					self.name,
					self.log_tail()
				);
			}
		}
		panic!(
			"{}: {} starts in a row found a port taken\n--- log ---\n{}",
			self.name,
			Self::PORT_RETRIES + 1,
			self.log_tail()
		);
	}

	fn spawn(&mut self) {
		let log = fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(&self.log)
			.expect("open the node's log file");
		let child = Command::new(NODE_BINARY)
			.args(&self.args)
			.args(self.ports.args())
			.args(["--no-mdns", "--no-telemetry"])
			.stdin(Stdio::null())
			.stdout(log.try_clone().expect("clone the log handle"))
			.stderr(log)
			.spawn()
			.expect("start repute-node");
		self.child = Some(child);
	}

	/// Asks the node to shut down (SIGTERM) and waits for it; kills it after `grace`.
	pub fn stop(&mut self, grace: Duration) -> Option<ExitStatus> {
		let mut child = self.child.take()?;
		let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
		let deadline = Instant::now() + grace;
		while Instant::now() < deadline {
			if let Ok(Some(status)) = child.try_wait() {
				return Some(status);
			}
			std::thread::sleep(Duration::from_millis(100));
		}
		let _ = child.kill();
		child.wait().ok()
	}

	/// The node's exit status if its process has ended.
	pub fn exited(&mut self) -> Option<ExitStatus> {
		self.child.as_mut().and_then(|child| child.try_wait().ok().flatten())
	}

	/// Starts the node again with the same arguments and base path (and the same ports unless
	/// one was taken meanwhile); returns once it answers JSON-RPC.
	pub fn restart(&mut self) {
		assert!(self.child.is_none(), "{}: restart of a node that still runs", self.name);
		self.spawn_until_answering();
	}

	/// The whole of the node's log so far.
	pub fn log(&self) -> String {
		fs::read_to_string(&self.log).unwrap_or_default()
	}

	/// The names of the running process's threads (`/proc/<pid>/task/*/comm`).
	pub fn thread_names(&self) -> Vec<String> {
		let Some(child) = &self.child else { return Vec::new() };
		let Ok(tasks) = fs::read_dir(format!("/proc/{}/task", child.id())) else {
			return Vec::new();
		};
		tasks
			.filter_map(|task| fs::read_to_string(task.ok()?.path().join("comm")).ok())
			.map(|name| name.trim_end().to_string())
			.collect()
	}

	/// The last lines of the node's log, for failure messages.
	pub fn log_tail(&self) -> String {
		let text = fs::read_to_string(&self.log).unwrap_or_default();
		let lines: Vec<&str> = text.lines().collect();
		lines[lines.len().saturating_sub(25)..].join("\n")
	}

	/// Calls a JSON-RPC method; `Err` for a transport error or a JSON-RPC error object.
	pub fn rpc(&self, method: &str, params: Value) -> Result<Value, String> {
		rpc_call(self.ports.rpc, method, params)
	}

	/// The number of the best block.
	pub fn best_number(&self) -> Result<u64, String> {
		header_number(&self.rpc("chain_getHeader", json!([]))?)
	}

	/// The number of the last finalized block.
	pub fn finalized_number(&self) -> Result<u64, String> {
		let hash = self.rpc("chain_getFinalizedHead", json!([]))?;
		header_number(&self.rpc("chain_getHeader", json!([hash]))?)
	}

	/// The hash of the block at `number` on the best chain.
	pub fn block_hash(&self, number: u64) -> Result<String, String> {
		self.rpc("chain_getBlockHash", json!([number]))?
			.as_str()
			.map(str::to_owned)
			.ok_or_else(|| format!("no block {number}"))
	}

	/// Waits until `check` returns `Ok(true)`, or fails the test after `timeout` with `what`
	/// and the end of the node's log.
	pub fn wait_for(
		&mut self,
		what: &str,
		timeout: Duration,
		mut check: impl FnMut(&Self) -> Result<bool, String>,
	) {
		let deadline = Instant::now() + timeout;
		let mut last = String::from("not checked yet");
		while Instant::now() < deadline {
			// A node that exited will never satisfy the condition: fail now.
			if let Some(status) = self.exited() {
				panic!(
					"{}: exited ({status}) while waiting for {what}\n--- log ---\n{}",
					self.name,
					self.log_tail()
				);
			}
			match check(self) {
				Ok(true) => return,
				Ok(false) => last = "condition not met yet".into(),
				Err(e) => last = e,
			}
			std::thread::sleep(Duration::from_millis(500));
		}
		panic!(
			"{}: timed out after {timeout:?} waiting for {what} (last: {last})\n--- log ---\n{}",
			self.name,
			self.log_tail()
		);
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}
}

fn header_number(header: &Value) -> Result<u64, String> {
	let hex =
		header["number"].as_str().ok_or_else(|| format!("header without number: {header}"))?;
	u64::from_str_radix(hex.trim_start_matches("0x"), 16).map_err(|e| e.to_string())
}

/// One JSON-RPC call over HTTP/1.1 to 127.0.0.1:`port`.
pub fn rpc_call(port: u16, method: &str, params: Value) -> Result<Value, String> {
	let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
	let response = http_request(port, "POST", "/", Some(&body))?;
	let value: Value = serde_json::from_str(&response)
		.map_err(|e| format!("{method}: response is not JSON ({e}): {response}"))?;
	if let Some(error) = value.get("error") {
		return Err(format!("{method}: JSON-RPC error {error}"));
	}
	value.get("result").cloned().ok_or_else(|| format!("{method}: no result in {value}"))
}

/// A plain HTTP/1.1 request to 127.0.0.1:`port`; returns the body of a 200 response.
pub fn http_request(
	port: u16,
	verb: &str,
	path: &str,
	body: Option<&str>,
) -> Result<String, String> {
	let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
	stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
	let body = body.unwrap_or("");
	let request = format!(
		"{verb} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
		 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
		body.len()
	);
	stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
	let mut raw = Vec::new();
	stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
	let text = String::from_utf8_lossy(&raw);
	let (head, rest) = text.split_once("\r\n\r\n").ok_or("malformed HTTP response")?;
	if !head.starts_with("HTTP/1.1 200") {
		return Err(format!("HTTP error: {}", head.lines().next().unwrap_or("")));
	}
	// The RPC server answers with chunked encoding when it streams; undo it.
	if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
		Ok(dechunk(rest))
	} else {
		Ok(rest.to_string())
	}
}

fn dechunk(mut rest: &str) -> String {
	let mut out = String::new();
	while let Some((size, tail)) = rest.split_once("\r\n") {
		let Ok(size) = usize::from_str_radix(size.trim(), 16) else { break };
		if size == 0 || tail.len() < size {
			break;
		}
		out.push_str(&tail[..size]);
		rest = tail[size..].trim_start_matches("\r\n");
	}
	out
}
