"""Constructors for the spec's object schemas, named as the official SDK names its classes.

Code written for the official SDK builds payloads with typed classes (`cohere.UserChatMessageV2(
content="hi")`) and reads answers through them. Here each name is derived from the spec:

- a component schema by its name: `Tool(...)`, `FinetunedModel(...)`, and by each further name
  its `x-cohere-dyn-sdk-names` lists (an SDK's name for it that the rules below don't give:
  `V2ChatResponse` for `ChatResponse`, 5.15's `SystemMessageContentItem`); further names are
  named through the rules below just as the schema's own;
- a branch of a discriminated union: PascalCase(discriminator value) + union name, with the
  discriminator filled in: `UserChatMessageV2` is `{"role": "user", ...}` of `ChatMessageV2`.
  The branch's own schema is the SDK's base class, without the discriminator:
  `UserMessageV2(content="hi")` is `{"content": "hi"}`. A union of one branch is that branch;
- an inline object: parent name + PascalCase(property), plus `Value` for map values and `Item`
  for list items: `ToolV2Function`, `ToolParameterDefinitionsValue`. (Where the SDK writes an
  item inline that the spec names, the spec's schema carries the SDK's name:
  `RerankResponseResultsItem`.)

A schema no operation uses may still be there for an SDK class of its name; it says so with
`x-cohere-dyn-sdk-only: true` (5.15's `TruncationStrategy`). `cohere-dyn lint` reports a name two
schemas claim.

A required property with one possible value (`const`, or an `enum` of one) is filled in:
`ParseDocument(image_url=u)` is `{"type": "image_url", "image_url": u}`.

Each name is a model class (`cohere_dyn._models`), built from the entry this index gives it;
a response object is an instance of the class its schema (and union branch) is named by here
(`TypeIndex.name_of`).

Where the SDK has a type alias rather than a class (an enum is a `Literal`, a union a `Union`),
the name is that alias here too, for annotations, not a constructor: a component schema that is
no object (`BatchStatus`), and an inline enum or union named by the rules above
(`ChatRequestSafetyMode`, `SystemMessageV2Content`, `RerankRequestDocumentsItem`).
"""

from __future__ import annotations

import re
import typing
from typing import Any, Dict, FrozenSet, Iterable, Iterator, Tuple

from .._naming import sdk_attribute
from ._schemas import Resolver, discriminator_values

__all__ = ["SDK_NAMES", "SDK_ONLY", "TypeIndex", "pascal", "sdk_names"]

SDK_NAMES = "x-cohere-dyn-sdk-names"
SDK_ONLY = "x-cohere-dyn-sdk-only"  # a schema no operation uses, kept for the SDK class of its name
_VALUE_TYPES = ("string", "integer", "number", "boolean", "array")


# (schema, fixed fields, discriminator properties the schema's own `const`s must not fill in)
_Entry = Tuple[Any, Dict[str, Any], FrozenSet[str]]


def sdk_names(schema: Any) -> list[str]:
    """The further names `x-cohere-dyn-sdk-names` gives a schema."""
    names = schema.get(SDK_NAMES) if isinstance(schema, dict) else None
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema object under `node` (dicts, depth first)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def pascal(text: str) -> str:
    """`json_object` -> `JsonObject`, `image_url` -> `ImageUrl`, `USER` -> `User`."""
    words = re.split(r"[^0-9A-Za-z]+", text)
    return "".join(w[:1].upper() + (w[1:].lower() if w.isupper() else w[1:]) for w in words if w)


