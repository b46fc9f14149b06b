"""The spec's object maps and mapped streams (`_deployments/_mapping.py`, `_mappedstream.py`), on their own."""

from __future__ import annotations

import json
from typing import Any

import pytest

import cohere_dyn
from cohere_dyn._deployments._mappedstream import MappedStreamDecoder, StreamRules
from cohere_dyn._deployments._mapping import Maps, Refused, fill
from cohere_dyn._deployments._routes import service
from cohere_dyn._streaming._lines import StreamDecodeError

PACKAGED = cohere_dyn.Spec.load(None)
OCI = service(PACKAGED.document, "oci", "spec")


def _maps(rules: dict[str, Any]) -> Maps:
    return Maps(rules, "#/maps", "test")


def test_fields_are_renamed_in_the_order_the_map_lists_them() -> None:
    maps = _maps({"M": {"set": {"kind": "X"}, "fields": {"b": "B", "a": {"to": "A.inner"}}}})
    out = maps.apply("M", {"a": 1, "b": 2})
    assert list(out) == ["kind", "B", "A"] and out == {"kind": "X", "B": 2, "A": {"inner": 1}}


def test_a_request_field_the_map_does_not_list_is_refused_with_its_path() -> None:
    maps = _maps({"M": {"fields": {"items": {"to": "items", "map": "I"}}}, "I": {"fields": {"x": "x"}}})
    with pytest.raises(Refused) as caught:
        maps.apply("M", {"items": [{"x": 1}, {"x": 2, "y": 3}]})
    assert caught.value.path == "items[1].y" and "doesn't define" in caught.value.reason


def test_an_answer_map_drops_what_it_does_not_list() -> None:
    maps = _maps({"M": {"unknown": "drop", "fields": {"x": "y"}}})
    assert maps.apply("M", {"x": 1, "extra": 2}) == {"y": 1}


def test_a_value_missing_from_the_table_is_refused_naming_what_the_service_takes() -> None:
    maps = _maps({"M": {"fields": {"mode": {"to": "mode", "values": {"FAST": "FAST", "ACCURATE": "ACCURATE"}}}}})
    with pytest.raises(Refused, match="'ENABLED' has no equivalent .* \\(it takes 'ACCURATE', 'FAST'\\)"):
        maps.apply("M", {"mode": "ENABLED"})


def test_two_fields_landing_on_one_target_are_refused() -> None:
    maps = _maps({"M": {"fields": {"texts": "inputs", "images": "inputs"}}})
    with pytest.raises(Refused, match="'texts' and 'images' both become OCI's 'inputs'"):
        maps.apply("M", {"texts": ["a"], "images": ["b"]})


def test_a_string_becomes_the_template_it_stands_for() -> None:
    maps = _maps({"M": {"fields": {"content": {"to": "content", "string-as": [{"type": "TEXT", "text": "$"}]}}}})
    assert maps.apply("M", {"content": "hi"}) == {"content": [{"type": "TEXT", "text": "hi"}]}


def test_cases_pick_the_map_by_a_fields_value() -> None:
    maps = _maps({"S": {"by": "type", "cases": {"document": "D"}}, "D": {"fields": {"type": {"to": "type", "values": "upper"}, "id": "document.id"}}})
    assert maps.apply("S", {"type": "document", "id": "d1"}) == {"type": "DOCUMENT", "document": {"id": "d1"}}


def test_fill_leaves_out_what_is_missing_and_spreads_the_rest() -> None:
    template = {"first": "$fields.a", "middle": "$mode", "gone": "$nothing", "*": "$fields"}
    assert fill(template, {"fields": {"a": 1, "b": 2}, "mode": "M"}) == {"first": 1, "middle": "M", "b": 2}


def test_a_map_naming_a_map_that_does_not_exist_is_a_spec_error_at_its_pointer() -> None:
    with pytest.raises(cohere_dyn.SpecError) as caught:
        _maps({"M": {"fields": {"x": {"to": "x", "map": "Nope"}}}})
    assert caught.value.pointer == "#/maps/M" and "'Nope'" in str(caught.value)


def test_a_rule_with_an_unknown_key_is_a_spec_error_at_its_field() -> None:
    with pytest.raises(cohere_dyn.SpecError) as caught:
        _maps({"M": {"fields": {"x": {"rename": "y"}}}})
    assert caught.value.pointer == "#/maps/M/fields/x"


def test_the_packaged_model_names_gain_ocis_prefix_unless_already_in_its_form() -> None:
    assert OCI.serving_mode("command-a-03-2025") == {"servingType": "ON_DEMAND", "modelId": "cohere.command-a-03-2025"}
    assert OCI.serving_mode("cohere.embed-v4.0")["modelId"] == "cohere.embed-v4.0"
    assert OCI.serving_mode("ocid1.generativeaimodel.oc1.x")["modelId"] == "ocid1.generativeaimodel.oc1.x"


def _decoder(stream: str) -> MappedStreamDecoder:
    rules: StreamRules = OCI.streams[stream]
    return MappedStreamDecoder(rules, OCI.maps, OCI.title)


def _sse(event: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(event).encode() + b"\n\n"


def test_each_oci_event_becomes_coheres_events_as_soon_as_it_arrives() -> None:
    decoder = _decoder("ChatStreamV2")
    first = decoder.feed(_sse({"apiFormat": "COHEREV2", "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": "Hel"}]}}))
    assert [e.event for e in first] == ["message-start", "content-start", "content-delta"]
    half = _sse({"apiFormat": "COHEREV2", "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": "lo"}]}})
    assert decoder.feed(half[:10]) == []  # an event cut across reads waits for its end
    assert [e.event for e in decoder.feed(half[10:])] == ["content-delta"]


def test_the_last_events_come_once_the_stream_ends_after_ocis_last_event() -> None:
    decoder = _decoder("ChatStreamV1")
    decoder.feed(_sse({"apiFormat": "COHERE", "text": "Hi"}) + _sse({"apiFormat": "COHERE", "text": "Hi", "finishReason": "COMPLETE"}))
    [end] = decoder.flush()
    assert json.loads(end.data) == {"event_type": "stream-end", "finish_reason": "COMPLETE", "response": {"finish_reason": "COMPLETE", "text": "Hi"}, "is_finished": True}


def test_an_event_that_is_not_json_raises_with_the_events_before_it() -> None:
    decoder = _decoder("ChatStreamV1")
    with pytest.raises(StreamDecodeError, match="isn't JSON") as caught:
        decoder.feed(_sse({"apiFormat": "COHERE", "text": "Hi"}) + b"data: {oops\n\n")
    assert [e.event for e in caught.value.parsed] == ["stream-start", "text-generation"]
