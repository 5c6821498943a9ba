#!/bin/bash
# The sim publishes /metrics as vLLM does, true to what it serves: at
# capacity 4 with 8 clients, 4 running and 4 waiting, a KV cache filling
# with the tokens in flight, and a TTFT histogram of what it served.
. "$TESTS_DIR/sh/lib.sh"
plan 29

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

# ttftop scrapes the target's own /metrics once a second, into the JSONL
check "the run said it scrapes the target's /metrics" \
	grep -q "^ttftop: server metrics: $base/metrics, [0-9]* series kept$" "$T/err"
check "a server record a second ($(jq -s '[.[] | select(.type == "server")] | length' "$T/m.jsonl") in a ~6 s run)" \
	jq -e -s '[.[] | select(.type == "server")] | length >= 5' "$T/m.jsonl"
check "while 8 clients ran against capacity 4: 4 running and 4 waiting recorded" \
	jq -e -s 'any(.[]; .type == "server" and .m["vllm:num_requests_running"] == 4 and .m["vllm:num_requests_waiting"] == 4)' "$T/m.jsonl"
run_ttftop run --headless -m sim -c 1 -n 2 --server-metrics none -o "$T/none.jsonl" "$SIM_URL"
is "$(jq -s '[.[] | select(.type == "server")] | length' "$T/none.jsonl"):$(grep -c 'server metrics' "$T/err")" "0:0" \
	"--server-metrics none: no scrape, nothing said"
run_ttftop run --headless -m sim -c 1 -n 2 --server-metrics "$SIM_URL/models" -o "$T/json.jsonl" "$SIM_URL"
check "a URL that answers JSON, not Prometheus text: one line, scraping off, the run goes on" \
	bash -c "[ \$(grep -c 'server metrics: none at .*/v1/models (not Prometheus text: application/json' '$T/err') = 1 ] && [ $STATUS = 0 ] && [ \$(jq -s '[.[] | select(.type == \"request\")] | length' '$T/json.jsonl') = 2 ]"
"$TTFTOP" replay --headless "$T/m.jsonl" >/dev/null 2>"$T/rerr"
is "$?:$(cat "$T/rerr")" "0:" "a file with server records replays"
"$TTFTOP" replay --json "$T/m.jsonl" >"$T/m.json"
check "the summary keeps the server's gauges per stage: running max 4, waiting max 4" \
	jq -e '.stages[0].server.running.max == 4 and .stages[0].server.waiting.max == 4 and .stages[0].server.kv_usage.max > 0' "$T/m.json"
"$TTFTOP" replay --headless "$T/m.jsonl" >"$T/m.md"
check "the markdown has the server's table" grep -q '^| stage | server running mean | max |' "$T/m.md"
"$TTFTOP" report -f csv "$T/m.jsonl" >"$T/m.csv"
check "and the csv its columns" python3 -c '
import csv, sys
r = next(csv.DictReader(open(sys.argv[1])))
sys.exit(not (float(r["server_running_max"]) == 4 and float(r["server_waiting_max"]) == 4))' "$T/m.csv"
"$TTFTOP" report -f html "$T/m.jsonl" >"$T/m.html"
check "the html charts the server's queue over the run: running and waiting lines, the stages marked" \
	bash -c "grep -q 'data-chart=\"server-queue\"' '$T/m.html' && grep -q 'data-gauge=\"running\"' '$T/m.html' && grep -q 'data-gauge=\"waiting\"' '$T/m.html' && [ \$(sed -n '/data-chart=\"server-queue\"/,/<\/svg>/p' '$T/m.html' | grep -c 'class=\"sb\"') -ge 1 ]"
check "and each other gauge the scrapes held (KV cache, gen tok/s)" \
	bash -c "grep -q 'data-chart=\"server-kv_usage\"' '$T/m.html' && grep -q 'data-chart=\"server-gen_tok_s\"' '$T/m.html'"

# counters as rates, and the server's own TTFT beside the client's, per
# stage: TTFTs spread over 100-300 ms (a queue's would be bimodal, whose
# median no histogram places)
start_sim --ttft 200ms --jitter 0.5 --tokens 10 --itl 10ms || exit 1
run_ttftop run --headless -m sim -c 2,8 -d 3s -o "$T/r.jsonl" "$SIM_URL"
"$TTFTOP" report -f json "$T/r.jsonl" >"$T/r.json"
grep -o 'le="[^"]*"' "$T/after" | sed 's/le="\(.*\)"/\1/' | sort -u -g >"$T/bounds"
check "the server's TTFT p50 per stage is within a bucket of the client's ($(jq -c '[.stages[] | [.ttft_ms.p50, .server.ttft_ms.p50]]' "$T/r.json") ms)" \
	python3 -c '
