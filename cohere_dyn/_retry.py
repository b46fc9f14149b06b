"""When to retry and how long to wait. Pure policy: the clients do the sleeping.

Retried: 408, 409, 429, 500, 502, 503, 504, and connection failures before any response.
Never retried: other statuses, and a stream once any of its bytes were received. A read timeout
is not retried: the server may still be working on the request (an LLM call can be expensive),
so the caller decides; a connect timeout is retried like any connection failure.
Backoff is exponential with full jitter, capped; `Retry-After` (seconds or HTTP date) and
`retry-after-ms` are honoured up to a cap.
"""

from __future__ import annotations

import email.utils
import random
import time
from typing import Mapping

from ._errors import ConnectionError, TimeoutError

__all__ = ["RetryPolicy", "RETRYABLE_STATUSES"]

RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


class RetryPolicy:
    """Decides, after each attempt, whether to try again and after how many seconds."""

    def __init__(self, initial_delay: float = 0.5, max_delay: float = 8.0, max_retry_after: float = 60.0):
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after

    def after_failure(self, error: Exception, attempt: int, max_retries: int) -> float | None:
        """Seconds to wait before retrying after `error` (no response came), or None to give up."""
        retryable = isinstance(error, ConnectionError) or (isinstance(error, TimeoutError) and error.connect)
        return self.delay(attempt) if retryable and attempt < max_retries else None

    def after_status(self, status_code: int, headers: Mapping[str, str], attempt: int, max_retries: int) -> float | None:
        """Seconds to wait before retrying after an error status, or None to give up."""
        if status_code in RETRYABLE_STATUSES and attempt < max_retries:
            return self.delay(attempt, headers)
        return None

    def delay(self, attempt: int, headers: Mapping[str, str] | None = None) -> float:
        """Seconds to wait before retry number `attempt + 1` (attempt counts from 0)."""
        hinted = _retry_after(headers) if headers is not None else None
        if hinted is not None:
            return min(max(hinted, 0.0), self.max_retry_after)
        ceiling = min(self.max_delay, self.initial_delay * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return float(millis) / 1000.0
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment.timestamp() - time.time()
