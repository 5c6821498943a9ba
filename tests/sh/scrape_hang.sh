#!/bin/bash
# A metrics endpoint that answers once (the probe at the start) and then
# hangs for 5 s at each scrape costs the load nothing: the sim's TTFT is
# measured as without it, and each scrape past 1 s is a gap, recorded.
. "$TESTS_DIR/sh/lib.sh"
plan 4

start_sim --ttft 50ms --itl 10ms --tokens 20 || exit 1
python3 -c '
import http.server, socketserver, sys, time
class H(http.server.BaseHTTPRequestHandler):
    n = 0
    def do_GET(self):
        H.n += 1
        if H.n > 1:
            time.sleep(5)
        body = b"# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running 1\n"
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass
    def log_message(self, *a):
        pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.timeout = 1
end = time.time() + 60
while time.time() < end:
    s.handle_request()
' >"$T/port" &
SIM_PIDS="$SIM_PIDS $!"
for i in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port")
run_ttftop run --headless -m sim -c 4 -d 6s --server-metrics "http://127.0.0.1:$port/metrics" \
	-o "$T/h.jsonl" "$SIM_URL"
is "$STATUS" 0 "the run completes"
gaps=$(jq -s '[.[] | select(.type == "server" and .error == "no answer within 1 s")] | length' "$T/h.jsonl")
check "the hanging scrapes are recorded as gaps ($gaps)" test "$gaps" -ge 2
p50=$(jq_median "$T/h.jsonl" '.ttft')
p99=$(jq -s '[.[] | select(.type == "request" and .preflight != true) | .ttft] | sort | .[(length * 0.99 | floor)] * 1000' "$T/h.jsonl")
check "TTFT p50 is the sim's 50 ms within noise ($(awk -v v="$p50" 'BEGIN { print v * 1000 }') ms)" \
	awk -v v="$p50" 'BEGIN { exit !(v >= 0.050 && v < 0.053) }'
check "and its p99 too: no request waited on a scrape ($p99 ms)" \
	awk -v v="$p99" 'BEGIN { exit !(v >= 50 && v < 56) }'
done_testing
