"""How an invalid payload is explained: located by jsonschema-rs, worded by jsonschema."""

from __future__ import annotations

from typing import Any

import pytest

import cohere_dyn
from cohere_dyn import Spec

SPEC = Spec.load()


def problems(name: str, part: str, instance: Any) -> list[tuple[str, str]]:
    validator = SPEC.validator(SPEC.operation(name), part)
    assert not validator.is_valid(instance)
    return [(problem.path, problem.message) for problem in validator.problems(instance)]


def test_a_node_is_worded_against_its_whole_schema_not_only_the_first_keyword_that_failed() -> None:
    found = problems("v2.embed", "body", {"model": "m", "input_type": "search_document", "texts": ["a"], "truncate": True})
    assert ("truncate", "True is not of type 'string'") in found
    assert any(path == "truncate" and "is not one of" in message for path, message in found)


def test_every_problem_of_a_long_list_is_named_once_by_its_position() -> None:
    texts: list[Any] = ["t"] * 50_000
    texts[123] = 3
    texts[49_999] = None
    found = problems("v2.embed", "body", {"model": "m", "input_type": "search_document", "texts": texts})
    assert found == [
        ("texts", "expected at most 96 items, got 50000"),
        ("texts[123]", "3 is not of type 'string'"),
        ("texts[49999]", "None is not of type 'string'"),
    ]


def test_a_message_of_the_wrong_kind_is_named_once_not_once_per_form_tried() -> None:
    messages: list[Any] = [{"role": "user", "content": "hi"}, "not a message"]
    found = problems("v2.chat", "body", {"model": "m", "messages": messages})
    assert found == [("messages[1]", "'not a message' is not of type 'object'")]


def test_problems_in_several_places_are_all_listed_in_path_order() -> None:
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": 5}, {"role": "tool", "content": "x"}],
        "temperature": "hot",
    }
    assert [path for path, _ in problems("v2.chat", "body", body)] == [
        "messages[0].content",
        "messages[1]",
        "temperature",
    ]


def test_a_value_the_compiled_validator_cannot_take_is_explained_by_the_full_run() -> None:
    with pytest.raises(cohere_dyn.ValidationError) as caught:
        cohere_dyn.validate("v2.chat", {"model": "m", "messages": [{"role": "user", "content": "\ud800"}], "temperature": "x"})
    assert [problem.path for problem in caught.value.problems] == ["temperature"]


def test_the_same_bad_value_in_several_places_is_named_in_each() -> None:
    messages = [{"role": "user", "content": 5} for _ in range(3)]
    found = problems("v2.chat", "body", {"model": "m", "messages": messages})
    assert [path for path, _ in found] == ["messages[0].content", "messages[1].content", "messages[2].content"]
