"""Pages of list answers: `page_size` and `page_token` in, a page and `next_page_token` out."""

from __future__ import annotations

import base64
import json
from typing import Any

from ._exchange import Call, Reply

__all__ = ["number", "paged"]


def number(value: Any, default: int) -> int:
    """A query parameter as a whole number (`"5"`, `"5.0"`), or `default`."""
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _page(call: Call, items: list[Any], default_size: int) -> tuple[list[Any], str | None] | Reply:
    """One page of `items` after `page_token`, and the token of the next page (None on the last).
    Tokens are base64 JSON `{"offset": n}`, as the API's own look."""
    size = number(call.arg("page_size"), 0) or default_size
    token = call.arg("page_token") or ""
    start = 0
    if token:
        try:
            start = json.loads(base64.b64decode(token, validate=True))["offset"]
            if not isinstance(start, int) or start < 0:
                raise ValueError(token)
        except (ValueError, TypeError, KeyError):
            return Reply(400, {"message": "page_token is not a token this server gave out"})
    end = start + size
    following = base64.b64encode(json.dumps({"offset": end}).encode()).decode() if end < len(items) else None
    return items[start:end], following


def paged(call: Call, items: list[Any], key: str, default_size: int, total: str | None = None) -> Any:
    """`{key: page, "next_page_token": ...}` (and the item count as `total`), or a 400 for a bad token."""
    found = _page(call, items, default_size)
    if isinstance(found, Reply):
        return found
    page, following = found
    answer: dict[str, Any] = {key: page}
    if following is not None:
        answer["next_page_token"] = following
    if total is not None:
        answer[total] = len(items)
    return answer
