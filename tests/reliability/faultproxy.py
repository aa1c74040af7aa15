"""A fault-injecting HTTP proxy for the reliability tests: 127.0.0.1 only, stdlib only, bounded.

  faultproxy.py --upstream http://127.0.0.1:PORT --state-dir DIR [--max-requests N] [--max-lifetime S]

It forwards every request to the upstream Airflow and, where its fault schedule says so, answers
it badly instead. It listens on a free port and writes DIR/proxy.json ({"url", "port", "pid"})
once it listens, and DIR/counts.json after every request. It exits by itself after
--max-lifetime seconds or --max-requests proxied requests, so a forgotten proxy cannot hang a run.

Control endpoints (never forwarded, never counted, never faulted), under /_proxy/:
  GET  counts   the counts (as in counts.json)
  POST reset    zero the counts and the fault schedule's memory
  POST config   JSON, every key optional (a key left out keeps its value):
                  faults      kinds to inject: drop, drop_after, 500, 502, 503, 429, delay
                  rate        the chance (0..1) that a request gets a fault
                  seed        the schedule's seed
                  max_in_row  the most faults one request gets in a row (then it goes through)
                  delay       seconds a "delay" fault holds the answer
                  retry_after the Retry-After a 429 carries (seconds)
                  hold        {"method": M, "path": P}: hold the first such request until
                              POST release (or hold_timeout); null: hold nothing
                  hold_timeout seconds a held request waits at most for its release
                  upstream_wait seconds to keep trying a refused upstream before answering 502
  GET  held     {"held": number of requests held now, "released": bool}
  POST release  let held requests (and any later match) go on

The fault schedule. Every request is keyed by its method, path, query and a digest of its body,
so a client's retry of a request has the same key as the original. The n-th arrival of a key
gets a fault when sha256(seed, key, n) maps below ``rate``, unless the key already got
``max_in_row`` faults in a row: then it goes through. A fault that the schedule grants is of
the kind that the same digest picks from ``faults``. The schedule is therefore reproducible
with the seed whatever order concurrent requests arrive in, and a transient fault is really
transient: a client that retries a request at least ``max_in_row`` times always gets it through.

Fault kinds: ``drop`` closes the connection without an answer, before forwarding (the server
never saw the request); ``drop_after`` forwards it and then closes without an answer (the server
applied it, the answer is lost); ``500``/``502``/``503`` answer that status without forwarding;
``429`` answers 429 with Retry-After without forwarding; ``delay`` forwards the request and
sends the answer after ``delay`` seconds (past the client's timeout, the client sees a read
timeout while the server applied the request).

Counts: ``requests`` by "METHOD /path" (no query), ``faults`` by kind, ``statuses`` (the
upstream's answers by HTTP status, e.g. how many 409s a race produced), and three totals:
``writes`` (POST, PATCH, PUT, DELETE), ``token_posts`` (POST /auth/token: the token exchange)
and ``read_only_posts`` (POST .../rest_api/v1/secrets/fingerprint: the REST plugin's fingerprint
question, which writes nothing). The last two are not in ``writes``.
"""
import argparse
import hashlib
import http.client
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

CONTROL = "/_proxy/"
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")
TOKEN_PATH = "/auth/token"
READ_ONLY_POST_SUFFIX = "/rest_api/v1/secrets/fingerprint"
FAULT_KINDS = ("drop", "drop_after", "500", "502", "503", "429", "delay")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length"}
UPSTREAM_TIMEOUT = 120
DEFAULT_CONFIG = {"faults": [], "rate": 0.0, "seed": 0, "max_in_row": 2, "delay": 10.0, "retry_after": 1,
                  "hold": None, "hold_timeout": 300.0, "upstream_wait": 0.0}


def fresh_counts():
    return {"total": 0, "writes": 0, "token_posts": 0, "read_only_posts": 0, "requests": {}, "faults": {}, "statuses": {}}


