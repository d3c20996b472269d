#!/usr/bin/env bash
# A local four-validator Repute network (Alice, Bob, Charlie, Dave on the `local` chain) on
# loopback. Any one of the four may stop and the others keep finalising (GRANDPA needs three of
# four); one that authors nothing for a whole session (ten blocks) is removed by the chain.
#
#   scripts/testnet.sh                build, start the four validators, wait until they finalise,
#                                     print their endpoints, and keep running; Ctrl-C stops them
#   scripts/testnet.sh add-validator  (while the network runs, from another terminal) start a fifth
#                                     node, Eve, have it make session keys, and print the calls
#                                     that make her a validator through governance
#                                     (docs/governance.md, "Adding a validator")
#   scripts/testnet.sh stop           stop a network started from another terminal
#   scripts/testnet.sh status         best and finalized block of each node
#
# Settings (environment): REPUTE_TESTNET_DIR (default /tmp/repute-testnet: base paths and logs),
# REPUTE_TESTNET_RPC_PORT (default 9944; Bob, Charlie, Dave and Eve take the next four),
# REPUTE_TESTNET_P2P_PORT (default 30333), REPUTE_TESTNET_PROMETHEUS_PORT (default 9615),
# REPUTE_NODE (a repute-node binary to use instead of building one).
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${REPUTE_TESTNET_DIR:-/tmp/repute-testnet}"
rpc_base="${REPUTE_TESTNET_RPC_PORT:-9944}"
p2p_base="${REPUTE_TESTNET_P2P_PORT:-30333}"
prometheus_base="${REPUTE_TESTNET_PROMETHEUS_PORT:-9615}"
names=(alice bob charlie dave)
# Every node the script may start, the validators first: Eve joins through `add-validator`.
all_names=(alice bob charlie dave eve)
# Eve's sr25519 account (//Eve), the owner her session keys are proven for.
eve_account=0xe659a7a1628cdd93febc04a4e0646ea20e9f5f0ce097d9a05290d4a9e054df4e

log() { printf '[testnet] %s\n' "$*" >&2; }

rpc() { # rpc PORT METHOD [PARAMS]
	curl -sf -m 5 -H 'Content-Type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":${3:-[]}}" "http://127.0.0.1:$1"
}

