# Helpers the benchmark scripts share for a node they start on loopback. Source it; bash only
# (no extra prerequisite).

# A loopback port nothing listens on.
free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
	done
}

# Waits up to `seconds` for the node `pid` to answer JSON-RPC on `port`; if it exits first,
# prints the end of `log` and fails.
wait_for_rpc() {
	local port=$1 pid=$2 log=$3 seconds=$4
	for _ in $(seq 1 "$seconds"); do
		if curl -s -H 'Content-Type: application/json' "http://127.0.0.1:$port" \
			-d '{"jsonrpc":"2.0","id":1,"method":"chain_getHeader","params":[]}' | grep -q '"number"'; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || { echo "the node exited:" >&2; tail -20 "$log" >&2; return 1; }
		sleep 1
	done
	echo "the node did not answer on port $port within $seconds seconds" >&2
	return 1
}
