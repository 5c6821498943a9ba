#!/usr/bin/env python3
"""A small HTTP server for the transport tests, doing on purpose what
`ttftop sim` never does. It prints its URL, logs each request's headers as a
JSON line (its JSON body too, as "body"), and answers OpenAI-style streams of N tokens.

  --mode keep         HTTP/1.1 with Content-Length, connections kept
  --mode drop-second  HTTP/1.1 with Content-Length; on every connection the
                      second request is read and the connection closed
                      unanswered (a server that timed out the idle connection)
  --mode http10       HTTP/1.0, the stream ends when the server closes
"""
import argparse, json, socket, socketserver, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--mode", required=True, choices=["keep", "drop-second", "http10"])
ap.add_argument("--log", required=True)
ap.add_argument("--tokens", type=int, default=5)
ap.add_argument("--ttft", type=float, default=0.05)
ap.add_argument("--itl", type=float, default=0.01)
args = ap.parse_args()

def event(text):
    return ("data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": text}}]})
            + "\n\n").encode()

def read_request(f):
    line = f.readline()
    if not line:
        return None
    headers, length = [], 0
    while True:
        h = f.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        name, _, value = h.decode().partition(":")
        headers.append([name, value.strip()])
        if name.lower() == "content-length":
            length = int(value)
    body = f.read(length)
    try:
        parsed = json.loads(body)
        complete = True
    except ValueError:
        parsed, complete = None, False
    return {"line": line.decode().strip(), "headers": headers, "json_body": complete,
            "body": parsed}

class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        served = 0
        while True:
            req = read_request(self.rfile)
            if req is None:
                return
            req["peer"] = self.client_address[1]
            with open(args.log, "a") as log:
                log.write(json.dumps(req) + "\n")
            served += 1
            if args.mode == "drop-second" and served == 2:
                return
            if args.mode == "http10":
                self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\n")
                self.wfile.flush()
                time.sleep(args.ttft)
                for i in range(args.tokens):
                    if i:
                        time.sleep(args.itl)
                    self.wfile.write(event("t%d " % i))
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                return
            body = b"".join(event("t%d " % i) for i in range(args.tokens)) + b"data: [DONE]\n\n"
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.wfile.flush()

class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

with Server(("127.0.0.1", 0), Handler) as srv:
    print("http://127.0.0.1:%d" % srv.server_address[1], flush=True)
    srv.serve_forever()
