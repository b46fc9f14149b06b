"""An independent check of every request the client sends: the real client, against the mock,
whose openapi-core check must accept each request (no 400, no problems).

The client validates payloads with its own validator before sending; openapi-core is a
different implementation reading the same spec, so a request the client builds wrongly (a
misplaced parameter, a wrong encoding, a body the spec does not allow) shows up here.
"""

from __future__ import annotations

import io
from typing import Any, Iterator

import pytest

import cohere_dyn
from cohere_dyn.mock import MockServer, Received

MODEL = "command-a-03-2025"
SETTINGS = {"base_model": {"base_type": "BASE_TYPE_CHAT"}, "dataset_id": "{dataset}"}
USER = [{"role": "user", "content": "Hello there"}]
WEATHER = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
}

# One call of every method, with a small valid payload; "{dataset}" and friends name resources
# created first (through the client too). Extra cases exercise encodings worth a second look.
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("chat", {"message": "Hello there"}),
    ("generate", {"prompt": "Once upon a time"}),
    ("embed", {"texts": ["hello"], "model": "embed-english-v3.0", "input_type": "search_document"}),
    ("rerank", {"query": "capital", "documents": ["Paris", {"text": "Rome"}], "top_n": 1}),
    ("classify", {"inputs": ["great"], "examples": [{"text": "good", "label": "yes"}, {"text": "bad", "label": "no"}]}),
    ("summarize", {"text": "Otters are playful animals. " * 10}),
    ("tokenize", {"text": "tokenize me", "model": MODEL, "offline": False}),
    ("detokenize", {"tokens": [1000, 1001], "model": MODEL, "offline": False}),
    ("check_api_key", {}),
    ("v2.chat", {"model": MODEL, "messages": USER}),
    ("v2.embed", {"model": "embed-v4.0", "input_type": "search_query", "embedding_types": ["float"], "texts": ["hi"]}),
    ("v2.rerank", {"model": "rerank-v3.5", "query": "capital", "documents": ["Paris", "Rome"]}),
    ("v2.parse", {"model": "parse-v5.0", "document": {"type": "image_url", "image_url": "https://example.com/p.png"}}),
    ("batches.list", {}),
    ("batches.create", {"request": {"name": "nightly", "input_dataset_id": "{dataset}", "model": MODEL}}),
    ("batches.retrieve", {"id": "{batch}"}),
    ("batches.cancel", {"id": "{batch}"}),
    ("audio.transcriptions.create", {"model": "transcribe", "language": "en", "file": ("memo.wav", b"RIFF")}),
    ("embed_jobs.list", {}),
    ("embed_jobs.create", {"model": "embed-english-v3.0", "dataset_id": "{dataset}", "input_type": "clustering"}),
    ("embed_jobs.get", {"id": "{embed_job}"}),
    ("embed_jobs.cancel", {"id": "{embed_job}"}),
    ("datasets.list", {}),
    ("datasets.create", {"name": "reviews", "type": "embed-input", "data": ("reviews.jsonl", b'{"text": "good"}\n')}),
    ("datasets.get_usage", {}),
    ("datasets.get", {"id": "{dataset}"}),
    ("datasets.delete", {"id": "{dataset}"}),
    ("connectors.list", {}),
    ("connectors.create", {"name": "wiki", "url": "https://wiki.example/search"}),
    ("connectors.get", {"id": "{connector}"}),
    ("connectors.update", {"id": "{connector}", "name": "wiki2"}),
    ("connectors.delete", {"id": "{connector}"}),
    ("connectors.o_auth_authorize", {"id": "{connector}"}),
    ("models.get", {"model": MODEL}),
    ("models.list", {}),
    ("finetuning.list_finetuned_models", {}),
    ("finetuning.create_finetuned_model", {"request": {"name": "ft", "settings": SETTINGS}}),
    ("finetuning.get_finetuned_model", {"id": "{finetuned_model}"}),
    ("finetuning.update_finetuned_model", {"id": "{finetuned_model}", "name": "ft2", "settings": SETTINGS}),
    ("finetuning.delete_finetuned_model", {"id": "{finetuned_model}"}),
    ("finetuning.list_events", {"finetuned_model_id": "{finetuned_model}"}),
    ("finetuning.list_training_step_metrics", {"finetuned_model_id": "{finetuned_model}"}),
]
EXTRA_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("v2.chat", {"model": MODEL, "messages": USER, "tools": [WEATHER], "tool_choice": "REQUIRED", "temperature": 0.0}),
    (
        "v2.chat",
        {"model": MODEL, "messages": USER, "documents": ["doc", {"id": "d", "data": {"t": 1}}], "logprobs": True},
    ),
    ("v2.chat", {"model": MODEL, "messages": USER, "response_format": {"type": "json_object"}, "safety_mode": "OFF"}),
    (
        "chat",
        {
            "message": "hi",
            "prompt_truncation": "OFF",
            "citation_quality": "off",
            "documents": [{"title": "t", "snippet": "s"}],
        },
    ),
    ("embed", {"texts": ["a", "b"], "embedding_types": ["int8", "ubinary"]}),
    ("rerank", {"query": "q", "documents": ["a"], "return_documents": True, "rank_fields": ["text"]}),
    (
        "datasets.create",
        {
            "name": "csv",
            "type": "single-label-classification-finetune-input",
            "data": io.BytesIO(b"text,label\nhi,yes\n"),
            "eval_data": ("eval.csv", b"text,label\nho,no\n"),
            "keep_fields": ["a", "b"],
            "optional_fields": "c",
            "skip_malformed_input": True,
            "csv_delimiter": ",",
            "dry_run": True,
        },
    ),
    ("datasets.list", {"dataset_type": "embed-input", "limit": 5, "offset": 0, "validation_status": "validated"}),
    ("models.list", {"page_size": 2, "endpoint": "chat", "default_only": False}),
    ("connectors.list", {"limit": 10, "offset": 0}),
    ("connectors.o_auth_authorize", {"id": "{connector}", "after_token_redirect": "https://app.example/after?x=1&y=2"}),
    (
        "finetuning.list_events",
        {"finetuned_model_id": "{finetuned_model}", "page_size": 1, "order_by": "created_at desc"},
    ),
    (
        "v2.chat",
        {
            "model": MODEL,
            "messages": [*USER, {"role": "assistant", "content": [{"type": "thinking", "thinking": "t"}, {"type": "text", "text": "x"}]}],
            "thinking": {"type": "enabled", "token_budget": 64},
            "priority": 2,
            "citation_options": {"mode": "ENABLED"},
        },
    ),
    ("v2.embed", {"model": "embed-v4.0", "input_type": "search_query", "texts": ["hi"], "priority": 1}),
    ("v2.rerank", {"model": "rerank-v4.0-pro", "query": "q", "documents": ["a"], "relevant_spans": {"mode": "enabled", "threshold": 0.3}}),
    ("v2.parse", {"model": "parse-v5.0", "document": {"type": "image_url", "image_url": "data:image/png;base64,iVBORw0KGgo="}, "output_format": "blocks"}),
    ("batches.list", {"page_size": 5, "order_by": "created_at desc"}),
    ("audio.transcriptions.create", {"model": "transcribe", "language": "en", "file": b"RIFF", "temperature": 0.2}),
    ("chat", {"message": "hi", "citation_quality": "ACCURATE"}),
]
STREAM_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("chat_stream", {"message": "Stream please"}),
    ("chat_stream", {"message": "Stream please", "accepts": "text/event-stream"}),
    ("generate_stream", {"prompt": "Once upon a time"}),
    ("v2.chat_stream", {"model": MODEL, "messages": USER}),
    ("v2.chat_stream", {"model": MODEL, "messages": USER, "tools": [WEATHER], "tool_choice": "REQUIRED"}),
    ("v2.chat_stream", {"model": MODEL, "messages": USER, "thinking": {"type": "enabled"}, "priority": 0}),
]


