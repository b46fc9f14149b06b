"""Per-call cost of the async client against a bare aiohttp session, at 1, 16 and 64 callers.

    python bench/bench_async.py [--calls 1280] [--rounds 7] [--clock wall|cpu]

A loopback asyncio server in its own process (bench/_server.py) answers every request at once
with a v2 chat response, so that what is measured is the client's cost per call. Each candidate
makes the same v2 chat call, `--calls` times per round, from 1, 16 or 64 concurrent callers
(asyncio tasks on one event loop):

- floor: a bare `aiohttp.ClientSession().post(url, json=<the same body>)` and `json.loads` of
  the answer (no validation, no response object);
- cohere_dyn: `AsyncClientV2.chat(model=..., messages=...)`, validation included;
- the official SDK (`cohere` 7.3.1, when installed), whose AsyncClientV2 rides on aiohttp when
  its `aiohttp` extra (httpx-aiohttp) is installed; the row says which.

Rounds interleave the candidates so that machine noise hits them alike. "best" compares each
candidate's best round with the floor's; per round, the ratio is the candidate's time over the
floor's in the same round: the median, and the lowest and highest in parentheses. Goal:
cohere_dyn at most 1.15x the floor at every concurrency, and below the official SDK.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from typing import Any, Awaitable, Callable

import aiohttp

import cohere_dyn
from _common import (
    clock_argument,
    interleaved_rounds,
    official_sdk_available,
    ratio_spread,
    server,
    spread_text,
    titled,
    use_clock,
    write_section,
)

MODEL = "command-a-03-2025"
MESSAGES = [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "What is the capital of France?"},
]
PAYLOAD = {"model": MODEL, "messages": MESSAGES, "stream": False}
CONCURRENCY = (1, 16, 64)
FLOOR = "aiohttp post + json.loads (floor)"
OURS = "cohere_dyn AsyncClientV2"


def official_name() -> str:
    import cohere

    try:
        import httpx_aiohttp  # noqa: F401
    except ImportError:
        return f"cohere {cohere.__version__} AsyncClientV2 (httpx)"
    return f"cohere {cohere.__version__} AsyncClientV2 (aiohttp)"


def callers(loop: asyncio.AbstractEventLoop, call: Callable[[], Awaitable[Any]], calls: int, concurrency: int) -> Callable[[], None]:
    """`calls` calls made by `concurrency` tasks, each calling in a loop."""

    async def worker(count: int) -> None:
        for _ in range(count):
            await call()

    async def run() -> None:
        await asyncio.gather(*(worker(calls // concurrency) for _ in range(concurrency)))

    return lambda: loop.run_until_complete(run())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1280, help="calls per round (a multiple of 64)")
    parser.add_argument("--rounds", type=int, default=7)
    clock_argument(parser)
    args = parser.parse_args()
    clock = use_clock(args.clock)
    calls = max(64, args.calls // 64 * 64)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    results: dict[int, dict[str, list[float]]] = {}
    with server("json") as url:

        async def make() -> tuple[Any, Any, Any]:
            session = aiohttp.ClientSession()
            ours = cohere_dyn.AsyncClientV2(api_key="x", base_url=url)
            official = None
            if official_sdk_available():
                import cohere

                official = cohere.AsyncClientV2(api_key="x", base_url=url)
            return session, ours, official

        session, ours, official = loop.run_until_complete(make())
        headers = {"Authorization": "Bearer x"}

        async def floor() -> None:
            async with session.post(f"{url}/v2/chat", json=PAYLOAD, headers=headers) as response:
                json.loads(await response.read())

        async def ours_call() -> None:
            await ours.chat(model=MODEL, messages=MESSAGES)

        async def official_call() -> None:
            await official.chat(model=MODEL, messages=MESSAGES)

        for concurrency in CONCURRENCY:
            candidates = {
                FLOOR: callers(loop, floor, calls, concurrency),
                OURS: callers(loop, ours_call, calls, concurrency),
            }
            if official is not None:
                candidates[official_name()] = callers(loop, official_call, calls, concurrency)
            results[concurrency] = interleaved_rounds(candidates, args.rounds)

        loop.run_until_complete(session.close())
        loop.run_until_complete(ours.close())
        if official is not None:
            loop.run_until_complete(official.__aexit__(None, None, None))
    loop.close()

    lines = [
        "| callers | candidate | µs per call (best round) | ratio to floor, best rounds | per round: median (lowest-highest) |",
        "|---|---|---|---|---|",
    ]
    verdicts = []
    for concurrency, times in results.items():
        for name, rounds in times.items():
            best = min(rounds) / min(times[FLOOR])
            spread = spread_text(ratio_spread(rounds, times[FLOOR]))
            lines.append(f"| {concurrency} | {name} | {min(rounds) / calls * 1e6:,.0f} | {best:.3f} | {spread} |")
        best_ratio = min(times[OURS]) / min(times[FLOOR])
        median_ratio = ratio_spread(times[OURS], times[FLOOR])[0]
        verdict = (
            f"{concurrency} caller{'s' if concurrency > 1 else ''}: cohere_dyn {best_ratio:.3f}x the floor (best rounds), "
            f"{median_ratio:.3f}x (median round): {'met' if max(best_ratio, median_ratio) <= 1.15 else 'MISSED'}"
        )
        official_rounds = next((rounds for name, rounds in times.items() if name.startswith("cohere ")), None)
        if official_rounds is not None:
            below = min(times[OURS]) < min(official_rounds) and statistics.median(times[OURS]) < statistics.median(official_rounds)
            verdict += f"; {'below' if below else 'NOT below'} the official SDK ({min(official_rounds) / min(times[OURS]):.1f}x our time)"
        verdicts.append(verdict)
    lines.append(
        f"\nGoal: cohere_dyn at most 1.15x the floor at 1, 16 and 64 callers, and below the official SDK. "
        f"{args.rounds} interleaved rounds of {calls} calls per candidate and concurrency, {clock} clock; loopback "
        f"asyncio server in its own process; Python {sys.version.split()[0]}, aiohttp {aiohttp.__version__}.\n\n"
        + "\n".join(f"- {verdict}" for verdict in verdicts)
    )
    report = "\n".join(lines)
    print(report)
    write_section(titled("Async client (v2 chat)", clock), f"`python bench/bench_async.py --clock {clock}`\n\n" + report)


if __name__ == "__main__":
    main()
