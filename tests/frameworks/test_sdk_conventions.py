"""What code written for the official SDK (and the tests around it) does with `cohere`, on cohere_dyn:
the import name and its module paths, the version it reports, methods as class attributes (mock.patch,
wrapt), the models' pydantic behaviour, HTTP recording (vcrpy), and the official SDK's own checks."""

from __future__ import annotations

import asyncio
import importlib
import importlib.metadata
import inspect
import json
import pickle
import sys
from pathlib import Path
from unittest import mock as unittest_mock

import pytest

import cohere_dyn
from cohere_dyn.mock import MockServer

import cohere  # noqa: E402  # cohere_dyn itself (see conftest)

MESSAGES = [{"role": "user", "content": "hello there"}]


# -- the import name -----------------------------------------------------------------------------


def test_cohere_is_cohere_dyn_and_its_modules_are_the_same_objects() -> None:
    assert cohere is cohere_dyn
    from cohere.types import ToolCallV2
    from cohere.types.tool_call_v2 import ToolCallV2 as FromItsFile
    from cohere.v2.types import ToolCallV2 as FromTheGroup

    importlib.import_module("cohere.v2.client")
    assert ToolCallV2 is FromItsFile is FromTheGroup is cohere_dyn.ToolCallV2
    assert sys.modules["cohere.v2.client"] is sys.modules["cohere_dyn.v2.client"]


def test_the_sdks_module_paths_import() -> None:
    from cohere.client import AsyncClient, Client
    from cohere.client_v2 import AsyncClientV2, ClientV2
    from cohere.core.api_error import ApiError
    from cohere.core.request_options import RequestOptions  # noqa: F401
    from cohere.errors.gateway_timeout_error import GatewayTimeoutError
    from cohere.errors.service_unavailable_error import ServiceUnavailableError
    from cohere.v2.client import OMIT, AsyncV2Client, V2Client

    assert (Client, AsyncClient, ClientV2, AsyncClientV2) == (
        cohere_dyn.Client, cohere_dyn.AsyncClient, cohere_dyn.ClientV2, cohere_dyn.AsyncClientV2,
    )
    assert issubclass(GatewayTimeoutError, ApiError) and ServiceUnavailableError is cohere.errors.ServiceUnavailableError
    assert OMIT is ... and V2Client.__name__ == "V2Client" and AsyncV2Client.__name__ == "AsyncV2Client"


def test_errors_is_bound_after_a_plain_import_and_carries_the_sdks_module_names() -> None:
    assert cohere.errors.InternalServerError is cohere_dyn.InternalServerError
    assert type(cohere_dyn.ApiError(status_code=500, body="x")).__module__.startswith("cohere.")
    assert not hasattr(cohere, "error")  # langchain takes another path when `cohere.error` exists


def test_the_cohere_distribution_answers_a_5x_version_ahead_of_the_installed_sdk() -> None:
    assert importlib.metadata.version("cohere") == "5.21.1"
    assert "cohere_dyn" in importlib.metadata.distribution("cohere").read_text("METADATA")
    assert importlib.util.find_spec("cohere") is not None  # instructor asks


def test_installing_again_does_nothing_and_a_real_sdk_already_imported_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    cohere_dyn.install_as_cohere()
    assert sys.modules["cohere"] is cohere_dyn
    monkeypatch.setitem(sys.modules, "cohere", type(sys)("cohere"))
    with pytest.raises(ImportError, match="already imported"):
        cohere_dyn.install_as_cohere()


# -- methods as class attributes -----------------------------------------------------------------


def test_mock_patch_object_with_autospec_checks_the_call(mock: MockServer) -> None:
    client = cohere.ClientV2(api_key="k", base_url=mock.url)
    with unittest_mock.patch.object(cohere.ClientV2, "rerank", autospec=True) as rerank:
        client.rerank(model="rerank-v3.5", query="q", documents=["a"])
        rerank.assert_called_once_with(client, model="rerank-v3.5", query="q", documents=["a"])
        with pytest.raises(TypeError):
            client.rerank(model="rerank-v3.5", query="q", documents=["a"], no_such_keyword=1)
    assert client.rerank(model="rerank-v3.5", query="q", documents=["a"]).results  # the method is back


