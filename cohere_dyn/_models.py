"""Response objects: JSON with attribute access, shaped by the spec's response schemas.

`Model` wraps a decoded JSON object without copying it. `resp.message.content[0].text` and
`resp["message"]` both work; a field the schema declares but the server left out reads as None;
`to_dict()` returns the JSON itself. Children are wrapped on access, so a large response costs
nothing until it is read.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Iterator

from ._naming import did_you_mean, sdk_attribute
from ._spec._schemas import Resolver, discriminator_values

__all__ = ["Model", "ModelList", "Shape", "ShapeFactory"]


class Shape:
    """What the schema says about one JSON object: its name, declared fields, and their shapes."""

    __slots__ = ("name", "fields", "schema", "_factory", "_children", "union", "_branches")

    def __init__(
        self, factory: "ShapeFactory | None", name: str, fields: dict[str, Any], union: Any = None, schema: Any = None
    ):
        self._factory = factory
        self.name = name
        self.fields = fields  # property name -> schema node
        self.schema = schema  # the schema object this shape was built from (isinstance checks)
        self._children: dict[str, Shape | None] = {}
        self.union = union  # (discriminator property, {value: schema}) for a discriminated union
        self._branches: dict[Any, Shape] = {}

    def child(self, key: str) -> "Shape | None":
        if key in self._children:
            return self._children[key]
        node = self.fields.get(key)
        shape = self._factory.shape(node, self.name + _pascal(key)) if self._factory is not None and node is not None else None
        self._children[key] = shape
        return shape

    def resolve(self, data: Mapping[str, Any]) -> "Shape":
        """For a union, the branch the data's discriminator names; otherwise self."""
        if self.union is None:
            return self
        value = data.get(self.union[0])
        try:
            return self._branches[value]
        except (KeyError, TypeError):
            pass
        branch = self.union[1].get(str(value))
        shape = (self._factory.shape(branch) if branch is not None and self._factory is not None else None) or self
        try:
            self._branches[value] = shape
        except TypeError:  # an unhashable discriminator value
            pass
        return shape


EMPTY_SHAPE = Shape(None, "Object", {})


class ShapeFactory:
    """Builds `Shape`s from schema nodes once, and hands out the same ones after."""

    def __init__(self, resolver: Resolver):
        self.resolver = resolver
        self._cache: dict[int, Shape | None] = {}
        self._lock = threading.RLock()  # building a shape builds its items' shape

    def shape(self, node: Any, name_hint: str = "Object") -> Shape | None:
        """The shape of a schema node; `name_hint` names an inline object (parent + field)."""
        key = id(node)
        try:
            return self._cache[key]
        except KeyError:
            pass
        with self._lock:
            if key not in self._cache:
                self._cache[key] = self._build(node, name_hint)
            return self._cache[key]

    def _build(self, node: Any, name_hint: str) -> Shape | None:
        name = _ref_name(node) or name_hint
        target = self.resolver.deref(node)
        if not isinstance(target, dict):
            return None
        if target.get("type") == "array" or "items" in target:
            return self.shape(target.get("items"), name)  # a list's shape is its items' shape
        union = discriminator_values(self.resolver, target)
        fields: dict[str, Any] = {}
        parts = [target, *(self.resolver.deref(part) for part in target.get("allOf", ()))]
        for part in parts:
            if isinstance(part, dict):
                fields.update(part.get("properties") or {})
        if union is not None:
            prop = target["discriminator"]["propertyName"]
            return Shape(self, name, fields, (prop, union), target)
        if not fields:
            for branch in target.get("anyOf") or target.get("oneOf") or ():
                branch_shape = self.shape(branch, name)
                if branch_shape is not None and branch_shape.fields:
                    return branch_shape
        return Shape(self, name, fields, schema=target)


def _pascal(key: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in key.replace("-", "_").split("_"))


def _ref_name(node: Any) -> str | None:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return node["$ref"].rsplit("/", 1)[-1]
    return None


def wrap(value: Any, shape: Shape | None) -> Any:
    if isinstance(value, dict):
        return Model(value, shape)
    if isinstance(value, list):
        return ModelList(value, shape)
    return value


