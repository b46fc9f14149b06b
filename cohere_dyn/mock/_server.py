"""The HTTP side of the mock: a threading HTTP/1.1 server with keep-alive, streams sent with
chunked transfer encoding (one chunk and a flush per event, `delay` seconds apart)."""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator, TextIO
from urllib.parse import parse_qsl, urlsplit

from .._spec._document import Spec
from ._app import MockApp, Outgoing, Received

__all__ = ["MockServer", "serve", "run"]

logger = logging.getLogger("cohere_dyn.mock")


class MockServer:
    """A fake Cohere API built from a spec, answering on a background thread.

        with MockServer() as server:
            client = cohere_dyn.ClientV2(api_key="x", base_url=server.url)

    `requests` lists every request received (a `Received`: method, path, query, headers, body,
    the operation it was routed to, the status answered and openapi-core's problems), unless
    `keep_requests` is false; `on_request`, if given, is called with each one as soon as its
    status is known.
    """

    def __init__(
        self,
        spec: str | os.PathLike[str] | Spec | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        delay: float = 0.01,
        on_request: Callable[[Received], Any] | None = None,
        keep_requests: bool = True,
    ):
        loaded = spec if isinstance(spec, Spec) else Spec.load(spec)
        self.app = MockApp(loaded)
        self.delay = delay
        self.on_request = on_request
        self.keep_requests = keep_requests
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self._httpd = _HTTPServer((host, port), _Handler, self)
        bound_port = self._httpd.server_address[1]
        self.url = f"http://[{host}]:{bound_port}" if ":" in host else f"http://{host}:{bound_port}"
        self._thread: threading.Thread | None = None

    def start(self) -> "MockServer":
        """Serve on a background thread."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, name="cohere-dyn-mock", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on this thread until `stop()` (from another thread) or KeyboardInterrupt."""
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "MockServer":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def _record(self, received: Received) -> None:
        if self.keep_requests:
            with self._lock:
                self.requests.append(received)
        if self.on_request is not None:
            self.on_request(received)


@contextmanager
def serve(
    spec: str | os.PathLike[str] | Spec | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    delay: float = 0.01,
    on_request: Callable[[Received], Any] | None = None,
) -> Iterator[str]:
    """`with serve() as url:` runs a mock Cohere API for the block and yields its base URL."""
    with MockServer(spec, host, port, delay, on_request) as server:
        yield server.url


def run(
    host: str = "127.0.0.1",
    port: int = 0,
    spec: str | os.PathLike[str] | Spec | None = None,
    delay: float = 0.01,
    out: TextIO | None = None,
) -> None:
    """Serve until Ctrl-C, after printing the base URL (port 0 picks a free port), then one line
    per request: method, path, status, the operation, and openapi-core's problems if any."""
    stream = out if out is not None else sys.stdout

    def report(received: Received) -> None:
        problems = "; ".join(f"{p['location']} {p['path']}: {p['message']}" for p in received.problems)
        name = received.operation or "-"
        print(
            f"{received.method} {received.path} -> {received.status} {name} {problems}".rstrip(),
            file=stream,
            flush=True,
        )

    server = MockServer(spec, host, port, delay, on_request=report, keep_requests=False)
    print(
        f"cohere_dyn mock API serving {server.app.spec.source} at {server.url} (Ctrl-C stops it)",
        file=stream,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], mock: MockServer):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.mock = mock
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client that hangs up between requests is no error
        logger.exception("cohere_dyn mock: error while serving %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cohere-dyn-mock"
    disable_nagle_algorithm = True  # headers and body leave in separate writes; don't let them wait for an ACK
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # the request log is `MockServer.requests`
        pass

    def _handle(self) -> None:
        mock = self.server.mock
        parts = urlsplit(self.path)
        received = Received(
            method=self.command,
            path=parts.path,
            query=parse_qsl(parts.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self._read_body(),
        )
        outgoing = mock.app.handle(received)
        mock._record(received)
        try:
            self._send(outgoing, mock.delay)
        except (BrokenPipeError, ConnectionResetError):  # the client went away mid-answer
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailer lines
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, outgoing: Outgoing, delay: float) -> None:
        self.send_response(outgoing.status)
        for name, value in outgoing.headers.items():
            self.send_header(name, value)
        if outgoing.chunks is None:
            self.send_header("Content-Length", str(len(outgoing.body)))
            self.end_headers()
            self.wfile.write(outgoing.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for index, chunk in enumerate(outgoing.chunks):
            if index and delay:
                time.sleep(delay)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
