"""Constructors for the spec's object schemas, named as the official SDK names its classes.

Code written for the official SDK builds payloads with typed classes (`cohere.UserChatMessageV2(
content="hi")`). Here each name is derived from the spec, and calling it returns a plain dict,
so such code runs unchanged and the payload is still checked against the spec when sent:

- a component schema by its name: `Tool(...)`, `FinetunedModel(...)`;
- a branch of a discriminated union: PascalCase(discriminator value) + union name, with the
  discriminator filled in: `UserChatMessageV2` is `{"role": "user", ...}` of `ChatMessageV2`;
- an inline object: parent name + PascalCase(property), plus `Value` for map values and `Item`
  for list items: `ToolV2Function`, `ToolParameterDefinitionsValue`.

A required property with one possible value (`const`) is filled in: `ParseDocument(image_url=u)`
is `{"type": "image_url", "image_url": u}`.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

from .._naming import did_you_mean, sdk_attribute
from ._schemas import Resolver, discriminator_values

__all__ = ["TypeIndex"]


def _pascal(text: str) -> str:
    """`json_object` -> `JsonObject`, `image_url` -> `ImageUrl`, `USER` -> `User`."""
    words = re.split(r"[^0-9A-Za-z]+", text)
    return "".join(w[:1].upper() + (w[1:].lower() if w.isupper() else w[1:]) for w in words if w)


class TypeIndex:
    """Every constructor name a spec offers, resolved to (schema, fixed fields) on demand."""

    def __init__(self, resolver: Resolver):
        self.resolver = resolver
        self._entries: dict[str, tuple[Any, dict[str, Any]]] | None = None

    def names(self) -> list[str]:
        return sorted(self._index())

    def constructor(self, name: str) -> Callable[..., dict[str, Any]]:
        index = self._index()
        if name not in index:
            raise AttributeError(f"no type {name!r} in the spec.{did_you_mean(name, index)}")
        schema, fixed = index[name]
        fields = self._fields(schema)
        fixed = {**self._pinned(schema), **fixed}
        # the official SDK's attribute names for fields that can't be one as they are (`float_` for `float`)
        spelt = {sdk_attribute(field): field for field in self._properties(schema) if sdk_attribute(field) != field}

        def construct(**kwargs: Any) -> dict[str, Any]:
            if spelt:
                kwargs = {spelt.get(key, key): value for key, value in kwargs.items()}
            if fields:
                for key in kwargs:
                    if key not in fields:
                        raise TypeError(f"{name}() got an unexpected keyword argument {key!r}.{did_you_mean(key, fields)}")
            return {**fixed, **{key: value for key, value in kwargs.items() if value is not None}}

        construct.__name__ = construct.__qualname__ = name
        construct.__doc__ = f"A {name} payload (a dict), as the spec describes it."
        return construct

    def _pinned(self, schema: Any) -> dict[str, Any]:
        """Required properties with one possible value (`const`), filled in as the SDK's defaults fill them."""
        target = self.resolver.deref(schema)
        if not isinstance(target, dict):
            return {}
        required = set(target.get("required") or ())
        properties = target.get("properties") or {}
        return {
            prop: sub["const"]
            for prop, sub in properties.items()
            if prop in required and isinstance(sub, dict) and "const" in sub
        }

    def _fields(self, schema: Any) -> set[str]:
        """The keywords a constructor accepts: its properties, or any when the object is open."""
        target = self.resolver.deref(schema)
        if not isinstance(target, dict) or target.get("additionalProperties") not in (None, False):
            return set()
        return self._properties(target)

    def _properties(self, schema: Any) -> set[str]:
        target = self.resolver.deref(schema)
        fields: set[str] = set()
        if isinstance(target, dict):
            for part in [target, *(self.resolver.deref(p) for p in target.get("allOf", ()))]:
                if isinstance(part, dict):
                    fields.update(part.get("properties") or {})
        return fields

    def _index(self) -> dict[str, tuple[Any, dict[str, Any]]]:
        if self._entries is None:
            entries: dict[str, tuple[Any, dict[str, Any]]] = {}
            schemas = self.resolver.document.get("components", {}).get("schemas", {}) or {}
            for name, schema in schemas.items():
                entries.setdefault(name, (schema, {}))
                for inner_name, inner, fixed in self._derived(name, schema, depth=0):
                    entries.setdefault(inner_name, (inner, fixed))
            self._entries = entries
        return self._entries

    def _derived(self, name: str, schema: Any, depth: int) -> Iterator[tuple[str, Any, dict[str, Any]]]:
        if depth > 4 or not isinstance(schema, dict) or "$ref" in schema:
            return
        branches = discriminator_values(self.resolver, schema)
        if branches:
            prop = schema["discriminator"]["propertyName"]
            for value, branch in branches.items():
                yield f"{_pascal(value)}{name}", branch, {prop: value}
        for prop, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, dict) and "$ref" not in sub:
                child = f"{name}{_pascal(prop)}"
                if sub.get("type") == "object" or "properties" in sub:
                    yield child, sub, {}
                yield from self._derived(child, sub, depth + 1)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and "$ref" not in extra:
            yield f"{name}Value", extra, {}
            yield from self._derived(f"{name}Value", extra, depth + 1)
        items = schema.get("items")
        if isinstance(items, dict) and "$ref" not in items:
            if items.get("type") == "object" or "properties" in items:
                yield f"{name}Item", items, {}
            yield from self._derived(f"{name}Item", items, depth + 1)
