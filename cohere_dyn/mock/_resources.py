"""Stateful behaviours: datasets, embed jobs, connectors, fine-tuned models, and the model catalogue.

Records live in the server's `Store`. Long-running work advances one step per `get`:
datasets are queued -> processing -> validated, embed jobs processing -> complete (cancel makes
them cancelled), fine-tuned models queued -> finetuning -> deploying -> ready. Keys that start
with "_" are the mock's own bookkeeping and never reach the client.
"""

from __future__ import annotations

import base64
from typing import Any

from ._exchange import Call, Reply, not_found
from ._text import meta, new_id, now

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
    "connectors_create",
    "connectors_list",
    "connectors_get",
    "connectors_update",
    "connectors_delete",
    "connectors_o_auth_authorize",
    "finetuned_models_create",
    "finetuned_models_list",
    "finetuned_models_get",
    "finetuned_models_update",
    "finetuned_models_delete",
    "finetuned_models_events",
    "finetuned_models_metrics",
    "models_list",
    "models_get",
]

_DATASET_STEPS = {"queued": "processing", "processing": "validated"}
_JOB_STEPS = {"processing": "complete"}
_MODEL_STEPS = {
    "STATUS_QUEUED": "STATUS_FINETUNING",
    "STATUS_FINETUNING": "STATUS_DEPLOYING_API",
    "STATUS_DEPLOYING_API": "STATUS_READY",
}
_TRAINING_STEPS = 5

# (name, endpoints, default endpoints, context length, vision)
_CATALOGUE = [
    ("command-a-03-2025", ["chat", "generate"], ["chat"], 256000, False),
    ("command-r-plus-08-2024", ["chat", "generate"], [], 128000, False),
    ("command-r-08-2024", ["chat", "generate", "summarize"], ["generate", "summarize"], 128000, False),
    ("command-r7b-12-2024", ["chat", "generate"], [], 128000, False),
    ("command-a-vision-07-2025", ["chat"], [], 128000, True),
    ("embed-v4.0", ["embed"], ["embed"], 128000, True),
    ("embed-english-v3.0", ["embed", "classify"], ["classify"], 512, True),
    ("embed-multilingual-v3.0", ["embed", "classify"], [], 512, True),
    ("rerank-v3.5", ["rerank"], ["rerank"], 4096, False),
    ("rerank-english-v3.0", ["rerank"], [], 4096, False),
]


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def _advance(record: dict[str, Any], key: str, steps: dict[str, str]) -> None:
    nxt = steps.get(record[key])
    if nxt is not None:
        record[key] = nxt
        record["updated_at"] = now()


def _number(value: Any, default: int) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _page(call: Call, items: list[Any], default_size: int) -> tuple[list[Any], str | None] | Reply:
    """One page of `items` after `page_token`, and the token of the next page (None on the last)."""
    size = _number(call.arg("page_size"), 0) or default_size
    token = call.arg("page_token") or ""
    start = 0
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
            if start < 0:
                raise ValueError(token)
        except ValueError:
            return Reply(400, {"message": "page_token is not a token this server gave out"})
    end = start + size
    following = base64.urlsafe_b64encode(f"offset:{end}".encode()).decode() if end < len(items) else None
    return items[start:end], following


def _paged(call: Call, items: list[Any], key: str, default_size: int, total: str | None = None) -> Any:
    found = _page(call, items, default_size)
    if isinstance(found, Reply):
        return found
    page, following = found
    answer: dict[str, Any] = {key: page}
    if following is not None:
        answer["next_page_token"] = following
    if total is not None:
        answer[total] = len(items)
    return answer


# ------------------------------------------------------------------------------------ datasets


def datasets_create(call: Call) -> dict[str, Any]:
    parts = call.body if isinstance(call.body, dict) else {}
    name = str(call.arg("name") or "dataset")
    ident = call.store.new_id(name)
    kept = [*call.query.get("keep_fields", ()), *call.query.get("optional_fields", ())]
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
        "_bytes": sum(len(data) for data in parts.values()),
    }
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
            _public(record)
            for record in call.store.records("datasets").values()
            if (kind is None or record["dataset_type"] == kind)
            and (status is None or record["validation_status"] == status)
            and (before is None or record["created_at"] < before)
            and (after is None or record["created_at"] > after)
        ]
    offset = _number(call.arg("offset"), 0)
    limit = _number(call.arg("limit"), len(found))
    return {"datasets": found[offset : offset + limit]}


def datasets_get(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        record = call.store.records("datasets").get(ident)
        if record is None:
            return not_found("dataset", ident)
        answer = {"dataset": _public(record)}
        _advance(record, "validation_status", _DATASET_STEPS)
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
        }
        if call.body.get("name"):
            record["name"] = call.body["name"]
        call.store.records("embed_jobs")[ident] = record
    return {"job_id": ident, "meta": meta()}


def embed_jobs_list(call: Call) -> dict[str, Any]:
    with call.store.lock:
        return {"embed_jobs": [_public(record) for record in call.store.records("embed_jobs").values()]}


