#!/bin/bash
# SIGINT mid-run: requests in flight get up to 5 s to end, the rest are
# recorded as canceled, and the file is whole: every line parses and the
# request records match the end record. A second signal cancels at once.
. "$TESTS_DIR/sh/lib.sh"
plan 13

start_sim --ttft 20ms --itl 10ms --tokens 2000 || exit 1

# interrupted: 4 clients with 20 s answers, SIGINT after 1.5 s
"$TTFTOP" run -c 4 -d 60s -m sim -o "$T/int.jsonl" "$SIM_URL" >"$T/out" 2>"$T/err" &
pid=$!
sleep 1.5
start=$(date +%s.%N)
kill -INT $pid
wait $pid
status=$?
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
is "$status" 0 "a run stopped by SIGINT exits 0"
check "it ended within 6 s of the signal (took ${took}s)" awk -v t="$took" 'BEGIN { exit !(t < 6.5) }'
check "it waited for the streams in flight (took ${took}s)" awk -v t="$took" 'BEGIN { exit !(t > 4.5) }'
check "every line parses" jq -e . "$T/int.jsonl"
reqs=$(jq -s '[.[] | select(.type == "request")] | length' "$T/int.jsonl")
is "$(jq -s '[.[] | select(.type == "end")][0].requests' "$T/int.jsonl")" "$reqs" \
	"the end record counts every request record ($reqs)"
is "$(jq -s -c '[.[] | select(.type == "request") | .error.kind] | unique' "$T/int.jsonl")" '["canceled"]' \
	"requests still in flight were recorded as canceled"
check "canceled requests keep the tokens they received" \
	jq -e -s 'all(.[] | select(.type == "request"); (.chunks | length) > 100)' "$T/int.jsonl"
is "$(jq -r 'select(.type == "end") | .reason' "$T/int.jsonl")" signal "end reason: signal"
check "the summary was printed, the cancels apart from errors" \
	grep -q "^1 stage, 0 requests, 0 errors, 4 canceled at quit" "$T/out"

# a second signal cancels at once
"$TTFTOP" run -c 2 -d 60s -m sim -o "$T/twice.jsonl" "$SIM_URL" >/dev/null 2>&1 &
pid=$!
sleep 1
start=$(date +%s.%N)
kill -TERM $pid; sleep 0.3; kill -TERM $pid
wait $pid
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
check "a second SIGTERM cancels at once (took ${took}s)" awk -v t="$took" 'BEGIN { exit !(t < 2) }'
is "$(jq -s '[.[] | select(.type == "end")][0].requests' "$T/twice.jsonl")" \
	"$(jq -s '[.[] | select(.type == "request")] | length' "$T/twice.jsonl")" "and the file is whole"

# a closed terminal (SIGHUP) ends the run like SIGTERM: the file is whole
"$TTFTOP" run -c 2 -d 60s -m sim -o "$T/hup.jsonl" "$SIM_URL" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -HUP $pid; sleep 0.3; kill -HUP $pid
wait $pid
is "$(jq -r 'select(.type == "end") | .reason' "$T/hup.jsonl")" signal "SIGHUP: the end record is written"
is "$(jq -s '[.[] | select(.type == "end")][0].requests' "$T/hup.jsonl")" \
	"$(jq -s '[.[] | select(.type == "request")] | length' "$T/hup.jsonl")" "SIGHUP: every request is recorded"
done_testing
