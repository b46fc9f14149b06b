"""Stream decoding speed: events per second of v2 `chat_stream`, sync and async, against floors.

    python bench/bench_stream.py [--events 20000] [--rounds 7] [--clock wall|cpu]

A loopback asyncio server in its own process (bench/_server.py) sends the whole stream at once:
`--events` content-delta events between message-start/content-start and content-end/message-end.
Every candidate reads every event:

- sync floor: `requests` `iter_lines()` + `json.loads` of each `data:` line;
- sync cohere_dyn: `for event in ClientV2.chat_stream(...)` (event objects, typed by the spec);
- async floor: a bare `aiohttp` session, `async for line in response.content` + `json.loads`;
- async cohere_dyn: `async for event in AsyncClientV2.chat_stream(...)`;
- the official SDK (`cohere` 7.3.1, when installed), sync and async, one round each (it is slow).

Rounds interleave the candidates. Ratios are events/s of a candidate over its floor's in the same
round: the median, and the lowest and highest in parentheses; "best" compares the best rounds.
Goals: sync at least 0.95x its floor, steadily (the lowest round counts); async at least 0.9x.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from typing import Any, Callable

import requests

try:
    import aiohttp
except ImportError:  # the async rows need the async extra
    aiohttp = None

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
MESSAGES = [{"role": "user", "content": "Count to twenty thousand."}]
SYNC_FLOOR = "sync: requests iter_lines + json.loads (floor)"
SYNC_OURS = "sync: cohere_dyn ClientV2"
ASYNC_FLOOR = "async: aiohttp line loop + json.loads (floor)"
ASYNC_OURS = "async: cohere_dyn AsyncClientV2"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=7)
    clock_argument(parser)
    args = parser.parse_args()
    clock = use_clock(args.clock)
    total = args.events + 4  # the content deltas plus message-start, content-start, content-end, message-end
    body = {"model": MODEL, "messages": MESSAGES, "stream": True}
    headers = {"Authorization": "Bearer x"}
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def counted(count: int) -> None:
        assert count == total, f"{count} events, expected {total}"

    with server(f"sse:{args.events}") as url:
        session = requests.Session()

        def sync_floor() -> None:
            count = 0
            with session.post(f"{url}/v2/chat", json=body, headers=headers, stream=True) as response:
                for line in response.iter_lines():
                    if line.startswith(b"data:") and line != b"data: [DONE]":
                        json.loads(line[5:])
                        count += 1
            counted(count)

        client = cohere_dyn.ClientV2(api_key="x", base_url=url)

        def sync_ours() -> None:
            counted(sum(1 for _ in client.chat_stream(model=MODEL, messages=MESSAGES)))

        candidates: dict[str, Callable[[], object]] = {SYNC_FLOOR: sync_floor, SYNC_OURS: sync_ours}
        if aiohttp is not None:
            async_session, async_client = loop.run_until_complete(_async_clients(url))

            async def async_floor() -> None:
                count = 0
                async with async_session.post(f"{url}/v2/chat", json=body, headers=headers) as response:
                    async for line in response.content:
                        if line.startswith(b"data:") and not line.startswith(b"data: [DONE]"):
                            json.loads(line[5:])
                            count += 1
                counted(count)

            async def async_ours() -> None:
                count = 0
                async for _ in async_client.chat_stream(model=MODEL, messages=MESSAGES):
                    count += 1
                counted(count)

            candidates[ASYNC_FLOOR] = lambda: loop.run_until_complete(async_floor())
            candidates[ASYNC_OURS] = lambda: loop.run_until_complete(async_ours())
        official_async = None
        if official_sdk_available():
            import cohere

            official = cohere.ClientV2(api_key="x", base_url=url)
            version = cohere.__version__
            if aiohttp is not None:
                official_async = loop.run_until_complete(_official_async(url))

            def sync_official() -> None:
                assert sum(1 for _ in official.chat_stream(model=MODEL, messages=MESSAGES)) >= args.events

            async def async_official() -> None:
                count = 0
                async for _ in official_async.chat_stream(model=MODEL, messages=MESSAGES):
                    count += 1
                assert count >= args.events

            candidates[f"sync: cohere {version} ClientV2"] = sync_official
            if official_async is not None:
                candidates[f"async: cohere {version} AsyncClientV2"] = lambda: loop.run_until_complete(async_official())
        slow = {name: 1 for name in candidates if "cohere " in name}  # the official SDK: one round
        times = interleaved_rounds(candidates, args.rounds, limits=slow)
        if official_async is not None:
            loop.run_until_complete(official_async.__aexit__(None, None, None))
        if aiohttp is not None:
            loop.run_until_complete(async_session.close())
            loop.run_until_complete(async_client.close())
        client.close()
    loop.close()

    lines = [
        "| candidate | events/s (best round) | ratio to floor, best rounds | per round: median (lowest-highest) |",
        "|---|---|---|---|",
    ]
    for name, rounds in times.items():
        rate = total / min(rounds)
        floor = None if name in (SYNC_FLOOR, ASYNC_FLOOR) else SYNC_FLOOR if name.startswith("sync") else ASYNC_FLOOR
        if floor is None:
            lines.append(f"| {name} | {rate:,.0f} | 1.000 | |")
            continue
        best = min(times[floor]) / min(rounds)
        per_round = spread_text(ratio_spread(rounds, times[floor], higher_is_better=True)) if len(rounds) > 1 else ""
        lines.append(f"| {name} | {rate:,.0f} | {best:.3f} | {per_round} |")
    sync_spread = ratio_spread(times[SYNC_OURS], times[SYNC_FLOOR], higher_is_better=True)
    if ASYNC_OURS in times:
        async_best = min(times[ASYNC_FLOOR]) / min(times[ASYNC_OURS])
        async_goal = f"async at least 0.9x its floor ({async_best:.3f} best rounds, {'met' if async_best >= 0.9 else 'MISSED'})"
    else:
        async_goal = "async not measured (pip install 'cohere-dyn[async]')"
    lines.append(
        f"\nGoals: sync at least 0.95x its floor in every round (lowest round here: {sync_spread[1]:.3f}, "
        f"{'met' if sync_spread[1] >= 0.95 else 'MISSED'}); {async_goal}. "
        f"{args.events:,} content-delta events, {args.rounds} interleaved rounds (the official SDK: one round), {clock} clock, "
        f"loopback asyncio server in its own process; Python {sys.version.split()[0]}, requests "
        f"{requests.__version__}, aiohttp {aiohttp.__version__ if aiohttp else 'absent'}."
    )
    report = "\n".join(lines)
    print(report)
    write_section(titled("Stream decoding (v2 chat_stream)", clock), f"`python bench/bench_stream.py --clock {clock}`\n\n" + report)


async def _async_clients(url: str) -> tuple[Any, Any]:
    return aiohttp.ClientSession(), cohere_dyn.AsyncClientV2(api_key="x", base_url=url)


async def _official_async(url: str) -> Any:
    import cohere

    return cohere.AsyncClientV2(api_key="x", base_url=url)


if __name__ == "__main__":
    main()
