"""`Stream`: the events of a streaming call, yielded as their bytes arrive.

The decoder follows the Content-Type the server actually sent: `text/event-stream` is SSE,
`application/stream+json` (and the other NDJSON types) is one JSON object per line. Anything
else, a JSON answer to a stream request among them, raises StreamError at call time. A malformed
event, a connection cut mid-stream, or a stream past the client's `max_response_bytes` raises
StreamError carrying the events received so far.
An event type the spec doesn't know is yielded as it came, with one warning per type.
"""

from __future__ import annotations

import json
import logging
import sys
import warnings
from collections import deque
from typing import Any, Callable, Iterator, Mapping, Sequence

from ._accumulate import Accumulator, fold
from .._errors import CohereError, StreamError
from .._models import Model, Shape, models_of, wrap
from .._redaction import redact, scrub
from ._lines import StreamDecodeError
from ._ndjson import NDJSONDecoder
from .._spec._operations import Operation
from .._spec._schemas import discriminator_values
from .._spec._document import Spec
from ._sse import SSEDecoder
from .._transports._base import Response

__all__ = ["Stream", "EventSource", "describe_body"]

# json.loads checks for whitespace with two regex matches per call; on the per-event path the
# scanner alone is a good part faster. Anything it doesn't take goes through json.loads.
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # (the C scanner; typeshed doesn't list it)


def _json_object(text: str) -> dict[str, Any] | None:
    """The JSON object `text` holds, or None when it holds anything else (the slow path)."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _not_an_object(text: str) -> str:
    """Why an event's data is refused, for its StreamError."""
    try:
        json.loads(text)
    except RecursionError:
        return "JSON nested too deeply to decode"
    except ValueError:
        pass
    return "not a JSON object"

logger = logging.getLogger("cohere_dyn")
NDJSON_TYPES = ("application/stream+json", "application/x-ndjson", "application/jsonl", "application/json-lines")
SSE_TYPE = "text/event-stream"
_WARNED: set[tuple[str, str]] = set()
_UNSEEN = object()


