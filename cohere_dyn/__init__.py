"""cohere_dyn: a Cohere API client built at run time from one OpenAPI document.

    import cohere_dyn
    client = cohere_dyn.Client(api_key="...")
    client.v2.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "hi"}])
"""

from __future__ import annotations

from ._client import Client, ClientV2
from ._compat import _modules as _sdk_modules
from ._compat._alias import install_as_cohere
from ._errors import (
    ApiError,
    BadRequestError,
    ClientClosedRequestError,
    CohereError,
    ConnectionError,
    ForbiddenError,
    GatewayTimeoutError,
    InternalServerError,
    InvalidTokenError,
    JobFailedError,
    NotFoundError,
    NotImplementedApiError,
    NotServedError,
    PaymentRequiredError,
    ServiceUnavailableError,
    SpecError,
    StreamError,
    TimeoutError,
    TooManyRequestsError,
    TransportError,
    UnauthorizedError,
    UnprocessableEntityError,
    ValidationError,
    ValidationProblem,
    WaitTimeoutError,
)
from ._spec._document import Spec
from ._timeout import Timeout
from ._version import __version__

_SDK_MODULES = _sdk_modules.install()  # `cohere_dyn.datasets`, `cohere_dyn.finetuning.finetuning`...: the SDK's module paths

TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from typing import Any, Mapping

__all__ = [
    "__version__",
    "install_as_cohere",
    "Client",
    "ClientV2",
    "ClientEnvironment",
    "AsyncClient",
    "AsyncClientV2",
    "AsyncStream",
    "DefaultAioHttpClient",
    "DefaultAsyncHttpxClient",
    "BedrockClient",
    "BedrockClientV2",
    "SagemakerClient",
    "SagemakerClientV2",
    "AsyncBedrockClient",
    "AsyncBedrockClientV2",
    "AsyncSagemakerClient",
    "AsyncSagemakerClientV2",
    "AwsClient",
    "AwsClientV2",
    "AsyncAwsClient",
    "AsyncAwsClientV2",
    "OciClient",
    "OciClientV2",
    "AsyncOciClient",
    "AsyncOciClientV2",
    "paginate",
    "RequestOptions",
    "JobFailedError",
    "WaitTimeoutError",
    "Spec",
    "Model",
    "ModelList",
    "Stream",
    "StreamedEmbedding",
    "Timeout",
    "HttpRequest",
    "validate",
    "CohereError",
    "SpecError",
    "ValidationError",
    "ValidationProblem",
    "TransportError",
    "ConnectionError",
    "TimeoutError",
    "StreamError",
    "NotServedError",
    "ApiError",
    "BadRequestError",
    "UnauthorizedError",
    "PaymentRequiredError",
    "ForbiddenError",
    "NotFoundError",
    "UnprocessableEntityError",
    "TooManyRequestsError",
    "InvalidTokenError",
    "ClientClosedRequestError",
    "InternalServerError",
    "NotImplementedApiError",
    "ServiceUnavailableError",
    "GatewayTimeoutError",
]

# Names whose modules are loaded on first use, to keep `import cohere_dyn` fast.
_LAZY = {
    "Model": "_models",
    "ModelList": "_models",
    "Stream": "_streaming._stream",
    "HttpRequest": "_transports._base",
    "AsyncClient": "_async_client",
    "AsyncClientV2": "_async_client",
    "AsyncStream": "_streaming._async_stream",
    "paginate": "_workflows._pagination",
    "RequestOptions": "_call._prepare",
    "NotImplementedError": "errors",  # the official SDK's name for NotImplementedApiError (not in __all__)
    "StreamedEmbedding": "_bulk._embed_stream",
    "ClientEnvironment": "environment",  # enum costs import time that a client doesn't need
    "DefaultAioHttpClient": "_transports._httpx_clients",
    "DefaultAsyncHttpxClient": "_transports._httpx_clients",
    **dict.fromkeys(
        (
            "BedrockClient",
            "BedrockClientV2",
            "SagemakerClient",
            "SagemakerClientV2",
            "AsyncBedrockClient",
            "AsyncBedrockClientV2",
            "AsyncSagemakerClient",
            "AsyncSagemakerClientV2",
            "AwsClient",
            "AwsClientV2",
            "AsyncAwsClient",
            "AsyncAwsClientV2",
        ),
        "_deployments._aws",
    ),
    **dict.fromkeys(("OciClient", "OciClientV2", "AsyncOciClient", "AsyncOciClientV2"), "_deployments._oci"),
}


def validate(method: str, payload: Mapping[str, Any], spec: str | os.PathLike[str] | Spec | None = None) -> None:
    """Check a payload for `method` (e.g. "v2.chat") against the spec, offline, with no key.

    `payload` holds the method's keyword arguments; where a method takes the whole body as one
    argument (finetuning.create_finetuned_model), it is that body. Raises ValidationError listing
    every problem with its JSON path, or TypeError for unknown or missing keywords.
    """
    from ._call._prepare import validate_call

    loaded = spec if isinstance(spec, Spec) else Spec.load(spec)
    operation = loaded.operation(method)
    whole = [a.keyword for a in operation.arguments if a.location == "request"]
    kwargs = {whole[0]: payload} if whole and whole[0] not in payload else dict(payload)
    validate_call(loaded, operation, kwargs)


OMIT: Any = ...  # the official SDK's "not given" for any keyword argument, as `cohere.v2.client.OMIT`


def __getattr__(name: str) -> Any:
    """Lazy public names, `cohere_dyn.UserChatMessageV2(...)` as with `import cohere` (cohere_dyn.types),
    and the SDK's modules (`cohere_dyn.finetuning`, see _compat._modules)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    if name in ("types", "errors", "mock", "utils"):  # the submodules, before anything imported them (`cohere.errors.X` after `import cohere`)
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    if name[:1].isupper():
        from . import types

        value = getattr(types, name)
        globals()[name] = value
        return value
    if name[:1] != "_" and name in _SDK_MODULES.paths():  # `cohere_dyn.finetuning.Settings(...)`
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'cohere_dyn' has no attribute {name!r}")
