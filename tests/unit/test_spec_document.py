"""Checks of spec/cohere.yaml as a document: OpenAPI validity, the SDK surface it must describe,
the captured wire requests it must accept, and the conventions of docs/DESIGN.md.

Self-contained: needs only pytest, pyyaml, jsonschema (with referencing) and
openapi-spec-validator. Tests that need the reference material in /work/shared/reference skip
when it is absent.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from tests.conftest import REFERENCE, missing_reference

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "spec" / "cohere.yaml"
SDK_METHODS = REFERENCE / "sdk-methods-7.3.1.md"  # the current SDK, which the spec describes
OLD_SDK_METHODS = REFERENCE / "sdk-methods.md"  # the SDK 5.15.0, whose dropped keywords stay as deprecated ones
WIRE_DIR = REFERENCE / "wire"

SPEC_URI = "urn:cohere-dyn:spec"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ERROR_RESPONSES = {
    "400": "BadRequest",
    "401": "Unauthorized",
    "402": "PaymentRequired",
    "403": "Forbidden",
    "404": "NotFound",
    "422": "UnprocessableEntity",
    "429": "TooManyRequests",
    "498": "InvalidToken",
    "499": "ClientClosedRequest",
    "500": "InternalServerError",
    "501": "NotImplemented",
    "503": "ServiceUnavailable",
    "504": "GatewayTimeout",
}
STREAM_MEDIA = {
    # (group, method) of the non-streaming operation -> media types its 200 must offer
    (None, "chat"): {"application/json", "application/stream+json", "text/event-stream"},
    ("v2", "chat"): {"application/json", "text/event-stream"},
    (None, "generate"): {"application/json", "application/stream+json"},
}


# --------------------------------------------------------------------------- helpers


def snake_case(name: str) -> str:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return name.replace("-", "_").lower()


def walk(node, path=()):
    """Yield (path, dict) for every mapping in a parsed YAML tree."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, path + (index,))


def walk_schemas(doc):
    """Yield (path, schema) for every schema object of the document, nested ones included."""

    def visit(schema, path):
        if not isinstance(schema, dict):
            return
        yield path, schema
        for key in ("properties", "patternProperties", "$defs"):
            for name, sub in (schema.get(key) or {}).items():
                yield from visit(sub, path + (key, name))
        for key in ("items", "additionalProperties", "not", "contains", "if", "then", "else"):
            if isinstance(schema.get(key), dict):
                yield from visit(schema[key], path + (key,))
        for key in ("oneOf", "anyOf", "allOf", "prefixItems"):
            for index, sub in enumerate(schema.get(key) or []):
                yield from visit(sub, path + (key, index))

    for name, schema in doc["components"]["schemas"].items():
        yield from visit(schema, ("components", "schemas", name))
    for path, node in walk(doc["paths"], ("paths",)):
        if isinstance(node.get("schema"), dict):
            yield from visit(node["schema"], path + ("schema",))


