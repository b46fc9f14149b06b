"""Values built from a schema: the answer of any operation the mock has no behaviour for.

`Synthesizer.value(schema)` walks a schema of the document and returns a JSON value that
validates against it: objects with their required properties (and, near the top, their other
properties too), the first value of an enum, arrays of one item, strings and numbers that look
plausible for the property's name and respect its limits. `$ref`, `allOf`, `oneOf`/`anyOf` (the
discriminator's first mapping when there is one) and reference cycles are handled.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from .._spec._schemas import Resolver, discriminator_values

__all__ = ["Synthesizer"]

# Optional properties are filled in this many levels deep; below, objects get required ones only.
_COMMON_DEPTH = 2
_MAX_DEPTH = 24
_DATETIME = "2025-04-15T12:00:00Z"


class Synthesizer:
    """Builds example values for the schemas of one document."""

    def __init__(self, resolver: Resolver):
        self.resolver = resolver

    def value(self, schema: Any, name: str = "") -> Any:
        """A value valid against `schema`; `name` (the property it fills) guides plausible strings."""
        return self._walk(schema, name, 0, ())

    def _walk(self, schema: Any, name: str, depth: int, refs: tuple[str, ...]) -> Any:
        if schema is True or schema is None or schema == {}:
            return _string(name, {})
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return None
        schema, refs = self._resolve(schema, refs)
        lean = len(refs) != len(set(refs))  # inside a reference cycle: only what is required
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return next((value for value in schema["enum"] if value is not None), None)
        if isinstance(schema.get("allOf"), list):
            return self._walk(self._merged(schema, refs), name, depth, refs)
        if schema.get("oneOf") or schema.get("anyOf"):
            return self._union(schema, name, depth, refs)
        kind = _type_of(schema)
        if kind == "object":
            return self._object(schema, depth, refs, lean)
        if kind == "array":
            return self._array(schema, name, depth, refs, lean)
        if kind == "string":
            return _string(name, schema)
        if kind in ("integer", "number"):
            return _number(schema, kind)
        if kind == "boolean":
            return False
        return None

    def _resolve(self, schema: dict[str, Any], refs: tuple[str, ...]) -> tuple[dict[str, Any], tuple[str, ...]]:
        """Follow `$ref`s, keeping any keywords written beside them (OpenAPI 3.1 allows that)."""
        while isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            target = self.resolver.lookup(ref)
            siblings = {key: value for key, value in schema.items() if key != "$ref"}
            schema = {**target, **siblings} if isinstance(target, dict) else siblings
            refs = (*refs, ref)
        return schema, refs

    def _merged(self, schema: dict[str, Any], refs: tuple[str, ...]) -> dict[str, Any]:
        """One schema holding what every `allOf` part says (properties and required lists joined)."""
        merged: dict[str, Any] = {key: value for key, value in schema.items() if key != "allOf"}
        properties = dict(merged.get("properties") or {})
        required = list(merged.get("required") or ())
        for part in schema["allOf"]:
            part, _ = self._resolve(part, refs) if isinstance(part, dict) else ({}, refs)
            if isinstance(part.get("allOf"), list):
                part = self._merged(part, refs)
            properties.update(part.get("properties") or {})
            required.extend(name for name in part.get("required") or () if name not in required)
            for key, value in part.items():
                if key not in ("properties", "required"):
                    merged.setdefault(key, value)
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = required
        return merged

    def _union(self, schema: dict[str, Any], name: str, depth: int, refs: tuple[str, ...]) -> Any:
        rest = {key: value for key, value in schema.items() if key not in ("oneOf", "anyOf", "discriminator")}
        dispatch = discriminator_values(self.resolver, schema)
        if dispatch:
            tag, branch = next(iter(dispatch.items()))
            value = self._walk({"allOf": [rest, branch]} if _constrains(rest) else branch, name, depth, refs)
            if isinstance(value, dict):
                value[schema["discriminator"]["propertyName"]] = tag
            return value
        branches: list[Any] = schema.get("oneOf") or schema.get("anyOf") or []
        branch = next((b for b in branches if _type_of(self._resolve(b, refs)[0]) != "null"), branches[0])
        return self._walk({"allOf": [rest, branch]} if _constrains(rest) else branch, name, depth, refs)

    def _object(self, schema: dict[str, Any], depth: int, refs: tuple[str, ...], lean: bool) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        required = [key for key in schema.get("required") or () if key in properties]
        chosen = list(required)
        if not lean and depth < _COMMON_DEPTH:
            chosen += [key for key, sub in properties.items() if key not in required and _common(sub)]
        out = {key: self._walk(properties[key], key, depth + 1, refs) for key in chosen}
        extra = schema.get("additionalProperties")
        while len(out) < schema.get("minProperties", 0):
            out[f"key{len(out)}"] = self._walk(extra if isinstance(extra, dict) else {}, "key", depth + 1, refs)
        return out

    def _array(self, schema: dict[str, Any], name: str, depth: int, refs: tuple[str, ...], lean: bool) -> list[Any]:
        prefix = schema.get("prefixItems") or []
        count = max(schema.get("minItems", 0), len(prefix), 0 if lean else 1)
        count = min(count, schema.get("maxItems", count))
        items = schema.get("items", {})
        out = [self._walk(prefix[i] if i < len(prefix) else items, name, depth + 1, refs) for i in range(count)]
        if schema.get("uniqueItems") and len(out) > 1:
            out = [_vary(value, i) for i, value in enumerate(out)]
        return out


def _type_of(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return "string"


def _constrains(schema: dict[str, Any]) -> bool:
    """Whether the keywords beside a union add anything a branch must also satisfy."""
    return any(key in schema for key in ("properties", "required", "allOf", "$ref"))


def _common(schema: Any) -> bool:
    return not (isinstance(schema, dict) and (schema.get("deprecated") or schema.get("writeOnly")))


def _string(name: str, schema: dict[str, Any]) -> str:
    fmt = schema.get("format")
    if fmt == "date-time" or (fmt is None and name.endswith("_at")):
        text = _DATETIME
    elif fmt == "date":
        text = _DATETIME[:10]
    elif fmt == "uuid" or name == "id" or name.endswith("_id"):
        text = str(uuid.uuid4())
    elif fmt in ("uri", "url") or name.endswith("url"):
        text = "https://example.com/mock"
    elif fmt == "email":
        text = "mock@example.com"
    elif fmt == "byte":
        text = "bW9jaw=="
    elif name == "name":
        text = "mock-name"
    elif name:
        text = "mock " + name.replace("_", " ")
    else:
        text = "mock"
    minimum, maximum = schema.get("minLength", 0), schema.get("maxLength")
    if len(text) < minimum:
        text += "x" * (minimum - len(text))
    return text[:maximum] if maximum is not None else text


def _number(schema: dict[str, Any], kind: str) -> int | float:
    integral = kind == "integer" or schema.get("format") in ("int32", "int64")
    value: float = 1 if integral else 0.5
    low, high = schema.get("minimum"), schema.get("maximum")
    low_open, high_open = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    step = 1 if integral else 0.01
    if isinstance(low_open, (int, float)) and not isinstance(low_open, bool):
        low = low_open + step
    if isinstance(high_open, (int, float)) and not isinstance(high_open, bool):
        high = high_open - step
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    multiple = schema.get("multipleOf")
    if multiple:
        value = math.ceil(value / multiple) * multiple
    return math.ceil(value) if integral else float(value)


def _vary(value: Any, index: int) -> Any:
    """The index-th of several distinct items built from one example (for uniqueItems)."""
    if isinstance(value, str):
        return f"{value} {index}" if index else value
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value + index
    return value
