#!/bin/bash
# At one client the measured TTFT and ITL match what the sim was told, and
# every chunk's recorded arrival matches the sim's own send time.
. "$TESTS_DIR/sh/lib.sh"
plan 12

start_sim --ttft 100ms --itl 20ms --tokens 30 --truth "$T/truth.jsonl" || exit 1
run_ttftop run --headless -c 1 -n 10 -m sim -o "$T/run.jsonl" "$SIM_URL"
is "$STATUS" 0 "run exits 0"
stop_sim "$SIM_PID"

n=$(jq -s '[.[] | select(.type == "request")] | length' "$T/run.jsonl")
is "$n" 10 "10 request records"
near "$(jq_median "$T/run.jsonl" '.ttft * 1000')" 100 5 "median TTFT within 5 ms of --ttft"
near "$(jq_median "$T/run.jsonl" '[.chunks as $c | range(1; $c | length) | ($c[.] - $c[. - 1]) * 1000]')" 20 1 \
	"median ITL within 1 ms of --itl"
is "$(jq -s '[.[] | select(.type == "request") | .output_tokens] | unique' -c "$T/run.jsonl")" "[30]" \
	"every request has exactly 30 tokens"
is "$(jq -s '[.[] | select(.type == "request") | .tokens_from] | unique' -c "$T/run.jsonl")" '["usage"]' \
	"counts come from the server's usage"
is "$(jq -s '[.[] | select(.type == "request") | .chunks | length] | unique' -c "$T/run.jsonl")" "[30]" \
	"30 content chunks each (the role-only and usage chunks are not tokens)"
near "$(jq_median "$T/run.jsonl" '(.ttlt - .ttft) / (.output_tokens - 1) * 1000')" 20 1 "median TPOT near --itl"
is "$(jq -s '[.[] | select(.type == "end")][0].requests' "$T/run.jsonl")" 10 "end record counts 10 requests"

# Join each recorded chunk with the sim's send time by X-Request-Id and index.
prefix=$(jq -r 'select(.type == "run") | .mono0' "$T/run.jsonl")
is "$(jq -s 'map(select(.chunk != null)) | length' "$T/truth.jsonl")" 300 "the sim logged 300 chunks (and, apart, when it read each request)"
jq -n --slurpfile run "$T/run.jsonl" --slurpfile truth "$T/truth.jsonl" '
	($run | map(select(.type == "run"))[0].mono0) as $m0 |
	($truth | map({key: "\(.id | sub("^[0-9]+-"; ""))/\(.chunk)", value: .t}) | from_entries) as $sent |
	[$run[] | select(.type == "request") | . as $r | range(0; .chunks | length) as $i |
		($m0 + $r.t + $r.chunks[$i]) - $sent["\($r.id)/\($i)"]] | sort |
	{n: length, min: min, median: .[length / 2 | floor], max: max}' > "$T/err.json"
is "$(jq .n "$T/err.json")" 300 "every chunk was matched to its send time"
# a busy machine (make -j) may delay a few reads; the median says whether
# the clocks are right, and no chunk is ever seen before it was sent
check "client arrival - sim send: never below -0.1 ms, median under 1 ms, max under 50 ms" \
	jq -e '.min > -0.0001 and .median < 0.001 and .max < 0.05' "$T/err.json"
echo "# timing error: $(cat "$T/err.json"); mono0 $prefix"
done_testing
