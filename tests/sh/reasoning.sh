#!/bin/bash
# The Responses API against the sim, reasoning told apart from the visible
# answer in every API that streams it, TTST, tool calls, the finish reason
# and the output cap, the streams that end wrongly, and the request phases.
. "$TESTS_DIR/sh/lib.sh"
plan 53

export ANTHROPIC_API_KEY=sk-ant-test-0dd5eed
export AWS_ACCESS_KEY_ID=AKIDTTFTOPTEST AWS_SECRET_ACCESS_KEY=aws-secret-24a AWS_REGION=us-west-2
unset AWS_SESSION_TOKEN AWS_DEFAULT_REGION
records() { jq -sc "[.[] | select(.type == \"request\") | $2] | unique" "$1"; }
ms() { jq_median "$1" "$2 * 1000"; }

# The Responses API, no reasoning: TTFT as told, tokens exact from usage.
start_sim --ttft 80ms --itl 10ms --tokens 25 || exit 1
PLAIN=$SIM_URL
run_ttftop run --headless -a openai-responses -c 1 -n 8 -m sim -o "$T/resp.jsonl" "$PLAIN"
is "$STATUS" 0 "responses: run exits 0"
near "$(ms "$T/resp.jsonl" .ttft)" 80 5 "responses: median TTFT within 5 ms of --ttft"
is "$(records "$T/resp.jsonl" '[.output_tokens, .tokens_from, (.chunks | length), .error]')" \
	'[[25,"usage",25,null]]' "responses: exactly 25 tokens from usage, 25 chunks, no error"
is "$(records "$T/resp.jsonl" '[.finish_reason, .reasoning_tokens, .reasoning_from, (.ttfo == .ttft)]')" \
	'[["completed",0,"usage",true]]' "responses: completed, no reasoning, TTFO = TTFT"
near "$(ms "$T/resp.jsonl" '(.ttst - .ttft)')" 10 1 "responses: TTST = TTFT + one ITL"
is "$(records "$T/resp.jsonl" '.ttst == .chunks[1]')" '[true]' "TTST is the second chunk's arrival"
is "$(records "$T/resp.jsonl" '.input_tokens > 0')" '[true]' "responses: input tokens from usage"

# Phases: present over plain TCP, ordered; TTFB counts from the send.
is "$(records "$T/resp.jsonl" '(.phases | [.dns, .connect, .sent] | map(. != null) | all) and .phases.tls == null')" \
	'[true]' "phases: dns, connect and sent on every request, no tls over http"
is "$(records "$T/resp.jsonl" '.phases.dns <= .phases.connect and .phases.connect <= .phases.sent and .ttfb > 0 and .ttfb <= .ttft')" \
	'[true]' "phases: dns <= connect <= sent <= ttfb (from the send) <= ttft"
check "phases: the first request's connect is a real one (> 0)" \
	jq -se '[.[] | select(.type == "request")][0].phases.connect > 0' "$T/resp.jsonl"
run_ttftop run --headless -a openai-responses --transport curl -c 1 -n 3 -m sim -o "$T/resp.curl.jsonl" "$PLAIN"
is "$(records "$T/resp.curl.jsonl" '[.output_tokens, .phases.dns <= .phases.connect, .phases.connect <= .phases.sent, .ttfb > 0]')" \
	'[[25,true,true,true]]' "phases over curl (its CURLINFO times): dns <= connect <= sent, then ttfb"
stop_sim "$SIM_PID"

# 20 reasoning tokens, then 30 visible ones: TTFT at the first reasoning
# chunk, TTFO 20 ITLs after it, 50 output tokens of which 20 reasoning.
start_sim --ttft 60ms --itl 10ms --tokens 30 --reasoning-tokens 20 --aws-secret "$AWS_SECRET_ACCESS_KEY" || exit 1
R=${SIM_URL%/v1}
for api in openai-chat openai-responses anthropic ollama bedrock; do
	case $api in openai-chat | openai-responses) from=usage ;; *) from=chunks ;; esac
	run_ttftop run --headless -a "$api" -c 1 -n 4 -m sim -o "$T/r.$api.jsonl" "$R"
	near "$(ms "$T/r.$api.jsonl" .ttft)" 60 5 "$api: TTFT at the first reasoning chunk (--ttft)"
	near "$(ms "$T/r.$api.jsonl" '(.ttfo - .ttft)')" 200 4 "$api: TTFO 20 ITLs after TTFT"
	is "$(records "$T/r.$api.jsonl" '[.output_tokens, (.chunks | length), .reasoning_tokens, .reasoning_from, (.ttfo == .chunks[20])]')" \
		"[[50,50,20,\"$from\",true]]" "$api: 50 tokens, 20 of them reasoning ($from), TTFO at chunk 21"
