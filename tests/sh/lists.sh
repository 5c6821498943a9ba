#!/bin/bash
# The streams and log views are lists that scroll: which rows of how many,
# one PgDn shows others, Enter one request's details (its last bytes too),
# each with its state: a request the server has queued is waiting, not
# connecting or stalled.
. "$TESTS_DIR/sh/lib.sh"
. "$TESTS_DIR/sh/tmux.sh"
plan 13

start_sim --ttft 50ms --itl 50ms --tokens 400 || exit 1
new_server
tm -f /dev/null new-session -d -s t -x 100 -y 30 \
	"cd '$T' && LANG=C.UTF-8 TERM=xterm-256color '$TTFTOP' run '$SIM_URL' -m sim -c 60 -d 30s -o l.jsonl; sleep 30"
check "the run begins" wait_for "clients 60" 10
tm send-keys -t t 4
check "the streams view says which rows of how many" wait_for "^streams 1-[0-9]* of 60 " 3
sleep 1
ids() { screen | awk '/▼/ { on = 1; next } on && $1 ~ /^[0-9]+$/ { print $1 } on && $1 == "▶" { print $2 }' | sort -n | tr '\n' ' '; }
before=$(ids)
check "each stream has a state" bash -c "tmux -L '$SOCK' capture-pane -p -t t | grep -q ' streaming '"
tm send-keys -t t NPage
check "one PgDn shows rows further down" wait_for "^streams \([2-9]\|[1-9][0-9]\)[0-9]*-[0-9]* of 60 " 2
after=$(ids)
check "and other requests ($before / $after)" test "$before" != "$after"
tm send-keys -t t Home Enter
check "Enter shows one request's details" wait_for "^  status 200" 2
check "with its URL" wait_for "^  http://127.0.0.1:[0-9]*/v1/chat/completions" 1
check "and the last bytes it sent (the sim's token text)" wait_for '^  last bytes: .*tok[0-9]' 1
# the wheel, as an xterm reports it (SGR): three down, one up
cursor_row() { screen | awk '/▼/ { on = 1; n = 0; next } on { n++ } on && $1 == "▶" { print n; exit }'; }
tm send-keys -t t Escape Home
for b in 65 65 65 64; do tm send-keys -t t -l $'\e[<'$b';10;10M'; done
sleep 0.5
is "$(cursor_row)" 3 "the mouse wheel moves the cursor: three rows down, one up"

# a server that queues: past its capacity a request is sent and waits for
# its first token; the streams view says so
start_sim --ttft 50ms --itl 20ms --tokens 100 --capacity 2 || exit 1
new_server
tm -f /dev/null new-session -d -s t -x 100 -y 30 \
	"cd '$T' && LANG=C.UTF-8 TERM=xterm-256color '$TTFTOP' run '$SIM_URL' -m sim -c 8 -d 30s -o q.jsonl; sleep 30"
check "the queued run begins" wait_for "clients 8" 10
tm send-keys -t t 4
sleep 1.5
s=$(screen)
is "$(grep -c ' waiting ' <<<"$s")" 6 "6 of 8 are waiting behind a capacity of 2"
is "$(grep -c ' connecting \| stalled ' <<<"$s")" 0 "none is called connecting or stalled"
tm send-keys -t t s End Enter	# by chunks, most first: the last has none
check "a queued one's details say it waits for its first token" \
	wait_for "waiting for its first token" 2
done_testing
