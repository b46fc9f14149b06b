"""The synchronous call path: prepare, send with retries, decode. Loaded on a client's first call.

Request preparation (`_calls`), the retry policy (`_retry`) and response decoding are shared
with any other client; this module only adds the blocking loop around a `Transport`.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

from ._prepare import PreparedRequest, prepare
from .._errors import ApiError, CohereError, ConnectionError, TimeoutError, error_for_status
from ._headers import merge_headers
from .._models import LOOSE, models_of, wrap
from .._redaction import redact
from .._spec._operations import Operation
from ._retry import RetryPolicy
from .._spec._document import Spec
from .._timeout import Timeout
from .._transports._base import HttpRequest, Response, Transport
from .._version import __version__

__all__ = [
    "SyncCaller",
    "build_request",
    "client_headers",
    "credential",
    "secrets_of",
    "decode_response",
    "decode_content",
    "api_error",
    "error_from_content",
    "log_retry",
    "retries_for",
]

USER_AGENT = f"cohere-dyn/{__version__}"
logger = logging.getLogger("cohere_dyn")


class SyncCaller:
    """Everything a client needs to turn a method call into a response."""

    def __init__(self, client: Any, transport: Transport):
        self.client = client
        self.spec: Spec = client._spec
        self.transport = transport
        self.retry = RetryPolicy()
        self.deployment = client._deployment  # None for the Cohere API; see _deployments

    def invoke(self, operation: Operation, kwargs: dict[str, Any]) -> Any:
        return self.respond(operation, kwargs)[1]

    def respond(self, operation: Operation, kwargs: dict[str, Any]) -> tuple[Response, Any]:
        """The HTTP response of a call and what it answers (a response object, or a stream)."""
        prepared = prepare(self.spec, operation, kwargs, validate=self.client._validate)
        request = self.http_request(prepared)
        try:
            response = self._attempts(prepared, request, retries_for(self.client, prepared), operation.streaming)
            if operation.streaming:
                from .._streaming._stream import Stream

                # a wrong answer's message quotes what the server sent instead of a stream
                decoders = self.deployment.stream_decoders_for(operation) if self.deployment is not None else None
                client = self.client
                secrets = secrets_of(client, request)  # kept out of the errors met while reading
                stream = Stream(response, operation, self.spec, client._validate_events, decoders, client._max_response_bytes, secrets)
                return response, stream
            return response, decode_response(self.spec, operation, response, self.deployment)
        except CohereError as exc:
            raise redact(exc, secrets_of(self.client, request)) from exc.__cause__

    def http_request(self, prepared: PreparedRequest) -> HttpRequest:
        return build_request(self.client, prepared)

    def send(self, prepared: PreparedRequest, *, stream: bool = False, retry: RetryPolicy | None = None) -> Response:
        """Send, retrying what is safe to retry (see `_retry`); an error status raises its ApiError.

        Every attempt sends the same `HttpRequest`, so the same bytes. Errors raised from here
        never carry the API key, even when the server echoes it back. `retry` replaces the
        client's policy for this request (embed_stream handles 429s itself, for all its workers).
        """
        request = self.http_request(prepared)
        try:
            return self._attempts(prepared, request, retries_for(self.client, prepared), stream, retry or self.retry)
        except CohereError as exc:
            raise redact(exc, secrets_of(self.client, request)) from exc.__cause__

    def _attempts(
        self, prepared: PreparedRequest, request: HttpRequest, max_retries: int, stream: bool, policy: RetryPolicy | None = None
    ) -> Response:
        policy = policy or self.retry
        attempt = 0
        while True:
            try:
                response = self.transport.send(request, stream=stream)
            except (ConnectionError, TimeoutError) as exc:
                delay = policy.after_failure(exc, attempt, max_retries)
                if delay is None:
                    raise
                log_retry(prepared, str(redact(exc, secrets_of(self.client, request))), attempt, max_retries, delay)
            else:
                if response.status_code < 300:
                    return response
                delay = policy.after_status(response.status_code, response.headers, attempt, max_retries)
                if delay is None:
                    raise api_error(response, self.deployment)
                response.close()
                log_retry(prepared, f"status {response.status_code}", attempt, max_retries, delay, response.status_code)
            time.sleep(delay)
            attempt += 1


def retries_for(client: Any, prepared: PreparedRequest) -> int:
    """The call's `max_retries` option, else the client's; checked before anything is sent."""
    max_retries = client._max_retries if prepared.max_retries is None else prepared.max_retries
    if isinstance(max_retries, bool) or not isinstance(max_retries, int):
        raise TypeError(f"max_retries must be an int, not {type(max_retries).__name__}")
    if max_retries < 0:
        raise ValueError("max_retries can't be negative")
    return max_retries


def secrets_of(client: Any, request: HttpRequest) -> list[str | None]:
    """What `request` carried that no error may show, should a server echo it: the key it was
    sent with and, on a cloud deployment's client, the credentials it was signed with."""
    found = [credential(request.headers, client._key_header)]
    if client._deployment is not None:
        found += client._deployment.secrets()
    return found


