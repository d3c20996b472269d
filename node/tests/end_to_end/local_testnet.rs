//! End to end: the `local` chain's four validators (Alice, Bob, Charlie, Dave) and a fifth node
//! (Eve) on loopback, governed as a real network is:
//! - Dave is killed: the three others keep finalising (GRANDPA needs three of four), and the
//!   chain removes Dave once he has authored nothing for a whole session;
//! - meanwhile Eve registers session keys made by her own node (`author_rotateKeysWithOwner`), the
//!   technical committee adds her by a two-thirds motion, and she authors blocks;
//! - governance (sudo, on this chain) removes her again, and she leaves the authorities.
//!
//! The chain is `local` with sessions of [`SESSION_LENGTH`] blocks instead of ten, written into a
//! chain spec file the way an operator would (`build-spec`, edit, `--chain <file>`): every change
//! of the validator set takes two rotations, and the test waits for four of them.

use crate::common::{
	extrinsic::{hex_bytes, hex_string, storage, submit},
	Node, Ports, TempDir, NODE_BINARY,
};
use codec::{Decode, Encode};
use frame_support::dispatch::GetDispatchInfo;
use repute_runtime::{opaque::SessionKeys, AccountId, Runtime, RuntimeCall};
use serde_json::json;
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::{BlakeTwo256, Hash};
use std::{
	process::Command,
	time::{Duration, Instant},
};

/// Blocks a session lasts on the test's chain: each of four validators still gets a slot or two
/// in every session, so none that runs is taken for offline.
const SESSION_LENGTH: u64 = 6;
/// Long enough for any one step (at most three sessions) and the slack of a busy machine.
const TIMEOUT: Duration = Duration::from_secs(300);
const STOP_GRACE: Duration = Duration::from_secs(30);

/// A fixed ed25519 node key per node, so the others know Alice's peer id in advance.
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

/// The `local` chain spec with sessions of `SESSION_LENGTH` blocks, written to `file`.
fn short_session_spec(file: &std::path::Path) {
	let output = Command::new(NODE_BINARY)
		.args(["build-spec", "--chain", "local"])
		.output()
		.expect("run repute-node build-spec");
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	let mut spec: serde_json::Value =
		serde_json::from_slice(&output.stdout).expect("build-spec prints JSON");
	let parameters = &mut spec["genesis"]["runtimeGenesis"]["patch"]["validatorSet"]["parameters"];
	assert!(parameters["sessionLength"].is_u64(), "the local spec sets a session length");
	parameters["sessionLength"] = json!(SESSION_LENGTH);
	std::fs::write(file, serde_json::to_vec_pretty(&spec).unwrap()).unwrap();
}

/// The validators of the current session, as the session pallet stores them.
fn session_validators(node: &Node) -> Vec<AccountId> {
	storage(node, &pallet_session::Validators::<Runtime>::hashed_key())
		.map(|raw| Vec::<AccountId>::decode(&mut &raw[..]).expect("a list of accounts"))
		.unwrap_or_default()
}

/// The validator set governance keeps (what the next sessions take).
fn governed_validators(node: &Node) -> Vec<AccountId> {
	storage(node, &pallet_validator_set::Validators::<Runtime>::hashed_key())
		.map(|raw| Vec::<AccountId>::decode(&mut &raw[..]).expect("a list of accounts"))
		.unwrap_or_default()
}

/// Waits until every node has the four others as peers and a finalized block above 1; on timeout
/// fails with each node's state and the logs of those not there.
fn wait_until_all_connected(nodes: &mut [Node]) {
	let deadline = Instant::now() + TIMEOUT;
	loop {
		let mut states = Vec::new();
		let mut waiting = Vec::new();
		for (i, node) in nodes.iter_mut().enumerate() {
			let state = match node.exited() {
				Some(status) => format!("exited ({status})"),
				None => match node.rpc("system_health", json!([])) {
					Ok(health) => {
						let finalized = node.finalized_number().unwrap_or(0);
						if health["peers"].as_u64() == Some(4) && finalized > 1 {
							continue;
						}
						format!("{} peers, finalized #{finalized}", health["peers"])
					}
					Err(e) => format!("no health: {e}"),
				},
			};
			states.push(format!("{}: {state}", node.name));
			waiting.push(i);
		}
		if waiting.is_empty() {
			return;
		}
		if Instant::now() >= deadline {
			let logs: Vec<String> = waiting
				.iter()
				.map(|&i| format!("--- {} log ---\n{}", nodes[i].name, nodes[i].log_tail()))
				.collect();
			panic!(
				"timed out after {TIMEOUT:?} waiting for four peers and a finalized block above 1 \
				 on every node: {}\n{}",
				states.join("; "),
				logs.join("\n")
			);
		}
		std::thread::sleep(Duration::from_millis(500));
	}
}

