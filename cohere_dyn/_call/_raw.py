"""`client.with_raw_response`: the same calls, answered with the HTTP status and headers beside the data.

    response = client.with_raw_response.chat(model="command-a-03-2025", messages=[...])
    response.headers["x-ratelimit-remaining"], response.status_code, response.data.message

    with client.v2.with_raw_response.chat_stream(model=..., messages=[...]) as response:
        for event in response.data: ...

As the official SDK 7.x has it: every method of a client or group (not the iterators, not
embed_stream), taking the same arguments; `.data` is what the plain call returns (for a stream
method, the stream, and the response is a context manager that closes it). A raw call is one
request: a list too long for one (embed's batching) is refused as the spec refuses it, and
tokenize asks the API.
"""

from __future__ import annotations

from typing import Any

from .._errors import Headers
from .._spec._operations import Operation

__all__ = ["AsyncHttpResponse", "HttpResponse", "raw_call", "raw_call_async"]


class HttpResponse:
    """An answer with its HTTP status and headers (looked up in any case)."""

    __slots__ = ("status_code", "headers", "data", "_stream")

    def __init__(self, status_code: int, headers: Any, data: Any, stream: bool = False):
        self.status_code = status_code
        self.headers = Headers(headers)
        self.data = data
        self._stream = stream

    def close(self) -> None:
        """Close the stream a stream method's response holds (the others hold nothing open)."""
        if self._stream:
            self.data.close()

    def __enter__(self) -> "HttpResponse":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<HttpResponse {self.status_code}: {type(self.data).__name__}>"


class AsyncHttpResponse(HttpResponse):
    """`HttpResponse` of the async clients: `await response.close()`."""

    __slots__ = ()

    async def close(self) -> None:  # type: ignore[override]
        if self._stream:
            await self.data.aclose()


class _OpenedStream:
    """The async stream method's raw answer: `async with` opens the stream and gives its response."""

    def __init__(self, stream: Any):
        self._stream = stream
        self._response: AsyncHttpResponse | None = None

    async def __aenter__(self) -> AsyncHttpResponse:
        stream = await self._stream  # opened: status and headers checked
        answer = stream.response
        self._response = AsyncHttpResponse(answer.status_code, answer.headers, stream, stream=True)
        return self._response

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._stream.aclose()


def raw_call(caller: Any, operation: Operation, kwargs: dict[str, Any]) -> HttpResponse:
    response, data = caller.respond(operation, kwargs)
    return HttpResponse(response.status_code, response.headers, data, operation.streaming)


def raw_call_async(caller: Any, operation: Operation, kwargs: dict[str, Any]) -> Any:
    """A coroutine answering an `AsyncHttpResponse`; for a stream method, what `async with` opens."""
    if operation.streaming:
        return _OpenedStream(caller.stream(operation, kwargs))
    return caller.invoke(operation, kwargs, raw=True)
