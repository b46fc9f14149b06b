"""`BedrockClient`, `SagemakerClient` (and their V2 and async twins): Cohere's models through AWS.

    co = cohere_dyn.BedrockClient(aws_region="us-east-1")      # credentials from the AWS chain
    co.chat(model="cohere.command-r-plus-v1:0", message="hi").text

The methods are the spec's, as on `Client`; the deployment (`AwsDeployment`, rules from the
spec's `x-cohere-dyn-deployments`) maps each call onto the service's route (the model moves from
the body to the path, the stream flag leaves the body, fields such as rerank's `api_version` are
added), signs it with botocore (`_signing`), decodes event-stream answers (`_eventstream`), maps
AWS errors (`_errors`) and copies Bedrock's token-count headers into the result. A method the
service doesn't serve raises NotServedError before anything is sent.

Making a client reads environment variables only; botocore is imported by the first call
(`pip install 'cohere-dyn[aws]'`), when credentials and region are resolved.
"""

from __future__ import annotations

import importlib.util
import json
import os
from typing import Any
from urllib.parse import quote, urlencode

from .._async_client import AsyncClient
from .._call._prepare import PreparedRequest
from .._client import Client, checked_base_url
from .._errors import CohereError, ValidationError, ValidationProblem
from .._spec._operations import Operation
from .._timeout import Timeout
from .._transports._base import HttpRequest
from ._base import Deployment
from ._client import DeploymentClient
from ._errors import aws_error
from ._eventstream import EVENT_STREAM_TYPE, decoder_factory
from ._routes import Service, checked_region, regional_endpoint
from ._routes import service as service_rules

__all__ = [
    "AwsDeployment",
    "AwsClient",
    "AwsClientV2",
    "AsyncAwsClient",
    "AsyncAwsClientV2",
    "BedrockClient",
    "BedrockClientV2",
    "SagemakerClient",
    "SagemakerClientV2",
    "AsyncBedrockClient",
    "AsyncBedrockClientV2",
    "AsyncSagemakerClient",
    "AsyncSagemakerClientV2",
    "INSTALL_HINT",
]

INSTALL_HINT = "the AWS clients sign requests with botocore: pip install 'cohere-dyn[aws]'"
# Characters a model id may keep in the path as the official SDK sends it (`cohere.command-r-v1:0`);
# any other id (an ARN with '/') is percent-encoded as boto3 does, so it stays one segment.
_KEPT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:")


def path_segment(value: str) -> str:
    """A model id or endpoint name as one path segment."""
    if _KEPT.issuperset(value) and value.strip("."):
        return value
    segment = quote(value, safe="-._~")
    return segment.replace(".", "%2E") if not segment.strip(".") else segment


