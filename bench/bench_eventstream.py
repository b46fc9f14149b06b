"""AWS event-stream decoding speed: events per second, cohere_dyn against a bare botocore loop.

    python bench/bench_eventstream.py [--events 20000] [--rounds 7] [--read 8192]

The same bytes (v2 chat content-delta events as Bedrock frames them: base64 JSON in `chunk`
frames; and as SageMaker does: newline-delimited JSON cut across `PayloadPart` frames) are fed
in reads of `--read` bytes, in memory, to:

- the floor: botocore's `EventStreamBuffer` in a bare loop, each payload unwrapped with
  `json.loads` + `b64decode` + `json.loads` (Bedrock), or its lines split and parsed (SageMaker);
- cohere_dyn's decoder (`_deployments._eventstream.EventStreamDecoder`): the same, plus the
  checks of message and event types, exception frames and truncation;
- cohere_dyn's whole stream (`Stream` over the same reads): events as response objects, as a
  `for event in client.chat_stream(...)` loop gets them.

Each round times every candidate in turn; the ratio is taken per round, and its median and
spread (min-max over rounds) reported. Goal: the decoder at least 0.9x the floor.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
from typing import Any, Callable, Iterator

from _common import timed, write_section
from botocore.eventstream import EventStreamBuffer

import cohere_dyn
from cohere_dyn._deployments._eventstream import EVENT_STREAM_TYPE, EventStreamDecoder, decoder_factory
from cohere_dyn._streaming._stream import Stream
from cohere_dyn.mock._awsframes import bedrock_chunk, payload_part


def _events(count: int) -> list[dict[str, Any]]:
    delta = {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "word "}}}}
    return [{"type": "message-start", "id": "m1"}] + [delta] * count + [{"type": "message-end", "delta": {"finish_reason": "COMPLETE"}}]


def _bedrock_bytes(events: list[dict[str, Any]]) -> bytes:
    return b"".join(bedrock_chunk(event) for event in events)


def _sagemaker_bytes(events: list[dict[str, Any]]) -> bytes:
    lines = b"".join(json.dumps(event, separators=(",", ":")).encode() + b"\n" for event in events)
    return b"".join(payload_part(lines[n : n + 100]) for n in range(0, len(lines), 100))  # lines cut across parts


def _reads(data: bytes, size: int) -> list[bytes]:
    return [data[n : n + size] for n in range(0, len(data), size)]


def bare_bedrock(reads: list[bytes]) -> int:
    buffer, count, loads, b64decode = EventStreamBuffer(), 0, json.loads, base64.b64decode
    for chunk in reads:
        buffer.add_data(chunk)
        for message in buffer:
            loads(b64decode(loads(message.payload)["bytes"]))
            count += 1
    return count


def bare_sagemaker(reads: list[bytes]) -> int:
    buffer, count, loads, tail = EventStreamBuffer(), 0, json.loads, b""
    for chunk in reads:
        buffer.add_data(chunk)
        for message in buffer:
            lines = (tail + message.payload).split(b"\n")
            tail = lines.pop()
            for line in lines:
                loads(line)
                count += 1
    return count


def decoder(frames: str) -> Callable[[list[bytes]], int]:
    def run(reads: list[bytes]) -> int:
        decoding = EventStreamDecoder(frames, "bench")
        count = 0
        for chunk in reads:
            count += len(decoding.feed(chunk))
        return count + len(decoding.flush())

    return run


class _Response:
    status_code = 200
    headers = {"content-type": EVENT_STREAM_TYPE}

    def __init__(self, reads: list[bytes]):
        self._reads = reads

    def iter_bytes(self) -> Iterator[bytes]:
        return iter(self._reads)

    def read(self) -> bytes:
        return b""

    def close(self) -> None:
        pass


def whole_stream(frames: str) -> Callable[[list[bytes]], int]:
    spec = cohere_dyn.Spec.load()
    operation = spec.operation("v2.chat_stream")
    decoders = {EVENT_STREAM_TYPE: decoder_factory(frames, "bench")}

    def run(reads: list[bytes]) -> int:
        return sum(1 for _ in Stream(_Response(reads), operation, spec, False, decoders))

    return run


def measure(candidates: dict[str, Callable[[list[bytes]], int]], reads: list[bytes], expected: int, rounds: int) -> dict[str, list[float]]:
    for name, run in candidates.items():  # warm-up, and every candidate sees every event
        assert run(reads) == expected, name
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, run in candidates.items():
            times[name].append(timed(lambda: run(reads)))
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--read", type=int, default=8192, help="bytes per read, as a transport hands them over")
    args = parser.parse_args()
    events = _events(args.events)
    lines = ["| framing | candidate | events/s (best) | ratio to floor (median, min-max over rounds) |", "|---|---|---|---|"]
    for label, frames, make, bare in (
        ("Bedrock chunk", "chunk-base64", _bedrock_bytes, bare_bedrock),
        ("SageMaker PayloadPart", "payload-part-ndjson", _sagemaker_bytes, bare_sagemaker),
    ):
        reads = _reads(make(events), args.read)
        candidates = {"bare botocore loop (floor)": bare, "cohere_dyn decoder": decoder(frames), "cohere_dyn Stream": whole_stream(frames)}
        times = measure(candidates, reads, len(events), args.rounds)
        floor = times["bare botocore loop (floor)"]
        for name, seconds in times.items():
            ratios = [f / s for f, s in zip(floor, seconds)]
            spread = f"{statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f})"
            lines.append(f"| {label} | {name} | {len(events) / min(seconds):,.0f} | {spread} |")
    lines.append(
        f"\nGoal: the cohere_dyn decoder at least 0.9x the floor. {args.events:,} v2 content-delta events, reads of "
        f"{args.read} bytes, {args.rounds} rounds, in memory (no socket), {sys.version.split()[0]}."
    )
    report = "\n".join(lines)
    print(report)
    write_section("AWS event-stream decoding (Bedrock, SageMaker)", "`python bench/bench_eventstream.py`\n\n" + report)


if __name__ == "__main__":
    main()
