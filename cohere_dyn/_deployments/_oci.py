"""`OciClient`, `OciClientV2` (and async twins): Cohere's models on OCI Generative AI.

    co = cohere_dyn.OciClientV2(oci_region="us-chicago-1", oci_compartment_id="ocid1.compartment.oc1..")
    co.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "hi"}]).message

The methods are the spec's, as on `Client`; the deployment (`OciDeployment`, rules from the
spec's `x-cohere-dyn-deployments.services.oci`) rewrites each call into OCI's own API with the
spec's maps (`_mapping`: Cohere's fields to OCI's, refusing what OCI doesn't define), signs it
(`_ocisigning`, through the `_signing` transport wrapper: each attempt afresh, over the exact
bytes sent), rewrites OCI's answer into Cohere's and OCI's SSE streams into Cohere's events
(`_mappedstream`). A method OCI doesn't serve raises NotServedError before anything is sent.

Making a client reads the OCI config file and the private key (api_key auth), so a missing
profile or key fails at once; `cryptography` is imported then (`pip install 'cohere-dyn[oci]'`).
"""

from __future__ import annotations

import importlib.util
import json
import os
from typing import Any

from .._async_client import AsyncClient
from .._call._prepare import PreparedRequest
from .._client import Client, checked_base_url
from .._errors import ApiError, CohereError, ValidationError, ValidationProblem, error_for_status
from .._spec._operations import Operation
from .._timeout import Timeout
from .._transports._base import HttpRequest
from ._base import Deployment
from ._client import DeploymentClient
from ._mapping import Refused, fill
from ._mappedstream import decoder_factory
from ._mappedservice import MappedService
from ._ocisigning import INSTALL_HINT, OciCredentials
from ._routes import checked_region, regional_endpoint, service

__all__ = ["OciDeployment", "OciClient", "OciClientV2", "AsyncOciClient", "AsyncOciClientV2"]

SSE = "text/event-stream"


class OciDeployment(Deployment):
    """OCI Generative AI's mapping of calls, plugged into the core (see `_call._caller.build_request`)."""

    def __init__(self, service: MappedService, credentials: OciCredentials, compartment_id: str, endpoint: str | None):
        self.service = service
        self.credentials = credentials
        self.compartment_id = compartment_id
        self.signer: Any = None  # made by the first wrap
        region = credentials.region or os.environ.get("OCI_REGION") or None
        self.region = checked_region(region) if region else None
        self.endpoint: str = checked_base_url(endpoint) if endpoint else ""  # "": the region's, once known
        if not self.endpoint and self.region:
            self.endpoint = regional_endpoint(service.endpoint, self.region)
        if not self.endpoint and credentials.auth_type == "api_key":
            raise ValueError("no OCI region: pass oci_region=..., or name a region in the OCI config profile (or set OCI_REGION)")

    def __repr__(self) -> str:
        return f"<OciDeployment {self.credentials.auth_type} region={self.region!r} endpoint={self.endpoint or None!r}>"

    # the transport seam ---------------------------------------------------------------------

    def _signer(self) -> Any:
        self.signer = signer = self.credentials.signer()
        if not self.endpoint:  # a principal's region, known once its signer is made
            region = self.region or getattr(signer, "region", None)
            if not region:
                raise CohereError("no OCI region: pass oci_region=... (or set OCI_REGION)")
            self.region = checked_region(region)
            self.endpoint = regional_endpoint(self.service.endpoint, self.region)
        return signer

    # the request seam -----------------------------------------------------------------------

    def build_request(self, client: Any, prepared: PreparedRequest) -> HttpRequest:
        """OCI's request for a prepared Cohere call: route, body in OCI's words, headers, timeout."""
        operation = prepared.operation
        route = self.route(operation)
        service = self.service
        body = json.loads(prepared.content) if prepared.content else {}
        if operation.stream is not None:
            body.pop(operation.stream.flag, None)
        model = body.get(service.path_field)
        if not isinstance(model, str) or not model:
            problem = ValidationProblem(service.path_field, f"required: {service.title} needs the model (or an endpoint's OCID)", "required")
            raise ValidationError(operation.qualified_name, [problem])
        request_map = service.maps.get(route.request)
        try:
            fields = service.maps.apply(route.request, body)
        except Refused as exc:
            raise ValidationError(operation.qualified_name, [ValidationProblem(exc.path, exc.reason, "deployment")]) from None
        if operation.streaming:
            fields.update(request_map.stream_set)
        variables = {"fields": fields, "serving-mode": service.serving_mode(model), "compartment": self.compartment_id}
        wire = fill(request_map.envelope, variables) if request_map.envelope else fields
        if not self.endpoint:
            self._signer()
        return self.request(client, prepared, "POST", self.endpoint + route.route, wire, {"Content-Type": "application/json"})

    def stream_decoders_for(self, operation: Operation) -> dict[str, Any]:
        rules = self.route(operation).stream
        return {SSE: decoder_factory(rules, self.service.maps, self.service.title)} if rules is not None else {}

    # the answer seams -----------------------------------------------------------------------

    def amend(self, operation: Operation, data: Any, headers: Any) -> Any:
        """OCI's answer in Cohere's words (the method's answer map)."""
        route = self.service.routes.get(operation.qualified_name)
        if route is None or route.answer is None or not isinstance(data, dict):
            return data
        return self.service.maps.apply(route.answer, data)

    def error(self, status_code: int, body: Any, headers: Any) -> Exception:
        """OCI's error answer (`{"code", "message"}`, `opc-request-id`) as an ApiError of its status."""
        error: ApiError = error_for_status(status_code, body, headers)
        code = body.get("code") if isinstance(body, dict) else None
        request_id = headers.get("opc-request-id")
        detail = "; ".join(part for part in (code, f"opc-request-id {request_id}" if request_id else None) if part)
        if detail:
            error.args = (f"{error.args[0]} ({detail})",)
        error.error_type = code  # type: ignore[attr-defined]
        return error


