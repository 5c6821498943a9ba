#!/bin/bash
# Replaying a saved run prints exactly the summary the live run printed, and
# bad files get one line naming the file and line, exit 2.
. "$TESTS_DIR/sh/lib.sh"
plan 38

start_sim --ttft 20ms --itl 5ms --tokens 12 --jitter 0.3 --fail http429 --fail-rate 0.2 || exit 1

run_ttftop run --headless -c 1,3 -n 4 -m sim -o "$T/a.jsonl" "$SIM_URL"
cp "$T/out" "$T/a.live.md"
"$TTFTOP" replay --headless "$T/a.jsonl" >"$T/a.replay.md" 2>"$T/err"
same "replay prints the live markdown summary byte for byte" "$T/a.live.md" "$T/a.replay.md"
check "that summary has errors in it (http 429s)" grep -q "^errors: http" "$T/a.replay.md"

run_ttftop run --json -c 2 -d 2s -m sim -o "$T/b.jsonl" "$SIM_URL"
cp "$T/out" "$T/b.live.json"
"$TTFTOP" replay --json "$T/b.jsonl" >"$T/b.replay.json"
same "replay --json prints the live JSON summary byte for byte" "$T/b.live.json" "$T/b.replay.json"

"$TTFTOP" run --headless -c 3 -d 60s -m sim -o "$T/c.jsonl" "$SIM_URL" >"$T/c.live.md" 2>/dev/null &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
"$TTFTOP" replay --headless "$T/c.jsonl" >"$T/c.replay.md"
same "a run stopped by SIGINT replays to its summary byte for byte" "$T/c.live.md" "$T/c.replay.md"
check "(and that summary says it ended by signal)" grep -q ", signal$" "$T/c.replay.md"

# the generator's own overhead is in the end record, and replayed; a run
# too short to judge its CPU share (the start's own CPU) does not judge it
check "the end record carries the generator's figures (not overloaded at this load)" \
	jq -se '.[-1] | .type == "end" and .overloaded == false and .lag_p99 >= 0 and .lag_p99 < 0.05 and .cpu_share >= 0' "$T/b.jsonl"
"$TTFTOP" replay --headless "$T/b.jsonl" >"$T/b.replay.md"
check "and the summary says them" grep -Eq "^generator: CPU [0-9.]+ s, [0-9]+% of a core; loop lag p99 [0-9.]+ ms; read delay p99 [0-9.]+ ms$" "$T/b.replay.md"
check "a run of less than 2 s has no CPU share to judge" \
	jq -se '.[-1] | .t < 2 and .cpu_share == null' "$T/a.jsonl"
check "and says so" grep -q "^generator: CPU [0-9.]* s, too short a run to judge its share;" "$T/a.replay.md"
jq -c 'if .type == "end" then .overloaded = true | .lag_p99 = 0.0025 else . end' "$T/a.jsonl" >"$T/over.jsonl"
"$TTFTOP" replay --headless "$T/over.jsonl" >"$T/over.md"
check "an overloaded run says its results are not trustworthy" \
	grep -q "^generator overloaded: results not trustworthy" "$T/over.md"
is "$("$TTFTOP" replay --json "$T/over.jsonl" | jq -c '.generator | [.overloaded, .lag_p99_ms]')" "[true,2.5]" \
	"and so does the JSON summary"

# a crash cut the last line short: skipped with a warning
head -c -25 "$T/a.jsonl" >"$T/cut.jsonl"
"$TTFTOP" replay --headless "$T/cut.jsonl" >"$T/out" 2>"$T/err"
is "$?" 0 "a cut last line: exit 0"
check "and a warning naming the file and line" grep -q "cut.jsonl:$(wc -l <"$T/a.jsonl" | tr -d ' '): the last line is cut short" "$T/err"
# a file cut by SIGKILL or OOM (no end record): its duration and rates end
# at its last record
grep -v '"type":"end"' "$T/b.jsonl" >"$T/killed.jsonl"
"$TTFTOP" replay --json "$T/killed.jsonl" >"$T/killed.json"
check "a killed run's duration runs to its last record ($(jq .duration_s "$T/killed.json") s)" \
	jq -e --slurpfile b "$T/b.jsonl" '.reason == "incomplete" and
		(.duration_s - ((($b | map(select(.type == "request")) | map(.t + .ttlt)) +
		 ($b | map(select(.type == "server")) | map(.t)) | max) -
		 ($b | map(select(.type == "stage"))[0].t)) | fabs) < 0.001' "$T/killed.json"
