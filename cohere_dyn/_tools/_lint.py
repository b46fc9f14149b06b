"""`cohere-dyn lint`: a strict check of an OpenAPI document as cohere_dyn reads it.

Loading a spec repairs what it can and warns (see `_normalize`); lint instead reports every
defect of the document as written, each at its JSON pointer:

| code | severity | what |
|---|---|---|
| `openapi` | error | the document breaks the OpenAPI schema (openapi-spec-validator) |
| `required-not-property` | error | a `required` name that the object doesn't declare |
| `discriminator-overlap` | error | two branches of a discriminated union accept the same value, or one accepts any |
| `discriminator-mapping` | error | a mapping target that isn't one of the branches, or pins another value |
| `discriminator-no-mapping` | warning | a discriminator with no explicit `mapping` |
| `ref-unresolvable` | error | a `$ref` (or mapping target) that points to nothing |
| `ref-external` | error | a `$ref` outside the document (cohere_dyn reads one file) |
| `operation` | error | an operation cohere_dyn can't build (e.g. two arguments with one keyword) |
| `method-collision` | error | two operations, or a method and a group, with one name after mapping |
| `stream-without-events` | error | a stream twin whose 200 response has no stream media type with a schema |
| `operation-id-missing` | warning | no operationId: the method is named from its route |
| `sdk-removed` | error / warning | the table of the SDK's removed functions names a method that doesn't exist / a removed name that is a method |
| `deployment` | error | an `x-cohere-dyn-deployments` rule that makes no sense, or names a method or body field the spec lacks |
| `sdk-names` | error | an `x-cohere-dyn-sdk-names` that isn't a list of Python identifiers |
| `sdk-name-collision` | error | two schemas (or their further names, branches, inline objects) give one constructor name |
| `sdk-only-used` | warning | a schema marked `x-cohere-dyn-sdk-only` (a class no operation uses) that something references |

Run only by the `lint` command: this module is never imported by `import cohere_dyn`.
"""

from __future__ import annotations

import json
import marshal
import os
from typing import Any, Iterator

from .._errors import SpecError
from .._spec._normalize import _declared, _deref, _escape, _operations, _walk, normalize
from .._spec._operations import EXTENSION, HTTP_METHODS, STREAM_MEDIA_TYPES, _build
from .._spec._schemas import Resolver
from .._spec._types import SDK_NAMES, SDK_ONLY, TypeIndex

__all__ = ["Finding", "lint_document", "lint_file", "read_document", "report"]

ERROR, WARNING = "error", "warning"


class Finding:
    """One defect: where (a JSON pointer), how bad, which check, and what."""

    __slots__ = ("severity", "code", "pointer", "message")

    def __init__(self, severity: str, code: str, pointer: str, message: str):
        self.severity = severity
        self.code = code
        self.pointer = pointer
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"severity": self.severity, "code": self.code, "pointer": self.pointer, "message": self.message}

    def __str__(self) -> str:
        return f"{self.severity:<7} {self.pointer}: {self.message} [{self.code}]"

    def __repr__(self) -> str:
        return f"Finding({self.severity!r}, {self.code!r}, {self.pointer!r})"


