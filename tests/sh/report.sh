#!/bin/bash
# ttftop report: md is the run's own summary, json its JSON summary, csv every
# statistic per stage; the formats hold the same numbers; bad input writes
# nothing.
. "$TESTS_DIR/sh/lib.sh"
plan 17

start_sim --ttft 20ms --itl 4ms --tokens 10 --jitter 0.4 || exit 1
fast=$SIM_URL
start_sim --ttft 60ms --itl 4ms --tokens 10 --jitter 0.4 || exit 1
slow=$SIM_URL
run_ttftop run --headless -c 1,2 -n 4 -m m -o "$T/fast.jsonl" "$fast"
cp "$T/out" "$T/fast.live.md"
run_ttftop run --json -c 1,2 -n 4 -m m -o "$T/slow.jsonl" "$slow"
cp "$T/out" "$T/slow.live.json"

"$TTFTOP" report "$T/fast.jsonl" >"$T/fast.md"
same "md of one file is the run's own summary, byte for byte" "$T/fast.live.md" "$T/fast.md"
"$TTFTOP" report --format json "$T/slow.jsonl" >"$T/slow.json"
same "json of one file is the run's --json summary, byte for byte" "$T/slow.live.json" "$T/slow.json"

"$TTFTOP" report -f csv --label fast --label 'slow, "b"' -o "$T/both.csv" "$T/fast.jsonl" "$T/slow.jsonl"
is "$?" 0 "csv of two files to -o"
python3 - "$T/both.csv" >"$T/csv.txt" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(len(rows), len(rows[0]))
for r in rows:
    print("|".join([r["label"], r["stage"], r["requests"], r["ttft_p50_ms"], r["ttft_p99.9_ms"], r["itl_count"]]))
PY
is "$(head -1 "$T/csv.txt")" "4 64" "a csv reader finds 4 rows (2 files x 2 stages) of 64 columns"
is "$(tail -n 4 "$T/csv.txt" | cut -d'|' -f1-3 | tr '\n' ';')" 'fast|1|4;fast|2|8;slow, "b"|1|4;slow, "b"|2|8;' \
	"labels (quoted where needed), stages and request counts"

# goodput and rate columns for an open-loop run with objectives
run_ttftop run --json -r 30 -d 2s --slo ttft:22ms -m m -o "$T/slo.jsonl" "$fast"
"$TTFTOP" report -f csv "$T/slo.jsonl" >"$T/slo.csv"
check "csv: the rate, and goodput as the summary has it (to the csv's 3 decimals)" python3 -c '
import csv, json, sys
r = next(csv.DictReader(open(sys.argv[1])))
j = json.load(open(sys.argv[2]))["stages"][0]
ok = (float(r["rate"]) == j["rate"] and
      abs(float(r["goodput_share"]) - j["goodput"]["share"]) <= 0.0011 and
      abs(float(r["goodput_req_s"]) - j["goodput"]["req_s"]) <= 0.0011)
sys.exit(not ok)' "$T/slo.csv" "$T/out"
check "csv: goodput left empty for a run without objectives" \
	python3 -c 'import csv, sys; sys.exit(any(r["goodput_share"] for r in csv.DictReader(open(sys.argv[1]))))' "$T/both.csv"

"$TTFTOP" report -f json --label fast --label slow "$T/fast.jsonl" "$T/slow.jsonl" >"$T/both.json"
check "json of two files parses" jq -e '.runs | length == 2' "$T/both.json"
# the same numbers, compared as numbers (jq prints 20.820 as 20.82)
jq -r '.runs[] | .label as $l | .summary.stages[] | "\($l) \(.stage) \(.ttft_ms.p50)"' "$T/both.json" |
	awk '{ printf "%s %s %.3f;", $1, $2, $3 }' >"$T/p50.json.txt"
python3 -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    print("%s %s %.3f;" % (r["label"].split(",")[0], r["stage"], float(r["ttft_p50_ms"])), end="")' "$T/both.csv" >"$T/p50.csv.txt"
check "both hold 4 stages" test "$(tr ';' '\n' <"$T/p50.csv.txt" | grep -c .)" = 4
is "$(cat "$T/p50.csv.txt")" "$(cat "$T/p50.json.txt")" "csv and json hold the same TTFT p50 for every stage"
echo "# $(cat "$T/p50.csv.txt")"
slow_p50=$(jq -r '.runs[1].summary.stages[0].ttft_ms.p50' "$T/both.json")
fast_p50=$(jq -r '.runs[0].summary.stages[0].ttft_ms.p50' "$T/both.json")
check "the slow endpoint's TTFT p50 ($slow_p50) is ~40 ms above the fast one's ($fast_p50)" \
	awk -v s="$slow_p50" -v f="$fast_p50" 'BEGIN { d = s - f; exit !(d > 30 && d < 50) }'
"$TTFTOP" report --label a --label b "$T/fast.jsonl" "$T/slow.jsonl" >"$T/both.md"
is "$(grep -c "^## [ab]$" "$T/both.md")" 2 "md of two files has a section per label"
check "md and json agree: stage 1 TTFT p50 of fast" grep -qF "| 1 | 1 | 4 | 0 | $(jq -r '.runs[0].summary.stages[0].ttft_ms.mean' "$T/both.json" | awk '{ printf "%.1f", $1 }') |" "$T/both.md"

# bad input: one line, exit 2, and -o not written
echo keep >"$T/keep.txt"
"$TTFTOP" report -f csv -o "$T/keep.txt" "$T/fast.jsonl" "$T/missing.jsonl" 2>"$T/err"
is "$?:$(cat "$T/err")" "2:ttftop report: $T/missing.jsonl: No such file or directory" "a missing file: named, exit 2"
is "$(cat "$T/keep.txt")" keep "and -o was not written over"
"$TTFTOP" report --format xml "$T/fast.jsonl" 2>"$T/err"
is "$?:$(cat "$T/err")" "2:ttftop report: --format: unknown format 'xml' (md, csv or json)" "an unknown format: named, exit 2"
"$TTFTOP" report --label a --label b "$T/fast.jsonl" 2>"$T/err"
is "$?:$(cat "$T/err")" "2:ttftop report: more --label than files" "more labels than files: exit 2"
done_testing
