"""How many requests a run keeps in flight (embed_stream, a batched embed), found while running,
and the shared pause.

`Window` is the policy, pure and clock-driven (additive increase, multiplicative decrease):

- it starts small and grows while answers come back: by one per answer until the first 429
  (a quick start), then by one per window's worth of answers; only while the window is actually
  full (a slow reader doesn't make it grow) and a window's worth of answers has come back since
  the last 429 (a window that draws the odd 429 is as large as it should be);
- a 429 pauses every worker until the server's Retry-After / retry-after-ms (or a backoff);
  when the pause ends, the waiting requests start one after another, the pause's length divided
  by the window apart, until an answer comes back, so they never all retry at the same instant.
  A server enforcing a rate limit answers a window slightly too large with the odd 429 whose
  pause costs little (the refused request goes again when the server said it may), so such a
  429 doesn't shrink the window, it only stops it growing for a window's worth of answers; a
  429 without a hint, or for a request that had already waited out two pauses, means the window
  is too large: it is cut by a quarter (once per wave: answers to requests sent before the last
  cut don't cut again);
- an answer much slower than the fastest seen (a server slowing under load) shrinks it by a
  quarter.

`Gate` and `AsyncGate` make workers wait on a `Window`: threads on a condition, tasks on an
asyncio one (`_throttled` sends through them), in the order their requests first asked (`Line`).
The window also bounds embed_stream's read-ahead: it reads a batch of inputs only when the
window has room for it, so memory follows the concurrency the server allows.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
from typing import Callable

__all__ = ["AsyncGate", "Gate", "Line", "Stopped", "Window", "DEFAULT_CEILING"]

DEFAULT_CEILING = 16  # 16 answers of 96 x 1024 floats in memory at once is about 160 MB
SLOW_FACTOR = 3.0  # an answer this many times slower than the fastest one, plus SLOW_MARGIN
SLOW_MARGIN = 0.1
MAX_STAGGER = 1.0


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
        self.stagger = 0.0  # after a pause, until an answer: the time between two starts
        self.next_start = 0.0
        self.cut_at = -1.0  # when the limit was last cut; -1: never
        self.fastest = float("inf")
        self.last_answer = clock()
        self.throttles = 0
        self.calm = start  # answers since the last 429: the window grows only after a window's worth

    def size(self) -> int:
        return max(1, round(self.limit))

    def wait_needed(self) -> float | None:
        """0: a request may start now; seconds: the pause left; None: the window is full."""
        now = self.clock()
        ready = max(self.resume_at, self.next_start)
        if now < ready:
            return ready - now
        if self.active >= self.size():
            return None
        return 0.0

    def start(self) -> float:
        self.active += 1
        now = self.clock()
        self.next_start = now + self.stagger
        return now

    def answered(self, sent_at: float) -> None:
        now = self.clock()
        full = self.active >= self.size()
        self.active -= 1
        self.stagger = self.next_start = 0.0
        self.last_answer = now
        latency = now - sent_at
        self.fastest = min(self.fastest, latency)
        if latency > SLOW_FACTOR * self.fastest + SLOW_MARGIN and sent_at > self.cut_at:
            self._cut(now, 0.75)
        elif full and self.calm >= self.size():
            self.limit = min(float(self.ceiling), self.limit + (1.0 if self.throttles == 0 else 1.0 / self.limit))
        self.calm += 1

    def throttled(self, sent_at: float, delay: float, again: bool = True) -> None:
        """A 429: `delay` seconds of pause for everyone. `again`: the request had waited out
        pauses already, or the server gave no hint (the window itself is too large)."""
        now = self.clock()
        self.active -= 1
        self.throttles += 1
        self.calm = 0
        self.resume_at = max(self.resume_at, now + delay)
        self.stagger = min(delay, MAX_STAGGER) / self.size()
        if again and sent_at > self.cut_at:
            self._cut(now, 0.75)

    def failed(self) -> None:
        self.active -= 1

    def stalled_for(self) -> float:
        """Seconds since the last answer (how long rate limiting has held everything up)."""
        return self.clock() - self.last_answer

    def _cut(self, now: float, factor: float) -> None:
        self.limit = max(1.0, self.limit * factor)
        self.cut_at = now


class Line:
    """The tickets of the requests waiting at a gate. The oldest starts first, so a request
    refused again and again is not overtaken by newer ones (embed_stream yields in order)."""

    def __init__(self) -> None:
        self.waiting: list[int] = []  # a heap
        self.tickets = itertools.count()

    def ticket(self) -> int:
        """A request's place in line, taken once and kept through its retries."""
        return next(self.tickets)

    def join(self, ticket: int) -> None:
        heapq.heappush(self.waiting, ticket)

    def first(self, ticket: int) -> bool:
        return self.waiting[0] == ticket

    def drop(self, ticket: int) -> None:
        if self.waiting[0] == ticket:
            heapq.heappop(self.waiting)
        else:
            self.waiting.remove(ticket)
            heapq.heapify(self.waiting)


class Gate:
    """Threads wait here for the window (the sync client)."""

    def __init__(self, window: Window):
        self.window = window
        self.line = Line()
        self.changed = threading.Condition()
        self.stopped = False

    def enter(self, ticket: int) -> float:
        """Wait for a place in the window, behind the requests of older tickets; the moment the
        request may be sent."""
        with self.changed:
            self.line.join(ticket)
            try:
                while True:
                    if self.stopped:
                        raise Stopped
                    wait = self.window.wait_needed()
                    if wait == 0.0 and self.line.first(ticket):
                        return self.window.start()
                    self.changed.wait(wait or None)  # not first in line: until the line moves
            finally:
                self.line.drop(ticket)
                self.changed.notify_all()

    def leave(self, outcome: Callable[[], None]) -> None:
        with self.changed:
            outcome()
            self.changed.notify_all()

    def stop(self) -> None:
        with self.changed:
            self.stopped = True
            self.changed.notify_all()


class AsyncGate:
    """Tasks wait here for the window (the async client)."""

    def __init__(self, window: Window):
        self.window = window
        self.line = Line()
        self.changed = asyncio.Condition()

    async def enter(self, ticket: int) -> float:
        async with self.changed:
            self.line.join(ticket)
            try:
                while True:
                    wait = self.window.wait_needed()
                    if wait == 0.0 and self.line.first(ticket):
                        return self.window.start()
                    try:
                        await asyncio.wait_for(self.changed.wait(), wait or None)
                    except asyncio.TimeoutError:
                        pass
            finally:
                self.line.drop(ticket)
                self.changed.notify_all()

    async def leave(self, outcome: Callable[[], None]) -> None:
        async with self.changed:
            outcome()
            self.changed.notify_all()
