#!/bin/bash
# The overview's charts tell the truth: the time axis spans exactly the
# window it names (two stage starts 4 s apart are 4/W of its width apart),
# the charts fill the terminal, and each prints its top value.
. "$TESTS_DIR/sh/lib.sh"
. "$TESTS_DIR/sh/tmux.sh"
plan 23

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

# A known load: the sim's TTFT is 80 ms, then 800 ms for every request
# served from 14 s on (--slow-after). The chart's top goes from 100ms to
# 1.00s; the columns from the first slow first token on are red, those
# before green; the figure beside it is the slow one within 5 s of it; and
# in either window the first red column lies (its time - stage 2's start)
# / W of the chart's width right of stage 2's mark.
# ttft_chart: "W MARK FIRST_RED LAST_GREEN GREEN_AFTER_RED TOP" of the screen
ttft_chart() { tm capture-pane -e -p -t t | python3 -c '
import re, sys
E = sys.stdin.read().split("\n")
P = [re.sub(r"\x1b\[[0-9;]*m", "", l) for l in E]
ax = next(i for i, l in enumerate(P) if "\u2514" in l)
x = P[ax].index("\u2514") + 1
w = len(P[ax].rstrip()) - x
marks = [i - x for i, ch in enumerate(P[ax]) if ch == "\u253c"]
top = next(i for i, l in enumerate(P) if l.startswith("TTFT  now"))
end = next(i for i, l in enumerate(P) if l.startswith("TPOT  now"))
red, green = set(), set()
for line in E[top:end]:
    col, cur = 0, None
    for tok in re.split(r"(\x1b\[[0-9;]*m)", line):
        if tok.startswith("\x1b["):
            codes = tok[2:-1].split(";")
            cur = "r" if "31" in codes else "g" if "32" in codes else None
            continue
        for ch in tok:
            if col >= x and ch != " ":
                (red if cur == "r" else green if cur == "g" else set()).add(col - x)
            col += 1
fr = min(red) if red else -1
print(w, marks[-1] if marks else -1, fr, max(green) if green else -1,
      sum(1 for g in green if fr >= 0 and g > fr),
      re.search(r"([0-9.]+m?s) \u2524", P[top]).group(1))' ; }
start_sim --ttft 80ms --itl 10ms --tokens 10 --slow-after 14s:10 || exit 1
new_server
tm -f /dev/null new-session -d -s t -x 120 -y 35 \
	"cd '$T' && LANG=C.UTF-8 TERM=xterm-256color '$TTFTOP' run '$SIM_URL' -m sim -c 4,4 -d 12s -o known.jsonl; sleep 30"
check "the known load begins" wait_for "RUNNING" 10
sleep 6
read -r w mark fr lg gar top <<<"$(ttft_chart)"
is "$top" 100ms "80 ms: the TTFT chart's top is 100ms"
switched=""
for i in $(seq 200); do	# until the figure beside the chart is the slow one
	if screen | grep -Eq '^TTFT  now p50 ([4-9][0-9]{2}ms|[0-9.]+s) '; then
		switched=$(python3 -c 'import time; print(time.monotonic())'); break
	fi
	sleep 0.1
done
sleep 1
read -r w mark fr lg gar top <<<"$(ttft_chart)"
tm send-keys -t t w w	# 10 min, then 10 s
sleep 0.5
read -r w10 mark10 fr10 lg10 gar10 top10 <<<"$(ttft_chart)"
tm send-keys -t t q
# when the first slow first token came, in run time and CLOCK_MONOTONIC
read -r st2 fs mono0 <<<"$(jq -rs '(map(select(.type == "stage" and .stage == 2))[0].t) as $s |
	(map(select(.type == "request" and .ttft != null and .ttft > 0.4) | .t + .ttft) | min) as $f |
	"\($s) \($f) \(.[0].mono0)"' "$T/known.jsonl")"
check "the figure beside the chart is the slow one within 5 s of the first slow token" \
	awk -v s="$switched" -v f="$fs" -v m="$mono0" 'BEGIN { d = s - (m + f); print "# after", d, "s" > "/dev/stderr"; exit !(s != "" && d >= 0 && d <= 5) }'
echo "# switched $(awk -v s="$switched" -v f="$fs" -v m="$mono0" 'BEGIN { printf "%.2f", s - (m + f) }') s after the first slow token"
is "$top" 1.00s "800 ms: the top is 1.00s"
check "60s: slow columns red from $fr on, none green after it ($gar), green before it ($lg)" \
	test "$fr" -gt 0 -a "$gar" = 0 -a "$lg" -ge 0 -a "$lg" -lt "$fr"
check "60s: the first red column ($fr) is (its time - stage 2's) / 60 of the width ($w) right of stage 2's mark ($mark)" \
	awk -v fr="$fr" -v m="$mark" -v w="$w" -v a="$st2" -v b="$fs" 'BEGIN { d = fr - m - (b - a) * w / 60; exit !(m >= 0 && d >= -1.5 && d <= 1.5) }'
check "10s: the first red column ($fr10) is (its time - stage 2's) / 10 of the width right of stage 2's mark ($mark10)" \
	awk -v fr="$fr10" -v m="$mark10" -v w="$w10" -v a="$st2" -v b="$fs" 'BEGIN { d = fr - m - (b - a) * w / 10; exit !(m >= 0 && d >= -2 && d <= 2) }'
check "10s: and it is red from there on ($gar10 green after it)" test "$fr10" -gt 0 -a "$gar10" = 0

# an endpoint that slows down under its load: its TTFT columns on the right
# turn red, and the figure beside the chart is the current one
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

# long answers (60 ms to the first token, then 8 s of tokens): the TTFT
# figure counts each first token when it comes, not when its request ends
start_sim --ttft 60ms --itl 20ms --tokens 400 || exit 1
new_server
tm -f /dev/null new-session -d -s t -x 120 -y 35 \
	"cd '$T' && LANG=C.UTF-8 TERM=xterm-256color '$TTFTOP' run '$SIM_URL' -m sim -c 4 -d 6s -o long.jsonl; sleep 30"
check "the run begins" wait_for "RUNNING" 10
sleep 3
now=$(screen | sed -n 's/^TTFT  now p50 \([0-9.]*ms\) .*/\1/p')
check "3 s in, no request done yet, the TTFT figure is its first tokens' ($now)" \
	bash -c "case '$now' in 6[0-9].*ms|6[0-9]ms) exit 0 ;; *) exit 1 ;; esac"
done_testing
