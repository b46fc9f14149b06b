"""How many requests embed_stream keeps in flight, found while running, and the shared pause.

`Window` is the policy, pure and clock-driven (additive increase, multiplicative decrease):

- it starts small and grows while answers come back: by one per answer until the first sign of
  trouble (a quick start), then by one per window's worth of answers, and only while the window
  is actually full (a slow reader doesn't make it grow);
- a 429 halves it (once per wave: answers to requests sent before the last cut don't cut again)
  and pauses every worker until the server's Retry-After / retry-after-ms, or a backoff. When
  the pause ends one request probes alone; the others follow once it is answered, so the
  workers don't all retry at the same instant;
- an answer much slower than the fastest seen (a server slowing under load) shrinks it by a
  quarter.

`Gate` and `AsyncGate` make workers wait on a `Window`: threads on a condition, tasks on an
asyncio one. The window also bounds the read-ahead: embed_stream reads a batch of inputs only
when the window has room for it, so memory follows the concurrency the server allows.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Callable

__all__ = ["AsyncGate", "Gate", "Stopped", "Window", "DEFAULT_CEILING"]

DEFAULT_CEILING = 16  # 16 answers of 96 x 1024 floats in memory at once is about 160 MB
SLOW_FACTOR = 3.0  # an answer this many times slower than the fastest one, plus SLOW_MARGIN
SLOW_MARGIN = 0.1


class Stopped(Exception):
    """The run ended (an error elsewhere, or the reader left): a waiting worker gives up."""


class Window:
    """The number of requests allowed in flight and the pause after a 429 (see the module doc)."""

    def __init__(self, ceiling: int, start: int = 2, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.ceiling = ceiling
        self.limit = float(min(start, ceiling))
        self.active = 0
        self.resume_at = 0.0
        self.probing = False
        self.cut_at = -1.0  # when the limit was last cut; -1: never (still in the quick start)
        self.fastest = float("inf")
        self.last_answer = clock()
        self.throttles = 0

    def size(self) -> int:
        return max(1, int(self.limit))

    def wait_needed(self) -> float | None:
        """0: a request may start now; seconds: the pause left; None: the window is full."""
        now = self.clock()
        if now < self.resume_at:
            return self.resume_at - now
        if self.active >= (1 if self.probing else self.size()):
            return None
        return 0.0

    def start(self) -> float:
        self.active += 1
        return self.clock()

    def answered(self, sent_at: float) -> None:
        now = self.clock()
        full = self.active >= self.size()
        self.active -= 1
        self.probing = False
        self.last_answer = now
        latency = now - sent_at
        self.fastest = min(self.fastest, latency)
        if latency > SLOW_FACTOR * self.fastest + SLOW_MARGIN and sent_at > self.cut_at:
            self._cut(now, 0.75)
        elif full:
            self.limit = min(float(self.ceiling), self.limit + (1.0 if self.cut_at < 0 else 1.0 / self.limit))

    def throttled(self, sent_at: float, delay: float) -> None:
        now = self.clock()
        self.active -= 1
        self.throttles += 1
        self.resume_at = max(self.resume_at, now + delay)
        self.probing = True
        if sent_at > self.cut_at:
            self._cut(now, 0.5)

    def failed(self) -> None:
        self.active -= 1

    def stalled_for(self) -> float:
        """Seconds since the last answer (how long rate limiting has held everything up)."""
        return self.clock() - self.last_answer

    def _cut(self, now: float, factor: float) -> None:
        self.limit = max(1.0, self.limit * factor)
        self.cut_at = now


class Gate:
    """Threads wait here for the window (sync embed_stream)."""

    def __init__(self, window: Window):
        self.window = window
        self.changed = threading.Condition()
        self.stopped = False

    def enter(self) -> float:
        """Wait for a place in the window; the moment the request may be sent."""
        with self.changed:
            while True:
                if self.stopped:
                    raise Stopped
                wait = self.window.wait_needed()
                if wait == 0.0:
                    return self.window.start()
                self.changed.wait(wait)

    def leave(self, outcome: Callable[[], None]) -> None:
        with self.changed:
            outcome()
            self.changed.notify_all()

    def stop(self) -> None:
        with self.changed:
            self.stopped = True
            self.changed.notify_all()


class AsyncGate:
    """Tasks wait here for the window (async embed_stream)."""

    def __init__(self, window: Window):
        self.window = window
        self.changed = asyncio.Condition()

    async def enter(self) -> float:
        async with self.changed:
            while True:
                wait = self.window.wait_needed()
                if wait == 0.0:
                    return self.window.start()
                try:
                    await asyncio.wait_for(self.changed.wait(), wait)
                except asyncio.TimeoutError:
                    pass

    async def leave(self, outcome: Callable[[], None]) -> None:
        async with self.changed:
            outcome()
            self.changed.notify_all()
