#!/usr/bin/env python3
"""A raw-socket server for tests/sh/stream_ends.sh: each request gets the
bytes of the case its path names (http://127.0.0.1:PORT/CASE/v1/...), written
as they are, so that it can answer what no real server library would send.
It writes its port to --port-file and exits after --lifetime seconds.
A case marked open keeps the connection open after its last byte (until the
client closes it or the lifetime ends): the body's end never comes.
"""
import argparse, json, os, socket, threading, time, zlib

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--lifetime", type=float, default=60)
ap.add_argument("--log", help="a line per request: the case, the client's port "
                "and the Accept-Encoding asked for")
args = ap.parse_args()

def sse(obj):
    return "data: " + json.dumps(obj) + "\n\n"

def chat(text):
    return sse({"choices": [{"index": 0, "delta": {"content": text}}]})

USAGE = sse({"choices": [], "usage": {"completion_tokens": 3, "prompt_tokens": 7}})
OPENAI = chat("a") + chat("b") + chat("c") + USAGE + "data: [DONE]\n\n"

def chunked(*parts, end=True):
    out = "".join("%x\r\n%s\r\n" % (len(p.encode()), p) for p in parts)
    return out + ("0\r\n\r\n" if end else "")

def head(status="HTTP/1.1 200 OK", extra=(), chunk=True):
    lines = [status, "Content-Type: text/event-stream"] + list(extra)
    if chunk:
        lines.append("Transfer-Encoding: chunked")
    return "\r\n".join(lines) + "\r\n\r\n"

