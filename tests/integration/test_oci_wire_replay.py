"""Replays the official SDK's OCI calls through cohere_dyn's OCI clients.

Each fixture in tests/fixtures/oci_wire (recorded by tools/capture_oci_wire.py from cohere 7.3.1
with oci; more in $COHERE_DYN_OCI_WIRE if set) holds the SDK call, what reached the server, the
OCI answer it was given and what the SDK returned. The same call runs here through the
cohere_dyn client of the same name against a loopback server giving the same answer:

- the route and the JSON body are the SDK's, except where the SDK is wrong about OCI's API
  (`CORRECTED`: field names OCI doesn't define, values in the wrong case, fields dropped
  silently), where the body is the one OCI's API reference asks for; stream requests also ask
  OCI for usage (streamOptions);
- the request carries an OCI signature that verifies with the test key, over the bytes sent;
- the result equals the SDK's where the SDK is right, and OCI's own numbers where it isn't
  (input tokens are OCI's promptTokens, not 0; v1 streams don't repeat their text).
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest

import cohere_dyn
from tests.capture import Captured, CaptureServer, Reply
from tests.oci_keys import client_kwargs, make_key, signature_problem

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "oci_wire"
EXTRA = Path(os.environ["COHERE_DYN_OCI_WIRE"]) if os.environ.get("COHERE_DYN_OCI_WIRE") else None
FIXTURES = sorted(HERE.glob("*.json")) + (sorted(EXTRA.glob("*.json")) if EXTRA and EXTRA.is_dir() else [])
CASES = [json.loads(path.read_text()) for path in FIXTURES]
SENT = [case for case in CASES if "request" in case]


def _chat_request(**changes: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The SDK's body with chatRequest fields replaced (None: removed)."""

    def fix(body: dict[str, Any]) -> dict[str, Any]:
        body = copy.deepcopy(body)
        for key, value in changes.items():
            if value is None:
                body["chatRequest"].pop(key, None)
            else:
                body["chatRequest"][key] = value
        return body

    return fix


def _rename(old: str, new: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def fix(body: dict[str, Any]) -> dict[str, Any]:
        body = copy.deepcopy(body)
        request = body["chatRequest"]
        body["chatRequest"] = {(new if key == old else key): value for key, value in request.items()}
        return body

    return fix


# Where the SDK sends what OCI's API reference doesn't define, the body cohere_dyn sends instead.
CORRECTED: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    # CohereTool.parameterDefinitions of CohereParameterDefinition {description, type, isRequired}
    "chat_tools_v1": _chat_request(tools=[{"name": "get_weather", "description": "Weather in a city", "parameterDefinitions": {"city": {"description": "the city", "type": "str", "isRequired": True}}}]),
    # isForceSingleStep exists; the SDK drops force_single_step silently
    "chat_tool_results_v1": _chat_request(isForceSingleStep=True),
    # CohereResponseFormat.type is JSON_OBJECT; promptTruncation, citationQuality, maxInputTokens,
    # isSearchQueriesOnly, isRawPrompting exist, and the SDK drops them silently
    "chat_format_safety_v1": _chat_request(
        responseFormat={"type": "JSON_OBJECT", "schema": {"type": "object"}},
        promptTruncation="AUTO_PRESERVE_ORDER",
        citationQuality="FAST",
        maxInputTokens=1000,
        isSearchQueriesOnly=False,
        isRawPrompting=False,
    ),
    # CohereImageUrlV2.detail is AUTO, HIGH or LOW
    "v2_chat_image": _chat_request(messages=[{"role": "USER", "content": [{"type": "TEXT", "text": "What is this?"}, {"type": "IMAGE_URL", "imageUrl": {"url": "data:image/png;base64,AAAA", "detail": "LOW"}}]}]),
    "v2_chat_logprobs_priority": _rename("logprobs", "isLogProbsEnabled"),
    # CohereResponseJsonFormat is {type: JSON_OBJECT, schema}
    "v2_chat_response_format": _chat_request(responseFormat={"type": "JSON_OBJECT", "schema": {"type": "object", "properties": {"a": {"type": "string"}}}}),
    "v2_chat_tools_strict_choice": lambda body: _rename("toolChoice", "toolsChoice")(_rename("strictTools", "isStrictToolsEnabled")(body)),
}
# OCI's note on CohereAssistantMessageV2: a tool-calling turn has no content (the SDK sends []).
CORRECTED["v2_chat_tool_history"] = lambda body: _drop_empty_content(body)
# EmbedTextDetails.embedContents holds one text or image per input; `inputs` is a list of strings.
CORRECTED["v2_embed_inputs_single"] = lambda body: {
    **{k: v for k, v in body.items() if k != "inputs"},
    "embedContents": [{"type": "TEXT", "text": "a"}, {"type": "IMAGE", "imageUrl": {"url": "data:image/png;base64,AAAA"}}],
}
# Refused before sending, with the field named: OCI's embedText defines neither.
REFUSED = {"v2_embed_options": "max_tokens", "v2_embed_inputs": "inputs[0].content"}
# The SDK refuses top-level images; OCI embeds one image given as a data URI in `inputs`.
IMAGES = {
    "embed_images_v1": {"inputs": ["data:image/png;base64,AAAA"], "servingMode": {"servingType": "ON_DEMAND", "modelId": "cohere.embed-english-image-v3.0"}, "compartmentId": "ocid1.compartment.oc1..capturecompartment", "inputType": "IMAGE"},
    "v2_embed_images": {"inputs": ["data:image/png;base64,AAAA"], "servingMode": {"servingType": "ON_DEMAND", "modelId": "cohere.embed-v4.0"}, "compartmentId": "ocid1.compartment.oc1..capturecompartment", "inputType": "IMAGE", "embeddingTypes": ["float"]},
}


