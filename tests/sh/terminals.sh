#!/bin/bash
# Terminals and descriptors: a TERM curses cannot drive falls back to
# headless with one line saying why; closed descriptors 0-2 never become the
# JSONL; a summary that cannot be written is an error; a signal before the
# loop runs still ends the run with a whole file.
. "$TESTS_DIR/sh/lib.sh"
plan 13

start_sim --ttft 5ms --itl 1ms --tokens 3 || exit 1

if command -v tmux >/dev/null; then
	SOCK="ttftop-terms-$$"
	for term in unset "" dumb no-such-terminal; do
		rm -f "$T/t.jsonl" "$T/t.err" "$T/t.done"
		if [ "$term" = unset ]; then setterm="unset TERM"; else setterm="export TERM='$term'"; fi
		tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 100 -y 30 \
			"$setterm; '$TTFTOP' run -m sim -n 3 -o '$T/t.jsonl' '$SIM_URL' 2>'$T/t.err'; echo \$? >'$T/t.done'; sleep 5"
		for i in $(seq 100); do [ -s "$T/t.done" ] && break; sleep 0.1; done
		tmux -L "$SOCK" kill-server 2>/dev/null
		check "TERM=$term: headless, exit 0, 3 requests saved, one line says why" bash -c "
			[ \"\$(cat '$T/t.done')\" = 0 ] &&
			[ \$(grep -c '\"type\":\"request\"' '$T/t.jsonl') = 3 ] &&
			[ \$(grep -c 'no screen, headless instead' '$T/t.err') = 1 ]"
		sed 's/^/#   /' "$T/t.err"
	done
else
	for term in unset "" dumb no-such-terminal; do skip "TERM=$term" "no tmux"; done
fi

"$TTFTOP" run -m sim -n 2 --headless -o "$T/e.jsonl" "$SIM_URL" >/dev/null 2>&-
is "$?" 0 "with stderr closed: exit 0"
check "and the JSONL holds no progress line: every line is JSON" jq -e . "$T/e.jsonl"
check "and its first record is the run's" test "$(head -n 1 "$T/e.jsonl" | jq -r .type)" = run

"$TTFTOP" run -m sim -n 2 --headless -o "$T/f.jsonl" "$SIM_URL" >/dev/full 2>"$T/f.err"
is "$?" 1 "the summary to /dev/full: exit 1"
check "with a message" grep -q 'writing the summary to stdout failed: No space left on device' "$T/f.err"
"$TTFTOP" run -m sim -n 2 --headless -o "$T/g.jsonl" "$SIM_URL" >&- 2>"$T/g.err"
check "the summary to a closed stdout: exit 1, with a message" \
	bash -c "[ $? = 1 ] && grep -q 'writing the summary to stdout failed' '$T/g.err'"
"$TTFTOP" report "$T/e.jsonl" >/dev/full 2>"$T/r.err"
check "report to /dev/full: exit 1, with a message" \
	bash -c "[ $? = 1 ] && grep -q 'writing to stdout failed' '$T/r.err'"

# a server that answers after 1.5 s: the model listing keeps the run from its
# loop while a SIGTERM comes
python3 -c '
import socket, sys, threading, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print("http://127.0.0.1:%d/v1" % s.getsockname()[1], flush=True)
def serve(c):
    time.sleep(1.5)
    try:
        c.recv(65536)
        c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno")
    except OSError:
        pass
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
' >"$T/slow.url" &
SIM_PIDS="$SIM_PIDS $!"
for i in $(seq 100); do SLOW=$(head -n 1 "$T/slow.url"); case "$SLOW" in http://*) break ;; esac; sleep 0.05; done
"$TTFTOP" run -n 1 --headless -o "$T/early.jsonl" "$SLOW" >/dev/null 2>"$T/early.err" &
pid=$!
sleep 0.5
kill -TERM $pid
timeout 20 tail --pid=$pid -f /dev/null
wait $pid
check "a SIGTERM before the loop runs: the run still ends, not killed (exit $?)" test -s "$T/early.jsonl"
check "and its file is whole, ending with the end record of reason signal" \
	bash -c "jq -e . '$T/early.jsonl' >/dev/null && [ \"\$(tail -n 1 '$T/early.jsonl' | jq -r .reason)\" = signal ]"
done_testing
