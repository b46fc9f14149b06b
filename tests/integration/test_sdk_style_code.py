"""Code written as for the official SDK, run with `cohere` bound to cohere_dyn against a loopback
capture server: positional ids, the SDK's module paths, `name_` fields, pydantic methods,
7.x request options and the SDK's refusals, sync and async.

Each snippet is SDK code as its users write it; the only rewrite is the package name in
`from cohere.X import ...`, the same one the wire replay makes.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

import cohere_dyn
from tests.capture import Captured, CaptureServer, Reply
from tests.integration.test_wire_replay import SDK_MODULE_IMPORT

EMBED_JOB = {"job_id": "job-1", "status": "complete", "created_at": "2024-01-01T00:00:00Z", "input_dataset_id": "ds-1", "model": "embed-english-v3.0", "truncate": "END"}


def _answers(request: Captured) -> Reply:
    if request.path == "/v1/embed-jobs/job-1" and request.method == "GET":
        return Reply(body=json.dumps(EMBED_JOB).encode())
    if request.path == "/v2/embed":
        return Reply(body=json.dumps({"id": "e", "embeddings": {"float": [[0.5, 1.0]]}, "texts": ["hi"]}).encode())
    return Reply()


def _run(source: str, server: CaptureServer, **names: Any) -> dict[str, Any]:
    pattern, replacement = SDK_MODULE_IMPORT
    namespace: dict[str, Any] = {
        "cohere": cohere_dyn,
        "co": cohere_dyn.Client(api_key="k", base_url=server.url, max_retries=0),
        "co2": cohere_dyn.ClientV2(api_key="k", base_url=server.url, max_retries=0),
        **names,
    }
    exec(compile(pattern.sub(replacement, source), "<sdk code>", "exec"), namespace)
    return namespace


def _sent(server: CaptureServer) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [(r.method, r.path, r.query_pairs) for r in server.requests]


def test_ids_passed_positionally_reach_the_route() -> None:
    source = """
job = co.embed_jobs.get("job-1")
co.embed_jobs.cancel(job.job_id)
co.datasets.get("ds-1")
co.datasets.delete("ds-1")
co.models.get("command-a-03-2025")
co.connectors.update("conn-1", name="renamed")
co.finetuning.list_events("ft-1", page_size=10)
co.finetuning.get_finetuned_model("ft-1")
"""
    with CaptureServer(_answers) as server:
        _run(source, server)
    assert _sent(server) == [
        ("GET", "/v1/embed-jobs/job-1", []),
        ("POST", "/v1/embed-jobs/job-1/cancel", []),
        ("GET", "/v1/datasets/ds-1", []),
        ("DELETE", "/v1/datasets/ds-1", []),
        ("GET", "/v1/models/command-a-03-2025", []),
        ("PATCH", "/v1/connectors/conn-1", []),
        ("GET", "/v1/finetuning/finetuned-models/ft-1/events", [("page_size", "10")]),
        ("GET", "/v1/finetuning/finetuned-models/ft-1", []),
    ]
    assert server.requests[5].json() == {"name": "renamed"}


def test_async_client_takes_ids_positionally_too() -> None:
    pytest.importorskip("httpx")

    async def calls(url: str) -> None:
        async with cohere_dyn.AsyncClient(api_key="k", base_url=url) as client:
            job = await client.embed_jobs.get("job-1")
            await client.embed_jobs.cancel(job.job_id)

    with CaptureServer(_answers) as server:
        asyncio.run(calls(server.url))
    assert _sent(server) == [("GET", "/v1/embed-jobs/job-1", []), ("POST", "/v1/embed-jobs/job-1/cancel", [])]


def test_classes_imported_from_the_sdks_module_paths_build_the_body() -> None:
    source = """
from cohere.finetuning.finetuning import BaseModel, FinetunedModel, Settings, Hyperparameters
from cohere.types import UserChatMessageV2

