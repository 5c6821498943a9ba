#!/bin/bash
# --config FILE and --rerun FILE.jsonl: a run's settings from a file, the
# command line over them, and a file that is wrong told in one line.
. "$TESTS_DIR/sh/lib.sh"
plan 14

start_sim --ttft 20ms --itl 5ms --tokens 10 || exit 1
conf() { jq -S '.config | del(.seed)' <(head -1 "$1"); }

run_ttftop run --headless -m sim -r 5,8 -d 1s --max-tokens 8:2 --slo ttft:200ms \
	--body '{"temperature":0.7}' -H 'X-Test: 1' --arrival poisson --max-concurrency 3 \
	--warmup 0.2s --assert 'errors<1%' -o "$T/a.jsonl" "$SIM_URL"
run_ttftop run --headless --rerun "$T/a.jsonl" -o "$T/b.jsonl"
is "$STATUS" 0 "--rerun of a saved run runs"
check "with the very config it had, the seed aside" cmp -s <(conf "$T/a.jsonl") <(conf "$T/b.jsonl")
check "a new seed, its target the same" bash -c "[ \"\$(jq -s '.[0].config.seed != .[1].config.seed and .[0].target == .[1].target' <(head -1 '$T/a.jsonl') <(head -1 '$T/b.jsonl'))\" = true ]"
run_ttftop run --headless -m sim -c 1 -n 1 -H 'Authorization: Bearer sk-123' -o "$T/k.jsonl" "$SIM_URL"
run_ttftop run --headless --rerun "$T/k.jsonl" -o "$T/k2.jsonl"
check "a header saved without its secret is said, not sent as ***" \
	grep -q "header Authorization was saved without its value: give it again with -H" "$T/err"
run_ttftop run --headless --rerun "$T/a.jsonl" --seed 5 -c 1 -d 1s -o "$T/c.jsonl"
is "$(head -1 "$T/c.jsonl" | jq -c '[.config.seed, .config.clients, .config.stage_duration, .config.max_tokens]')" "[5,[1],1,8]" \
	"the command line overrides it: --seed 5, -c 1 (its rates dropped), the rest kept"

run_ttftop run --headless -m sim -c 2 -d 1s --turns 3:1 --think 10ms -o "$T/t.jsonl" "$SIM_URL"
run_ttftop run --headless --rerun "$T/t.jsonl" -o "$T/t2.jsonl"
check "a run of sessions reruns with its turns and think time" \
	bash -c "[ $STATUS = 0 ] && cmp -s <(jq -S '.config | del(.seed)' <(head -1 '$T/t.jsonl')) <(jq -S '.config | del(.seed)' <(head -1 '$T/t2.jsonl'))"

# the leaderboard's workload, shortened by -d
run_ttftop run --headless --config "$TESTS_DIR/../examples/leaderboard.json" -d 4s -m sim -o "$T/lb.jsonl" "$SIM_URL"
n=$(jq -s '[.[] | select(.type == "request" and (.preflight | not))] | length' "$T/lb.jsonl")
check "examples/leaderboard.json: 10 requests a second ($n in 4 s), temperature 0.7 and max_tokens 1024 sent" \
	bash -c "[ $n -ge 36 ] && [ $n -le 44 ] && [ \"\$(head -1 '$T/lb.jsonl' | jq -c '[.config.rates, .config.arrival, .config.body, .config.max_tokens]')\" = '[[10],\"constant\",{\"temperature\":0.7,\"top_p\":1},1024]' ]"
printf '{"rates": [5], "stage_duration": 2,\n "max_tokens": 4,,\n}\n' >"$T/bad.json"
run_ttftop run --headless --config "$T/bad.json" -m sim "$SIM_URL"
is "$STATUS:$(cat "$T/err")" "2:ttftop run: $T/bad.json:2:19: not JSON" "a file that is not JSON: exit 2, FILE:LINE:COLUMN (the second comma)"
echo '{"clients": [2], "stage_durration": 3}' >"$T/typo.json"
run_ttftop run --headless --config "$T/typo.json" -m sim "$SIM_URL"
check "an unknown key: exit 2, named" bash -c "[ $STATUS = 2 ] && grep -q 'typo.json: unknown key \"stage_durration\"' '$T/err'"
echo '{"clients": [2], "shuffle": 3}' >"$T/type.json"
run_ttftop run --headless --config "$T/type.json" -m sim "$SIM_URL"
is "$STATUS:$(cat "$T/err")" "2:ttftop run: $T/type.json: key \"shuffle\": expected true or false" "a wrong type: exit 2, what was expected"
echo '{"clients": [0, 2]}' >"$T/zero.json"
run_ttftop run --headless --config "$T/zero.json" -m sim "$SIM_URL"
is "$STATUS:$(cat "$T/err")" "2:ttftop run: -c/--clients: stage 1 of '0,2' has 0 clients: nothing would run in it" \
	"a value the option refuses: exit 2, in the option's own words"
echo '{"type":"request"}' >"$T/notrun.jsonl"
run_ttftop run --headless --rerun "$T/notrun.jsonl" "$SIM_URL"
is "$STATUS:$(cat "$T/err")" "2:ttftop run: $T/notrun.jsonl:1: not a run saved by ttftop (its first record holds no config)" \
	"--rerun of a file that is not a saved run: exit 2"
run_ttftop run --headless --config "$T/zero.json" --rerun "$T/a.jsonl" "$SIM_URL"
is "$STATUS" 2 "--config and --rerun together: exit 2"
run_ttftop run --headless --config "$T/none.json" "$SIM_URL"
is "$STATUS:$(cat "$T/err")" "2:ttftop run: $T/none.json: cannot be read" "a missing file: exit 2"
done_testing
