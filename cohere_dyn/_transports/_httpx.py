"""The async HTTP seam: `HttpxTransport` sends an `HttpRequest` with an `httpx.AsyncClient`.

The only module of the async client that imports httpx, and only when the first request goes
out (`pip install 'cohere-dyn[async]'` brings it). Every httpx exception is translated into a
cohere_dyn error here, as `_transport` does for requests. `AsyncClient(transport=...)` takes any
object with the same `send` and `aclose` coroutines.
"""

from __future__ import annotations

from typing import Any, AsyncIterator

from .._errors import CohereError, ConnectionError, TimeoutError
from ._base import HttpRequest

__all__ = ["HttpxTransport", "INSTALL_HINT", "require_httpx"]

INSTALL_HINT = "the async client needs httpx: pip install 'cohere-dyn[async]'"


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
    """Sends requests with one pooled `httpx.AsyncClient`, made on first use (inside the loop)."""

    def __init__(self, client: Any = None):
        self._client = client

    def _get_client(self) -> Any:
        if self._client is None:
            httpx = require_httpx()
            self._client = httpx.AsyncClient(follow_redirects=False, timeout=None)
        return self._client

    async def send(self, request: HttpRequest, *, stream: bool = False) -> _HttpxResponse:
        import httpx

        client = self._get_client()
        timeout = request.timeout
        content, headers = request.content, request.headers
        if content is not None and not isinstance(content, bytes):  # a file streamed from disk
            content, headers = content.aiter(), {**headers, "Content-Length": str(len(content))}
        try:
            built = client.build_request(
                request.method,
                request.url,
                headers=headers,
                content=content,
                timeout=httpx.Timeout(timeout.read, connect=timeout.connect),
            )
            response = await client.send(built, stream=stream)
        except Exception as exc:
            raise _translate(exc) from exc
        return _HttpxResponse(response)

    async def aclose(self) -> None:
        if self._client is not None:
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
