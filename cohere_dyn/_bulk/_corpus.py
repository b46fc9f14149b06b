"""Reading a corpus to embed: .jsonl (a field of each object), .csv (a column), .txt (one text a
line) or `-` (standard input), one record at a time, never the whole file."""

from __future__ import annotations

import csv
import json
import os
import sys
from typing import IO, Any, Iterator

__all__ = ["FORMATS", "Record", "corpus_format", "count_records", "read_corpus"]

FORMATS = ("jsonl", "csv", "txt")


class Record:
    __slots__ = ("id", "text")

    def __init__(self, text: Any, id: Any = None):
        self.text = text
        self.id = id


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
    raise ValueError(f"{path}: can't tell the format from the extension; pass --format {'/'.join(FORMATS)}")


def read_corpus(path: str, kind: str, field: str = "text", id_field: str = "id") -> Iterator[Record]:
    """The records of `path`, lazily; a line without the field is an error naming the line."""
    # `-`: standard input, read through a handle that leaves it open when done
    handle: IO[str] = open(sys.stdin.fileno(), encoding="utf-8", newline="", closefd=False) if path == "-" else open(path, encoding="utf-8", newline="")
    with handle:
        if kind == "txt":
            for line in handle:
                text = line.rstrip("\r\n")
                if text.strip():
                    yield Record(text)
        elif kind == "csv":
            rows = csv.DictReader(handle)
            if rows.fieldnames is not None and field not in rows.fieldnames:
                raise ValueError(f"{path}: no column {field!r} (columns: {', '.join(rows.fieldnames)}); pass --field")
            for row in rows:
                yield Record(row[field], row.get(id_field))
        else:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except ValueError as exc:
                    raise ValueError(f"{path}:{number}: not a JSON line ({exc})") from None
                if not isinstance(item, dict) or field not in item:
                    raise ValueError(f"{path}:{number}: expected an object with a {field!r} field; pass --field")
                yield Record(item[field], item.get(id_field))


def count_records(path: str, kind: str) -> int | None:
    """How many texts a file holds (for an ETA): its non-blank lines; None for standard input."""
    if path == "-":
        return None
    count = 0
    with open(path, "rb") as handle:
        for line in handle:
            count += bool(line.strip())
    return count - 1 if kind == "csv" else count
