"""Shared by the benchmark scripts: a server in its own process, timing, and the report file."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

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
    """Each candidate's best time: one warm-up run each, then `rounds` rounds taking every candidate
    in turn, so that machine noise hits them alike. `limits` caps the rounds of slow candidates."""
    for work in candidates.values():
        work()
    best = {name: float("inf") for name in candidates}
    for round_index in range(rounds):
        for name, work in candidates.items():
            if round_index < (limits or {}).get(name, rounds):
                best[name] = min(best[name], timed(work))
    return best


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


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
