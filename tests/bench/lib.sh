# Shared by the benchmarks: pinning, the sim, and joining a run's chunk
# arrivals with the sim's send times.
set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
: "${TTFTOP:=$BENCH_DIR/../../src/ttftop}"
W=$(mktemp -d "${TMPDIR:-/tmp}/ttftop-bench.XXXXXX")
SIM_PID=""
bench_cleanup() {
	[ -n "$SIM_PID" ] && kill $SIM_PID 2>/dev/null
	tmux -L "ttftop-bench-$$" kill-server 2>/dev/null
	rm -rf "$W"
}
trap bench_cleanup EXIT

die() { echo "bench: $*" >&2; exit 2; }

command -v taskset >/dev/null || die "taskset is missing: install util-linux"
command -v jq >/dev/null || die "jq is missing: apt-get install jq"
[ -x "$TTFTOP" ] || die "$TTFTOP is not built: run make first"
CORES=$(nproc)
[ "$CORES" -ge 2 ] || echo "bench: warning: one core only: sim and ttftop share it" >&2
SIM_CPU=$((CORES - 1))
GEN_CPU=0

# A busy machine makes every figure below worse than ttftop is.
busy_check() {
	local load
	load=$(cut -d' ' -f1 /proc/loadavg)
	if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
		echo "bench: warning: the machine is busy (load average $load): figures will be worse than ttftop is" >&2
	fi
}

# sim_start ARGS...: the sim on its own core, logging what it sends
sim_start() {
	rm -f "$W/truth.jsonl" "$W/sim.url"
	taskset -c "$SIM_CPU" "$TTFTOP" sim --truth "$W/truth.jsonl" "$@" >"$W/sim.url" 2>/dev/null &
	SIM_PID=$!
	for _ in $(seq 100); do
		SIM_URL=$(head -n 1 "$W/sim.url" 2>/dev/null)
		case "$SIM_URL" in http://*|https://*) return 0 ;; esac
		sleep 0.05
	done
	die "the sim did not start"
}

sim_stop() { kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; SIM_PID=""; }

# The join, for jq: $err is every chunk of the run as {r: its request,
# i: its index, e: client arrival minus sim send time, in ms}; $read has
# when the sim had read each request whole, by id
JOIN_JQ='
	($run | map(select(.type == "run"))[0].mono0) as $m0 |
	($truth | map(select(.chunk != null) | {key: "\(.id | sub("^[0-9]+-"; ""))/\(.chunk)", value: .t}) | from_entries) as $sent |
	($truth | map(select(.read != null) | {key: (.id | sub("^[0-9]+-"; "")), value: .read}) | from_entries) as $read |
	([$run[] | select(.type == "request") | . as $r | range(0; .chunks | length) as $i |
		$sent["\($r.id)/\($i)"] as $s | select($s != null) |
		{r: $r, i: $i, e: ((($m0 + $r.t + $r.chunks[$i]) - $s) * 1000)}]) as $err |
	($run | map(select(.type == "end"))[0]) as $fin |
	([$run[] | select(.type == "request") | .output_tokens] | add) as $tok |
	def pct($p): if length == 0 then "nan" else sort[(length * $p) | floor] end;'

# figures RUN.jsonl: "p50_ms p99_ms max_ms chunks cpu_s tokens" of client
# arrival minus sim send time over every chunk, and the generator's CPU
figures() {
	jq -n -r --slurpfile run "$1" --slurpfile truth "$W/truth.jsonl" "$JOIN_JQ"'
		[$err[].e] | sort as $e |
		"\($e | pct(0.5)) \($e | pct(0.99)) \($e[-1]) \($e | length) \($fin.cpu_s) \($tok)"'
}

# figures_split RUN.jsonl: the same apart: "token_p50 token_p99 token_max
# chunks cold_p50 cold_p99 warm_p50 warm_p99 cpu_s tokens", where token is
# the arrival error of every chunk after the first of warm requests (the
# stage start's connections all set up, as DESIGN's target says), and cold
# and warm the
# TTFT error: the TTFT the client recorded minus the sim's own (its first
# chunk sent minus the request read), of each client's first request (a new
# connection, at the stage start) and of the later ones
figures_split() {
	jq -n -r --slurpfile run "$1" --slurpfile truth "$W/truth.jsonl" "$JOIN_JQ"'
		([$run[] | select(.type == "request")] | group_by(.client) |
			map({key: (min_by(.t).id | tostring), value: true}) | from_entries) as $first |
		[$err[] | select(.i > 0 and ($first[.r.id | tostring] | not)) | .e] as $k |
		[$err[] | select(.i == 0) | .r as $r | $read[$r.id | tostring] as $rd |
			select($rd != null) |
			{cold: ($first[$r.id | tostring] // false),
			 e: (($r.chunks[0] - ($sent["\($r.id)/0"] - $rd)) * 1000)}] as $t |
		[$t[] | select(.cold) | .e] as $c |
		[$t[] | select(.cold | not) | .e] as $w |
		"\($k | pct(0.5)) \($k | pct(0.99)) \($k | max) \($k | length) \($c | pct(0.5)) \($c | pct(0.99)) \($w | pct(0.5)) \($w | pct(0.99)) \($fin.cpu_s) \($tok)"'
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# record TEXT-FILE: appends a table to RESULTS.md with date, commit, machine
record() {
	{
		echo
		echo "## $(basename "$0") — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$BENCH_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)"
		echo
		echo "machine: $CORES cores, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
		echo
		cat "$1"
	} >>"$BENCH_DIR/RESULTS.md"
}
