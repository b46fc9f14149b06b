"""Reading a dataset's content: its parts (Avro files behind download links), record by record.

`client.utils.dataset_records(dataset)` yields the records part after part, each part streamed
through fastavro as it downloads and its connection closed before the next one opens;
`client.utils.save_dataset(dataset, path, format="jsonl")` writes them as JSON lines, CSV or
Avro, as the official SDK's `client.utils` does. A part's link is a signed URL: the request
carries no API key. fastavro comes with `pip install 'cohere-dyn[datasets]'`.

A part's download is a GET, safe to repeat: one that fails (a connection refused or cut, even
mid-body, a timeout, a 408/409/429/5xx) starts again after the client's backoff, up to its
`max_retries` times per part, and skips the records already yielded. A download that ends early
without a transport error is such a failure too: fewer bytes than the part's `size_bytes`, fewer
records than its `num_rows` (an Avro file cut at a block boundary reads as a shorter whole one),
or an Avro file cut mid-block or corrupt. What can't be a passing fault fails at once: a body
that isn't Avro at all (an HTML page), more records or bytes than the part declares. Every such
failure is a CohereError naming the dataset and the part; none is a partial result.

`save_dataset` writes to a temporary file beside `filepath` and moves it into place only when
every record is written, so a failure leaves no half file and whatever was at `filepath` before.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import time
from typing import Any, Iterator

from .._call._caller import USER_AGENT, api_error, logger
from .._call._retry import RetryPolicy
from .._errors import CohereError, ConnectionError, TimeoutError
from .._transports._base import HttpRequest

__all__ = ["DatasetUtils", "dataset_records", "save_dataset"]

FORMATS = ("jsonl", "csv", "avro")
INSTALL_HINT = "reading a dataset's content needs fastavro: pip install 'cohere-dyn[datasets]'"


class DatasetUtils:
    """`client.utils`: the official SDK's dataset helpers, blocking on every client as there.

    `transport`: the sync transport the downloads go through (the async client's own sends
    with asyncio, so it lends one of requests).
    """

    def __init__(self, client: Any, transport: Any):
        self._client = client
        self._transport = transport

    def dataset_records(self, dataset: Any) -> Iterator[dict[str, Any]]:
        """Every record of `dataset` (a Dataset, the answer of datasets.get, or an id), lazily."""
        return dataset_records(self._client, dataset, self._transport)

    def save_dataset(self, dataset: Any, filepath: str, format: str = "jsonl") -> None:
        """Write every record of `dataset` to `filepath` as jsonl, csv or avro."""
        save_dataset(self._client, dataset, filepath, format, self._transport)


def _dataset(client: Any, dataset: Any) -> dict[str, Any]:
    if isinstance(dataset, str):
        if client._asynchronous:
            raise TypeError(
                "an async client's utils take the dataset itself, not its id: "
                f"pass (await client.datasets.get(id={dataset!r})).dataset"
            )
        dataset = client.datasets.get(id=dataset)
    data = dataset.to_dict() if hasattr(dataset, "to_dict") else dict(dataset)
    return data["dataset"] if isinstance(data.get("dataset"), dict) else data


def dataset_records(client: Any, dataset: Any, transport: Any) -> Iterator[dict[str, Any]]:
    try:
        from fastavro import reader
    except ImportError:
        raise CohereError(INSTALL_HINT) from None
    data = _dataset(client, dataset)
    parts = data.get("dataset_parts") or []
    if not parts:
        raise CohereError(f"dataset {data.get('id')!r} has no parts to read (is it validated?)")
    return _records(client, transport, data, parts, reader)


def _records(
    client: Any, transport: Any, data: dict[str, Any], parts: list[dict[str, Any]], reader: Any
) -> Iterator[dict[str, Any]]:
    for part in sorted(parts, key=lambda part: part.get("index") or 0):
        where = f"dataset {data.get('id')!r}, part {part.get('name') or part.get('index')!r}"
        if not part.get("url"):
            raise CohereError(f"{where}: no download url")
        yield from _part_records(client, transport, part, reader, where)


class _Incomplete(Exception):
    """A download that ended before the whole part arrived, with no transport error: retried."""


def _part_records(client: Any, transport: Any, part: dict[str, Any], reader: Any, where: str) -> Iterator[dict[str, Any]]:
    """One part's records; its download retried and checked as the module docstring says."""
    policy = RetryPolicy()
    request = HttpRequest("GET", part["url"], {"User-Agent": USER_AGENT}, None, client._timeout)
    rows, size = _declared(part, "num_rows"), _declared(part, "size_bytes")
    yielded = attempt = 0
    while True:
        try:
            response = transport.send(request, stream=True)
            try:
                if response.status_code >= 400:
                    delay = policy.after_status(response.status_code, response.headers, attempt, client._max_retries)
                    if delay is None:
                        raise _named(api_error(response), where)
                    reason = f"status {response.status_code}"
                else:
                    body = _ChunkReader(response.iter_bytes())
                    read = 0
                    for record in _avro_records(reader, body, response.headers, where):
                        if rows is not None and read >= rows:
                            raise CohereError(f"{where}: the file holds more than the {rows} records the part declares")
                        read += 1
                        if read > yielded:
                            yielded += 1
                            yield record
                    _check_whole(body.received, read, size, rows, where)
                    return
            finally:
                response.close()
        except (ConnectionError, TimeoutError) as exc:
            if attempt >= client._max_retries:
                raise _named(exc, where) from exc.__cause__
            delay, reason = policy.delay(attempt), str(exc)
        except _Incomplete as exc:
            if attempt >= client._max_retries:
                downloads = f"{attempt + 1} download{'s' if attempt else ''}"
                raise CohereError(f"{where}: {exc}; gave up after {downloads}, {yielded} records read") from None
            delay, reason = policy.delay(attempt), str(exc)
        logger.warning(
            "%s: %s; retry %d of %d in %.2fs (%d records read already)",
            where, reason, attempt + 1, client._max_retries, delay, yielded,
        )
        time.sleep(delay)
        attempt += 1


