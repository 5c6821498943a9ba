#!/bin/bash
# The direct transport (plain HTTP/1.1 read off the socket) and curl's give
# the same answers; the direct one sends the headers curl would, keeps
# connections alive, sends again on a connection the server had closed, and
# reads bodies of every framing. tests/sh/origin.py plays the odd servers.
. "$TESTS_DIR/sh/lib.sh"
plan 41

ORIGIN=$TESTS_DIR/sh/origin.py
start_origin() {	# start_origin ARGS...: sets ORIGIN_URL; logs to $T/origin.log
	: >"$T/origin.log"
	python3 "$ORIGIN" --log "$T/origin.log" "$@" >"$T/origin.url" 2>"$T/origin.err" &
	SIM_PIDS="$SIM_PIDS $!"
	ORIGIN_PID=$!
	for i in $(seq 100); do
		ORIGIN_URL=$(head -n 1 "$T/origin.url")
		case "$ORIGIN_URL" in http://*) return 0 ;; esac
		sleep 0.05
	done
	echo "# origin.py did not start: $(cat "$T/origin.err")"
}
transport_of() { jq -r 'select(.type == "run") | .config.transport' "$1"; }
requests() { jq -s -c "[.[] | select(.type == \"request\") | $2]" "$1"; }

start_sim --ttft 50ms --itl 10ms --tokens 20
for t in direct curl; do
	run_ttftop run --headless --transport $t -c 4 -n 5 -o "$T/$t.jsonl" "$SIM_URL"
	cp "$T/out" "$T/out.$t"
	is "$STATUS:$(transport_of "$T/$t.jsonl")" "0:$t" "--transport $t: recorded in the run record"
	is "$(requests "$T/$t.jsonl" '[.output_tokens, .status, .error]' | jq -c unique)" \
		'[[20,200,null]]' "--transport $t: 20 requests of 20 tokens, status 200"
	near "$(jq_median "$T/$t.jsonl" '.ttft * 1000')" 51 4 "--transport $t: TTFT p50 in ms (as timing.sh, with room for the sanitizers)"
	is "$(requests "$T/$t.jsonl" '.chunks | length' | jq -c unique)" '[20]' "--transport $t: a time for every chunk"
