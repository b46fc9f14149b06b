"""The AWS clients against a server that misbehaves: frames split anywhere, corrupt, cut; errors
mid-stream; throttling; expired credentials. Loopback only (tests/faults.py)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

import cohere_dyn
from cohere_dyn._call._retry import RetryPolicy
from cohere_dyn.mock._awsframes import bedrock_chunk, event_frame, exception_frame, frame, payload_part
from tests.faults import FaultServer, gated_stream, status, stream

pytest.importorskip("botocore")

EVENT_STREAM = "application/vnd.amazon.eventstream"
TOKEN = "fault-session-token-0123456789"
SECRET = "fault-secret-key-0123456789"
MODEL = "cohere.command-r-v1:0"
EVENTS = [{"event_type": "stream-start", "generation_id": "g"}] + [
    {"event_type": "text-generation", "text": f"piece {n} "} for n in range(60)
] + [{"event_type": "stream-end", "finish_reason": "COMPLETE"}]


class NoWait(RetryPolicy):
    def delay(self, attempt: int, headers: Any = None) -> float:
        super().delay(attempt, headers)
        return 0.0


def _client(kind: str, url: str, **options: Any) -> Any:
    client = getattr(cohere_dyn, kind)(
        aws_access_key="AKIDFAULT", aws_secret_key=SECRET, aws_session_token=TOKEN, aws_region="us-east-1", base_url=url, **options
    )
    if not kind.startswith("Async"):
        client._start().retry = NoWait()
    return client


def _aws_error(code: int, error_type: str, message: str) -> Any:
    return status(code, {"message": message}, {"x-amzn-ErrorType": f"{error_type}:http://internal.amazon.com/coral/"})


def _split_everywhere(frames: list[bytes]) -> list[bytes]:
    """The frames as HTTP chunks, frame n cut at byte n (mod its length): every offset, in one stream."""
    chunks = []
    for n, data in enumerate(frames):
        cut = n % len(data) or 1
        chunks += [data[:cut], data[cut:]]
    return chunks


def test_bedrock_frames_split_at_every_offset_give_every_event() -> None:
    frames = [bedrock_chunk(event) for event in EVENTS] * 3  # more frames than bytes in a frame
    assert len(frames) > max(len(f) for f in frames)
    with FaultServer([stream(_split_everywhere(frames), EVENT_STREAM)]) as server:
        events = list(_client("BedrockClient", server.url).chat_stream(model=MODEL, message="hi"))
    assert [e.to_dict() for e in events] == EVENTS * 3


def test_sagemaker_lines_cut_across_frames_at_every_offset_give_every_event() -> None:
    data = b"".join(__import__("json").dumps(event).encode() + b"\n" for event in EVENTS)
    parts = [payload_part(data[n : n + 7]) for n in range(0, len(data), 7)]  # lines cut every 7 bytes
    with FaultServer([stream(_split_everywhere(parts), EVENT_STREAM)]) as server:
        events = list(_client("SagemakerClient", server.url).chat_stream(model="endpoint", message="hi"))
    assert [e.to_dict() for e in events] == EVENTS


def test_an_event_reaches_the_caller_before_the_next_frame_is_sent() -> None:
    gate, seen = threading.Event(), []
    first, rest = bedrock_chunk(EVENTS[0]), [bedrock_chunk(EVENTS[-1])]
    with FaultServer([gated_stream(first, rest, gate, EVENT_STREAM, seen)]) as server:
        stream_ = _client("BedrockClient", server.url).chat_stream(model=MODEL, message="hi")
        assert next(stream_).event_type == "stream-start"
        gate.set()
        assert [e.event_type for e in stream_] == ["stream-end"]
    assert seen == [True]  # the first event came out while the server still held the second frame


def test_a_corrupt_frame_is_a_stream_error_with_the_events_before_it() -> None:
    bad = bytearray(bedrock_chunk(EVENTS[1]))
    bad[-6] ^= 0x20
    with FaultServer([stream([bedrock_chunk(EVENTS[0]), bytes(bad)], EVENT_STREAM)]) as server:
        chat = _client("BedrockClient", server.url).chat_stream(model=MODEL, message="hi")
        with pytest.raises(cohere_dyn.StreamError, match="corrupt event-stream frame") as caught:
            list(chat)
    assert [e.event_type for e in caught.value.events] == ["stream-start"]


@pytest.mark.parametrize(
    "exception_type, message",
    [("modelStreamErrorException", "The model stopped: out of memory"), ("throttlingException", "Too many tokens per minute")],
)
def test_an_exception_mid_stream_is_a_stream_error_with_the_services_message(exception_type: str, message: str) -> None:
    before = [{"type": "message-start", "id": "m1"}, {"type": "content-start", "index": 0}]
    frames = [bedrock_chunk(before[0]), bedrock_chunk(before[1]), exception_frame(exception_type, message)]
    with FaultServer([stream(frames, EVENT_STREAM)]) as server:
        client = _client("BedrockClientV2", server.url)
        with pytest.raises(cohere_dyn.StreamError) as caught:
            list(client.chat_stream(model=MODEL, messages=[{"role": "user", "content": "hi"}]))
    assert f"{exception_type} mid-stream: {message}" in str(caught.value)
    assert [e.to_dict() for e in caught.value.events] == before


DEEP = b'{"a":' * 100_000 + b"1" + b"}" * 100_000


def _deep_frames(kind: str) -> list[bytes]:
    if kind == "bedrock chunk":
        return [bedrock_chunk(EVENTS[0]), event_frame("chunk", b'{"bytes": "' + __import__("base64").b64encode(DEEP) + b'"}')]
    if kind == "sagemaker line":
        return [payload_part(__import__("json").dumps(EVENTS[0]).encode() + b"\n" + DEEP + b"\n")]
    headers = {":exception-type": "modelStreamErrorException", ":content-type": "application/json", ":message-type": "exception"}
    return [bedrock_chunk(EVENTS[0]), frame(headers, DEEP)]


@pytest.mark.parametrize("kind", ["bedrock chunk", "sagemaker line", "exception frame"])
def test_deeply_nested_json_in_a_frame_is_a_stream_error(kind: str) -> None:
    client_class = "SagemakerClient" if kind.startswith("sagemaker") else "BedrockClient"
    with FaultServer([stream(_deep_frames(kind), EVENT_STREAM)]) as server:
        chat = _client(client_class, server.url).chat_stream(model=MODEL, message="hi")
        with pytest.raises(cohere_dyn.StreamError) as caught:
            list(chat)
    assert [e.event_type for e in caught.value.events] == ["stream-start"]


def test_a_connection_cut_inside_a_frame_is_a_stream_error() -> None:
    whole = bedrock_chunk(EVENTS[1])
    with FaultServer([stream([bedrock_chunk(EVENTS[0]), whole[:20]], EVENT_STREAM, cut=True)]) as server:
        chat = _client("BedrockClient", server.url).chat_stream(model=MODEL, message="hi")
        with pytest.raises(cohere_dyn.StreamError) as caught:
            list(chat)
    assert len(caught.value.events) == 1


def test_a_stream_ending_inside_a_frame_is_a_stream_error() -> None:
    whole = bedrock_chunk(EVENTS[1])
    with FaultServer([stream([bedrock_chunk(EVENTS[0]), whole[:20]], EVENT_STREAM)]) as server:
        chat = _client("BedrockClient", server.url).chat_stream(model=MODEL, message="hi")
        with pytest.raises(cohere_dyn.StreamError, match="middle of an event-stream frame"):
            list(chat)


def test_throttling_is_retried_and_each_attempt_signed_afresh() -> None:
    script = [_aws_error(429, "ThrottlingException", "Rate exceeded"), status(200, {"text": "hi"})]
    with FaultServer(script) as server:
        reply = _client("BedrockClient", server.url).chat(model=MODEL, message="hi")
    assert reply.text == "hi"
    assert len(server.requests) == 2
    assert all((r.header("Authorization") or "").startswith("AWS4-HMAC-SHA256 ") for r in server.requests)
    assert server.requests[0].body == server.requests[1].body


def test_throttling_past_the_retries_is_too_many_requests_with_the_message() -> None:
    with FaultServer([], after=_aws_error(429, "ThrottlingException", "Rate exceeded")) as server:
        with pytest.raises(cohere_dyn.TooManyRequestsError, match=r"status 429: Rate exceeded \(ThrottlingException\)"):
            _client("BedrockClient", server.url, max_retries=1).chat(model=MODEL, message="hi")
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "code, error_type, error",
    [
        (400, "ValidationException", cohere_dyn.BadRequestError),
        (403, "AccessDeniedException", cohere_dyn.ForbiddenError),
        (429, "ModelNotReadyException", cohere_dyn.ServiceUnavailableError),
        (503, "ServiceUnavailableException", cohere_dyn.ServiceUnavailableError),
        (404, "ResourceNotFoundException", cohere_dyn.NotFoundError),
    ],
)
def test_aws_error_types_map_onto_the_api_errors(code: int, error_type: str, error: type) -> None:
    with FaultServer([], after=_aws_error(code, error_type, "the service's own words")) as server:
        with pytest.raises(error, match="the service's own words") as caught:
            _client("SagemakerClient", server.url, max_retries=0).chat(model="endpoint", message="hi")
    assert caught.value.status_code == code and caught.value.error_type == error_type


def test_a_sagemaker_error_message_spelt_with_a_capital_is_kept() -> None:
    body = {"Message": "Received client error (424) from model", "ErrorCode": "CLIENT_ERROR_FROM_MODEL"}
    with FaultServer([], after=status(424, body, {"x-amzn-ErrorType": "ModelError:http://internal.amazon.com/"})) as server:
        with pytest.raises(cohere_dyn.ApiError, match=r"status 424: Received client error \(424\) from model \(ModelError\)"):
            _client("SagemakerClient", server.url).chat(model="endpoint", message="hi")


def test_expired_credentials_echoed_back_never_reach_the_error() -> None:
    echoed = {"message": f"The security token included in the request is expired: {TOKEN} (secret {SECRET})"}
    headers = {"x-amzn-ErrorType": "ExpiredTokenException:http://internal.amazon.com/", "x-echo": TOKEN}
    with FaultServer([], after=status(403, echoed, headers)) as server:
        with pytest.raises(cohere_dyn.ForbiddenError) as caught:
            _client("BedrockClient", server.url).chat(model=MODEL, message="hi")
    assert "expired" in str(caught.value)
    everything = " ".join([str(caught.value), repr(caught.value), repr(caught.value.body), repr(caught.value.headers)])
    assert TOKEN not in everything and SECRET not in everything


def test_async_mid_stream_exception_is_a_stream_error() -> None:
    pytest.importorskip("httpx")
    frames = [bedrock_chunk(EVENTS[0]), exception_frame("modelStreamErrorException", "broken")]

    async def read(url: str) -> None:
        async with _client("AsyncBedrockClient", url) as client:
            async for _ in client.chat_stream(model=MODEL, message="hi"):
                pass

    with FaultServer([stream(frames, EVENT_STREAM)]) as server:
        with pytest.raises(cohere_dyn.StreamError, match="modelStreamErrorException mid-stream: broken") as caught:
            asyncio.run(read(server.url))
    assert len(caught.value.events) == 1


def test_async_throttling_is_retried() -> None:
    pytest.importorskip("httpx")

    async def call(url: str) -> Any:
        async with _client("AsyncSagemakerClient", url) as client:
            client._start().retry = NoWait()
            return await client.chat(model="endpoint", message="hi")

    script = [_aws_error(429, "ThrottlingException", "slow down"), status(200, {"text": "ok"})]
    with FaultServer(script) as server:
        assert asyncio.run(call(server.url)).text == "ok"
    assert len(server.requests) == 2
