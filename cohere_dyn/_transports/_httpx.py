"""`HttpxTransport`: sends with an `httpx.AsyncClient` the caller made.

Used only for `AsyncClient(httpx_client=...)`, the official SDK's way to bring a configured
httpx client; the default async transport is aiohttp (`_aiohttp`). The only module that imports
httpx; every httpx exception is translated into a cohere_dyn error here.
"""

from __future__ import annotations

from typing import Any, AsyncIterator

from .._errors import CohereError, ConnectionError, TimeoutError
from ._base import HttpRequest

__all__ = ["HttpxTransport", "require_httpx"]

INSTALL_HINT = "httpx_client needs httpx installed: pip install httpx"


def require_httpx() -> Any:
    try:
        import httpx
    except ImportError:
        raise CohereError(INSTALL_HINT) from None
    return httpx


class _HttpxResponse:
    __slots__ = ("_response", "status_code", "headers")

    def __init__(self, response: Any):
        self._response = response
        self.status_code: int = response.status_code
        self.headers = response.headers

    async def aread(self) -> bytes:
        try:
            return await self._response.aread()
        except Exception as exc:
            raise _translate(exc) from exc

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        """Bytes as they arrive."""
        try:
            async for chunk in self._response.aiter_bytes():
                yield chunk
        except Exception as exc:
            raise _translate(exc) from exc

    async def aclose(self) -> None:
        await self._response.aclose()


class HttpxTransport:
    """Sends requests with the given `httpx.AsyncClient` (its pool, proxies and headers)."""

    def __init__(self, client: Any):
        self._client = client

    async def send(self, request: HttpRequest, *, stream: bool = False) -> _HttpxResponse:
        import httpx

        timeout = request.timeout
        content, headers = request.content, request.headers
        if content is not None and not isinstance(content, bytes):  # a file streamed from disk
            content, headers = content.aiter(), {**headers, "Content-Length": str(len(content))}
        try:
            built = self._client.build_request(
                request.method,
                request.url,
                headers=headers,
                content=content,
                timeout=httpx.Timeout(timeout.read, connect=timeout.connect),
            )
            response = await self._client.send(built, stream=stream)
        except Exception as exc:
            raise _translate(exc) from exc
        return _HttpxResponse(response)

    async def aclose(self) -> None:
        await self._client.aclose()


def _translate(exc: Exception) -> Exception:
    """A cohere_dyn error for whatever httpx raised."""
    import httpx

    message = str(exc) or type(exc).__name__
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return TimeoutError(message, connect=True)  # nothing was sent
    if isinstance(exc, httpx.TimeoutException):
        return TimeoutError(message)
    if isinstance(exc, (httpx.TransportError, httpx.StreamError, OSError)):
        return ConnectionError(f"{type(exc).__name__}: {message}")
    return exc
