"""Newline-delimited JSON decoder: bytes chunks in, parsed JSON values out.

Each LF-terminated line (CRLF too: the CR is JSON whitespace) is one JSON
text; blank lines (only spaces, tabs or a CR) are skipped, and a last line
without a newline still counts at the end of the stream. One leading UTF-8
BOM is skipped. A line that is not valid UTF-8 or not valid JSON (or JSON nested too deeply to
decode) raises ``NDJSONDecodeError`` with its 1-based line number and (shortened) text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ._lines import LineBuffer, StreamDecodeError

__all__ = ["NDJSONDecodeError", "NDJSONDecoder", "iter_ndjson"]

_MAX_SHOWN = 200  # characters of an offending line kept in the error


class NDJSONDecodeError(StreamDecodeError):
    """A line of an NDJSON stream is not valid UTF-8 or not valid JSON.

    ``line`` is the offending line (without its line end), cut to about 200
    characters; ``lineno`` its 1-based number in the stream; ``reason`` what
    the JSON or UTF-8 decoder reported; ``parsed`` the values of the lines
    before it that the same ``feed`` completed (so that none is lost).
    """

    def __init__(self, reason: str, line: str, lineno: int, parsed: list[Any] | None = None) -> None:
        if len(line) > _MAX_SHOWN:
            line = line[:_MAX_SHOWN] + "..."
        super().__init__(reason, line, lineno, parsed=parsed)
        self.reason = reason
        self.line = line
        self.lineno = lineno

    def __str__(self) -> str:
        return f"invalid NDJSON on line {self.lineno}: {self.reason}: {self.line!r}"


class NDJSONDecoder:
    """Incremental decoder: ``feed`` each chunk as it arrives, then ``flush``.

    One decoder per stream. After an ``NDJSONDecodeError`` the stream is
    broken: the values of the lines before the bad one are in the error's
    ``parsed``, and the decoder should not be fed further.
    """

    def __init__(self) -> None:
        self._lines_buffer = LineBuffer()
        self._lineno = 0  # complete lines consumed so far

    def feed(self, chunk: bytes) -> list[Any]:
        """Consume ``chunk``; return the values of the lines it completes."""
        block = self._lines_buffer.take(chunk)
        return [] if block is None else self._decode(block)

    def flush(self) -> list[Any]:
        """Signal the end of the stream; return the last line's value if it
        had no newline.

        Returns ``[]`` when there is no such line or it is blank.
        """
        if not self._lines_buffer.pending:
            return []
        return self._decode(self._lines_buffer.rest())

    def _decode(self, block: bytes) -> list[Any]:
        """Parse ``block``: complete lines joined by LF, without the last LF."""
        first = self._lineno + 1
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = block.count(b"\n", 0, exc.start)
            raw_lines = block.split(b"\n")
            parsed = self._decode(b"\n".join(raw_lines[:bad])) if bad else []
            raise NDJSONDecodeError(
                f"invalid UTF-8: {exc.reason}",
                raw_lines[bad].decode("utf-8", "replace").rstrip("\r"),
                first + bad,
                parsed,
            ) from exc
        if self._lineno == 0:
            text = text.removeprefix("\ufeff")
        lines = text.split("\n")
        self._lineno += len(lines)
        values: list[Any] = []
        blanks = 0
        loads = json.loads
        for line in lines:
            try:
                values.append(loads(line))
            except ValueError as exc:
                if line.strip(" \t\r"):
                    raise NDJSONDecodeError(
                        str(exc), line.rstrip("\r"), first + len(values) + blanks, values
                    ) from exc
                blanks += 1
            except RecursionError:
                raise NDJSONDecodeError(
                    "JSON nested too deeply to decode", line.rstrip("\r"), first + len(values) + blanks, values
                ) from None
        return values


def iter_ndjson(chunks: Iterable[bytes]) -> Iterator[Any]:
    """Yield the parsed JSON value of each non-blank line of a stream."""
    decoder = NDJSONDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.flush()
