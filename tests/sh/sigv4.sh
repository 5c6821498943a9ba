#!/bin/bash
# Bedrock and SageMaker requests are signed as AWS computes SigV4: checked
# against botocore's signer (Debian's python3-botocore), which ttftop does
# not share, for model ids with ':', inference profiles, ARNs, endpoint
# names with '-' and '.', with and without a session token, over both
# transports. Then the sim, which verifies as AWS does, refuses a signature
# over the path as sent (the old, single-encoded canonical URI).
. "$TESTS_DIR/sh/lib.sh"
plan 25

REF=$TESTS_DIR/sh/sigv4_ref.py
PY=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import botocore' 2>/dev/null; then PY=$p; break; fi
done
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN

if [ -z "$PY" ]; then
	for i in $(seq 25); do skip "SigV4 against botocore" "python3-botocore is not installed"; done
	exit 0
fi
"$PY" "$REF" serve "$T/port" "$T/captured.jsonl" 2>"$T/serve.err" &
SIM_PIDS="$SIM_PIDS $!"
for i in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
URL=http://127.0.0.1:$(cat "$T/port")

# sign API MODEL TRANSPORT [TOKEN]: one request captured, re-signed by botocore
sign() {
	local api=$1 model=$2 transport=$3 token=${4:-} service=bedrock
	[ "$api" = sagemaker ] && service=sagemaker
	: >"$T/captured.jsonl"
	AWS_SESSION_TOKEN=$token run_ttftop run --headless -a "$api" -m "$model" -n 1 \
		--transport "$transport" -o "$T/run.jsonl" "$URL"
	AWS_SESSION_TOKEN=$token "$PY" "$REF" check "$T/captured.jsonl" "$service" "$AWS_REGION" >"$T/ref.json" 2>"$T/ref.err"
	local got
	got=$(jq -r 'if .ttftop == .botocore then "same" else "ttftop \(.ttftop) botocore \(.botocore)" end' "$T/ref.json")
	is "$got" same "$api -m $model ($transport${token:+, session token}): botocore's signature ($(jq -r '.canonical_uri' "$T/ref.json"))"
}

for t in curl direct; do
	sign bedrock anthropic.claude-3-5-sonnet-20240620-v1:0 $t
	sign bedrock us.anthropic.claude-3-5-sonnet-20240620-v1:0 $t
	sign bedrock arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0 $t
	sign bedrock amazon.nova-lite-v1:0 $t session-token-AQoDYXdzEJr
	sign bedrock-invoke anthropic.claude-3-haiku-20240307-v1:0 $t
	sign bedrock-invoke meta.llama3-8b-instruct-v1:0 $t session-token-AQoDYXdzEJr
	sign sagemaker my-endpoint.v2-prod $t
	sign sagemaker llama-3-1-8b.prod $t session-token-AQoDYXdzEJr
done
# what was captured: the wire path encodes the id once, the canonical URI twice
sign bedrock anthropic.claude-3-5-sonnet-20240620-v1:0 direct
line=$(head -1 "$T/captured.jsonl")
is "$(jq -r '.target' "$T/ref.json")" "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream" \
	"the wire path encodes ':' once, as %3A"
is "$(jq -r '.canonical_uri' "$T/ref.json")" "/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse-stream" \
	"the canonical URI encodes it again (every service but S3)"
is "$(jq -r '.signed' "$T/ref.json")" "content-type;host;x-amz-date" "signed: content-type, host, x-amz-date"
sign bedrock m $t session-token-AQoDYXdzEJr
is "$(jq -r '.signed' "$T/ref.json")" "content-type;host;x-amz-date;x-amz-security-token" \
	"with a session token, x-amz-security-token is signed too"
is "$(jq -r 'select(.type == "request") | .error.detail' "$T/run.jsonl")" "captured" \
	"the capture server's 400 is recorded with its message"
# the sim refuses a signature over the single-encoded path (the old one)
start_sim --ttft 5ms --itl 1ms --tokens 3 --aws-secret "$AWS_SECRET_ACCESS_KEY" || exit 1
old=$("$PY" - "$line" "${SIM_URL%/v1}" <<'PY'
import base64, hashlib, hmac, json, sys, urllib.request
r = json.loads(sys.argv[1]); base = sys.argv[2]
h = {k.lower(): v for k, v in r["headers"]}
host = base.split("//", 1)[1]
body = base64.b64decode(r["body"]); amz = h["x-amz-date"]; day = amz[:8]
# the old, wrong canonical URI: the path exactly as sent
canon = "\n".join(["POST", r["target"], "", "content-type:%s" % h["content-type"], "host:%s" % host,
                   "x-amz-date:%s" % amz, "", "content-type;host;x-amz-date", hashlib.sha256(body).hexdigest()])
scope = "%s/us-east-1/bedrock/aws4_request" % day
sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(canon.encode()).hexdigest()])
k = ("AWS4" + "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").encode()
for part in (day, "us-east-1", "bedrock", "aws4_request"):
    k = hmac.new(k, part.encode(), hashlib.sha256).digest()
sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
req = urllib.request.Request(base + r["target"], data=body, method="POST", headers={
    "Content-Type": h["content-type"], "X-Amz-Date": amz,
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/%s, SignedHeaders=content-type;host;x-amz-date, Signature=%s" % (scope, sig)})
try:
    print(urllib.request.urlopen(req, timeout=5).status)
except urllib.error.HTTPError as e:
    print(e.code)
PY
)
is "$old" 403 "the sim answers 403 to a signature over the path as sent"
run_ttftop run --headless -a bedrock -m anthropic.claude-3-5-sonnet-20240620-v1:0 -n 2 -o "$T/sim.jsonl" "${SIM_URL%/v1}"
is "$STATUS:$(jq -s -c '[.[] | select(.type == "request") | .status] | unique' "$T/sim.jsonl")" "0:[200]" \
	"and accepts ttftop's (-m with ':', 2 requests)"

done_testing
