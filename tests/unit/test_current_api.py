"""The API of 2026-08-20 as the packaged spec gives it: new keywords, new methods, uploads,
path parameters, and the deprecated keywords older code still sends (with a warning)."""

from __future__ import annotations

import io
import json
import warnings
import wave
from pathlib import Path
from typing import Any

import pytest

import cohere_dyn
from tests.unit.test_calls_on_the_real_spec import RecordingTransport, client_with, parts


def _sent_json(transport: RecordingTransport) -> Any:
    [(request, _)] = transport.sent
    return json.loads(request.content or b"null")


def test_v2_chat_sends_thinking_and_priority_as_given() -> None:
    transport = RecordingTransport()
    client_with(transport).v2.chat(
        model="command-a-reasoning-08-2025",
        messages=[{"role": "user", "content": "hi"}],
        thinking={"type": "enabled", "token_budget": 2048},
        priority=3,
    )
    body = _sent_json(transport)
    assert (body["thinking"], body["priority"]) == ({"type": "enabled", "token_budget": 2048}, 3)


def test_thinking_is_checked_offline() -> None:
    with pytest.raises(cohere_dyn.ValidationError, match="token_budget"):
        cohere_dyn.validate("v2.chat", {"model": "m", "messages": [], "thinking": {"type": "enabled", "token_budget": 0}})


def test_an_assistant_turn_may_carry_its_thinking_before_its_text() -> None:
    turn = cohere_dyn.AssistantChatMessageV2(
        content=[
            cohere_dyn.types.ThinkingAssistantMessageV2ContentOneItem(thinking="13 * 17"),
            cohere_dyn.types.TextAssistantMessageV2ContentOneItem(text="No."),
        ]
    )
    cohere_dyn.validate("v2.chat", {"model": "m", "messages": [{"role": "user", "content": "221?"}, turn]})
    assert turn["content"][0] == {"type": "thinking", "thinking": "13 * 17"}


def test_v2_embed_leaves_embedding_types_out_when_not_given_and_accepts_base64() -> None:
    transport = RecordingTransport()
    client = client_with(transport)
    client.v2.embed(model="embed-v4.0", input_type="search_query", texts=["a"])
    client.v2.embed(model="embed-v4.0", input_type="search_query", texts=["a"], embedding_types=["base64"])
    first, second = (json.loads(request.content) for request, _ in transport.sent)
    assert "embedding_types" not in first and second["embedding_types"] == ["base64"]


def test_v2_embed_of_no_texts_answers_float_without_embedding_types() -> None:
    transport = RecordingTransport()
    result = client_with(transport).v2.embed(model="embed-v4.0", input_type="search_query", texts=[])
    assert not transport.sent and result.embeddings.to_dict() == {"float": []}


def test_v2_rerank_sends_relevant_spans() -> None:
    transport = RecordingTransport()
    spans = {"mode": "enabled", "threshold": 0.2, "max_spans": 3}
    client_with(transport).v2.rerank(model="rerank-v4.0-pro", query="q", documents=["d"], relevant_spans=spans)
    assert _sent_json(transport)["relevant_spans"] == spans


def test_v2_parse_posts_the_document() -> None:
    transport = RecordingTransport()
    document = cohere_dyn.types.ParseDocument(image_url="https://example.com/page.png")
    client_with(transport).v2.parse(model="parse-v5.0", document=document, output_format="blocks")
    [(request, _)] = transport.sent
    assert request.url == "http://api.test/v2/parse"
    assert json.loads(request.content) == {
        "model": "parse-v5.0",
        "document": {"type": "image_url", "image_url": "https://example.com/page.png"},
        "output_format": "blocks",
    }


def test_batches_create_takes_the_batch_as_its_request() -> None:
    transport = RecordingTransport()
    batch = {"name": "nightly", "input_dataset_id": "ds-1", "model": "command-a-03-2025"}
    client_with(transport).batches.create(request=batch)
    [(request, _)] = transport.sent
    assert (request.method, request.url, json.loads(request.content)) == ("POST", "http://api.test/v2/batches", batch)


