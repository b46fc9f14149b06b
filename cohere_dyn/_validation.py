"""Offline validation of a call's payload against the spec.

Each operation's schemas are bundled and compiled on first use. Valid payloads take the fast
path (a compiled jsonschema-rs validator, a few microseconds); only an invalid payload pays for
the pure-Python `jsonschema` run that lists every problem with its JSON path.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any, Callable, Iterable, Mapping

from ._errors import ValidationError, ValidationProblem
from ._schemas import Resolver, bundle

__all__ = ["SchemaValidator", "to_jsonable", "json_path"]


class SchemaValidator:
    """Checks instances against one schema of a document."""

    def __init__(self, resolver: Resolver, schema: Any):
        self.schema = bundle(resolver, schema)
        self._fast: Callable[[Any], bool] | None = None
        self._slow: Any = None

    def is_valid(self, instance: Any) -> bool:
        if self._fast is None:
            self._fast = _compile_fast(self.schema)
        try:
            return self._fast(instance)
        except (TypeError, ValueError, OverflowError):
            return False  # a value the compiled validator can't take: let the full check explain

    def problems(self, instance: Any, prefix: str = "") -> list[ValidationProblem]:
        if self._slow is None:
            from jsonschema import Draft202012Validator

            self._slow = Draft202012Validator(self.schema)
        found = [_problem(error, prefix) for error in self._slow.iter_errors(instance)]
        return sorted(found, key=lambda problem: problem.path)

    def check(self, method: str, instance: Any, prefix: str = "") -> None:
        if not self.is_valid(instance):
            problems = self.problems(instance, prefix)
            if problems:
                raise ValidationError(method, problems)


def _compile_fast(schema: dict[str, Any]) -> Callable[[Any], bool]:
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - jsonschema-rs is a dependency; keep working without it
        from jsonschema import Draft202012Validator

        return Draft202012Validator(schema).is_valid
    return jsonschema_rs.validator_for(schema).is_valid


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


def to_jsonable(value: Any) -> Any:
    """Plain JSON values from what users pass: datetimes, tuples, mappings, response objects."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} can't be sent as JSON")
        return value
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, _dt.datetime):
        return format_datetime(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    for method in ("to_dict", "to_list"):  # response objects sent back (Model, ModelList)
        data = getattr(value, method, None)
        if callable(data):
            return to_jsonable(data())
    enum_value = getattr(value, "value", None)
    if isinstance(enum_value, (str, int)):
        return enum_value
    raise TypeError(f"{type(value).__name__} can't be sent as JSON")


def format_datetime(value: _dt.datetime) -> str:
    """ISO 8601; UTC as `Z`. A naive datetime is taken to be UTC, as the official SDK does."""
    if value.tzinfo is None or value.utcoffset() == _dt.timedelta(0):
        return value.replace(tzinfo=None).isoformat() + "Z"
    return value.isoformat()
