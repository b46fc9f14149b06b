"""The check of every request against the spec, by openapi-core.

openapi-core is an implementation independent of the client's own validation, so a request the
client builds wrongly is caught here unless both implementations misread the spec the same way.
Its findings become problems `{"location", "path", "message"}` whose messages say what was
expected without repeating the request's values (prompts stay out of logs).

Two adjustments, neither of which loosens a check:
- the document is served at the root (its `servers` are replaced by `/`), since the mock answers
  on its own address;
- a multipart part encoded as application/octet-stream is handed to the schema as a string of
  its bytes (latin-1), because openapi-core passes raw `bytes`, which OpenAPI 3.1's
  `type: string` (with `contentMediaType`) would otherwise refuse.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Iterable

__all__ = ["RequestChecker", "Problem"]

Problem = dict[str, str]


class RequestChecker:
    """`checker.problems(...)` lists what is wrong with one request; empty when it is valid."""

    def __init__(self, document: dict[str, Any]):
        from openapi_core import Config, OpenAPI  # heavy: imported only when a mock starts

        config = Config(
            spec_validator_cls=None,  # checking the document itself is the spec's tests' job
            extra_media_type_deserializers={"application/octet-stream": _octets},
        )
        self._openapi = OpenAPI.from_dict(_served_at_root(document), config=config)
        self._lock = threading.Lock()  # openapi-core doesn't promise thread safety; a check takes ~1 ms

    def problems(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: bytes,
    ) -> list[Problem]:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        request = _Request(
            host_url="http://mock",
            path=path,
            method=method.lower(),
            parameters=RequestParameters(query=ImmutableMultiDict(query), header=Headers(list(headers.items()))),
            content_type=headers.get("content-type", ""),
            body=body or None,
        )
        with self._lock:
            errors = list(self._openapi.iter_request_errors(request))
        return [problem for error in errors for problem in _problems(error)]


@dataclass
class _Request:
    """A request as openapi-core's `Request` protocol describes it."""

    host_url: str
    path: str
    method: str
    parameters: Any
    content_type: str
    body: bytes | None


def _octets(value: bytes, **parameters: str) -> str:
    return value.decode("latin-1")


def _served_at_root(document: dict[str, Any]) -> dict[str, Any]:
    """A shallow copy of the document whose every `servers` list is `/`."""
    root = [{"url": "/"}]
    paths = {}
    for route, item in (document.get("paths") or {}).items():
        if isinstance(item, dict):
            item = {key: _without_servers(value) for key, value in item.items() if key != "servers"}
        paths[route] = item
    return {**document, "servers": root, "paths": paths}


def _without_servers(node: Any) -> Any:
    return {key: value for key, value in node.items() if key != "servers"} if isinstance(node, dict) else node


def _problems(error: Exception) -> Iterable[Problem]:
    location, name = _where(error)
    cause = error.__cause__
    schema_errors = getattr(cause, "schema_errors", None)
    if schema_errors:
        for schema_error in schema_errors:
            path, message = _describe(schema_error)
            yield {"location": location, "path": _join(name, path), "message": message}
        return
    yield {"location": location, "path": name, "message": _sentence(error, cause)}


def _where(error: Exception) -> tuple[str, str]:
    from openapi_core.validation.request.exceptions import (
        ParameterValidationError,
        RequestBodyValidationError,
        SecurityValidationError,
    )

    if isinstance(error, ParameterValidationError):
        return error.location, error.name
    if isinstance(error, RequestBodyValidationError):
        return "body", ""
    if isinstance(error, SecurityValidationError):
        return "header", "Authorization"
    return "request", ""


def _sentence(error: Exception, cause: BaseException | None) -> str:
    from openapi_core.casting.schemas.exceptions import CastError
    from openapi_core.deserializing.media_types.exceptions import MediaTypeDeserializeError

    if isinstance(cause, CastError):
        return f"expected a value of type {cause.type}"
    if isinstance(cause, MediaTypeDeserializeError):
        return f"the body is not valid {cause.mimetype}"
    if cause is not None:
        return str(cause)
    return str(error)


def _describe(error: Any) -> tuple[list[Any], str]:
    """Where a schema error is (path parts) and what was expected there."""
    path = list(error.absolute_path)
    kind, expected = error.validator, error.validator_value
    if kind in ("oneOf", "anyOf"):
        discriminator = error.schema.get("discriminator") if isinstance(error.schema, dict) else None
        if isinstance(discriminator, dict) and isinstance(error.instance, dict):
            prop = discriminator.get("propertyName")
            allowed = list(discriminator.get("mapping") or ())
            if allowed and error.instance.get(prop) not in allowed:
                return [*path, prop], f"expected one of {_listing(allowed)}"
        if error.context:
            from jsonschema.exceptions import best_match

            deepest = best_match(error.context)
            if deepest is not None and deepest.validator not in ("type", "oneOf", "anyOf"):
                return _describe(deepest)
            types = [sub.validator_value for sub in error.context if sub.validator == "type" and not sub.relative_path]
            if len(types) == len(error.context):
                return path, f"expected type {' or '.join(map(str, types))}"
        return path, "matches none of the allowed shapes"
    if kind == "type":
        return path, f"expected type {' or '.join(expected) if isinstance(expected, list) else expected}"
    if kind == "enum":
        return path, f"expected one of {_listing(expected)}"
    if kind == "const":
        return path, f"expected {json.dumps(expected)}"
    if kind in ("required", "additionalProperties", "unevaluatedProperties", "dependentRequired"):
        return path, error.message  # these name properties, never values
    if kind == "format":
        return path, f"expected the format {expected}"
    if kind == "pattern":
        return path, f"expected to match {expected}"
    return path, f"breaks {kind}: {json.dumps(expected)}"


def _listing(values: Iterable[Any]) -> str:
    return ", ".join(json.dumps(value) for value in values)


def _join(name: str, parts: list[Any]) -> str:
    path = name
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path
