"""Datasets and embed jobs, kept in the server's store.

A dataset is validated one step per `get` (queued -> processing -> validated); an embed job
completes on the `get` after its creation (leaving an embed-result dataset), unless cancelled.

The uploaded rows are kept (.jsonl or .csv; `text` and the fields named by keep_fields and
optional_fields), and a dataset's part has a `url` where the mock serves its rows as an Avro
file, without a key, as a signed download link would be: a finished embed job's result dataset
holds each input's text, kept fields and `embeddings` by type, so a round trip returns what was
uploaded.
"""

from __future__ import annotations

from typing import Any

from ._exchange import Call, Reply, not_found
from ._files import avro_schema, rows_of, served_part
from ._paging import number
from ._retrieval import DIMENSION, _by_type
from ._store import advance, public
from ._text import meta, now

__all__ = [
    "datasets_create",
    "datasets_list",
    "datasets_get",
    "datasets_delete",
    "datasets_get_usage",
    "embed_jobs_create",
    "embed_jobs_list",
    "embed_jobs_get",
    "embed_jobs_cancel",
]

_DATASET_STEPS = {"queued": "processing", "processing": "validated"}


def datasets_create(call: Call) -> dict[str, Any]:
    parts = call.body if isinstance(call.body, dict) else {}
    name = str(call.arg("name") or "dataset")
    ident = call.store.new_id(name)
    kept = [*call.query.get("keep_fields", ()), *call.query.get("optional_fields", ())]
    rows = rows_of(parts.get("data", b""))
    if str(call.arg("type")).startswith("embed"):  # an embed input keeps its text and the fields named
        rows = [_kept(row, kept) for row in rows]
    record: dict[str, Any] = {
        "id": ident,
        "name": name,
        "created_at": now(),
        "updated_at": now(),
        "dataset_type": call.arg("type"),
        "validation_status": "queued",
        "dataset_parts": [
            {"id": f"{ident}-{part}", "name": part, "index": index, "size_bytes": len(data)}
            for index, (part, data) in enumerate(parts.items())
        ],
        "schema": avro_schema(rows),
        "_bytes": sum(len(data) for data in parts.values()),
        "_rows": rows,
    }
    record["dataset_parts"][0].update(served_part(call, ident, rows, record["schema"]))  # the part served holds every row
    if kept:
        record["preserve_fields"] = kept
    if call.arg("dry_run") != "true":
        with call.store.lock:
            call.store.records("datasets")[ident] = record
    return {"id": ident}


def datasets_list(call: Call) -> dict[str, Any]:
    kind, status = call.arg("datasetType"), call.arg("validationStatus")
    before, after = call.arg("before"), call.arg("after")
    with call.store.lock:
        found = [
            public(record)
            for record in call.store.records("datasets").values()
            if (kind is None or record["dataset_type"] == kind)
            and (status is None or record["validation_status"] == status)
            and (before is None or record["created_at"] < before)
            and (after is None or record["created_at"] > after)
        ]
    offset = number(call.arg("offset"), 0)
    limit = number(call.arg("limit"), len(found))
    return {"datasets": found[offset : offset + limit]}


def datasets_get(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        record = call.store.records("datasets").get(ident)
        if record is None:
            return not_found("dataset", ident)
        answer = {"dataset": public(record)}
        advance(record, "validation_status", _DATASET_STEPS)
    return answer


def datasets_delete(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        if call.store.records("datasets").pop(ident, None) is None:
            return not_found("dataset", ident)
    return {}


def datasets_get_usage(call: Call) -> dict[str, Any]:
    with call.store.lock:
        used = sum(record["_bytes"] for record in call.store.records("datasets").values())
    return {"organization_usage": used}


# ---------------------------------------------------------------------------------- embed jobs


def embed_jobs_create(call: Call) -> Any:
    dataset_id = str(call.body["dataset_id"])
    with call.store.lock:
        if dataset_id not in call.store.records("datasets"):
            return not_found("dataset", dataset_id)
        ident = call.store.new_id("embed-job")
        record = {
            "job_id": ident,
            "status": "processing",
            "created_at": now(),
            "input_dataset_id": dataset_id,
            "model": call.body["model"],
            "truncate": call.body.get("truncate") or "END",
            "_types": call.body.get("embedding_types") or ["float"],
        }
        if call.body.get("name"):
            record["name"] = call.body["name"]
        call.store.records("embed_jobs")[ident] = record
    return {"job_id": ident, "meta": meta()}


def embed_jobs_list(call: Call) -> dict[str, Any]:
    with call.store.lock:
        return {"embed_jobs": [public(record) for record in call.store.records("embed_jobs").values()]}


def embed_jobs_get(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        record = call.store.records("embed_jobs").get(ident)
        if record is None:
            return not_found("embed job", ident)
        answer = public(record)
        if record["status"] == "processing":
            record["status"] = "complete"
            record["output_dataset_id"] = _result_dataset(call, record)
    return answer


def _result_dataset(call: Call, job: dict[str, Any]) -> str:
    """The embed-result dataset a finished job leaves behind: each input row with its embeddings."""
    ident = call.store.new_id(f"{job['input_dataset_id']}-embeddings")
    stamp = now()
    source = call.store.records("datasets").get(job["input_dataset_id"]) or {}
    rows = source.get("_rows") or []
    vectors = _by_type(job["_types"], [str(row.get("text")) for row in rows], DIMENSION)
    results = [
        {**row, "embeddings": {kind: values[index] for kind, values in vectors.items()}} for index, row in enumerate(rows)
    ]
    schema = avro_schema(results)
    call.store.records("datasets")[ident] = {
        "id": ident,
        "name": f"{job.get('name') or job['job_id']} embeddings",
        "created_at": stamp,
        "updated_at": stamp,
        "dataset_type": "embed-result",
        "validation_status": "validated",
        "schema": schema,
        "dataset_parts": [{"id": f"{ident}-0", "name": "embeddings", "index": 0, **served_part(call, ident, results, schema)}],
        "_bytes": 0,
        "_rows": results,
    }
    return ident


def _kept(row: dict[str, Any], kept: list[str]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key == "text" or key in kept}


def embed_jobs_cancel(call: Call) -> Reply:
    ident = call.path_params["id"]
    with call.store.lock:
        record = call.store.records("embed_jobs").get(ident)
        if record is None:
            return not_found("embed job", ident)
        if record["status"] == "processing":
            record["status"] = "cancelled"
    return Reply(200)
