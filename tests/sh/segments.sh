#!/bin/bash
# A load changed by key is recorded as it ran: `]` in stage 2 starts
# segment 2.2 at the new client count, in the JSONL, the live summary, its
# replay, csv and html; a quit's cancels are not errors; files from before
# segments replay the same.
. "$TESTS_DIR/sh/lib.sh"
. "$TESTS_DIR/sh/tmux.sh"
plan 28

start_sim --tokens 10 --itl 20ms --ttft 40ms || exit 1
# the summary the run prints on the terminal after its screen, read back
new_server
tm -f /dev/null new-session -d -s t -x 250 -y 50 \
	"cd '$T' && TERM=xterm-256color '$TTFTOP' run '$SIM_URL' -m sim -c 1,3 -d 3s -o seg.jsonl; echo \$? > '$T/status'; sleep 30"
check "stage 2 begins" wait_for "stage 2/2" 10
tm send-keys -t t ']'
check "] raises the load to 13 clients" wait_for "clients 13 " 2
check "the header names the segment and who set its load" wait_for "stage 2\.2/2  clients 13 (key) " 2
check "the stage table shows row 2.2 at 13 clients" wait_for "^2\.2  .* 13 " 3
check "the run ends by itself" wait_for "DONE" 8
tm send-keys -t t 5
check "the log names the segment's stage 2.2" wait_for " 2\.2 stage  *13 clients" 2
tm send-keys -t t q
for i in $(seq 300); do [ -s "$T/status" ] && break; sleep 0.1; done
tm capture-pane -p -J -S - -t t | sed -n '/^ttftop: /,$p' > "$T/live.txt"
"$TTFTOP" replay --json "$T/seg.jsonl" > "$T/live.json"
sed 's/^/# /' "$T/live.txt"
is "$(awk '/^stage /{ f = 1 } f && /^$/ { exit } f' "$T/live.txt" | awk 'NR > 1 && NF { print $1, $2, $3 }' | tr '\n' ';')" \
	"$(jq -r '.stages[] | "\(.label // .stage) \(.clients) \(.requests)"' "$T/live.json" | tr '\n' ';')" \
	"the terminal's summary has the rows of its replay: 1, 2.1 at 3 clients, 2.2 at 13"
check "every line of the terminal's summary fits 100 columns" \
	awk 'length > 100 { exit 1 }' "$T/live.txt"
check "and names the JSONL and how to make its html" \
	bash -c "grep -q '^saved: seg.jsonl$' '$T/live.txt' && grep -q '^html: ttftop report -f html' '$T/live.txt'"
# its replay on a terminal: after the screen, the same summary
new_server
: >"$T/status"
tm -f /dev/null new-session -d -s t -x 250 -y 50 \
	"cd '$T' && TERM=xterm-256color '$TTFTOP' replay --speed max seg.jsonl; echo \$? > '$T/status'; sleep 30"
check "the replay plays to the end" wait_for "DONE" 5
tm send-keys -t t q
for i in $(seq 100); do [ -s "$T/status" ] && break; sleep 0.1; done
tm capture-pane -p -J -S - -t t | sed -n '/^ttftop: /,$p' > "$T/replay.txt"
sed -n '/^ttftop: openai-chat/,/^$/p; /^stage /,/^$/p' "$T/live.txt" > "$T/live.sum"
sed -n '/^ttftop: openai-chat/,/^$/p; /^stage /,/^$/p' "$T/replay.txt" > "$T/replay.sum"
check "(a summary was read)" grep -q '^2\.2 ' "$T/live.sum"
same "the replay's summary is the live one, byte for byte" "$T/live.sum" "$T/replay.sum"
check "and says how to make its full table and html" \
	bash -c "grep -q '^full table: ttftop report seg.jsonl$' '$T/replay.txt' && grep -q '^html: ttftop report -f html -o report.html seg.jsonl$' '$T/replay.txt'"

check "the JSONL has a stage record for segment 2, by key, at 13 clients" jq -e -s \
	'any(.[]; .type == "stage" and .stage == 2 and .segment == 2 and .clients == 13 and .by == "key")' "$T/seg.jsonl"
check "requests of the new load carry segment 2" jq -e -s \
	'(map(select(.type == "stage" and .segment == 2))[0].t) as $k |
	 [.[] | select(.type == "request" and .t > $k)] | length > 0 and all(.segment == 2)' "$T/seg.jsonl"
check "the summary has rows 2.1 at 3 clients and 2.2 at 13" jq -e \
	'[.stages[] | [.label, .clients]] == [[null, 1], ["2.1", 3], ["2.2", 13]]' "$T/live.json"
check "each row counts the requests of its own load" jq -e \
	'.stages[2].requests > .stages[1].requests and (.stages | map(.requests) | add) == .requests' "$T/live.json"
"$TTFTOP" report --format csv -o "$T/seg.csv" "$T/seg.jsonl"
check "csv has a row 2.2 at 13 clients" grep -q '^[^,]*,2\.2,13,' "$T/seg.csv"
"$TTFTOP" report --format html -o "$T/seg.html" "$T/seg.jsonl"
check "html names the segment" grep -q '<td>2\.2</td><td>13</td>' "$T/seg.html"
check "html plots a point of the load curve at it" grep -q '<title>stage 2.2: ' "$T/seg.html"

# the man page's jq recipe for the median TTFT gives the summary's figures
recipe=$(grep "^jq .*group_by" "$TESTS_DIR/../man/ttftop.1" | sed 's/\\-/-/g; s/^jq -s //; s/ run.jsonl$//')
recipe=${recipe#\'}; recipe=${recipe%\'}
# (to the summary's 3 decimals: a median ending in 5 may round either way)
got=$(jq -sc "$recipe" "$T/seg.jsonl")
want=$(jq -c '[.stages[].ttft_ms.p50]' "$T/live.json")
check "the man page's jq median is the summary's TTFT p50, segment by segment" \
	jq -en --argjson g "$got" --argjson w "$want" \
	'($g | length) == ($w | length) and ([$g, $w] | transpose | all(.[0] - .[1] | fabs <= 0.0006))'
# a file written before segments: the controls alone give the same rows
grep -v '"by":"key"' "$T/seg.jsonl" | sed 's/"schema":2/"schema":1/; s/"segment":[0-9]*,//' > "$T/old.jsonl"
"$TTFTOP" replay --headless "$T/seg.jsonl" > "$T/new.md"
"$TTFTOP" replay --headless "$T/old.jsonl" > "$T/old.md"
same "a file from before segments replays the same rows" "$T/new.md" "$T/old.md"
check "the markdown says what the rows are" grep -q '^rows 3.1, 3.2' "$T/new.md"

# a quit mid-stream (the second signal cancels at once): canceled, not failed
start_sim --tokens 2000 --itl 10ms || exit 1
"$TTFTOP" run --headless "$SIM_URL" -m sim -c 4 -d 30s -o "$T/q.jsonl" >"$T/out" 2>"$T/err" &
pid=$!
sleep 1.2
kill -INT $pid; sleep 0.3; kill -INT $pid
wait $pid
c=$(jq -s '[.[] | select(.type == "request" and .error.kind == "canceled")] | length' "$T/q.jsonl")
check "a signal mid-stream leaves canceled requests ($c)" test "$c" -ge 1
check "the summary counts them apart from errors" grep -q "^[0-9]* stages\?, [0-9]* requests, 0 errors, $c canceled at quit" "$T/out"
check "the end record too" jq -e -s --argjson c "$c" 'last | .errors == 0 and .canceled == $c' "$T/q.jsonl"
# and the screen's log, replayed, says so
new_server
tm -f /dev/null new-session -d -s t -x 120 -y 35 \
	"cd '$T' && TERM=xterm-256color '$TTFTOP' replay --speed max q.jsonl; sleep 30"
check "(the replay plays to the end)" wait_for "DONE" 5
tm send-keys -t t 5
check "the log counts them apart: 0 errors, $c canceled at quit" wait_for "^0 errors, $c canceled at quit;" 2
done_testing