co.finetuning.create_finetuned_model(
    request=FinetunedModel(
        name="support-bot",
        settings=Settings(
            base_model=BaseModel(base_type="BASE_TYPE_CHAT"),
            dataset_id="ds-1",
            hyperparameters=cohere.finetuning.Hyperparameters(train_epochs=2),
        ),
    )
)
co2.chat(model="command-a-03-2025", messages=[UserChatMessageV2(content="hi")])
"""
    with CaptureServer(_answers) as server:
        _run(source, server)
    assert server.requests[0].json() == {
        "name": "support-bot",
        "settings": {"base_model": {"base_type": "BASE_TYPE_CHAT"}, "dataset_id": "ds-1", "hyperparameters": {"train_epochs": 2}},
    }
    assert server.requests[1].json()["messages"] == [{"role": "user", "content": "hi"}]


def test_results_read_as_sdk_models() -> None:
    source = """
response = co2.embed(model="embed-english-v3.0", texts=["hi"], input_type="search_document", embedding_types=["float"])
vectors = response.embeddings.float_
as_dict = response.dict()
as_json = response.json()
dumped = response.model_dump(exclude_none=True)
"""
    with CaptureServer(_answers) as server:
        names = _run(source, server)
    assert names["vectors"] == [[0.5, 1.0]]
    assert names["as_dict"]["embeddings"] == {"float": [[0.5, 1.0]]}
    assert json.loads(names["as_json"]) == names["as_dict"]
    assert names["dumped"]["embeddings"] == {"float_": [[0.5, 1.0]]}


def test_7x_request_options_send_the_same_request() -> None:
    source = """
co.models.list(page_size=5)
co.models.list(page_size=5, request_options={"timeout": 30, "retry_remote_protocol_errors": True, "chunk_size": 1024,
                                             "stream_reconnection_enabled": True, "max_stream_reconnection_attempts": 2})
"""
    with CaptureServer() as server:
        _run(source, server)
    first, second = server.requests
    assert (first.method, first.path, first.query_pairs, first.body) == (second.method, second.path, second.query_pairs, second.body)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('co.chat(message="hi", stream=True)', r"call chat_stream\(\.\.\.\)"),
        ('co2.chat(model="command-a-03-2025", messages=[], stream=True)', r"call v2\.chat_stream\(\.\.\.\)"),
        ("co.list_connectors()", r"client\.connectors\.list\("),
        ('co.create_embed_job(dataset_id="ds-1")', r"client\.embed_jobs\.create\("),
        ("co.wait_for_dataset('ds-1')", r"client\.wait\("),
        ("co.loglikelihood(prompt='x')", "removed from the official SDK"),
    ],
)
def test_what_the_sdk_refuses_is_refused_before_sending(source: str, message: str) -> None:
    with CaptureServer() as server, pytest.raises(ValueError, match=message):
        _run(source, server)
    assert server.requests == []


def test_tokenize_offline_false_asks_the_api() -> None:
    with CaptureServer() as server:
        _run('co.tokenize(text="hi", model="command", offline=False)\nco.detokenize(tokens=[1], model="command", offline=False)', server)
    assert [(r.path, r.json()) for r in server.requests] == [
        ("/v1/tokenize", {"text": "hi", "model": "command"}),
        ("/v1/detokenize", {"tokens": [1], "model": "command"}),
    ]


def test_the_async_client_refuses_the_same_way() -> None:
    pytest.importorskip("httpx")

    async def calls(url: str) -> list[str]:
        messages = []
        async with cohere_dyn.AsyncClient(api_key="k", base_url=url) as client:
            for call in (lambda: client.chat(message="hi", stream=True), lambda: client.list_connectors()):
                try:
                    await call()
                except ValueError as exc:
                    messages.append(str(exc))
        return messages

    with CaptureServer() as server:
        messages = asyncio.run(calls(server.url))
    assert "call chat_stream(...)" in messages[0] and "client.connectors.list(...)" in messages[1]
    assert server.requests == []
