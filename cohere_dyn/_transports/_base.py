"""The transport seam: the request a transport sends and what sync and async transports provide.

`Transport.send()` takes a finished `HttpRequest` and returns a `Response` once the status line
and headers have arrived; `AsyncTransport.send()` does the same as a coroutine. Each concrete
transport in this package is the only module that imports its HTTP library, and translates every
exception of that library into a cohere_dyn error. `Client(transport=...)` and
`AsyncClient(transport=...)` take any object with these methods, which is how tests replace the
network. What the transports share is here too: a body read whole within `max_response_bytes`
(`within`, `within_async`), and the failures they all report, worded once (`unresolved`,
`connect_timeout`, `read_timeout`, `connection_broke`...).
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable, Iterator, Protocol

from .._errors import CohereError, ConnectionError, TimeoutError
from .._timeout import Timeout

__all__ = [
    "BufferedResponse",
    "within",
    "within_async",
    "HttpRequest",
    "Response",
    "Transport",
    "AsyncResponse",
    "AsyncTransport",
    "READ_SIZE",
    "origin",
    "address",
    "reason",
    "too_large",
    "unresolved",
    "connect_failed",
    "connect_timeout",
    "read_timeout",
    "malformed_answer",
    "connection_broke",
]

# Streams are read at most this many bytes at a time: the events of one read are decoded together,
# and a small batch of them dies young (a large one outlives garbage-collector passes and makes
# every later pass longer).
READ_SIZE = 8192


def origin(url: str) -> str:
    """`scheme://host:port` of a URL: what proxy settings are chosen by, so transports keep them per origin."""
    slash = url.find("/", url.find("//") + 2)
    return url if slash < 0 else url[:slash]


def address(url: str) -> str:
    """`host:port` of a URL, the scheme's default port filled in: where a failure happened, as
    error messages name it (never the path or query, which may carry user data)."""
    scheme, _, rest = url.partition("://")
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2]
    if authority.startswith("["):  # an IPv6 literal
        host, _, port = authority.partition("]")
        host, port = host + "]", port[1:]
    else:
        host, _, port = authority.partition(":")
    return f"{host}:{port or (443 if scheme.lower() == 'https' else 80)}"


def reason(exc: BaseException) -> str:
    """What went wrong, in the words of whoever raised it: an OS error's text without its number,
    a message cut to 200 characters (a header line may be 100 KB), else the class name."""
    if isinstance(exc, OSError) and exc.errno is not None and exc.errno > 0:
        from os import strerror

        text = strerror(exc.errno)
    else:
        text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    text = " ".join(text.split())
    return (text if len(text) <= 200 else text[:197] + "...") or type(exc).__name__


class BufferedResponse:
    """A sync transport's response: its body read whole when `read()` first asks (the transport's
    `_read_whole`, within its `max_response_bytes`), or taken as it arrives (`iter_bytes`)."""

    __slots__ = ("_response", "_content", "_limit", "status_code", "headers")

    def __init__(self, response: Any, content: bytes | None, limit: int | None):
        self._response = response
        self._content = content
        self._limit = limit
        self.status_code: int = response.status_code
        self.headers = response.headers

    def read(self) -> bytes:
        if self._content is None:
            self._content = self._read_whole()
        return self._content

    def _read_whole(self) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        self._response.close()


def within(chunks: Iterator[bytes], url: Any, limit: int | None) -> bytes:
    """The chunks of a decoded body joined; CohereError once they pass `limit` bytes (a gzip bomb stops there).
    `url`: the answer's, in its library's type (made text only for the error)."""
    read: list[bytes] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if limit is not None and size > limit:
            raise CohereError(too_large(url, limit))
        read.append(chunk)
    return b"".join(read)


async def within_async(read: Callable[[], Awaitable[bytes]], url: Any, limit: int | None) -> bytes:
    """`within` for a body that arrives asynchronously: `read()` gives what has arrived, b"" at
    the end (aiohttp's `readany` as it is: an async iterator would cost a coroutine per chunk)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await read()
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if limit is not None and size > limit:
            raise CohereError(too_large(url, limit))
        chunks.append(chunk)


def too_large(url: Any, limit: int) -> str:
    """The message for an answer past the client's `max_response_bytes`."""
    return (
        f"the answer from {address(str(url))} is larger than max_response_bytes ({limit:,} bytes, decoded); "
        "it was not read further. If answers this large are expected, raise the limit: "
        "Client(max_response_bytes=...)"
    )


# The failures every transport reports alike, worded once; `where` is the `address()` of the URL.


def unresolved(where: str, cause: BaseException) -> ConnectionError:
    """The host name doesn't resolve: not retried, it won't within the backoff."""
    return ConnectionError(f"could not resolve the host name of {where}: {reason(cause)}", retryable=False)


def connect_failed(where: str, why: str) -> ConnectionError:
    """The connection could not be made (refused, unreachable): retried."""
    return ConnectionError(f"could not connect to {where}: {why}")


def connect_timeout(where: str, timeout: Timeout | None, connect: bool = True) -> TimeoutError:
    seconds = f" within {timeout.connect:g} s" if timeout is not None else ""
    return TimeoutError(f"could not connect to {where}{seconds} (connect timeout)", connect=connect)


def read_timeout(where: str, timeout: Timeout | None, response_started: bool) -> TimeoutError:
    """No byte for `timeout.read` seconds, before the answer or in the middle of it."""
    if response_started:
        return TimeoutError(f"the answer from {where} stalled mid-way (read timeout)")
    seconds = f" within {timeout.read:g} s" if timeout is not None else ""
    return TimeoutError(f"no answer from {where}{seconds} (read timeout)")


def malformed_answer(where: str, detail: str) -> ConnectionError:
    """What came back is no HTTP answer (a garbage status line, a header line past the parser's limit)."""
    return ConnectionError(
        f"{where} sent a malformed answer ({detail}); not retried: the server received the request",
        response_started=True,
    )


def connection_broke(where: str, why: str, response_started: bool, unanswered: bool = False) -> ConnectionError:
    """The connection broke: while the answer was read, or before it came (`unanswered`: the
    server closed it without a word)."""
    if response_started:
        message = f"the connection to {where} broke while the answer was read ({why})"
    elif unanswered:
        message = f"{where} closed the connection without answering"
    else:
        message = f"the connection to {where} broke before an answer came ({why})"
    return ConnectionError(message, response_started=response_started)


class HttpRequest:
    """A finished request: what a transport sends, byte for byte."""

    __slots__ = ("method", "url", "headers", "content", "timeout")

    # content: bytes, or an iterable of bytes with a len() that can be iterated again for a
    # retry (a multipart upload streamed from disk: `_call._encoding.MultipartBody`)
    def __init__(self, method: str, url: str, headers: dict[str, str], content: Any = None, timeout: Timeout | None = None):
        self.method = method
        self.url = url
        self.headers = headers
        self.content = content
        self.timeout = timeout or Timeout()

    def __repr__(self) -> str:
        return f"<HttpRequest {self.method} {self.url.split('?', 1)[0]}>"


class Response(Protocol):
    status_code: int
    headers: Any  # a case-insensitive mapping

    def read(self) -> bytes: ...

    def iter_bytes(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...


class Transport(Protocol):
    def send(self, request: HttpRequest, *, stream: bool = False) -> Response: ...

    def close(self) -> None: ...


class AsyncResponse(Protocol):
    status_code: int
    headers: Any  # a case-insensitive mapping

    async def aread(self) -> bytes: ...

    def aiter_bytes(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class AsyncTransport(Protocol):
    async def send(self, request: HttpRequest, *, stream: bool = False) -> AsyncResponse: ...

    async def aclose(self) -> None: ...
