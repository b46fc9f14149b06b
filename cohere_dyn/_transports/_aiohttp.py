"""`AiohttpTransport`: the async transport, on one pooled `aiohttp.ClientSession`.

The only module that imports aiohttp, and only when the first request goes out
(`pip install 'cohere-dyn[async]'` brings it). Every aiohttp exception is translated into a
cohere_dyn error here, as `_requests` does for requests, with the same meaning:

- a connection refused, reset or closed before the status line: `ConnectionError` (retried);
- a connect timeout: `TimeoutError(connect=True)` (retried: nothing was sent);
- no byte for `timeout.read` seconds, before or after the status line: `TimeoutError`;
- a body cut short after the status line: `ConnectionError(response_started=True)`.

`send()` returns once the status line and headers have arrived; for a non-stream request it
also reads the body, so that a failure there is told from one before any response. Waiting for
a free connection of the pool is not part of the connect timeout: with `max_connections` busy
(long LLM calls), further calls queue until one is released.

The session belongs to the event loop that made it (the caller checks that no other loop uses
it). `aclose()` closes it and its connections, leaving no warning behind, at exit either; a
session never closed is reported by aiohttp ("Unclosed client session") as it would be without
cohere_dyn: collected objects can't close sockets cleanly once their loop is gone.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator

from .._errors import CohereError, ConnectionError, TimeoutError, TransportError
from .._timeout import Timeout
from ._base import READ_SIZE, HttpRequest, origin

__all__ = ["AiohttpTransport", "INSTALL_HINT"]

INSTALL_HINT = "the async client needs aiohttp: pip install 'cohere-dyn[async]'"


def require_aiohttp() -> Any:
    try:
        import aiohttp
    except ImportError:
        raise CohereError(INSTALL_HINT) from None
    return aiohttp


_URL: Any = None  # yarl.URL, once aiohttp is imported
_NO_CONTENT_TYPE = ("Content-Type",)


class _AiohttpResponse:
    """The status and headers of an answer; its body read already (`content`) or as it arrives."""

    __slots__ = ("_response", "_content", "status_code", "headers")

    def __init__(self, response: Any, content: bytes | None):
        self._response = response
        self._content = content
        self.status_code: int = response.status
        self.headers = response.headers

    async def aread(self) -> bytes:
        if self._content is None:
            try:
                self._content = await self._response.read()
            except Exception as exc:
                raise _translate(exc, response_started=True) from exc
        return self._content

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        """Bytes as they arrive: each chunk is yielded without waiting for a buffer to fill."""
        read = self._response.content.read
        try:
            while True:
                chunk = await read(READ_SIZE)
                if not chunk:
                    return
                yield chunk
        except Exception as exc:
            raise _translate(exc, response_started=True) from exc

    async def aclose(self) -> None:
        """Give the connection back to the pool when the body was read whole, else close it."""
        response = self._response
        if self._content is not None or response.content.at_eof():
            response.release()
        else:
            response.close()


class AiohttpTransport:
    """Sends requests with one pooled `aiohttp.ClientSession`, made on first use (inside the loop).

    `max_connections` caps the connections open at once, to all hosts; calls beyond it wait for
    one to be released.
    """

    def __init__(self, max_connections: int):
        self.max_connections = max_connections
        self._session: Any = None
        self._timeouts: dict[tuple[float, float], Any] = {}
        self._last_timeout: tuple[Timeout | None, Any] = (None, None)
        self._proxies: dict[str, tuple[Any, Any]] = {}  # scheme://host:port -> (proxy, proxy_auth)

    def _open_session(self) -> Any:
        global _URL
        aiohttp = require_aiohttp()
        from yarl import URL as _URL  # aiohttp's own URL type
        connector = aiohttp.TCPConnector(limit=self.max_connections, limit_per_host=0)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None),
            cookie_jar=aiohttp.DummyCookieJar(),  # an API client keeps no cookies
            # The proxy environment is read once per host (`_proxy`), not by aiohttp on every
            # request (two thread hops per call).
            trust_env=False,
            auto_decompress=True,
        )
        return self._session

    def _timeout(self, timeout: Timeout) -> Any:
        if timeout is self._last_timeout[0]:  # the client's own, call after call
            return self._last_timeout[1]
        key = (timeout.connect, timeout.read)
        found = self._timeouts.get(key)
        if found is None:
            import aiohttp

            # sock_connect, not connect: waiting for a pooled connection is no connect timeout.
            found = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None, sock_connect=timeout.connect, sock_read=timeout.read
            )
        self._last_timeout = (timeout, found)
        return found

    def _proxy(self, url: str) -> tuple[Any, Any]:
        """The proxy (and its credentials) that HTTP(S)_PROXY / NO_PROXY give for `url`'s host,
        read from the environment once per scheme://host:port."""
        where = origin(url)
        found = self._proxies.get(where)
        if found is None:
            import aiohttp
            from urllib.request import getproxies, proxy_bypass

            parsed = _URL(where)
            address = None if proxy_bypass(parsed.host or "") else getproxies().get(parsed.scheme)
            if address is None:
                found = (None, None)
            else:
                proxy = _URL(address)
                found = (proxy.with_user(None), aiohttp.BasicAuth.from_url(proxy))
            self._proxies[where] = found
        return found

    async def send(self, request: HttpRequest, *, stream: bool = False) -> _AiohttpResponse:
        session = self._session or self._open_session()
        content, headers = request.content, request.headers
        if content is not None and type(content) is not bytes:  # a file streamed from disk (MultipartBody)
            content, headers = content.aiter(), {**headers, "Content-Length": str(len(content))}
        try:
            proxy, proxy_auth = self._proxy(request.url)
            response = await session.request(
                request.method,
                _URL(request.url, encoded=True),  # as built, already percent-encoded: not re-quoted
                headers=headers,
                data=content,
                # aiohttp would label a POST without a body application/octet-stream
                skip_auto_headers=None if request.content else _NO_CONTENT_TYPE,
                allow_redirects=False,
                timeout=self._timeout(request.timeout),
                proxy=proxy,
                proxy_auth=proxy_auth,
            )
        except Exception as exc:
            raise _translate(exc) from exc
        if stream:
            return _AiohttpResponse(response, None)
        try:
            content = await response.read()
        except Exception as exc:
            response.close()
            raise _translate(exc, response_started=True) from exc
        except BaseException:  # cancelled: the connection, half read, can't serve another call
            response.close()
            raise
        response.release()
        return _AiohttpResponse(response, content)

    async def aclose(self) -> None:
        session, self._session = self._session, None  # a call after this opens a new session
        if session is not None:
            await session.close()


def _translate(exc: Exception, response_started: bool = False) -> Exception:
    """A cohere_dyn error for whatever aiohttp or the socket raised."""
    import aiohttp

    message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return TimeoutError(message, connect=not response_started)
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        return TimeoutError(message)
    if isinstance(exc, (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, OSError)):
        return ConnectionError(message, response_started=response_started)
    if isinstance(exc, aiohttp.ClientError):  # an invalid URL, header or proxy
        return TransportError(message)
    if isinstance(exc, (ValueError, TypeError, UnicodeError)):  # a value the HTTP stack can't encode
        return TransportError(f"the request could not be sent: {message}")
    return exc
