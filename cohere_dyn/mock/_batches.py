"""Batch jobs, kept in the server's store beside the datasets they read and write.

A batch needs an existing input dataset. It moves one status per `retrieve` (QUEUED ->
IN_PROGRESS -> COMPLETED, leaving an output dataset with one answer per input record, whose
part is served like any dataset's: `{"custom_id", "status", "text"}` rows); a cancelled one goes
CANCELING, then CANCELED on the next `retrieve`.
"""

from __future__ import annotations

from typing import Any

from ._exchange import Call, not_found
from ._files import avro_schema, served_part
from ._paging import paged
from ._store import advance, public
from ._text import first_text, now, reply_to

__all__ = ["batches_create", "batches_list", "batches_retrieve", "batches_cancel"]

_STEPS = {
    "BATCH_STATUS_QUEUED": "BATCH_STATUS_IN_PROGRESS",
    "BATCH_STATUS_IN_PROGRESS": "BATCH_STATUS_COMPLETED",
    "BATCH_STATUS_CANCELING": "BATCH_STATUS_CANCELED",
}
_SETTLED = {"BATCH_STATUS_COMPLETED", "BATCH_STATUS_FAILED", "BATCH_STATUS_CANCELED"}


def batches_create(call: Call) -> Any:
    body = call.body if isinstance(call.body, dict) else {}
    dataset_id = str(body.get("input_dataset_id"))
    with call.store.lock:
        dataset = call.store.records("datasets").get(dataset_id)
        if dataset is None:
            return not_found("dataset", dataset_id)
        ident = call.store.new_id("batch")
        stamp = now()
        record = {
            "id": ident,
            "name": body.get("name"),
            "creator_id": "mock-user",
            "org_id": "mock-org",
            "status": "BATCH_STATUS_QUEUED",
            "created_at": stamp,
            "updated_at": stamp,
            "input_dataset_id": dataset_id,
            "model": body.get("model"),
            "input_tokens": str(dataset["_bytes"] // 4),
            "output_tokens": "0",
            "num_records": len(dataset.get("_rows") or ()),
            "num_successful_records": 0,
            "num_failed_records": 0,
            "status_reason": "",
        }
        call.store.records("batches")[ident] = record
        return {"batch": public(record)}


def batches_list(call: Call) -> Any:
    with call.store.lock:
        found = [public(record) for record in call.store.records("batches").values()]
    if call.arg("order_by", "").endswith(" desc"):
        found.reverse()
    return paged(call, found, "batches", 50)


def batches_retrieve(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        record = call.store.records("batches").get(ident)
        if record is None:
            return not_found("batch", ident)
        answer = {"batch": public(record)}
        advance(record, "status", _STEPS)
        if record["status"] == "BATCH_STATUS_COMPLETED" and "output_dataset_id" not in record:
            _finish(call, record)
    return answer


def batches_cancel(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        record = call.store.records("batches").get(ident)
        if record is None:
            return not_found("batch", ident)
        if record["status"] not in _SETTLED:
            record["status"] = "BATCH_STATUS_CANCELING"
            record["updated_at"] = now()
    return {}


def _finish(call: Call, batch: dict[str, Any]) -> None:
    """Every record answered: the counts, the tokens, and the output dataset."""
    records = batch["num_records"]
    batch["num_successful_records"] = records
    batch["output_tokens"] = str(12 * records)
    ident = call.store.new_id(f"{batch['id']}-output")
    source = call.store.records("datasets")[batch["input_dataset_id"]]
    answers = [
        {"custom_id": str(row.get("custom_id", index)), "status": "succeeded", "text": reply_to(_last_user_text(row))}
        for index, row in enumerate(source.get("_rows") or [])
    ]
    schema = avro_schema(answers)
    call.store.records("datasets")[ident] = {
        "id": ident,
        "name": f"{batch['name']} output",
        "created_at": batch["updated_at"],
        "updated_at": batch["updated_at"],
        "dataset_type": source["dataset_type"],
        "validation_status": "validated",
        "schema": schema,
        "dataset_parts": [{"id": f"{ident}-0", "name": "output", "index": 0, **served_part(call, ident, answers, schema)}],
        "_bytes": 0,
        "_rows": answers,
    }
    batch["output_dataset_id"] = ident


def _last_user_text(row: dict[str, Any]) -> str:
    """The text of the last user message of a batch request line (its `body.messages`)."""
    body: dict[str, Any] = row["body"] if isinstance(row.get("body"), dict) else {}
    said = [m.get("content") for m in body.get("messages") or [] if isinstance(m, dict) and m.get("role") == "user"]
    return first_text(said[-1]) if said else ""
