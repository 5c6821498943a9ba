#!/bin/bash
# A misconfigured or failing endpoint: the preflight stops the run with the
# server's own words, a missing -m is asked of the server, failed requests
# back off (Retry-After honoured), the breaker stops a run that only fails,
# and a lack of file descriptors stops it with what to do. Against a small
# server that answers like vLLM (tests/sh/vllm_like.py) and the sim.
. "$TESTS_DIR/sh/lib.sh"
. "$TESTS_DIR/sh/tmux.sh"
plan 31
export PREFLIGHT=1	# the preflight is on, as for a user

start_vllm() {	# start_vllm ARGS...: sets VLLM_URL; logs to $T/vllm.log
	: >"$T/vllm.log"
	python3 "$TESTS_DIR/sh/vllm_like.py" --log "$T/vllm.log" "$@" >"$T/vllm.url" 2>"$T/vllm.err" &
	SIM_PIDS="$SIM_PIDS $!"
	VLLM_PID=$!
	for i in $(seq 100); do
		VLLM_URL=$(head -n 1 "$T/vllm.url")
		case "$VLLM_URL" in http://*) return 0 ;; esac
		sleep 0.05
	done
	echo "# vllm_like.py did not start: $(cat "$T/vllm.err")"
}
records() { jq -c -s "[.[] | select(.type == \"request\")] | $2" "$1"; }

start_vllm
# a wrong model: the preflight alone is sent, and the server's words shown
run_ttftop run --headless -c 4 -d 5s -m nope -o "$T/nope.jsonl" "$VLLM_URL"
is "$STATUS" 1 "a wrong -m: exit 1"
check "stderr says: preflight failed: HTTP 404 from the URL: the server's message" \
	grep -qF "ttftop: preflight failed: HTTP 404 from ${VLLM_URL}/chat/completions: The model \`nope\` does not exist." "$T/err"
is "$(wc -l <"$T/vllm.log" | tr -d ' ')" 1 "one request reached the server"
is "$(records "$T/nope.jsonl" '[.[] | .preflight]')" "[true]" "it is recorded, flagged preflight"
is "$(jq -r 'select(.type == "end") | .reason' "$T/nope.jsonl")" preflight "the end record says why"
# no -m: asked of the server
: >"$T/vllm.log"
run_ttftop run --headless -c 2 -n 2 -o "$T/found.jsonl" "$VLLM_URL"
is "$STATUS" 0 "no -m: the run goes on"
check "stderr: model: the first listed, from /v1/models; 3 served" \
	grep -qF "ttftop: model: meta-llama/Llama-3.1-8B-Instruct, from /v1/models; 3 served, pick one with -m" "$T/err"
is "$(jq -r -s '[.[] | .model] | unique | join(",")' "$T/vllm.log")" "meta-llama/Llama-3.1-8B-Instruct" \
	"every request names it"
is "$(jq -r 'select(.type == "run") | .target.model' "$T/found.jsonl")" "meta-llama/Llama-3.1-8B-Instruct" \
	"the run record keeps it"
is "$(records "$T/found.jsonl" 'map(select(.preflight | not)) | length')" 4 "2 clients x 2 requests after the preflight"
# the breaker: without the preflight, a run that only fails stops by itself
run_ttftop run --headless --no-preflight --max-errors 8 -c 4 -d 30s -m nope -o "$T/breaker.jsonl" "$VLLM_URL"
is "$STATUS:$(jq -r 'select(.type == "end") | .reason' "$T/breaker.jsonl")" 1:errors \
	"--max-errors 8: the run stops, exit 1, end reason errors"
n=$(records "$T/breaker.jsonl" 'length')
check "after 8 failed in a row ($n records: 8, and those in flight then)" test "$n" -ge 8 -a "$n" -le 12
check "stderr names the error and the server's message" \
	grep -qF "8 failed requests in a row, 8 of them http 404: The model \`nope\` does not exist." "$T/err"
check "the summary quotes the server's message beside the count" \
	grep -qxF "  http, the first: HTTP 404: The model \`nope\` does not exist." "$T/out"
# back-off: each failed request's client waits, growing
gaps=$(records "$T/breaker.jsonl" '[.[] | select(.client == 0) | .backoff]')
check "client 0 backs off between failures, longer each time ($gaps)" \
	jq -e 'length >= 2 and (. as $b | [range(1; length)] | all($b[.] >= $b[. - 1] * 0.9))' <<<"$gaps"
