#!/bin/bash
# Streams that end strangely, on both transports, against raw_origin.py
# (which writes each case's bytes as they are): an error event is an error
# with the server's message; the stream's own end marker ends the request
# even when the body stays open; gzip bodies are decoded and unknown codings
# refused; and broken heads get the same verdict from curl as from direct.
. "$TESTS_DIR/sh/lib.sh"
plan 65

python3 "$TESTS_DIR/sh/raw_origin.py" --port-file "$T/port" --log "$T/origin.log" \
	--lifetime 100 2>"$T/origin.err" &
SIM_PIDS="$SIM_PIDS $!"
for i in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
BASE=http://127.0.0.1:$(cat "$T/port")
export ANTHROPIC_API_KEY=test

# one_case CASE TRANSPORT [API]: -n 2, --timeout 20s; sets REC (the request
# records as [status, output_tokens, error kind, detail]) and SECS
one_case() {
	local start end
	start=$(date +%s.%N)
	run_ttftop run --headless -a "${3:-openai-chat}" -m m -n 2 --timeout 20s \
		--transport "$2" -o "$T/$1-$2.jsonl" "$BASE/$1"
	end=$(date +%s.%N)
	SECS=$(echo "$end - $start" | bc)
	REC=$(jq -s -c '[.[] | select(.type == "request") |
		[.status, .output_tokens, .error.kind, .error.detail]] | unique' "$T/$1-$2.jsonl")
}
ok_records() { echo "[[200,3,null,null]]"; }
fast() { awk -v s="$SECS" 'BEGIN { exit !(s < 2) }'; }

for t in direct curl; do
	one_case error-event $t
	is "$REC" '[[200,0,"protocol","error event: CUDA out of memory"]]' \
		"$t: event: error with a JSON error: protocol, the server's message"
	one_case error-flat $t
	is "$REC" '[[200,0,"protocol","error event: the engine died"]]' \
		"$t: vLLM's \"object\": \"error\" then [DONE]: not a success"
	one_case error-text $t
	is "$REC" '[[200,1,"protocol","error event: worker lost"]]' \
		"$t: event: error with text data: that text, the token before counted"

	for c in open-chunked open-length open-close; do
		one_case $c $t
		is "$REC" "$(ok_records)" "$t $c: [DONE] with the body left open: a success, 3 tokens"
		check "$t $c: two requests in $SECS s, not the 20 s timeout" fast
	done
	for c in anthropic-open:anthropic ollama-open:ollama tgi-open:tgi; do
		one_case ${c%:*} $t ${c#*:}
		is "$REC" "$(ok_records)" "$t ${c#*:}: its final event with the body left open: a success"
		check "$t ${c#*:}: two requests in $SECS s" fast
	done
	one_case closed-early $t
	is "$REC" "$(ok_records)" "$t: closed after [DONE] without the last chunk: a success"
	grep -v "^late-end" "$T/origin.log" >"$T/origin.rest"; cp "$T/origin.rest" "$T/origin.log"
	one_case late-end $t
	is "$REC" "$(ok_records)" "$t: the last chunk 30 ms after [DONE]: a success"
	is "$(awk '$1 == "late-end" { print $2 }' "$T/origin.log" | sort -u | wc -l)" 1 \
		"$t: and its connection kept for the next request"
	one_case open-chunked $t
	is "$(awk '$1 == "open-chunked" { print $2 }' "$T/origin.log" | tail -n 2 | sort -u | wc -l)" 2 \
		"$t: a body left open: its connection is not reused"

	one_case gzip $t
	is "$REC" "$(ok_records)" "$t: a gzip body, flushed per event: decoded"
	near "$(jq -s '[.[] | select(.type == "request") | .chunks | length] | min' "$T/gzip-$t.jsonl")" 3 0 \
		"$t: every chunk of it timed"
	one_case deflate $t
	is "$REC" "$(ok_records)" "$t: a deflate body: decoded"
	one_case gzip-bad $t
	is "$REC" '[[200,0,"protocol","bad gzip data in the response: incorrect header check"]]' \
		"$t: gzip said, plain text sent: refused"
	one_case br $t
	is "$REC" '[[200,0,"protocol","unsupported Content-Encoding \"br\" in the response (ttftop decodes gzip and deflate)"]]' \
		"$t: br: refused, saying so"

	one_case cl-dup $t
	is "$REC" "$(ok_records)" "$t: the same Content-Length twice: taken"
	one_case cl-conflict $t
	is "$REC" '[[200,0,"protocol","conflicting Content-Length values 278 and 5 in the response"]]' \
		"$t: conflicting Content-Length: refused"
	one_case cl-overflow $t
	is "$REC" '[[200,0,"protocol","Content-Length too large in the response"]]' \
		"$t: a Content-Length past 64 bits: refused"
	one_case head-100k $t
	is "$REC" '[[200,0,"protocol","response headers longer than 64 KB"]]' \
		"$t: a 100 KB header: refused"
	one_case head-60k $t
	is "$REC" "$(ok_records)" "$t: a 60 KB header: taken"
	one_case head-10000 $t
	is "$REC" '[[200,0,"protocol","more than 5000 header lines in the response"]]' \
		"$t: 10,000 headers: refused"
	one_case status-2000 $t
	is "$(echo "$REC" | jq -c '[.[] | .[0:3]]')" '[[0,0,"protocol"]]' \
		"$t: HTTP/1.1 2000: a protocol error"
	check "$t: which says the status code is wrong" \
		grep -qi "response code\|status code" "$T/status-2000-$t.jsonl"
done
is "$(awk '$1 != "metrics" { print $3 }' "$T/origin.log" | sort -u)" identity \
	"the requests asked for Accept-Encoding: identity"
done_testing
