"""What the spec says about one JSON object: its declared fields, its union branches, its class.

A `Shape` is built once per schema node by a `ShapeFactory` and shared by every object read with
it; its children's shapes are built when a child is first read, so a large answer costs nothing
until it is read. Which model class reads objects of a shape is the factory's business
(`class_of`, see `_classes`); a shape only remembers the answer.
"""

from __future__ import annotations

import threading
from typing import Any

from .._spec._schemas import Resolver, discriminator_values

__all__ = ["EMPTY_SHAPE", "LOOSE", "RAW", "Shape", "ShapeFactory"]


class Shape:
    """The declared fields of one kind of object, and for a discriminated union its branches."""

    __slots__ = ("name", "fields", "schema", "union", "fixed", "parent", "values", "numbers", "cls", "_factory", "_children", "_branches")

    def __init__(
        self,
        factory: "ShapeFactory | None",
        name: str,
        fields: dict[str, Any],
        union: Any = None,
        schema: Any = None,
        fixed: dict[str, Any] | None = None,
        parent: "Shape | None" = None,
    ):
        self._factory = factory
        self.name = name
        self.fields = fields  # property name -> schema node
        self.schema = schema  # the schema object this shape was built from (isinstance checks)
        self.union = union  # (discriminator property, {value: schema}) for a discriminated union
        self.fixed = fixed or {}  # for a union's branch: {discriminator: the value that picked it}
        self.parent = parent  # for a union's branch: the union's shape
        self.values: Shape | None = None  # for a map (`additionalProperties` of objects): its values' shape
        self.numbers: frozenset[str] = frozenset()  # fields declared `number`: an integer there reads as a float
        self.cls: Any = None  # the model class of objects of this shape, found on first use
        self._children: dict[str, Shape | None] = {}
        self._branches: dict[Any, Shape] = {}

    def child(self, key: str) -> "Shape | None":
        if key in self._children:
            return self._children[key]
        node = self.fields.get(key)
        shape = self._factory.shape(node, self.name + _pascal(key)) if self._factory is not None and node is not None else None
        self._children[key] = shape
        return shape

    def resolve(self, data: Any) -> "Shape":
        """For a union, the branch the data's discriminator names; otherwise self."""
        if self.union is None:
            return self
        value = data.get(self.union[0])
        try:
            return self._branches[value]
        except (KeyError, TypeError):
            pass
        branch = self.union[1].get(str(value))
        shape = self._factory.branch(self, value, branch) if branch is not None and self._factory is not None else None
        shape = shape or self
        try:
            self._branches[value] = shape
        except TypeError:  # an unhashable discriminator value
            pass
        return shape

    def model_class(self) -> Any:
        """The class of objects of this shape (the factory's answer, kept)."""
        if self.cls is None:
            if self._factory is None:
                raise LookupError(f"the shape {self.name!r} has no factory to name its class")
            self.cls = self._factory.class_of(self)
        return self.cls


class ShapeFactory:
    """Builds `Shape`s from schema nodes once, and hands out the same ones after.

    `class_of` is left to a subclass (`_classes.ModelFactory`), which knows the model classes.
    """

    def __init__(self, resolver: Resolver):
        self.resolver = resolver
        self._cache: dict[int, Shape | None] = {}
        self._lock = threading.RLock()  # building a shape builds its items' shape

    def class_of(self, shape: Shape) -> Any:
        raise NotImplementedError

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

    def branch(self, union: Shape, value: Any, node: Any) -> Shape | None:
        """The shape of one branch of a union, for the objects whose discriminator is `value`."""
        built = self._build(node, union.name)
        if built is None or built is RAW:
            return None
        prop = union.union[0]
        shape = Shape(self, built.name, built.fields, built.union, built.schema, {prop: value}, union)
        shape.numbers = built.numbers
        return shape

    def _build(self, node: Any, name_hint: str) -> Shape | None:
        name = _ref_name(node) or name_hint
        target = self.resolver.deref(node)
        if not isinstance(target, dict):
            return None
        if target.get("type") == "array" or "items" in target:
            return self.shape(target.get("items"), name + "Item")  # a list's shape is its items' shape
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
                if branch_shape is not None and branch_shape is not RAW and (branch_shape.fields or branch_shape.values or branch_shape.union):
                    return branch_shape
            values = target.get("additionalProperties")
            values_shape = self.shape(values, name + "Value") if isinstance(values, dict) and values else None
            if values_shape is None or values_shape is RAW:
                return RAW  # free-form JSON (`Dict[str, Any]`), or no object at all: read as it is
            shape = Shape(self, name, {}, schema=target)
            shape.values = values_shape
            return shape
        shape = Shape(self, name, fields, schema=target)
        shape.numbers = frozenset(key for key, node in fields.items() if _is_number(self.resolver.deref(node)))
        return shape


def _pascal(key: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in key.replace("-", "_").split("_"))


def _ref_name(node: Any) -> str | None:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return node["$ref"].rsplit("/", 1)[-1]
    return None


def _is_number(schema: Any) -> bool:
    kind = schema.get("type") if isinstance(schema, dict) else None
    return kind == "number" or (isinstance(kind, list) and "number" in kind and "integer" not in kind)


class _Loose(Shape):
    """An object a union's discriminator doesn't name (an event type the spec doesn't know): read
    as it came, every object in it a generic model, so that `event.delta.text` still reads."""

    __slots__ = ()

    def child(self, key: str) -> Shape:
        return self


EMPTY_SHAPE = Shape(None, "Object", {})  # the generic model's: an object the spec says nothing about
RAW = Shape(None, "Object", {})  # what is read as it is: free-form JSON, numbers, strings, lists of them
LOOSE = _Loose(None, "Object", {})