def embed_jobs_get(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        record = call.store.records("embed_jobs").get(ident)
        if record is None:
            return not_found("embed job", ident)
        answer = _public(record)
        if record["status"] == "processing":
            record["status"] = "complete"
            record["output_dataset_id"] = _result_dataset(call, record)
    return answer


def _result_dataset(call: Call, job: dict[str, Any]) -> str:
    """The embed-result dataset a finished job leaves behind."""
    ident = call.store.new_id(f"{job['input_dataset_id']}-embeddings")
    stamp = now()
    call.store.records("datasets")[ident] = {
        "id": ident,
        "name": f"{job.get('name') or job['job_id']} embeddings",
        "created_at": stamp,
        "updated_at": stamp,
        "dataset_type": "embed-result",
        "validation_status": "validated",
        "_bytes": 0,
    }
    return ident


def embed_jobs_cancel(call: Call) -> Reply:
    ident = call.path_params["id"]
    with call.store.lock:
        record = call.store.records("embed_jobs").get(ident)
        if record is None:
            return not_found("embed job", ident)
        if record["status"] == "processing":
            record["status"] = "cancelled"
    return Reply(200)


# ---------------------------------------------------------------------------------- connectors


def _connector_fields(body: dict[str, Any]) -> dict[str, Any]:
    fields = {key: body[key] for key in ("name", "url", "description", "excludes", "active", "continue_on_failure") if key in body}
    oauth = body.get("oauth")
    if isinstance(oauth, dict):
        fields["oauth"] = {"authorize_url": "https://example.com/authorize", "token_url": "https://example.com/token", **oauth}
        fields["auth_type"] = "oauth"
    service = body.get("service_auth")
    if isinstance(service, dict):
        fields["auth_type"] = service.get("type", "bearer")  # the token itself is never shown again
    return fields


def connectors_create(call: Call) -> dict[str, Any]:
    ident = call.store.new_id("connector")
    stamp = now()
    record = {
        "id": ident,
        "organization_id": "mock-organization",
        "created_at": stamp,
        "updated_at": stamp,
        "active": True,
        "continue_on_failure": False,
        **_connector_fields(call.body),
    }
    with call.store.lock:
        call.store.records("connectors")[ident] = record
    return {"connector": dict(record)}


def connectors_list(call: Call) -> dict[str, Any]:
    with call.store.lock:
        found = [dict(record) for record in reversed(call.store.records("connectors").values())]
    offset = _number(call.arg("offset"), 0)
    limit = _number(call.arg("limit"), 30)
    return {"connectors": found[offset : offset + limit], "total_count": len(found)}


def connectors_get(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        record = call.store.records("connectors").get(ident)
        return not_found("connector", ident) if record is None else {"connector": dict(record)}


def connectors_update(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        record = call.store.records("connectors").get(ident)
        if record is None:
            return not_found("connector", ident)
        record.update(_connector_fields(call.body), updated_at=now())
        return {"connector": dict(record)}


def connectors_delete(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        if call.store.records("connectors").pop(ident, None) is None:
            return not_found("connector", ident)
    return {}


def connectors_o_auth_authorize(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        if ident not in call.store.records("connectors"):
            return not_found("connector", ident)
    return {"redirect_url": f"https://example.com/oauth/authorize?connector={ident}"}


# ---------------------------------------------------------------------------- fine-tuned models


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
    return {"finetuned_model": _public(record)}


def _finetuned(call: Call, ident: str) -> dict[str, Any] | None:
    return call.store.records("finetuned_models").get(ident)


def finetuned_models_list(call: Call) -> Any:
    with call.store.lock:
        found = [_public(record) for record in call.store.records("finetuned_models").values()]
    return _paged(call, found, "finetuned_models", 50, total="total_size")


def finetuned_models_get(call: Call) -> Any:
    ident = call.path_params["id"]
    with call.store.lock:
        record = _finetuned(call, ident)
        if record is None:
            return not_found("fine-tuned model", ident)
        answer = {"finetuned_model": _public(record)}
        before = record["status"]
        _advance(record, "status", _MODEL_STEPS)
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
        return {"finetuned_model": _public(record)}


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
    return _paged(call, events, "events", 50, total="total_size")


def finetuned_models_metrics(call: Call) -> Any:
    ident = call.path_params["finetuned_model_id"]
    with call.store.lock:
        record = _finetuned(call, ident)
        if record is None:
            return not_found("fine-tuned model", ident)
        stamp = record["created_at"]
    steps = [
        {"created_at": stamp, "step_number": step * 10, "metrics": {"accuracy": round(0.5 + 0.08 * step, 3), "loss": round(2.0 / step, 3)}}
        for step in range(1, _TRAINING_STEPS + 1)
    ]
    return _paged(call, steps, "step_metrics", 50)


# ------------------------------------------------------------------------------------- models


def _model(entry: tuple[str, list[str], list[str], int, bool]) -> dict[str, Any]:
    name, endpoints, defaults, context, vision = entry
    return {
        "name": name,
        "endpoints": endpoints,
        "finetuned": False,
        "context_length": context,
        "tokenizer_url": f"https://example.com/tokenizers/{name}.json",
        "supports_vision": vision,
        "default_endpoints": defaults,
        "features": ["tools"] if "chat" in endpoints else [],
    }


def models_list(call: Call) -> Any:
    endpoint = call.arg("endpoint")
    default_only = call.arg("default_only") == "true"
    found = [
        _model(entry)
        for entry in _CATALOGUE
        if endpoint is None or (endpoint in (entry[2] if default_only else entry[1]))
    ]
    return _paged(call, found, "models", 20)


def models_get(call: Call) -> Any:
    name = call.path_params["model"]
    entry = next((entry for entry in _CATALOGUE if entry[0] == name), None)
    return not_found("model", name) if entry is None else _model(entry)
