"""Fold a stream's events into the result the same call would have returned without streaming.

One rule for every stream, guided by the operation's (non-streamed) response schema:
- an event field whose schema *is* that response schema (v1 chat's stream-end `response`) is
  the final result;
- otherwise each event is merged into the result: a `delta` object merges at the top, strings
  concatenate, lists extend, objects merge key by key, and an object sent for a field the schema
  declares as an array lands at the event's `index` in that array (v2 content, tool calls,
  citations). Discriminator, `index` and `is_finished` are bookkeeping, not data.
Text pieces are the strings merged into a `text` field; `last_text` is the latest one.
"""

from __future__ import annotations

from typing import Any

from ._models import Model
from ._operations import Operation
from ._schemas import discriminator_values
from ._spec import Spec

__all__ = ["Accumulator"]

_BOOKKEEPING = frozenset({"index", "is_finished"})


class Accumulator:
    def __init__(self, operation: Operation, spec: Spec):
        self._spec = spec
        self._resolver = spec.resolver
        self._schema = operation.response_schema
        self._response_ref = self._schema.get("$ref") if isinstance(self._schema, dict) else None
        schemas = list(operation.event_schemas.values())
        target = self._resolver.deref(schemas[0]) if schemas else None
        union = discriminator_values(self._resolver, target) if isinstance(target, dict) else None
        self._skip = _BOOKKEEPING | ({target["discriminator"]["propertyName"]} if union else set())
        self._final_fields = self._fields_holding_response(union or {})
        self._result: dict[str, Any] = {}
        self._final: dict[str, Any] | None = None
        self.last_text: str | None = None

    def _fields_holding_response(self, branches: dict[str, Any]) -> frozenset[str]:
        if self._response_ref is None:
            return frozenset()
        fields = set()
        for branch in branches.values():
            target = self._resolver.deref(branch)
            for name, sub in ((target or {}).get("properties") or {}).items() if isinstance(target, dict) else ():
                if isinstance(sub, dict) and sub.get("$ref") == self._response_ref:
                    fields.add(name)
        return frozenset(fields)

    def add(self, event: Model) -> None:
        data = event.to_dict()
        self.last_text = None
        index = data.get("index")
        for key, value in data.items():
            if key in self._skip:
                continue
            if key in self._final_fields and isinstance(value, dict):
                self._final = value
            elif key == "delta" and isinstance(value, dict):
                for inner, item in value.items():
                    self._merge(self._result, inner, item, self._schema, index)
            else:
                self._merge(self._result, key, value, self._schema, index)

    def _merge(self, into: dict[str, Any], key: str, value: Any, schema: Any, index: Any) -> None:
        field_schema = self._property(schema, key)
        current = into.get(key)
        if isinstance(value, str) and (current is None or isinstance(current, str)):
            into[key] = (current or "") + value
            if key == "text":
                self.last_text = value
        elif isinstance(value, list):
            into[key] = [*current, *value] if isinstance(current, list) else list(value)
        elif isinstance(value, dict):
            if isinstance(current, list) or (current is None and self._is_array(field_schema) and isinstance(index, int)):
                items = current if isinstance(current, list) else into.setdefault(key, [])
                position = index if isinstance(index, int) else len(items)
                while len(items) <= position:
                    items.append(None)
                if isinstance(items[position], dict):
                    item_schema = self._items(field_schema)
                    for inner, item in value.items():
                        self._merge(items[position], inner, item, item_schema, index)
                else:
                    items[position] = _copy(value)
            elif isinstance(current, dict):
                for inner, item in value.items():
                    self._merge(current, inner, item, field_schema, index)
            else:
                into[key] = _copy(value)
        else:
            into[key] = value

    def _property(self, schema: Any, key: str) -> Any:
        target = self._resolver.deref(schema) if schema is not None else None
        if not isinstance(target, dict):
            return None
        for part in [target, *(self._resolver.deref(p) for p in target.get("allOf", ()))]:
            if isinstance(part, dict) and key in (part.get("properties") or {}):
                return part["properties"][key]
        return None

    def _is_array(self, schema: Any) -> bool:
        target = self._resolver.deref(schema) if schema is not None else None
        return isinstance(target, dict) and (target.get("type") == "array" or "items" in target)

    def _items(self, schema: Any) -> Any:
        target = self._resolver.deref(schema) if schema is not None else None
        return target.get("items") if isinstance(target, dict) else None

    def result(self) -> Model:
        data = self._final if self._final is not None else self._result
        shape = self._spec.shapes.shape(self._schema) if self._schema is not None else None
        return Model(data, shape)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value
