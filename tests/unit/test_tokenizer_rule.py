"""The spec's `local-tokenizer` and `sdk-changed` rules: read at load, checked, and nothing in
Python names the operations that have them."""

from __future__ import annotations

from typing import Any

import pytest

import cohere_dyn
from cohere_dyn import Spec, SpecError


def _spec(extension: dict[str, Any]) -> Spec:
    body = {"type": "object", "required": ["words", "model"],
            "properties": {"words": {"type": "string"}, "model": {"type": "string"}}}
    return Spec.from_dict({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/count": {
                "post": {
                    "operationId": "count",
                    "x-cohere-dyn": {"method": "count", **extension},
                    "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    })


LOCAL = {
    "sdk-arguments": {"here": {"schema": {"type": "boolean"}}},
    "local-tokenizer": {"switch": "here", "model": "model", "encode": "words", "result": "ids", "answer": {"pieces": []}},
}


def test_a_local_tokenizer_rule_is_read_into_the_operation() -> None:
    rule = _spec(LOCAL).operation("count").tokenizer
    assert rule is not None
    assert (rule.switch, rule.model, rule.action, rule.input, rule.result, rule.answer) == (
        "here", "model", "encode", "words", "ids", {"pieces": []}
    )
    assert _spec({}).operation("count").tokenizer is None


@pytest.mark.parametrize(
    "change, message",
    [
        ({"switch": "nowhere"}, "names 'nowhere', which is not an argument"),
        ({"encode": "letters"}, "names 'letters', which is not an argument"),
        ({"decode": "words"}, "one of encode or decode"),
        ({"result": None, "encode": "words"}, None),
    ],
)
def test_a_bad_local_tokenizer_rule_is_a_spec_error(change: dict[str, Any], message: str | None) -> None:
    rule = {**LOCAL["local-tokenizer"], **change}
    rule = {key: value for key, value in rule.items() if value is not None}
    with pytest.raises(SpecError, match=message or "lacks 'result'"):
        _spec({**LOCAL, "local-tokenizer": rule}).operation("count")


def test_without_a_tokenizers_entry_the_local_path_says_so() -> None:
    client = cohere_dyn.Client(api_key="k", spec=_spec(LOCAL))
    with pytest.raises(cohere_dyn.CohereError, match=r"names no tokenizers \(x-cohere-dyn.tokenizers\)"):
        client.count(words="hi", model="m", here=True)
    with pytest.raises(cohere_dyn.CohereError, match="names no tokenizers"):
        client.fetch_tokenizer(model="m")


def test_an_sdk_changed_operation_refuses_positional_arguments_with_its_message() -> None:
    client = cohere_dyn.Client(api_key="k", spec=_spec({"sdk-changed": "count() changed:\n  pass words=..."}))
    with pytest.raises(ValueError, match=r"^count\(\) changed: pass words=\.\.\.$"):
        client.count("hi")
    with pytest.raises(SpecError, match="sdk-changed must be a message"):
        _spec({"sdk-changed": ["no"]}).operation("count")