import json, sys
bounds = [float(x) * 1000 for x in open(sys.argv[2]) if x.strip() != "+Inf"]
for st in json.load(open(sys.argv[1]))["stages"]:
    c, s = st["ttft_ms"]["p50"], st["server"]["ttft_ms"]["p50"]
    hi = min(b for b in bounds if b >= c)
    lo = max([0] + [b for b in bounds if b < c])
    if abs(c - s) > hi - lo or st["server"]["ttft_ms"]["count"] < 4:
        sys.exit("stage %d: client %g, server %g, bucket %g-%g" % (st["stage"], c, s, lo, hi))' "$T/r.json" "$T/bounds"
check "the server's generation tokens/s (a counter, as its rate) is the client's tok/s, within 10 % ($(jq -c '.stages[1] | [.server.gen_tok_s.mean, .tok_s]' "$T/r.json")); no preemptions" \
	jq -e '.stages[1] | (.server.gen_tok_s.mean - .tok_s | fabs) < .tok_s * 0.1 and .server.preemptions_s.max == 0' "$T/r.json"
check "json gives the p50's bucket, which holds its interpolated p50 ($(jq -c '[.stages[].server | [.ttft_ms.p50, .ttft_p50_bucket_ms]]' "$T/r.json"))" \
	jq -e '[.stages[].server | .ttft_p50_bucket_ms[0] <= .ttft_ms.p50 and .ttft_ms.p50 <= .ttft_p50_bucket_ms[1]] | all' "$T/r.json"
check "the KV cache's use rises with the stage ($(jq -c '[.stages[].server.kv_usage.mean]' "$T/r.json"))" \
	jq -e '.stages[1].server.kv_usage.mean > .stages[0].server.kv_usage.mean' "$T/r.json"
"$TTFTOP" report -f csv "$T/r.jsonl" >"$T/r.csv"
check "the csv carries the server's TTFT per stage, as the json does" python3 -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
js = json.load(open(sys.argv[2]))["stages"]
sys.exit(not all(abs(float(r["server_ttft_p50_ms"]) - j["server"]["ttft_ms"]["p50"]) < 0.01
    and int(r["server_ttft_count"]) == j["server"]["ttft_ms"]["count"]
    and [float(r["server_ttft_p50_bucket_lo_ms"]), float(r["server_ttft_p50_bucket_hi_ms"])] == j["server"]["ttft_p50_bucket_ms"]
    for r, j in zip(rows, js)))' "$T/r.csv" "$T/r.json"
"$TTFTOP" report -f md "$T/r.jsonl" >"$T/r.md"
check "the markdown sets the server's TTFT beside the client's" \
	grep -q '^| stage | TTFT p50 ms client | server | its bucket | outside |' "$T/r.md"
check "and the rates in its gauge table" grep -q 'server gen tok/s mean | max |' "$T/r.md"

# a KV cache of 800 tokens and 8 answers of 200: the requests admitted last
# are preempted, wait again and resume a TTFT later
start_sim --capacity 8 --kv-tokens 800 --ttft 50ms --itl 10ms --tokens 200 || exit 1
run_ttftop run --headless -m sim -c 8 -d 5s -o "$T/kv.jsonl" "$SIM_URL"
"$TTFTOP" report -f json "$T/kv.jsonl" >"$T/kv.json"
curl -s "${SIM_URL%/v1}/metrics" >"$T/kv.metrics"
check "the full KV cache preempts: $(value vllm:num_preemptions_total "$T/kv.metrics") preemptions, the run's rate max $(jq '.stages[0].server.preemptions_s.max' "$T/kv.json")/s" \
	jq -e '.stages[0].server.preemptions_s.max > 0' "$T/kv.json"
check "requests wait with slots free: the cache, not the slots, holds them back" \
	jq -e -s 'any(.[]; .type == "server" and .m["vllm:num_requests_waiting"] > 0 and .m["vllm:num_requests_running"] < 8)' "$T/kv.jsonl"
check "the KV cache is never reported over full ($(jq -s '[.[] | select(.type == "server") | .m["vllm:kv_cache_usage_perc"]] | max' "$T/kv.jsonl") at most)" \
	jq -e -s '[.[] | select(.type == "server") | .m["vllm:kv_cache_usage_perc"]] | max <= 1' "$T/kv.jsonl"
check "a preempted stream waits a TTFT at least between two chunks (ITL max $(jq '.stages[0].itl_ms.max' "$T/kv.json") ms), and every request succeeds" \
	jq -e '.stages[0].itl_ms.max >= 50 and .stages[0].errors == 0' "$T/kv.json"
done_testing
