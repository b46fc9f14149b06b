"""`DefaultAsyncHttpxClient` and `DefaultAioHttpClient`: the official SDK's ready-made httpx clients.

Both are `httpx.AsyncClient` subclasses with the SDK's defaults, a 60 s timeout and redirects
followed (any httpx.AsyncClient keyword is taken, and wins), made to be passed as
`AsyncClient(httpx_client=...)`, where they send as any httpx client does (`_httpx`: the timeouts
are then the cohere_dyn client's). `DefaultAioHttpClient` sends through aiohttp, as the SDK's does:
its httpx transport is `AiohttpForHttpx`, cohere_dyn's own aiohttp transport behind httpx's
transport interface. Neither is needed for speed: `AsyncClient()` sends with aiohttp directly.
Without httpx (or, for `DefaultAioHttpClient`, aiohttp) installed, making one raises CohereError.
"""

from __future__ import annotations

from typing import Any, AsyncIterator

from .._errors import CohereError, ConnectionError, TimeoutError
from .._timeout import CONNECT_TIMEOUT, READ_TIMEOUT, Timeout
from ._base import HttpRequest
from ._httpx import INSTALL_HINT

__all__ = ["AiohttpForHttpx", "DefaultAioHttpClient", "DefaultAsyncHttpxClient", "SDK_TIMEOUT"]

SDK_TIMEOUT = 60.0  # seconds: the official SDK's default for these two clients
# aiohttp hands the body over decoded, so the headers that described the encoded one go
_ENCODING_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})

_AsyncClientBase: Any = object
_TransportBase: Any = object
_StreamBase: Any = object
try:
    import httpx

    _AsyncClientBase, _TransportBase, _StreamBase = httpx.AsyncClient, httpx.AsyncBaseTransport, httpx.AsyncByteStream
except ImportError:  # the classes exist all the same (`from cohere_dyn import *`); making one says what is missing
    pass


def _with_defaults(kwargs: dict[str, Any]) -> dict[str, Any]:
    if _AsyncClientBase is object:
        raise CohereError(INSTALL_HINT)
    kwargs.setdefault("timeout", SDK_TIMEOUT)
    kwargs.setdefault("follow_redirects", True)
    return kwargs


class DefaultAsyncHttpxClient(_AsyncClientBase):  # type: ignore[misc]
    """An `httpx.AsyncClient` with the official SDK's defaults (60 s timeout, redirects followed)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**_with_defaults(kwargs))


class DefaultAioHttpClient(_AsyncClientBase):  # type: ignore[misc]
    """An `httpx.AsyncClient` that sends through aiohttp, with the official SDK's defaults."""

    def __init__(self, **kwargs: Any) -> None:
        _with_defaults(kwargs)
        if "transport" not in kwargs:
            kwargs["transport"] = AiohttpForHttpx()
        super().__init__(**kwargs)


class AiohttpForHttpx(_TransportBase):  # type: ignore[misc]
    """httpx's async transport interface over cohere_dyn's `AiohttpTransport` (its pool, its
    per-host proxy settings, its error translation, mapped back onto httpx's exceptions)."""

    def __init__(self, max_connections: int = 100):  # the clients' default
        from ._aiohttp import AiohttpTransport, require_aiohttp

        require_aiohttp()
        self._transport = AiohttpTransport(max_connections)

    async def handle_async_request(self, request: Any) -> Any:
        timeouts = request.extensions.get("timeout") or {}
        sent = HttpRequest(
            request.method,
            str(request.url),
            dict(request.headers),
            await request.aread() or None,
            Timeout(timeouts.get("connect") or CONNECT_TIMEOUT, timeouts.get("read") or READ_TIMEOUT),
        )
        try:
            response = await self._transport.send(sent, stream=True)
        except CohereError as exc:
            raise _httpx_error(exc, request) from exc
        headers = [(name, value) for name, value in response.headers.items() if name.lower() not in _ENCODING_HEADERS]
        return httpx.Response(response.status_code, headers=headers, stream=_Body(response, request), request=request)

    async def aclose(self) -> None:
        await self._transport.aclose()


class _Body(_StreamBase):  # type: ignore[misc]
    def __init__(self, response: Any, request: Any):
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_bytes():
                yield chunk
        except CohereError as exc:
            raise _httpx_error(exc, self._request, started=True) from exc

    async def aclose(self) -> None:
        await self._response.aclose()


def _httpx_error(exc: CohereError, request: Any, started: bool = False) -> Exception:
    """The httpx exception that says what the aiohttp transport's error says."""
    message = str(exc)
    if isinstance(exc, TimeoutError):
        return (httpx.ConnectTimeout if exc.connect else httpx.ReadTimeout)(message, request=request)
    if isinstance(exc, ConnectionError):
        return (httpx.ReadError if started else httpx.ConnectError)(message, request=request)
    return httpx.TransportError(message, request=request)
