"""Offline validation of a call's payload against the spec.

Each operation's schemas are bundled and compiled on first use. Valid payloads take the fast
path (a compiled jsonschema-rs validator, a few microseconds). An invalid payload is explained
in `jsonschema`'s wording with JSON paths: the compiled validator finds where each problem is
(the schema object of the failing keyword, and the instance node), and the pure-Python one
words it by checking just that node against that schema object, its children left to their own
problems, so that one bad message among 100,000 costs milliseconds, not a pure-Python walk of
the whole payload. When the two can't be matched up, the full pure-Python run decides.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any, Callable, Iterable, Mapping

from .._errors import SpecError, ValidationError, ValidationProblem
from ._schemas import Resolver, bundle

__all__ = ["SchemaValidator", "MAX_DEPTH", "to_jsonable", "json_path"]


class SchemaValidator:
    """Checks instances against one schema of a document.

    Against a recursive schema (a tree, a JSON value), payloads nested more than MAX_DEPTH levels
    deep are refused without running a validator: the compiled one recurses in native code (a deep
    enough payload would overflow its stack and kill the process), the pure-Python one would hit
    the recursion limit. No API payload comes near the limit. A schema without cycles bounds the
    validators' depth itself, so its payloads skip the walk.
    """

    def __init__(self, resolver: Resolver, schema: Any):
        self.names: dict[str, str] = {}
        self.schema = bundle(resolver, schema, names=self.names)
        self.source = resolver.source
        self.recursive = _has_cycle(self.schema.get("$defs") or {})
        self._fast: Callable[[Any], bool] | None = None
        self._compiled: Any = None  # the jsonschema-rs validator, to locate problems
        self._slow: Any = None

    def is_valid(self, instance: Any) -> bool:
        if self._fast is None:
            self._fast = self._compile()
        if self.recursive and _too_deep(instance, MAX_DEPTH):
            return False
        try:
            return self._fast(instance)
        except (TypeError, ValueError, OverflowError):
            return False  # a value the compiled validator can't take: let the full check explain

    def problems(self, instance: Any, prefix: str = "") -> list[ValidationProblem]:
        if _too_deep(instance, MAX_DEPTH):
            return [ValidationProblem(prefix, f"nested more than {MAX_DEPTH} levels deep", "depth")]
        try:
            found = self._located(instance, prefix)
            if found is None:
                if self._slow is None:
                    from jsonschema import Draft202012Validator

                    self._slow = Draft202012Validator(self.schema)
                found = [_problem(error, prefix) for error in self._slow.iter_errors(instance)]
        except RecursionError:
            return [ValidationProblem(prefix, "nested too deeply to be checked", "depth")]
        return sorted(found, key=lambda problem: problem.path)

    def _located(self, instance: Any, prefix: str) -> list[ValidationProblem] | None:
        """The problems worded node by node where the compiled validator puts them; None when
        it can't say (no jsonschema-rs, a keyword that needs its whole schema, no match)."""
        if self._fast is None:
            self._fast = self._compile()
        if self._compiled is None:
            return None
        from jsonschema import Draft202012Validator

        found: dict[tuple[str, str], ValidationProblem] = {}
        wording: dict[tuple[int, frozenset[str]], Any] = {}  # a pure-Python validator per schema object
        checked: set[tuple[int, frozenset[str], tuple[Any, ...]]] = set()
        try:
            for error in self._compiled.iter_errors(instance):
                *where, keyword = error.schema_path
                container = _node(self.schema, where)
                if not isinstance(container, dict) or keyword not in container or keyword in WHOLE_SCHEMA:
                    return None
                node = _node(instance, error.instance_path)
                # The node against its schema object, without the keywords that walk its
                # children (their problems have nodes of their own) except the failing one and
                # what it reads. jsonschema-rs reports one problem where jsonschema may list
                # two (a wrong type, then the enum): both come from here.
                walkers = CHILD_KEYWORDS.difference((keyword, *NEEDED.get(keyword, ())))
                # by path, not by id(node): equal small values (the 5 of two messages) are one object
                seen = (id(container), walkers, tuple(error.instance_path))
                if seen in checked:
                    continue
                checked.add(seen)
                validator = wording.get((id(container), walkers))
                if validator is None:
                    partial = {name: value for name, value in container.items() if name not in walkers}
                    partial["$defs"] = self.schema.get("$defs", {})
                    validator = wording[(id(container), walkers)] = Draft202012Validator(partial)
                at = json_path(error.instance_path, prefix)
                for slow_error in validator.iter_errors(node):
                    problem = _problem(slow_error, at)
                    found[(problem.path, problem.message)] = problem
        except (KeyError, IndexError, TypeError, AttributeError, ValueError):
            return None
        return list(found.values()) or None

    def check(self, method: str, instance: Any, prefix: str = "") -> None:
        if not self.is_valid(instance):
            problems = self.problems(instance, prefix)
            if problems:
                raise ValidationError(method, problems)

    def _compile(self) -> Callable[[Any], bool]:
        """The compiled validator; a schema that isn't valid JSON Schema is a SpecError naming where."""
        try:
            self._compiled = _compile_fast(self.schema)
            return self._compiled.is_valid if self._compiled is not None else _python_is_valid(self.schema)
        except Exception as exc:  # each library raises its own error for a bad schema
            raise self._spec_error(exc) from None

    def _spec_error(self, exc: Exception) -> SpecError:
        path = [str(part) for part in getattr(exc, "schema_path", None) or getattr(exc, "instance_path", None) or ()]
        pointer = None
        if len(path) >= 2 and path[0] == "$defs":
            by_name = {name: ref for ref, name in self.names.items()}
            if path[1] in by_name:
                rest = (part.replace("~", "~0").replace("/", "~1") for part in path[2:])
                pointer = "/".join([by_name[path[1]], *rest])
        message = " ".join(str(getattr(exc, "message", None) or exc).split())
        if len(message) > 200:
            message = message[:197] + "..."
        return SpecError(f"not a valid JSON Schema: {message}", source=self.source, pointer=pointer)


