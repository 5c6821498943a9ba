#!/bin/bash
# Every --api kind against the sim speaking it: TTFT as told, token counts
# exact from the API's own usage (or counted by chunks without it), the
# output cap honoured, and faults recorded with the server's message.
. "$TESTS_DIR/sh/lib.sh"
plan 75

export ANTHROPIC_API_KEY=sk-ant-test-51c0ffee
export AWS_ACCESS_KEY_ID=AKIDTTFTOPTEST AWS_SECRET_ACCESS_KEY=aws-secret-9d8c7b6a AWS_REGION=us-west-2
unset AWS_SESSION_TOKEN AWS_DEFAULT_REGION
start_sim --ttft 50ms --itl 10ms --tokens 12 --tokens-per-chunk 3 --aws-secret "$AWS_SECRET_ACCESS_KEY" || exit 1
GOOD=${SIM_URL%/v1}
start_sim --ttft 20ms --itl 5ms --tokens 12 --tokens-per-chunk 3 --no-usage || exit 1
NOUSAGE=${SIM_URL%/v1}
start_sim --ttft 5ms --itl 2ms --tokens 6 --fail http429 --fail-rate 1 || exit 1
F429=${SIM_URL%/v1}
start_sim --ttft 5ms --itl 2ms --tokens 6 --fail garbage --fail-rate 1 || exit 1
GARBAGE=${SIM_URL%/v1}
start_sim --ttft 5ms --itl 2ms --tokens 6 --fail no-done --fail-rate 1 || exit 1
NODONE=${SIM_URL%/v1}

records() { jq -sc "[.[] | select(.type == \"request\") | $2] | unique" "$1"; }

for api in anthropic ollama tgi bedrock bedrock-invoke sagemaker openai-completions; do
	run_ttftop run --headless -a "$api" -c 2 -n 5 -m sim -o "$T/$api.jsonl" "$GOOD"
	near "$(jq_median "$T/$api.jsonl" '.ttft * 1000')" 50 5 "$api: median TTFT within 5 ms of --ttft"
	is "$(records "$T/$api.jsonl" '[.output_tokens, .tokens_from, (.chunks | length), .error]')" \
		'[[12,"usage",4,null]]' "$api: 12 tokens from the API's usage, in 4 chunks, no error"
	run_ttftop run --headless -a "$api" -n 2 -m sim --max-tokens 5 -o "$T/$api.max.jsonl" "$GOOD"
	is "$(records "$T/$api.max.jsonl" '.output_tokens')" "[5]" "$api: --max-tokens 5 gives 5 tokens"
	run_ttftop run --headless -a "$api" -n 2 -m sim -o "$T/$api.nousage.jsonl" "$NOUSAGE"
	is "$(records "$T/$api.nousage.jsonl" '[.output_tokens, .tokens_from]')" '[[4,"chunks"]]' \
		"$api: without usage, 4 counted by chunks and flagged"
	run_ttftop run --headless -a "$api" -n 1 -m sim -o "$T/$api.429.jsonl" "$F429"
	is "$(records "$T/$api.429.jsonl" '"\(.status) \(.error.kind) \(.error.detail)"')" \
		'["429 http rate limited (simulated)"]' "$api: HTTP 429 recorded with the server's message"
	run_ttftop run --headless -a "$api" -n 1 -m sim -o "$T/$api.garbage.jsonl" "$GARBAGE"
	is "$(records "$T/$api.garbage.jsonl" '.error.kind')" '["protocol"]' \
		"$api: a line that is not JSON is a protocol error"
	run_ttftop run --headless -a "$api" -n 1 -m sim -o "$T/$api.nodone.jsonl" "$NODONE"
	is "$(records "$T/$api.nodone.jsonl" '.error.kind')" '["protocol"]' \
		"$api: a stream without its end is a protocol error"
	check "$api: the run record names the API" \
		jq -se --arg api "$api" '.[0].target.api == $api' "$T/$api.jsonl"
done

# Anthropic's key goes in x-api-key, and is never written
start_sim --ttft 5ms --itl 2ms --tokens 3 --api-key "$ANTHROPIC_API_KEY" || exit 1
KEYED=${SIM_URL%/v1}
run_ttftop run --headless -a anthropic -n 1 -m sim -o "$T/key.jsonl" "$KEYED"
is "$(records "$T/key.jsonl" '.error')" "[null]" "anthropic: ANTHROPIC_API_KEY is accepted by a server that checks it"
cat "$T/out" "$T/err" >"$T/key.txt"
ANTHROPIC_API_KEY=wrong run_ttftop run --headless -a anthropic -n 1 -m sim -o "$T/wrong.jsonl" "$KEYED"
is "$(records "$T/wrong.jsonl" '"\(.status) \(.error.detail)"')" '["401 invalid API key"]' \
	"anthropic: a wrong key gets 401 and the server's message"
ANTHROPIC_API_KEY= run_ttftop run --headless -a anthropic -n 1 -o "$T/none.jsonl" "$KEYED"
check "anthropic without ANTHROPIC_API_KEY: exit 2, the variable named, nothing sent" \
	test "$STATUS" = 2 -a "$(grep -c "needs ANTHROPIC_API_KEY" "$T/err")" = 1 -a ! -e "$T/none.jsonl"
check "the key is in no output" bash -c "! grep -r -q -- '$ANTHROPIC_API_KEY' '$T'/*.jsonl '$T'/*.txt"

# custom: a body template and paths, over SSE and over NDJSON
printf '%s\n' '{"model": "{{model}}", "messages": [{"role": "user", "content": "{{prompt}}"}],' \
	'"max_tokens": {{max_tokens}}, "stream": true, "stream_options": {"include_usage": true}}' >"$T/sse.tpl"
