"""`cohere-dyn lint`: every check, each finding at its JSON pointer, and the exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cohere_dyn._tools._cli import main
from cohere_dyn._tools._lint import ERROR, WARNING, lint_document, lint_file

from .test_published_spec import PUBLISHED, needs_published

ROOT = Path(__file__).resolve().parents[2]
OK = {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}}


def _document(paths: dict[str, Any] | None = None, schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths or {"/ping": {"get": {"operationId": "ping", "responses": OK}}},
        "components": {"schemas": schemas or {}},
    }


def _found(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(finding.severity, finding.code, finding.pointer) for finding in lint_document(document)}


def test_the_packaged_spec_lints_clean() -> None:
    assert lint_file(ROOT / "spec" / "cohere.yaml") == []


def test_cli_lint_exits_0_on_a_clean_spec(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint"]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


@needs_published
def test_the_published_file_fails_lint_with_its_known_defects(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--spec", str(PUBLISHED), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    found = {(f["code"], f["pointer"]) for f in report["findings"]}
    assert ("openapi", "#/components/schemas/TruncationStrategy/oneOf") in found
    assert ("required-not-property", "#/components/schemas/CreateConnectorOAuth/required") in found
    assert ("required-not-property", "#/components/schemas/EmbedByTypeResponse/required") in found
    assert ("discriminator-overlap", "#/components/schemas/ResponseFormatV2/oneOf") in found
    assert ("discriminator-overlap", "#/components/schemas/StreamedChatResponseV2/oneOf") in found
    assert ("ref-unresolvable", "#/components/schemas/TruncationStrategy/discriminator/mapping/auto") in found


def test_unreadable_spec_exits_2(tmp_path: Path) -> None:
    assert main(["lint", "--spec", str(tmp_path / "missing.yaml")]) == 2


def test_openapi_validity_errors_name_their_pointer() -> None:
    document = _document(schemas={"Empty": {"oneOf": []}})
    assert (ERROR, "openapi", "#/components/schemas/Empty/oneOf") in _found(document)


def test_required_names_that_are_not_properties() -> None:
    schemas = {
        "A": {"type": "object", "required": ["a", "ghost"], "properties": {"a": {"type": "string"}}},
        "Open": {"type": "object", "required": ["any"], "additionalProperties": True},
        "Merged": {"allOf": [{"$ref": "#/components/schemas/A"}, {"required": ["a"]}]},
    }
    found = _found(_document(schemas=schemas))
    assert (ERROR, "required-not-property", "#/components/schemas/A/required") in found
    assert not any(pointer.startswith(("#/components/schemas/Open", "#/components/schemas/Merged")) for _, _, pointer in found)


def _union(branches: list[dict[str, Any]], mapping: dict[str, str] | None = None) -> dict[str, Any]:
    union: dict[str, Any] = {"oneOf": branches, "discriminator": {"propertyName": "type"}}
    if mapping is not None:
        union["discriminator"]["mapping"] = mapping
    return union


def _branch(*values: str) -> dict[str, Any]:
    kind = {"const": values[0]} if len(values) == 1 else {"enum": list(values)}
    return {"type": "object", "required": ["type"], "properties": {"type": {"type": "string", **kind}}}


def test_discriminated_unions_whose_branches_overlap() -> None:
    schemas = {
        "X": _branch("x"),
        "Y": _branch("x", "y"),
        "Z": {"type": "object"},
        "Shared": _union([{"$ref": "#/components/schemas/X"}, {"$ref": "#/components/schemas/Y"}], {"x": "#/components/schemas/X", "y": "#/components/schemas/Y"}),
        "Unpinned": _union([{"$ref": "#/components/schemas/X"}, {"$ref": "#/components/schemas/Z"}], {"x": "#/components/schemas/X", "z": "#/components/schemas/Z"}),
        "Clean": _union([{"$ref": "#/components/schemas/X"}], {"x": "#/components/schemas/X"}),
    }
    findings = lint_document(_document(schemas=schemas))
    overlap = [f for f in findings if f.code == "discriminator-overlap"]
    assert {f.pointer for f in overlap} == {"#/components/schemas/Shared/oneOf", "#/components/schemas/Unpinned/oneOf/1"}
    assert "'x'" in next(f.message for f in overlap if f.pointer.endswith("Shared/oneOf"))


def test_discriminator_mappings_that_point_wrong_or_nowhere() -> None:
    schemas = {
        "X": _branch("x"),
        "Y": _branch("y"),
        "U": _union(
            [{"$ref": "#/components/schemas/X"}, {"$ref": "#/components/schemas/Y"}],
            {"x": "#/components/schemas/Y", "y": "#/components/schemas/Y", "gone": "#/components/schemas/Gone"},
        ),
        "NoMapping": _union([{"$ref": "#/components/schemas/X"}]),
    }
    found = _found(_document(schemas=schemas))
    assert (ERROR, "discriminator-mapping", "#/components/schemas/U/discriminator/mapping/x") in found
    assert (ERROR, "ref-unresolvable", "#/components/schemas/U/discriminator/mapping/gone") in found
    assert (WARNING, "discriminator-no-mapping", "#/components/schemas/NoMapping/discriminator") in found


def test_unresolvable_and_external_references() -> None:
    schemas = {
        "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/Missing"}, "c": {"$ref": "other.yaml#/C"}}},
    }
    found = _found(_document(schemas=schemas))
    assert (ERROR, "ref-unresolvable", "#/components/schemas/A/properties/b/$ref") in found
    assert (ERROR, "ref-external", "#/components/schemas/A/properties/c/$ref") in found


def test_methods_that_collide_after_mapping() -> None:
    paths = {
        "/a": {"get": {"operationId": "listThings", "x-fern-sdk-group-name": "things", "x-fern-sdk-method-name": "list", "responses": OK}},
        "/b": {"get": {"operationId": "other", "x-fern-sdk-group-name": "things", "x-fern-sdk-method-name": "list", "responses": OK}},
        "/c": {"get": {"operationId": "things", "responses": OK}},
    }
    found = _found(_document(paths=paths))
    assert (ERROR, "method-collision", "#/paths/~1b/get") in found  # things.list twice
    assert (ERROR, "method-collision", "#/paths/~1c/get") in found  # a method named like the group


def test_an_operation_that_cannot_be_built() -> None:
    body = {"content": {"application/json": {"schema": {"type": "object", "properties": {"limit": {"type": "integer"}}}}}}
    paths = {"/a": {"post": {"operationId": "a", "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}], "requestBody": body, "responses": OK}}}
    found = lint_document(_document(paths=paths))
    [problem] = [f for f in found if f.code == "operation"]
    assert problem.pointer == "#/paths/~1a/post" and "'limit'" in problem.message


def test_a_stream_twin_without_an_event_schema_and_a_missing_operation_id() -> None:
    paths = {
        "/chat": {
            "post": {
                "operationId": "chat",
                "x-fern-streaming": {"stream-condition": "$request.stream"},
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"stream": {"type": "boolean"}}}}}},
                "responses": OK,
            }
        },
        "/anon": {"get": {"responses": OK}},
    }
    found = _found(_document(paths=paths))
    assert (ERROR, "stream-without-events", "#/paths/~1chat/post/responses") in found
    assert (WARNING, "operation-id-missing", "#/paths/~1anon/get") in found


def test_warnings_alone_exit_0_and_json_lists_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(_document(paths={"/anon": {"get": {"responses": OK}}})))
    assert main(["lint", "--spec", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert [f["code"] for f in report["findings"]] == ["operation-id-missing"]


def test_the_sdk_removed_table_names_real_methods() -> None:
    document = _document()
    document["x-cohere-dyn"] = {"sdk-removed": {"list_pings": "ping", "old_ping": "pings.list", "wait_for_ping": "wait", "ping": None}}
    assert _found(document) == {
        (ERROR, "sdk-removed", "#/x-cohere-dyn/sdk-removed/old_ping"),
        (WARNING, "sdk-removed", "#/x-cohere-dyn/sdk-removed/ping"),
    }


def test_sdk_names_must_be_a_list_of_identifiers() -> None:
    document = _document(schemas={"Pet": {"type": "object", "x-cohere-dyn-sdk-names": ["Animal", "not a name"]}})
    assert _found(document) == {(ERROR, "sdk-names", "#/components/schemas/Pet/x-cohere-dyn-sdk-names")}


def test_a_constructor_name_two_schemas_claim_is_a_collision() -> None:
    document = _document(
        schemas={
            "Pet": {"type": "object", "properties": {"collar": {"type": "object", "properties": {}}}},
            "PetCollar": {"type": "object", "properties": {"size": {"type": "integer"}}},
            "Cat": {"type": "object", "x-cohere-dyn-sdk-names": ["PetCollar"]},
        }
    )
    assert _found(document) == {
        (ERROR, "sdk-name-collision", "#/components/schemas/Pet"),
    }


def test_an_sdk_only_schema_that_is_referenced_is_reported() -> None:
    document = _document(
        schemas={
            "Pet": {"type": "object", "properties": {"toy": {"$ref": "#/components/schemas/Toy"}}},
            "Toy": {"type": "object", "x-cohere-dyn-sdk-only": True},
        }
    )
    document["paths"]["/ping"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {"$ref": "#/components/schemas/Pet"}
    assert _found(document) == {(WARNING, "sdk-only-used", "#/components/schemas/Toy")}
