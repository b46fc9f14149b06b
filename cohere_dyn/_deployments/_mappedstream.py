"""A service's SSE stream in, Cohere's stream events out, as each event arrives.

The rules are the spec's (`streams` beside the maps of a service, see spec/cohere.yaml): each
event of the service is rewritten by the stream's `event` map into a piece of the answer in
Cohere's words; each field named in `pieces` turns into Cohere events as it grows (a string's
new text, a list's new items, grouped into blocks that open and close), every other field is a
value (the latest wins: finish reason, usage, chat history). The `start` events go out before the
first piece; the `end` events once the service's last event (the `final` field) has come and the
stream closes, or at `data: [DONE]`, carrying the values and `$result`, the whole answer.

The service's last event repeats the `whole` fields entire (OCI's v1 chat sends the full text
again): only what was not streamed yet is sent on, so no text is yielded twice. A stream that
stops before that last event, an event that isn't JSON and an event naming an error (`error`)
raise `StreamDecodeError` with the events decoded before it.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Callable

from .._errors import SpecError
from .._streaming._lines import StreamDecodeError
from .._streaming._sse import ServerSentEvent, SSEDecoder
from ._mapping import MISSING, Maps, Refused, fill

__all__ = ["StreamRules", "MappedStreamDecoder", "decoder_factory"]

_STREAM_KEYS = frozenset({"event", "final", "error", "whole", "start", "pieces", "end"})
_PIECE_KEYS = frozenset({"delta", "each", "start", "end", "block-key", "first-delta"})


class StreamRules:
    """One stream's rules from the spec, checked."""

    def __init__(self, name: str, rules: Any, maps: Maps, pointer: str, source: str):
        def fail(where: str, message: str) -> SpecError:
            return SpecError(message, source=source, pointer=f"{pointer}/{where}" if where else pointer)

        if not isinstance(rules, dict) or set(rules) - _STREAM_KEYS:
            raise fail("", f"a stream's rules are a mapping of {', '.join(sorted(_STREAM_KEYS))}")
        if not isinstance(rules.get("event"), str) or rules["event"] not in maps:
            raise fail("event", "'event' must name the map each event of the service goes through")
        self.name = name
        self.event_map: str = rules["event"]
        self.final: str = rules.get("final", "")
        self.error: str | None = rules.get("error")
        self.whole = frozenset(rules.get("whole") or ())
        self.start: list[Any] = rules.get("start") or []
        self.end: list[Any] = rules.get("end") or []
        pieces = rules.get("pieces")
        if not isinstance(pieces, dict) or not pieces:
            raise fail("pieces", "'pieces' must name the fields that become Cohere events as they grow")
        for field, piece in pieces.items():
            if not isinstance(piece, dict) or set(piece) - _PIECE_KEYS or not ({"delta", "each", "start"} & set(piece)):
                raise fail(f"pieces/{field}", "a piece has a 'delta' (text), 'each' (items) or 'start'/'delta'/'end' (blocks) template")
        self.pieces: dict[str, dict[str, Any]] = pieces


def _event(data: dict[str, Any]) -> ServerSentEvent:
    kind = data.get("type") or data.get("event_type") or "message"
    return ServerSentEvent(kind, json.dumps(data, ensure_ascii=False, separators=(",", ":")))