check "and its rates are over that duration, not 0 tok/s" jq -e --slurpfile b "$T/b.jsonl" \
	'($b | map(select(.type == "request" and .error == null) | .output_tokens) | add) as $tok |
	 (.stages[0].tok_s * .duration_s - $tok | fabs) < 0.02 * $tok and .stages[0].tok_s > 0' "$T/killed.json"

bad() {	# bad WANT-IN-MESSAGE FILE
	"$TTFTOP" replay --headless "$2" >"$T/out" 2>"$T/err"
	local status=$?
	if [ $status = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q -- "$1" "$T/err" && [ ! -s "$T/out" ]; then
		ok 0 "$(cat "$T/err")"
	else
		ok 1 "replay ${2##*/}: status $status: $(cat "$T/err")"
	fi
}
bad "missing.jsonl: No such file" "$T/missing.jsonl"
: >"$T/empty.jsonl"
bad "empty.jsonl: empty" "$T/empty.jsonl"
printf 'hello\nworld\n' >"$T/text.jsonl"
bad "text.jsonl:1: not a ttftop JSONL file" "$T/text.jsonl"
printf '{"type":"request","id":1}\n' >"$T/norun.jsonl"
bad "norun.jsonl:1: not a ttftop JSONL file" "$T/norun.jsonl"
{ head -n 3 "$T/a.jsonl"; echo '{"type":"request","id":'; tail -n 2 "$T/a.jsonl"; } >"$T/mid.jsonl"
bad "mid.jsonl:4: not a JSON object" "$T/mid.jsonl"
sed '1s/"schema":2/"schema":9/' "$T/a.jsonl" >"$T/new.jsonl"
bad "new.jsonl:1: .*schema 9 is newer" "$T/new.jsonl"
{ head -n 3 "$T/a.jsonl"; echo '{"type":"request","id":1,"stage":1,"t":"soon"}'; } >"$T/badt.jsonl"
bad "badt.jsonl:4: \"t\" must be a number" "$T/badt.jsonl"
{ head -n 3 "$T/a.jsonl"; echo '{"type":"request","id":1,"stage":1,"t":1,"ttlt":1,"chunks":[0.1,1e300]}'; } >"$T/huge.jsonl"
bad "huge.jsonl:4: \"chunks\" must hold numbers of seconds" "$T/huge.jsonl"
sed '1s/"type":"run"/"type":"hologram"/' "$T/a.jsonl" >"$T/notrun.jsonl"
bad "notrun.jsonl:1: not a ttftop JSONL file (it does not begin with a run record)" "$T/notrun.jsonl"

# unknown fields and record types of later versions are ignored
jq -c '. + {future_field: [1, 2]}' "$T/a.jsonl" >"$T/extra.jsonl"
echo '{"type":"hologram","t":1}' >>"$T/extra.jsonl"
"$TTFTOP" replay --headless "$T/extra.jsonl" >"$T/extra.md"
same "unknown fields and record types are ignored" "$T/a.live.md" "$T/extra.md"

# gzip is read directly, and a cut gzip stream keeps what came
gzip -k "$T/a.jsonl"
"$TTFTOP" replay --headless "$T/a.jsonl.gz" >"$T/gz.md" 2>"$T/err"
same "a .jsonl.gz replays to the same summary" "$T/a.live.md" "$T/gz.md"
head -c -40 "$T/a.jsonl.gz" >"$T/cut.jsonl.gz"
"$TTFTOP" replay --headless "$T/cut.jsonl.gz" >"$T/out" 2>"$T/err"
is "$?:$(grep -c 'cut short' "$T/err")" "0:1" "a cut .jsonl.gz: exit 0, one warning"

# shards of one run (requests split by id, the end record's counts split
# with them) merge back into exactly the run's summary
jq -c 'select(.type != "request" or .id % 2 == 1)' "$T/a.jsonl" |
	jq -c --slurpfile all "$T/a.jsonl" 'if .type == "end" then
		.requests = ([$all[] | select(.type == "request" and .id % 2 == 1)] | length) |
		.errors = ([$all[] | select(.type == "request" and .id % 2 == 1 and .error)] | length)
	else . end' >"$T/shard1.jsonl"
jq -c --slurpfile all "$T/a.jsonl" 'select(.type != "request" or .id % 2 == 0) |
	if .type == "end" then
		.requests = ([$all[] | select(.type == "request" and .id % 2 == 0)] | length) |
		.errors = ([$all[] | select(.type == "request" and .id % 2 == 0 and .error)] | length) |
		.cpu_s = 0 | .cpu_share |= (if . == null then null else 0 end) | .lag_p99 = 0
	else . end' "$T/a.jsonl" >"$T/shard2.jsonl"
"$TTFTOP" replay --headless "$T/shard1.jsonl" "$T/shard2.jsonl" >"$T/merged.md" 2>"$T/err"
same "two shards merge into the whole run's summary, byte for byte" "$T/a.live.md" "$T/merged.md"
check "(each shard alone has fewer requests)" bash -c "! cmp -s '$T/a.live.md' <('$TTFTOP' replay --headless '$T/shard1.jsonl')"
check "same settings: no warning" test ! -s "$T/err"

# two generator hosts at once, aligned by their start times
"$TTFTOP" run --headless -c 2 -d 2s -m sim -o "$T/h1.jsonl" "$SIM_URL" >/dev/null 2>&1 &
h1=$!
sleep 0.5
"$TTFTOP" run --headless -c 2 -d 2s -m sim -o "$T/h2.jsonl" "$SIM_URL" >/dev/null 2>&1
wait $h1
n1=$(jq -s 'map(select(.type == "request")) | length' "$T/h1.jsonl")
n2=$(jq -s 'map(select(.type == "request")) | length' "$T/h2.jsonl")
"$TTFTOP" replay --json "$T/h1.jsonl" "$T/h2.jsonl" >"$T/hosts.json" 2>"$T/err"
is "$(jq '.requests' "$T/hosts.json")" "$((n1 + n2))" "two hosts merged: every request of both ($n1 + $n2)"
near "$(jq '.duration_s' "$T/hosts.json")" 2.5 0.3 "one timeline: the second host's run ends 0.5 s after the first's"
check "same settings, each with its own seed: no warning" test ! -s "$T/err"
"$TTFTOP" run --headless -c 3 -d 1s -m sim -o "$T/h3.jsonl" "$SIM_URL" >/dev/null 2>&1
"$TTFTOP" replay --headless "$T/h1.jsonl" "$T/h3.jsonl" >/dev/null 2>"$T/err"
check "other clients: the warning names the setting" \
	grep -q "h3.jsonl: its setting \"clients\" differs from .*h1.jsonl's" "$T/err"
"$TTFTOP" run --headless -c 1 -n 2 -m other -o "$T/other.jsonl" "$SIM_URL" >/dev/null 2>&1
"$TTFTOP" replay --headless "$T/h1.jsonl" "$T/other.jsonl" >"$T/out" 2>"$T/err"
check "different settings: merged with a warning naming what differs" \
	grep -q "other.jsonl: its model differs from .*h1.jsonl's; merged into one timeline anyway" "$T/err"

# --compare keeps them apart, labelled
"$TTFTOP" replay --compare --label first --label second "$T/a.jsonl" "$T/b.jsonl" >"$T/cmp.md"
check "--compare: a section per label" bash -c "grep -q '^## first$' '$T/cmp.md' && grep -q '^## second$' '$T/cmp.md'"
"$TTFTOP" replay --compare --json "$T/a.jsonl" "$T/b.jsonl" >"$T/cmp.json"
is "$(jq -c '[.runs[].summary.requests]' "$T/cmp.json")" \
	"[$(jq '.requests' "$T/b.live.json" | xargs -I{} echo "$(jq -s 'map(select(.type == "request")) | length' "$T/a.jsonl"),{}")]" \
	"--compare --json: each run's own counts"
"$TTFTOP" replay --headless "$T/a.jsonl" "$T/missing.jsonl" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out")" "2:" "one bad file of several: exit 2, nothing printed"
done_testing
