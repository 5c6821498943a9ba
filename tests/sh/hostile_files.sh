#!/bin/bash
# replay and report on files that are broken or hostile: every time and count
# is bounded, and a value out of bounds, or a line longer than 64 MB, is
# refused with FILE:LINE and exit 2, in bounded memory and time.
. "$TESTS_DIR/sh/lib.sh"
plan 15

start_sim --ttft 5ms --itl 1ms --tokens 3 || exit 1
run_ttftop run -n 2 -m sim -o "$T/good.jsonl" --headless "$SIM_URL"
is "$STATUS" 0 "a good file to spoil"
REQ=$(sed -n '/"type":"request"/{p;q}' "$T/good.jsonl")
LN=$(grep -n '"type":"request"' "$T/good.jsonl" | head -1 | cut -d: -f1)

# spoil NAME SED-EXPRESSION: the first request line changed; the rest kept
spoil() {
	awk -v n="$LN" -v r="$(printf '%s' "$REQ" | sed -E "$2")" 'NR == n { print r; next } { print }' \
		"$T/good.jsonl" >"$T/$1.jsonl"
}
# memory is capped, except under ASan (it maps terabytes of shadow)
VMEM=1000000
ldd "$TTFTOP_BIN" 2>/dev/null | grep -q libasan && VMEM=unlimited
# refused NAME WHAT: replay and report both exit 2 naming FILE:LINE and WHAT,
# within 10 s and 500 MB
refused() {
	local cmd rc=0
	for cmd in "replay --headless" "report -f json"; do
		( ulimit -v $VMEM; timeout 10 "$TTFTOP" $cmd "$T/$1.jsonl" ) >/dev/null 2>"$T/$1.err"
		[ $? = 2 ] && grep -q -- "$T/$1.jsonl:$LN: .*$2" "$T/$1.err" || { rc=1; sed 's/^/#   /' "$T/$1.err"; }
	done
	ok $rc "$3"
}

spoil t3e8 's/"t":[0-9.]+/"t":3e8/'
refused t3e8 '"t" must be a number of seconds' '"t": 3e8 (10 years): FILE:LINE, exit 2, no 4 GB'
spoil ttlt 's/"ttlt":[0-9.]+/"ttlt":3e8/'
refused ttlt '"ttlt"' '"ttlt": 3e8: refused'
spoil chunk 's/"chunks":\[[0-9.]+/"chunks":[300000000.000000/'
refused chunk '"chunks"' 'a chunk time of 3e8 s (the fast path too): refused'
spoil tokens 's/"output_tokens":[0-9]+/"output_tokens":4294967296/'
refused tokens '"output_tokens"' 'a count of 4294967296 tokens: refused'
spoil client 's/"client":[0-9]+/"client":4294967296/'
refused client '"client"' 'client 4294967296 (an int once cut to 0): refused'
spoil stage 's/"stage":[0-9]+/"stage":4294967296/'
refused stage '"stage"' 'stage 4294967296: refused'
spoil frac 's/"status":[0-9]+/"status":200.5/'
refused frac '"status"' 'a status of 200.5: refused'

awk -v n="$LN" 'NR == n { print "{\"type\":\"stage\",\"t\":0.1,\"stage\":2,\"clients\":4294967296}" } { print }' \
	"$T/good.jsonl" >"$T/clients.jsonl"
refused clients '"clients"' 'a stage of 4294967296 clients: refused'
awk -v n="$LN" 'NR == n { print "{\"type\":\"control\",\"t\":0.1,\"action\":\"set_rate\",\"rate\":1e300}" } { print }' \
	"$T/good.jsonl" >"$T/rate.jsonl"
refused rate '"rate"' 'a rate of 1e300: refused'

{ cat "$T/good.jsonl"; head -c 70000000 /dev/zero | tr '\0' ' '; echo; } >"$T/long.jsonl"
LN=$(($(wc -l <"$T/good.jsonl") + 1))
refused long 'longer than 64 MB' 'a 70 MB line: refused with its line'

( ulimit -v $VMEM; timeout 10 "$TTFTOP" replay --headless /dev/zero ) >/dev/null 2>"$T/zero.err"
is "$?" 2 "replay /dev/zero stops (exit 2), in bounded memory"
check "and says why" grep -q '/dev/zero:1: a line longer than 64 MB' "$T/zero.err"

"$TTFTOP" report -f json "$T/good.jsonl" >/dev/null 2>&1
is "$?" 0 "the good file still reads"

# one request of 600,000 chunks: its gaps' series starts mapped, at once
# (UBSan caught a memcpy from NULL there, in --enable-sanitizers builds)
python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
n = int(sys.argv[2])
r = json.loads(lines[int(sys.argv[3]) - 1])
r["chunks"] = [round(0.005 + i * 1e-6, 6) for i in range(n)]
r["output_tokens"] = n
r["tokens_from"] = "usage"
r["ttlt"] = r["chunks"][-1] + 0.001
print(lines[0]); print(json.dumps(r, separators=(",", ":"))); print(lines[-1])
' "$T/good.jsonl" 600000 "$(grep -n '"type":"request"' "$T/good.jsonl" | head -1 | cut -d: -f1)" >"$T/many.jsonl"
"$TTFTOP" report -f json "$T/many.jsonl" >"$T/many.json" 2>"$T/many.err"
is "$?:$(jq '[.. | objects | .output_tokens? | numbers] | max' "$T/many.json" 2>/dev/null)" "0:600000" \
	"a request of 600,000 chunks reads cleanly"
done_testing
