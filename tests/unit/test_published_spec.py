"""Cohere's own published OpenAPI file, as shipped, and other versions of it (built here by
transforming it: an older one with v1 only, a newer one with new operations and new defects)."""

from __future__ import annotations

import copy
import functools
import inspect
import json
import warnings
from pathlib import Path
from typing import Any

import pytest

import cohere_dyn
from cohere_dyn._tools._cli import main
from cohere_dyn._tools._lint import read_document
from cohere_dyn._spec._document import Spec
from cohere_dyn._spec._loader import load_document
from tests.conftest import REFERENCE, missing_reference

PUBLISHED = REFERENCE / "cohere-openapi-2025-04-15.yaml"
PUBLISHED_2026 = REFERENCE / "cohere-openapi-2026-08-20.yaml"

needs_published = pytest.mark.skipif(not PUBLISHED.is_file(), reason=missing_reference(PUBLISHED.name))
USER_HI = [{"role": "user", "content": "hi"}]


@functools.lru_cache(maxsize=1)
def _raw() -> dict[str, Any]:
    return read_document(PUBLISHED)


def _written(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def older_variant(tmp_path: Path) -> Path:
    """A v1-only file, as the published spec was before v2."""
    document = copy.deepcopy(_raw())
    document["paths"] = {path: item for path, item in document["paths"].items() if path.startswith("/v1/")}
    return _written(tmp_path, "older.json", document)


def newer_variant(tmp_path: Path) -> Path:
    """New operations (batches; audio.transcriptions, nested, multipart, behind a $ref path item),
    odd-but-valid forms (path-level header parameter, text/plain response, `nullable`), and new
    defects (empty oneOf, phantom required name, discriminator mapping to a missing schema, an
    operation without operationId)."""
    if not PUBLISHED.is_file():
        pytest.skip(missing_reference(PUBLISHED.name))
    document = copy.deepcopy(_raw())
    schemas = document["components"]["schemas"]
    schemas["Batch"] = {
        "type": "object",
        "description": "A batch of requests.",
        "required": ["id", "status", "missing_name"],
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string", "enum": ["queued", "running", "done"]},
            "note": {"type": "string", "nullable": True},
        },
    }
    schemas["BatchStrategy"] = {"oneOf": [], "description": "How to run the batch."}
    schemas["BatchShape"] = {
        "oneOf": [{"$ref": "#/components/schemas/Batch"}],
        "discriminator": {
            "propertyName": "status",
            "mapping": {"queued": "#/components/schemas/Batch", "gone": "#/components/schemas/GoneBatch"},
        },
    }
    ok = lambda schema: {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}  # noqa: E731
    document["paths"]["/v1/batches"] = {
        "parameters": [{"name": "X-Trace", "in": "header", "schema": {"type": "string"}, "description": "A trace id."}],
        "post": {
            "operationId": "create-batch",
            "x-fern-sdk-group-name": "batches",
            "x-fern-sdk-method-name": "create",
            "summary": "Create a batch",
            "description": "Queue many requests at once.",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["name", "input_dataset_id"],
                            "properties": {
                                "name": {"type": "string", "description": "The batch's name."},
                                "input_dataset_id": {"type": "string"},
                                "shape": {"$ref": "#/components/schemas/BatchShape"},
                                "strategy": {"$ref": "#/components/schemas/BatchStrategy"},
                            },
                        }
                    }
                },
            },
            "responses": ok({"$ref": "#/components/schemas/Batch"}),
        },
        "get": {
            "summary": "List batches",
            "x-fern-sdk-group-name": "batches",
            "responses": {"200": {"description": "OK", "content": {"text/plain": {"schema": {"type": "string"}}}}},
        },
    }
    document["components"]["pathItems"] = {
        "Transcriptions": {
            "post": {
                "operationId": "create-transcription",
                "x-fern-sdk-group-name": ["audio", "transcriptions"],
                "x-fern-sdk-method-name": "create",
                "summary": "Transcribe audio",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": {"type": "string", "format": "binary", "description": "The audio."}},
                            }
                        }
                    },
                },
                "responses": ok({"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}),
            }
        }
    }
    document["paths"]["/v2/audio/transcriptions"] = {"$ref": "#/components/pathItems/Transcriptions"}
    return _written(tmp_path, "newer.json", document)


