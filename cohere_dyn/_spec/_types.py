"""Constructors for the spec's object schemas, named as the official SDK names its classes.

Code written for the official SDK builds payloads with typed classes (`cohere.UserChatMessageV2(
content="hi")`). Here each name is derived from the spec, and calling it returns a plain dict,
so such code runs unchanged and the payload is still checked against the spec when sent:

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

Each constructor is also a class for `isinstance`, as the SDK's are: a response object or stream
event is an instance when it was read with that schema (or a branch of that union) and carries
the values the name fills in (`isinstance(event, ContentDeltaV2ChatStreamResponse)`); a dict is
one when it has those values and the schema's required fields.

Where the SDK has a type alias rather than a class (an enum is a `Literal`, a union a `Union`),
the name is that alias here too, for annotations, not a constructor: a component schema that is
no object (`BatchStatus`), and an inline enum or union named by the rules above
(`ChatRequestSafetyMode`, `SystemMessageV2Content`, `RerankRequestDocumentsItem`).
"""

from __future__ import annotations

import re
import typing
from typing import Any, Callable, Dict, FrozenSet, Iterable, Iterator, Tuple

from .._naming import did_you_mean, sdk_attribute
from ._schemas import Resolver, discriminator_values

__all__ = ["PayloadType", "SDK_NAMES", "SDK_ONLY", "TypeIndex", "sdk_names"]

SDK_NAMES = "x-cohere-dyn-sdk-names"
SDK_ONLY = "x-cohere-dyn-sdk-only"  # a schema no operation uses, kept for the SDK class of its name
_VALUE_TYPES = ("string", "integer", "number", "boolean", "array")
_ABSENT = object()


class PayloadType(type):
    """The class of a constructor: calling it builds the payload dict (no instance of it is ever
    made), and `isinstance` asks the spec whether a response object or dict is one."""

    construct: Callable[..., dict[str, Any]]
    matches: Callable[[Any], bool]

    def __call__(cls, **fields: Any) -> dict[str, Any]:  # type: ignore[override]
        return cls.construct(**fields)

    def __instancecheck__(cls, instance: Any) -> bool:
        return cls.matches(instance)


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


def _pascal(text: str) -> str:
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

    def names(self) -> list[str]:
        return sorted(self._index())

    def value(self, name: str) -> Any:
        """What the name is: a constructor, or for a schema that is no object the type alias."""
        return self.alias(name) if name in self._index() and self.is_alias(name) else self.constructor(name)

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

    def constructor(self, name: str) -> PayloadType:
        index = self._index()
        if name not in index:
            raise AttributeError(f"no type {name!r} in the spec.{did_you_mean(name, index)}")
        schema, fixed, discriminators = index[name]
        fields = self._fields(schema)
        pinned = {prop: value for prop, value in self._pinned(schema).items() if prop not in discriminators}
        fixed = {**pinned, **fixed}
        # the official SDK's attribute names for fields that can't be one as they are (`float_` for `float`)
        spelt = {sdk_attribute(field): field for field in self.properties(schema) if sdk_attribute(field) != field}

        def construct(**kwargs: Any) -> dict[str, Any]:
            if spelt:
                kwargs = {spelt.get(key, key): value for key, value in kwargs.items()}
            if fields:
                for key in kwargs:
                    if key not in fields:
                        raise TypeError(f"{name}() got an unexpected keyword argument {key!r}.{did_you_mean(key, fields)}")
            return {**fixed, **{key: value for key, value in kwargs.items() if value is not None}}

        def matches(instance: Any) -> bool:
            return self._matches(schema, fixed, instance)

        namespace = {"__doc__": f"A {name} payload (a dict), as the spec describes it.", "__module__": "cohere_dyn.types"}
        return PayloadType(name, (), {**namespace, "construct": staticmethod(construct), "matches": staticmethod(matches)})

    def _matches(self, schema: Any, fixed: dict[str, Any], instance: Any) -> bool:
        """`isinstance(instance, <the constructor of schema and fixed>)` (see the module docstring)."""
        from .._models import Model

        if isinstance(instance, Model):
            data, read_with = instance.to_dict(), instance._shape.schema
        elif isinstance(instance, dict):
            data, read_with = instance, None
        else:
            return False
        if any(data.get(key, _ABSENT) != value for key, value in fixed.items()):
            return False
        target = self.resolver.deref(schema)
        if read_with is None:
            required = target.get("required") or () if isinstance(target, dict) else ()
            return all(key in data or key in fixed for key in required)
        branches = discriminator_values(self.resolver, target) if isinstance(target, dict) else None
        return read_with is target or any(self.resolver.deref(branch) is read_with for branch in (branches or {}).values())

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
        needed = required - {*fixed, *self._pinned(schema), *discriminators}
        accepted = self._fields(schema)
        fields = sorted((field for field in self.properties(schema) if field in accepted), key=lambda field: field not in needed)
        return [(sdk_attribute(field), field, field in needed) for field in fields], not accepted

    def _pinned(self, schema: Any) -> dict[str, Any]:
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
            request = "".join(_pascal(part) for part in method.split(".")) + "Request"
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
                yield f"{_pascal(value)}{name}", branch, {prop: value}
        for prop, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, dict) and "$ref" not in sub:
                child = f"{name}{_pascal(prop)}"
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


def _named(schema: dict[str, Any]) -> bool:
    """An inline schema the SDK gives a name: an object (a class), an enum of several values or a
    union without a discriminator (a type alias; a discriminated one is named by its branches)."""
    if schema.get("type") == "object" or "properties" in schema:
        return True
    if isinstance(schema.get("enum"), list) and len(schema["enum"]) > 1:
        return True
    return ("oneOf" in schema or "anyOf" in schema) and "discriminator" not in schema
