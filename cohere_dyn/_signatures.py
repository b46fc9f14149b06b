"""Signatures and docstrings of the spec's methods, and short Python-flavoured types for them.

Built once per operation, on first use (they import `inspect`, which `import cohere_dyn` doesn't).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import inspect
    from typing import Any

    from ._spec._document import Spec
    from ._spec._operations import Operation
    from ._spec._schemas import Resolver

__all__ = ["REQUEST_OPTIONS_DOC", "describe_type", "docstring", "returns_of", "signature"]

REQUEST_OPTIONS_DOC = (
    "request_options (dict, optional): per-call settings: timeout (or timeout_in_seconds), max_retries, "
    "additional_headers, additional_query_parameters, additional_body_parameters (sent unchecked), "
    "validate (False skips offline validation)."
)


_SIGNATURES: dict[int, Any] = {}
_DOCSTRINGS: dict[int, str] = {}


def signature(spec: Spec, operation: Operation) -> "inspect.Signature":
    cached = _SIGNATURES.get(id(operation))
    if cached is not None:
        return cached
    import inspect

    positional = operation.positional
    first = [operation.by_keyword[keyword] for keyword in positional]
    rest = [argument for argument in operation.arguments if argument.keyword not in positional]
    parameters = [
        inspect.Parameter(
            argument.keyword,
            inspect.Parameter.POSITIONAL_OR_KEYWORD if argument.keyword in positional else inspect.Parameter.KEYWORD_ONLY,
            default=inspect.Parameter.empty if argument.required else argument.default,
            annotation=describe_type(spec.resolver, argument.schema, argument.location),
        )
        for argument in (*first, *rest)
    ]
    parameters.append(
        inspect.Parameter("request_options", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="dict | None")
    )
    result = inspect.Signature(parameters, return_annotation=returns_of(spec, operation)[0])
    _SIGNATURES[id(operation)] = result
    return result


def docstring(spec: Spec, operation: Operation) -> str:
    cached = _DOCSTRINGS.get(id(operation))
    if cached is not None:
        return cached
    lines = [operation.summary or operation.qualified_name]
    if operation.streaming:
        lines[0] += " (streamed)"
    if operation.bulk:
        inputs = ", ".join(operation.batch.stream.inputs)  # type: ignore[union-attr]
        lines[0] += (
            f": one of {inputs} as any iterable (a generator too), read as the requests need it; "
            "one result per input and embedding type, in input order"
        )
    if operation.description and operation.description != operation.summary:
        lines += ["", operation.description]
    if operation.stream is not None and not operation.streaming:  # the twin is named, never its flag
        twin = ".".join(("client", *operation.group, operation.stream.method))
        lines += ["", f"To receive the answer as events while it is generated, call `{twin}(...)` with the same arguments."]
    lines += ["", "Args:"]
    for argument in operation.arguments:
        kind = describe_type(spec.resolver, argument.schema, argument.location)
        flag = "required" if argument.required else "optional"
        text = " ".join(argument.description.split()) or f"sent as the {argument.location} field {argument.wire_name!r}."
        where = f" Sent as {argument.location} {argument.wire_name!r}." if argument.location in ("query", "header") else ""
        lines.append(f"    {argument.keyword} ({kind}, {flag}): {text}{where}")
    lines.append(f"    {REQUEST_OPTIONS_DOC}")
    name, meaning = returns_of(spec, operation)
    lines += ["", "Returns:", f"    {name}: {meaning}" if meaning else f"    {name}"]
    lines += ["", f"Route: {operation.http_method} {operation.path}"]
    result = "\n".join(lines)
    _DOCSTRINGS[id(operation)] = result
    return result


def returns_of(spec: Spec, operation: Operation) -> tuple[str, str]:
    if operation.bulk:
        return "Iterator[StreamedEmbedding]", "index, embedding, embedding_type and text of each input, in input order."
    if operation.streaming:
        schema = next(iter(operation.event_schemas.values()), None)
        name = describe_type(spec.resolver, schema, "body") if schema is not None else "dict"
        return f"Stream[{name}]", "an iterator of events, yielded as they arrive; close it or use `with`."
    if operation.response_schema is None:
        return "None", ""
    target = spec.resolver.deref(operation.response_schema)
    meaning = target.get("description", "") if isinstance(target, dict) else ""
    return describe_type(spec.resolver, operation.response_schema, "body"), " ".join(str(meaning).split())


def describe_type(resolver: Resolver, schema: Any, location: str = "body", depth: int = 0) -> str:
    """A short Python-flavoured type for docs and signatures: `str`, `list[ChatMessageV2]`, `Literal[...]`."""
    if location == "file":
        return "bytes | str | PathLike | IO[bytes] | tuple"
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        return schema["$ref"].rsplit("/", 1)[-1]
    if not isinstance(schema, dict) or depth > 3:
        return "Any"
    if "enum" in schema:
        values = schema["enum"]
        shown = ", ".join(repr(value) for value in values[:8])
        return f"Literal[{shown}{', ...' if len(values) > 8 else ''}]"
    if "const" in schema:
        return f"Literal[{schema['const']!r}]"
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return " | ".join(dict.fromkeys(describe_type(resolver, s, location, depth + 1) for s in schema[key]))
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(describe_type(resolver, {**schema, "type": k}, location, depth + 1) for k in kind)
    if kind == "array":
        return f"list[{describe_type(resolver, schema.get('items'), location, depth + 1)}]"
    if kind == "string" and schema.get("format") == "date-time":
        return "datetime | str"
    names = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "object": "dict", "null": "None"}
    return names.get(kind, "Any") if isinstance(kind, str) else "Any"
