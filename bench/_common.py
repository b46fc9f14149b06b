"""Shared by the benchmark scripts: a server in its own process, timing, and the report file."""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator

HERE = Path(__file__).resolve().parent
REPORT = HERE.parent / "docs" / "benchmarks.md"


@contextlib.contextmanager
def server(mode: str = "json") -> Iterator[str]:
    process = subprocess.Popen([sys.executable, str(HERE / "_server.py"), mode], stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait()


def best_of(rounds: int, run: Callable[[], float]) -> float:
    return min(run() for _ in range(rounds))


def best_interleaved(
    candidates: dict[str, Callable[[], object]], rounds: int, limits: dict[str, int] | None = None
) -> dict[str, float]:
    """Each candidate's best time over `interleaved_rounds`."""
    return {name: min(times) for name, times in interleaved_rounds(candidates, rounds, limits).items()}


def interleaved_rounds(
    candidates: dict[str, Callable[[], object]], rounds: int, limits: dict[str, int] | None = None
) -> dict[str, list[float]]:
    """Each candidate's time in every round: one warm-up run each, then `rounds` rounds taking
    every candidate in turn, so that machine noise hits them alike. `limits` caps the rounds of
    slow candidates."""
    for work in candidates.values():
        work()
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for round_index in range(rounds):
        for name, work in candidates.items():
            if round_index < (limits or {}).get(name, rounds):
                times[name].append(timed(work))
    return times


def ratio_spread(times: list[float], floor: list[float], higher_is_better: bool = False) -> tuple[float, float, float]:
    """(median, lowest, highest) over rounds of the ratio of `times` to the same round's `floor`
    time; as a speed ratio (floor / times) when `higher_is_better`."""
    ratios = sorted((f / t if higher_is_better else t / f) for t, f in zip(times, floor))
    return statistics.median(ratios), ratios[0], ratios[-1]


def spread_text(spread: tuple[float, float, float]) -> str:
    median, low, high = spread
    return f"{median:.3f} ({low:.3f}-{high:.3f})"


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = [time.perf_counter]


def use_clock(name: str) -> str:
    """Time with `name`: "wall" (elapsed time) or "cpu" (this process's CPU time, which other
    work on a busy machine disturbs less; the server runs in its own process and is not counted)."""
    _clock[0] = CLOCKS[name]
    return name


def clock_argument(parser: Any) -> None:
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall", help="wall time, or this process's CPU time")


def titled(title: str, clock: str) -> str:
    """The report section for `title` measured with `clock` (wall and CPU figures live side by side)."""
    return title if clock == "wall" else f"{title}, CPU time"


def timed(work: Callable[[], object]) -> float:
    clock = _clock[0]
    start = clock()
    work()
    return clock() - start


def official_sdk_available() -> bool:
    try:
        import cohere  # noqa: F401
    except ImportError:
        return False
    return True


def write_section(title: str, body: str) -> None:
    """Replace (or add) the `## title` section of docs/benchmarks.md."""
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n\nProduced by the scripts in bench/; each ratio is measured in one run on one machine.\n"
    marker = f"\n## {title}\n"
    section = f"{marker}\n{body.strip()}\n"
    if marker in text:
        start = text.index(marker)
        end = text.find("\n## ", start + len(marker))
        text = text[:start] + section + (text[end:] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n" + section
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text)
