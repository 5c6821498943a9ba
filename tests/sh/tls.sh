#!/bin/bash
# https against `ttftop sim --tls`: the sim's TLS is real (curl's own client
# reads it), ttftop trusts its certificate with --cacert and measures the
# sim's timing through it, cold connections too; without --cacert or -k
# the run stops with a tls error naming the cause; -k skips the check; a
# missing --cacert file is a usage error; the direct transport (https's
# default) and curl give the same verdicts.
. "$TESTS_DIR/sh/lib.sh"
plan 28
SIM=$TTFTOP_BIN		# the sim's own options, without run's defaults

start_sim --tls --tls-cert-out "$T/ca.pem" --ttft 100ms --itl 20ms --tokens 10 \
	--truth "$T/truth.jsonl" || exit 1
case "$SIM_URL" in https://127.0.0.1:*/v1) ok 0 "the sim's first line is its https URL ($SIM_URL)" ;;
	*) ok 1 "the sim's first line is its https URL (got '$SIM_URL')" ;; esac
port=${SIM_URL##*:}; port=${port%/v1}
chat='{"model":"sim","stream":true,"messages":[{"role":"user","content":"hi"}]}'
body=$(timeout 10 curl -sS --cacert "$T/ca.pem" "https://localhost:$port/v1/chat/completions" -d "$chat")
check "curl trusts the written certificate for localhost and reads the stream to [DONE]" \
	grep -q 'tok10.*' <<<"$body"
check "... and the stream ends with data: [DONE]" test "$(tail -n 1 <<<"$body")" = "data: [DONE]"
body=$(timeout 10 curl -sS --http1.0 --cacert "$T/ca.pem" "$SIM_URL/chat/completions" -d "$chat")
check "a close-delimited answer (HTTP/1.0) ends cleanly (close_notify)" test "$(tail -n 1 <<<"$body")" = "data: [DONE]"
timeout 10 curl -sS "$SIM_URL/models" >/dev/null 2>"$T/curl.err"
is "$?" 60 "curl without the certificate refuses it (exit 60: $(head -n 1 "$T/curl.err"))"

# --cacert: the sim's timing, measured through TLS
run_ttftop run --headless --timeout 10s -c 4 -n 3 -m sim --cacert "$T/ca.pem" -o "$T/ca.jsonl" "$SIM_URL"
is "$STATUS" 0 "--cacert: exit 0"
is "$(jq -s -c '[.[] | select(.type == "request") | [.status, .error, .output_tokens, (.chunks | length)]] | unique' "$T/ca.jsonl")" \
	'[[200,null,10,10]]' "12 requests, each of 10 tokens with a time for every chunk"
is "$(jq -r 'select(.type == "run") | "\(.config.transport) \(.config.cacert)"' "$T/ca.jsonl")" \
	"direct $T/ca.pem" "the run record says direct (https is the direct transport's too), and the CA file trusted"
near "$(jq_median "$T/ca.jsonl" '.ttft * 1000')" 102 6 "TTFT p50 in ms through TLS"
cold=$(jq -s '[.[] | select(.type == "request")] | group_by(.client) | map(min_by(.t) | .ttft * 1000) | sort | .[length / 2 | floor]' "$T/ca.jsonl")
near "$cold" 102 6 "TTFT of each client's first request counts from its send, after the handshake (median)"
check "the handshake is in its phases: connect, then TLS, then the send" jq -e -s \
	'[.[] | select(.type == "request")] | group_by(.client) | map(min_by(.t).phases) |
	 all(.connect > 0 and .tls > .connect and .sent >= .tls)' "$T/ca.jsonl"
check "a kept connection's requests have no TLS phase" jq -e -s \
	'[.[] | select(.type == "request")] | group_by(.client) | map(sort_by(.t)[1:][].phases) |
	 length > 0 and all(.tls == null and .sent < 0.005)' "$T/ca.jsonl"
near "$(jq_median "$T/ca.jsonl" '[.chunks as $c | range(1; $c | length) | ($c[.] - $c[. - 1]) * 1000]')" 20 3 "ITL p50 in ms"
run_ttftop run --headless --transport curl --timeout 10s -c 2 -n 2 -m sim --cacert "$T/ca.pem" \
	-o "$T/ca-curl.jsonl" "$SIM_URL"
is "$STATUS:$(jq -s -c '[.[] | select(.type == "request") | [.error, .output_tokens]] | unique' "$T/ca-curl.jsonl")" \
	'0:[[null,10]]' "--transport curl --cacert: the same answers"
stop_sim "$SIM_PID"
# the first chunk's arrival against when the sim handed it to TLS
err=$(jq -n --slurpfile run "$T/ca.jsonl" --slurpfile truth "$T/truth.jsonl" '
	($run | map(select(.type == "run"))[0].mono0) as $m0 |
	($truth | map(select(.chunk == 0) | {key: (.id | sub("^[0-9]+-"; "")), value: .t}) | from_entries) as $sent |
	[$run[] | select(.type == "request") | (($m0 + .t + .chunks[0]) - $sent["\(.id)"]) * 1000] | sort | .[length / 2 | floor]')
check "the first chunk arrives within 3 ms of the sim's send (median $err ms)" \
	awk -v e="$err" 'BEGIN { exit !(e != "null" && e >= 0 && e < 3) }'

# without --cacert or -k: the sim's certificate is not trusted
start_sim --tls --ttft 20ms --itl 5ms --tokens 5 || exit 1
PREFLIGHT=1 run_ttftop run --headless --timeout 10s -c 2 -n 2 -m sim -o "$T/untrusted.jsonl" "$SIM_URL"
is "$STATUS" 1 "untrusted: exit 1 (the preflight failed)"
check "stderr says: preflight failed: tls error, and why" grep -qF \
	"ttftop: preflight failed: tls error from $SIM_URL/chat/completions: SSL certificate problem: self-signed certificate" "$T/err"
is "$(jq -s -c '[.[] | select(.type == "request") | .error.kind]' "$T/untrusted.jsonl")" '["tls"]' \
	"one request, recorded with error kind tls"
run_ttftop run --headless --timeout 10s --max-errors 4 -c 2 -d 20s -m sim -o "$T/untrusted2.jsonl" "$SIM_URL"
is "$STATUS:$(jq -s -c '[.[] | select(.type == "request") | .error.kind] | unique' "$T/untrusted2.jsonl")" '1:["tls"]' \
	"--no-preflight: every request fails with kind tls, the run stops (exit 1)"
run_ttftop run --headless --timeout 10s -c 1 -n 1 -m sim --cacert /etc/ssl/certs/ca-certificates.crt \
	-o "$T/system.jsonl" "$SIM_URL"
is "$STATUS:$(jq -r 'select(.type == "request") | .error.kind' "$T/system.jsonl")" 1:tls \
	"--cacert with the system's CAs only: the self-signed certificate fails, kind tls"
# -k
run_ttftop run --headless --timeout 10s -k -c 2 -n 2 -m sim -o "$T/k.jsonl" "$SIM_URL"
is "$STATUS:$(jq -s -c '[.[] | select(.type == "request") | [.error, .output_tokens]] | unique' "$T/k.jsonl")" \
	'0:[[null,5]]' "-k: the run works, 4 requests of 5 tokens"
is "$(jq -r 'select(.type == "run") | .config.insecure' "$T/k.jsonl")" true "the run record says insecure"
# usage errors
run_ttftop run --headless --cacert "$T/none.pem" -m sim -o "$T/x.jsonl" "$SIM_URL"
is "$STATUS" 2 "a missing --cacert file: exit 2"
check "naming it" grep -qF "ttftop run: --cacert: $T/none.pem: No such file or directory" "$T/err"
# curl's TLS: the same verdicts
run_ttftop run --headless --transport curl --timeout 10s -c 2 -n 2 -m sim -o "$T/curl.jsonl" "$SIM_URL"
is "$STATUS:$(jq -r 'select(.type == "request") | .error.detail' "$T/curl.jsonl" | sort -u)" \
	"1:SSL certificate problem: self-signed certificate" "--transport curl, untrusted: the same kind and words"
run_ttftop run --headless --transport curl -k -c 2 -n 2 -m sim -o "$T/curl.jsonl" "$SIM_URL"
is "$STATUS:$(jq -s -c '[.[] | select(.type == "request") | [.error, .output_tokens]] | unique' "$T/curl.jsonl")" \
	'0:[[null,5]]' "--transport curl -k: 4 requests of 5 tokens"
stop_sim "$SIM_PID"

# a certificate and key of the user's own (made by the openssl command)
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=own \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$T/own.key" -out "$T/own.pem" 2>/dev/null
	start_sim --tls-cert "$T/own.pem" --tls-key "$T/own.key" --ttft 20ms --itl 5ms --tokens 5 || exit 1
	run_ttftop run --headless --timeout 10s -c 1 -n 2 -m sim --cacert "$T/own.pem" -o "$T/own.jsonl" "$SIM_URL"
	is "$STATUS:$(jq -s -c '[.[] | select(.type == "request") | .output_tokens]' "$T/own.jsonl")" '0:[5,5]' \
		"--tls-cert and --tls-key: served, and trusted with --cacert"
	stop_sim "$SIM_PID"
else
	skip "--tls-cert and --tls-key" "no openssl command"
fi
"$SIM" sim --tls-cert "$T/own.pem" >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "2:ttftop sim: --tls-cert and --tls-key go together" "sim: --tls-cert alone is a usage error"
done_testing
