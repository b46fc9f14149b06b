"""Model classes and response objects: the SDK's classes, built from the spec, and the API's answers read through them.

    _shape     what the spec says about one kind of object (fields, union branches), built once
    _base      what a model is made of (its JSON object and its shape)
    _model     `Model`: attribute access, pydantic's methods, the SDK's spellings; `wrap` for answers
    _classes   `ModelFactory`: one spec's classes, named as the official SDK names them
    _fields    `model_fields` and constructor signatures
    _dump      `.dict()`, `.json()`, `.model_dump()` as the SDK's models answer them
    _pydantic  pydantic's hooks (loaded by pydantic only)
"""

from ._classes import ModelFactory, models_of
from ._model import Model, ModelList, ModelType, new_model, wrap
from ._shape import EMPTY_SHAPE, LOOSE, RAW, Shape, ShapeFactory

__all__ = ["EMPTY_SHAPE", "LOOSE", "RAW", "Model", "ModelFactory", "models_of", "ModelList", "ModelType", "Shape", "ShapeFactory", "new_model", "wrap"]