def test_patching_the_class_of_a_group_reaches_its_instances(mock: MockServer) -> None:
    client = cohere.Client(api_key="k", base_url=mock.url)
    with unittest_mock.patch("cohere.v2.client.V2Client.chat", return_value="patched"):
        assert client.v2.chat(model="m", messages=MESSAGES) == "patched"


def test_an_async_method_stays_a_coroutine_function_on_the_class() -> None:
    assert inspect.iscoroutinefunction(cohere.AsyncClientV2.chat)
    assert not inspect.iscoroutinefunction(cohere.AsyncClientV2.chat_stream)  # an async iterator, at once
    assert "model" in inspect.signature(cohere.AsyncClientV2.embed).parameters


def test_wrapt_wraps_a_method_at_its_sdk_module_path(mock: MockServer) -> None:
    wrapt = pytest.importorskip("wrapt")
    seen = []

    def spy(wrapped, instance, args, kwargs):  # type: ignore[no-untyped-def]
        seen.append(kwargs["model"])
        return wrapped(*args, **kwargs)

    original = cohere.client_v2.ClientV2.__dict__["chat"]
    wrapt.wrap_function_wrapper("cohere.client_v2", "ClientV2.chat", spy)
    try:
        cohere.ClientV2(api_key="k", base_url=mock.url).chat(model="command-a-03-2025", messages=MESSAGES)
    finally:
        cohere.ClientV2.chat = original
    assert seen == ["command-a-03-2025"]


# -- the models -----------------------------------------------------------------------------------


def test_the_float_alias_as_the_official_sdks_own_test_has_it() -> None:
    embeddings = cohere.EmbedByTypeResponseEmbeddings(float_=[[1.0]])
    assert embeddings.float_ == [[1.0]] and getattr(embeddings, "float") == [[1.0]]
    assert embeddings.dict() == {"float": [[1.0]]}


def test_a_models_fields_are_attributes_its_dict_and_pairs() -> None:
    call = cohere.ToolCallV2(id="c1", function=cohere.ToolCallV2Function(name="f", arguments="{}"))
    assert call.function.name == "f"
    assert vars(call) == {"id": "c1", "type": "function", "function": call.function}
    assert dict(call) == vars(call)
    assert cohere.TextContent.model_fields["type"].default == "text"


def test_unknown_keywords_are_kept_as_the_sdks_models_keep_them() -> None:
    call = cohere.ToolCall(name="f", parameters={"a": 1}, id="call-1")
    assert call.id == "call-1" and call.parameters == {"a": 1}
    assert type(call.parameters) is dict  # free-form JSON stays a dict (json.dumps takes it)
    assert json.loads(json.dumps(call.parameters)) == {"a": 1}


def test_a_mock_with_a_models_spec_knows_its_fields() -> None:
    usage = unittest_mock.MagicMock(spec=cohere.UsageTokens)
    usage.input_tokens = 3
    assert usage.input_tokens == 3
    with pytest.raises(AttributeError):
        usage.no_such_field  # noqa: B018


def test_models_pickle_and_deep_copy() -> None:
    message = cohere.AssistantChatMessageV2(tool_calls=[cohere.ToolCallV2(id="c1", function={"name": "f"})])
    assert pickle.loads(pickle.dumps(message)) == message
    assert message.model_copy(deep=True) == message


def test_a_model_can_be_a_field_of_a_pydantic_model() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Holder(pydantic.BaseModel):
        call: cohere.ToolCallV2
        raw: object = None

    holder = Holder(call={"id": "c1", "function": {"name": "f"}}, raw=cohere.UsageTokens(input_tokens=1))
    assert isinstance(holder.call, cohere.ToolCallV2) and holder.call.function.name == "f"
    dumped = json.loads(holder.model_dump_json())
    assert dumped == {"call": {"type": "function", "id": "c1", "function": {"name": "f"}}, "raw": {"input_tokens": 1.0}}


