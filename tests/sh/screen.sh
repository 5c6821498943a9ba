#!/bin/bash
# The live screen in a real terminal: tmux runs `ttftop demo`, send-keys
# types, capture-pane reads the screen.
. "$TESTS_DIR/sh/lib.sh"
. "$TESTS_DIR/sh/tmux.sh"
plan 57

# wait_line FILE JQ-FILTER [SECONDS]: until the JSONL has a matching record
wait_line() {
	local i
	for i in $(seq $((${3:-5} * 10))); do
		[ -n "$(jq -c "$2" "$1" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	return 1
}
# start ENV...: the demo in a 100x30 terminal, 2 and 4 clients, 30 s stages
start() {
	new_server
	rm -f "$T/screen.jsonl" "$T/status"
	tm -f /dev/null new-session -d -s t -x 100 -y 30 \
		"cd '$T' && env $* TERM=xterm-256color '$TTFTOP' demo -c 2,4 -d 30s -o screen.jsonl; echo \$? > '$T/status'; sleep 30"
}
# quit_and_wait: q, then the program's exit status within 6 s
quit_and_wait() {
	local i
	tm send-keys -t t q
	for i in $(seq 60); do [ -s "$T/status" ] && break; sleep 0.1; done
	cat "$T/status" 2>/dev/null
}

start LANG=C.UTF-8
check "the TTFT line appears" wait_for "TTFT  now p50" 15
s=$(screen)
for field in "openai-chat" "model=sim" "stage 1/2" "clients 2" "RUNNING" "in flight" "tok/s" "req/s"; do
	check "the screen shows '$field'" grep -q -- "$field" <<<"$s"
done
wait_for "[▁▂▃▄▅▆▇█]" 5
check "sparklines are drawn with block glyphs" grep -q "[▁▂▃▄▅▆▇█]" <<<"$(screen)"
check "colours are on (so the NO_COLOR check below can fail)" \
	bash -c "tmux -L '$SOCK' capture-pane -e -p -t t | grep -q \$'\e\\[[0-9;]*3[0-7]m'"
check "the stage table lists stage 1" grep -qE "^1 +▶ +2 " <<<"$(screen)"

tm send-keys -t t Space
check "space shows PAUSED" wait_for "PAUSED" 1
sleep 1.5
tm send-keys -t t Space
check "space again shows RUNNING" wait_for "RUNNING" 1
check "pause and resume are written as controls" \
	wait_line "$T/screen.jsonl" 'select(.type == "control" and .action == "resume")'
check "no request started between pause and resume" jq -e -s '
	(map(select(.action == "pause"))[0].t) as $p | (map(select(.action == "resume"))[0].t) as $r |
	all(.[] | select(.type == "request"); .t < $p or .t > $r)' "$T/screen.jsonl"

tm send-keys -t t +
check "+ shows 3 clients" wait_for "clients 3 " 1
check "+ writes set_clients with 3 clients" \
	wait_line "$T/screen.jsonl" 'select(.type == "control" and .action == "set_clients" and .clients == 3)'
check "the requests in flight rise to 3" wait_for "in flight 3 " 2

tm send-keys -t t m
check "m asks for a note" wait_for "^mark:" 1
tm send-keys -t t "knee here" Enter
check "the mark is written with its note" \
	wait_line "$T/screen.jsonl" 'select(.type == "control" and .action == "mark" and .text == "knee here")'
tm send-keys -t t m
tm send-keys -t t -l "café 東京✓x"
check "a UTF-8 note is shown as typed" wait_for "^mark: café 東京✓x" 1
tm send-keys -t t BSpace BSpace
check "backspace removes a whole character, of any length" wait_for "^mark: café 東京\$" 1
tm send-keys -t t -l "!"
tm send-keys -t t Enter
check "the UTF-8 note is written intact" \
	wait_line "$T/screen.jsonl" 'select(.type == "control" and .action == "mark" and .text == "café 東京!")'
a118=$(printf 'a%.0s' $(seq 118))
tm send-keys -t t m
tm send-keys -t t -l "${a118}é"
tm send-keys -t t -l "b"
tm send-keys -t t Enter
check "a full note is cut between characters: é (2 bytes) no longer fits, b does" \
	wait_line "$T/screen.jsonl" "select(.type == \"control\" and .action == \"mark\" and .text == \"${a118}b\")"

for view in distributions stages streams log server overview; do
	tm send-keys -t t Tab
	check "tab shows the $view view" wait_for "^$view  window" 1
done
tm send-keys -t t 4
check "4 jumps to the streams view, which lists requests in flight" wait_for "sorted by age (s to change)" 1
tm send-keys -t t 1 w
check "w changes the sparkline window" wait_for "window 10m" 1
tm send-keys -t t '?'
check "? shows the help" wait_for "sparkline window: 10s, 60s, 10m" 1
tm send-keys -t t q
check "the help is modal: q closes it and does not quit" wait_for "^overview  window" 1
check "(the run goes on)" wait_for "RUNNING" 1
tm send-keys -t t '?'
wait_for "sparkline window: 10s, 60s, 10m" 1
tm send-keys -t t x
check "a key that means nothing is ignored (and closes the help)" wait_for "^overview  window" 1

tm resize-window -t t -x 60 -y 20
check "60x20 says the terminal is too small" wait_for "terminal too small: 60x20" 2
tm resize-window -t t -x 100 -y 30
check "back at 100x30 the screen returns" wait_for "TTFT  now p50" 2

is "$(quit_and_wait)" 0 "q ends the program with status 0 within 6 s"
is "$(jq -r 'select(.type == "end") | .reason' "$T/screen.jsonl")" quit "the end record is written (reason quit)"

# ASCII sparklines without a UTF-8 locale, and no colour under NO_COLOR
start LANG=C LC_ALL=C NO_COLOR=1
check "LANG=C: the TTFT line appears" wait_for "TTFT  now p50" 15
wait_for "clients 2 .*[_.:=+*#-]" 5
check "LANG=C: sparklines are ASCII" bash -c "tmux -L '$SOCK' capture-pane -p -t t | grep -q 'clients 2 .*[_.:=+*#-]'"
check "LANG=C: no block glyphs" bash -c "! tmux -L '$SOCK' capture-pane -p -t t | grep -q '[▁▂▃▄▅▆▇█]'"
check "NO_COLOR: no colour on screen" bash -c "! tmux -L '$SOCK' capture-pane -e -p -t t | grep -q \$'\e\\[[0-9;]*3[0-7]m'"

# Ctrl-S is a key, not flow control: the screen goes on (the help opens)
tm send-keys -t t C-s '?'
check "Ctrl-S does not stop the screen" wait_for "sparkline window: 10s, 60s, 10m" 2
tm send-keys -t t x
# a terminal that takes no output (stopped, as a congested link is) costs
# frames, never the measurement: requests go on, read on time
tcflow() { python3 -c "import os, sys, termios; termios.tcflow(os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY), termios.$1)" "$(tm display -p -t t '#{pane_tty}')"; }
stopped=$(python3 -c 'import time; print(time.monotonic())')
tcflow TCOOFF
sleep 5
tcflow TCOON
resumed=$(python3 -c 'import time; print(time.monotonic())')
sleep 0.5	# the writer's last lines
is "$(jq -s --argjson a "$stopped" --argjson b "$resumed" '(map(select(.type == "run"))[0].mono0) as $m0 |
	[.[] | select(.type == "request" and $m0 + .t > $a and $m0 + .t + .ttlt < $b)] |
	[length >= 2, all(.ttft < 0.5)] | map(tostring) | join(" ")' "$T/screen.jsonl")" '"true true"' \
	"requests start and end while the terminal is stopped, with their usual TTFT"
check "the screen goes on when it is resumed" wait_for "^overview  window" 2
is "$(quit_and_wait)" 0 "LANG=C NO_COLOR: q ends it with status 0"

# open loop: the rate in the header, steered by the keys
new_server
rm -f "$T/screen.jsonl" "$T/status"
tm -f /dev/null new-session -d -s t -x 100 -y 30 \
	"cd '$T' && env LANG=C.UTF-8 TERM=xterm-256color '$TTFTOP' demo -r 10 -d 60s --slo ttft:300ms -o screen.jsonl; echo \$? > '$T/status'; sleep 30"
check "open loop: the header shows the rate" wait_for "stage 1/1  rate 10/s" 15
check "open loop: the generator line shows lateness" wait_for "lateness p99 [0-9.]*ms" 5
check "open loop: goodput under --slo" wait_for "goodput [0-9.]* req/s" 5
tm send-keys -t t ']'
check "] doubles the rate: set_rate 20 written" \
	wait_line "$T/screen.jsonl" 'select(.type == "control" and .action == "set_rate" and .rate == 20)'
check "and the header shows it" wait_for "rate 20/s" 2
tm send-keys -t t '-'
check "- takes 10 % off: set_rate 18" \
	wait_line "$T/screen.jsonl" 'select(.type == "control" and .action == "set_rate" and .rate == 18)'
tm send-keys -t t Space
sleep 1
tm send-keys -t t Space
wait_line "$T/screen.jsonl" 'select(.type == "control" and .action == "resume")'
is "$(jq -s '(map(select(.action == "pause"))[0].t) as $p | (map(select(.action == "resume"))[0].t) as $r
	| [.[] | select(.type == "request" and .t > $p and .t < $r)] | length' "$T/screen.jsonl")" 0 \
	"open loop: no request starts between pause and resume"
is "$(quit_and_wait)" 0 "open loop: q ends it with status 0"
done_testing
