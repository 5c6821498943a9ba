#!/bin/bash
# compare's false-alarm rate: PAIRS pairs of runs of one seeded sim (the same
# load twice), each pair compared; a row whose verdict is not "no
# significant change" is a false alarm. The target is 5 % or fewer.
#
#   tests/bench/compare_false_alarm.sh [--smoke] [PAIRS]   (default 20)
. "$(dirname "$0")/lib.sh"

PAIRS=${1:-20} D=4s
if [ "${1:-}" = --smoke ]; then
	PAIRS=1 D=1s
fi
busy_check
sim_start --ttft 50ms --itl 10ms --tokens 20 --jitter 0.2 --seed 3
rows=0 alarms=0
printf '%-8s %4s %5s %7s %8s %9s\n' client pair rows flagged "share %" requests
for p in $(seq "$PAIRS"); do
	for side in a b; do
		"$TTFTOP" run --headless --no-preflight -m sim -c 2,4 -d "$D" --seed "$p" \
			-o "$W/$side.jsonl" --force "$SIM_URL" >/dev/null 2>&1 ||
			die "run $p$side failed"
	done
	"$TTFTOP" compare --json "$W/a.jsonl" "$W/b.jsonl" >"$W/c.json" || die "compare $p failed"
	n=$(jq '[.stages[].rows[]] | length' "$W/c.json")
	a=$(jq '[.stages[].rows[] | select(.verdict != "no significant change" and .verdict != "-")] | length' "$W/c.json")
	reqs=$(jq -s '[.[] | select(.type == "request")] | length' "$W/a.jsonl" "$W/b.jsonl")
	printf '%-8s %4d %5d %7d %8.1f %9d  %s\n' ttftop "$p" "$n" "$a" \
		"$(awk -v a="$a" -v n="$n" 'BEGIN { print a / n * 100 }')" "$reqs" \
		"$(jq -r '[.stages[] | .base_stage as $s | .rows[] | select(.verdict != "no significant change" and .verdict != "-") | "\($s):\(.figure) \(.verdict) \(.change_pct // .change_pts | . * 10 | round / 10)"] | join(", ")' "$W/c.json")"
	rows=$((rows + n)) alarms=$((alarms + a))
done
awk -v a="$alarms" -v r="$rows" 'BEGIN { printf "false alarms: %d of %d rows (%.1f %%); target 5 %% or fewer\n", a, r, a / r * 100 }'
