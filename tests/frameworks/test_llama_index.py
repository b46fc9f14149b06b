"""LlamaIndex's Cohere integrations on cohere_dyn: embeddings, the rerank postprocessor, the LLM (chat,
streams, async, tools, completion)."""

from __future__ import annotations

import asyncio

import pytest

from cohere_dyn.mock import MockServer

pytest.importorskip("llama_index.embeddings.cohere")
pytest.importorskip("llama_index.postprocessor.cohere_rerank")
pytest.importorskip("llama_index.llms.cohere")
from llama_index.core.llms import ChatMessage  # noqa: E402
from llama_index.core.schema import NodeWithScore, TextNode  # noqa: E402
from llama_index.core.tools import FunctionTool  # noqa: E402
from llama_index.embeddings.cohere import CohereEmbedding  # noqa: E402
from llama_index.llms.cohere import Cohere  # noqa: E402
from llama_index.postprocessor.cohere_rerank import CohereRerank  # noqa: E402


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@pytest.fixture
def llm(mock: MockServer) -> Cohere:
    return Cohere(api_key="k", base_url=mock.url, model="command-r-plus")


def test_text_and_query_embeddings(mock: MockServer) -> None:
    embedding = CohereEmbedding(api_key="k", base_url=mock.url, model_name="embed-v4.0")
    vector = embedding.get_text_embedding("a text")
    assert len(vector) > 0 and all(isinstance(value, float) for value in vector)
    assert len(embedding.get_query_embedding("a query")) == len(vector)
    assert len(embedding.get_text_embedding_batch(["a", "b", "c"])) == 3


def test_async_embeddings(mock: MockServer) -> None:
    embedding = CohereEmbedding(api_key="k", base_url=mock.url, model_name="embed-v4.0")
    assert len(asyncio.run(embedding.aget_text_embedding("a text"))) > 0


def test_rerank_postprocessor_keeps_the_best_node(mock: MockServer) -> None:
    rerank = CohereRerank(api_key="k", base_url=mock.url, model="rerank-v3.5", top_n=1)
    nodes = [NodeWithScore(node=TextNode(text="about cats")), NodeWithScore(node=TextNode(text="about dogs"))]
    kept = rerank.postprocess_nodes(nodes, query_str="dogs")
    assert len(kept) == 1 and kept[0].score is not None


def test_chat_and_its_raw_answer(llm: Cohere) -> None:
    response = llm.chat([ChatMessage(role="user", content="hello there")])
    assert 'You said: "hello there"' in response.message.content
    assert response.raw["text"] == response.message.content  # the raw answer is its __dict__
    response.model_dump_json()  # the raw answer serialises


def test_stream_chat_and_completion(llm: Cohere) -> None:
    streamed = "".join(chunk.delta for chunk in llm.stream_chat([ChatMessage(role="user", content="hello there")]))
    assert 'You said: "hello there"' in streamed
    assert llm.complete("once upon a time").text


def test_async_chat(llm: Cohere) -> None:
    response = asyncio.run(llm.achat([ChatMessage(role="user", content="hi async")]))
    assert 'You said: "hi async"' in response.message.content


def test_tool_calls_carry_their_arguments(llm: Cohere) -> None:
    tool = FunctionTool.from_defaults(fn=get_weather)
    response = llm.chat_with_tools([tool], user_msg="use the get_weather tool for Paris")
    (selection,) = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    assert selection.tool_name == "get_weather"
    assert isinstance(selection.tool_kwargs["city"], str)  # the arguments, not an empty dict
