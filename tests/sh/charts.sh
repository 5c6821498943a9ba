#!/bin/bash
# The overview's charts tell the truth: the time axis spans exactly the
# window it names (two stage starts 4 s apart are 4/W of its width apart),
# the charts fill the terminal, and each prints its top value.
. "$TESTS_DIR/sh/lib.sh"
. "$TESTS_DIR/sh/tmux.sh"
plan 13

# the columns of the axis row that mark a stage's start
marks() { screen | python3 -c '
import sys
for line in sys.stdin:
    if "\u2514" in line:
        print(" ".join(str(i) for i, ch in enumerate(line) if ch == "\u253c"))' ; }
# the chart width: the axis row after its corner
axis_width() { screen | python3 -c '
import sys
for line in sys.stdin:
    if "\u2514" in line:
        print(len(line.rstrip("\n")) - line.index("\u2514") - 1)' ; }

new_server
tm -f /dev/null new-session -d -s t -x 120 -y 35 \
	"cd '$T' && LANG=C.UTF-8 TERM=xterm-256color '$TTFTOP' demo -c 1,2 -d 4s -o c.jsonl; sleep 30"
check "stage 2 begins" wait_for "stage 2/2" 10
sleep 0.5
s=$(screen)
check "the axis is labelled -60s -30s now" grep -Eq '^ +-60s +-30s +now$' <<<"$s"
first=$(grep -n '^TTFT' <<<"$s" | head -1 | cut -d: -f1)
axis=$(grep -n '└' <<<"$s" | cut -d: -f1)
blank=$(sed -n "${first},${axis}p" <<<"$s" | grep -c '^ *$')
is "$blank" 0 "no blank row from the first chart to the axis at 120x35"
check "the charts fill the terminal: the axis is past row 25 ($axis)" test "$axis" -gt 25
check "the TTFT chart prints its top value" grep -Eq '^TTFT .* [0-9.]+ms ┤' <<<"$s"
# the chart's width: the axis row's dashes and marks after its corner
w=$(axis_width)
read -r a b <<<"$(marks)"
want=$(( (w * 4 + 30) / 60 ))
check "60s: the two stage starts are 4/60 of the axis apart ($a $b, w $w, want $want)" \
	test -n "$b" -a $((b - a - want)) -ge -1 -a $((b - a - want)) -le 1
tm send-keys -t t w w	# 10 min, then 10 s
check "w w: the 10 s window" wait_for "window 10s" 2
sleep 0.5
read -r a b <<<"$(marks)"
want=$(( (w * 4 + 5) / 10 ))
check "10s: the two stage starts are 4/10 of the axis apart ($a $b, want $want)" \
	test -n "$b" -a $((b - a - want)) -ge -1 -a $((b - a - want)) -le 1

# an endpoint that slows down: its TTFT columns on the right turn red, and
# the figure beside the chart is the current one
start_sim --ttft 50ms --itl 10ms --tokens 20 --capacity 1 || exit 1
new_server
tm -f /dev/null new-session -d -s t -x 120 -y 35 \
	"cd '$T' && LANG=C.UTF-8 TERM=xterm-256color '$TTFTOP' run '$SIM_URL' -m sim -c 1,12 -d 4s -o slow.jsonl; sleep 30"
check "stage 2 (12 clients on a server of capacity 1) begins" wait_for "stage 2/2" 10
sleep 3
now=$(screen | sed -n 's/^TTFT  now p50 \([0-9.]*\)\(ms\|s\) .*/\1 \2/p')
check "the figure beside TTFT is the slow current one ($now)" \
	awk -v v="${now% *}" -v u="${now#* }" 'BEGIN { exit !(u == "s" || v >= 150) }'
red=$(tm capture-pane -e -p -t t | sed -n '/TTFT  now/,/TPOT  now/p' | grep -c $'\e\\[[0-9;]*31m')
check "the slow TTFT columns are red ($red rows)" test "$red" -ge 1

# p50 and p95 share one chart: with a server whose TTFT varies, the p95
# shows above the p50, shaded
start_sim --ttft 100ms --jitter 0.9 --itl 10ms --tokens 10 || exit 1
new_server
tm -f /dev/null new-session -d -s t -x 120 -y 35 \
	"cd '$T' && LANG=C.UTF-8 TERM=xterm-256color '$TTFTOP' run '$SIM_URL' -m sim -c 4 -d 10s -o jit.jsonl; sleep 30"
check "the run begins" wait_for "RUNNING" 10
sleep 4
check "the TTFT chart shades its p95 above its p50" \
	bash -c "tmux -L '$SOCK' capture-pane -p -t t | sed -n '/^TTFT  now/,/^TPOT  now/p' | grep -q '░'"
done_testing
