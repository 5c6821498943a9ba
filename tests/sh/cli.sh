#!/bin/bash
# Bad usage: one line naming what is wrong, exit 2, and no file written.
. "$TESTS_DIR/sh/lib.sh"
plan 55

usage_error() {	# usage_error WORD-IN-MESSAGE ARGS...
	local want=$1; shift
	(cd "$T" && timeout 10 "$TTFTOP" "$@" >"$T/out" 2>"$T/err")
	local status=$? lines
	lines=$(wc -l < "$T/err" | tr -d ' ')
	if [ "$status" = 2 ] && [ "$lines" = 1 ] && grep -q -- "$want" "$T/err"; then
		ok 0 "ttftop $* -> exit 2: $(cat "$T/err")"
	else
		ok 1 "ttftop $*"; echo "#   status $status, stderr: $(cat "$T/err")"
	fi
}

check "--help lists the commands" bash -c "'$TTFTOP' --help | grep -q 'run \[OPTIONS\] URL'"
check "--version" bash -c "'$TTFTOP' --version | grep -q '^ttftop [0-9]'"
check "help run lists the options" bash -c "'$TTFTOP' help run | grep -q -- '--stage-duration'"
check "run --help works" bash -c "'$TTFTOP' run --help | grep -q -- '--clients'"
check "sim --help works" bash -c "'$TTFTOP' sim --help | grep -q -- '--tokens-per-chunk'"

usage_error "unknown command" frobnicate
usage_error "unknown option --bogus" run --bogus http://127.0.0.1:1
usage_error "'3x' is not a duration" run -d 3x http://127.0.0.1:1
usage_error "'1,,3' is not a list" run -c 1,,3 http://127.0.0.1:1
usage_error "stage 1 of '0' has 0 clients: nothing would run" run -c 0 http://127.0.0.1:1
usage_error "stage 2 of '1,0,4' has 0 clients" run -c 1,0,4 http://127.0.0.1:1
usage_error "--max-errors: '-1' is not a count" run --max-errors -1 http://127.0.0.1:1
usage_error "malformed URL 'http//nope'" run http//nope
usage_error "no URL given" run -c 1
usage_error "unknown API 'nope'" run -a nope http://127.0.0.1:1
usage_error "--api custom needs --body-file" run -a custom http://127.0.0.1:1
usage_error "x.jsonl: No such file" report --format html x.jsonl
usage_error "more --label than files" replay --compare --label a --label b x.jsonl
usage_error "needs a value" run http://127.0.0.1:1 -m
usage_error "/nonexistent/dir/x.jsonl" run -o /nonexistent/dir/x.jsonl http://127.0.0.1:1
usage_error "--fail: unknown kind 'boom'" sim --fail boom
usage_error "--listen" sim --listen nowhere
usage_error "'2x' is not a duration" demo -d 2x
# open loop and what is asked
printf '0\n0.5\nsoon\n' >"$T/sched.txt"
printf 'x\n' >"$T/one.txt"
printf '\n' >"$T/none.txt"
usage_error "-r/--rate: '0' is not a list of request rates above 0" run -r 0 http://127.0.0.1:1
usage_error "-r/--rate: '2,-1'" run -r 2,-1 http://127.0.0.1:1
usage_error "--arrival: unknown arrival 'bursty'" run -r 5 --arrival bursty http://127.0.0.1:1
usage_error "--arrival: unknown arrival 'gamma:0'" run -r 5 --arrival gamma:0 http://127.0.0.1:1
usage_error "give one of them" run -r 5 -c 2 http://127.0.0.1:1
usage_error "sched.txt:3: 'soon' is not a send offset" run --schedule "$T/sched.txt" http://127.0.0.1:1
usage_error "--max-concurrency is for open loop" run --max-concurrency 4 http://127.0.0.1:1
usage_error "--rate-ramp: '1:5' is not FROM:TO:DURATION" run --rate-ramp 1:5 http://127.0.0.1:1
usage_error "--slo: unknown metric 'latency'" run --slo latency:1s http://127.0.0.1:1
usage_error "--slo: ttft limit 'soon'" run --slo ttft:soon http://127.0.0.1:1
usage_error "none.txt holds no prompts" run --prompts "$T/none.txt" http://127.0.0.1:1
usage_error "--prompt, --prompts and --input-tokens: give one" run --prompt hi --prompts "$T/one.txt" http://127.0.0.1:1
usage_error "--input-tokens: 'lots' is not N or N:SD" run --input-tokens lots http://127.0.0.1:1
usage_error "--body: JSON, but not an object" run --body '[1]' http://127.0.0.1:1
usage_error "--max-tokens: '5:x' is not N or N:SD" run --max-tokens 5:x http://127.0.0.1:1
usage_error "--turns: '0' is not N or N:SD" run --turns 0 http://127.0.0.1:1
usage_error "--turns is for closed loop" run --turns 3 -r 2 http://127.0.0.1:1
usage_error "--think is the pause between a session's turns" run --think 1s http://127.0.0.1:1
usage_error "--think: 'soon' is not a duration" run --turns 2 --think soon http://127.0.0.1:1
usage_error "--time-scale is for --schedule FILE" run --time-scale 0.5 http://127.0.0.1:1
usage_error "--time-scale: '0' is not a factor" run --time-scale 0 http://127.0.0.1:1
usage_error "--schedule-format: 'csv' is not auto, plain, mooncake or burstgpt" run --schedule-format csv http://127.0.0.1:1
usage_error "--hash-block: '0' is not a count" run --hash-block 0 http://127.0.0.1:1
usage_error "--prefix-cache: 0 is not a duration per cached token" sim --prefix-cache 0
usage_error "'0' is not a valid count" sim --prefix-block 0
# --body sets its own field only: a later bad option or check is a usage
# error (exit 2, one line), never a double free (exit 134) or a read of freed
# memory; usage_error runs in $T, where the template T is
printf '%s\n' '{"model": "{{model}}", "messages": [{"role": "user", "content": "{{prompt}}"}],' \
	'"stream": true, "stream_options": {"include_usage": true}}' >"$T/T"
