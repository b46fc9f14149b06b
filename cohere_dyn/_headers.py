"""Header values: refused when they could split a request (CR, LF, NUL); merged case-insensitively."""

from __future__ import annotations

from ._errors import ValidationError, ValidationProblem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping

__all__ = ["check_header_value", "merge_headers"]


def check_header_value(name: str, value: str, where: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"the {name} header must be a str, not {type(value).__name__}")
    if "\r" in value or "\n" in value or "\x00" in value:
        problem = ValidationProblem(f"headers.{name}", "a header value can't contain CR, LF or NUL", "header")
        raise ValidationError(where, [problem])


def merge_headers(headers: dict[str, str], extra: Mapping[str, str], where: str) -> None:
    """Add `extra` to `headers`, replacing any header of the same name whatever its case."""
    lowered = {name.lower(): name for name in headers}
    for name, value in extra.items():
        check_header_value(name, value, where)
        existing = lowered.get(name.lower())
        if existing is not None:
            del headers[existing]
        headers[name] = value
        lowered[name.lower()] = name
