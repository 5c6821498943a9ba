#!/bin/bash
# Timing error against ground truth: the sim logs when it sent each chunk,
# ttftop and the floor client (tests/bench/floor, raw epoll, no libraries)
# record when they read it; every chunk is joined by X-Request-Id and index.
# Sim and client each pinned to a core; the clients take turns on the same
# load. Apart, per run: the token error (every chunk after the first of the
# warm requests), the TTFT error of cold requests (each client's first: a
# new connection at the stage start, all clients at once) and of warm ones
# (the later requests), and CPU seconds per 1M tokens. Prints the medians and appends them to
# RESULTS.md.
#
#   tests/bench/exactness.sh [--smoke] [RUNS]
#
# A scenario is STREAMS:TOKENS_PER_S[:aligned][:tls][:curl]: aligned has the
# sim send every stream's chunks on one shared tick (lockstep, as a batched
# server does); tls serves https, curl reads plain http with --transport
# curl (ttftop only, both: the floor speaks plain http alone).
# SCENARIOS="1000:50:aligned" runs one.
. "$(dirname "$0")/lib.sh"

FLOOR=${FLOOR:-$BENCH_DIR/floor}
[ -x "$FLOOR" ] || die "$FLOOR is not built: run make first"
RUNS=${2:-3} DUR=10 ANSWER=2 SMOKE=0
SCENARIOS=${SCENARIOS:-"100:50 1000:50 1000:50:aligned 5000:10 100:50:tls 1000:50:tls"}
if [ "${1:-}" = --smoke ]; then
	SCENARIOS="4:50 4:50:aligned" DUR=2 ANSWER=0.5 RUNS=1 SMOKE=1
elif [ -n "${1:-}" ]; then
	RUNS=$1
fi
[ "$(ulimit -n)" -ge 12000 ] || ulimit -n 20000 2>/dev/null ||
	echo "bench: warning: ulimit -n is $(ulimit -n): 5,000 streams need about 12,000 (raise it with ulimit -n)" >&2
busy_check

# one CLIENT SCENARIO RUN: the figures of one run (figures_split)
one() {
	local client=$1 sc=$2 out="$W/$1-$2-$3.jsonl" streams=${2%%:*} rate
	local simflags="" tlsflags=""
	rate=${sc#*:} rate=${rate%%:*}
	case "$sc" in *:aligned*) simflags=--aligned ;; esac
	case "$sc" in *:tls*)
		simflags="$simflags --tls --tls-cert-out $W/ca.pem"
		tlsflags="--cacert $W/ca.pem" ;;
	esac
	case "$sc" in *:curl*) tlsflags="$tlsflags --transport curl" ;; esac
	sim_start --ttft 50ms --itl "$(awk -v r="$rate" 'BEGIN { print 1000 / r }')ms" \
		--tokens "$(awk -v r="$rate" -v a="$ANSWER" 'BEGIN { print int(r * a) }')" $simflags
	local port=${SIM_URL##*:}
	port=${port%/v1}
	if [ "$client" = ttftop ]; then
		# shellcheck disable=SC2086
		taskset -c "$GEN_CPU" "$TTFTOP" run --headless --no-preflight --server-metrics none \
			-c "$streams" -d "${DUR}s" -m sim -o "$out" $tlsflags "$SIM_URL" >/dev/null 2>&1
	else
		taskset -c "$GEN_CPU" "$FLOOR" 127.0.0.1 "$port" "$streams" "$DUR" "$out" \
			>/dev/null 2>&1
	fi
	sim_stop
	figures_split "$out"
}

printf '%-7s %4s %9s %9s %9s %9s %9s %9s %9s %9s %8s  %s\n' client run "tok p50" \
	"tok p99" "tok max" chunks "cold p50" "cold p99" "warm p50" "warm p99" \
	"CPU/1M" scenario >"$W/table"
for sc in $SCENARIOS; do
	clients="ttftop floor"
	case "$sc" in *:tls* | *:curl*) clients=ttftop ;; esac
	for run in $(seq "$RUNS"); do
		for client in $clients; do
			read -r k50 k99 kmax n c50 c99 w50 w99 cpu tok <<<"$(one $client "$sc" "$run")"
			[ -n "${tok:-}" ] && [ "${n:-0}" -gt 0 ] ||
				die "$client run $run of $sc recorded no chunks"
			per=$(awk -v c="$cpu" -v t="$tok" 'BEGIN { printf "%.2f", (t > 0 ? c / t * 1e6 : 0) }')
			printf '%-7s %4s %7.3fms %7.3fms %7.3fms %9s %7.3fms %7.3fms %7.3fms %7.3fms %8s  %s\n' \
				$client "$run" "$k50" "$k99" "$kmax" "$n" "$c50" "$c99" "$w50" "$w99" \
				"$per" "$sc" >>"$W/table"
			for f in k50 k99 c50 c99 w50 w99 per; do
				echo "${!f}" >>"$W/$client-$sc.$f"
			done
		done
	done
done
# m CLIENT SCENARIO FIGURE: the median over the runs, or - when not run
m() { [ -f "$W/$1-$2.$3" ] && printf '%.3f' "$(median <"$W/$1-$2.$3")" || printf -- -; }
{
	echo '```'
	cat "$W/table"
	echo
	echo "first token at 50 ms, then one every 1/rate s, ${ANSWER} s answers, ${DUR} s a run; medians of $RUNS runs, ms (ttftop / floor):"
	printf '%-18s %-15s %-15s %-15s %-15s %-15s %-15s %s\n' scenario "tok p50" "tok p99" \
		"cold p50" "cold p99" "warm p50" "warm p99" "CPU-s/1M tok"
	for sc in $SCENARIOS; do
		line=$(printf '%-18s' "$sc")
		for f in k50 k99 c50 c99 w50 w99 per; do
			line="$line $(printf '%-15s' "$(m ttftop "$sc" $f)/$(m floor "$sc" $f)")"
		done
		echo "$line"
	done
	echo '```'
} >"$W/report"
cat "$W/report"
[ "$SMOKE" = 1 ] || record "$W/report"
