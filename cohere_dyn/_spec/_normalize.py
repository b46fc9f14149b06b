"""Make any OpenAPI document usable: read Fern's naming extensions, repair known defects.

Cohere's published file names its SDK methods with Fern extensions and has defects that make
strict tools reject it (see NOTES in the repository's reference). `normalize()` rewrites a parsed
document, in memory, into the form the rest of cohere_dyn reads:

- `x-fern-sdk-group-name` (a string, or a list for nested groups), `x-fern-sdk-method-name` and
  `x-fern-streaming` become `x-cohere-dyn` naming; a streaming operation's 200 response lists
  its JSON schema and its stream media type (SSE for `format: sse`, else NDJSON);
- an empty `oneOf`/`anyOf` is dropped (it would reject everything);
- `required` names that aren't declared properties are dropped (they would reject valid payloads);
- a `$ref` that points nowhere, or outside the document, accepts any value instead; a discriminator
  mapping entry whose target is missing is dropped (a bare schema name becomes its reference); a
  parameter that can't be resolved is dropped;
- OpenAPI 3.0 forms are read as JSON Schema: `nullable: true` admits null, a boolean
  `exclusiveMinimum`/`exclusiveMaximum` becomes the number form (repairs only in a 3.1 document);
- an operation with no operationId and no method name is noted, with the name it gets;
- examples (`example`, `examples`, `x-fern-examples`) are dropped: nothing reads them at run time,
  and they are two thirds of the published file, so the cache entry stays small and fast to read;
- a JSON body that is a reference to a schema used elsewhere too (FinetunedModel is also a
  response) is taken whole, as one `request` argument, as Fern's SDKs do; other bodies give
  their properties as keyword arguments.

Each repair is recorded in `document["x-cohere-dyn-repairs"]` (a list of "pointer: what"), so the
loader can warn once with the whole list, also when the document comes from the cache.
"""

from __future__ import annotations

from .._naming import python_identifier, snake_case

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterator

__all__ = ["normalize", "REPAIRS_KEY", "NORMALIZER_VERSION"]

REPAIRS_KEY = "x-cohere-dyn-repairs"
NORMALIZER_VERSION = 5
_VERBS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def normalize(document: dict[str, Any]) -> dict[str, Any]:
    repairs: list[str] = []
    legacy = str(document.get("openapi", "")).startswith("3.0")
    for pointer, item in _path_items(document):
        _unresolvable_parameters(document, item, pointer, repairs)
    shared = _shared_schemas(document)
    for pointer, operation in _operations(document):
        _unresolvable_parameters(document, operation, pointer, repairs)
        _fern_naming(document, operation, shared)
        _unnamed(operation, pointer, repairs)
    for pointer, node in _schema_nodes(document):
        _dangling_mapping(document, node, pointer, repairs)
        _mapped_values_refused(document, node, pointer, repairs)
        _dangling_reference(document, node, pointer, repairs)
        if not pointer.endswith(_NAME_MAPS):
            _legacy_forms(node, pointer, [] if legacy else repairs)
            for key in ("example", "examples", "x-fern-examples"):
                node.pop(key, None)
        _empty_unions(node, pointer, repairs)
        _phantom_required(document, node, pointer, repairs)
    if repairs:
        document[REPAIRS_KEY] = repairs
    return document


