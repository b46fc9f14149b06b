"""The mock Cohere API (cohere_dyn.mock), over real HTTP on 127.0.0.1, driven with `requests`
directly so that it is tested independently of the client.

Every answer these tests read is also checked against the spec's 200 schema (or, for streams,
each event against the event schema) with jsonschema + referencing, a third implementation
beside the client's validator and openapi-core.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from cohere_dyn import Spec
from cohere_dyn._spec._operations import Operation
from cohere_dyn.mock import MockServer, Received, serve
from cohere_dyn.mock._synth import Synthesizer
from tests.conftest import TINY_SPEC, WIRE_FOLDERS

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": "Bearer test-key"}
SPEC = Spec.load()
MODEL = "command-a-03-2025"


# ----------------------------------------------------------------------------------- helpers


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer(delay=0) as mock:
        yield mock


def _pointer_to(node: Any, target: Any, pointer: str = "") -> str | None:
    """The JSON pointer of `target` (by identity) inside `node`."""
    if node is target:
        return pointer
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        found = _pointer_to(value, target, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
        if found is not None:
            return found
    return None


def _validator(spec: Spec, schema: Any) -> Draft202012Validator:
    registry = Registry().with_resource("urn:spec", DRAFT202012.create_resource(spec.document))
    pointer = _pointer_to(spec.document, schema)
    assert pointer is not None, "the schema is not a node of the document"
    return Draft202012Validator({"$ref": f"urn:spec#{pointer}"}, registry=registry, format_checker=FormatChecker())


def assert_answer_valid(spec: Spec, operation: Operation, answer: Any) -> None:
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in _validator(spec, operation.response_schema).iter_errors(answer)
    ]
    assert not errors, f"{operation.qualified_name}: {errors}"


def assert_events_valid(spec: Spec, operation: Operation, media_type: str, events: list[dict[str, Any]]) -> None:
    validator = _validator(spec, operation.event_schemas[media_type])
    for index, event in enumerate(events):
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(event)]
        assert not errors, f"{operation.qualified_name} event {index} ({event}): {errors}"


def post(server: MockServer, path: str, body: Any, **kwargs: Any) -> requests.Response:
    headers = {**AUTH, **kwargs.pop("headers", {})}
    return requests.post(server.url + path, json=body, headers=headers, timeout=10, **kwargs)


def get(server: MockServer, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(server.url + path, headers=AUTH, timeout=10, **kwargs)


def answer(response: requests.Response, name: str) -> Any:
    """The JSON of a 200 answer, after checking it against the operation's schema."""
    assert response.status_code == 200, response.text
    data = response.json()
    assert_answer_valid(SPEC, SPEC.operation(name), data)
    return data


def sse_events(raw: bytes) -> tuple[list[tuple[str | None, dict[str, Any]]], bool]:
    """(event name, data) pairs of a server-sent event stream, and whether it ended with [DONE]."""
    events, done = [], False
    for block in raw.decode().split("\n\n"):
        if not block.strip():
            continue
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        assert not done, "an event after [DONE]"
        if fields["data"] == "[DONE]":
            done = True
            continue
        events.append((fields.get("event"), json.loads(fields["data"])))
    return events, done


def chat_v2_body(text: str = "What is the capital of France?", **extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "messages": [{"role": "user", "content": text}], "stream": False, **extra}


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def upload_dataset(server: MockServer, name: str = "reviews", content: bytes = b'{"text": "hello"}\n') -> str:
    response = requests.post(
        server.url + "/v1/datasets",
        params={"name": name, "type": "embed-input"},
        files={"data": ("data.jsonl", content, "application/octet-stream")},
        headers=AUTH,
        timeout=10,
    )
    return answer(response, "datasets.create")["id"]


# ----------------------------------------------------------------------------- the gatekeeping


def test_a_request_without_an_api_key_gets_401(server: MockServer) -> None:
    response = requests.post(server.url + "/v2/chat", json=chat_v2_body(), timeout=10)
    assert response.status_code == 401
    assert isinstance(response.json()["message"], str)


def test_an_invalid_body_gets_400_listing_each_problem(server: MockServer) -> None:
    body = {"model": MODEL, "messages": [{"role": "bot", "content": "hi"}], "temperature": 7}
    response = post(server, "/v2/chat", body)
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert {(p["location"], p["path"]) for p in problems} == {("body", "messages[0].role"), ("body", "temperature")}
    assert "user" in next(p["message"] for p in problems if p["path"] == "messages[0].role")
    assert "messages[0].role" in response.json()["message"]


def test_problem_messages_do_not_repeat_the_request_text(server: MockServer) -> None:
    secret = "my very private prompt"
    response = post(server, "/v2/chat", {"model": MODEL, "messages": [{"role": "bot", "content": secret}]})
    assert response.status_code == 400
    assert secret not in response.text


