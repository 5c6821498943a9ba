#!/bin/bash
# Bodies and headers are checked before any request: a body that is not one
# JSON object, or a header with a line break, is refused with exit 2 naming
# where it goes wrong, and nothing is sent or written.
. "$TESTS_DIR/sh/lib.sh"
plan 14

start_sim --ttft 5ms --itl 1ms --tokens 2 || exit 1

run_ttftop run -n 1 -m sim --body '{"ignore_eos": true}}' -o "$T/b1.jsonl" "$SIM_URL"
is "$STATUS" 2 "--body with a trailing brace: exit 2"
check "the message names --body and the character" grep -q -- '--body: not JSON at character 21' "$T/err"
check "and no file was written" test ! -e "$T/b1.jsonl"

run_ttftop run -n 1 -m sim --body '[1, 2]' -o "$T/b2.jsonl" "$SIM_URL"
is "$STATUS" 2 "--body that is an array: exit 2"

run_ttftop run -n 1 -m sim --body '{"api_key": "sk-body-9d2c"' -o "$T/b3.jsonl" "$SIM_URL"
check "an unclosed --body is refused without echoing it" \
	bash -c "[ $STATUS = 2 ] && ! grep -q sk-body-9d2c '$T/err'"

printf '{"model": "{{model}}",\n "prompt": "{{prompt}}",\n "max_tokens": {{max_tokens}}}}\n' >"$T/extra.json"
run_ttftop run -n 1 -m sim -a custom --token-path choices.0.text --body-file "$T/extra.json" \
	-o "$T/b4.jsonl" "$SIM_URL/v1/completions"
is "$STATUS" 2 "a template with a trailing brace: exit 2"
check "named FILE:LINE:COLUMN" grep -q -- "--body-file: $T/extra.json:3:31:" "$T/err"

printf '{"prompt": {{prompt}}}\n' >"$T/unquoted.json"
run_ttftop run -n 1 -m sim -a custom --token-path choices.0.text --body-file "$T/unquoted.json" \
	-o "$T/b5.jsonl" "$SIM_URL/v1/completions"
check "a template with {{prompt}} out of quotes: exit 2 at its column" \
	bash -c "[ $STATUS = 2 ] && grep -q -- 'unquoted.json:1:12:' '$T/err'"

printf '{"model": "{{model}}", "prompt": "{{prompt}}", "max_tokens": {{max_tokens}}, "stream": true}\n' >"$T/good.json"
run_ttftop run -n 1 -m sim -a openai-completions --body-file "$T/good.json" --max-tokens 2 \
	-o "$T/b6.jsonl" "$SIM_URL"
is "$STATUS" 0 "a good template still runs"
check "and every line of its file is JSON" jq -e . "$T/b6.jsonl"

for t in curl direct; do
	run_ttftop run -n 1 -m sim --transport $t -H $'X-A: b\r\nX-Injected: 1' -o "$T/h-$t.jsonl" "$SIM_URL"
	check "-H with CR LF ($t): exit 2, nothing written" \
		bash -c "[ $STATUS = 2 ] && grep -q 'header 1 holds a line break' '$T/err' && [ ! -e '$T/h-$t.jsonl' ]"
done
run_ttftop run -n 1 -m sim -H 'sk-hdr-55aa' -o "$T/h3.jsonl" "$SIM_URL"
check "-H without a name: exit 2, the value not echoed" \
	bash -c "[ $STATUS = 2 ] && ! grep -q sk-hdr-55aa '$T/err'"
run_ttftop run -n 1 -m sim -o "$T/u.jsonl" "$SIM_URL"$'\r\nX: 1'
check "a URL with CR LF: exit 2" bash -c "[ $STATUS = 2 ] && grep -q 'malformed URL' '$T/err'"
done_testing