class Schedule:
    """Which request gets which fault: see the module docstring."""

    def __init__(self):
        self.seen = {}      # key -> arrivals so far
        self.in_row = {}    # key -> faults in a row so far

    def decide(self, config, key):
        arrival = self.seen.get(key, 0)
        self.seen[key] = arrival + 1
        kinds = config["faults"]
        if not kinds or self.in_row.get(key, 0) >= config["max_in_row"]:
            self.in_row[key] = 0
            return None
        digest = hashlib.sha256(("%s\0%s\0%d" % (config["seed"], key, arrival)).encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2.0 ** 64
        if draw >= config["rate"]:
            self.in_row[key] = 0
            return None
        self.in_row[key] = self.in_row.get(key, 0) + 1
        return kinds[int.from_bytes(digest[8:12], "big") % len(kinds)]


class Proxy:
    """The shared state of one proxy: its config, schedule, counts and hold."""

    def __init__(self, upstream, state_dir, max_requests):
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname, parts.port or 80
        self.state_dir = Path(state_dir)
        self.max_requests = max_requests
        self.lock = threading.Lock()
        self.config = dict(DEFAULT_CONFIG)
        self.schedule = Schedule()
        self.counts = fresh_counts()
        self.proxied = 0
        self.held = 0
        self.hold_used = False
        self.release = threading.Event()
        self.server = None

    def write_counts(self):
        path = self.state_dir / "counts.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.counts, indent=1, sort_keys=True))
        tmp.replace(path)

    def account(self, method, path, key):
        """Count one request and return its fault (or None) and whether to hold it."""
        with self.lock:
            self.proxied += 1
            counts = self.counts
            counts["total"] += 1
            name = "%s %s" % (method, path)
            counts["requests"][name] = counts["requests"].get(name, 0) + 1
            if method == "POST" and path == TOKEN_PATH:
                counts["token_posts"] += 1
            elif method == "POST" and path.endswith(READ_ONLY_POST_SUFFIX):
                counts["read_only_posts"] += 1
            elif method in WRITE_METHODS:
                counts["writes"] += 1
            hold = self.config["hold"]
            held = bool(hold) and not self.hold_used and hold.get("method") == method and hold.get("path") == path
            if held:
                self.hold_used = True
                fault = None
            else:
                fault = self.schedule.decide(self.config, key)
            if fault:
                counts["faults"][fault] = counts["faults"].get(fault, 0) + 1
            self.write_counts()
            if self.proxied >= self.max_requests:
                threading.Thread(target=self.server.shutdown, daemon=True).start()
            return fault, held

    def count_status(self, status):
        with self.lock:
            statuses = self.counts["statuses"]
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            self.write_counts()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultproxy"
    proxy = None  # set in main()

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # quiet: the counts tell what happened

    def do_GET(self):
        self.handle_any()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _sep, query = self.path.partition("?")
        if path.startswith(CONTROL):
            self.control(path[len(CONTROL):], body)
            return
        key = "%s %s?%s %s" % (self.command, path, query, hashlib.sha256(body).hexdigest()[:16])
        fault, held = self.proxy.account(self.command, path, key)
        if held:
            with self.proxy.lock:
                self.proxy.held += 1
            self.proxy.release.wait(self.proxy.config["hold_timeout"])
            with self.proxy.lock:
                self.proxy.held -= 1
        if fault == "drop":
            self.drop()
        elif fault in ("500", "502", "503", "429"):
            headers = {"Retry-After": str(self.proxy.config["retry_after"])} if fault == "429" else {}
            self.answer(int(fault), {"detail": "faultproxy: injected HTTP %s" % fault}, headers)
        else:
            answer = self.forward(body)
            self.proxy.count_status(answer[0])
            if fault == "drop_after":
                self.drop()
                return
            if fault == "delay":
                time.sleep(self.proxy.config["delay"])
            self.send_upstream_answer(*answer)

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def forward(self, body):
        """(status, reason, headers, body) from the upstream; 502 when it cannot be reached."""
        headers = dict((k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP)
        headers["Connection"] = "close"
        deadline = time.monotonic() + self.proxy.config["upstream_wait"]
        while True:
            conn = http.client.HTTPConnection(self.proxy.upstream_host, self.proxy.upstream_port,
                                              timeout=UPSTREAM_TIMEOUT)
            try:
                conn.request(self.command, self.path, body=body or None, headers=headers)
                response = conn.getresponse()
                return response.status, response.reason, response.getheaders(), response.read()
            except ConnectionRefusedError:
                if time.monotonic() >= deadline:
                    return self.unreachable("connection refused")
                time.sleep(0.5)
            except (OSError, http.client.HTTPException) as err:
                return self.unreachable(type(err).__name__)
            finally:
                conn.close()

    @staticmethod
    def unreachable(why):
        body = json.dumps({"detail": "faultproxy: upstream unreachable (%s)" % why}).encode()
        return 502, "Bad Gateway", [("Content-Type", "application/json")], body

    def send_upstream_answer(self, status, reason, headers, body):
        try:
            self.send_response(status, reason)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            self.close_connection = True  # the client gave up (a delay past its timeout)

    def answer(self, status, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_upstream_answer(status, None, [("Content-Type", "application/json")] + list((headers or {}).items()),
                                  body)

    def control(self, what, body):
        proxy = self.proxy
        with proxy.lock:
            if what == "counts":
                self.answer(200, proxy.counts)
            elif what == "held":
                self.answer(200, {"held": proxy.held, "released": proxy.release.is_set()})
            elif what == "reset" and self.command == "POST":
                proxy.counts, proxy.schedule = fresh_counts(), Schedule()
                proxy.write_counts()
                self.answer(200, proxy.counts)
            elif what == "release" and self.command == "POST":
                proxy.release.set()
                self.answer(200, {"released": True})
            elif what == "config" and self.command == "POST":
                self.configure(json.loads(body or b"{}"))
            else:
                self.answer(404, {"detail": "faultproxy: no control endpoint %s %s" % (self.command, what)})

    def configure(self, update):
        proxy = self.proxy
        unknown = sorted(set(update) - set(DEFAULT_CONFIG))
        bad_kinds = sorted(set(update.get("faults") or ()) - set(FAULT_KINDS))
        if unknown or bad_kinds:
            self.answer(400, {"detail": "faultproxy: unknown keys %s or fault kinds %s" % (unknown, bad_kinds)})
            return
        proxy.config.update(update)
        if "hold" in update:
            proxy.hold_used = False
            proxy.release.clear()
        self.answer(200, proxy.config)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--upstream", required=True, help="the Airflow URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--max-requests", type=int, default=20000, help="exit after this many proxied requests")
    parser.add_argument("--max-lifetime", type=float, default=1800, help="exit after this many seconds")
    args = parser.parse_args(argv)
    state_dir = Path(args.state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    proxy = Proxy(args.upstream, state_dir, args.max_requests)
    Handler.proxy = proxy
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    proxy.server = server
    port = server.server_address[1]
    proxy.write_counts()
    info = {"url": "http://127.0.0.1:%d" % port, "port": port, "pid": os.getpid(), "upstream": args.upstream}
    tmp = state_dir / "proxy.json.tmp"
    tmp.write_text(json.dumps(info))
    tmp.replace(state_dir / "proxy.json")
    # The lifetime bound: shut down however busy or idle the proxy is.
    timer = threading.Timer(args.max_lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        proxy.release.set()  # no held request outlives the proxy
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