kill "$VLLM_PID"; wait "$VLLM_PID" 2>/dev/null
# Retry-After: 2 s is honoured
start_vllm --retry-after 2
run_ttftop run --headless --no-preflight -c 3 -d 5s -m m -o "$T/retry.jsonl" "$VLLM_URL"
n=$(wc -l <"$T/vllm.log" | tr -d ' ')
check "429 with Retry-After: 2, 3 clients for 5 s: at most 3 requests each ($n in all)" test "$n" -le 9 -a "$n" -ge 3
is "$(records "$T/retry.jsonl" '[.[] | select(.error != null and .error.kind != "canceled") | .backoff] | unique')" "[2]" \
	"every failed request waits 2 s (its backoff)"
check "no client sends twice within 2 s" jq -e -s '[.[] | select(.type == "request")] | group_by(.client)
	| all(sort_by(.t) as $r | [range(1; $r | length) | $r[.].t - $r[. - 1].t] | all(. >= 1.99))' "$T/retry.jsonl"
# the screen says who is waiting: 3 clients backing off, none in flight
new_server
tm -f /dev/null new-session -d -s t -x 120 -y 35 \
	"TERM=xterm-256color '$TTFTOP' run --no-preflight -c 3 -d 20s -m m -o '$T/retry-screen.jsonl' '$VLLM_URL'; sleep 30"
check "the screen shows the clients backing off after a 429" wait_for "in flight 0  backing off 3 " 5
tm send-keys -t t q
check "and q ends the run" wait_for "^saved: .*retry-screen.jsonl" 8
kill "$VLLM_PID"; wait "$VLLM_PID" 2>/dev/null
# a dead port, 100 clients for 10 s, the breaker off: about 1,200 records
# (each client's waits grow to 2 s), not 250,000
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run_ttftop run --headless --no-preflight --max-errors 0 -c 100 -d 10s -m m -o "$T/dead.jsonl" "http://127.0.0.1:$port/v1"
n=$(records "$T/dead.jsonl" 'length')
check "a dead port, 100 clients, 10 s, --max-errors 0: $n records (fewer than 2,000)" test "$n" -lt 2000 -a "$n" -ge 500
is "$STATUS:$(jq -r 'select(.type == "end") | .reason' "$T/dead.jsonl")" 1:complete \
	"--max-errors 0 never stops it: the stage runs its 10 s"
# the default breaker: 200 failed in a row stop it, naming the error
run_ttftop run --headless --no-preflight -c 100 -d 10s -m m -o "$T/dead200.jsonl" "http://127.0.0.1:$port/v1"
n=$(records "$T/dead200.jsonl" 'length')
is "$STATUS:$(jq -r 'select(.type == "end") | .reason' "$T/dead200.jsonl")" 1:errors \
	"by default the breaker stops a run that only fails: exit 1"
check "at 200 in a row ($n records: 200, and those in flight then)" test "$n" -ge 200 -a "$n" -le 300
check "naming the most common error and its words" grep -q \
	"^ttftop: 200 failed requests in a row, 200 of them connect: could not connect to 127.0.0.1 port $port" "$T/err"
check "within a second" jq -e -s 'last | .t < 1' "$T/dead200.jsonl"
run_ttftop run --headless -c 100 -d 4s -m m -o "$T/dead2.jsonl" "http://127.0.0.1:$port/v1"
is "$STATUS:$(records "$T/dead2.jsonl" 'length')" 1:1 "with the preflight: exit 1 after one request"
check "saying it could not connect" grep -q "preflight failed: connect error from http://127.0.0.1:$port/v1/chat/completions: could not connect" "$T/err"
# out of file descriptors: the run stops with what to do
start_sim --ttft 500ms --itl 10ms --tokens 10 || exit 1
(ulimit -n 64; exec timeout 60 "$TTFTOP" run --headless --no-preflight -c 200 -d 5s -m sim -o "$T/fd.jsonl" "$SIM_URL") >"$T/out" 2>"$T/err"
STATUS=$?
is "$STATUS:$(jq -r 'select(.type == "end") | .reason' "$T/fd.jsonl")" 1:errors "ulimit -n 64 and 200 clients: exit 1, end reason errors"
check "stderr says what to do (ulimit -n)" grep -q "ran out of resources: Too many open files.*ulimit -n" "$T/err"
n=$(records "$T/fd.jsonl" 'length')
check "$n records, not thousands" test "$n" -lt 400

done_testing
