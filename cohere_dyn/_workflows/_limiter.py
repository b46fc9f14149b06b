"""How a run's requests are paced and how many are in flight (embed_stream, a batched embed),
found while running.

`Window` is the policy, pure and clock-driven:

- **Pace.** Until the first 429 a request starts as soon as the window has room. A 429 says the
  run sends faster than the server admits: from then on request starts are spaced out, at a
  tenth less than the rate of the last second's starts (once per wave of 429s: a 429 to a
  request sent before the last one came back doesn't cut again; a wave that follows another
  with no answer between cuts harder). While requests go out at that pace and are admitted,
  the rate creeps back up, by RISE per second plus RISE_GAIN per second since the last 429, so
  a run settles just under the server's limit, seldom refused, instead of bursting and waiting
  whole seconds. After a storm (cut again and again, then a second without a 429) the rate
  returns within a second or so to the pace the server last admitted for a while.
- **Pause.** A 429 also holds every start for the wait the server asked: `retry-after-ms`
  (or a fractional `Retry-After`, an HTTP date) exactly; a whole-second `Retry-After: N` only
  says the wait is more than N - 1 seconds (a server rounds any shorter wait up to 1), so that
  long, the pace deciding the rest. Never less than a floor doubling with each wave since the
  last answer (`_retry.pause_floor`: 10 ms, 20 ms, ... 8 s), so a server answering
  `Retry-After: 0` gets ever fewer requests, not a flood. The next start waits at least one
  interval of the new pace; the refused request goes first (`Line`).
- **Concurrency.** The window starts small and grows while answers come back: by one per
  answer until the first 429 (doubling each round trip), then by one per window's worth of
  answers; only for answers to requests during whose flight the window was full (a slow reader
  or the pace doesn't make it grow), and once a window's worth of answers has come back since
  the last 429. An answer much slower than the fastest seen (a server slowing under load)
  shrinks it by a quarter (once per wave: answers to requests sent before the last cut don't
  cut again). 429s are the pace's business, not the window's.

`Gate` and `AsyncGate` make workers wait on a `Window`: threads, or tasks, in the order their
requests first asked (`Line`); only the first in line waits for the window, so each change
wakes one worker. The window also bounds embed_stream's read-ahead: it reads a batch of inputs
only when the window has room for it, so memory follows the concurrency the server allows.
"""

from __future__ import annotations

import asyncio
import collections
import heapq
import itertools
import threading
import time
from typing import Callable

from .._call._retry import MAX_PAUSE, pause_floor

__all__ = ["AsyncGate", "Gate", "Line", "Stopped", "Window", "DEFAULT_CEILING"]

DEFAULT_CEILING = 16  # 16 answers of 96 x 1024 floats in memory at once is about 160 MB
SLOW_FACTOR = 3.0  # an answer this many times slower than the fastest one, plus SLOW_MARGIN
SLOW_MARGIN = 0.1
CUT = 0.9  # a wave of 429s: the pace drops to this share of the rate
RISE = 0.02  # the pace's growth per second while requests are admitted...
RISE_GAIN = 0.05  # ... plus this much per second since the last 429
STORM_OVER = 1.0  # seconds without a 429 after a storm
CALM_ANSWERS = 10  # answers without a 429 before one: the rate refused was about the server's
RETURN = 4.0  # growth per second back to the peak's pace after a storm
RATE_SPAN = 1.0  # seconds the rate of starts is measured over
KEPT = 0.9  # the pace rises only while starts keep up with this share of it
MIN_RATE = 1.0 / MAX_PAUSE  # the pace never holds a request longer than the longest floor


class Stopped(Exception):
    """The run ended (an error elsewhere, or the reader left): a waiting worker gives up."""


