"""Fine-tuned models, kept in the server's store with their events and training metrics.

A model moves one status per `get`: queued -> finetuning -> deploying -> ready; each move is an event.
"""

from __future__ import annotations

from typing import Any

from ._exchange import Call, not_found
from ._paging import paged
from ._store import advance, public
from ._text import now

__all__ = [
    "finetuned_models_create",
    "finetuned_models_list",
    "finetuned_models_get",
    "finetuned_models_update",
    "finetuned_models_delete",
    "finetuned_models_events",
    "finetuned_models_metrics",
]

_MODEL_STEPS = {
    "STATUS_QUEUED": "STATUS_FINETUNING",
    "STATUS_FINETUNING": "STATUS_DEPLOYING_API",
    "STATUS_DEPLOYING_API": "STATUS_READY",
}
_TRAINING_STEPS = 5


def finetuned_models_create(call: Call) -> dict[str, Any]:
    ident = call.store.new_id("ft")
    stamp = now()
    record = {
        **call.body,
        "id": ident,
        "creator_id": "mock-owner",
        "organization_id": "mock-organization",
        "status": "STATUS_QUEUED",
        "created_at": stamp,
        "updated_at": stamp,
        "_events": [{"user_id": "mock-owner", "status": "STATUS_QUEUED", "created_at": stamp}],
    }
    with call.store.lock:
        call.store.records("finetuned_models")[ident] = record
    return {"finetuned_model": public(record)}


def _finetuned(call: Call, ident: str) -> dict[str, Any] | None:
    return call.store.records("finetuned_models").get(ident)


def finetuned_models_list(call: Call) -> Any:
    with call.store.lock:
        found = [public(record) for record in call.store.records("finetuned_models").values()]
    return paged(call, found, "finetuned_models", 50, total="total_size")


def finetuned_models_get(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        record = _finetuned(call, ident)
        if record is None:
            return not_found("fine-tuned model", ident)
        answer = {"finetuned_model": public(record)}
        before = record["status"]
        advance(record, "status", _MODEL_STEPS)
        if record["status"] != before:
            record["_events"].append({"user_id": "mock-owner", "status": record["status"], "created_at": now()})
    return answer


def finetuned_models_update(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        record = _finetuned(call, ident)
        if record is None:
            return not_found("fine-tuned model", ident)
        record.update({key: value for key, value in call.body.items() if key in ("name", "settings")}, updated_at=now())
        return {"finetuned_model": public(record)}


def finetuned_models_delete(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        if call.store.records("finetuned_models").pop(ident, None) is None:
            return not_found("fine-tuned model", ident)
    return {}


def finetuned_models_events(call: Call) -> Any:
    ident = call.path_params["finetuned_model_id"]
    with call.store.lock:
        record = _finetuned(call, ident)
        if record is None:
            return not_found("fine-tuned model", ident)
        events = list(record["_events"])
    return paged(call, events, "events", 50, total="total_size")


def finetuned_models_metrics(call: Call) -> Any:
    ident = call.path_params["finetuned_model_id"]
    with call.store.lock:
        record = _finetuned(call, ident)
        if record is None:
            return not_found("fine-tuned model", ident)
        stamp = record["created_at"]
    steps = [
        {
            "created_at": stamp,
            "step_number": step * 10,
            "metrics": {"accuracy": round(0.5 + 0.08 * step, 3), "loss": round(2.0 / step, 3)},
        }
        for step in range(1, _TRAINING_STEPS + 1)
    ]
    return paged(call, steps, "step_metrics", 50)
