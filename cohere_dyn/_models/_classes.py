"""The model classes of one spec, built on first use from its schemas and the SDK's names for them.

`ModelFactory` is the spec's `ShapeFactory` that also knows the classes: every name the type
index gives (`_spec._types.TypeIndex`: `ToolCallV2`, `ContentDeltaV2ChatStreamResponse`...) is a
`Model` subclass made the first time it is asked for, and a shape's objects get the class its
schema is named by, a union's branch the name of its branch in that union
(`TextAssistantMessageResponseContentItem`). A schema no rule names gets a class of its own,
named after its place (`ChatResponseMessage`), outside `cohere_dyn.types`.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from .._naming import sdk_attribute
from .._spec._document import Spec
from .._spec._schemas import Resolver, discriminator_values
from .._spec._types import TypeIndex
from ._base import ModelBase
from ._model import Field, Model, ModelType, new_model
from ._shape import Shape, ShapeFactory

__all__ = ["ModelFactory", "models_of", "restore"]

_ABSENT = object()
_FACTORIES: "weakref.WeakKeyDictionary[Spec, ModelFactory]" = weakref.WeakKeyDictionary()
_FACTORIES_LOCK = threading.Lock()


def models_of(spec: Spec) -> "ModelFactory":
    """The shapes and model classes of a spec, made once per spec."""
    factory = _FACTORIES.get(spec)
    if factory is None:
        with _FACTORIES_LOCK:
            factory = _FACTORIES.get(spec)
            if factory is None:
                factory = _FACTORIES[spec] = ModelFactory(spec.resolver, spec.types)
    return factory


def restore(name: str, data: dict[str, Any]) -> Any:
    """An unpickled model: the packaged spec's class of that name reading `data` (a generic `Model`
    when the name isn't one of its classes)."""
    factory = models_of(Spec.load())
    cls: Any = factory.model_class(name) if name in factory.types else Model
    shape = cls._class_shape
    return new_model(cls, data, shape.resolve(data))


class ModelFactory(ShapeFactory):
    """Shapes and model classes of one spec; one per `Spec` (`models_of(spec)`)."""

    def __init__(self, resolver: Resolver, types: TypeIndex):
        super().__init__(resolver)
        self.types = types
        self._classes: dict[str, type] = {}
        self._anonymous: dict[tuple[Any, ...], type] = {}
        self._checks: dict[str, Any] = {}
        self._class_lock = threading.RLock()

    def value(self, name: str) -> Any:
        """What `cohere_dyn.types.<name>` is: the model class, or for a schema that is no object the
        SDK's type alias (`Literal[...]`, `Any`)."""
        if name in self.types and self.types.is_alias(name):
            return self.types.alias(name)
        return self.model_class(name)

    def model_class(self, name: str) -> type:
        """The class of an SDK name; AttributeError (with a did-you-mean) for a name the spec lacks."""
        cls = self._classes.get(name)
        if cls is not None:
            return cls
        if name not in self.types:
            from .._naming import did_you_mean

            raise AttributeError(f"no type {name!r} in the spec.{did_you_mean(name, self.types.names())}")
        with self._class_lock:
            cls = self._classes.get(name)
            if cls is None:
                cls = self._classes[name] = self._build_named(name)
            return cls

    def class_of(self, shape: Shape) -> type:
        """The class of objects read with `shape`."""
        types = self.types
        preferred = None
        if shape.parent is not None:  # a union's branch: named in that union, as the SDK names it
            (value,) = shape.fixed.values()
            preferred = types.branch_name(value, shape.parent.model_class().__name__)
            if preferred in types and types.entry(preferred)[1] == shape.fixed:
                return self.model_class(preferred)
        name = types.name_of(shape.schema, shape.fixed) if shape.schema is not None else None
        if name is not None:
            return self.model_class(name)
        return self._unnamed(shape, preferred or shape.name)

    # -- building classes ----------------------------------------------------------------------

    def _build_named(self, name: str) -> type:
        types = self.types
        schema, fixed, discriminators = types.entry(name)
        target = self.resolver.deref(schema)
        pinned = {prop: value for prop, value in types.pinned(schema).items() if prop not in discriminators}
        shape = self.shape(schema, name) or Shape(self, name, {}, schema=target)
        if fixed and shape.union is None:  # a union's branch: its objects hold the value that picks it
            shape = Shape(self, shape.name, shape.fields, None, shape.schema, dict(fixed))
        declared = tuple(types.properties(schema))
        description = target.get("description") if isinstance(target, dict) else None
        return self._make(name, shape, target, {**pinned, **fixed}, declared, description, module="cohere_dyn.types")

    def _unnamed(self, shape: Shape, name: str) -> type:
        key = (id(shape.schema), tuple(shape.fixed.items()))
        cls = self._anonymous.get(key)
        if cls is None:
            with self._class_lock:
                cls = self._anonymous.get(key)
                if cls is None:
                    description = shape.schema.get("description") if isinstance(shape.schema, dict) else None
                    declared = tuple(shape.fields)
                    cls = self._make(name, shape, shape.schema, dict(shape.fixed), declared, description, module="cohere_dyn")
                    self._anonymous[key] = cls
        return cls

    def _make(
        self, name: str, shape: Shape, target: Any, fixed: dict[str, Any], declared: tuple[str, ...], doc: Any, module: str
    ) -> type:
        spelt = {sdk_attribute(field): field for field in declared if sdk_attribute(field) != field}
        namespace: dict[str, Any] = {
            "__module__": module,
            "__qualname__": name,
            "__doc__": " ".join(str(doc).split()) if doc else f"{name}, as the spec describes it.",
            "__slots__": (),
            "_factory": self,
            "_restore": staticmethod(restore),
            "_class_shape": shape,
            "_schema": target,
            "_fixed": fixed,
            "_spelt": spelt,
            "_declared": declared,
            "_matches": staticmethod(lambda instance: self._matches(target, fixed, instance)),
        }
        for field in declared:
            attribute = sdk_attribute(field)
            if attribute.isidentifier() and attribute not in namespace:
                namespace[attribute] = Field(field, field in shape.numbers)
        return ModelType(name, (Model,), namespace)

    def _matches(self, target: Any, fixed: dict[str, Any], instance: Any) -> bool:
        """`isinstance(instance, cls)` for an instance of another class: read with the same schema
        (or a branch of that union), holding the values the name fills in."""
        if not isinstance(instance, ModelBase):
            return False
        data, read_with = instance._data, instance._shape.schema
        if read_with is None or any(data.get(key, _ABSENT) != value for key, value in fixed.items()):
            return False
        if read_with is target:
            return True
        branches = discriminator_values(self.resolver, target) if isinstance(target, dict) else None
        return any(self.resolver.deref(branch) is read_with for branch in (branches or {}).values())

    # -- what the classes ask of their spec ----------------------------------------------------

    def check(self, cls: Any, data: dict[str, Any]) -> None:
        """ValidationError (each problem with its path) unless `data` is valid for `cls`'s schema."""
        validator = self._checks.get(cls.__name__)
        if validator is None:
            from .._spec._validation import SchemaValidator

            validator = self._checks.setdefault(cls.__name__, SchemaValidator(self.resolver, cls._schema))
        if not validator.is_valid(data):
            from .._spec._validation import to_jsonable

            validator.check(cls.__name__, to_jsonable(data))

    def json_schema(self, cls: Any) -> dict[str, Any]:
        """The class's schema, self-contained (the schemas it refers to under `$defs`)."""
        from .._spec._validation import bundle

        schema = dict(bundle(self.resolver, cls._schema, names={}))
        schema.setdefault("title", cls.__name__)
        return schema
