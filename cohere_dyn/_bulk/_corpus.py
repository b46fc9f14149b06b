"""Reading a corpus to embed: .jsonl (a field of each object), .csv (a column), .txt (one text a
line) or `-` (standard input), one record at a time, never the whole file.

The file is opened when the `Corpus` is made (a missing input fails before anything else) and
read as UTF-8, a line at a time, so that every problem names its 1-based line: `in.jsonl:43: ...`.
Blank lines (and blank .csv rows) hold no text to embed: they are skipped and counted (`blank`),
so `index` in the output counts the inputs, not the lines.
"""

from __future__ import annotations

import csv
import json
import os
import stat
import sys
from typing import IO, Any, Iterator

__all__ = ["FORMATS", "Corpus", "InputError", "Record", "corpus_format", "count_records"]

FORMATS = ("jsonl", "csv", "txt")
STDIN_NAME = "<stdin>"


class InputError(ValueError):
    """A corpus (or its line) that can't be embedded; the message starts `path:line:`."""


class Record:
    __slots__ = ("id", "text", "line")

    def __init__(self, text: Any, id: Any = None, line: int = 0):
        self.text = text
        self.id = id
        self.line = line


def corpus_format(path: str, given: str | None = None) -> str:
    """The format named, else the file's extension's; `-` without a name is one text a line."""
    if given is not None:
        return given
    extension = os.path.splitext(path)[1].lower().lstrip(".")
    if extension in ("jsonl", "ndjson"):
        return "jsonl"
    if extension in ("csv", "txt"):
        return extension
    if path == "-":
        return "txt"
    raise InputError(f"{path}: can't tell the format from the extension; pass --format {'/'.join(FORMATS)}")


class Corpus:
    """The records of one input, read once, lazily: iterate it (or `records()`) for `Record`s."""

    def __init__(self, path: str, kind: str, field: str = "text", id_field: str = "id"):
        self.path = path
        self.name = STDIN_NAME if path == "-" else path
        self.kind = kind
        self.field = field
        self.id_field = id_field
        self.blank = 0  # blank lines (or .csv rows) skipped so far
        # `-`: standard input, read through a handle that leaves it open when done
        try:
            self.handle: IO[bytes] = open(sys.stdin.fileno(), "rb", closefd=False) if path == "-" else open(path, "rb")  # noqa: SIM115 - closed when read through
        except OSError as exc:
            raise InputError(f"{self.name}: can't read the input ({exc.strerror or exc})") from None

    def identity(self) -> os.stat_result:
        """What the open input is on disk (to tell whether OUTPUT is the same file)."""
        return os.fstat(self.handle.fileno())

    def __iter__(self) -> Iterator[Record]:
        return self.records()

    def records(self) -> Iterator[Record]:
        with self.handle:
            if self.kind == "txt":
                yield from self._texts()
            elif self.kind == "csv":
                yield from self._rows()
            else:
                yield from self._objects()

    def _lines(self) -> Iterator[tuple[int, str]]:
        """(1-based number, text) of each line, decoded as UTF-8 (a leading byte-order mark dropped)."""
        for number, raw in enumerate(self.handle, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{self.name}:{number}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); save the file as UTF-8"
                ) from None
            if number == 1 and line.startswith("\ufeff"):
                line = line[1:]
            yield number, line

    def _texts(self) -> Iterator[Record]:
        for number, line in self._lines():
            text = line.rstrip("\r\n")
            if text.strip():
                yield Record(text, None, number)
            else:
                self.blank += 1

    def _objects(self) -> Iterator[Record]:
        field, id_field = self.field, self.id_field
        for number, line in self._lines():
            if not line.strip():
                self.blank += 1
                continue
            try:
                item = json.loads(line)
            except ValueError as exc:
                raise InputError(f"{self.name}:{number}: not a JSON line ({exc})") from None
            if not isinstance(item, dict) or field not in item:
                raise InputError(f"{self.name}:{number}: expected an object with a {field!r} field; pass --field")
            yield Record(item[field], item.get(id_field), number)

    def _rows(self) -> Iterator[Record]:
        rows = csv.reader(line for _, line in self._lines())
        header = self._row(rows)
        if header is None:
            return
        if self.field not in header:
            raise InputError(f"{self.name}:{rows.line_num}: no column {self.field!r} (columns: {', '.join(header)}); pass --field")
        at, id_at = header.index(self.field), header.index(self.id_field) if self.id_field in header else None
        while True:
            start = rows.line_num + 1
            row = self._row(rows)
            if row is None:
                return
            if not row:
                self.blank += 1
            elif at >= len(row):
                raise InputError(f"{self.name}:{start}: no value in column {self.field!r} ({len(row)} of {len(header)} columns)")
            else:
                yield Record(row[at], row[id_at] if id_at is not None and id_at < len(row) else None, start)

    def _row(self, rows: Any) -> list[str] | None:
        try:
            return next(rows, None)
        except csv.Error as exc:
            raise InputError(f"{self.name}:{rows.line_num}: not a CSV row ({exc})") from None


def count_records(path: str, kind: str) -> int | None:
    """How many texts a file holds (for an ETA): its non-blank lines; None for standard input or
    a pipe (which can be read only once)."""
    if path == "-" or not stat.S_ISREG(os.stat(path).st_mode):
        return None
    count = 0
    with open(path, "rb") as handle:
        for line in handle:
            count += bool(line.strip())
    return count - 1 if kind == "csv" else count
