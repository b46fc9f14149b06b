"""Iterators over paged list methods, driven by the spec's pagination rules, against the mock."""

from __future__ import annotations

import asyncio
import inspect
import json
import math
from typing import Any, Callable, Iterator

import pytest

import cohere_dyn
from cohere_dyn.mock import MockServer
from tests.capture import Captured, CaptureServer, Reply

ALL_MODELS = 10  # the mock's catalogue


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(delay=0) as server:
        yield server


@pytest.fixture
def client(mock: MockServer) -> cohere_dyn.Client:
    return cohere_dyn.Client(api_key="k", base_url=mock.url)


def _models_requests(mock: MockServer) -> int:
    return sum(1 for request in mock.requests if request.path == "/v1/models")


def test_iter_yields_every_item_of_every_page(client: cohere_dyn.Client, mock: MockServer) -> None:
    before = _models_requests(mock)
    names = [model.name for model in client.models.iter(page_size=3)]
    assert _models_requests(mock) - before == 4  # 3 + 3 + 3 + 1
    assert len(names) == len(set(names)) == ALL_MODELS
    assert names == [model.name for model in client.models.list(page_size=ALL_MODELS).models]


def test_pages_are_fetched_only_when_the_loop_needs_them(client: cohere_dyn.Client, mock: MockServer) -> None:
    before = _models_requests(mock)
    models = client.models.iter(page_size=3)
    assert _models_requests(mock) == before
    taken = [model for _, model in zip(range(2), models)]
    assert len(taken) == 2 and _models_requests(mock) - before == 1


def test_paginate_takes_the_list_method_and_its_arguments(client: cohere_dyn.Client) -> None:
    names = [model.name for model in cohere_dyn.paginate(client.models.list, page_size=4, endpoint="chat")]
    assert names == [model.name for model in client.models.list(endpoint="chat").models]
    pages = list(cohere_dyn.paginate(client.models.list, page_size=4).pages())
    assert [len(page.models) for page in pages] == [4, 4, 2]
    assert pages[-1].next_page_token is None


def test_offset_pagination_moves_by_the_items_received(client: cohere_dyn.Client, mock: MockServer) -> None:
    made = [client.connectors.create(name=f"c{i}", url=f"https://c{i}.example.com/search").connector.id for i in range(5)]
    before = sum(1 for r in mock.requests if r.path == "/v1/connectors" and r.method == "GET")
    found = [connector.id for connector in client.connectors.iter(limit=2)]
    after = sum(1 for r in mock.requests if r.path == "/v1/connectors" and r.method == "GET")
    assert set(made) <= set(found) and len(found) == len(set(found))
    assert after - before == math.ceil(len(found) / 2)  # the total count ends it without an empty page


def test_offset_pagination_without_a_total_stops_at_an_empty_page(client: cohere_dyn.Client) -> None:
    for name in ("a", "b", "c"):
        client.datasets.create(name=name, type="embed-input", data=b'{"text": "x"}\n')
    assert len(list(client.datasets.iter(limit=2))) == len(client.datasets.list().datasets) >= 3


def test_every_paged_list_has_an_iterator_named_by_the_spec(client: cohere_dyn.Client) -> None:
    assert {"iter_finetuned_models", "iter_events", "iter_training_step_metrics"} <= set(dir(client.finetuning))
    assert "iter" in dir(client.models) and "iter" in dir(client.datasets) and "iter" in dir(client.connectors)
    assert "iter" not in dir(client.embed_jobs)  # its list doesn't page
    signature = inspect.signature(client.finetuning.iter_events)
    assert "finetuned_model_id" in signature.parameters and signature.return_annotation == "Iterator[Event]"
    assert client.models.iter.__doc__.startswith("Every item of models.list")


def test_finetuning_events_page_through(client: cohere_dyn.Client) -> None:
    created = client.finetuning.create_finetuned_model(
        request={"name": "ft", "settings": {"base_model": {"base_type": "BASE_TYPE_CHAT"}, "dataset_id": "d"}}
    )
    ident = created.finetuned_model.id
    for _ in range(3):
        client.finetuning.get_finetuned_model(id=ident)  # each get moves it a status on, with an event
    events = list(client.finetuning.iter_events(finetuned_model_id=ident, page_size=1))
    assert [event.status for event in events] == [
        event.status for event in client.finetuning.list_events(finetuned_model_id=ident).events
    ]
    assert len(events) >= 2


def test_misuse_fails_at_the_call(client: cohere_dyn.Client) -> None:
    with pytest.raises(TypeError, match="Did you mean 'page_size'"):
        client.models.iter(pagesize=3)
    with pytest.raises(TypeError, match="does not page"):
        cohere_dyn.paginate(client.models.get, model="x")
    with pytest.raises(TypeError, match="method of a cohere_dyn client"):
        cohere_dyn.paginate(print)


def test_a_token_given_twice_stops_with_an_error() -> None:
    def respond(request: Captured) -> Reply:
        return Reply(200, json.dumps({"models": [{"name": "m"}], "next_page_token": "same"}).encode())

    with CaptureServer(respond) as server:
        client = cohere_dyn.Client(api_key="k", base_url=server.url)
        with pytest.raises(cohere_dyn.CohereError, match="after page 2 is the one page 2 was fetched with"):
            list(client.models.iter())
    assert len(server.requests) == 2


def cycle(tokens: dict[str, str]) -> Callable[[Captured], Reply]:
    """A server whose next page token after the page fetched with token T is tokens[T] ("" first);
    its 20th page is the last, so that a client which never notices the cycle still stops."""
    answered = []

    def respond(request: Captured) -> Reply:
        sent = dict(request.query_pairs).get("page_token", "")
        answered.append(sent)
        following = tokens[sent] if len(answered) < 20 else None
        return Reply(200, json.dumps({"models": [{"name": f"m-{sent}"}], "next_page_token": following}).encode())

    return respond


def test_a_cycle_of_page_tokens_stops_with_an_error_naming_the_pages() -> None:
    with CaptureServer(cycle({"": "A", "A": "B", "B": "A"})) as server:
        client = cohere_dyn.Client(api_key="k", base_url=server.url)
        with pytest.raises(cohere_dyn.CohereError, match=r"models.list: the next page token after page 3 is the one page 2 was fetched with"):
            list(client.models.iter())
    assert len(server.requests) == 3  # pages "", A, B; the second A is never sent


def test_a_cycle_back_to_the_callers_own_token_is_caught() -> None:
    with CaptureServer(cycle({"A": "B", "B": "C", "C": "A"})) as server:
        client = cohere_dyn.Client(api_key="k", base_url=server.url)
        with pytest.raises(cohere_dyn.CohereError, match="after page 3 is the one page 1 was fetched with"):
            list(client.models.iter(page_token="A"))
    assert len(server.requests) == 3


def test_an_async_pager_stops_at_a_cycle_of_page_tokens_too() -> None:
    pytest.importorskip("aiohttp")

    async def read(url: str) -> list[Any]:
        async with cohere_dyn.AsyncClient(api_key="k", base_url=url) as client:
            return [model async for model in client.models.iter()]

    with CaptureServer(cycle({"": "A", "A": "B", "B": "A"})) as server:
        with pytest.raises(cohere_dyn.CohereError, match="after page 3 is the one page 2 was fetched with"):
            asyncio.run(read(server.url))
    assert len(server.requests) == 3
