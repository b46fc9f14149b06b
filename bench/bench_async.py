"""Async v2 chat calls per second beside the sync client.

    python bench/bench_async.py [--calls 2000]

One loopback server, in its own process, answers every request at once with a v2 chat response
(bench/_server.py). The same `chat(model=..., messages=...)` call, validation included, made:
- by the sync `ClientV2`, one after another, then from 16 threads;
- by `AsyncClientV2`, one await after another, then 16 in flight (asyncio tasks).
Best of several interleaved rounds. Over loopback with no latency this measures the per-call
cost of each path; with a real API the concurrent rows gain in proportion to the latency.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor

import cohere_dyn
from _common import best_interleaved, server, write_section

MODEL = "command-a-03-2025"
MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]
IN_FLIGHT = 16


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    block = max(IN_FLIGHT, args.calls // args.rounds)
    loop = asyncio.new_event_loop()
    with server("json") as url:
        sync_client = cohere_dyn.ClientV2(api_key="x", base_url=url)
        async_client = cohere_dyn.AsyncClientV2(api_key="x", base_url=url)
        pool = ThreadPoolExecutor(IN_FLIGHT)

        def sync_sequential() -> None:
            for _ in range(block):
                sync_client.chat(model=MODEL, messages=MESSAGES)

        def sync_threads() -> None:
            list(pool.map(lambda _: sync_client.chat(model=MODEL, messages=MESSAGES), range(block)))

        async def one_after_another() -> None:
            for _ in range(block):
                await async_client.chat(model=MODEL, messages=MESSAGES)

        async def in_flight() -> None:
            limit = asyncio.Semaphore(IN_FLIGHT)

            async def one() -> None:
                async with limit:
                    await async_client.chat(model=MODEL, messages=MESSAGES)

            await asyncio.gather(*(one() for _ in range(block)))

        candidates = {
            "sync ClientV2, sequential": sync_sequential,
            f"sync ClientV2, {IN_FLIGHT} threads": sync_threads,
            "AsyncClientV2, sequential awaits": lambda: loop.run_until_complete(one_after_another()),
            f"AsyncClientV2, {IN_FLIGHT} tasks in flight": lambda: loop.run_until_complete(in_flight()),
        }
        best = best_interleaved(candidates, args.rounds)
        loop.run_until_complete(async_client.close())
        sync_client.close()
        pool.shutdown()
    loop.close()
    base = block / best["sync ClientV2, sequential"]
    lines = ["| candidate | calls/s | ratio to sync sequential |", "|---|---|---|"]
    for name, seconds in best.items():
        rate = block / seconds
        lines.append(f"| {name} | {rate:,.0f} | {rate / base:.2f} |")
    lines.append(
        f"\nBest of {args.rounds} interleaved rounds of {block} calls, loopback server in its own process, "
        f"{sys.version.split()[0]}, 2 cores."
    )
    report = "\n".join(lines)
    print(report)
    write_section("Async client (v2 chat)", "`python bench/bench_async.py`\n\n" + report)


if __name__ == "__main__":
    main()
