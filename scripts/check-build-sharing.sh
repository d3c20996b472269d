#!/usr/bin/env bash
# Checks that `./scripts/dev.sh` (cargo build --workspace) and `./scripts/test.sh`
# (cargo test --workspace) compile every shared crate with the same features, so that whichever
# runs second reuses the first one's artifacts instead of compiling most of polkadot-sdk again.
# Cargo unifies features per invocation: a dev-dependency that enables a feature the build does
# not (even only `default` where the build enables `std`) gives that crate, and every crate above
# it, a second artifact. Fails naming each such crate. Reads Cargo.lock only: a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

host=$(rustc -vV | sed -n 's/^host: //p')
features() {
	cargo tree --locked --offline --workspace --target "$host" --prefix none -f '{p} [{f}]' "$@" |
		sed 's/ (\*)$//' | sort -u
}
build=$(features -e normal,build)
test=$(features -e normal,build,dev)

# A crate appears once per feature set it is built with (a build dependency may have its own).
# Crates only the tests use may differ; any other line that is not in both is a second artifact.
packages() { sed 's/ \[.*//' | sort -u; }
shared=$(comm -12 <(packages <<<"$build") <(packages <<<"$test"))
differing=$(comm -3 <(echo "$build") <(echo "$test") | sed 's/^\t//' |
	awk -v shared="$shared" 'BEGIN { n = split(shared, s, "\n"); for (i = 1; i <= n; i++) keep[s[i]] = 1 }
		{ name = $0; sub(/ \[.*/, "", name); if (name in keep) print "  " $0 }')
if [ -n "$differing" ]; then
	echo "These crates get other features under cargo test than under cargo build, so dev.sh and" >&2
	echo "test.sh would each compile them (and what depends on them) separately (each line is one" >&2
	echo "feature set that only one of the two builds has):" >&2
	echo "$differing" >&2
	echo "Enable in the dev-dependency only features the build already has (e.g. \"std\", not the" >&2
	echo "default features)." >&2
	exit 1
fi
