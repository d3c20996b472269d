#!/usr/bin/env bash
# Runs the FRAME benchmarks of Repute's pallets on this machine and writes their weights.rs.
#
#   scripts/benchmark-pallets.sh                 every Repute pallet, and the runtime's weights
#                                                of frame-system's transaction extensions, of
#                                                an empty block and of a transaction's base
#   scripts/benchmark-pallets.sh pallet_receipts one pallet (or frame_system_extensions, or
#                                                overhead: the block and transaction bases)
#   STEPS=10 REPEAT=5 scripts/benchmark-pallets.sh   a quicker, rougher run
#
# It builds repute-node with `--features runtime-benchmarks` into its own target directory
# (REPUTE_BENCH_TARGET_DIR, default ~/.cache/repute/bench-target), so the everyday build is not
# rebuilt with benchmarking features. Weights are only as good as the machine: run it on the
# reference hardware of the validators, on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."

steps="${STEPS:-50}"
repeat="${REPEAT:-20}"
pallets=("$@")
[ "${#pallets[@]}" -gt 0 ] || pallets=(overhead pallet_receipts pallet_reputation pallet_payments pallet_validator_set frame_system_extensions)

./scripts/setup.sh
# shellcheck source=lib/build-env.sh
source scripts/lib/build-env.sh
export CARGO_TARGET_DIR="${REPUTE_BENCH_TARGET_DIR:-$HOME/.cache/repute/bench-target}"
# frame-benchmarking-cli brings the test runtime of `benchmark storage` (not used here), whose wasm
# build cannot find its package through this workspace's WASM_BUILD_WORKSPACE_HINT and fails.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1
cargo build --release --locked -p repute-node --features runtime-benchmarks
node="$CARGO_TARGET_DIR/release/repute-node"

for pallet in "${pallets[@]}"; do
	if [ "$pallet" = overhead ]; then
		# An empty block, and a block full of `System.remark`s: the runtime's
		# `BlockExecutionWeight` and `ExtrinsicBaseWeight` (block_weights.rs, extrinsic_weights.rs).
		echo "[bench] overhead -> runtime/src/weights/{block,extrinsic}_weights.rs" >&2
		"$node" benchmark overhead --chain dev --weight-path runtime/src/weights/ \
			--header .maintain/HEADER-APACHE2
		# The generated files end with a `#[cfg(test)]` sanity check; in the runtime library it
		# would make `cargo test` compile the whole runtime a second time, so it is cut off here
		# and the same bounds are checked in runtime/tests/integration/weights.rs.
		for file in runtime/src/weights/block_weights.rs runtime/src/weights/extrinsic_weights.rs; do
			sed -i '/^#\[cfg(test)\]$/,$d' "$file"
		done
		continue
	fi
	if [ "$pallet" = frame_system_extensions ]; then
		# A polkadot-sdk benchmark whose weights the runtime configures: the benchmark CLI's own
		# template writes them as `frame_system::ExtensionsWeightInfo`.
		output=runtime/src/weights/frame_system_extensions.rs
		template=()
	else
		dir="pallets/$(tr _ - <<<"${pallet#pallet_}")"
		[ -d "$dir" ] || { echo "no pallet directory $dir for $pallet" >&2; exit 1; }
		output="$dir/src/weights.rs"
		template=(--template .maintain/frame-weight-template.hbs)
	fi
	echo "[bench] $pallet -> $output (steps $steps, repeat $repeat)" >&2
	"$node" benchmark pallet \
		--chain dev \
		--pallet "$pallet" \
		--extrinsic '*' \
		--steps "$steps" \
		--repeat "$repeat" \
		--wasm-execution compiled \
		"${template[@]}" \
		--header .maintain/HEADER-APACHE2 \
		--output "$output"
done

# The generated files in the workspace's formatting (`scripts/test.sh` checks it).
cargo fmt --all
