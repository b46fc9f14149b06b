"""langchain-cohere on cohere_dyn: chat, streams, async, tools, structured output, embeddings, rerank, RAG."""

from __future__ import annotations

import asyncio
import json

import pytest

from cohere_dyn.mock import MockServer

langchain_cohere = pytest.importorskip("langchain_cohere")
from langchain_core.documents import Document  # noqa: E402
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage  # noqa: E402
from langchain_core.tools import tool  # noqa: E402
from pydantic import BaseModel  # noqa: E402

MODEL = "command-a-03-2025"


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


class Person(BaseModel):
    name: str
    age: int


@pytest.fixture
def chat(mock: MockServer) -> langchain_cohere.ChatCohere:
    return langchain_cohere.ChatCohere(cohere_api_key="k", base_url=mock.url, model=MODEL)


def test_invoke_answers_with_text_and_token_usage(chat: langchain_cohere.ChatCohere) -> None:
    reply = chat.invoke("hello there")
    assert 'You said: "hello there"' in reply.content
    assert reply.usage_metadata["input_tokens"] > 0 and reply.usage_metadata["output_tokens"] > 0
    assert reply.response_metadata["finish_reason"] == "COMPLETE"


def test_stream_yields_the_text_piece_by_piece(chat: langchain_cohere.ChatCohere) -> None:
    pieces = [chunk.content for chunk in chat.stream("hello there")]
    assert len([piece for piece in pieces if piece]) > 1
    assert 'You said: "hello there"' in "".join(pieces)


def test_async_invoke_and_stream(chat: langchain_cohere.ChatCohere) -> None:
    async def run() -> tuple[str, str]:
        reply = await chat.ainvoke("hi async")
        streamed = "".join([chunk.content async for chunk in chat.astream("hi async")])
        return reply.content, streamed

    reply, streamed = asyncio.run(run())
    assert 'You said: "hi async"' in reply and 'You said: "hi async"' in streamed


def test_a_bound_tool_is_called_with_arguments(chat: langchain_cohere.ChatCohere) -> None:
    reply = chat.bind_tools([get_weather]).invoke("use the get_weather tool for Paris")
    assert [call["name"] for call in reply.tool_calls] == ["get_weather"]
    assert isinstance(reply.tool_calls[0]["args"]["city"], str)


def test_a_tool_result_goes_back_to_the_model(chat: langchain_cohere.ChatCohere) -> None:
    bound = chat.bind_tools([get_weather])
    question = HumanMessage("use the get_weather tool for Paris")
    call = bound.invoke([question])
    result = ToolMessage(get_weather.invoke(call.tool_calls[0]["args"]), tool_call_id=call.tool_calls[0]["id"])
    answer = bound.invoke([question, call, result])
    assert "The tool returned" in answer.content and "sunny in" in answer.content


def test_streamed_tool_calls_carry_the_tool_and_its_arguments(chat: langchain_cohere.ChatCohere) -> None:
    chunks = list(chat.bind_tools([get_weather]).stream("use the get_weather tool for Paris"))
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    calls = [call for call in merged.tool_calls if call["name"] == "get_weather" and call["args"]]
    assert calls and isinstance(calls[0]["args"]["city"], str)


def test_structured_output_is_the_schema_filled_in(chat: langchain_cohere.ChatCohere) -> None:
    person = chat.with_structured_output(Person, method="function_calling").invoke("make up a person (tool)")
    assert isinstance(person, Person) and isinstance(person.age, int)


def test_documents_give_citations(chat: langchain_cohere.ChatCohere) -> None:
    reply = chat.invoke("What colour is the sky?", documents=[Document(page_content="The sky is blue.", metadata={"id": "d1"})])
    assert isinstance(reply, AIMessage)
    assert {"documents", "citations"} <= set(reply.additional_kwargs)
    json.loads(reply.model_dump_json())  # what it holds of cohere's serialises (langsmith does this)


def test_embeddings_sync_and_async(mock: MockServer) -> None:
    embeddings = langchain_cohere.CohereEmbeddings(cohere_api_key="k", base_url=mock.url, model="embed-v4.0")
    documents = embeddings.embed_documents(["first", "second"])
    assert len(documents) == 2 and len(documents[0]) == len(embeddings.embed_query("a query")) > 0
    assert len(asyncio.run(embeddings.aembed_documents(["one", "two", "three"]))) == 3


def test_rerank_orders_the_documents(mock: MockServer) -> None:
    reranker = langchain_cohere.CohereRerank(cohere_api_key="k", base_url=mock.url, model="rerank-v3.5", top_n=2)
    results = reranker.rerank(["about cats", "about dogs", "about birds"], "dogs")
    assert len(results) == 2
    assert results[0]["relevance_score"] >= results[1]["relevance_score"]
    compressed = reranker.compress_documents([Document(page_content="about cats"), Document(page_content="about dogs")], "dogs")
    assert all("relevance_score" in document.metadata for document in compressed)


def test_the_mock_saw_the_client_name_langchain_sends(chat: langchain_cohere.ChatCohere, mock: MockServer) -> None:
    chat.invoke("hi")
    assert mock.requests[-1].headers.get("x-client-name") == "langchain:partner"