def test_a_wrong_type_inside_a_model_is_a_validation_error_naming_its_path_before_sending(mock: MockServer) -> None:
    bad = cohere.AssistantChatMessageV2(tool_calls=[cohere.ToolCallV2(id="c1", function=cohere.ToolCallV2Function(name=5))])
    sent = len(mock.requests)
    with pytest.raises(cohere.ValidationError, match=r"messages\[1\]\.tool_calls\[0\]\.function\.name"):
        cohere.ClientV2(api_key="k", base_url=mock.url).chat(model="m", messages=[MESSAGES[0], bad])
    assert len(mock.requests) == sent


def test_omit_means_not_given(mock: MockServer) -> None:
    cohere.ClientV2(api_key="k", base_url=mock.url).chat(model="command-a-03-2025", messages=MESSAGES, temperature=cohere.OMIT)
    assert "temperature" not in json.loads(mock.requests[-1].body)


def test_an_assistant_turn_with_null_content_and_tool_calls_is_sent(mock: MockServer) -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
    messages = [MESSAGES[0], {"role": "assistant", "content": None, "tool_calls": [call]}, {"role": "tool", "tool_call_id": "c1", "content": "sunny"}]
    reply = cohere.ClientV2(api_key="k", base_url=mock.url).chat(model="command-a-03-2025", messages=messages)
    assert "sunny" in reply.message.content[0].text


def test_streamed_tool_call_deltas_are_models(mock: MockServer) -> None:
    client = cohere.ClientV2(api_key="k", base_url=mock.url)
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
    events = list(client.chat_stream(model="command-a-03-2025", messages=[{"role": "user", "content": "use get_weather"}], tools=tools))
    starts = [event for event in events if event.type == "tool-call-start"]
    deltas = [event for event in events if event.type == "tool-call-delta"]
    assert starts and isinstance(starts[0].delta.message.tool_calls, cohere.ToolCallV2)
    assert starts[0].delta.message.tool_calls.function.name == "get_weather"
    assert all(isinstance(event.delta.message.tool_calls.function.arguments, str) for event in deltas)


def test_the_private_client_wrapper_integrations_read(mock: MockServer) -> None:
    httpx = pytest.importorskip("httpx")
    client = cohere.AsyncClientV2(api_key="k", base_url=mock.url)
    assert client._client_wrapper.get_base_url() == mock.url
    assert client._client_wrapper.get_headers()["Authorization"] == "Bearer k"

    async def run() -> str:
        async with httpx.AsyncClient() as own:
            client._client_wrapper.httpx_client.httpx_client = own  # pydantic-ai's way to bring its client
            assert client._client_wrapper.httpx_client.httpx_client is own
            return (await client.chat(model="command-a-03-2025", messages=MESSAGES)).id

    assert asyncio.run(run())


# -- recording HTTP ------------------------------------------------------------------------------


def test_a_stream_records_and_replays_with_vcrpy(tmp_path: Path, mock: MockServer) -> None:
    vcr = pytest.importorskip("vcr")
    cassette = str(tmp_path / "stream.yaml")
    with vcr.use_cassette(cassette):
        recorded = list(cohere.ClientV2(api_key="k", base_url=mock.url).chat_stream(model="command-a-03-2025", messages=MESSAGES))
    sent = len(mock.requests)
    with vcr.use_cassette(cassette, record_mode="none"):
        replayed = list(cohere.ClientV2(api_key="k", base_url=mock.url).chat_stream(model="command-a-03-2025", messages=MESSAGES))
    assert [event.type for event in replayed] == [event.type for event in recorded]
    assert len(mock.requests) == sent  # served from the cassette
