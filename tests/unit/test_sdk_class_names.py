"""Every pydantic model class of the official SDK (5.15.0 and 7.3.1) is a payload constructor here,
and every type alias it exports (an enum's Literal, a union) is that alias here.

The name lists under tests/fixtures/sdk_classes are facts read from the installed SDKs; the
expected payloads below are what the SDK's class serialises to (`.dict()`, None left out).
"""

from __future__ import annotations

import importlib
import typing
from pathlib import Path

import pytest

import cohere_dyn
from cohere_dyn._models import models_of
from cohere_dyn._spec._document import Spec

LISTS = Path(__file__).resolve().parents[1] / "fixtures" / "sdk_classes"


def _names(sdk: str) -> list[str]:
    return [line.strip() for line in (LISTS / f"cohere-{sdk}.txt").read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("sdk", ["5.15.0", "7.3.1"])
def test_every_model_class_name_of_the_sdk_is_a_constructor(sdk: str) -> None:
    offered = set(Spec.load().types.names())
    missing = [name for name in _names(sdk) if name not in offered]
    assert missing == [], f"{len(missing)} of cohere {sdk}'s class names don't construct: {missing}"


@pytest.mark.parametrize("sdk", ["5.15.0", "7.3.1"])
def test_every_type_alias_the_sdk_exports_is_importable_as_an_alias(sdk: str) -> None:
    names = [line.strip() for line in (LISTS / f"cohere-{sdk}-aliases.txt").read_text().splitlines() if line.strip()]
    missing = [name for name in names if not hasattr(cohere_dyn, name)]
    assert missing == [], f"{len(missing)} of cohere {sdk}'s type aliases can't be imported: {missing}"


def test_an_sdk_alias_of_objects_stays_a_constructor() -> None:
    """The SDK's unions of classes and its `Dict[str, Any]` aliases build payloads here, as its classes do."""
    assert cohere_dyn.ChatMessageV2(role="user", content="hi") == {"role": "user", "content": "hi"}
    assert cohere_dyn.DeleteConnectorResponse() == {}


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("ChatRequestSafetyMode", ("CONTEXTUAL", "STRICT", "NONE")),
        ("V2ChatStreamRequestToolChoice", ("REQUIRED", "NONE")),
        ("EmbedInputType", ("search_document", "search_query", "classification", "clustering", "image")),
        ("ParseTableContentType", ("html",)),
    ],
)
def test_an_enum_alias_is_the_literal_of_its_values(name: str, values: tuple[str, ...]) -> None:
    assert typing.get_args(getattr(cohere_dyn, name)) == values


def test_a_union_alias_stands_for_any_value_and_constructs_nothing() -> None:
    assert cohere_dyn.SystemMessageV2Content is typing.Any
    assert cohere_dyn.RerankRequestDocumentsItem is typing.Any
    from cohere_dyn.types import AssistantMessageV2Content  # the SDK's module paths too

    assert AssistantMessageV2Content is typing.Any


@pytest.mark.parametrize(
    "where",
    ["cohere_dyn", "cohere_dyn.types", "cohere_dyn.v2", "cohere_dyn.v2.types", "cohere_dyn.types.user_message_v2"],
)
def test_the_names_resolve_wherever_the_sdk_imports_classes_from(where: str) -> None:
    module = importlib.import_module(where)
    for name in ("UserMessageV2", "V2ChatResponse", "ContentDeltaV2ChatStreamResponse", "TextAssistantMessageContentItem"):
        assert getattr(module, name).__name__ == name


# What each kind of class serialises to (request side)


def test_a_branch_schema_is_the_sdks_base_class_without_the_discriminator() -> None:
    assert cohere_dyn.UserMessageV2(content="hi") == {"content": "hi"}
    assert cohere_dyn.SystemMessageV2(content="be brief") == {"content": "be brief"}
    assert cohere_dyn.ChatTextContent(text="hi") == {"text": "hi"}
    assert cohere_dyn.ChatToolMessage(tool_results=[]) == {"tool_results": []}
    assert cohere_dyn.ChatTextResponseFormatV2() == {}


def test_a_union_branch_name_fills_in_the_discriminator() -> None:
    assert cohere_dyn.UserChatMessageV2(content="hi") == {"role": "user", "content": "hi"}
    assert cohere_dyn.TextContent(text="hi") == {"type": "text", "text": "hi"}
    assert cohere_dyn.TextSystemMessageV2ContentOneItem(text="hi") == {"type": "text", "text": "hi"}
    assert cohere_dyn.UserMessage(message="hi") == {"role": "USER", "message": "hi"}
    assert cohere_dyn.ToolMessage(tool_results=[]) == {"role": "TOOL", "tool_results": []}
    assert cohere_dyn.TextResponseFormatV2() == {"type": "text"}


