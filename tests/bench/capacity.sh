#!/bin/bash
# Streams held at once: ramps to 10,000 slow streams (5 tok/s, 30 s answers)
# in stages of 2,000 clients, so connections open in steps, and holds them;
# then counts errors, and measures ttftop's memory per stream in flight (RSS
# growth over the streams) and its CPU. Sim and ttftop pinned apart.
#
#   tests/bench/capacity.sh [--smoke] [RUNS]
. "$(dirname "$0")/lib.sh"

STEP=2000 STEPS=5 STAGE=8 TOKENS=150 RUNS=${1:-3} SMOKE=0
if [ "${1:-}" = --smoke ]; then
	STEP=10 STEPS=2 STAGE=1 TOKENS=10 RUNS=1 SMOKE=1
fi
MAX=$((STEP * STEPS))
[ "$(ulimit -n)" -ge $((MAX + 200)) ] || ulimit -n $((MAX + 200)) 2>/dev/null ||
	die "ulimit -n is $(ulimit -n): $MAX streams need $((MAX + 200)) open files in each process (raise it with ulimit -n, as root if the hard limit is lower)"
busy_check

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

printf '%-7s %4s %10s %10s %10s %9s %12s  %s\n' client run "peak" "errors" "KB/stream" \
	"requests" "CPU-s/1M tok" "load" >"$W/table"
for run in $(seq "$RUNS"); do
	out="$W/cap-$run.jsonl"
	sim_start --ttft 50ms --itl 200ms --tokens "$TOKENS"
	stages=$(seq -s, "$STEP" "$STEP" "$MAX")
	taskset -c "$GEN_CPU" "$TTFTOP" run --headless --no-preflight -c "$stages" -d "${STAGE}s" -m sim \
		-o "$out" "$SIM_URL" >"$W/summary" 2>"$W/progress" &
	pid=$!
	sleep 0.5
	base=$(rss_kb $pid)
	peak_rss=$base peak=0
	# sample RSS and streams in flight (the progress line) while it runs
	while kill -0 $pid 2>/dev/null; do
		r=$(rss_kb $pid)
		f=$(tail -n 1 "$W/progress" | sed -n 's/.*in flight \([0-9]*\).*/\1/p')
		[ -n "$r" ] && [ "$r" -gt "$peak_rss" ] && peak_rss=$r
		[ -n "$f" ] && [ "$f" -gt "$peak" ] && peak=$f
		sleep 0.5
	done
	wait $pid
	sim_stop
	read -r reqs errs cpu tok <<<"$(jq -s -r '(map(select(.type == "end"))[0]) as $e
		| "\($e.requests) \($e.errors) \($e.cpu_s) \([.[] | select(.type == "request") | .output_tokens] | add)"' "$out")"
	kb=$(awk -v a="$peak_rss" -v b="$base" -v n="$peak" 'BEGIN { printf "%.1f", (n > 0 ? (a - b) / n : 0) }')
	per=$(awk -v c="$cpu" -v t="$tok" 'BEGIN { printf "%.2f", (t > 0 ? c / t * 1e6 : 0) }')
	printf '%-7s %4s %10s %10s %10s %9s %12s  ramp to %s streams x 5 tok/s\n' ttftop "$run" \
		"$peak" "$errs" "$kb" "$reqs" "$per" "$MAX" >>"$W/table"
	echo "$kb" >>"$W/kb"; echo "$errs" >>"$W/errs"; echo "$peak" >>"$W/peak"; echo "$per" >>"$W/cpu"
done
{
	echo '```'
	cat "$W/table"
	echo
	echo "stages of $STEP more clients every ${STAGE} s up to $MAX; answers of $TOKENS tokens at 5 tok/s (first at 50 ms)"
	printf 'median: peak %s streams in flight, %s errors, %s KB of RSS per stream, %s CPU-s per 1M tokens\n' \
		"$(median <"$W/peak")" "$(median <"$W/errs")" "$(median <"$W/kb")" "$(median <"$W/cpu")"
	echo '```'
} >"$W/report"
cat "$W/report"
[ "$SMOKE" = 1 ] || record "$W/report"
