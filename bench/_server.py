"""A loopback HTTP/1.1 server for benchmarks: answers every request at once with canned bytes.

Run in its own process so that its work never shares the client's interpreter. Prints its port.
Modes: `json` (a v2 chat response) and `sse:N` (N content-delta events then message-end).

An asyncio protocol that reads each request's head and body and writes one prepared response,
keeping connections alive: about ten times the requests per second of `http.server`, so that
what a benchmark measures is the client's cost, not the server's.
"""

from __future__ import annotations

import asyncio
import json
import sys

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


def canned_response(body: bytes, content_type: str) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


class CannedHTTP(asyncio.Protocol):
    """Answers each complete request (head, then Content-Length bytes of body) with `response`."""

    def __init__(self, response: bytes):
        self.response = response
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end]).lower()
            length = 0
            start = head.find(b"\ncontent-length:")
            if start >= 0:
                stop = head.find(b"\r", start + 1)
                length = int(head[start + 16 : stop if stop > 0 else len(head)])
            if len(buffer) < end + 4 + length:
                return
            del buffer[: end + 4 + length]
            assert self.transport is not None
            self.transport.write(self.response)


async def serve(response: bytes) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: CannedHTTP(response), "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "json"
    if mode.startswith("sse:"):
        response = canned_response(sse_body(int(mode[4:])), "text/event-stream")
    else:
        response = canned_response(CHAT, "application/json")
    asyncio.run(serve(response))


if __name__ == "__main__":
    main()
