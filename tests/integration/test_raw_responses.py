"""client.with_raw_response: the HTTP status and headers beside what the plain call returns, sync and
async, streams as context managers (as the official SDK 7.x has it)."""

from __future__ import annotations

import asyncio
import json
from typing import Iterator

import pytest

import cohere_dyn
from cohere_dyn.mock import MockServer

MODEL = "command-a-03-2025"
MESSAGES = [{"role": "user", "content": "hello there"}]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(delay=0) as server:
        yield server


def test_a_raw_answer_has_the_status_the_headers_in_any_case_and_the_data(mock: MockServer) -> None:
    response = cohere_dyn.ClientV2(api_key="k", base_url=mock.url).with_raw_response.chat(model=MODEL, messages=MESSAGES)
    assert response.status_code == 200
    assert response.headers["content-type"] == response.headers["Content-Type"] == "application/json"
    assert isinstance(response.data, cohere_dyn.V2ChatResponse)
    assert 'You said: "hello there"' in response.data.message.content[0].text


def test_groups_and_positional_ids_have_raw_methods_too(mock: MockServer) -> None:
    client = cohere_dyn.Client(api_key="k", base_url=mock.url)
    assert client.v2.with_raw_response.rerank(model="rerank-v3.5", query="q", documents=["a"]).data.results
    created = client.datasets.create(name="d", type="embed-input", data=b'{"text": "a"}\n')
    assert client.datasets.with_raw_response.get(created.id).data.dataset.id == created.id


def test_a_raw_stream_is_a_context_manager_that_closes_it(mock: MockServer) -> None:
    client = cohere_dyn.ClientV2(api_key="k", base_url=mock.url)
    with client.with_raw_response.chat_stream(model=MODEL, messages=MESSAGES) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        first = next(iter(response.data))
    assert first.type == "message-start"
    with pytest.raises(StopIteration):  # closed on leaving the block
        next(iter(response.data))


def test_async_raw_answers_and_streams(mock: MockServer) -> None:
    async def run() -> tuple[int, str, list[str]]:
        async with cohere_dyn.AsyncClientV2(api_key="k", base_url=mock.url) as client:
            response = await client.with_raw_response.chat(model=MODEL, messages=MESSAGES)
            async with client.with_raw_response.chat_stream(model=MODEL, messages=MESSAGES) as streamed:
                types = [event.type async for event in streamed.data]
            return response.status_code, response.data.id, types

    status, reply_id, types = asyncio.run(run())
    assert status == 200 and reply_id and types[0] == "message-start" and types[-1] == "message-end"


def test_a_raw_call_is_one_request_validated_as_any(mock: MockServer) -> None:
    client = cohere_dyn.ClientV2(api_key="k", base_url=mock.url)
    sent = len(mock.requests)
    with pytest.raises(cohere_dyn.ValidationError):  # embed's batching is not for raw calls: one request at most
        client.with_raw_response.embed(model="embed-v4.0", texts=["t"] * 200, input_type="search_document", embedding_types=["float"])
    assert len(mock.requests) == sent
    response = client.with_raw_response.tokenize(text="hello", model="command-a-03-2025", offline=False)
    assert response.status_code == 200 and json.loads(mock.requests[-1].body)["text"] == "hello"


def test_errors_raise_as_from_the_plain_call(mock: MockServer) -> None:
    with pytest.raises(cohere_dyn.UnauthorizedError):
        cohere_dyn.ClientV2(api_key="k", base_url=mock.url, key_header="X-Nothing").with_raw_response.chat(model=MODEL, messages=MESSAGES)


def test_what_has_no_raw_form_says_so() -> None:
    client = cohere_dyn.ClientV2(api_key="k")
    with pytest.raises(AttributeError, match="no method 'embed_stream'"):
        client.with_raw_response.embed_stream  # noqa: B018
    assert "chat" in dir(client.with_raw_response) and "embed_stream" not in dir(client.with_raw_response)