block_number() { # block_number PORT best|finalized
	local params='[]'
	if [ "$2" = finalized ]; then
		local hash
		hash=$(rpc "$1" chain_getFinalizedHead | sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p') || return 1
		params="[\"$hash\"]"
	fi
	local hex
	hex=$(rpc "$1" chain_getHeader "$params" | sed -n 's/.*"number":"0x\([0-9a-f]*\)".*/\1/p') || return 1
	[ -n "$hex" ] && echo $((16#$hex))
}

stop_all() {
	local pids=()
	for name in "${all_names[@]}"; do
		local pid_file="$dir/$name.pid"
		[ -f "$pid_file" ] || continue
		local pid
		pid=$(cat "$pid_file")
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" && pids+=("$pid")
		fi
		rm -f "$pid_file"
	done
	for pid in "${pids[@]}"; do
		for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	done
	log "stopped ${#pids[@]} node(s); base paths and logs stay in $dir"
}

status() {
	for i in "${!all_names[@]}"; do
		[ -f "$dir/${all_names[$i]}.pid" ] || continue
		local port=$((rpc_base + i))
		printf '%-8s rpc 127.0.0.1:%s  best %s  finalized %s\n' "${all_names[$i]}" "$port" \
			"$(block_number "$port" best || echo '-')" "$(block_number "$port" finalized || echo '-')"
	done
}

start_node() { # start_node INDEX [EXTRA ARGS...]
	local i=$1
	shift
	local name=${all_names[$i]}
	local args=(--chain local --validator --name "$name"
		--base-path "$dir/$name" --node-key-file "$dir/$name.node-key"
		--rpc-port $((rpc_base + i)) --listen-addr "/ip4/127.0.0.1/tcp/$((p2p_base + i))"
		--prometheus-port $((prometheus_base + i)) --no-mdns --no-telemetry "$@")
	[ "$i" -gt 0 ] && args+=(--bootnodes "$bootnode")
	"$node" "${args[@]}" >>"$dir/$name.log" 2>&1 &
	echo $! >"$dir/$name.pid"
}

find_node() {
	if [ -n "${REPUTE_NODE:-}" ]; then
		node="$REPUTE_NODE"
	else
		./scripts/setup.sh
		# shellcheck source=lib/build-env.sh
		source scripts/lib/build-env.sh
		cargo build --release --locked --workspace # as dev.sh builds it: the artifacts are shared
		node="${CARGO_TARGET_DIR:-target}/release/repute-node"
	fi
}

# Fixed node keys give Alice a known peer id, so the others can bootstrap from her.
node_keys() {
	mkdir -p "$dir"
	for i in "${!all_names[@]}"; do printf '%064x' $((i + 1)) >"$dir/${all_names[$i]}.node-key"; done
	alice_peer_id=$("$node" key inspect-node-key --file "$dir/alice.node-key")
	bootnode="/ip4/127.0.0.1/tcp/$p2p_base/p2p/$alice_peer_id"
}

add_validator() {
	[ -f "$dir/alice.pid" ] && kill -0 "$(cat "$dir/alice.pid")" 2>/dev/null ||
		{ log "no network runs from $dir; start it first with: $0"; exit 1; }
	if [ -f "$dir/eve.pid" ] && kill -0 "$(cat "$dir/eve.pid")" 2>/dev/null; then
		log "Eve's node runs already"
	else
		find_node
		node_keys
		start_node 4
		log "started Eve's node; log in $dir/eve.log"
	fi
	local port=$((rpc_base + 4)) deadline=$((SECONDS + 120)) answer=
	until answer=$(rpc "$port" author_rotateKeysWithOwner "[\"$eve_account\"]" 2>/dev/null) &&
		[ -n "$answer" ]; do
		[ "$SECONDS" -lt "$deadline" ] || { log "Eve's node does not answer; see $dir/eve.log"; exit 1; }
		sleep 2
	done
	local keys proof
	keys=$(sed -n 's/.*"keys":"\(0x[0-9a-f]*\)".*/\1/p' <<<"$answer")
	proof=$(sed -n 's/.*"proof":"\(0x[0-9a-f]*\)".*/\1/p' <<<"$answer")
	cat <<EOF_STEPS
Eve's node made session keys (in its keystore, $dir/eve) and the proof that Eve holds them:
  keys:  $keys
  proof: $proof
Make her a validator through governance (polkadot.js apps, connected to ws://127.0.0.1:$rpc_base;
docs/governance.md, "Adding a validator"):
  1. as Eve:    session.setKeys(keys, proof) with the two values above
  2. as Alice:  technicalCommittee.propose(threshold 2, validatorSet.addValidator(Eve), length)
  3. as Alice, then as Bob: technicalCommittee.vote(the motion's hash, its index, aye)
  4. as anyone: technicalCommittee.close(hash, index, weight bound, length)
She authors from the second session rotation after the motion passes (sessions last ten blocks):
'$0 status' shows her node, and her log shows "Prepared block for proposing".
EOF_STEPS
}

case "${1:-start}" in
stop) stop_all; exit 0 ;;
status) status; exit 0 ;;
add-validator) add_validator; exit 0 ;;
start) ;;
*) echo "usage: $0 [start|add-validator|stop|status]" >&2; exit 2 ;;
esac

find_node
for name in "${all_names[@]}"; do
	if [ -f "$dir/$name.pid" ] && kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
		log "a network already runs from $dir; stop it first with: $0 stop"
		exit 1
	fi
done
node_keys
trap 'stop_all; exit 130' INT TERM

for i in "${!names[@]}"; do
	start_node "$i" "--${names[$i]}"
done
log "started alice, bob, charlie and dave; logs in $dir/<name>.log"

deadline=$((SECONDS + 180))
until [ "$(block_number "$rpc_base" finalized 2>/dev/null || echo 0)" -ge 1 ]; do
	for name in "${names[@]}"; do
		kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null ||
			{ log "$name exited; see $dir/$name.log"; stop_all; exit 1; }
	done
	if [ "$SECONDS" -ge "$deadline" ]; then
		log "no finalized block after 180 s; see the logs in $dir"
		stop_all
		exit 1
	fi
	sleep 2
done

log "the network finalises blocks. RPC endpoints:"
for i in "${!names[@]}"; do
	echo "  ${names[$i]}: ws://127.0.0.1:$((rpc_base + i))  (http too; metrics on 127.0.0.1:$((prometheus_base + i)))"
done
log "'$0 add-validator' from another terminal adds Eve through governance"
log "Ctrl-C, or '$0 stop' from another terminal, stops them all"
wait
