"""Request signing as a transport wrapper: every request is signed as it is sent.

The wrapper receives the finished `HttpRequest` (URL, headers, body bytes), has its signer (a
`RequestSigner`: AWS SigV4 by botocore here, OCI's HTTP signatures in `_ocisigning`) sign exactly
those bytes, and hands the signed request to the inner transport. A retry goes through `send` again
and is signed afresh (a new date, refreshed credentials). A signer names the secrets it signed
with (`secrets()`): an AWS 403 echoes the canonical request, session token included, and the
callers remove them from every error (`_redaction`), as they do the key.
"""

from __future__ import annotations

from typing import Any, Protocol

from .._errors import CohereError
from .._redaction import remember
from .._transports._base import AsyncResponse, AsyncTransport, HttpRequest, Response, Transport

__all__ = ["RequestSigner", "Signer", "SigningTransport", "AsyncSigningTransport"]

REMEMBERED = 4  # credentials signed with, most recent last: a refresh mid-call keeps the old ones known


class RequestSigner(Protocol):
    def sign(self, request: HttpRequest) -> HttpRequest: ...

    def secrets(self) -> list[str]:
        """Secrets requests were signed with, which an answer might echo: no error may show them."""
        ...


class Signer:
    """Signs requests for one service and region with credentials resolved by botocore."""

    def __init__(self, credentials: Any, service: str, region: str):
        self._credentials = credentials  # botocore Credentials (refreshable ones refresh themselves)
        self.service = service
        self.region = region
        self._signed_with: list[str] = []

    def sign(self, request: HttpRequest) -> HttpRequest:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.exceptions import BotoCoreError

        try:
            frozen = self._credentials.get_frozen_credentials()
        except BotoCoreError as exc:  # a refresh failed (expired SSO session, unreachable metadata service)
            raise CohereError(f"AWS credentials could not be refreshed: {exc}") from None
        self._remember(frozen.secret_key, frozen.token)
        aws_request = AWSRequest(method=request.method, url=request.url, headers=dict(request.headers), data=request.content or b"")
        SigV4Auth(frozen, self.service, self.region).add_auth(aws_request)
        headers = dict(request.headers)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            value = aws_request.headers.get(name)
            if value is not None:
                headers[name] = value
        return HttpRequest(request.method, request.url, headers, request.content, request.timeout)

    def _remember(self, *secrets: str | None) -> None:
        for secret in secrets:
            if secret and secret not in self._signed_with:
                self._signed_with = [*self._signed_with, secret][-2 * REMEMBERED :]  # replaced whole: readers see one list
                remember(secret)  # and scrubbed from the HTTP libraries' log lines

    def secrets(self) -> list[str]:
        """The secret keys and session tokens requests were signed with (the recent ones)."""
        return self._signed_with

    def __repr__(self) -> str:
        return f"<Signer {self.service} {self.region}>"


class SigningTransport:
    """A `Transport` that signs each request, then sends it with the inner transport."""

    def __init__(self, inner: Transport, signer: RequestSigner):
        self.inner = inner
        self.signer = signer

    def send(self, request: HttpRequest, *, stream: bool = False) -> Response:
        return self.inner.send(self.signer.sign(request), stream=stream)

    def close(self) -> None:
        self.inner.close()


class AsyncSigningTransport:
    """An `AsyncTransport` that signs each request, then sends it with the inner transport."""

    def __init__(self, inner: AsyncTransport, signer: RequestSigner):
        self.inner = inner
        self.signer = signer

    async def send(self, request: HttpRequest, *, stream: bool = False) -> AsyncResponse:
        return await self.inner.send(self.signer.sign(request), stream=stream)

    async def aclose(self) -> None:
        await self.inner.aclose()
