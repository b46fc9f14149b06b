"""Fold a stream's events into the result the same call would have returned without streaming.

One rule for every stream, guided by the operation's (non-streamed) response schema:
- an event field that holds the complete result is the final result: its schema is the response
  schema, or declares every property the response schema requires (v1 chat's and generate's
  stream-end `response`);
- otherwise each event is merged into the result. An event with a `delta` object carries its
  increments there (v2): inside it strings concatenate and an object sent for a field the schema
  declares as an array lands at the event's `index` in that array (content, tool calls,
  citations); its other fields are values: strings replace, objects append to arrays (logprobs).
  An event without a `delta` is itself an increment (v1 text-generation). Lists extend and
  objects merge key by key. Discriminator, `index` and `is_finished` are bookkeeping, not data.
Text pieces are the strings merged into a `text` field; `last_text` is the latest one.
"""

from __future__ import annotations

from typing import Any

from .._models import Model, models_of, wrap
from .._spec._operations import Operation
from .._spec._schemas import discriminator_values
from .._spec._document import Spec

__all__ = ["Accumulator", "fold"]

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
        self._skip = _BOOKKEEPING | ({target["discriminator"]["propertyName"]} if union and isinstance(target, dict) else set())
        self._final_fields = self._fields_holding_response(union or {})
        self._result: dict[str, Any] = {}
        self._final: dict[str, Any] | None = None
        self.last_text: str | None = None

    def _fields_holding_response(self, branches: dict[str, Any]) -> frozenset[str]:
        response = self._resolver.deref(self._schema) if self._schema is not None else None
        required = set(response.get("required") or ()) if isinstance(response, dict) else set()
        fields = set()
        for branch in branches.values():
            target = self._resolver.deref(branch)
            properties = (target.get("properties") or {}) if isinstance(target, dict) else {}
            for name, sub in properties.items():
                if isinstance(sub, dict) and self._response_ref is not None and sub.get("$ref") == self._response_ref:
                    fields.add(name)
                    continue
                declared = self._resolver.deref(sub)
                if required and isinstance(declared, dict) and required <= set(declared.get("properties") or ()):
                    fields.add(name)
        return frozenset(fields)

    def add(self, event: Model) -> None:
        data = event._data  # as decoded: JSON (to_dict() would walk it for models, per event)
        self.last_text = None
        index = data.get("index")
        has_delta = isinstance(data.get("delta"), dict)
        for key, value in data.items():
            if key in self._skip:
                continue
            if key in self._final_fields and isinstance(value, dict):
                self._final = value
            elif key == "delta" and has_delta:
                for inner, item in value.items():
                    self._merge(self._result, inner, item, self._schema, index, True)
            else:
                self._merge(self._result, key, value, self._schema, index, not has_delta)

    def _merge(self, into: dict[str, Any], key: str, value: Any, schema: Any, index: Any, increment: bool) -> None:
        """Merge `value` into `into[key]`; `increment` says it extends what is there (a delta)."""
        field_schema = self._property(schema, key)
        current = into.get(key)
        if isinstance(value, str) and (current is None or isinstance(current, str)):
            into[key] = (current or "") + value if increment else value
            if increment and key == "text":
                self.last_text = value
        elif isinstance(value, list):
            into[key] = [*current, *value] if isinstance(current, list) else list(value)
        elif isinstance(value, dict):
            if isinstance(current, list) or (current is None and self._is_array(field_schema)):
                items = current if isinstance(current, list) else into.setdefault(key, [])
                position = index if increment and isinstance(index, int) else len(items)
                while len(items) <= position:
                    items.append(None)
                if isinstance(items[position], dict):
                    item_schema = self._items(field_schema)
                    for inner, item in value.items():
                        self._merge(items[position], inner, item, item_schema, index, increment)
                else:
                    items[position] = _copy(value)
            elif isinstance(current, dict):
                for inner, item in value.items():
                    self._merge(current, inner, item, field_schema, index, increment)
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
        shape = models_of(self._spec).shape(self._schema) if self._schema is not None else None
        return wrap(data, shape)


def fold(operation: Operation, spec: Spec, events: list[Model]) -> Model:
    """What a whole stream of events adds up to, shaped like the non-streamed response."""
    accumulator = Accumulator(operation, spec)
    for event in events:
        accumulator.add(event)
    return accumulator.result()


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value