def _path_items(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each path item (a `$ref` one followed), with the pointer of its entry under `paths`."""
    paths = document.get("paths")
    for path, item in (paths if isinstance(paths, dict) else {}).items():
        item = _deref(document, item)
        if isinstance(item, dict):
            yield f"#/paths/{_escape(path)}", item


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for pointer, item in _path_items(document):
        for verb in _VERBS:
            if isinstance(item.get(verb), dict):
                yield f"{pointer}/{verb}", item[verb]


def _unresolvable_parameters(document: dict[str, Any], node: dict[str, Any], pointer: str, repairs: list[str]) -> None:
    parameters = node.get("parameters")
    if not isinstance(parameters, list):
        return
    kept = []
    for index, parameter in enumerate(parameters):
        target = _deref(document, parameter)
        if isinstance(target, dict) and isinstance(target.get("name"), str) and isinstance(target.get("in"), str):
            kept.append(parameter)
        else:
            repairs.append(f"{pointer}/parameters/{index}: not a parameter with a name and a location; dropped")
    if len(kept) != len(parameters):
        node["parameters"] = kept


def _unnamed(operation: dict[str, Any], pointer: str, repairs: list[str]) -> None:
    naming = operation.get("x-cohere-dyn") or {}
    if not operation.get("operationId") and not naming.get("method"):
        verb, path = pointer.rsplit("/", 1)[-1], pointer.split("/", 2)[-1].rsplit("/", 1)[0]
        name = python_identifier(f"{verb}_{path.replace('~1', '/').replace('~0', '~')}")
        repairs.append(f"{pointer}: no operationId and no method name; named {name!r} from its route")


def _fern_naming(document: dict[str, Any], operation: dict[str, Any], shared: set[str]) -> None:
    if "x-cohere-dyn" in operation or not any(key.startswith("x-fern-") for key in operation):
        return
    group = operation.get("x-fern-sdk-group-name")
    method = operation.get("x-fern-sdk-method-name")
    naming: dict[str, Any] = {}
    if group:
        naming["group"] = [snake_case(part) for part in ([group] if isinstance(group, str) else group)]
    if method:
        naming["method"] = python_identifier(method)
    elif group and operation.get("operationId"):
        naming["method"] = python_identifier(operation["operationId"])
    if _body_reference(document, operation) in shared:
        naming["request-argument"] = "request"
    streaming = operation.get("x-fern-streaming")
    if isinstance(streaming, dict):
        flag = str(streaming.get("stream-condition", "$request.stream")).rsplit(".", 1)[-1]
        base = naming.get("method") or python_identifier(operation.get("operationId") or "call")
        naming["stream"] = {"method": f"{base}_stream", "flag": flag}
        _stream_responses(document, operation, streaming)
    if naming:
        operation["x-cohere-dyn"] = naming


def _stream_responses(document: dict[str, Any], operation: dict[str, Any], streaming: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    ok = responses.get("200")
    if not isinstance(ok, dict) or "$ref" in ok:
        ok = responses["200"] = {"description": "OK"}
    content = ok.setdefault("content", {})
    if isinstance(streaming.get("response"), dict):
        content["application/json"] = {"schema": _named(document, streaming["response"])}
    events = streaming.get("response-stream")
    if isinstance(events, dict):
        sse = streaming.get("format") == "sse"
        media_types = ["text/event-stream"] if sse else ["application/stream+json", "text/event-stream"]
        for media_type in media_types:
            content.setdefault(media_type, {"schema": _named(document, events)})
        if sse:
            content.pop("application/stream+json", None)


def _named(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A reference to the component the inline schema names itself after, when there is one."""
    name = schema.get("x-fern-type-name")
    if isinstance(name, str) and name in ((document.get("components") or {}).get("schemas") or {}):
        return {"$ref": f"#/components/schemas/{name}"}
    return schema


def _body_reference(document: dict[str, Any], operation: dict[str, Any]) -> str | None:
    body = _deref(document, operation.get("requestBody"))
    content = (body or {}).get("content") if isinstance(body, dict) else None
    schema = ((content or {}).get("application/json") or {}).get("schema")
    return schema.get("$ref") if isinstance(schema, dict) else None


def _shared_schemas(document: dict[str, Any]) -> set[str]:
    """References that appear more than once in the document (a body schema that is also a type)."""
    counts: dict[str, int] = {}
    for _, node in _walk(document, "#"):
        ref = node.get("$ref")
        if isinstance(ref, str):
            counts[ref] = counts.get(ref, 0) + 1
    return {ref for ref, count in counts.items() if count > 1}


def _dangling_mapping(document: dict[str, Any], node: dict[str, Any], pointer: str, repairs: list[str]) -> None:
    discriminator = node.get("discriminator")
    mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
    if not isinstance(mapping, dict):
        return
    for value, target in list(mapping.items()):
        ref = target
        if isinstance(target, str) and not target.startswith("#") and "/" not in target:
            ref = f"#/components/schemas/{target}"  # OpenAPI lets a mapping name a schema
        if isinstance(ref, str) and ref.startswith("#/") and _deref(document, {"$ref": ref}) is not None:
            mapping[value] = ref
            continue
        del mapping[value]
        repairs.append(f"{pointer}/discriminator/mapping/{_escape(str(value))}: {target!r} can't be resolved; dropped")
    if not mapping and isinstance(discriminator, dict):
        del discriminator["mapping"]


def _mapped_values_refused(document: dict[str, Any], node: dict[str, Any], pointer: str, repairs: list[str]) -> None:
    """A mapping that sends a value to a branch whose own enum refuses it: the enum gains the value.

    Validation dispatches on the mapping, so without this every payload with that value would be
    rejected (the published file does it to two v1 stream event types).
    """
    discriminator = node.get("discriminator")
    prop = discriminator.get("propertyName") if isinstance(discriminator, dict) else None
    mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
    if not isinstance(prop, str) or not isinstance(mapping, dict):
        return
    for value, ref in mapping.items():
        branch = _deref(document, {"$ref": ref}) if isinstance(ref, str) else None
        parts = [branch, *(branch.get("allOf") or [])] if isinstance(branch, dict) else []
        for part in parts:
            target = _deref(document, part)
            properties = target.get("properties") if isinstance(target, dict) else None
            spec = _deref(document, properties.get(prop)) if isinstance(properties, dict) else None
            if not isinstance(spec, dict):
                continue
            if isinstance(spec.get("enum"), list) and value not in spec["enum"]:
                spec["enum"] = [*spec["enum"], value]
            elif "const" in spec and spec["const"] != value:
                spec["enum"] = [spec.pop("const"), value]
            else:
                continue
            repairs.append(f"{pointer}/discriminator/mapping/{_escape(str(value))}: its branch refused {value!r}; allowed")


def _dangling_reference(document: dict[str, Any], node: dict[str, Any], pointer: str, repairs: list[str]) -> None:
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return
    if ref.startswith("#/") and _deref(document, {"$ref": ref}) is not None:
        return
    if ref == "#":
        return
    del node["$ref"]
    where = "outside the document" if not ref.startswith("#") else "to nothing"
    repairs.append(f"{pointer}/$ref: {ref!r} points {where}; any value is accepted there")


def _legacy_forms(node: dict[str, Any], pointer: str, repairs: list[str]) -> None:
    """OpenAPI 3.0's `nullable` and boolean exclusive bounds, in their JSON Schema forms."""
    if node.get("nullable") is True:
        del node["nullable"]
        kind = node.get("type")
        if isinstance(kind, str):
            node["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            node["type"] = [*kind, "null"]
        if isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        if kind is None and any(key in node for key in ("$ref", "allOf", "oneOf", "anyOf")):
            inner = {key: node.pop(key) for key in list(node) if key not in _ANNOTATIONS}
            node["anyOf"] = [inner, {"type": "null"}]
        repairs.append(f"{pointer}/nullable: an OpenAPI 3.0 keyword; null is admitted instead")
    elif node.get("nullable") is False:
        del node["nullable"]
    for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(flag), bool):
            if node.pop(flag) and isinstance(node.get(bound), (int, float)):
                node[flag] = node.pop(bound)
            repairs.append(f"{pointer}/{flag}: a boolean (OpenAPI 3.0); the number form is used instead")


# Objects whose keys are names chosen by the author (a property may be called "example").
_NAME_MAPS = ("/properties", "/patternProperties", "/schemas", "/$defs", "/definitions", "/mapping", "/headers", "/content", "/responses", "/parameters")
_ANNOTATIONS = frozenset({"description", "title", "default", "example", "examples", "deprecated", "readOnly", "writeOnly"})


def _empty_unions(node: dict[str, Any], pointer: str, repairs: list[str]) -> None:
    for key in ("oneOf", "anyOf"):
        if node.get(key) == []:
            del node[key]
            node.pop("discriminator", None)
            repairs.append(f"{pointer}/{key}: empty, so nothing could match; dropped")


def _phantom_required(document: dict[str, Any], node: dict[str, Any], pointer: str, repairs: list[str]) -> None:
    required = node.get("required")
    if not isinstance(required, list) or not required:
        return
    declared = _declared(document, node)
    if declared is None:
        return
    missing = [name for name in required if name not in declared]
    if missing:
        node["required"] = [name for name in required if name in declared]
        if not node["required"]:
            del node["required"]
        repairs.append(f"{pointer}/required: {', '.join(map(repr, missing))} not among the properties; dropped")


def _declared(document: dict[str, Any], node: dict[str, Any]) -> set[str] | None:
    """Property names a schema declares (through $ref and allOf), or None when it may have any."""
    names: set[str] = set()
    found = False
    for part in [node, *(node.get("allOf") or [])]:
        target = _deref(document, part)
        if not isinstance(target, dict):
            continue
        if isinstance(target.get("properties"), dict):
            found = True
            names.update(target["properties"])
        if target.get("additionalProperties") not in (None, False) or target.get("oneOf") or target.get("anyOf"):
            return None
        if target is not node and isinstance(target.get("allOf"), list):
            inner = _declared(document, target)
            if inner is None:
                return None
            names |= inner
            found = found or bool(inner)
    return names if found else None


def _schema_nodes(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every node of the document, and of path items it reaches through `$ref` (wherever they are), once."""
    seen: set[int] = set()
    roots = [("#", document)]
    for pointer, item in _path_items(document):
        roots.append((pointer, item))
    for root_pointer, root in roots:
        for pointer, node in _walk(root, root_pointer):
            if id(node) not in seen:
                seen.add(id(node))
                yield pointer, node


def _walk(node: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    stack = [(pointer, node)]
    while stack:
        where, current = stack.pop()
        if isinstance(current, dict):
            yield where, current
            for key, value in current.items():
                if isinstance(value, (dict, list)) and not key.startswith("x-") and key not in ("example", "examples"):
                    stack.append((f"{where}/{_escape(key)}", value))
        elif isinstance(current, list):
            for index, value in enumerate(current):
                if isinstance(value, (dict, list)):
                    stack.append((f"{where}/{index}", value))


def _deref(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/") and depth < 32:
        target: Any = document
        for token in node["$ref"][2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            target = target.get(token) if isinstance(target, dict) else None
        if target is None:
            return None
        node, depth = target, depth + 1
    return node


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
