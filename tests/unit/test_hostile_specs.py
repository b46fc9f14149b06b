"""`spec=` accepts any file: a hostile or broken one gives a SpecError naming the file (and the
JSON pointer where there is one); it never runs code, fetches a URL, recurses without end, or
crashes the process."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cohere_dyn
from cohere_dyn import Spec, SpecError
from tests.capture import CaptureServer
from tests.conftest import TINY_SPEC
from tests.reliability import record

ROOT = Path(__file__).resolve().parents[2]
HEADER = 'openapi: 3.1.0\ninfo: {title: t, version: "1"}\n'


def echo_spec(schemas: str, body: str = "{$ref: '#/components/schemas/Req'}") -> str:
    return HEADER + textwrap.dedent(
        f"""\
        paths:
          /echo:
            post:
              operationId: echo
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {body}
              responses:
                '200': {{description: ok}}
        components:
          schemas:
        """
    ) + textwrap.indent(textwrap.dedent(schemas), "    ")


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def load(path: Path) -> Spec:
    spec = Spec.load(path)
    for operation in spec.operations:  # validators are built lazily: build them all
        spec.validator(operation, "body")
        spec.validator(operation, "params")
    return spec


def refused(path: Path, *fragments: str) -> SpecError:
    with pytest.raises(SpecError) as caught:
        load(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message
    label = _case() if path.name == "spec.yaml" else f"{_case()} ({path.name})"
    record("hostile_spec", test_case=label, outcome="SpecError", message=_plain(message, path))
    return caught.value


def _case() -> str:
    """The running test's name, as the report's label."""
    return os.environ.get("PYTEST_CURRENT_TEST", "").split("::")[-1].rsplit(" (", 1)[0]


def _plain(message: str, path: Path) -> str:
    text = " ".join(message.replace("SpecError ", "", 1).split()).replace(str(path), "<file>")
    return text if len(text) <= 140 else text[:137] + "..."


def in_subprocess(code: str) -> subprocess.CompletedProcess[str]:
    """Run code that would crash the interpreter if a guard were missing."""
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)


# YAML ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/object:subprocess.Popen {{args: ['touch', '{marker}']}}",
    ],
)
def test_python_tags_are_refused_and_run_nothing(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "ran"
    path = write(tmp_path, HEADER + "paths: {}\nx-evil: " + tag.format(marker=marker) + "\n")
    refused(path, "line 4", "python")
    assert not marker.exists()


@pytest.mark.parametrize(("value", "kind"), [("!!binary aGVsbG8=", "bytes"), ("!!set {a, b}", "set")])
def test_yaml_values_json_has_no_form_for_are_refused(tmp_path: Path, value: str, kind: str) -> None:
    path = write(tmp_path, HEADER + f"paths: {{}}\nx-odd: {value}\n")
    refused(path, kind, "#/x-odd")


def test_a_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    lines = [HEADER + "paths: {}\ncomponents:\n  schemas:\n    L0: &l0 {type: string, enum: [a, a, a, a, a, a, a, a, a, a]}"]
    lines += [f"    L{i}: &l{i} {{allOf: [{', '.join([f'*l{i - 1}'] * 10)}]}}" for i in range(1, 10)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    started = time.perf_counter()
    refused(path, "expand to more than")
    assert time.perf_counter() - started < 5


def test_an_alias_inside_its_own_node_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "paths: {}\ncomponents: &c {schemas: {Loop: *c}}\n")
    refused(path, "inside the node it names")


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_absurd_nesting_is_refused_without_crashing(tmp_path: Path, suffix: str) -> None:
    depth = 100_000
    if suffix == "yaml":
        text = HEADER + "paths: {}\nx-deep: " + "[" * depth + "]" * depth + "\n"
    else:
        text = '{"openapi": "3.1.0", "paths": {}, "x-deep": ' + "[" * depth + "]" * depth + "}"
    path = write(tmp_path, text, f"deep.{suffix}")
    result = in_subprocess(
        f"import cohere_dyn\ntry:\n    cohere_dyn.Spec.load({str(path)!r})\n"
        "except cohere_dyn.SpecError as e:\n    print('SpecError', e)\n"
    )
    assert result.returncode == 0, result.stderr[-500:]
    # refused by our depth check, or by libyaml's own limit in versions that have one
    assert result.stdout.startswith("SpecError") and ("nested more than" in result.stdout or "nesting depth" in result.stdout)
    record("hostile_spec", test_case=_case(), outcome="SpecError", message=_plain(result.stdout, path))


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "paths:\n  /x: {get: [}\n")
    refused(path, "invalid YAML", "line 4")


# $ref ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["body", "property", "parameter"])
def test_a_url_reference_is_never_fetched(tmp_path: Path, where: str) -> None:
    with CaptureServer() as server:
        url = f"{server.url}/schema.yaml#/Req"
        if where == "body":
            text = echo_spec("Req: {type: object}\n", body=f"{{$ref: '{url}'}}")
        elif where == "property":
            text = echo_spec(f"Req: {{type: object, properties: {{a: {{$ref: '{url}'}}}}}}\n")
        else:
            text = HEADER + f"paths:\n  /x:\n    get:\n      parameters: [{{$ref: '{url}'}}]\n      responses: {{}}\n"
        path = write(tmp_path, text)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an unresolvable reference is repaired with a warning
            try:
                spec = load(path)
                client = cohere_dyn.Client("k", spec=spec, base_url="http://127.0.0.1:9")
                for operation in spec.operations:
                    try:
                        cohere_dyn.validate(operation.qualified_name, {"a": 1}, spec=spec)
                    except (cohere_dyn.ValidationError, TypeError):
                        pass
                outcome = "loaded; reference not followed"
                assert client is not None
            except SpecError as exc:
                assert str(path) in str(exc)
                outcome = "SpecError"
    record("hostile_spec", test_case=f"URL $ref in {where}", outcome=outcome, requests=len(server.requests))
    assert server.requests == []


@pytest.mark.parametrize("ref", ["other.yaml#/Req", "../spec.yaml#/Req", "file:///etc/passwd", "/etc/passwd#/x"])
def test_a_file_reference_is_not_followed(tmp_path: Path, ref: str) -> None:
    (tmp_path / "other.yaml").write_text("Req: {type: object, required: [never]}\n")
    path = write(tmp_path, echo_spec("Req: {type: object}\n", body=f"{{$ref: '{ref}'}}"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            load(path)
            cohere_dyn.validate("echo", {"request": {}}, spec=path)  # would fail if other.yaml were read
            outcome = "loaded; reference not followed"
        except SpecError as exc:
            assert str(path) in str(exc)
            outcome = "SpecError"
    record("hostile_spec", test_case=f"file $ref {ref}", outcome=outcome)


# Cycles ----------------------------------------------------------------------------------------

CYCLES = """\
Req:
  type: object
  properties:
    tree: {$ref: '#/components/schemas/Node'}
    self: {$ref: '#/components/schemas/Self'}
    pair: {$ref: '#/components/schemas/Ping'}
