"""Plausible text for the mock's answers: replies that refer to the request, word pieces, overlap."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import Any

__all__ = ["pieces", "quote", "reply_to", "overlap", "meta", "now", "new_id", "first_text"]

_WORD = re.compile(r"\w+", re.UNICODE)
_PIECE = re.compile(r"\s*\S+")


def pieces(text: str) -> list[str]:
    """Word-sized pieces that join back into `text` (each keeps the space before it)."""
    found = _PIECE.findall(text)
    tail = text[sum(map(len, found)) :]
    if tail and found:
        found[-1] += tail
    return found or ([text] if text else [])


def quote(text: str, words: int = 12) -> str:
    """The start of `text` on one line, cut after `words` words."""
    parts = text.split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")


def reply_to(message: str) -> str:
    said = quote(message)
    return (
        f'You said: "{said}". This is a reply from the cohere_dyn mock server.'
        if said
        else "Hello from the cohere_dyn mock server."
    )


def overlap(query: str, text: str) -> float:
    """The share of the query's words that `text` contains, in [0, 1]."""
    wanted = {word.lower() for word in _WORD.findall(query)}
    if not wanted:
        return 0.0
    present = {word.lower() for word in _WORD.findall(text)}
    return len(wanted & present) / len(wanted)


def meta(input_text: str = "", output_text: str = "", **billed: int) -> dict[str, Any]:
    """The `meta` object of a v1 answer, counting words as tokens."""
    tokens = {"input_tokens": len(input_text.split()), "output_tokens": len(output_text.split())}
    return {"api_version": {"version": "1"}, "billed_units": {**tokens, **billed}, "tokens": tokens}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def new_id() -> str:
    return str(uuid.uuid4())


def first_text(value: Any) -> str:
    """The text of a document or message content: a string as is, else its first text field."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("text", "snippet", "content", "title"):
            text = value.get(key)
            if isinstance(text, str):
                return text
        return next((item for key, item in value.items() if isinstance(item, str) and key not in ("type", "id")), "")
    if isinstance(value, list):
        return " ".join(filter(None, (first_text(item) for item in value)))
    return ""
