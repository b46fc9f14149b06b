"""AWS event-stream frames in, Cohere stream events out, decoded as the bytes arrive.

Frames are parsed and their two CRCs checked by botocore's `EventStreamBuffer`; an event leaves
as soon as its frame is complete, whatever the read sizes. The Cohere events inside are framed
two ways (the spec's `stream-frames`):

- `chunk-base64` (Bedrock): each `chunk` event frame's payload is `{"bytes": "<base64 of one event>"}`;
- `payload-part-ndjson` (SageMaker): the `PayloadPart` frames' raw payloads, joined, are
  newline-delimited JSON cut anywhere (a line may span several frames).

An `exception` frame (a model stream error, throttling mid-stream, ...) or an `error` frame ends
the stream with `StreamDecodeError` naming the service's error type and message, carrying the
events decoded before it; so do a corrupt frame and bytes left over at the end.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Callable

from .._streaming._lines import StreamDecodeError
from .._streaming._ndjson import NDJSONDecodeError, NDJSONDecoder

__all__ = ["EVENT_STREAM_TYPE", "EventStreamDecoder", "decoder_factory"]

EVENT_STREAM_TYPE = "application/vnd.amazon.eventstream"
_b64decode = base64.b64decode
_loads = json.loads


class EventStreamDecoder:
    """`feed(bytes)` returns the Cohere events completed so far; `flush()` at the end of the stream."""

    __slots__ = ("_buffer", "_pending", "_title", "_lines", "_event_type")

    def __init__(self, frames: str, title: str):
        from botocore.eventstream import EventStreamBuffer

        self._buffer = EventStreamBuffer()
        self._pending = 0  # bytes fed that no complete frame has used yet
        self._title = title
        self._lines = NDJSONDecoder() if frames == "payload-part-ndjson" else None
        self._event_type = "PayloadPart" if self._lines is not None else "chunk"

    def feed(self, chunk: bytes) -> list[Any]:
        from botocore.eventstream import ParserError

        buffer = self._buffer
        buffer.add_data(chunk)
        self._pending += len(chunk)
        out: list[Any] = []
        lines, event_type = self._lines, self._event_type
        try:
            for message in buffer:
                self._pending -= message.prelude.total_length
                headers = message.headers
                kind = headers.get(":message-type")
                if kind == "event":
                    if headers.get(":event-type") != event_type:
                        continue  # events other than payload (none today) carry no Cohere event
                    if lines is None:
                        out.append(_loads(_b64decode(_loads(message.payload)["bytes"])))
                    else:
                        out.extend(lines.feed(message.payload))
                else:
                    raise StreamDecodeError(self._service_error(kind, headers, message.payload), parsed=out)
        except NDJSONDecodeError as exc:  # a line split across frames is fine; a line that isn't JSON is not
            raise StreamDecodeError(str(exc), parsed=[*out, *exc.parsed]) from None
        except StreamDecodeError:
            raise
        except ParserError as exc:
            raise StreamDecodeError(f"a corrupt event-stream frame ({type(exc).__name__}: {exc})", parsed=out) from None
        except RecursionError:
            raise StreamDecodeError(f"a {event_type} frame holds JSON nested too deeply to decode", parsed=out) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise StreamDecodeError(f"a {event_type} frame that holds no event ({type(exc).__name__}: {exc})", parsed=out) from None
        return out

    def flush(self) -> list[Any]:
        if self._pending:
            raise StreamDecodeError(f"the stream ended in the middle of an event-stream frame ({self._pending} bytes left)")
        if self._lines is None:
            return []
        try:
            return self._lines.flush()
        except NDJSONDecodeError as exc:
            raise StreamDecodeError(str(exc), parsed=exc.parsed) from None

    def _service_error(self, kind: Any, headers: dict[str, Any], payload: bytes) -> str:
        """The service's own words for an exception or error frame."""
        if kind == "exception":
            name = headers.get(":exception-type", "exception")
            try:
                detail = _loads(payload)
            except (ValueError, RecursionError):
                detail = payload.decode("utf-8", "replace")
            if isinstance(detail, dict):
                message = detail.get("message") or detail.get("Message") or ""
                code = detail.get("ErrorCode") or detail.get("originalStatusCode")
                detail = f"{message} ({code})" if code else message
            return f"{self._title} sent {name} mid-stream: {detail}".rstrip(": ")
        if kind == "error":
            return f"{self._title} sent an error mid-stream: {headers.get(':error-code')}: {headers.get(':error-message')}"
        return f"{self._title} sent a frame of unknown message type {kind!r}"


def decoder_factory(frames: str, title: str) -> Callable[[], EventStreamDecoder]:
    return lambda: EventStreamDecoder(frames, title)