def _load_warning(path: Path) -> tuple[Spec, list[str]]:
    """A fresh Spec (Spec.load keeps one per process, and warns when it builds it) and its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spec = Spec(load_document(path), str(path))
    return spec, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


# The published file -----------------------------------------------------------------------------


@needs_published
def test_the_published_file_loads_with_one_warning_listing_its_defects() -> None:
    spec, messages = _load_warning(PUBLISHED)
    assert len(messages) == 1
    [message] = messages
    for pointer in (
        "#/components/schemas/TruncationStrategy/oneOf",
        "#/components/schemas/CreateConnectorOAuth/required",
        "#/components/schemas/EmbedByTypeResponse/required",
        "#/components/schemas/LogprobItem/required",
        "#/components/schemas/GenerateStreamEnd/allOf/1/required",
        "#/paths/~1v1~1finetuning~1finetuned-models/post/requestBody",
    ):
        assert pointer in message


@needs_published
def test_stream_events_its_own_mapping_names_are_not_rejected() -> None:
    """The published v1 stream union maps two event types to branches whose enum refused them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        published = Spec.load(PUBLISHED)
    events = published.validator(published.operation("chat_stream"), "events")
    valid = [
        {"event_type": "tool-calls-chunk", "is_finished": False, "tool_call_delta": {"name": "get_weather"}},
        {"event_type": "tool-calls-generation", "is_finished": False, "tool_calls": []},
        {"event_type": "text-generation", "is_finished": False, "text": "hi"},
    ]
    for event in valid:
        assert events.is_valid(event), events.problems(event)
    assert not events.is_valid({"event_type": "no-such-event", "is_finished": False})


@needs_published
def test_the_published_file_gives_the_official_sdk_method_names() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        published = Spec.load(PUBLISHED)
        current = Spec.load(PUBLISHED_2026) if PUBLISHED_2026.is_file() else None
    ours = set(Spec.load().by_name)
    assert set(published.by_name) < ours  # the API of 2025: 39 methods, all still here
    if current is not None:  # the API of 2026 lacks only v2.parse's route, which the SDK 7.3.1 has,
        # and the embed_stream twins our spec's batch extension adds
        assert set(current.by_name) == ours - {"v2.parse", "embed_stream", "v2.embed_stream"}
    assert published.operation("chat").stream.method == "chat_stream"
    assert published.operation("v2.chat_stream").streaming
    assert [a.keyword for a in published.operation("finetuning.create_finetuned_model").arguments] == ["request"]


@needs_published
def test_a_client_and_validate_take_the_published_file() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = cohere_dyn.ClientV2(api_key="k", spec=PUBLISHED)
        assert list(inspect.signature(client.chat).parameters)[:2] == ["model", "messages"]
        for method, payload in [
            ("v2.chat", {"model": "m", "messages": USER_HI, "response_format": {"type": "json_object"}}),
            ("v2.chat", {"model": "m", "messages": USER_HI, "safety_mode": "OFF"}),
            ("chat", {"message": "hi", "prompt_truncation": "OFF"}),
            ("connectors.create", {"name": "n", "url": "https://x", "oauth": {"client_id": "a", "client_secret": "b"}}),
            ("finetuning.create_finetuned_model", {"name": "ft", "settings": {"base_model": {"base_type": "BASE_TYPE_CHAT"}, "dataset_id": "d"}}),
        ]:
            cohere_dyn.validate(method, payload, spec=PUBLISHED)
        with pytest.raises(cohere_dyn.ValidationError):
            cohere_dyn.validate("v2.chat", {"model": "m", "messages": [{"role": "bot", "content": "x"}]}, spec=PUBLISHED)


@needs_published
def test_cli_commands_take_the_published_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["ops", "--spec", str(PUBLISHED)]) == 0
        assert "datasets.get_usage" in capsys.readouterr().out
        assert main(["describe", "connectors.o_auth_authorize", "--spec", str(PUBLISHED)]) == 0
        payload = tmp_path / "payload.json"
        payload.write_text(json.dumps({"model": "m", "messages": USER_HI}))
        assert main(["validate", "v2.chat", str(payload), "--spec", str(PUBLISHED)]) == 0


