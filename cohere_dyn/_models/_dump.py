"""`.dict()`, `.json()`, `.model_dump()`, `.model_dump_json()` on response objects, as the official SDK's models answer them.

Measured on the SDK 7.3.1 (pydantic 2) for an object built from the JSON the API sent:

- `dict()` is that JSON (JSON field names, `null`s the server sent kept, nothing added), with
  date-time fields as `datetime`; `include`/`exclude` apply, the other options are overridden by
  the SDK and have no effect.
- `json()`, `model_dump_json()` and `model_dump(mode="json")` are that JSON, compact (`indent`
  honoured); the SDK's serializer ignores the other options.
- `model_dump()` is pydantic's own: every field the schema declares (None when absent) then the
  extra ones, named as the SDK's attributes (`float_`) unless `by_alias=True`, nested objects
  alike; `exclude_none`, `exclude_unset`, `exclude_defaults`, `include` and `exclude` apply.

`include`/`exclude` take sets of field names (JSON or attribute spelling) or pydantic's nested
dicts (`{"results": {0: {"index"}}}`, `"__all__"` for every item of a list).
"""

from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING, Any

from .._naming import sdk_attribute
from ._base import ModelBase, plain

if TYPE_CHECKING:
    from ._shape import Shape

__all__ = ["sdk_dict", "sdk_json", "sdk_model_dump"]

_WHOLE = (True, Ellipsis)


def sdk_dict(data: dict[str, Any], shape: Shape, include: Any = None, exclude: Any = None, **_: Any) -> dict[str, Any]:
    return _dump(data, shape, include, exclude, by_alias=True, fill=False, drop_none=False)


def sdk_json(data: dict[str, Any], indent: int | None = None, **_: Any) -> str:
    if indent is None:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_jsonable)
    return json.dumps(data, ensure_ascii=False, indent=indent, default=_jsonable)


def _jsonable(value: Any) -> Any:
    """What JSON can't hold as it is: a model (its JSON object), a datetime given to a model."""
    if isinstance(value, ModelBase):
        return value._data
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} can't be written as JSON")


def sdk_model_dump(
    data: dict[str, Any],
    shape: Shape,
    *,
    mode: str = "python",
    include: Any = None,
    exclude: Any = None,
    by_alias: bool | None = False,
    exclude_unset: bool = False,
    exclude_defaults: bool = False,
    exclude_none: bool = False,
    **_: Any,
) -> dict[str, Any]:
    if mode == "json":
        return json.loads(sdk_json(plain(data)))
    fill = not (exclude_unset or exclude_defaults)
    drop_none = exclude_none or exclude_defaults  # every declared field of the SDK's models defaults to None
    return _dump(data, shape, include, exclude, by_alias=bool(by_alias), fill=fill, drop_none=drop_none)


def _dump(
    data: dict[str, Any], shape: Shape | None, include: Any, exclude: Any, *, by_alias: bool, fill: bool, drop_none: bool
) -> dict[str, Any]:
    if shape is not None:
        shape = shape.resolve(data)
    fields = shape.fields if shape is not None else {}
    keys = [*fields, *(key for key in data if key not in fields)] if fill else list(data)
    out: dict[str, Any] = {}
    for key in keys:
        attribute = sdk_attribute(key)
        inner_include = _pick(include, key, attribute, keep_when_absent=False)
        inner_exclude = _pick(exclude, key, attribute, keep_when_absent=True)
        if inner_include is None or inner_exclude is None:
            continue
        value = data.get(key)
        if value is None and drop_none:
            continue
        child = shape.child(key) if shape is not None else None
        value = _value(value, child, inner_include, inner_exclude, by_alias, fill, drop_none)
        if isinstance(value, str) and shape is not None and _is_datetime(shape, key):
            value = _datetime(value)
        elif type(value) is int and shape is not None and key in shape.numbers:  # a `number` field reads as a float
            value = float(value)
        out[key if by_alias else attribute] = value
    return out


def _value(value: Any, shape: Shape | None, include: Any, exclude: Any, by_alias: bool, fill: bool, drop_none: bool) -> Any:
    if isinstance(value, ModelBase):  # a model given as a field's value: dumped with its own shape
        value, shape = value._data, value._shape
    if isinstance(value, dict):
        return _dump(value, shape, _nested(include), _nested(exclude), by_alias=by_alias, fill=fill, drop_none=drop_none)
    if isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            item_include = _item(include, index, keep_when_absent=False)
            item_exclude = _item(exclude, index, keep_when_absent=True)
            if item_include is None or item_exclude is None:
                continue
            items.append(_value(item, shape, item_include, item_exclude, by_alias, fill, drop_none))
        return items
    return value


# An include/exclude spec, narrowed to one field or item: None drops it, True keeps it whole,
# and a set or dict is the spec for what it contains.
def _pick(spec: Any, key: str, attribute: str, keep_when_absent: bool) -> Any:
    if spec is None:
        return True
    if isinstance(spec, dict):
        inner = spec.get(key, spec.get(attribute)) if key in spec or attribute in spec else None
    else:
        inner = True if key in spec or attribute in spec else None
    if keep_when_absent:  # an exclude spec: a named field is dropped unless the spec is for its contents
        return True if inner is None else (None if inner in _WHOLE else inner)
    return inner


def _item(spec: Any, index: int, keep_when_absent: bool) -> Any:
    if spec is None or spec in _WHOLE:
        return True
    if isinstance(spec, dict):
        inner = spec.get(index, spec.get("__all__"))
    else:  # a set of item indices
        inner = True if index in spec else None
    if keep_when_absent:
        return True if inner is None else (None if inner in _WHOLE else inner)
    return inner


def _nested(spec: Any) -> Any:
    return None if spec in _WHOLE else spec


def _is_datetime(shape: Shape, key: str) -> bool:
    factory = shape._factory
    if factory is None:
        return False
    node = factory.resolver.deref(shape.fields.get(key))
    return isinstance(node, dict) and node.get("format") == "date-time"


def _datetime(text: str) -> Any:
    try:
        return datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:  # not ISO 8601 after all: left as the server sent it
        return text
