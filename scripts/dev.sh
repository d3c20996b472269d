#!/usr/bin/env bash
# Builds repute-node in release and starts a single-validator development chain.
#   RPC (HTTP and WebSocket): 127.0.0.1:9944    Prometheus: 127.0.0.1:9615
# The chain lives in a temporary directory and is gone when the node stops; pass
# `--base-path DIR` to keep it. Extra arguments go to repute-node, e.g. `./scripts/dev.sh -lrepute=debug`.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cargo build --release --locked -p repute-node
node="${CARGO_TARGET_DIR:-target}/release/repute-node"
echo "[dev] starting $node --dev (Ctrl-C stops it)" >&2
exec "$node" --dev --rpc-port 9944 "$@"