class TypeIndex:
    """Every constructor name a spec offers, resolved to (schema, fixed fields) on demand."""

    def __init__(self, resolver: Resolver, requests: Iterable[tuple[str, Any]] = ()):
        """`requests`: (qualified method name, JSON body schema) of the spec's operations, whose
        inline types the SDK names after the method (`V2ChatStreamRequestSafetyMode`)."""
        self.resolver = resolver
        self.requests = list(requests)
        self._entries: dict[str, _Entry] | None = None
        self._names_by_schema: dict[tuple[int, tuple[tuple[str, Any], ...]], str] | None = None

    def names(self) -> list[str]:
        return sorted(self._index())

    def __contains__(self, name: object) -> bool:
        return name in self._index()

    def name_of(self, schema: Any, fixed: dict[str, Any]) -> str | None:
        """The first name whose entry is this schema object (dereferenced) with these fields filled
        in: the class an object read with that schema (or that branch of a union) gets."""
        if self._names_by_schema is None:
            found: dict[tuple[int, tuple[tuple[str, Any], ...]], str] = {}
            for name, (entry_schema, entry_fixed, _) in self._index().items():
                key = (id(self.resolver.deref(entry_schema)), _frozen(entry_fixed))
                found.setdefault(key, name)
            self._names_by_schema = found
        return self._names_by_schema.get((id(self.resolver.deref(schema)), _frozen(fixed)))

    def branch_name(self, value: Any, union_name: str) -> str:
        """The SDK's name for one branch of a discriminated union: `content-delta` of
        `StreamedChatResponseV2` is `ContentDeltaStreamedChatResponseV2`."""
        return f"{pascal(str(value))}{union_name}"

    def is_alias(self, name: str) -> bool:
        """Whether the SDK's name is a type alias (an enum, a union of values), not a class."""
        schema, fixed, _ = self.entry(name)
        target = self.resolver.deref(schema)
        if fixed or not isinstance(target, dict):
            return False
        if discriminator_values(self.resolver, target) or target.get("type") == "object" or "properties" in target:
            return False
        return "enum" in target or "oneOf" in target or "anyOf" in target or target.get("type") in _VALUE_TYPES

    def alias(self, name: str) -> Any:
        """The type alias of a name `is_alias` says is one: `Literal[...]` for an enum, else Any."""
        target = self.resolver.deref(self.entry(name)[0])
        values = target.get("enum") if isinstance(target, dict) else None
        return typing.Literal[tuple(values)] if isinstance(values, list) and values else typing.Any

    def entry(self, name: str) -> _Entry:
        """What a name constructs: (schema, fields it fills in, discriminators its schema's own
        values don't fill in: the SDK's base class of union branches)."""
        return self._index()[name]

    def keywords(self, name: str) -> tuple[list[tuple[str, str, bool]], bool]:
        """The keywords a constructor takes, [(SDK spelling, JSON name, required)] required first,
        and whether it takes any other (an open object): for the stubs."""
        schema, fixed, discriminators = self._index()[name]
        target = self.resolver.deref(schema)
        required = set(target.get("required") or ()) if isinstance(target, dict) else set()
        needed = required - {*fixed, *self.pinned(schema), *discriminators}
        accepted = self._fields(schema)
        fields = sorted((field for field in self.properties(schema) if field in accepted), key=lambda field: field not in needed)
        return [(sdk_attribute(field), field, field in needed) for field in fields], not accepted

    def pinned(self, schema: Any) -> dict[str, Any]:
        """Properties with one possible value, filled in as the SDK's defaults fill them: when
        required, or when that value is also the declared default (`ToolV2.type`)."""
        target = self.resolver.deref(schema)
        if not isinstance(target, dict):
            return {}
        required = set(target.get("required") or ())
        pinned: dict[str, Any] = {}
        for prop, sub in (target.get("properties") or {}).items():
            sub = self.resolver.deref(sub)
            if not isinstance(sub, dict):
                continue
            if "const" in sub:
                only = sub["const"]
            elif isinstance(sub.get("enum"), list) and len(sub["enum"]) == 1:
                only = sub["enum"][0]
            else:
                continue
            if prop in required or ("default" in sub and sub["default"] == only):
                pinned[prop] = only
        return pinned

    def _fields(self, schema: Any) -> set[str]:
        """The keywords a constructor accepts: its properties, or any when the object is open."""
        target = self.resolver.deref(schema)
        if not isinstance(target, dict) or target.get("additionalProperties") not in (None, False):
            return set()
        return set(self.properties(target))

    def properties(self, schema: Any) -> dict[str, Any]:
        """An object schema's properties, its `allOf` parts' included, in the order declared."""
        target = self.resolver.deref(schema)
        found: dict[str, Any] = {}
        if isinstance(target, dict):
            for part in [target, *(self.resolver.deref(p) for p in target.get("allOf", ()))]:
                if isinstance(part, dict):
                    found.update(part.get("properties") or {})
        return found

    def _index(self) -> dict[str, _Entry]:
        if self._entries is None:
            entries: dict[str, _Entry] = {}
            for name, entry, _, decisive in self.candidates():
                if decisive:
                    entries[name] = entry
                else:
                    entries.setdefault(name, entry)
            self._entries = entries
        return self._entries

    def candidates(self) -> Iterator[tuple[str, _Entry, str, bool]]:
        """Every (name, entry, component it comes from, decisive) the rules give, first come first
        served unless decisive; two candidates for one name are a collision `cohere-dyn lint` reports."""
        schemas = self.resolver.document.get("components", {}).get("schemas", {}) or {}
        discriminated = self._discriminated_branches(schemas)
        own = {name: self._own(schema, discriminated.get(name, frozenset())) for name, schema in schemas.items()}
        for name in schemas:
            yield name, own[name], name, False
        for name, schema in schemas.items():
            for alias in sdk_names(schema):
                yield alias, own[name], name, False
            for own_name in (name, *sdk_names(schema)):
                for inner_name, inner, fixed in self._derived(own_name, schema, depth=0):
                    # a branch schema already named as its branch: the SDK's class is the branch
                    decisive = inner == {"$ref": f"#/components/schemas/{inner_name}"}
                    yield inner_name, (inner, fixed, frozenset()), name, decisive
        for method, body in self.requests:
            request = "".join(pascal(part) for part in method.split(".")) + "Request"
            for inner_name, inner, fixed in self._derived(request, self.resolver.deref(body), depth=0):
                yield inner_name, (inner, fixed, frozenset()), request, False

    def _own(self, schema: Any, discriminators: frozenset[str]) -> _Entry:
        """What a schema's own name constructs: a union of one branch is that branch; a branch of
        unions is the SDK's base class, without the discriminators that tell it apart there."""
        branches = discriminator_values(self.resolver, schema) if isinstance(schema, dict) else None
        if branches and len(branches) == 1:
            ((value, branch),) = branches.items()
            return branch, {schema["discriminator"]["propertyName"]: value}, frozenset()
        return schema, {}, discriminators

    def _discriminated_branches(self, schemas: dict[str, Any]) -> dict[str, frozenset[str]]:
        """Component name -> the discriminator properties of the unions it is a branch of."""
        found: dict[str, set[str]] = {}
        prefix = "#/components/schemas/"
        for union in _nodes(schemas):
            branches = discriminator_values(self.resolver, union)
            for branch in (branches or {}).values():
                ref = branch.get("$ref") if isinstance(branch, dict) else None
                if isinstance(ref, str) and ref.startswith(prefix):
                    found.setdefault(ref[len(prefix):], set()).add(union["discriminator"]["propertyName"])
        return {name: frozenset(props) for name, props in found.items()}

    def _derived(self, name: str, schema: Any, depth: int) -> Iterator[tuple[str, Any, dict[str, Any]]]:
        if depth > 4 or not isinstance(schema, dict) or "$ref" in schema:
            return
        branches = discriminator_values(self.resolver, schema)
        if branches:
            prop = schema["discriminator"]["propertyName"]
            for value, branch in branches.items():
                yield self.branch_name(value, name), branch, {prop: value}
        for prop, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, dict) and "$ref" not in sub:
                child = f"{name}{pascal(prop)}"
                if _named(sub):
                    yield child, sub, {}
                yield from self._derived(child, sub, depth + 1)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and "$ref" not in extra:
            yield f"{name}Value", extra, {}
            yield from self._derived(f"{name}Value", extra, depth + 1)
        items = schema.get("items")
        if isinstance(items, dict) and "$ref" not in items:
            if _named(items):
                yield f"{name}Item", items, {}
            yield from self._derived(f"{name}Item", items, depth + 1)


def _frozen(fixed: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((key, value) for key, value in fixed.items() if isinstance(value, (str, int, bool, float))))


def _named(schema: dict[str, Any]) -> bool:
    """An inline schema the SDK gives a name: an object (a class), an enum of several values or a
    union without a discriminator (a type alias; a discriminated one is named by its branches)."""
    if schema.get("type") == "object" or "properties" in schema:
        return True
    if isinstance(schema.get("enum"), list) and len(schema["enum"]) > 1:
        return True
    return ("oneOf" in schema or "anyOf" in schema) and "discriminator" not in schema
