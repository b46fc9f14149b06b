"""Embedding a corpus at the rate limit: embed_stream against merging embed and the official SDK.

    python bench/bench_embed_stream.py [--texts 50000] [--dims 1024] [--skip-sdk]

A loopback embed API (tests/embed_server.py, its own process) enforces 20 requests/s (a token
bucket holding `--burst` requests; a refused request gets a quick 429 with retry-after-ms) and
answers an accepted one after 100 ms, with `--dims` floats per text. Every candidate runs in a
fresh process, so that its peak RSS is its own; texts come from a generator. Measured:

- time against the ideal (one 96-text request every 1/20 s) and whether every result came back
  once, in input order, for its own text (each vector's first number marks its text);
- peak RSS growth over the process's size before the run;
- the same with a storm: the limit falls to 2/s for 5 s, 3 s into the run, then recovers.

The merging `embed` (all texts in one call, answers merged, so every vector held at once) is
measured on the same server (its batches share embed_stream's window and 429 pause) and on a
server without a limit. The official SDK's `embed_stream` and its
batching `embed` are measured when `cohere` is installed (pip install cohere==7.3.1).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from typing import Any, Iterator

from _common import Checker, candidate_report, embed_server, official_sdk_available, rss_kb, texts_of, write_section

RATE, LATENCY, BATCH = 20.0, 0.1, 96


def measure(candidate: str, url: str, texts: int) -> dict[str, Any]:
    """Run one candidate in a fresh process; its JSON report."""
    return candidate_report("bench_embed_stream.py", candidate, url, texts, timeout=600)


# ------------------------------------------------------------------------------ in the child


def check(pairs: Iterator[tuple[int, list[float]]], count: int) -> bool:
    checker = Checker()
    for index, vector in pairs:
        checker.see(index, vector)
    return checker.complete(count)


def run_candidate(candidate: str, url: str, count: int) -> None:
    arguments = {"model": "embed-english-v3.0", "input_type": "search_document", "embedding_types": ["float"]}
    if candidate.startswith("sdk"):
        import cohere

        client: Any = cohere.Client(api_key="bench", base_url=url)
    else:
        import cohere_dyn

        client = cohere_dyn.Client(api_key="bench", base_url=url)
    before = rss_kb()
    started = time.perf_counter()
    error = None
    ok = False
    try:
        if candidate in ("embed_stream", "sdk_embed_stream"):
            results = client.embed_stream(texts=texts_of(count), **arguments)
            ok = check(((r.index, r.embedding) for r in results), count)
        else:  # merging embed: all texts in one call
            texts = list(texts_of(count))
            reply = client.embed(texts=texts, **arguments)
            vectors = reply.embeddings.float if candidate == "embed" else reply.embeddings.float_
            ok = check(enumerate(vectors), count)
    except Exception as exc:  # a candidate that fails is reported, not fatal
        status = getattr(exc, "status_code", None)
        detail = f"status {status}" if status is not None else " ".join(str(exc).split())[:100]
        error = f"{type(exc).__name__} after {time.perf_counter() - started:.1f} s: {detail}"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "rss_growth_mb": (peak - before) / 1024, "ok": ok, "error": error}))


# ------------------------------------------------------------------------------------ report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=50_000)
    parser.add_argument("--dims", type=int, default=1024)
    parser.add_argument("--burst", type=int, default=2, help="requests the server's token bucket holds")
    parser.add_argument("--skip-sdk", action="store_true")
    parser.add_argument("--candidate", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.candidate:
        run_candidate(args.candidate, args.url, args.texts)
        return
    ideal = -(-args.texts // BATCH) / RATE
    rows: list[tuple[str, str, dict[str, Any], float]] = []

    def run(label: str, candidate: str, rate: float, storm: tuple[float, float, float] | None = None, best: float = ideal) -> None:
        with embed_server(rate, args.burst, args.dims, LATENCY, *(["--storm", *map(str, storm)] if storm else [])) as url:
            result = measure(candidate, url, args.texts)
        rows.append((label, candidate, result, best))
        print(label, result, flush=True)

    storm = (3.0, 5.0, 2.0)
    storm_ideal = ideal + storm[1] * (1 - storm[2] / RATE)  # 5 s at 2/s instead of 20/s
    run("cohere_dyn embed_stream, 20/s", "embed_stream", RATE)
    run("cohere_dyn embed_stream, 20/s with a storm (2/s for 5 s)", "embed_stream", RATE, storm, storm_ideal)
    run("cohere_dyn embed (merging), 20/s", "embed", RATE)
    run("cohere_dyn embed (merging), no limit", "embed", 0.0, best=0.0)  # for its memory
    sdk = official_sdk_available() and not args.skip_sdk
    if sdk:
        run("official SDK embed_stream, 20/s", "sdk_embed_stream", RATE)
        run("official SDK embed (batching), 20/s", "sdk_embed", RATE)
    lines = [
        "| candidate | time (s) | ideal / time | every result once, in order | peak RSS growth (MB) | outcome |",
        "|---|---|---|---|---|---|",
    ]
    for label, _, result, best in rows:
        if "seconds" not in result:
            lines.append(f"| {label} | | | | | {result['error']} |")
            continue
        outcome = result["error"] or "completed"
        ratio = f"{best / result['seconds']:.2f}" if not result["error"] and best else ""
        lines.append(
            f"| {label} | {result['seconds']:.1f} | {ratio} | {'yes' if result['ok'] else 'no'} | "
            f"{result['rss_growth_mb']:.0f} | {outcome} |"
        )
    lines.append(
        f"\n{args.texts:,} texts from a generator, {args.dims} floats per vector; server: {RATE:g} requests/s "
        f"(token bucket of {args.burst}), {LATENCY * 1000:.0f} ms per accepted request, in its own process; "
        f"ideal {ideal:.1f} s (one {BATCH}-text request every 1/{RATE:g} s; {storm_ideal:.1f} s with the storm). "
        f"Each candidate in a fresh process; RSS growth is its peak over its size before the run. "
        f"{'Official SDK ' + _sdk_version() if sdk else 'Official SDK not installed: not measured'}; "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores shared with other work."
    )
    report = "\n".join(lines)
    print(report)
    write_section("Embedding a corpus at the rate limit (50,000 texts)", "`python bench/bench_embed_stream.py`\n\n" + report)


def _sdk_version() -> str:
    import cohere

    return getattr(cohere, "__version__", "?")


if __name__ == "__main__":
    main()