class AwsDeployment(Deployment):
    """One AWS service's mapping of calls, plugged into the core (see `_call._caller.build_request`)."""

    def __init__(
        self,
        service: Service,
        *,
        access_key: str | None,
        secret_key: str | None,
        session_token: str | None,
        region: str | None,
        endpoint: str | None,
    ):
        self.service = service
        self._keys = (access_key, secret_key, session_token)
        region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
        self.region = checked_region(region) if region else None
        if endpoint is None:
            endpoint = next((os.environ[name] for name in service.endpoint_variables if os.environ.get(name)), None)
        self.endpoint: str = checked_base_url(endpoint) if endpoint else ""  # "": the region's, once resolved
        self.signer: Any = None
        self.stream_decoders = {EVENT_STREAM_TYPE: decoder_factory(service.stream_frames, service.title)}

    def __repr__(self) -> str:
        return f"<AwsDeployment {self.service.name} region={self.region!r} endpoint={self.endpoint or None!r}>"

    def stream_decoders_for(self, operation: Operation) -> dict[str, Any]:
        """The decoders of this service's streams, by media type (one framing for all its methods)."""
        return self.stream_decoders

    # the transport seam ---------------------------------------------------------------------

    def _signer(self) -> Any:
        """Resolve credentials and region with botocore (its standard chain when no keys were given)."""
        if self.signer is not None:
            return self.signer
        try:
            import botocore.credentials
            import botocore.exceptions
            import botocore.session
        except ImportError:
            raise CohereError(INSTALL_HINT) from None
        from ._signing import Signer

        access_key, secret_key, session_token = self._keys
        try:
            session = botocore.session.Session()
            if access_key or secret_key:
                if not (access_key and secret_key):
                    raise CohereError("pass both aws_access_key and aws_secret_key, or neither (the AWS chain)")
                credentials = botocore.credentials.Credentials(access_key, secret_key, session_token)
            else:
                credentials = session.get_credentials()
            region = self.region or session.get_config_variable("region")
        except botocore.exceptions.BotoCoreError as exc:
            raise CohereError(f"AWS configuration: {exc}") from None
        if credentials is None:
            raise CohereError(
                "no AWS credentials: pass aws_access_key= and aws_secret_key=, or configure the AWS chain "
                "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws, a role)"
            )
        if not region:
            raise CohereError("no AWS region: pass aws_region=..., or set AWS_REGION (or a region in ~/.aws/config)")
        self.region = checked_region(region)
        if not self.endpoint:
            self.endpoint = regional_endpoint(self.service.endpoint, self.region)
        self.signer = Signer(credentials, self.service.signing_name, region)
        return self.signer

    # the request seam -----------------------------------------------------------------------

    def build_request(self, client: Any, prepared: PreparedRequest) -> HttpRequest:
        """The service's request for a prepared Cohere call: route, body, headers, timeout."""
        operation = prepared.operation
        route = self.route(operation)
        service = self.service
        body = json.loads(prepared.content) if prepared.content else {}
        model = body.pop(service.path_field, None) if isinstance(body, dict) else None
        if not isinstance(model, str) or not model:
            problem = ValidationProblem(
                service.path_field, f"required: {service.title} names the model in the path", "required"
            )
            raise ValidationError(operation.qualified_name, [problem])
        if operation.stream is not None:
            body.pop(operation.stream.flag, None)
        for name in route.add:
            body.pop(name, None)
        ordered = {name: body.pop(name) for name in route.body_order if name in body}
        ordered.update(body)
        ordered.update(route.add)
        url = self.endpoint + service.path(operation.streaming).replace("{" + service.path_field + "}", path_segment(model))
        if prepared.query:
            url += "?" + urlencode(prepared.query)
        return self.request(client, prepared, prepared.method, url, ordered, {})

    # the answer seams -----------------------------------------------------------------------

    def amend(self, operation: Operation, data: Any, headers: Any) -> Any:
        """Token counts from the service's headers into the result's meta (or usage); the rest kept."""
        route = self.service.routes.get(operation.qualified_name)
        if route is None or route.token_counts is None or not isinstance(data, dict):
            return data
        counts = {}
        for name, header in self.service.token_count_headers.items():
            value = headers.get(header)
            if value is not None and value.strip().isdigit():
                counts[name] = int(value)
        if not counts:
            return data
        target = data.get(route.token_counts)
        target = dict(target) if isinstance(target, dict) else {}
        for part in ("billed_units", "tokens"):
            current = target.get(part)
            target[part] = {**(current if isinstance(current, dict) else {}), **counts}
        data[route.token_counts] = target
        return data

    def error(self, status_code: int, body: Any, headers: Any) -> Exception:
        return aws_error(status_code, body, headers)


