#!/bin/bash
# Credentials planted in the URL (userinfo, query), in headers (by name and
# by value), in --body and in the environment go on the wire, and into no
# output: JSONL, stdout, stderr, the screen, replay, md/csv/json/html.
. "$TESTS_DIR/sh/lib.sh"
plan 15

PASS=PASSW0RD-u7u7 QKEY=QUERYKEY-q4q4 SIG=SIGVALUE-s9s9 AMZ=AMZCRED-a2a2
BEARER=goog-bearer-b3b3 TOKV=abcdefghij0123456789xyzTOK BODYKEY=body-key-k5k5
ENVKEY=sk-envkey-e1e1 USERSECRET=USERNAME-n8n8
SECRETS="$PASS $QKEY $SIG $AMZ $BEARER $TOKV $BODYKEY $ENVKEY $USERSECRET"

ORIGIN=$TESTS_DIR/sh/origin.py
: >"$T/origin.log"
python3 "$ORIGIN" --mode keep --tokens 3 --ttft 0.005 --itl 0.001 --log "$T/origin.log" \
	>"$T/origin.url" 2>"$T/origin.err" &
SIM_PIDS="$SIM_PIDS $!"
for i in $(seq 100); do
	ORIGIN_URL=$(head -n 1 "$T/origin.url")
	case "$ORIGIN_URL" in http://*) break ;; esac
	sleep 0.05
done
HOSTPORT=${ORIGIN_URL#http://}; HOSTPORT=${HOSTPORT%%/*}
URL="http://$USERSECRET:$PASS@$HOSTPORT/v1/chat/completions?api_key=$QKEY&sig=$SIG&X-Amz-Credential=$AMZ&team=blue"
# secret_args: the headers and body every run below is given
ARGS=(-m m -H "X-Goog: Bearer $BEARER" -H "X-Thing: $TOKV" -H "X-Team: blue"
	--body "{\"api_key\": \"$BODYKEY\", \"temperature\": 0.5}")

OPENAI_API_KEY=$ENVKEY run_ttftop run --headless -n 2 "${ARGS[@]}" -o "$T/a.jsonl" "$URL"
is "$STATUS" 0 "a run with secrets everywhere succeeds"
cp "$T/out" "$T/a.stdout"; cp "$T/err" "$T/a.stderr"
check "the query went on the wire whole" grep -q "api_key=$QKEY&sig=$SIG" "$T/origin.log"
check "the headers went on the wire" bash -c "grep -q 'Bearer $BEARER' '$T/origin.log' && grep -q '$TOKV' '$T/origin.log'"
# without a key in the environment, curl sends the userinfo as Basic
run_ttftop run --headless -n 1 "${ARGS[@]}" -o "$T/a2.jsonl" "$URL"
cp "$T/out" "$T/a2.stdout"; cp "$T/err" "$T/a2.stderr"
AUTH=$(printf '%s' "$USERSECRET:$PASS" | base64)
check "the userinfo went on the wire (Basic)" grep -q "Basic $AUTH" "$T/origin.log"
is "$(jq -r 'select(.type == "run") | .target.url' "$T/a.jsonl")" \
	"http://***@$HOSTPORT/v1/chat/completions?api_key=***&sig=***&X-Amz-Credential=***&team=blue" \
	"target.url keeps the host and the harmless parameters"
is "$(jq -c 'select(.type == "run") | [.config.headers, .config.body]' "$T/a.jsonl")" \
	'[["X-Goog: ***","X-Thing: ***","X-Team: blue"],{"api_key":"***","temperature":0.5}]' \
	"headers redacted by value, the body's api_key by name"

# the sim answers 404 to a path it does not serve, echoing it with its
# query: a server's words are redacted too, and the preflight's failure line
start_sim --ttft 5ms --itl 1ms --tokens 2 || exit 1
SIM_HP=${SIM_URL#http://}; SIM_HP=${SIM_HP%%/*}
OPENAI_API_KEY=$ENVKEY PREFLIGHT=1 run_ttftop run --headless -n 1 "${ARGS[@]}" -o "$T/b.jsonl" \
	"http://$SIM_HP/v9?token=$QKEY"
is "$STATUS" 1 "a preflight that fails on the query"
check "its message names the endpoint, redacted" grep -q 'token=\*\*\*' "$T/err"
cp "$T/out" "$T/b.stdout"; cp "$T/err" "$T/b.stderr"

run_ttftop run -n 1 -o "$T/c.jsonl" "http://$USERSECRET:$PASS@[nonsense/v1"
check "a malformed URL is refused without its password" \
	bash -c "[ $STATUS = 2 ] && grep -q 'URL' '$T/err' && ! grep -q '$PASS' '$T/err'"
cp "$T/err" "$T/c.stderr"

# a file written before redaction: what it shows is redacted on reading
jq -c "if .type == \"run\" then .target.url = \"$URL\" | .config.endpoint = \"$URL\" |
	.config.headers = [\"X-Thing: $TOKV\"] | .config.body = {\"password\": \"$PASS\"} else . end" \
	"$T/a.jsonl" >"$T/old.jsonl"
for f in a a2 b old; do
	"$TTFTOP" replay --headless "$T/$f.jsonl" >"$T/$f.replay" 2>&1
	"$TTFTOP" replay --headless --json "$T/$f.jsonl" >"$T/$f.replay.json" 2>&1
	for fmt in md csv json html; do
		"$TTFTOP" report -f $fmt -o "$T/$f.report.$fmt" "$T/$f.jsonl" >"$T/$f.report.$fmt.out" 2>&1
	done
done
check "the old file reads" test -s "$T/old.report.html"

# the screen: replay in a terminal shows the header with the URL
if command -v tmux >/dev/null; then
	SOCK="ttftop-redact-$$"
	tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 160 -y 30 \
		"TERM=xterm-256color '$TTFTOP' replay --speed 1 '$T/old.jsonl'; sleep 10"
	for i in $(seq 50); do
		tmux -L "$SOCK" capture-pane -p -t t >"$T/screen.txt" 2>/dev/null
		grep -q "$HOSTPORT" "$T/screen.txt" && break
		sleep 0.1
	done
	tmux -L "$SOCK" kill-server 2>/dev/null
	check "the screen shows the host" grep -q "$HOSTPORT" "$T/screen.txt"
else
	skip "the screen shows the host" "no tmux"
fi

found=""
for s in $SECRETS; do
	hits=$(grep -l -r -F --exclude=origin.log --exclude=old.jsonl -- "$s" "$T" 2>/dev/null | sed "s|$T/||" | tr '\n' ' ')
	[ -n "$hits" ] && found="$found $s in $hits;"
done
is "$found" "" "no planted secret in any output (JSONL, stdout, stderr, screen, replay, reports)"
check "every kind of output was made" bash -c "ls '$T'/a.report.{md,csv,json,html} '$T'/a.replay '$T'/a.stderr '$T'/old.replay.json >/dev/null"
check "the reports name the host" grep -q "$HOSTPORT" "$T/a.report.md"
check "the key is in no --help" bash -c "! OPENAI_API_KEY=$ENVKEY '$TTFTOP' run --help | grep -q -- '$ENVKEY'"
done_testing
