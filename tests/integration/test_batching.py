"""Embed batching on the sync client: split, sent concurrently, merged in input order."""

from __future__ import annotations

import inspect
import json
import math
import threading
import time
from typing import Any, Iterator

import pytest

import cohere_dyn
from cohere_dyn._workflows._batching import merge_answers
from cohere_dyn.mock import MockServer
from tests.capture import Captured, CaptureServer, Reply

V1 = {"model": "embed-english-v3.0", "input_type": "search_document"}
V2 = {"model": "embed-v4.0", "input_type": "search_document", "embedding_types": ["float", "int8"]}


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(delay=0) as server:
        yield server


def _embed_requests(server: MockServer, path: str = "/v1/embed") -> list[Any]:
    return [request for request in server.requests if request.path == path]


def _echo(request: Captured, **extra: Any) -> Reply:
    """A v2 answer with one one-number vector per text: the text's number."""
    texts = request.json()["texts"]
    answer = {"id": f"id-{texts[0]}", "texts": texts, "embeddings": {"float": [[float(t[1:])] for t in texts]}, **extra}
    return Reply(200, json.dumps(answer).encode())


def test_a_thousand_texts_go_in_ceil_1000_over_96_requests_and_come_back_in_order(mock: MockServer) -> None:
    texts = [f"text number {i}" for i in range(1000)]
    before = len(_embed_requests(mock))
    client = cohere_dyn.Client(api_key="k", base_url=mock.url)
    reply = client.embed(texts=texts, **V1)
    sent = _embed_requests(mock)[before:]
    assert len(sent) == math.ceil(1000 / 96) == 11
    assert sorted(len(json.loads(r.body)["texts"]) for r in sent) == [40] + [96] * 10
    assert reply.response_type == "embeddings_floats"
    assert reply.texts == texts and len(reply.embeddings) == 1000
    for index in (0, 95, 96, 500, 999):  # the mock's vectors depend on the text alone
        assert reply.embeddings[index] == client.embed(texts=[texts[index]], **V1).embeddings[0]


def test_v2_embeddings_merge_per_type(mock: MockServer) -> None:
    texts = [f"t{i}" for i in range(200)]
    client = cohere_dyn.ClientV2(api_key="k", base_url=mock.url)
    reply = client.embed(texts=texts, **V2)
    single = client.embed(texts=texts[150:151], **V2)
    assert set(reply.embeddings.to_dict()) == {"float", "int8"}
    assert len(reply.embeddings.float) == len(reply.embeddings.int8) == 200
    assert reply.embeddings.int8[150] == single.embeddings.int8[0]
    assert reply.meta.billed_units.input_tokens == 200


def test_merge_sums_billed_units_dedupes_warnings_and_joins_the_ids() -> None:
    def respond(request: Captured) -> Reply:
        texts = request.json()["texts"]
        meta = {"billed_units": {"input_tokens": len(texts), "images": None}, "warnings": ["slow down", texts[0]]}
        return _echo(request, meta=meta)

    with CaptureServer(respond) as server:
        client = cohere_dyn.ClientV2(api_key="k", base_url=server.url)
        reply = client.embed(texts=[f"t{i}" for i in range(10)], model="m", input_type="search_document", embedding_types=["float"], batch_size=4)
    assert len(server.requests) == 3
    assert reply.id == "id-t0, id-t4, id-t8"  # as the official SDK's merge_embed_responses names it
    assert reply.meta.billed_units.input_tokens == 10 and reply.meta.billed_units.images is None
    assert reply.meta.warnings == ["slow down", "t0", "t4", "t8"]
    assert [vector[0] for vector in reply.embeddings.float] == list(range(10))


def test_merge_rules_in_isolation() -> None:
    merged = merge_answers(
        {"embeddings": "concat", "meta.billed_units": "sum", "meta.warnings": "unique"},
        [
            {"id": "a", "embeddings": [[1]], "meta": {"billed_units": {"x": 1}, "warnings": ["w"]}},
            {"id": "b", "embeddings": [[2]], "meta": {"billed_units": {"x": 2, "y": 1}, "warnings": ["w"]}},
        ],
    )
    assert merged == {"id": "a", "embeddings": [[1], [2]], "meta": {"billed_units": {"x": 3, "y": 1}, "warnings": ["w"]}}


@pytest.mark.parametrize(
    ("client_class", "kwargs", "expected"),
    [
        (cohere_dyn.Client, V1, {"response_type": "embeddings_floats", "embeddings": []}),
        (cohere_dyn.Client, {**V1, "embedding_types": ["int8"]}, {"response_type": "embeddings_by_type", "embeddings": {"int8": []}}),
        (cohere_dyn.ClientV2, V2, {"response_type": "embeddings_by_type", "embeddings": {"float": [], "int8": []}}),
    ],
)
def test_an_empty_list_answers_without_a_request(client_class: type, kwargs: dict[str, Any], expected: dict[str, Any]) -> None:
    with CaptureServer() as server:
        reply = client_class(api_key="k", base_url=server.url).embed(texts=[], **kwargs)
    assert server.requests == []
    assert {key: reply.to_dict()[key] for key in expected} == expected
    assert reply.texts == [] and reply.meta.billed_units.input_tokens is None


