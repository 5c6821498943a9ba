#!/bin/bash
# Replay in the live screen: a saved session on a virtual clock, steered by
# keys. The session is written here, so every moment in it is known.
. "$TESTS_DIR/sh/lib.sh"
. "$TESTS_DIR/sh/tmux.sh"
plan 35

start_sim --ttft 5ms --itl 1ms --tokens 4 || exit 1
run_ttftop run --headless -c 1 -n 1 -m sim -o "$T/one.jsonl" "$SIM_URL"
stop_sim "$SIM_PID"

# 40 s: a request every 0.5 s (50 ms to the first of 10 tokens, then one
# every 20 ms); stage 2 at 20 s; paused from 18 s to 22 s (no starts then);
# 5 clients from 25 s; a mark at 30 s
jq -c -s '.[0] as $run | [range(0; 80) | . / 2 | select(. < 18 or . >= 22) |
	{type: "request", id: (. * 2 + 1), stage: (if . < 20 then 1 else 2 end),
	 client: 0, t: ., ttfb: 0.04, ttft: 0.05, ttlt: 0.23, output_tokens: 10,
	 input_tokens: 20, tokens_from: "usage",
	 chunks: [range(0; 10) | 0.05 + . * 0.02], status: 200}] as $reqs |
	($reqs | map(. + {at: (.t + .ttlt)})) + [
	{type: "stage", t: 0.001, stage: 1, clients: 2},
	{type: "control", t: 18, action: "pause"},
	{type: "stage", t: 20, stage: 2, clients: 4},
	{type: "control", t: 22, action: "resume"},
	{type: "control", t: 25, action: "set_clients", clients: 5},
	{type: "control", t: 30, action: "mark", text: "knee"},
	{type: "end", t: 40, reason: "complete", requests: 72, errors: 0, cpu_s: 0.1,
	 overloaded: false, cpu_share: 0.003, lag_p99: 0.0001}] |
	map(. + {at: (.at // .t)}) | sort_by(.at) | map(del(.at)) |
	[$run | .config.clients = [2, 4]] + . | .[]' "$T/one.jsonl" >"$T/s.jsonl"
"$TTFTOP" replay --headless "$T/s.jsonl" >"$T/s.md"
check "the written session is a valid run of 72 requests" grep -q "^2 stages, 72 requests, 0 errors, 40.0 s, complete" "$T/s.md"

# replay "ARGS" ENV...: ttftop replay ARGS in a 100x30 terminal
replay() {
	local args=$1
	shift
	new_server
	rm -f "$T/status"
	tm -f /dev/null new-session -d -s t -x 100 -y 30 \
		"cd '$T' && env $* '$TTFTOP' replay $args; echo \$? > '$T/status'; sleep 30"
}
header() { screen | head -n 1; }
key() { tm send-keys -t t "$@"; }

# nearly stopped: the keys alone move it
replay "--speed 0.01 s.jsonl" LANG=C.UTF-8
check "the header shows the replay, its speed and the run's length" wait_for "00:00/00:40  REPLAY ×0.01" 5
check "and stage 1 with its 2 clients" grep -q "stage 1/2  clients 2  RUNNING" <<<"$(header)"
key Right; key Right
check "→ twice: 20 s in, stage 2" wait_for "stage 2/2 .* 00:20/00:40" 2
check "inside the recorded pause: PAUSED" grep -q "PAUSED" <<<"$(header)"
check "the stage table has stage 1's 36 requests" grep -qE "^1 +2 +36 +0 " <<<"$(screen)"
key Right
check "→ again: 30 s, running, 5 clients (the recorded set_clients)" wait_for "clients 5  RUNNING .*00:30/" 2
check "and stage 2's requests so far (16)" grep -qE "^2 +▶ +4 +16 +0 " <<<"$(screen)"
key Left
check "← back to 20 s: PAUSED again (rebuilt from the start)" wait_for "PAUSED .*00:20/" 2
check "stage 2 has none of its requests yet" grep -qE "^2 +▶ +4 +0 +0 " <<<"$(screen)"
key End
check "End: the run's end, DONE" wait_for "DONE .*00:40/00:40" 2
check "every request played: 36 and 36" bash -c "grep -qE '^1 +2 +36 ' <<<'$(screen)' && grep -qE '^2 +4 +36 ' <<<'$(screen)'"
peak=$("$TTFTOP" replay --json "$T/s.jsonl" | jq '.all.peak_tok_s' |
	awk '{ if ($1 < 100 && $1 != int($1)) printf "%.1f", $1; else printf "%.0f", $1 }')
check "the screen's peak tok/s is the summary's ($peak)" grep -q "peak $peak\b" <<<"$(screen)"
check "the recorded generator's figures are shown" grep -q "recorded generator: cpu 0%  loop lag p99 0.1ms .*72 of 72 requests" <<<"$(screen)"
key 5
check "the log lists the recorded controls when they happened" wait_for "30.0s .* mark  *knee" 2
check "(the pause, the clients set, the stages)" bash -c "grep -q '18.0s .* pause' <<<'$(screen)' && grep -q '25.0s .* set_clients  *5 clients' <<<'$(screen)' && grep -q '20.0s  *2 stage  *4 clients' <<<'$(screen)'"
key 1
key Home
check "Home: the start again" wait_for "RUNNING  00:00/00:40" 2
key +
check "+ doubles the speed" wait_for "REPLAY ×0.02" 2
key - -
check "- twice halves it twice" wait_for "REPLAY ×0.005" 2
key Space
check "space pauses the replay" wait_for "REPLAY ×0.005 paused" 2
key Space
check "space again plays on" bash -c "! grep -q paused <<<'$(sleep 0.3; tm capture-pane -p -t t | head -n 1)'"
views=""
for v in distributions stages streams log server overview; do
	key Tab
	wait_for "^$v " 2 && views="$views $v"
done
is "$views" " distributions stages streams log server overview" "tab walks every view"
key q
for i in $(seq 30); do [ -s "$T/status" ] && break; sleep 0.1; done
is "$(cat "$T/status" 2>/dev/null)" 0 "q quits at once with status 0"

# played on its clock: 8 times as fast, the pause comes 18 s into the run
replay "--speed 8 s.jsonl" LANG=C.UTF-8
check "played at x8 the recorded pause shows" wait_for "PAUSED" 6
check "when it happened (18 to 22 s into the run)" grep -qE "PAUSED +00:(18|19|20|21|22)/00:40" <<<"$(header)"
check "the mark shows when the replay passes it" wait_for "mark at 00:30: knee" 6
check "and the replay ends DONE" wait_for "DONE .*00:40/00:40" 6

# --compare: two runs on one clock, the second 50 ms slower to first token
jq -c 'if .type == "request" then .ttft += 0.05 | .ttlt += 0.05 | .chunks |= map(. + 0.05) else . end' \
	"$T/s.jsonl" >"$T/slow.jsonl"
replay "--compare --label fast --label slow --speed 0.01 s.jsonl slow.jsonl" LANG=C.UTF-8
check "--compare: the runs side by side, one line each" wait_for "TTFT p50  fast" 5
check "(and the second's)" grep -q "^ *slow " <<<"$(screen)"
key End
check "End: both runs' stages in one table" wait_for "^fast .* 2 .* 36 .* 50ms/50ms" 3
check "the slow run's TTFT is 50 ms more" grep -qE "^slow +1 +2 +36 +0 +100ms/100ms" <<<"$(screen)"
key r
check "r: the views show the next run" wait_for "run 2/2: slow" 2
key 2
check "whose distributions are the slow run's" wait_for "p50 100ms" 2
key q

replay "--speed max s.jsonl" LANG=C
check "--speed max: at the end at once; ASCII under LANG=C" wait_for "DONE .*00:40/00:40  REPLAY xmax" 3
key q

"$TTFTOP" replay --speed 0 "$T/s.jsonl" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "2:ttftop replay: --speed: '0' is not a positive number or max" \
	"--speed 0: named, exit 2"
done_testing
