"""A loopback embed API that enforces a rate limit, for embed_stream's tests and its bench.

`EmbedServer(rate=20, burst=2, latency=0.1)` answers POST /v1/embed and /v2/embed: a request
beyond `rate` per second (a token bucket holding `burst` requests) gets a quick 429 saying when
the next one would pass: `Retry-After` in whole seconds, rounded up, and `retry-after-ms` too
unless `hints="seconds"` (`refusal_headers`, a function of that wait, replaces both); an accepted one is
answered after `latency` seconds with one vector of `dims` numbers per input (each requested
embedding type, or plain floats for v1 without embedding_types). A vector's first number is
`marker(text)`, so a client can check which text it belongs to.

A storm (`storm=(after, seconds, rate)`) lowers the limit to `rate` for `seconds`, `after`
seconds past the first request. A text containing `fail_on` gets a 400. `stats()` counts the
answers by status, the inputs embedded, the most requests in flight at once, and the requests
that arrived after the first 400 was answered.

    python -m tests.embed_server --rate 20 --latency 0.1   # prints its URL, serves until killed
"""

from __future__ import annotations

import argparse
import json
import math
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

__all__ = ["EmbedServer", "marker", "HINTS"]


def marker(text: str) -> int:
    return zlib.crc32(text.encode()) % 1_000_000


def whole_seconds(wait: float) -> dict[str, str]:
    return {"Retry-After": str(math.ceil(wait))}


def both_hints(wait: float) -> dict[str, str]:
    return {"retry-after-ms": str(max(1, math.ceil(wait * 1000))), **whole_seconds(wait)}


HINTS = {"both": both_hints, "seconds": whole_seconds}


class EmbedServer:
    def __init__(
        self,
        rate: float = 0.0,
        burst: int = 1,
        latency: float = 0.0,
        dims: int = 8,
        storm: tuple[float, float, float] | None = None,
        fail_on: str | None = None,
        port: int = 0,
        hints: str = "both",
        refusal_headers: Callable[[float], dict[str, str]] | None = None,
    ):
        self.rate = rate
        self.burst = burst
        self.latency = latency
        self.storm = storm
        self.fail_on = fail_on
        self.refusal_headers = refusal_headers or HINTS[hints]
        self.tail = "".join(f",{math.sin(i) * 0.5:.6f}" for i in range(1, dims))
        self.lock = threading.Lock()
        self.next_free = 0.0  # the token bucket as a "theoretical arrival time"
        self.started: float | None = None
        self.counts: dict[int, int] = {}
        self.embedded = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.refused = False
        self.after_refusal = 0
        self.http = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        self.thread: threading.Thread | None = None

    def __enter__(self) -> EmbedServer:
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.http.shutdown()
        self.http.server_close()

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "statuses": dict(self.counts),
                "embedded": self.embedded,
                "most_in_flight": self.most_in_flight,
                "after_refusal": self.after_refusal,
            }

    def admit(self) -> float:
        """0 if a request may pass now, else the seconds until one would."""
        with self.lock:
            now = time.monotonic()
            if self.started is None:
                self.started = now
            rate = self.rate
            if self.storm is not None:
                after, seconds, storm_rate = self.storm
                if after <= now - self.started < after + seconds:
                    rate = storm_rate
            if rate <= 0:
                return 0.0
            interval = 1.0 / rate
            earliest = self.next_free - (self.burst - 1) * interval
            if now < earliest:
                return earliest - now
            self.next_free = max(self.next_free, now) + interval
            return 0.0

    def count(self, status: int, inputs: int = 0) -> None:
        with self.lock:
            self.counts[status] = self.counts.get(status, 0) + 1
            self.embedded += inputs

    def answer(self, path: str, body: dict[str, Any]) -> bytes:
        texts = body.get("texts") or body.get("images") or body.get("inputs") or []
        vectors = "[" + ",".join(f"[{marker(_text_of(item))}{self.tail}]" for item in texts) + "]"
        types = body.get("embedding_types")
        if path == "/v1/embed" and not types:
            embeddings, kind = vectors, "embeddings_floats"
        else:
            embeddings = "{" + ",".join(f'"{name}":{vectors}' for name in types or ["float"]) + "}"
            kind = "embeddings_by_type"
        return (
            f'{{"id":"e","response_type":"{kind}","embeddings":{embeddings},"texts":{json.dumps(body.get("texts") or [])},'
            f'"meta":{{"billed_units":{{"input_tokens":{len(texts)}}}}}}}'
        ).encode()


def _text_of(item: Any) -> str:
    return item if isinstance(item, str) else json.dumps(item, sort_keys=True)


def _handler(server: EmbedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body leave at once (no delayed-ACK stalls)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._send(200, json.dumps(server.stats()).encode())

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            with server.lock:
                server.after_refusal += server.refused
            wait = server.admit()
            if wait:
                server.count(429)
                self._send(429, b'{"message":"too many requests"}', server.refusal_headers(wait))
                return
            texts = body.get("texts") or body.get("images") or body.get("inputs") or []
            if server.fail_on is not None and any(server.fail_on in _text_of(item) for item in texts):
                server.count(400)
                self._send(400, b'{"message":"a text the server refuses"}')
                with server.lock:
                    server.refused = True
                return
            with server.lock:
                server.in_flight += 1
                server.most_in_flight = max(server.most_in_flight, server.in_flight)
            try:
                if server.latency:
                    time.sleep(server.latency)
                content = server.answer(self.path, body)
            finally:
                with server.lock:
                    server.in_flight -= 1
            server.count(200, len(texts))
            self._send(200, content)

        def _send(self, status: int, content: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(content)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=0.0)
    parser.add_argument("--burst", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--dims", type=int, default=8)
    parser.add_argument("--storm", type=float, nargs=3, metavar=("AFTER", "SECONDS", "RATE"))
    parser.add_argument("--hints", choices=sorted(HINTS), default="both", help="a 429's headers: both, or Retry-After only")
    args = parser.parse_args()
    storm = tuple(args.storm) if args.storm else None
    server = EmbedServer(args.rate, args.burst, args.latency, args.dims, storm, hints=args.hints)
    print(server.url, flush=True)
    server.http.serve_forever()


if __name__ == "__main__":
    main()
