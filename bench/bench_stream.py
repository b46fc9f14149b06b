"""Stream decoding speed: events per second of `v2.chat_stream` over 20,000 content-delta events.

    python bench/bench_stream.py [--events 20000]

A loopback server in its own process sends the whole stream at once. Candidates: a hand-rolled
floor (`requests` `iter_lines` + `json.loads` of each data line), cohere_dyn, and the official
SDK when installed. Each reads every event; the best of a few rounds counts. Goal: cohere_dyn at
least 0.8x the floor.
"""

from __future__ import annotations

import argparse
import json
import sys

import requests

import cohere_dyn
from _common import best_interleaved, official_sdk_available, server, write_section

MODEL = "command-a-03-2025"
MESSAGES = [{"role": "user", "content": "Count to twenty thousand."}]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    total_events = args.events + 4  # the content deltas plus message-start, content-start, content-end, message-end
    with server(f"sse:{args.events}") as url:
        session = requests.Session()
        body = {"model": MODEL, "messages": MESSAGES, "stream": True}

        def floor() -> None:
            count = 0
            with session.post(f"{url}/v2/chat", json=body, headers={"Authorization": "Bearer x"}, stream=True) as response:
                for line in response.iter_lines():
                    if line.startswith(b"data:") and line != b"data: [DONE]":
                        json.loads(line[5:])
                        count += 1
            assert count == total_events, count

        client = cohere_dyn.ClientV2(api_key="x", base_url=url)

        def ours() -> None:
            count = sum(1 for _ in client.chat_stream(model=MODEL, messages=MESSAGES))
            assert count == total_events, count

        candidates = {"requests iter_lines + json.loads (floor)": floor, "cohere_dyn": ours}
        if official_sdk_available():
            import cohere

            official_client = cohere.ClientV2(api_key="x", base_url=url)

            def official() -> None:
                count = sum(1 for _ in official_client.chat_stream(model=MODEL, messages=MESSAGES))
                assert count >= args.events, count

            candidates["cohere 5.15.0"] = official
        best = best_interleaved(candidates, args.rounds, limits={"cohere 5.15.0": 1})
    floor_rate = total_events / best["requests iter_lines + json.loads (floor)"]
    lines = ["| candidate | events/s | ratio to floor |", "|---|---|---|"]
    for name, seconds in best.items():
        rate = total_events / seconds
        lines.append(f"| {name} | {rate:,.0f} | {rate / floor_rate:.3f} |")
    lines.append(
        f"\nGoal: cohere_dyn at least 0.8x the floor. {args.events:,} content-delta events, best of {args.rounds} rounds "
        f"(the official SDK: one round), {sys.version.split()[0]}."
    )
    report = "\n".join(lines)
    print(report)
    write_section("Stream decoding (v2 chat_stream)", "`python bench/bench_stream.py`\n\n" + report)


if __name__ == "__main__":
    main()
