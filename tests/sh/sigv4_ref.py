"""SigV4 against a reference ttftop does not share: botocore's signer.

serve PORTFILE LOG: a local server that writes each request it gets
(method, raw target, headers, body) as a JSON line to LOG and answers 400.
check LOG SERVICE REGION: re-signs every logged request with botocore's
SigV4Auth (same credentials from the environment, same time, the headers
ttftop signed) and prints one JSON line a request: both signatures and
botocore's canonical request.
"""
import base64, json, os, sys
from http.server import BaseHTTPRequestHandler, HTTPServer


def serve(portfile, log):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            with open(log, "a") as f:
                f.write(json.dumps({"method": "POST", "target": self.path,
                                    "headers": [[k, v] for k, v in self.headers.items()],
                                    "body": base64.b64encode(body).decode()}) + "\n")
            msg = b'{"message":"captured"}'
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)

        def log_message(self, *a):
            pass

    srv = HTTPServer(("127.0.0.1", 0), H)
    with open(portfile, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    srv.serve_forever()


def check(log, service, region):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    creds = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                        os.environ.get("AWS_SESSION_TOKEN") or None)
    for line in open(log):
        r = json.loads(line)
        hdrs = {k.lower(): v for k, v in r["headers"]}
        auth = hdrs["authorization"]
        fields = dict(p.strip().split("=", 1) for p in auth.split(" ", 1)[1].split(","))
        signed = fields["SignedHeaders"].split(";")
        req = AWSRequest(method=r["method"], url="http://%s%s" % (hdrs["host"], r["target"]),
                         data=base64.b64decode(r["body"]),
                         headers={h: hdrs[h] for h in signed if h in hdrs})
        req.context["timestamp"] = hdrs["x-amz-date"]
        signer = SigV4Auth(creds, service, region)
        canonical = signer.canonical_request(req)
        sig = signer.signature(signer.string_to_sign(req, canonical), req)
        print(json.dumps({"target": r["target"], "signed": fields["SignedHeaders"],
                          "ttftop": fields["Signature"], "botocore": sig,
                          "canonical_uri": canonical.split("\n")[1]}))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    else:
        check(sys.argv[2], sys.argv[3], sys.argv[4])
