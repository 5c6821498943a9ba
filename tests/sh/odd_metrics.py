# A /metrics endpoint that is odd in every way a real one can be, for
# tests/sh/server_odd.sh: a line whose value is not a number (every scrape),
# a gauge that is declared a counter from its third scrape on, a series of
# 2,500 label sets, two GPUs (utilisation 80 and 60 %, memory 1000 and
# 2000 MiB), and with "wide" 100,000 series of one family besides.
# Prints its port, then serves for at most 60 s.
import http.server, socketserver, sys, time

wide = len(sys.argv) > 1 and sys.argv[1] == "wide"
filler = "".join('other_series{i="%d"} 1\n' % i for i in range(100000)) if wide else ""
shards = "".join('my:queue_depth{shard="%d"} 1\n' % i for i in range(2500))

class H(http.server.BaseHTTPRequestHandler):
    n = 0
    def do_GET(self):
        H.n += 1
        kind = "counter" if H.n >= 3 else "gauge"
        body = ("# TYPE vllm:num_requests_running %s\n"
                "vllm:num_requests_running 3\n"
                "vllm:num_requests_waiting oops\n"
                "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} 80\n"
                "DCGM_FI_DEV_GPU_UTIL{gpu=\"1\"} 60\n"
                "DCGM_FI_DEV_FB_USED{gpu=\"0\"} 1000\n"
                "DCGM_FI_DEV_FB_USED{gpu=\"1\"} 2000\n"
                "# TYPE my:queue_depth gauge\n" % kind + shards + filler).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass
    def log_message(self, *a):
        pass

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.timeout = 1
end = time.time() + 60
while time.time() < end:
    s.handle_request()
