"""embed_stream against a loopback embed API that enforces a rate limit (tests/embed_server.py)."""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any, Iterator

import pytest

import cohere_dyn
from cohere_dyn._bulk._embed_stream import StreamedEmbedding
from tests import faults
from tests.embed_server import EmbedServer, marker
from tests.faults import FaultServer

ARGS = {"model": "embed-v4.0", "input_type": "search_document", "embedding_types": ["float"]}


class Counted:
    """A generator of texts that counts how many were read."""

    def __init__(self, count: int, special: dict[int, str] | None = None):
        self.count = count
        self.special = special or {}
        self.read = 0

    def __iter__(self) -> Iterator[str]:
        for index in range(self.count):
            self.read += 1
            yield self.special.get(index, f"text number {index}")


def client_for(server: EmbedServer, **options: Any) -> cohere_dyn.Client:
    return cohere_dyn.Client(api_key="k", base_url=server.url, **options)


def test_results_come_in_input_order_one_per_input_none_lost_or_repeated() -> None:
    with EmbedServer(latency=0.01) as server:
        results = list(client_for(server).v2.embed_stream(texts=Counted(1000), batch_size=50, **ARGS))
    assert [r.index for r in results] == list(range(1000))
    assert [r.text for r in results] == [f"text number {i}" for i in range(1000)]
    assert all(r.embedding[0] == marker(r.text) for r in results)


def test_inputs_are_read_no_further_ahead_than_the_batches_in_flight() -> None:
    source = Counted(600)
    batch_size, workers = 20, 3
    with EmbedServer(latency=0.01) as server:
        for yielded, _ in enumerate(
            client_for(server).v2.embed_stream(texts=source, batch_size=batch_size, max_workers=workers, **ARGS), 1
        ):
            assert source.read <= yielded + (workers + 1) * batch_size


def live_results() -> int:
    return sum(isinstance(item, StreamedEmbedding) for item in gc.get_objects())


def test_results_once_yielded_are_not_held_by_the_run() -> None:
    held = []
    with EmbedServer() as server:
        results = client_for(server).v2.embed_stream(texts=Counted(2000), batch_size=10, max_workers=2, **ARGS)
        for index, _ in enumerate(results):
            if index % 10 == 0:
                time.sleep(0.005)  # a slow reader: the next batch is answered before it is asked for
            if index % 1000 == 999:
                held.append(live_results())
    assert max(held) <= 4 * 10  # the batches in flight and the one being yielded, not every one so far


def test_the_async_client_holds_no_result_once_yielded() -> None:
    pytest.importorskip("httpx")

    async def main(url: str) -> list[int]:
        held = []
        async with cohere_dyn.AsyncClient(api_key="k", base_url=url) as client:
            index = 0
            async for _ in client.v2.embed_stream(texts=Counted(2000), batch_size=10, max_workers=2, **ARGS):
                index += 1
                if index % 10 == 0:
                    await asyncio.sleep(0.005)
                if index % 1000 == 0:
                    held.append(live_results())
        return held

    with EmbedServer() as server:
        assert max(asyncio.run(main(server.url))) <= 4 * 10


def test_each_embedding_type_is_yielded_per_input() -> None:
    with EmbedServer() as server:
        results = list(client_for(server).embed_stream(texts=Counted(5), embedding_types=["float", "int8"], model="m"))
    assert [(r.index, r.embedding_type) for r in results] == [(i, t) for i in range(5) for t in ("float", "int8")]


def test_v1_without_embedding_types_yields_float_embeddings() -> None:
    with EmbedServer() as server:
        results = list(client_for(server).embed_stream(texts=Counted(3), model="m"))
    assert {r.embedding_type for r in results} == {"float"}


def test_images_batch_as_the_spec_allows_and_batch_size_caps_them() -> None:
    # The current API takes several images per request (the 2025 spec allowed one: maxItems 1,
    # which the default batch size would then follow).
    images = [f"data:image/png;base64,{i}AAAA" for i in range(3)]
    with EmbedServer() as server:
        results = list(client_for(server).v2.embed_stream(images=iter(images), **ARGS))
        assert server.stats()["statuses"] == {200: 1}
    assert [(r.index, r.text) for r in results] == [(0, None), (1, None), (2, None)]
    with EmbedServer() as server:
        list(client_for(server).v2.embed_stream(images=iter(images), batch_size=1, **ARGS))
        assert server.stats()["statuses"] == {200: 3}


def test_a_429_storm_slows_the_run_down_without_failing_it() -> None:
    with EmbedServer(latency=0.01) as calm:
        expected = [r.to_dict() for r in client_for(calm).v2.embed_stream(texts=Counted(400), batch_size=10, **ARGS)]
    with EmbedServer(rate=50, burst=2, latency=0.01, storm=(0.1, 0.6, 4)) as server:
        results = [r.to_dict() for r in client_for(server).v2.embed_stream(texts=Counted(400), batch_size=10, **ARGS)]
        statuses = server.stats()["statuses"]
    assert results == expected
    assert statuses[429] > 0 and statuses[200] == 40


