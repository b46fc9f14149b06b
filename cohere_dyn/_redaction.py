"""Secrets out of everything an error shows, in every spelling a server could echo them in.

A server or a proxy may send back what a request carried: the API key of its Authorization
header, an AWS secret key or session token of a canonical request. What comes back may be spelt
plainly or escaped: JSON (`\\/`, `\\u002B` or `\\u002b` for any character, backslashes doubled
when JSON is nested), percent-encoding (`%2B`, `%2f`), HTML character references (`&#43;`,
`&#x2b;`, `&plus;`), form decoding (`+` read as a space), or base64 inside a longer text (at any
of its three alignments, either alphabet).

`redact(error, secrets)` removes every such spelling of every secret from all an error shows:
its message (`args`), its attributes (`body`, `headers`, `events`, `result`...), and the errors
it was raised from or while handling (`__cause__`, `__context__`, and exceptions in `args`). The
callers apply it to every error of a request (`_call`), the streams to every error met while
reading events, batching to an answer it decodes itself; a retry is logged from an error
already redacted. Secrets shorter than 6 characters are left alone (removing them would mangle
ordinary words); real ones are 20 to several hundred.

The HTTP libraries log what they couldn't parse (urllib3 quotes a malformed header line, which
may echo the key). A client `remember`s each key it sends (and a cloud client the credentials it
signs with), at most the last 16 of the process; from the first, a filter on the loggers of
cohere_dyn, urllib3, aiohttp and asyncio scrubs those secrets from every record they emit.

Nothing here runs unless an error is raised, a record is logged, or a new key is first sent:
the patterns are built on first need.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from re import Pattern
    from typing import Any, Iterable

__all__ = ["REDACTED", "redact", "remember", "scrub"]

REDACTED = "[redacted]"
SHORTEST = 6
REMEMBERED = 16
LOGGERS = (
    "cohere_dyn",
    "urllib3.connection",
    "urllib3.connectionpool",
    "urllib3.response",
    "urllib3.util.retry",
    "aiohttp.client",
    "aiohttp.internal",
    "asyncio",
)
_NAMED = {"/": "sol", "+": "plus", "=": "equals", "&": "amp", '"': "quot", "<": "lt", ">": "gt"}


def redact(error: BaseException, secrets: Iterable[str | None]) -> BaseException:
    """`error`, every spelling of `secrets` removed from all it shows (changed in place)."""
    pattern = _pattern_for(secrets)
    if pattern is not None:
        _redact_error(error, pattern, set())
    return error


def scrub(value: Any, secrets: Iterable[str | None]) -> Any:
    """`value` (text, bytes, or containers of them) with every spelling of `secrets` removed."""
    pattern = _pattern_for(secrets)
    return value if pattern is None else _scrub(value, pattern, set())


_known: tuple[str, ...] = ()  # the secrets log records are scrubbed of (replaced whole, never changed)


def remember(*secrets: str | None) -> None:
    """Secrets requests are about to carry: scrubbed from the log records of the HTTP libraries
    (and cohere_dyn's own) from now on."""
    global _known
    new = tuple(s for s in secrets if isinstance(s, str) and len(s) >= SHORTEST and s not in _known)
    if not new:
        return
    if not _known:
        import logging

        scrubber = _LogScrubber()
        for name in LOGGERS:
            logging.getLogger(name).addFilter(scrubber)
    _known = (*_known, *new)[-REMEMBERED:]


class _LogScrubber:
    """A logging filter: a record's message and exception without the remembered secrets."""

    def filter(self, record: Any) -> bool:
        known = _known
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments don't fit: logging reports it, not this filter
            return True
        cleaned = scrub(text, known)
        if cleaned != text:
            record.msg, record.args = cleaned, ()
        if record.exc_info and record.exc_info[1] is not None:
            redact(record.exc_info[1], known)
        return True


def _pattern_for(secrets: Iterable[str | None]) -> Pattern[str] | None:
    kept = tuple(sorted({secret for secret in secrets if isinstance(secret, str) and len(secret) >= SHORTEST}))
    return _pattern(kept) if kept else None


def _redact_error(error: BaseException, pattern: Pattern[str], seen: set[int]) -> None:
    if id(error) in seen:
        return
    seen.add(id(error))
    error.args = tuple(_scrub(arg, pattern, seen) for arg in error.args)
    for name, value in list(getattr(error, "__dict__", {}).items()):
        cleaned = _scrub(value, pattern, seen)
        if cleaned is not value:
            setattr(error, name, cleaned)
    if isinstance(error, OSError):  # their text is kept outside args once built
        for name in ("strerror", "filename", "filename2"):
            value = getattr(error, name, None)
            if isinstance(value, (str, bytes)):
                setattr(error, name, _scrub(value, pattern, seen))
    for linked in (error.__cause__, error.__context__):
        if linked is not None:
            _redact_error(linked, pattern, seen)


def _scrub(value: Any, pattern: Pattern[str], seen: set[int]) -> Any:
    if isinstance(value, str):
        return pattern.sub(REDACTED, value)
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value).decode("utf-8", "surrogateescape")
        cleaned = pattern.sub(REDACTED, text)
        return value if cleaned == text else type(value)(cleaned.encode("utf-8", "surrogateescape"))
    if isinstance(value, BaseException):
        _redact_error(value, pattern, seen)
        return value
    if isinstance(value, dict):
        pairs = {_scrub(key, pattern, seen): _scrub(item, pattern, seen) for key, item in value.items()}
        try:
            return type(value)(pairs)
        except TypeError:  # a dict subclass built some other way
            return pairs
    from ._models import Model, ModelList, wrap

    if isinstance(value, (list, tuple)):
        items = [_scrub(item, pattern, seen) for item in value]
        if type(value) is list or type(value) is tuple:
            return type(value)(items)
        if isinstance(value, ModelList):
            return ModelList(items, value._shape)
        make = getattr(value, "_make", None)  # a named tuple (aiohttp's RequestInfo, with the request's headers)
        return make(items) if callable(make) else value
    if isinstance(value, Model):  # a response object: an event, a job's last answer
        return wrap(_scrub(value.to_dict(), pattern, seen), value._shape)
    from collections.abc import Mapping

    if isinstance(value, Mapping):  # another library's headers (a multidict...)
        return {_scrub(key, pattern, seen): _scrub(item, pattern, seen) for key, item in value.items()}
    return value


