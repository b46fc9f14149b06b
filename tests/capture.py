"""A loopback HTTP server that records every request it receives and answers from a script.

Used by the wire-replay tests (what reached the server, byte for byte) and the transport tests.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Captured:
    method: str
    path: str
    query_pairs: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def json(self) -> Any:
        return json.loads(self.body)

    def multipart(self) -> list[dict[str, Any]]:
        content_type = self.header("Content-Type") or ""
        message = BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + self.body)
        parts = []
        for part in message.get_payload():
            payload = part.get_payload(decode=True) or b""
            parts.append(
                {
                    "name": part.get_param("name", header="content-disposition"),
                    "filename": part.get_filename(),
                    "content_type": part.get_content_type() if part["Content-Type"] else None,
                    "content": payload.decode("utf-8", errors="replace"),
                }
            )
        return parts


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    chunks: list[bytes] | None = None  # sent with chunked encoding, one HTTP chunk each
    pause: float = 0.0  # seconds between chunks
    cut: bool = False  # close the connection after the chunks, without the final empty chunk


Responder = Callable[[Captured], Reply]


def default_reply(request: Captured) -> Reply:
    """A JSON `{}`, or a short stream when the request asked for one."""
    try:
        wants_stream = request.body[:1] == b"{" and json.loads(request.body).get("stream") is True
    except ValueError:
        wants_stream = False
    if not wants_stream:
        return Reply()
    if request.path.endswith("/v2/chat"):
        events = [{"type": "message-start", "id": "m1"}, {"type": "message-end", "delta": {"finish_reason": "COMPLETE"}}]
        body = b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events) + b"data: [DONE]\n\n"
        return Reply(body=body, headers={"Content-Type": "text/event-stream"})
    first = "text-generation" if request.path.endswith("/generate") else "stream-start"
    events = [{"event_type": first, "text": "hi"}, {"event_type": "stream-end", "finish_reason": "COMPLETE"}]
    if request.header("Accepts") == "text/event-stream":
        body = b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events)
        return Reply(body=body, headers={"Content-Type": "text/event-stream"})
    body = b"".join(json.dumps(e).encode() + b"\n" for e in events)
    return Reply(body=body, headers={"Content-Type": "application/stream+json"})


class CaptureServer:
    """`with CaptureServer() as server:` serves on 127.0.0.1; `server.requests` lists what came in."""

    def __init__(self, responder: Responder = default_reply):
        self.requests: list[Captured] = []
        self.disconnects = 0  # streams the client hung up on before the server finished
        self.responder = responder
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                captured = Captured(
                    method=self.command,
                    path=parts.path,
                    query_pairs=parse_qsl(parts.query, keep_blank_values=True),
                    headers={k: v for k, v in self.headers.items()},
                    body=body,
                )
                with server._lock:
                    server.requests.append(captured)
                reply = server.responder(captured)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.chunks is None:
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for chunk in reply.chunks:
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        self.wfile.flush()
                        if reply.pause:
                            time.sleep(reply.pause)
                    if reply.cut:
                        self.close_connection = True
                        return
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    with server._lock:
                        server.disconnects += 1
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> "CaptureServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
