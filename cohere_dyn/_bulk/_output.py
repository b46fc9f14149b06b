"""The output of `cohere-dyn embed`: one JSON line per input, whole lines only, resumable.

A line is `{"index": 0, "id": ..., "embedding": [...]}` (`id` when the input has one; with
several embedding types `embedding` maps each type to its vector). Lines are written in input
order, each in one write; `close()` flushes and fsyncs, so an interrupted run leaves whole
lines. `resume_point()` reads an existing file, cuts a torn last line (a killed process) and
says how many inputs are done.
"""

from __future__ import annotations

import json
import os
from typing import IO, Any, Iterable, Iterator

__all__ = ["OutputWriter", "encode_line", "resume_point", "output_lines"]


def resume_point(path: str) -> int:
    """The number of inputs already in `path` (its lines run 0, 1, 2...); a torn last line is cut off."""
    if not os.path.exists(path):
        return 0
    done = 0
    keep = 0
    with open(path, "rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                break
            try:
                index = json.loads(line)["index"]
            except (ValueError, KeyError, TypeError):
                break
            if index != done:
                raise ValueError(f"{path}: line {done + 1} has index {index}, expected {done}; not an output to resume")
            done += 1
            keep += len(line)
    if keep != os.path.getsize(path):
        with open(path, "r+b") as handle:
            handle.truncate(keep)
    return done


def encode_line(index: int, ident: Any, vectors: dict[str, Any], several_types: bool) -> bytes:
    entry: dict[str, Any] = {"index": index}
    if ident is not None:
        entry["id"] = ident
    entry["embedding"] = dict(vectors) if several_types else next(iter(vectors.values()))
    return (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def output_lines(results: Iterable[Any], ids: Iterator[Any], offset: int, several_types: bool) -> Iterator[bytes]:
    """One line per input from embed_stream's results (the types of an input come together)."""
    current: int | None = None
    vectors: dict[str, Any] = {}
    for result in results:
        if result.index != current and current is not None:
            yield encode_line(offset + current, next(ids), vectors, several_types)
            vectors.clear()
        current = result.index
        vectors[result.embedding_type] = result.embedding
    if current is not None:
        yield encode_line(offset + current, next(ids), vectors, several_types)


class OutputWriter:
    """Appends whole lines to the output; `close()` makes them durable."""

    def __init__(self, path: str, append: bool):
        self.path = path
        self.handle: IO[bytes] = open(path, "ab" if append else "wb")  # noqa: SIM115 - closed by close()
        self.lines = 0

    def write(self, line: bytes) -> None:
        self.handle.write(line)
        self.lines += 1

    def close(self) -> None:
        if self.handle.closed:
            return
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
