"""`HttpxTransport`: sends with an `httpx.AsyncClient` the caller made; the httpx error translation.

Used for `AsyncClient(httpx_client=...)`, the official SDK's way to bring a configured httpx
client (its event hooks, proxies, TLS settings, headers, auth and redirect policy apply); the
default async transport is aiohttp (`_aiohttp`). `_httpx_sync` is the sync sibling. Together with
`_httpx_clients` they are the only modules that import httpx, and `translate` turns every
exception httpx raises into a cohere_dyn error with the meaning `_requests` gives its own:

- a connection refused, reset or closed before the status line: `ConnectionError` (retried);
- a host name that doesn't resolve: `ConnectionError(retryable=False)`;
- a connect timeout, or no free connection in the httpx client's pool: `TimeoutError(connect=True)`
  (retried: nothing was sent);
- no byte for `timeout.read` seconds: `TimeoutError`;
- a body cut short after the status line: `ConnectionError(response_started=True)` (not retried);
- anything else (an invalid URL, too many redirects, an exception of an event hook): `TransportError`.

Every request is sent with `stream=True`, so that `send()` returns once the status line and
headers have arrived; a non-stream body is then read inside `send()`, where a failure can be
told from one before any response, and stops past `max_response_bytes` (decoded). The timeouts are the cohere_dyn client's (`timeout=`, or a
call's `request_options`), not the httpx client's.
"""

from __future__ import annotations

import builtins
from typing import Any, AsyncIterator

from .._errors import CohereError, ConnectionError, TimeoutError, TransportError
from .._timeout import Timeout
from ._base import HttpRequest, address, unresolved, within_async

__all__ = ["HttpxTransport", "INSTALL_HINT", "check_httpx_client", "content_and_headers", "require_httpx", "timeout_of", "translate"]

INSTALL_HINT = "httpx_client needs httpx installed: pip install 'cohere-dyn[httpx]'"


def require_httpx() -> Any:
    try:
        import httpx
    except ImportError:
        raise CohereError(INSTALL_HINT) from None
    return httpx


def check_httpx_client(owner: str, httpx_client: Any, transport: Any, *, asynchronous: bool) -> None:
    """TypeError unless `httpx_client` is the httpx client `owner` sends with, given alone."""
    if transport is not None:
        raise TypeError("pass transport=... or httpx_client=..., not both: each says how requests are sent")
    httpx = require_httpx()
    wanted, other = (httpx.AsyncClient, "Client") if asynchronous else (httpx.Client, "AsyncClient")
    if not isinstance(httpx_client, wanted):
        raise TypeError(
            f"{owner}(httpx_client=...) takes an httpx.{wanted.__name__}, not {type(httpx_client).__name__}; "
            f"an httpx.{other} goes to cohere_dyn.{other} (or {other}V2)"
        )


def timeout_of(timeout: Timeout) -> Any:
    """httpx's timeout for a request: connect, then `read` between bytes (and for writing and
    waiting for a connection of the httpx client's pool)."""
    import httpx

    return httpx.Timeout(timeout.read, connect=timeout.connect)


def content_and_headers(request: HttpRequest) -> tuple[Any, dict[str, str]]:
    """The body as httpx takes it: a multipart file streamed from disk is an iterable whose
    length is known, so it goes with a Content-Length instead of chunked."""
    content, headers = request.content, request.headers
    if content is not None and not isinstance(content, bytes):
        headers = {**headers, "Content-Length": str(len(content))}
    return content, headers


class _HttpxResponse:
    __slots__ = ("_response", "_content", "_limit", "status_code", "headers")

    def __init__(self, response: Any, content: bytes | None, limit: int | None):
        self._response = response
        self._content = content
        self._limit = limit
        self.status_code: int = response.status_code
        self.headers = response.headers

    async def aread(self) -> bytes:
        if self._content is None:
            self._content = await _read_body(self._response, self._limit)
        return self._content

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        """Bytes as they arrive."""
        try:
            async for chunk in self._response.aiter_bytes():
                yield chunk
        except Exception as exc:
            raise translate(exc, response_started=True) from exc

    async def aclose(self) -> None:
        await self._response.aclose()


async def _read_body(response: Any, limit: int | None) -> bytes:
    """The whole body, decoded, within `limit` bytes."""
    chunks = response.aiter_bytes()
    try:
        return await within_async(lambda: anext(chunks, b""), response.url, limit)
    except CohereError:
        await response.aclose()
        raise
    except Exception as exc:
        await response.aclose()
        raise translate(exc, response_started=True) from exc


class HttpxTransport:
    """Sends requests with the given `httpx.AsyncClient` (its pool, proxies, hooks and headers); a
    body read whole may be at most `max_response_bytes` once decoded (None: no limit)."""

    def __init__(self, client: Any, max_response_bytes: int | None = None):
        self._client = client
        self.max_response_bytes = max_response_bytes

    @property
    def httpx_client(self) -> Any:
        """The httpx client it sends with (the official SDK's `_client_wrapper.httpx_client.httpx_client`)."""
        return self._client

    async def send(self, request: HttpRequest, *, stream: bool = False) -> _HttpxResponse:
        content, headers = content_and_headers(request)
        if content is not None and not isinstance(content, bytes):
            content = content.aiter()
        try:
            built = self._client.build_request(
                request.method, request.url, headers=headers, content=content, timeout=timeout_of(request.timeout)
            )
            response = await self._client.send(built, stream=True)
        except CohereError:  # raised by the body as it was sent (a file that changed meanwhile)
            raise
        except Exception as exc:
            raise translate(exc) from exc
        limit = self.max_response_bytes
        return _HttpxResponse(response, None if stream else await _read_body(response, limit), limit)

    async def aclose(self) -> None:
        await self._client.aclose()


def translate(exc: Exception, response_started: bool = False) -> Exception:
    """A cohere_dyn error for whatever httpx (or the socket, or an event hook) raised; our own
    errors don't come here (raised as they were, never as their own cause)."""
    import socket

    import httpx

    cause = exc.__cause__ or exc.__context__
    while cause is not None and not isinstance(cause, socket.gaierror):
        cause = cause.__cause__ or cause.__context__
    if cause is not None and isinstance(exc, httpx.ConnectError):
        where = address(str(exc.request.url)) if exc._request is not None else "the server"
        return unresolved(where, cause)
    message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, (httpx.TimeoutException, builtins.TimeoutError)):
        connect = not response_started and isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout))
        return TimeoutError(message, connect=connect)
    if isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError, httpx.DecodingError, OSError)):
        return ConnectionError(message, response_started=response_started)
    if isinstance(exc, httpx.HTTPError):  # an invalid URL or protocol, too many redirects
        return TransportError(message)
    # Anything else is a request the HTTP stack refused, or an event hook's own error: not retried.
    return TransportError(f"the request could not be sent: {message}")