MAX_DEPTH = 128


def _too_deep(value: Any, budget: int) -> bool:
    """Whether `value` nests dicts and lists more than `budget` levels deep."""
    if isinstance(value, dict):
        items: Iterable[Any] = value.values()
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return False
    if budget == 0:
        return True
    for item in items:
        if isinstance(item, (dict, list, tuple)) and _too_deep(item, budget - 1):
            return True
    return False


def _has_cycle(definitions: dict[str, Any]) -> bool:
    """Whether the bundled definitions refer to one another in a cycle."""
    edges: dict[str, set[str]] = {}
    for name, definition in definitions.items():
        refs = edges[name] = set()
        stack = [definition]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and ref.startswith("#/$defs/"):
                    refs.add(ref[len("#/$defs/"):])
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    done: set[str] = set()
    for start in edges:
        if start in done:
            continue
        path, on_path = [(start, iter(edges[start]))], {start}
        while path:
            name, targets = path[-1]
            following = next(targets, None)
            if following is None:
                path.pop()
                on_path.discard(name)
                done.add(name)
            elif following in on_path:
                return True
            elif following not in done and following in edges:
                path.append((following, iter(edges[following])))
                on_path.add(following)
    return False


# Keywords whose check reads sibling keywords: a node is re-checked against these together.
NEEDED = {
    "additionalProperties": ("properties", "patternProperties"),
    "items": ("prefixItems",),
    "then": ("if",),
    "else": ("if",),
    "contains": ("minContains", "maxContains"),
    "minContains": ("contains",),
    "maxContains": ("contains",),
}
WHOLE_SCHEMA = frozenset({"unevaluatedProperties", "unevaluatedItems"})  # these read every sibling
CHILD_KEYWORDS = frozenset(
    {"properties", "patternProperties", "additionalProperties", "propertyNames", "items", "prefixItems", "contains"}
)


