"""Server-Sent Events decoder: bytes chunks in, events out.

Follows the "event stream interpretation" rules of the WHATWG HTML standard:
CR, LF and CRLF line ends (also when CR and LF arrive in different chunks), one
leading UTF-8 BOM skipped, ``:`` comments, ``field:value`` lines with one
leading space of the value dropped, the ``event``/``data``/``id``/``retry``
fields, dispatch on a blank line, no dispatch while the data buffer is empty,
and an unterminated event at the end of the stream discarded.
``SSEDecoder.pending`` tells whether the stream stopped inside an event, so
the caller can report a truncated stream.

Complete lines are decoded as UTF-8 with replacement, a whole chunk's worth at
a time: LF is ASCII and never part of a multi-byte sequence, so decoding
several complete lines at once gives the same text as decoding each line on
its own, and a character split across chunks is decoded only once whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from ._lines import LineBuffer

__all__ = ["SSEDecoder", "ServerSentEvent", "iter_sse"]


class ServerSentEvent(NamedTuple):
    """One dispatched event.

    ``id`` is the stream's last event ID when the event was dispatched: None
    until an ``id`` field is seen, "" after an empty ``id`` field reset it.
    ``retry`` is the reconnection time (ms) given by a ``retry`` field inside
    this event, else None.
    """

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None


# Builds an event without NamedTuple's Python-level __new__ (hot path).
_new_tuple = tuple.__new__

# The usual shape of an event: an optional `event` line and one `data` line, then a blank line.
# A run of those is cut out by two regex passes (in C); only what follows goes line by line.
_USUAL = r"(?:event: ?([^\n]*)\n)?data: ?([^\n]*)\n\n"
_USUAL_RUN = re.compile(f"(?:{_USUAL})*").match
_USUAL_EVENT = re.compile(_USUAL).findall


class SSEDecoder:
    """Incremental decoder: ``feed`` each chunk as it arrives, then ``flush``.

    One decoder per stream. After the last chunk, ``pending`` is True when
    the stream ended inside an event (a field line without its terminating
    blank line, or an unterminated line), which the spec discards silently.

    Stream-level state, per spec: ``last_event_id`` is the last event ID
    string as of the last blank line (None until an ``id`` field), and
    ``retry`` the reconnection time in ms from the last valid ``retry`` field
    (None until one).
    """

    def __init__(self) -> None:
        self._lines_buffer = LineBuffer()
        self._after_cr = False  # the last chunk ended with CR: skip one LF
        self._at_start = True  # no complete line yet: a BOM may come first
        self._data: list[str] = []
        self._event = ""
        self._event_retry: int | None = None
        self._id: str | None = None  # the last event ID buffer
        self._in_event = False
        self.last_event_id: str | None = None
        self.retry: int | None = None

    @property
    def pending(self) -> bool:
        """True when the input so far stops inside an event or a line."""
        return self._in_event or self._lines_buffer.pending

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Consume ``chunk``; return the events it completes, in order."""
        if self._after_cr and chunk:
            self._after_cr = False
            if chunk[0] == 0x0A:  # the LF of a CRLF split across chunks
                chunk = chunk[1:]
        if b"\r" in chunk:
            # A trailing CR ends its line now; the LF may follow next chunk.
            self._after_cr = chunk[-1] == 0x0D
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        block = self._lines_buffer.take(chunk)
        if block is None:
            return []
        text = block.decode("utf-8", "replace")
        if self._at_start:
            self._at_start = False
            text = text.removeprefix("\ufeff")
        if self._in_event:
            return self._lines(text.split("\n"))
        text += "\n"
        run = _USUAL_RUN(text).end()  # type: ignore[union-attr]  # a starred pattern always matches
        if not run:
            return self._lines(text[:-1].split("\n"))
        events = [
            _new_tuple(ServerSentEvent, (event or "message", data, self._id, None))
            for event, data in _USUAL_EVENT(text, 0, run)
        ]
        self._event = ""
        self._event_retry = None
        self.last_event_id = self._id
        if run < len(text):
            events += self._lines(text[run:-1].split("\n"))
        return events

    def flush(self) -> list[ServerSentEvent]:
        """Signal the end of the stream.

        Always returns ``[]``: the spec discards an unterminated event (check
        ``pending`` to detect one). It exists so that this decoder and
        ``NDJSONDecoder`` share the ``feed``/``flush`` interface.
        """
        return []

    def _lines(self, lines: list[str]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        data = self._data
        event = self._event
        event_retry = self._event_retry
        last_id = self._id
        dispatched_id = self.last_event_id
        in_event = self._in_event
        for line in lines:
            if not line:
                dispatched_id = last_id
                if data:
                    events.append(
                        _new_tuple(
                            ServerSentEvent,
                            (event or "message", "\n".join(data), last_id, event_retry),
                        )
                    )
                    data.clear()
                event = ""
                event_retry = None
                in_event = False
                continue
            field, colon, value = line.partition(":")
            if colon:
                if not field:
                    continue  # comment
                if value[:1] == " ":
                    value = value[1:]
            in_event = True
            if field == "data":
                data.append(value)
            elif field == "event":
                event = value
            elif field == "id":
                if "\0" not in value:
                    last_id = value
            elif field == "retry" and value.isascii() and value.isdigit():
                try:
                    event_retry = self.retry = int(value)
                except ValueError:  # more digits than int() accepts
                    pass
        self._event = event
        self._event_retry = event_retry
        self._id = last_id
        self.last_event_id = dispatched_id
        self._in_event = in_event
        return events


def iter_sse(
    chunks: Iterable[bytes], decoder: SSEDecoder | None = None
) -> Iterator[ServerSentEvent]:
    """Yield the events of a stream given as bytes chunks.

    Pass your own ``decoder`` to read ``decoder.pending`` afterwards and
    report a stream that ended inside an event.
    """
    feed = (SSEDecoder() if decoder is None else decoder).feed
    for chunk in chunks:
        yield from feed(chunk)
