# Helpers of the tests that drive ttftop in a real terminal (tmux), after lib.sh.

# a fresh tmux server for each start: a server still dying could swallow
# the next new-session on the same socket
SOCK="" SOCKS="" nsock=0
new_server() {
	[ -n "$SOCK" ] && tm kill-server 2>/dev/null
	nsock=$((nsock + 1))
	SOCK="ttftop-test-$$-$nsock"
	SOCKS="$SOCKS $SOCK"
}
tm() { tmux -L "$SOCK" "$@"; }
screen() { tm capture-pane -p -t t; }
cleanup_tmux() {
	for s in $SOCKS; do tmux -L "$s" kill-server 2>/dev/null; done
	cleanup
}
trap cleanup_tmux EXIT

exec 4>&1	# the TAP stream, for diagnostics from inside checks
# wait_for PATTERN [SECONDS]: until the screen shows it
wait_for() {
	local i
	for i in $(seq $((${2:-10} * 10))); do
		screen | grep -q -- "$1" && return 0
		sleep 0.1
	done
	# what was on screen instead goes to the log, as TAP comments
	screen 2>&1 | sed 's/^/#   | /' >&4
	return 1
}
