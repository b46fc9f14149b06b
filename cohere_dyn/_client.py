"""`Client` and `ClientV2`: configuration, authentication, retries, and the call path."""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any, Callable, Mapping
from urllib.parse import urlencode

from ._calls import PreparedRequest, prepare
from ._dispatch import Group, tree_for
from ._errors import (
    CohereError,
    ConnectionError,
    TimeoutError,
    ValidationError,
    ValidationProblem,
    error_for_status,
)
from ._models import wrap
from ._operations import Operation
from ._retry import RetryPolicy
from ._spec import Spec
from ._transport import HttpRequest, RequestsTransport, Response, Timeout, Transport
from ._version import __version__

__all__ = ["Client", "ClientV2", "DEFAULT_BASE_URL"]

DEFAULT_BASE_URL = "https://api.cohere.com"
USER_AGENT = f"cohere-dyn/{__version__}"
logger = logging.getLogger("cohere_dyn")


class Client(Group):
    """A Cohere API client whose methods come from the spec.

    Args:
        api_key: the key, or a callable returning it (called for every request). Defaults to the
            CO_API_KEY, then COHERE_API_KEY environment variables, read now.
        token: another name for api_key, as in the official SDK.
        base_url: defaults to CO_API_URL, then https://api.cohere.com; a path prefix is kept.
        client_name: sent as X-Client-Name.
        timeout: seconds (or a `Timeout(connect, read)`); default 10 s to connect, 300 s to read.
        max_retries: retries after the first attempt for 408/409/429/5xx and connection failures.
        spec: path of another OpenAPI document (default: the packaged spec/cohere.yaml).
        transport: an object with `send(request, stream=...)` and `close()` (tests, proxies).
        validate: False sends payloads without offline validation.
        validate_events: True checks every stream event against the spec (off by default: speed).
    """

    _promote: tuple[str, ...] = ()

    def __init__(
        self,
        api_key: str | Callable[[], str] | None = None,
        *,
        token: str | Callable[[], str] | None = None,
        base_url: str | None = None,
        client_name: str | None = None,
        timeout: float | Timeout | None = None,
        max_retries: int = 2,
        spec: str | os.PathLike[str] | Spec | None = None,
        transport: Transport | None = None,
        validate: bool = True,
        validate_events: bool = False,
    ):
        key = api_key if api_key is not None else token
        if key is None:
            key = os.environ.get("CO_API_KEY") or os.environ.get("COHERE_API_KEY")
        if not key:
            raise CohereError(
                "no API key: pass api_key=... (or token=...), or set the CO_API_KEY environment variable"
            )
        if client_name is not None:
            _check_header_value("X-Client-Name", client_name, "Client")
        if max_retries < 0:
            raise ValueError("max_retries can't be negative")
        loaded = spec if isinstance(spec, Spec) else Spec.load(spec)
        tree = tree_for(loaded, self._promote)
        self._bind(loaded, tree, self._invoke, ())
        object.__setattr__(self, "_api_key", key)
        object.__setattr__(self, "_base_url", (base_url or os.environ.get("CO_API_URL") or DEFAULT_BASE_URL).rstrip("/"))
        object.__setattr__(self, "_client_name", client_name)
        object.__setattr__(self, "_timeout", Timeout.of(timeout))
        object.__setattr__(self, "_max_retries", max_retries)
        object.__setattr__(self, "_transport", transport if transport is not None else RequestsTransport())
        object.__setattr__(self, "_validate", validate)
        object.__setattr__(self, "_validate_events", validate_events)
        object.__setattr__(self, "_retry", RetryPolicy(max_retries=max_retries))

    def __repr__(self) -> str:
        return f"<cohere_dyn.{type(self).__name__} base_url={self._base_url!r} spec={self._spec.source!r}>"

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        self._transport.close()

    # The call path ---------------------------------------------------------------------------

    def _invoke(self, operation: Operation, kwargs: dict[str, Any]) -> Any:
        prepared = prepare(self._spec, operation, kwargs, validate=self._validate)
        if operation.streaming:
            from ._streaming import Stream

            response = self._send(prepared, stream=True)
            return Stream(response, operation, self._spec, self._validate_events)
        response = self._send(prepared)
        return decode_response(self._spec, operation, response)

    def _http_request(self, prepared: PreparedRequest) -> HttpRequest:
        url = self._base_url + prepared.path
        if prepared.query:
            url += "?" + urlencode(prepared.query)
        headers = {"User-Agent": USER_AGENT, "Authorization": f"Bearer {self._current_key()}"}
        if self._client_name is not None:
            headers["X-Client-Name"] = self._client_name
        _merge_headers(headers, prepared.headers, prepared.operation.qualified_name)
        timeout = self._timeout if prepared.timeout is None else Timeout.of(prepared.timeout)
        return HttpRequest(prepared.method, url, headers, prepared.content, timeout)

    def _current_key(self) -> str:
        key = self._api_key() if callable(self._api_key) else self._api_key
        _check_header_value("Authorization", key, "api_key")
        return key

    def _send(self, prepared: PreparedRequest, *, stream: bool = False) -> Response:
        request = self._http_request(prepared)
        max_retries = self._max_retries if prepared.max_retries is None else prepared.max_retries
        name = prepared.operation.qualified_name
        attempt = 0
        while True:
            try:
                response = self._transport.send(request, stream=stream)
            except (ConnectionError, TimeoutError) as exc:
                if isinstance(exc, TimeoutError) and not exc.connect:
                    raise  # the server may still be working on it: see _retry's docstring
                if attempt >= max_retries:
                    raise
                delay = self._retry.delay(attempt)
                logger.warning("%s: %s; retry %d of %d in %.2fs", name, exc, attempt + 1, max_retries, delay)
            else:
                status = response.status_code
                if status < 400:
                    return response
                if not self._retry.should_retry_status(status, attempt, max_retries):
                    raise _api_error(response)
                delay = self._retry.delay(attempt, response.headers)
                response.close()
                logger.warning("%s: status %d; retry %d of %d in %.2fs", name, status, attempt + 1, max_retries, delay)
            time.sleep(delay)
            attempt += 1


