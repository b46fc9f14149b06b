"""AWS error answers onto cohere_dyn's ApiError hierarchy.

AWS names the error in the `x-amzn-ErrorType` header (`ThrottlingException:http://...`) and
explains it in a JSON body (`{"message": ...}` or `{"Message": ...}`). The class follows the
error type where AWS's status code says less than the type (a model not ready is answered 429
by Bedrock and SageMaker but is a ServiceUnavailableError); `status_code` stays the status the
service sent, so the retry policy has already treated it by that status.
"""

from __future__ import annotations

from typing import Any, Mapping

from .._errors import (
    ApiError,
    BadRequestError,
    ForbiddenError,
    GatewayTimeoutError,
    InternalServerError,
    NotFoundError,
    ServiceUnavailableError,
    TooManyRequestsError,
    UnauthorizedError,
    error_for_status,
)

__all__ = ["aws_error", "error_type"]

_BY_TYPE: dict[str, type[ApiError]] = {
    "ThrottlingException": TooManyRequestsError,
    "ServiceQuotaExceededException": TooManyRequestsError,
    "ValidationException": BadRequestError,
    "ValidationError": BadRequestError,
    "AccessDeniedException": ForbiddenError,
    "ExpiredTokenException": ForbiddenError,
    "InvalidSignatureException": ForbiddenError,
    "SignatureDoesNotMatch": ForbiddenError,
    "IncompleteSignature": ForbiddenError,
    "UnrecognizedClientException": UnauthorizedError,
    "ResourceNotFoundException": NotFoundError,
    "ModelNotReadyException": ServiceUnavailableError,
    "ServiceUnavailableException": ServiceUnavailableError,
    "ServiceUnavailable": ServiceUnavailableError,
    "ModelTimeoutException": GatewayTimeoutError,
    "InternalServerException": InternalServerError,
    "InternalFailure": InternalServerError,
}


def error_type(headers: Mapping[str, str]) -> str | None:
    """The AWS error type of an answer (`ThrottlingException`), without its namespace."""
    value = headers.get("x-amzn-errortype")  # headers are case-insensitive
    return value.split(":", 1)[0].strip() or None if value else None


def aws_error(status_code: int, body: Any, headers: Mapping[str, str]) -> ApiError:
    """The ApiError for an AWS error answer: the class by error type, else by status; message kept."""
    kind = error_type(headers)
    cls = _BY_TYPE.get(kind or "")
    error = error_for_status(status_code, body, headers) if cls is None else cls(status_code=status_code, body=body, headers=headers)
    if isinstance(body, dict) and "message" not in body and isinstance(body.get("Message"), str):
        error.args = (f"status {status_code}: {' '.join(body['Message'].split())}",)  # SageMaker's spelling
    if kind is not None:
        error.args = (f"{error.args[0]} ({kind})",)
    error.error_type = kind  # type: ignore[attr-defined]
    return error
