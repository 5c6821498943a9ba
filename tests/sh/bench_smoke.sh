#!/bin/bash
# The benchmarks are run by hand; a tiny run of each here keeps them working.
. "$TESTS_DIR/sh/lib.sh"
plan $(( $(ls "$TESTS_DIR"/bench/*.sh | grep -vc '/lib.sh$') * 2 ))

for s in "$TESTS_DIR"/bench/*.sh; do
	[ "${s##*/}" = lib.sh ] && continue
	TTFTOP=$TTFTOP FLOOR=${TTFTOP_BIN%/src/ttftop}/tests/bench/floor timeout 120 bash "$s" --smoke >"$T/out" 2>"$T/err"
	is "$?" 0 "${s##*/} --smoke exits 0"
	check "${s##*/} --smoke prints its table with measured chunks" \
		grep -qE '^(headless|screen|ttftop|floor|replay) +1 +[0-9.]+(ms)? +[0-9.]+(ms)? +[0-9.]+(ms)? +[1-9]' "$T/out"
done
done_testing
