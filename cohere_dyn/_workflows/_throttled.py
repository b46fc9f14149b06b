"""The requests of one run sent through one `Window`: paced, and a 429 pauses them all
(embed_stream, batching).

Each request is sent by the client's caller with its retries, except for 429s (`RateLimits.policy`):
those come back here, slow the run's pace and pause every worker at once for the wait the
server asked, at least a floor that grows while 429s follow one another (see `_limiter`), then
the request goes again, before newer ones. A run held up by rate limiting for longer than
`patience` seconds (no answer since) gives up: the 429 is raised, named by the run's `gave_up`.
Any other error is raised at once, named by the run's `failed` (the inputs of the request).
"""

from __future__ import annotations

from typing import Any, Callable

from .._call._prepare import PreparedRequest
from .._call._retry import RetryPolicy, server_hint
from .._errors import CohereError, TooManyRequestsError
from ._limiter import DEFAULT_CEILING, AsyncGate, Gate, Window

__all__ = ["RateLimits", "window_for"]

GiveUp = Callable[[TooManyRequestsError, str], CohereError]
Failed = Callable[[CohereError], CohereError]


def window_for(max_workers: int | None, ceiling: int = DEFAULT_CEILING) -> Window:
    """`max_workers` given: that many in flight from the start; else a small start growing to `ceiling`."""
    return Window(ceiling, start=2) if max_workers is None else Window(max_workers, start=max_workers)


class _NotRateLimits(RetryPolicy):
    """The client's retry policy, but a 429 is handed back to the run (one pause for all workers)."""

    def after_status(self, status_code: int, headers: Any, attempt: int, max_retries: int) -> float | None:
        if status_code == 429:
            return None
        return super().after_status(status_code, headers, attempt, max_retries)


class RateLimits:
    """One run's window, its patience and the pause after a 429."""

    def __init__(self, window: Window, patience: float):
        self.window = window
        self.patience = patience
        self.policy = _NotRateLimits()

    def refused(self, exc: TooManyRequestsError, sent_at: float, gave_up: GiveUp) -> None:
        """A 429 to the request sent at `sent_at`, told to the window (the caller holds the gate);
        past the patience, `gave_up`'s error is raised."""
        window = self.window
        pause = window.throttled(sent_at, *server_hint(getattr(exc, "headers", None) or {}))
        stalled = window.stalled_for()
        if stalled + pause > self.patience:
            reason = (
                f"rate limited for {stalled:.1f} s and asked to wait {pause:.1f} s more, past the patience of "
                f"{self.patience:g} s"
            )
            raise gave_up(exc, reason)

    def send(self, gate: Gate, caller: Any, prepared: PreparedRequest, failed: Failed, gave_up: GiveUp) -> tuple[Any, bytes]:
        """One request, in a worker thread: wait for the window, send, sit out 429s with everyone.
        The response (closed) and its body. Raises `Stopped` when the run ended meanwhile."""
        window = self.window
        ticket = gate.line.ticket()
        while True:
            sent_at = gate.enter(ticket)
            try:
                response = caller.send(prepared, retry=self.policy)
                try:
                    content = response.read()
                finally:
                    response.close()
            except TooManyRequestsError as exc:
                gate.leave(lambda: self.refused(exc, sent_at, gave_up))
                continue
            except CohereError as exc:
                gate.leave(window.failed)
                raise failed(exc) from exc.__cause__
            except BaseException:
                gate.leave(window.failed)
                raise
            gate.leave(lambda: window.answered(sent_at))
            return response, content

    async def send_async(
        self, gate: AsyncGate, caller: Any, prepared: PreparedRequest, failed: Failed, gave_up: GiveUp
    ) -> tuple[Any, bytes]:
        """`send` for a task of the async client."""
        window = self.window
        ticket = gate.line.ticket()
        while True:
            sent_at = await gate.enter(ticket)
            try:
                response = await caller.send(prepared, retry=self.policy)
                try:
                    content = await response.aread()
                finally:
                    await response.aclose()
            except TooManyRequestsError as exc:
                await gate.leave(lambda: self.refused(exc, sent_at, gave_up))
                continue
            except CohereError as exc:
                await gate.leave(window.failed)
                raise failed(exc) from exc.__cause__
            except BaseException:
                await gate.leave(window.failed)
                raise
            await gate.leave(lambda: window.answered(sent_at))
            return response, content
