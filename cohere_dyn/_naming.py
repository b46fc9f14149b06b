"""Python names from spec names, and did-you-mean hints.

Runs on every import (operations are named when the spec loads), so it avoids `re`, whose
import alone costs more than naming every operation.
"""

from __future__ import annotations

import keyword

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable

__all__ = ["snake_case", "python_identifier", "did_you_mean", "sdk_attribute", "JSON_TYPE_NAMES", "SDK_SPELT_WITH_UNDERSCORE"]

# Field names the official SDK's pydantic models spell with a trailing underscore (JSON `float` is
# the attribute `float_`), because as attributes they would break the class: the builtin types
# of JSON values (a field `float` would shadow the `float` of its own annotations) and the
# methods of pydantic's BaseModel (`schema`, `json`, `dict`, ...). Python's keywords too (below).
JSON_TYPE_NAMES = frozenset({"str", "int", "float", "bool", "list", "dict"})
SDK_SPELT_WITH_UNDERSCORE = JSON_TYPE_NAMES | frozenset(
    {"copy", "construct", "dict", "json", "schema", "schema_json", "validate", "parse_obj", "parse_raw", "parse_file"}
    | {"from_orm", "update_forward_refs"}
)


def snake_case(name: str) -> str:
    """`datasetType` -> `dataset_type`, `embed-jobs` -> `embed_jobs`, `ListEvents` -> `list_events`.

    An acronym counts as one word: `checkAPIKey` -> `check_api_key`, `oAuthAuthorize` -> `o_auth_authorize`.
    """
    words: list[str] = []
    word = ""
    last = len(name) - 1
    for index, char in enumerate(name):
        if not char.isalnum():
            if word:
                words.append(word)
                word = ""
            continue
        if char.isupper() and word:
            before = name[index - 1]
            after = name[index + 1] if index < last else ""
            if before.islower() or before.isdigit() or (before.isupper() and after.islower()):
                words.append(word)
                word = ""
        word += char
    if word:
        words.append(word)
    return "_".join(word.lower() for word in words)


def python_identifier(name: str) -> str:
    """snake_case that is also a legal keyword argument (`from` -> `from_`)."""
    ident = snake_case(name) or "_"
    if ident[0].isdigit():
        ident = "_" + ident
    return ident + "_" if keyword.iskeyword(ident) else ident


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """' Did you mean 'x'?' when a close candidate exists, else ''."""
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def sdk_attribute(field: str) -> str:
    """The attribute name the official SDK gives a JSON field: `float` -> `float_`, `class` -> `class_`."""
    return field + "_" if field in SDK_SPELT_WITH_UNDERSCORE or keyword.iskeyword(field) else field
