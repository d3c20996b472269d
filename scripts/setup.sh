#!/usr/bin/env bash
# Installs what building Repute needs, and only what is missing, so it is safe to run every time:
#   - Debian packages: protobuf-compiler (sc-network's build), libssl-dev and pkg-config
#     (litep2p links the system's OpenSSL), git, curl, a C toolchain, fonts-dejavu-core
#     (the font of the simulation's plots) and binaryen (the wasm-opt that compacts the runtime's
#     wasm; tools/wasm-opt runs it instead of compiling Binaryen from source), libjemalloc-dev
#     and libzstd-dev (the node's allocator and the runtime blob's decompression, linked from the
#     system instead of compiled from C; scripts/lib/build-env.sh, .cargo/config.toml);
#   - Rust: the wasm targets and rust-src that substrate-wasm-builder compiles the runtime with,
#     and rustfmt for the format check of scripts/test.sh;
#   - cargo-nextest, the test runner of scripts/test.sh (this machine kind has it; elsewhere it is
#     installed from crates.io, a few minutes' build the first time).
# Run as root, or as a user who may use sudo, on Debian or Ubuntu.
set -euo pipefail

log() { printf '[setup] %s\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_debian_packages() {
	local wanted=(protobuf-compiler libssl-dev pkg-config build-essential git curl fonts-dejavu-core binaryen
		libjemalloc-dev libzstd-dev)
	local missing=()
	for package in "${wanted[@]}"; do
		dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$package")
	done
	if [ "${#missing[@]}" -eq 0 ]; then
		return
	fi
	if ! command -v apt-get >/dev/null; then
		log "missing ${missing[*]}, and there is no apt-get here: install them by hand"
		exit 1
	fi
	log "installing ${missing[*]}"
	as_root apt-get update -qq
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_rust_parts() {
	if ! command -v rustup >/dev/null; then
		log "rustup is needed (https://rustup.rs); cargo alone cannot add the wasm targets"
		exit 1
	fi
	local installed
	installed=$(rustup target list --installed)
	# substrate-wasm-builder prefers wasm32v1-none on current Rust and falls back to
	# wasm32-unknown-unknown; both are small.
	for target in wasm32v1-none wasm32-unknown-unknown; do
		grep -qx "$target" <<<"$installed" || { log "adding Rust target $target"; rustup target add "$target"; }
	done
	local components
	components=$(rustup component list --installed)
	for component in rust-src rustfmt; do
		grep -q "^$component" <<<"$components" ||
			{ log "adding $component"; rustup component add "$component"; }
	done
}

install_test_runner() {
	if cargo nextest --version >/dev/null 2>&1; then
		return
	fi
	log "installing cargo-nextest from crates.io"
	cargo install --locked cargo-nextest
}

install_debian_packages
install_rust_parts
install_test_runner
log "prerequisites are in place"