done
is "$(records "$T/r.openai-chat.jsonl" .finish_reason)" '["stop"]' "chat: finish_reason stop"
is "$(records "$T/r.anthropic.jsonl" .finish_reason)" '["end_turn"]' "anthropic: stop_reason end_turn"
is "$(records "$T/r.ollama.jsonl" .finish_reason)" '["stop"]' "ollama: done_reason stop"
is "$(records "$T/r.bedrock.jsonl" .finish_reason)" '["end_turn"]' "bedrock: stopReason end_turn"
# APIs without reasoning answer with the visible tokens alone
for api in tgi sagemaker; do
	run_ttftop run --headless -a "$api" -n 2 -m sim -o "$T/r.$api.jsonl" "$R"
	is "$(records "$T/r.$api.jsonl" '[.output_tokens, .reasoning_tokens, .finish_reason, (.ttfo == .ttft)]')" \
		'[[30,0,"eos_token",true]]' "$api: no reasoning phase: 30 visible tokens, finish_reason eos_token"
done

# Responses with a reasoning summary asked: the summary deltas are reasoning.
run_ttftop run --headless -a openai-responses -n 2 -m sim --body '{"reasoning":{"summary":"auto"}}' \
	-o "$T/summary.jsonl" "$R"
is "$(records "$T/summary.jsonl" '[.output_tokens, .reasoning_tokens, (.ttfo == .chunks[20])]')" \
	'[[50,20,true]]' "responses: reasoning summary deltas count as reasoning"

# Tools offered: the visible part streams as the call's arguments.
TOOLS='{"tools":[{"type":"function","name":"lookup","parameters":{"type":"object"}}]}'
for api in openai-chat openai-responses anthropic; do
	run_ttftop run --headless -a "$api" -n 2 -m sim --body "$TOOLS" -o "$T/t.$api.jsonl" "$R"
	is "$(records "$T/t.$api.jsonl" '[.output_tokens, (.chunks | length), (.ttfo == .chunks[20]), .error]')" \
		'[[50,50,true,null]]' "$api: tool-call argument deltas are visible output"
done
is "$(records "$T/t.openai-chat.jsonl" .finish_reason)" '["tool_calls"]' "chat: finish_reason tool_calls"
is "$(records "$T/t.anthropic.jsonl" .finish_reason)" '["tool_use"]' "anthropic: stop_reason tool_use"

# The cap: asked and recorded; Responses ends incomplete at it (a length
# stop, not a failure), chat says length.
run_ttftop run --headless -a openai-responses -n 2 -m sim --max-tokens 25 -o "$T/cap.jsonl" "$R"
is "$(records "$T/cap.jsonl" '[.max_tokens, .output_tokens, .reasoning_tokens, .finish_reason, .error]')" \
	'[[25,25,20,"max_output_tokens",null]]' "responses: response.incomplete at max_output_tokens: 25 of 25 asked"
run_ttftop run --headless -a openai-responses -n 2 -m sim --body '{"max_output_tokens":22}' -o "$T/capbody.jsonl" "$R"
is "$(records "$T/capbody.jsonl" '[.output_tokens, .finish_reason, has("max_tokens")]')" \
	'[[22,"max_output_tokens",false]]' "responses: --body is merged into the body (its max_output_tokens 22 honoured)"
run_ttftop run --headless -a openai-chat -n 2 -m sim --max-tokens 25 -o "$T/cap.chat.jsonl" "$R"
is "$(records "$T/cap.chat.jsonl" '[.max_tokens, .output_tokens, .finish_reason]')" \
	'[[25,25,"length"]]' "chat: finish_reason length at --max-tokens 25"
stop_sim "$SIM_PID"

