#!/usr/bin/env bash
# Measures what one storage read and one storage write cost on this machine's ParityDB, on the
# 100,000-peer synthetic state, and writes them as the runtime's `DbWeight`
# (runtime/src/weights/paritydb_weights.rs). A benchmark, not a test; takes about 15 minutes warm.
#
#   scripts/benchmark-storage.sh
#
# 1. Exports the `rpc-bench` chain (the dev chain plus 100,000 synthetic peers and 1,000,000 pair
#    entries) as a raw chain spec, with the node scripts/rpc-bench.sh builds (feature
#    `synthetic-population`, target directory RPC_BENCH_TARGET_DIR).
# 2. With the node scripts/benchmark-pallets.sh builds (feature `runtime-benchmarks`, target
#    directory REPUTE_BENCH_TARGET_DIR), writes that state into a fresh ParityDB and runs
#    `benchmark storage` twice on 200,000 keys picked at random: once to bring the database into
#    the page cache, as on a validator that has been running (not recorded), then the measured run.
#    Writes are committed in batches of 10,000 keys, about what one full block of receipts
#    writes, so the trie root's cost is shared as in a block.
# Weights are only as good as the machine: run it on the validators' reference hardware.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
# shellcheck source=lib/build-env.sh
source scripts/lib/build-env.sh
work="${STORAGE_BENCH_DIR:-$HOME/.cache/repute/storage-bench}"
mkdir -p "$work"

synthetic_target="${RPC_BENCH_TARGET_DIR:-$HOME/.cache/repute/rpc-bench-target}"
CARGO_TARGET_DIR="$synthetic_target" \
	cargo build --release --locked -p repute-node --features synthetic-population
echo "[storage] exporting the 100,000-peer state as a raw chain spec..." >&2
"$synthetic_target/release/repute-node" build-spec --chain rpc-bench --raw >"$work/rpc-bench-raw.json"

bench_target="${REPUTE_BENCH_TARGET_DIR:-$HOME/.cache/repute/bench-target}"
# See scripts/benchmark-pallets.sh: the CLI's storage-access test runtime is not built.
CARGO_TARGET_DIR="$bench_target" SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1 \
	cargo build --release --locked -p repute-node --features runtime-benchmarks
node="$bench_target/release/repute-node"

rm -rf "$work/db" "$work/warm-up"
mkdir -p "$work/warm-up"
common=(benchmark storage --chain "$work/rpc-bench-raw.json" --base-path "$work/db"
	--database paritydb --state-version 1 --keys-limit 200000 --batch-size 10000 --random-seed 1)
echo "[storage] warm-up run (not recorded)..." >&2
"$node" "${common[@]}" --skip-write --weight-path "$work/warm-up"
echo "[storage] measured run..." >&2
"$node" "${common[@]}" --weight-path runtime/src/weights/ \
	--template-path .maintain/db-weight-template.hbs --header .maintain/HEADER-APACHE2
