"""Connectors, kept in the server's store. A service-auth token is never shown again."""

from __future__ import annotations

from typing import Any

from ._exchange import Call, not_found
from ._paging import number
from ._text import now

__all__ = [
    "connectors_create",
    "connectors_list",
    "connectors_get",
    "connectors_update",
    "connectors_delete",
    "connectors_o_auth_authorize",
]


def _connector_fields(body: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        key: body[key]
        for key in ("name", "url", "description", "excludes", "active", "continue_on_failure")
        if key in body
    }
    oauth = body.get("oauth")
    if isinstance(oauth, dict):
        fields["oauth"] = {
            "authorize_url": "https://example.com/authorize",
            "token_url": "https://example.com/token",
            **oauth,
        }
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
    offset = number(call.arg("offset"), 0)
    limit = number(call.arg("limit"), 30)
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
