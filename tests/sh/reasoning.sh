#!/bin/bash
# The Responses API against the sim, reasoning told apart from the visible
# answer in every API that streams it, TTST, tool calls, the finish reason
# and the output cap, the streams that end wrongly, and the request phases.
. "$TESTS_DIR/sh/lib.sh"
plan 46

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

# The JSONL's new fields survive a replay into the report.
run_ttftop report -f json "$T/r.openai-chat.jsonl"
is "$STATUS" 0 "report -f json reads the new fields"
done_testing