#[test]
fn validators_join_and_leave_by_governance_and_finality_survives_one_killed() {
	let dir = TempDir::new("testnet");
	let names = ["alice", "bob", "charlie", "dave", "eve"];
	let key_files: Vec<_> = (0..names.len() as u8)
		.map(|i| {
			let file = dir.path().join(format!("{}.node-key", names[i as usize]));
			std::fs::write(&file, node_key(i)).unwrap();
			file
		})
		.collect();
	let spec = dir.path().join("local-short-sessions.json");
	short_session_spec(&spec);

	// Alice starts first, so that the others are given the port her node really listens on.
	let mut nodes: Vec<Node> = Vec::with_capacity(names.len());
	for (i, name) in names.iter().enumerate() {
		let mut args = vec![
			"--chain".to_string(),
			spec.display().to_string(),
			"--validator".to_string(),
			"--base-path".to_string(),
			dir.path().join(name).display().to_string(),
			"--node-key-file".to_string(),
			key_files[i].display().to_string(),
			"--name".to_string(),
			name.to_string(),
		];
		// The four genesis validators hold their dev keys; Eve's node makes its own.
		if *name != "eve" {
			args.push(format!("--{name}"));
		}
		if let Some(alice) = nodes.first() {
			let bootnode =
				format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", alice.ports.p2p, peer_id(&key_files[0]));
			args.extend(["--bootnodes".to_string(), bootnode]);
		}
		nodes.push(Node::start(name, Ports::pick(), args, dir.path().join(format!("{name}.log"))));
	}
	wait_until_all_connected(&mut nodes);
	let (alice, bob) = (0, 1);
	let eve_account = Sr25519Keyring::Eve.to_account_id();
	let dave_account = Sr25519Keyring::Dave.to_account_id();

	// Dave goes down. Four validators tolerate one absent: finality goes on without him (checked
	// once Eve's motion has passed, which takes those blocks anyway).
	let mut dave = nodes.remove(3);
	dave.stop(STOP_GRACE);
	let eve = 3;
	let finalized_at_kill = nodes[alice].finalized_number().unwrap();

	// Eve's node makes session keys and proves she holds them; she registers them herself.
	let owner = format!("0x{}", hex_string(&eve_account.encode()));
	let generated = nodes[eve]
		.rpc("author_rotateKeysWithOwner", json!([owner]))
		.expect("author_rotateKeysWithOwner");
	let keys = SessionKeys::decode(&mut &hex_bytes(generated["keys"].as_str().unwrap())[..])
		.expect("the node's keys are the runtime's session keys");
	let proof = hex_bytes(generated["proof"].as_str().expect("the runtime makes a proof"));
	submit(
		&nodes[eve],
		Sr25519Keyring::Eve,
		RuntimeCall::Session(pallet_session::Call::set_keys { keys: keys.clone(), proof }),
	);

	// Meanwhile two of the three committee members add her: Alice moves, Bob seconds, Alice
	// closes.
	let add_eve = RuntimeCall::ValidatorSet(pallet_validator_set::Call::add_validator {
		who: eve_account.clone(),
	});
	let length = add_eve.encoded_size() as u32;
	let weight = add_eve.get_dispatch_info().call_weight;
	let motion = BlakeTwo256::hash_of(&add_eve);
	submit(
		&nodes[alice],
		Sr25519Keyring::Alice,
		RuntimeCall::TechnicalCommittee(pallet_collective::Call::propose {
			threshold: 2,
			proposal: Box::new(add_eve),
			length_bound: length,
		}),
	);
	let voting_key =
		pallet_collective::Voting::<Runtime, pallet_collective::Instance1>::hashed_key_for(motion);
	nodes[alice].wait_for("the motion open", TIMEOUT, |n| Ok(storage(n, &voting_key).is_some()));
	for (node, member) in [(alice, Sr25519Keyring::Alice), (bob, Sr25519Keyring::Bob)] {
		submit(
			&nodes[node],
			member,
			RuntimeCall::TechnicalCommittee(pallet_collective::Call::vote {
				proposal: motion,
				index: 0,
				approve: true,
			}),
		);
	}
	nodes[alice].wait_for("two ayes", TIMEOUT, |n| {
		// `Votes`: index, threshold, ayes, nays, end.
		let raw = storage(n, &voting_key).expect("the motion is open");
		let (_, _, ayes, _, _) =
			<(u32, u32, Vec<AccountId>, Vec<AccountId>, u32)>::decode(&mut &raw[..])
				.expect("the motion's votes");
		Ok(ayes.len() == 2)
	});
	// Only accounts with session keys can be added: the motion closes once hers are on chain.
	nodes[alice].wait_for("Eve's keys on chain", TIMEOUT, |n| {
		Ok(storage(n, &pallet_session::NextKeys::<Runtime>::hashed_key_for(&eve_account)).is_some())
	});
	submit(
		&nodes[alice],
		Sr25519Keyring::Alice,
		RuntimeCall::TechnicalCommittee(pallet_collective::Call::close {
			proposal_hash: motion,
			index: 0,
			proposal_weight_bound: weight,
			length_bound: length,
		}),
	);
	nodes[alice].wait_for("Eve in the governed set", TIMEOUT, |n| {
		Ok(governed_validators(n).contains(&eve_account))
	});
	nodes[alice].wait_for("finality past five more blocks without Dave", TIMEOUT, |n| {
		Ok(n.finalized_number()? >= finalized_at_kill + 5)
	});

	// Within two rotations Eve validates; Dave, who authored nothing for a session, is gone.
	nodes[alice].wait_for("Eve a session validator and Dave removed as offline", TIMEOUT, |n| {
		let validators = session_validators(n);
		Ok(validators.contains(&eve_account) && !validators.contains(&dave_account))
	});
	nodes[eve].wait_for("Eve authors a block", TIMEOUT, |n| {
		Ok(n.log().contains("Prepared block for proposing"))
	});
	let aura_key = pallet_aura::Authorities::<Runtime>::hashed_key();
	let authorities = storage(&nodes[alice], &aura_key).expect("Aura has authorities");
	assert!(
		authorities.windows(32).any(|window| window == keys.aura.encode()),
		"Eve's new Aura key is an authority"
	);
	let finalized_with_eve = nodes[alice].finalized_number().unwrap();
	nodes[alice].wait_for("finality goes on with Eve", TIMEOUT, |n| {
		Ok(n.finalized_number()? >= finalized_with_eve + 3)
	});

	// Governance removes her (sudo on the local chain); two rotations later she is out.
	submit(
		&nodes[alice],
		Sr25519Keyring::Alice,
		RuntimeCall::Sudo(pallet_sudo::Call::sudo {
			call: Box::new(RuntimeCall::ValidatorSet(
				pallet_validator_set::Call::remove_validator { who: eve_account.clone() },
			)),
		}),
	);
	nodes[alice].wait_for("Eve out of the session's validators", TIMEOUT, |n| {
		Ok(!session_validators(n).contains(&eve_account) && !governed_validators(n).is_empty())
	});
	let finalized_without_eve = nodes[alice].finalized_number().unwrap();
	nodes[alice].wait_for("finality goes on with Alice, Bob and Charlie", TIMEOUT, |n| {
		Ok(n.finalized_number()? >= finalized_without_eve + 3)
	});

	for node in nodes.iter_mut() {
		let status = node.stop(STOP_GRACE).expect("node was running");
		assert!(status.success(), "{} did not shut down cleanly: {status}", node.name);
	}
}