def credential(headers: dict[str, str], key_header: str = "Authorization") -> str | None:
    """The secret part of the key header actually sent (the key, or an override)."""
    wanted = key_header.lower()
    for name, value in headers.items():
        if name.lower() == wanted:
            return value.split(" ", 1)[-1].strip() if wanted == "authorization" else value.strip()
    return None


def log_retry(
    prepared: PreparedRequest, reason: str, attempt: int, max_retries: int, delay: float, status: int | None = None
) -> None:
    """One WARNING per retry on the `cohere_dyn` logger: method, reason (status or error), attempt
    number and delay; the same as `extra` fields (`attempt`, `max_retries`, `status`, `delay`).
    Requests' headers are never logged, so neither is the key."""
    logger.warning(
        "%s: %s; retry %d of %d in %.2fs",
        prepared.operation.qualified_name,
        reason,
        attempt + 1,
        max_retries,
        delay,
        extra={"attempt": attempt + 1, "max_retries": max_retries, "status": status, "delay": delay},
    )


def client_headers(client: Any) -> dict[str, str]:
    """The headers every request of a client carries: the user agent, the key (a client that signs
    its requests has none), the client's name."""
    key_header = client._key_header
    if client._api_key is None:
        headers = {"User-Agent": USER_AGENT}
    elif key_header == "Authorization":
        headers = {"User-Agent": USER_AGENT, "Authorization": f"Bearer {client._current_key()}"}
    else:  # a deployment that wants the key in a header of its own
        headers = {"User-Agent": USER_AGENT, key_header: client._current_key()}
    if client._client_name is not None:
        headers["X-Client-Name"] = client._client_name
    return headers


def build_request(client: Any, prepared: PreparedRequest) -> HttpRequest:
    """The finished request for a prepared call: URL, auth and client headers, timeout.

    A client of a cloud deployment (`client._deployment`) maps the call onto its service's route.
    """
    if client._deployment is not None:
        return client._deployment.build_request(client, prepared)
    url = client._base_url + prepared.path
    if prepared.query:
        url += "?" + urlencode(prepared.query)
    headers = client_headers(client)
    extra = prepared.headers
    if len(extra) == 1 and extra.get("Content-Type") == "application/json":
        headers["Content-Type"] = "application/json"  # the usual case, nothing to check
    else:
        merge_headers(headers, extra, prepared.operation.qualified_name)
    timeout = client._timeout if prepared.timeout is None else Timeout.of(prepared.timeout)
    return HttpRequest(prepared.method, url, headers, prepared.content, timeout)


def decode_response(spec: Spec, operation: Operation, response: Response, deployment: Any = None) -> Any:
    """The response object for a 2xx answer: JSON as a Model, text as str, nothing as None."""
    try:
        content = response.read()
    finally:
        response.close()
    return decode_content(spec, operation, response.status_code, response.headers, content, deployment)