class EventSource:
    """Turns the bytes of one stream into event objects; shared by the sync and async streams.

    `decoders` adds decoders by media type (a cloud deployment's framing): a factory of objects
    with `feed(bytes)` and `flush()` returning JSON values, raising `StreamDecodeError`.
    `secrets`: what the request carried (its key...), kept out of every error the stream raises
    (`redacted`) and of its warnings, however the server echoes them.
    """

    def __init__(
        self,
        operation: Operation,
        spec: Spec,
        content_type: str,
        validate_events: bool = False,
        decoders: Mapping[str, Callable[[], Any]] | None = None,
        max_bytes: int | None = None,
        secrets: Sequence[str | None] = (),
    ):
        self.operation = operation
        self.max_bytes = max_bytes
        self.secrets = secrets
        self._room = max_bytes if max_bytes is not None else sys.maxsize  # bytes the stream may still bring
        media_type = content_type.split(";")[0].strip().lower()
        if not media_type:
            media_type = next(iter(operation.event_schemas), SSE_TYPE)
        if decoders and media_type in decoders:
            self._decoder: Any = decoders[media_type]()
        elif media_type == SSE_TYPE:
            self._decoder = SSEDecoder()
        elif media_type in NDJSON_TYPES:
            self._decoder = NDJSONDecoder()
        else:
            raise StreamError(
                f"{operation.qualified_name}: expected a stream ({' or '.join(operation.event_schemas) or SSE_TYPE}), "
                f"got {media_type or 'no Content-Type'}"
            )
        self.sse = media_type == SSE_TYPE
        schema = operation.event_schemas.get(media_type) or next(iter(operation.event_schemas.values()), None)
        self.shape: Shape | None = models_of(spec).shape(schema) if schema is not None else None
        target = spec.resolver.deref(schema) if schema is not None else None
        union = discriminator_values(spec.resolver, target) if isinstance(target, dict) else None
        self.type_field: str | None = target["discriminator"]["propertyName"] if union and isinstance(target, dict) else None
        self.known_types = frozenset(union or ())
        self.validator = spec.validator(operation, "events") if validate_events and schema is not None else None
        self._shapes: dict[str, Shape | None] = {}  # event type -> its branch's shape
        self.done = False
        self._raw: list[Any] = []  # each event's JSON text (SSE) or object (NDJSON)

    def feed(self, chunk: bytes) -> list[Model]:
        """The events `chunk` completes (none after `[DONE]`)."""
        if self.done:
            return []
        self._room -= len(chunk)
        if self._room < 0:
            raise StreamError(
                f"{self.operation.qualified_name}: the stream passed max_response_bytes ({self.max_bytes:,} bytes, "
                "decoded) and was not read further; if streams this large are expected, raise the limit: "
                "Client(max_response_bytes=...)",
                self.events,
            )
        try:
            items = self._decoder.feed(chunk)
        except StreamDecodeError as exc:
            self._events(exc.parsed)
            raise StreamError(f"{self.operation.qualified_name}: {exc}", self.events) from None
        return self._events(items) if items else []

    def finish(self) -> list[Model]:
        """The stream's bytes ended: the last events, or StreamError if it stopped mid-event."""
        if self.done:
            return []
        try:
            items = self._decoder.flush()
        except StreamDecodeError as exc:
            self._events(exc.parsed)
            raise StreamError(f"{self.operation.qualified_name}: {exc}", self.events) from None
        if isinstance(self._decoder, SSEDecoder) and self._decoder.pending:
            raise StreamError(f"{self.operation.qualified_name}: the stream ended in the middle of an event", self.events)
        return self._events(items)

    @property
    def events(self) -> list[Model]:
        """Every event decoded so far, as new objects (the stream keeps only their JSON text)."""
        return [wrap((_json_object(raw) or {}) if type(raw) is str else raw, self.shape) for raw in self._raw]

    def _events(self, items: list[Any]) -> list[Model]:
        """Event objects from decoded items (SSE events or parsed NDJSON values): the hot path.

        What is kept for `events` is each event's JSON text (for SSE), not its objects: strings
        are nothing for the garbage collector to walk, and thousands of kept dicts would make its
        collections cost more than the decoding itself."""
        out: list[Model] = []
        append = out.append
        raw = self._raw
        sse, type_field, shapes, scan = self.sse, self.type_field, self._shapes, _scan
        shape: Any  # a Shape, None, or _UNSEEN until looked up
        for item in items:
            if sse:
                data = item.data
                if data == "[DONE]":
                    self.done = True
                    break
                try:
                    item, end = scan(data, 0)
                except (StopIteration, ValueError, RecursionError):
                    end = -1
                if end != len(data) or type(item) is not dict:
                    item = _json_object(data)  # whitespace around it, or not an object at all
                    if item is None:
                        raise StreamError(
                            f"{self.operation.qualified_name}: an event's data is {_not_an_object(data)}: {data[:200]!r}",
                            self.events,
                        )
                raw.append(data)
            elif type(item) is not dict:
                raise StreamError(f"{self.operation.qualified_name}: an event is not a JSON object", self.events)
            else:
                raw.append(item)
            if type_field is None:
                shape = self.shape
            else:
                kind = item.get(type_field)
                shape = shapes.get(kind, _UNSEEN) if type(kind) is str else _UNSEEN
                if shape is _UNSEEN:
                    shape = self._shape_of(item, kind)
            if self.validator is not None:
                self._validate(item, len(raw) - 1)
            append(wrap(item, shape))
        return out

    def _shape_of(self, item: dict[str, Any], kind: Any) -> Shape | None:
        """The shape of a new event type, remembered; an unknown type is warned about once."""
        if kind not in self.known_types:
            key = (self.operation.qualified_name, str(kind))
            if key not in _WARNED:
                _WARNED.add(key)
                warnings.warn(
                    scrub(f"{self.operation.qualified_name}: event type {kind!r} is not in the spec; yielded as received", self.secrets),
                    stacklevel=5,
                )
        shape = self.shape.resolve(item) if self.shape is not None else None
        if type(kind) is str:
            self._shapes[kind] = shape
        return shape

    def broken(self, cause: Exception) -> StreamError:
        """The error for a connection that broke mid-stream, with the events received so far."""
        error = StreamError(f"{self.operation.qualified_name}: the connection broke mid-stream ({cause})", self.events)
        error.__cause__ = cause
        return self.redacted(error)

    def redacted(self, error: StreamError) -> StreamError:
        """`error` (any the stream raises) without the request's secrets, in any spelling."""
        if self.secrets:
            redact(error, self.secrets)
        return error

    def _validate(self, item: dict[str, Any], position: int) -> None:
        validator = self.validator
        if validator is not None and not validator.is_valid(item):
            problems = "; ".join(str(p) for p in validator.problems(item))
            del self._raw[position:]
            raise StreamError(f"{self.operation.qualified_name}: event {position} breaks the spec: {problems}", self.events)


