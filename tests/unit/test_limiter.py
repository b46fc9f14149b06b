"""The window of a rate-limited run, on a fake clock: its pace, its pauses after 429s, its size;
and the gates that keep waiting requests in line."""

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


def test_before_any_429_the_window_doubles_each_round_trip() -> None:
    clock = Clock()
    window = Window(16, start=2, clock=clock)
    sizes = []
    for _ in range(3):  # a round: as many starts as the window allows, then all their answers
        sent = []
        while window.wait_needed() == 0.0:
            sent.append(window.start())
        clock.now += 0.1
        for sent_at in sent:
            window.answered(sent_at)
        sizes.append(window.size())
    assert sizes == [4, 8, 16]


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


def started_every(window: Window, clock: Clock, count: int, seconds: float) -> list[float]:
    """`count` starts, `seconds` apart."""
    sent = []
    for _ in range(count):
        sent.append(window.start())
        clock.now += seconds
    return sent


def test_a_wave_of_429s_paces_starts_once_and_pauses_everyone() -> None:
    clock = Clock()
    window = Window(16, start=8, clock=clock)
    sent = started_every(window, clock, 8, 0.1)  # 10 starts a second
    for sent_at in sent:  # all refused: one wave, the rate is cut once
        window.throttled(sent_at, 0.5)
    assert window.rate == pytest.approx(9.0)
    assert window.wait_needed() == 0.5
    assert window.size() == 8  # the pace answers 429s; the window, slow answers


def test_after_a_429_starts_are_spaced_by_the_pace() -> None:
    clock = Clock()
    window = Window(16, start=8, clock=clock)
    window.throttled(started_every(window, clock, 4, 0.05)[-1], 0.2)  # 20 a second, cut to 18
    clock.now += 0.2
    assert window.wait_needed() == 0.0
    window.start()
    assert window.wait_needed() == pytest.approx(1 / 18)
    clock.now += 1 / 18
    assert window.wait_needed() == 0.0


def test_after_a_429_the_next_start_waits_a_whole_interval_of_the_new_pace() -> None:
    clock = Clock()
    window = Window(16, start=8, clock=clock)
    sent = started_every(window, clock, 4, 0.05)  # 20 a second, cut to 18
    window.throttled(sent[-1], 0.01)  # the server's wait is shorter than the pace's
    assert window.wait_needed() == pytest.approx(1 / 18)


def test_the_window_remembers_the_starts_of_the_last_second_only() -> None:
    clock = Clock()
    window = Window(16, start=16, clock=clock)
    for _ in range(1000):  # never refused: no pace, and no growing record of starts either
        window.answered(window.start())
        clock.now += 0.01
    assert len(window.starts) <= 101


def test_a_start_woken_late_does_not_push_the_next_ones_back() -> None:
    clock = Clock()
    window = Window(16, start=4, clock=clock)
    window.throttled(started_every(window, clock, 4, 0.1)[-1], 0.0)  # 10 a second, cut to 9
    clock.now = window.next_start
    first = window.start()
    clock.now += 1 / 9 + 0.01  # woken 10 ms late
    window.start()
    assert window.next_start == pytest.approx(first + 2 / 9)


@pytest.mark.parametrize(("hint", "whole_seconds", "pause"), [(0.25, False, 0.25), (3.0, True, 2.0), (1.0, True, 0.01)])
def test_the_pause_is_the_servers_wait_and_a_whole_second_retry_after_counts_a_second_less(
    hint: float, whole_seconds: bool, pause: float
) -> None:
    clock = Clock()
    window = Window(16, start=4, clock=clock)
    assert window.throttled(window.start(), hint, whole_seconds) == pytest.approx(pause)
    assert window.wait_needed() == pytest.approx(pause)