done
# the kernel's receive time makes the generator's own read delay known
between() { awk -v g="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(g != "" && g != "null" && g >= lo && g <= hi) }'; }
rd=$(jq 'select(.type == "end") | .read_delay_p99' "$T/direct.jsonl")
check "direct: the end record's read_delay_p99 ($rd s) is between 1 us and 50 ms" between "$rd" 0.000001 0.05
check "direct: the summary's generator line shows it" grep -q "; read delay p99 [0-9.]* ms$" "$T/out.direct"
is "$(jq 'select(.type == "end") | .read_delay_p99' "$T/curl.jsonl")" null "curl: no read delay (curl reads the socket)"
run_ttftop run --headless -n 1 -o "$T/auto.jsonl" "$SIM_URL"
is "$(transport_of "$T/auto.jsonl")" direct "plain http:// goes direct by default"
http_proxy=http://127.0.0.1:9 run_ttftop run --headless -n 1 --timeout 2s -o "$T/proxy.jsonl" "$SIM_URL"
is "$(transport_of "$T/proxy.jsonl")" curl "with http_proxy set, curl (which honours it)"

# A body larger than the socket takes at once is sent in pieces.
run_ttftop run --headless -c 2 -n 2 --input-tokens 200000 -o "$T/big.jsonl" "$SIM_URL"
is "$(requests "$T/big.jsonl" '[.error, (.input_tokens > 199990 and .input_tokens <= 200000)]' | jq -c unique)" \
	'[[null,true]]' "a 200,000-token prompt arrives whole (the sim counts its tokens)"

# A server that refuses the body before reading it all: its answer, not
# the broken pipe, is what is recorded, on both transports.
for t in direct curl; do
	run_ttftop run --headless --transport $t -c 1 -n 1 --input-tokens 3000000 -o "$T/413.jsonl" "$SIM_URL"
	is "$(requests "$T/413.jsonl" '[.status, .error.kind, .error.detail]' | jq -c unique)" \
		'[[413,"http","request body too large"]]' "--transport $t: a 12 MB body refused: 413 and the server's message"
done

# What goes on the wire, and connections kept alive.
start_origin --mode keep
run_ttftop run --headless -m m --server-metrics none -c 1 -n 4 -H 'X-Custom: yes' -o "$T/keep.jsonl" "$ORIGIN_URL/v1"
is "$STATUS:$(requests "$T/keep.jsonl" '.error' | jq -c unique)" '0:[null]' "keep-alive server: 4 answers"
is "$(jq -r '.line' "$T/origin.log" | sort -u)" "POST /v1/chat/completions HTTP/1.1" "request line"
hdr() { jq -r --arg n "$1" '[.headers[] | select(.[0] == $n) | .[1]] | join(",")' "$T/origin.log" | head -n 1; }
is "$(hdr Host)" "${ORIGIN_URL#http://}" "Host header as in the URL"
is "$(hdr User-Agent | cut -d/ -f1)" ttftop "User-Agent: ttftop/VERSION"
is "$(hdr X-Custom):$(hdr Expect)" "yes:" "-H headers sent, no Expect"
is "$(jq -s -c '[.[] | .headers[] | select(.[0] == "X-Request-Id") | .[1] | sub(".*-"; "")]' "$T/origin.log")" \
	"$(requests "$T/keep.jsonl" '.id | tostring')" "X-Request-Id carries each record's id"
is "$(jq -s -c '[.[] | .json_body] | unique' "$T/origin.log")" '[true]' \
	"each body is the JSON its Content-Length announced"
is "$(jq -s '[.[] | .peer] | unique | length' "$T/origin.log")" 1 "one connection carries all 4 requests"
kill "$ORIGIN_PID"

# A kept connection the server closed as the next request went out: sent
# again on a new one, and nothing is lost.
for t in direct curl; do
	start_origin --mode drop-second
	run_ttftop run --headless -m m --server-metrics none --transport $t -c 1 -n 4 -o "$T/drop.jsonl" "$ORIGIN_URL/v1"
	is "$(requests "$T/drop.jsonl" '[.output_tokens, .error]' | jq -c .):$(wc -l <"$T/origin.log")" \
		'[[5,null],[5,null],[5,null],[5,null]]:7' "--transport $t: closed keep-alive connections are retried (4 answers, 3 dropped)"
	kill "$ORIGIN_PID"
done

# HTTP/1.0: the stream ends when the server closes.
start_origin --mode http10 --tokens 8 --ttft 0.1 --itl 0.03
run_ttftop run --headless -m m --server-metrics none -c 2 -n 2 -o "$T/h10.jsonl" "$ORIGIN_URL/v1"
is "$(requests "$T/h10.jsonl" '[.output_tokens, .error]' | jq -c unique)" '[[8,null]]' \
	"close-delimited HTTP/1.0 stream: 8 tokens each, no error"
near "$(jq_median "$T/h10.jsonl" '.ttft * 1000')" 103 8 "close-delimited: TTFT p50 in ms (the server sleeps 100 ms)"
kill "$ORIGIN_PID"

# The server's faults are the same errors either way (faults.sh has more).
for f in reset:protocol stall:timeout garbage:protocol http500:http slow-headers:timeout; do
	start_sim --ttft 20ms --itl 10ms --tokens 10 --fail "${f%%:*}" --fail-rate 1
	for t in direct curl; do
		run_ttftop run --transport $t -c 1 -n 2 --timeout 1s -o "$T/f.jsonl" "$SIM_URL"
		is "$(requests "$T/f.jsonl" '.error.kind' | jq -r 'unique | join(",")')" "${f#*:}" \
			"--transport $t, fault ${f%%:*}: kind ${f#*:}"
		echo "#   $(requests "$T/f.jsonl" '.error.detail' | jq -r '.[0]')"
	done
	stop_sim "$SIM_PID"
done

# Bad usage
run_ttftop run --transport direct -n 1 http://user:secret@127.0.0.1:1/v1
is "$STATUS" 2 "--transport direct with credentials in the URL: exit 2"
check "... and says why" grep -q -- "--transport direct: credentials in the URL need curl" "$T/err"
run_ttftop run --transport pigeon -n 1 "$SIM_URL"
is "$STATUS:$(cat "$T/err")" "2:ttftop run: --transport: 'pigeon' is not auto, direct or curl" \
	"--transport pigeon: exit 2, the choices named"