# A Responses stream that ends without response.completed: a protocol
# error, the tokens received kept; response.failed: its message.
start_sim --ttft 5ms --itl 2ms --tokens 12 --fail no-done --fail-rate 1 || exit 1
run_ttftop run --headless -a openai-responses -n 2 -m sim -o "$T/nodone.jsonl" "$SIM_URL"
is "$(records "$T/nodone.jsonl" '[.error.kind, .error.detail, .output_tokens, .tokens_from, (.chunks | length)]')" \
	'[["protocol","stream ended before response.completed",12,"chunks",12]]' \
	"responses: no response.completed is a protocol error, 12 tokens kept"
stop_sim "$SIM_PID"
start_sim --ttft 5ms --itl 2ms --tokens 12 --fail stream-error --fail-rate 1 || exit 1
run_ttftop run --headless -a openai-responses -n 1 -m sim -o "$T/failed.jsonl" "$SIM_URL"
is "$(records "$T/failed.jsonl" '[.error.kind, .error.detail, .output_tokens]')" \
	'[["protocol","response.failed: server_error: simulated failure mid-stream",6]]' \
	"responses: response.failed is an error sample with the server's message, 6 tokens kept"
run_ttftop run --headless -a openai-chat -n 1 -m sim -o "$T/failed.chat.jsonl" "$SIM_URL"
is "$(records "$T/failed.chat.jsonl" '[.error.kind, .error.detail]')" \
	'[["protocol","error event: simulated failure mid-stream"]]' "chat: an error event mid-stream, its message"
stop_sim "$SIM_PID"

# The summaries, from the files: TTST, TTFO, prefill rate, tokens in and
# out, the finish shares; md, json and csv agree.
run_ttftop report -f json "$T/r.openai-chat.jsonl"
is "$STATUS" 0 "report -f json reads the new fields"
cp "$T/out" "$T/r.json"
near "$(jq '.stages[0].ttst_ms.p50' "$T/r.json")" 70 3 "summary: TTST p50 = TTFT + one ITL"
near "$(jq '.stages[0].ttfo_ms.p50' "$T/r.json")" 260 5 "summary: TTFO p50 = TTFT + 20 ITLs"
near "$(jq '.stages[0].prefill_rate_tok_s.p50' "$T/r.json")" \
	"$(jq_median "$T/r.openai-chat.jsonl" '.input_tokens / .ttft')" 0.01 \
	"summary: prefill rate p50 = the median of input tokens / TTFT"
is "$(jq -c '.stages[0] | [.reasoning_tokens, .input_tokens, .finish, .stop_share, .length_share]' "$T/r.json")" \
	"[80,$(jq -s '[.[] | select(.type == "request") | .input_tokens] | add' "$T/r.openai-chat.jsonl"),{\"stop\":4,\"length\":0,\"other\":0,\"none\":0},1,0]" \
	"summary: 4 x 20 reasoning tokens, the input tokens, 4 stopped on stop"
check "summary: total tok/s = input tok/s + output tok/s" \
	jq -e '.stages[0] | (.total_tok_s - .input_tok_s - .tok_s | fabs) < 0.01 and .input_tok_s > 0' "$T/r.json"
run_ttftop report -f json "$T/cap.chat.jsonl"
is "$(jq -c '.stages[0] | [.finish.length, .length_share, .stop_share]' "$T/out")" '[2,1,0]' \
	"summary: the capped run stopped on length, 100 %"
run_ttftop report -f csv "$T/r.openai-chat.jsonl"
is "$(python3 -c 'import csv, sys; r = next(csv.DictReader(open(sys.argv[1]))); print(r["ttfo_p50_ms"], r["ttst_p50_ms"], r["reasoning_tokens"], r["length_share"])' "$T/out")" \
	"$(jq -r '.stages[0] | "\(.ttfo_ms.p50) \(.ttst_ms.p50) \(.reasoning_tokens)"' "$T/r.json" |
		awk '{ printf "%.3f %.3f %d 0.000", $1, $2, $3 }')" \
	"csv (read by Python's csv module): the TTFO, TTST, reasoning and length figures of the json"
run_ttftop report -f md "$T/r.openai-chat.jsonl"
check "md: a table of TTST, TTFO, prefill and token rates per stage" \
	grep -q '^| stage | TTST p50 | TTST p95 | TTFO p50 | TTFO p95 | prefill tok/s p50 | input tok/s | total tok/s |' "$T/out"
done_testing
