"""`cohere-dyn diff OLD NEW`: what changed for users of the client between two specs.

Compared method by method (after the loader's naming, so a published Fern file and our own spec
compare by the methods they give): methods added or removed; arguments added, removed or
retyped; required-ness changed; enum values added or removed (in arguments, at any depth of a
body); response fields added or removed (at any depth). Each change says whether it breaks code
written against OLD:

- breaking: a method or argument removed, a new required argument, an argument that became
  required, an argument whose type no longer accepts what it did, an enum value removed from a
  request, a response field removed;
- not breaking: a method or optional argument added, an argument that became optional or
  accepts more, an enum value added to a request, a response field added, an enum value added
  to or removed from a response (code that reads responses should expect new values).

Run only by the `diff` command: never imported by `import cohere_dyn`.
"""

from __future__ import annotations

from typing import Any, Iterator

from .._signatures import describe_type
from .._spec._schemas import Resolver

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .._spec._operations import Argument, Operation
    from .._spec._document import Spec

__all__ = ["Change", "diff_specs", "render"]

_DEPTH = 12  # how deep into nested schemas fields and enums are compared


class Change:
    __slots__ = ("kind", "method", "where", "message", "breaking")

    def __init__(self, kind: str, method: str, where: str, message: str, breaking: bool):
        self.kind = kind  # method-added, argument-retyped, enum-value-removed, response-field-removed, ...
        self.method = method
        self.where = where  # the argument or field path inside the method ("" for the method itself)
        self.message = message
        self.breaking = breaking

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "method": self.method, "where": self.where, "breaking": self.breaking, "message": self.message}

    def __str__(self) -> str:
        return f"{'BREAKING' if self.breaking else 'ok':<8}  {self.method}: {self.message}"

    def __repr__(self) -> str:
        return f"Change({self.kind!r}, {self.method!r}, {self.where!r}, breaking={self.breaking})"


def diff_specs(old: Spec, new: Spec) -> list[Change]:
    """Every change from `old` to `new`, in the order of `old`'s methods, then the added ones."""
    changes: list[Change] = []
    for name, operation in old.by_name.items():
        if name not in new.by_name:
            route = f"{operation.http_method} {operation.path}"
            changes.append(Change("method-removed", name, "", f"method removed ({route})", True))
            continue
        changes += _operation(old.resolver, operation, new.resolver, new.by_name[name])
    for name, operation in new.by_name.items():
        if name not in old.by_name:
            changes.append(Change("method-added", name, "", f"method added ({operation.http_method} {operation.path})", False))
    return changes


def render(changes: list[Change], old: str, new: str) -> str:
    if not changes:
        return f"{old} -> {new}: no changes"
    breaking = sum(change.breaking for change in changes)
    lines = [str(change) for change in changes]
    lines.append(f"{old} -> {new}: {len(changes)} change(s), {breaking} breaking")
    return "\n".join(lines)


def _operation(old_resolver: Resolver, old: Operation, new_resolver: Resolver, new: Operation) -> list[Change]:
    name = old.qualified_name
    changes: list[Change] = []
    if (old.http_method, old.path) != (new.http_method, new.path):
        changes.append(
            Change("route-changed", name, "", f"route {old.http_method} {old.path} -> {new.http_method} {new.path}", False)
        )
    before = {argument.keyword: argument for argument in old.arguments}
    after = {argument.keyword: argument for argument in new.arguments}
    for keyword, argument in before.items():
        if keyword not in after:
            changes.append(Change("argument-removed", name, keyword, f"argument {keyword!r} removed", True))
            continue
        changes += _argument(name, old_resolver, argument, new_resolver, after[keyword])
    for keyword, argument in after.items():
        if keyword not in before:
            kind = "required" if argument.required else "optional"
            changes.append(Change("argument-added", name, keyword, f"{kind} argument {keyword!r} added", argument.required))
    changes += _response(name, old_resolver, old.response_schema, new_resolver, new.response_schema, "response")
    if old.streaming and new.streaming:
        old_events = next(iter(old.event_schemas.values()), None)
        new_events = next(iter(new.event_schemas.values()), None)
        changes += _response(name, old_resolver, old_events, new_resolver, new_events, "event")
    return changes


def _argument(name: str, old_resolver: Resolver, old: Argument, new_resolver: Resolver, new: Argument) -> list[Change]:
    keyword = old.keyword
    changes: list[Change] = []
    if old.location != new.location or old.wire_name != new.wire_name:
        changes.append(
            Change("argument-moved", name, keyword, f"argument {keyword!r} now sent as {new.location} {new.wire_name!r} (was {old.location} {old.wire_name!r})", False)
        )
    if old.required != new.required:
        if new.required:
            changes.append(Change("argument-required", name, keyword, f"argument {keyword!r} is now required", True))
        else:
            changes.append(Change("argument-optional", name, keyword, f"argument {keyword!r} is now optional", False))
    old_kinds, new_kinds = _kinds(old_resolver, old.schema), _kinds(new_resolver, new.schema)
    if old_kinds != new_kinds:
        was = describe_type(old_resolver, old.schema, old.location)
        now = describe_type(new_resolver, new.schema, new.location)
        widened = new_kinds | ({"integer"} if "number" in new_kinds else set())  # a number accepts every integer
        narrowed = not (old_kinds <= widened or "any" in new_kinds)
        changes.append(Change("argument-retyped", name, keyword, f"argument {keyword!r} retyped: {was} -> {now}", narrowed))
    old_enums = _enums(old_resolver, old.schema, keyword)
    new_enums = _enums(new_resolver, new.schema, keyword)
    for where, values in old_enums.items():
        if where not in new_enums:
            continue
        removed = [value for value in values if value not in new_enums[where]]
        added = [value for value in new_enums[where] if value not in values]
        if removed:
            changes.append(Change("enum-value-removed", name, where, f"{where}: no longer accepts {_listed(removed)}", True))
        if added:
            changes.append(Change("enum-value-added", name, where, f"{where}: now also accepts {_listed(added)}", False))
    return changes


