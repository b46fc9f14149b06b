"""Reading a dataset's content: its parts (Avro files behind download links), record by record.

`client.utils.dataset_records(dataset)` yields the records part after part, each part streamed
through fastavro as it downloads and its connection closed before the next one opens;
`client.utils.save_dataset(dataset, path, format="jsonl")` writes them as JSON lines, CSV or
Avro, as the official SDK's `client.utils` does. A part's link is a signed URL: the request
carries no API key. fastavro comes with `pip install 'cohere-dyn[datasets]'`.
"""

from __future__ import annotations

import csv
import json
from typing import Any, Iterator

from .._call._caller import USER_AGENT, api_error
from .._errors import CohereError
from .._transports._base import HttpRequest

__all__ = ["DatasetUtils", "dataset_records", "save_dataset"]

FORMATS = ("jsonl", "csv", "avro")
INSTALL_HINT = "reading a dataset's content needs fastavro: pip install 'cohere-dyn[datasets]'"


class DatasetUtils:
    """`client.utils`: the official SDK's dataset helpers."""

    def __init__(self, client: Any):
        self._client = client

    def dataset_records(self, dataset: Any) -> Iterator[dict[str, Any]]:
        """Every record of `dataset` (a Dataset, the answer of datasets.get, or an id), lazily."""
        return dataset_records(self._client, dataset)

    def save_dataset(self, dataset: Any, filepath: str, format: str = "jsonl") -> None:
        """Write every record of `dataset` to `filepath` as jsonl, csv or avro."""
        save_dataset(self._client, dataset, filepath, format)


def _dataset(client: Any, dataset: Any) -> dict[str, Any]:
    if isinstance(dataset, str):
        dataset = client.datasets.get(id=dataset)
    data = dataset.to_dict() if hasattr(dataset, "to_dict") else dict(dataset)
    return data.get("dataset", data) if isinstance(data.get("dataset"), dict) else data


def dataset_records(client: Any, dataset: Any) -> Iterator[dict[str, Any]]:
    try:
        from fastavro import reader
    except ImportError:
        raise CohereError(INSTALL_HINT) from None
    data = _dataset(client, dataset)
    parts = data.get("dataset_parts") or []
    if not parts:
        raise CohereError(f"dataset {data.get('id')!r} has no parts to read (is it validated?)")
    return _records(client, data, parts, reader)


def _records(client: Any, data: dict[str, Any], parts: list[dict[str, Any]], reader: Any) -> Iterator[dict[str, Any]]:
    transport = (client._caller or client._start()).transport
    for part in sorted(parts, key=lambda part: part.get("index") or 0):
        url = part.get("url")
        if not url:
            raise CohereError(f"dataset {data.get('id')!r}: part {part.get('name')!r} has no download url")
        response = transport.send(HttpRequest("GET", url, {"User-Agent": USER_AGENT}, None, client._timeout), stream=True)
        try:
            if response.status_code >= 400:
                raise api_error(response)
            yield from reader(_ChunkReader(response.iter_bytes()))
        finally:
            response.close()


class _ChunkReader:
    """A file-like `read(n)` over an iterator of byte chunks (a download as it arrives)."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks = chunks
        self.buffer = bytearray()

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer += chunk
        if size < 0:
            size = len(self.buffer)
        taken = bytes(self.buffer[:size])
        del self.buffer[:size]
        return taken


def save_dataset(client: Any, dataset: Any, filepath: str, format: str = "jsonl") -> None:
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    data = _dataset(client, dataset)
    records = dataset_records(client, data)
    if format == "avro":
        from fastavro import parse_schema, writer

        if not data.get("schema"):
            raise CohereError(f"dataset {data.get('id')!r} has no schema to write Avro with")
        with open(filepath, "wb") as handle:
            writer(handle, parse_schema(json.loads(data["schema"])), records)
        return
    with open(filepath, "w", encoding="utf-8", newline="") as handle:
        if format == "jsonl":
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            return
        table: Any = None
        for record in records:
            if table is None:
                table = csv.DictWriter(handle, fieldnames=list(record))
                table.writeheader()
            table.writerow(record)
