"""Shared by the benchmark scripts: a server in its own process, timing, candidates run in a
process of their own, and the report file."""

from __future__ import annotations

import contextlib
import json
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


@contextlib.contextmanager
def embed_server(rate: float, burst: int, dims: int, latency: float, *options: str) -> Iterator[str]:
    """tests/embed_server.py in its own process: a token bucket of `rate` requests a second holding
    `burst`, `latency` seconds per accepted request, `dims` floats per text (`options`: more of its
    flags); its URL."""
    command = [sys.executable, "-m", "tests.embed_server", "--rate", str(rate), "--burst", str(burst),
               "--latency", str(latency), "--dims", str(dims), *options]
    process = subprocess.Popen(command, cwd=HERE.parent, stdout=subprocess.PIPE, text=True)
    try:
        yield process.stdout.readline().strip()  # type: ignore[union-attr]
    finally:
        process.terminate()
        process.wait()


def candidate_report(script: str, candidate: str, url: str, texts: int, timeout: float) -> dict[str, Any]:
    """Run `script --candidate candidate` in a fresh process (its peak RSS its own); the JSON it
    prints last, or {"error": its last line of stderr}."""
    command = [sys.executable, str(HERE / script), "--candidate", candidate, "--url", url, "--texts", str(texts)]
    done = subprocess.run(command, cwd=HERE.parent, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["crashed"])[-1][:160]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def rss_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def texts_of(count: int) -> Iterator[str]:
    """The texts an embed benchmark sends, from a generator; tests/embed_server.py marks each vector with its own."""
    return (f"text number {i}" for i in range(count))


class Checker:
    """Every index once, in order, each vector marked with its own text."""

    def __init__(self) -> None:
        sys.path.insert(0, str(HERE.parent))
        from tests.embed_server import marker

        self.marker = marker
        self.expected = 0
        self.ok = True

    def see(self, index: int, vector: list[float]) -> None:
        if index != self.expected or vector[0] != self.marker(f"text number {index}"):
            self.ok = False
        self.expected += 1

    def complete(self, count: int) -> bool:
        return self.ok and self.expected == count


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