def anthropic():
    ev = [("message_start", {"type": "message_start", "message": {"usage": {"input_tokens": 7, "output_tokens": 1}}})]
    for t in "abc":
        ev.append(("content_block_delta", {"type": "content_block_delta", "index": 0,
                                           "delta": {"type": "text_delta", "text": t}}))
    ev.append(("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                                 "usage": {"output_tokens": 3}}))
    ev.append(("message_stop", {"type": "message_stop"}))
    return "".join("event: %s\ndata: %s\n\n" % (n, json.dumps(d)) for n, d in ev)

def ollama():
    lines = [{"message": {"role": "assistant", "content": t}, "done": False} for t in "abc"]
    lines.append({"message": {"role": "assistant", "content": ""}, "done": True,
                  "eval_count": 3, "prompt_eval_count": 7})
    return "".join(json.dumps(l) + "\n" for l in lines)

def tgi():
    ev = [{"token": {"id": i, "text": t, "special": False}, "generated_text": None} for i, t in enumerate("abc")]
    ev[-1]["generated_text"] = "abc"
    ev[-1]["details"] = {"generated_tokens": 3, "finish_reason": "length"}
    return "".join(sse(e) for e in ev)

def gzip_chunks(text, wbits=31):
    # one compressed piece per event, flushed: what a proxy that
    # compresses a stream sends
    z = zlib.compressobj(6, zlib.DEFLATED, wbits)
    parts = [z.compress(e.encode() + b"\n\n") + z.flush(zlib.Z_SYNC_FLUSH)
             for e in text.split("\n\n") if e]
    parts.append(z.flush())
    out = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts if p)
    return out + b"0\r\n\r\n"

ERROR = ('event: error\ndata: {"error":{"message":"CUDA out of memory","type":"InternalServerError","code":500}}\n\n'
         "data: [DONE]\n\n")
ERROR_FLAT = 'event: error\ndata: {"object":"error","message":"the engine died","type":"InternalServerError"}\n\n' \
             "data: [DONE]\n\n"
ERROR_TEXT = chat("a") + "event: error\ndata: worker lost\n\n" + "data: [DONE]\n\n"

BIG = "X-Big: " + "b" * (100 * 1024)
MANY = ["X-H%d: v" % i for i in range(10000)]
TINY = ["a:%d" % (i % 10) for i in range(6000)]  # 30 KB: fewer bytes than the limit

NOT_FOUND = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"

CASES = {
    # (bytes, keep the connection open after them)
    "error-event": (head() + chunked(ERROR), False),
    "error-flat": (head() + chunked(ERROR_FLAT), False),
    "error-text": (head() + chunked(ERROR_TEXT), False),
    "open-chunked": (head() + chunked(OPENAI, end=False), True),
    "open-length": (head(extra=["Content-Length: %d" % (len(OPENAI) + 100)], chunk=False) + OPENAI, True),
    "open-close": (head(extra=["Connection: close"], chunk=False) + OPENAI, True),
    "closed-early": (head() + chunked(OPENAI, end=False), False),
    # the last chunk 30 ms after [DONE]: the connection is kept
    "late-end": ([head() + chunked(OPENAI, end=False), 0.03, "0\r\n\r\n"], False),
    "anthropic-open": (head() + chunked(anthropic(), end=False), True),
    "ollama-open": (head(extra=[]).replace("text/event-stream", "application/x-ndjson")
                    + chunked(ollama(), end=False), True),
    "tgi-open": (head() + chunked(tgi(), end=False), True),
    "gzip": (head(extra=["Content-Encoding: gzip"]).encode() + gzip_chunks(OPENAI), False),
    "deflate": (head(extra=["Content-Encoding: deflate"]).encode() + gzip_chunks(OPENAI, 15), False),
    "gzip-bad": (head(extra=["Content-Encoding: gzip"]) + chunked(OPENAI), False),
    "br": (head(extra=["Content-Encoding: br"]) + chunked(OPENAI), False),
    "cl-dup": (head(extra=["Content-Length: %d" % len(OPENAI)] * 2, chunk=False) + OPENAI, False),
    "cl-conflict": (head(extra=["Content-Length: %d" % len(OPENAI), "Content-Length: 5"], chunk=False)
                    + OPENAI, False),
    "cl-overflow": (head(extra=["Content-Length: 99999999999999999999999"], chunk=False) + OPENAI, False),
    "head-100k": (head(extra=[BIG]) + chunked(OPENAI), False),
    "head-10000": (head(extra=MANY) + chunked(OPENAI), False),
    "head-6000-tiny": (head(extra=TINY) + chunked(OPENAI), False),
    "head-60k": (head(extra=["X-Big: " + "b" * (60 * 1024)]) + chunked(OPENAI), False),
    "head-70k": (head(extra=["X-Big: " + "b" * (70 * 1024)]) + chunked(OPENAI), False),
    "status-2000": (head(status="HTTP/1.1 2000 OK") + chunked(OPENAI), False),
}

def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        got = conn.recv(65536)
        if not got:
            return None
        data += got
    head_bytes, _, body = data.partition(b"\r\n\r\n")
    length, coding = 0, "-"
    for line in head_bytes.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        if name.strip().lower() == b"accept-encoding":
            coding = value.strip().decode()
    while len(body) < length:
        got = conn.recv(65536)
        if not got:
            break
        body += got
    return head_bytes.split(b"\r\n")[0].decode(), coding

def send(conn, data):
    # bytes, text, or a list of them with pauses (seconds) between
    for piece in data if isinstance(data, list) else [data]:
        if isinstance(piece, float):
            time.sleep(piece)
        else:
            conn.sendall(piece if isinstance(piece, bytes) else piece.encode())

def serve(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        while True:
            req = read_request(conn)
            if req is None:
                return
            name = req[0].split(" ")[1].split("/")[1]
            if args.log:
                with open(args.log, "a") as log:
                    log.write("%s %d %s\n" % (name, conn.getpeername()[1], req[1]))
            data, keep_open = CASES.get(name, (NOT_FOUND, False))
            send(conn, data)
            if keep_open:
                # until the client gives up, within the lifetime
                while conn.recv(65536):
                    pass
                return
    except OSError:
        pass
    finally:
        conn.close()

deadline = time.monotonic() + args.lifetime
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0))
ls.listen(64)
with open(args.port_file + ".tmp", "w") as f:
    f.write("%d\n" % ls.getsockname()[1])
os.rename(args.port_file + ".tmp", args.port_file)
while True:
    left = deadline - time.monotonic()
    if left <= 0:
        break
    ls.settimeout(left)
    try:
        conn, _ = ls.accept()
    except socket.timeout:
        break
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
