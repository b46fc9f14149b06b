"""Calls through the packaged spec, captured at the transport seam (no network)."""

from __future__ import annotations

import datetime as dt
import inspect
import io
import json
import re
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

import cohere_dyn
from cohere_dyn._transports._base import HttpRequest


class FakeResponse:
    def __init__(self, status: int = 200, body: bytes = b"{}", headers: dict[str, str] | None = None):
        self.status_code = status
        self._body = body
        self.headers = {"content-type": "application/json", **(headers or {})}

    def read(self) -> bytes:
        return self._body

    def iter_bytes(self) -> Any:
        yield self._body

    def close(self) -> None:
        pass


class RecordingTransport:
    """The transport seam: records each request, answers from a list (the last answer repeats)."""

    def __init__(self, *answers: FakeResponse):
        self.answers = list(answers) or [FakeResponse()]
        self.sent: list[tuple[HttpRequest, bool]] = []
        self.closed = False

    def send(self, request: HttpRequest, *, stream: bool = False) -> FakeResponse:
        self.sent.append((request, stream))
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def close(self) -> None:
        self.closed = True


def client_with(transport: RecordingTransport, **options: Any) -> cohere_dyn.Client:
    return cohere_dyn.Client(api_key="k", base_url="http://api.test", transport=transport, **options)


def parts(request: HttpRequest) -> list[tuple[str | None, str | None, str, bytes]]:
    message = BytesParser().parsebytes(
        f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode() + bytes(request.content or b"")
    )
    return [
        (
            part.get_param("name", header="content-disposition"),
            part.get_filename(),
            part.get_content_type(),
            part.get_payload(decode=True),
        )
        for part in message.get_payload()
    ]


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"a,b\n", ("data", "upload", "application/octet-stream", b"a,b\n")),
        (io.BytesIO(b"a,b\n"), ("data", "upload", "application/octet-stream", b"a,b\n")),
        (("rows.csv", b"a,b\n"), ("data", "rows.csv", "text/csv", b"a,b\n")),
        (("rows.bin", io.BytesIO(b"a,b\n"), "text/plain"), ("data", "rows.bin", "text/plain", b"a,b\n")),
    ],
)
def test_dataset_files_may_be_bytes_file_objects_or_tuples(data: Any, expected: tuple) -> None:
    transport = RecordingTransport()
    client_with(transport).datasets.create(name="d", type="embed-input", data=data)
    [(request, _)] = transport.sent
    assert parts(request) == [expected]
    assert request.url == "http://api.test/v1/datasets?name=d&type=embed-input"


def test_dataset_file_may_be_a_path_and_an_open_file(tmp_path: Path) -> None:
    file = tmp_path / "docs.jsonl"
    file.write_bytes(b'{"text": "x"}\n')
    transport = RecordingTransport()
    client = client_with(transport)
    client.datasets.create(name="d", type="embed-input", data=file, eval_data=str(file))
    with open(file, "rb") as handle:
        client.datasets.create(name="d", type="embed-input", data=handle)
    first, second = (parts(request) for request, _ in transport.sent)
    assert [p[:2] for p in first] == [("data", "docs.jsonl"), ("eval_data", "docs.jsonl")]
    assert (second[0][:2], second[0][3]) == (("data", "docs.jsonl"), b'{"text": "x"}\n')


def test_a_retried_upload_sends_the_same_bytes() -> None:
    transport = RecordingTransport(FakeResponse(503, b'{"message": "busy"}', {"retry-after": "0"}), FakeResponse())
    client_with(transport).datasets.create(name="d", type="embed-input", data=io.BytesIO(b"a,b\n"))
    first, second = (request for request, _ in transport.sent)
    assert first.content == second.content and first.url == second.url


def test_datetimes_go_out_as_iso_8601_with_z_for_utc() -> None:
    transport = RecordingTransport()
    client = client_with(transport)
    client.datasets.list(
        before=dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
        after=dt.datetime(2025, 1, 2, 3, 4, 5),  # naive: taken as UTC
    )
    [(request, _)] = transport.sent
    assert request.url.endswith("before=2025-01-02T03%3A04%3A05Z&after=2025-01-02T03%3A04%3A05Z")


