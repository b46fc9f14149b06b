"""Headers: names and values that could split a request (CR, LF, NUL) or that HTTP can't carry
are refused before anything is sent; extra headers merge case-insensitively."""

from __future__ import annotations

from .._errors import ValidationError, ValidationProblem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping

__all__ = ["check_header_name", "check_header_value", "merge_headers"]


# RFC 9110 token characters: what a header name may be made of.
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def check_header_value(name: str, value: str, where: str) -> None:
    """Refuse a value that could end the header (CR, LF, NUL) or that isn't Latin-1 text.

    The message never repeats the value: it may be the API key.
    """
    if not isinstance(value, str):
        raise TypeError(f"the {name} header must be a str, not {type(value).__name__}")
    if "\r" in value or "\n" in value or "\x00" in value:
        _refuse(name, "a header value can't contain CR, LF or NUL", where)
    if not value.isascii():
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            _refuse(name, "a header value must be Latin-1 text (HTTP can't carry other characters)", where)


def check_header_name(name: str, where: str) -> None:
    if not isinstance(name, str):
        raise TypeError(f"a header name must be a str, not {type(name).__name__}")
    if not name or not _TOKEN.issuperset(name):
        _refuse(name[:40], "a header name must be letters, digits and !#$%&'*+-.^_`|~ only", where)


def _refuse(name: str, message: str, where: str) -> None:
    path = f"headers.{name}" if name and _TOKEN.issuperset(name) else f"headers[{name!r}]"
    raise ValidationError(where, [ValidationProblem(path, message, "header")])


def merge_headers(headers: dict[str, str], extra: Mapping[str, str], where: str) -> None:
    """Add `extra` to `headers`, replacing any header of the same name whatever its case."""
    lowered = {name.lower(): name for name in headers}
    for name, value in extra.items():
        check_header_name(name, where)
        check_header_value(name, value, where)
        existing = lowered.get(name.lower())
        if existing is not None:
            del headers[existing]
        headers[name] = value
        lowered[name.lower()] = name
