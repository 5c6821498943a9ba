#!/bin/bash
# report --layout leaderboard: a table per metric, a row per endpoint, the
# columns of the published leaderboards, the best in bold; figures as the
# summary's.
. "$TESTS_DIR/sh/lib.sh"
plan 6

start_sim --ttft 50ms --itl 10ms --tokens 20 --jitter 0.2 || exit 1
run_ttftop run --headless -m sim -c 2 -d 2s -o "$T/fast.jsonl" "$SIM_URL"
start_sim --ttft 90ms --itl 10ms --tokens 20 --jitter 0.2 || exit 1
run_ttftop run --headless -m sim -c 2 -d 2s -o "$T/slow.jsonl" "$SIM_URL"
"$TTFTOP" report --layout leaderboard --label fast --label slow "$T/fast.jsonl" "$T/slow.jsonl" >"$T/lb.md"
is "$?:$(grep -c '^### ' "$T/lb.md")" "0:5" "five tables: TTFT, TPOT both ways, a request's tok/s, the run's tok/s"
is "$(grep -m1 '^| endpoint' "$T/lb.md")" "| endpoint | Mean | Min | Max | Median | p25 | p75 | p5 | p95 |" \
	"the leaderboard's columns, in its order"
check "TTFT: the fast endpoint's row is the best, in bold" \
	bash -c "sed -n '/^### TTFT/,/^###/p' '$T/lb.md' | grep -q '^| \*\*fast\*\* |'"
"$TTFTOP" report -f json "$T/fast.jsonl" >"$T/fast.json"
want=$(jq -r '.stages[0].ttft_ms | "\(.mean) \(.p50)"' "$T/fast.json")
got=$(sed -n '/^### TTFT/,/^###/p' "$T/lb.md" | awk -F'|' '/fast/ { gsub(/[ *]/, ""); print $3 + 0, $6 + 0 }')
check "its mean and median ($got) are the summary's TTFT mean and p50 ($want), to their 0.01" \
	awk -v g="$got" -v w="$want" 'BEGIN { split(g, a, " "); split(w, b, " "); exit !((a[1] - b[1])^2 < 1e-4 && (a[2] - b[2])^2 < 1e-4) }'

"$TTFTOP" report --layout leaderboard -f html -o "$T/lb.html" --label fast --label slow "$T/fast.jsonl" "$T/slow.jsonl"
check "html: the same tables, the best rows marked" \
	bash -c "[ \$(grep -c '<table class=\"leaderboard\"' '$T/lb.html') = 5 ] && grep -q '<tr class=\"best\"><td>fast</td>' '$T/lb.html'"
"$TTFTOP" report --layout podium "$T/fast.jsonl" >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "2:ttftop report: --layout: unknown layout 'podium' (stages, the default, or leaderboard)" "an unknown layout: exit 2"
done_testing
