#!/usr/bin/env bash
# Runs every test of the workspace: the runtime's and pallets' unit tests, and the end-to-end
# tests that start the real repute-node binary on loopback ports they pick.
# It builds in release, the same profile as scripts/dev.sh, with the same features for every
# crate (scripts/check-build-sharing.sh checks it), so both share every artifact.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
# shellcheck source=lib/build-env.sh
source scripts/lib/build-env.sh
cargo fmt --all -- --check
# The check reads the dependency graph offline: on a fresh machine the sources must be fetched first.
cargo fetch --locked
./scripts/check-build-sharing.sh
# Every test in a process of its own, the longest first, two at a time (.config/nextest.toml),
# then the doc examples, which nextest does not run; both reuse the artifacts of `cargo build
# --release --workspace`.
cargo nextest run --release --locked --workspace "$@"
cargo test --release --locked --workspace --doc
