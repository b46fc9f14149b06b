"""When to retry and how long to wait. Pure policy: the clients do the sleeping.

Retried (2 retries by default, so 3 attempts; `max_retries` per client or per call, 0 = one attempt):

- the statuses 408, 409, 429, 500, 502, 503 and 504 (any other status, 4xx or 5xx, is final);
- a connection that could not be made (refused, TLS) or that broke before the response's
  status line arrived (reset, closed without an answer);
- a connect timeout: nothing was sent.

Never retried:

- a host name that doesn't resolve: it won't within the backoff;
- an answer that isn't HTTP (a garbage status line, a header line past the parser's limit): the
  server received the request;
- a read timeout, before or after the status line. The server may still be working on the
  request (an LLM call can think for minutes and is billed), so whether to send it again is the
  caller's decision; raise the read timeout (`timeout=`, `Timeout(connect, read)`) instead;
- a connection that broke after the status line arrived (a body cut short: `ConnectionError`
  with `response_started=True`): the server saw and answered the request;
- a stream once its status arrived: a stream is only returned after a 2xx status, and anything
  after that (a cut, a timeout, a malformed event) raises `StreamError` with the events so far.

Every retry sends the same bytes: bodies, multipart ones included, are encoded once, before the
first attempt. Backoff is exponential with full jitter in its upper half (0.5 s, 1 s, 2 s, ...,
at most 8 s). A `retry-after-ms` or `Retry-After` header (seconds or an HTTP date) replaces the
backoff, capped at 60 s, but never below a floor that doubles with each retry (10 ms, 20 ms,
40 ms, ... at most 8 s): a server answering `Retry-After: 0` (or a negative value, a date in the
past, `retry-after-ms: 0`) again and again still gets a real pause each time, not a flood.
"""

from __future__ import annotations

import datetime
import email.utils
import math
import random
import time
from typing import Mapping

from .._errors import ConnectionError, TimeoutError

__all__ = ["RetryPolicy", "RETRYABLE_STATUSES", "MAX_PAUSE", "MIN_PAUSE", "pause_floor", "server_hint"]

RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
MIN_PAUSE = 0.01  # the shortest wait a server's hint buys, doubled for each refusal in a row
MAX_PAUSE = 8.0  # the longest backoff, and the floor's ceiling


def pause_floor(refusals: int) -> float:
    """The least wait after `refusals` refusals in a row (0 for the first): a hint of 0 is no licence to flood."""
    return min(MAX_PAUSE, MIN_PAUSE * 2 ** min(refusals, 32))


class RetryPolicy:
    """Decides, after each attempt, whether to try again and after how many seconds."""

    def __init__(self, initial_delay: float = 0.5, max_delay: float = MAX_PAUSE, max_retry_after: float = 60.0):
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after

    def after_failure(self, error: Exception, attempt: int, max_retries: int) -> float | None:
        """Seconds to wait before retrying after `error` (no response came), or None to give up."""
        if isinstance(error, ConnectionError):
            retryable = error.retryable
        else:
            retryable = isinstance(error, TimeoutError) and error.connect
        return self.delay(attempt) if retryable and attempt < max_retries else None

    def after_status(self, status_code: int, headers: Mapping[str, str], attempt: int, max_retries: int) -> float | None:
        """Seconds to wait before retrying after an error status, or None to give up."""
        if status_code in RETRYABLE_STATUSES and attempt < max_retries:
            return self.delay(attempt, headers)
        return None

    def delay(self, attempt: int, headers: Mapping[str, str] | None = None) -> float:
        """Seconds to wait before retry number `attempt + 1` (attempt counts from 0)."""
        hinted = server_hint(headers)[0] if headers is not None else None
        if hinted is not None:
            return min(max(hinted, pause_floor(attempt)), self.max_retry_after)
        ceiling = min(self.max_delay, self.initial_delay * (2 ** min(attempt, 32)))
        return random.uniform(ceiling / 2, ceiling)


def server_hint(headers: Mapping[str, str]) -> tuple[float | None, bool]:
    """The server's hint in seconds (None when it gave none that makes sense), and whether it
    was whole seconds (`Retry-After: 1`: any wait up to a second, rounded up) rather than precise
    (`retry-after-ms`, a fraction of a second, an HTTP date)."""
    headers = {str(name).lower(): value for name, value in headers.items()}  # any mapping, any case
    millis = _number(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000.0, False
    value = headers.get("retry-after")
    if value is None:
        return None, False
    seconds = _number(value)
    if seconds is not None:
        return seconds, seconds.is_integer()
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None, False
    if moment.tzinfo is None:  # an HTTP date is always GMT
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp() - time.time(), False


def _number(value: str | None) -> float | None:
    """A finite number of the header's text ("nan", "inf" and junk are no hint)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
