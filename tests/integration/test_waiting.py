"""`client.wait(job)`: polling datasets, embed jobs and fine-tuned models to a final status."""

from __future__ import annotations

import json
import time
from typing import Any, Iterator

import pytest

import cohere_dyn
from cohere_dyn.mock import MockServer
from tests.capture import Captured, CaptureServer, Reply


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(delay=0) as server:
        yield server


@pytest.fixture
def client(mock: MockServer) -> cohere_dyn.Client:
    return cohere_dyn.Client(api_key="k", base_url=mock.url)


def _dataset(client: cohere_dyn.Client) -> Any:
    return client.datasets.create(name="docs", type="embed-input", data=b'{"text": "hello"}\n')


def test_wait_on_a_new_dataset_polls_until_validated(client: cohere_dyn.Client, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[str] = []
    final = client.wait(_dataset(client), interval=0, progress=lambda answer: seen.append(answer.dataset.validation_status))
    assert seen == ["queued", "processing", "validated"]
    assert final.dataset.validation_status == "validated"
    assert capsys.readouterr() == ("", "")  # the official SDK prints "..." on every poll


def test_wait_takes_the_get_answer_or_the_object_inside_it(client: cohere_dyn.Client) -> None:
    created = _dataset(client)
    got = client.datasets.get(id=created.id)
    assert client.wait(got, interval=0).dataset.id == created.id
    assert client.wait(got.dataset, interval=0).dataset.validation_status == "validated"


def test_wait_on_an_embed_job_returns_the_finished_job(client: cohere_dyn.Client) -> None:
    dataset = client.wait(_dataset(client), interval=0).dataset
    created = client.embed_jobs.create(model="embed-english-v3.0", dataset_id=dataset.id, input_type="search_document")
    job = client.wait(created, interval=0)
    assert job.job_id == created.job_id and job.status == "complete" and job.output_dataset_id
    assert client.wait(job, interval=0).status == "complete"  # already done: one poll


def test_a_failure_status_raises_naming_it(client: cohere_dyn.Client) -> None:
    dataset = client.wait(_dataset(client), interval=0).dataset
    created = client.embed_jobs.create(model="embed-english-v3.0", dataset_id=dataset.id, input_type="search_document")
    client.embed_jobs.cancel(id=created.job_id)
    with pytest.raises(cohere_dyn.JobFailedError, match="'cancelled'") as caught:
        client.wait(created, interval=0)
    assert caught.value.status == "cancelled" and caught.value.result.job_id == created.job_id
    assert isinstance(caught.value, cohere_dyn.CohereError)


def test_a_fine_tuned_model_is_waited_on_until_ready(client: cohere_dyn.Client) -> None:
    created = client.finetuning.create_finetuned_model(
        request={"name": "ft", "settings": {"base_model": {"base_type": "BASE_TYPE_CHAT"}, "dataset_id": "d"}}
    )
    assert client.wait(created, interval=0).finetuned_model.status == "STATUS_READY"


def test_timeout_raises_a_timeout_error_with_the_last_answer() -> None:
    job = {"job_id": "j", "status": "processing", "created_at": "2025-01-01T00:00:00Z", "input_dataset_id": "d", "model": "m", "truncate": "END"}

    def respond(request: Captured) -> Reply:
        return Reply(200, json.dumps(job).encode())

    with CaptureServer(respond) as server:
        client = cohere_dyn.Client(api_key="k", base_url=server.url)
        waiting = client.embed_jobs.get(id="j")
        started = time.monotonic()
        with pytest.raises(TimeoutError, match="still 'processing' after 0.2 s") as caught:
            client.wait(waiting, timeout=0.2, interval=0.05)
    assert 0.2 <= time.monotonic() - started < 2
    assert isinstance(caught.value, cohere_dyn.WaitTimeoutError) and caught.value.result.status == "processing"
    assert 3 <= len(server.requests) <= 8


def test_only_objects_the_spec_marks_as_waitable_are_accepted(client: cohere_dyn.Client) -> None:
    with pytest.raises(TypeError, match="can't wait on a ListModelsResponse; it waits on .*EmbedJob"):
        client.wait(client.models.list())
    with pytest.raises(TypeError, match="takes an object the API returned"):
        client.wait("job-1")
    with pytest.raises(ValueError, match="interval"):
        client.wait(_dataset(client), interval=-1)


def test_clientv2_waits_too(mock: MockServer) -> None:
    client = cohere_dyn.ClientV2(api_key="k", base_url=mock.url)
    created = client.datasets.create(name="v2", type="embed-input", data=b'{"text": "x"}\n')
    assert client.wait(created, interval=0).dataset.validation_status == "validated"
