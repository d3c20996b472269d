#!/usr/bin/env bash
# Builds the workspace's binaries in release (repute-node, and the repute-share and repute-sim
# apps), then starts a single-validator development chain. It builds the whole workspace rather
# than the node alone because cargo resolves features per invocation: built alone, the node's
# dependencies get other features than under scripts/test.sh, and each script would compile most
# of polkadot-sdk again after the other.
#   RPC (HTTP and WebSocket): 127.0.0.1:9944    Prometheus: 127.0.0.1:9615
# The chain lives in a temporary directory and is gone when the node stops; pass
# `--base-path DIR` to keep it. Extra arguments go to repute-node, e.g. `./scripts/dev.sh -lrepute=debug`.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
# shellcheck source=lib/build-env.sh
source scripts/lib/build-env.sh
cargo build --release --locked --workspace
node="${CARGO_TARGET_DIR:-target}/release/repute-node"
echo "[dev] starting $node --dev (Ctrl-C stops it)" >&2
exec "$node" --dev --rpc-port 9944 "$@"
