"""The output of `cohere-dyn embed`: one JSON line per input, whole lines only, resumable.

A line is `{"index": 0, "id": ..., "embedding": [...]}` (`id` when the input has one; with
several embedding types `embedding` maps each type to its vector). Lines are written in input
order, each in one write; `close()` flushes and fsyncs, so an interrupted run leaves whole
lines. `resume_point()` reads an existing file, cuts a torn last line (a killed process) and
says how many inputs are done.

`Output` guards the file for one run, before anything is written:

- it is opened without emptying it and locked (`flock`, exclusive, not waiting): a second run
  on the same file is refused. Where `fcntl` is missing (Windows) no lock is taken;
- the input itself (the same file, through a symlink or a hard link) is refused;
- without `resume`, a non-empty file is refused unless `overwrite` is given;
- it is emptied (unless resuming) only when the run `begin()`s, at its first line or once it
  has started something worth resuming (an upload), so a run that fails first leaves it as it
  was; a file the run created and never began is removed again.
"""

from __future__ import annotations

import json
import os
import stat
from typing import IO, Any, Iterable, Iterator

from ._corpus import Corpus
from ._embed_stream import JSONText
from ._record import OutputError, save_record

__all__ = ["Output", "encode_line", "resume_point", "per_input"]


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
                raise OutputError(f"{path}: line {done + 1} has index {index}, expected {done}; not an output to resume")
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
    if several_types:
        embedding = "{" + ",".join(f"{_json(kind)}:{_json(vector)}" for kind, vector in vectors.items()) + "}"
    else:
        embedding = _json(next(iter(vectors.values())))
    return f'{_json(entry)[:-1]},"embedding":{embedding}}}\n'.encode()


def _json(value: Any) -> str:
    """A vector already in JSON (`JSONText`: the server's numbers, copied) as it is."""
    return value if isinstance(value, JSONText) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def per_input(results: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Each input's vectors by type, in input order, from embed_stream's results (an input's types come together)."""
    current: int | None = None
    vectors: dict[str, Any] = {}
    for result in results:
        if result.index != current and current is not None:
            yield vectors
            vectors = {}
        current = result.index
        vectors[result.embedding_type] = result.embedding
    if current is not None:
        yield vectors


class Output:
    """OUTPUT for one run, guarded as the module docstring says; `record` is saved beside it."""

    def __init__(self, path: str, corpus: Corpus, *, resume: bool, overwrite: bool):
        self.path = path
        self.resume = resume
        self.record: dict[str, Any] = {}
        self.begun = False
        self.regular = False
        self.created, descriptor = _open(path)
        self.handle: IO[bytes] = open(descriptor, "ab")  # noqa: SIM115 - closed by close()
        try:
            _lock(self.handle, path)
            found, source = os.fstat(descriptor), corpus.identity()
            if (found.st_dev, found.st_ino) == (source.st_dev, source.st_ino):
                raise OutputError(f"{path} is the input itself ({corpus.name}, the same file or a link to it): write the output to another file")
            self.regular = stat.S_ISREG(found.st_mode)
            if self.regular and found.st_size and not resume and not overwrite:
                raise OutputError(f"{path} exists and is not empty: --resume continues it, --overwrite replaces it (nothing was written)")
        except BaseException:
            self.created = False  # another run may be writing it: leave the file alone
            self.close()
            raise

    def begin(self) -> None:
        """Start writing: empty the file unless resuming, and save the record."""
        if not self.resume and self.regular:
            os.ftruncate(self.handle.fileno(), 0)
        self.begun = True
        self.save_record()

    def save_record(self) -> None:
        if self.regular:
            save_record(self.path, self.record)

    def write(self, line: bytes) -> None:
        if not self.begun:
            self.begin()
        self.handle.write(line)

    def close(self) -> None:
        """Make the lines durable and the record current; remove a file created for nothing."""
        if self.handle.closed:
            return
        try:
            self.handle.flush()
            if self.regular:
                os.fsync(self.handle.fileno())
            if self.begun:
                self.save_record()
            elif self.created:
                os.unlink(self.path)
        finally:
            self.handle.close()  # releases the lock


def _open(path: str) -> tuple[bool, int]:
    """(created, descriptor): the file opened for appending, made if missing, never emptied."""
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0)
    try:
        return True, os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return False, os.open(path, flags)


def _lock(handle: IO[bytes], path: str) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: no lock; two runs on one output are the user's to avoid
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise OutputError(f"{path} is being written by another process (another cohere-dyn embed?): wait for it to end, or write elsewhere") from None
