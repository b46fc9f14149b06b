"""From keyword arguments to a validated, encoded request; shared by every client.

`prepare()` checks the keywords (TypeError with a did-you-mean), validates body and parameters
against the spec (ValidationError, nothing sent), and encodes path, query, headers and body.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass
from typing import Any, Mapping, TypedDict

from ._encoding import FilePart, encode_json, encode_multipart, encode_path, form_parts, query_pairs, query_value
from .._errors import ValidationError, ValidationProblem
from .._naming import did_you_mean
from .._spec._operations import Operation
from .._spec._document import Spec
from .._spec._validation import to_jsonable

__all__ = ["IGNORED_SDK_OPTIONS", "PreparedRequest", "REQUEST_OPTIONS", "RequestOptions", "check_keywords", "prepare", "split_arguments", "validate_arguments", "validate_call"]

class RequestOptions(TypedDict, total=False):
    """The options every method takes as `request_options=`, for this one call."""

    timeout: float  # seconds to wait for the answer (the official SDK 7.x's name)
    timeout_in_seconds: float  # the same, as SDK 5.x named it (7.x still takes it)
    max_retries: int
    additional_headers: Mapping[str, Any]
    additional_query_parameters: Mapping[str, Any]
    additional_body_parameters: Mapping[str, Any]
    validate: bool  # False: send without the offline check
    # Accepted so that SDK 7.x code runs, with no effect here: cohere_dyn never retries a response
    # cut after its status line (the server saw the request), never reconnects a stream, and
    # reads bodies whole (chunk_size only sizes the SDK's file downloads).
    retry_remote_protocol_errors: bool
    chunk_size: int
    stream_reconnection_enabled: bool
    max_stream_reconnection_attempts: int


IGNORED_SDK_OPTIONS = frozenset(
    {"retry_remote_protocol_errors", "chunk_size", "stream_reconnection_enabled", "max_stream_reconnection_attempts"}
)
REQUEST_OPTIONS = frozenset(RequestOptions.__annotations__) - IGNORED_SDK_OPTIONS


_NO_OPTIONS: dict[str, Any] = {}


@dataclass(slots=True)
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
            _unexpected(operation, keyword, kwargs)
    _check_required(operation, kwargs)


def _unexpected(operation: Operation, keyword: str, kwargs: Mapping[str, Any]) -> None:
    twin = operation.stream
    if twin is not None and keyword == twin.flag and kwargs[keyword] is True and not operation.streaming:
        name = ".".join((*operation.group, twin.method))
        raise ValueError(f"{operation.qualified_name}({keyword}=True): call {name}(...) to stream, as the official SDK requires")
    hint = did_you_mean(keyword, [*operation.by_keyword, "request_options"])
    raise TypeError(f"{operation.qualified_name}() got an unexpected keyword argument {keyword!r}.{hint}")


def _check_required(operation: Operation, kwargs: Mapping[str, Any]) -> None:
    missing = [keyword for keyword in operation.required_keywords if keyword not in kwargs]
    if missing:
        names = " and ".join(repr(name) for name in missing)
        plural = "s" if len(missing) > 1 else ""
        raise TypeError(
            f"{operation.qualified_name}() missing {len(missing)} required keyword-only argument{plural}: {names}"
        )


def split_arguments(operation: Operation, kwargs: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The JSON body and the parameters of a call; None means "not set" and is left out. The
    keywords are checked on the way (`check_keywords`' TypeErrors)."""
    body: Any = None
    params: dict[str, Any] = {}
    by_keyword = operation.by_keyword
    for keyword, value in kwargs.items():
        argument = by_keyword.get(keyword)
        if argument is None:
            if keyword != "request_options":
                _unexpected(operation, keyword, kwargs)
            continue
        if value is None or value is ...:  # None, or the official SDK's OMIT: not given
            continue
        location = argument.location
        if location == "body":
            if body is None:
                body = {}
            body[argument.wire_name] = value
        elif location == "request":
            body = {key: item for key, item in value.items() if item is not None and item is not ...} if isinstance(value, Mapping) else value
        elif location != "file" and location != "client":  # client: batching options, never sent
            params[keyword] = value
    _check_required(operation, kwargs)
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


def warn_deprecated(operation: Operation, kwargs: Mapping[str, Any]) -> None:
    """One DeprecationWarning per deprecated keyword (or old enum spelling) the call uses; it is still sent."""
    for keyword in operation.deprecated.keys() & kwargs.keys():
        value = kwargs[keyword]
        if value is None or value is ...:
            continue
        argument = operation.deprecated[keyword]
        if argument.deprecated:
            what = f"{operation.qualified_name}({keyword}=...) is deprecated"
        elif isinstance(value, (str, int)) and value in argument.deprecated_values:
            what = f"{operation.qualified_name}({keyword}={value!r}) uses a deprecated value"
        else:
            continue
        detail = " ".join(argument.description.split())
        warnings.warn(f"{what}: {detail}" if detail else what, DeprecationWarning, stacklevel=_caller_level())


def _caller_level() -> int:
    """The stack level of the first frame outside cohere_dyn: the line of user code that made the call."""
    frame: Any = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("cohere_dyn"):
        frame, level = frame.f_back, level + 1
    return level


def prepare(
    spec: Spec,
    operation: Operation,
    kwargs: Mapping[str, Any],
    *,
    validate: bool = True,
) -> PreparedRequest:
    options = kwargs.get("request_options") or _NO_OPTIONS
    if options is not _NO_OPTIONS:
        options = dict(options)
        unknown = set(options) - REQUEST_OPTIONS - IGNORED_SDK_OPTIONS
        if unknown:
            name = sorted(unknown)[0]
            raise TypeError(f"unknown request option {name!r}.{did_you_mean(name, REQUEST_OPTIONS)}")
    if options.get("validate", validate):
        body, params = validate_arguments(spec, operation, kwargs)
    else:
        body, params = split_arguments(operation, kwargs)
    deprecated = operation.deprecated
    if deprecated and not deprecated.keys().isdisjoint(kwargs):
        warn_deprecated(operation, kwargs)
    if not params and options is _NO_OPTIONS and operation.body_media_type == "application/json":
        # The usual call (a JSON body and nothing else): the same request, built straight.
        return PreparedRequest(
            operation, operation.http_method, operation.path, [], {"Content-Type": "application/json"}, encode_json(body)
        )

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

    content: Any = None  # bytes, or a MultipartBody that streams a file from disk
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
            if value is None or value is ...:
                continue
            if argument.location == "file":
                try:
                    parts.append(FilePart(argument.wire_name, value))
                except (OSError, ValueError) as exc:  # a path that can't be read (or named): found before sending
                    problem = ValidationProblem(argument.keyword, f"can't read the file: {getattr(exc, 'strerror', None) or exc}", "file")
                    raise ValidationError(operation.qualified_name, [problem]) from None
            elif argument.location == "form":
                parts.extend(form_parts(argument.wire_name, params.get(argument.keyword, value)))
        parts.sort(key=lambda part: part.filename is not None)  # plain fields first, then files, as httpx orders them
        content, headers["Content-Type"] = encode_multipart(parts)
    for name, value in (options.get("additional_headers") or {}).items():
        headers[str(name)] = str(value)
    return PreparedRequest(
        operation=operation,
        method=operation.http_method,
        path=encode_path(operation.path, path_values, operation.qualified_name) if path_values else operation.path,
        query=query,
        headers=headers,
        content=content,
        timeout=options["timeout"] if options.get("timeout") is not None else options.get("timeout_in_seconds"),
        max_retries=options.get("max_retries"),
    )