def _node(document: Any, path: Iterable[Any]) -> Any:
    for part in path:
        document = document[part]
    return document


def _compile_fast(schema: dict[str, Any]) -> Any:
    """The jsonschema-rs validator, or None without jsonschema-rs."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - jsonschema-rs is a dependency; keep working without it
        return None
    return jsonschema_rs.validator_for(schema)


def _python_is_valid(schema: dict[str, Any]) -> Callable[[Any], bool]:  # pragma: no cover - as above
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema).is_valid


def json_path(parts: Iterable[Any], prefix: str = "") -> str:
    """`['messages', 1, 'role']` -> `messages[1].role`."""
    path = prefix
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _problem(error: Any, prefix: str) -> ValidationProblem:
    if error.validator in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match

        deepest = best_match(error.context)
        if deepest is not None and deepest.validator not in ("type", "anyOf", "oneOf"):
            error = deepest
    return ValidationProblem(json_path(error.absolute_path, prefix), _message(error), str(error.validator))


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _message(error: Any) -> str:
    """jsonschema's wording, without echoing large values (prompts belong in no log)."""
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "enum":
        return f"{_short(value)} is not one of {expected!r}"
    if kind == "const":
        return f"{_short(expected)} was expected, got {_short(value)}"
    if kind == "type":
        wanted = expected if isinstance(expected, str) else " or ".join(expected)
        return f"{_short(value)} is not of type {wanted!r}"
    if kind == "required":
        return error.message
    if kind in ("maxItems", "minItems"):
        bound = "at most" if kind == "maxItems" else "at least"
        return f"expected {bound} {expected} items, got {len(value)}"
    if kind in ("maxLength", "minLength"):
        bound = "at most" if kind == "maxLength" else "at least"
        return f"expected {bound} {expected} characters, got {len(value)}"
    if kind in ("maxProperties", "minProperties"):
        bound = "at most" if kind == "maxProperties" else "at least"
        return f"expected {bound} {expected} properties, got {len(value)}"
    if kind in ("anyOf", "oneOf"):
        return f"{_short(value, 40)} is not valid under any of the allowed forms"
    if kind == "additionalProperties":
        return error.message if len(error.message) <= 200 else "unexpected properties"
    return f"{_short(value)} {error.message.split(' ', 1)[-1]}" if error.message.startswith(repr(value)) else error.message


def to_jsonable(value: Any, _depth: int = 0) -> Any:
    """Plain JSON values from what users pass: datetimes, tuples, mappings, response objects.

    ValueError for what JSON can't hold (NaN, infinity, nesting deeper than MAX_DEPTH), TypeError
    for a type it has no form for.
    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} can't be sent as JSON")
        return value
    if _depth > MAX_DEPTH:
        raise ValueError(f"the payload is nested more than {MAX_DEPTH} levels deep")
    if type(value) is dict or isinstance(value, Mapping):  # a dict spares the slower ABC check
        return {str(key): to_jsonable(item, _depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item, _depth + 1) for item in value]
    if isinstance(value, _dt.datetime):
        return format_datetime(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    for method in ("to_dict", "to_list"):  # response objects sent back (Model, ModelList)
        data = getattr(value, method, None)
        if callable(data):
            return to_jsonable(data(), _depth + 1)
    enum_value = getattr(value, "value", None)
    if isinstance(enum_value, (str, int)):
        return enum_value
    raise TypeError(f"{type(value).__name__} can't be sent as JSON")


def format_datetime(value: _dt.datetime) -> str:
    """ISO 8601; UTC as `Z`. A naive datetime is taken to be UTC, as the official SDK does."""
    if value.tzinfo is None or value.utcoffset() == _dt.timedelta(0):
        return value.replace(tzinfo=None).isoformat() + "Z"
    return value.isoformat()
