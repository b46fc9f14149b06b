"""Benchmark: the stream decoders against a requests-style line loop.

Run from the repository root: ``python3 bench/bench_decoders.py``.

SSE: both sides read the same body of v2 chat ``content-delta`` events, split
into 8 KiB chunks. The baseline re-joins lines the way ``requests``'
``Response.iter_lines()`` does and parses every ``data:`` line; the other side
runs ``iter_sse`` and parses every event's data. A ratio >= 0.8 is the goal.

NDJSON: the same for a body of v1 ``text-generation`` lines, the baseline
parsing every non-empty line, the other side running ``iter_ndjson``.

Each side runs a few times; the best run counts.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cohere_dyn._streaming._ndjson import iter_ndjson
from cohere_dyn._streaming._sse import iter_sse

__all__ = ["main"]

EVENTS = 20_000
CHUNK_SIZE = 8192
REPEATS = 7

SSE_EVENT = (
    b"event: content-delta\n"
    b'data: {"type":"content-delta","index":0,'
    b'"delta":{"message":{"content":{"text":"tok"}}}}\n\n'
)
NDJSON_LINE = b'{"is_finished":false,"event_type":"text-generation","text":"tok"}\n'


def make_chunks(item: bytes) -> list[bytes]:
    body = item * EVENTS
    return [body[i : i + CHUNK_SIZE] for i in range(0, len(body), CHUNK_SIZE)]


def iter_lines(chunks: list[bytes]) -> Iterator[bytes]:
    """Line re-joining as done by requests' ``Response.iter_lines()``."""
    pending = None
    for chunk in chunks:
        if pending is not None:
            chunk = pending + chunk
        lines = chunk.splitlines()
        if lines and lines[-1] and chunk and lines[-1][-1] == chunk[-1]:
            pending = lines.pop()
        else:
            pending = None
        yield from lines
    if pending is not None:
        yield pending


def sse_baseline(chunks: list[bytes]) -> int:
    count = 0
    for line in iter_lines(chunks):
        if line.startswith(b"data:"):
            json.loads(line[5:])
            count += 1
    return count


def sse_decoder(chunks: list[bytes]) -> int:
    count = 0
    for event in iter_sse(chunks):
        json.loads(event.data)
        count += 1
    return count


def ndjson_baseline(chunks: list[bytes]) -> int:
    count = 0
    for line in iter_lines(chunks):
        if line:
            json.loads(line)
            count += 1
    return count


def ndjson_decoder(chunks: list[bytes]) -> int:
    count = 0
    for _ in iter_ndjson(chunks):
        count += 1
    return count


def best_rate(run: Callable[[list[bytes]], int], chunks: list[bytes]) -> float:
    """Events per second of the fastest of ``REPEATS`` runs."""
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        count = run(chunks)
        best = min(best, time.perf_counter() - start)
    assert count == EVENTS, count
    return EVENTS / best


def compare(
    title: str,
    item: bytes,
    base_run: Callable[[list[bytes]], int],
    our_run: Callable[[list[bytes]], int],
) -> None:
    chunks = make_chunks(item)
    base = best_rate(base_run, chunks)
    ours = best_rate(our_run, chunks)
    print(title)
    print(f"  baseline (iter_lines + json.loads): {base:12,.0f} events/s")
    print(f"  decoder + json.loads:               {ours:12,.0f} events/s")
    print(f"  ratio: {ours / base:.2f}")


def main() -> None:
    compare("SSE", SSE_EVENT, sse_baseline, sse_decoder)
    compare("NDJSON", NDJSON_LINE, ndjson_baseline, ndjson_decoder)


if __name__ == "__main__":
    main()
