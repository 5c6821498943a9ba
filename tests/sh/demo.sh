#!/bin/bash
# `ttftop demo` starts the sim, runs the ramp against it, and stops the sim
# however it ends.
. "$TESTS_DIR/sh/lib.sh"
plan 8

cd "$T" || exit 1
timeout 60 "$TTFTOP" demo --headless -c 1,4 -d 2s -o demo.jsonl >out 2>err
is "$?" 0 "demo exits 0"
is "$(jq -s -c '[.[] | select(.type == "stage") | .clients]' demo.jsonl)" "[1,4]" "it ran the stages asked for"
check "the summary has both stages" grep -q "^| 2 | 4 |" out
check "no request failed" jq -e -s 'all(.[] | select(.type == "request"); .error == null)' demo.jsonl
url=$(jq -r 'select(.type == "run") | .target.url' demo.jsonl)
check "the sim is gone after the demo ($url)" bash -c "! curl -s -m 2 '${url%/v1}/health'"

# SIGTERM mid-demo: the run ends whole and the sim goes with it
"$TTFTOP" demo --headless -d 30s -o term.jsonl >/dev/null 2>&1 &
pid=$!
for i in $(seq 50); do [ -s term.jsonl ] && break; sleep 0.1; done
sleep 1
kill -TERM $pid
wait $pid
is "$?" 0 "demo stopped by SIGTERM exits 0"
is "$(jq -r 'select(.type == "end") | .reason' term.jsonl)" signal "its end record is written"
url=$(jq -r 'select(.type == "run") | .target.url' term.jsonl)
check "its sim is gone too" bash -c "! curl -s -m 2 '${url%/v1}/health'"
done_testing
