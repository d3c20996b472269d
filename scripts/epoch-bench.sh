#!/usr/bin/env bash
# Measures a global-trust epoch on a live node over 1,000,000 local-trust edges (a benchmark,
# not a test).
#
#   scripts/epoch-bench.sh                    until the epoch is published (at most 3 hours)
#   EPOCH_BENCH_MAX_MINUTES=30 scripts/epoch-bench.sh
#   EPOCH_BENCH_NODE_ARGS="--trie-cache-size 268435456" EPOCH_BENCH_LINGER_MINUTES=30 \
#     scripts/epoch-bench.sh                  node flags of the operator's choice; RSS followed
#                                             for 30 minutes more after the publication
#                                             (the per-block figures stay the first epoch's)
#   EPOCH_BENCH_MEMORY_LIMIT=2G scripts/epoch-bench.sh
#                                             once the genesis is built, the node runs in a memory
#                                             cgroup of that size (root, cgroup v1 or v2): what it
#                                             holds, heap and page cache of its database files
#                                             together, is kept within it, or the kernel kills it
#
# Builds repute-node with the `synthetic-population` feature (in the target directory
# `RPC_BENCH_TARGET_DIR` that scripts/rpc-bench.sh uses, so the production node is never
# replaced) and the governance helper `overlay/examples/start_epoch.rs`, starts
# `repute-node --chain rpc-bench` (100,000 synthetic peers, each served by ten others) on
# loopback ports it picks, names four synthetic peers founders and brings the epoch forward
# through sudo, then follows the node's log until `EpochPublished`. It prints, per block of the
# epoch, what the runtime reports (`-l runtime::reputation=debug`: steps, edges visited, trust
# pages loaded and written, weight charged) beside the block's real build time (the node's
# "Prepared block for proposing" line), then a summary: blocks to publication, iterations,
# edges per block, blocks per iteration, charged weight over real build time, and the node's
# RSS over the run, with the part of it that is the node's own (anonymous) memory: the rest is
# ParityDB's memory-mapped files, page cache that the kernel takes back under pressure. The node
# is stopped on exit, also on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
# shellcheck source=lib/build-env.sh
source scripts/lib/build-env.sh
export CARGO_TARGET_DIR="${RPC_BENCH_TARGET_DIR:-$HOME/.cache/repute/rpc-bench-target}"
cargo build --release --locked -p repute-node --features synthetic-population
cargo build --release --locked -p repute-overlay --features secret-uri --example start_epoch
node="$CARGO_TARGET_DIR/release/repute-node"
start_epoch="$CARGO_TARGET_DIR/release/examples/start_epoch"
max_minutes="${EPOCH_BENCH_MAX_MINUTES:-180}"
linger_minutes="${EPOCH_BENCH_LINGER_MINUTES:-0}"
read -r -a node_args <<<"${EPOCH_BENCH_NODE_ARGS:-}"
memory_limit="${EPOCH_BENCH_MEMORY_LIMIT:-}"

source scripts/lib/node.sh
rpc_port="$(free_port)"
p2p_port="$(free_port)"
base="$(mktemp -d)"
log="$base/node.log"
rss="$base/rss.tsv"
# With a memory limit, the node starts in a memory cgroup of its own, limited once its genesis is
# built.
source scripts/lib/memory-cgroup.sh
[[ -z "$memory_limit" ]] || memory_cgroup_create repute-epoch-bench
"${MEMORY_CGROUP_LAUNCHER[@]}" "$node" --chain rpc-bench --alice --validator --force-authoring --base-path "$base/db" \
	--node-key 0000000000000000000000000000000000000000000000000000000000000001 \
	--rpc-port "$rpc_port" --no-prometheus --no-telemetry \
	--listen-addr "/ip4/127.0.0.1/tcp/$p2p_port" \
	-l runtime::reputation=debug,sc_basic_authorship=info "${node_args[@]}" >"$log" 2>&1 &
node_pid=$!
cleanup() {
	kill "$node_pid" 2>/dev/null || true
	wait "$node_pid" 2>/dev/null || true
	memory_cgroup_remove
	rm -rf "$base"
}
trap cleanup EXIT INT TERM

echo "[epoch-bench] building the genesis state (100,000 peers) and starting the node..." >&2
wait_for_rpc "$rpc_port" "$node_pid" "$log" 900
# The genesis's transient peak, above the limit, is over by now.
[[ -z "$memory_limit" ]] || memory_cgroup_limit "$memory_limit" epoch-bench
"$start_epoch" "$rpc_port" >&2

# RSS and its anonymous part, in KiB, tab-separated.
memory_of() { awk '/^VmRSS:/ { rss = $2 } /^RssAnon:/ { anon = $2 } END { print rss "\t" anon }' "/proc/$1/status"; }
started="$(date +%s)"
echo "[epoch-bench] following the epoch (RSS sampled every 30 s)..." >&2
while :; do
	now="$(date +%s)"
	echo -e "$(( (now - started) / 60 ))\t$(memory_of "$node_pid")" >>"$rss"
	grep -q 'reputation: epoch [0-9]* published' "$log" && break
	kill -0 "$node_pid" 2>/dev/null || { echo "the node exited:" >&2; tail -20 "$log" >&2; exit 1; }
	if (( now - started > max_minutes * 60 )); then
		echo "[epoch-bench] not published within $max_minutes minutes; partial figures follow" >&2
		break
	fi
	sleep 30
