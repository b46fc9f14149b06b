"""`client._client_wrapper`: the official SDK's private settings object, which integrations read.

pydantic-ai reads the base URL through it and swaps the httpx client it sends with
(`client._client_wrapper.httpx_client.httpx_client = httpx.AsyncClient(...)`); the SDK's own tests
read the headers it sends. Here it is a view of the client's settings: reading asks the client,
and setting the httpx client makes the client send with it from its next call.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ClientWrapper"]


class ClientWrapper:
    """The client's base URL, headers and timeout, as the SDK's `BaseClientWrapper` gives them."""

    __slots__ = ("_client",)

    def __init__(self, client: Any):
        self._client = client

    def get_base_url(self) -> str:
        return str(self._client._base_url)

    def get_timeout(self) -> float | None:
        return self._client._timeout.read

    def get_headers(self) -> dict[str, str]:
        """The headers every request carries: the key's header, the client name, the user agent."""
        from .._call._caller import client_headers

        return client_headers(self._client)

    async def async_get_headers(self) -> dict[str, str]:
        return self.get_headers()

    @property
    def httpx_client(self) -> "HttpxSlot":
        return HttpxSlot(self._client)

    def __repr__(self) -> str:
        return f"<client wrapper of {self._client!r}>"


class HttpxSlot:
    """The SDK's `HttpClient` holder: `.httpx_client` is the httpx client the client sends with
    (None when it sends with its own transport); setting it makes the client send with that one."""

    __slots__ = ("_client",)

    def __init__(self, client: Any):
        self._client = client

    @property
    def httpx_client(self) -> Any:
        return getattr(self._client._transport, "httpx_client", None)

    @httpx_client.setter
    def httpx_client(self, value: Any) -> None:
        client = self._client
        client._send_with(client._httpx_transport(value, None, client._max_response_bytes))
