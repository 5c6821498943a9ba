#!/bin/bash
# --assert: thresholds over a run's figures, judged after the run (one line
# each, exit 3 when one fails, the verdicts in the end record), and the
# same judgement of a saved run by report --assert.
. "$TESTS_DIR/sh/lib.sh"
plan 14
export LC_ALL=C.UTF-8	# the check marks; LANG=C is tried below

start_sim --ttft 50ms --itl 10ms --tokens 20 || exit 1
run_ttftop run --headless -m sim -c 2,4 -d 2s -o "$T/a.jsonl" \
	--assert 'ttft.p95<80ms,errors<1%,tok_s>100@last' "$SIM_URL"
is "$STATUS" 0 "every threshold met: exit 0"
check "one line per threshold, with its value" \
	bash -c "grep -q '^✓ ttft.p95<80ms  5[0-9].[0-9]ms$' '$T/out' && grep -q '^✓ errors<1%  0.00%$' '$T/out' && grep -q '^✓ tok_s>100@last  [0-9.]*$' '$T/out'"
# the p95 the verdict judged is the file's own, as jq computes it
want=$(jq -s '[.[] | select(.type == "request" and .error == null and (.preflight | not)) | .ttft] | sort |
	((length - 1) * 0.95) as $i | ($i | floor) as $lo | .[$lo] + ((.[$lo + 1] // .[$lo]) - .[$lo]) * ($i - $lo)' "$T/a.jsonl")
got=$(jq -s '.[-1].asserts[0].value' "$T/a.jsonl")
check "the end record keeps the verdicts; its TTFT p95 ($got s) is the requests' own ($want s)" \
	awk -v g="$got" -v w="$want" 'BEGIN { exit !(g - w < 1e-6 && w - g < 1e-6) }'
check "tok_s@last is the last stage's tok/s of the summary" \
	bash -c "[ \"\$(jq -s '.[-1].asserts[2].value | . * 100 | round' '$T/a.jsonl')\" = \"\$('$TTFTOP' report -f json '$T/a.jsonl' | jq '.stages[-1].tok_s | . * 100 | round')\" ]"

run_ttftop run --headless -m sim -c 2 -d 1s -o "$T/b.jsonl" --assert 'ttft.p95<80ms' \
	--assert 'ttft.p50<40ms' "$SIM_URL"
is "$STATUS" 3 "a threshold missed: exit 3"
check "it is marked, with the value that missed" grep -q '^✗ ttft.p50<40ms  5[0-9].[0-9]ms$' "$T/out"
is "$(jq -s -c '[.[-1].type, (.[-1].asserts | map(.pass))]' "$T/b.jsonl")" '["end",[true,false]]' \
	"the file is whole, its end record says which failed"
LC_ALL=C run_ttftop run --headless -m sim -c 1 -n 2 -o "$T/c.jsonl" --assert 'requests>=2,ttft.max<1ms' "$SIM_URL"
is "$STATUS:$(tail -2 "$T/out" | cut -c1-4 | tr '\n' ' ')" "3:ok   FAIL " "ASCII under LANG=C"

# saved runs
"$TTFTOP" report --assert 'ttft.p95<80ms,ttft.p50<40ms@1' "$T/a.jsonl" >/dev/null 2>"$T/rerr"
is "$?:$(grep -c '^✗ ttft.p50<40ms@1' "$T/rerr")" "3:1" "report --assert judges a saved run: exit 3, the miss named"
"$TTFTOP" report --assert 'ttft.p95<80ms' --label a --label b "$T/a.jsonl" "$T/b.jsonl" >/dev/null 2>"$T/rerr"
is "$?:$(grep -c '^[ab]:$' "$T/rerr")" "0:2" "several files: a block of verdicts each, under its label"

# goodput needs the run's objectives
start_sim --ttft 50ms --itl 10ms --tokens 20 --fail http500 --fail-rate 0.3 --seed 7 || exit 1
run_ttftop run --headless -m sim -c 2 -d 2s --slo ttft:200ms -o "$T/g.jsonl" \
	--assert 'goodput>=50%,errors<5%' "$SIM_URL"
share=$(jq -s '[.[] | select(.type == "request" and (.preflight | not))] | (map(select(.error != null)) | length) / length * 100 * 100 | round / 100' "$T/g.jsonl")
check "errors as a share of the requests ($share % by jq): missed, exit 3" \
	bash -c "[ $STATUS = 3 ] && grep -q '^✗ errors<5%  $(printf '%.2f' "$share")%$' '$T/out'"

run_ttftop run --headless -m sim -c 1 -n 1 --assert 'latency.p95<1ms' "$SIM_URL"
check "an unknown metric: exit 2, the names there are" \
	bash -c "[ $STATUS = 2 ] && grep -q 'no metric latency (ttfb, ttft, tpot, itl, ttlt, errors' '$T/err'"
run_ttftop run --headless -m sim -c 1 -n 1 --assert 'ttft.p95<500' "$SIM_URL"
is "$STATUS:$(cat "$T/err")" "2:ttftop run: --assert: 'ttft.p95<500': '500' is not a time with its unit (500ms, 1.5s)" \
	"a time without its unit: exit 2"
run_ttftop run --headless -m sim -c 1 -n 1 --assert 'goodput>90%' "$SIM_URL"
is "$STATUS" 2 "goodput without --slo: exit 2"
done_testing
