"""Per-call cost: `client.v2.chat` (validation included) against a bare `requests` post.

    python bench/bench_call.py [--calls 2000]

One loopback server, in its own process, answers every request at once with a v2 chat response.
Three candidates send the same body over a kept-alive connection and parse the JSON answer:
a bare `requests.Session().post` (the floor), cohere_dyn, and the official SDK when installed.
Blocks of calls are interleaved and the best block of each counts. Goal: cohere_dyn at most
1.15x the floor.
"""

from __future__ import annotations

import argparse
import sys

import requests

import cohere_dyn
from _common import best_interleaved, official_sdk_available, server, write_section

MODEL = "command-a-03-2025"
MESSAGES = [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "What is the capital of France?"},
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    block = max(1, args.calls // args.rounds)
    with server("json") as url:
        session = requests.Session()
        headers = {"Authorization": "Bearer x", "Content-Type": "application/json"}
        body = {"model": MODEL, "messages": MESSAGES, "stream": False}

        def floor() -> None:
            for _ in range(block):
                session.post(f"{url}/v2/chat", json=body, headers=headers).json()

        ours_client = cohere_dyn.ClientV2(api_key="x", base_url=url)

        def ours() -> None:
            for _ in range(block):
                ours_client.chat(model=MODEL, messages=MESSAGES)

        candidates = {"requests floor": floor, "cohere_dyn": ours}
        if official_sdk_available():
            import cohere

            official_client = cohere.ClientV2(api_key="x", base_url=url)

            def official() -> None:
                for _ in range(block):
                    official_client.chat(model=MODEL, messages=MESSAGES)

            candidates["cohere 5.15.0"] = official
        best = {name: seconds / block for name, seconds in best_interleaved(candidates, args.rounds).items()}
    floor_time = best["requests floor"]
    lines = ["| candidate | µs per call | ratio to floor |", "|---|---|---|"]
    lines += [f"| {name} | {value * 1e6:.0f} | {value / floor_time:.3f} |" for name, value in best.items()]
    lines.append(
        f"\nGoal: cohere_dyn at most 1.15x the floor. Best of {args.rounds} interleaved blocks of {block} calls, "
        f"{sys.version.split()[0]}."
    )
    report = "\n".join(lines)
    print(report)
    write_section("Per-call overhead (v2 chat)", "`python bench/bench_call.py`\n\n" + report)


if __name__ == "__main__":
    main()
