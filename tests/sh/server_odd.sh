#!/bin/bash
# A /metrics endpoint that is odd (tests/sh/odd_metrics.py): a line that is
# not a number is skipped and the rest of the scrape kept, a type that
# changes and a series that explodes into label sets are each said once,
# --server-metric keeps a series ttftop does not know, and 100,000 series a
# scrape cost the load nothing.
. "$TESTS_DIR/sh/lib.sh"
plan 12

start_sim --ttft 50ms --itl 10ms --tokens 20 || exit 1
start_odd() {	# start_odd [wide]: its URL in ODD_URL
	python3 "$TESTS_DIR/sh/odd_metrics.py" "$@" >"$T/port.${1:-odd}" &
	SIM_PIDS="$SIM_PIDS $!"
	for i in $(seq 100); do [ -s "$T/port.${1:-odd}" ] && break; sleep 0.1; done
	ODD_URL="http://127.0.0.1:$(cat "$T/port.${1:-odd}")/metrics"
}
start_odd
run_ttftop run --headless -m sim -c 2 -d 4s --server-metrics "$ODD_URL" \
	--server-metric 'my:queue_.*' -o "$T/odd.jsonl" "$SIM_URL"
is "$STATUS" 0 "the run goes on"
is "$(grep -c "server metrics: .*: 1 line off the Prometheus text format skipped (the first, line 3: a sample's value is not a number)$" "$T/err")" 1 \
	"a value that is not a number: said once on stderr, with its line, though every scrape has it"
check "the rest of each scrape is kept: running 3 in all $(jq -s '[.[] | select(.type == "server")] | length' "$T/odd.jsonl") server records" \
	jq -e -s '[.[] | select(.type == "server")] | length >= 4 and all(.m["vllm:num_requests_running"] == 3)' "$T/odd.jsonl"
is "$(grep -c 'vllm:num_requests_running was a gauge, now a counter; read as before$' "$T/err")" 1 \
	"a type that changes mid-run: said once"
is "$(grep -c 'my:queue_depth has 2500 label sets, summed into one$' "$T/err")" 1 \
	"a series of 2,500 label sets: said once, summed"
check "--server-metric keeps a series ttftop does not know (my:queue_depth 2500), and the config says so" \
	jq -e -s '(.[0].config.server_metric == ["my:queue_.*"]) and ([.[] | select(.type == "server")] | all(.m["my:queue_depth"] == 2500))' "$T/odd.jsonl"
is "$(jq -s -c '[.[] | select(.type == "server")][0].m | [.DCGM_FI_DEV_GPU_UTIL, .DCGM_FI_DEV_FB_USED]' "$T/odd.jsonl")" "[70,3000]" \
	"two GPUs: utilisation averaged (80 and 60: 70 %), memory summed"
is "$(jq -s '[.[] | select(.type == "server" and .warning != null)] | length' "$T/odd.jsonl")" 3 \
	"each warning is recorded once in the JSONL, on its scrape's record"
"$TTFTOP" replay --headless "$T/odd.jsonl" >/dev/null 2>"$T/rerr"
is "$?:$(cat "$T/rerr")" "0:" "the file replays"

run_ttftop run --headless -m sim -c 1 -n 1 --server-metric '(' "$SIM_URL"
is "$STATUS:$(head -c 60 "$T/err")" "2:ttftop run: --server-metric: '(' is not a regular expression" \
	"--server-metric with a broken expression: exit 2, named"

# 100,000 series a scrape (2.6 MB): parsed a read at a time between the
# load's own, so TTFT stays what it is without the scrape
run_ttftop run --headless -m sim -c 20 -d 5s --server-metrics none -o "$T/base.jsonl" "$SIM_URL"
start_odd wide
run_ttftop run --headless -m sim -c 20 -d 5s --server-metrics "$ODD_URL" -o "$T/wide.jsonl" "$SIM_URL"
check "100,000 series a scrape: each scrape whole ($(jq -s '[.[] | select(.type == "server" and .m != null)] | length' "$T/wide.jsonl") whole)" \
	jq -e -s '[.[] | select(.type == "server")] | length >= 4 and all(.m["vllm:num_requests_running"] == 3)' "$T/wide.jsonl"
b=$(jq -n "$(jq_median "$T/base.jsonl" .ttft) * 1000"); w=$(jq -n "$(jq_median "$T/wide.jsonl" .ttft) * 1000")
check "and the load's TTFT p50 unchanged ($w ms against $b ms without a scrape)" \
	awk -v b="$b" -v w="$w" 'BEGIN { exit !(w - b < 0.5 && b - w < 0.5) }'
done_testing
