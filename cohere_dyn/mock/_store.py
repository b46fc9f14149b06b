"""The in-memory state of one mock server: stored records and the tokenizer's vocabulary.

Record keys that start with "_" are the mock's own bookkeeping; `public()` leaves them out.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from ._text import now

__all__ = ["Store", "Vocabulary", "advance", "public"]

# A token is a run of non-space characters with the whitespace before it, so joining the
# pieces gives back the text exactly.
_PIECE = re.compile(r"\s*\S+|\s+")
_FIRST_ID = 1000


class Vocabulary:
    """Text pieces and their ids, assigned on first sight; shared by tokenize and detokenize."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._pieces: dict[int, str] = {}
        self._lock = threading.Lock()

    def encode(self, text: str) -> tuple[list[int], list[str]]:
        pieces = _PIECE.findall(text)
        with self._lock:
            ids = [self._ids.setdefault(piece, _FIRST_ID + len(self._ids)) for piece in pieces]
            for ident, piece in zip(ids, pieces):
                self._pieces[ident] = piece
        return ids, pieces

    def decode(self, ids: list[int]) -> str:
        with self._lock:
            return "".join(self._pieces.get(ident, f"<{ident}>") for ident in ids)


class Store:
    """Named collections of records (`store.records("datasets")`), each an insertion-ordered
    dict of id -> record. Hold `store.lock` while reading or changing records."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.vocabulary = Vocabulary()
        self._collections: dict[str, dict[str, dict[str, Any]]] = {}
        self._counter = 0

    def records(self, kind: str) -> dict[str, dict[str, Any]]:
        return self._collections.setdefault(kind, {})

    def new_id(self, prefix: str) -> str:
        with self.lock:
            self._counter += 1
            return f"{prefix}-{self._counter:06d}"


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A record as the client sees it."""
    return {key: value for key, value in record.items() if not key.startswith("_")}


def advance(record: dict[str, Any], key: str, steps: dict[str, str]) -> None:
    """Move `record[key]` one step along `steps` (a status to its next), touching `updated_at`."""
    following = steps.get(record[key])
    if following is not None:
        record[key] = following
        record["updated_at"] = now()