@pytest.fixture
def mock() -> Iterator[MockServer]:
    with MockServer(delay=0) as server:
        yield server


@pytest.fixture
def client(mock: MockServer) -> cohere_dyn.Client:
    return cohere_dyn.Client(api_key="x", base_url=mock.url, max_retries=0)


def _method(client: cohere_dyn.Client, name: str) -> Any:
    target: Any = client
    for part in name.split("."):
        target = getattr(target, part)
    return target


def _resources(client: cohere_dyn.Client) -> dict[str, str]:
    """Ids of one resource of each kind, created through the client."""
    dataset = client.datasets.create(name="seed", type="embed-input", data=("seed.jsonl", b'{"text": "hi"}\n')).id
    return {
        "{dataset}": dataset,
        "{embed_job}": client.embed_jobs.create(model="m", dataset_id=dataset, input_type="clustering").job_id,
        "{connector}": client.connectors.create(name="c", url="https://c.example").connector.id,
        "{finetuned_model}": client.finetuning.create_finetuned_model(
            request={"name": "seed", "settings": {**SETTINGS, "dataset_id": dataset}}
        ).finetuned_model.id,
        "{batch}": client.batches.create(request={"name": "seed", "input_dataset_id": dataset, "model": MODEL}).batch.id,
    }


def _filled(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, dict):
        return {key: _filled(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, ids) for item in value]
    return value


def _assert_all_accepted(requests: list[Received]) -> None:
    refused = [(r.operation, r.status, r.problems) for r in requests if r.status != 200 or r.problems]
    assert not refused, refused


def _case_id(case: tuple[str, dict[str, Any]]) -> str:
    return case[0]


@pytest.mark.parametrize("name, kwargs", CALLS + EXTRA_CALLS, ids=[_case_id(c) for c in CALLS + EXTRA_CALLS])
def test_the_mock_accepts_what_the_client_sends(
    mock: MockServer, client: cohere_dyn.Client, name: str, kwargs: dict[str, Any]
) -> None:
    ids = _resources(client)
    _method(client, name)(**_filled(kwargs, ids))
    _assert_all_accepted(mock.requests)
    assert mock.requests[-1].operation == name


@pytest.mark.parametrize("name, kwargs", STREAM_CALLS, ids=[_case_id(c) for c in STREAM_CALLS])
def test_the_mock_accepts_the_client_s_stream_requests(
    mock: MockServer, client: cohere_dyn.Client, name: str, kwargs: dict[str, Any]
) -> None:
    events = list(_method(client, name)(**kwargs))
    _assert_all_accepted(mock.requests)
    assert [r.operation for r in mock.requests] == [name]
    assert len(events) > 2


def test_every_non_streaming_method_of_the_spec_has_a_case() -> None:
    spec = cohere_dyn.Spec.load()
    methods = {op.qualified_name for op in spec.operations if not op.streaming and not op.bulk}  # bulk: many requests
    assert methods == {name for name, _ in CALLS}


def test_client_v2_talks_to_the_mock() -> None:
    with MockServer(delay=0) as server:
        client = cohere_dyn.ClientV2(api_key="x", base_url=server.url)
        reply = client.chat(model=MODEL, messages=[{"role": "user", "content": "Are you there?"}])
        streamed = client.chat_stream(model=MODEL, messages=[{"role": "user", "content": "Are you there?"}]).final()
    assert "Are you there?" in reply.message.content[0].text
    assert streamed.message.content[0].text == reply.message.content[0].text
    _assert_all_accepted(server.requests)
