"""`AiohttpTransport`: the async transport, on one pooled `aiohttp.ClientSession`.

The only module that imports aiohttp, and only when the first request goes out
(`pip install 'cohere-dyn[async]'` brings it). Every aiohttp exception is translated into a
cohere_dyn error here, as `_requests` does for requests, with the same meaning and a message that
names the host and port:

- a connection refused, reset or closed before the status line: `ConnectionError` (retried);
- a host name that doesn't resolve: `ConnectionError(retryable=False)`;
- a malformed answer (a garbage status line, a header line past aiohttp's limit):
  `ConnectionError(response_started=True)`, not retried: the server received the request;
- a connect timeout: `TimeoutError(connect=True)` (retried: nothing was sent);
- no byte for `timeout.read` seconds, before or after the status line: `TimeoutError`;
- a body cut short after the status line: `ConnectionError(response_started=True)`.

Writing a body is bounded too: aiohttp starts its read timeout only once the body is written, so a
body larger than a socket's buffers (`_WATCHED`) is written a piece at a time, and a piece the
server doesn't take within `timeout.read` seconds is a `TimeoutError` (not retried). A body read
whole may be at most `max_response_bytes` once decoded.

`send()` returns once the status line and headers have arrived; for a non-stream request it
also reads the body, so that a failure there is told from one before any response. Waiting for
a free connection of the pool is not part of the connect timeout: with `max_connections` busy
(long LLM calls), further calls queue until one is released.

The session belongs to the event loop that made it (the caller checks that no other loop uses
it). `aclose()` closes it and its connections for good, leaving no warning behind, at exit
either: calls still in flight then fail with a CohereError saying the client was closed, and
nothing is sent again. A session never closed is reported by aiohttp ("Unclosed client session")
as it would be without cohere_dyn: collected objects can't close sockets cleanly once their loop
is gone. In a process forked from one that used the transport, the first call opens a session of
its own; the inherited one is kept, unused and unclosed (its sockets and event loop are the
parent's).
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Iterator

from .._errors import CohereError, TimeoutError, TransportError
from .._timeout import Timeout
from ._base import (
    READ_SIZE, HttpRequest, address, connect_failed, connect_timeout, connection_broke, malformed_answer, origin,
    read_timeout, reason, unresolved, within_async,
)
from ._fork import after_fork_in_child

__all__ = ["AiohttpTransport", "INSTALL_HINT"]

INSTALL_HINT = "the async client needs aiohttp: pip install 'cohere-dyn[async]'"
CLOSED = "the client was closed; make a new one to send more requests"
CLOSED_IN_FLIGHT = "the client was closed while this call was in flight; it was not sent again"
# A body up to this size is handed to the socket's buffers at once, and aiohttp's read timeout
# covers the rest; a larger one is written in pieces of this size, each within the read timeout.
_WATCHED = 1 << 16


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

    __slots__ = ("_response", "_content", "_transport", "status_code", "headers")

    def __init__(self, response: Any, content: bytes | None, transport: AiohttpTransport):
        self._response = response
        self._content = content
        self._transport = transport
        self.status_code: int = response.status
        self.headers = response.headers

    async def aread(self) -> bytes:
        if self._content is None:
            response, transport = self._response, self._transport
            try:
                self._content = await within_async(response.content.readany, response.url, transport.max_response_bytes)
            except Exception as exc:
                raise transport._failure(exc, str(response.url), response_started=True)
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
            raise self._transport._failure(exc, str(self._response.url), response_started=True)

    async def aclose(self) -> None:
        """Give the connection back to the pool when the body was read whole, else close it."""
        response = self._response
        if self._content is not None or response.content.at_eof():
            response.release()
        else:
            response.close()


class _WriteWatch:
    """Bounds the writing of a large body: `body()` hands aiohttp the body in pieces, and the task
    sending it is cancelled when the connection hasn't taken the last piece within `seconds`."""

    __slots__ = ("seconds", "fired", "_task", "_loop", "_handle")

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.fired = False
        self._task = asyncio.current_task()
        self._loop = asyncio.get_running_loop()
        self._handle: asyncio.TimerHandle | None = None

    async def body(self, content: Any) -> AsyncIterator[bytes]:
        self._arm()
        for piece in _pieces(content):
            yield piece  # resumed once aiohttp has written it (and waited for the buffers to drain)
            self._arm()
        self.stop()  # the body is written: aiohttp's read timeout takes over

    def _arm(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle = self._loop.call_later(self.seconds, self._fire)

    def _fire(self) -> None:
        self.fired = True
        if self._task is not None:
            self._task.cancel()

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def timed_out(self, where: str) -> TimeoutError:
        """The error that replaces the cancellation `_fire` caused (which is then forgotten)."""
        uncancel = getattr(self._task, "uncancel", None)  # Python 3.11+
        if uncancel is not None:
            uncancel()
        return TimeoutError(
            f"writing the request to {where} made no progress for {self.seconds:g} s (the server isn't "
            "reading it; the read timeout bounds each write)"
        )


def _pieces(content: Any) -> Iterator[bytes]:
    """`content` (bytes, or a `MultipartBody` read from disk as it goes) in pieces of `_WATCHED` bytes."""
    for chunk in (content,) if type(content) is bytes else content:
        if len(chunk) <= _WATCHED:
            yield chunk
            continue
        view = memoryview(chunk)
        for start in range(0, len(chunk), _WATCHED):
            yield bytes(view[start : start + _WATCHED])


class AiohttpTransport:
    """Sends requests with one pooled `aiohttp.ClientSession`, made on first use (inside the loop).

    `max_connections` caps the connections open at once, to all hosts; calls beyond it wait for
    one to be released. A body read whole (not a stream) may be at most `max_response_bytes`
    once decoded (None: no limit).
    """

    def __init__(self, max_connections: int, max_response_bytes: int | None = None):
        self.max_connections = max_connections
        self.max_response_bytes = max_response_bytes
        self._session: Any = None
        self._closed = False
        self._inherited: list[Any] = []  # sessions of the process this one was forked from
        self._timeouts: dict[tuple[float, float], Any] = {}
        self._last_timeout: tuple[Timeout | None, Any] = (None, None)
        self._proxies: dict[str, tuple[Any, Any]] = {}  # scheme://host:port -> (proxy, proxy_auth)

    def _open_session(self) -> Any:
        global _URL
        if self._closed:
            raise CohereError(CLOSED)
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
        after_fork_in_child(self)
        return self._session

    def after_fork(self) -> None:
        """In a forked child: the parent's session is kept, never used nor closed (closing it
        would act on the parent's sockets and event loop); the next call opens another."""
        if self._session is not None:
            self._inherited.append(self._session)
            self._session = None

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
        content: Any = request.content
        headers = request.headers
        watch = None
        if content is not None and (type(content) is not bytes or len(content) > _WATCHED):
            watch = _WriteWatch(request.timeout.read)  # a body larger than the socket's buffers
            headers = {**headers, "Content-Length": str(len(content))}
            content = watch.body(content)
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
        except asyncio.CancelledError:
            if watch is None or not watch.fired:
                raise
            raise watch.timed_out(address(request.url)) from None
        except Exception as exc:
            raise self._failure(exc, request.url, timeout=request.timeout)
        finally:
            if watch is not None:
                watch.stop()
        if stream:
            return _AiohttpResponse(response, None, self)
        try:
            content = await within_async(response.content.readany, response.url, self.max_response_bytes)
        except Exception as exc:
            response.close()
            raise self._failure(exc, request.url, response_started=True)
        except BaseException:  # cancelled: the connection, half read, can't serve another call
            response.close()
            raise
        response.release()
        return _AiohttpResponse(response, content, self)

    def _failure(self, exc: Exception, url: str, response_started: bool = False, timeout: Timeout | None = None) -> Exception:
        """The cohere_dyn error to raise for `exc`, with `exc` as its cause; once the client is
        closed, that it was. Our own error (a body past the limit; a file that changed as it was
        sent, which aiohttp wraps) is raised as it was, the wrapper letting go of it: no error
        becomes its own cause."""
        if self._closed and not isinstance(exc, CohereError):
            error: Exception = CohereError(CLOSED_IN_FLIGHT)
        else:
            error = _translate(exc, url, response_started, timeout)
        if exc.__cause__ is error:
            exc.__cause__ = None
        elif error is not exc:
            error.__cause__ = exc
        return error

    async def aclose(self) -> None:
        """Close the session and its connections for good: later calls raise CohereError."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()


def _translate(exc: Exception, url: str, response_started: bool = False, timeout: Timeout | None = None) -> Exception:
    """A cohere_dyn error for whatever aiohttp or the socket raised, naming the host and port
    (`url`'s) and what failed, once."""
    import socket

    import aiohttp

    where = address(url)
    cause = exc.__cause__
    if isinstance(exc, CohereError):
        return exc
    if isinstance(cause, CohereError):  # raised by the body as it was sent (a file that changed meanwhile)
        return cause
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.os_error, socket.gaierror):
        return unresolved(where, exc.os_error)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return connect_timeout(where, timeout, connect=not response_started)
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        return read_timeout(where, timeout, response_started)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return connect_failed(where, reason(exc.os_error))
    if isinstance(exc, aiohttp.ClientResponseError):  # the parser's: what came back is no HTTP answer
        detail = " ".join(str(exc.message or type(exc).__name__).split())  # str(exc) would quote the URL
        return malformed_answer(where, detail[:200])
    if isinstance(exc, (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, OSError)):
        unanswered = isinstance(exc, aiohttp.ServerDisconnectedError)
        return connection_broke(where, reason(exc), response_started, unanswered)
    if isinstance(exc, aiohttp.ClientError):  # an invalid URL, header or proxy
        return TransportError(f"{where}: {reason(exc)}")
    if isinstance(exc, (ValueError, TypeError, UnicodeError)):  # a value the HTTP stack can't encode
        return TransportError(f"the request could not be sent: {reason(exc)}")
    return exc
