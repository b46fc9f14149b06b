"""The spec's `x-cohere-dyn-deployments` block: parsed into routes, checked at load and by lint."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import cohere_dyn
from cohere_dyn._deployments._aws import path_segment
from cohere_dyn._deployments._routes import BLOCK, service
from cohere_dyn._tools._lint import lint_document

PACKAGED = cohere_dyn.Spec.load().document


def _chat_document(block: dict[str, Any]) -> dict[str, Any]:
    body = {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}, "model": {"type": "string"}}}
    operation = {
        "operationId": "chat",
        "requestBody": {"content": {"application/json": {"schema": body}}},
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}},
    }
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/v1/chat": {"post": operation}}, BLOCK: block}


def _service(**changes: Any) -> dict[str, Any]:
    rules = copy.deepcopy(PACKAGED[BLOCK]["services"]["sagemaker"])
    rules["operations"] = {"chat": {}}
    rules.update(changes)
    return rules


def test_the_packaged_spec_describes_both_services() -> None:
    bedrock = service(PACKAGED, "bedrock", "spec")
    sagemaker = service(PACKAGED, "sagemaker", "spec")
    assert "rerank" not in bedrock.routes and bedrock.routes["v2.rerank"].add == {"api_version": 2}
    assert sagemaker.routes["rerank"].add == {"api_version": 1}
    assert bedrock.routes["v2.chat"].token_counts == "usage" and sagemaker.routes["chat"].token_counts is None
    assert bedrock.routes["v2.chat_stream"].body_order == bedrock.routes["v2.chat"].body_order != ()
    assert (bedrock.stream_frames, sagemaker.stream_frames) == ("chunk-base64", "payload-part-ndjson")


def test_every_served_method_exists_in_the_packaged_spec() -> None:
    spec = cohere_dyn.Spec.load()
    for name in ("bedrock", "sagemaker"):
        for method in service(PACKAGED, name, "spec").routes:
            assert spec.operation(method).body_media_type == "application/json"


def test_an_unknown_rule_is_a_spec_error_at_its_pointer() -> None:
    document = _chat_document({"services": {"sagemaker": _service(signing="x")}})
    with pytest.raises(cohere_dyn.SpecError, match=f"#/{BLOCK}/services/sagemaker/signing: unknown key 'signing'"):
        service(document, "sagemaker", "spec")


def test_a_route_without_the_path_field_is_a_spec_error() -> None:
    document = _chat_document({"services": {"sagemaker": _service(route="/endpoints/invocations")}})
    with pytest.raises(cohere_dyn.SpecError, match="'route' must be a path starting with '/' holding {model}"):
        service(document, "sagemaker", "spec")


def test_unknown_stream_framing_is_a_spec_error() -> None:
    document = _chat_document({"services": {"sagemaker": _service(**{"stream-frames": "sse"})}})
    with pytest.raises(cohere_dyn.SpecError, match="'stream-frames' must be one of"):
        service(document, "sagemaker", "spec")


def test_a_spec_without_the_service_says_which_it_describes() -> None:
    with pytest.raises(cohere_dyn.SpecError, match="no deployment 'vertex' \\(described: bedrock, sagemaker, oci\\)"):
        service(PACKAGED, "vertex", "spec")


def test_a_client_on_a_spec_without_deployments_is_a_spec_error(tmp_path: Any) -> None:
    from tests.conftest import TINY_SPEC

    with pytest.raises(cohere_dyn.SpecError, match="no x-cohere-dyn-deployments.services block"):
        cohere_dyn.BedrockClient(aws_region="us-east-1", spec=TINY_SPEC)


def test_lint_accepts_a_sound_block() -> None:
    document = _chat_document({"services": {"sagemaker": _service()}})
    assert [f for f in lint_document(document) if f.code == "deployment"] == []


def test_lint_reports_a_method_the_spec_lacks() -> None:
    document = _chat_document({"services": {"sagemaker": _service(operations={"chat": {}, "v2.chat": {}})}})
    found = [(f.code, f.pointer) for f in lint_document(document) if f.code == "deployment"]
    assert found == [("deployment", f"#/{BLOCK}/services/sagemaker/operations/v2.chat")]


def test_lint_reports_a_broken_rule() -> None:
    document = _chat_document({"services": {"sagemaker": _service(operations={"chat": {"token-counts": "meta"}})}})
    [finding] = [f for f in lint_document(document) if f.code == "deployment"]
    assert "'token-counts' needs the service's 'token-count-headers'" in finding.message


@pytest.mark.parametrize(
    "value, segment",
    [
        ("cohere.command-r-plus-v1:0", "cohere.command-r-plus-v1:0"),  # as the official SDK sends it
        ("my-endpoint_2", "my-endpoint_2"),
        (
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.cohere.embed-v4:0",
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.cohere.embed-v4%3A0",  # as boto3
        ),
        ("a b?c#d", "a%20b%3Fc%23d"),
        ("..", "%2E%2E"),
    ],
)
def test_a_model_is_one_path_segment(value: str, segment: str) -> None:
    assert path_segment(value) == segment
