"""The embed_stream concurrency window, on a fake clock: grows, halves, pauses, probes."""

from __future__ import annotations

import pytest

from cohere_dyn._workflows._limiter import Window


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
