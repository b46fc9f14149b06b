"""What every model object is made of: a JSON object and the shape it is read with.

Kept apart from `Model`'s behaviour so that the modules `Model` uses (dumping, pydantic's hooks)
can recognise a model without importing it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ModelBase", "plain"]


class ModelBase:
    """A JSON object (`_data`) and the `Shape` it is read with (`_shape`)."""

    __slots__ = ("_data", "_shape")

    _data: dict[str, Any]
    _shape: Any


def plain(value: Any) -> Any:
    """`value` with every model in it replaced by its JSON object; `value` itself when it holds none.

    An answer read from the API holds only JSON, so this is a walk that copies nothing (and skips
    lists of numbers or strings: JSON's lists hold one kind of value); a payload built from model
    classes gets plain containers where models were.
    """
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(item) in _SCALARS:
                continue
            converted = plain(item)
            if converted is not item:
                return {k: (converted if k == key else plain(v)) for k, v in value.items()}
        return value
    if kind is list:
        if not value or type(value[0]) in _SCALARS:  # JSON's lists are of one kind: numbers (a vector) stay as they are
            return value
        for index, item in enumerate(value):
            converted = plain(item)
            if converted is not item:
                return [*value[:index], converted, *(plain(v) for v in value[index + 1 :])]
        return value
    if isinstance(value, ModelBase):
        return plain(value._data) if type(value._data) is dict else value._data
    if isinstance(value, list):  # a ModelList: its items as stored
        return plain(list.copy(value))
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})
