#!/bin/bash
# The sim publishes /metrics as vLLM does, true to what it serves: at
# capacity 4 with 8 clients, 4 running and 4 waiting, a KV cache filling
# with the tokens in flight, and a TTFT histogram of what it served.
. "$TESTS_DIR/sh/lib.sh"
plan 7

start_sim --capacity 4 --ttft 50ms --itl 10ms --tokens 150 || exit 1
base=${SIM_URL%/v1}
"$TTFTOP" run --headless -m sim -c 8 -d 4s -o "$T/m.jsonl" "$SIM_URL" >"$T/out" 2>"$T/err" &
pid=$!
sleep 2
curl -s -D "$T/head" "$base/metrics" >"$T/metrics"
wait $pid
value() { awk -v m="$1" '$1 ~ "^"m"[{ ]" || $1 == m { print $2; exit }' "$2"; }
check "/metrics is Prometheus text" grep -qi '^content-type: text/plain; version=0.0.4' "$T/head"
is "$(value vllm:num_requests_running "$T/metrics")" 4 "4 running (its capacity)"
is "$(value vllm:num_requests_waiting "$T/metrics")" 4 "4 waiting (8 clients)"
check "the KV cache holds the running requests' tokens ($(value vllm:kv_cache_usage_perc "$T/metrics"))" \
	awk -v v="$(value vllm:kv_cache_usage_perc "$T/metrics")" 'BEGIN { exit !(v > 0 && v < 1) }'
curl -s "$base/metrics" >"$T/after"
n=$(jq -s '[.[] | select(.type == "request" and .ttft != null)] | length' "$T/m.jsonl")
is "$(value 'vllm:time_to_first_token_seconds_count' "$T/after")" "$n" \
	"its TTFT histogram counts every first token served ($n)"
is "$(value vllm:num_requests_running "$T/after"):$(value vllm:kv_cache_usage_perc "$T/after")" "0:0.000000" \
	"idle again: nothing running, the KV cache empty"
# the server's mean TTFT (sum / count) is the client's, less the network
smean=$(awk '$1 ~ /_sum/ { s = $2 } $1 ~ /_count/ { c = $2 } END { print s / c * 1000 }' \
	<(grep '^vllm:time_to_first_token_seconds_\(sum\|count\)' "$T/after"))
cmean=$(jq -s '[.[] | select(.type == "request" and .ttft != null) | .ttft] | add / length * 1000' "$T/m.jsonl")
check "the server's mean TTFT ($smean ms) is within 3 ms below the client's ($cmean ms)" \
	awk -v s="$smean" -v c="$cmean" 'BEGIN { exit !(s <= c + 0.5 && c - s < 3) }'
done_testing