def test_batch_cancel_keeps_its_colon_and_encodes_the_id() -> None:
    transport = RecordingTransport()
    client_with(transport).batches.cancel(id="batch 2/x")
    [(request, _)] = transport.sent
    assert (request.method, request.url, request.content) == ("POST", "http://api.test/v2/batches/batch%202%2Fx:cancel", None)


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_a_batch_id_that_would_name_another_resource_is_refused(value: str) -> None:
    transport = RecordingTransport()
    with pytest.raises(cohere_dyn.ValidationError, match="batches.retrieve"):
        client_with(transport).batches.retrieve(id=value)
    assert not transport.sent


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(8000)
        recording.writeframes(b"\0\0" * 800)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "file, expected",
    [
        (("memo.wav", _wav(), "audio/wav"), ("file", "memo.wav", "audio/wav", _wav())),
        (("memo.wav", _wav()), ("file", "memo.wav", "audio/x-wav", _wav())),
        (_wav(), ("file", "upload", "application/octet-stream", _wav())),
        (io.BytesIO(_wav()), ("file", "upload", "application/octet-stream", _wav())),
    ],
)
def test_transcription_uploads_the_file_after_its_plain_fields(file: Any, expected: tuple) -> None:
    transport = RecordingTransport()
    client_with(transport).audio.transcriptions.create(model="m", language="en", file=file, temperature=0.2)
    [(request, _)] = transport.sent
    assert request.url == "http://api.test/v2/audio/transcriptions"
    assert parts(request) == [
        ("model", None, "text/plain", b"m"),  # no Content-Type header: text/plain is the parser's default
        ("language", None, "text/plain", b"en"),
        ("temperature", None, "text/plain", b"0.2"),
        expected,
    ]
    assert b"Content-Type" not in (request.content or b"").split(b'name="file"')[0]


def test_transcription_file_may_be_a_path(tmp_path: Path) -> None:
    path = tmp_path / "memo.wav"
    path.write_bytes(_wav())
    transport = RecordingTransport()
    client_with(transport).audio.transcriptions.create(model="m", language="en", file=path)
    [(request, _)] = transport.sent
    assert parts(request)[-1] == ("file", "memo.wav", "audio/x-wav", _wav())


# ---------------------------------------------------------------------------- deprecated keywords


def _deprecations(call: Any) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]


def test_a_deprecated_keyword_is_still_sent_with_one_warning_each() -> None:
    transport = RecordingTransport()
    client = client_with(transport)
    found = _deprecations(lambda: client.v2.rerank(model="m", query="q", documents=["d"], return_documents=True))
    assert len(found) == 1 and found[0].startswith("v2.rerank(return_documents=...) is deprecated")
    assert _sent_json(transport)["return_documents"] is True


def test_the_old_spelling_of_an_enum_value_warns_and_is_sent() -> None:
    transport = RecordingTransport()
    client = client_with(transport)
    found = _deprecations(lambda: client.chat(message="m", citation_quality="fast", return_prompt=True))
    assert sorted(message.split(":")[0] for message in found) == [
        "chat(citation_quality='fast') uses a deprecated value",
        "chat(return_prompt=...) is deprecated",
    ]
    body = _sent_json(transport)
    assert (body["citation_quality"], body["return_prompt"]) == ("fast", True)


def test_current_keywords_and_values_do_not_warn() -> None:
    client = client_with(RecordingTransport())
    assert _deprecations(lambda: client.chat(message="m", citation_quality="FAST")) == []


def test_the_warning_points_at_the_callers_line() -> None:
    client = client_with(RecordingTransport())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.datasets.create(name="d", type="embed-input", data=b"x", dry_run=True)
    assert [Path(w.filename).name for w in caught] == [Path(__file__).name]


def test_old_update_finetuned_model_keywords_still_reach_the_body() -> None:
    transport = RecordingTransport()
    client = client_with(transport)
    settings = {"base_model": {"base_type": "BASE_TYPE_CHAT"}, "dataset_id": "ds-1"}
    found = _deprecations(
        lambda: client.finetuning.update_finetuned_model(id="ft-1", name="n", settings=settings, status="STATUS_PAUSED")
    )
    assert len(found) == 1 and _sent_json(transport)["status"] == "STATUS_PAUSED"


def test_v2_chat_k_accepts_a_fraction_as_the_sdk_of_2025_sent_it() -> None:
    transport = RecordingTransport()
    client_with(transport).v2.chat(model="m", messages=[{"role": "user", "content": "hi"}], k=5.0)
    assert _sent_json(transport)["k"] == 5.0


def test_an_explicit_none_means_not_set_in_keywords_and_constructors_but_a_dict_is_sent_as_given() -> None:
    """The official SDK sends `temperature=None` as `"temperature": null` (the reference notes list
    it among its faults); a None keyword or constructor field is left out here."""
    transport = RecordingTransport()
    client_with(transport).v2.chat(
        model="m",
        messages=[cohere_dyn.UserChatMessageV2(content="q")],
        temperature=None,
        tools=[cohere_dyn.ToolV2(type="function", function=cohere_dyn.ToolV2Function(name="f", description=None, parameters={"a": None}))],
    )
    body = _sent_json(transport)
    assert "temperature" not in body
    assert body["tools"] == [{"type": "function", "function": {"name": "f", "parameters": {"a": None}}}]
