"""`Model`: the SDK's model classes and the API's answers, as one kind of object.

Every class the official SDK exports (`ChatResponse`, `ToolCallV2`, `UsageTokens`...) is a
subclass of `Model` built from the spec (`_classes`), and every JSON object an answer or a
stream event holds is read as an instance of the class its schema is named by. An instance keeps
the JSON object it was read from (`_data`) without copying it, and wraps a child only when the
child is read, so a large answer costs what `json.loads` cost.

It behaves as the SDK's pydantic models do where code written for them looks:

- attributes for the declared fields (None when absent), the SDK's spellings (`float_` for
  `float`), undeclared fields kept and readable; `__dict__`/`vars()` with every declared field;
- iteration as (field, value) pairs, `dict(model)`, equality by content, a readable repr, pickling,
  `copy`/`deepcopy`;
- pydantic's methods: `model_dump`, `model_dump_json`, `dict`, `json`, `model_copy`, `copy`,
  `model_validate`, `model_validate_json`, `model_construct`, `parse_obj`, `model_fields`,
  `model_fields_set`, `model_extra`, `model_json_schema`;
- class-level attributes per field, so `MagicMock(spec=UsageTokens)` knows `input_tokens`.

And as cohere_dyn's answers always have: `resp["message"]`, `resp.get("id")`, `"id" in resp`,
`to_dict()`. A model is a valid payload: sent, it is exactly the JSON its `to_dict()` holds.
"""

from __future__ import annotations

import builtins
from typing import Any, Callable, Iterator

from .._naming import did_you_mean, sdk_attribute
from ._base import ModelBase, plain
from ._shape import EMPTY_SHAPE, LOOSE, RAW, Shape

__all__ = ["Field", "Model", "ModelList", "ModelType", "generic_model", "new_model", "wrap"]

_new = object.__new__
_set_data = ModelBase.__dict__["_data"].__set__  # the slots' own descriptors
_set_shape = ModelBase.__dict__["_shape"].__set__


def new_model(cls: type, data: dict[str, Any], shape: Shape) -> Any:
    """An instance of `cls` reading `data` with `shape`, made without `__init__` (no copy, no check)."""
    obj: Any = _new(cls)
    _set_data(obj, data)
    _set_shape(obj, shape)
    return obj


def wrap(value: Any, shape: Shape | None) -> Any:
    """A JSON value as it is read: an object as an instance of its shape's class, a list of objects
    as a `ModelList`, a map of objects as a dict of them. What the spec declares no object for
    (free-form JSON, a field it doesn't declare, numbers and strings, lists of them) as it is, as
    the SDK's models keep such values."""
    if shape is None or shape is RAW:
        return value
    kind = type(value)
    if kind is dict:
        if shape.values is not None:
            values = shape.values
            return {key: wrap(item, values) for key, item in value.items()}
        reading = shape
        if shape.union is not None:
            reading = shape.resolve(value)
            if reading is shape:  # no branch of the union is this one: read as it came, generic below
                reading = LOOSE
            else:
                shape = reading
        obj = _new(shape.cls or shape.model_class())
        _set_data(obj, value)
        _set_shape(obj, reading)
        return obj
    if kind is list:
        return ModelList(value, shape)
    return value


class Field:
    """The class attribute of one declared field: reads it from the JSON object (None when absent;
    an integer as a float where the schema says `number`, as the SDK's models read it), writes it
    there."""

    __slots__ = ("key", "number")

    def __init__(self, key: str, number: bool = False):
        self.key = key
        self.number = number

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = obj._data.get(self.key)
        kind = type(value)
        if kind is dict or kind is list:
            return wrap(value, obj._shape.child(self.key))
        if kind is int and self.number:
            return float(value)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj._data[self.key] = value

    def __delete__(self, obj: Any) -> None:
        obj._data.pop(self.key, None)

    def __repr__(self) -> str:
        return f"<field {self.key!r}>"


class _PerClass:
    """A class-level attribute computed once per class: `ChatResponse.model_fields`."""

    def __init__(self, compute: Callable[[Any], Any]):
        self.compute = compute
        self.name = compute.__name__

    def __get__(self, obj: Any, owner: Any) -> Any:
        cache = owner.__dict__.get("_per_class")
        if cache is None:
            cache = {}
            type.__setattr__(owner, "_per_class", cache)
        if self.name not in cache:
            cache[self.name] = self.compute(owner)
        return cache[self.name]


