#!/bin/bash
# How fast a saved run is read back: a JSONL file of SIZE_MB (default 1024)
# made of a real run's records, summarised by `ttftop replay --headless`;
# MB/s and peak memory (RSS), medians of the runs. The target is 200 MB/s.
#
#   tests/bench/replay_speed.sh [RUNS] | --smoke    (--smoke: 4 MB, once, no record)
. "$(dirname "$0")/lib.sh"

RUNS=${1:-3} SIZE_MB=${SIZE_MB:-1024} SMOKE=0
[ "${1:-}" = --smoke ] && { RUNS=1 SIZE_MB=4 SMOKE=1; }
busy_check

# the template: 3 stages of streams of 250 tokens, as a load test writes them
sim_start --ttft 50ms --itl 5ms --tokens 250
"$TTFTOP" run --headless --no-preflight -c 4,8,16 -d 2s -m sim -o "$W/t.jsonl" "$SIM_URL" >/dev/null 2>&1 ||
	die "the template run failed"
sim_stop
grep '"type":"request"' "$W/t.jsonl" >"$W/req"
[ -s "$W/req" ] || die "the template run recorded no requests"
# the same requests again and again, between the run's first and last records
grep -v '"type":"request"' "$W/t.jsonl" | grep -v '"type":"end"' >"$W/big.jsonl"
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(stat -c %s "$W/req")" -ge $((SIZE_MB << 16)) ] && break
	cat "$W/req" "$W/req" >"$W/req2" && mv "$W/req2" "$W/req"
done
while [ "$(stat -c %s "$W/big.jsonl")" -lt $((SIZE_MB << 20)) ]; do
	cat "$W/req" >>"$W/big.jsonl"
done
grep '"type":"end"' "$W/t.jsonl" >>"$W/big.jsonl"
rm -f "$W/req"
bytes=$(stat -c %s "$W/big.jsonl")
records=$(wc -l <"$W/big.jsonl")

printf '%-7s %4s %9s %9s %9s %10s %9s\n' mode run MB seconds MB/s records "RSS MB" >"$W/table"
for run in $(seq "$RUNS"); do
	t0=$(date +%s.%N)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$W/rss" "$TTFTOP" replay --headless "$W/big.jsonl" >"$W/out" 2>/dev/null
	else
		"$TTFTOP" replay --headless "$W/big.jsonl" >"$W/out" 2>/dev/null; echo 0 >"$W/rss"
	fi
	status=$?
	t1=$(date +%s.%N)
	[ $status = 0 ] && grep -q "requests" "$W/out" || die "replay failed (status $status)"
	read -r mb secs rate rss <<<"$(awk -v b="$bytes" -v a="$t0" -v z="$t1" -v r="$(cat "$W/rss")" \
		'BEGIN { printf "%.0f %.2f %.1f %.0f", b / 1048576, z - a, b / 1048576 / (z - a), r / 1024 }')"
	printf '%-7s %4s %9s %9s %9s %10s %9s\n' replay "$run" "$mb" "$secs" "$rate" "$records" "$rss" >>"$W/table"
	echo "$rate" >>"$W/rates"
	echo "$rss" >>"$W/rsses"
done
{
	echo '```'
	cat "$W/table"
	echo
	echo "file: $((bytes >> 20)) MB, $records records (a run of 4, 8, 16 streams of 250 tokens, repeated)"
	printf 'median: %s MB/s, peak RSS %s MB (target: 200 MB/s)\n' "$(median <"$W/rates")" "$(median <"$W/rsses")"
	echo '```'
} >"$W/report"
cat "$W/report"
[ "$SMOKE" = 1 ] || record "$W/report"