done
if (( linger_minutes > 0 )); then
	echo "[epoch-bench] following the node's RSS for $linger_minutes minutes more..." >&2
	until=$(( $(date +%s) + linger_minutes * 60 ))
	while (( $(date +%s) < until )); do
		kill -0 "$node_pid" 2>/dev/null || { echo "the node exited:" >&2; tail -20 "$log" >&2; exit 1; }
		sleep 30
		echo -e "$(( ($(date +%s) - started) / 60 ))\t$(memory_of "$node_pid")" >>"$rss"
	done
fi

if [[ -n "$memory_limit" ]]; then
	echo "node memory cgroup: limit $memory_limit, the node alive at the end; peak charge $(memory_cgroup_peak_mib) MiB (heap and page cache, since the limit was set)"
fi

# Per block: the runtime's line for the epoch, and the authorship line for the same block.
# Runtime line: "reputation: epoch E block B phase P iteration I: S spread over V edges,
#   D damped, C compacted, R reviewed; pages L loaded W written; charged X us"
# Authorship line: "Prepared block for proposing at B (T ms) ..."
awk -v rss="$rss" '
	/reputation: epoch [0-9]+ block [0-9]+ / {
		# Only the first epoch that worked in this run (a lingering run sees the next ones).
		for (i = 1; i <= NF; i++) if ($i == "epoch") { epoch = $(i + 1); break }
		if (first_epoch == "") first_epoch = epoch
		if (epoch != first_epoch) next
		for (i = 1; i <= NF; i++) {
			if ($i == "block") block = $(i + 1)
			if ($i == "iteration") iteration[block] = $(i + 1) + 0
			if ($i == "phase") phase[block] = $(i + 1)
			if ($i == "spread") spread[block] = $(i - 1) + 0
			if ($i == "edges,") edges[block] = $(i - 1) + 0
			if ($i == "loaded") loaded[block] = $(i - 1) + 0
			if ($i == "written;") written[block] = $(i - 1) + 0
			if ($i == "charged") charged[block] = $(i + 1) + 0
		}
		blocks[++n] = block
	}
	/reputation: epoch [0-9]+ published/ { if (published == "") published = $0 }
	/Prepared block for proposing at/ {
		for (i = 1; i <= NF; i++) if ($i == "at") { b = $(i + 1); t = $(i + 2); gsub(/[(]/, "", t); built[b] = t + 0 }
	}
	END {
		if (n == 0) { print "no epoch block was logged"; exit 1 }
		printf "| block | iteration | consumers spread | edges | pages loaded | pages written | charged (ms) | built (ms) |\n"
		printf "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
		for (k = 1; k <= n; k++) {
			b = blocks[k]
			if (k <= 5 || k > n - 5 || k % 50 == 0)
				printf "| %d | %d | %d | %d | %d | %d | %.1f | %s |\n", b, iteration[b], spread[b], edges[b], loaded[b], written[b], charged[b] / 1000, (b in built) ? built[b] : "?"
			total_edges += edges[b]; total_charged += charged[b]
			if (b in built) {
				total_built += built[b]; charged_built += charged[b]
				p = phase[b]; phase_blocks[p]++; phase_charged[p] += charged[b]; phase_built[p] += built[b]
				if (built[b] > charged[b] / 1000) phase_under[p]++
				if (built[b] > phase_slowest[p]) phase_slowest[p] = built[b]
			}
			if (edges[b] > max_edges) max_edges = edges[b]
			last_iteration = iteration[b]
		}
		print ""
		printf "blocks with epoch work: %d (blocks %d to %d)\n", n, blocks[1], blocks[n]
		printf "iterations reached: %d; blocks per iteration: %.1f\n", last_iteration + 1, n / (last_iteration + 1)
		printf "edges visited: %d; per block: %.0f on average, %d at most\n", total_edges, total_edges / n, max_edges
		if (total_built > 0) printf "charged weight / real build time: %.2f (blocks with a build time)\n", charged_built / 1000 / total_built
		for (p in phase_blocks)
			printf "  %s (the phase a block ended in): %d blocks, charged / built %.2f, %d built in more time than charged, the slowest %d ms\n", p, phase_blocks[p], phase_charged[p] / 1000 / phase_built[p], phase_under[p], phase_slowest[p]
		print (published != "" ? published : "the epoch was not published in this run")
		while ((getline line < rss) > 0) { split(line, f, "\t"); if (f[2] > max_rss) max_rss = f[2]; if (min_rss == 0 || f[2] < min_rss) min_rss = f[2]; if (f[3] > max_anon) max_anon = f[3]; last_rss = f[2]; last_anon = f[3]; minutes = f[1] }
		printf "node RSS: %.0f MiB at least, %.0f MiB at most, %.0f MiB after %d minutes\n", min_rss / 1024, max_rss / 1024, last_rss / 1024, minutes
		printf "of which anonymous (the node'"'"'s own; the rest is mapped database files): %.0f MiB at most, %.0f MiB at the end\n", max_anon / 1024, last_anon / 1024
		close(rss); printf "node RSS (anonymous) by minute:"; while ((getline line < rss) > 0) { split(line, f, "\t"); if (f[1] % 5 == 0 && !(f[1] in shown)) { shown[f[1]] = 1; printf " %d:%.0f (%.0f)", f[1], f[2] / 1024, f[3] / 1024 } }; printf " (MiB)\n"
	}
' "$log"