def test_rate_limiting_past_the_patience_names_the_inputs_not_embedded() -> None:
    with EmbedServer(rate=1, burst=1) as server:
        client = client_for(server)
        with pytest.raises(cohere_dyn.TooManyRequestsError) as caught:
            list(client.v2.embed_stream(texts=Counted(50), batch_size=10, max_workers=1, patience=0.3, **ARGS))
    assert caught.value.inputs.start == 10
    assert "texts[10:" in str(caught.value) and "patience" in str(caught.value)


RETRY_NOW = [{"Retry-After": "0"}, {"Retry-After": "-1"}, {"retry-after-ms": "0"}]


def refusing(headers: dict[str, str]) -> EmbedServer:
    """Admits the first request, then answers every other with a 429 carrying `headers`."""
    return EmbedServer(rate=1e-9, burst=1, refusal_headers=lambda wait: headers)


@pytest.mark.parametrize("headers", RETRY_NOW)
def test_a_429_saying_retry_now_costs_a_growing_pause_not_a_flood(headers: dict[str, str]) -> None:
    with refusing(headers) as server:
        with pytest.raises(cohere_dyn.TooManyRequestsError):
            list(client_for(server).v2.embed_stream(texts=Counted(50), batch_size=10, patience=0.5, **ARGS))
        refused = server.stats()["statuses"][429]
    assert refused < 20  # pauses of 10, 20, 40... ms until the patience runs out; thousands without them


@pytest.mark.parametrize("headers", RETRY_NOW)
def test_the_async_client_pauses_too_after_a_429_saying_retry_now(headers: dict[str, str]) -> None:
    pytest.importorskip("httpx")

    async def main(url: str) -> None:
        async with cohere_dyn.AsyncClient(api_key="k", base_url=url) as client:
            async for _ in client.v2.embed_stream(texts=Counted(50), batch_size=10, patience=0.5, **ARGS):
                pass

    with refusing(headers) as server:
        with pytest.raises(cohere_dyn.TooManyRequestsError):
            asyncio.run(main(server.url))
        refused = server.stats()["statuses"][429]
    assert refused < 20


def test_another_error_fails_fast_with_the_range_of_its_batch() -> None:
    source = Counted(10_000, special={260: "please refuse this"})
    with EmbedServer(fail_on="refuse") as server:
        with pytest.raises(cohere_dyn.BadRequestError) as caught:
            list(client_for(server).v2.embed_stream(texts=source, batch_size=50, max_workers=2, **ARGS))
    assert caught.value.inputs == range(250, 300)
    assert "texts[250:300]" in str(caught.value)
    assert source.read < 1000


def test_an_invalid_input_is_reported_at_its_place_in_the_whole_input() -> None:
    source = Counted(300, special={150: 42})  # type: ignore[dict-item]
    with EmbedServer() as server:
        with pytest.raises(cohere_dyn.ValidationError) as caught:
            list(client_for(server).v2.embed_stream(texts=source, batch_size=50, **ARGS))
    assert "texts[150]" in str(caught.value)


def test_exactly_one_input_argument_is_required() -> None:
    with EmbedServer() as server:
        with pytest.raises(TypeError, match="exactly one of texts, images, inputs"):
            client_for(server).v2.embed_stream(**ARGS)


def test_a_misspelt_keyword_fails_at_the_call_before_anything_is_read() -> None:
    source = Counted(10)
    with EmbedServer() as server:
        with pytest.raises(TypeError, match="Did you mean 'batch_size'"):
            client_for(server).v2.embed_stream(texts=source, batch_sise=5, **ARGS)
    assert source.read == 0


def test_the_async_client_yields_in_order_from_an_async_source() -> None:
    pytest.importorskip("httpx")

    async def texts() -> Any:
        for index in range(300):
            yield f"text number {index}"

    async def main(url: str) -> list[Any]:
        async with cohere_dyn.AsyncClient(api_key="k", base_url=url) as client:
            return [r async for r in client.v2.embed_stream(texts=texts(), batch_size=32, **ARGS)]

    with EmbedServer(rate=40, burst=2, latency=0.01) as server:
        results = asyncio.run(main(server.url))
    assert [r.index for r in results] == list(range(300))
    assert all(r.embedding[0] == marker(r.text) for r in results)


def test_the_async_client_fails_fast_with_the_range_of_its_batch() -> None:
    pytest.importorskip("httpx")

    async def main(url: str) -> None:
        async with cohere_dyn.AsyncClient(api_key="k", base_url=url) as client:
            async for _ in client.v2.embed_stream(texts=Counted(500, {120: "refuse"}), batch_size=50, **ARGS):
                pass

    with EmbedServer(fail_on="refuse") as server:
        with pytest.raises(cohere_dyn.BadRequestError) as caught:
            asyncio.run(main(server.url))
    assert caught.value.inputs == range(100, 150)


@pytest.mark.parametrize("embeddings", [{}, 5, [[1.0]]], ids=["no-list", "a-number", "one-vector-for-two-texts"])
def test_an_answer_without_one_result_per_input_fails_naming_its_inputs(embeddings: Any) -> None:
    answer = {"id": "e", "texts": ["a", "b"], "embeddings": embeddings}
    with FaultServer([faults.ok(answer)]) as server:
        client = cohere_dyn.ClientV2(api_key="k", base_url=server.url)
        with pytest.raises(cohere_dyn.CohereError, match=r"texts\[0:2\]: the answer") as caught:
            list(client.embed_stream(texts=["a", "b"], **ARGS))
    assert caught.value.inputs == range(0, 2)