class _OciClient(DeploymentClient):
    """The constructor shared by the OCI clients (mixed in before Client or AsyncClient)."""

    _deployment: OciDeployment

    def __init__(
        self,
        *,
        oci_config_path: str | None = None,
        oci_profile: str | None = None,
        oci_user_id: str | None = None,
        oci_fingerprint: str | None = None,
        oci_tenancy_id: str | None = None,
        oci_private_key_path: str | None = None,
        oci_private_key_content: str | None = None,
        auth_type: str = "api_key",
        oci_region: str | None = None,
        oci_compartment_id: str | None = None,
        timeout: float | Timeout | None = None,
        base_url: str | None = None,
        max_retries: int = 2,
        spec: Any = None,
        transport: Any = None,
        validate: bool = True,
        validate_events: bool = False,
    ):
        if not isinstance(oci_compartment_id, str) or not oci_compartment_id.strip():
            raise ValueError("oci_compartment_id is required: the OCID of the compartment whose Generative AI service answers")
        if importlib.util.find_spec("cryptography") is None and auth_type == "api_key":
            raise CohereError(INSTALL_HINT)
        credentials = OciCredentials(
            auth_type=auth_type,
            config_path=oci_config_path,
            profile=oci_profile,
            user=oci_user_id,
            fingerprint=oci_fingerprint,
            tenancy=oci_tenancy_id,
            key_path=oci_private_key_path,
            key_content=oci_private_key_content,
            region=oci_region,
        )
        compartment = oci_compartment_id.strip()
        self._start_deployment(
            lambda spec: OciDeployment(service(spec.document, "oci", spec.source), credentials, compartment, base_url),
            timeout=timeout, max_retries=max_retries, spec=spec, transport=transport,
            validate=validate, validate_events=validate_events,
        )

    def __repr__(self) -> str:
        deployment = self._deployment
        return f"<cohere_dyn.{type(self).__name__} auth_type={deployment.credentials.auth_type!r} region={deployment.region!r} endpoint={deployment.endpoint or None!r}>"


class OciClient(_OciClient, Client):
    """Cohere's models on OCI Generative AI: the v1 methods at the top level, v2 under `.v2`.

    Args:
        oci_config_path, oci_profile: the OCI config file (default ~/.oci/config, else
            $OCI_CONFIG_FILE) and its profile (default DEFAULT), read as OCI's tools read them.
        oci_user_id, oci_fingerprint, oci_tenancy_id, oci_private_key_path or
            oci_private_key_content: credentials given directly instead of a config file.
        auth_type: api_key (default), instance_principal or resource_principal (these two sign
            through OCI's own SDK: pip install oci).
        oci_region: defaults to the profile's region, then OCI_REGION.
        oci_compartment_id: required: the compartment whose Generative AI service answers.
        timeout, max_retries, spec, transport, validate, validate_events: as for `Client`.
        base_url: the service endpoint; defaults to https://inference.generativeai.<region>.oci.oraclecloud.com.
    """


class OciClientV2(OciClient):
    """`OciClient` with the v2 methods at the top level."""

    _promote = ("v2",)


class AsyncOciClient(_OciClient, AsyncClient):
    """`OciClient` with coroutine methods and async streams (the async transport of `AsyncClient`)."""


class AsyncOciClientV2(AsyncOciClient):
    _promote = ("v2",)
