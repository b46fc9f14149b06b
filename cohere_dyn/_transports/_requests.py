"""`RequestsTransport`: the sync transport.

`RequestsTransport` is the only place that imports `requests` (lazily, on the first request, so
that importing cohere_dyn stays fast). Tests and users can pass any object with the same `send`
and `close` methods as `Client(transport=...)`. Every requests/urllib3 exception is translated
into a cohere_dyn error here, none escapes, and its message names the host and port and what
failed: a host name that doesn't resolve is `ConnectionError(retryable=False)`, a malformed answer
(a garbage status line, a header line past http.client's limit) `ConnectionError(response_started=True)`.

`send()` returns once the status line and headers have arrived; for a non-stream request it also
reads the body (at most `max_response_bytes` once decoded), and a failure there is a
`ConnectionError(response_started=True)` (or a read `TimeoutError`), which the retry policy
doesn't retry: the server has answered. Writing the request is bounded by urllib3, which gives
each write the connect timeout.
"""

from __future__ import annotations

import builtins
import threading
from typing import Any, Iterator

from .._errors import CohereError, ConnectionError, TimeoutError, TransportError
from ._base import (
    READ_SIZE, BufferedResponse, HttpRequest, Response, address, connect_failed, connect_timeout, connection_broke,
    malformed_answer, origin, read_timeout, reason, unresolved, within,
)
from ._fork import after_fork_in_child

__all__ = ["RequestsTransport"]

_BODY_READ = 1 << 16  # bytes of a whole body read at a time


class _RequestsResponse(BufferedResponse):
    __slots__ = ()

    def _read_whole(self) -> bytes:
        return _read_body(self._response, self._limit)

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
            raise _translate(exc, self._response.url, response_started=True) from exc


def _reader(raw: Any) -> Any:
    """How to read what has arrived of a body: urllib3's `read1`, decoding; or, from a stand-in for
    urllib3's response (an HTTP recording library's), its plain `read`."""
    if hasattr(raw, "read1") and type(raw).__module__.startswith("urllib3."):
        return lambda: raw.read1(READ_SIZE, decode_content=True)
    return lambda: raw.read(READ_SIZE)


def _read_body(response: Any, limit: int | None) -> bytes:
    """The whole body, decoded, within `limit` bytes. Read as requests reads `.content`
    (`iter_content`: urllib3's stream, or a stand-in's `read`)."""
    try:
        return within(response.iter_content(_BODY_READ), response.url, limit)
    except CohereError:
        response.close()
        raise
    except Exception as exc:
        response.close()
        raise _translate(exc, response.url, response_started=True) from exc


class RequestsTransport:
    """Sends requests with one pooled `requests.Session`, made on first use; at most
    `max_connections` connections per host are kept for reuse. A body read whole (not a stream)
    may be at most `max_response_bytes` once decoded (None: no limit). In a process forked from
    one that used the transport, the first call makes a session of its own."""

    def __init__(self, max_connections: int, max_response_bytes: int | None = None):
        self.max_connections = max_connections
        self.max_response_bytes = max_response_bytes
        self._session: Any = None
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
                    after_fork_in_child(self)
                    self._session = session
        return self._session

    def after_fork(self) -> None:
        """In a forked child: let go of the parent's pool (its sockets are shared with the
        parent) and of a lock another thread may have held at the fork."""
        self._session = None
        self._lock = threading.Lock()

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
        except CohereError:  # raised by the body as it was sent (a file that changed meanwhile)
            raise
        except Exception as exc:
            raise _translate(exc, request.url, timeout=request.timeout) from exc
        limit = self.max_response_bytes
        return _RequestsResponse(response, None if stream else _read_body(response, limit), limit)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


def _translate(exc: Exception, url: str, response_started: bool = False, timeout: Any = None) -> Exception:
    """A cohere_dyn error for whatever requests, urllib3 or the socket raised, naming the host
    and port (`url`'s) and what failed, once."""
    import http.client
    import socket

    import requests
    import urllib3

    where = address(url)
    chain = list(_chain(exc))
    for inner in chain:
        if isinstance(inner, CohereError):
            return inner
        if isinstance(inner, socket.gaierror):
            return unresolved(where, inner)
    refused = urllib3.exceptions.NewConnectionError  # a subclass of ConnectTimeoutError, but no timeout
    connect_timeouts = (requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError)
    read_timeouts = (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError)
    for inner in chain:
        if isinstance(inner, connect_timeouts) and not isinstance(inner, refused) and not response_started:
            return connect_timeout(where, timeout)
        if isinstance(inner, read_timeouts):
            return read_timeout(where, timeout, response_started)
        if isinstance(inner, builtins.TimeoutError):  # a bare socket timeout: while sending the request
            # urllib3 bounds each write by the connect timeout
            seconds = f" for {timeout.connect:g} s" if timeout is not None else ""
            return TimeoutError(f"sending the request to {where} made no progress{seconds} (the server isn't reading it)")
    for inner in chain:
        if isinstance(inner, http.client.HTTPException) and not isinstance(inner, http.client.RemoteDisconnected):
            if isinstance(inner, http.client.IncompleteRead):
                break
            return malformed_answer(where, f"{type(inner).__name__}: {reason(inner)}")
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return ConnectionError(f"the answer from {where} could not be decoded: {reason(chain[-1])}", response_started=True)
    if isinstance(
        exc,
        (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError, urllib3.exceptions.HTTPError, OSError),
    ):
        why = reason(chain[-1])
        if not response_started and any(isinstance(inner, refused) for inner in chain):
            return connect_failed(where, why)
        return connection_broke(where, why, response_started, isinstance(chain[-1], http.client.RemoteDisconnected))
    if isinstance(exc, requests.exceptions.RequestException):  # an invalid URL, proxy or header
        return TransportError(f"{where}: {reason(exc)}")
    # Anything else is a request the HTTP stack refused (a value it can't encode): not retried.
    return TransportError(f"the request could not be sent: {reason(exc)}")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, then what it wraps (as its first argument, cause or context), a few levels deep."""
    seen: list[BaseException] = []
    current: Any = exc
    while isinstance(current, BaseException) and current not in seen and len(seen) < 8:
        seen.append(current)
        yield current
        wrapped = current.args[0] if current.args and isinstance(current.args[0], BaseException) else None
        current = wrapped or current.__cause__ or current.__context__