class Stream:
    """An iterator of events. Close it (or leave a `with` block, or break out of a for loop
    over it and drop it) to close the connection at once.

    `final()` reads the rest and returns the accumulated result; `text()` yields text deltas only.
    """

    def __init__(
        self,
        response: Response,
        operation: Operation,
        spec: Spec,
        validate_events: bool = False,
        decoders: Mapping[str, Callable[[], Any]] | None = None,
        max_bytes: int | None = None,
        secrets: Sequence[str | None] = (),
    ):
        self._response = response
        try:
            content_type = response.headers.get("content-type", "")
            self._source = EventSource(operation, spec, content_type, validate_events, decoders, max_bytes, secrets)
        except StreamError as exc:
            _attach_body(exc, response)
            raise
        self._chunks = response.iter_bytes()
        self._ready: deque[Model] = deque()
        self._closed = False
        self._spec = spec

    def __iter__(self) -> Iterator[Model]:
        return self._iterate()

    def _iterate(self) -> Iterator[Model]:
        """The events, a decoded batch at a time: a for loop pays no Python call per event."""
        ready = self._ready
        while True:
            if not ready:
                if self._closed:
                    return
                self._pull()
                continue
            batch = list(ready)
            ready.clear()
            taken = 0
            try:
                for event in batch:
                    taken += 1
                    yield event
            finally:  # a loop left early: what it didn't take stays for the next read
                if taken < len(batch):
                    ready.extendleft(reversed(batch[taken:]))

    def __next__(self) -> Model:
        while not self._ready:
            if self._closed:
                raise StopIteration
            self._pull()
        return self._ready.popleft()

    def _pull(self) -> None:
        source = self._source
        try:
            chunk = next(self._chunks, None)
            events = source.finish() if chunk is None else source.feed(chunk)
        except StreamError as exc:
            self._release()
            raise source.redacted(exc)
        except CohereError as exc:
            self._release()
            raise source.broken(exc) from exc
        self._ready.extend(events)
        if chunk is None or source.done:
            self._release()

    @property
    def events(self) -> list[Model]:
        """Every event received so far."""
        return list(self._source.events)

    def text(self) -> Iterator[str]:
        """Only the text pieces, as they arrive."""
        accumulator = Accumulator(self._source.operation, self._spec)
        for event in self:
            accumulator.add(event)
            if accumulator.last_text:
                yield accumulator.last_text

    def final(self) -> Model:
        """Read what is left and return the whole result (text, tool calls, citations, finish reason,
        usage), shaped like the non-streamed response."""
        for _ in self:
            pass
        return fold(self._source.operation, self._spec, self._source.events)

    def close(self) -> None:
        """Stop: close the connection now; events not yet read are dropped."""
        self._ready.clear()
        self._release()

    def _release(self) -> None:
        if not self._closed:
            self._closed = True
            self._response.close()

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            self._response.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<cohere_dyn.Stream {self._source.operation.qualified_name} {state}, {len(self._source._raw)} events>"


def _attach_body(exc: StreamError, response: Response) -> None:
    try:
        content = response.read()[:500]
    except CohereError:
        content = b""
    finally:
        response.close()
    describe_body(exc, content)


def describe_body(exc: StreamError, content: bytes) -> None:
    """Add what the server sent instead of a stream to `exc` (shared with the async stream)."""
    exc.args = (f"{exc.args[0]}: {content.decode('utf-8', errors='replace')}" if content else exc.args[0],)
    exc.body = content  # type: ignore[attr-defined]
