"""`AsyncStream`: the async client's stream, on the same bytes -> events core as `Stream`.

`EventSource` (in `_streaming`) does all the decoding, checking and error reporting; this class
only awaits the chunks. The connection opens on first use, so a stream method returns its
stream at once (validation errors still raise at the call):

    async for event in client.chat_stream(...): ...
    stream = await client.chat_stream(...)          # opened, the status checked
    async with client.chat_stream(...) as stream: ...
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, AsyncIterator, Awaitable, Callable, Generator, Mapping, Sequence

from ._accumulate import Accumulator, fold
from .._errors import CohereError, StreamError
from .._models import Model
from .._spec._operations import Operation
from .._spec._document import Spec
from ._stream import EventSource, describe_body

__all__ = ["AsyncStream", "open_source"]


async def open_source(
    response: Any,
    operation: Operation,
    spec: Spec,
    validate_events: bool,
    decoders: Mapping[str, Callable[[], Any]] | None = None,
    max_bytes: int | None = None,
    secrets: Sequence[str | None] = (),
) -> EventSource:
    """The decoder for a stream's answer; StreamError quoting the body when it is no stream."""
    try:
        content_type = response.headers.get("content-type", "")
        return EventSource(operation, spec, content_type, validate_events, decoders, max_bytes, secrets)
    except StreamError as exc:
        try:
            content = (await response.aread())[:500]
        except CohereError:
            content = b""
        finally:
            await response.aclose()
        describe_body(exc, content)
        raise


class AsyncStream:
    """An async iterator of events; `aclose()` (or leaving `async with`) closes the connection.

    `await final()` reads the rest and returns the accumulated result; `text()` yields text deltas.
    `opener` sends the request and returns the response with its `EventSource` (`open_source`).
    """

    def __init__(self, opener: Callable[[], Awaitable[tuple[Any, EventSource]]], operation: Operation, spec: Spec):
        self._opener: Callable[[], Awaitable[tuple[Any, EventSource]]] | None = opener
        self._operation = operation
        self._spec = spec
        self._response: Any = None
        self._source: EventSource | None = None
        self._chunks: AsyncIterator[bytes] | None = None
        self._ready: deque[Model] = deque()
        self._closed = False

    async def _open(self) -> "AsyncStream":
        if self._opener is not None:
            opener, self._opener = self._opener, None
            try:
                self._response, self._source = await opener()
            except BaseException:
                self._closed = True
                raise
            self._chunks = self._response.aiter_bytes()
        return self

    def __await__(self) -> Generator[Any, None, "AsyncStream"]:
        return self._open().__await__()

    def __aiter__(self) -> "AsyncStream":
        return self

    async def __anext__(self) -> Model:
        if self._opener is not None:
            await self._open()
        while not self._ready:
            if self._closed:
                raise StopAsyncIteration
            await self._pull()
        return self._ready.popleft()

    async def _pull(self) -> None:
        source = self._source
        assert source is not None and self._chunks is not None
        try:
            chunk = await self._chunks.__anext__()
        except StopAsyncIteration:
            chunk = None
        except CohereError as exc:
            await self._release()
            raise source.broken(exc) from exc
        try:
            events = source.finish() if chunk is None else source.feed(chunk)
        except StreamError as exc:
            await self._release()
            raise source.redacted(exc)
        self._ready.extend(events)
        if chunk is None or source.done:
            await self._release()

    @property
    def events(self) -> list[Model]:
        """Every event received so far."""
        return list(self._source.events) if self._source is not None else []

    @property
    def response(self) -> Any:
        """The HTTP response (its `status_code` and `headers`), once the stream is open; else None."""
        return self._response

    async def text(self) -> AsyncIterator[str]:
        """Only the text pieces, as they arrive."""
        accumulator = Accumulator(self._operation, self._spec)
        async for event in self:
            accumulator.add(event)
            if accumulator.last_text:
                yield accumulator.last_text

    async def final(self) -> Model:
        """Read what is left and return the whole result, shaped like the non-streamed response."""
        async for _ in self:
            pass
        return fold(self._operation, self._spec, self.events)

    async def aclose(self) -> None:
        """Stop: close the connection now; events not yet read are dropped."""
        self._opener = None
        self._ready.clear()
        await self._release()

    close = aclose

    async def _release(self) -> None:
        if not self._closed:
            self._closed = True
            if self._response is not None:
                await self._response.aclose()

    def __del__(self) -> None:
        # A loop left with `break` and the stream dropped: close the connection from the loop.
        if not getattr(self, "_closed", True) and self._response is not None:
            try:
                asyncio.get_running_loop().create_task(self._response.aclose())
            except RuntimeError:  # no loop running here: the transport's own cleanup applies
                pass

    async def __aenter__(self) -> "AsyncStream":
        return await self._open()

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("not opened" if self._opener is not None else "open")
        return f"<cohere_dyn.AsyncStream {self._operation.qualified_name} {state}, {len(self.events)} events>"
