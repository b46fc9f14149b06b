"""`HttpxSyncTransport`: sends with an `httpx.Client` the caller made.

Used for `Client(httpx_client=...)`, the official SDK's way to bring a configured httpx client;
the default sync transport is requests (`_requests`). The async sibling, the error translation
and its rules are in `_httpx`: the same failures mean the same cohere_dyn errors as with
requests, a body cut short after the headers is `ConnectionError(response_started=True)` (never
retried), and a stream's bytes are yielded as they arrive.
"""

from __future__ import annotations

from typing import Any, Iterator

from .._errors import CohereError
from ._base import BufferedResponse, HttpRequest, within
from ._httpx import content_and_headers, timeout_of, translate

__all__ = ["HttpxSyncTransport"]


class _HttpxSyncResponse(BufferedResponse):
    __slots__ = ()

    def _read_whole(self) -> bytes:
        return _read_body(self._response, self._limit)

    def iter_bytes(self) -> Iterator[bytes]:
        """Bytes as they arrive: httpx hands over what each read of the socket gave."""
        try:
            yield from self._response.iter_bytes()
        except Exception as exc:
            raise translate(exc, response_started=True) from exc

def _read_body(response: Any, limit: int | None) -> bytes:
    """The whole body, decoded, within `limit` bytes."""
    try:
        return within(response.iter_bytes(), response.url, limit)
    except CohereError:
        response.close()
        raise
    except Exception as exc:
        response.close()
        raise translate(exc, response_started=True) from exc


class HttpxSyncTransport:
    """Sends requests with the given `httpx.Client` (its pool, proxies, hooks and headers); a body
    read whole may be at most `max_response_bytes` once decoded (None: no limit)."""

    def __init__(self, client: Any, max_response_bytes: int | None = None):
        self._client = client
        self.max_response_bytes = max_response_bytes

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
        except CohereError:  # raised by the body as it was sent (a file that changed meanwhile)
            raise
        except Exception as exc:
            raise translate(exc) from exc
        limit = self.max_response_bytes
        return _HttpxSyncResponse(response, None if stream else _read_body(response, limit), limit)

    def close(self) -> None:
        self._client.close()