def read_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The document at `path` as written (YAML or JSON), without the loader's repairs."""
    from .._spec._loader import parse_document

    source = os.fspath(path)
    try:
        with open(source, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise SpecError(f"can't read the spec: {exc.strerror or exc}", source=source) from None
    return parse_document(raw, source)


def lint_file(path: str | os.PathLike[str]) -> list[Finding]:
    return lint_document(read_document(path), os.fspath(path))


def lint_document(document: dict[str, Any], source: str = "<spec>") -> list[Finding]:
    """Every finding, errors first, then in document order of the checks."""
    findings = list(_openapi_validity(document))
    resolver = Resolver(document, source)
    for pointer, node in _walk(document, "#"):
        findings += _references(document, node, pointer)
        findings += _phantom_required(document, node, pointer)
        findings += _discriminator(resolver, node, pointer)
    if isinstance(document.get("paths"), dict):
        findings += _methods(document, source)
    findings += _sdk_names(document, resolver)
    findings.sort(key=lambda finding: finding.severity != ERROR)
    return findings


def report(findings: list[Finding], source: str) -> str:
    errors = sum(finding.severity == ERROR for finding in findings)
    warnings = len(findings) - errors
    lines = [str(finding) for finding in findings]
    lines.append(f"{source}: {errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)


# OpenAPI validity ------------------------------------------------------------------------------


def _openapi_validity(document: dict[str, Any]) -> Iterator[Finding]:
    version = str(document.get("openapi", ""))
    try:
        from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    except ImportError:  # pragma: no cover - a dependency of openapi-core, itself a dependency
        yield Finding(WARNING, "openapi", "#", "openapi-spec-validator is not installed; OpenAPI validity not checked")
        return
    if version.startswith("3.0"):
        validator: Any = OpenAPIV30SpecValidator(document)
    elif version.startswith("3.1"):
        validator = OpenAPIV31SpecValidator(document)
    else:
        yield Finding(ERROR, "openapi", "#/openapi", f"unsupported OpenAPI version {version or '(none)'!r}; 3.0 or 3.1 expected")
        return
    places = _container_pointers(document)
    try:
        for error in validator.iter_errors():
            pointer = places.get(id(error.instance))
            if pointer is None:  # a scalar: its container is not known, name the path inside the schema
                pointer = "#" + "".join(f"/{_escape(str(part))}" for part in error.path) if error.path else "#"
            yield Finding(ERROR, "openapi", pointer, " ".join(str(error.message).split()))
    except Exception as exc:  # the validator itself failed on this document: report, don't crash
        yield Finding(ERROR, "openapi", "#", f"the OpenAPI validator stopped: {type(exc).__name__}: {exc}")


def _container_pointers(document: Any) -> dict[int, str]:
    """id() of every dict and list in the document -> its pointer (errors carry the object, not where it is)."""
    places: dict[int, str] = {}
    stack: list[tuple[str, Any]] = [("#", document)]
    while stack:
        pointer, node = stack.pop()
        places.setdefault(id(node), pointer)
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(value, (dict, list)):
                stack.append((f"{pointer}/{_escape(str(key))}", value))
    return places


# Schemas ---------------------------------------------------------------------------------------


def _references(document: dict[str, Any], node: dict[str, Any], pointer: str) -> list[Finding]:
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return []
    if not ref.startswith("#"):
        return [Finding(ERROR, "ref-external", f"{pointer}/$ref", f"{ref!r} points outside the document")]
    if ref != "#" and _deref(document, {"$ref": ref}) is None:
        return [Finding(ERROR, "ref-unresolvable", f"{pointer}/$ref", f"{ref!r} points to nothing")]
    return []


def _phantom_required(document: dict[str, Any], node: dict[str, Any], pointer: str) -> list[Finding]:
    required = node.get("required")
    if not isinstance(required, list) or not required or pointer.endswith("/properties"):
        return []
    declared = _declared(document, node)
    if declared is None:
        return []
    missing = [name for name in required if name not in declared]
    if not missing:
        return []
    names = ", ".join(repr(name) for name in missing)
    return [Finding(ERROR, "required-not-property", f"{pointer}/required", f"{names} required but not among the properties")]


def _discriminator(resolver: Resolver, node: dict[str, Any], pointer: str) -> list[Finding]:
    discriminator = node.get("discriminator")
    if not isinstance(discriminator, dict) or pointer.endswith("/properties"):
        return []
    prop = discriminator.get("propertyName")
    key = "oneOf" if isinstance(node.get("oneOf"), list) else "anyOf"
    branches = node.get(key)
    if not isinstance(prop, str) or not isinstance(branches, list):
        return []
    findings: list[Finding] = []
    owners: dict[str, list[int]] = {}
    for index, branch in enumerate(branches):
        values = _pinned(resolver, branch, prop)
        if values is None:
            findings.append(
                Finding(ERROR, "discriminator-overlap", f"{pointer}/{key}/{index}", f"the branch doesn't pin {prop!r} to a value, so it matches every payload")
            )
            continue
        for value in values:
            owners.setdefault(value, []).append(index)
    shared: dict[tuple[int, ...], list[str]] = {}
    for value, indexes in owners.items():
        if len(indexes) > 1:
            shared.setdefault(tuple(indexes), []).append(value)
    for members, values in shared.items():
        listed = ", ".join(f"{key}/{index}" for index in members)
        shown = ", ".join(repr(value) for value in values)
        findings.append(
            Finding(ERROR, "discriminator-overlap", f"{pointer}/{key}", f"{listed} all accept {prop} = {shown}: a payload matches more than one branch")
        )
    mapping = discriminator.get("mapping")
    if not isinstance(mapping, dict) or not mapping:
        if branches:
            findings.append(Finding(WARNING, "discriminator-no-mapping", f"{pointer}/discriminator", "no explicit mapping from values to branches"))
        return findings
    refs = {branch.get("$ref") for branch in branches if isinstance(branch, dict)}
    for value, target in mapping.items():
        where = f"{pointer}/discriminator/mapping/{_escape(str(value))}"
        ref = target if not isinstance(target, str) or target.startswith("#") or "/" in target else f"#/components/schemas/{target}"
        if not isinstance(ref, str) or not ref.startswith("#") or _deref(resolver.document, {"$ref": ref}) is None:
            findings.append(Finding(ERROR, "ref-unresolvable", where, f"{target!r} points to nothing"))
        elif ref not in refs:
            findings.append(Finding(ERROR, "discriminator-mapping", where, f"{target!r} is not one of the {key} branches"))
        else:
            pinned = _pinned(resolver, {"$ref": ref}, prop)
            if pinned is not None and str(value) not in pinned:
                shown = ", ".join(repr(v) for v in pinned)
                findings.append(Finding(ERROR, "discriminator-mapping", where, f"{target!r} pins {prop} to {shown}, not {value!r}"))
    return findings


def _pinned(resolver: Resolver, branch: Any, prop: str) -> list[str] | None:
    """The discriminator values a branch accepts (const or enum), or None when it accepts any."""
    try:
        target = resolver.deref(branch)
        parts = [target, *(resolver.deref(part) for part in (target.get("allOf") or ()))] if isinstance(target, dict) else []
        for part in parts:
            spec = resolver.deref((part.get("properties") or {}).get(prop)) if isinstance(part, dict) else None
            if isinstance(spec, dict) and "const" in spec:
                return [str(spec["const"])]
            if isinstance(spec, dict) and isinstance(spec.get("enum"), list):
                return [str(value) for value in spec["enum"]]
    except SpecError:
        return []  # an unresolvable branch is reported as such
    return None


# Methods ---------------------------------------------------------------------------------------


def _methods(raw: dict[str, Any], source: str) -> list[Finding]:
    """Build every operation as the client would (after the loader's naming), and check the result."""
    document = normalize(marshal.loads(marshal.dumps(raw)))
    document.pop("x-cohere-dyn-repairs", None)
    resolver = Resolver(document, source)
    findings: list[Finding] = []
    operations = []
    for pointer, spec in _operations(document):
        path, verb = _route(pointer)
        if verb not in HTTP_METHODS:
            continue
        if not spec.get("operationId"):
            findings.append(Finding(WARNING, "operation-id-missing", pointer, "no operationId; the method is named from its route"))
        item = resolver.deref(document["paths"][path])
        try:
            operation = _build(resolver, path, verb, spec, item.get("parameters", []), pointer)
        except SpecError as exc:
            findings.append(Finding(ERROR, "operation", pointer, str(exc)))
            continue
        operations.append(operation)
        if operation.stream is not None:
            twin = operation.stream_twin()
            operations.append(twin)
            if not any(schema is not None for schema in twin.event_schemas.values()):
                media = ", ".join(STREAM_MEDIA_TYPES[:2])
                findings.append(
                    Finding(ERROR, "stream-without-events", f"{pointer}/responses", f"stream twin {twin.qualified_name!r} has no event schema ({media})")
                )
    findings += _collisions(operations)
    findings += _sdk_removed(document.get(EXTENSION), operations)
    findings += _deployments(document, operations, source)
    return findings


def _sdk_removed(extension: Any, operations: list[Any]) -> list[Finding]:
    """The top-level table of the SDK's removed functions: each new place must be a method (or `wait`),
    and a removed name that is also a method is never refused (the method wins)."""
    table = extension.get("sdk-removed") if isinstance(extension, dict) else None
    if table is None:
        return []
    pointer = f"#/{EXTENSION}/sdk-removed"
    if not isinstance(table, dict):
        return [Finding(ERROR, "sdk-removed", pointer, "must map a function name to its new place or null")]
    methods = {operation.qualified_name for operation in operations}
    findings = []
    for name, moved_to in table.items():
        where = f"{pointer}/{name}"
        if moved_to is not None and moved_to != "wait" and moved_to not in methods:
            findings.append(Finding(ERROR, "sdk-removed", where, f"{moved_to!r} is not a method of the spec"))
        if name in methods:
            findings.append(Finding(WARNING, "sdk-removed", where, f"{name!r} is a method: it is called, not refused"))
    return findings


def _deployments(document: dict[str, Any], operations: list[Any], source: str) -> list[Finding]:
    """The cloud deployments block: each service's rules parse, and name methods and fields that exist."""
    from .._deployments._routes import BLOCK, service

    block = document.get(BLOCK)
    if block is None:
        return []
    pointer = f"#/{BLOCK}"
    if not isinstance(block, dict) or not isinstance(block.get("services"), dict):
        return [Finding(ERROR, "deployment", pointer, "must be a mapping with a 'services' mapping")]
    findings: list[Finding] = []
    by_name = {operation.qualified_name: operation for operation in operations}
    for name in block["services"]:
        try:
            rules = service(document, name, source)
        except SpecError as exc:
            findings.append(Finding(ERROR, "deployment", exc.pointer or pointer, str(exc)))
            continue
        for method in rules.routes:
            operation = by_name.get(method)
            where = f"{pointer}/services/{name}/operations/{method}"
            if operation is None:
                findings.append(Finding(ERROR, "deployment", where, f"no method {method!r} in the spec"))
            elif operation.body_media_type != "application/json":
                findings.append(Finding(ERROR, "deployment", where, f"{method!r} has no JSON body to map"))
            elif rules.path_field not in {a.wire_name for a in operation.arguments if a.location == "body"}:
                findings.append(Finding(ERROR, "deployment", where, f"{method!r} has no body field {rules.path_field!r}"))
        if hasattr(rules, "problems"):  # a service whose maps name Cohere's body fields (protocol: oci)
            fields = {m: {a.wire_name for a in by_name[m].arguments if a.location == "body"} for m in rules.routes if m in by_name}
            for where, message in rules.problems(fields):
                findings.append(Finding(ERROR, "deployment", f"{pointer}/services/{name}/{where}", message))
    for method, fields in (block.get("body-order") or {}).items():
        if method not in by_name:
            findings.append(Finding(ERROR, "deployment", f"{pointer}/body-order/{method}", f"no method {method!r} in the spec"))
    return findings


def _route(pointer: str) -> tuple[str, str]:
    escaped, verb = pointer[len("#/paths/"):].rsplit("/", 1)
    return escaped.replace("~1", "/").replace("~0", "~"), verb


def _collisions(operations: list[Any]) -> list[Finding]:
    findings: list[Finding] = []
    seen: dict[str, Any] = {}
    groups: dict[str, Any] = {}
    for operation in operations:
        name = operation.qualified_name
        first = seen.get(name)
        if first is not None and first.pointer != operation.pointer:
            findings.append(Finding(ERROR, "method-collision", operation.pointer, f"the method {name!r} is also {first.pointer}"))
        seen.setdefault(name, operation)
        for depth in range(1, len(operation.group) + 1):
            groups.setdefault(".".join(operation.group[:depth]), operation)
    for name, operation in seen.items():
        if name in groups:
            findings.append(Finding(ERROR, "method-collision", operation.pointer, f"the method {name!r} has the name of a group"))
    for operation in operations:  # ClientV2 lifts v2 methods to the top level
        if operation.group == ("v2",) and operation.name in groups:
            findings.append(
                Finding(ERROR, "method-collision", operation.pointer, f"ClientV2.{operation.name} (from v2) hides the group {operation.name!r}")
            )
    return findings


# payload constructor names ---------------------------------------------------------------------


def _sdk_names(document: dict[str, Any], resolver: Resolver) -> list[Finding]:
    """The names `cohere_dyn.types` derives (see `_spec._types`): well-formed further names, no name
    claimed by two schemas, and SDK-only schemas that nothing uses."""
    components = document.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if not isinstance(schemas, dict):
        return []
    findings = []
    references = json.dumps([document.get("paths"), components])
    for name, schema in schemas.items():
        if not isinstance(schema, dict):
            continue
        pointer = f"#/components/schemas/{_escape(name)}"
        names = schema.get(SDK_NAMES)
        identifiers = isinstance(names, list) and all(isinstance(n, str) and n.isidentifier() for n in names)
        if names is not None and not identifiers:
            message = f"must be a list of Python identifiers, found {names!r}"
            findings.append(Finding(ERROR, "sdk-names", f"{pointer}/{SDK_NAMES}", message))
        if schema.get(SDK_ONLY) and f'"{pointer}"' in references:
            message = f"marked {SDK_ONLY}, yet referenced: drop the mark"
            findings.append(Finding(WARNING, "sdk-only-used", pointer, message))
    try:
        candidates = [
            (name, (id(resolver.deref(schema)), json.dumps(fixed, sort_keys=True, default=str), discriminators), origin, decisive)
            for name, (schema, fixed, discriminators), origin, decisive in TypeIndex(resolver).candidates()
        ]
    except SpecError:
        return findings  # a reference that points nowhere, reported by `ref-unresolvable`
    decided = {name for name, _, _, decisive in candidates if decisive}
    first: dict[str, tuple[Any, str]] = {}
    reported: set[str] = set()
    for name, target, origin, _ in candidates:
        if name in decided:
            continue
        seen, seen_origin = first.setdefault(name, (target, origin))
        if seen != target and name not in reported:
            reported.add(name)
            message = (
                f"the constructor name {name!r} comes from both {seen_origin} and {origin}: "
                f"rename one, or change its {SDK_NAMES}"
            )
            findings.append(Finding(ERROR, "sdk-name-collision", f"#/components/schemas/{_escape(origin)}", message))
    return findings
