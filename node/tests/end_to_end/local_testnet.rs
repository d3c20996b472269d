//! End to end: three validators (Alice, Bob, Charlie) on the `local` chain. With one stopped the
//! other two keep producing blocks; once it is back, finality resumes.

use crate::common::{Node, Ports, TempDir, NODE_BINARY};
use std::{process::Command, time::Duration};

const TIMEOUT: Duration = Duration::from_secs(180);
const STOP_GRACE: Duration = Duration::from_secs(30);

/// A fixed ed25519 node key per validator, so Bob and Charlie know Alice's peer id in advance.
fn node_key(index: u8) -> String {
	format!("{:064x}", u64::from(index) + 1)
}

/// The libp2p peer id of a node key, as the node itself derives it.
fn peer_id(key_file: &std::path::Path) -> String {
	let output = Command::new(NODE_BINARY)
		.args(["key", "inspect-node-key", "--file"])
		.arg(key_file)
		.output()
		.expect("run repute-node key inspect-node-key");
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	String::from_utf8(output.stdout).unwrap().trim().to_string()
}

#[test]
fn three_validators_survive_one_stopping_and_finality_resumes() {
	let dir = TempDir::new("testnet");
	let names = ["alice", "bob", "charlie"];
	let ports: Vec<Ports> = names.iter().map(|_| Ports::pick()).collect();

	let key_files: Vec<_> = (0..3u8)
		.map(|i| {
			let file = dir.path().join(format!("{}.node-key", names[i as usize]));
			std::fs::write(&file, node_key(i)).unwrap();
			file
		})
		.collect();
	let bootnode = format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", ports[0].p2p, peer_id(&key_files[0]));

	let mut nodes: Vec<Node> = names
		.iter()
		.enumerate()
		.map(|(i, name)| {
			let mut args = vec![
				"--chain".to_string(),
				"local".to_string(),
				format!("--{name}"),
				"--validator".to_string(),
				"--base-path".to_string(),
				dir.path().join(name).display().to_string(),
				"--node-key-file".to_string(),
				key_files[i].display().to_string(),
				"--name".to_string(),
				name.to_string(),
			];
			if i > 0 {
				args.extend(["--bootnodes".to_string(), bootnode.clone()]);
			}
			Node::start(name, ports[i], args, dir.path().join(format!("{name}.log")))
		})
		.collect();

	for node in nodes.iter_mut() {
		node.wait_for("two peers and a finalized block above 1", TIMEOUT, |n| {
			let health = n.rpc("system_health", serde_json::json!([]))?;
			Ok(health["peers"].as_u64() == Some(2) && n.finalized_number()? > 1)
		});
	}

	// Charlie leaves: Alice and Bob still author in their slots.
	let charlie = nodes.pop().unwrap();
	let mut charlie = charlie;
	charlie.stop(STOP_GRACE);
	let best_without_charlie = nodes[0].best_number().unwrap();
	for node in nodes.iter_mut() {
		node.wait_for("three more blocks without Charlie", TIMEOUT, |n| {
			Ok(n.best_number()? >= best_without_charlie + 3)
		});
	}

	// GRANDPA needs all three of three votes, so blocks built without Charlie are finalised only
	// once he is back.
	let best_before_return = nodes[0].best_number().unwrap();
	charlie.restart();
	nodes.push(charlie);
	for node in nodes.iter_mut() {
		node.wait_for("finality past the blocks built without Charlie", TIMEOUT, |n| {
			Ok(n.finalized_number()? >= best_before_return)
		});
	}

	for node in nodes.iter_mut() {
		let status = node.stop(STOP_GRACE).expect("node was running");
		assert!(status.success(), "{} did not shut down cleanly: {status}", node.name);
	}
}
