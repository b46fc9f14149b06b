"""Datasets end to end against the mock: upload streamed from disk, embed job, parts read back as Avro."""

from __future__ import annotations

import csv
import json
import socket
import threading
import tracemalloc
from pathlib import Path
from typing import Any, Iterator

import pytest

import cohere_dyn
from cohere_dyn._transports._requests import RequestsTransport
from cohere_dyn.mock import MockServer
from tests import faults
from tests.faults import FaultServer

pytest.importorskip("fastavro")

ROWS = [{"id": f"doc-{i}", "text": f"document number {i} about bees"} for i in range(7)]


@pytest.fixture
def mock() -> Iterator[MockServer]:
    with MockServer(delay=0) as server:
        yield server


def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    return path


def uploaded(client: cohere_dyn.Client, path: Path) -> Any:
    created = client.datasets.create(name="docs", type="embed-input", data=path, optional_fields=["id"])
    return client.wait(created, interval=0.01)


def test_an_embed_job_round_trip_returns_each_input_with_its_embedding(mock: MockServer, tmp_path: Path) -> None:
    client = cohere_dyn.Client(api_key="k", base_url=mock.url)
    output = tmp_path / "out.jsonl"
    summary = client.embed_dataset(
        str(corpus(tmp_path)), str(output), model="embed-english-v3.0", input_type="search_document", interval=0.01
    )
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    direct = client.embed(texts=[row["text"] for row in ROWS], model="embed-english-v3.0", input_type="search_document")
    assert summary.embedded == len(ROWS)
    assert [(line["index"], line["id"]) for line in lines] == [(i, row["id"]) for i, row in enumerate(ROWS)]
    assert [line["embedding"] for line in lines] == direct.embeddings


@pytest.mark.parametrize("form", ["jsonl", "csv", "avro"])
def test_save_dataset_writes_back_the_uploaded_rows(mock: MockServer, tmp_path: Path, form: str) -> None:
    client = cohere_dyn.Client(api_key="k", base_url=mock.url)
    dataset = uploaded(client, corpus(tmp_path)).dataset
    target = tmp_path / f"saved.{form}"
    client.utils.save_dataset(dataset, str(target), format=form)
    if form == "jsonl":
        rows = [json.loads(line) for line in target.read_text().splitlines()]
    elif form == "csv":
        rows = list(csv.DictReader(target.open()))
    else:
        import fastavro

        rows = list(fastavro.reader(target.open("rb")))
    assert rows == ROWS


def test_part_downloads_carry_no_key_and_are_closed_when_the_reader_stops(mock: MockServer, tmp_path: Path) -> None:
    downloads: list[Tracked] = []

    class Watching(RequestsTransport):
        def send(self, request: Any, *, stream: bool = False) -> Any:
            response = super().send(request, stream=stream)
            if "/_mock/files/" not in request.url:
                return response
            downloads.append(Tracked(response))
            return downloads[-1]

    client = cohere_dyn.Client(api_key="k", base_url=mock.url, transport=Watching(max_connections=4))
    dataset_id = uploaded(client, corpus(tmp_path)).dataset.id
    records = client.utils.dataset_records(dataset_id)
    assert next(records) == ROWS[0]
    records.close()
    [download] = [r for r in mock.requests if r.path.startswith("/_mock/files/")]
    assert "authorization" not in download.headers
    assert [response.closed for response in downloads] == [True]


class Tracked:
    """A response that notes whether it was closed."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.status_code = inner.status_code
        self.headers = inner.headers
        self.closed = False

    def read(self) -> bytes:
        return self.inner.read()

    def iter_bytes(self) -> Iterator[bytes]:
        return self.inner.iter_bytes()

    def close(self) -> None:
        self.closed = True
        self.inner.close()


def test_a_file_given_by_path_is_uploaded_a_chunk_at_a_time_never_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    line = json.dumps({"text": "x" * 1000}) + "\n"
    with path.open("w") as handle:
        for _ in range(48 * 1024):  # about 48 MB
            handle.write(line)
    size = path.stat().st_size
    received = []
    with _DiscardingServer() as url:
        client = cohere_dyn.Client(api_key="k", base_url=url)
        tracemalloc.start()
        try:
            client.datasets.create(name="big", type="embed-input", data=path)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        received = _DiscardingServer.lengths
    assert received[0] > size
    assert peak < 8 * 1024 * 1024


def test_a_retried_upload_from_disk_sends_the_same_bytes_again(tmp_path: Path) -> None:
    path = corpus(tmp_path)
    with FaultServer([faults.status(503), faults.ok(b'{"id": "d"}')]) as server:
        cohere_dyn.Client(api_key="k", base_url=server.url).datasets.create(name="d", type="embed-input", data=path)
    first, second = server.requests
    assert first.body == second.body
    assert first.multipart()[0]["content"] == path.read_text()


class _DiscardingServer:
    """Reads each request's body and throws it away (so only the client's memory is measured)."""

    lengths: list[int] = []

    def __enter__(self) -> str:
        _DiscardingServer.lengths = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        connection, _ = self.sock.accept()
        with connection:
            head = b""
            while b"\r\n\r\n" not in head:
                head += connection.recv(65536)
            head, rest = head.split(b"\r\n\r\n", 1)
            length = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length"))
            read = len(rest)
            while read < length:
                read += len(connection.recv(1 << 20))
            _DiscardingServer.lengths.append(length)
            body = b'{"id": "big"}'
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    def __exit__(self, *exc_info: Any) -> None:
        self.sock.close()


def test_the_async_client_uploads_a_file_given_by_path(mock: MockServer, tmp_path: Path) -> None:
    pytest.importorskip("httpx")
    import asyncio

    async def upload() -> str:
        async with cohere_dyn.AsyncClient(api_key="k", base_url=mock.url) as client:
            created = await client.datasets.create(name="docs", type="embed-input", data=corpus(tmp_path), optional_fields=["id"])
            return created.id

    dataset_id = asyncio.run(upload())
    client = cohere_dyn.Client(api_key="k", base_url=mock.url)
    assert list(client.utils.dataset_records(dataset_id)) == ROWS
