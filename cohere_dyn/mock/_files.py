"""Dataset files in the mock: uploaded rows read from .jsonl or .csv, served back as Avro.

A part's `url` is `/_mock/files/{dataset id}` on the mock itself; like a signed download link,
it needs no key. fastavro (the `datasets` extra) writes the file when one is asked for.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from ._exchange import Call

__all__ = ["FILES_PREFIX", "avro_schema", "rows_of", "serve_file", "served_part"]

FILES_PREFIX = "/_mock/files/"


def rows_of(data: bytes) -> list[dict[str, Any]]:
    """The rows of an uploaded file: JSON lines, else CSV with a header."""
    text = data.decode("utf-8", errors="replace")
    if text.lstrip().startswith("{"):
        return [row for row in (json.loads(line) for line in text.splitlines() if line.strip()) if isinstance(row, dict)]
    return list(csv.DictReader(io.StringIO(text)))


def part_url(call: Call, dataset_id: str) -> str:
    return f"http://{call.headers.get('host', '127.0.0.1')}{FILES_PREFIX}{dataset_id}"


def served_part(call: Call, dataset_id: str, rows: list[dict[str, Any]], schema: str) -> dict[str, Any]:
    """What a part served by the mock declares of its file: its `url`, `num_rows` and, when the
    file can be written (fastavro is here, the rows fit the schema the mock derived), its
    `size_bytes` (every write of the same rows has the same length, whatever its sync marker)."""
    declared: dict[str, Any] = {"url": part_url(call, dataset_id), "num_rows": len(rows)}
    try:
        declared["size_bytes"] = len(_avro_file(rows, schema))
    except (ImportError, ValueError):
        pass
    return declared


def avro_schema(rows: list[dict[str, Any]]) -> str:
    """An Avro record schema (as JSON text) that every row fits."""
    fields: dict[str, Any] = {}
    for row in rows:
        for key, value in row.items():
            fields.setdefault(key, _avro_type(key, value))
    listed = [{"name": key, "type": ["null", kind], "default": None} for key, kind in fields.items()]
    return json.dumps({"type": "record", "name": "Row", "fields": listed})


def _avro_type(key: str, value: Any) -> Any:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, list):
        return {"type": "array", "items": "double" if any(isinstance(item, float) for item in value) else "long"}
    if isinstance(value, dict):
        return {
            "type": "record",
            "name": f"{key.capitalize()}Record",
            "fields": [{"name": name, "type": ["null", _avro_type(name, item)], "default": None} for name, item in value.items()],
        }
    return "string"


def serve_file(store: Any, path: str) -> tuple[int, bytes]:
    """The status and body for a GET of a dataset's file."""
    ident = path[len(FILES_PREFIX) :]
    with store.lock:
        record = store.records("datasets").get(ident)
        rows = list((record or {}).get("_rows") or [])
        schema = (record or {}).get("schema")
    if record is None or schema is None:
        return 404, b"no such file"
    return 200, _avro_file(rows, schema)


def _avro_file(rows: list[dict[str, Any]], schema: str) -> bytes:
    from fastavro import parse_schema, writer

    buffer = io.BytesIO()
    writer(buffer, parse_schema(json.loads(schema)), rows)
    return buffer.getvalue()
