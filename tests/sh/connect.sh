#!/bin/bash
# The direct transport gives each address but the last a few seconds to
# connect: a host whose first address black-holes SYNs is reached on its
# second in seconds, not after the whole --timeout. The name is made to
# resolve to two addresses in a private mount namespace (root only).
. "$TESTS_DIR/sh/lib.sh"
plan 3

hosts=$T/hosts
if [ "$(id -u)" != 0 ] || ! unshare -m --propagation private true 2>/dev/null; then
	for i in 1 2 3; do skip "connect timeout per address" "needs root and unshare -m"; done
	exit 0
fi
start_sim --listen 127.0.0.2:0 --ttft 5ms --itl 1ms --tokens 4 || exit 1
port=${SIM_URL##*:}; port=${port%%/*}
# the first address: a listener whose backlog is full, so SYNs go unanswered
python3 - "$port" >"$T/hole.log" 2>&1 <<'PY' &
import socket, sys, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(0)
held = []
for _ in range(3):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(("127.0.0.1", int(sys.argv[1])))
    except BlockingIOError: pass
    held.append(c)
print("ready", flush=True)
time.sleep(60)
PY
SIM_PIDS="$SIM_PIDS $!"
for i in $(seq 100); do grep -q ready "$T/hole.log" && break; sleep 0.05; done
printf '127.0.0.1 two.test\n127.0.0.2 two.test\n' >"$hosts"

start=$(date +%s.%N)
timeout 60 unshare -m --propagation private bash -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' _ "$hosts" \
	"$TTFTOP" run --headless --transport direct -c 1 -n 2 --timeout 30s -m sim -o "$T/two.jsonl" \
	"http://two.test:$port/v1" >"$T/out" 2>"$T/err"
status=$?
took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
is "$status:$(jq -s -c '[.[] | select(.type == "request") | [.status, .error]] | unique' "$T/two.jsonl")" \
	'0:[[200,null]]' "two.test (a black hole, then the sim): both requests answered ($(tail -1 "$T/err"))"
first=$(jq -s -r '[.[] | select(.type == "request")][0] | "\(.phases.connect) \(.ttft)"' "$T/two.jsonl")
check "the first waited for the black hole about 3 s, not 30 s, in its connect phase, not its TTFT (connect, TTFT: $first s)" \
	awk -v c="${first% *}" -v t="${first#* }" 'BEGIN { exit !(c >= 2.9 && c < 10 && t < 1) }'
check "the run took seconds ($took s)" awk -v t="$took" 'BEGIN { exit !(t < 15) }'

done_testing