usage_error "unknown option --bogus" run --token-path a.b --body '{}' --bogus x
usage_error "no URL given" run -a custom --body-file T --token-path P --body '{"max_tokens": 2}'
check "no JSONL file was left by bad usage" bash -c "! ls '$T'/*.jsonl"

# the URL is completed with the API's path, and named in errors
start_sim --ttft 5ms --itl 1ms --tokens 3 || exit 1
base=${SIM_URL%/v1}
run_ttftop run -n 1 -o "$T/root.jsonl" "$base"
is "$(jq -r 'select(.type == "run") | .config.endpoint' "$T/root.jsonl"):$STATUS" \
	"$SIM_URL/chat/completions:0" "a root URL reaches /v1/chat/completions"
run_ttftop run -n 1 -o "$T/404.jsonl" "$base/v2/chat"
is "$(jq -r 'select(.type == "request") | "\(.status) \(.error.detail)"' "$T/404.jsonl")" \
	"404 no route for POST /v2/chat/v1/chat/completions" "a wrong path: HTTP 404 with the server's message"
# the template, its paths and --body after them all reach the server: the sim
# was told 3 tokens, the body's max_tokens caps them at 2
run_ttftop run --headless -a custom --body-file "$T/T" --token-path choices.0.delta.content \
	--usage-path usage.completion_tokens --body '{"max_tokens": 2}' -m sim -n 1 -o "$T/custom.jsonl" \
	"$SIM_URL/chat/completions"
is "$(jq -c 'select(.type == "request") | [.output_tokens, .tokens_from, .error]' "$T/custom.jsonl"):$STATUS" \
	'[2,"usage",null]:0' "--body after --body-file and --token-path: 2 tokens from the usage path, exit 0"
for c in "" run sim replay report; do "$TTFTOP" $c --help; done >"$T/help.txt" 2>&1
check "every --help line fits 80 columns" awk 'length > 80 { print; bad = 1 } END { exit bad }' "$T/help.txt"
done_testing
