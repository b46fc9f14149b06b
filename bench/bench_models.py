"""Model classes: building one, and reading an answer through them, against the official SDK and json.loads.

    pip install -e '.[test]' 'cohere==7.3.1'
    python bench/bench_models.py [--rounds 7]

Three measurements, each in one process, candidates interleaved round by round:

- building a payload: a v2 tool call and an assistant message holding it, as framework code writes
  them (cohere_dyn's classes against the official SDK's pydantic models);
- reading a typical v2 chat answer (text, a citation, usage): the bytes as they come off the wire
  to the reply text and token counts (floor: json.loads and dict lookups);
- reading a large answer, v2 embed of 96 texts x 1024 floats: the bytes to every vector (floor:
  json.loads and a loop over the lists). cohere_dyn reads through `decode_content`, the path
  every call takes; the official SDK through its own parsing (`construct_type`), as its clients do.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from typing import Any, Callable

from _common import interleaved_rounds, official_sdk_available, write_section

from cohere_dyn._call._caller import decode_content
from cohere_dyn._spec._document import Spec

HEADERS = {"content-type": "application/json"}


def chat_answer() -> bytes:
    return json.dumps({
        "id": "c0ffee", "finish_reason": "COMPLETE",
        "message": {
            "role": "assistant",
            "content": [{"type": "text", "text": "The sky is blue because of Rayleigh scattering."}],
            "citations": [{"start": 15, "end": 34, "text": "Rayleigh scattering", "sources": [
                {"type": "document", "id": "doc-0", "document": {"id": "doc-0", "text": "Sunlight scatters..."}}]}],
        },
        "usage": {"billed_units": {"input_tokens": 21, "output_tokens": 12}, "tokens": {"input_tokens": 230, "output_tokens": 12}},
    }, separators=(",", ":")).encode()


def embed_answer(texts: int = 96, dimensions: int = 1024) -> bytes:
    rng = random.Random(7)
    vectors = [[round(rng.uniform(-1, 1), 6) for _ in range(dimensions)] for _ in range(texts)]
    return json.dumps({
        "id": "e0", "response_type": "embeddings_by_type", "embeddings": {"float": vectors},
        "texts": [f"text {i}" for i in range(texts)],
        "meta": {"api_version": {"version": "2"}, "billed_units": {"input_tokens": texts * 4}},
    }, separators=(",", ":")).encode()


def ours(spec: Spec) -> dict[str, Callable[..., Any]]:
    import cohere_dyn

    chat, embed = spec.operation("v2.chat"), spec.operation("v2.embed")

    def build() -> Any:
        call = cohere_dyn.ToolCallV2(id="call_1", type="function", function=cohere_dyn.ToolCallV2Function(name="get_weather", arguments='{"city": "Paris"}'))
        return cohere_dyn.AssistantChatMessageV2(tool_plan="I will look it up.", tool_calls=[call])

    def read_chat(body: bytes) -> Any:
        reply = decode_content(spec, chat, 200, HEADERS, body)
        return reply.message.content[0].text, reply.usage.tokens.input_tokens

    def read_embed(body: bytes) -> float:
        reply = decode_content(spec, embed, 200, HEADERS, body)
        return sum(vector[0] for vector in reply.embeddings.float_)

    return {"build": build, "chat": read_chat, "embed": read_embed}


def official() -> dict[str, Callable[..., Any]]:
    import cohere
    from cohere.core.unchecked_base_model import construct_type

    def build() -> Any:
        call = cohere.ToolCallV2(id="call_1", type="function", function=cohere.ToolCallV2Function(name="get_weather", arguments='{"city": "Paris"}'))
        return cohere.AssistantChatMessageV2(tool_plan="I will look it up.", tool_calls=[call])

    def read_chat(body: bytes) -> Any:
        reply = construct_type(type_=cohere.V2ChatResponse, object_=json.loads(body))
        return reply.message.content[0].text, reply.usage.tokens.input_tokens

    def read_embed(body: bytes) -> float:
        reply = construct_type(type_=cohere.EmbedByTypeResponse, object_=json.loads(body))
        return sum(vector[0] for vector in reply.embeddings.float_)

    return {"build": build, "chat": read_chat, "embed": read_embed}


def floor() -> dict[str, Callable[..., Any]]:
    def build() -> Any:
        call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
        return {"role": "assistant", "tool_plan": "I will look it up.", "tool_calls": [call]}

    def read_chat(body: bytes) -> Any:
        reply = json.loads(body)
        return reply["message"]["content"][0]["text"], reply["usage"]["tokens"]["input_tokens"]

    def read_embed(body: bytes) -> float:
        return sum(vector[0] for vector in json.loads(body)["embeddings"]["float"])

    return {"build": build, "chat": read_chat, "embed": read_embed}


def repeat(work: Callable[..., Any], times: int, *args: Any) -> Callable[[], None]:
    def run() -> None:
        for _ in range(times):
            work(*args)

    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    spec = Spec.load()
    sides = {"floor (dicts, json.loads)": floor(), "cohere_dyn": ours(spec)}
    sdk = None
    if official_sdk_available():
        from importlib import metadata

        sdk = f"cohere {metadata.version('cohere')}"
        sides[sdk] = official()
    chat, embed = chat_answer(), embed_answer()
    tasks = {
        "build a tool call and an assistant message": ("build", 2000, ()),
        f"read a v2 chat answer ({len(chat)} bytes)": ("chat", 2000, (chat,)),
        f"read a v2 embed answer, 96 x 1024 floats ({len(embed) / 1e6:.1f} MB)": ("embed", 5, (embed,)),
    }
    lines = [
        "| task | candidate | µs per operation (best round) | ratio to the floor (median round) | cohere_dyn / official SDK |",
        "|---|---|---|---|---|",
    ]
    for task, (key, times, task_args) in tasks.items():
        candidates = {name: repeat(side[key], times, *task_args) for name, side in sides.items()}
        rounds = interleaved_rounds(candidates, args.rounds)
        floor_times = rounds["floor (dicts, json.loads)"]
        for name, measured in rounds.items():
            ratio = statistics.median(t / f for t, f in zip(measured, floor_times))
            versus = ""
            if name == "cohere_dyn" and sdk:
                versus = f"{statistics.median(t / s for t, s in zip(measured, rounds[sdk])):.3f}"
            lines.append(f"| {task} | {name} | {min(measured) / times * 1e6:,.1f} | {ratio:.2f} | {versus} |")
    lines.append(
        f"\n{args.rounds} interleaved rounds; one process; Python {sys.version.split()[0]}"
        + (f"; {sdk} with pydantic {metadata.version('pydantic')}" if sdk else "; the official SDK not installed")
        + ". Reading includes decoding the bytes; the embed answer is read to every vector's first value."
    )
    body = "\n".join(lines)
    print(body)
    write_section("Model classes: building one, reading an answer", "`python bench/bench_models.py`\n\n" + body)


if __name__ == "__main__":
    main()
