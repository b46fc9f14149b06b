"""Request signing as a transport wrapper: every request is signed as it is sent.

The wrapper receives the finished `HttpRequest` (URL, headers, body bytes), has its signer (a
`RequestSigner`: AWS SigV4 by botocore here, OCI's HTTP signatures in `_ocisigning`) sign exactly
those bytes, and hands the signed request to the inner transport. A retry goes through `send` again
and is signed afresh (a new date, refreshed credentials). Error answers are read through
`ScrubbedResponse`, which removes the secret key and session token from their bytes and headers:
an AWS 403 echoes the canonical request, session token included, and nothing of ours may carry
it on (exceptions, logs, reprs).
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Iterator, Protocol

from .._errors import CohereError, Headers
from .._transports._base import AsyncResponse, AsyncTransport, HttpRequest, Response, Transport

__all__ = ["RequestSigner", "Signer", "SigningTransport", "AsyncSigningTransport"]

REDACTED = b"[redacted]"


class RequestSigner(Protocol):
    def sign(self, request: HttpRequest) -> HttpRequest: ...

    def secrets(self) -> list[bytes]:
        """Secrets an error answer might echo, to scrub from it."""
        ...


class Signer:
    """Signs requests for one service and region with credentials resolved by botocore."""

    def __init__(self, credentials: Any, service: str, region: str):
        self._credentials = credentials  # botocore Credentials (refreshable ones refresh themselves)
        self.service = service
        self.region = region

    def sign(self, request: HttpRequest) -> HttpRequest:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.exceptions import BotoCoreError

        try:
            frozen = self._credentials.get_frozen_credentials()
        except BotoCoreError as exc:  # a refresh failed (expired SSO session, unreachable metadata service)
            raise CohereError(f"AWS credentials could not be refreshed: {exc}") from None
        aws_request = AWSRequest(method=request.method, url=request.url, headers=dict(request.headers), data=request.content or b"")
        SigV4Auth(frozen, self.service, self.region).add_auth(aws_request)
        headers = dict(request.headers)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            value = aws_request.headers.get(name)
            if value is not None:
                headers[name] = value
        return HttpRequest(request.method, request.url, headers, request.content, request.timeout)

    def secrets(self) -> list[bytes]:
        """The secret key and session token, as bytes, for scrubbing answers."""
        frozen = self._credentials.get_frozen_credentials()
        return [secret.encode() for secret in (frozen.secret_key, frozen.token) if secret and len(secret) >= 6]

    def __repr__(self) -> str:
        return f"<Signer {self.service} {self.region}>"


def _scrub(data: bytes, secrets: list[bytes]) -> bytes:
    for secret in secrets:
        if secret in data:
            data = data.replace(secret, REDACTED)
    return data


def _scrubbed_headers(headers: Any, secrets: list[bytes]) -> Headers:
    """Response headers with secrets removed (looked up in any case, as an ApiError's are)."""
    texts = [secret.decode() for secret in secrets]
    cleaned = {}
    for name, value in headers.items():
        for text in texts:
            value = value.replace(text, REDACTED.decode())
        cleaned[name] = value
    return Headers(cleaned)


class ScrubbedResponse:
    """An error response whose body and headers never hold the secret key or session token."""

    def __init__(self, response: Response, secrets: list[bytes]):
        self._response = response
        self._secrets = secrets
        self.status_code = response.status_code
        self.headers = _scrubbed_headers(response.headers, secrets)

    def read(self) -> bytes:
        return _scrub(self._response.read(), self._secrets)

    def iter_bytes(self) -> Iterator[bytes]:
        yield self.read()

    def close(self) -> None:
        self._response.close()


class AsyncScrubbedResponse:
    def __init__(self, response: AsyncResponse, secrets: list[bytes]):
        self._response = response
        self._secrets = secrets
        self.status_code = response.status_code
        self.headers = _scrubbed_headers(response.headers, secrets)

    async def aread(self) -> bytes:
        return _scrub(await self._response.aread(), self._secrets)

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        yield await self.aread()

    async def aclose(self) -> None:
        await self._response.aclose()


class SigningTransport:
    """A `Transport` that signs each request, then sends it with the inner transport."""

    def __init__(self, inner: Transport, signer: RequestSigner):
        self.inner = inner
        self.signer = signer

    def send(self, request: HttpRequest, *, stream: bool = False) -> Response:
        response = self.inner.send(self.signer.sign(request), stream=stream)
        if response.status_code >= 400:
            return ScrubbedResponse(response, self.signer.secrets())
        return response

    def close(self) -> None:
        self.inner.close()


class AsyncSigningTransport:
    """An `AsyncTransport` that signs each request, then sends it with the inner transport."""

    def __init__(self, inner: AsyncTransport, signer: RequestSigner):
        self.inner = inner
        self.signer = signer

    async def send(self, request: HttpRequest, *, stream: bool = False) -> AsyncResponse:
        response = await self.inner.send(self.signer.sign(request), stream=stream)
        if response.status_code >= 400:
            return AsyncScrubbedResponse(response, self.signer.secrets())
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
