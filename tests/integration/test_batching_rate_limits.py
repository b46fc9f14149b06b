"""A batched (merging) embed against a loopback API that enforces a rate limit (tests/embed_server.py).

Its batches share embed_stream's window: a 429 pauses them all, so the call slows down instead
of failing, and gives up only past its patience.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import cohere_dyn
from cohere_dyn._workflows import _batching
from tests.embed_server import EmbedServer, marker

ARGS = {"model": "embed-v4.0", "input_type": "search_document", "embedding_types": ["float"]}
TEXTS = [f"text number {index}" for index in range(400)]


def embed(server: EmbedServer, **options: Any) -> dict[str, Any]:
    client = cohere_dyn.ClientV2(api_key="k", base_url=server.url)
    return client.embed(texts=TEXTS, batch_size=10, progress=False, **ARGS, **options).to_dict()


def embed_async(server: EmbedServer, **options: Any) -> dict[str, Any]:
    pytest.importorskip("aiohttp")

    async def main() -> dict[str, Any]:
        async with cohere_dyn.AsyncClientV2(api_key="k", base_url=server.url) as client:
            reply = await client.embed(texts=TEXTS, batch_size=10, progress=False, **ARGS, **options)
            return reply.to_dict()

    return asyncio.run(main())


@pytest.fixture(scope="module")
def unlimited() -> dict[str, Any]:
    with EmbedServer(latency=0.01) as server:
        return embed(server)


def test_the_unlimited_answer_is_every_text_in_order(unlimited: dict[str, Any]) -> None:
    assert [vector[0] for vector in unlimited["embeddings"]["float"]] == [marker(text) for text in TEXTS]


def test_more_workers_than_the_limit_allows_completes_with_the_unlimited_answer(unlimited: dict[str, Any]) -> None:
    with EmbedServer(rate=50, burst=2, latency=0.01) as server:
        reply = embed(server, max_workers=8)
        statuses = server.stats()["statuses"]
    assert reply == unlimited
    assert statuses[429] > 0 and statuses[200] == 40


def test_a_429_storm_slows_the_call_down_without_failing_it(unlimited: dict[str, Any]) -> None:
    with EmbedServer(rate=50, burst=2, latency=0.01, storm=(0.1, 0.6, 4)) as server:
        reply = embed(server)
        statuses = server.stats()["statuses"]
    assert reply == unlimited
    assert statuses[429] > 0 and statuses[200] == 40


def test_the_async_client_completes_at_the_limit_with_the_unlimited_answer(unlimited: dict[str, Any]) -> None:
    with EmbedServer(rate=50, burst=2, latency=0.01) as server:
        reply = embed_async(server, max_workers=8)
        statuses = server.stats()["statuses"]
    assert reply == unlimited
    assert statuses[429] > 0 and statuses[200] == 40


def test_the_async_client_survives_a_429_storm(unlimited: dict[str, Any]) -> None:
    with EmbedServer(rate=50, burst=2, latency=0.01, storm=(0.1, 0.6, 4)) as server:
        reply = embed_async(server)
        statuses = server.stats()["statuses"]
    assert reply == unlimited
    assert statuses[429] > 0 and statuses[200] == 40


def test_rate_limiting_past_the_patience_names_the_inputs_not_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_batching, "PATIENCE", 0.3)
    with EmbedServer(rate=1, burst=1) as server:
        with pytest.raises(cohere_dyn.TooManyRequestsError) as caught:
            embed(server, max_workers=1)
    assert caught.value.inputs == range(10, 400)
    assert "texts[10:400] not embedded" in str(caught.value) and "patience" in str(caught.value)


@pytest.mark.parametrize("headers", [{"Retry-After": "0"}, {"Retry-After": "-1"}, {"retry-after-ms": "0"}])
@pytest.mark.parametrize("call", [embed, embed_async], ids=["sync", "async"])
def test_a_429_saying_retry_now_costs_a_growing_pause_not_a_flood(
    monkeypatch: pytest.MonkeyPatch, call: Any, headers: dict[str, str]
) -> None:
    monkeypatch.setattr(_batching, "PATIENCE", 0.5)
    with EmbedServer(rate=1e-9, burst=1, refusal_headers=lambda wait: headers) as server:  # admits only the first
        with pytest.raises(cohere_dyn.TooManyRequestsError):
            call(server)
        refused = server.stats()["statuses"][429]
    assert refused < 20  # pauses of 10, 20, 40... ms until the patience runs out; thousands without them


def test_another_error_fails_fast_with_the_range_of_its_batch() -> None:
    with EmbedServer(rate=50, burst=2, fail_on="number 45") as server:
        with pytest.raises(cohere_dyn.BadRequestError) as caught:
            embed(server, max_workers=8)
        stats = server.stats()
    assert caught.value.inputs == range(40, 50)
    assert "texts[40:50]" in str(caught.value)
    # Once the refusal is in, nothing new starts: what arrives after it is the other workers'
    # requests already on their way (the window holds 8), not the 35 batches that would follow.
    assert stats["after_refusal"] < 16
