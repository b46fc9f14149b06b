"""A loopback HTTP server that misbehaves on cue, and counts what it saw.

`FaultServer(script)` answers the n-th request with `script[n]` (and `ok()` once the script is
spent). Each fault is a function of the connection and the request, written against a raw socket
so that it can do what a well-behaved HTTP server never would: close before or after the headers,
reset, stall, cut a body short.

    with FaultServer([status(503), status(503), ok(b'{"message": "hi"}')]) as server:
        client.echo(...)
        assert len(server.requests) == 3

`refused_url()` is a URL nothing listens on; `full_backlog()` a listener whose accept queue is
full, so that connecting to it times out (a connect timeout, on loopback).
"""

from __future__ import annotations

import gzip
import json
import socket
import socketserver
import struct
import threading
from typing import Any, Callable, Iterator
from urllib.parse import parse_qsl, urlsplit

from tests.capture import Captured

__all__ = [
    "FaultServer",
    "Fault",
    "ok",
    "status",
    "close_before_headers",
    "reset",
    "close_after_headers",
    "partial_body",
    "stall",
    "stall_mid_body",
    "stream",
    "gated_stream",
    "raw",
    "redirect",
    "gzipped",
    "grow_then_503",
    "refused_url",
    "full_backlog",
    "deaf_listener",
    "causes",
]


class Connection:
    """The server's side of one client connection."""

    def __init__(self, sock: socket.socket, stop: threading.Event):
        self.sock = sock
        self.stop = stop
        self.abort = False  # close at once when the handler ends (with SO_LINGER 0: a reset)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def head(self, code: int, headers: dict[str, str], length: int | None) -> None:
        lines = [f"HTTP/1.1 {code} {_REASONS.get(code, 'Status')}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked")
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def wait(self, seconds: float) -> None:
        """Sleep, but wake at once when the server shuts down."""
        self.stop.wait(seconds)


# A fault answers one request; it returns True to keep the connection open for the next one.
Fault = Callable[[Connection, Captured], bool]

_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect",
            308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 408: "Request Timeout",
            409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable", 504: "Gateway Timeout"}


def status(code: int, body: bytes | dict[str, Any] = b"", headers: dict[str, str] | None = None) -> Fault:
    """A complete answer: `code`, `headers`, `body` (a dict is sent as JSON)."""
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    sent_headers = {"Content-Type": "application/json"} if body[:1] in (b"{", b"[") else {}
    sent_headers.update(headers or {})

    def fault(connection: Connection, request: Captured) -> bool:
        connection.head(code, sent_headers, len(body))
        connection.send(body)
        return True

    fault.__name__ = f"status_{code}"
    return fault


def ok(body: bytes | dict[str, Any] = b'{"message": "ok"}') -> Fault:
    return status(200, body)


def echo(connection: Connection, request: Captured) -> bool:
    """200 with the request's JSON `message` echoed back (for matching answers to calls)."""
    try:
        message = json.loads(request.body).get("message")
    except ValueError:
        message = None
    return status(200, {"message": message})(connection, request)


def close_before_headers(connection: Connection, request: Captured) -> bool:
    """Read the request, then close the connection without a word."""
    connection.sock.shutdown(socket.SHUT_RDWR)
    return False


def reset(connection: Connection, request: Captured) -> bool:
    """Read the request, then reset the connection (RST, not FIN)."""
    connection.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.abort = True
    return False


def close_after_headers(code: int = 200, length: int = 100) -> Fault:
    """Send the status line and headers announcing `length` bytes, then close with no body."""

    def fault(connection: Connection, request: Captured) -> bool:
        connection.head(code, {"Content-Type": "application/json"}, length)
        connection.sock.shutdown(socket.SHUT_RDWR)
        return False

    fault.__name__ = "close_after_headers"
    return fault


def partial_body(body: bytes = b'{"message": "this answer is cut short"}', sent: int = 12) -> Fault:
    """Announce the whole body, send its first `sent` bytes, then close."""

    def fault(connection: Connection, request: Captured) -> bool:
        connection.head(200, {"Content-Type": "application/json"}, len(body))
        connection.send(body[:sent])
        connection.sock.shutdown(socket.SHUT_RDWR)
        return False

    fault.__name__ = "partial_body"
    return fault


def stall(seconds: float) -> Fault:
    """Read the request and say nothing for `seconds`, then close."""

    def fault(connection: Connection, request: Captured) -> bool:
        connection.wait(seconds)
        return False

    fault.__name__ = "stall"
    return fault


