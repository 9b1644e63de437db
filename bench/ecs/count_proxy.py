#!/usr/bin/env python3
"""A counting HTTP forwarder on loopback, for the ECS fan-out benchmark (stdlib only).

    python3 bench/ecs/count_proxy.py --upstream http://127.0.0.1:MOTO_PORT [--port P]

Prints the port it listens on (127.0.0.1) on its first line of stdout, then forwards
every request to the upstream (moto) unchanged, and records for each one:
  op        the operation: the part of X-Amz-Target after the dot (RunTask, ...), or
            the path for anything else
  t0, t1    when the request was read and when the answer was ready to go out (epoch
            seconds): t1 comes before the client can see the answer
  asked     DescribeTasks: the task ARNs or ids in the request
  tasks     RunTask and DescribeTasks: [arn, lastStatus, createdAt, stoppedAt] of each
            task in the answer (moto_timed.py adds the two times)
  status    the upstream's HTTP status

Control paths, answered here and not forwarded:
  GET  /_bench/events   the records since the last reset, as JSON
  POST /_bench/reset    forgets the records
The clients sign requests to this proxy's host and port; moto, with signature checking
off, does not verify them, so forwarding unchanged is enough.
"""
import argparse
import http.client
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate", "content-length"}

events = []
events_lock = threading.Lock()


def task_rows(answer):
    rows = []
    for t in answer.get("tasks") or []:
        rows.append([t.get("taskArn"), t.get("lastStatus"), t.get("createdAt"), t.get("stoppedAt")])
    return rows


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"     # keep-alive, as the clients expect of AWS
    upstream = None                   # (host, port), set in main
    local = threading.local()

    def log_message(self, *args):     # quiet: the records are the log
        pass

    def connection_to_upstream(self, fresh=False):
        conn = getattr(self.local, "conn", None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            conn = http.client.HTTPConnection(*self.upstream, timeout=300)
            self.local.conn = conn
        return conn

    def reply(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def control(self):
        if self.path == "/_bench/events" and self.command == "GET":
            with events_lock:
                body = json.dumps(events).encode()
            self.reply(200, body)
        elif self.path == "/_bench/reset" and self.command == "POST":
            with events_lock:
                events.clear()
            self.reply(200, b"{}")
        else:
            self.reply(404, b'{"message": "unknown control path"}')

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        t0 = time.time()
        if self.path.startswith("/_bench/"):
            self.control()
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        for attempt in (1, 2):
            # A kept-alive upstream connection may have been closed by moto meanwhile.
            conn = self.connection_to_upstream(fresh=attempt == 2)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                if attempt == 2:
                    self.reply(502, b'{"message": "upstream unreachable"}')
                    return
        # Stamped before the answer goes out: the client cannot act on it (or exit) earlier.
        t1 = time.time()
        self.send_response(answer.status, answer.reason)
        for k, v in answer.getheaders():
            if k.lower() not in HOP_BY_HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        self.record(t0, t1, body, answer.status, data)

    def record(self, t0, t1, body, status, data):
        target = self.headers.get("X-Amz-Target")
        op = target.rsplit(".", 1)[-1] if target else f"{self.command} {self.path.split('?')[0]}"
        event = {"op": op, "t0": t0, "t1": t1, "status": status}
        if op in ("RunTask", "DescribeTasks") and status == 200:
            try:
                request, answer = json.loads(body or b"{}"), json.loads(data or b"{}")
            except ValueError:
                request, answer = {}, {}
            event["tasks"] = task_rows(answer)
            if op == "DescribeTasks":
                event["asked"] = request.get("tasks") or []
            else:
                event["count"] = request.get("count", 1)
        with events_lock:
            events.append(event)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = forward


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    up = urlsplit(args.upstream)
    if up.scheme != "http" or up.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("count_proxy: the upstream must be http:// on loopback")
    Handler.upstream = (up.hostname, up.port or 80)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