def _drop_empty_content(body: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(body)
    for message in body["chatRequest"]["messages"]:
        if message.get("content") == []:
            del message["content"]
    return body


def _expected_body(case: dict[str, Any]) -> dict[str, Any]:
    body = CORRECTED.get(case["name"], lambda b: b)(case["request"]["body"])
    if body.get("chatRequest", {}).get("isStream"):
        body = copy.deepcopy(body)
        body["chatRequest"]["streamOptions"] = {"isIncludeUsage": True}
    return body


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    return make_key(tmp_path_factory.mktemp("oci"))


def _run(case: dict[str, Any], key_path: Path, answer: dict[str, str] | None = None) -> tuple[Any, list[Captured]]:
    answer = answer or case.get("oci_answer") or {"content_type": "application/json", "body_raw": "{}"}

    def reply(request: Captured) -> Reply:
        return Reply(body=answer["body_raw"].encode(), headers={"Content-Type": answer["content_type"], "opc-request-id": "replay"})

    with CaptureServer(reply) as server:
        kwargs = client_kwargs(key_path, base_url=server.url, oci_compartment_id="ocid1.compartment.oc1..capturecompartment")
        client = getattr(cohere_dyn, case["client"])(**kwargs)
        result = eval(compile(case["python_call"], case["name"], "eval"), {"co": client})
    return result, server.requests


@pytest.mark.parametrize("case", SENT, ids=[case["name"] for case in SENT])
def test_oci_call_reaches_ocis_route_with_the_sdks_body_where_it_is_right(case: dict[str, Any], key: tuple[Path, Any]) -> None:
    if case["name"] in REFUSED:
        with pytest.raises(cohere_dyn.ValidationError) as caught:
            _run(case, key[0])
        assert caught.value.problems[0].path == REFUSED[case["name"]]
        return
    _, requests = _run(case, key[0])
    [captured] = requests
    recorded = case["request"]
    assert captured.method == recorded["method"]
    assert captured.path == recorded["path"]
    assert captured.json() == _expected_body(case)
    if case["name"] not in CORRECTED and not _expected_body(case).get("chatRequest", {}).get("isStream"):
        assert captured.body == recorded["body_raw"].encode()  # byte for byte: order, spacing, escapes
    assert captured.header("Content-Type") == recorded["headers"]["content-type"]


@pytest.mark.parametrize("case", SENT, ids=[case["name"] for case in SENT])
def test_oci_call_is_signed_over_the_bytes_sent(case: dict[str, Any], key: tuple[Path, Any]) -> None:
    if case["name"] in REFUSED:
        pytest.skip("refused before sending")
    _, [captured] = _run(case, key[0])
    assert signature_problem(captured.method, captured.path, captured.headers, captured.body, key[1]) is None
    header = captured.header("Authorization") or ""
    signed = header.split('headers="', 1)[1].split('"', 1)[0].split()
    assert sorted(signed) == sorted(case["request"]["signature"]["headers"])


@pytest.mark.parametrize("name", sorted(IMAGES))
def test_images_reach_oci_as_one_data_uri_in_inputs(name: str, key: tuple[Path, Any]) -> None:
    [case] = [c for c in CASES if c["name"] == name]
    _, [captured] = _run(case, key[0])
    assert captured.path == "/20231130/actions/embedText"
    assert captured.json() == IMAGES[name]


@pytest.mark.parametrize("name", ["rerank_v1", "v2_rerank"])
def test_an_operation_oci_does_not_serve_is_refused_before_sending(name: str, key: tuple[Path, Any]) -> None:
    [case] = [c for c in CASES if c["name"] == name]
    with pytest.raises(cohere_dyn.NotServedError, match="OCI Generative AI doesn't serve it") as caught:
        _run(case, key[0])
    assert "rerank" in str(caught.value)


def _oci(case: dict[str, Any]) -> Any:
    return json.loads(case["oci_answer"]["body_raw"])


ANSWERED = [c for c in SENT if c.get("sdk_result") is not None and c["name"] not in REFUSED]


@pytest.mark.parametrize("case", ANSWERED, ids=[case["name"] for case in ANSWERED])
def test_oci_answer_reads_as_the_sdks_where_it_is_right(case: dict[str, Any], key: tuple[Path, Any]) -> None:
    result, _ = _run(case, key[0])
    sdk = case["sdk_result"]
    if isinstance(sdk, list):
        _same_stream(case, [event.to_dict() for event in result], sdk)
        return
    ours = result.to_dict()
    oci = _oci(case)
    usage = (oci.get("chatResponse") or oci).get("usage") or {}
    tokens = {"input_tokens": usage.get("promptTokens")}
    if "completionTokens" in usage:
        tokens["output_tokens"] = usage["completionTokens"]
    if "chatResponse" not in oci:  # embed
        assert ours["id"] == sdk["id"]
        expected = {k.lower(): v for k, v in oci["embeddingsByType"].items()} if "embeddingsByType" in oci else None
        if case["client"] == "OciClient":
            assert ours["embeddings"] == (expected or sdk["embeddings"])  # the SDK drops all but float
            assert ours["response_type"] == ("embeddings_by_type" if expected else "embeddings_floats")
        else:
            assert ours["embeddings"] == sdk["embeddings"]
        assert ours["meta"]["tokens"] == tokens  # the SDK reports 0
        return
    if case["client"] == "OciClient":
        for field in ("text", "finish_reason", "chat_history", "documents"):
            assert ours.get(field, []) == sdk.get(field, [])
        expected_citations = [{"start": c["start"], "end": c["end"], "text": c["text"], "document_ids": c["documentIds"]} for c in oci["chatResponse"].get("citations", [])]
        assert ours.get("citations", []) == expected_citations  # the SDK leaves documentIds as OCI spells it
        assert ours.get("tool_calls", []) == oci["chatResponse"].get("toolCalls", [])
        assert ours["meta"]["tokens"] == ours["meta"]["billed_units"] == tokens
        return
    message = dict(sdk["message"])
    message.pop("citations", None)
    ours_message = dict(ours["message"])
    citations = ours_message.pop("citations", None)
    assert ours_message == message
    assert (ours["id"], ours["finish_reason"]) == (sdk["id"], sdk["finish_reason"])
    assert ours["usage"]["tokens"] == ours["usage"]["billed_units"] == tokens
    if citations is not None:
        [citation] = citations
        assert citation["content_index"] == 0
        assert citation["sources"] == [{"type": "document", "id": "doc1", "document": {"title": "Tall penguins"}}]


def _same_stream(case: dict[str, Any], ours: list[dict[str, Any]], sdk: list[dict[str, Any]]) -> None:
    if case["client"] == "OciClient":
        pieces = [event["text"] for event in ours if event["event_type"] == "text-generation"]
        sdk_pieces = [event["text"] for event in sdk if event["event_type"] == "text-generation"]
        assert pieces == sdk_pieces[:-1]  # the SDK yields OCI's final, whole text once more
        end = ours[-1]
        assert end["event_type"] == "stream-end" and end["finish_reason"] == "COMPLETE"
        assert end["response"]["text"] == "".join(pieces)
        assert end["response"]["meta"]["tokens"]["input_tokens"] == 12
        assert ours[0]["event_type"] == "stream-start"
        return
    strip = lambda events: [{k: v for k, v in e.items() if k not in ("id", "delta")} for e in events]  # noqa: E731
    assert strip(ours) == strip(sdk)
    deltas = [e["delta"]["message"]["content"]["text"] for e in ours if e["type"] == "content-delta"]
    assert deltas == [e["delta"]["message"]["content"]["text"] for e in sdk if e["type"] == "content-delta"]
    assert ours[-1]["delta"] == {"finish_reason": "COMPLETE", "usage": {"billed_units": {"input_tokens": 12, "output_tokens": 7}, "tokens": {"input_tokens": 12, "output_tokens": 7}}}