run_ttftop run --headless -a custom --body-file "$T/sse.tpl" --token-path choices.0.delta.content \
	--usage-path usage.completion_tokens -m sim --max-tokens 9 --prompt 'say "hi"' -n 3 \
	-o "$T/custom.jsonl" "$GOOD/v1/chat/completions"
is "$(records "$T/custom.jsonl" '[.status, .output_tokens, .tokens_from, (.chunks | length), .error]')" \
	'[[200,9,"usage",3,null]]' "custom over SSE: 9 tokens from the usage path, 3 chunks, a quoted prompt escaped"
near "$(jq_median "$T/custom.jsonl" '.ttft * 1000')" 50 5 "custom: median TTFT within 5 ms of --ttft"
printf '{"model": "{{model}}", "messages": [{"role": "user", "content": "{{prompt}}"}], "options": {"num_predict": {{max_tokens}}}}' >"$T/nd.tpl"
run_ttftop run --headless -a custom --body-file "$T/nd.tpl" --stream ndjson --token-path message.content \
	--usage-path eval_count --done-path done -m sim --max-tokens 6 -n 2 -o "$T/custom-nd.jsonl" "$GOOD/api/chat"
is "$(records "$T/custom-nd.jsonl" '[.output_tokens, .tokens_from, (.chunks | length), .error]')" \
	'[[6,"usage",2,null]]' "custom over NDJSON: 6 tokens, 2 chunks, ended by --done-path"
run_ttftop run --headless -a custom --body-file "$T/nd.tpl" --stream ndjson --token-path message.content \
	--done-path done -m sim -n 1 -o "$T/custom-nodone.jsonl" "$NODONE/api/chat"
is "$(records "$T/custom-nodone.jsonl" '.error.kind')" '["protocol"]' "custom: no --done-path end is a protocol error"
run_ttftop run --headless -a custom --token-path a -o "$T/x.jsonl" "$GOOD"
check "custom without --body-file: exit 2, named" test "$STATUS" = 2 -a "$(grep -c "needs --body-file" "$T/err")" = 1
printf '{"prompt": {{prompt}}}' >"$T/bad.tpl"
run_ttftop run --headless -a custom --body-file "$T/bad.tpl" --token-path a -o "$T/x.jsonl" "$GOOD"
check "a template that is not JSON once filled: exit 2, the file named" \
	test "$STATUS" = 2 -a "$(grep -c "bad.tpl:1:12: the template is not JSON" "$T/err")" = 1
run_ttftop run --headless -a openai-chat --body-file "$T/sse.tpl" -m sim --max-tokens 2 -n 1 -o "$T/tpl-openai.jsonl" "$GOOD"
is "$(records "$T/tpl-openai.jsonl" '.output_tokens')" "[2]" "--body-file works with any API as the whole body"

# Bedrock: SigV4 signatures checked by the sim with the secret it was given
run_ttftop run --headless -a bedrock -n 2 -m amazon.nova-lite-v1:0 -o "$T/sig.jsonl" "$GOOD"
is "$(records "$T/sig.jsonl" '[.status, .error]')" '[[200,null]]' \
	"bedrock: a model id with ':' is signed and accepted (SigV4 checked by the sim)"
cat "$T/out" "$T/err" >"$T/sig.txt"
AWS_SESSION_TOKEN=session-token-77e1 run_ttftop run --headless -a bedrock -n 1 -m m -o "$T/token.jsonl" "$GOOD"
is "$(records "$T/token.jsonl" '.error')" "[null]" "bedrock: a session token is sent, signed and accepted"
cat "$T/out" "$T/err" >"$T/token.txt"
AWS_SECRET_ACCESS_KEY=not-the-secret run_ttftop run --headless -a sagemaker -n 1 -m ep -o "$T/badsig2.jsonl" "$GOOD"
is "$(records "$T/badsig2.jsonl" '.status')" '[403]' "sagemaker: a wrong secret is refused too"
AWS_SECRET_ACCESS_KEY=not-the-secret run_ttftop run --headless -a bedrock -n 1 -m m -o "$T/badsig.jsonl" "$GOOD"
is "$(records "$T/badsig.jsonl" '"\(.status) \(.error.detail)"')" \
	'["403 The request signature we calculated does not match the signature you provided"]' \
	"bedrock: a wrong secret is refused by the signature check (403)"
AWS_REGION= run_ttftop run --headless -a bedrock -m m -o "$T/noreg.jsonl"
check "bedrock without a region: exit 2, the variables named, nothing sent" \
	test "$STATUS" = 2 -a "$(grep -c "needs AWS_REGION (or AWS_DEFAULT_REGION)" "$T/err")" = 1 -a ! -e "$T/noreg.jsonl"
run_ttftop run --headless -a bedrock -o "$T/nomodel.jsonl" "$GOOD"
check "bedrock without -m: exit 2, named" test "$STATUS" = 2 -a "$(grep -c "needs -m/--model" "$T/err")" = 1
check "no AWS secret or token is in any output" \
	bash -c "! grep -r -q -e '$AWS_SECRET_ACCESS_KEY' -e session-token-77e1 '$T'/*.jsonl '$T'/*.txt"
# a query in the URL (Azure's api-version): sent, and the sim routes by the path
run_ttftop run --headless -n 2 -m sim -o "$T/query.jsonl" "$GOOD/v1/chat/completions?api-version=2024-10-21"
is "$STATUS:$(jq -s -c '[.[] | select(.type == "request") | .error] | unique' "$T/query.jsonl")" '0:[null]' \
	"a URL with a query string: answered"
done_testing
