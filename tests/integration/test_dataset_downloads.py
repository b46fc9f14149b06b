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
from cohere_dyn._transports._base import HttpRequest
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


def dataset(server: FaultServer, parts: int = 1, **declared: Any) -> dict[str, Any]:
    """A dataset of `parts` parts served by `server`; `declared`: what each part says of its file."""
    return {
        "id": "ds-1",
        "schema": json.dumps(SCHEMA),
        "dataset_parts": [
            {"name": f"part-{i}", "index": i, "url": f"{server.url}/part-{i}?sig=abc", **declared} for i in range(parts)
        ],
    }


def block_boundary(data: bytes, blocks: int) -> int:
    """Where the Avro file `data` ends its first `blocks` blocks: a cut there reads as a whole file."""
    return list(fastavro.block_reader(io.BytesIO(data)))[blocks].offset


AT_A_BOUNDARY = PART[: block_boundary(PART, 3)]
BEFORE_THE_CUT = sum(1 for _ in fastavro.reader(io.BytesIO(AT_A_BOUNDARY)))  # a whole, shorter file


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


def test_a_part_cut_at_a_block_boundary_is_downloaded_again_when_it_declares_its_rows() -> None:
    assert 0 < BEFORE_THE_CUT < len(ROWS)
    with FaultServer([faults.status(200, AT_A_BOUNDARY), faults.status(200, PART)]) as server:
        records = list(client(server).utils.dataset_records(dataset(server, num_rows=len(ROWS))))
        assert len(server.requests) == 2
    assert records == ROWS


def test_a_part_cut_at_a_block_boundary_is_downloaded_again_when_it_declares_its_size() -> None:
    with FaultServer([faults.status(200, AT_A_BOUNDARY), faults.status(200, PART)]) as server:
        records = list(client(server).utils.dataset_records(dataset(server, size_bytes=len(PART))))
        assert len(server.requests) == 2
    assert records == ROWS


def test_a_part_that_stays_short_fails_naming_the_dataset_and_the_part() -> None:
    with FaultServer([], after=faults.status(200, AT_A_BOUNDARY)) as server:
        records: list[Any] = []
        with pytest.raises(cohere_dyn.CohereError) as caught:
            records.extend(client(server, max_retries=2).utils.dataset_records(dataset(server, num_rows=len(ROWS), size_bytes=len(PART))))
        assert len(server.requests) == 3
    message = str(caught.value)
    assert message.startswith("dataset 'ds-1', part 'part-0': the download ended after")
    assert f"of the part's {len(PART)} bytes; gave up after 3 downloads, {BEFORE_THE_CUT} records read" in message
    assert records == ROWS[:BEFORE_THE_CUT]  # what arrived was yielded once; the error says the rest never did


def test_a_part_cut_mid_block_is_downloaded_again_and_past_the_retries_is_a_cohere_error() -> None:
    mid_block = PART[: block_boundary(PART, 3) + 100]
    with FaultServer([faults.status(200, mid_block), faults.status(200, PART)]) as server:
        assert list(client(server).utils.dataset_records(dataset(server))) == ROWS
    with FaultServer([], after=faults.status(200, mid_block)) as server:
        with pytest.raises(cohere_dyn.CohereError, match=r"part 'part-0': the Avro file is cut or corrupt .*EOFError") as caught:
            list(client(server, max_retries=1).utils.dataset_records(dataset(server)))
    assert not isinstance(caught.value, (EOFError, ValueError))


def test_a_part_cut_inside_its_avro_header_is_downloaded_again() -> None:
    with FaultServer([faults.status(200, PART[:40]), faults.status(200, PART)]) as server:
        assert list(client(server).utils.dataset_records(dataset(server))) == ROWS
        assert len(server.requests) == 2


def test_an_html_page_instead_of_a_part_fails_at_once_naming_the_dataset_and_the_part() -> None:
    page = faults.status(200, b"<html><title>Sign in to continue</title></html>", {"Content-Type": "text/html"})
    with FaultServer([page]) as server:
        with pytest.raises(cohere_dyn.CohereError) as caught:
            list(client(server).utils.dataset_records(dataset(server, num_rows=len(ROWS))))
        assert len(server.requests) == 1
    assert type(caught.value) is cohere_dyn.CohereError
    assert "dataset 'ds-1', part 'part-0': the download is not an Avro file (text/html, beginning '<html><title>Sign in" in str(caught.value)


def test_more_records_than_the_part_declares_fail_before_the_extra_one_is_yielded() -> None:
    with FaultServer([faults.status(200, avro(ROWS[:12]))]) as server:
        records: list[Any] = []
        with pytest.raises(cohere_dyn.CohereError, match="part 'part-0': the file holds more than the 10 records the part declares"):
            records.extend(client(server).utils.dataset_records(dataset(server, num_rows=10)))
    assert records == ROWS[:10]


def test_more_bytes_than_the_part_declares_fail() -> None:
    with FaultServer([faults.status(200, avro(ROWS[:12]) + b"\0" * 10)]) as server:
        with pytest.raises(cohere_dyn.CohereError, match="part 'part-0'"):
            list(client(server).utils.dataset_records(dataset(server, size_bytes=len(avro(ROWS[:12])))))


def test_the_async_client_s_utils_refuse_a_short_part_as_well(tmp_path: Path) -> None:
    pytest.importorskip("aiohttp")
    target = tmp_path / "rows.jsonl"

    async def main() -> None:
        async with cohere_dyn.AsyncClient(api_key="k", base_url=server.url, max_retries=0) as client:
            client.utils.save_dataset(dataset(server, num_rows=len(ROWS)), str(target))

    with FaultServer([faults.status(200, AT_A_BOUNDARY)]) as server:
        with pytest.raises(cohere_dyn.CohereError, match=f"part 'part-0': the download ended after {BEFORE_THE_CUT} of the part's 2000 records"):
            asyncio.run(main())
    assert not target.exists()


def test_the_mock_s_parts_declare_the_rows_and_bytes_they_serve() -> None:
    from cohere_dyn.mock import MockServer

    with MockServer(delay=0) as mock:
        client = cohere_dyn.Client(api_key="k", base_url=mock.url)
        created = client.datasets.create(name="d", type="embed-input", data=b"".join(b'{"text": "row %d"}\n' % i for i in range(7)))
        part = client.datasets.get(id=created.id).dataset.dataset_parts[0]
        downloaded = cohere_dyn.Client(api_key="k", base_url=mock.url)._start().transport.send(
            HttpRequest("GET", part.url, {}, None, client._timeout)
        ).read()
        assert (part.num_rows, part.size_bytes) == (7, len(downloaded))
        assert [record["text"] for record in client.utils.dataset_records(created.id)] == [f"row {i}" for i in range(7)]
