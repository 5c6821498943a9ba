#!/bin/bash
# Write errors are told at once and stop the load; the file ends on a whole
# line; a file that cannot take its first line fails before any request; an
# existing file is not overwritten without --force.
. "$TESTS_DIR/sh/lib.sh"
. "$TESTS_DIR/sh/tmux.sh"
plan 16

start_sim --ttft 5ms --itl 1ms --tokens 3 || exit 1
export NOFORCE=1	# the refusal of an existing file is what is tested

# a file-size limit stands in for a full disk: the same failed write
start=$(date +%s%N)
( ulimit -f 100; exec "$TTFTOP" run -m sim -c 20 -d 6s --headless -o "$T/big.jsonl" "$SIM_URL" ) \
	>"$T/big.out" 2>"$T/big.err"
STATUS=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$STATUS" 1 "a write that fails mid-run: exit 1"
check "stderr says so, naming the file" grep -q "writing the samples failed: $T/big.jsonl: File too large; no new requests" "$T/big.err"
check "said once" test "$(grep -c 'writing the samples failed' "$T/big.err")" = 1
check "the run stopped starting requests (well before its 6 s: ${ms} ms)" test "$ms" -lt 4500
check "the file ends on a whole line" bash -c "[ \"\$(tail -c 1 '$T/big.jsonl' | od -An -c | tr -d ' ')\" = '\\n' ]"
check "every line of it is JSON" jq -e . "$T/big.jsonl"
saved=$(grep -c '"type":"request"' "$T/big.jsonl")
summed=$(sed -n 's/^1 stage, \([0-9]*\) requests.*/\1/p' "$T/big.out")
check "the summary keeps what is in memory ($summed requests, $saved saved)" \
	test -n "$summed" -a "${summed:-0}" -gt "$saved"

# origin.py logs every request it gets: none may come
: >"$T/origin.log"
python3 "$TESTS_DIR/sh/origin.py" --mode keep --tokens 2 --log "$T/origin.log" >"$T/origin.url" 2>/dev/null &
SIM_PIDS="$SIM_PIDS $!"
for i in $(seq 100); do
	ORIGIN_URL=$(head -n 1 "$T/origin.url")
	case "$ORIGIN_URL" in http://*) break ;; esac
	sleep 0.05
done
PREFLIGHT=1 run_ttftop run -m m -n 2 --headless -o /dev/full "$ORIGIN_URL"
is "$STATUS" 2 "-o /dev/full: exit 2"
check "named, before any request (not even the preflight)" \
	bash -c "grep -q -- '-o/--output: /dev/full: No space left on device' '$T/err' && [ ! -s '$T/origin.log' ]"

run_ttftop run -m sim -n 1 --headless -o "$T/one.jsonl" "$SIM_URL"
cp "$T/one.jsonl" "$T/one.before"
run_ttftop run -m sim -n 1 --headless -o "$T/one.jsonl" "$SIM_URL"
is "$STATUS" 2 "an existing file given to -o: exit 2"
check "named, with the way out" grep -q -- "one.jsonl exists: not overwritten (give --force" "$T/err"
same "and left as it was" "$T/one.before" "$T/one.jsonl"
run_ttftop run -m sim -n 2 --headless --force -o "$T/one.jsonl" "$SIM_URL"
check "--force overwrites it" test "$STATUS" = 0 -a "$(grep -c '"type":"request"' "$T/one.jsonl")" = 2

mkdir "$T/here"
( cd "$T/here" && "$TTFTOP" run -m sim -n 1 --headless "$SIM_URL" >/dev/null 2>&1 &&
	"$TTFTOP" run -m sim -n 1 --headless "$SIM_URL" >/dev/null 2>&1 )
check "two runs without -o in quick succession: two files, named to the millisecond" \
	bash -c "[ \$(ls '$T/here' | grep -cE '^ttftop-[0-9]{8}-[0-9]{6}\.[0-9]{3}(-[0-9]+)?\.jsonl$') = 2 ]"

# on the screen: said at once where the file's name was, and the run is over
new_server
tm -f /dev/null new-session -d -s t -x 120 -y 35 \
	"ulimit -f 100; TERM=xterm-256color '$TTFTOP' run '$SIM_URL' -m sim -c 20 -d 20s --force -o '$T/screen.jsonl'; sleep 30"
check "the screen says the write failed, and why" wait_for "write failed: .*File too large" 10
check "and the run stops (DONE), long before its 20 s" wait_for "DONE" 5
done_testing