# Other versions -----------------------------------------------------------------------------------


@needs_published
def test_an_older_v1_only_file_loads_without_v2(tmp_path: Path) -> None:
    spec, messages = _load_warning(older_variant(tmp_path))
    assert len(messages) == 1
    assert "chat" in spec.by_name and not any(name.startswith("v2.") for name in spec.by_name)
    client = cohere_dyn.Client(api_key="k", spec=spec)
    with pytest.raises(AttributeError):
        client.v2  # noqa: B018 - the attribute access is the test


def test_a_newer_file_warns_once_with_its_new_defects(tmp_path: Path) -> None:
    path = newer_variant(tmp_path)
    _, messages = _load_warning(path)
    assert len(messages) == 1
    [message] = messages
    assert "#/components/schemas/BatchStrategy/oneOf: empty" in message
    assert "#/components/schemas/Batch/required: 'missing_name'" in message
    assert "#/components/schemas/BatchShape/discriminator/mapping/gone" in message
    assert "#/paths/~1v1~1batches/get: no operationId" in message


def test_a_newer_files_operations_appear_as_methods_with_signatures_and_docstrings(tmp_path: Path) -> None:
    path = newer_variant(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = cohere_dyn.Client(api_key="k", spec=path)
    create = client.batches.create
    assert list(inspect.signature(create).parameters) == ["name", "input_dataset_id", "x_trace", "shape", "strategy", "request_options"]
    assert create.__doc__.startswith("Create a batch\n\nQueue many requests at once.")
    assert "name (str, required): The batch's name." in create.__doc__
    assert "x_trace (str, optional): A trace id. Sent as header 'X-Trace'." in create.__doc__
    transcribe = client.audio.transcriptions.create
    assert list(inspect.signature(transcribe).parameters) == ["file", "request_options"]
    assert "Route: POST /v2/audio/transcriptions" in transcribe.__doc__
    assert client.batches.get_v1_batches.__doc__.startswith("List batches")


def test_a_newer_files_repairs_never_reject_a_valid_payload(tmp_path: Path) -> None:
    path = newer_variant(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for payload in [
            {"name": "n", "input_dataset_id": "d"},
            {"name": "n", "input_dataset_id": "d", "shape": {"id": "b", "status": "queued", "note": None}},
            {"name": "n", "input_dataset_id": "d", "strategy": {"anything": 1}},
        ]:
            cohere_dyn.validate("batches.create", payload, spec=path)


def test_odd_but_valid_openapi_30_forms_load_and_validate(tmp_path: Path) -> None:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "odd", "version": "1"},
        "paths": {
            "/things/{id}": {"$ref": "#/components/x-items/thing"},
        },
        "components": {
            "x-items": {
                "thing": {
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "put": {
                        "operationId": "putThing",
                        "parameters": [{"name": "X-Mode", "in": "header", "schema": {"type": "string", "enum": ["a", "b"]}}],
                        "requestBody": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "label": {"type": "string", "nullable": True},
                                            "size": {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
                                            "kind": {"$ref": "#/components/schemas/Kind"},
                                        },
                                    }
                                }
                            }
                        },
                        "responses": {"200": {"description": "OK", "content": {"text/plain": {"schema": {"type": "string"}}}}},
                    },
                }
            },
            "schemas": {"Kind": {"type": "string", "enum": ["x", "y"], "nullable": True}},
        },
    }
    path = _written(tmp_path, "odd.json", document)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 3.0 forms are not defects: no warning
        spec = Spec.load(path)
    operation = spec.operation("put_thing")
    assert {a.keyword: a.location for a in operation.arguments} == {
        "id": "path", "label": "body", "size": "body", "kind": "body", "x_mode": "header"
    }  # fmt: skip
    assert operation.response_schema is None
    cohere_dyn.validate("put_thing", {"id": "1", "label": None, "kind": None, "size": 1, "x_mode": "a"}, spec=spec)
    with pytest.raises(cohere_dyn.ValidationError):
        cohere_dyn.validate("put_thing", {"id": "1", "size": 0}, spec=spec)