def stall_mid_body(seconds: float, body: bytes = b'{"message": "slow"}') -> Fault:
    """Send the headers and half the body, then say nothing for `seconds`."""

    def fault(connection: Connection, request: Captured) -> bool:
        connection.head(200, {"Content-Type": "application/json"}, len(body))
        connection.send(body[: len(body) // 2])
        connection.wait(seconds)
        return False

    fault.__name__ = "stall_mid_body"
    return fault


def stream(chunks: list[bytes], content_type: str = "text/event-stream", cut: bool = False) -> Fault:
    """A chunked 200 of `chunks`; `cut` closes the connection before the final empty chunk."""

    def fault(connection: Connection, request: Captured) -> bool:
        connection.head(200, {"Content-Type": content_type}, None)
        for chunk in chunks:
            connection.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        if cut:
            connection.sock.shutdown(socket.SHUT_RDWR)
            return False
        connection.send(b"0\r\n\r\n")
        return True

    fault.__name__ = "stream_cut" if cut else "stream"
    return fault


def gated_stream(first: bytes, rest: list[bytes], gate: threading.Event, content_type: str, seen: list[bool]) -> Fault:
    """A chunked 200 that sends `first`, then waits (up to 5 s) for the client to set `gate` before
    the `rest`; `seen` records whether the gate was set in time, i.e. the client acted on `first` alone."""

    def fault(connection: Connection, request: Captured) -> bool:
        connection.head(200, {"Content-Type": content_type}, None)
        connection.send(f"{len(first):x}\r\n".encode() + first + b"\r\n")
        seen.append(gate.wait(5))
        for chunk in rest:
            connection.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        connection.send(b"0\r\n\r\n")
        return True

    fault.__name__ = "gated_stream"
    return fault


def raw(data: bytes) -> Fault:
    """Send `data` as the whole answer, whatever it is (a garbage status line, a huge header), then close."""

    def fault(connection: Connection, request: Captured) -> bool:
        connection.send(data)
        connection.sock.shutdown(socket.SHUT_RDWR)
        return False

    fault.__name__ = "raw"
    return fault


def redirect(code: int, location: str, body: bytes | dict[str, Any] = b"") -> Fault:
    """A redirect to `location` (with a body, say a JSON one that looks like an answer)."""
    return status(code, body, {"Location": location})


def gzipped(body: bytes, content_type: str = "application/json", chunks: int = 0) -> Fault:
    """A 200 whose body is `body` gzip-compressed (Content-Encoding: gzip); `chunks` > 0 sends
    it with chunked encoding in that many pieces, as a stream would come."""
    packed = gzip.compress(body, compresslevel=9)

    def fault(connection: Connection, request: Captured) -> bool:
        headers = {"Content-Type": content_type, "Content-Encoding": "gzip"}
        if not chunks:
            connection.head(200, headers, len(packed))
            connection.send(packed)
            return True
        connection.head(200, headers, None)
        size = -(-len(packed) // chunks)
        for start in range(0, len(packed), size):
            piece = packed[start : start + size]
            connection.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        connection.send(b"0\r\n\r\n")
        return True

    fault.__name__ = "gzipped"
    return fault


def grow_then_503(path: Any) -> Fault:
    """Appends to the file at `path`, then answers 503: the retry finds the file changed."""

    def fault(connection: Connection, request: Captured) -> bool:
        with open(path, "ab") as handle:
            handle.write(b"y" * 10)
        return status(503)(connection, request)

    return fault


class FaultServer:
    """Serves on 127.0.0.1; answers requests from `script` in order, then with `after`.
    `before_body`, if given, is called once a request's headers are read and before its body is."""

    def __init__(
        self, script: list[Fault] | None = None, after: Fault | None = None, before_body: Callable[[], None] | None = None
    ):
        self.requests: list[Captured] = []
        self.before_body = before_body
        self.connections = 0
        self._script: Iterator[Fault] = iter(script or [])
        self._after = after or ok()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                with server._lock:
                    server.connections += 1
                connection = Connection(self.request, server._stop)
                reader = self.request.makefile("rb")
                try:
                    while not server._stop.is_set():
                        request = _read_request(reader, server.before_body)
                        if request is None:
                            return
                        with server._lock:
                            server.requests.append(request)
                            fault = next(server._script, server._after)
                        if not fault(connection, request):
                            return
                except OSError:
                    return  # the client went away: that's its business
                finally:
                    reader.close()
                    if connection.abort:
                        self.request.close()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 64

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> "FaultServer":
        self._thread.start()
        return self

    def wait_for(self, count: int, seconds: float = 5.0) -> None:
        """Wait (up to `seconds`) until `count` requests were read: one the client gave up on
        mid-body is recorded once the server has read what came of it."""
        deadline = threading.Event()
        for _ in range(int(seconds / 0.01)):
            if len(self.requests) >= count:
                return
            deadline.wait(0.01)

    def __exit__(self, *exc_info: Any) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()


def _read_request(reader: Any, before_body: Callable[[], None] | None = None) -> Captured | None:
    line = reader.readline(65537)
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        line = reader.readline(65537)
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip()] = value.strip()
    length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
    if before_body is not None:
        before_body()
    body = reader.read(length) if length else b""
    parts = urlsplit(target)
    return Captured(method, parts.path, parse_qsl(parts.query, keep_blank_values=True), headers, body)


def refused_url() -> str:
    """A loopback URL where nothing listens: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class full_backlog:
    """`with full_backlog() as url:` a listener that never accepts and whose queue is full, so
    connecting times out. `works` is False where the OS doesn't behave so (the test then skips)."""

    def __enter__(self) -> "full_backlog":
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._fillers = []
        self.works = False
        for _ in range(4):
            probe = socket.socket()
            probe.settimeout(0.2)
            self._fillers.append(probe)
            try:
                probe.connect(("127.0.0.1", port))
            except (TimeoutError, OSError):
                self.works = True
                break
        return self

    def __exit__(self, *exc_info: Any) -> None:
        for sock in self._fillers:
            sock.close()
        self._listener.close()


class deaf_listener:
    """`with deaf_listener() as listener:` a server that accepts connections and never reads from
    them (its receive buffers kept small), so a client writing a large body blocks; `listener.url`."""

    def __enter__(self) -> "deaf_listener":
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._listener.settimeout(0.05)
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()
        return self

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(sock)

    def __exit__(self, *exc_info: Any) -> None:
        self._stop.set()
        self._thread.join()
        self._listener.close()
        for sock in self.accepted:
            sock.close()


def causes(error: BaseException) -> list[BaseException]:
    """`error` and the errors it was raised from, in order; AssertionError when the chain loops
    back (a walk of `__cause__` would never end)."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None:
        assert all(current is not seen for seen in chain), f"{type(current).__name__} is its own cause, through {chain}"
        chain.append(current)
        current = current.__cause__
    return chain
