"""`HttpxSyncTransport`: sends with an `httpx.Client` the caller made.

Used for `Client(httpx_client=...)`, the official SDK's way to bring a configured httpx client;
the default sync transport is requests (`_requests`). The async sibling, the error translation
and its rules are in `_httpx`: the same failures mean the same cohere_dyn errors as with
requests, a body cut short after the headers is `ConnectionError(response_started=True)` (never
retried), and a stream's bytes are yielded as they arrive.
"""

from __future__ import annotations

from typing import Any, Iterator

from ._base import HttpRequest
from ._httpx import content_and_headers, timeout_of, translate

__all__ = ["HttpxSyncTransport"]


class _HttpxSyncResponse:
    __slots__ = ("_response", "status_code", "headers")

    def __init__(self, response: Any):
        self._response = response
        self.status_code: int = response.status_code
        self.headers = response.headers

    def read(self) -> bytes:
        try:
            return self._response.read()
        except Exception as exc:
            raise translate(exc, response_started=True) from exc

    def iter_bytes(self) -> Iterator[bytes]:
        """Bytes as they arrive: httpx hands over what each read of the socket gave."""
        try:
            yield from self._response.iter_bytes()
        except Exception as exc:
            raise translate(exc, response_started=True) from exc

    def close(self) -> None:
        self._response.close()


class HttpxSyncTransport:
    """Sends requests with the given `httpx.Client` (its pool, proxies, hooks and headers)."""

    def __init__(self, client: Any):
        self._client = client

    @property
    def httpx_client(self) -> Any:
        """The httpx client it sends with (the official SDK's `_client_wrapper.httpx_client.httpx_client`)."""
        return self._client

    def send(self, request: HttpRequest, *, stream: bool = False) -> _HttpxSyncResponse:
        content, headers = content_and_headers(request)
        try:
            built = self._client.build_request(
                request.method, request.url, headers=headers, content=content, timeout=timeout_of(request.timeout)
            )
            response = self._client.send(built, stream=True)
        except Exception as exc:
            raise translate(exc) from exc
        if not stream:
            try:
                response.read()
            except Exception as exc:
                response.close()
                raise translate(exc, response_started=True) from exc
        return _HttpxSyncResponse(response)

    def close(self) -> None:
        self._client.close()
