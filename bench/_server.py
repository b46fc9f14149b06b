"""A loopback HTTP/1.1 server for benchmarks: answers every request at once with a fixed body.

Run in its own process so that its work never shares the client's interpreter. Prints its port.
Modes: `json` (a v2 chat response) and `sse:N` (N content-delta events then message-end).
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHAT = json.dumps(
    {
        "id": "bench",
        "finish_reason": "COMPLETE",
        "message": {"role": "assistant", "content": [{"type": "text", "text": "Paris is the capital of France."}]},
        "usage": {"billed_units": {"input_tokens": 10, "output_tokens": 7}, "tokens": {"input_tokens": 80, "output_tokens": 7}},
    }
).encode()


def sse_body(count: int) -> bytes:
    events = [{"type": "message-start", "id": "bench", "delta": {"message": {"role": "assistant"}}}]
    events.append({"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}})
    events += [
        {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": f"tok{i % 10}"}}}} for i in range(count)
    ]
    events.append({"type": "content-end", "index": 0})
    events.append({"type": "message-end", "delta": {"finish_reason": "COMPLETE", "usage": {"billed_units": {"output_tokens": count}}}})
    out = [f"event: {e['type']}\ndata: {json.dumps(e, separators=(',', ':'))}\n\n".encode() for e in events]
    return b"".join(out) + b"data: [DONE]\n\n"


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "json"
    if mode.startswith("sse:"):
        body, content_type = sse_body(int(mode[4:])), "text/event-stream"
    else:
        body, content_type = CHAT, "application/json"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