class MappedStreamDecoder:
    """`feed(bytes)` returns the Cohere events completed so far (as SSE events); `flush()` at the end."""

    def __init__(self, rules: StreamRules, maps: Maps, title: str):
        self._rules = rules
        self._maps = maps
        self._title = title
        self._sse = SSEDecoder()
        self._started = False
        self._ended = False
        self._final_seen = False
        self._values: dict[str, Any] = {"id": str(uuid.uuid4())}  # OCI's own id replaces it when it sends one
        self._streamed: dict[str, Any] = {}  # per piece: the text so far, or the items so far
        self._blocks: dict[str, int] = {}  # per block piece: blocks opened
        self._open: tuple[str, Any, int, dict[str, Any]] | None = None  # piece, key, index, its first item
        self._whole: dict[str, Any] = {}  # the last event's whole fields
        self._out: list[ServerSentEvent] = []

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        self._out = []
        for sse in self._sse.feed(chunk):
            if self._ended:
                break
            data = sse.data
            if data == "[DONE]":
                self._finish()
                continue
            try:
                event = json.loads(data)
            except ValueError:
                raise self._fault(f"{self._title} sent an event that isn't JSON: {data[:200]!r}") from None
            if not isinstance(event, dict):
                raise self._fault(f"{self._title} sent an event that isn't a JSON object: {data[:200]!r}")
            try:
                piece = self._maps.apply(self._rules.event_map, event)
            except Refused as exc:  # answers drop what they don't know; this is a malformed value
                raise self._fault(f"{self._title} sent an event that can't be read: {exc}") from None
            self._take(piece)
        return self._out

    def flush(self) -> list[ServerSentEvent]:
        self._out = []
        if self._sse.pending:
            raise self._fault(f"{self._title}'s stream ended in the middle of an event")
        if not self._ended:
            if not self._final_seen:
                raise self._fault(f"{self._title}'s stream ended before its last event (no {self._rules.final} came): the answer is incomplete")
            self._finish()
        return self._out

    def _fault(self, message: str) -> StreamDecodeError:
        return StreamDecodeError(message, parsed=self._out)

    def _take(self, piece: dict[str, Any]) -> None:
        rules = self._rules
        if rules.error and piece.get(rules.error):
            raise self._fault(f"{self._title} reported an error mid-stream: {piece[rules.error]}")
        final = bool(rules.final) and rules.final in piece
        if "id" in piece:
            self._values["id"] = piece["id"]
        if not self._started:
            self._started = True
            self._emit(rules.start, self._variables())
        for field, template in rules.pieces.items():
            value = piece.get(field, MISSING)
            if value is MISSING or value is None:
                continue
            if final and field in rules.whole:
                value = self._unsent(field, value)
            self._piece(field, template, value)
        for field, value in piece.items():
            if field not in rules.pieces and field != rules.error:
                self._values[field] = value
        if final:
            self._final_seen = True
            self._whole = {field: piece[field] for field in rules.whole if field in piece}

    def _unsent(self, field: str, value: Any) -> Any:
        """Of a whole field in the last event, the part not streamed yet."""
        sent = self._streamed.get(field)
        if isinstance(value, str):
            sent = sent or ""
            return value[len(sent):] if value.startswith(sent) else ""
        if isinstance(value, list):
            count = self._blocks.get(field, 0) if "start" in self._rules.pieces[field] else len(sent or ())
            return value[count:]
        return value

    def _piece(self, field: str, template: dict[str, Any], value: Any) -> None:
        if "delta" in template and "start" not in template:  # a string that grows
            if isinstance(value, str) and value:
                self._streamed[field] = self._streamed.get(field, "") + value
                self._emit([template["delta"]], self._variables(value))
            return
        items = value if isinstance(value, list) else [value]
        if "each" in template:
            for item in items:
                self._streamed.setdefault(field, []).append(item)
                self._emit([template["each"]], self._variables(item=item))
            return
        key_field = template.get("block-key")
        for item in items:
            if not isinstance(item, dict):
                continue
            key = item.get(key_field) if key_field else None
            current = self._open
            continues = current is not None and current[0] == field and key_field is not None and (key is None or key == current[1])
            if not continues:
                self._close()
                index = self._blocks.get(field, 0)
                self._blocks[field] = index + 1
                self._open = (field, key, index, item)
                self._emit([template["start"]], self._variables(item=item, index=index))
                if template.get("first-delta") and "delta" in template:
                    self._emit([template["delta"]], self._variables(item=item, index=index))
                if key_field is None and "end" in template:
                    self._close()
            elif "delta" in template:
                self._emit([template["delta"]], self._variables(item=item, index=current[2]))  # type: ignore[index]

    def _close(self) -> None:
        if self._open is not None:
            field, _, index, item = self._open
            self._open = None
            end = self._rules.pieces[field].get("end")
            if end is not None:
                self._emit([end], self._variables(item=item, index=index))

    def _finish(self) -> None:
        if self._ended:
            return
        self._close()
        self._ended = True
        if not self._started:
            self._started = True
            self._emit(self._rules.start, self._variables())
        self._emit(self._rules.end, self._variables(result=self._result()))

    def _result(self) -> dict[str, Any]:
        """The whole answer: the values, the streamed pieces, and the last event's whole fields."""
        result = {k: v for k, v in self._values.items() if k != "id"}
        result.update(self._streamed)
        result.update(self._whole)
        return result

    def _variables(self, value: Any = MISSING, *, item: Any = MISSING, index: Any = MISSING, result: Any = MISSING) -> dict[str, Any]:
        variables = dict(self._values)
        for name, given in (("", value), ("item", item), ("index", index), ("result", result)):
            if given is not MISSING:
                variables[name] = given
        return variables

    def _emit(self, templates: list[Any], variables: dict[str, Any]) -> None:
        for template in templates:
            event = fill(template, variables)
            if isinstance(event, dict):
                self._out.append(_event(event))


def decoder_factory(rules: StreamRules, maps: Maps, title: str) -> Callable[[], MappedStreamDecoder]:
    return lambda: MappedStreamDecoder(rules, maps, title)
