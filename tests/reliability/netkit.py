"""Hostile HTTP servers for the reliability tests: real sockets on 127.0.0.1, an ephemeral port, a thread.

`serving(handler)` runs one and yields its base URL. The handlers: a server trickling a byte every
``every`` seconds (never tripping a per-read timeout), one sending an endless body, one announcing a huge
Content-Length (and sending it), and one answering fixed bodies. The server stops and its sockets close on exit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = type[BaseHTTPRequestHandler]


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """No access log on the test output."""

    def _head(self, status: int = 200, length: int | None = None, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()


def trickling(every: float, ctype: str = "application/json") -> Handler:
    """Answers 200 and then one byte every ``every`` seconds, forever (until the client goes)."""

    class Trickle(_Quiet):
        def do_GET(self) -> None:
            self._head(200, 1000, ctype)  # a modest length, sent far more slowly than it claims
            try:
                while True:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(every)
            except OSError:
                return

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.do_GET()

    return Trickle


def endless(chunk: int = 64 * 1024, ctype: str = "application/rss+xml") -> Handler:
    """Answers 200 without a length and sends an RSS-looking body that never ends."""

    class Endless(_Quiet):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Connection", "close")
            self.end_headers()
            block = b"<item><title>x</title></item>" * (chunk // 29)
            try:
                self.wfile.write(b'<?xml version="1.0"?><rss><channel><title>t</title>')
                while True:
                    self.wfile.write(block)
            except OSError:
                return

    return Endless


def announcing(length: int, start: bytes) -> Handler:
    """Answers 200 announcing ``length`` bytes (say 1 GB), sends ``start`` and keeps writing until the client goes."""

    class Announcing(_Quiet):
        def do_GET(self) -> None:
            self._head(200, length)
            try:
                self.wfile.write(start)
                for _ in range(length // 65536):
                    self.wfile.write(b"{}," * 21845)
            except OSError:
                return

    return Announcing


def fixed(answer: Callable[[str], tuple[int, bytes]]) -> Handler:
    """Answers each GET or POST with ``answer(path_with_query)`` → (status, JSON body)."""

    class Fixed(_Quiet):
        def do_GET(self) -> None:
            status, body = answer(self.path)
            self._head(status, len(body))
            self.wfile.write(body)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.do_GET()

    return Fixed


@contextmanager
def serving(handler: Handler) -> Iterator[str]:
    """Run ``handler`` on 127.0.0.1 (ephemeral port) in a thread; yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
