#!/bin/bash
# --price: dollars per 1M output tokens, per request and per hour, per
# stage, from an API's per-token prices or an instance's hour; the
# arithmetic checked against jq over the requests in the file.
. "$TESTS_DIR/sh/lib.sh"
plan 10

start_sim --ttft 20ms --itl 5ms --tokens 20 || exit 1
run_ttftop run --headless -m sim -c 2,4 -d 2s --input-tokens 100 --price in:0.5,out:1.5 \
	-o "$T/p.jsonl" "$SIM_URL"
is "$STATUS" 0 "a priced run"
check "the summary has a cost table" grep -q '^| stage | \$ per 1M output tokens | \$ per request | \$ per hour |$' "$T/out"
"$TTFTOP" report -f json "$T/p.jsonl" >"$T/p.json"
# what jq makes of the requests of each stage: billed tokens, successes
jq -s -c '[.[] | select(.type == "request" and .error == null and (.preflight | not))] | group_by(.stage) |
	map({in: (map(.input_tokens) | add), out: (map(.output_tokens) | add), n: length})' "$T/p.jsonl" >"$T/want"
check "per token: \$ per request and per 1M output tokens are jq's ($(jq -c '[.stages[].cost.per_request]' "$T/p.json"))" python3 -c '
import json, sys
js = json.load(open(sys.argv[1]))["stages"]
want = json.load(open(sys.argv[2]))
for st, w in zip(js, want):
    dollars = (w["in"] * 0.5 + w["out"] * 1.5) / 1e6
    for got, exp in ((st["cost"]["per_request"], dollars / w["n"]),
                     (st["cost"]["per_mtok_out"], dollars / w["out"] * 1e6)):
        if abs(got - exp) > 1e-5 * exp:  # json keeps 6 digits
            sys.exit("stage %d: %g, want %g" % (st["stage"], got, exp))' "$T/p.json" "$T/want"
check "and per hour, those dollars over the stage's span" python3 -c '
import json, sys
js = json.load(open(sys.argv[1]))["stages"]
want = json.load(open(sys.argv[2]))
for st, w in zip(js, want):
    exp = (w["in"] * 0.5 + w["out"] * 1.5) / 1e6 / (st["end_s"] - st["start_s"]) * 3600
    if abs(st["cost"]["per_hour"] - exp) > 1e-5 * exp:
        sys.exit("stage %d: %g, want %g" % (st["stage"], st["cost"]["per_hour"], exp))' "$T/p.json" "$T/want"
is "$(head -1 "$T/p.jsonl" | jq -r .config.price)" "in:0.5,out:1.5" "the price is kept in the run's config"

"$TTFTOP" report -f json --price hour:4,replicas:2 "$T/p.jsonl" >"$T/h.json"
check "an instance's hour (report --price): \$8 an hour, over the stage's tok/s and req/s ($(jq -c '[.stages[].cost.per_mtok_out]' "$T/h.json"))" python3 -c '
import json, sys
for st in json.load(open(sys.argv[1]))["stages"]:
    c = st["cost"]
    if not (c["per_hour"] == 8 and abs(c["per_mtok_out"] - 8 / (st["tok_s"] * 3600) * 1e6) < 1e-3 * c["per_mtok_out"]
            and abs(c["per_request"] - 8 / 3600 / st["req_s"]) < 1e-3 * c["per_request"]):
        sys.exit("stage %d: %r" % (st["stage"], c))' "$T/h.json"
"$TTFTOP" report -f csv "$T/p.jsonl" >"$T/p.csv"
check "csv: the cost columns, as json" python3 -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
js = json.load(open(sys.argv[2]))["stages"]
sys.exit(not all(abs(float(r["cost_per_request"]) - j["cost"]["per_request"]) < 1e-6 for r, j in zip(rows, js)))' "$T/p.csv" "$T/p.json"
"$TTFTOP" report -f html --price hour:4 -o "$T/p.html" "$T/p.jsonl"
check "html: cost against the load, the cheapest point ringed (the busier stage)" \
	bash -c "grep -q 'data-chart=\"cost-vs-load\" data-points=\"2\"' '$T/p.html' && grep -q 'class=\"cheapest\"' '$T/p.html'"
run_ttftop run --headless -m sim -c 1 -n 1 --price in:abc "$SIM_URL"
is "$STATUS:$(cat "$T/err")" "2:ttftop run: --price: in: 'abc' is not a number of dollars" "a price that is not a number: exit 2"
"$TTFTOP" report --price hour:4,out:1 "$T/p.jsonl" >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "2:ttftop report: --price: give in:\$,out:\$ (per 1M tokens) or hour:\$[,replicas:N], one of them" \
	"both kinds of price at once: exit 2"
done_testing
