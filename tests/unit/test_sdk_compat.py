"""Code written for the official SDK (5.x and 7.x) runs unchanged: what it does beyond calling methods with keywords.

Positional path parameters, the SDK's `name_` attribute spellings, its models' pydantic methods,
7.x request options, what the SDK refuses, and its module paths; on the packaged spec, and on
small specs where the mechanism must carry over to names the packaged spec doesn't have.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import json
import subprocess
import sys

import pytest
import responses

import cohere_dyn
from cohere_dyn._compat._modules import module_paths
from cohere_dyn._models import EMPTY_SHAPE, models_of, wrap
from cohere_dyn._naming import sdk_attribute
from cohere_dyn._spec._document import Spec
from tests.unit.test_calls_on_the_real_spec import RecordingTransport, client_with

BASE = "http://api.test"
UTC = datetime.timezone.utc


@pytest.fixture
def client() -> cohere_dyn.Client:
    return cohere_dyn.Client(api_key="k", base_url=BASE)


def _small_spec(paths: dict, schemas: dict | None = None, extension: dict | None = None) -> Spec:
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    if schemas:
        document["components"] = {"schemas": schemas}
    if extension:
        document["x-cohere-dyn"] = extension
    return Spec.from_dict(document)


def _get(group: str, method: str, parameters: list[str]) -> dict:
    return {
        "get": {
            "operationId": method,
            "x-cohere-dyn": {"group": group, "method": method},
            "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in parameters]
            + [{"name": "page_size", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "ok"}},
        }
    }


# Path parameters positionally


def _kinds(method: object) -> list[tuple[str, str]]:
    return [(p.name, p.kind.name) for p in inspect.signature(method).parameters.values()]  # type: ignore[arg-type]


def test_path_parameters_are_positional_or_keyword_and_the_rest_keyword_only(client: cohere_dyn.Client) -> None:
    assert _kinds(client.datasets.get) == [("id", "POSITIONAL_OR_KEYWORD"), ("request_options", "KEYWORD_ONLY")]
    kinds = _kinds(client.finetuning.list_events)
    assert kinds[0] == ("finetuned_model_id", "POSITIONAL_OR_KEYWORD")
    assert all(kind == "KEYWORD_ONLY" for _, kind in kinds[1:])


def test_every_operation_takes_exactly_its_path_parameters_positionally() -> None:
    from cohere_dyn._signatures import signature

    spec = Spec.load()
    for operation in spec.operations:
        path_keywords = {a.keyword for a in operation.arguments if a.location == "path"}
        parameters = list(signature(spec, operation).parameters.values())
        positional = [p.name for p in parameters if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        assert set(positional) == path_keywords, operation.qualified_name
        assert parameters[: len(positional)] == [p for p in parameters if p.name in path_keywords]


def test_path_parameters_come_in_route_order_whatever_order_the_spec_declares_them() -> None:
    spec = _small_spec({"/v1/things/{thing}/parts/{part}": _get("things", "get_part", ["part", "thing"])})
    operation = spec.operation("things.get_part")
    assert operation.positional == ("thing", "part")
    client = cohere_dyn.Client(api_key="k", spec=spec, validate=False)
    assert _kinds(client.things.get_part)[:2] == [("thing", "POSITIONAL_OR_KEYWORD"), ("part", "POSITIONAL_OR_KEYWORD")]


@responses.activate
@pytest.mark.parametrize(
    ("call", "method", "path"),
    [
        (lambda c: c.datasets.get("ds-1"), "GET", "/v1/datasets/ds-1"),
        (lambda c: c.models.get("command-a-03-2025"), "GET", "/v1/models/command-a-03-2025"),
        (lambda c: c.embed_jobs.cancel("job-1"), "POST", "/v1/embed-jobs/job-1/cancel"),
        (lambda c: c.finetuning.list_events("ft-1", page_size=10), "GET", "/v1/finetuning/finetuned-models/ft-1/events?page_size=10"),
        (lambda c: c.connectors.update("conn-1", name="renamed"), "PATCH", "/v1/connectors/conn-1"),
    ],
    ids=["datasets.get", "models.get", "embed_jobs.cancel", "finetuning.list_events", "connectors.update"],
)
def test_positional_call_sends_what_the_keyword_call_sends(client: cohere_dyn.Client, call, method: str, path: str) -> None:
    responses.add(responses.Response(method, BASE + path.split("?")[0], json={}))
    call(client)
    assert (responses.calls[0].request.method, responses.calls[0].request.url) == (method, BASE + path)


@responses.activate
def test_iterator_methods_take_the_path_parameters_positionally_too(client: cohere_dyn.Client) -> None:
    responses.get(f"{BASE}/v1/finetuning/finetuned-models/ft-1/events", json={"events": [{"status": "QUEUED"}]})
    assert [event.status for event in client.finetuning.iter_events("ft-1")] == ["QUEUED"]


def test_more_positional_arguments_than_path_parameters_is_a_type_error(client: cohere_dyn.Client) -> None:
    with pytest.raises(TypeError, match=r"datasets.get\(\) takes 1 positional argument \(id\) but 2 were given"):
        client.datasets.get("ds-1", "extra")
    with pytest.raises(TypeError, match="positional"):
        client.v2.chat("command-a-03-2025")


def test_a_path_parameter_given_twice_is_a_type_error(client: cohere_dyn.Client) -> None:
    with pytest.raises(TypeError, match="multiple values for argument 'id'"):
        client.datasets.get("ds-1", id="ds-2")


def test_validate_takes_the_positional_form_too(client: cohere_dyn.Client) -> None:
    client.datasets.get.validate("ds-1")
    with pytest.raises(cohere_dyn.ValidationError):
        client.datasets.get.validate(5)


def test_wait_takes_timeout_and_interval_positionally_as_the_sdk_does(client: cohere_dyn.Client) -> None:
    assert _kinds(client.wait)[:3] == [
        ("job", "POSITIONAL_OR_KEYWORD"),
        ("timeout", "POSITIONAL_OR_KEYWORD"),
        ("interval", "POSITIONAL_OR_KEYWORD"),
    ]


def test_help_shows_the_positional_form(client: cohere_dyn.Client) -> None:
    assert str(inspect.signature(client.embed_jobs.cancel)).startswith("(id: 'str', *, ")


# The SDK's attribute spelling of fields named like keywords, builtin types or pydantic methods


@pytest.mark.parametrize(
    ("field", "attribute"),
    [("float", "float_"), ("schema", "schema_"), ("class", "class_"), ("from", "from_"), ("json", "json_"), ("type", "type"), ("id", "id"), ("text", "text")],
)
def test_sdk_attribute_spelling(field: str, attribute: str) -> None:
    assert sdk_attribute(field) == attribute


def test_response_fields_read_under_the_sdk_spelling_too() -> None:
    spec = Spec.load()
    embed = wrap({"id": "e", "embeddings": {"float": [[1.0]]}}, models_of(spec).shape(spec.operation("v2.embed").response_schema))
    assert embed.embeddings.float_ == embed.embeddings.float == [[1.0]]
    assert embed.embeddings.int8 is None
    dataset = wrap({"dataset": {"id": "d", "schema": "{}"}}, models_of(spec).shape(spec.operation("datasets.get").response_schema))
    assert dataset.dataset.schema_ == "{}"
    assert "schema_" in dir(dataset.dataset)


def test_a_declared_field_left_out_reads_as_none_under_the_sdk_spelling() -> None:
    spec = Spec.load()
    embed = wrap({"embeddings": {}}, models_of(spec).shape(spec.operation("v2.embed").response_schema))
    assert embed.embeddings.float_ is None


def test_other_names_with_an_underscore_are_still_unknown() -> None:
    spec = Spec.load()
    embed = wrap({"id": "e"}, models_of(spec).shape(spec.operation("v2.embed").response_schema))
    with pytest.raises(AttributeError, match="no field 'id_'"):
        embed.id_


def test_every_field_of_the_packaged_spec_that_needs_it_reads_under_the_sdk_spelling() -> None:
    spec = Spec.load()
    spelt = 0
    for name in spec.types.names():
        schema, _, _ = spec.types.entry(name)
        for field in spec.types.properties(schema):
            if sdk_attribute(field) != field:
                shaped = wrap({field: 1}, models_of(spec).shape(schema, name))
                assert getattr(shaped, sdk_attribute(field)) == 1, (name, field)
                spelt += 1
    assert spelt >= 2  # float (embeddings by type) and schema (datasets, JSON response formats)


def test_payload_constructors_take_the_sdk_spelling() -> None:
    assert cohere_dyn.types.EmbedByTypeResponseEmbeddings(float_=[[1.0]]) == {"float": [[1.0]]}
    assert cohere_dyn.types.JsonObjectResponseFormat(schema_={"type": "object"}) == {"type": "json_object", "schema": {"type": "object"}}


def test_the_spelling_follows_the_spec_not_a_list_of_schemas() -> None:
    spec = _small_spec(
        {},
        schemas={
            "Window": {
                "type": "object",
                "properties": {"from": {"type": "integer"}, "list": {"type": "array"}, "type": {"type": "string"}},
            }
        },
    )
    window = models_of(spec).model_class("Window")
    assert window(from_=1, list_=[2], type="t") == {"from": 1, "list": [2], "type": "t"}
    read = wrap({"from": 1}, models_of(spec).shape(spec.document["components"]["schemas"]["Window"], "Window"))
    assert (read.from_, read.list_) == (1, None)


# The pydantic methods of the SDK's models (expected values observed on cohere==7.3.1, pydantic 2)

DATASET = {
    "id": "x",
    "name": "n",
    "created_at": "2024-01-01T00:00:00Z",
    "updated_at": "2024-01-01T00:00:00Z",
    "dataset_type": "embed-input",
    "validation_status": "validated",
    "schema": "s",
    "validation_error": None,
    "extra_field": 5,
    "dataset_parts": [{"id": "p", "name": "pn"}],
}


@pytest.fixture
def dataset() -> cohere_dyn.Model:
    spec = Spec.load()
    answer = wrap({"dataset": json.loads(json.dumps(DATASET))}, models_of(spec).shape(spec.operation("datasets.get").response_schema))
    return answer.dataset


def test_dict_is_the_json_sent_with_datetimes(dataset: cohere_dyn.Model) -> None:
    expected = {**DATASET, "created_at": datetime.datetime(2024, 1, 1, tzinfo=UTC), "updated_at": datetime.datetime(2024, 1, 1, tzinfo=UTC)}
    assert dataset.dict() == expected
    assert dataset.dict(exclude_none=True, by_alias=False) == expected  # the SDK overrides these


def test_dict_applies_include_and_exclude(dataset: cohere_dyn.Model) -> None:
    assert dataset.dict(include={"id", "schema_"}) == {"id": "x", "schema": "s"}
    assert "dataset_parts" not in dataset.dict(exclude={"dataset_parts"})


def test_include_and_exclude_pick_list_items_by_index() -> None:
    answer = wrap({"results": [{"index": 0, "relevance_score": 0.5}, {"index": 1, "relevance_score": 0.2}]}, EMPTY_SHAPE)
    assert answer.dict(include={"results": {0}}) == {"results": [{"index": 0, "relevance_score": 0.5}]}
    assert answer.dict(exclude={"results": {0}}) == {"results": [{"index": 1, "relevance_score": 0.2}]}
    assert answer.model_dump(include={"results": {1: {"index"}}}) == {"results": [{"index": 1}]}


def test_json_and_model_dump_json_are_the_json_sent_compact(dataset: cohere_dyn.Model) -> None:
    compact = json.dumps(DATASET, separators=(",", ":"))
    assert dataset.json() == compact
    assert dataset.model_dump_json() == compact
    assert dataset.model_dump_json(exclude_none=True) == compact  # ignored by the SDK's serializer
    assert dataset.json(indent=2) == json.dumps(DATASET, indent=2)


def test_model_dump_lists_every_declared_field_under_the_sdk_attribute_names(dataset: cohere_dyn.Model) -> None:
    dumped = dataset.model_dump()
    assert dumped["schema_"] == "s" and "schema" not in dumped
    assert dumped["required_fields"] is None and dumped["extra_field"] == 5
    assert dumped["created_at"] == datetime.datetime(2024, 1, 1, tzinfo=UTC)
    assert dumped["dataset_parts"][0]["url"] is None
    assert list(dumped)[-1] == "extra_field"  # extras after the declared fields


def test_model_dump_options(dataset: cohere_dyn.Model) -> None:
    assert "schema" in dataset.model_dump(by_alias=True)
    assert set(dataset.model_dump(exclude_unset=True)) == {sdk_attribute(key) for key in DATASET}
    none_dropped = dataset.model_dump(exclude_none=True)
    assert "validation_error" not in none_dropped and none_dropped["dataset_parts"] == [{"id": "p", "name": "pn"}]
    assert dataset.model_dump(include={"dataset_parts": {0: {"id"}}}) == {"dataset_parts": [{"id": "p"}]}
    excluded = dataset.model_dump(exclude={"dataset_parts": {"__all__": {"name"}}, "name": True}, exclude_none=True)
    assert "name" not in excluded and excluded["dataset_parts"] == [{"id": "p"}]
    assert dataset.model_dump(mode="json") == DATASET


def test_pydantic_methods_leave_attribute_access_alone(dataset: cohere_dyn.Model) -> None:
    assert dataset.name == "n" and dataset["schema"] == "s" and dataset.to_dict() is dataset._data


# request_options of the SDK 7.x


def test_request_option_timeout_is_7x_timeout_in_seconds() -> None:
    from cohere_dyn._call._prepare import prepare

    spec = Spec.load()
    operation = spec.operation("models.list")
    assert prepare(spec, operation, {"request_options": {"timeout": 12.5}}).timeout == 12.5
    assert prepare(spec, operation, {"request_options": {"timeout_in_seconds": 7}}).timeout == 7
    assert prepare(spec, operation, {"request_options": {"timeout": 3, "timeout_in_seconds": 7}}).timeout == 3


def test_request_option_timeout_reaches_the_transport() -> None:
    transport = RecordingTransport()
    client = client_with(transport)
    client.models.list(request_options={"timeout": 0.5})
    client.models.list(request_options={"timeout_in_seconds": 40})
    assert [request.timeout for request, _ in transport.sent] == [cohere_dyn.Timeout(0.5, 0.5), cohere_dyn.Timeout(10, 40)]


@responses.activate
def test_the_other_7x_request_options_are_accepted_and_change_nothing(client: cohere_dyn.Client) -> None:
    responses.get(f"{BASE}/v1/models", json={"models": []})
    options = {"retry_remote_protocol_errors": True, "chunk_size": 1024, "stream_reconnection_enabled": False, "max_stream_reconnection_attempts": 3}
    client.models.list(request_options=options)
    client.models.list()
    first, second = (call.request for call in responses.calls)
    assert (first.url, first.body) == (second.url, second.body)


def test_an_unknown_request_option_is_still_a_type_error(client: cohere_dyn.Client) -> None:
    with pytest.raises(TypeError, match="unknown request option 'timeout_ms'"):
        client.models.list(request_options={"timeout_ms": 5})


# What the SDK refuses, refused the same way


@pytest.mark.parametrize(
    ("call", "twin"),
    [
        (lambda c: c.chat(message="hi", stream=True), "chat_stream"),
        (lambda c: c.generate(prompt="hi", stream=True), "generate_stream"),
        (lambda c: c.v2.chat(model="m", messages=[], stream=True), "v2.chat_stream"),
    ],
    ids=["chat", "generate", "v2.chat"],
)
def test_stream_true_on_the_non_streamed_method_is_a_value_error_naming_the_stream_method(client, call, twin: str) -> None:
    with pytest.raises(ValueError, match=rf"call {twin}\(\.\.\.\) to stream"):
        call(client)


def test_stream_false_stays_an_unknown_keyword_as_in_the_sdk(client: cohere_dyn.Client) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'stream'"):
        client.chat(message="hi", stream=False)


@pytest.mark.parametrize("name", sorted(Spec.load().sdk_removed))
def test_the_sdks_removed_functions_raise_value_error_naming_the_new_place(client: cohere_dyn.Client, name: str) -> None:
    moved_to = Spec.load().sdk_removed[name]
    function = getattr(client, name)
    with pytest.raises(ValueError, match=rf"client\.{moved_to}\(" if moved_to else "removed from the official SDK") as raised:
        function(anything=1)
    assert name in str(raised.value)


def test_removed_functions_are_refused_on_every_client_but_not_inside_groups() -> None:
    for client_class in (cohere_dyn.Client, cohere_dyn.ClientV2):
        with pytest.raises(ValueError, match=r"client\.connectors\.list\("):
            client_class(api_key="k").list_connectors()
    with pytest.raises(AttributeError):
        cohere_dyn.Client(api_key="k").datasets.list_connectors


def test_check_api_key_stays_a_working_method(client: cohere_dyn.Client) -> None:
    assert client.check_api_key.operation.path == "/v1/check-api-key"


def test_the_refusal_table_is_read_from_the_spec() -> None:
    spec = _small_spec({"/v1/things/{id}": _get("things", "get", ["id"])}, extension={"sdk-removed": {"get_thing": "things.get", "teleport": None}})
    client = cohere_dyn.Client(api_key="k", spec=spec)
    with pytest.raises(ValueError, match=r"client\.things\.get\("):
        client.get_thing("x")
    with pytest.raises(ValueError, match="removed"):
        client.teleport()


@responses.activate
def test_tokenize_offline_false_asks_the_api(client: cohere_dyn.Client) -> None:
    responses.post(f"{BASE}/v1/tokenize", json={"tokens": [1], "token_strings": ["hi"]})
    responses.post(f"{BASE}/v1/detokenize", json={"text": "hi"})
    assert client.tokenize(text="hi", model="command", offline=False).tokens == [1]
    assert client.detokenize(tokens=[1], model="command", offline=False).text == "hi"
    assert json.loads(responses.calls[0].request.body) == {"text": "hi", "model": "command"}


# The SDK's module paths


def test_the_sdk_documented_finetuning_import_works() -> None:
    from cohere_dyn.finetuning.finetuning import BaseModel, FinetunedModel, Settings

    model = FinetunedModel(name="m", settings=Settings(base_model=BaseModel(base_type="BASE_TYPE_CHAT")))
    assert model == {"name": "m", "settings": {"base_model": {"base_type": "BASE_TYPE_CHAT"}}}


def test_every_group_has_its_module_and_types_submodule() -> None:
    paths = module_paths()
    for operation in Spec.load().operations:
        if operation.group:
            dotted = ".".join(operation.group)
            assert {dotted, f"{dotted}.types"} <= paths
    for path in sorted(paths):
        module = importlib.import_module(f"cohere_dyn.{path}")
        assert "UserChatMessageV2" in dir(module)
        assert module.UserChatMessageV2(content="hi") == {"role": "user", "content": "hi"}


def test_group_modules_are_attributes_of_the_package() -> None:
    assert cohere_dyn.finetuning.Settings(wandb=None) == {}
    assert cohere_dyn.finetuning.finetuning.types.Hyperparameters(train_epochs=1) == {"train_epochs": 1}
    assert "finetuning" in dir(cohere_dyn.finetuning)


def test_module_paths_come_from_the_specs_groups_and_its_sdk_modules() -> None:
    spec = _small_spec(
        {"/v2/batches/{id}": _get("batches", "retrieve", ["id"]), "/v2/audio/{id}": _get(["audio", "transcriptions"], "get", ["id"])},
        extension={"sdk-modules": ["batches.batches"]},
    )
    errors = {path for path in module_paths(spec) if path.startswith("errors.")}
    assert "errors.gateway_timeout_error" in errors and "errors.not_implemented_error" in errors
    assert module_paths(spec) - errors == {
        "batches", "batches.types", "batches.client", "batches.batches", "batches.batches.types",
        "audio", "audio.types", "audio.client", "audio.transcriptions", "audio.transcriptions.types",
        "audio.transcriptions.client",
    }


def test_the_sdks_per_type_files_under_types_import_too() -> None:
    from cohere_dyn.finetuning.finetuning.types.settings import Settings
    from cohere_dyn.types.chat_message_v2 import UserChatMessageV2

    assert UserChatMessageV2(content="hi") == {"role": "user", "content": "hi"}
    assert Settings(dataset_id="ds-1") == {"dataset_id": "ds-1"}
    for outside_types in ("cohere_dyn.datasets.user_chat_message_v2", "cohere_dyn.types.UserChatMessageV2"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(outside_types)


def test_the_sdks_client_error_and_option_modules_give_cohere_dyns_own() -> None:
    from cohere_dyn.client import AsyncClient, Client
    from cohere_dyn.client_v2 import ClientV2
    from cohere_dyn.core import RequestOptions
    from cohere_dyn.core.api_error import ApiError
    from cohere_dyn.sagemaker_client import SagemakerClient

    assert (Client, ClientV2, AsyncClient, ApiError) == (cohere_dyn.Client, cohere_dyn.ClientV2, cohere_dyn.AsyncClient, cohere_dyn.ApiError)
    assert (SagemakerClient, RequestOptions) == (cohere_dyn.SagemakerClient, cohere_dyn.RequestOptions)
    assert issubclass(cohere_dyn.TooManyRequestsError, ApiError)


def test_request_options_typed_as_the_sdk_types_them_are_all_taken() -> None:
    transport = RecordingTransport()
    options: cohere_dyn.RequestOptions = {
        "timeout": 5, "timeout_in_seconds": 5, "max_retries": 0, "additional_headers": {"X-A": "1"},
        "additional_query_parameters": {"q": "1"}, "additional_body_parameters": {"seed": 1}, "validate": True,
        "retry_remote_protocol_errors": False, "chunk_size": 1024, "stream_reconnection_enabled": False,
        "max_stream_reconnection_attempts": 0,
    }
    assert set(options) == set(cohere_dyn.RequestOptions.__annotations__)
    client_with(transport).v2.chat(model="m", messages=[{"role": "user", "content": "hi"}], request_options=options)
    [(request, _)] = transport.sent
    assert request.headers["X-A"] == "1" and request.url.endswith("?q=1") and b'"seed":1' in request.content


def test_an_unknown_module_or_name_fails_as_python_does() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("cohere_dyn.no_such_group")
    with pytest.raises(ImportError):
        exec("from cohere_dyn.datasets import NoSuchType", {})


def test_importing_cohere_dyn_builds_no_sdk_module() -> None:
    code = (
        "import sys, cohere_dyn; cohere_dyn.Client(api_key='k'); "
        "print(sorted(m for m in sys.modules if m.startswith(('cohere_dyn.datasets', 'cohere_dyn._spec._types', 'cohere_dyn._compat._dump', 'requests'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "[]"
