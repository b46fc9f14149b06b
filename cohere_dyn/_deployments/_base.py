"""What every deployment does alike, whatever its cloud (`AwsDeployment`, `OciDeployment`).

The methods a service serves (`route`: NotServedError for the others), the signing transport
(`wrap`, `wrap_async` around the subclass's `_signer()`), the secrets it signed with, and the
finished request: the call's own headers checked in, its timeout, the body as `json.dumps` writes it.
"""

from __future__ import annotations

import json
from typing import Any

from .._call._caller import USER_AGENT
from .._call._headers import merge_headers
from .._call._prepare import PreparedRequest
from .._errors import NotServedError
from .._spec._operations import Operation
from .._timeout import Timeout
from .._transports._base import HttpRequest

__all__ = ["Deployment"]


class Deployment:
    """A subclass sets `service` (its `routes` by method and its `title`) and `signer` (None until
    `_signer()` has made it), and adds the request, answer and stream seams of its cloud."""

    service: Any
    signer: Any

    def route(self, operation: Operation) -> Any:
        """The service's route for `operation`; NotServedError for a method it doesn't serve."""
        route = self.service.routes.get(operation.qualified_name)
        if route is None:
            served = ", ".join(self.service.routes)
            twin = f"v2.{operation.qualified_name}"
            hint = f"; its v2 twin is: client.{twin}(...), or the V2 client's {operation.name}" if twin in self.service.routes else ""
            raise NotServedError(f"{operation.qualified_name}: {self.service.title} doesn't serve it (served: {served}){hint}")
        return route

    # the transport seam ---------------------------------------------------------------------

    def wrap(self, transport: Any) -> Any:
        from ._signing import SigningTransport

        return SigningTransport(transport, self._signer())

    def wrap_async(self, transport: Any) -> Any:
        from ._signing import AsyncSigningTransport

        return AsyncSigningTransport(transport, self._signer())

    def _signer(self) -> Any:
        """The request signer, made (credentials and region resolved) by the first call."""
        raise NotImplementedError

    def secrets(self) -> list[str]:
        """What the requests were signed with that no error may show (secret keys, session tokens)."""
        return self.signer.secrets() if self.signer is not None else []

    # the request seam -----------------------------------------------------------------------

    def request(self, client: Any, prepared: PreparedRequest, method: str, url: str, body: Any, headers: dict[str, str]) -> HttpRequest:
        """The finished request: `headers` after the User-Agent, then the call's own (checked), the
        call's timeout, `body` in json.dumps' own spacing and ASCII escapes (the official SDK's bytes)."""
        headers = {"User-Agent": USER_AGENT, **headers}
        merge_headers(headers, prepared.headers, prepared.operation.qualified_name)  # additional_headers checked too
        timeout = client._timeout if prepared.timeout is None else Timeout.of(prepared.timeout)
        return HttpRequest(method, url, headers, json.dumps(body).encode(), timeout)