class _AwsClient(DeploymentClient):
    """The constructor shared by the AWS clients (mixed in before Client or AsyncClient)."""

    _service_name: str | None = None  # set by the Bedrock and SageMaker clients; AwsClient takes service=
    _deployment: AwsDeployment

    def __init__(
        self,
        *,
        aws_access_key: str | None = None,
        aws_secret_key: str | None = None,
        aws_session_token: str | None = None,
        aws_region: str | None = None,
        timeout: float | Timeout | None = None,
        service: str | None = None,
        base_url: str | None = None,
        max_retries: int = 2,
        spec: Any = None,
        transport: Any = None,
        validate: bool = True,
        validate_events: bool = False,
    ):
        own = self._service_name
        if service is None and own is None:
            raise TypeError(f"{type(self).__name__}() needs service='bedrock' or service='sagemaker'")
        if service is not None and own is not None and service != own:
            raise TypeError(f"{type(self).__name__} is the {own} client; service={service!r} names another")
        name = own or service
        if name not in ("bedrock", "sagemaker"):
            raise ValueError(f"service must be 'bedrock' or 'sagemaker', not {name!r}")
        if importlib.util.find_spec("botocore") is None:
            raise CohereError(INSTALL_HINT)
        self._start_deployment(
            lambda spec: AwsDeployment(
                service_rules(spec.document, name, spec.source),
                access_key=aws_access_key,
                secret_key=aws_secret_key,
                session_token=aws_session_token,
                region=aws_region,
                endpoint=base_url,
            ),
            timeout=timeout, max_retries=max_retries, spec=spec, transport=transport,
            validate=validate, validate_events=validate_events,
        )

    def __repr__(self) -> str:
        deployment = self._deployment
        return f"<cohere_dyn.{type(self).__name__} region={deployment.region!r} endpoint={deployment.endpoint or None!r}>"


class AwsClient(_AwsClient, Client):
    """Cohere's models on AWS, `service="bedrock"` or `"sagemaker"`: the official SDK's base of
    `BedrockClient` and `SagemakerClient`, which fix the service. See `BedrockClient`."""


class AwsClientV2(AwsClient):
    """`AwsClient` with the v2 methods at the top level: the base of the V2 clients."""

    _promote = ("v2",)


class BedrockClient(AwsClient):
    """Cohere's models on Amazon Bedrock: the v1 methods at the top level, v2 under `.v2`.

    Args:
        aws_access_key, aws_secret_key, aws_session_token: credentials; none: the AWS chain
            (environment, shared config and profiles, SSO, roles), resolved by botocore.
        aws_region: defaults to AWS_REGION, AWS_DEFAULT_REGION, then the AWS config.
        timeout, max_retries, spec, transport, validate, validate_events: as for `Client`.
        base_url: the service endpoint; defaults to AWS_ENDPOINT_URL_BEDROCK_RUNTIME,
            AWS_ENDPOINT_URL, then https://bedrock-runtime.<region>.amazonaws.com.
    """

    _service_name = "bedrock"


class BedrockClientV2(BedrockClient, AwsClientV2):
    """`BedrockClient` with the v2 methods at the top level."""

    _promote = ("v2",)


class SagemakerClient(AwsClient):
    """Cohere's models on Amazon SageMaker endpoints (`model=` names the endpoint); see `BedrockClient`.

    base_url defaults to AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME, AWS_ENDPOINT_URL, then
    https://runtime.sagemaker.<region>.amazonaws.com.
    """

    _service_name = "sagemaker"


class SagemakerClientV2(SagemakerClient, AwsClientV2):
    """`SagemakerClient` with the v2 methods at the top level."""

    _promote = ("v2",)


class AsyncAwsClient(_AwsClient, AsyncClient):
    """`AwsClient` with coroutine methods and async streams (the async transport of `AsyncClient`)."""


class AsyncAwsClientV2(AsyncAwsClient):
    _promote = ("v2",)


class AsyncBedrockClient(AsyncAwsClient):
    """`BedrockClient` with coroutine methods and async streams."""

    _service_name = "bedrock"


class AsyncBedrockClientV2(AsyncBedrockClient, AsyncAwsClientV2):
    _promote = ("v2",)


class AsyncSagemakerClient(AsyncAwsClient):
    """`SagemakerClient` with coroutine methods and async streams."""

    _service_name = "sagemaker"


class AsyncSagemakerClientV2(AsyncSagemakerClient, AsyncAwsClientV2):
    _promote = ("v2",)
