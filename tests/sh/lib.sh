# Helpers for shell tests: TAP output, a private temp dir, and `ttftop sim`
# on a free loopback port, stopped by PID when the test ends.
set -u
: "${TTFTOP:=$(cd "$(dirname "$0")/../.." && pwd)/src/ttftop}"
T=$(mktemp -d "${TMPDIR:-/tmp}/ttftop-test.XXXXXX")
SIM_PIDS=""
_n=0
_failed=0

cleanup() {
	for p in $SIM_PIDS; do kill "$p" 2>/dev/null; done
	for p in $SIM_PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# The tests written before the preflight count the load's own requests:
# `run` and `demo` are given --no-preflight unless PREFLIGHT=1 (failing.sh
# tests it). Those written before -o refused an existing file reuse their
# file names: they are given --force unless NOFORCE=1 (write_errors.sh).
# exec keeps the PID, so tests still stop what they started by PID.
TTFTOP_BIN=$TTFTOP
printf '%s\n' '#!/bin/bash' \
	'if [ "$1" = run -o "$1" = demo ]; then c=$1; shift' \
	'	[ -z "${PREFLIGHT:-}" ] && set -- --no-preflight "$@"' \
	'	[ -z "${NOFORCE:-}" ] && set -- --force "$@"' \
	'	exec "$TTFTOP_BIN" "$c" "$@"; fi' \
	'exec "$TTFTOP_BIN" "$@"' >"$T/ttftop"
chmod +x "$T/ttftop"
export TTFTOP_BIN
TTFTOP=$T/ttftop

plan() { echo "1..$1"; }

ok() {	# ok CONDITION-STATUS DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"; else echo "not ok $_n - $2"; _failed=1; fi
}

skip() {	# skip DESCRIPTION WHY
	_n=$((_n + 1))
	echo "ok $_n - $1 # SKIP $2"
}

check() {	# check DESCRIPTION COMMAND...: passes when the command succeeds
	local desc=$1; shift
	if "$@" >/dev/null 2>&1; then ok 0 "$desc"; else ok 1 "$desc"; fi
}

same() {	# same DESCRIPTION FILE1 FILE2: byte for byte, else the diff as comments
	if cmp -s "$2" "$3"; then ok 0 "$1"; else ok 1 "$1"; diff "$2" "$3" | sed 's/^/#   /' | head -20; fi
}

is() {	# is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got '$1', want '$2'"; fi
}

near() {	# near GOT WANT TOLERANCE DESCRIPTION (numbers)
	if awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= t) }'; then
		ok 0 "$4 ($1, want $2 +- $3)"
	else
		ok 1 "$4"; echo "#   got '$1', want $2 +- $3"
	fi
}

# start_sim [SIM OPTIONS...]: sets SIM_URL and SIM_PID
start_sim() {
	local out="$T/sim.$$.$RANDOM" i
	"$TTFTOP" sim --listen 127.0.0.1:0 "$@" >"$out" 2>"$out.err" &
	SIM_PID=$!
	SIM_PIDS="$SIM_PIDS $SIM_PID"
	for i in $(seq 100); do
		SIM_URL=$(head -n 1 "$out" 2>/dev/null)
		case "$SIM_URL" in http://* | https://*) return 0 ;; esac
		sleep 0.05
	done
	echo "# the sim did not start: $(cat "$out.err")"
	return 1
}

stop_sim() {	# stop_sim PID: SIGTERM, and wait so its truth log is complete
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# run_ttftop ARGS...: bounded in time; stdout, stderr and status in $T
run_ttftop() {
	timeout 120 "$TTFTOP" "$@" >"$T/out" 2>"$T/err"
	STATUS=$?
}

# median of a jq array expression over the request records of a file
jq_median() {	# jq_median FILE EXPR
	jq -s "[.[] | select(.type == \"request\" and .error == null) | $2] | flatten | sort |
		if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end" "$1"
}

done_testing() { exit $_failed; }