Node:
  type: object
  properties:
    value: {type: integer}
    children: {type: array, items: {$ref: '#/components/schemas/Node'}}
Self:
  allOf: [{$ref: '#/components/schemas/Self'}, {type: object}]
Ping:
  type: object
  properties: {pong: {$ref: '#/components/schemas/Pong'}}
Pong:
  type: object
  properties: {ping: {$ref: '#/components/schemas/Ping'}, n: {type: integer}}
"""


def test_cyclic_schemas_load_and_validate(tmp_path: Path) -> None:
    path = write(tmp_path, echo_spec(CYCLES))
    load(path)
    good = {"tree": {"value": 1, "children": [{"value": 2, "children": []}]}, "self": {}, "pair": {"pong": {"ping": {}}}}
    cohere_dyn.validate("echo", good, spec=path)
    with pytest.raises(cohere_dyn.ValidationError) as caught:
        cohere_dyn.validate("echo", {"tree": {"children": [{"value": "x"}]}, "pair": {"pong": {"n": "1"}}}, spec=path)
    assert [p.path for p in caught.value.problems] == ["pair.pong.n", "tree.children[0].value"]
    record("hostile_spec", test_case="cyclic schemas", outcome="loaded and validated")


def test_a_payload_nested_absurdly_deep_in_a_recursive_schema_is_a_validation_error(tmp_path: Path) -> None:
    path = write(tmp_path, echo_spec(CYCLES))
    result = in_subprocess(
        "import cohere_dyn\nnode = {'value': 1}\nfor _ in range(100000):\n    node = {'children': [node]}\n"
        f"try:\n    cohere_dyn.validate('echo', {{'tree': node}}, spec={str(path)!r})\n"
        "except cohere_dyn.ValidationError as e:\n    print('ValidationError', e)\n"
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.startswith("ValidationError") and "levels deep" in result.stdout


def test_a_reference_cycle_with_no_schema_in_it_names_the_pointer(tmp_path: Path) -> None:
    path = write(tmp_path, echo_spec("Req: {$ref: '#/components/schemas/B'}\nB: {$ref: '#/components/schemas/Req'}\n"))
    error = refused(path, "reference cycle")
    assert error.pointer is not None and error.pointer.startswith("#/components/schemas/")


# Broken specs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schemas", "extra", "pointer"),
    [
        ("Req: {type: object, required: name}\n", "", "#/components/schemas/Req/required"),
        ("Req: {type: object, properties: [a, b]}\n", "", "#/components/schemas/Req/properties"),
        ("Req: {type: 7}\n", "", "#/components/schemas/Req/type"),
        ("Req: {type: object, discriminator: {mapping: {}}}\n", "", "#/components/schemas/Req/discriminator"),
        ("Req: {type: object}\n", "  /bad:\n    get: {parameters: [{name: 1, in: query}]}\n", "#/paths/~1bad/get/parameters/0/name"),
        ("Req: {type: object}\n", "  /bad:\n    get: {parameters: [{name: q, in: body}]}\n", "#/paths/~1bad/get/parameters/0/in"),
        ("Req: {type: object}\n", "  /bad:\n    get: {operationId: [x]}\n", "#/paths/~1bad/get/operationId"),
        ("Req: {type: object}\n", "  /bad:\n    get: {x-cohere-dyn: {group: {a: 1}}}\n", "#/paths/~1bad/get/x-cohere-dyn/group"),
        ("Req: {type: object}\n", "  /bad: [get]\n", "#/paths/~1bad"),
        ("Req: {type: object}\n", "  200: {}\n", "#/paths"),
    ],
)
def test_a_broken_spec_names_the_file_and_the_pointer(tmp_path: Path, schemas: str, extra: str, pointer: str) -> None:
    text = echo_spec(schemas)
    if extra:
        text = text.replace("paths:\n", "paths:\n" + extra, 1)
    error = refused(write(tmp_path, text))
    assert error.pointer == pointer


def test_a_schema_that_no_validator_can_compile_names_where_it_is(tmp_path: Path) -> None:
    path = write(tmp_path, echo_spec("Req: {type: object, properties: {a: {$ref: '#/components/schemas/A'}}}\nA: {type: string, pattern: '(['}\n"))
    spec = Spec.load(path)
    with pytest.raises(SpecError) as caught:
        cohere_dyn.validate("echo", {"a": "x"}, spec=spec)
    assert str(path) in str(caught.value) and caught.value.pointer == "#/components/schemas/A/pattern"


def test_not_utf8_and_not_a_mapping_and_no_paths(tmp_path: Path) -> None:
    refused(write(tmp_path, "", "empty.yaml"), "not a mapping")
    (tmp_path / "latin1.yaml").write_bytes(HEADER.encode() + "paths: {}\nx: caf\xe9\n".encode("latin-1"))
    refused(tmp_path / "latin1.yaml", "not UTF-8")
    refused(write(tmp_path, HEADER, "nopaths.yaml"), "no 'paths'")
    refused(write(tmp_path, "- a\n- b\n", "list.yaml"), "not a mapping")


# Mutations, property-based --------------------------------------------------------------------

BASE = yaml.safe_load(TINY_SPEC.read_text())
ODD_VALUES = st.sampled_from(
    [None, 0, -1, 1.5, "", "x", True, [], {}, [None], ["a"], {"a": None}, {"$ref": "#/nowhere"},
     {"$ref": "#/components/schemas/Node"}, {"$ref": "http://127.0.0.1:9/x"}, {"type": "object"},
     {"oneOf": []}, {"discriminator": {"propertyName": "kind"}, "oneOf": [{"$ref": "#"}]}, "#/components"]
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)
        where = draw(st.sampled_from(paths))
        parent = document
        for part in where[:-1]:
            parent = parent[part]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[where[-1]]
        else:
            parent[where[-1]] = copy.deepcopy(draw(ODD_VALUES))
    return document


MUTATIONS = {"SpecError": 0, "loaded": 0}


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(document=mutated_documents())
def test_any_mutation_of_a_spec_loads_or_raises_spec_error(tmp_path: Path, document: dict[str, Any]) -> None:
    path = tmp_path / "mutant.json"
    path.write_text(json.dumps(document))
    cohere_dyn._spec._document._LOADED.pop(os.path.realpath(path), None)  # the same path holds a new document each time
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            spec = load(path)
            client = cohere_dyn.Client("k", spec=spec)
            dir(client)
            for operation in spec.operations:
                try:
                    cohere_dyn.validate(operation.qualified_name, {"message": "x", "item_id": "1"}, spec=spec)
                except (cohere_dyn.ValidationError, TypeError):
                    pass
            MUTATIONS["loaded"] += 1
        except SpecError as exc:
            assert str(path) in str(exc)
            MUTATIONS["SpecError"] += 1


def test_zz_record_spec_mutations() -> None:
    record("spec_mutations", **MUTATIONS)
