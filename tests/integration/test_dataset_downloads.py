"""Reading a dataset's parts when the download misbehaves: retried, resumed, never half written."""

from __future__ import annotations

import asyncio
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

import cohere_dyn
from tests import faults
from tests.faults import FaultServer

fastavro = pytest.importorskip("fastavro")

SCHEMA = {"type": "record", "name": "row", "fields": [{"name": "id", "type": "string"}, {"name": "text", "type": "string"}]}
ROWS = [{"id": f"doc-{i}", "text": f"document number {i} " + "about bees " * 20} for i in range(2000)]


def avro(rows: list[dict[str, Any]]) -> bytes:
    out = io.BytesIO()
    fastavro.writer(out, fastavro.parse_schema(SCHEMA), rows, sync_interval=4000)  # many blocks
    return out.getvalue()


PART = avro(ROWS)
SOON = {"retry-after-ms": "1"}


def dataset(server: FaultServer, parts: int = 1) -> dict[str, Any]:
    return {
        "id": "ds-1",
        "schema": json.dumps(SCHEMA),
        "dataset_parts": [{"name": f"part-{i}", "index": i, "url": f"{server.url}/part-{i}?sig=abc"} for i in range(parts)],
    }


def client(server: FaultServer, **options: Any) -> cohere_dyn.Client:
    return cohere_dyn.Client(api_key="k", base_url=server.url, **options)


def test_a_download_cut_mid_body_starts_again_and_yields_each_record_once() -> None:
    script = [faults.partial_body(PART, sent=len(PART) // 2), faults.status(503, b"busy", SOON), faults.status(200, PART)]
    with FaultServer(script) as server:
        records = list(client(server).utils.dataset_records(dataset(server)))
        paths = [request.path for request in server.requests]
    assert records == ROWS
    assert paths == ["/part-0"] * 3


def test_a_later_part_is_retried_without_repeating_the_earlier_ones() -> None:
    script = [faults.status(200, avro(ROWS[:10])), faults.reset, faults.status(200, avro(ROWS[10:20]))]
    with FaultServer(script) as server:
        records = list(client(server).utils.dataset_records(dataset(server, parts=2)))
        paths = [request.path.split("?")[0] for request in server.requests]
    assert records == ROWS[:20]
    assert paths == ["/part-0", "/part-1", "/part-1"]


def test_a_status_that_is_no_passing_trouble_is_raised_at_once() -> None:
    with FaultServer([faults.status(403, b"<Error>signature expired</Error>")]) as server:
        with pytest.raises(cohere_dyn.ForbiddenError) as caught:
            list(client(server).utils.dataset_records(dataset(server)))
        assert len(server.requests) == 1
    assert "signature expired" in str(caught.value.body)


def test_past_max_retries_the_last_failure_is_raised() -> None:
    cut = faults.partial_body(PART, sent=1000)
    with FaultServer([cut, cut, cut]) as server:
        with pytest.raises(cohere_dyn.ConnectionError):
            list(client(server, max_retries=1).utils.dataset_records(dataset(server)))
        assert len(server.requests) == 2


def test_a_failed_save_leaves_the_file_that_was_there_and_no_partial_one(tmp_path: Path) -> None:
    target = tmp_path / "rows.jsonl"
    target.write_text("what was there before\n")
    with FaultServer([faults.status(200, avro(ROWS[:5])), faults.status(404, b"gone")]) as server:
        with pytest.raises(cohere_dyn.NotFoundError):
            client(server).utils.save_dataset(dataset(server, parts=2), str(target))
    assert target.read_text() == "what was there before\n"
    assert os.listdir(tmp_path) == ["rows.jsonl"]


@pytest.mark.parametrize("form", ["jsonl", "csv", "avro"])
def test_a_save_that_completes_replaces_the_file(tmp_path: Path, form: str) -> None:
    target = tmp_path / f"rows.{form}"
    target.write_text("old")
    with FaultServer([faults.status(200, avro(ROWS[:3]))]) as server:
        client(server).utils.save_dataset(dataset(server), str(target), format=form)
    if form == "avro":
        assert list(fastavro.reader(target.open("rb"))) == ROWS[:3]
    else:
        assert target.read_text().count("doc-") == 3
    assert os.listdir(tmp_path) == [target.name]


def test_the_async_client_s_utils_block_as_the_official_sdk_s_do_and_retry_the_same_way(tmp_path: Path) -> None:
    pytest.importorskip("aiohttp")
    script = [faults.close_before_headers, faults.status(200, avro(ROWS[:4]))]
    target = tmp_path / "rows.jsonl"

    async def main() -> None:
        async with cohere_dyn.AsyncClient(api_key="k", base_url=server.url) as client:
            client.utils.save_dataset(dataset(server), str(target))  # not awaited, as in the SDK
            with pytest.raises(TypeError, match=r"await client.datasets.get\(id='ds-1'\)"):
                client.utils.save_dataset("ds-1", str(target))
            assert client.utils._transport is client.utils._transport  # one pool of downloads per client
        assert "_downloads" not in client.__dict__  # closed with the client

    with FaultServer(script) as server:
        asyncio.run(main())
        assert len(server.requests) == 2
    assert [json.loads(line) for line in target.read_text().splitlines()] == ROWS[:4]


def test_a_saved_file_gets_the_usual_permissions_not_a_temporary_file_s(tmp_path: Path) -> None:
    target = tmp_path / "rows.jsonl"
    with FaultServer([faults.status(200, avro(ROWS[:1]))]) as server:
        client(server).utils.save_dataset(dataset(server), str(target))
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
