#!/bin/bash
# Durability: a loaded run stopped by SIGINT, SIGTERM, SIGHUP or SIGKILL at
# random moments, from its first milliseconds to mid-stream, three times
# each. A signal that can be caught leaves a whole file whose request records
# equal the end record; SIGKILL leaves whole lines but the last, and a file
# report reads.
. "$TESTS_DIR/sh/lib.sh"
TRIALS=3
plan $((4 * TRIALS))

start_sim --ttft 20ms --itl 5ms --tokens 30 || exit 1

# moments in seconds after ttftop catches signals (before that the process
# is still being loaded: nothing can save it), from the start, before the
# loop runs, to mid-run
MOMENTS="0 0 0.005 0.02 0.05 0.1 0.2 0.35 0.5 0.8 1.2"
moment() { set -- $MOMENTS; shift $((RANDOM % $#)); echo "$1"; }
catching() {	# catching PID: until its SIGTERM handler is in place (5 s at most)
	local i mask
	for i in $(seq 500); do
		mask=$(sed -n 's/^SigCgt:[[:space:]]*//p' /proc/$1/status 2>/dev/null)
		[ -n "$mask" ] && (( (16#$mask >> 14) & 1 )) && return 0
		sleep 0.01
	done
	return 1
}

trial() {	# trial SIGNAL N
	local f="$T/$1-$2.jsonl" at pid rc=0 why="" reqs end
	at=$(moment)
	exec 4>&2 2>/dev/null	# no "Killed" lines from bash
	"$TTFTOP" run -c 40 -d 30s -m sim -o "$f" "$SIM_URL" >"$T/$1-$2.out" 2>&1 &
	pid=$!
	catching $pid
	sleep "$at"
	kill -s "$1" $pid 2>/dev/null
	# bounded: the streams in flight end in well under the 5 s grace
	timeout 15 tail --pid=$pid -f /dev/null || { kill -KILL $pid; why="did not end"; }
	wait $pid 2>/dev/null
	exec 2>&4
	if [ "$1" = KILL ]; then
		# a kill may cut the last line: every other line is whole
		if [ -s "$f" ] && ! head -n -1 "$f" | jq -e . >/dev/null 2>&1; then why="$why a line before the last is broken;"; fi
		if [ -s "$f" ] && ! "$TTFTOP" report "$f" >/dev/null 2>"$T/$1-$2.rep"; then why="$why report fails: $(head -c 200 "$T/$1-$2.rep");"; fi
	elif [ ! -s "$f" ]; then
		why="$why no file;"
	else
		jq -e . "$f" >/dev/null 2>&1 || why="$why a line is not JSON;"
		[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || why="$why the last line is cut;"
		end=$(tail -n 1 "$f" | jq -r 'select(.type == "end") | "\(.requests) \(.errors + (.canceled // 0))"' 2>/dev/null)
		reqs=$(jq -s -r '[.[] | select(.type == "request")] as $r | "\($r | length) \([$r[] | select(.error != null)] | length)"' "$f" 2>/dev/null)
		[ -n "$end" ] || why="$why no end record;"
		[ -z "$end" ] || [ "$end" = "$reqs" ] || why="$why end record says $end, the file holds $reqs;"
	fi
	[ -z "$why" ] || rc=1
	ok $rc "SIG$1 ${at}s after start (trial $2): ${why:-whole, $(grep -c '"type":"request"' "$f" 2>/dev/null) requests}"
}

for sig in INT TERM HUP KILL; do
	for n in $(seq $TRIALS); do trial $sig $n; done
done
done_testing
