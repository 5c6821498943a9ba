#!/bin/bash
# Multi-turn sessions: --turns N and --think, ShareGPT conversations and
# "messages" lines as whole conversations. Each turn sends the history with
# the model's own answers: checked in the bodies an origin that is not the
# sim received (its own answer must come back), and against the sim's
# prefix cache, which makes later turns' TTFT shorter by what it was told
# (a saving per cached token; its truth log says how many were cached).
. "$TESTS_DIR/sh/lib.sh"
plan 44

SAVE_US=200	# the sim's saving per cached token
start_sim --ttft 150ms --itl 2ms --tokens 8 --prefix-cache ${SAVE_US}us \
	--truth "$T/truth.jsonl" || exit 1
stop_sim() {	# the truth log is whole once the sim has ended
	kill "$SIM_PID"
	wait "$SIM_PID" 2>/dev/null
}
PROMPT="Tell me about the harbour town, its signal house on the hill and the keeper who wrote the weather into a ledger."

requests() { jq -sc "[.[] | select(.type == \"request\")] | sort_by(.id) | $2" "$1"; }
# the sim's cached tokens of each request, by the run's request id
cached_join() {	# cached_join RUN.jsonl JQ: the requests with .cached, sorted by id
	jq -n -c --slurpfile run "$1" --slurpfile truth "$T/truth.jsonl" "
		(\$truth | map(select(.cached_tokens != null)
			| {key: (.id | sub(\"^[0-9]+-\"; \"\")), value: .cached_tokens}) | from_entries) as \$c
		| [\$run[] | select(.type == \"request\") | . + {cached: \$c[.id | tostring]}]
		| sort_by(.id) | $2"
}

run_ttftop run --headless -c 2 -n 6 --turns 3 --think 100ms --prompt "$PROMPT" \
	-o "$T/t.jsonl" "$SIM_URL"
is "$STATUS" 0 "--turns 3 -c 2 -n 6: exit 0"
cp "$T/out" "$T/t.out"
run_ttftop run --headless -n 2 -o "$T/plain.jsonl" "$SIM_URL"
cp "$T/out" "$T/plain.out"
curl -s "${SIM_URL%/v1}/metrics" >"$T/metrics.txt"
stop_sim
is "$(requests "$T/t.jsonl" 'map(select(.error == null)) | length')" 12 "12 requests, none failed"
is "$(requests "$T/t.jsonl" 'group_by(.session) | map([.[0].client, (map(.client) | unique | length), (map(.turn) | sort)])
	| map(.[1:]) | unique')" '[[1,[1,2,3]]]' \
	"each session is held by one client and sends turns 1, 2, 3"
is "$(requests "$T/t.jsonl" 'map(.session) | unique')" "[1,2,3,4]" "four sessions, numbered from 1"
check "input_tokens grows with every turn of a session (the history is sent)" \
	jq -se '[.[] | select(.type == "request")] | group_by(.session)
		| all(sort_by(.turn) | [.[].input_tokens] as $i | $i[0] < $i[1] and $i[1] < $i[2])' "$T/t.jsonl"
echo "# input tokens by turn: $(requests "$T/t.jsonl" 'map(select(.session == 1)) | sort_by(.turn) | map(.input_tokens)')"
is "$(cached_join "$T/t.jsonl" 'map(select(.cached == null)) | length')" 0 \
	"the sim's truth log says every request's cached tokens"
is "$(cached_join "$T/t.jsonl" '.[0].cached')" 0 "the run's first request finds nothing cached"
is "$(awk '/^vllm:prefix_cache_(queries|hits)_total/ { printf "%s ", $2 }' "$T/metrics.txt")" \
	"$(jq -rs 'map(select(.cached_tokens != null)) | "\(map(.prompt_tokens) | add) \(map(.cached_tokens) | add) "' "$T/truth.jsonl")" \
	"the sim's /metrics counts the prompt tokens queried and hit, as vLLM's prefix_cache counters do"
is "$(cached_join "$T/t.jsonl" 'group_by(.session) | all(sort_by(.turn) | . as $s | [range(1; length)]
	| all($s[.].cached >= $s[. - 1].input_tokens - 16))')" true \
	"every later turn finds the whole previous turn's prompt cached (within a block of 16 tokens)"
# timing on a machine busy with other tests: the p90 of the errors is held
# to 3 ms, the worst to 10 ms (a block of 16 cached tokens is 3.2 ms)
p90max() { jq -r 'map(fabs * 1000) | sort | "\(.[(length - 1) * 9 / 10 | floor]) \(.[-1])"'; }
read -r p90 worst <<<"$(cached_join "$T/t.jsonl" "map(.ttft - (0.150 - .cached * $SAVE_US / 1e6))" | p90max)"
check "every TTFT is 150 ms less ${SAVE_US} us per cached token: error p90 $p90 ms (within 3), worst $worst ms (within 10)" \
	awk -v p="$p90" -v w="$worst" 'BEGIN { exit !(p != "" && p < 3 && w < 10) }'
# the figure the issue asks for: later turns shorter than the first by the
# configured amount for what they found cached beyond it
read -r p90 worst <<<"$(cached_join "$T/t.jsonl" "group_by(.session) | map(sort_by(.turn) | .[0] as \$f | .[1:][]
	| ((\$f.ttft - .ttft) - (.cached - \$f.cached) * $SAVE_US / 1e6))" | p90max)"
# a difference of two TTFTs carries both their errors: held to 5 ms at p90
# (the saving it checks is 13 ms and more: 64 tokens and more cached)
check "each later turn's TTFT is shorter than its session's first by ${SAVE_US} us per extra cached token: error p90 $p90 ms (within 5), worst $worst ms (within 10)" \
	awk -v p="$p90" -v w="$worst" 'BEGIN { exit !(p != "" && p < 5 && w < 10) }'
echo "# session 1: $(cached_join "$T/t.jsonl" 'map(select(.session == 1)) | sort_by(.turn) | map({turn, input_tokens, cached, ttft_ms: (.ttft * 1000 | round)})')"
check "--think 100ms: a turn starts at least 100 ms after the last one ended" \
	jq -se '[.[] | select(.type == "request")] | group_by(.session)
		| all(sort_by(.turn) | . as $s | [range(1; length)] | all($s[.].t - ($s[. - 1].t + $s[. - 1].ttlt) >= 0.098))' "$T/t.jsonl"

# the summary: TTFT of first turns against later ones, md, json and csv
check "the summary has the TTFT-by-turn table: 4 first turns, 8 later" \
	grep -Eq '^\| 1 \| 4 \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| 8 \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| -[0-9.]+ \|$' "$T/t.out"
"$TTFTOP" report -f json "$T/t.jsonl" >"$T/t.json"
f50=$(jq '.stages[0].ttft_by_turn.first_ms.p50' "$T/t.json")
l50=$(jq '.stages[0].ttft_by_turn.later_ms.p50' "$T/t.json")
check "json: ttft_by_turn counts 4 and 8, later p50 ($l50 ms) below first ($f50 ms) by 10 ms or more" \
	jq -e '.stages[0].ttft_by_turn | .first_ms.count == 4 and .later_ms.count == 8 and .later_ms.p50 < .first_ms.p50 - 10' "$T/t.json"
check "json: the run's 'all' has it too" jq -e '.all.ttft_by_turn.later_ms.count == 8' "$T/t.json"
"$TTFTOP" report -f csv -o "$T/t.csv" "$T/t.jsonl"
is "$(python3 -c 'import csv, sys; r = list(csv.DictReader(open(sys.argv[1]))); print(r[0]["ttft_turn1_count"], r[0]["ttft_later_turns_count"], float(r[0]["ttft_later_turns_p50_ms"]) < float(r[0]["ttft_turn1_p50_ms"]))' "$T/t.csv")" \
	"4 8 True" "csv (read by Python's csv): ttft_turn1_* and ttft_later_turns_* columns"
is "$(jq -sc '[.[] | select(.type == "request") | has("session") or has("turn")] | unique' "$T/plain.jsonl")|$(grep -c 'TTFT by turn' "$T/plain.out")" \
	"[false]|0" "a run without sessions records no session or turn, and has no turn table"

# every API whose adapter reads the answer's text sends it back: the next
# turn's cached prefix reaches past the previous prompt into the answer
export AWS_ACCESS_KEY_ID=AKIDTTFTOPTEST AWS_SECRET_ACCESS_KEY=aws-secret-4e5f AWS_REGION=us-west-2
unset AWS_SESSION_TOKEN AWS_DEFAULT_REGION
for api in openai-chat anthropic ollama bedrock bedrock-invoke; do
	start_sim --ttft 50ms --itl 1ms --tokens 40 --prefix-cache 100us --truth "$T/truth.jsonl" || exit 1
	url=$SIM_URL
	case $api in ollama | bedrock*) url=${SIM_URL%/v1} ;; esac
	ANTHROPIC_API_KEY=test run_ttftop run --headless -a $api -c 1 -n 2 --turns 2 -m sim --prompt "$PROMPT" -o "$T/$api.jsonl" "$url"
	stop_sim
	got=$(cached_join "$T/$api.jsonl" '[.[0].input_tokens, .[1].cached, .[1].input_tokens]')
	check "-a $api: turn 2 finds its answer cached too ([in 1, cached 2, in 2] = $got)" \
		jq -ne --argjson g "$got" '$g[1] >= $g[0] + 16 and $g[2] > $g[1]'
done
# with reasoning before the answer, only the visible answer is sent back:
# the sim caches the visible text it sent after the prompt, so turn 2's
# cached prefix reaches 40 tokens and more into the answer (the 40 visible
# tokens are 60 of the sim's, a block of 16 may be lost); reasoning in the
# history would break the match where the answer begins
for api in openai-chat openai-responses anthropic ollama bedrock bedrock-invoke; do
	start_sim --ttft 50ms --itl 1ms --tokens 40 --reasoning-tokens 40 --prefix-cache 100us \
		--truth "$T/truth.jsonl" || exit 1
	url=$SIM_URL
	case $api in ollama | bedrock*) url=${SIM_URL%/v1} ;; esac
	ANTHROPIC_API_KEY=test run_ttftop run --headless -a $api -c 1 -n 2 --turns 2 -m sim --prompt "$PROMPT" -o "$T/r-$api.jsonl" "$url"
	stop_sim
	got=$(cached_join "$T/r-$api.jsonl" '[.[0].input_tokens, .[1].cached, .[1].input_tokens, (map(.reasoning_tokens) | unique)]')
	check "-a $api --reasoning-tokens 40: turn 2 has the visible answer cached, not the reasoning ([in 1, cached 2, in 2, reasoning] = $got)" \
		jq -ne --argjson g "$got" '$g[1] >= $g[0] + 40 and $g[2] > $g[1] and $g[3] == [40]'
done
# APIs of one string: the messages' texts joined, the answer among them
# (counted by the sim's truth log: TGI's usage has no prompt count)
for api in openai-completions tgi sagemaker; do
	start_sim --ttft 5ms --itl 1ms --tokens 40 --prefix-cache 1us --truth "$T/truth.jsonl" || exit 1
	url=$SIM_URL
	[ $api = openai-completions ] || url=${SIM_URL%/v1}
	run_ttftop run --headless -a $api -c 1 -n 2 --turns 2 -m sim --prompt "$PROMPT" -o "$T/$api.jsonl" "$url"
	stop_sim
	got=$(jq -sc 'map(select(.prompt_tokens != null) | .prompt_tokens)' "$T/truth.jsonl")
	check "-a $api: the second turn's prompt holds the first twice and the 40-token answer ($got)" \
		jq -ne --argjson g "$got" '$g[1] >= 2 * $g[0] + 40'
done

# the bodies, as an origin that is not the sim received them
ORIGIN=$TESTS_DIR/sh/origin.py
start_origin() {
	: >"$T/origin.log"
	python3 "$ORIGIN" --mode keep --tokens 5 --ttft 0.01 --itl 0.001 --log "$T/origin.log" >"$T/origin.url" 2>"$T/origin.err" &
	SIM_PIDS="$SIM_PIDS $!"
	for i in $(seq 100); do
		ORIGIN_URL=$(head -n 1 "$T/origin.url")
		case "$ORIGIN_URL" in http://*) return 0 ;; esac
		sleep 0.05
	done
	echo "# origin.py did not start: $(cat "$T/origin.err")"
}
bodies() { jq -sc '[.[] | select(.body.messages != null) | .body.messages | map([.role, .content])]' "$T/origin.log"; }
ANSWER="t0 t1 t2 t3 t4 "	# what origin.py streams

start_origin
run_ttftop run --headless -c 1 -n 3 --turns 3 --prompt "Q?" -o "$T/o.jsonl" "$ORIGIN_URL"
is "$(bodies)" "$(jq -nc --arg a "$ANSWER" '[[["user","Q?"]], [["user","Q?"],["assistant",$a],["user","Q?"]],
	[["user","Q?"],["assistant",$a],["user","Q?"],["assistant",$a],["user","Q?"]]]')" \
	"--turns 3: each body holds the history with the origin's own answers"

printf 'P1\nP2\nP3\n' >"$T/plain.txt"
: >"$T/origin.log"
run_ttftop run --headless -c 1 -n 4 --turns 2 --prompts "$T/plain.txt" -o "$T/p.jsonl" "$ORIGIN_URL"
is "$(bodies | jq -c 'map(map(select(.[0] == "user") | .[1]))')" '[["P1"],["P1","P2"],["P3"],["P3","P1"]]' \
	"--turns 2 with a file of prompts: each turn asks the next prompt in turn"

: >"$T/origin.log"
run_ttftop run --headless -c 1 -n 5 --prompts "$TESTS_DIR/sh/data/sharegpt.json" -o "$T/g.jsonl" "$ORIGIN_URL"
is "$STATUS" 0 "a ShareGPT .json array: exit 0"
is "$(requests "$T/g.jsonl" 'map([.session, .turn])')" "[[1,1],[1,2],[2,1],[2,2],[2,3]]" \
	"ShareGPT: each conversation is a session of its human turns"
is "$(bodies | jq -c '.[0], .[1], .[4]')" "$(jq -nc --arg a "$ANSWER" '
	[["system","You answer in one short sentence."],["user","Who kept the signal house on the hill?"]],
	[["system","You answer in one short sentence."],["user","Who kept the signal house on the hill?"],["assistant",$a],["user","What did he write in the ledger?"]],
	[["user","What washed up below the signal house?"],["assistant",$a],["user","And what was inside it?"],["assistant",$a],["user","Which coast did it describe?"]]')" \
	"ShareGPT: the system turn kept, the human turns asked in order, the model's own answers as history"
check "no recorded gpt answer is ever sent" bash -c "! grep -q RECORDED-ANSWER '$T/origin.log'"
jq -c '.[]' "$TESTS_DIR/sh/data/sharegpt.json" >"$T/sharegpt.jsonl"
: >"$T/origin.log"
run_ttftop run --headless -c 1 -n 2 --turns 1 --prompts "$T/sharegpt.jsonl" -o "$T/g1.jsonl" "$ORIGIN_URL"
is "$(requests "$T/g1.jsonl" 'map([.session, .turn])')|$(bodies | jq -c 'map(length)')" "[[1,1],[2,1]]|[2,1]" \
	"ShareGPT .jsonl with --turns 1: one turn of each conversation"

: >"$T/origin.log"
run_ttftop run --headless -c 1 -n 3 --turns 2 --prompts "$TESTS_DIR/sh/data/messages.jsonl" -o "$T/m.jsonl" "$ORIGIN_URL"
is "$(bodies)" "$(jq -nc --arg a "$ANSWER" '[[["system","Be brief."],["user","Name the season the gulls return."]],
	[["system","Be brief."],["user","Name the season the gulls return."],["assistant",$a],["user","What do they nest on?"]],
	[["user","What did the teacher do with the ledger?"]]]')" \
	"messages lines with --turns: conversations of their user turns, the recorded answer replaced by the model's"
: >"$T/origin.log"
run_ttftop run --headless -c 1 -n 1 --prompts "$TESTS_DIR/sh/data/messages.jsonl" -o "$T/m1.jsonl" "$ORIGIN_URL"
check "without --turns a messages line is sent whole, as before" \
	bash -c "grep -q RECORDED-ANSWER-6 '$T/origin.log' && jq -se '[.[] | select(.type == \"request\")] | all(has(\"session\") | not)' '$T/m1.jsonl'"

# bad conversations: FILE:LINE, exit 2, one line
bad() {	# bad WANT FILE-CONTENT
	printf '%s' "$2" >"$T/bad.$3"
	timeout 10 "$TTFTOP" run --prompts "$T/bad.$3" http://127.0.0.1:1 >/dev/null 2>"$T/bad.err"
	local st=$?
	if [ "$st" = 2 ] && [ "$(wc -l <"$T/bad.err")" = 1 ] && grep -q -- "$1" "$T/bad.err"; then
		ok 0 "$(cat "$T/bad.err")"
	else
		ok 1 "bad input $1"; echo "#   status $st: $(cat "$T/bad.err")"
	fi
}
bad "bad.json:4: \"conversations\" is empty" $'[\n {"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]},\n\n {"id": "x", "conversations": []}\n]\n' json
bad "bad.json:2: the conversation is one-sided: it has no gpt turn" $'[\n{"conversations": [{"from": "human", "value": "a"}]}]\n' json
bad "bad.jsonl:2: the conversation is one-sided: it has no human turn" $'{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]}\n{"conversations": [{"from": "gpt", "value": "b"}]}\n' jsonl
bad "bad.jsonl:1: a turn of \"conversations\" needs \"from\" and \"value\"" $'{"conversations": [{"from": "human"}]}\n' jsonl

done_testing
