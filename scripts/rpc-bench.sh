#!/usr/bin/env bash
# Measures the speed of the repute_* RPC on a large state (a benchmark, not a test).
#
#   scripts/rpc-bench.sh            10 seconds per run
#   SECONDS_PER_RUN=30 scripts/rpc-bench.sh
#
# Builds repute-node with the `synthetic-population` feature (in a target directory of its own,
# `RPC_BENCH_TARGET_DIR`), starts it with `--chain rpc-bench` (the dev chain plus 100,000
# synthetic registered peers and 1,000,000 pair entries, written at genesis) on loopback ports it
# picks, waits for it, runs the load generator `rpc/examples/rpc_bench.rs` (admission, batched
# admission, batched admission seen by one viewer, peer report and subjective trust at
# concurrency 1, 16 and 64), prints a Markdown table, and stops the node, also on failure or
# Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
# shellcheck source=lib/build-env.sh
source scripts/lib/build-env.sh
# The `rpc-bench` chain exists only in a node built with the `synthetic-population` feature, which
# changes the runtime: that build has a target directory of its own, so it never replaces the
# production node the other scripts and the tests build.
export CARGO_TARGET_DIR="${RPC_BENCH_TARGET_DIR:-$HOME/.cache/repute/rpc-bench-target}"
cargo build --release --locked --workspace --bins --examples \
	--features repute-node/synthetic-population
node="$CARGO_TARGET_DIR/release/repute-node"
bench="$CARGO_TARGET_DIR/release/examples/rpc_bench"

source scripts/lib/node.sh
rpc_port="$(free_port)"
p2p_port="$(free_port)"
base="$(mktemp -d)"
log="$base/node.log"
"$node" --chain rpc-bench --alice --validator --force-authoring --base-path "$base/db" \
	--node-key 0000000000000000000000000000000000000000000000000000000000000001 \
	--rpc-port "$rpc_port" --no-prometheus --no-telemetry \
	--rpc-max-connections 256 --listen-addr "/ip4/127.0.0.1/tcp/$p2p_port" >"$log" 2>&1 &
node_pid=$!
cleanup() { kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; rm -rf "$base"; }
trap cleanup EXIT INT TERM

echo "[rpc-bench] building the genesis state (100,000 peers) and starting the node..." >&2
wait_for_rpc "$rpc_port" "$node_pid" "$log" 600
"$bench" "$rpc_port" "${SECONDS_PER_RUN:-10}"
