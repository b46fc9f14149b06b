"""Per-call cost of the sync client: `ClientV2.chat` (validation included) against a bare `requests` post.

    python bench/bench_call.py [--calls 2100] [--rounds 7] [--clock wall|cpu]

A loopback asyncio server in its own process (bench/_server.py) answers every request at once
with a v2 chat response. The candidates send the same body over a kept-alive connection and
parse the JSON answer, one call after another:

- floor: a bare `requests.Session().post(url, json=<the body>)` and `.json()`;
- cohere_dyn: `ClientV2.chat(model=..., messages=...)`;
- the official SDK (`cohere`, when installed): `cohere.ClientV2.chat(...)`.

Rounds (blocks of calls) interleave the candidates. Ratios are a candidate's time per call over
the floor's in the same round: the median, and the lowest and highest in parentheses; "best"
compares the best rounds. Goal: cohere_dyn at most 1.05x the floor.
"""

from __future__ import annotations

import argparse
import statistics
import sys

import requests

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
FLOOR = "requests post + .json() (floor)"
OURS = "cohere_dyn ClientV2"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2100)
    parser.add_argument("--rounds", type=int, default=7)
    clock_argument(parser)
    args = parser.parse_args()
    clock = use_clock(args.clock)
    block = max(1, args.calls // args.rounds)
    with server("json") as url:
        session = requests.Session()
        headers = {"Authorization": "Bearer x"}
        body = {"model": MODEL, "messages": MESSAGES, "stream": False}

        def floor() -> None:
            for _ in range(block):
                session.post(f"{url}/v2/chat", json=body, headers=headers).json()

        client = cohere_dyn.ClientV2(api_key="x", base_url=url)

        def ours() -> None:
            for _ in range(block):
                client.chat(model=MODEL, messages=MESSAGES)

        candidates = {FLOOR: floor, OURS: ours}
        if official_sdk_available():
            import cohere

            official_client = cohere.ClientV2(api_key="x", base_url=url)

            def official() -> None:
                for _ in range(block):
                    official_client.chat(model=MODEL, messages=MESSAGES)

            candidates[f"cohere {cohere.__version__} ClientV2"] = official
        times = interleaved_rounds(candidates, args.rounds)
        client.close()
    lines = [
        "| candidate | µs per call (best round) | ratio to floor, best rounds | per round: median (lowest-highest) |",
        "|---|---|---|---|",
    ]
    for name, rounds in times.items():
        best = min(rounds) / min(times[FLOOR])
        lines.append(
            f"| {name} | {min(rounds) / block * 1e6:,.0f} | {best:.3f} | {spread_text(ratio_spread(rounds, times[FLOOR]))} |"
        )
    best_ratio = min(times[OURS]) / min(times[FLOOR])
    median_ratio = statistics.median(t / f for t, f in zip(times[OURS], times[FLOOR]))
    lines.append(
        f"\nGoal: cohere_dyn at most 1.05x the floor: {best_ratio:.3f} best rounds, {median_ratio:.3f} median round "
        f"({'met' if max(best_ratio, median_ratio) <= 1.05 else 'MISSED'}). {args.rounds} interleaved rounds of {block} "
        f"calls, {clock} clock, loopback asyncio server in its own process; Python {sys.version.split()[0]}, "
        f"requests {requests.__version__}."
    )
    report = "\n".join(lines)
    print(report)
    write_section(titled("Per-call overhead (v2 chat)", clock), f"`python bench/bench_call.py --clock {clock}`\n\n" + report)


if __name__ == "__main__":
    main()
