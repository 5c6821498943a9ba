#!/usr/bin/env python3
"""A small server that answers like vLLM's OpenAI server, for the tests of
a misconfigured or failing run. It prints its URL, and logs each request
(time, path, model) as a JSON line.

  GET /v1/models       three models, the first MODEL
  POST /v1/chat/completions
      no "model"       400, vLLM's validation error
      unknown model    404 "The model `x` does not exist."
      --retry-after S  every request: 429 with Retry-After: S
      else             a stream of --tokens tokens
"""
import argparse, json, socketserver, time
from http.server import BaseHTTPRequestHandler

MODEL = "meta-llama/Llama-3.1-8B-Instruct"
MODELS = [MODEL, "lora-a", "lora-b"]

ap = argparse.ArgumentParser()
ap.add_argument("--log", required=True)
ap.add_argument("--tokens", type=int, default=4)
ap.add_argument("--retry-after", type=int, default=0)
args = ap.parse_args()


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, obj, extra=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, kind, msg, extra=()):
        self.answer(status, {"object": "error", "message": msg, "type": kind,
                             "param": None, "code": status}, extra)

    def do_GET(self):
        if self.path == "/v1/models":
            self.answer(200, {"object": "list", "data": [
                {"id": m, "object": "model", "owned_by": "vllm"} for m in MODELS]})
        else:
            self.error(404, "NotFoundError", "Not Found")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        req = json.loads(self.rfile.read(n) or b"{}")
        model = req.get("model")
        with open(args.log, "a") as f:
            f.write(json.dumps({"t": time.monotonic(), "path": self.path,
                                "model": model}) + "\n")
        if args.retry_after:
            return self.error(429, "RateLimitError", "too many requests",
                              [("Retry-After", str(args.retry_after))])
        if model is None:
            return self.error(400, "BadRequestError",
                              "[{'type': 'missing', 'loc': ('body', 'model'), "
                              "'msg': 'Field required'}]")
        if model not in MODELS:
            return self.error(404, "NotFoundError",
                              "The model `%s` does not exist." % model)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(args.tokens):
            ev = "data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": "t%d " % i}}]}) + "\n\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(ev), ev.encode()))
            self.wfile.flush()
            time.sleep(0.005)
        done = b"data: [DONE]\n\n"
        self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(done), done))


class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = S(("127.0.0.1", 0), H)
print("http://127.0.0.1:%d/v1" % srv.server_address[1], flush=True)
srv.serve_forever()