def _response(name: str, old_resolver: Resolver, old: Any, new_resolver: Resolver, new: Any, what: str) -> list[Change]:
    if old is None:
        return []
    if new is None:
        return [Change("response-removed", name, what, f"the {what} body is gone", True)]
    before = dict(_fields(old_resolver, old, ""))
    after = dict(_fields(new_resolver, new, ""))
    changes: list[Change] = []
    for path in _outermost([path for path in before if path not in after]):
        changes.append(Change(f"{what}-field-removed", name, path, f"{what} field {path!r} removed", True))
    for path in _outermost([path for path in after if path not in before]):
        changes.append(Change(f"{what}-field-added", name, path, f"{what} field {path!r} added", False))
    old_enums, new_enums = _enums(old_resolver, old, what), _enums(new_resolver, new, what)
    for where, values in old_enums.items():
        if where in new_enums and set(map(repr, values)) != set(map(repr, new_enums[where])):
            removed = [value for value in values if value not in new_enums[where]]
            added = [value for value in new_enums[where] if value not in values]
            parts = ([f"adds {_listed(added)}"] if added else []) + ([f"drops {_listed(removed)}"] if removed else [])
            changes.append(Change(f"{what}-enum-changed", name, where, f"{where}: {' and '.join(parts)}", False))
    return changes


# schema walks ------------------------------------------------------------------------------------


def _kinds(resolver: Resolver, schema: Any, depth: int = 0) -> frozenset[str]:
    """The JSON types a schema admits (`any` when it doesn't say)."""
    schema = _deref(resolver, schema)
    if not isinstance(schema, dict) or depth > _DEPTH:
        return frozenset({"any"})
    kinds: set[str] = set()
    for key in ("oneOf", "anyOf"):
        for branch in schema.get(key) or ():
            kinds |= _kinds(resolver, branch, depth + 1)
    for part in schema.get("allOf") or ():
        kinds |= _kinds(resolver, part, depth + 1) - {"any"}
    kind = schema.get("type")
    if isinstance(kind, str):
        kinds.add(kind)
    elif isinstance(kind, list):
        kinds.update(str(item) for item in kind)
    elif "const" in schema or isinstance(schema.get("enum"), list):
        values = [schema["const"]] if "const" in schema else schema["enum"]
        kinds.update(_json_type(value) for value in values)
    elif "properties" in schema:
        kinds.add("object")
    if "integer" in kinds and "number" in kinds:
        kinds.discard("integer")
    return frozenset(kinds or {"any"})


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object" if isinstance(value, dict) else "any"


def _enums(resolver: Resolver, schema: Any, path: str) -> dict[str, list[Any]]:
    """{path: values} of every enum reachable from a schema (`response_format.type`, `messages[].role`);
    the branches of a union pool their values at the union's path."""
    found: dict[str, list[Any]] = {}
    for where, node in _nodes(resolver, schema, path, 0, frozenset()):
        listed = [node["const"]] if "const" in node else node.get("enum")  # a const is a one-value enum
        if isinstance(listed, list):
            values = found.setdefault(where, [])
            values += [value for value in listed if value not in values]
    return found


def _outermost(paths: list[str]) -> list[str]:
    """The paths none of whose ancestors is in the list (a removed object, not each of its fields)."""
    listed = set(paths)
    return [
        path
        for path in paths
        if not any(path.startswith(other + ".") or path.startswith(other + "[]") for other in listed if other != path)
    ]


def _fields(resolver: Resolver, schema: Any, path: str) -> Iterator[tuple[str, Any]]:
    for where, node in _nodes(resolver, schema, path, 0, frozenset()):
        if where:
            yield where, node


def _nodes(resolver: Resolver, schema: Any, path: str, depth: int, seen: frozenset[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each schema node with its data path: properties as `.name`, array items as `[]`.

    A union's branches share the path of the union (their fields and enums merge there)."""
    if depth > _DEPTH or not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref in seen:
            return
        seen = seen | {ref}
    node = _deref(resolver, schema)
    if not isinstance(node, dict):
        return
    yield path, node
    for key in ("oneOf", "anyOf", "allOf"):
        for branch in node.get(key) or ():
            yield from _nodes(resolver, branch, path, depth + 1, seen)
    for name, sub in (node.get("properties") or {}).items():
        yield from _nodes(resolver, sub, f"{path}.{name}" if path else name, depth + 1, seen)
    if isinstance(node.get("items"), dict) and _may_be_array(node):
        yield from _nodes(resolver, node["items"], f"{path}[]", depth + 1, seen)


def _may_be_array(node: dict[str, Any]) -> bool:
    """`items` only means something where the value can be an array (published files put it on objects)."""
    kind = node.get("type")
    return kind is None or kind == "array" or (isinstance(kind, list) and "array" in kind)


def _deref(resolver: Resolver, schema: Any) -> Any:
    try:
        return resolver.deref(schema)
    except Exception:  # an unresolvable reference compares as "anything"
        return {}


def _listed(values: list[Any]) -> str:
    return ", ".join(repr(value) for value in values)