def test_a_union_of_one_branch_is_that_branch() -> None:
    assert cohere_dyn.SystemMessageV2ContentOneItem(text="hi") == {"type": "text", "text": "hi"}


def test_the_old_sdks_names_build_what_they_built() -> None:
    assert cohere_dyn.TextSystemMessageContentItem(text="hi") == {"type": "text", "text": "hi"}
    assert cohere_dyn.TextAssistantMessageContentItem(text="hi") == {"type": "text", "text": "hi"}
    assert cohere_dyn.AutoTruncationStrategy() == {"type": "auto"}
    assert cohere_dyn.NoneTruncationStrategy() == {"type": "none"}
    assert cohere_dyn.TruncationStrategyAutoPreserveOrder() == {}
    assert cohere_dyn.ChatRequestConnectorsSearchOptions(seed=7) == {"seed": 7}
    assert cohere_dyn.ChatStreamRequestConnectorsSearchOptions(seed=7) == {"seed": 7}


def test_a_property_whose_only_value_is_its_default_is_filled_in_as_the_current_sdk_sends_it() -> None:
    function = cohere_dyn.ToolV2Function(name="f", parameters={})
    assert cohere_dyn.ToolV2(function=function) == {"type": "function", "function": function}
    assert cohere_dyn.ToolCallV2(id="call_1") == {"type": "function", "id": "call_1"}


def test_a_required_property_with_one_enum_value_is_filled_in() -> None:
    box = {"top_left_x": 0, "top_left_y": 0, "bottom_right_x": 1, "bottom_right_y": 1}
    table = cohere_dyn.ParseTableBlock(html="<table/>", bounding_box=box, bounding_box_normalized=box)
    assert table["type"] == "html"


def test_built_payloads_are_sent_as_the_sdk_sends_them() -> None:
    system = cohere_dyn.SystemChatMessageV2(content=[cohere_dyn.SystemMessageV2ContentOneItem(text="be brief")])
    user = cohere_dyn.UserChatMessageV2(content=[cohere_dyn.TextContent(text="hi")])
    cohere_dyn.validate("v2.chat", {"model": "command-a-03-2025", "messages": [system, user]})


# Response and stream side


def test_the_sdks_v2_stream_event_names_fill_in_the_type() -> None:
    event = cohere_dyn.ContentDeltaV2ChatStreamResponse(index=0, delta={"message": {"content": {"text": "h"}}})
    assert event == {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "h"}}}}
    assert cohere_dyn.MessageEndV2ChatStreamResponse(id="m") == {"type": "message-end", "id": "m"}
    assert cohere_dyn.ChatContentDeltaEvent(index=0) == {"index": 0}  # the base class


def test_the_event_base_classes_have_no_fields_of_their_own() -> None:
    assert cohere_dyn.ChatStreamEvent() == {}
    assert cohere_dyn.ChatStreamEventType() == {}
    assert cohere_dyn.GenerateStreamEvent() == {}


def test_response_classes_named_by_their_place_in_the_sdk() -> None:
    assert cohere_dyn.V2ChatResponse(id="x", finish_reason="COMPLETE", message={"role": "assistant"}) == {
        "id": "x",
        "finish_reason": "COMPLETE",
        "message": {"role": "assistant"},
    }
    document = cohere_dyn.RerankResponseResultsItemDocument(text="d")
    result = cohere_dyn.RerankResponseResultsItem(index=0, relevance_score=0.5, document=document)
    assert result == {"index": 0, "relevance_score": 0.5, "document": {"text": "d"}}
    assert cohere_dyn.V2RerankResponseResultsItemDocument(text="d") == {"text": "d"}  # 5.15's name of the same
    assert cohere_dyn.ClassifyResponseClassificationsItemLabelsValue(confidence=0.9) == {"confidence": 0.9}
    assert cohere_dyn.MetricsEmbedDataFieldsItem(name="text", count=3) == {"name": "text", "count": 3}


def test_a_schema_named_as_its_own_branch_is_the_branch() -> None:
    assert cohere_dyn.EmbeddingsByTypeEmbedResponse(id="e", embeddings={}) == {
        "response_type": "embeddings_by_type",
        "id": "e",
        "embeddings": {},
    }
    assert cohere_dyn.EmbedFloatsResponse(id="e", embeddings=[], texts=[]) == {"id": "e", "embeddings": [], "texts": []}