_CACHE: dict[tuple[str, ...], Any] = {}


def _pattern(secrets: tuple[str, ...]) -> Pattern[str]:
    """One regular expression for every spelling of every secret (built once per set of secrets)."""
    found = _CACHE.get(secrets)
    if found is None:
        import re

        spellings = sorted({form for secret in secrets for form in _forms(secret)}, key=len, reverse=True)
        found = re.compile("|".join(_spelled(form) for form in spellings))
        if len(_CACHE) > 32:  # a key given as a callable may change: keep the recent ones
            _CACHE.clear()
        _CACHE[secrets] = found
    return found


def _forms(secret: str) -> list[str]:
    """The secret, and what base64 makes of it inside longer text: the characters that depend
    on its bits alone, for each of the three alignments, in the standard and URL-safe alphabets."""
    import base64

    data = secret.encode("utf-8")
    forms = [secret]
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode("ascii")
        first, end = (8 * offset + 5) // 6, 8 * (offset + len(data)) // 6  # the characters of its bits only
        core = encoded[first:end]
        if len(core) >= SHORTEST:
            forms += [core, core.replace("+", "-").replace("/", "_")]
    return forms


def _spelled(form: str) -> str:
    return "".join(_character(char) for char in form)


def _character(char: str) -> str:
    """Every way one character may be written in echoed text, as a regular expression."""
    import re

    code = ord(char)
    ways = [re.escape(char)]
    if char == "+":
        ways.append(" ")  # a form decoder's reading of it
    if char in '/"\\':
        ways.append(r"\\+" + re.escape(char))  # JSON's escape (doubled when JSON is nested in JSON)
    if code < 0x10000:
        ways.append(r"\\+u" + _hex(f"{code:04x}"))
    ways.append("".join("%" + _hex(f"{byte:02x}") for byte in char.encode("utf-8")))
    ways.append(f"&#0*{code};")
    ways.append(f"&#[xX]0*{_hex(f'{code:x}')};")
    if char in _NAMED:
        ways.append(f"&{_NAMED[char]};")
    return "(?:" + "|".join(ways) + ")"


def _hex(digits: str) -> str:
    """Hex digits in either case: `2b` -> `2[bB]`."""
    return "".join(f"[{digit}{digit.upper()}]" if digit.isalpha() else digit for digit in digits)