def test_datetimes_in_a_body_are_iso_8601() -> None:
    transport = RecordingTransport()
    when = dt.datetime(2025, 5, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    client_with(transport).finetuning.create_finetuned_model(
        request={"name": "ft", "settings": {"base_model": {"base_type": "BASE_TYPE_CHAT"}, "dataset_id": "ds"}, "created_at": when}
    )
    [(request, _)] = transport.sent
    assert json.loads(request.content)["created_at"] == "2025-05-01T12:00:00+02:00"


def test_timeout_and_max_retries_reach_the_transport() -> None:
    transport = RecordingTransport(FakeResponse(500, b"{}"))
    client = client_with(transport, timeout=7, max_retries=0)
    with pytest.raises(cohere_dyn.InternalServerError):
        client.check_api_key()
    assert len(transport.sent) == 1
    assert transport.sent[0][0].timeout == cohere_dyn.Timeout(connect=7, read=7)
    with pytest.raises(cohere_dyn.InternalServerError):
        client.check_api_key(request_options={"timeout_in_seconds": 120, "max_retries": 1})
    assert len(transport.sent) == 3
    assert transport.sent[-1][0].timeout == cohere_dyn.Timeout(connect=10, read=120)


def test_default_timeout_connects_briefly_and_reads_long() -> None:
    transport = RecordingTransport()
    client_with(transport).check_api_key()
    timeout = transport.sent[0][0].timeout
    assert timeout.connect <= 10 < 60 <= timeout.read


def test_bodiless_post_sends_no_body_and_no_content_type() -> None:
    transport = RecordingTransport()
    client_with(transport).embed_jobs.cancel(id="job/1")
    [(request, _)] = transport.sent
    assert (request.method, request.url, request.content) == ("POST", "http://api.test/v1/embed-jobs/job%2F1/cancel", None)
    assert "Content-Type" not in request.headers


def test_chat_sends_stream_false_and_its_twin_stream_true() -> None:
    transport = RecordingTransport(FakeResponse(), FakeResponse(body=b"", headers={"content-type": "application/stream+json"}))
    client = client_with(transport)
    client.chat(message="hi")
    list(client.chat_stream(message="hi"))
    (plain, plain_stream), (twin, twin_stream) = transport.sent
    assert json.loads(plain.content) == {"message": "hi", "stream": False} and not plain_stream
    assert json.loads(twin.content) == {"message": "hi", "stream": True} and twin_stream


def test_v1_accepts_becomes_the_accepts_header() -> None:
    transport = RecordingTransport()
    client_with(transport).chat(message="hi", accepts="text/event-stream")
    assert transport.sent[0][0].headers["Accepts"] == "text/event-stream"
    assert "accepts" not in json.loads(transport.sent[0][0].content)


def test_close_closes_the_transport() -> None:
    transport = RecordingTransport()
    with client_with(transport) as client:
        client.check_api_key()
    assert transport.closed


def test_client_v2_has_v2_methods_at_the_top_and_keeps_the_groups() -> None:
    client = cohere_dyn.ClientV2(api_key="k")
    assert list(inspect.signature(client.chat).parameters)[:2] == ["model", "messages"]
    assert list(inspect.signature(cohere_dyn.Client(api_key="k").chat).parameters)[0] == "message"
    assert callable(client.datasets.create) and callable(client.v2.embed)


def test_every_method_has_the_sdk_keywords_and_request_options() -> None:
    client = cohere_dyn.Client(api_key="k")
    for operation in client._spec.operations:
        target: Any = client
        for part in operation.qualified_name.split("."):
            target = getattr(target, part)
        parameters = inspect.signature(target).parameters
        assert "request_options" in parameters
        assert target.__doc__.startswith(operation.summary)


INVITES_THE_FLAG = re.compile(r"`?stream`?\s*(=\s*True|(is\s+)?true)", re.IGNORECASE)


@pytest.mark.parametrize("client_class", [cohere_dyn.Client, cohere_dyn.ClientV2, cohere_dyn.AsyncClient, cohere_dyn.AsyncClientV2])
def test_a_method_with_a_stream_twin_names_the_twin_and_never_invites_its_flag(client_class: type) -> None:
    client = client_class(api_key="k")
    twinned = [operation for operation in client._spec.operations if operation.stream is not None and not operation.streaming]
    assert {operation.qualified_name for operation in twinned} >= {"chat", "generate", "v2.chat"}
    for operation in twinned:
        target: Any = client
        for part in operation.qualified_name.split("."):
            target = getattr(target, part)
        if target.operation.name != operation.name or target.operation.group != operation.group:
            continue  # ClientV2 puts v2.chat where v1's chat was: it is checked under its own name
        twin = ".".join(("client", *operation.group, operation.stream.method))
        assert f"`{twin}(...)`" in target.__doc__, operation.qualified_name
        assert not INVITES_THE_FLAG.search(target.__doc__), (operation.qualified_name, INVITES_THE_FLAG.search(target.__doc__))
        with pytest.raises(ValueError, match=operation.stream.method):
            target.validate(**{operation.stream.flag: True})  # the flag itself is refused, naming the twin


def test_sdk_payload_classes_are_derived_from_the_spec() -> None:
    assert cohere_dyn.UserChatMessageV2(content="hi") == {"role": "user", "content": "hi"}
    assert cohere_dyn.JsonObjectResponseFormatV2(json_schema={"type": "object"}) == {"type": "json_object", "json_schema": {"type": "object"}}
    assert cohere_dyn.ToolV2Function(name="f", parameters={}) == {"name": "f", "parameters": {}}
    assert cohere_dyn.UserChatMessageV2(contnet="hi").contnet == "hi"  # kept, as the SDK's models keep it
    with pytest.raises(AttributeError):
        cohere_dyn.NoSuchThingV9


@pytest.mark.parametrize("path", ["", "/no/such/file.csv", "\ud800", "a\x00b"])
def test_an_unreadable_file_path_is_a_validation_error_before_sending(path: str) -> None:
    transport = RecordingTransport()
    with pytest.raises(cohere_dyn.ValidationError, match="data: can't read the file"):
        client_with(transport).datasets.create(name="d", type="embed-input", data=path)
    assert transport.sent == []


def test_a_model_is_sent_as_exactly_the_bytes_of_its_dict() -> None:
    as_models, as_dicts = RecordingTransport(), RecordingTransport()
    call = cohere_dyn.ToolCallV2(id="c1", function=cohere_dyn.ToolCallV2Function(name="f", arguments="{}"))
    messages = [
        cohere_dyn.UserChatMessageV2(content=[cohere_dyn.TextContent(text="héllo")]),
        cohere_dyn.AssistantChatMessageV2(tool_plan="call f", tool_calls=[call]),
        cohere_dyn.ToolChatMessageV2(tool_call_id="c1", content="done"),
    ]
    client_with(as_models).v2.chat(model="m", messages=messages)
    client_with(as_dicts).v2.chat(model="m", messages=[message.to_dict() for message in messages])
    assert as_models.sent[0][0].content == as_dicts.sent[0][0].content
    assert json.loads(as_models.sent[0][0].content)["messages"][1]["tool_calls"][0]["function"]["name"] == "f"