class ModelType(type):
    """The class of model classes: `isinstance` also accepts an object read with the same schema
    under another of the SDK's names for it (`V2ChatResponse` and `ChatResponse`): the class's
    `_matches`, which `_classes.ModelFactory` gives each class it builds."""

    def __instancecheck__(cls, instance: Any) -> bool:
        if type.__instancecheck__(cls, instance):
            return True
        matches = cls.__dict__.get("_matches")
        return matches is not None and matches(instance)


class Model(ModelBase, metaclass=ModelType):
    """An object of the API, or one built to send to it (see the module docstring)."""

    __slots__ = ()

    # Set on each class built from the spec (`_classes.ModelFactory`); these are the generic ones.
    _factory: Any = None
    _restore: Any = None  # how an instance is unpickled (`_classes.restore`)
    _class_shape: Shape
    _schema: Any = None
    _fixed: dict[str, Any] = {}
    _spelt: dict[str, str] = {}  # the SDK's attribute name -> JSON name, where they differ
    _declared: tuple[str, ...] = ()  # JSON names of the declared fields, in order

    def __init__(self, **fields: Any):
        """Build the object from its fields, named as the SDK names them (`float_`) or as in JSON.

        None (and the SDK's `OMIT`, `...`) means "not given": the field is left out. Fields the
        schema doesn't declare are kept and sent. Values are checked against the spec when the
        object is sent (or by `model_validate`), not here.
        """
        cls = type(self)
        data = dict(cls._fixed)
        spelt = cls._spelt
        for key, value in fields.items():
            if value is not None and value is not ...:
                data[spelt.get(key, key)] = value
        shape = cls._class_shape
        _set_data(self, data)
        _set_shape(self, shape.resolve(data))

    # -- reading -----------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        if name in _OWN_SLOTS:  # not set yet (a copy being made): never look in `_data` for it
            raise AttributeError(name)
        data = self._data
        if name in data:
            return wrap(data[name], self._shape.child(name))
        if name[:2] == "__":
            raise AttributeError(name)
        if name[-1:] == "_" and sdk_attribute(name[:-1]) == name:  # the SDK's spelling of an undeclared field
            field = name[:-1]
            if field in data:
                return wrap(data[field], self._shape.child(field))
            if field in self._shape.fields:
                return None
        if name in self._shape.fields:  # declared by the shape the object was read with
            return None
        hint = did_you_mean(name, [*(sdk_attribute(key) for key in data), *self._declared])
        raise AttributeError(f"{type(self).__name__} has no field {name!r}.{hint}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name[:1] == "_":
            raise AttributeError(f"{type(self).__name__}: {name!r} can't be set")
        self._data[type(self)._spelt.get(name, name)] = value

    def __delattr__(self, name: str) -> None:
        self._data.pop(type(self)._spelt.get(name, name), None)

    def __getitem__(self, key: str) -> Any:
        return wrap(self._data[key], self._shape.child(key))

    def get(self, key: str, default: Any = None) -> Any:
        """The field named `key` in the JSON (not the SDK's spelling), or `default`."""
        data = self._data
        return wrap(data[key], self._shape.child(key)) if key in data else default

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def to_dict(self) -> builtins.dict[str, Any]:
        """The JSON object: as the server sent it, or as it will be sent."""
        return plain(self._data)

    @property  # type: ignore[misc]  # a property named __dict__ is what vars() reads
    def __dict__(self) -> builtins.dict[str, Any]:  # type: ignore[override]
        """Every declared field (None when absent), by attribute name, as the SDK's models hold them."""
        return dict(self._items(extra=False))

    def _items(self, extra: bool) -> Iterator[tuple[str, Any]]:
        data, shape = self._data, self._shape
        declared = type(self)._declared or tuple(shape.fields)
        numbers = shape.numbers
        for key in declared:
            value = data.get(key)
            if type(value) is int and key in numbers:
                value = float(value)
            yield sdk_attribute(key), wrap(value, shape.child(key))
        if extra:
            for key, value in data.items():
                if key not in shape.fields and key not in declared:
                    yield key, value

    def __iter__(self) -> Iterator[tuple[str, Any]]:  # type: ignore[override]
        """(field, value) pairs: the declared fields, then the others, as iterating a pydantic model gives them."""
        return self._items(extra=True)

    # -- comparing, showing, copying ---------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ModelBase):
            return plain(self._data) == plain(other._data)
        if isinstance(other, builtins.dict):
            return plain(self._data) == plain(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        fields = ", ".join(f"{sdk_attribute(key)}={_short_repr(self[key])}" for key in self._data)
        return f"{type(self).__name__}({fields})"

    def __str__(self) -> str:
        return " ".join(f"{sdk_attribute(key)}={_short_repr(self[key])}" for key in self._data)

    def __dir__(self) -> list[str]:
        names = {*self._data, *self._shape.fields, *type(self)._declared}
        names = {sdk_attribute(name) for name in names}
        return sorted({name for name in names if name.isidentifier()} | set(super().__dir__()))

    def __reduce__(self) -> tuple[Any, ...]:
        cls = type(self)
        if cls._restore is None:
            return generic_model, (self._data,)
        return cls._restore, (cls.__name__, self._data)

    def __copy__(self) -> Any:
        return new_model(type(self), dict(self._data), self._shape)

    def __deepcopy__(self, memo: builtins.dict[int, Any]) -> Any:
        import copy

        return new_model(type(self), copy.deepcopy(self._data, memo), self._shape)

    def model_copy(self, *, update: builtins.dict[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy, with `update`'s fields (SDK or JSON names) set in it."""
        import copy

        data = copy.deepcopy(self._data) if deep else dict(self._data)
        spelt = type(self)._spelt
        for key, value in (update or {}).items():
            data[spelt.get(key, key)] = value
        return new_model(type(self), data, self._shape.parent.resolve(data) if self._shape.parent else self._shape)

    def copy(self, *, include: Any = None, exclude: Any = None, update: Any = None, deep: bool = False) -> Any:
        """pydantic 1's name for `model_copy`."""
        return self.model_copy(update=update, deep=deep)

    # -- pydantic's dumps ----------------------------------------------------------------------

    def model_dump(self, **options: Any) -> builtins.dict[str, Any]:
        """pydantic's `model_dump()` on the SDK's model: every declared field (None when absent), then
        the others, named as the SDK's attributes (`float_`) unless `by_alias=True`; `mode="json"`,
        `include`, `exclude`, `exclude_none`, `exclude_unset`, `exclude_defaults` apply."""
        from ._dump import sdk_model_dump

        return sdk_model_dump(self._data, self._shape, **options)

    def model_dump_json(self, **options: Any) -> str:
        """The object as compact JSON (`indent=` honoured), as the official SDK's `.model_dump_json()`."""
        from ._dump import sdk_json

        return sdk_json(self._data, **options)

    def dict(self, **options: Any) -> builtins.dict[str, Any]:
        """The object as the official SDK's `.dict()` gives it: the JSON (its field names, the nulls
        it holds), date-times as datetime."""
        from ._dump import sdk_dict

        return sdk_dict(self._data, self._shape, **options)

    def json(self, **options: Any) -> str:
        """The object as compact JSON (`indent=` honoured), as the official SDK's `.json()`."""
        from ._dump import sdk_json

        return sdk_json(self._data, **options)

    # -- pydantic's class-level API ------------------------------------------------------------

    @property
    def model_fields_set(self) -> set[str]:
        """The fields that hold a value, by attribute name."""
        return {sdk_attribute(key) for key in self._data}

    @property
    def model_extra(self) -> builtins.dict[str, Any]:
        """The undeclared fields."""
        declared = set(type(self)._declared) | set(self._shape.fields)
        return {key: self[key] for key in self._data if key not in declared}

    model_config: builtins.dict[str, Any] = {"extra": "allow", "populate_by_name": True}
    model_computed_fields: builtins.dict[str, Any] = {}

    @_PerClass
    def model_fields(cls) -> builtins.dict[str, Any]:  # type: ignore[misc]  # computed per class, see _PerClass
        """Every declared field by attribute name: a `FieldInfo` with its annotation, alias, default,
        description and whether it is required, as pydantic's `model_fields`."""
        from ._fields import field_infos

        return field_infos(cls)

    @_PerClass
    def __fields__(cls) -> builtins.dict[str, Any]:  # type: ignore[misc]
        return cls.model_fields

    @property
    def __fields_set__(self) -> set[str]:
        return self.model_fields_set

    @classmethod
    def model_validate(cls, obj: Any, **_: Any) -> Any:
        """An instance from a dict (or a model): checked against the class's schema, a
        ValidationError naming each problem's path if it breaks it."""
        if isinstance(obj, cls):
            return obj
        if isinstance(obj, ModelBase):
            obj = obj._data
        if not isinstance(obj, builtins.dict):
            from .._errors import ValidationError, ValidationProblem

            problem = ValidationProblem("", f"expected an object, got {type(obj).__name__}", "type")
            raise ValidationError(cls.__name__, [problem])
        spelt = cls._spelt
        data: builtins.dict[str, Any] = dict(cls._fixed)
        for key, value in obj.items():
            data[spelt[key] if key in spelt else key] = value
        if cls._factory is not None and cls._schema is not None:
            cls._factory.check(cls, data)
        shape = cls._class_shape
        return new_model(cls, data, shape.resolve(data))

    @classmethod
    def model_validate_json(cls, json_data: str | bytes, **_: Any) -> Any:
        import json

        return cls.model_validate(json.loads(json_data))

    @classmethod
    def model_construct(cls, _fields_set: Any = None, **values: Any) -> Any:
        """An instance from fields, unchecked (as the constructor)."""
        return cls(**values)

    parse_obj = model_validate
    construct = model_construct

    @classmethod
    def parse_raw(cls, b: str | bytes, **_: Any) -> Any:
        return cls.model_validate_json(b)

    @classmethod
    def model_json_schema(cls, **_: Any) -> builtins.dict[str, Any]:
        """The class's schema from the spec, with the schemas it refers to under `$defs`."""
        if cls._factory is None or cls._schema is None:
            return {"type": "object"}
        return cls._factory.json_schema(cls)

    @classmethod
    def schema(cls, **_: Any) -> builtins.dict[str, Any]:
        """pydantic 1's name for `model_json_schema`."""
        return cls.model_json_schema()

    @classmethod
    def schema_json(cls, **options: Any) -> str:
        import json

        return json.dumps(cls.model_json_schema(), indent=options.get("indent"))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """So that a pydantic model can declare a field of this class (loaded only by pydantic)."""
        from ._pydantic import core_schema_for

        return core_schema_for(cls)

    @property
    def __pydantic_serializer__(self) -> Any:
        """How pydantic serialises this object where it meets one in an `Any` field (a LlamaIndex
        response's `raw`): as `model_dump` would. Looked up only by pydantic."""
        try:
            from ._pydantic import serializer

            return serializer()
        except ImportError:  # pydantic isn't installed: nobody can be asking
            raise AttributeError("__pydantic_serializer__") from None

    @_PerClass
    def __signature__(cls) -> Any:  # type: ignore[misc]
        """The constructor's keywords, for `inspect.signature(ToolCallV2)` and `help()`."""
        from ._fields import class_signature

        return class_signature(cls)


_OWN_SLOTS = frozenset({"_data", "_shape"})
EMPTY_SHAPE.cls = LOOSE.cls = Model
Model._class_shape = EMPTY_SHAPE


class ModelList(builtins.list):  # type: ignore[type-arg]
    """A JSON array of objects from the API: a list, whose objects are read as models when taken out."""

    __slots__ = ("_shape",)

    def __init__(self, items: Any = (), shape: Shape | None = None):
        super().__init__(items)
        self._shape = shape

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return ModelList(builtins.list.__getitem__(self, index), self._shape)
        return wrap(builtins.list.__getitem__(self, index), self._shape)

    def __iter__(self) -> Iterator[Any]:
        shape = self._shape
        for item in builtins.list.__iter__(self):
            yield wrap(item, shape)

    def __reversed__(self) -> Iterator[Any]:
        shape = self._shape
        for item in builtins.list.__reversed__(self):
            yield wrap(item, shape)

    def __repr__(self) -> str:
        if len(self) > 8:
            shown = ", ".join(_short_repr(self[i]) for i in range(3))
            return f"[{shown}, ... {len(self) - 3} more]"
        return "[" + ", ".join(_short_repr(item) for item in self) + "]"

    def __reduce__(self) -> tuple[Any, ...]:
        return builtins.list, (builtins.list(self),)  # a plain list of the models

    def to_list(self) -> builtins.list[Any]:
        """The JSON array as it came."""
        return plain(builtins.list.copy(self))


def generic_model(data: builtins.dict[str, Any]) -> Model:
    """An unpickled generic model."""
    return new_model(Model, data, EMPTY_SHAPE)


def _short_repr(value: Any, limit: int = 200) -> str:
    text = repr(value)
    if len(text) <= limit:
        return text
    return text[: limit - 4] + "...'" if text.startswith("'") else text[: limit - 3] + "..."