@pytest.mark.parametrize("hint", [0.0, -1.0, None])
def test_a_429_saying_retry_now_pauses_for_a_floor_that_doubles_while_refusals_follow(hint: float | None) -> None:
    clock = Clock()
    window = Window(16, start=1, clock=clock)
    pauses = []
    for _ in range(5):
        clock.now += window.wait_needed() or 0.0
        pauses.append(window.throttled(window.start(), hint))
    assert pauses == [pytest.approx(0.01 * 2**n) for n in range(5)]
    clock.now += window.wait_needed() or 0.0
    window.answered(window.start())  # an answer: the next refusal costs the least pause again
    clock.now += window.wait_needed() or 0.0
    assert window.throttled(window.start(), hint) == pytest.approx(0.01)


def test_a_server_refusing_for_ever_is_asked_ever_less_often_but_at_least_every_eight_seconds() -> None:
    clock = Clock()
    window = Window(16, start=2, clock=clock)
    started_every(window, clock, 2, 0.01)
    waits = []
    for _ in range(40):
        waits.append(window.wait_needed() or 0.0)
        clock.now += waits[-1]
        window.throttled(window.start(), 0.0)
    assert all(later >= earlier - 1e-9 for earlier, later in zip(waits, waits[1:]))
    assert waits[-1] == pytest.approx(8.0)


def admitted(window: Window, clock: Clock, seconds: float) -> None:
    """Requests started at the pace for `seconds`, each admitted and answered 0.1 s later."""
    in_flight: list[float] = []
    end = clock.now + seconds
    while clock.now < end:
        clock.now = max(clock.now + 0.001, window.next_start)
        in_flight.append(window.start())
        while in_flight and in_flight[0] + 0.1 <= window.next_start:
            clock.now = max(clock.now, in_flight[0] + 0.1)
            window.answered(in_flight.pop(0))
    for sent_at in in_flight:
        window.answered(sent_at)


def test_the_pace_rises_while_requests_are_admitted_at_it_faster_the_longer_all_is_well() -> None:
    clock = Clock()
    window = Window(16, start=4, clock=clock)
    window.throttled(started_every(window, clock, 4, 0.05)[-1], 0.0)
    rates = [window.rate]
    for _ in range(3):
        admitted(window, clock, 1.0)
        rates.append(window.rate)
    rises = [later / earlier for earlier, later in zip(rates, rates[1:])]
    assert 1.0 < rises[0] < rises[1] < rises[2]


def test_the_pace_does_not_rise_while_something_else_holds_requests_back() -> None:
    clock = Clock()
    window = Window(16, start=4, clock=clock)
    window.throttled(started_every(window, clock, 4, 0.05)[-1], 0.0)
    rate = window.rate
    for _ in range(20):  # a slow reader: a request every half second, well behind the pace
        clock.now += 0.5
        sent_at = window.start()
        clock.now += 0.1
        window.answered(sent_at)
    assert window.rate == rate


def test_refused_again_and_again_the_pace_drops_faster() -> None:
    clock = Clock()
    window = Window(16, start=4, clock=clock)
    window.throttled(started_every(window, clock, 4, 0.05)[-1], 0.0)
    rates = [window.rate]
    for _ in range(3):
        clock.now += window.wait_needed() or 0.0
        window.throttled(window.start(), 0.0)
        rates.append(window.rate)
    cuts = [later / earlier for earlier, later in zip(rates, rates[1:])]
    assert cuts == [pytest.approx(0.81), pytest.approx(0.729), pytest.approx(0.6561)]


def test_after_a_storm_the_pace_returns_quickly_to_the_rate_last_admitted() -> None:
    clock = Clock()
    window = Window(16, start=4, clock=clock)
    window.throttled(started_every(window, clock, 4, 0.05)[-1], 0.0)
    admitted(window, clock, 2.0)
    before = window.rate
    for _ in range(8):  # a storm: a refusal after every answer, eight times
        clock.now += window.wait_needed() or 0.0
        window.throttled(window.start(), 0.3)
        clock.now += window.wait_needed() or 0.0
        sent_at = window.start()
        clock.now += 0.1
        window.answered(sent_at)
    assert window.rate < before / 2
    admitted(window, clock, 2.0)
    assert window.rate >= 0.9 * before


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
