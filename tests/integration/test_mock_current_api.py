"""The mock answers the operations and fields of the current API plausibly, through the client."""

from __future__ import annotations

import base64
import io
import struct
import wave
from typing import Iterator

import pytest

import cohere_dyn
from cohere_dyn.mock import MockServer

REQUESTS = b'{"custom_id": "1", "body": {}}\n{"custom_id": "2", "body": {}}\n{"custom_id": "3", "body": {}}\n'


@pytest.fixture
def client() -> Iterator[cohere_dyn.Client]:
    with MockServer(delay=0) as server:
        yield cohere_dyn.Client(api_key="k", base_url=server.url)


def _batch(client: cohere_dyn.Client, name: str = "nightly") -> object:
    dataset = client.datasets.create(name="requests", type="batch-chat-v2-input", data=("requests.jsonl", REQUESTS))
    return client.batches.create(request={"name": name, "input_dataset_id": dataset.id, "model": "command-a-03-2025"})


def test_a_batch_moves_from_queued_through_in_progress_to_completed(client: cohere_dyn.Client) -> None:
    created = _batch(client)
    seen = [created.batch.status]
    for _ in range(3):
        seen.append(client.batches.retrieve(id=created.batch.id).batch.status)
    assert seen == ["BATCH_STATUS_QUEUED", "BATCH_STATUS_QUEUED", "BATCH_STATUS_IN_PROGRESS", "BATCH_STATUS_COMPLETED"]


def test_waiting_on_a_batch_returns_it_completed_with_its_output_dataset(client: cohere_dyn.Client) -> None:
    done = client.wait(_batch(client), interval=0)
    assert done.batch.status == "BATCH_STATUS_COMPLETED"
    assert (done.batch.num_records, done.batch.num_successful_records) == (3, 3)
    assert client.datasets.get(id=done.batch.output_dataset_id).dataset.name == "nightly output"


def test_a_finished_batchs_output_dataset_holds_one_answer_per_request(client: cohere_dyn.Client) -> None:
    requests = b'{"custom_id": "a", "body": {"messages": [{"role": "user", "content": "ping"}]}}\n{"custom_id": "b", "body": {}}\n'
    dataset = client.datasets.create(name="requests", type="batch-chat-v2-input", data=("requests.jsonl", requests))
    created = client.batches.create(request={"name": "n", "input_dataset_id": dataset.id, "model": "command-a-03-2025"})
    done = client.wait(created, interval=0)
    answers = list(client.utils.dataset_records(done.batch.output_dataset_id))
    assert [(a["custom_id"], a["status"]) for a in answers] == [("a", "succeeded"), ("b", "succeeded")]
    assert "ping" in answers[0]["text"]


def test_a_cancelled_batch_goes_through_canceling_and_its_wait_fails(client: cohere_dyn.Client) -> None:
    created = _batch(client)
    client.batches.cancel(id=created.batch.id)
    assert client.batches.retrieve(id=created.batch.id).batch.status == "BATCH_STATUS_CANCELING"
    with pytest.raises(cohere_dyn.JobFailedError) as failure:
        client.wait(created, interval=0)
    assert failure.value.status == "BATCH_STATUS_CANCELED"


def test_batches_page_through_what_was_created(client: cohere_dyn.Client) -> None:
    for name in ("a", "b", "c"):
        _batch(client, name)
    assert [batch.name for batch in client.batches.iter(page_size=2)] == ["a", "b", "c"]


def test_a_batch_on_an_unknown_dataset_gets_404(client: cohere_dyn.Client) -> None:
    with pytest.raises(cohere_dyn.NotFoundError):
        client.batches.create(request={"name": "x", "input_dataset_id": "nope", "model": "m"})