def test_a_class_keeps_keywords_its_schema_lacks_as_the_sdks_models_do() -> None:
    message = cohere_dyn.UserMessageV2(content="hi", message="kept")
    assert message.message == "kept"
    assert message.to_dict() == {"content": "hi", "message": "kept"}
    assert message.model_extra == {"message": "kept"}


# The rules, on a small spec: they carry over to names the packaged spec doesn't have


def _classes(schemas: dict) -> typing.Any:
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}}
    return models_of(Spec.from_dict(document)).model_class


_PET_SCHEMAS = {
    "Pet": {
        "x-cohere-dyn-sdk-names": ["Animal"],
        "oneOf": [{"$ref": "#/components/schemas/CatPet"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"cat": "#/components/schemas/CatPet", "dog": "#/components/schemas/Dog"},
        },
    },
    "CatPet": {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "cat"}, "lives": {"type": "integer"}}},
    "Dog": {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "dog"}, "good": {"type": "boolean"}}},
    "Leash": {
        "oneOf": [{"$ref": "#/components/schemas/Dog"}],
        "discriminator": {"propertyName": "kind", "mapping": {"dog": "#/components/schemas/Dog"}},
    },
}


def test_further_sdk_names_construct_the_schema_and_name_its_branches() -> None:
    model_class = _classes(_PET_SCHEMAS)
    assert model_class("Animal")(kind="dog") == {"kind": "dog"}
    assert model_class("DogAnimal")(good=True) == {"kind": "dog", "good": True}
    assert model_class("DogPet")(good=True) == {"kind": "dog", "good": True}


def test_a_branch_schemas_own_name_leaves_the_discriminator_out() -> None:
    assert _classes(_PET_SCHEMAS)("Dog")(good=True) == {"good": True}


def test_a_schema_named_as_its_branch_keeps_the_discriminator() -> None:
    assert _classes(_PET_SCHEMAS)("CatPet")(lives=9) == {"kind": "cat", "lives": 9}


def test_a_one_branch_union_builds_its_branch() -> None:
    assert _classes(_PET_SCHEMAS)("Leash")(good=False) == {"kind": "dog", "good": False}


# isinstance, as ported code checks the SDK's classes


def test_a_class_builds_instances_of_itself() -> None:
    assert isinstance(cohere_dyn.UserChatMessageV2, type)
    assert cohere_dyn.UserChatMessageV2.__name__ == "UserChatMessageV2"
    message = cohere_dyn.UserChatMessageV2(content="hi")
    assert type(message) is cohere_dyn.UserChatMessageV2
    assert isinstance(message, cohere_dyn.Model)


def test_a_model_is_an_instance_of_every_name_of_its_schema_and_a_dict_of_none() -> None:
    message = cohere_dyn.UserChatMessageV2(content="hi")
    assert isinstance(message, cohere_dyn.ChatMessageV2)
    assert isinstance(message, cohere_dyn.UserMessageV2)  # the SDK's base class of the branch
    assert not isinstance(message, cohere_dyn.AssistantChatMessageV2)
    assert not isinstance({"role": "user", "content": "hi"}, cohere_dyn.UserChatMessageV2)  # as with pydantic
    assert not isinstance("hi", cohere_dyn.UserChatMessageV2)


def test_response_objects_and_stream_events_are_instances_of_the_sdks_classes() -> None:
    from cohere_dyn.mock import MockServer

    with MockServer(delay=0) as server:
        v2 = cohere_dyn.ClientV2(api_key="k", base_url=server.url)
        reply = v2.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "hi"}])
        events = list(v2.chat_stream(model="command-a-03-2025", messages=[{"role": "user", "content": "hi"}]))
        v1_reply = cohere_dyn.Client(api_key="k", base_url=server.url).chat(message="hi")
    assert isinstance(reply, cohere_dyn.V2ChatResponse) and not isinstance(reply, cohere_dyn.NonStreamedChatResponse)
    assert isinstance(v1_reply, cohere_dyn.NonStreamedChatResponse)
    deltas = [event for event in events if isinstance(event, cohere_dyn.ContentDeltaV2ChatStreamResponse)]
    assert deltas and all(event.type == "content-delta" for event in deltas)
    assert all(isinstance(event, cohere_dyn.StreamedChatResponseV2) for event in events)
    assert sum(isinstance(event, cohere_dyn.MessageStartV2ChatStreamResponse) for event in events) == 1
