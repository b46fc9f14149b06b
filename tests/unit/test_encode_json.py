"""`encode_json`: the bytes of every JSON body sent, and its refusals."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import pytest

from cohere_dyn import ValidationError
from cohere_dyn._call._encoding import encode_json

SAMPLES: list[Any] = [
    {"model": "command-a-03-2025", "messages": [{"role": "user", "content": "Grüße, 世界 🌍"}], "stream": False},
    [1, -2, 1.5, 1e300, 1e-300, 0.1, True, False, None, "", "\"\\\n\t\x00"],
    {"": {"nested": [[], {}, [[[]]]]}, "int_like": 10**40},
    "a bare string",
    3,
]


@pytest.mark.parametrize("value", SAMPLES)
def test_the_bytes_are_compact_utf8_json_as_the_standard_library_writes_it(value: Any) -> None:
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    assert encode_json(value) == expected
    assert json.loads(encode_json(value)) == value


def test_dates_are_written_as_the_api_reads_them() -> None:
    assert encode_json({"at": dt.datetime(2024, 1, 2, 3, 4, 5)}) == b'{"at":"2024-01-02T03:04:05Z"}'


def deeply_nested(depth: int = 100_000) -> list[Any]:
    outer: list[Any] = []
    node = outer
    for _ in range(depth):
        node.append([])
        node = node[0]
    return outer


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda: {"temperature": math.nan}, "Out of range float"),
        (lambda: {"temperature": -math.inf}, "Out of range float"),
        (lambda: {"text": "\ud800"}, "lone surrogate"),
        (deeply_nested, "nested too deeply"),
    ],
)
def test_a_value_json_cant_hold_is_a_validation_error_naming_why(make: Any, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        encode_json(make(), where="v2.chat")
    assert says in str(caught.value) and "v2.chat" in str(caught.value)


def test_a_list_inside_itself_is_refused_and_the_next_body_still_encodes() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValidationError, match="holds itself"):
        encode_json({"messages": loop})
    assert encode_json({"messages": []}) == b'{"messages":[]}'


def test_a_type_json_has_no_form_for_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="object"):
        encode_json({"value": object()})
    with pytest.raises(TypeError, match="keys must be"):
        encode_json({1j: "complex key"})
