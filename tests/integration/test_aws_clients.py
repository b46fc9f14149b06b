"""The Bedrock and SageMaker clients against the mock's runtime routes (SigV4 checked by botocore)."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

import cohere_dyn
from cohere_dyn.mock import MockServer
from cohere_dyn.mock._aws import EXPIRED_SESSION_TOKEN, MOCK_ACCESS_KEY, MOCK_SECRET_KEY

pytest.importorskip("botocore")

BEDROCK_MODEL = "cohere.command-r-plus-v1:0"
ENDPOINT = "my-cohere-endpoint"
TOKEN = "session-token-0123456789-abcdef"
HI = [{"role": "user", "content": "hi"}]


@pytest.fixture(autouse=True)
def _no_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's AWS settings or asks a metadata service."""
    for name in (
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
        "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
        "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(delay=0) as server:
        yield server


def _client(kind: str, url: str, **options: Any) -> Any:
    settings = {"aws_access_key": MOCK_ACCESS_KEY, "aws_secret_key": MOCK_SECRET_KEY, "aws_region": "us-east-1"}
    return getattr(cohere_dyn, kind)(**{**settings, "base_url": url, **options})


def _last(mock: MockServer) -> Any:
    received = mock.requests[-1]
    assert not received.problems, received.problems
    return received


V1_CALLS = [
    ("chat", {"message": "hi"}, "chat"),
    ("chat_stream", {"message": "hi"}, "chat_stream"),
    ("generate", {"prompt": "hi"}, "generate"),
    ("generate_stream", {"prompt": "hi"}, "generate_stream"),
    ("embed", {"texts": ["a", "b"], "input_type": "search_document"}, "embed"),
]
V2_CALLS = [
    ("chat", {"messages": HI}, "v2.chat"),
    ("chat_stream", {"messages": HI}, "v2.chat_stream"),
    ("embed", {"texts": ["a"], "input_type": "search_query", "embedding_types": ["float"]}, "v2.embed"),
    ("rerank", {"query": "q", "documents": ["a", "b"]}, "v2.rerank"),
]


def _run(method: Any, kwargs: dict[str, Any]) -> Any:
    result = method(**kwargs)
    return list(result) if isinstance(result, cohere_dyn.Stream) else result


@pytest.mark.parametrize("kind, model", [("BedrockClient", BEDROCK_MODEL), ("SagemakerClient", ENDPOINT)])
@pytest.mark.parametrize("method, kwargs, operation", V1_CALLS, ids=[c[0] for c in V1_CALLS])
def test_v1_method_reaches_the_service_as_the_cohere_call_it_maps(mock: MockServer, kind: str, model: str, method: str, kwargs: dict, operation: str) -> None:
    result = _run(getattr(_client(kind, mock.url), method), {"model": model, **kwargs})
    assert result
    assert _last(mock).operation == operation


@pytest.mark.parametrize("kind, model", [("BedrockClientV2", BEDROCK_MODEL), ("SagemakerClientV2", ENDPOINT)])
@pytest.mark.parametrize("method, kwargs, operation", V2_CALLS, ids=[c[0] for c in V2_CALLS])
def test_v2_method_reaches_the_service_as_the_cohere_call_it_maps(mock: MockServer, kind: str, model: str, method: str, kwargs: dict, operation: str) -> None:
    result = _run(getattr(_client(kind, mock.url), method), {"model": model, **kwargs})
    assert result
    assert _last(mock).operation == operation


def test_sagemaker_v1_rerank_sends_api_version_1(mock: MockServer) -> None:
    result = _client("SagemakerClient", mock.url).rerank(model=ENDPOINT, query="q", documents=["a", "b"])
    assert [r.index for r in result.results]
    assert mock.requests[-1].json()["api_version"] == 1 and _last(mock).operation == "rerank"


def test_bedrock_v1_streams_give_the_events_and_the_final_text(mock: MockServer) -> None:
    stream = _client("BedrockClient", mock.url).chat_stream(model=BEDROCK_MODEL, message="hello there")
    events = list(stream)
    assert events[0].event_type == "stream-start" and events[-1].event_type == "stream-end"
    assert "hello there" in stream.final().text


def test_sagemaker_v1_streams_give_the_events_the_official_sdk_drops(mock: MockServer) -> None:
    stream = _client("SagemakerClient", mock.url).chat_stream(model=ENDPOINT, message="hello there")
    texts = [e.text for e in stream if e.event_type == "text-generation"]
    assert "hello there" in "".join(texts)


@pytest.mark.parametrize("kind, model", [("BedrockClientV2", BEDROCK_MODEL), ("SagemakerClientV2", ENDPOINT)])
def test_v2_streams_work_on_both_services(mock: MockServer, kind: str, model: str) -> None:
    stream = _client(kind, mock.url).chat_stream(model=model, messages=[{"role": "user", "content": "hello there"}])
    assert "hello there" in "".join(stream.text())
    assert stream.final().finish_reason == "COMPLETE"


def test_bedrock_token_count_headers_reach_v1_meta(mock: MockServer) -> None:
    reply = _client("BedrockClient", mock.url).chat(model=BEDROCK_MODEL, message="hello there")
    billed = reply.meta.billed_units
    assert (reply.meta.tokens.input_tokens, reply.meta.tokens.output_tokens) == (billed.input_tokens, billed.output_tokens)
    assert reply.meta.api_version is not None  # the rest of the model's meta is kept


def test_bedrock_token_count_headers_reach_v2_usage(mock: MockServer) -> None:
    from tests.capture import CaptureServer, Reply

    headers = {"Content-Type": "application/json", "X-Amzn-Bedrock-Input-Token-Count": "11", "X-Amzn-Bedrock-Output-Token-Count": "7"}
    body = b'{"id": "x", "finish_reason": "COMPLETE", "message": {"role": "assistant", "content": []}}'
    with CaptureServer(lambda request: Reply(body=body, headers=headers)) as server:
        reply = _client("BedrockClientV2", server.url).chat(model=BEDROCK_MODEL, messages=HI)
    assert reply.usage.tokens.to_dict() == {"input_tokens": 11, "output_tokens": 7}
    assert reply.usage.billed_units.to_dict() == {"input_tokens": 11, "output_tokens": 7}


def test_sagemaker_keeps_the_containers_own_meta() -> None:
    from tests.capture import CaptureServer, Reply

    body = b'{"text": "hi", "meta": {"api_version": {"version": "1"}, "billed_units": {"input_tokens": 3, "output_tokens": 4}}}'
    with CaptureServer(lambda request: Reply(body=body)) as server:
        reply = _client("SagemakerClient", server.url).chat(model=ENDPOINT, message="hi")
    assert reply.meta.billed_units.to_dict() == {"input_tokens": 3, "output_tokens": 4}
    assert reply.meta.tokens is None


def test_a_method_the_service_does_not_serve_raises_before_sending(mock: MockServer) -> None:
    before = len(mock.requests)
    client = _client("BedrockClient", mock.url)
    with pytest.raises(cohere_dyn.NotServedError, match="rerank: Amazon Bedrock doesn't serve it") as caught:
        client.rerank(model="cohere.rerank-v3-5:0", query="q", documents=["a"])
    assert isinstance(caught.value, NotImplementedError)  # as the official BedrockClient.rerank raises
    assert "its v2 twin is: client.v2.rerank(...), or the V2 client's rerank" in str(caught.value)
    with pytest.raises(cohere_dyn.NotServedError):
        client.datasets.list()
    assert len(mock.requests) == before


def test_a_missing_model_is_a_validation_error_before_sending(mock: MockServer) -> None:
    before = len(mock.requests)
    with pytest.raises(cohere_dyn.ValidationError, match="model: required: Amazon Bedrock names the model in the path"):
        _client("BedrockClient", mock.url).chat(message="hi")
    assert len(mock.requests) == before


def test_an_arn_model_stays_one_path_segment(mock: MockServer) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.cohere.command-r-plus-v1:0"
    _client("BedrockClientV2", mock.url).chat(model=arn, messages=HI)
    received = _last(mock)
    assert received.path == "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.cohere.command-r-plus-v1%3A0/invoke"


def test_the_endpoint_comes_from_the_service_variable_first(mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", mock.url)
    client = cohere_dyn.BedrockClient(aws_access_key=MOCK_ACCESS_KEY, aws_secret_key=MOCK_SECRET_KEY, aws_region="us-east-1")
    assert client.chat(model=BEDROCK_MODEL, message="hi").text


def test_the_endpoint_falls_back_to_aws_endpoint_url(mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", mock.url)
    client = cohere_dyn.SagemakerClient(aws_access_key=MOCK_ACCESS_KEY, aws_secret_key=MOCK_SECRET_KEY, aws_region="eu-west-1")
    assert client.chat(model=ENDPOINT, message="hi").text


def test_without_an_endpoint_the_region_names_the_aws_one() -> None:
    client = cohere_dyn.SagemakerClient(aws_access_key="AKIDX", aws_secret_key="secret-x", aws_region="eu-west-1")
    client._deployment._signer()
    assert client._deployment.endpoint == "https://runtime.sagemaker.eu-west-1.amazonaws.com"


def test_credentials_and_region_come_from_the_environment(mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", MOCK_ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", MOCK_SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")
    client = cohere_dyn.BedrockClient(base_url=mock.url)
    assert client.chat(model=BEDROCK_MODEL, message="hi").text
    received = _last(mock)
    assert received.headers["x-amz-security-token"] == TOKEN
    assert "/ap-southeast-2/bedrock/aws4_request" in received.headers["authorization"]


def test_credentials_come_from_a_shared_profile(mock: MockServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "aws-credentials").write_text(
        f"[cohere-test]\naws_access_key_id = {MOCK_ACCESS_KEY}\naws_secret_access_key = {MOCK_SECRET_KEY}\n"
    )
    (tmp_path / "aws-config").write_text("[profile cohere-test]\nregion = eu-central-1\n")
    monkeypatch.setenv("AWS_PROFILE", "cohere-test")
    client = cohere_dyn.SagemakerClientV2(base_url=mock.url)
    assert client.chat(model=ENDPOINT, messages=HI).message
    assert "/eu-central-1/sagemaker/aws4_request" in _last(mock).headers["authorization"]


def test_no_credentials_is_a_clear_error() -> None:
    client = cohere_dyn.BedrockClient(aws_region="us-east-1", base_url="http://127.0.0.1:9")
    with pytest.raises(cohere_dyn.CohereError, match="no AWS credentials: pass aws_access_key="):
        client.chat(model=BEDROCK_MODEL, message="hi")


def test_no_region_is_a_clear_error() -> None:
    client = cohere_dyn.BedrockClient(aws_access_key="AKIDX", aws_secret_key="secret-x", base_url="http://127.0.0.1:9")
    with pytest.raises(cohere_dyn.CohereError, match="no AWS region: pass aws_region="):
        client.chat(model=BEDROCK_MODEL, message="hi")


def test_without_botocore_the_client_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "botocore" else real(name, *a))
    with pytest.raises(cohere_dyn.CohereError, match=r"pip install 'cohere-dyn\[aws\]'"):
        cohere_dyn.BedrockClient(aws_region="us-east-1")


def test_a_wrong_secret_is_forbidden_and_the_echoed_token_never_reaches_us(mock: MockServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="cohere_dyn")
    secret = "a-wrong-secret-key-0123456789"
    client = _client("BedrockClient", mock.url, aws_secret_key=secret, aws_session_token=TOKEN)
    with pytest.raises(cohere_dyn.ForbiddenError, match="InvalidSignatureException") as caught:
        client.chat(model=BEDROCK_MODEL, message="hi")
    error = caught.value
    assert "Canonical String" in str(error)  # the service's message is kept...
    for text in (str(error), repr(error), repr(error.body), repr(error.headers), repr(error.args), repr(client), caplog.text):
        assert TOKEN not in text and secret not in text  # ...without the token or the secret


def test_expired_credentials_are_forbidden_without_the_token(mock: MockServer) -> None:
    client = _client("SagemakerClient", mock.url, aws_session_token=EXPIRED_SESSION_TOKEN)
    with pytest.raises(cohere_dyn.ForbiddenError, match="The security token included in the request is expired") as caught:
        client.chat(model=ENDPOINT, message="hi")
    assert caught.value.status_code == 403 and caught.value.error_type == "ExpiredTokenException"
    assert EXPIRED_SESSION_TOKEN not in repr(caught.value.__dict__) + str(caught.value)


def test_a_validation_error_of_the_model_is_a_bad_request(mock: MockServer) -> None:
    client = _client("BedrockClientV2", mock.url, validate=False)
    with pytest.raises(cohere_dyn.BadRequestError, match="ValidationException"):
        client.chat(model=BEDROCK_MODEL, messages=[{"role": "bot", "content": "hi"}])


def test_repr_names_region_and_endpoint_only() -> None:
    client = cohere_dyn.BedrockClient(aws_access_key="AKIDX", aws_secret_key="secret-key-xyz", aws_session_token=TOKEN, aws_region="us-east-1")
    assert repr(client) == "<cohere_dyn.BedrockClient region='us-east-1' endpoint=None>"
    assert "secret-key-xyz" not in repr(client._deployment)


@pytest.mark.parametrize("kind, model", [("AsyncBedrockClientV2", BEDROCK_MODEL), ("AsyncSagemakerClientV2", ENDPOINT)])
def test_async_twins_call_and_stream(mock: MockServer, kind: str, model: str) -> None:
    pytest.importorskip("httpx")

    async def tour() -> tuple[Any, list[Any], Any]:
        async with _client(kind, mock.url) as client:
            reply = await client.chat(model=model, messages=[{"role": "user", "content": "hello there"}])
            events = [event async for event in client.chat_stream(model=model, messages=HI)]
            embedded = await client.embed(model=model, texts=["a"], input_type="search_query", embedding_types=["float"])
            return reply, events, embedded

    reply, events, embedded = asyncio.run(tour())
    assert "hello there" in reply.message.content[0].text
    assert events[-1].type == "message-end"
    assert len(embedded.embeddings.float) == 1


def test_async_v1_sagemaker_stream_and_not_served(mock: MockServer) -> None:
    pytest.importorskip("httpx")

    async def tour() -> list[Any]:
        async with _client("AsyncBedrockClient", mock.url) as bedrock:
            with pytest.raises(cohere_dyn.NotServedError):
                await bedrock.rerank(model="m", query="q", documents=["a"])
        async with _client("AsyncSagemakerClient", mock.url) as client:
            return [event async for event in client.chat_stream(model=ENDPOINT, message="hi")]

    assert asyncio.run(tour())[-1].event_type == "stream-end"


@pytest.mark.parametrize("deployment", ["bedrock", "sagemaker"])
def test_the_demo_tours_a_deployment_on_the_mock(deployment: str, tmp_path: Path) -> None:
    env = {
        "PATH": "",
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "c"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "k"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "COHERE_DYN_CACHE_DIR": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "cohere_dyn", "demo", "--deployment", deployment], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "mock" in done.stdout and "Done." in done.stdout


def test_bedrock_embed_batches_like_the_cohere_client_and_adds_up_token_counts(mock: MockServer) -> None:
    before = len(mock.requests)
    texts = [f"text {n}" for n in range(200)]
    result = _client("BedrockClientV2", mock.url).embed(
        model="cohere.embed-v4:0", texts=texts, input_type="search_document", embedding_types=["float"]
    )
    sent = mock.requests[before:]
    assert len(result.embeddings.float) == 200 and len(sent) == 3
    assert all(not received.problems and received.operation == "v2.embed" for received in sent)
    one = _client("BedrockClientV2", mock.url).embed(
        model="cohere.embed-v4:0", texts=texts[:1], input_type="search_document", embedding_types=["float"]
    )
    assert result.meta.billed_units.input_tokens == 200 * one.meta.billed_units.input_tokens  # each batch's header, added


def test_additional_headers_are_signed_and_checked(mock: MockServer) -> None:
    client = _client("SagemakerClient", mock.url)
    client.chat(model=ENDPOINT, message="hi", request_options={"additional_headers": {"X-Amzn-SageMaker-Target-Model": "m.tar.gz"}})
    received = _last(mock)
    assert received.headers["x-amzn-sagemaker-target-model"] == "m.tar.gz"
    assert "x-amzn-sagemaker-target-model" in received.headers["authorization"]
    with pytest.raises(cohere_dyn.ValidationError, match="can't contain CR, LF or NUL"):
        client.chat(model=ENDPOINT, message="hi", request_options={"additional_headers": {"X-Bad": "a\r\nb"}})


def test_bedrock_and_sagemaker_clients_are_aws_clients_as_in_the_official_sdk() -> None:
    for name in ("BedrockClient", "BedrockClientV2", "SagemakerClient", "SagemakerClientV2"):
        client = getattr(cohere_dyn, name)(aws_access_key="AKID", aws_secret_key="secret", aws_region="us-east-1")
        assert isinstance(client, cohere_dyn.AwsClient)
        assert isinstance(client, cohere_dyn.AwsClientV2) == name.endswith("V2")
    assert isinstance(cohere_dyn.AsyncBedrockClientV2(aws_access_key="AKID", aws_secret_key="s", aws_region="r"), cohere_dyn.AsyncAwsClientV2)


def test_aws_client_takes_the_service_by_keyword() -> None:
    client = cohere_dyn.AwsClient(service="sagemaker", aws_access_key="AKID", aws_secret_key="secret", aws_region="eu-west-1")
    assert client._deployment.service.name == "sagemaker"
    with pytest.raises(TypeError, match="needs service='bedrock' or service='sagemaker'"):
        cohere_dyn.AwsClient(aws_region="eu-west-1")
    with pytest.raises(TypeError, match="BedrockClient is the bedrock client"):
        cohere_dyn.BedrockClient(service="sagemaker", aws_region="eu-west-1")