class ClientV2(Client):
    """The same client with the v2 methods at the top level: `ClientV2(...).chat` is v2 chat."""

    _promote = ("v2",)


def decode_response(spec: Spec, operation: Operation, response: Response) -> Any:
    content = response.read()
    response.close()
    if not content.strip():
        return None
    content_type = response.headers.get("content-type", "")
    if "json" not in content_type and content_type:
        return content.decode("utf-8", errors="replace")
    try:
        data = json.loads(content)
    except ValueError:
        raise CohereError(
            f"{operation.qualified_name}: the API answered {response.status_code} with a body that isn't JSON"
        ) from None
    if operation.response_schema is None:
        return wrap(data, None)
    return wrap(data, spec.shapes.shape(operation.response_schema))


def _api_error(response: Response) -> Exception:
    try:
        content = response.read()
    finally:
        response.close()
    text = content.decode("utf-8", errors="replace")
    body: Any = text
    if "json" in response.headers.get("content-type", "") or text[:1] in ("{", "["):
        try:
            body = json.loads(text)
        except ValueError:
            pass
    return error_for_status(response.status_code, body, response.headers)


def _merge_headers(headers: dict[str, str], extra: Mapping[str, str], method: str) -> None:
    """Add `extra`, replacing any header of the same name whatever its case."""
    lowered = {name.lower(): name for name in headers}
    for name, value in extra.items():
        _check_header_value(name, value, method)
        existing = lowered.get(name.lower())
        if existing is not None:
            del headers[existing]
        headers[name] = value
        lowered[name.lower()] = name


def _check_header_value(name: str, value: str, where: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"the {name} header must be a str, not {type(value).__name__}")
    if "\r" in value or "\n" in value or "\x00" in value:
        raise ValidationError(where, [ValidationProblem(f"headers.{name}", "a header value can't contain CR, LF or NUL", "header")])