AVRO_MAGIC = b"Obj\x01"


def _avro_records(reader: Any, body: "_ChunkReader", headers: Any, where: str) -> Iterator[dict[str, Any]]:
    """The records of one download: an Avro file cut or corrupt is `_Incomplete`, a body that is
    no Avro file at all a CohereError (fastavro says ValueError or EOFError for both)."""
    try:
        records = reader(body)
    except (ValueError, EOFError) as exc:
        if body.head == AVRO_MAGIC[: len(body.head)] or body.head.startswith(AVRO_MAGIC):
            raise _Incomplete(f"the download ended inside the Avro header ({body.received} bytes)") from None
        kind = headers.get("content-type") or "no Content-Type"
        shown = body.head[:80].decode("utf-8", "replace")
        raise CohereError(f"{where}: the download is not an Avro file ({kind}, beginning {shown!r}): {exc}") from None
    try:
        yield from records
    except (ValueError, EOFError) as exc:
        raise _Incomplete(f"the Avro file is cut or corrupt after {body.received} bytes ({type(exc).__name__}: {exc})") from None


def _check_whole(received: int, read: int, size: int | None, rows: int | None, where: str) -> None:
    """A download read to its end holds the bytes and records its part declares: fewer is a cut
    (retried), more bytes a file that is not the part's."""
    if size is not None and received > size:
        raise CohereError(f"{where}: the download holds {received} bytes, the part declares {size}")
    if size is not None and received < size:
        raise _Incomplete(f"the download ended after {received} of the part's {size} bytes")
    if rows is not None and read < rows:
        raise _Incomplete(f"the download ended after {read} of the part's {rows} records")


def _declared(part: dict[str, Any], name: str) -> int | None:
    value = part.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _named(exc: Exception, where: str) -> Exception:
    """A download's error, its class kept, made to name the dataset and part."""
    message = str(exc.args[0]) if exc.args else type(exc).__name__
    exc.args = (f"{where}: {message}", *exc.args[1:])
    return exc


class _ChunkReader:
    """A file-like `read(n)` over an iterator of byte chunks (a download as it arrives); counts
    the bytes received and keeps the first few (to say what a body that isn't Avro was)."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks = chunks
        self.buffer = bytearray()
        self.received = 0
        self.head = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            if len(self.head) < 256:
                self.head += chunk[: 256 - len(self.head)]
            self.received += len(chunk)
            self.buffer += chunk
        if size < 0:
            size = len(self.buffer)
        taken = bytes(self.buffer[:size])
        del self.buffer[:size]
        return taken


def save_dataset(client: Any, dataset: Any, filepath: str, format: str, transport: Any) -> None:
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    data = _dataset(client, dataset)
    records = dataset_records(client, data, transport)
    schema = None
    if format == "avro":
        if not data.get("schema"):
            raise CohereError(f"dataset {data.get('id')!r} has no schema to write Avro with")
        schema = json.loads(data["schema"])
    folder, name = os.path.split(os.path.abspath(filepath))
    # beside the target (one file system, so the move is atomic), made with the usual umask
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.part")
    opened = open(temporary, "xb") if schema is not None else open(temporary, "x", encoding="utf-8", newline="")
    try:
        with opened as out:
            _write(out, format, records, schema)
        os.replace(temporary, filepath)
    except BaseException:
        os.unlink(temporary)
        raise


def _write(out: Any, format: str, records: Iterator[dict[str, Any]], schema: Any) -> None:
    if format == "avro":
        from fastavro import parse_schema, writer

        writer(out, parse_schema(schema), records)
    elif format == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        table: Any = None
        for record in records:
            if table is None:
                table = csv.DictWriter(out, fieldnames=list(record))
                table.writeheader()
            table.writerow(record)
