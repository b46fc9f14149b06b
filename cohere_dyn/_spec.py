"""`Spec`: one loaded OpenAPI document and everything derived from it, built once and shared."""

from __future__ import annotations

import os
import threading
import warnings
from pathlib import Path
from typing import Any

from functools import cached_property

from ._errors import SpecError
from ._models import ShapeFactory
from ._normalize import REPAIRS_KEY
from ._naming import did_you_mean
from ._operations import Operation, build_operations
from ._schemas import Resolver
from ._types import TypeIndex
from ._spec_loader import default_spec_path, load_document
from ._validation import SchemaValidator

__all__ = ["Spec"]

_LOADED: dict[str, "Spec"] = {}
_LOCK = threading.Lock()


class Spec:
    """The operations of one document, indexed by qualified method name (`v2.chat`, `datasets.get`)."""

    def __init__(self, document: dict[str, Any], source: str = "<spec>"):
        self.document = document
        self.source = source
        self.resolver = Resolver(document, source)
        repairs = document.get(REPAIRS_KEY) or []
        if repairs:
            listed = "\n  ".join(repairs)
            warnings.warn(f"{source}: repaired {len(repairs)} defect(s) in memory:\n  {listed}", stacklevel=3)
        self.operations = build_operations(document, source)
        self.by_name: dict[str, Operation] = {}
        for operation in self.operations:
            name = operation.qualified_name
            if name in self.by_name:
                other = self.by_name[name]
                raise SpecError(
                    f"two operations map to the method {name!r} ({other.pointer} and {operation.pointer})",
                    source=source,
                    pointer=operation.pointer,
                )
            self.by_name[name] = operation
        self._validators: dict[tuple[str, str], SchemaValidator] = {}
        self._lock = threading.Lock()

    @cached_property
    def shapes(self) -> ShapeFactory:
        """Response shapes (declared fields, names) for the response objects."""
        return ShapeFactory(self.resolver)

    @cached_property
    def types(self) -> TypeIndex:
        """Payload constructors named as the official SDK's classes (`UserChatMessageV2`)."""
        return TypeIndex(self.resolver)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> "Spec":
        """The spec at `path` (default: the packaged one), parsed and built once per process."""
        key = str(Path(path).resolve()) if path is not None else ""
        spec = _LOADED.get(key)
        if spec is None:
            with _LOCK:
                spec = _LOADED.get(key)
                if spec is None:
                    source = str(path) if path is not None else str(default_spec_path())
                    spec = cls(load_document(path), source)
                    _LOADED[key] = spec
        return spec

    @classmethod
    def from_dict(cls, document: dict[str, Any], source: str = "<dict>") -> "Spec":
        return cls(document, source)

    def operation(self, name: str) -> Operation:
        try:
            return self.by_name[name]
        except KeyError:
            raise AttributeError(f"no method {name!r} in {self.source}.{did_you_mean(name, self.by_name)}") from None

    def validator(self, operation: Operation, part: str) -> SchemaValidator:
        """The compiled validator of an operation's `body`, `params` or stream `events`, built on first use."""
        key = (operation.qualified_name, part)
        validator = self._validators.get(key)
        if validator is None:
            with self._lock:
                validator = self._validators.get(key)
                if validator is None:
                    if part == "body":
                        schema = operation.body_schema
                    elif part == "events":
                        schema = next(iter(operation.event_schemas.values()), {})
                    else:
                        schema = _parameters_schema(operation)
                    validator = SchemaValidator(self.resolver, schema)
                    self._validators[key] = validator
        return validator


def _parameters_schema(operation: Operation) -> dict[str, Any]:
    arguments = [a for a in operation.arguments if a.location in ("path", "query", "header", "sdk")]
    return {
        "type": "object",
        "properties": {argument.keyword: argument.schema for argument in arguments},
        "required": [argument.keyword for argument in arguments if argument.required],
    }
