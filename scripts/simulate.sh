#!/usr/bin/env bash
# Runs the side-by-side simulation of serving policies (docs/simulation.md).
#
#   scripts/simulate.sh                          every scenario under every policy (about an hour)
#   scripts/simulate.sh --scenario baseline      one scenario, every policy
#   scripts/simulate.sh --scenario churn --policy repute-global --churn-peers 1000
#
# Each run starts its own fresh `repute-node --dev --tmp` on loopback ports it picks (stopped when
# the run ends, also on failure), shortens the chain's epochs and half-lives through sudo, funds
# and registers the population, and runs it in one process on libp2p's memory transport.
# Results go to target/simulation (or --out): samples.csv, one PNG per scenario, summary.md.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
# shellcheck source=lib/build-env.sh
source scripts/lib/build-env.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/repute/target}"
# The whole workspace, as scripts/dev.sh and scripts/test.sh build it, so the artifacts are shared.
cargo build --release --locked --workspace
exec "$CARGO_TARGET_DIR/release/repute-sim" --out "${OUT:-target/simulation}" "$@"
