"""pydantic's hooks for model classes, imported only when pydantic itself asks.

The classes are not pydantic models (an answer is read lazily, without validating or copying
it), but pydantic can hold them: a field annotated with one validates an instance as it is and a
dict through `model_validate`, and serialises it as `model_dump` does; an instance met in an
`Any` field serialises the same way.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic_core import SchemaSerializer, core_schema

__all__ = ["core_schema_for", "serializer"]


def _dump(value: Any, info: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if dump is None:
        return value
    return dump(mode="json" if info.mode_is_json() else "python", by_alias=bool(info.by_alias))


def _serialization() -> Any:
    return core_schema.plain_serializer_function_ser_schema(_dump, info_arg=True)


def core_schema_for(cls: Any) -> Any:
    def validate(value: Any) -> Any:
        return value if isinstance(value, cls) else cls.model_validate(value)

    return core_schema.no_info_plain_validator_function(validate, serialization=_serialization())


@lru_cache(maxsize=None)
def serializer() -> SchemaSerializer:
    return SchemaSerializer(core_schema.any_schema(serialization=_serialization()))
