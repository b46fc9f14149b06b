"""The asynchronous call path: the same preparation, retry policy and decoding as the sync one.

Request preparation (`_prepare.prepare`), the finished request (`_caller.build_request`), when to
retry (`_retry.RetryPolicy`), response and error decoding (`_caller.decode_content`,
`_caller.error_from_content`) and the stream decoders (`_streaming._stream.EventSource`) are the
sync client's; this module only awaits where that one blocks, and sleeps with `asyncio.sleep`.

A client's connections belong to the event loop that first used it: a call from another loop
raises CohereError at once instead of hanging on a connection of the old loop (except in a process
forked from the one that used it, whose first call picks its own loop, and connections).
"""

from __future__ import annotations

import asyncio
from typing import Any, Coroutine

from .._streaming._async_stream import AsyncStream, open_source
from .._streaming._stream import EventSource
from .._transports._base import AsyncResponse, AsyncTransport
from .._transports._fork import after_fork_in_child
from ._caller import build_request, decode_content, error_from_content, log_retry, retries_for, secrets_of
from ._prepare import PreparedRequest, prepare
from .._errors import CohereError, ConnectionError, TimeoutError
from .._redaction import redact
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
        self.deployment = client._deployment  # None for the Cohere API; see _deployments
        self.loop: asyncio.AbstractEventLoop | None = None

    def invoke(self, operation: Operation, kwargs: dict[str, Any], raw: bool = False) -> Coroutine[Any, Any, Any]:
        """The coroutine of a call: `fetch` of its prepared request (awaited by the method, so
        that a TypeError or ValidationError raises where the call is awaited)."""
        return self.fetch(prepare(self.spec, operation, kwargs, validate=self.client._validate), raw=raw)

    async def fetch(self, prepared: PreparedRequest, retry: RetryPolicy | None = None, raw: bool = False) -> Any:
        """Send a prepared request and decode its answer (`retry`: see `send`; `raw`: the answer in
        an AsyncHttpResponse, with its status and headers). The first attempt is made here, the rest
        (if it failed) by `_attempts`: one coroutine less per call."""
        self._check_loop()
        request = build_request(self.client, prepared)
        try:
            max_retries = retries_for(self.client, prepared)
            try:
                response = await self.transport.send(request)
            except (ConnectionError, TimeoutError) as exc:
                response = await self._attempts(prepared, request, max_retries, False, retry, exc)
            else:
                if response.status_code >= 300:
                    response = await self._attempts(prepared, request, max_retries, False, retry, response)
            try:
                content = await response.aread()
            finally:
                await response.aclose()
            data = decode_content(
                self.spec, prepared.operation, response.status_code, response.headers, content, self.deployment
            )
            if raw:
                from ._raw import AsyncHttpResponse

                return AsyncHttpResponse(response.status_code, response.headers, data)
            return data
        except CohereError as exc:
            raise redact(exc, secrets_of(self.client, request)) from exc.__cause__

    def stream(self, operation: Operation, kwargs: dict[str, Any]) -> AsyncStream:
        """The stream of a call, validated now and opened on first use."""
        prepared = prepare(self.spec, operation, kwargs, validate=self.client._validate)
        return AsyncStream(lambda: self.open_stream(prepared), operation, self.spec)

    async def send(self, prepared: PreparedRequest, *, retry: RetryPolicy | None = None) -> AsyncResponse:
        """Send a request that is no stream, retrying what is safe to retry; an error status raises
        its ApiError. `retry` replaces the client's policy for this request (as `SyncCaller.send`)."""
        self._check_loop()
        request = build_request(self.client, prepared)
        try:
            return await self._attempts(prepared, request, retries_for(self.client, prepared), False, retry)
        except CohereError as exc:
            raise redact(exc, secrets_of(self.client, request)) from exc.__cause__

    async def open_stream(self, prepared: PreparedRequest) -> tuple[AsyncResponse, EventSource]:
        """Send a stream request; its response once the status and content type are checked."""
        self._check_loop()
        request = build_request(self.client, prepared)
        try:
            response = await self._attempts(prepared, request, retries_for(self.client, prepared), True)
            decoders = self.deployment.stream_decoders_for(prepared.operation) if self.deployment is not None else None
            client = self.client
            secrets = secrets_of(client, request)  # kept out of the errors met while reading
            source = await open_source(
                response, prepared.operation, self.spec, client._validate_events, decoders, client._max_response_bytes, secrets
            )
        except CohereError as exc:
            raise redact(exc, secrets_of(self.client, request)) from exc.__cause__
        return response, source

    async def _attempts(
        self,
        prepared: PreparedRequest,
        request: Any,
        max_retries: int,
        stream: bool,
        policy: RetryPolicy | None = None,
        first: AsyncResponse | Exception | None = None,
    ) -> AsyncResponse:
        """The attempts of a request until one is answered with a 2xx or the policy gives up;
        `first`: the outcome of a first attempt already made (an answer or a transport error)."""
        policy = policy or self.retry
        attempt = 0
        outcome = first
        while True:
            if outcome is None:
                try:
                    outcome = await self.transport.send(request, stream=stream)
                except (ConnectionError, TimeoutError) as exc:
                    outcome = exc
            if isinstance(outcome, Exception):
                delay = policy.after_failure(outcome, attempt, max_retries)
                if delay is None:
                    raise outcome
                log_retry(prepared, str(redact(outcome, secrets_of(self.client, request))), attempt, max_retries, delay)
            else:
                if outcome.status_code < 300:
                    return outcome
                delay = policy.after_status(outcome.status_code, outcome.headers, attempt, max_retries)
                if delay is None:
                    raise error_from_content(
                        outcome.status_code, outcome.headers, await _read(outcome), self.deployment
                    )
                await outcome.aclose()
                log_retry(prepared, f"status {outcome.status_code}", attempt, max_retries, delay, outcome.status_code)
            outcome = None
            await asyncio.sleep(delay)
            attempt += 1

    def _check_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self.loop is None:
            self.loop = loop
            after_fork_in_child(self)
        elif loop is not self.loop:
            raise CohereError(
                f"this {type(self.client).__name__} was first used in another event loop, which owns its "
                "connections; make one client per event loop (for instance inside the coroutine given to "
                "asyncio.run)"
            )

    def after_fork(self) -> None:
        """In a forked child, the parent's event loop is no more: the child's first call picks its own."""
        self.loop = None


async def _read(response: AsyncResponse) -> bytes:
    try:
        return await response.aread()
    finally:
        await response.aclose()