class Window:
    """The pace of request starts, the number of requests in flight and the pause after a 429
    (see the module doc)."""

    def __init__(self, ceiling: int, start: int = 2, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.ceiling = ceiling
        self.limit = float(min(start, ceiling))
        self.active = 0
        self.rate = 0.0  # starts per second; 0: no pace (no 429 yet)
        self.peak = 0.0  # the rate refused after a calm: about the server's own limit
        self.interval = 0.0  # 1 / rate
        self.next_start = 0.0
        self.resume_at = 0.0
        self.wave_at = float("-inf")  # when the last wave of 429s began
        self.rose_at = 0.0  # when the rate last changed
        self.probing_since = 0.0  # since the last 429 (or the return to the peak): the rate grows faster
        self.strikes = 0  # waves of 429s since the last answer
        self.starts: collections.deque[float] = collections.deque()  # when, over the last RATE_SPAN
        self.first_start = float("inf")
        self.cut_at = -1.0  # when the window was last cut; -1: never
        self.filled_at = float("-inf")  # when a start last filled the window
        self.fastest = float("inf")
        self.last_answer = clock()
        self.throttles = 0
        self.calm = start  # answers since the last 429: the window grows only after a window's worth

    def size(self) -> int:
        return max(1, round(self.limit))

    def wait_needed(self) -> float | None:
        """0: a request may start now; seconds: the pause or pace left; None: the window is full."""
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
        self._forget_starts_before(now - RATE_SPAN)
        self.starts.append(now)
        self.first_start = min(self.first_start, now)
        if self.active >= self.size():
            self.filled_at = now
        if self.interval:
            late = now - self.next_start
            # a start woken a little late doesn't push the next ones back (half an interval at most)
            self.next_start = (now if late > self.interval / 2 else self.next_start) + self.interval
        return now

    def answered(self, sent_at: float) -> None:
        now = self.clock()
        full = self.filled_at >= sent_at  # the window held requests back while this one was out
        self.active -= 1
        self.strikes = 0
        self.last_answer = now
        latency = now - sent_at
        self.fastest = min(self.fastest, latency)
        if latency > SLOW_FACTOR * self.fastest + SLOW_MARGIN and sent_at > self.cut_at:
            self.limit = max(1.0, self.limit * 0.75)
            self.cut_at = now
        elif full and self.calm >= self.size():
            self.limit = min(float(self.ceiling), self.limit + (1.0 if self.throttles == 0 else 1.0 / self.limit))
        self.calm += 1
        if self.rate:
            step = min(now - self.rose_at, 1.0)
            if self.rate < CUT * self.peak and now - self.wave_at > STORM_OVER:  # cut again and again, now over
                self._pace(min(CUT * self.peak, self.rate * RETURN**step), now)
                self.probing_since = now
            elif self._recent_rate(now) > KEPT * self.rate:  # requests actually go at the pace, not slower
                self._pace(self.rate * (1.0 + (RISE + RISE_GAIN * (now - self.probing_since)) * step), now)

    def throttled(self, sent_at: float, hint: float | None = None, whole_seconds: bool = False) -> float:
        """A 429 to the request sent at `sent_at`, with the server's hint in seconds (`whole_seconds`:
        a `Retry-After` in whole seconds). Every start waits; how long, returned."""
        now = self.clock()
        self.active -= 1
        self.throttles += 1
        if sent_at > self.wave_at:
            if self.calm >= CALM_ANSWERS:
                self.peak = self.rate
            self.wave_at = self.probing_since = now
            self.strikes += 1
            rate = self.rate or self._recent_rate(now)
            if rate:
                self._pace(max(CUT**self.strikes, 0.5) * rate, now)  # refused again and again: cut harder
        self.calm = 0
        pause = max(pause_floor(self.strikes - 1), (hint or 0.0) - (1.0 if whole_seconds else 0.0))
        self.resume_at = max(self.resume_at, now + pause)
        self.next_start = max(self.next_start, self.resume_at, now + self.interval)
        return pause

    def failed(self) -> None:
        self.active -= 1

    def stalled_for(self) -> float:
        """Seconds since the last answer (how long rate limiting has held everything up)."""
        return self.clock() - self.last_answer

    def _recent_rate(self, now: float) -> float:
        """Starts per second over the last RATE_SPAN (or since the first, if sooner); 0 if unknown."""
        self._forget_starts_before(now - RATE_SPAN)
        span = min(RATE_SPAN, now - self.first_start)
        return len(self.starts) / span if span > 0 else 0.0

    def _forget_starts_before(self, moment: float) -> None:
        starts = self.starts
        while starts and starts[0] < moment:
            starts.popleft()

    def _pace(self, rate: float, now: float) -> None:
        self.rate = max(rate, MIN_RATE)
        self.interval = 1.0 / self.rate
        self.rose_at = now


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
    """Threads wait here for the window (the sync client). Only the first in line waits for the
    window (until the pace or pause allows, or until told that it changed); the others wait to
    be first. So each change wakes one thread, not every one waiting."""

    def __init__(self, window: Window):
        self.window = window
        self.line = Line()
        self.lock = threading.Lock()
        self.waiting: dict[int, threading.Condition] = {}  # ticket -> what its thread waits on
        self.stopped = False

    def enter(self, ticket: int) -> float:
        """Wait for a place in the window, behind the requests of older tickets; the moment the
        request may be sent."""
        with self.lock:
            self.line.join(ticket)
            self.waiting[ticket] = woken = threading.Condition(self.lock)
            try:
                while True:
                    if self.stopped:
                        raise Stopped
                    if not self.line.first(ticket):
                        woken.wait()
                        continue
                    wait = self.window.wait_needed()
                    if wait == 0.0:
                        return self.window.start()
                    woken.wait(wait)  # None: the window is full, until an answer
            finally:
                del self.waiting[ticket]
                self.line.drop(ticket)
                self._wake_first()

    def leave(self, outcome: Callable[[], None]) -> None:
        with self.lock:
            try:
                outcome()
            finally:
                self._wake_first()

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            for woken in self.waiting.values():
                woken.notify()

    def _wake_first(self) -> None:
        if self.line.waiting:
            self.waiting[self.line.waiting[0]].notify()


class AsyncGate:
    """Tasks wait here for the window (the async client), as threads do at a `Gate`."""

    def __init__(self, window: Window):
        self.window = window
        self.line = Line()
        self.waiting: dict[int, asyncio.Future[None]] = {}

    async def enter(self, ticket: int) -> float:
        loop = asyncio.get_running_loop()
        self.line.join(ticket)
        try:
            while True:
                wait = self.window.wait_needed() if self.line.first(ticket) else None
                if wait == 0.0:
                    return self.window.start()
                self.waiting[ticket] = woken = loop.create_future()
                timer = loop.call_later(wait, _wake, woken) if wait else None
                try:
                    await woken
                finally:
                    del self.waiting[ticket]
                    if timer is not None:
                        timer.cancel()
        finally:
            self.line.drop(ticket)
            self._wake_first()

    async def leave(self, outcome: Callable[[], None]) -> None:
        try:
            outcome()
        finally:
            self._wake_first()

    def _wake_first(self) -> None:
        if self.line.waiting:
            woken = self.waiting.get(self.line.waiting[0])
            if woken is not None:
                _wake(woken)


def _wake(woken: asyncio.Future[None]) -> None:
    if not woken.done():
        woken.set_result(None)
