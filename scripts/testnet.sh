#!/usr/bin/env bash
# A local three-validator Repute network (Alice, Bob, Charlie on the `local` chain) on loopback.
#
#   scripts/testnet.sh          build, start the three validators, wait until they finalise,
#                               print their endpoints, and keep running; Ctrl-C stops them all
#   scripts/testnet.sh stop     stop a network started from another terminal
#   scripts/testnet.sh status   best and finalized block of each validator
#
# Settings (environment): REPUTE_TESTNET_DIR (default /tmp/repute-testnet: base paths and logs),
# REPUTE_TESTNET_RPC_PORT (default 9944; Bob and Charlie take the next two), REPUTE_TESTNET_P2P_PORT
# (default 30333), REPUTE_TESTNET_PROMETHEUS_PORT (default 9615), REPUTE_NODE (a repute-node
# binary to use instead of building one).
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${REPUTE_TESTNET_DIR:-/tmp/repute-testnet}"
rpc_base="${REPUTE_TESTNET_RPC_PORT:-9944}"
p2p_base="${REPUTE_TESTNET_P2P_PORT:-30333}"
prometheus_base="${REPUTE_TESTNET_PROMETHEUS_PORT:-9615}"
names=(alice bob charlie)

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
	for name in "${names[@]}"; do
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
	log "stopped ${#pids[@]} validator(s); base paths and logs stay in $dir"
}

status() {
	for i in 0 1 2; do
		local port=$((rpc_base + i))
		printf '%-8s rpc 127.0.0.1:%s  best %s  finalized %s\n' "${names[$i]}" "$port" \
			"$(block_number "$port" best || echo '-')" "$(block_number "$port" finalized || echo '-')"
	done
}

case "${1:-start}" in
stop) stop_all; exit 0 ;;
status) status; exit 0 ;;
start) ;;
*) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac

if [ -n "${REPUTE_NODE:-}" ]; then
	node="$REPUTE_NODE"
else
	./scripts/setup.sh
	# shellcheck source=lib/build-env.sh
	source scripts/lib/build-env.sh
	cargo build --release --locked --workspace # as dev.sh builds it: the artifacts are shared
	node="${CARGO_TARGET_DIR:-target}/release/repute-node"
fi

for name in "${names[@]}"; do
	if [ -f "$dir/$name.pid" ] && kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
		log "a network already runs from $dir; stop it first with: $0 stop"
		exit 1
	fi
done
mkdir -p "$dir"
trap 'stop_all; exit 130' INT TERM

# Fixed node keys give Alice a known peer id, so Bob and Charlie can bootstrap from her.
for i in 0 1 2; do printf '%064x' $((i + 1)) >"$dir/${names[$i]}.node-key"; done
alice_peer_id=$("$node" key inspect-node-key --file "$dir/alice.node-key")
bootnode="/ip4/127.0.0.1/tcp/$p2p_base/p2p/$alice_peer_id"

for i in 0 1 2; do
	name=${names[$i]}
	args=(--chain local "--$name" --validator --name "$name"
		--base-path "$dir/$name" --node-key-file "$dir/$name.node-key"
		--rpc-port $((rpc_base + i)) --listen-addr "/ip4/127.0.0.1/tcp/$((p2p_base + i))"
		--prometheus-port $((prometheus_base + i)) --no-mdns --no-telemetry)
	[ "$i" -gt 0 ] && args+=(--bootnodes "$bootnode")
	"$node" "${args[@]}" >>"$dir/$name.log" 2>&1 &
	echo $! >"$dir/$name.pid"
done
log "started alice, bob and charlie; logs in $dir/<name>.log"

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
for i in 0 1 2; do
	echo "  ${names[$i]}: ws://127.0.0.1:$((rpc_base + i))  (http too; metrics on 127.0.0.1:$((prometheus_base + i)))"
done
log "Ctrl-C, or '$0 stop' from another terminal, stops all three"
wait
