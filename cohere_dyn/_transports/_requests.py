"""`RequestsTransport`: the sync transport.

`RequestsTransport` is the only place that imports `requests` (lazily, on the first request, so
that importing cohere_dyn stays fast). Tests and users can pass any object with the same `send`
and `close` methods as `Client(transport=...)`. Every requests/urllib3 exception is translated
into a cohere_dyn error here; none escapes.

`send()` returns once the status line and headers have arrived; for a non-stream request it also
reads the body, and a failure there is a `ConnectionError(response_started=True)` (or a read
`TimeoutError`), which the retry policy doesn't retry: the server has answered.
"""

from __future__ import annotations

import builtins
import threading
from typing import Any, Iterator

from .._errors import ConnectionError, TimeoutError, TransportError
from ._base import READ_SIZE, HttpRequest, Response, origin

__all__ = ["RequestsTransport"]


class _RequestsResponse:
    __slots__ = ("_response", "status_code", "headers")

    def __init__(self, response: Any):
        self._response = response
        self.status_code: int = response.status_code
        self.headers = response.headers

    def read(self) -> bytes:
        try:
            return self._response.content
        except Exception as exc:  # requests wraps urllib3 errors in several classes
            raise _translate(exc, response_started=True) from exc

    def iter_bytes(self) -> Iterator[bytes]:
        """Bytes as they arrive: each chunk is yielded without waiting for a buffer to fill."""
        raw = self._response.raw
        try:
            if getattr(raw, "chunked", False) and hasattr(raw, "read_chunked"):
                yield from raw.read_chunked(decode_content=True)
                return
            read = _reader(raw)
            while True:
                chunk = read()
                if not chunk:
                    return
                yield chunk
        except Exception as exc:
            raise _translate(exc, response_started=True) from exc

    def close(self) -> None:
        self._response.close()


def _reader(raw: Any) -> Any:
    """How to read what has arrived of a body: urllib3's `read1`, decoding; or, from a stand-in for
    urllib3's response (an HTTP recording library's), its plain `read`."""
    if hasattr(raw, "read1") and type(raw).__module__.startswith("urllib3."):
        return lambda: raw.read1(READ_SIZE, decode_content=True)
    return lambda: raw.read(READ_SIZE)


class RequestsTransport:
    """Sends requests with one pooled `requests.Session`, made on first use; at most
    `max_connections` connections per host are kept for reuse."""

    def __init__(self, max_connections: int, session: Any = None):
        self._session = session
        self.max_connections = max_connections
        self._lock = threading.Lock()
        self._environments: dict[str, dict[str, Any]] = {}  # scheme://host:port -> requests' settings

    def _get_session(self) -> Any:
        if self._session is None:
            with self._lock:
                if self._session is None:
                    import requests

                    session = requests.Session()
                    session.trust_env = True
                    # One Client is often shared by many threads: keep a connection per thread
                    # (requests' default keeps 10 and opens a new one for every call beyond).
                    adapter = requests.adapters.HTTPAdapter(pool_maxsize=self.max_connections)
                    session.mount("https://", adapter)
                    session.mount("http://", adapter)
                    self._session = session
        return self._session

    def _environment(self, url: str) -> dict[str, Any]:
        """Proxies and CA bundle from the environment for `url`'s host, read once per host:
        requests reads the whole environment again for every request."""
        where = origin(url)
        found = self._environments.get(where)
        if found is None:
            found = self._environments[where] = self._get_session().merge_environment_settings(
                url, {}, True, None, None
            )
        return found

    def send(self, request: HttpRequest, *, stream: bool = False) -> Response:
        import requests

        session = self._get_session()
        try:
            prepared = session.prepare_request(
                requests.Request(request.method, request.url, headers=request.headers, data=request.content)
            )
            # requests would decode %2E back to '.', and a '..' segment would then climb the path.
            prepared.url = request.url
            settings = self._environment(request.url)
            # Always stream=True: requests returns after the headers, so a failure while reading
            # the body (below) can be told from one before any response.
            response = session.send(
                prepared,
                timeout=(request.timeout.connect, request.timeout.read),
                allow_redirects=False,
                **settings,
            )
        except Exception as exc:
            raise _translate(exc) from exc
        if not stream:
            try:
                response.content  # noqa: B018 - reads and keeps the body
            except Exception as exc:
                response.close()
                raise _translate(exc, response_started=True) from exc
        return _RequestsResponse(response)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


def _translate(exc: Exception, response_started: bool = False) -> Exception:
    """A cohere_dyn error for whatever requests, urllib3 or the socket raised."""
    import requests
    import urllib3

    message = _describe(exc)
    timeouts = (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, builtins.TimeoutError)
    # requests wraps a read timeout while reading a body in its ConnectionError: look inside.
    refused = urllib3.exceptions.NewConnectionError  # a subclass of ConnectTimeoutError, but no timeout
    timeout = next(
        (inner for inner in _chain(exc) if isinstance(inner, timeouts) and not isinstance(inner, refused)), None
    )
    if timeout is not None:
        connect = not response_started and isinstance(
            timeout, (requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError)
        )
        return TimeoutError(message, connect=connect)
    if isinstance(
        exc,
        (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
            urllib3.exceptions.HTTPError,
            OSError,
        ),
    ):
        return ConnectionError(message, response_started=response_started)
    if isinstance(exc, requests.exceptions.RequestException):  # an invalid URL, proxy or header
        return TransportError(message)
    # Anything else is a request the HTTP stack refused (a value it can't encode): not retried.
    return TransportError(f"the request could not be sent: {message}")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, then what it wraps (as its first argument, cause or context), a few levels deep."""
    seen: list[BaseException] = []
    current: Any = exc
    while isinstance(current, BaseException) and current not in seen and len(seen) < 8:
        seen.append(current)
        yield current
        wrapped = current.args[0] if current.args and isinstance(current.args[0], BaseException) else None
        current = wrapped or current.__cause__ or current.__context__


def _describe(exc: BaseException) -> str:
    """The innermost reason, without the URL's query string (it may carry user data)."""
    reason: BaseException = exc
    while True:
        inner = getattr(reason, "reason", None) or reason.__context__
        if not isinstance(inner, BaseException) or inner is reason:
            break
        reason = inner
    text = str(reason) or type(reason).__name__
    return f"{type(exc).__name__}: {text}" if reason is not exc else text
