"""A sync face on an async client, so that a suite written for `Client` runs on `AsyncClient` too.

    client = Blocking(cohere_dyn.AsyncClient(...))
    client.echo_test(message="hi")               # the coroutine, run to its end on the client's loop
    list(client.v2.chat_stream(...))             # a stream method: the whole stream, read as a list
    client.close()                               # closes the async client, then its loop

`make_client(kind, ...)` makes either: `"requests"` a plain `Client`, `"aiohttp"` a `Blocking(AsyncClient)`.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import cohere_dyn
from cohere_dyn._dispatch import Group
from cohere_dyn._streaming._async_stream import AsyncStream

__all__ = ["Blocking", "KINDS", "make_client"]

KINDS = ["requests", "aiohttp"]


class Blocking:
    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop | None = None):
        self._target = target
        self._loop = loop or asyncio.new_event_loop()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if isinstance(value, Group):
            return Blocking(value, self._loop)
        if name.startswith("_") or not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            result = value(*args, **kwargs)
            if isinstance(result, AsyncStream):
                return self._loop.run_until_complete(_collect(result))
            if inspect.isawaitable(result):
                return self._loop.run_until_complete(result)
            return result

        return call

    def run(self, awaitable: Any) -> Any:
        return self._loop.run_until_complete(awaitable)

    def close(self) -> None:
        if not self._loop.is_closed():
            self._loop.run_until_complete(self._target.close())
            self._loop.close()


async def _collect(stream: AsyncStream) -> list[Any]:
    return [event async for event in stream]


def make_client(kind: str, *args: Any, v2: bool = False, **options: Any) -> Any:
    """A `Client` (kind "requests") or a blocking `AsyncClient` (kind "aiohttp")."""
    if kind == "requests":
        return (cohere_dyn.ClientV2 if v2 else cohere_dyn.Client)(*args, **options)
    return Blocking((cohere_dyn.AsyncClientV2 if v2 else cohere_dyn.AsyncClient)(*args, **options))
