"""The embed_stream concurrency window, on a fake clock: grows, halves, pauses, probes; and the
gates that keep waiting requests in line."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from cohere_dyn._workflows._limiter import AsyncGate, Gate, Line, Stopped, Window


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def full_round(window: Window, clock: Clock, latency: float = 0.1) -> None:
    sent = [window.start() for _ in range(window.size())]
    clock.now += latency
    for sent_at in sent:
        window.answered(sent_at)


def test_the_window_grows_while_it_is_kept_full() -> None:
    clock = Clock()
    window = Window(16, start=2, clock=clock)
    in_flight = [window.start(), window.start()]
    for _ in range(2):
        clock.now += 0.1
        window.answered(in_flight.pop(0))
        while window.wait_needed() == 0.0:
            in_flight.append(window.start())
    assert window.size() == 4


def test_the_window_does_not_grow_when_it_is_not_full() -> None:
    clock = Clock()
    window = Window(16, start=4, clock=clock)
    for _ in range(10):
        sent_at = window.start()
        clock.now += 0.1
        window.answered(sent_at)
    assert window.size() == 4


def test_the_window_never_passes_its_ceiling() -> None:
    clock = Clock()
    window = Window(5, start=2, clock=clock)
    for _ in range(10):
        full_round(window, clock)
    assert window.size() == 5


def test_a_wave_of_429s_cuts_the_window_once_and_pauses_everyone() -> None:
    clock = Clock()
    window = Window(16, start=8, clock=clock)
    sent = [window.start() for _ in range(8)]
    clock.now += 0.05
    for sent_at in sent:
        window.throttled(sent_at, 0.5)
    assert window.size() == 6
    assert window.wait_needed() == 0.5


def test_after_a_pause_starts_are_staggered_until_an_answer() -> None:
    clock = Clock()
    window = Window(16, start=4, clock=clock)
    window.throttled(window.start(), 0.4, again=False)
    clock.now += 0.4
    assert window.wait_needed() == 0.0
    first = window.start()
    assert window.wait_needed() == pytest.approx(0.1)
    clock.now += 0.1
    window.answered(first)
    assert window.wait_needed() == 0.0


def test_a_429_with_a_hint_pauses_without_shrinking_the_window() -> None:
    clock = Clock()
    window = Window(16, start=4, clock=clock)
    window.throttled(window.start(), 0.05, again=False)
    assert window.size() == 4


def test_a_much_slower_answer_shrinks_the_window() -> None:
    clock = Clock()
    window = Window(16, start=8, clock=clock)
    full_round(window, clock, latency=0.1)
    before = window.limit
    sent_at = window.start()
    clock.now += 2.0
    window.answered(sent_at)
    assert window.limit == before * 0.75


def test_stalled_for_counts_from_the_last_answer() -> None:
    clock = Clock()
    window = Window(16, clock=clock)
    sent_at = window.start()
    clock.now += 1.0
    window.answered(sent_at)
    clock.now += 3.0
    assert window.stalled_for() == 3.0


def test_the_line_lets_the_oldest_ticket_go_first_whatever_the_order_of_joining() -> None:
    line = Line()
    first, second, third = line.ticket(), line.ticket(), line.ticket()
    for ticket in (third, first, second):
        line.join(ticket)
    assert line.first(first) and not line.first(second)
    line.drop(second)  # a worker that gave up, out of turn
    line.drop(first)
    assert line.first(third)


def test_a_request_refused_and_retried_starts_before_newer_ones_waiting_at_the_gate() -> None:
    gate = Gate(Window(ceiling=1, start=1))
    retried = gate.line.ticket()
    sent_at = gate.enter(retried)
    newer = [gate.line.ticket() for _ in range(4)]
    started: list[int] = []

    def worker(ticket: int) -> None:
        started_at = gate.enter(ticket)
        started.append(ticket)
        gate.leave(lambda: gate.window.answered(started_at))

    threads = [threading.Thread(target=worker, args=(ticket,)) for ticket in reversed(newer)]
    for thread in threads:
        thread.start()
    while len(gate.line.waiting) < len(newer):  # every newer request waits for the full window
        time.sleep(0.001)
    gate.leave(lambda: gate.window.throttled(sent_at, 0.2))  # a 429: everyone pauses, then it asks again
    threads.append(threading.Thread(target=worker, args=(retried,)))
    threads[-1].start()
    for thread in threads:
        thread.join(5)
    assert started == [retried, *newer]


def test_a_stopped_gate_lets_every_waiting_worker_go_and_keeps_no_ticket() -> None:
    gate = Gate(Window(ceiling=1, start=1))
    gate.enter(gate.line.ticket())
    outcomes: list[str] = []

    def worker() -> None:
        try:
            gate.enter(gate.line.ticket())
        except Stopped:
            outcomes.append("stopped")

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    while len(gate.line.waiting) < 3:
        time.sleep(0.001)
    gate.stop()
    for thread in threads:
        thread.join(5)
    assert outcomes == ["stopped"] * 3 and gate.line.waiting == []


def test_the_async_gate_keeps_the_same_order_and_forgets_a_cancelled_waiter() -> None:
    async def main() -> None:
        gate = AsyncGate(Window(ceiling=1, start=1))
        held = gate.line.ticket()
        await gate.enter(held)
        tickets = [gate.line.ticket() for _ in range(3)]
        started: list[int] = []

        async def worker(ticket: int) -> None:
            await gate.enter(ticket)
            started.append(ticket)
            await gate.leave(gate.window.failed)

        tasks = [asyncio.ensure_future(worker(ticket)) for ticket in reversed(tickets)]
        while len(gate.line.waiting) < 3:
            await asyncio.sleep(0)
        tasks[-1].cancel()  # the oldest waiter is cancelled: the next one takes its turn
        await asyncio.sleep(0)
        await gate.leave(gate.window.failed)
        await asyncio.gather(*tasks, return_exceptions=True)
        assert gate.line.waiting == []
        assert started == tickets[1:]

    asyncio.run(main())