def test_an_invalid_query_parameter_gets_400(server: MockServer) -> None:
    response = get(server, "/v1/datasets", params={"validationStatus": "finished"})
    assert response.status_code == 400
    assert response.json()["problems"][0]["location"] == "query"
    assert response.json()["problems"][0]["path"] == "validationStatus"


def test_a_dataset_upload_without_its_data_part_gets_400(server: MockServer) -> None:
    response = requests.post(
        server.url + "/v1/datasets",
        params={"name": "x", "type": "embed-input"},
        files={"other": ("a.jsonl", b"{}")},
        headers=AUTH,
        timeout=10,
    )
    assert response.status_code == 400
    assert any("'data'" in p["message"] for p in response.json()["problems"])


def test_an_unknown_route_gets_404_and_a_wrong_method_405(server: MockServer) -> None:
    assert get(server, "/v3/chat").status_code == 404
    wrong = requests.delete(server.url + "/v2/chat", headers=AUTH, timeout=10)
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "POST"


def test_the_request_log_and_hook_see_every_request() -> None:
    seen: list[Received] = []
    with MockServer(delay=0, on_request=seen.append) as server:
        post(server, "/v2/chat", chat_v2_body())
        post(server, "/v2/chat", {"model": MODEL})
    assert [(r.operation, r.status) for r in server.requests] == [("v2.chat", 200), ("v2.chat", 400)]
    assert seen == server.requests
    assert server.requests[1].problems and server.requests[0].json()["model"] == MODEL


def test_serve_yields_a_working_base_url() -> None:
    with serve(delay=0) as url:
        response = requests.post(url + "/v1/check-api-key", headers=AUTH, timeout=10)
    assert response.json()["valid"] is True


