#!/bin/bash
# ttftop report: md is the run's own summary, json its JSON summary, csv every
# statistic per stage; the formats hold the same numbers; bad input writes
# nothing.
. "$TESTS_DIR/sh/lib.sh"
plan 35

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
is "$(head -1 "$T/csv.txt")" "4 131" "a csv reader finds 4 rows (2 files x 2 stages) of 131 columns (TTST, TTFO, prefill and tokens in appended)"
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

# several runs in md: first one table, a row per run and stage
is "$(grep -c '^| [ab] | [12] | ' "$T/both.md")" 4 "md of two files begins with a comparison table of 4 rows"
check "whose TTFT p50 is the csv's" grep -qF "| a | 1 | 1 | 4 | 0 | $(awk -F'|' '$2 == "1" { printf "%.1f", $4; exit }' "$T/csv.txt") |" "$T/both.md"

# html: one page, nothing fetched, charts a browser draws
jq -c 'if .type == "stage" and .stage == 2 then ., {type: "control", t: (.t + 0.01), action: "mark", text: "knee <here>"},
	{type: "control", t: (.t + 0.02), action: "pause"}, {type: "control", t: (.t + 0.3), action: "resume"} else . end' \
	"$T/fast.jsonl" >"$T/marked.jsonl"
"$TTFTOP" report -f html --label fast --label slow -o "$T/r.html" "$T/marked.jsonl" "$T/slow.jsonl"
is "$?" 0 "html of two files to -o"
is "$(grep -c 'data-chart="ttft-hist"' "$T/r.html")" 1 "runs 3x apart in TTFT share one histogram"
jq -c 'if .type == "request" and .ttft != null then .ttft *= 20 | .ttlt += 19 * (.ttft / 20) else . end' \
	"$T/fast.jsonl" >"$T/slow20.jsonl"
"$TTFTOP" report -f html -o "$T/r20.html" "$T/fast.jsonl" "$T/slow20.jsonl"
is "$(grep -c 'data-chart="ttft-hist"' "$T/r20.html")" 2 "runs 20x apart get a histogram each, on its own axis"
is "$(grep -o 'data-chart="ttft-\(vs-load\|box\)" data-points="[0-9]*" data-y="[a-z]*"' "$T/r20.html" | cut -d'"' -f6 | tr '\n' ' ')" "log log " \
	"TTFTs 20x apart: the TTFT load curve and box plot have log axes"
is "$(grep -o 'data-chart="t[a-z]*-[a-z-]*" data-points="[0-9]*" data-y="[a-z]*"' "$T/r.html" | cut -d'"' -f6 | sort -u)" linear \
	"3x apart: every axis is linear, from 0"
check "self-contained: no scripts, links or fetched resources" bash -c "! grep -Eiq '<script|<link|src=|@import|url\\(|https?://[a-z]' <(grep -v '^<p><b' '$T/r.html' | grep -v 'xmlns=')"
check "the mark's note is there, escaped" grep -qF "knee &lt;here&gt;" "$T/r.html"
tcharts=$(sed -n '/<h2>Over time: fast/,/<h2>Over time: slow/p' "$T/r.html" | grep -c '<svg class="chart"')
is "$(grep -c 'class="pause"' "$T/r.html")" "$tcharts" "the pause is shaded in each of the run's $tcharts time charts (the server's too)"
check "and shaded lightly, the data seen through it (fill-opacity below 1)" grep -q 'class="pause" fill="#888" fill-opacity="0.15"' "$T/r.html"
if command -v chromium >/dev/null; then
	cr() { timeout 60 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/chromium" "$@" 2>/dev/null; }
	cr --dump-dom "file://$T/r.html" >"$T/dom.html"
	# chart KIND: the number of data points the browser's DOM holds in it
	points() { awk -v k="data-chart=\"$1\"" 'index($0, k) { on = 1 } on && /<circle class="pt"|<g class="box"/ { n++ } on && /<\/svg>/ { on = 0 } END { print n + 0 }' "$T/dom.html"; }
	is "$(points ttft-vs-load):$(points tpot-vs-load):$(points tok-vs-load)" "4:4:4" \
		"the browser draws the load curves: a point per stage and run (2 x 2)"
	is "$(points ttft-box)" 4 "and a TTFT box per stage and run"
	is "$(grep -c 'data-chart="tok-over-time"' "$T/dom.html")" 2 "and a time series per run"
	is "$(grep -o 'data-chart="ttft-over-time" data-points="[0-9]*"' "$T/dom.html" | cut -d'"' -f4 | awk '{ n += $1 } END { print n }')" \
		"$(jq -s '[.[] | select(.type == "request" and (.error | not))] | length' "$T/marked.jsonl" "$T/slow.jsonl")" \
		"whose TTFT scatter holds every successful request"
	is "$(awk 'index($0, "data-chart=\"server-queue\"") { on = 1 } on && /data-gauge="(running|waiting)"/ { n++ } on && /<\/svg>/ { on = 0 } END { print n + 0 }' "$T/dom.html")" 4 \
		"and the server's queue beneath: running and waiting, a line each per run"
	cr --screenshot="$T/r.png" --window-size=1400,1800 "file://$T/r.html" >/dev/null
	python3 - "$T/r.png" >"$T/png.txt" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", data[pos + 8:pos + 18])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
# bytes that are neither white nor a filter's zero: ink on the page
print(h, sum(1 for b in raw if b not in (0, 255)) * 1000 // len(raw))
PY
	read -r height ink <"$T/png.txt"
	check "the screenshot is not blank (ink $ink per mille of $height rows)" test "$ink" -ge 5
else
	for what in "load curves" "box plots" "time series" "TTFT scatter" "server queue" "screenshot"; do
		skip "the browser draws the $what" "chromium is not installed (apt-get install chromium)"
	done
fi
"$TTFTOP" report -f html "$T/fast.jsonl" | grep '<svg class="chart"' >"$T/n"
is "$(grep -vc 'data-chart="server-' "$T/n"):$(grep -c 'data-chart="server-queue"' "$T/n")" 7:1 \
	"one run: 3 load curves, box plots, histogram, 2 time series, and the sim's queue beneath"

# bad input: one line, exit 2, and -o not written
echo keep >"$T/keep.txt"
"$TTFTOP" report -f csv -o "$T/keep.txt" "$T/fast.jsonl" "$T/missing.jsonl" 2>"$T/err"
is "$?:$(cat "$T/err")" "2:ttftop report: $T/missing.jsonl: No such file or directory" "a missing file: named, exit 2"
is "$(cat "$T/keep.txt")" keep "and -o was not written over"
"$TTFTOP" report --format xml "$T/fast.jsonl" 2>"$T/err"
is "$?:$(cat "$T/err")" "2:ttftop report: --format: unknown format 'xml' (md, csv, json or html)" "an unknown format: named, exit 2"
"$TTFTOP" report --label a --label b "$T/fast.jsonl" 2>"$T/err"
is "$?:$(cat "$T/err")" "2:ttftop report: more --label than files" "more labels than files: exit 2"
done_testing
