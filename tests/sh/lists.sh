#!/bin/bash
# The streams and log views are lists that scroll: which rows of how many,
# PgDn shows others, Enter one request's details, each with its state.
. "$TESTS_DIR/sh/lib.sh"
. "$TESTS_DIR/sh/tmux.sh"
plan 7

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
tm send-keys -t t NPage NPage
check "PgDn shows rows further down" wait_for "^streams \([2-9]\|[1-9][0-9]\)[0-9]*-[0-9]* of 60 " 2
after=$(ids)
check "and other requests ($before / $after)" test "$before" != "$after"
tm send-keys -t t Enter
check "Enter shows one request's details" wait_for "^  status 200" 2
check "with its URL" wait_for "^  http://127.0.0.1:[0-9]*/v1/chat/completions" 1
done_testing
