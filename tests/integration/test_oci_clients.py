"""The OCI clients through the mock's OCI routes (signatures checked) and a loopback capture server.

What cohere_dyn's OCI clients do beyond the official SDK's recorded calls (test_oci_wire_replay):
credentials from the OCI config file, clear errors before anything is sent, secrets kept out of
errors and reprs, retries signed afresh, OCI's errors, and streams that end as Cohere's do.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest

import cohere_dyn
from cohere_dyn.mock import oci_test_credentials, serve
from tests.capture import Captured, CaptureServer, Reply
from tests.oci_keys import COMPARTMENT, FINGERPRINT, TENANCY, USER, client_kwargs, make_key, signature_problem

V2_MESSAGES = [{"role": "user", "content": "Hello there"}]


@pytest.fixture(scope="module")
def mock_url() -> Any:
    with serve(delay=0) as url:
        yield url


@pytest.fixture(scope="module")
def credentials(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return oci_test_credentials(tmp_path_factory.mktemp("mock-key"))


@pytest.fixture()
def key(tmp_path: Path) -> tuple[Path, Any]:
    return make_key(tmp_path)


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config"
    path.write_text(text)
    return path


# --- through the mock: signed, checked, answered as OCI answers ---------------------------------


def test_v2_chat_through_the_mock_reads_as_coheres_answer(mock_url: str, credentials: dict[str, str]) -> None:
    client = cohere_dyn.OciClientV2(base_url=mock_url, **credentials)
    reply = client.chat(model="command-a-03-2025", messages=V2_MESSAGES)
    assert reply.message.role == "assistant"
    assert "Hello there" in reply.message.content[0].text
    assert reply.usage.tokens.input_tokens == 2 and reply.usage.billed_units.output_tokens > 0


def test_v1_chat_stream_through_the_mock_yields_its_text_once_and_ends_with_the_whole_response(mock_url: str, credentials: dict[str, str]) -> None:
    client = cohere_dyn.OciClient(base_url=mock_url, **credentials)
    events = list(client.chat_stream(model="command-r-08-2024", message="Tell me a story"))
    texts = [event.text for event in events if event.event_type == "text-generation"]
    end = events[-1]
    assert events[0].event_type == "stream-start" and end.event_type == "stream-end"
    assert end.response.text == "".join(texts)
    assert end.response.meta.tokens.input_tokens == 4  # OCI's promptTokens, from its usage event


def test_v2_chat_stream_through_the_mock_ends_with_message_end_and_usage(mock_url: str, credentials: dict[str, str]) -> None:
    client = cohere_dyn.OciClientV2(base_url=mock_url, **credentials)
    with client.chat_stream(model="command-a-03-2025", messages=V2_MESSAGES) as stream:
        text = "".join(stream.text())
        final = stream.final()
    types = [event.type for event in stream.events]
    assert types[:2] == ["message-start", "content-start"] and types[-2:] == ["content-end", "message-end"]
    assert final.message.content[0].text == text
    assert final.usage.tokens.input_tokens == 2


def test_v2_tool_call_through_the_mock_reads_as_a_cohere_tool_call(mock_url: str, credentials: dict[str, str]) -> None:
    client = cohere_dyn.OciClientV2(base_url=mock_url, **credentials)
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}}}
    reply = client.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "weather?"}], tools=[tool], strict_tools=True, tool_choice="REQUIRED")
    assert reply.finish_reason == "TOOL_CALL"
    assert reply.message.tool_calls[0].function.name == "get_weather" and reply.message.tool_calls[0].type == "function"


def test_v1_embed_with_types_through_the_mock_gives_embeddings_by_type(mock_url: str, credentials: dict[str, str]) -> None:
    client = cohere_dyn.OciClient(base_url=mock_url, **credentials)
    answer = client.embed(model="embed-english-v3.0", texts=["a", "b"], input_type="search_document", embedding_types=["float", "int8"])
    assert answer.response_type == "embeddings_by_type"
    assert set(answer.embeddings.to_dict()) == {"float", "int8"} and len(answer.embeddings.float) == 2


def test_async_v2_client_chats_and_streams_through_the_mock(mock_url: str, credentials: dict[str, str]) -> None:
    async def run() -> tuple[Any, list[Any]]:
        async with cohere_dyn.AsyncOciClientV2(base_url=mock_url, **credentials) as client:
            reply = await client.chat(model="command-a-03-2025", messages=V2_MESSAGES)
            events = [event async for event in client.chat_stream(model="command-a-03-2025", messages=V2_MESSAGES)]
            return reply, events

    reply, events = asyncio.run(run())
    assert "Hello there" in reply.message.content[0].text
    assert events[-1].type == "message-end" and events[-1].delta.usage.tokens.input_tokens == 2


def test_a_key_the_service_does_not_know_is_answered_401_with_ocis_code(mock_url: str, key: tuple[Path, Any]) -> None:
    client = cohere_dyn.OciClientV2(**client_kwargs(key[0], base_url=mock_url))
    with pytest.raises(cohere_dyn.UnauthorizedError, match="NotAuthenticated; opc-request-id") as caught:
        client.chat(model="command-a-03-2025", messages=V2_MESSAGES)
    assert caught.value.error_type == "NotAuthenticated"  # type: ignore[attr-defined]


# --- refused before anything is sent -------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "path"),
    [
        ('co.v2.chat(model="m", messages=[{"role": "user", "content": "x"}], citation_options={"mode": "ENABLED"})', "citation_options.mode"),
        pytest.param('co.v2.chat(model="m", messages=[{"role": "user", "content": "x"}], return_prompt=True)', "return_prompt", marks=pytest.mark.filterwarnings("ignore::DeprecationWarning")),
        ('co.chat(model="m", message="x", connectors=[{"id": "web-search"}])', "connectors"),
        ('co.chat(model="m", message="x", conversation_id="c1")', "conversation_id"),
        ('co.chat(model="m", message="x", prompt_truncation="AUTO")', "prompt_truncation"),
        ('co.chat(model="m", message="x", citation_quality="OFF")', "citation_quality"),
        ('co.v2.embed(model="m", texts=["a"], input_type="search_query", priority=1)', "priority"),
        ('co.embed(model="m", texts=["a"], images=["data:image/png;base64,AAAA"], input_type="image")', "images"),
    ],
)
def test_a_field_or_value_oci_does_not_define_is_refused_naming_it_and_nothing_is_sent(call: str, path: str, key: tuple[Path, Any]) -> None:
    with CaptureServer() as server:
        co = cohere_dyn.OciClient(**client_kwargs(key[0], base_url=server.url))
        with pytest.raises(cohere_dyn.ValidationError) as caught:
            eval(call, {"co": co})
    assert server.requests == []
    assert caught.value.problems[0].path == path
    assert "OCI" in str(caught.value)


def test_an_operation_oci_does_not_serve_is_refused_naming_the_deployment(key: tuple[Path, Any]) -> None:
    with CaptureServer() as server:
        co = cohere_dyn.OciClientV2(**client_kwargs(key[0], base_url=server.url))
        with pytest.raises(cohere_dyn.NotServedError, match="OCI Generative AI doesn't serve it"):
            co.models.list()
        with pytest.raises(NotImplementedError):
            co.tokenize(model="command-a-03-2025", text="hi")
    assert server.requests == []


def test_a_missing_compartment_id_is_refused_when_the_client_is_made(key: tuple[Path, Any]) -> None:
    kwargs = client_kwargs(key[0])
    del kwargs["oci_compartment_id"]
    with pytest.raises(ValueError, match="oci_compartment_id is required"):
        cohere_dyn.OciClientV2(**kwargs)


def test_an_unreadable_key_file_is_refused_when_the_client_is_made(tmp_path: Path) -> None:
    with pytest.raises(cohere_dyn.CohereError, match=r"private key file .*missing\.pem can't be read"):
        cohere_dyn.OciClient(**client_kwargs(tmp_path / "missing.pem"))


def test_a_file_that_is_no_private_key_is_refused_without_quoting_it(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\nTOTALLYSECRETBYTES\n-----END PRIVATE KEY-----\n")
    with pytest.raises(cohere_dyn.CohereError, match="is not a PEM private key") as caught:
        cohere_dyn.OciClient(**client_kwargs(path))
    assert "TOTALLYSECRETBYTES" not in str(caught.value)


def test_a_profile_missing_from_the_config_is_refused_naming_the_profiles(tmp_path: Path, key: tuple[Path, Any]) -> None:
    config = _config(tmp_path, f"[DEFAULT]\nuser={USER}\nfingerprint={FINGERPRINT}\ntenancy={TENANCY}\nkey_file={key[0]}\nregion=us-ashburn-1\n[PROD]\nregion=eu-frankfurt-1\n")
    with pytest.raises(cohere_dyn.CohereError, match=r"no profile \[STAGING\] \(profiles: DEFAULT, PROD\)"):
        cohere_dyn.OciClient(oci_config_path=str(config), oci_profile="STAGING", oci_compartment_id=COMPARTMENT)


def test_a_missing_config_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(cohere_dyn.CohereError, match="no OCI config file at .*nowhere"):
        cohere_dyn.OciClient(oci_config_path=str(tmp_path / "nowhere"), oci_compartment_id=COMPARTMENT)


def test_a_bad_auth_type_is_refused() -> None:
    with pytest.raises(ValueError, match="auth_type must be one of api_key, instance_principal, resource_principal"):
        cohere_dyn.OciClient(auth_type="password", oci_compartment_id=COMPARTMENT)


def test_credentials_given_in_part_are_refused_naming_what_is_missing(key: tuple[Path, Any]) -> None:
    with pytest.raises(ValueError, match="need oci_fingerprint, oci_tenancy_id too"):
        cohere_dyn.OciClient(oci_user_id=USER, oci_private_key_path=str(key[0]), oci_region="r", oci_compartment_id=COMPARTMENT)


def test_no_region_anywhere_is_refused(key: tuple[Path, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OCI_REGION", raising=False)
    kwargs = client_kwargs(key[0])
    del kwargs["oci_region"]
    with pytest.raises(ValueError, match="no OCI region"):
        cohere_dyn.OciClient(**kwargs)


# --- the config file, as OCI's tools read it -----------------------------------------------------


def test_a_profile_inherits_from_default_and_signs_with_its_key(tmp_path: Path, key: tuple[Path, Any]) -> None:
    config = _config(tmp_path, f"[DEFAULT]\nuser={USER}\nfingerprint={FINGERPRINT}\nkey_file={key[0]}\n\n[CHICAGO]\ntenancy={TENANCY}\nregion=us-chicago-1\n")
    with CaptureServer() as server:
        client = cohere_dyn.OciClientV2(oci_config_path=str(config), oci_profile="CHICAGO", oci_compartment_id=COMPARTMENT, base_url=server.url)
        client.embed(model="embed-v4.0", texts=["a"], input_type="search_query")
    [captured] = server.requests
    assert signature_problem("POST", captured.path, captured.headers, captured.body, key[1]) is None
    assert client._deployment.region == "us-chicago-1"


def test_the_region_from_the_profile_makes_the_endpoint(tmp_path: Path, key: tuple[Path, Any]) -> None:
    config = _config(tmp_path, f"[DEFAULT]\nuser={USER}\nfingerprint={FINGERPRINT}\ntenancy={TENANCY}\nkey_file={key[0]}\nregion=eu-frankfurt-1\n")
    client = cohere_dyn.OciClient(oci_config_path=str(config), oci_compartment_id=COMPARTMENT)
    assert client._deployment.endpoint == "https://inference.generativeai.eu-frankfurt-1.oci.oraclecloud.com"


def test_an_encrypted_key_is_read_with_the_profiles_pass_phrase(tmp_path: Path) -> None:
    path, public = make_key(tmp_path, pass_phrase="correct horse")
    config = _config(tmp_path, f"[DEFAULT]\nuser={USER}\nfingerprint={FINGERPRINT}\ntenancy={TENANCY}\nkey_file={path}\npass_phrase=correct horse\nregion=r\n")
    with CaptureServer() as server:
        client = cohere_dyn.OciClient(oci_config_path=str(config), oci_compartment_id=COMPARTMENT, base_url=server.url)
        client.embed(model="embed-english-v3.0", texts=["a"], input_type="search_query")
    [captured] = server.requests
    assert signature_problem("POST", captured.path, captured.headers, captured.body, public) is None


def test_a_wrong_pass_phrase_is_refused_and_never_shown(tmp_path: Path) -> None:
    path, _ = make_key(tmp_path, pass_phrase="correct horse")
    config = _config(tmp_path, f"[DEFAULT]\nuser={USER}\nfingerprint={FINGERPRINT}\ntenancy={TENANCY}\nkey_file={path}\npass_phrase=battery staple\nregion=r\n")
    with pytest.raises(cohere_dyn.CohereError, match="can't be read") as caught:
        cohere_dyn.OciClient(oci_config_path=str(config), oci_compartment_id=COMPARTMENT)
    assert "battery staple" not in str(caught.value) and "correct horse" not in str(caught.value)


def test_a_session_profile_signs_with_its_token_read_afresh(tmp_path: Path, key: tuple[Path, Any]) -> None:
    token = tmp_path / "token"
    token.write_text("first-token\n")
    config = _config(tmp_path, f"[DEFAULT]\nkey_file={key[0]}\nsecurity_token_file={token}\nregion=r\n")
    with CaptureServer() as server:
        client = cohere_dyn.OciClient(oci_config_path=str(config), oci_compartment_id=COMPARTMENT, base_url=server.url)
        client.embed(model="embed-english-v3.0", texts=["a"], input_type="search_query")
        token.write_text("refreshed-token\n")
        client.embed(model="embed-english-v3.0", texts=["b"], input_type="search_query")
    first, second = (captured.header("Authorization") or "" for captured in server.requests)
    assert 'keyId="ST$first-token"' in first and 'keyId="ST$refreshed-token"' in second


def test_key_content_may_be_given_instead_of_a_file(key: tuple[Path, Any]) -> None:
    kwargs = client_kwargs(key[0])
    del kwargs["oci_private_key_path"]
    with CaptureServer() as server:
        client = cohere_dyn.OciClientV2(oci_private_key_content=key[0].read_text(), base_url=server.url, **kwargs)
        client.embed(model="embed-v4.0", texts=["a"], input_type="search_query")
    [captured] = server.requests
    assert signature_problem("POST", captured.path, captured.headers, captured.body, key[1]) is None


# --- secrets ------------------------------------------------------------------------------------


def test_the_private_key_and_pass_phrase_never_appear_in_reprs_errors_or_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path, _ = make_key(tmp_path, pass_phrase="s3cret-pass-phrase")
    pem = path.read_text()
    body_line = pem.splitlines()[1]
    config = _config(tmp_path, f"[DEFAULT]\nuser={USER}\nfingerprint={FINGERPRINT}\ntenancy={TENANCY}\nkey_file={path}\npass_phrase=s3cret-pass-phrase\nregion=r\n")
    caplog.set_level(logging.DEBUG)

    def echo(request: Captured) -> Reply:  # a server that echoes everything it was sent, headers too
        return Reply(status=500, body=json.dumps({"code": "InternalServerError", "message": json.dumps(request.headers)}).encode())

    with CaptureServer(echo) as server:
        client = cohere_dyn.OciClientV2(oci_config_path=str(config), oci_compartment_id=COMPARTMENT, base_url=server.url, max_retries=1)
        with pytest.raises(cohere_dyn.InternalServerError) as caught:
            client.chat(model="command-a-03-2025", messages=V2_MESSAGES)
    seen = [repr(client), repr(client._deployment), repr(client._deployment.credentials), repr(client._deployment.credentials.signer()), str(caught.value), repr(caught.value.body), caplog.text]
    for text in seen:
        assert "s3cret-pass-phrase" not in text
        assert body_line not in text and "PRIVATE KEY" not in text


# --- retries, errors, streams -------------------------------------------------------------------


def test_each_retry_is_signed_afresh_over_the_same_bytes(key: tuple[Path, Any]) -> None:
    answers = iter([Reply(status=503, body=b'{"code": "ServiceUnavailable", "message": "busy"}', headers={"Content-Type": "application/json", "Retry-After": "0"}), Reply()])
    with CaptureServer(lambda request: next(answers)) as server:
        client = cohere_dyn.OciClientV2(**client_kwargs(key[0], base_url=server.url))
        client.embed(model="embed-v4.0", texts=["a"], input_type="search_query")
    first, second = server.requests
    assert first.body == second.body
    for captured in (first, second):
        assert signature_problem("POST", captured.path, captured.headers, captured.body, key[1]) is None


def test_an_oci_error_keeps_its_code_message_and_request_id(key: tuple[Path, Any]) -> None:
    def refuse(request: Captured) -> Reply:
        body = json.dumps({"code": "InvalidParameter", "message": "Model cohere.nope does not exist"}).encode()
        return Reply(status=400, body=body, headers={"Content-Type": "application/json", "opc-request-id": "ABC123"})

    with CaptureServer(refuse) as server:
        client = cohere_dyn.OciClientV2(**client_kwargs(key[0], base_url=server.url))
        with pytest.raises(cohere_dyn.BadRequestError, match=r"Model cohere.nope does not exist \(InvalidParameter; opc-request-id ABC123\)"):
            client.chat(model="nope", messages=V2_MESSAGES)


def _sse(*events: Any) -> bytes:
    return b"".join(b"data: " + (e if isinstance(e, bytes) else json.dumps(e).encode()) + b"\n\n" for e in events)


def _events(key: tuple[Path, Any], body: bytes, v2: bool = True, cut: bool = False) -> list[Any]:
    with CaptureServer(lambda request: Reply(body=body, headers={"Content-Type": "text/event-stream"}, cut=cut)) as server:
        if v2:
            client = cohere_dyn.OciClientV2(**client_kwargs(key[0], base_url=server.url))
            return list(client.chat_stream(model="command-a-03-2025", messages=V2_MESSAGES))
        client = cohere_dyn.OciClient(**client_kwargs(key[0], base_url=server.url))
        return list(client.chat_stream(model="command-r-08-2024", message="hi"))


def test_a_stream_cut_before_ocis_last_event_raises_with_the_events_so_far(key: tuple[Path, Any]) -> None:
    body = _sse({"apiFormat": "COHEREV2", "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": "Hel"}]}})
    with pytest.raises(cohere_dyn.StreamError, match="ended before its last event") as caught:
        _events(key, body)
    assert [event.type for event in caught.value.events] == ["message-start", "content-start", "content-delta"]


def test_an_error_message_mid_stream_raises_stream_error(key: tuple[Path, Any]) -> None:
    body = _sse({"apiFormat": "COHERE", "text": "Hi"}, {"apiFormat": "COHERE", "errorMessage": "model overloaded", "finishReason": "ERROR"})
    with pytest.raises(cohere_dyn.StreamError, match="reported an error mid-stream: model overloaded"):
        _events(key, body, v2=False)


def test_v1_last_event_text_beyond_what_was_streamed_is_sent_on_once(key: tuple[Path, Any]) -> None:
    body = _sse({"apiFormat": "COHERE", "text": "Hello"}, {"apiFormat": "COHERE", "text": "Hello world", "finishReason": "COMPLETE"})
    events = _events(key, body, v2=False)
    assert [e.text for e in events if e.event_type == "text-generation"] == ["Hello", " world"]
    assert events[-1].response.text == "Hello world" and events[-1].finish_reason == "COMPLETE"


def test_v1_tool_calls_only_in_the_last_event_are_yielded(key: tuple[Path, Any]) -> None:
    body = _sse({"apiFormat": "COHERE", "text": "", "toolCalls": [{"name": "w", "parameters": {"c": 1}}], "finishReason": "COMPLETE"}, b"[DONE]")
    events = _events(key, body, v2=False)
    assert [e.event_type for e in events] == ["stream-start", "tool-calls-generation", "stream-end"]
    assert events[-1].response.tool_calls[0].parameters == {"c": 1}


def test_v2_thinking_then_text_become_two_content_blocks(key: tuple[Path, Any]) -> None:
    def piece(kind: str, text: str) -> dict[str, Any]:
        return {"apiFormat": "COHEREV2", "message": {"role": "ASSISTANT", "content": [{"type": kind, kind.lower(): text}]}}

    body = _sse(piece("THINKING", "Let me"), piece("THINKING", " think."), piece("TEXT", "Done"), {"apiFormat": "COHEREV2", "finishReason": "COMPLETE"})
    events = _events(key, body)
    assert [(e.type, e.get("index")) for e in events] == [
        ("message-start", None), ("content-start", 0), ("content-delta", 0), ("content-delta", 0), ("content-end", 0),
        ("content-start", 1), ("content-delta", 1), ("content-end", 1), ("message-end", None),
    ]
    assert events[1].delta.message.content.type == "thinking" and events[2].delta.message.content.thinking == "Let me"


def test_v2_tool_calls_stream_as_tool_call_blocks(key: tuple[Path, Any]) -> None:
    call = {"id": "c1", "type": "FUNCTION", "function": {"name": "w", "arguments": "{}"}}
    body = _sse(
        {"apiFormat": "COHEREV2", "message": {"role": "ASSISTANT", "toolPlan": "I will call w."}},
        {"apiFormat": "COHEREV2", "message": {"role": "ASSISTANT", "toolCalls": [call]}},
        {"apiFormat": "COHEREV2", "message": {"role": "ASSISTANT", "toolCalls": [call]}, "finishReason": "TOOL_CALL"},
        {"apiFormat": "COHEREV2", "usage": {"promptTokens": 3, "completionTokens": 4, "totalTokens": 7}},
    )
    events = _events(key, body)
    assert [e.type for e in events] == ["message-start", "tool-plan-delta", "tool-call-start", "tool-call-end", "message-end"]
    assert events[2].delta.message.tool_calls.to_dict() == {"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}}
    assert events[-1].delta.to_dict() == {"finish_reason": "TOOL_CALL", "usage": {"billed_units": {"input_tokens": 3, "output_tokens": 4}, "tokens": {"input_tokens": 3, "output_tokens": 4}}}


def test_a_dedicated_endpoint_ocid_is_served_as_dedicated(key: tuple[Path, Any]) -> None:
    with CaptureServer() as server:
        client = cohere_dyn.OciClientV2(**client_kwargs(key[0], base_url=server.url))
        client.embed(model="ocid1.generativeaiendpoint.oc1.us-chicago-1.abc", texts=["a"], input_type="search_query")
    assert server.requests[0].json()["servingMode"] == {"servingType": "DEDICATED", "endpointId": "ocid1.generativeaiendpoint.oc1.us-chicago-1.abc"}


def test_batched_embed_sends_each_batch_to_oci_and_merges_the_answers(mock_url: str, credentials: dict[str, str]) -> None:
    client = cohere_dyn.OciClientV2(base_url=mock_url, **credentials)
    answer = client.embed(model="embed-v4.0", texts=[f"text {i}" for i in range(5)], input_type="search_document", embedding_types=["float"], batch_size=2)
    assert len(answer.embeddings.float) == 5


@pytest.mark.parametrize("region", ["us-chicago-1.evil.test/x", "us-chicago-1#", "us chicago 1"])
def test_a_region_that_would_change_the_host_is_refused_before_anything_is_sent(key: tuple[Path, Any], region: str) -> None:
    with pytest.raises(ValueError, match="region"):
        cohere_dyn.OciClientV2(**client_kwargs(key[0], oci_region=region))


@pytest.mark.parametrize("url", ["https://user:hunter2@oci.test", "https://oci.test/v1?x=1", "https://oci.test\r\n"])
def test_a_base_url_that_would_be_sent_mangled_is_refused(key: tuple[Path, Any], url: str) -> None:
    with pytest.raises(ValueError, match="base_url") as caught:
        cohere_dyn.OciClientV2(**client_kwargs(key[0], base_url=url))
    assert "hunter2" not in str(caught.value)
