//! Load generator for `scripts/rpc-bench.sh`: measures latency (p50, p99) and throughput of the
//! `repute_*` methods over loopback HTTP at several concurrencies, against a node started with
//! `--chain rpc-bench` (100,000 synthetic peers). Each client thread keeps one HTTP/1.1
//! connection alive and asks about random synthetic peers.
//!
//! Usage: `rpc_bench <rpc-port> [seconds-per-run]`. Prints a Markdown table.

use serde_json::{json, Value};
use sp_core::crypto::{AccountId32, Ss58Codec};
use std::{
	io::{BufRead, BufReader, Read, Write},
	net::TcpStream,
	time::{Duration, Instant},
};

const PEERS: u32 = 100_000;
const BATCH: usize = 1_024;

struct Connection {
	reader: BufReader<TcpStream>,
	writer: TcpStream,
	port: u16,
}

impl Connection {
	fn open(port: u16) -> Self {
		let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the node");
		stream.set_nodelay(true).unwrap();
		Self { reader: BufReader::new(stream.try_clone().unwrap()), writer: stream, port }
	}

	fn call(&mut self, body: &str) -> Value {
		let request = format!(
			"POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\n\
			 Content-Length: {}\r\n\r\n{body}",
			self.port,
			body.len()
		);
		self.writer.write_all(request.as_bytes()).unwrap();
		let mut length = 0usize;
		loop {
			let mut line = String::new();
			self.reader.read_line(&mut line).unwrap();
			let line = line.trim_end();
			if line.is_empty() {
				break;
			}
			if let Some((name, value)) = line.split_once(':') {
				if name.eq_ignore_ascii_case("content-length") {
					length = value.trim().parse().unwrap();
				}
			}
		}
		let mut body = vec![0u8; length];
		self.reader.read_exact(&mut body).unwrap();
		let value: Value = serde_json::from_slice(&body).unwrap();
		assert!(value.get("error").is_none(), "the node answered an error: {value}");
		value
	}
}

fn address(index: u32) -> String {
	AccountId32::from(repute_primitives::synthetic::account(index)).to_ss58check()
}

/// A small deterministic generator per thread.
struct Random(u64);
impl Random {
	fn peer(&mut self) -> u32 {
		self.0 ^= self.0 << 13;
		self.0 ^= self.0 >> 7;
		self.0 ^= self.0 << 17;
		(self.0 % u64::from(PEERS)) as u32
	}
}

#[derive(Clone, Copy)]
enum Query {
	Admission,
	Admissions,
	AdmissionsSeenBy,
	PeerReport,
	SubjectiveTrust,
}

/// Every query, in the order the table lists them.
const QUERIES: [Query; 5] = [
	Query::Admission,
	Query::Admissions,
	Query::AdmissionsSeenBy,
	Query::PeerReport,
	Query::SubjectiveTrust,
];

impl Query {
	fn name(self) -> &'static str {
		match self {
			Query::Admission => "repute_admission",
			Query::Admissions => "repute_admissions (1,024 per call)",
			Query::AdmissionsSeenBy => "repute_admissions (1,024 per call, one viewer)",
			Query::PeerReport => "repute_peerReport",
			Query::SubjectiveTrust => "repute_subjectiveTrust",
		}
	}

	fn body(self, random: &mut Random) -> String {
		let (method, params) = match self {
			Query::Admission => ("repute_admission", json!([address(random.peer())])),
			Query::Admissions => (
				"repute_admissions",
				json!([(0..BATCH).map(|_| address(random.peer())).collect::<Vec<_>>()]),
			),
			// What a subjective gate's subscription computes at every block: a batch of peers
			// from one viewer's point of view.
			Query::AdmissionsSeenBy => (
				"repute_admissions",
				json!([
					(0..BATCH).map(|_| address(random.peer())).collect::<Vec<_>>(),
					address(random.peer())
				]),
			),
			Query::PeerReport => ("repute_peerReport", json!([address(random.peer())])),
			Query::SubjectiveTrust => {
				("repute_subjectiveTrust", json!([address(random.peer()), address(random.peer())]))
			}
		};
		json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()
	}

	fn peers_per_call(self) -> usize {
		if matches!(self, Query::Admissions | Query::AdmissionsSeenBy) {
			BATCH
		} else {
			1
		}
	}
}

fn run(port: u16, query: Query, concurrency: usize, seconds: u64) -> (Duration, Duration, f64) {
	let deadline = Instant::now() + Duration::from_secs(seconds);
	let started = Instant::now();
	let threads: Vec<_> = (0..concurrency)
		.map(|t| {
			std::thread::spawn(move || {
				let mut connection = Connection::open(port);
				let mut random = Random(0x9E37_79B9_7F4A_7C15 ^ ((t as u64 + 1) * 0x1234_5678));
				// Warm the connection (and the node's caches) before measuring.
				for _ in 0..3 {
					connection.call(&query.body(&mut random));
				}
				// At least one call each, however long calls take.
				let mut latencies = Vec::new();
				loop {
					let body = query.body(&mut random);
					let start = Instant::now();
					connection.call(&body);
					latencies.push(start.elapsed());
					if Instant::now() >= deadline {
						break latencies;
					}
				}
			})
		})
		.collect();
	let mut latencies: Vec<Duration> =
		threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
	let elapsed = started.elapsed().as_secs_f64();
	latencies.sort();
	let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
	let per_second = latencies.len() as f64 * query.peers_per_call() as f64 / elapsed;
	(at(0.50), at(0.99), per_second)
}

fn main() {
	let mut args = std::env::args().skip(1);
	let port: u16 = args.next().expect("usage: rpc_bench <port> [seconds]").parse().unwrap();
	let seconds: u64 = args.next().map_or(10, |s| s.parse().unwrap());
	// The state must be the rpc-bench one: the last synthetic peer exists.
	let mut probe = Connection::open(port);
	let report = probe.call(
		&json!({"jsonrpc": "2.0", "id": 1, "method": "repute_peerReport",
			"params": [address(PEERS - 1)]})
		.to_string(),
	);
	assert!(
		!report["result"].is_null(),
		"no synthetic peers: start the node with --chain rpc-bench"
	);

	// Warm the node up (caches, the wasm instance pool) with every query before measuring.
	for query in QUERIES {
		run(port, query, 4, 2);
	}
	println!("| query | concurrency | p50 | p99 | throughput |");
	println!("| --- | --- | --- | --- | --- |");
	for query in QUERIES {
		for concurrency in [1, 16, 64] {
			let (p50, p99, per_second) = run(port, query, concurrency, seconds);
			let unit = if query.peers_per_call() > 1 { "peers/s" } else { "calls/s" };
			println!(
				"| {} | {concurrency} | {:.2} ms | {:.2} ms | {:.0} {unit} |",
				query.name(),
				p50.as_secs_f64() * 1e3,
				p99.as_secs_f64() * 1e3,
				per_second
			);
		}
	}
}
