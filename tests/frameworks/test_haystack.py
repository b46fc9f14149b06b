"""cohere-haystack on cohere_dyn: embedders, the ranker, the chat generator (streaming, tools, async,
max_retries through an httpx client)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cohere_dyn.mock import MockServer

pytest.importorskip("haystack_integrations.components.generators.cohere")
from haystack import Document  # noqa: E402
from haystack.dataclasses import ChatMessage  # noqa: E402
from haystack.tools import Tool  # noqa: E402
from haystack.utils import Secret  # noqa: E402
from haystack_integrations.components.embedders.cohere import CohereDocumentEmbedder, CohereTextEmbedder  # noqa: E402
from haystack_integrations.components.generators.cohere import CohereChatGenerator  # noqa: E402
from haystack_integrations.components.rankers.cohere import CohereRanker  # noqa: E402

KEY = Secret.from_token("k")
MODEL = "command-a-03-2025"
WEATHER = Tool(
    name="get_weather",
    description="The weather in a city.",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    function=lambda city: f"sunny in {city}",
)


def test_text_and_document_embedders(mock: MockServer) -> None:
    text = CohereTextEmbedder(api_key=KEY, api_base_url=mock.url, model="embed-v4.0")
    vector = text.run("a text")["embedding"]
    documents = CohereDocumentEmbedder(api_key=KEY, api_base_url=mock.url, model="embed-v4.0", progress_bar=False)
    embedded = documents.run([Document(content="a"), Document(content="b")])
    assert len(vector) > 0
    assert [len(document.embedding) for document in embedded["documents"]] == [len(vector)] * 2
    assert "billed_units" in embedded["meta"]  # response.meta.model_dump()


def test_ranker_scores_and_keeps_top_k(mock: MockServer) -> None:
    ranker = CohereRanker(api_key=KEY, api_base_url=mock.url, model="rerank-v3.5", top_k=1)
    (best,) = ranker.run(query="dogs", documents=[Document(content="about cats"), Document(content="about dogs")])["documents"]
    assert best.score is not None


def test_chat_generator_answers(mock: MockServer) -> None:
    generator = CohereChatGenerator(api_key=KEY, api_base_url=mock.url, model=MODEL)
    (reply,) = generator.run([ChatMessage.from_user("hello there")])["replies"]
    assert 'You said: "hello there"' in reply.text
    assert reply.meta["usage"]["prompt_tokens"] > 0


def test_chat_generator_streams_to_its_callback(mock: MockServer) -> None:
    chunks: list[Any] = []
    generator = CohereChatGenerator(api_key=KEY, api_base_url=mock.url, model=MODEL, streaming_callback=chunks.append)
    (reply,) = generator.run([ChatMessage.from_user("hello there")])["replies"]
    assert len(chunks) > 1 and 'You said: "hello there"' in reply.text


def test_chat_generator_calls_tools_streamed_or_not(mock: MockServer) -> None:
    for callback in (None, lambda chunk: None):
        generator = CohereChatGenerator(api_key=KEY, api_base_url=mock.url, model=MODEL, tools=[WEATHER], streaming_callback=callback)
        (reply,) = generator.run([ChatMessage.from_user("use the get_weather tool for Paris")])["replies"]
        assert [call.tool_name for call in reply.tool_calls] == ["get_weather"]
        assert isinstance(reply.tool_calls[0].arguments["city"], str)


def test_max_retries_sends_through_an_httpx_client(mock: MockServer) -> None:
    generator = CohereChatGenerator(api_key=KEY, api_base_url=mock.url, model=MODEL, timeout=10, max_retries=2)
    (reply,) = generator.run([ChatMessage.from_user("hello there")])["replies"]
    assert reply.text


def test_async_run(mock: MockServer) -> None:
    generator = CohereChatGenerator(api_key=KEY, api_base_url=mock.url, model=MODEL)
    (reply,) = asyncio.run(generator.run_async([ChatMessage.from_user("hi async")]))["replies"]
    assert 'You said: "hi async"' in reply.text
