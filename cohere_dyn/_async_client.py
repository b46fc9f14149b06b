"""`AsyncClient` and `AsyncClientV2`: the same methods as coroutines, on aiohttp.

    async with cohere_dyn.AsyncClientV2(api_key="...") as client:
        reply = await client.chat(model="command-a-03-2025", messages=[...])
        async for event in client.chat_stream(model="command-a-03-2025", messages=[...]):
            ...

Methods are `async def` functions with the sync client's signatures and docstrings; stream
methods return an `AsyncStream` at once; paged lists have async iterators
(`async for m in client.models.iter()`); embed batches run as tasks, at most `max_workers` at
once; `await client.wait(job)` polls with `asyncio.sleep`. Validation, errors, retries and
decoding are the sync client's. aiohttp is imported by the first call
(`pip install 'cohere-dyn[async]'`); close the client (or use `async with`) to close its
connections.
"""

from __future__ import annotations

from ._client import ClientBase
from ._errors import CohereError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

    from ._call._async_caller import AsyncCaller
    from ._spec._operations import Operation

__all__ = ["AsyncClient", "AsyncClientV2"]


class AsyncClient(ClientBase):
    """An asyncio Cohere API client whose methods come from the spec.

    Takes the same arguments as `cohere_dyn.Client`; `transport` is an object with the coroutines
    `send(request, stream=...)` and `aclose()` (default: an `aiohttp.ClientSession` with at most
    `max_connections` connections open at once; calls beyond wait for a free one), and
    `httpx_client` (the official SDK's) an `httpx.AsyncClient` to send with, in its stead (then
    aiohttp isn't needed): its event hooks, proxies, TLS settings, limits, headers, auth and
    redirect policy apply, the timeouts and retries are this client's, and `close()` closes it. `thread_pool_executor` has no effect here (batches run as tasks). A
    client belongs to the event loop that first uses it; using it from another loop raises
    CohereError.
    """

    _carries_methods = True
    _asynchronous = True

    def __init__(self, *args: Any, **kwargs: Any):
        if kwargs.get("transport") is None and kwargs.get("httpx_client") is None:
            import importlib.util

            if importlib.util.find_spec("aiohttp") is None:
                from ._transports._aiohttp import INSTALL_HINT

                raise CohereError(INSTALL_HINT)
        super().__init__(*args, **kwargs)

    __init__.__signature__ = __import__("inspect").signature(ClientBase.__init__)  # type: ignore[attr-defined]

    def _httpx_transport(self, httpx_client: Any, transport: Any, max_response_bytes: int) -> Any:
        from ._transports._httpx import HttpxTransport, check_httpx_client

        check_httpx_client(type(self).__name__, httpx_client, transport, asynchronous=True)
        return HttpxTransport(httpx_client, max_response_bytes)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    async def close(self) -> None:
        """Close pooled connections."""
        if self._caller is not None:
            await self._caller.transport.aclose()
        elif self._transport is not None:
            await self._transport.aclose()
        downloads = self.__dict__.pop("_downloads", None)
        if downloads is not None:
            downloads.close()

    @property
    def utils(self) -> Any:
        """Dataset helpers, as the official SDK's `AsyncClient.utils`, and as there they block:
        `save_dataset(dataset, path, format="jsonl")` and `dataset_records(dataset)` (a generator)
        download the parts with requests. They take the Dataset itself (`(await
        client.datasets.get(id=...)).dataset`), not its id. Needs `pip install 'cohere-dyn[datasets]'`."""
        from ._bulk._datasets import DatasetUtils

        downloads = self.__dict__.get("_downloads")
        if downloads is None:
            from ._transports._requests import RequestsTransport

            downloads = RequestsTransport(self._max_connections, self._max_response_bytes)
            object.__setattr__(self, "_downloads", downloads)
        return DatasetUtils(self, downloads)

    async def fetch_tokenizer(self, *, model: str) -> Any:
        """The model's tokenizer (a `tokenizers.Tokenizer`); see `Client.fetch_tokenizer`. The
        download is awaited; reading and parsing the file run in a thread."""
        from ._workflows._tokenizer import fetch_tokenizer_async

        return await fetch_tokenizer_async(self, model)

    async def wait(
        self,
        job: Any,
        timeout: float | None = None,
        interval: float = 2.0,
        *,
        progress: Callable[[Any], Any] | None = None,
    ) -> Any:
        """Poll until `job` reaches a final status and return the last answer; see `Client.wait`."""
        from ._workflows._waiting import wait_async

        return await wait_async(self, job, timeout, interval, progress)

    def _invoke(self, operation: Operation, kwargs: dict[str, Any], raw: bool = False) -> Any:
        """A coroutine for the call, or for a stream method its (not yet opened) AsyncStream."""
        caller = self._caller or self._start()
        if raw:  # client.with_raw_response
            from ._call._raw import raw_call_async

            return raw_call_async(caller, operation, kwargs)
        if operation.streaming:
            return caller.stream(operation, kwargs)
        if operation.tokenizer is not None:
            from ._workflows._tokenizer import call_async

            return call_async(self, caller, operation, kwargs)
        if operation.bulk:
            from ._bulk._embed_stream import embed_stream_async

            return embed_stream_async(caller, operation, kwargs)
        if operation.batch is not None:
            from ._workflows._batching import run_async

            return run_async(caller, operation, kwargs)
        return caller.invoke(operation, kwargs)

    def _start(self) -> AsyncCaller:
        from ._call._async_caller import AsyncCaller
        from ._transports._aiohttp import AiohttpTransport

        transport = self._transport
        if transport is None:
            transport = AiohttpTransport(self._max_connections, self._max_response_bytes)
        if self._deployment is not None:
            transport = self._deployment.wrap_async(transport)
        caller = AsyncCaller(self, transport)
        object.__setattr__(self, "_caller", caller)
        return caller


class AsyncClientV2(AsyncClient):
    """The same client with the v2 methods at the top level: `await AsyncClientV2(...).chat(...)`."""

    _promote = ("v2",)
