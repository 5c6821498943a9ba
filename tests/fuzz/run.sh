#!/bin/bash
# The fuzz targets, briefly: each is built with clang's libFuzzer (ASan and
# UBSan on) and run for a few seconds from its committed seed corpus; a
# crash fails the test and leaves its input in the log. Skipped when clang
# cannot build a libFuzzer program. tests/fuzz/README says how to run them
# for hours.
. "$TESTS_DIR/sh/lib.sh"
TARGETS="http sse ndjson eventstream jsonl options jscan metrics"
SECONDS_EACH=${FUZZ_SECONDS:-3}
FUZZ_CC=${FUZZ_CC:-clang}
plan 9

printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' >"$T/probe.c"
if ! "$FUZZ_CC" -fsanitize=fuzzer,address "$T/probe.c" -o "$T/probe" >/dev/null 2>&1; then
	skip "fuzz targets built" "no clang with libFuzzer ($FUZZ_CC)"
	for t in $TARGETS; do skip "fuzz_$t" "no libFuzzer"; done
	done_testing
fi

OUT=${TOP_BUILDDIR:?}/tests/fuzz
mkdir -p "$OUT"
# niced, build and runs: the timed tests beside it in make -j2 check come first
nice -n 19 make -s -C "$OUT" -f "$TESTS_DIR/fuzz/fuzz.mk" -j2 SRCDIR="$(cd "$TESTS_DIR/.." && pwd)" \
	BUILDDIR="$TOP_BUILDDIR" FUZZ_CC="$FUZZ_CC" FUZZ_CPPFLAGS="${FUZZ_CPPFLAGS:-}" \
	FUZZ_LIBS="${FUZZ_LIBS:-}" >"$T/build.log" 2>&1
rc=$?
ok $rc "fuzz targets built with $FUZZ_CC"
[ $rc = 0 ] || sed 's/^/#   /' "$T/build.log" | tail -20

for t in $TARGETS; do
	# a copy of the seeds: what the run finds stays out of the source tree
	mkdir -p "$T/corpus-$t" "$T/work-$t"
	cp "$TESTS_DIR/fuzz/corpus/$t/"* "$T/corpus-$t/" 2>/dev/null
	( cd "$T/work-$t" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
		timeout $((SECONDS_EACH + 30)) nice -n 19 "$OUT/fuzz_$t" -max_total_time="$SECONDS_EACH" \
		-rss_limit_mb=1024 -max_len=65536 -timeout=10 -print_final_stats=1 \
		"$T/corpus-$t" ) >"$T/$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$t.log")
	ok $rc "fuzz_$t: ${runs:-no} inputs in ${SECONDS_EACH}s, no crash"
	if [ $rc != 0 ]; then
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$T/$t.log" | head -10 | sed 's/^/#   /'
		for f in "$T/work-$t"/crash-* "$T/work-$t"/leak-* "$T/work-$t"/timeout-*; do
			[ -f "$f" ] && echo "#   input (base64): $(base64 -w0 "$f" | head -c 2000)"
		done
	fi
done
done_testing
