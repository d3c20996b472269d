//! End to end: a `--dev` node produces and finalises blocks, serves the standard RPCs and
//! Prometheus metrics on loopback, and resumes from its database after a restart.

use crate::common::{free_port, http_request, Node, Ports, TempDir};
use serde_json::json;
use std::{net::TcpListener, time::Duration};

/// Six-second blocks: three of them, plus start-up, fit well inside this.
const BLOCKS_TIMEOUT: Duration = Duration::from_secs(120);
const STOP_GRACE: Duration = Duration::from_secs(30);

#[test]
fn dev_chain_produces_finalises_and_resumes_after_restart() {
	let dir = TempDir::new("dev");
	let mut node = Node::start_dev(&dir);

	node.wait_for("block 3 and a finalized block above 0", BLOCKS_TIMEOUT, |n| {
		Ok(n.best_number()? >= 3 && n.finalized_number()? > 0)
	});

	// The allocator is jemalloc with its background threads running: they are what gives the
	// memory of a large genesis or a finished epoch back to the system (docs/performance.md).
	let log = node.log();
	assert!(
		log.contains("Allocator: jemalloc") && log.contains("background threads on"),
		"the start-up log does not report jemalloc with background threads on:\n{}",
		node.log_tail()
	);
	let threads = node.thread_names();
	assert!(
		threads.iter().any(|name| name.starts_with("jemalloc_bg_thd")),
		"no jemalloc background thread among the node's threads: {threads:?}"
	);

	// The runtime is Repute's, and the standard RPC namespaces are all served.
	let version = node.rpc("state_getRuntimeVersion", json!([])).unwrap();
	assert_eq!(version["specName"], "repute", "runtime version: {version}");
	let methods = node.rpc("rpc_methods", json!([])).unwrap();
	let methods: Vec<&str> =
		methods["methods"].as_array().unwrap().iter().filter_map(|m| m.as_str()).collect();
	for wanted in [
		"system_health",
		"system_accountNextIndex",
		"chain_getFinalizedHead",
		"state_getMetadata",
		"author_submitExtrinsic",
		"payment_queryInfo",
	] {
		assert!(methods.contains(&wanted), "{wanted} missing from rpc_methods: {methods:?}");
	}
	// Alice is a pre-funded dev account: her nonce is readable.
	let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
	assert_eq!(node.rpc("system_accountNextIndex", json!([alice])).unwrap(), json!(0));
	let properties = node.rpc("system_properties", json!([])).unwrap();
	assert_eq!(properties["tokenSymbol"], "REP", "chain properties: {properties}");

	// Prometheus metrics are served on the loopback port the node was given.
	let metrics = http_request(node.ports.prometheus, "GET", "/metrics", None).unwrap();
	assert!(metrics.contains("substrate_block_height"), "metrics lack block height");

	// Stop, remember where the chain was, and restart on the same base path.
	let best_before = node.best_number().unwrap();
	let hash_before = node.block_hash(best_before).unwrap();
	let status = node.stop(STOP_GRACE).expect("node was running");
	assert!(status.success(), "node did not shut down cleanly: {status}\n{}", node.log_tail());

	node.restart();
	node.wait_for("the RPC server after restart", BLOCKS_TIMEOUT, |n| {
		n.best_number().map(|_| true)
	});
	let best_after = node.best_number().unwrap();
	assert!(
		best_after >= best_before,
		"chain went back from block {best_before} to {best_after} across the restart"
	);
	assert_eq!(
		node.block_hash(best_before).unwrap(),
		hash_before,
		"block {best_before} changed across the restart"
	);

	// And it carries on producing and finalising blocks.
	node.wait_for("two new blocks after restart", BLOCKS_TIMEOUT, |n| {
		Ok(n.best_number()? >= best_before + 2 && n.finalized_number()? > best_before)
	});

	let status = node.stop(STOP_GRACE).expect("node was running");
	assert!(status.success(), "node did not shut down cleanly: {status}");
}

/// A port picked for a node can be taken by another process before the node binds it (tests run
/// in parallel, and every outgoing connection takes an ephemeral port). The harness then starts
/// the node again on new ports instead of leaving a test waiting for a node that exited.
#[test]
fn a_node_whose_ports_were_taken_meanwhile_starts_on_new_ports() {
	let dir = TempDir::new("taken");
	let taken = TcpListener::bind("127.0.0.1:0").expect("bind a port to take");
	let taken_port = taken.local_addr().unwrap().port();
	let ports = Ports { rpc: taken_port, p2p: free_port(), prometheus: free_port() };
	let args = vec![
		"--dev".to_string(),
		"--base-path".to_string(),
		dir.path().join("base").display().to_string(),
	];
	let mut node = Node::start("taken", ports, args, dir.path().join("node.log"));

	assert_ne!(node.ports.rpc, taken_port, "the node kept the taken port");
	assert!(
		node.log().contains(&format!("127.0.0.1:{taken_port} is already in use")),
		"the first start did not find the port taken:\n{}",
		node.log_tail()
	);
	node.rpc("system_health", json!([])).expect("the node answers on its new port");
	let status = node.stop(STOP_GRACE).expect("node was running");
	assert!(status.success(), "node did not shut down cleanly: {status}");
	drop(taken);
}
