"""`Spec`: one loaded OpenAPI document and everything derived from it, built once and shared.

Importing this module and loading the packaged spec is on the cold-start path, so what only a
call needs (validators, the type index) is imported on first use. The model classes of a spec
live a layer up (`cohere_dyn._models.models_of`).
"""

from __future__ import annotations

import os
import warnings
from _thread import allocate_lock

from .._naming import did_you_mean, python_identifier
from ._normalize import REPAIRS_KEY
from ._operations import EXTENSION, build_operations
from ._schemas import Resolver
from ._loader import default_spec_path, load_document

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._operations import Operation
    from ._types import TypeIndex
    from ._validation import SchemaValidator

__all__ = ["Spec"]

_LOADED: dict[str, "Spec"] = {}
_LOCK = allocate_lock()


class Spec:
    """The operations of one document, indexed by qualified method name (`v2.chat`, `datasets.get`).

    Constructors: `Spec.load(path)` (a file, cached per process and on disk) and `Spec.from_dict(document)`.
    """

    def __init__(self, document: dict[str, Any], source: str = "<spec>"):
        self.document = document
        self.source = source
        self.resolver = Resolver(document, source)
        problems = list(document.get(REPAIRS_KEY) or [])
        self.operations: list[Operation] = []
        self.by_name: dict[str, Operation] = {}
        for operation in build_operations(document, source):
            name = operation.qualified_name
            if name in self.by_name:
                renamed = operation.replace(name=f"{operation.name}_{python_identifier(operation.operation_id)}")
                problems.append(
                    f"{operation.pointer}: {name!r} is already {self.by_name[name].pointer}; "
                    f"this one is {renamed.qualified_name!r}"
                )
                operation = renamed
            self.operations.append(operation)
            self.by_name[operation.qualified_name] = operation
        if problems:
            listed = "\n  ".join(problems)
            warnings.warn(f"{source}: repaired {len(problems)} defect(s) in memory:\n  {listed}", stacklevel=3)
        self.problems = problems
        self._validators: dict[tuple[str, str], SchemaValidator] = {}
        self._lock = allocate_lock()
        self._types: TypeIndex | None = None

    @property
    def sdk_removed(self) -> dict[str, str | None]:
        """The official SDK's removed client functions: name -> where it moved (`datasets.create`), or None."""
        return self._sdk_extension("sdk-removed", dict)

    @property
    def sdk_modules(self) -> list[str]:
        """Module paths the official SDK keeps classes in beyond its group modules (`finetuning.finetuning`)."""
        return self._sdk_extension("sdk-modules", list)

    def _sdk_extension(self, key: str, kind: type) -> Any:
        value = (self.document.get(EXTENSION) or {}).get(key)
        if value is None:
            return kind()
        if not isinstance(value, kind):
            from .._errors import SpecError

            raise SpecError(f"{EXTENSION}.{key} must be a {kind.__name__}", source=self.source, pointer=f"#/{EXTENSION}/{key}")
        return value

    @property
    def types(self) -> TypeIndex:
        """The names of the official SDK's classes and type aliases (`UserChatMessageV2`), each
        resolved to its schema; the classes themselves are `cohere_dyn._models.models_of(spec)`'s."""
        if self._types is None:
            from ._types import TypeIndex

            bodies = [(op.qualified_name, op.body_schema) for op in self.operations if op.body_media_type == "application/json"]
            self._types = TypeIndex(self.resolver, bodies)
        return self._types

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> "Spec":
        """The spec at `path` (default: the packaged one), parsed and built once per process."""
        key = os.path.realpath(path) if path is not None else ""
        spec = _LOADED.get(key)
        if spec is None:
            with _LOCK:
                spec = _LOADED.get(key)
                if spec is None:
                    source = os.fspath(path) if path is not None else default_spec_path()
                    spec = cls(load_document(path), source)
                    _LOADED[key] = spec
        return spec

    @classmethod
    def from_dict(cls, document: dict[str, Any], source: str = "<dict>") -> "Spec":
        from ._normalize import normalize
        from ._loader import check_document

        check_document(document, source)
        return cls(normalize(document), source)

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
            from ._validation import SchemaValidator

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
    arguments = [a for a in operation.arguments if a.location in ("path", "query", "header", "form", "sdk")]
    return {
        "type": "object",
        "properties": {argument.keyword: argument.schema for argument in arguments},
        "required": [argument.keyword for argument in arguments if argument.required],
    }
