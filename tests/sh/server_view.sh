#!/bin/bash
# View 6, server: every gauge the server publishes, charted on the time
# axis of the other views, live and the same in replay; without server
# metrics it says how to get them.
. "$TESTS_DIR/sh/lib.sh"
. "$TESTS_DIR/sh/tmux.sh"
plan 9

start_sim --capacity 4 --ttft 50ms --itl 10ms --tokens 100 || exit 1
new_server
tm -f /dev/null new-session -d -s t -x 120 -y 35 \
	"cd '$T' && LANG=C.UTF-8 TERM=xterm-256color '$TTFTOP' run '$SIM_URL' -m sim -c 4,8 -d 3s -o v.jsonl; sleep 60"
check "the run starts" wait_for "stage 1/2" 10
tm send-keys -t t 6
check "6: the server view" wait_for "^server  window 60s" 2
check "8 clients on capacity 4: 4 running and 4 waiting" \
	wait_for "^waiting         4 " 10
check "the run ends" wait_for "DONE" 15
sleep 0.5
screen >"$T/live.txt"
# a chart's rows: from its name's row to the next gauge's
rows=$(awk 'index($0, "running ") == 1 { on = 1 } index($0, "waiting ") == 1 { on = 0 } on' "$T/live.txt")
check "running is charted to its top (5), full columns while the load ran" \
	bash -c "head -1 <<<'$rows' | grep -q ' 5 ┤' && [ \$(grep -c '█' <<<'$rows') -ge 3 ]"
check "KV cache, preemptions/s and generated tokens/s each have a chart, on the one time axis" \
	bash -c "grep -q '^KV cache  .*┤' '$T/live.txt' && grep -q '^preemptions/s  .*┤' '$T/live.txt' &&
	grep -q '^gen tok/s  .*┤' '$T/live.txt' && grep -Eq '^ +-60s +-30s +now$' '$T/live.txt' &&
	[ \$(grep -c '└' '$T/live.txt') = 1 ]"
tm send-keys -t t q

# the replay, at its end, shows the very same view
new_server
tm -f /dev/null new-session -d -s t -x 120 -y 35 \
	"cd '$T' && LANG=C.UTF-8 TERM=xterm-256color '$TTFTOP' replay v.jsonl; sleep 60"
check "the replay starts" wait_for "REPLAY" 5
tm send-keys -t t 6 End
sleep 1.5
screen >"$T/replay.txt"
same "replay: the same server view as live, chart for chart" \
	<(sed -n '2,33p' "$T/live.txt") <(sed -n '2,33p' "$T/replay.txt")

# none scraped: the view says how to get them
new_server
tm -f /dev/null new-session -d -s t -x 120 -y 35 \
	"cd '$T' && LANG=C.UTF-8 TERM=xterm-256color '$TTFTOP' run '$SIM_URL' -m sim -c 1 -d 2s --server-metrics none -o none.jsonl; sleep 60"
wait_for "stage 1/1" 10 >/dev/null
tm send-keys -t t 6
check "--server-metrics none: no server metrics (set --server-metrics URL)" \
	wait_for "^no server metrics (set --server-metrics URL)" 3
tm send-keys -t t q
done_testing