def test_an_empty_list_still_checks_the_other_arguments() -> None:
    with CaptureServer() as server:
        client = cohere_dyn.ClientV2(api_key="k", base_url=server.url)
        with pytest.raises(TypeError, match="input_type"):
            client.embed(texts=[], model="m")
        with pytest.raises(cohere_dyn.ValidationError, match="input_type"):
            client.embed(texts=[], model="m", input_type="searching", embedding_types=["float"])
    assert server.requests == []


def test_a_bad_input_fails_before_any_request_with_its_position_in_the_whole_list() -> None:
    texts: list[Any] = [f"t{i}" for i in range(300)]
    texts[250] = 42
    with CaptureServer() as server:
        with pytest.raises(cohere_dyn.ValidationError) as caught:
            cohere_dyn.Client(api_key="k", base_url=server.url).embed(texts=texts, **V1)
    assert server.requests == []
    assert caught.value.problems[0].path == "texts[250]"
    assert caught.value.inputs == range(192, 288)


def test_a_failing_batch_raises_its_error_naming_the_inputs_it_covered() -> None:
    def respond(request: Captured) -> Reply:
        if "t100" in request.json()["texts"]:
            return Reply(422, b'{"message": "text too long"}')
        return _echo(request)

    with CaptureServer(respond) as server:
        client = cohere_dyn.ClientV2(api_key="k", base_url=server.url)
        with pytest.raises(cohere_dyn.UnprocessableEntityError) as caught:
            client.embed(texts=[f"t{i}" for i in range(300)], model="m", input_type="search_document", embedding_types=["float"])
    assert caught.value.inputs == range(96, 192)
    assert "batch 2 of 4 (texts[96:192])" in str(caught.value) and "text too long" in str(caught.value)
    assert caught.value.status_code == 422


def _short_in_batch(request: Captured, short: str, drop: int, by_type: bool) -> Reply:
    """An embed answer with one vector per text, but `drop` fewer in the batch holding `short`."""
    texts = request.json()["texts"]
    vectors = [[float(t[1:])] for t in texts]
    if short in texts:
        vectors = vectors[drop:]
    if by_type:
        embeddings: Any = {"float": vectors, "int8": [[1] for _ in texts]}  # int8 whole, float short
        return Reply(200, json.dumps({"id": "x", "texts": texts, "embeddings": embeddings, "response_type": "embeddings_by_type"}).encode())
    return Reply(200, json.dumps({"id": "x", "texts": texts, "embeddings": vectors, "response_type": "embeddings_floats"}).encode())


def test_a_batch_answered_with_fewer_v2_embeddings_than_texts_fails_naming_its_inputs() -> None:
    with CaptureServer(lambda request: _short_in_batch(request, "t100", 3, by_type=True)) as server:
        client = cohere_dyn.ClientV2(api_key="k", base_url=server.url)
        with pytest.raises(cohere_dyn.CohereError) as caught:
            client.embed(texts=[f"t{i}" for i in range(200)], model="m", input_type="search_document", embedding_types=["float", "int8"])
    assert caught.value.inputs == range(96, 192)
    assert "v2.embed: batch 2 of 3 (texts[96:192]): the answer holds 93 float embeddings for 96 inputs" in str(caught.value)


def test_a_batch_answered_with_more_v1_embeddings_than_texts_fails_too() -> None:
    def respond(request: Captured) -> Reply:
        texts = request.json()["texts"]
        vectors = [[1.0]] * (len(texts) + (1 if "t250" in texts else 0))
        return Reply(200, json.dumps({"id": "x", "texts": texts, "embeddings": vectors, "response_type": "embeddings_floats"}).encode())

    with CaptureServer(respond) as server:
        client = cohere_dyn.Client(api_key="k", base_url=server.url)
        with pytest.raises(cohere_dyn.CohereError, match=r"embed: batch 3 of 4 \(texts\[192:288\]\): the answer holds 97 float embeddings for 96 inputs") as caught:
            client.embed(texts=[f"t{i}" for i in range(300)], **V1)
    assert caught.value.inputs == range(192, 288)


def test_a_v1_batch_answered_without_embeddings_fails_naming_its_inputs() -> None:
    def respond(request: Captured) -> Reply:
        texts = request.json()["texts"]
        answer = {"id": "x", "texts": texts, "response_type": "embeddings_floats"}
        if "t0" not in texts:
            answer["embeddings"] = [[1.0]] * len(texts)
        return Reply(200, json.dumps(answer).encode())

    with CaptureServer(respond) as server:
        client = cohere_dyn.Client(api_key="k", base_url=server.url, validate=False)
        with pytest.raises(cohere_dyn.CohereError, match=r"\(texts\[0:96\]\): the answer has no 'embeddings' for 96 inputs"):
            client.embed(texts=[f"t{i}" for i in range(100)], **V1)


