"""AWS event-stream frames, written: the mock's Bedrock and SageMaker streams (and the tests' faults).

A frame is: total length and headers length (two big-endian uint32), the CRC32 of those 8
bytes, the headers (name length, name, type 7 = string, value length, value), the payload, and
the CRC32 of everything before it.
"""

from __future__ import annotations

import base64
import json
import struct
from binascii import crc32
from typing import Any

__all__ = ["frame", "event_frame", "exception_frame", "bedrock_chunk", "payload_part"]


def frame(headers: dict[str, str], payload: bytes) -> bytes:
    encoded = b"".join(
        struct.pack("!B", len(name.encode())) + name.encode() + struct.pack("!BH", 7, len(value.encode())) + value.encode()
        for name, value in headers.items()
    )
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack("!II", total, len(encoded))
    prelude += struct.pack("!I", crc32(prelude))
    message = prelude + encoded + payload
    return message + struct.pack("!I", crc32(message))


def event_frame(event_type: str, payload: bytes, content_type: str = "application/json") -> bytes:
    return frame({":event-type": event_type, ":content-type": content_type, ":message-type": "event"}, payload)


def exception_frame(exception_type: str, message: str) -> bytes:
    headers = {":exception-type": exception_type, ":content-type": "application/json", ":message-type": "exception"}
    return frame(headers, json.dumps({"message": message}).encode())


def bedrock_chunk(event: dict[str, Any]) -> bytes:
    """One Cohere event as Bedrock sends it: base64 JSON in the `bytes` of a `chunk` frame."""
    encoded = base64.b64encode(json.dumps(event, separators=(",", ":")).encode()).decode()
    return event_frame("chunk", json.dumps({"bytes": encoded}).encode())


def payload_part(data: bytes) -> bytes:
    """Raw bytes of the container's answer in a SageMaker `PayloadPart` frame."""
    return event_frame("PayloadPart", data, "application/octet-stream")
