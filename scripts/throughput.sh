#!/usr/bin/env bash
# Counts, on a live dev node with its pool kept full, how many receipts and how many balance
# transfers fit in a block (a benchmark, not a test).
#
#   scripts/throughput.sh                  5 full blocks of each kind, receipts in batches of 128,
#                                          256 peers per signature scheme
#   THROUGHPUT_BLOCKS=10 THROUGHPUT_BATCH=512 scripts/throughput.sh
#   THROUGHPUT_PEERS=8192 scripts/throughput.sh   a population larger than twice a block's
#                                          receipts: no receipt finds a peer that an earlier one
#                                          of its block wrote (see docs/performance.md)
#   THROUGHPUT_NEWCOMERS=1 scripts/throughput.sh   keep the chain's stranger_release: every
#                                          peer a newcomer whose allowance is not released yet,
#                                          as in a new network's first blocks (by default
#                                          governance releases allowances at once first)
#   THROUGHPUT_SOAK=1 THROUGHPUT_BLOCKS=600 THROUGHPUT_PEERS=8192 scripts/throughput.sh
#                                          the node's memory over an hour of full blocks: the
#                                          ed25519 receipt phase alone, signed as the feed needs
#                                          them; per block and in a summary the node's RSS and its
#                                          anonymous part (the rest is mapped database files)
#   THROUGHPUT_MEMORY_LIMIT=2G THROUGHPUT_SOAK=1 ... scripts/throughput.sh
#                                          the node runs in a memory cgroup of that size (root,
#                                          cgroup v1 or v2): its heap and the page cache of its
#                                          database files together are kept within it, or the
#                                          kernel kills it; the summary gives the cgroup's peak
#   THROUGHPUT_NODE_ARGS="--trie-cache-size 268435456" scripts/throughput.sh
#                                          more flags for the node; a --pool-limit or
#                                          --pool-kbytes given here replaces the script's own
#
# Builds the production repute-node (the target directory the README's commands share) and the
# load generator `overlay/examples/throughput.rs`, starts `repute-node --dev` on loopback ports it
# picks, and runs the generator: it registers THROUGHPUT_PEERS peers with ed25519 keys and as many
# with sr25519 keys and with ECDSA keys, then keeps the pool full of pre-signed receipt batches (one
# receipt per distinct provider/consumer pair; ed25519, then sr25519, then ECDSA), then of
# pre-signed balance transfers. Per
# block it prints the items included, the normal-class weight used, the real build time and why
# building stopped (the node's "Prepared block for proposing" line) and the node's RSS; then,
# per kind, the medians over the blocks that were full and charged weight ÷ real build time. The
# node is stopped on exit, also on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
# shellcheck source=lib/build-env.sh
source scripts/lib/build-env.sh
cargo build --release --locked --workspace # as dev.sh builds it: the artifacts are shared
cargo build --release --locked -p repute-overlay --features devnet --example throughput
target="${CARGO_TARGET_DIR:-target}"
node="$target/release/repute-node"
generator="$target/release/examples/throughput"

source scripts/lib/node.sh
rpc_port="$(free_port)"
p2p_port="$(free_port)"
base="$(mktemp -d)"
log="$base/node.log"
read -r -a node_args <<<"${THROUGHPUT_NODE_ARGS:-}"
# A pool large enough for the load generator to keep it full, unless the flags above set one.
for default in "--pool-limit 100000" "--pool-kbytes 512000"; do
	[[ " ${node_args[*]} " == *" ${default%% *} "* ]] || read -r -a node_args <<<"$default ${node_args[*]}"
done
# With a memory limit, the node starts in a memory cgroup of its own.
source scripts/lib/memory-cgroup.sh
memory_limit="${THROUGHPUT_MEMORY_LIMIT:-}"
[[ -z "$memory_limit" ]] || memory_cgroup_create repute-throughput
"${MEMORY_CGROUP_LAUNCHER[@]}" "$node" --dev --base-path "$base/db" --rpc-port "$rpc_port" --no-prometheus --no-telemetry \
	--listen-addr "/ip4/127.0.0.1/tcp/$p2p_port" --rpc-max-connections 256 \
	"${node_args[@]}" >"$log" 2>&1 &
node_pid=$!
cleanup() {
	kill "$node_pid" 2>/dev/null || true
	wait "$node_pid" 2>/dev/null || true
	memory_cgroup_remove
	rm -rf "$base"
}
trap cleanup EXIT INT TERM

wait_for_rpc "$rpc_port" "$node_pid" "$log" 120
[[ -z "$memory_limit" ]] || memory_cgroup_limit "$memory_limit" throughput
status=0
"$generator" "$rpc_port" "$log" "$node_pid" "${THROUGHPUT_BLOCKS:-5}" "${THROUGHPUT_BATCH:-128}" \
	"${THROUGHPUT_PEERS:-256}" ${THROUGHPUT_NEWCOMERS:+newcomers} ${THROUGHPUT_SOAK:+soak} || status=$?
# ParityDB doubles a column's hash index as it fills and moves the entries over in the
# background; the run shows when, to read beside the memory by block.
awk '/Prepared block for proposing at/ { for (i = 1; i <= NF; i++) if ($i == "at") block = $(i + 1) }
	/reindex/ { if (!shown++) print "\nthe database reindexing (node log):"; print "  after block " block ": " $0 }' "$log"
if [[ -n "$memory_limit" ]]; then
	echo
	echo "node memory cgroup: limit $memory_limit; peak charge $(memory_cgroup_peak_mib) MiB (heap and" \
		"page cache, since the limit was set); processes killed for want of memory: $(memory_cgroup_oom_kills)"
fi
exit "$status"
