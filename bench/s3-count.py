#!/usr/bin/env python3
"""Counts S3 requests by kind on their way to an S3 endpoint: a plain reverse proxy.

    s3-count.py LISTEN_PORT UPSTREAM_URL

GET /__count answers the counts so far as JSON ({"GET": n, "LIST": n, "PUT": n, "HEAD": n,
"DELETE": n, "DELETE_BATCH": n, "POST": n, "total": n}); POST /__reset zeroes them. Everything
else goes to UPSTREAM_URL unchanged, Host header included (SigV4 signs it), so clients sign for
this proxy's address and the server checks the same. Used by bench/gc.sh to compare what each
collector costs at the S3 endpoint, not what it says it costs. With S3_COUNT_LOG set, each request
is appended to that file once answered, as "METHOD path start end status bytes piece" (epoch
seconds; bytes of the request and response bodies; piece: a multipart part, its start or complete,
the source of a server-side copy, or -),
and each reset writes a line "RESET" (which objects a phase read, e.g. blob data GETs per blob, and
when: bench/cold-timeline.py). Bodies are read whole before they are passed on, both ways.
"""
import os
import http.client
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

PORT = int(sys.argv[1])
UPSTREAM = urlsplit(sys.argv[2])
COUNTS = {}
LOCK = threading.Lock()
LOCAL = threading.local()
LOG = open(os.environ["S3_COUNT_LOG"], "a", buffering=1) if os.environ.get("S3_COUNT_LOG") else None


def kind(method, path):
    parts = urlsplit(path)
    query = parts.query
    if method == "GET":
        # A bucket-level GET (path "/bucket" or "/bucket/") with list parameters is a listing.
        segments = [s for s in parts.path.split("/") if s]
        return "LIST" if len(segments) <= 1 or "list-type" in query or "prefix=" in query else "GET"
    if method == "POST" and "delete" in query:
        return "DELETE_BATCH"
    return method


def part(path, headers):
    """What piece of an upload a request is: partN (a multipart part), start (multipart), complete
    (multipart), copy:<source> (a server-side copy, as a commit of an upload to its final key), else -."""
    source = headers.get("x-amz-copy-source")
    if source:
        return "copy:" + unquote(source).split("?")[0].replace(" ", "%20")
    query = urlsplit(path).query
    for field in query.split("&"):
        if field.startswith("partNumber="):
            return "part" + field.split("=", 1)[1]
    if query == "uploads" or query.startswith("uploads&") or "&uploads" in query or query.startswith("uploads="):
        return "start"
    return "complete" if "uploadId=" in query else "-"


def connection():
    if getattr(LOCAL, "conn", None) is None:
        LOCAL.conn = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=300)
        LOCAL.conn.connect()
        LOCAL.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return LOCAL.conn


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: without this, Nagle and delayed ACKs add 40 ms to each.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def relay(self):
        if self.path == "/__count":
            with LOCK:
                body = dict(COUNTS)
            body["total"] = sum(body.values())
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if self.path == "/__reset":
            with LOCK:
                COUNTS.clear()
                if LOG:
                    LOG.write("RESET\n")
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with LOCK:
            k = kind(self.command, self.path)
            COUNTS[k] = COUNTS.get(k, 0) + 1
        started = time.time()
        body = self.request_body()
        # The body goes on whole, with its length: a chunked upload (the AWS SDK streams parts so) is de-chunked here.
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("connection", "transfer-encoding", "expect", "content-length")}
        for attempt in (1, 2):
            try:
                conn = connection()
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                LOCAL.conn = None
                if attempt == 2:
                    raise
        self.send_response(response.status)
        for k, v in response.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        # A HEAD's length is the object's (its stat), not that of the empty body.
        length = response.getheader("Content-Length") if self.command == "HEAD" else None
        self.send_header("Content-Length", length if length is not None else str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        if LOG:
            with LOCK:
                LOG.write(f"{self.command} {self.path.split('?')[0]} {started:.3f} {time.time():.3f} {response.status}"
                          f" {len(body or b'') + len(data)} {part(self.path, self.headers)}\n")

    def request_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = relay


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Proxy).serve_forever()
