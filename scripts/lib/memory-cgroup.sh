# Runs a node the benchmark scripts start inside a memory cgroup of its own (cgroup v1 or v2;
# needs root), so that what it holds, its heap and the page cache of its database files together,
# is kept within a limit, or the kernel kills it. Source it; bash only.
#
#   memory_cgroup_create NAME      creates the cgroup; sets MEMORY_CGROUP (its directory) and
#                                  MEMORY_CGROUP_LAUNCHER (a command prefix that starts a
#                                  process in it, keeping its PID)
#   memory_cgroup_limit LIMIT TAG  limits it (LIMIT as the kernel takes it: 2G, 2147483648)
#   memory_cgroup_peak_mib         the most it was charged since the limit (v1; v2's peak
#                                  includes what came before, where it cannot be reset)
#   memory_cgroup_oom_kills        how many processes the kernel killed in it for want of memory
#   memory_cgroup_remove           removes it once its processes are gone

MEMORY_CGROUP=""
MEMORY_CGROUP_LAUNCHER=()

memory_cgroup_create() {
	local name=$1
	if [[ -d /sys/fs/cgroup/memory ]]; then
		MEMORY_CGROUP="/sys/fs/cgroup/memory/$name-$$"
	else
		MEMORY_CGROUP="/sys/fs/cgroup/$name-$$"
	fi
	mkdir "$MEMORY_CGROUP"
	# shellcheck disable=SC2016
	MEMORY_CGROUP_LAUNCHER=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$MEMORY_CGROUP")
}

# What the cgroup is charged now, in MiB.
memory_cgroup_usage_mib() {
	echo $(($(cat "$MEMORY_CGROUP/memory.usage_in_bytes" 2>/dev/null ||
		cat "$MEMORY_CGROUP/memory.current") / 1048576))
}

# The kernel refuses a limit below what it cannot reclaim at once (EBUSY): dirty pages of the
# database's files must be written back first, so this syncs and retries for a minute.
memory_cgroup_limit() {
	local limit=$1 tag=$2 limit_file="$MEMORY_CGROUP/memory.max" attempt
	[[ -f "$MEMORY_CGROUP/memory.limit_in_bytes" ]] && limit_file="$MEMORY_CGROUP/memory.limit_in_bytes"
	for attempt in $(seq 1 30); do
		sync
		if (echo "$limit" >"$limit_file") 2>/dev/null; then
			break
		fi
		if ((attempt == 30)); then
			echo "[$tag] the kernel would not limit the node to $limit (charged: $(memory_cgroup_usage_mib) MiB)" >&2
			return 1
		fi
		sleep 2
	done
	[[ -f "$MEMORY_CGROUP/memory.max_usage_in_bytes" ]] && echo 0 >"$MEMORY_CGROUP/memory.max_usage_in_bytes"
	echo "[$tag] the node now runs in $MEMORY_CGROUP, limited to $limit" >&2
}

memory_cgroup_peak_mib() {
	echo $(($(cat "$MEMORY_CGROUP/memory.max_usage_in_bytes" 2>/dev/null ||
		cat "$MEMORY_CGROUP/memory.peak" 2>/dev/null || echo 0) / 1048576))
}

memory_cgroup_oom_kills() {
	awk '$1 == "oom_kill" { print $2; found = 1 } END { if (!found) print 0 }' \
		"$MEMORY_CGROUP/memory.oom_control" 2>/dev/null || awk '$1 == "oom_kill" { print $2 }' "$MEMORY_CGROUP/memory.events"
}

memory_cgroup_remove() {
	[[ -z "$MEMORY_CGROUP" ]] || rmdir "$MEMORY_CGROUP" 2>/dev/null || true
}
