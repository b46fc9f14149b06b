"""Embed batching: 1,000 texts sent as concurrent batches against the same batches one at a time.

    python bench/bench_batching.py [--texts 1000] [--rounds 3]

The mock server (cohere_dyn.mock) runs in its own process and answers v2 embed with 256 floats
per text. Both candidates make the same call, `client.v2.embed(texts=...)`: once with the
default `max_workers=8`, once with `max_workers=1` (the same 11 requests one after another).
Three runs: the mock as it is (loopback, no latency: the gain can only come from overlapping
the client's and the server's work on 2 cores, and the one-process mock computing the vectors
is the bottleneck), then with 50 ms and 200 ms added before each answer, nearer a real API.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import time
from typing import Iterator

import cohere_dyn
from _common import HERE, best_of, timed, write_section


@contextlib.contextmanager
def mock_server(latency: float) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, str(HERE / "bench_batching.py"), "--serve", str(latency)], stdout=subprocess.PIPE, text=True
    )
    try:
        yield process.stdout.readline().strip()  # type: ignore[union-attr]
    finally:
        process.terminate()
        process.wait()


def serve(latency: float) -> None:
    from cohere_dyn.mock import MockServer

    server = MockServer(delay=0, keep_requests=False)
    handle = server.app.handle

    def slow(received: object) -> object:
        time.sleep(latency)
        return handle(received)

    if latency:
        server.app.handle = slow  # type: ignore[method-assign]
    print(server.url, flush=True)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve)
        return
    texts = [f"document number {i}: some words to embed" for i in range(args.texts)]
    batches = -(-len(texts) // 96)
    lines = [
        "| server | batches sent | one after another (s) | concurrently, 8 workers (s) | speed-up |",
        "|---|---|---|---|---|",
    ]
    for latency in (0.0, 0.05, 0.2):
        with mock_server(latency) as url:
            client = cohere_dyn.Client(api_key="x", base_url=url)

            def run(workers: int) -> float:
                def call() -> None:
                    reply = client.v2.embed(
                        texts=texts, model="embed-v4.0", input_type="search_document", embedding_types=["float"],
                        output_dimension=256, max_workers=workers,
                    )
                    assert len(reply.embeddings.float) == len(texts)

                return timed(call)

            run(8)  # warm connections and validators
            sequential = best_of(args.rounds, lambda: run(1))
            concurrent = best_of(args.rounds, lambda: run(8))
            client.close()
        label = "mock, no added latency" if not latency else f"mock + {latency * 1000:.0f} ms per request"
        lines.append(f"| {label} | {batches} | {sequential:.3f} | {concurrent:.3f} | {sequential / concurrent:.2f}x |")
    lines.append(
        f"\n{len(texts)} texts, 256 floats each; best of {args.rounds} rounds, {sys.version.split()[0]}, "
        "mock server in its own process, both on this 2-core machine."
    )
    report = "\n".join(lines)
    print(report)
    write_section("Embed batching (1,000 texts)", "`python bench/bench_batching.py`\n\n" + report)


if __name__ == "__main__":
    main()
