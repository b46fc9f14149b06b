"""Stream events to bytes: server-sent events or newline-delimited JSON, as the spec declares."""

from __future__ import annotations

import json
from typing import Any, Mapping

from .._spec._operations import Operation

__all__ = ["SSE", "DONE", "stream_media_type", "frame"]

SSE = "text/event-stream"
DONE = b"data: [DONE]\n\n"


def stream_media_type(operation: Operation, headers: Mapping[str, str]) -> str:
    """The stream's Content-Type: SSE when the request asks for it with Cohere's `Accepts`
    header and the spec offers it, else the first stream media type the spec declares."""
    declared = list(operation.event_schemas) or [SSE]
    if headers.get("accepts", "").split(";")[0].strip().lower() == SSE and SSE in declared:
        return SSE
    return declared[0]


def frame(event: dict[str, Any], media_type: str, type_field: str | None) -> bytes:
    """One event as it goes on the wire; an SSE event names its type in an `event:` line."""
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    if media_type != SSE:
        return (data + "\n").encode()
    name = event.get(type_field) if type_field else None
    head = f"event: {name}\n" if isinstance(name, str) else ""
    return f"{head}data: {data}\n\n".encode()
