"""From keyword arguments to a validated, encoded request; shared by every client.

`prepare()` checks the keywords (TypeError with a did-you-mean), validates body and parameters
against the spec (ValidationError, nothing sent), and encodes path, query, headers and body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ._encoding import FilePart, encode_json, encode_multipart, encode_path, form_parts, query_pairs, query_value
from .._errors import ValidationError, ValidationProblem
from .._naming import did_you_mean
from .._spec._operations import Operation
from .._spec._document import Spec
from .._spec._validation import to_jsonable

__all__ = ["PreparedRequest", "REQUEST_OPTIONS", "check_keywords", "prepare", "split_arguments", "validate_arguments", "validate_call"]

REQUEST_OPTIONS = frozenset(
    {
        "timeout_in_seconds",
        "max_retries",
        "additional_headers",
        "additional_query_parameters",
        "additional_body_parameters",
        "validate",
    }
)


@dataclass
class PreparedRequest:
    operation: Operation
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    content: Any  # bytes, None, or a MultipartBody streamed from disk
    timeout: float | None = None
    max_retries: int | None = None


def check_keywords(operation: Operation, kwargs: Mapping[str, Any]) -> None:
    """Python's own TypeErrors for a call, with a did-you-mean for misspelt keywords."""
    known = operation.by_keyword
    for keyword in kwargs:
        if keyword not in known and keyword != "request_options":
            hint = did_you_mean(keyword, [*known, "request_options"])
            raise TypeError(f"{operation.qualified_name}() got an unexpected keyword argument {keyword!r}.{hint}")
    missing = [a.keyword for a in operation.arguments if a.required and a.keyword not in kwargs]
    if missing:
        names = " and ".join(repr(name) for name in missing)
        plural = "s" if len(missing) > 1 else ""
        raise TypeError(
            f"{operation.qualified_name}() missing {len(missing)} required keyword-only argument{plural}: {names}"
        )


def split_arguments(operation: Operation, kwargs: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The JSON body and the parameters of a call; None means "not set" and is left out."""
    body: Any = None
    params: dict[str, Any] = {}
    by_keyword = operation.by_keyword
    for keyword, value in kwargs.items():
        if value is None or keyword == "request_options":
            continue
        argument = by_keyword[keyword]
        location = argument.location
        if location == "client":  # batching options: the client's business, never sent
            continue
        if location == "body":
            if body is None:
                body = {}
            body[argument.wire_name] = value
        elif location == "request":
            body = {key: item for key, item in value.items() if item is not None} if isinstance(value, Mapping) else value
        elif location != "file":
            params[keyword] = value
    if operation.body_media_type == "application/json":
        if body is None:
            body = {}
        if operation.stream is not None and isinstance(body, dict):
            body[operation.stream.flag] = operation.streaming
    return body, params


def validate_arguments(spec: Spec, operation: Operation, kwargs: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    """`split_arguments`, then both parts checked against the spec (ValidationError if not)."""
    body, params = split_arguments(operation, kwargs)
    if operation.body_media_type == "application/json":
        body = _checked(spec, operation, "body", body)
    if params or operation.has_required_parameters:
        params = _checked(spec, operation, "params", params)
    return body, params


def validate_call(spec: Spec, operation: Operation, kwargs: Mapping[str, Any]) -> None:
    """The whole offline check of a call, sending nothing: keywords (TypeError), then payload (ValidationError)."""
    check_keywords(operation, kwargs)
    validate_arguments(spec, operation, kwargs)


def _checked(spec: Spec, operation: Operation, part: str, instance: Any) -> Any:
    validator = spec.validator(operation, part)
    if validator.is_valid(instance):
        return instance
    try:
        instance = to_jsonable(instance)
    except (TypeError, ValueError) as exc:
        raise ValidationError(operation.qualified_name, [ValidationProblem("", str(exc), "type")]) from None
    validator.check(operation.qualified_name, instance)
    return instance


def prepare(
    spec: Spec,
    operation: Operation,
    kwargs: Mapping[str, Any],
    *,
    validate: bool = True,
) -> PreparedRequest:
    check_keywords(operation, kwargs)
    options = dict(kwargs.get("request_options") or {})
    unknown = set(options) - REQUEST_OPTIONS
    if unknown:
        name = sorted(unknown)[0]
        raise TypeError(f"unknown request option {name!r}.{did_you_mean(name, REQUEST_OPTIONS)}")
    if options.get("validate", validate):
        body, params = validate_arguments(spec, operation, kwargs)
    else:
        body, params = split_arguments(operation, kwargs)

    by_keyword = operation.by_keyword
    path_values: dict[str, Any] = {}
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    for keyword, value in params.items():
        argument = by_keyword[keyword]
        if argument.location == "path":
            path_values[argument.wire_name] = value
        elif argument.location == "query":
            query.extend(query_pairs(argument.wire_name, value))
        elif argument.location == "header":
            headers[argument.wire_name] = query_value(value)
    for name, value in (options.get("additional_query_parameters") or {}).items():
        if value is not None:
            query.extend(query_pairs(str(name), value))

    content: bytes | None = None
    if operation.body_media_type == "application/json":
        extra = options.get("additional_body_parameters")
        if extra:
            body = {**body, **extra} if isinstance(body, dict) else body
        content = encode_json(body)
        headers["Content-Type"] = "application/json"
    elif operation.body_media_type == "multipart/form-data":
        parts: list[Any] = []
        for argument in operation.arguments:
            value = kwargs.get(argument.keyword)
            if value is None:
                continue
            if argument.location == "file":
                try:
                    parts.append(FilePart(argument.wire_name, value))
                except (OSError, ValueError) as exc:  # a path that can't be read (or named): found before sending
                    problem = ValidationProblem(argument.keyword, f"can't read the file: {getattr(exc, 'strerror', None) or exc}", "file")
                    raise ValidationError(operation.qualified_name, [problem]) from None
            elif argument.location == "form":
                parts.extend(form_parts(argument.wire_name, params.get(argument.keyword, value)))
        content, headers["Content-Type"] = encode_multipart(parts)
    for name, value in (options.get("additional_headers") or {}).items():
        headers[str(name)] = str(value)
    return PreparedRequest(
        operation=operation,
        method=operation.http_method,
        path=encode_path(operation.path, path_values),
        query=query,
        headers=headers,
        content=content,
        timeout=options.get("timeout_in_seconds"),
        max_retries=options.get("max_retries"),
    )