def resolve(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target = doc
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def absolutize(schema):
    """Copy a schema with its local $refs pointing into the registered document."""
    schema = copy.deepcopy(schema)
    for _, node in walk(schema):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            node["$ref"] = SPEC_URI + ref
    return schema


def operations(doc):
    """Yield (path, http_method, operation) for every operation."""
    for path, item in doc["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def group_of(op):
    group = op["x-cohere-dyn"].get("group")
    if isinstance(group, list):
        return ".".join(group)
    return group


def method_name(op):
    return op["x-cohere-dyn"].get("method") or snake_case(op["operationId"])


def parameters_of(doc, op):
    return [resolve(doc, p) for p in op.get("parameters", [])]


def json_body_schema(doc, op):
    body = op.get("requestBody")
    if not body:
        return None
    media = resolve(doc, body)["content"].get("application/json")
    return None if media is None else media["schema"]


def body_properties(doc, op):
    """The properties of the request body (JSON or multipart), in schema order."""
    body = op.get("requestBody")
    if not body:
        return {}, []
    content = resolve(doc, body)["content"]
    media = content.get("application/json") or content.get("multipart/form-data")
    schema = resolve(doc, media["schema"])
    return schema.get("properties", {}), schema.get("required", [])


def keyword_arguments(doc, op):
    """Keyword arguments of the method(s) of an operation, as DESIGN.md defines them.

    Returns (ordered list of wire-level keywords, set of sdk-arguments).
    """
    ext = op["x-cohere-dyn"]
    params = parameters_of(doc, op)
    names = [p["name"] for p in params if p["in"] == "path"]
    if ext.get("request-argument"):
        names.append(ext["request-argument"])
    else:
        flag = (ext.get("stream") or {}).get("flag")
        props, _ = body_properties(doc, op)
        names += [name for name in props if name != flag]
    names += [snake_case(p["name"]) for p in params if p["in"] in ("query", "header")]
    return names, set(ext.get("sdk-arguments") or {})


def is_deprecated(doc, op, keyword):
    """Whether the spec marks the field behind a keyword `deprecated: true` (parameter or body property)."""
    for param in parameters_of(doc, op):
        if snake_case(param["name"]) == keyword:
            return param.get("deprecated") is True
    props, _ = body_properties(doc, op)
    return props.get(keyword, {}).get("deprecated") is True


def parse_sdk_methods(listing=SDK_METHODS):
    rows = {}
    for line in listing.read_text().splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        method_cell, route, body, streams, kwargs = cells[:5]  # 7.3.1's listing adds a "since 5.15.0" column
        qualified = method_cell.strip("`")
        group, _, name = qualified.rpartition(".")
        http_method, path = route.split(" ", 1)
        arguments = []
        for raw in filter(None, (k.strip() for k in kwargs.split(","))):
            arguments.append((raw.rstrip("?"), not raw.endswith("?")))
        rows[(group or None, name)] = {
            "http_method": http_method.lower(),
            "path": path.strip("`"),
            "body": body,
            "streams": streams == "yes",
            "arguments": arguments,
        }
    return rows


def template_regex(template):
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


def find_operation(doc, http_method, path):
    """Match a concrete request path to an operation; literal segments win over parameters."""
    candidates = []
    for template, method, op in operations(doc):
        if method == http_method.lower() and template_regex(template).match(path):
            candidates.append((template.count("{"), template, op))
    assert candidates, f"no operation for {http_method} {path}"
    candidates.sort(key=lambda c: c[0])
    return candidates[0][1], candidates[0][2]


def coerce_query_values(schema, values):
    """Turn query-string values into the JSON value the parameter schema describes."""
    kinds = set()
    for branch in [schema] + list(schema.get("anyOf", [])) + list(schema.get("oneOf", [])):
        kind = branch.get("type")
        if isinstance(kind, list):
            kinds.update(kind)
        elif kind:
            kinds.add(kind)

    def scalar(value, types):
        if "boolean" in types:
            assert value in ("true", "false"), value
            return value == "true"
        if "integer" in types:
            return int(value)
        if "number" in types:
            return float(value)
        return value

    if "array" in kinds and (len(values) > 1 or "string" not in kinds):
        return [scalar(v, kinds) for v in values]
    assert len(values) == 1, values
    return scalar(values[0], kinds)


def wire_cases():
    if not WIRE_DIR.is_dir():
        return [pytest.param(None, None, id="no-reference", marks=pytest.mark.skip(reason=missing_reference(WIRE_DIR.name)))]
    cases = []
    for path in sorted(WIRE_DIR.glob("*.json")):
        record = json.loads(path.read_text())
        requests = record.get("all_requests") or ([record["request"]] if record.get("request") else [])
        for index, request in enumerate(requests):
            cases.append(pytest.param(record, request, id=f"{path.stem}[{index}]"))
    return cases


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def doc():
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def registry(doc):
    return Registry().with_resource(SPEC_URI, Resource(contents=doc, specification=DRAFT202012))


@pytest.fixture(scope="module")
def sdk_rows():
    """The current SDK's methods; each also lists as `dropped` the keywords only the SDK 5.15.0 had."""
    if not SDK_METHODS.is_file() or not OLD_SDK_METHODS.is_file():
        pytest.skip(missing_reference(f"{SDK_METHODS.name} or {OLD_SDK_METHODS.name}"))
    rows = parse_sdk_methods()
    for key, old in parse_sdk_methods(OLD_SDK_METHODS).items():
        current = {name for name, _ in rows[key]["arguments"]}
        rows[key]["dropped"] = [name for name, _ in old["arguments"] if name not in current]
    return rows


def validator_for(registry, schema):
    return Draft202012Validator(absolutize(schema), registry=registry)


# --------------------------------------------------------------------------- the document


def test_openapi_document_is_valid(doc):
    from openapi_spec_validator import validate

    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_info_servers_and_security(doc):
    assert doc["info"]["title"] == "Cohere API, as described by cohere_dyn"
    assert isinstance(doc["info"]["version"], str)
    assert [server["url"] for server in doc["servers"]] == ["https://api.cohere.com"]
    schemes = doc["components"]["securitySchemes"]
    assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())
    assert doc["security"] and all(set(req) <= set(schemes) for req in doc["security"])


def test_yaml_loads_without_surprising_types(doc):
    # Timestamps or booleans hidden in enums, consts or string defaults would break validation.
    for path, schema in walk_schemas(doc):
        for value in schema.get("enum", []):
            assert isinstance(value, str), f"{'/'.join(map(str, path))}: enum value {value!r}"
        if "const" in schema:
            assert isinstance(schema["const"], str), f"{'/'.join(map(str, path))}: const {schema['const']!r}"
        if schema.get("type") == "string" and "default" in schema:
            assert isinstance(schema["default"], str), f"{'/'.join(map(str, path))}: default"
    for path, node in walk(doc):
        for key, value in node.items():
            assert not hasattr(value, "isoformat"), f"{'/'.join(map(str, path + (key,)))} is a date"


def test_required_names_are_declared_properties(doc):
    for path, schema in walk_schemas(doc):
        if "required" in schema:
            assert "properties" in schema, f"{'/'.join(map(str, path))}: required without properties"
            missing = set(schema["required"]) - set(schema["properties"])
            assert not missing, f"{'/'.join(map(str, path))}: required but undeclared {sorted(missing)}"


def test_no_read_only_write_only_or_closed_objects(doc):
    for path, schema in walk_schemas(doc):
        where = "/".join(map(str, path))
        assert "readOnly" not in schema and "writeOnly" not in schema, where
        assert schema.get("additionalProperties") is not False, where


def test_every_local_ref_resolves(doc):
    for path, node in walk(doc):
        ref = node.get("$ref")
        if isinstance(ref, str):
            assert ref.startswith("#/"), f"{'/'.join(map(str, path))}: non-local $ref {ref}"
            resolve(doc, node)


def test_every_component_is_used(doc):
    text = json.dumps(doc["paths"]) + json.dumps(doc["components"])
    for kind in ("schemas", "parameters", "responses", "headers"):
        for name, component in doc["components"].get(kind, {}).items():
            if component.get("x-cohere-dyn-sdk-only"):
                assert f'"#/components/{kind}/{name}"' not in text, f"{kind}/{name} is used, yet marked SDK-only"
                continue  # a class of the official SDK that no operation uses, kept for code written for it
            assert f'"#/components/{kind}/{name}"' in text, f"unused {kind}/{name}"


def test_schemas_and_properties_are_described(doc):
    for name, schema in doc["components"]["schemas"].items():
        assert schema.get("description"), f"schema {name} has no description"
    for path, schema in walk_schemas(doc):
        for prop, sub in (schema.get("properties") or {}).items():
            if "$ref" in sub:
                continue  # described by its target
            assert sub.get("description"), f"{'/'.join(map(str, path))}.{prop} has no description"


def test_discriminated_unions(doc):
    unions = 0
    for path, schema in walk_schemas(doc):
        if "discriminator" not in schema:
            continue
        unions += 1
        where = "/".join(map(str, path))
        prop = schema["discriminator"]["propertyName"]
        mapping = schema["discriminator"].get("mapping")
        assert mapping, f"{where}: discriminator without mapping"
        branches = [b["$ref"] for b in schema["oneOf"]]
        assert len(branches) == len(set(branches)), f"{where}: repeated branch"
        assert set(mapping.values()) == set(branches), f"{where}: mapping and oneOf differ"
        for ref in branches:
            branch = resolve(doc, {"$ref": ref})
            declared = branch.get("properties", {}).get(prop)
            assert declared is not None, f"{where}: {ref} does not declare {prop}"
            pinned = [declared["const"]] if "const" in declared else declared.get("enum")
            assert pinned, f"{where}: {ref} does not pin {prop} with const or enum"
            expected = {value for value, target in mapping.items() if target == ref}
            assert set(pinned) == expected, f"{where}: {ref} pins {pinned}, mapping gives {expected}"
            assert prop in branch.get("required", []), f"{where}: {ref} does not require {prop}"
    assert unions >= 15


def test_error_responses_are_shared(doc):
    responses = doc["components"]["responses"]
    assert set(ERROR_RESPONSES.values()) <= set(responses)
    for name in ERROR_RESPONSES.values():
        media = responses[name]["content"]["application/json"]
        assert media["schema"] == {"$ref": "#/components/schemas/Error"}
    error = doc["components"]["schemas"]["Error"]
    assert error["properties"]["message"]["type"] == "string"
    assert error["properties"]["id"]["type"] == "string"
    assert not error.get("required")


# --------------------------------------------------------------------------- operations


def test_operation_conventions(doc):
    ids = set()
    count = 0
    for path, method, op in operations(doc):
        count += 1
        where = f"{method.upper()} {path}"
        assert re.fullmatch(r"[a-z][a-zA-Z0-9]*", op["operationId"]), where
        assert op["operationId"] not in ids, where
        ids.add(op["operationId"])
        assert op.get("summary") and "\n" not in op["summary"], where
        assert op.get("description") and op.get("tags"), where
        ext = op["x-cohere-dyn"]
        assert set(ext) <= {
            "group", "method", "stream", "request-argument", "sdk-arguments", "batch", "pagination", "wait",
            "local-tokenizer", "sdk-changed",
        }, where
        for param in parameters_of(doc, op):
            assert param["name"] != "X-Client-Name", where
            if param["in"] == "path":
                assert param["required"] is True and param["schema"]["type"] == "string", where
                assert "{" + param["name"] + "}" in path, where
        for code, name in ERROR_RESPONSES.items():
            assert op["responses"].get(code) == {"$ref": f"#/components/responses/{name}"}, f"{where} {code}"
        ok = op["responses"]["200"]
        if op["operationId"] == "cancelEmbedJob":
            assert "content" not in ok
        else:
            schema = ok["content"]["application/json"]["schema"]
            assert set(schema) == {"$ref"} and schema["$ref"].startswith("#/components/schemas/"), where
        if method == "post" and op["operationId"] in ("checkApiKey", "cancelEmbedJob", "authorizeConnectorOAuth", "cancelBatch"):
            assert "requestBody" not in op, where
        body = op.get("requestBody")
        if body:
            for media in body["content"].values():
                assert set(media["schema"]) == {"$ref"}, where
    assert count == 42


def test_stream_twins(doc):
    twins = {}
    for _, _, op in operations(doc):
        stream = op["x-cohere-dyn"].get("stream")
        if not stream:
            continue
        key = (group_of(op), method_name(op))
        twins[key] = stream["method"]
        assert stream["flag"] == "stream"
        body = resolve(doc, json_body_schema(doc, op))
        assert body["properties"]["stream"]["type"] == "boolean"
        assert list(body["properties"])[-1] == "stream"
        media = op["responses"]["200"]["content"]
        assert set(media) == STREAM_MEDIA[key]
        for media_type, entry in media.items():
            if media_type != "application/json":
                assert "discriminator" in resolve(doc, entry["schema"])
    assert twins == {(None, "chat"): "chat_stream", ("v2", "chat"): "chat_stream", (None, "generate"): "generate_stream"}


def test_methods_match_the_sdk(doc, sdk_rows):
    spec_methods = {}
    for path, method, op in operations(doc):
        key = (group_of(op), method_name(op))
        spec_methods[key] = (path, method, op)
        stream = op["x-cohere-dyn"].get("stream")
        if stream:
            spec_methods[(key[0], stream["method"])] = (path, method, op)
    assert len(spec_methods) == 45
    assert set(spec_methods) == set(sdk_rows)

    for key, row in sdk_rows.items():
        path, method, op = spec_methods[key]
        where = ".".join(filter(None, key))
        assert (method, path) == (row["http_method"], row["path"]), where
        names, sdk_arguments = keyword_arguments(doc, op)
        assert len(names) == len(set(names)), f"{where}: duplicate keyword"
        expected = [name for name, _ in row["arguments"]]
        dropped = row.get("dropped", [])
        # The listings do not name the SDK's never-sent `offline` flag of (de)tokenize.
        assert set(names) == set(expected) | set(dropped), where
        assert dropped == [name for name in dropped if is_deprecated(doc, op, name)], f"{where}: dropped but not deprecated"
        if op["operationId"] in ("tokenize", "detokenize"):
            assert sdk_arguments == {"offline"}
            offline = op["x-cohere-dyn"]["sdk-arguments"]["offline"]
            assert "default" not in offline and offline["schema"] == {"type": "boolean"}  # None: local when possible
            assert op["x-cohere-dyn"]["local-tokenizer"]["switch"] == "offline"
        else:
            assert not sdk_arguments, where

        # Required-ness and, for JSON bodies, the order of the body properties.
        required = {name for name, is_required in row["arguments"] if is_required}
        props, body_required = body_properties(doc, op)
        ext = op["x-cohere-dyn"]
        flag = (ext.get("stream") or {}).get("flag")
        if ext.get("request-argument"):
            assert required == {ext["request-argument"]} | {
                p["name"] for p in parameters_of(doc, op) if p["in"] == "path"
            }
            continue
        body_names = [name for name in props if name != flag]
        assert set(body_required) == required & set(body_names), f"{where}: body required"
        if json_body_schema(doc, op) is not None:
            current = [name for name in body_names if name not in dropped]
            assert current == [name for name in expected if name in props], f"{where}: body order"
        for param in parameters_of(doc, op):
            keyword = snake_case(param["name"])
            assert bool(param.get("required")) == (keyword in required), f"{where}: {keyword} required"


def test_named_request_and_response_schemas(doc):
    by_id = {op["operationId"]: op for _, _, op in operations(doc)}
    expected_bodies = {
        "chat": "ChatRequest",
        "chatV2": "ChatRequestV2",
        "generate": "GenerateRequest",
        "embed": "EmbedRequest",
        "embedV2": "EmbedRequestV2",
        "rerank": "RerankRequest",
        "rerankV2": "RerankRequestV2",
        "classify": "ClassifyRequest",
        "summarize": "SummarizeRequest",
        "tokenize": "TokenizeRequest",
        "detokenize": "DetokenizeRequest",
        "createEmbedJob": "CreateEmbedJobRequest",
        "createConnector": "CreateConnectorRequest",
        "updateConnector": "UpdateConnectorRequest",
        "updateFinetunedModel": "UpdateFinetunedModelRequest",
        "createFinetunedModel": "FinetunedModel",
    }
    for operation_id, schema_name in expected_bodies.items():
        schema = json_body_schema(doc, by_id[operation_id])
        assert schema == {"$ref": f"#/components/schemas/{schema_name}"}, operation_id
    expected_responses = {
        "chat": "NonStreamedChatResponse",
        "chatV2": "ChatResponse",
        "generate": "Generation",
        "embed": "EmbedResponse",
        "embedV2": "EmbedByTypeResponse",
        "rerank": "RerankResponse",
        "rerankV2": "V2RerankResponse",
        "classify": "ClassifyResponse",
        "summarize": "SummarizeResponse",
        "tokenize": "TokenizeResponse",
        "detokenize": "DetokenizeResponse",
        "checkApiKey": "CheckApiKeyResponse",
        "listEmbedJobs": "ListEmbedJobResponse",
        "getEmbedJob": "EmbedJob",
        "createEmbedJob": "CreateEmbedJobResponse",
        "listDatasets": "DatasetsListResponse",
        "createDataset": "DatasetsCreateResponse",
        "getDatasetUsage": "DatasetsGetUsageResponse",
        "getDataset": "DatasetsGetResponse",
        "deleteDataset": "DeleteResponse",
        "listConnectors": "ListConnectorsResponse",
        "createConnector": "CreateConnectorResponse",
        "getConnector": "GetConnectorResponse",
        "updateConnector": "UpdateConnectorResponse",
        "deleteConnector": "DeleteResponse",
        "authorizeConnectorOAuth": "OAuthAuthorizeResponse",
        "getModel": "GetModelResponse",
        "listModels": "ListModelsResponse",
        "listFinetunedModels": "ListFinetunedModelsResponse",
        "createFinetunedModel": "CreateFinetunedModelResponse",
        "getFinetunedModel": "GetFinetunedModelResponse",
        "updateFinetunedModel": "UpdateFinetunedModelResponse",
        "deleteFinetunedModel": "DeleteResponse",
        "listEvents": "ListEventsResponse",
        "listTrainingStepMetrics": "ListTrainingStepMetricsResponse",
    }
    for operation_id, schema_name in expected_responses.items():
        schema = by_id[operation_id]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{schema_name}"}, operation_id
    assert doc["components"]["schemas"]["DeleteResponse"]["type"] == "object"


def test_dataset_upload_is_multipart(doc):
    op = doc["paths"]["/v1/datasets"]["post"]
    content = op["requestBody"]["content"]
    assert set(content) == {"multipart/form-data"}
    media = content["multipart/form-data"]
    schema = resolve(doc, media["schema"])
    assert schema["required"] == ["data"]
    for part in ("data", "eval_data"):
        assert schema["properties"][part]["type"] == "string"
        assert schema["properties"][part]["contentMediaType"] == "application/octet-stream"
        assert media["encoding"][part]["contentType"] == "application/octet-stream"
    params = {p["name"]: p for p in parameters_of(doc, op)}
    for name in ("keep_fields", "optional_fields"):
        assert params[name]["explode"] is True
        assert {b["type"] for b in params[name]["schema"]["anyOf"]} == {"string", "array"}
    assert params["dry_run"]["schema"]["type"] == "boolean"


# --------------------------------------------------------------------------- captured requests


@pytest.mark.parametrize("record, request_", wire_cases())
def test_wire_request_matches_spec(doc, registry, record, request_):
    template, op = find_operation(doc, request_["method"], request_["path"])
    where = f"{request_['method']} {template}"

    # Query string: every name is a declared query parameter and every value fits its schema.
    declared = {p["name"]: p for p in parameters_of(doc, op) if p["in"] == "query"}
    extra = set()
    match = re.search(r'"additional_query_parameters":\s*(\{[^}]*\})', record.get("python_call", ""))
    if match:  # request_options may add query parameters the spec does not know
        extra = set(ast.literal_eval(match.group(1)))
    grouped: dict[str, list[str]] = {}
    for name, value in request_.get("query_pairs", []):
        grouped.setdefault(name, []).append(value)
    for name, values in grouped.items():
        if name in extra:
            continue
        assert name in declared, f"{where}: undeclared query parameter {name}"
        schema = declared[name]["schema"]
        value = coerce_query_values(resolve(doc, schema) if set(schema) == {"$ref"} else schema, values)
        validator_for(registry, schema).validate(value)
    for name, param in declared.items():
        if param.get("required"):
            assert name in grouped, f"{where}: missing required query parameter {name}"

    # Header parameters the SDK sent.
    headers = {k.lower(): v for k, v in request_.get("headers", {}).items()}
    for param in parameters_of(doc, op):
        if param["in"] == "header" and param["name"].lower() in headers:
            validator_for(registry, param["schema"]).validate(headers[param["name"].lower()])
    if "accepts" in headers:
        assert any(p["in"] == "header" and p["name"] == "Accepts" for p in parameters_of(doc, op))

    # Body.
    kind = request_.get("body_kind")
    if kind == "json":
        schema = json_body_schema(doc, op)
        assert schema is not None, f"{where}: JSON body sent but none declared"
        validator_for(registry, schema).validate(request_["body"])
    elif kind == "multipart":
        props, required = body_properties(doc, op)
        names = {part["name"] for part in request_["body"]}
        assert names <= set(props) and set(required) <= names, where
    else:
        assert request_.get("body") in (None, "", {}), where
        if request_["method"] in ("POST", "PATCH") and op.get("requestBody"):
            assert not op["requestBody"].get("required"), f"{where}: body required but none sent"


# --------------------------------------------------------------------------- unions in use


def _validate(doc, registry, name, value):
    validator_for(registry, {"$ref": f"#/components/schemas/{name}"}).validate(value)


def _invalid(doc, registry, name, value):
    validator = validator_for(registry, {"$ref": f"#/components/schemas/{name}"})
    return not validator.is_valid(value)


def test_union_examples(doc, registry):
    # Our own sample payloads, one per union branch where it matters.
    v2_events = [
        {"type": "message-start", "id": "m1", "delta": {"message": {"role": "assistant"}}},
        {"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}},
        {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "Hi"}}}},
        {"type": "content-end", "index": 0},
        {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": "I will"}}},
        {"type": "tool-call-start", "index": 0, "delta": {"message": {"tool_calls": {
            "id": "c1", "type": "function", "function": {"name": "f", "arguments": ""}}}}},
        {"type": "tool-call-delta", "index": 0, "delta": {"message": {"tool_calls": {"function": {"arguments": "{}"}}}}},
        {"type": "tool-call-end", "index": 0},
        {"type": "citation-start", "index": 0, "delta": {"message": {"citations": {
            "start": 0, "end": 2, "text": "Hi", "sources": [{"type": "document", "id": "d1", "document": {}}]}}}},
        {"type": "citation-end", "index": 0},
        {"type": "message-end", "id": "m1", "delta": {"finish_reason": "COMPLETE", "usage": {
            "billed_units": {"input_tokens": 3, "output_tokens": 1}}}},
        {"type": "debug", "prompt": "..."},
    ]
    for event in v2_events:
        _validate(doc, registry, "StreamedChatResponseV2", event)
    assert _invalid(doc, registry, "StreamedChatResponseV2", {"type": "no-such-event"})

    v1_events = [
        {"event_type": "stream-start", "generation_id": "g"},
        {"event_type": "search-queries-generation", "search_queries": [{"text": "q", "generation_id": "g"}]},
        {"event_type": "search-results", "documents": [{"id": "d", "text": "t"}]},
        {"event_type": "text-generation", "text": "Hi"},
        {"event_type": "citation-generation", "citations": [{"start": 0, "end": 2, "text": "Hi", "document_ids": ["d"]}]},
        {"event_type": "tool-calls-generation", "tool_calls": [{"name": "f", "parameters": {}}]},
        {"event_type": "tool-calls-chunk", "tool_call_delta": {"index": 0, "parameters": "{"}},
        {"event_type": "stream-end", "finish_reason": "COMPLETE", "response": {"text": ""}},
        {"event_type": "debug"},
    ]
    for event in v1_events:
        _validate(doc, registry, "StreamedChatResponse", event)
    for event in (
        {"event_type": "text-generation", "text": "a", "is_finished": False},
        {"event_type": "stream-end", "is_finished": True, "response": {"id": "x"}},
        {"event_type": "stream-error", "is_finished": True, "finish_reason": "ERROR", "err": "boom"},
    ):
        _validate(doc, registry, "GenerateStreamedResponse", event)

    _validate(doc, registry, "EmbedResponse", {"response_type": "embeddings_floats", "id": "e", "embeddings": [[0.5]], "texts": ["a"]})
    _validate(doc, registry, "EmbedResponse", {"response_type": "embeddings_by_type", "id": "e", "embeddings": {"int8": [[1]]}})
    _validate(doc, registry, "EmbedByTypeResponse", {"id": "e", "embeddings": {"float": [[0.5]]}})

    # "OFF" stays a string: YAML must not have turned it into a boolean.
    _validate(doc, registry, "ChatRequest", {"message": "m", "prompt_truncation": "OFF", "citation_quality": "off"})
    _validate(doc, registry, "ChatRequestV2", {"model": "m", "messages": [], "safety_mode": "OFF", "citation_options": {"mode": "OFF"}})
    assert _invalid(doc, registry, "ChatRequestV2", {"model": "m", "messages": [], "safety_mode": False})

    # Closed enums and limits are enforced; unknown keys pass.
    assert _invalid(doc, registry, "EmbedRequest", {"texts": ["a"], "embedding_types": ["float16"]})
    _validate(doc, registry, "EmbedRequest", {"texts": ["a"], "embedding_types": ["base64"]})
    assert _invalid(doc, registry, "EmbedRequest", {"texts": ["t"] * 97})
    _validate(doc, registry, "EmbedRequestV2", {"model": "m", "input_type": "search_query", "embedding_types": ["float"], "texts": ["x"], "future_field": 1})
    assert _invalid(doc, registry, "ChatRequestV2", {"model": "m", "messages": [{"role": "robot", "content": "x"}]})
    _validate(doc, registry, "ChatRequestV2", {"model": "m", "messages": [
        {"role": "system", "content": [{"type": "text", "text": "be brief"}]},
        {"role": "user", "content": [{"type": "text", "text": "look"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}]},
        {"role": "assistant", "content": "ok", "citations": []},
        {"role": "tool", "tool_call_id": "c", "content": "{}"},
    ], "documents": ["plain", {"data": {"a": 1}}], "response_format": {"type": "text"}})
