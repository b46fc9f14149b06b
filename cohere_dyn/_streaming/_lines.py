"""Complete lines out of bytes chunks, for the stream decoders (SSE and NDJSON)."""

from __future__ import annotations

__all__ = ["LineBuffer", "StreamDecodeError"]


class StreamDecodeError(ValueError):
    """A stream decoder met bytes it can't decode; `parsed` holds the values it completed before them.

    Every decoder that `EventSource` drives raises this (or a subclass) for a broken stream.
    """

    parsed: list

    def __init__(self, *args: object, parsed: list | None = None) -> None:
        super().__init__(*args)
        self.parsed = parsed or []


class LineBuffer:
    """Keeps the unterminated end of the stream until the LF that completes it arrives.

    Works on whole chunks (one `rfind`, one join when a line spans chunks), not per line.
    """

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[bytes] = []  # bytes of the unterminated last line

    @property
    def pending(self) -> bool:
        """True while an unterminated line is held."""
        return bool(self._parts)

    def take(self, chunk: bytes) -> bytes | None:
        """The lines `chunk` completes, joined by LF without the last LF; None when it completes none."""
        end = chunk.rfind(b"\n")
        if end < 0:
            if chunk:
                self._parts.append(chunk)
            return None
        block = chunk[:end]
        if self._parts:
            self._parts.append(block)
            block = b"".join(self._parts)
        tail = chunk[end + 1 :]
        self._parts = [tail] if tail else []
        return block

    def rest(self) -> bytes:
        """The unterminated line held at the end of the stream (b"" if none), released."""
        block = b"".join(self._parts)
        self._parts = []
        return block
