#!/bin/bash
# What requests ask: --prompts files (.txt and .jsonl), synthetic prompts of
# about N tokens, output lengths drawn around a mean, --body merged into each
# request, --shuffle; checked through the token counts the sim reports
# (prompt_tokens = characters / 4, as ttftop estimates them).
. "$TESTS_DIR/sh/lib.sh"
plan 14

start_sim --ttft 5ms --itl 1ms --tokens 30 || exit 1

inputs() { jq -sc '[.[] | select(.type == "request")] | sort_by(.id) | map(.input_tokens)' "$1"; }

printf 'aaaa\n\nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\n' >"$T/p.txt"
run_ttftop run --headless -n 4 --prompts "$T/p.txt" -o "$T/a.jsonl" "$SIM_URL"
is "$(inputs "$T/a.jsonl")" "[1,10,1,10]" ".txt: one prompt a line, blank lines skipped, in turn"

cat >"$T/p.jsonl" <<'J'
{"prompt": "abcdefgh"}
{"messages": [{"role": "system", "content": "abcd"}, {"role": "user", "content": "abcdefghijkl"}]}
{"model": "whole", "stream": true, "max_tokens": 3, "stream_options": {"include_usage": true}, "messages": [{"role": "user", "content": "hi"}]}
J
run_ttftop run --headless -n 3 --prompts "$T/p.jsonl" -o "$T/b.jsonl" "$SIM_URL"
is "$(jq -sc '[.[] | select(.type == "request")] | sort_by(.id) | map([.input_tokens, .output_tokens])' "$T/b.jsonl")" \
	"[[2,30],[4,30],[1,3]]" ".jsonl: a prompt, a chat, and a whole body sent as it is"
check "the run record names the prompts file, not its text" \
	jq -se '.[0] | .config.prompts and .config.nprompts == 3 and (.config.prompt == null)' "$T/b.jsonl"

run_ttftop run --headless -n 40 --input-tokens 400:40 --seed 3 -o "$T/c.jsonl" "$SIM_URL"
check "--input-tokens 400:40: every prompt within 4 SD of 400 tokens" \
	jq -se '[.[] | select(.type == "request") | .input_tokens] | all(. >= 240 and . <= 560)' "$T/c.jsonl"
near "$(jq -s '[.[] | select(.type == "request") | .input_tokens] | add / length' "$T/c.jsonl")" 400 25 \
	"and about 400 on average"
check "and they differ (SD 40)" jq -se '[.[] | select(.type == "request") | .input_tokens] | unique | length > 10' "$T/c.jsonl"
run_ttftop run --headless -n 5 --input-tokens 100 -o "$T/d.jsonl" "$SIM_URL"
check "--input-tokens 100: within a few tokens of 100" \
	jq -se '[.[] | select(.type == "request") | .input_tokens] | all(. >= 95 and . <= 100)' "$T/d.jsonl"

run_ttftop run --headless -n 40 --max-tokens 10:3 --seed 5 -o "$T/e.jsonl" "$SIM_URL"
near "$(jq -s '[.[] | select(.type == "request") | .output_tokens] | add / length' "$T/e.jsonl")" 10 1.5 \
	"--max-tokens 10:3: output lengths average about 10"
check "and spread" jq -se '[.[] | select(.type == "request") | .output_tokens] | (min < 8 and max > 12 and min >= 1)' "$T/e.jsonl"

run_ttftop run --headless -n 2 --max-tokens 20 --body '{"max_tokens": 4, "extra": [1]}' -o "$T/f.jsonl" "$SIM_URL"
is "$(jq -sc '[.[] | select(.type == "request") | .output_tokens]' "$T/f.jsonl")" "[4,4]" \
	"--body fields override the built body (max_tokens 4)"

printf 'a\nbbbbbbbb\ncccccccccccccccc\ndddddddddddddddddddddddddddddddd\n' >"$T/four.txt"
run_ttftop run --headless -n 12 --shuffle --seed 9 --prompts "$T/four.txt" -o "$T/g1.jsonl" "$SIM_URL"
run_ttftop run --headless -n 12 --shuffle --seed 9 --prompts "$T/four.txt" -o "$T/g2.jsonl" "$SIM_URL"
is "$(inputs "$T/g2.jsonl")" "$(inputs "$T/g1.jsonl")" "--shuffle with a seed picks the same prompts again"
check "and not in file order" test "$(inputs "$T/g1.jsonl")" != "[1,2,4,8,1,2,4,8,1,2,4,8]"

printf '{"prompt": "ok"}\n{"nothing": 1}\n' >"$T/bad.jsonl"
run_ttftop run --headless --prompts "$T/bad.jsonl" "$SIM_URL"
check "a .jsonl line without a prompt: exit 2, FILE:LINE named" \
	test "$STATUS" = 2 -a "$(grep -c "bad.jsonl:2: needs a \"prompt\"" "$T/err")" = 1
printf '\n\n' >"$T/empty.txt"
run_ttftop run --headless --prompts "$T/empty.txt" "$SIM_URL"
check "a prompts file without prompts: exit 2, named" \
	test "$STATUS" = 2 -a "$(grep -c "empty.txt holds no prompts" "$T/err")" = 1

done_testing
