//! End to end: the `repute_*` JSON-RPC methods of a real dev node. Peers register and a receipt
//! is submitted; then every method's answer is checked, a peer report's storage proof is
//! verified against the block's state root as a light client would, the admission subscription
//! streams a change, and every kind of bad input gets its JSON-RPC error.

use crate::common::{
	extrinsic::{cosigned_receipt_call, hex_bytes, next_nonce, submit},
	ws::WsClient,
	Node, TempDir,
};
use codec::Decode;
use frame_support::{traits::Get, BoundedVec};
use pallet_receipts::{PeerInfo, PeerTotals};
use pallet_reputation::PeerReputation;
use repute_runtime::{AccountId, Runtime, RuntimeCall};
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::BlakeTwo256;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);
const UNITS: u128 = 20_000;

fn address(keyring: Sr25519Keyring) -> String {
	keyring.to_account_id().to_ss58check()
}

/// The JSON-RPC error (code, message) of a call that must fail.
fn error_of(node: &Node, method: &str, params: Value) -> (i64, String) {
	let error =
		node.rpc(method, params.clone()).expect_err(&format!("{method} {params} succeeded"));
	let object: Value = serde_json::from_str(
		error.split_once("JSON-RPC error ").map(|(_, e)| e).unwrap_or_else(|| panic!("{error}")),
	)
	.unwrap();
	(object["code"].as_i64().unwrap(), object["message"].as_str().unwrap().to_string())
}

fn register_and_serve(node: &mut Node, provider: Sr25519Keyring, consumer: Sr25519Keyring) {
	let register = RuntimeCall::Receipts(pallet_receipts::Call::register {});
	submit(node, provider, register.clone());
	submit(node, consumer, register);
	node.wait_for("both registrations", TIMEOUT, |n| {
		Ok(next_nonce(n, provider) == 1 && next_nonce(n, consumer) == 1)
	});
	let call = cosigned_receipt_call(node, provider, consumer, 1, UNITS);
	submit(node, Sr25519Keyring::Dave, call);
}

