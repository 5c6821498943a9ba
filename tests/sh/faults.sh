#!/bin/bash
# Each fault the sim injects is recorded as an error sample of the right
# kind, with the server's status and detail, and the run goes on.
. "$TESTS_DIR/sh/lib.sh"
plan 24

# fault KIND: runs 3 requests that all meet the fault; sets $F to the file
fault() {
	start_sim --ttft 20ms --itl 10ms --tokens 10 --fail "$1" --fail-rate 1 || exit 1
	F="$T/$1.jsonl"
	run_ttftop run -c 1 -n 3 -m sim --timeout 1s -o "$F" "$SIM_URL"
	stop_sim "$SIM_PID"
}
kinds() { jq -s -c '[.[] | select(.type == "request") | .error.kind] | unique' "$F"; }

fault http500
is "$(kinds)" '["http"]' "http500: kind http"
is "$(jq -s -c '[.[] | select(.type == "request") | .status] | unique' "$F")" "[500]" "http500: status 500"
check "http500: the server's message is the detail" \
	jq -e -s 'all(.[] | select(.type == "request"); .error.detail == "simulated internal error")' "$F"
is "$STATUS" 1 "every request failed: exit 1"

fault http429
is "$(jq -s -c '[.[] | select(.type == "request") | [.error.kind, .status, .error.detail]] | unique' "$F")" \
	'[["http",429,"rate limited (simulated)"]]' "http429: kind http, status 429, detail"
check "summary counts errors by kind" grep -q "^errors: http 3" "$T/out"

fault reset
is "$(kinds)" '["protocol"]' "reset mid-stream: kind protocol"
check "reset: tokens before the reset were kept" \
	jq -e -s '[.[] | select(.type == "request") | .chunks | length] | min >= 4' "$F"

fault stall
is "$(kinds)" '["timeout"]' "stall: kind timeout (after --timeout 1s)"
check "stall: the chunks before the stall are kept" \
	jq -e -s '[.[] | select(.type == "request") | .chunks | length] | min >= 4' "$F"

fault garbage
is "$(kinds)" '["protocol"]' "garbage: kind protocol"
check "garbage: the detail quotes the bad line" \
	jq -e -s 'all(.[] | select(.type == "request"); .error.detail | test("non-JSON data line: this is not json"))' "$F"

fault no-done
is "$(kinds)" '["protocol"]' "no-done: kind protocol"
check "no-done: the detail says [DONE] is missing" \
	jq -e -s 'all(.[] | select(.type == "request"); .error.detail | test("DONE"))' "$F"

fault slow-headers
is "$(kinds)" '["timeout"]' "slow-headers past --timeout: kind timeout"

# Half the requests fail: the run goes on, and counts both.
start_sim --ttft 10ms --itl 2ms --tokens 5 --fail http500 --fail-rate 0.5 --seed 3 || exit 1
run_ttftop run -c 2 -n 10 -m sim -o "$T/half.jsonl" "$SIM_URL"
stop_sim "$SIM_PID"
is "$STATUS" 0 "some requests succeed: exit 0"
ok_n=$(jq -s '[.[] | select(.type == "request" and .error == null)] | length' "$T/half.jsonl")
err_n=$(jq -s '[.[] | select(.type == "request" and .error != null)] | length' "$T/half.jsonl")
is "$((ok_n + err_n))" 20 "all 20 requests recorded"
check "both successes ($ok_n) and errors ($err_n)" test "$ok_n" -gt 0 -a "$err_n" -gt 0
is "$(jq -s '[.[] | select(.type == "end")][0].errors' "$T/half.jsonl")" "$err_n" "end record counts the errors"

# Nobody listening: connect errors, exit 1.
start_sim || exit 1
dead_url=$SIM_URL
stop_sim "$SIM_PID"
run_ttftop run -c 1 -n 2 -o "$T/dead.jsonl" "$dead_url"
is "$(jq -s -c '[.[] | select(.type == "request") | .error.kind] | unique' "$T/dead.jsonl"):$STATUS" \
	'["connect"]:1' "refused connection: kind connect, exit 1"

# TLS to a plain HTTP port: kind tls; a name that does not resolve: kind dns.
start_sim || exit 1
run_ttftop run -n 1 --timeout 5s -o "$T/tls.jsonl" "https://${SIM_URL#http://}"
is "$(jq -r 'select(.type == "request") | .error.kind' "$T/tls.jsonl")" tls "TLS handshake failure: kind tls"
run_ttftop run -n 1 --timeout 5s -o "$T/dns.jsonl" http://no-such-host.invalid/v1
is "$(jq -r 'select(.type == "request") | .error.kind' "$T/dns.jsonl")" dns "unresolvable host: kind dns"

# a server that answers a whole JSON object where a stream was asked for
start_sim || exit 1
for tr in direct curl; do
	run_ttftop run -m sim -n 1 --transport $tr --body '{"stream": false}' -o "$T/json-$tr.jsonl" "$SIM_URL"
	is "$(jq -r 'select(.type == "request") | .error.detail' "$T/json-$tr.jsonl")" \
		'answer was application/json, not a stream (does the server honour "stream": true?)' \
		"$tr: a JSON answer to a streaming request is named as such"
done
done_testing
