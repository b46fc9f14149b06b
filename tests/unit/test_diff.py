"""`cohere-dyn diff OLD NEW`: each kind of change, whether it breaks, and the exit codes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cohere_dyn._tools._cli import main
from cohere_dyn._tools._diff import diff_specs
from cohere_dyn._spec._document import Spec

ROOT = Path(__file__).resolve().parents[2]

BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/v1/things": {
            "post": {
                "operationId": "createThing",
                "x-cohere-dyn": {"group": "things", "method": "create"},
                "parameters": [{"name": "dryRun", "in": "query", "schema": {"type": "boolean"}}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingRequest"}}},
                },
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
            }
        },
        "/v1/things/{id}": {
            "delete": {
                "operationId": "deleteThing",
                "x-cohere-dyn": {"group": "things", "method": "delete"},
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "OK"}},
            }
        },
    },
    "components": {
        "schemas": {
            "ThingRequest": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "size": {"type": "integer"},
                    "color": {"type": "string", "enum": ["red", "green"]},
                    "style": {"type": "object", "properties": {"mode": {"type": "string", "enum": ["a", "b"]}}},
                },
            },
            "Thing": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}, "meta": {"type": "object", "properties": {"owner": {"type": "string"}}}},
            },
        }
    },
}


def _spec(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(document))
    return path


def _changes(tmp_path: Path, edit: Any) -> dict[tuple[str, str, str], bool]:
    new = copy.deepcopy(BASE)
    edit(new)
    old_spec = Spec.load(_spec(tmp_path, "old", BASE))
    new_spec = Spec.load(_spec(tmp_path, "new", new))
    return {(c.kind, c.method, c.where): c.breaking for c in diff_specs(old_spec, new_spec)}


def _request(document: dict[str, Any]) -> dict[str, Any]:
    return document["components"]["schemas"]["ThingRequest"]


def test_a_spec_against_itself_has_no_changes_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(ROOT / "spec" / "cohere.yaml")
    assert main(["diff", spec, spec]) == 0
    assert "no changes" in capsys.readouterr().out


def test_methods_removed_break_and_added_do_not(tmp_path: Path) -> None:
    def edit(doc: dict[str, Any]) -> None:
        doc["paths"]["/v1/others"] = {"get": {"operationId": "listOthers", "responses": {"200": {"description": "OK"}}}}
        del doc["paths"]["/v1/things/{id}"]

    changes = _changes(tmp_path, edit)
    assert changes[("method-removed", "things.delete", "")] is True
    assert changes[("method-added", "list_others", "")] is False


def test_arguments_added_removed_and_required(tmp_path: Path) -> None:
    def edit(doc: dict[str, Any]) -> None:
        request = _request(doc)
        request["properties"]["weight"] = {"type": "number"}
        request["properties"]["owner"] = {"type": "string"}
        request["required"] = ["size", "owner"]  # name optional, size required, owner new and required
        del request["properties"]["color"]

    changes = _changes(tmp_path, edit)
    assert changes[("argument-added", "things.create", "weight")] is False
    assert changes[("argument-added", "things.create", "owner")] is True
    assert changes[("argument-removed", "things.create", "color")] is True
    assert changes[("argument-required", "things.create", "size")] is True
    assert changes[("argument-optional", "things.create", "name")] is False


def test_arguments_retyped_break_unless_the_new_type_accepts_the_old(tmp_path: Path) -> None:
    def edit(doc: dict[str, Any]) -> None:
        _request(doc)["properties"]["name"] = {"type": "integer"}
        _request(doc)["properties"]["size"] = {"type": ["integer", "string"]}

    changes = _changes(tmp_path, edit)
    assert changes[("argument-retyped", "things.create", "name")] is True
    assert changes[("argument-retyped", "things.create", "size")] is False


def test_an_integer_becoming_a_number_accepts_what_it_did(tmp_path: Path) -> None:
    def edit(doc: dict[str, Any]) -> None:
        _request(doc)["properties"]["size"] = {"type": "number"}

    assert _changes(tmp_path, edit)[("argument-retyped", "things.create", "size")] is False


def test_a_const_compares_as_a_one_value_enum(tmp_path: Path) -> None:
    def edit(doc: dict[str, Any]) -> None:
        _request(doc)["properties"]["color"] = {"type": "string", "const": "red"}

    changes = _changes(tmp_path, edit)  # red, green -> red: green is gone, red is still there
    assert changes[("enum-value-removed", "things.create", "color")] is True
    assert ("enum-value-added", "things.create", "color") not in changes


def test_items_on_an_object_schema_are_no_fields(tmp_path: Path) -> None:
    """Published files put `items` beside an object's properties; it describes nothing there."""

    def edit(doc: dict[str, Any]) -> None:
        doc["components"]["schemas"]["Thing"]["properties"]["meta"]["items"] = {"type": "string"}

    assert _changes(tmp_path, edit) == {}


def test_enum_values_at_any_depth(tmp_path: Path) -> None:
    def edit(doc: dict[str, Any]) -> None:
        _request(doc)["properties"]["color"]["enum"] = ["red", "blue"]
        _request(doc)["properties"]["style"]["properties"]["mode"]["enum"] = ["a", "b", "c"]

    changes = _changes(tmp_path, edit)
    assert changes[("enum-value-removed", "things.create", "color")] is True
    assert changes[("enum-value-added", "things.create", "color")] is False
    assert changes[("enum-value-added", "things.create", "style.mode")] is False


def test_response_fields_removed_break_once_per_removed_object(tmp_path: Path) -> None:
    def edit(doc: dict[str, Any]) -> None:
        thing = doc["components"]["schemas"]["Thing"]
        del thing["properties"]["meta"]
        thing["properties"]["created"] = {"type": "string"}

    changes = _changes(tmp_path, edit)
    assert changes[("response-field-removed", "things.create", "meta")] is True
    assert ("response-field-removed", "things.create", "meta.owner") not in changes
    assert changes[("response-field-added", "things.create", "created")] is False


def test_cli_exit_code_and_json_say_whether_anything_breaks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = copy.deepcopy(BASE)
    _request(new)["properties"]["weight"] = {"type": "number"}
    old_path, new_path = _spec(tmp_path, "old", BASE), _spec(tmp_path, "new", new)
    assert main(["diff", str(old_path), str(new_path)]) == 0
    assert "ok        things.create: optional argument 'weight' added" in capsys.readouterr().out
    assert main(["diff", str(new_path), str(old_path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["breaking"] is True
    assert report["changes"] == [
        {"kind": "argument-removed", "method": "things.create", "where": "weight", "breaking": True, "message": "argument 'weight' removed"}
    ]


def test_an_unreadable_spec_exits_2(tmp_path: Path) -> None:
    assert main(["diff", str(tmp_path / "a.yaml"), str(ROOT / "spec" / "cohere.yaml")]) == 2
