#!/bin/bash
# Timing error against ground truth: the sim logs when it sent each chunk,
# ttftop and the floor client (tests/bench/floor, raw epoll, no libraries)
# record when they read it; every chunk is joined by X-Request-Id and index.
# Sim and client each pinned to a core; the clients take turns on the same
# load. Prints error p50/p99/max per run and the medians; appends them to
# RESULTS.md.
#
#   tests/bench/exactness.sh [--smoke] [RUNS]   (SCENARIOS="1000:50" for one)
. "$(dirname "$0")/lib.sh"

FLOOR=${FLOOR:-$BENCH_DIR/floor}
[ -x "$FLOOR" ] || die "$FLOOR is not built: run make first"
RUNS=${2:-3} DUR=10 SMOKE=0
# streams:tokens per second
SCENARIOS=${SCENARIOS:-"1:50 100:50 1000:50 5000:10"}
if [ "${1:-}" = --smoke ]; then
	SCENARIOS="4:50" DUR=2 RUNS=1 SMOKE=1
elif [ -n "${1:-}" ]; then
	RUNS=$1
fi
[ "$(ulimit -n)" -ge 12000 ] || ulimit -n 20000 2>/dev/null ||
	echo "bench: warning: ulimit -n is $(ulimit -n): 5,000 streams need about 12,000 (raise it with ulimit -n)" >&2
busy_check

# one CLIENT STREAMS RATE RUN: the figures of one run
one() {
	local client=$1 streams=$2 rate=$3 out="$W/$1-$2-$4.jsonl"
	local itl=$((1000 / rate)) tokens=$((rate * 5))
	sim_start --ttft 50ms --itl "${itl}ms" --tokens "$tokens"
	local port=${SIM_URL##*:}
	port=${port%/v1}
	if [ "$client" = ttftop ]; then
		taskset -c "$GEN_CPU" "$TTFTOP" run --headless --no-preflight -c "$streams" -d "${DUR}s" \
			-m sim -o "$out" "$SIM_URL" >/dev/null 2>&1
	else
		taskset -c "$GEN_CPU" "$FLOOR" 127.0.0.1 "$port" "$streams" "$DUR" "$out" \
			>/dev/null 2>&1
	fi
	sim_stop
	figures "$out"
}

printf '%-7s %4s %10s %10s %10s %9s %12s  %s\n' client run "err p50" "err p99" \
	"err max" chunks "CPU-s/1M tok" load >"$W/table"
for sc in $SCENARIOS; do
	streams=${sc%%:*} rate=${sc##*:}
	for run in $(seq "$RUNS"); do
		for client in ttftop floor; do
			read -r p50 p99 max n cpu tok <<<"$(one $client "$streams" "$rate" "$run")"
			[ -n "${tok:-}" ] && [ "${n:-0}" -gt 0 ] ||
				die "$client run $run at $streams streams recorded no chunks"
			per=$(awk -v c="$cpu" -v t="$tok" 'BEGIN { printf "%.2f", (t > 0 ? c / t * 1e6 : 0) }')
			printf '%-7s %4s %8.3fms %8.3fms %8.3fms %9s %12s  %s streams x %s tok/s\n' \
				$client "$run" "$p50" "$p99" "$max" "$n" "$per" "$streams" "$rate" >>"$W/table"
			echo "$p99" >>"$W/$client-$sc.p99"
			echo "$p50" >>"$W/$client-$sc.p50"
			echo "$per" >>"$W/$client-$sc.cpu"
		done
	done
done
{
	echo '```'
	cat "$W/table"
	echo
	echo "first token at 50 ms, then one every 1/rate s, 5 s answers; ${DUR} s a run; medians of $RUNS runs:"
	for sc in $SCENARIOS; do
		a=$(median <"$W/ttftop-$sc.p99") b=$(median <"$W/floor-$sc.p99")
		printf '%6s streams x %2s tok/s: p99 ttftop %7.3f ms, floor %7.3f ms (ttftop - floor %+.3f ms); p50 %.3f / %.3f ms; CPU-s/1M tok %s / %s\n' \
			"${sc%%:*}" "${sc##*:}" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { print a - b }')" \
			"$(median <"$W/ttftop-$sc.p50")" "$(median <"$W/floor-$sc.p50")" \
			"$(median <"$W/ttftop-$sc.cpu")" "$(median <"$W/floor-$sc.cpu")"
	done
	echo '```'
} >"$W/report"
cat "$W/report"
[ "$SMOKE" = 1 ] || record "$W/report"