def test_a_wav_transcription_tells_its_length(client: cohere_dyn.Client) -> None:
    audio = io.BytesIO()
    with wave.open(audio, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(8000)
        recording.writeframes(b"\0\0" * 4000)
    answer = client.audio.transcriptions.create(model="m", language="fr", file=("memo.wav", audio.getvalue()))
    assert answer.text == "Mock transcription of a 0.50-second recording (8000 Hz, mono) in fr."


def test_thinking_comes_before_the_text_when_enabled(client: cohere_dyn.Client) -> None:
    reply = client.v2.chat(model="m", messages=[{"role": "user", "content": "hi"}], thinking={"type": "enabled"})
    assert [part.type for part in reply.message.content] == ["thinking", "text"]
    assert '"hi"' in reply.message.content[0].thinking


@pytest.mark.parametrize(
    "model, thinking, kinds",
    [
        ("command-a-reasoning-08-2025", None, ["thinking", "text"]),
        ("command-a-reasoning-08-2025", {"type": "disabled"}, ["text"]),
        ("command-a-03-2025", None, ["text"]),
    ],
)
def test_a_reasoning_model_thinks_unless_told_not_to(client: cohere_dyn.Client, model: str, thinking: dict | None, kinds: list) -> None:
    reply = client.v2.chat(model=model, messages=[{"role": "user", "content": "hi"}], thinking=thinking)
    assert [part.type for part in reply.message.content] == kinds


def test_a_stream_with_thinking_has_a_thinking_block_then_the_text_block(client: cohere_dyn.Client) -> None:
    stream = client.v2.chat_stream(
        model="m", messages=[{"role": "user", "content": "hi"}], thinking={"type": "enabled", "token_budget": 3}
    )
    events = list(stream)
    starts = [(e.index, e.delta.message.content.type) for e in events if e.type == "content-start"]
    assert starts == [(0, "thinking"), (1, "text")]
    thinking = "".join(e.delta.message.content.thinking or "" for e in events if e.type == "content-delta" and e.index == 0)
    assert len(thinking.split()) == 3
    final = stream.final()
    assert [part.type for part in final.message.content] == ["thinking", "text"]
    assert final.message.content[0].thinking == thinking


def test_usage_counts_the_earlier_turns_as_cached_tokens(client: cohere_dyn.Client) -> None:
    messages = [
        {"role": "system", "content": "Be brief please"},
        {"role": "user", "content": "hi"},
    ]
    assert client.v2.chat(model="m", messages=messages).usage.cached_tokens == 3


def test_base64_embeddings_are_the_float_vectors_bytes(client: cohere_dyn.Client) -> None:
    answer = client.v2.embed(
        model="embed-v4.0", input_type="search_query", texts=["a", "b"], embedding_types=["float", "base64"], output_dimension=8
    )
    for floats, encoded in zip(answer.embeddings.float, answer.embeddings.base64):
        assert struct.unpack("<8f", base64.b64decode(encoded)) == pytest.approx(floats, rel=1e-6)


def test_rerank_relevant_spans_point_at_the_matching_sentence(client: cohere_dyn.Client) -> None:
    document = "Paris is grey in June. Lyon has sun."
    answer = client.v2.rerank(
        model="rerank-v4.0-pro", query="sun in Lyon", documents=[document], relevant_spans={"mode": "enabled", "max_spans": 1}
    )
    [span] = answer.results[0].relevant_spans
    assert document[span.start : span.end] == "Lyon has sun."


def test_rerank_without_spans_answers_none(client: cohere_dyn.Client) -> None:
    answer = client.v2.rerank(model="rerank-v3.5", query="q", documents=["q"])
    assert answer.results[0].relevant_spans is None


@pytest.mark.parametrize("output_format, kind", [(None, "markdown"), ("markdown", "markdown"), ("blocks", "blocks")])
def test_parse_answers_in_the_asked_format(client: cohere_dyn.Client, output_format: str | None, kind: str) -> None:
    document = {"type": "image_url", "image_url": "https://example.com/page.png"}
    answer = client.v2.parse(model="parse-v5.0", document=document, output_format=output_format)
    [page] = answer.pages
    assert page.type == kind
    text = page.markdown.content if kind == "markdown" else " ".join(block.text.content for block in page.blocks)
    assert "https://example.com/page.png" in text