def decode_content(
    spec: Spec, operation: Operation, status_code: int, headers: Any, content: bytes, deployment: Any = None
) -> Any:
    """`decode_response` on a body already read (shared with the async client).

    A cloud deployment may complete the answer from its headers (`deployment.amend`).
    """
    if not content.strip():
        if operation.response_schema is not None:
            raise CohereError(
                f"{operation.qualified_name}: the API answered {status_code} with an empty body where the spec declares JSON"
            )
        return None
    content_type = headers.get("content-type", "")
    if content_type and "json" not in content_type:
        if operation.response_schema is not None:  # the spec promises JSON: a proxy's page, say
            raise CohereError(
                f"{operation.qualified_name}: the API answered {status_code} with {content_type.split(';')[0]} "
                f"where the spec declares JSON: {_excerpt(content)}"
            )
        return content.decode("utf-8", errors="replace")
    try:
        data = _loads(content)
    except ValueError:
        raise CohereError(
            f"{operation.qualified_name}: the API answered {status_code} with a body that isn't JSON"
        ) from None
    except RecursionError:
        raise CohereError(
            f"{operation.qualified_name}: the API answered {status_code} with JSON nested too deeply to decode"
        ) from None
    if type(data) is not dict and operation.response_schema is not None and declares_object(spec, operation.response_schema):
        raise CohereError(
            f"{operation.qualified_name}: the API answered {status_code} with a JSON {_json_kind(data)} where the "
            f"spec declares an object: {_excerpt(content)}"
        )
    if deployment is not None:
        data = deployment.amend(operation, data, headers)
    if operation.response_schema is None:  # JSON the spec doesn't describe: generic models all the way down
        return wrap(data, LOOSE)
    return wrap(data, models_of(spec).shape(operation.response_schema))


_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # (the C scanner; typeshed doesn't list it)


def _loads(content: bytes) -> Any:
    """`json.loads`, without its encoding sniffing and whitespace regexes for the usual body:
    compact UTF-8 JSON. Anything else (whitespace around it, another encoding) takes json.loads."""
    try:
        text = content.decode()
        value, end = _scan(text, 0)
        if end == len(text):
            return value
    except (UnicodeDecodeError, StopIteration, ValueError):
        pass
    return json.loads(content)


def declares_object(spec: Spec, schema: Any) -> bool:
    """Whether every value `schema` admits is a JSON object (`type: object`, properties, or a
    union whose branches all are); unsure is False: nothing is refused on a guess."""
    target = spec.resolver.deref(schema)
    if not isinstance(target, dict):
        return False
    if target.get("type") == "object" or "properties" in target:
        return True
    branches = target.get("oneOf") or target.get("anyOf")
    if isinstance(branches, list) and branches:
        return all(declares_object(spec, branch) for branch in branches)
    parts = target.get("allOf")
    return isinstance(parts, list) and any(declares_object(spec, part) for part in parts)


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    return "null" if value is None else "number"


def _excerpt(content: bytes, limit: int = 300) -> str:
    text = " ".join(content[: limit * 2].decode("utf-8", errors="replace").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def api_error(response: Response, deployment: Any = None) -> Exception:
    """The ApiError for an error response; a non-JSON body is kept as text."""
    try:
        content = response.read()
    finally:
        response.close()
    return error_from_content(response.status_code, response.headers, content, deployment)


def error_from_content(status_code: int, headers: Any, content: bytes, deployment: Any = None) -> Exception:
    """`api_error` on a body already read (shared with the async client).

    A cloud deployment names its errors its own way (`deployment.error`).
    """
    text = content.decode("utf-8", errors="replace")
    body: Any = text
    if "json" in headers.get("content-type", "") or text[:1] in ("{", "["):
        try:
            body = json.loads(text)
        except (ValueError, RecursionError):  # kept as text
            pass
    if 300 <= status_code < 400:
        return redirect_error(status_code, body, headers)
    if deployment is not None:
        return deployment.error(status_code, body, headers)
    return error_for_status(status_code, body, headers)


def redirect_error(status_code: int, body: Any, headers: Any) -> ApiError:
    """The ApiError for a 3xx: redirects are never followed (a POST would be resent elsewhere, its
    key with it), so it says where the API pointed, without the URL's credentials or query."""
    error = error_for_status(status_code, body, headers)
    location = headers.get("location")
    where = "a redirect with no Location"
    if location:
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(" ".join(str(location).split()))
            host = (parts.hostname or "") + (f":{parts.port}" if parts.port is not None else "")
        except ValueError:  # no URL at all (a bad port, an unclosed IPv6 bracket)
            where = "a redirect to an address that is no URL"
        else:
            where = f"a redirect to {parts.scheme}://{host}{parts.path}" if parts.scheme else f"a redirect to {parts.path}"
    error.args = (
        f"status {status_code}: the API answered with {where}; redirects are not followed (the request, "
        "and the key, would go to another address): if that address is right, make it the base_url",
    )
    return error