class Model(Mapping[str, Any]):
    """A JSON object from the API, readable as attributes or keys."""

    __slots__ = ("_data", "_shape")

    def __init__(self, data: dict[str, Any], shape: Shape | None = None):
        self._data = data
        self._shape = (shape or EMPTY_SHAPE).resolve(data)

    def __getattr__(self, name: str) -> Any:
        data = self._data
        if name in data:
            return wrap(data[name], self._shape.child(name))
        if name in self._shape.fields:
            return None
        if name.startswith("__"):
            raise AttributeError(name)
        if name[-1:] == "_" and sdk_attribute(name[:-1]) == name:  # the SDK's spelling: `float_` for `float`
            field = name[:-1]
            if field in data:
                return wrap(data[field], self._shape.child(field))
            if field in self._shape.fields:
                return None
        hint = did_you_mean(name, [*data, *self._shape.fields])
        raise AttributeError(f"{self._shape.name} has no field {name!r}.{hint}")

    def __getitem__(self, key: str) -> Any:
        return wrap(self._data[key], self._shape.child(key))

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Model):
            return self._data == other._data
        return self._data == other if isinstance(other, dict) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __dir__(self) -> list[str]:
        names = {*self._data, *self._shape.fields}
        names |= {sdk_attribute(name) for name in names}
        return sorted({name for name in names if name.isidentifier()} | {*_METHODS})

    def __repr__(self) -> str:
        fields = ", ".join(f"{key}={_short_repr(self[key])}" for key in self._data)
        return f"{self._shape.name}({fields})"

    def to_dict(self) -> dict[str, Any]:
        """The JSON object as the server sent it."""
        return self._data

    # The pydantic methods ported code calls on the official SDK's models; see _compat._dump.
    def dict(self, **options: Any) -> dict[str, Any]:
        """The object as the official SDK's `.dict()` gives it: the JSON sent, date-times as datetime."""
        from ._compat._dump import sdk_dict

        return sdk_dict(self._data, self._shape, **options)

    def json(self, **options: Any) -> str:
        """The object as compact JSON (`indent=` honoured), as the official SDK's `.json()`."""
        from ._compat._dump import sdk_json

        return sdk_json(self._data, **options)

    def model_dump(self, **options: Any) -> builtins.dict[str, Any]:
        """pydantic's `model_dump()` on the official SDK's model: every declared field, SDK attribute names."""
        from ._compat._dump import sdk_model_dump

        return sdk_model_dump(self._data, self._shape, **options)

    def model_dump_json(self, **options: Any) -> str:
        """The object as compact JSON (`indent=` honoured), as the official SDK's `.model_dump_json()`."""
        from ._compat._dump import sdk_json

        return sdk_json(self._data, **options)

    def __getstate__(self) -> tuple[builtins.dict[str, Any], str]:
        return self._data, self._shape.name

    def __setstate__(self, state: tuple[builtins.dict[str, Any], str]) -> None:
        self._data = state[0]
        self._shape = Shape(None, state[1], {})


class ModelList(Sequence[Any]):
    """A JSON array from the API; its objects are wrapped as `Model`s when read."""

    __slots__ = ("_data", "_shape")

    def __init__(self, data: list[Any], shape: Shape | None = None):
        self._data = data
        self._shape = shape

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return ModelList(self._data[index], self._shape)
        return wrap(self._data[index], self._shape)

    def __iter__(self) -> Iterator[Any]:
        shape = self._shape
        for item in self._data:
            yield wrap(item, shape)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ModelList):
            return self._data == other._data
        return self._data == other if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        if len(self._data) > 8:
            shown = ", ".join(_short_repr(self[i]) for i in range(3))
            return f"[{shown}, ... {len(self._data) - 3} more]"
        return "[" + ", ".join(_short_repr(item) for item in self) + "]"

    def to_list(self) -> list[Any]:
        return self._data


_METHODS = ("to_dict", "get", "keys", "items", "values", "dict", "json", "model_dump", "model_dump_json")


def _short_repr(value: Any, limit: int = 200) -> str:
    text = repr(value)
    if len(text) <= limit:
        return text
    return text[: limit - 4] + "...'" if text.startswith("'") else text[: limit - 3] + "..."
