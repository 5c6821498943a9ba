#!/bin/bash
# At 80x24 the header keeps the model (a long name loses its organisation)
# and the URL's whole port, and the footer's parts stay apart; after the
# screen the summary fits 100 columns even with a long URL and two kinds of
# error, each named with what the server said, then where the JSONL went.
# A failed preflight says why on the screen, not only after it.
. "$TESTS_DIR/sh/lib.sh"
. "$TESTS_DIR/sh/tmux.sh"
plan 12

start_sim --ttft 60ms --itl 10ms --tokens 40 --jitter 0.5 --fail-rate 0.3 --fail http500 || exit 1
port=${SIM_URL##*:}; port=${port%%/*}
# a long URL, as Azure's are (the sim routes by the path, the query aside)
url="${SIM_URL}/chat/completions?api-version=2024-10-21-preview&deployment=gpt4o-prod-eastus2"
new_server
tm -f /dev/null new-session -d -s t -x 80 -y 24 \
	"cd '$T' && LANG=C.UTF-8 TERM=xterm-256color '$TTFTOP' run '$url' -m meta-llama/Llama-3.1-70B-Instruct -c 2 -d 4s --timeout 450ms -o n.jsonl; echo \$? > '$T/status'; sleep 30"
check "the run begins" wait_for "RUNNING" 10
sleep 1
head=$(screen | head -1)
echo "# header: $head"
check "80x24: the header keeps the whole port (:$port)" grep -q ":$port " <<<"$head"
check "and the model, without its organisation" grep -q "model=Llama-3.1-70B-Instruct " <<<"$head"
gen=$(screen | grep '^gen: ')
echo "# footer: $gen"
check "the generator's figures and the file's name stay apart" \
	grep -Eq 'draw [0-9.]+ms( {2,}writing .*|)$' <<<"$gen"
check "the run ends by itself" wait_for "DONE" 10
tm send-keys -t t q
for i in $(seq 100); do [ -s "$T/status" ] && break; sleep 0.1; done
tm capture-pane -p -J -S - -t t | sed -n '/^ttftop: openai/,$p' | sed '/^$/N;/^\n$/D' > "$T/sum.txt"
sed 's/^/#   /' "$T/sum.txt"
check "every line of the summary fits 100 columns (widest $(awk '{ print length }' "$T/sum.txt" | sort -n | tail -1))" \
	awk 'length > 100 { exit 1 }' "$T/sum.txt"
check "the URL is cut in its middle, its port kept" grep -q "^ttftop: openai-chat http://127.0.0.1:$port/.*\.\.\..* model=meta-llama/Llama-3.1-70B-Instruct$" "$T/sum.txt"
check "the error kinds, with the server's message" \
	grep -Eq '^  http +[0-9]+  HTTP 500: simulated internal error$' "$T/sum.txt"
check "and the timeouts beside them" grep -Eq '^  timeout +[0-9]+ ' "$T/sum.txt"
check "it names the JSONL" grep -q '^saved: n.jsonl$' "$T/sum.txt"
check "and the command that makes its html" grep -q '^html: ttftop report -f html -o report.html n.jsonl$' "$T/sum.txt"

start_sim --fail http500 || exit 1
new_server
tm -f /dev/null new-session -d -s t -x 80 -y 24 \
	"cd '$T' && LANG=C.UTF-8 TERM=xterm-256color PREFLIGHT=1 '$TTFTOP' run '$SIM_URL' -m sim -c 2 -d 4s -o pf.jsonl; sleep 30"
says_why() { wait_for "^preflight failed: HTTP 500 " 10 && screen | grep -q "simulated internal error  q quit$"; }
check "a failed preflight: the screen says why, the server's words too" says_why
done_testing
