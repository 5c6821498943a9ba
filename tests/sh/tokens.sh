#!/bin/bash
# Token counts are exact: from usage when the server sends it, else counted
# by content chunks and flagged so.
. "$TESTS_DIR/sh/lib.sh"
plan 12

tokens_of() { jq -s -c "[.[] | select(.type == \"request\") | $2] | unique" "$1"; }

start_sim --ttft 20ms --itl 5ms --tokens 22 --tokens-per-chunk 4 || exit 1
run_ttftop run -c 2 -n 3 -m sim -o "$T/usage.jsonl" "$SIM_URL"
is "$STATUS" 0 "run exits 0"
is "$(tokens_of "$T/usage.jsonl" .output_tokens)" "[22]" "4 tokens a chunk: usage gives exactly 22"
is "$(tokens_of "$T/usage.jsonl" '.chunks | length')" "[6]" "6 content chunks"
is "$(tokens_of "$T/usage.jsonl" .tokens_from)" '["usage"]' "flagged usage"

run_ttftop run -c 1 -n 2 -m sim --max-tokens 9 -o "$T/capped.jsonl" "$SIM_URL"
is "$(tokens_of "$T/capped.jsonl" .output_tokens)" "[9]" "--max-tokens 9 caps the answer at 9"

run_ttftop run -a openai-completions -c 1 -n 2 -m sim -o "$T/compl.jsonl" --json "$SIM_URL"
is "$(tokens_of "$T/compl.jsonl" .output_tokens)" "[22]" "openai-completions: 22 tokens"
is "$(jq -r '.stages[0].requests' "$T/out")" 2 "--json summary counts 2 requests"
stop_sim "$SIM_PID"

start_sim --ttft 20ms --itl 5ms --tokens 22 --tokens-per-chunk 4 --no-usage || exit 1
run_ttftop run -c 1 -n 3 -m sim -o "$T/chunks.jsonl" "$SIM_URL"
is "$STATUS" 0 "run without usage exits 0"
is "$(tokens_of "$T/chunks.jsonl" .output_tokens)" "[6]" "without usage: 6, the chunks counted"
is "$(tokens_of "$T/chunks.jsonl" .tokens_from)" '["chunks"]' "flagged chunks"
check "the summary says the counts are by chunks" grep -q "3 of 3 requests counted by content chunks" "$T/out"
is "$(tokens_of "$T/chunks.jsonl" .input_tokens)" "[null]" "no usage: input tokens unknown (null)"
done_testing