def test_one_connection_carries_several_requests(server: MockServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", int(server.url.rsplit(":", 1)[1]), timeout=10)
    try:
        for _ in range(3):
            connection.request("POST", "/v1/check-api-key", headers=AUTH)
            response = connection.getresponse()
            assert response.status == 200 and json.loads(response.read())["valid"] is True
    finally:
        connection.close()


# ---------------------------------------------------------------------------------------- chat


def test_v2_chat_replies_with_text_that_refers_to_the_message(server: MockServer) -> None:
    data = answer(post(server, "/v2/chat", chat_v2_body("Tell me about otters")), "v2.chat")
    assert data["finish_reason"] == "COMPLETE"
    assert "Tell me about otters" in data["message"]["content"][0]["text"]


def test_v2_chat_with_a_required_tool_answers_with_a_tool_call(server: MockServer) -> None:
    body = chat_v2_body("Weather in Paris?", tools=[WEATHER_TOOL], tool_choice="REQUIRED")
    data = answer(post(server, "/v2/chat", body), "v2.chat")
    assert data["finish_reason"] == "TOOL_CALL"
    (tool_call,) = data["message"]["tool_calls"]
    assert tool_call["function"]["name"] == "get_weather"
    assert "city" in json.loads(tool_call["function"]["arguments"])


def test_v2_chat_calls_a_tool_the_message_names_and_answers_its_result(server: MockServer) -> None:
    body = chat_v2_body("Use get_weather for Paris", tools=[WEATHER_TOOL])
    assert answer(post(server, "/v2/chat", body), "v2.chat")["finish_reason"] == "TOOL_CALL"
    messages = [
        *body["messages"],
        {
            "role": "assistant",
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "sunny, 21 degrees"},
    ]
    data = answer(post(server, "/v2/chat", {**body, "messages": messages}), "v2.chat")
    assert data["finish_reason"] == "COMPLETE"
    assert "sunny, 21 degrees" in data["message"]["content"][0]["text"]


def test_v2_chat_cites_the_documents_it_was_given(server: MockServer) -> None:
    documents = [{"id": "otters", "data": {"text": "Otters hold hands while sleeping."}}, "A second document."]
    data = answer(post(server, "/v2/chat", chat_v2_body(documents=documents)), "v2.chat")
    (citation,) = data["message"]["citations"]
    text = data["message"]["content"][0]["text"]
    assert text[citation["start"] : citation["end"]] == citation["text"]
    assert citation["text"] in "Otters hold hands while sleeping."
    assert citation["sources"][0]["id"] == "otters"


def test_v2_chat_in_json_mode_answers_json_following_the_schema(server: MockServer) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    body = chat_v2_body(response_format={"type": "json_object", "json_schema": schema}, logprobs=True)
    data = answer(post(server, "/v2/chat", body), "v2.chat")
    assert set(json.loads(data["message"]["content"][0]["text"])) == {"city"}
    assert "".join(item["text"] for item in data["logprobs"]) == data["message"]["content"][0]["text"]


def test_v1_chat_replies_and_extends_the_chat_history(server: MockServer) -> None:
    history = [{"role": "USER", "message": "Hi"}, {"role": "CHATBOT", "message": "Hello!"}]
    data = answer(
        post(server, "/v1/chat", {"message": "How are otters?", "chat_history": history, "stream": False}), "chat"
    )
    assert "How are otters?" in data["text"]
    assert data["chat_history"][:2] == history
    assert data["chat_history"][-2:] == [
        {"role": "USER", "message": "How are otters?"},
        {"role": "CHATBOT", "message": data["text"]},
    ]


def test_v1_chat_with_documents_cites_them(server: MockServer) -> None:
    body = {"message": "Otters?", "documents": [{"title": "Otters", "snippet": "Otters eat fish."}], "stream": False}
    data = answer(post(server, "/v1/chat", body), "chat")
    (citation,) = data["citations"]
    assert data["text"][citation["start"] : citation["end"]] == citation["text"] == "Otters eat fish."
    assert citation["document_ids"] == [data["documents"][0]["id"]]


def test_v1_chat_calls_a_tool_the_message_names(server: MockServer) -> None:
    tool = {
        "name": "lookup",
        "description": "Looks things up.",
        "parameter_definitions": {"term": {"type": "str", "required": True}},
    }
    data = answer(
        post(server, "/v1/chat", {"message": "Please lookup otters", "tools": [tool], "stream": False}), "chat"
    )
    assert data["tool_calls"] == [{"name": "lookup", "parameters": {"term": "mock term"}}]


# ------------------------------------------------------------------------------------- streams


def test_v2_chat_stream_sends_named_sse_events_word_by_word_then_done(server: MockServer) -> None:
    response = post(server, "/v2/chat", {**chat_v2_body("Stream it"), "stream": True})
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert response.headers["Transfer-Encoding"] == "chunked"
    events, done = sse_events(response.content)
    assert done
    assert all(name == data["type"] for name, data in events)
    kinds = [data["type"] for _, data in events]
    assert kinds[:2] == ["message-start", "content-start"] and kinds[-2:] == ["content-end", "message-end"]
    deltas = [data["delta"]["message"]["content"]["text"] for _, data in events if data["type"] == "content-delta"]
    assert len(deltas) > 3 and "Stream it" in "".join(deltas)
    end = events[-1][1]["delta"]
    assert end["finish_reason"] == "COMPLETE" and end["usage"]["tokens"]["output_tokens"] == len(deltas)
    assert_events_valid(SPEC, SPEC.operation("v2.chat_stream"), "text/event-stream", [data for _, data in events])


def test_v2_chat_stream_with_a_required_tool_streams_the_tool_call(server: MockServer) -> None:
    body = {**chat_v2_body("Weather?", tools=[WEATHER_TOOL], tool_choice="REQUIRED"), "stream": True}
    events, done = sse_events(post(server, "/v2/chat", body).content)
    kinds = [data["type"] for _, data in events]
    assert done and kinds[0] == "message-start" and kinds[-1] == "message-end"
    assert kinds[1:-1] == sorted(
        kinds[1:-1], key=["tool-plan-delta", "tool-call-start", "tool-call-delta", "tool-call-end"].index
    )
    arguments = "".join(
        data["delta"]["message"]["tool_calls"]["function"]["arguments"]
        for _, data in events
        if data["type"] == "tool-call-delta"
    )
    assert "city" in json.loads(arguments)
    assert events[-1][1]["delta"]["finish_reason"] == "TOOL_CALL"
    assert_events_valid(SPEC, SPEC.operation("v2.chat_stream"), "text/event-stream", [data for _, data in events])


def test_v2_chat_stream_with_documents_streams_citations(server: MockServer) -> None:
    body = {**chat_v2_body(documents=["Otters hold hands."]), "stream": True}
    events, _ = sse_events(post(server, "/v2/chat", body).content)
    kinds = [data["type"] for _, data in events]
    assert kinds.index("citation-start") < kinds.index("citation-end") < kinds.index("content-end")
    assert_events_valid(SPEC, SPEC.operation("v2.chat_stream"), "text/event-stream", [data for _, data in events])


def test_v1_chat_stream_is_newline_delimited_json_ending_with_the_whole_response(server: MockServer) -> None:
    response = post(server, "/v1/chat", {"message": "Stream v1", "stream": True})
    assert response.headers["Content-Type"] == "application/stream+json"
    events = [json.loads(line) for line in response.content.decode().splitlines()]
    kinds = [event["event_type"] for event in events]
    assert kinds[0] == "stream-start" and kinds[-1] == "stream-end" and set(kinds[1:-1]) == {"text-generation"}
    text = "".join(event["text"] for event in events[1:-1])
    assert events[-1]["response"]["text"] == text and "Stream v1" in text
    assert events[-1]["finish_reason"] == "COMPLETE"
    assert_events_valid(SPEC, SPEC.operation("chat_stream"), "application/stream+json", events)


def test_v1_chat_stream_is_sse_when_the_accepts_header_asks(server: MockServer) -> None:
    response = post(server, "/v1/chat", {"message": "Hi", "stream": True}, headers={"Accepts": "text/event-stream"})
    assert response.headers["Content-Type"].startswith("text/event-stream")
    events, _ = sse_events(response.content)
    assert events[0] == ("stream-start", events[0][1]) and events[-1][0] == "stream-end"
    assert_events_valid(SPEC, SPEC.operation("chat_stream"), "text/event-stream", [data for _, data in events])


def test_generate_stream_is_newline_delimited_json(server: MockServer) -> None:
    response = post(server, "/v1/generate", {"prompt": "Once upon a time", "stream": True, "num_generations": 2})
    events = [json.loads(line) for line in response.content.decode().splitlines()]
    assert {event["event_type"] for event in events[:-1]} == {"text-generation"}
    end = events[-1]
    assert end["event_type"] == "stream-end" and end["is_finished"] is True
    first = "".join(event["text"] for event in events[:-1] if event["index"] == 0)
    assert end["response"]["generations"][0]["text"] == first and "Once upon a time" in first
    assert_events_valid(SPEC, SPEC.operation("generate_stream"), "application/stream+json", events)


def test_stream_events_arrive_over_time() -> None:
    with MockServer(delay=0.03) as server:
        started = time.monotonic()
        response = post(server, "/v2/chat", {**chat_v2_body("one two three four five"), "stream": True}, stream=True)
        arrivals = []
        for line in response.iter_lines():
            if line.startswith(b"data:"):
                arrivals.append(time.monotonic() - started)
    assert len(arrivals) > 10
    assert arrivals[0] < arrivals[-1] - 0.02 * (len(arrivals) - 2)


# ---------------------------------------------------------------------------- embed and rerank


def test_v1_embed_without_types_answers_one_float_vector_per_text(server: MockServer) -> None:
    data = answer(post(server, "/v1/embed", {"texts": ["a", "b", "c"], "model": "embed-english-v3.0"}), "embed")
    assert data["response_type"] == "embeddings_floats"
    assert len(data["embeddings"]) == 3 and {len(vector) for vector in data["embeddings"]} == {1024}
    assert all(isinstance(value, float) for value in data["embeddings"][0])


def test_v1_embed_with_types_answers_each_type_at_its_dimension(server: MockServer) -> None:
    body = {"texts": ["a", "b"], "embedding_types": ["float", "int8", "ubinary"], "input_type": "search_document"}
    data = answer(post(server, "/v1/embed", body), "embed")
    assert data["response_type"] == "embeddings_by_type"
    embeddings = data["embeddings"]
    assert set(embeddings) == {"float", "int8", "ubinary"}
    assert [len(embeddings["int8"]), len(embeddings["int8"][0]), len(embeddings["ubinary"][0])] == [2, 1024, 128]
    assert all(isinstance(v, int) and -128 <= v <= 127 for v in embeddings["int8"][0])
    assert all(isinstance(v, int) and 0 <= v <= 255 for v in embeddings["ubinary"][0])


def test_the_same_text_always_embeds_to_the_same_vector(server: MockServer) -> None:
    first = post(server, "/v1/embed", {"texts": ["same", "other"]}).json()["embeddings"]
    second = post(server, "/v1/embed", {"texts": ["same"]}).json()["embeddings"]
    assert first[0] == second[0] != first[1]


def test_v2_embed_answers_one_vector_per_input_at_the_asked_dimension(server: MockServer) -> None:
    inputs = [{"content": [{"type": "text", "text": "x"}]}, {"content": [{"type": "text", "text": "y"}]}]
    body = {
        "model": "embed-v4.0",
        "input_type": "search_query",
        "embedding_types": ["float", "binary"],
        "inputs": inputs,
        "output_dimension": 256,
    }
    data = answer(post(server, "/v2/embed", body), "v2.embed")
    assert [
        len(data["embeddings"]["float"]),
        len(data["embeddings"]["float"][0]),
        len(data["embeddings"]["binary"][0]),
    ] == [2, 256, 32]


def test_v2_embed_of_an_image_reports_its_format(server: MockServer) -> None:
    body = {
        "model": "embed-v4.0",
        "input_type": "image",
        "embedding_types": ["uint8"],
        "images": ["data:image/jpeg;base64,AAAA"],
    }
    data = answer(post(server, "/v2/embed", body), "v2.embed")
    assert len(data["embeddings"]["uint8"]) == 1 and data["images"][0]["format"] == "jpeg"


def test_rerank_orders_documents_by_descending_relevance(server: MockServer) -> None:
    documents = ["cats and dogs", "the capital of France is Paris", "Paris"]
    data = answer(
        post(server, "/v2/rerank", {"model": "rerank-v3.5", "query": "capital of France", "documents": documents}),
        "v2.rerank",
    )
    assert [r["index"] for r in data["results"]] == [1, 0, 2]  # ties keep their order
    scores = [r["relevance_score"] for r in data["results"]]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 3
    assert "document" not in data["results"][0]


def test_rerank_keeps_the_top_n_and_returns_documents_when_asked(server: MockServer) -> None:
    documents = [{"text": "alpha beta"}, "beta", "gamma"]
    body = {"query": "beta", "documents": documents, "top_n": 2, "return_documents": True}
    data = answer(post(server, "/v1/rerank", body), "rerank")
    assert len(data["results"]) == 2
    assert {r["document"]["text"] for r in data["results"]} == {"alpha beta", "beta"}


# --------------------------------------------------------------------------- other text methods


def test_tokenize_then_detokenize_gives_back_the_text(server: MockServer) -> None:
    text = "Hello  world, hello\nagain!"
    tokens = answer(post(server, "/v1/tokenize", {"text": text, "model": MODEL}), "tokenize")
    assert "".join(tokens["token_strings"]) == text
    assert tokens["tokens"][0] != tokens["tokens"][2]  # "Hello" and " hello" differ
    data = answer(post(server, "/v1/detokenize", {"tokens": tokens["tokens"], "model": MODEL}), "detokenize")
    assert data["text"] == text


def test_classify_predicts_a_label_of_the_examples_for_each_input(server: MockServer) -> None:
    examples = [
        {"text": "I love it", "label": "positive"},
        {"text": "great stuff", "label": "positive"},
        {"text": "I hate it", "label": "negative"},
        {"text": "awful thing", "label": "negative"},
    ]
    data = answer(post(server, "/v1/classify", {"inputs": ["awful", "love"], "examples": examples}), "classify")
    assert [c["predictions"] for c in data["classifications"]] == [["negative"], ["positive"]]
    assert set(data["classifications"][0]["labels"]) == {"positive", "negative"}


def test_summarize_gives_a_short_summary(server: MockServer) -> None:
    text = "Otters are playful. " * 20
    data = answer(post(server, "/v1/summarize", {"text": text, "length": "short", "format": "bullets"}), "summarize")
    assert data["summary"] == "- Otters are playful."


def test_generate_continues_the_prompt(server: MockServer) -> None:
    data = answer(
        post(server, "/v1/generate", {"prompt": "Write about otters", "stream": False, "num_generations": 2}),
        "generate",
    )
    assert len(data["generations"]) == 2 and "Write about otters" in data["generations"][0]["text"]


# ---------------------------------------------------------------------------------- pagination


def test_models_list_pages_with_next_page_token(server: MockServer) -> None:
    names, token, pages = [], None, 0
    while True:
        params = {"page_size": 3, **({"page_token": token} if token else {})}
        data = answer(get(server, "/v1/models", params=params), "models.list")
        names += [model["name"] for model in data["models"]]
        pages += 1
        token = data.get("next_page_token")
        if not token:
            break
    everything = answer(get(server, "/v1/models"), "models.list")
    assert "next_page_token" not in everything
    assert names == [model["name"] for model in everything["models"]] and pages == -(-len(names) // 3)


def test_models_list_filters_by_endpoint(server: MockServer) -> None:
    rerankers = answer(get(server, "/v1/models", params={"endpoint": "rerank"}), "models.list")["models"]
    assert rerankers and all("rerank" in model["endpoints"] for model in rerankers)
    default = answer(get(server, "/v1/models", params={"endpoint": "rerank", "default_only": "true"}), "models.list")
    assert len(default["models"]) == 1


def test_a_page_token_the_server_never_gave_gets_400(server: MockServer) -> None:
    assert get(server, "/v1/models", params={"page_token": "???"}).status_code == 400


def test_finetuned_models_page_through_what_was_created(server: MockServer) -> None:
    settings = {"base_model": {"base_type": "BASE_TYPE_CHAT"}, "dataset_id": "d1"}
    created = [
        answer(
            post(server, "/v1/finetuning/finetuned-models", {"name": f"ft{i}", "settings": settings}),
            "finetuning.create_finetuned_model",
        )
        for i in range(3)
    ]
    first = answer(
        get(server, "/v1/finetuning/finetuned-models", params={"page_size": 2}), "finetuning.list_finetuned_models"
    )
    assert len(first["finetuned_models"]) == 2 and first["total_size"] == 3
    params = {"page_size": 2, "page_token": first["next_page_token"]}
    second = answer(get(server, "/v1/finetuning/finetuned-models", params=params), "finetuning.list_finetuned_models")
    assert [m["id"] for m in first["finetuned_models"] + second["finetuned_models"]] == [
        c["finetuned_model"]["id"] for c in created
    ]
    assert "next_page_token" not in second


def test_a_finetuned_model_moves_to_ready_and_records_its_events(server: MockServer) -> None:
    settings = {"base_model": {"base_type": "BASE_TYPE_CHAT"}, "dataset_id": "d1"}
    ident = post(server, "/v1/finetuning/finetuned-models", {"name": "ft", "settings": settings}).json()[
        "finetuned_model"
    ]["id"]
    statuses = [
        answer(get(server, f"/v1/finetuning/finetuned-models/{ident}"), "finetuning.get_finetuned_model")[
            "finetuned_model"
        ]["status"]
        for _ in range(5)
    ]
    assert statuses == ["STATUS_QUEUED", "STATUS_FINETUNING", "STATUS_DEPLOYING_API", "STATUS_READY", "STATUS_READY"]
    events = answer(get(server, f"/v1/finetuning/finetuned-models/{ident}/events"), "finetuning.list_events")["events"]
    assert [event["status"] for event in events] == statuses[:4]


# ------------------------------------------------------------------------- datasets and jobs


def test_a_dataset_moves_from_queued_through_processing_to_validated(server: MockServer) -> None:
    ident = upload_dataset(server)
    statuses = [
        answer(get(server, f"/v1/datasets/{ident}"), "datasets.get")["dataset"]["validation_status"] for _ in range(4)
    ]
    assert statuses == ["queued", "processing", "validated", "validated"]


def test_datasets_are_listed_filtered_counted_and_deleted(server: MockServer) -> None:
    first, second = upload_dataset(server, "one", b"12345"), upload_dataset(server, "two", b"123")
    get(server, f"/v1/datasets/{first}")
    listed = answer(get(server, "/v1/datasets", params={"validationStatus": "processing"}), "datasets.list")["datasets"]
    assert [d["id"] for d in listed] == [first]
    assert answer(get(server, "/v1/datasets/usage"), "datasets.get_usage")["organization_usage"] == 8
    assert (
        answer(requests.delete(f"{server.url}/v1/datasets/{second}", headers=AUTH, timeout=10), "datasets.delete") == {}
    )
    assert get(server, f"/v1/datasets/{second}").status_code == 404
    assert [d["id"] for d in get(server, "/v1/datasets").json()["datasets"]] == [first]


def test_a_dry_run_upload_stores_nothing(server: MockServer) -> None:
    response = requests.post(
        server.url + "/v1/datasets",
        params={"name": "x", "type": "embed-input", "dry_run": "true"},
        files={"data": ("a.jsonl", b"{}")},
        headers=AUTH,
        timeout=10,
    )
    assert response.status_code == 200 and get(server, "/v1/datasets").json()["datasets"] == []


def test_an_embed_job_completes_on_the_next_get_and_leaves_a_result_dataset(server: MockServer) -> None:
    dataset = upload_dataset(server)
    body = {"model": "embed-english-v3.0", "dataset_id": dataset, "input_type": "search_document"}
    job = answer(post(server, "/v1/embed-jobs", body), "embed_jobs.create")["job_id"]
    first = answer(get(server, f"/v1/embed-jobs/{job}"), "embed_jobs.get")
    second = answer(get(server, f"/v1/embed-jobs/{job}"), "embed_jobs.get")
    assert (first["status"], second["status"]) == ("processing", "complete")
    assert (
        get(server, f"/v1/datasets/{second['output_dataset_id']}").json()["dataset"]["dataset_type"] == "embed-result"
    )
    assert [j["job_id"] for j in answer(get(server, "/v1/embed-jobs"), "embed_jobs.list")["embed_jobs"]] == [job]


def test_a_cancelled_embed_job_stays_cancelled(server: MockServer) -> None:
    dataset = upload_dataset(server)
    job = post(server, "/v1/embed-jobs", {"model": "m", "dataset_id": dataset, "input_type": "clustering"}).json()[
        "job_id"
    ]
    cancelled = post(server, f"/v1/embed-jobs/{job}/cancel", None)
    assert cancelled.status_code == 200 and cancelled.content == b""
    assert [get(server, f"/v1/embed-jobs/{job}").json()["status"] for _ in range(2)] == ["cancelled", "cancelled"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/v1/datasets/nope"),
        ("DELETE", "/v1/datasets/nope"),
        ("GET", "/v1/embed-jobs/nope"),
        ("POST", "/v1/embed-jobs/nope/cancel"),
        ("GET", "/v1/connectors/nope"),
        ("GET", "/v1/finetuning/finetuned-models/nope"),
        ("GET", "/v1/finetuning/finetuned-models/nope/events"),
        ("GET", "/v1/models/no-such-model"),
    ],
)
def test_an_unknown_id_gets_404_with_a_message(server: MockServer, method: str, path: str) -> None:
    response = requests.request(method, server.url + path, headers=AUTH, timeout=10)
    assert response.status_code == 404
    assert "nope" in response.json()["message"] or "no-such-model" in response.json()["message"]


def test_an_embed_job_on_an_unknown_dataset_gets_404(server: MockServer) -> None:
    body = {"model": "m", "dataset_id": "missing", "input_type": "clustering"}
    assert post(server, "/v1/embed-jobs", body).status_code == 404


def test_connectors_are_stored_updated_and_deleted(server: MockServer) -> None:
    created = answer(
        post(server, "/v1/connectors", {"name": "wiki", "url": "https://wiki.example/search"}), "connectors.create"
    )
    ident = created["connector"]["id"]
    patched = requests.patch(f"{server.url}/v1/connectors/{ident}", json={"name": "wiki2"}, headers=AUTH, timeout=10)
    assert answer(patched, "connectors.update")["connector"]["name"] == "wiki2"
    assert answer(get(server, "/v1/connectors"), "connectors.list")["connectors"][0]["name"] == "wiki2"
    assert requests.delete(f"{server.url}/v1/connectors/{ident}", headers=AUTH, timeout=10).status_code == 200
    assert get(server, f"/v1/connectors/{ident}").status_code == 404


# --------------------------------------------------------------- every operation, by the spec


def _resource_ids(server: MockServer) -> dict[str, str]:
    dataset = upload_dataset(server)
    settings = {"base_model": {"base_type": "BASE_TYPE_CHAT"}, "dataset_id": dataset}
    return {
        "/v1/datasets/": dataset,
        "/v1/embed-jobs/": post(
            server, "/v1/embed-jobs", {"model": "m", "dataset_id": dataset, "input_type": "clustering"}
        ).json()["job_id"],
        "/v1/connectors/": post(server, "/v1/connectors", {"name": "c", "url": "https://c.example"}).json()[
            "connector"
        ]["id"],
        "/v1/finetuning/finetuned-models/": post(
            server, "/v1/finetuning/finetuned-models", {"name": "f", "settings": settings}
        ).json()["finetuned_model"]["id"],
        "/v1/models/": MODEL,
        "/v2/batches/": post(server, "/v2/batches", {"name": "b", "input_dataset_id": dataset, "model": MODEL}).json()[
            "batch"
        ]["id"],
    }


def _valid_request(spec: Spec, operation: Operation, ids: dict[str, str]) -> dict[str, Any]:
    """A request the spec allows, built from its schemas, pointing at resources that exist."""
    synth = Synthesizer(spec.resolver)
    path = operation.path
    for argument in operation.arguments:
        if argument.location == "path":
            ident = next((value for prefix, value in ids.items() if operation.path.startswith(prefix)), "x")
            path = path.replace("{" + argument.wire_name + "}", ident)
    params = {
        a.wire_name: str(synth.value(a.schema, a.wire_name))
        for a in operation.arguments
        if a.location == "query" and a.required
    }
    request: dict[str, Any] = {"method": operation.http_method, "url": path, "params": params, "headers": dict(AUTH)}
    if operation.body_media_type == "multipart/form-data":
        request["files"] = {
            a.wire_name: ("data.jsonl", b'{"text": "hello"}\n', "application/octet-stream")
            for a in operation.arguments
            if a.location == "file" and a.required
        }
        request["data"] = {
            a.wire_name: str(synth.value(a.schema, a.wire_name)) for a in operation.arguments if a.location == "form" and a.required
        }
    elif operation.body_media_type == "application/json":
        body = synth.value(operation.body_schema)
        if operation.stream is not None:
            body[operation.stream.flag] = operation.streaming
        for key in ("dataset_id", "input_dataset_id"):
            if key in body:
                body[key] = ids["/v1/datasets/"]
        request["json"] = body
    return request


def _check_every_operation(spec: Spec, ids_for: Any) -> None:
    with MockServer(spec, delay=0) as server:
        ids = ids_for(server)
        for operation in sorted(spec.operations, key=lambda op: op.http_method == "DELETE"):  # deletes last
            request = _valid_request(spec, operation, ids)
            request["url"] = server.url + request["url"]
            response = requests.request(timeout=10, **request)
            assert response.status_code == 200, f"{operation.qualified_name}: {response.status_code} {response.text}"
            if operation.streaming:
                media_type = response.headers["Content-Type"].split(";")[0]
                if media_type == "text/event-stream":
                    events = [data for _, data in sse_events(response.content)[0]]
                else:
                    events = [json.loads(line) for line in response.content.splitlines()]
                assert events, operation.qualified_name
                assert_events_valid(spec, operation, media_type, events)
            elif operation.response_schema is not None:
                assert_answer_valid(spec, operation, response.json())
            else:
                assert response.content == b""


def test_every_operation_answers_a_valid_request_with_a_valid_answer() -> None:
    _check_every_operation(SPEC, _resource_ids)


def test_a_spec_without_behaviours_gets_schema_built_answers() -> None:
    _check_every_operation(Spec.load(TINY_SPEC), lambda server: {})


def test_a_stream_without_a_behaviour_sends_one_event_of_each_type() -> None:
    document = json.loads(json.dumps(SPEC.document))
    document["paths"]["/v2/chat"]["post"]["x-cohere-dyn"]["group"] = "unmocked"
    spec = Spec.from_dict(document, "renamed")
    operation = spec.operation("unmocked.chat_stream")
    with MockServer(spec, delay=0) as server:
        response = post(server, "/v2/chat", {**chat_v2_body(), "stream": True})
    events, done = sse_events(response.content)
    union = spec.resolver.deref(operation.event_schemas["text/event-stream"])
    assert [name for name, _ in events] == list(union["discriminator"]["mapping"])
    assert not done
    assert_events_valid(spec, operation, "text/event-stream", [data for _, data in events])


# ------------------------------------------------------------- the official SDK's own requests

RECORDED = [path for folder in WIRE_FOLDERS if folder.is_dir() for path in sorted(folder.glob("*.json"))]
_TRANSPORT = {"host", "content-length", "connection", "accept-encoding"}


def _replayed(recorded: dict[str, Any]) -> dict[str, Any]:
    """`requests` arguments that send what the official SDK sent."""
    headers = {k: v for k, v in recorded["headers"].items() if k.lower() not in _TRANSPORT}
    data: bytes | None = None
    if recorded["body_kind"] == "json":
        data = json.dumps(recorded["body"], ensure_ascii=False).encode()
    elif recorded["body_kind"] == "multipart":
        data = b""
        for part in recorded["body"]:
            name, filename, kind = part["name"], part["filename"], part["content_type"]
            head = f'--b0undary\r\nContent-Disposition: form-data; name="{name}"'
            head += f'; filename="{filename}"\r\n' if filename is not None else "\r\n"
            head += f"Content-Type: {kind}\r\n" if kind is not None else ""
            content = base64.b64decode(part["content_b64"]) if part["content"] is None else part["content"].encode()
            data += f"{head}\r\n".encode() + content + b"\r\n"
        data += b"--b0undary--\r\n"
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        headers["Content-Type"] = "multipart/form-data; boundary=b0undary"
    return {"method": recorded["method"], "params": recorded["query_pairs"], "headers": headers, "data": data}


@pytest.mark.parametrize("fixture", RECORDED, ids=[f"{path.parent.name}/{path.stem}" for path in RECORDED])
def test_the_official_sdk_s_recorded_requests_pass_the_check(server: MockServer, fixture: Path) -> None:
    case = json.loads(fixture.read_text())
    recorded_requests = [r for r in case.get("all_requests") or [case["request"]] if r is not None]
    if not recorded_requests:
        pytest.skip("the SDK sent nothing for this call")
    for recorded in recorded_requests:
        requests.request(url=server.url + recorded["path"], timeout=10, **_replayed(recorded))
    assert [(r.path, r.problems) for r in server.requests if r.problems] == []


# --------------------------------------------------------------------------- process and import


def test_importing_cohere_dyn_or_its_mock_does_not_import_openapi_core() -> None:
    code = "import sys, cohere_dyn, cohere_dyn.mock; print('openapi_core' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_run_prints_the_url_and_each_request_until_ctrl_c() -> None:
    code = "from cohere_dyn.mock import run; run(port=0)"
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = next(word for word in line.split() if word.startswith("http://"))
        assert requests.post(url + "/v1/check-api-key", headers=AUTH, timeout=10).json()["valid"] is True
        assert process.stdout.readline().split() == ["POST", "/v1/check-api-key", "->", "200", "check_api_key"]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
