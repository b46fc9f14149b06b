"""`model_fields` and the constructor's signature of a model class, read from its schema.

Computed once per class when first asked for (`Model.model_fields`, `inspect.signature(cls)`):
each declared field with a Python annotation (`str`, `List[ToolCallV2]`, `Literal[...]`,
`Optional[...]` unless required), the SDK's attribute name, the JSON name as its alias where they
differ, its description, and its default: the value the class fills in (`TextContent`'s `type`
is "text"), else None, as the official SDK's pydantic models declare them.
"""

from __future__ import annotations

import inspect
import typing
from typing import Any

from .._naming import sdk_attribute
from ._shape import RAW

__all__ = ["FieldInfo", "class_signature", "field_infos"]

_PLAIN = {"string": str, "integer": int, "number": float, "boolean": bool}


class FieldInfo:
    """One declared field, described as pydantic's `FieldInfo` describes it."""

    __slots__ = ("annotation", "alias", "default", "description", "required")

    def __init__(self, annotation: Any, alias: str | None, description: str | None, required: bool, default: Any = None):
        self.annotation = annotation
        self.alias = alias
        self.default = default
        self.description = description
        self.required = required

    def is_required(self) -> bool:
        return self.required

    def __repr__(self) -> str:
        annotation = self.annotation
        shown = annotation.__name__ if isinstance(annotation, type) else repr(annotation).replace("typing.", "")
        alias = f", alias={self.alias!r}" if self.alias else ""
        return f"FieldInfo(annotation={shown}, required={self.required}{alias}, default={self.default!r})"


def field_infos(cls: Any) -> dict[str, FieldInfo]:
    factory, schema = cls._factory, cls._schema
    if factory is None or not isinstance(schema, dict):
        return {}
    resolver = factory.resolver
    required = set(schema.get("required") or ()) - set(cls._fixed)
    shape = cls._class_shape
    found: dict[str, FieldInfo] = {}
    for key in cls._declared:
        node = shape.fields.get(key)
        if node is None:
            continue
        target = resolver.deref(node)
        description = target.get("description") if isinstance(target, dict) else None
        annotation = _annotation(factory, node, shape.child(key), 0)
        if key not in required:
            annotation = typing.Optional[annotation]
        attribute = sdk_attribute(key)
        alias = key if attribute != key else None
        found[attribute] = FieldInfo(annotation, alias, description, key in required, cls._fixed.get(key))
    return found


def class_signature(cls: Any) -> inspect.Signature:
    parameters = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=inspect.Parameter.empty if info.required else info.default,
            annotation=info.annotation,
        )
        for name, info in sorted(cls.model_fields.items(), key=lambda item: not item[1].required)
        if name.isidentifier()
    ]
    parameters.append(inspect.Parameter("extra", inspect.Parameter.VAR_KEYWORD, annotation=Any))
    return inspect.Signature(parameters, return_annotation=None)


def _annotation(factory: Any, node: Any, shape: Any, depth: int) -> Any:
    """The Python type of a schema node; objects are the model class their shape reads them with."""
    target = factory.resolver.deref(node)
    if not isinstance(target, dict) or depth > 4:
        return Any
    if shape is not None and shape is not RAW:
        if shape.values is not None:
            values = shape.values
            return typing.Dict[str, values.model_class() if values is not RAW else Any]  # type: ignore[misc]
        if target.get("type") == "object" or "properties" in target or "discriminator" in target:
            return shape.model_class()
    if isinstance(target.get("enum"), list) and target["enum"]:
        return typing.Literal[tuple(target["enum"])]
    if "const" in target:
        return typing.Literal[target["const"]]
    branches = target.get("oneOf") or target.get("anyOf")
    if isinstance(branches, list) and branches:
        kinds = tuple(dict.fromkeys(_annotation(factory, branch, factory.shape(branch), depth + 1) for branch in branches))
        return typing.Union[kinds] if len(kinds) > 1 else kinds[0]
    kind = target.get("type")
    if kind == "array":
        item = _annotation(factory, target.get("items"), shape, depth + 1)
        return typing.List[item]  # type: ignore[valid-type]
    if kind == "object":
        return typing.Dict[str, Any]
    if kind == "string" and target.get("format") == "date-time":
        import datetime

        return datetime.datetime
    return _PLAIN.get(kind, Any) if isinstance(kind, str) else Any