def test_the_count_of_results_per_input_comes_from_the_spec_s_batch_rule() -> None:
    spec = cohere_dyn.Client(api_key="k")._spec
    for name in ("embed", "v2.embed"):
        rule = spec.operation(name).batch
        assert (rule.results, rule.plain_type) == ("embeddings", "float")
        assert (rule.stream.results, rule.stream.plain_type) == ("embeddings", "float")  # embed_stream counts the same field


def test_retries_apply_to_each_batch_on_its_own() -> None:
    failed: set[str] = set()
    lock = threading.Lock()

    def respond(request: Captured) -> Reply:
        first = request.json()["texts"][0]
        with lock:
            if first not in failed:
                failed.add(first)
                return Reply(503, b'{"message": "busy"}', {"Content-Type": "application/json", "retry-after-ms": "1"})
        return _echo(request)

    with CaptureServer(respond) as server:
        client = cohere_dyn.ClientV2(api_key="k", base_url=server.url)
        reply = client.embed(texts=[f"t{i}" for i in range(30)], model="m", input_type="search_document", embedding_types=["float"], batch_size=10)
    assert len(server.requests) == 6  # each batch failed once and was retried once
    assert [vector[0] for vector in reply.embeddings.float] == list(range(30))


def test_batches_run_concurrently_but_never_beyond_max_workers() -> None:
    in_flight, peak, lock = 0, 0, threading.Lock()

    def respond(request: Captured) -> Reply:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.05)
        with lock:
            in_flight -= 1
        return _echo(request)

    with CaptureServer(respond) as server:
        client = cohere_dyn.ClientV2(api_key="k", base_url=server.url)
        client.embed(texts=[f"t{i}" for i in range(40)], model="m", input_type="search_document", embedding_types=["float"], batch_size=5, max_workers=3)
    assert len(server.requests) == 8 and 1 < peak <= 3


def test_progress_callback_counts_inputs_and_the_default_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[tuple[int, int]] = []
    with CaptureServer(_echo) as server:
        client = cohere_dyn.ClientV2(api_key="k", base_url=server.url)
        args = {"model": "m", "input_type": "search_document", "embedding_types": ["float"], "batch_size": 4}
        client.embed(texts=[f"t{i}" for i in range(10)], progress=lambda done, total: seen.append((done, total)), **args)
        client.embed(texts=[f"t{i}" for i in range(10)], **args)
    assert sorted(seen) == seen and seen[-1] == (10, 10) and len(seen) == 3
    assert capsys.readouterr() == ("", "")


def test_batching_options_are_in_the_signature_and_never_on_the_wire() -> None:
    parameters = inspect.signature(cohere_dyn.Client(api_key="k").embed).parameters
    assert parameters["batch_size"].default == 96 and parameters["max_workers"].default == 8
    assert "progress" in parameters and parameters["batching"].default is True
    assert "batch_size" in inspect.signature(cohere_dyn.ClientV2(api_key="k").embed).parameters
    with CaptureServer(_echo) as server:
        cohere_dyn.ClientV2(api_key="k", base_url=server.url).embed(
            texts=["t1", "t2"], model="m", input_type="search_document", embedding_types=["float"], batch_size=1, max_workers=1, progress=False
        )
    bodies = sorted((request.json() for request in server.requests), key=lambda body: body["texts"])
    assert bodies == [
        {"texts": [text], "model": "m", "input_type": "search_document", "embedding_types": ["float"]} for text in ("t1", "t2")
    ]


def test_batching_false_sends_one_request_as_the_official_sdk() -> None:
    with CaptureServer(_echo) as server:
        client = cohere_dyn.ClientV2(api_key="k", base_url=server.url)
        with pytest.raises(cohere_dyn.ValidationError, match="texts"):
            client.embed(texts=[f"t{i}" for i in range(100)], model="m", input_type="search_document", embedding_types=["float"], batching=False)
        client.embed(
            texts=[f"t{i}" for i in range(100)], model="m", input_type="search_document", embedding_types=["float"],
            batching=False, request_options={"validate": False},
        )
    assert len(server.requests) == 1 and len(server.requests[0].json()["texts"]) == 100


def test_bad_batching_options_are_refused() -> None:
    client = cohere_dyn.ClientV2(api_key="k", base_url="http://127.0.0.1:9")
    args = {"texts": ["a"] * 200, "model": "m", "input_type": "search_document", "embedding_types": ["float"]}
    with pytest.raises(ValueError, match="batch_size"):
        client.embed(batch_size=0, **args)
    with pytest.raises(TypeError, match="max_workers"):
        client.embed(max_workers="4", **args)
