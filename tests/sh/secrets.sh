#!/bin/bash
# OPENAI_API_KEY is sent as a bearer token and never written anywhere.
. "$TESTS_DIR/sh/lib.sh"
plan 7

KEY=sk-test-7f3a9c1e5b
start_sim --ttft 10ms --itl 2ms --tokens 4 --api-key "$KEY" || exit 1

OPENAI_API_KEY=$KEY run_ttftop run -n 2 -m sim -o "$T/good.jsonl" --json "$SIM_URL"
is "$STATUS" 0 "with the right key: exit 0"
is "$(jq -s '[.[] | select(.type == "request" and .error == null)] | length' "$T/good.jsonl")" 2 \
	"with the right key: the sim accepted both requests"
cat "$T/out" "$T/err" > "$T/good.txt"

OPENAI_API_KEY=wrong-key run_ttftop run -n 1 -m sim -o "$T/bad.jsonl" "$SIM_URL"
is "$(jq -r 'select(.type == "request") | "\(.status) \(.error.detail)"' "$T/bad.jsonl")" \
	"401 invalid API key" "with a wrong key: HTTP 401 and the server's message"

run_ttftop run -n 1 -m sim -H "Authorization: Bearer $KEY" -o "$T/hdr.jsonl" "$SIM_URL"
is "$(jq -s '[.[] | select(.type == "request" and .error == null)] | length' "$T/hdr.jsonl")" 1 \
	"a key given with -H works too"
cat "$T/out" "$T/err" > "$T/hdr.txt"
check "the -H header is recorded redacted" grep -q 'Authorization: \*\*\*' "$T/hdr.jsonl"

check "the key is in no output file" bash -c "! grep -r -q -- '$KEY' '$T'/*.jsonl '$T'/*.txt"
check "the key is not in --help" bash -c "! '$TTFTOP' run --help | grep -q -- '$KEY'"
done_testing
