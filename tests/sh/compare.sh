#!/bin/bash
# ttftop compare BASE NEW: stages matched by load, each figure's change with
# a 95 % interval and a verdict, the same files the same verdict, --fail-on
# for CI, and the mistakes a user makes told in one line.
. "$TESTS_DIR/sh/lib.sh"
plan 14

start_sim --ttft 50ms --itl 10ms --tokens 20 --jitter 0.2 --seed 3 || exit 1
fast=$SIM_URL
start_sim --ttft 90ms --itl 10ms --tokens 20 --jitter 0.2 --seed 3 || exit 1
slow=$SIM_URL
for f in a:$fast b:$fast s:$slow; do
	run_ttftop run --headless -m sim -c 2,4 -d 4s -o "$T/${f%%:*}.jsonl" "${f#*:}"
done
run_ttftop run --headless -m sim -c 2 -d 3s -o "$T/one.jsonl" "$fast"
run_ttftop run --headless -m sim -c 3 -d 2s -o "$T/three.jsonl" "$fast"

"$TTFTOP" compare --json "$T/a.jsonl" "$T/s.jsonl" >"$T/as.json"
is "$?" 0 "compare of two runs: exit 0 without --fail-on"
row() { jq -c --arg f "$2" ".stages[$1].rows[] | select(.figure == \$f)" "$T/as.json"; }
check "40 ms slower: TTFT p50 'slower' in both stages ($(row 0 ttft.p50 | jq -c '[.base, .new, .change_pct, .ci_lo_pct, .ci_hi_pct]'))" \
	jq -e '[.stages[].rows[] | select(.figure == "ttft.p50") | .verdict == "slower"] | all and length == 2' "$T/as.json"
# a 95 % interval misses the truth one time in twenty: it is asked to come
# within 5 ms of the 40, which it misses far more rarely
check "its interval excludes 0 and holds the +40 ms the sims differ by, to 5 ms" \
	jq -e '[.stages[].rows[] | select(.figure == "ttft.p50") | .ci_lo_pct > 0 and .ci_lo_pct * .base / 100 <= 0.045 and .ci_hi_pct * .base / 100 >= 0.035] | all' "$T/as.json"
check "TPOT, the same in both sims, is no significant change" \
	jq -e '[.stages[].rows[] | select(.figure == "tpot.p50") | .verdict == "no significant change"] | all' "$T/as.json"
"$TTFTOP" compare "$T/a.jsonl" "$T/b.jsonl" >"$T/ab.md"
same=$(grep -c '| no significant change |$' "$T/ab.md"); rows=$(grep -cE '\| (slower|faster|no significant change|more errors|fewer errors|-) \|$' "$T/ab.md")
check "two runs of the same sim: no significant change on $same of $rows rows (90 % at least)" \
	awk -v s="$same" -v r="$rows" 'BEGIN { exit !(r == 30 && s >= 0.9 * r) }'
"$TTFTOP" compare "$T/a.jsonl" "$T/b.jsonl" >"$T/ab2.md"
check "seeded: the same files give the very same table" cmp -s "$T/ab.md" "$T/ab2.md"
check "the table fits 100 columns" awk 'length > 100 { exit 1 }' "$T/ab.md"

"$TTFTOP" compare --fail-on 'ttft.p95>+10%' "$T/a.jsonl" "$T/s.jsonl" >/dev/null 2>"$T/err"
is "$?:$(grep -c '^ttftop compare: stage [12]: ttft.p95 +[0-9.]*%, beyond >+10%$' "$T/err")" "3:2" \
	"--fail-on ttft.p95>+10%: exit 3, each stage's regression named"
"$TTFTOP" compare --fail-on 'ttft.p95>+200%,tok_s<-50%,errors>+1' "$T/a.jsonl" "$T/s.jsonl" >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "bounds the change stays within: exit 0"

"$TTFTOP" compare "$T/a.jsonl" "$T/one.jsonl" >"$T/one.md"
check "a stage of one side only is listed" grep -q '^only in base: stage 2, 4 clients$' "$T/one.md"
"$TTFTOP" compare "$T/a.jsonl,$T/one.jsonl" "$T/b.jsonl" >/dev/null 2>&1
is "$?" 0 "a side of several files merged into one (FILE,FILE)"
"$TTFTOP" compare "$T/a.jsonl" "$T/three.jsonl" >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "2:ttftop compare: $T/a.jsonl and $T/three.jsonl have no stage in common (no same clients or rate)" \
	"no stage in common: exit 2, said"
"$TTFTOP" compare --fail-on 'latency.p95>+10%' "$T/a.jsonl" "$T/b.jsonl" >/dev/null 2>"$T/err"
is "$?:$(cut -c1-50 "$T/err")" "2:ttftop compare: --fail-on: no figure latency.p95 (" "an unknown figure in --fail-on: exit 2"
"$TTFTOP" compare "$T/a.jsonl" >/dev/null 2>"$T/err"
is "$?" 2 "one file only: exit 2"
done_testing
