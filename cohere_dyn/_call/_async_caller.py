"""The asynchronous call path: the same preparation, retry policy and decoding as the sync one.

Request preparation (`_calls.prepare`), the finished request (`_caller.build_request`), when to
retry (`_retry.RetryPolicy`), response and error decoding (`_caller.decode_content`,
`_caller.error_from_content`) and the stream decoders (`_streaming.EventSource`) are the sync
client's; this module only awaits where that one blocks, and sleeps with `asyncio.sleep`.

A client's connections belong to the event loop that first used it: a call from another loop
raises CohereError at once instead of hanging on a connection of the old loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .._streaming._async_stream import AsyncStream
from .._transports._base import AsyncResponse, AsyncTransport
from ._caller import build_request, credential, decode_content, error_from_content, log_retry, retries_for
from ._prepare import PreparedRequest, prepare
from .._errors import CohereError, ConnectionError, TimeoutError, redact
from .._spec._operations import Operation
from ._retry import RetryPolicy
from .._spec._document import Spec

__all__ = ["AsyncCaller"]


class AsyncCaller:
    """Everything an async client needs to turn a method call into a response."""

    def __init__(self, client: Any, transport: AsyncTransport):
        self.client = client
        self.spec: Spec = client._spec
        self.transport = transport
        self.retry = RetryPolicy()
        self.loop: asyncio.AbstractEventLoop | None = None

    async def invoke(self, operation: Operation, kwargs: dict[str, Any]) -> Any:
        prepared = prepare(self.spec, operation, kwargs, validate=self.client._validate)
        return await self.fetch(prepared)

    async def fetch(self, prepared: PreparedRequest, retry: RetryPolicy | None = None) -> Any:
        """Send a prepared request and decode its answer (`retry`: see `send`)."""
        response = await self.send(prepared, retry=retry)
        content = await _read(response)
        return decode_content(self.spec, prepared.operation, response.status_code, response.headers, content)

    def stream(self, operation: Operation, kwargs: dict[str, Any]) -> AsyncStream:
        """The stream of a call, validated now and opened on first use."""
        prepared = prepare(self.spec, operation, kwargs, validate=self.client._validate)
        return AsyncStream(lambda: self.send(prepared, stream=True), operation, self.spec, self.client._validate_events)

    async def send(
        self, prepared: PreparedRequest, *, stream: bool = False, retry: RetryPolicy | None = None
    ) -> AsyncResponse:
        """Send, retrying what is safe to retry; an error status raises its ApiError. `retry`
        replaces the client's policy for this request (as `SyncCaller.send`)."""
        self._check_loop()
        max_retries = retries_for(self.client, prepared)
        request = build_request(self.client, prepared)
        try:
            return await self._attempts(prepared, request, max_retries, stream, retry or self.retry)
        except CohereError as exc:
            raise redact(exc, credential(request.headers)) from exc.__cause__

    async def _attempts(
        self, prepared: PreparedRequest, request: Any, max_retries: int, stream: bool, policy: RetryPolicy | None = None
    ) -> AsyncResponse:
        policy = policy or self.retry
        attempt = 0
        while True:
            try:
                response = await self.transport.send(request, stream=stream)
            except (ConnectionError, TimeoutError) as exc:
                delay = policy.after_failure(exc, attempt, max_retries)
                if delay is None:
                    raise
                log_retry(prepared, str(exc), attempt, max_retries, delay)
            else:
                if response.status_code < 400:
                    return response
                delay = policy.after_status(response.status_code, response.headers, attempt, max_retries)
                if delay is None:
                    raise error_from_content(response.status_code, response.headers, await _read(response))
                await response.aclose()
                log_retry(prepared, f"status {response.status_code}", attempt, max_retries, delay, response.status_code)
            await asyncio.sleep(delay)
            attempt += 1

    def _check_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self.loop is None:
            self.loop = loop
        elif loop is not self.loop:
            raise CohereError(
                f"this {type(self.client).__name__} was first used in another event loop, which owns its "
                "connections; make one client per event loop (for instance inside the coroutine given to "
                "asyncio.run)"
            )


async def _read(response: AsyncResponse) -> bytes:
    try:
        return await response.aread()
    finally:
        await response.aclose()