#[test]
fn every_repute_method_answers_and_refuses_bad_input() {
	let dir = TempDir::new("rpc");
	let mut node = Node::start_dev(&dir);
	node.wait_for("block 1", TIMEOUT, |n| Ok(n.best_number()? >= 1));
	let (bob, charlie, ferdie) =
		(Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Ferdie);

	// Governance (sudo) shortens epochs so the first one is published during the test.
	let mut parameters = pallet_reputation::DefaultParameters::get();
	parameters.epoch_length = 2;
	let shorten = RuntimeCall::Sudo(pallet_sudo::Call::sudo {
		call: Box::new(RuntimeCall::Reputation(pallet_reputation::Call::set_parameters {
			new: parameters,
		})),
	});
	submit(&node, Sr25519Keyring::Alice, shorten);

	// Subscribe before anything happens: the first message names both peers.
	let mut ws = WsClient::connect(node.ports.rpc).expect("WebSocket");
	let subscribed = ws
		.call(1, "repute_subscribeAdmissions", json!([[address(bob), address(charlie)]]))
		.unwrap();
	assert!(subscribed["result"].is_string(), "{subscribed}");

	register_and_serve(&mut node, bob, charlie);
	node.wait_for("Bob admitted", TIMEOUT, |n| {
		Ok(n.rpc("repute_admission", json!([address(bob)]))?["decision"] == "admitted")
	});

	// --- peer report ---
	let report = node.rpc("repute_peerReport", json!([address(bob)])).unwrap();
	assert_eq!(report["peer"], address(bob));
	assert_eq!(report["status"], "active");
	assert_eq!(report["bond"], (100 * repute_runtime::UNIT).to_string());
	assert_eq!(report["unitsServed"], UNITS.to_string());
	assert_eq!(report["unitsConsumed"], "0");
	assert_eq!(report["receipts"], "1");
	assert_eq!(
		report["admission"],
		json!({"peer": address(bob), "decision": "admitted", "reason": null})
	);
	assert_eq!(node.rpc("repute_peerReport", json!([address(ferdie)])).unwrap(), Value::Null);
	// A libp2p PeerId names the account of its ed25519 key (not registered here).
	let peer_id = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";
	assert_eq!(node.rpc("repute_peerReport", json!([peer_id])).unwrap(), Value::Null);

	// --- admission, batched and from a viewer's point of view ---
	let batch =
		node.rpc("repute_admissions", json!([[address(bob), address(charlie), peer_id]])).unwrap();
	let decisions: Vec<&str> =
		batch.as_array().unwrap().iter().map(|a| a["decision"].as_str().unwrap()).collect();
	assert_eq!(decisions, ["admitted", "probation", "denied"]);
	assert_eq!(batch[2]["reason"], "notRegistered");
	let seen = node.rpc("repute_admission", json!([address(bob), address(charlie)])).unwrap();
	assert_eq!(seen["decision"], "admitted", "Bob served Charlie");

	// --- subjective trust and partners ---
	let trust =
		node.rpc("repute_subjectiveTrust", json!([address(charlie), address(bob)])).unwrap();
	assert_eq!(trust["flowToViewer"], UNITS.to_string());
	assert_eq!(trust["flowFromViewer"], "0");
	assert!(trust["scorePpb"].as_i64().unwrap() > 0);
	let served = node.rpc("repute_partners", json!([address(bob), "served"])).unwrap();
	assert_eq!(
		served,
		json!([{"peer": address(charlie), "service": 0, "cumulativeUnits": UNITS.to_string(),
			"sequence": "1", "lastUpdate": served[0]["lastUpdate"]}])
	);
	let served_by =
		node.rpc("repute_partners", json!([address(charlie), "servedBy", 0, 10])).unwrap();
	assert_eq!(served_by[0]["peer"], address(bob));
	assert_eq!(
		node.rpc("repute_partners", json!([address(charlie), "served"])).unwrap(),
		json!([])
	);

	// --- parameters and the top peers once an epoch is published ---
	let parameters = node.rpc("repute_parameters", json!([])).unwrap();
	assert_eq!(parameters["reputation"]["epochLength"], 2);
	assert_eq!(parameters["reputation"]["dampingPpb"], 500_000_000);
	assert_eq!(parameters["receipts"]["peerBond"], (100 * repute_runtime::UNIT).to_string());
	assert_eq!(parameters["payments"]["minimumEscrow"], repute_runtime::UNIT.to_string());
	assert_eq!(parameters["payments"]["challengePeriod"], 7_200);
	assert_eq!(parameters["payments"]["pricePeriod"], 600);
	// Bytes are priced from genesis, at their floor: no toll, no load yet.
	let prices = node.rpc("repute_prices", json!([])).unwrap();
	let number = prices["number"].as_u64().unwrap();
	assert_eq!(prices["nextUpdate"].as_u64().unwrap(), (number / 600 + 1) * 600, "{prices}");
	assert_eq!(
		prices["services"],
		json!([{
			"service": 0,
			"price": "1",
			"toll": "0",
			"floor": "1",
			"ceiling": (repute_runtime::UNIT / 1_000_000).to_string(),
			"targetUnits": (1u64 << 30).to_string(),
			"load": "0",
			"previousLoad": "0",
			"tolls": "0",
		}])
	);
	// No channel between them: `null`, not an error.
	assert_eq!(
		node.rpc("repute_channel", json!([address(charlie), address(bob), 0])).unwrap(),
		Value::Null
	);
	node.wait_for("a published and ranked epoch", TIMEOUT, |n| {
		Ok(!n.rpc("repute_topPeers", json!([]))?["peers"].as_array().unwrap().is_empty())
	});
	let top = node.rpc("repute_topPeers", json!([0, 5])).unwrap();
	assert_eq!(top["peers"][0]["rank"], 0);
	let ranked: Vec<&str> =
		top["peers"].as_array().unwrap().iter().map(|p| p["peer"].as_str().unwrap()).collect();
	assert!(ranked.contains(&address(bob).as_str()));
	let report = node.rpc("repute_peerReport", json!([address(bob)])).unwrap();
	assert!(report["globalTrust"]["partsPerQuintillion"].is_string(), "{report}");

	// --- a verifiable report: check the proof against the block's state root ---
	let proven = node.rpc("repute_peerReportProof", json!([address(bob)])).unwrap();
	let header = node.rpc("chain_getHeader", json!([proven["at"]])).unwrap();
	let state_root = sp_core::H256::from_slice(&hex_bytes(header["stateRoot"].as_str().unwrap()));
	let number =
		u32::from_str_radix(header["number"].as_str().unwrap().trim_start_matches("0x"), 16)
			.unwrap();
	let nodes: Vec<Vec<u8>> = proven["proof"]
		.as_array()
		.unwrap()
		.iter()
		.map(|n| hex_bytes(n.as_str().unwrap()))
		.collect();
	let keys: Vec<Vec<u8>> =
		proven["keys"].as_array().unwrap().iter().map(|n| hex_bytes(n.as_str().unwrap())).collect();
	let values = sp_state_machine::read_proof_check::<BlakeTwo256, _>(
		state_root,
		sp_trie::StorageProof::new(nodes.clone()),
		&keys,
	)
	.expect("the proof verifies against the state root");
	let bob_account: AccountId = bob.to_account_id();
	let value = |key: Vec<u8>| values.get(&key).cloned().flatten().expect("proven value");
	let info = PeerInfo::<u128, u32, BoundedVec<u8, frame_support::traits::ConstU32<256>>>::decode(
		&mut &value(pallet_receipts::Peers::<Runtime>::hashed_key_for(&bob_account))[..],
	)
	.unwrap();
	assert_eq!(info.bond.to_string(), proven["report"]["bond"].as_str().unwrap());
	let totals = PeerTotals::<u32>::decode(
		&mut &value(pallet_receipts::Totals::<Runtime>::hashed_key_for(&bob_account, 0))[..],
	)
	.unwrap();
	assert_eq!(totals.units_served.to_string(), proven["report"]["unitsServed"].as_str().unwrap());
	let record = PeerReputation::<u32>::decode(
		&mut &value(pallet_reputation::Reputations::<Runtime>::hashed_key_for(&bob_account))[..],
	)
	.unwrap();
	let parameters = repute_primitives::parameters::ReputationParameters::decode(
		&mut &value(pallet_reputation::Parameters::<Runtime>::hashed_key().to_vec())[..],
	)
	.unwrap();
	// The client recomputes the decayed reputation from the proven record, as the chain does.
	let service = pallet_reputation::maths::decay(
		record.service,
		number - record.updated_at,
		parameters.service_half_life,
	);
	assert_eq!(service.to_string(), proven["report"]["serviceReputation"].as_str().unwrap());
	// A proof missing a node does not verify.
	let tampered = sp_trie::StorageProof::new(nodes.into_iter().skip(1));
	let checked = sp_state_machine::read_proof_check::<BlakeTwo256, _>(state_root, tampered, &keys);
	assert!(checked.is_err() || checked.unwrap().values().any(Option::is_none));

	// --- the subscription saw both peers, then Bob's admission once finalized ---
	let mut bob_admitted = false;
	let mut first = true;
	while !bob_admitted {
		let message: Value = serde_json::from_str(&ws.recv(TIMEOUT).unwrap()).unwrap();
		assert_eq!(message["method"], "repute_admissionChanges", "{message}");
		let changes = message["params"]["result"]["changes"].as_array().unwrap().clone();
		if first {
			assert_eq!(changes.len(), 2, "the first message names every peer: {message}");
			first = false;
		}
		bob_admitted =
			changes.iter().any(|c| c["peer"] == address(bob) && c["decision"] == "admitted");
	}

	// --- bad input ---
	const INVALID_PARAMS: i64 = -32602;
	let (code, message) = error_of(&node, "repute_peerReport", json!(["nobody"]));
	assert_eq!(code, INVALID_PARAMS);
	assert!(message.contains("neither an SS58 address nor a libp2p PeerId"), "{message}");
	let unknown = format!("0x{}", "ab".repeat(32));
	let (code, message) = error_of(&node, "repute_peerReport", json!([address(bob), unknown]));
	assert_eq!(code, 4001);
	assert!(message.contains("unknown block"), "{message}");
	let (code, _) = error_of(&node, "repute_prices", json!([unknown]));
	assert_eq!(code, 4001);
	let (code, _) = error_of(&node, "repute_prices", json!(["0x12"]));
	assert_eq!(code, INVALID_PARAMS, "a hash of the wrong length");
	let too_many = vec![address(bob); repute_rpc_api::MAX_BATCH + 1];
	let (code, message) = error_of(&node, "repute_admissions", json!([too_many]));
	assert_eq!(code, INVALID_PARAMS);
	assert!(message.contains("at most 1024"), "{message}");
	let (code, message) = error_of(&node, "repute_admissions", json!([[address(bob), "bad"]]));
	assert_eq!(code, INVALID_PARAMS);
	assert!(message.starts_with("peers[1]"), "{message}");
	let (code, _) = error_of(&node, "repute_admission", json!([address(bob), "bad viewer"]));
	assert_eq!(code, INVALID_PARAMS);
	let (code, message) =
		error_of(&node, "repute_partners", json!([address(bob), "served", 0, 101]));
	assert_eq!(code, INVALID_PARAMS);
	assert!(message.contains("between 1 and 100"), "{message}");
	let (code, _) = error_of(&node, "repute_partners", json!([address(bob), "sideways"]));
	assert_eq!(code, INVALID_PARAMS);
	let (code, _) = error_of(&node, "repute_partners", json!([address(bob), "served", 10_001]));
	assert_eq!(code, INVALID_PARAMS);
	let (code, _) = error_of(&node, "repute_topPeers", json!([0, 0]));
	assert_eq!(code, INVALID_PARAMS);
	let (code, message) = error_of(&node, "repute_channel", json!([address(charlie), "bad", 0]));
	assert_eq!(code, INVALID_PARAMS);
	assert!(message.starts_with("provider: "), "{message}");
	let (code, _) = error_of(&node, "repute_channel", json!([address(charlie), address(bob)]));
	assert_eq!(code, INVALID_PARAMS, "the service is required");
	let refused = ws.call(2, "repute_subscribeAdmissions", json!([["bad"]])).unwrap();
	assert_eq!(refused["error"]["code"], INVALID_PARAMS, "{refused}");
	node.stop(Duration::from_secs(20));
}
