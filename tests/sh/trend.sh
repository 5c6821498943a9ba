#!/bin/bash
# report --trend: five nightly runs, the endpoint 40 ms slower from the
# fourth on: the step is shown and marked, the runs before it are not, in
# md, csv, json and html; --baseline picks the run compared against.
. "$TESTS_DIR/sh/lib.sh"
plan 9

start_sim --ttft 50ms --itl 10ms --tokens 20 --jitter 0.2 --seed 3 || exit 1
fast=$SIM_URL
start_sim --ttft 90ms --itl 10ms --tokens 20 --jitter 0.2 --seed 3 || exit 1
slow=$SIM_URL
for n in 1 2 3 4 5; do
	url=$fast
	[ $n -ge 4 ] && url=$slow
	run_ttftop run --headless -m sim -c 2 -d 2s -o "$T/night$n.jsonl" "$url"
done
# given out of order: the trend is by start time
"$TTFTOP" report --trend -f json "$T/night3.jsonl" "$T/night1.jsonl" "$T/night5.jsonl" \
	"$T/night2.jsonl" "$T/night4.jsonl" >"$T/t.json"
is "$?:$(jq -r '[.runs[].label] | join(" ")' "$T/t.json")" \
	"0:night1.jsonl night2.jsonl night3.jsonl night4.jsonl night5.jsonl" "runs in the order they began, by file"
is "$(jq -r '[.runs[].ttft_p50_ms.verdict] | join(",")' "$T/t.json")" \
	"baseline,no significant change,no significant change,slower,slower" \
	"the TTFT step in the fourth run is marked slower there and after, not before"
check "by about +80 %, give or take the 16 requests a run has ($(jq -c '[.runs[].ttft_p50_ms.change_pct]' "$T/t.json"))" \
	jq -e '[.runs[3,4].ttft_p50_ms.change_pct | . > 50 and . < 120] | all' "$T/t.json"
"$TTFTOP" report --trend "$T"/night*.jsonl >"$T/t.md"
check "markdown: a row per run, the step marked" \
	bash -c "[ \$(grep -c '^| night[1-5].jsonl' '$T/t.md') = 5 ] && grep -q '^| night4.jsonl | [^|]* | [0-9.]* | +[0-9.]*% (slower) |' '$T/t.md'"
"$TTFTOP" report --trend -f csv "$T"/night*.jsonl >"$T/t.csv"
check "csv: the same figures as json" python3 -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
js = json.load(open(sys.argv[2]))["runs"]
sys.exit(not all(abs(float(r["ttft_p50_ms"]) - j["ttft_p50_ms"]["value"]) < 0.001 for r, j in zip(rows, js)))' "$T/t.csv" "$T/t.json"
"$TTFTOP" report --trend -f html -o "$T/t.html" "$T"/night*.jsonl
check "html: a chart a figure, five points each, the last two red in TTFT" \
	bash -c "[ \$(grep -c 'data-chart=\"trend-' '$T/t.html') = 5 ] && [ \$(sed -n '/data-chart=\"trend-ttft_p50_ms\"/,/<\\/svg>/p' '$T/t.html' | grep -c 'class=\"pt slower\"') = 2 ]"
"$TTFTOP" report --trend --baseline "$T/night5.jsonl" -f json "$T"/night[1-4].jsonl >"$T/b.json"
is "$(jq -r '[.runs[] | select(.baseline) | .label], [.runs[0].ttft_p50_ms.verdict] | join(",")' "$T/b.json")" \
	"night5.jsonl
faster" "--baseline FILE: compared against it (the first night faster than the fifth)"
"$TTFTOP" report --trend --price hour:4 -f json "$T"/night*.jsonl >"$T/c.json"
check "priced, the trend has each run's \$ per 1M output tokens, dearer where slower ($(jq -c '[.runs[].cost_per_mtok_out.value]' "$T/c.json"))" \
	jq -e '[.runs[].cost_per_mtok_out.value] | (.[0:3] | max) < (.[3:5] | min) and (map(. != null) | all)' "$T/c.json"
"$TTFTOP" report --baseline "$T/night1.jsonl" "$T/night2.jsonl" >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "2:ttftop report: --baseline is for --trend" "--baseline without --trend: exit 2"
done_testing
