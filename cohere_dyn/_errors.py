"""Every error cohere_dyn raises.

    CohereError
    ├── SpecError                    a spec file can't be read or makes no sense (names file and pointer)
    ├── ValidationError(ValueError)  a payload breaks the spec; raised before anything is sent
    ├── TransportError
    │   ├── ConnectionError          no connection, it broke, or the answer was no HTTP
    │   └── TimeoutError(builtins.TimeoutError)
    ├── StreamError                  a stream broke mid-way; carries the events received so far
    ├── NotServedError(NotImplementedError)  a cloud deployment doesn't serve this method; nothing sent
    ├── JobFailedError               client.wait(): the job or dataset reached a failure status
    ├── WaitTimeoutError(builtins.TimeoutError)  client.wait(): no final status in time
    └── ApiError                     the API answered with an error status (status_code, body, headers)
        ├── BadRequestError                400
        ├── UnauthorizedError              401
        ├── PaymentRequiredError           402
        ├── ForbiddenError                 403
        ├── NotFoundError                  404
        ├── UnprocessableEntityError       422
        ├── TooManyRequestsError           429
        ├── InvalidTokenError              498
        ├── ClientClosedRequestError       499
        ├── InternalServerError            500
        ├── NotImplementedApiError         501
        ├── ServiceUnavailableError        503
        └── GatewayTimeoutError            504

Messages never contain the API key or cloud credentials, even when a server echoes them (the
callers pass every error through `_redaction.redact`), and never echo a whole payload (prompts
end up in logs).
"""

from __future__ import annotations

import builtins

TYPE_CHECKING = False  # typing is not imported at run time: importing cohere_dyn stays fast
if TYPE_CHECKING:
    from typing import Any, Mapping, Sequence

__all__ = [
    "CohereError",
    "SpecError",
    "ValidationError",
    "ValidationProblem",
    "TransportError",
    "ConnectionError",
    "TimeoutError",
    "StreamError",
    "NotServedError",
    "JobFailedError",
    "WaitTimeoutError",
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
    "error_for_status",
    "Headers",
]


class CohereError(Exception):
    """Base class of every error cohere_dyn raises."""

    def __reduce__(self) -> Any:
        """Pickled whole, whatever its constructor takes (a process pool hands errors back so)."""
        return _rebuilt, (type(self), self.args, self.__dict__)


def _rebuilt(cls: type[CohereError], args: Any, state: Any) -> CohereError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class SpecError(CohereError):
    """A spec document can't be loaded or used."""

    def __init__(self, message: str, *, source: str | None = None, pointer: str | None = None):
        where = " ".join(part for part in (source, f"at {pointer}" if pointer else None) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.source = source
        self.pointer = pointer


class ValidationProblem:
    """One way a payload breaks the spec: where (a JSON path), what, and which schema rule."""

    __slots__ = ("path", "message", "validator")

    def __init__(self, path: str, message: str, validator: str):
        self.path = path
        self.message = message
        self.validator = validator

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def __repr__(self) -> str:
        return f"ValidationProblem(path={self.path!r}, message={self.message!r}, validator={self.validator!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ValidationProblem):
            return NotImplemented
        return (self.path, self.message, self.validator) == (other.path, other.message, other.validator)

    def __hash__(self) -> int:
        return hash((self.path, self.message, self.validator))

    def __reduce__(self) -> Any:
        return ValidationProblem, (self.path, self.message, self.validator)

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "validator": self.validator}


class ValidationError(CohereError, ValueError):
    """A payload doesn't match the spec. Nothing was sent.

    `problems` lists each one with its JSON path; `str()` names the method and every problem.
    """

    def __init__(self, method: str, problems: Sequence[ValidationProblem]):
        self.method = method
        self.problems = list(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        count = len(self.problems)
        super().__init__(f"{method}: {count} problem{'s' if count != 1 else ''} in the request\n{lines}")

    @property
    def details(self) -> list[dict[str, str]]:
        return [problem.to_dict() for problem in self.problems]


class TransportError(CohereError):
    """The request did not get an HTTP response."""


class ConnectionError(TransportError):
    """The connection could not be made, or it broke, or what came back was no HTTP answer.

    `response_started` is True when the server had begun to answer (a body cut short, a malformed
    status line or header): it saw the request, so the call is not retried. `retryable` is False
    whenever a retry can't help: then, and when the host name doesn't resolve.
    """

    def __init__(self, message: str, *, response_started: bool = False, retryable: bool | None = None):
        super().__init__(message)
        self.response_started = response_started
        self.retryable = not response_started if retryable is None else retryable


class TimeoutError(TransportError, builtins.TimeoutError):
    """Connecting or reading took longer than the timeout allows.

    `connect` is True when no connection was made (nothing was sent, so a retry is safe).
    """

    def __init__(self, message: str, *, connect: bool = False):
        super().__init__(message)
        self.connect = connect


class StreamError(CohereError):
    """A stream broke: a malformed event, a wrong Content-Type, or a cut connection.

    `events` holds every event received before the fault.
    """

    def __init__(self, message: str, events: Sequence[Any] = ()):
        super().__init__(message)
        self.events = list(events)


class NotServedError(CohereError, NotImplementedError):
    """The client's deployment (Amazon Bedrock, SageMaker) doesn't serve this method. Nothing was sent."""


class JobFailedError(CohereError):
    """A job or dataset reached a failure status. `status` is that status, `result` the last answer."""

    def __init__(self, message: str, status: Any, result: Any):
        super().__init__(message)
        self.status = status
        self.result = result


class WaitTimeoutError(CohereError, builtins.TimeoutError):
    """`timeout` seconds passed before a final status. `result` is the last answer."""

    def __init__(self, message: str, result: Any):
        super().__init__(message)
        self.result = result


class ApiError(CohereError):
    """The API answered with an error status.

    `body` is the decoded JSON when the response was JSON, else its text; `headers` are the
    response headers (rate-limit and Retry-After headers among them), looked up in any case.
    """

    status_code: int

    def __init__(self, status_code: int | None = None, body: Any = None, headers: Mapping[str, str] | None = None):
        self.status_code = status_code  # type: ignore[assignment]  # None only when code builds one so
        self.body = body
        self.headers = Headers(headers or {})
        super().__init__(f"status {status_code}: {_summarise(body)}" if status_code is not None else _summarise(body))


class _StatusError(ApiError):
    """An ApiError of one status. Made as the official SDK makes its own, `TooManyRequestsError(body,
    headers=None)`, so that code (and tests) written for it builds them unchanged; `status_code=`
    says when the answer had another (a cloud's 429 that means "not ready")."""

    def __init__(self, body: Any = None, headers: Mapping[str, str] | None = None, *, status_code: int | None = None):
        super().__init__(type(self).status_code if status_code is None else status_code, body, headers)


class Headers(dict):  # type: ignore[type-arg]
    """Response headers: a dict whose lookups ignore the names' case, as HTTP does (transports
    spell some names their own way: aiohttp says `X-Request-ID` for `X-Request-Id`)."""

    def __init__(self, headers: Mapping[str, str]):
        super().__init__((str(name), value) for name, value in headers.items())

    def _name(self, name: object) -> object:
        """The key as stored for `name`: itself, else one that differs only in case (a few dozen
        headers at most, and no index to go stale when the dict is written to)."""
        if not isinstance(name, str) or super().__contains__(name):
            return name
        wanted = name.lower()
        return next((key for key in self if key.lower() == wanted), name)

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(self._name(name))

    def __contains__(self, name: object) -> bool:
        return super().__contains__(self._name(name))

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(self._name(name), default)


def _summarise(body: Any, limit: int = 300) -> str:
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        text = body["message"]
    else:
        text = body if isinstance(body, str) else repr(body)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class BadRequestError(_StatusError):
    status_code = 400


class UnauthorizedError(_StatusError):
    status_code = 401


class PaymentRequiredError(_StatusError):
    status_code = 402


class ForbiddenError(_StatusError):
    status_code = 403


class NotFoundError(_StatusError):
    status_code = 404


class UnprocessableEntityError(_StatusError):
    status_code = 422


class TooManyRequestsError(_StatusError):
    status_code = 429


class InvalidTokenError(_StatusError):
    status_code = 498


class ClientClosedRequestError(_StatusError):
    status_code = 499


class InternalServerError(_StatusError):
    status_code = 500


class NotImplementedApiError(_StatusError):
    status_code = 501


class ServiceUnavailableError(_StatusError):
    status_code = 503


class GatewayTimeoutError(_StatusError):
    status_code = 504


_BY_STATUS: dict[int, type[ApiError]] = {
    cls.status_code: cls
    for cls in (
        BadRequestError,
        UnauthorizedError,
        PaymentRequiredError,
        ForbiddenError,
        NotFoundError,
        UnprocessableEntityError,
        TooManyRequestsError,
        InvalidTokenError,
        ClientClosedRequestError,
        InternalServerError,
        NotImplementedApiError,
        ServiceUnavailableError,
        GatewayTimeoutError,
    )
}


def error_for_status(status_code: int, body: Any, headers: Mapping[str, str]) -> ApiError:
    """The ApiError subclass for a status, or a plain ApiError for any other."""
    return _BY_STATUS.get(status_code, ApiError)(status_code=status_code, body=body, headers=headers)


def sdk_error_classes() -> dict[str, type[ApiError]]:
    """ApiError and its subclasses by the official SDK's names (`NotImplementedError` for the 501)."""
    found: dict[str, type[ApiError]] = {"ApiError": ApiError}
    for name in __all__:
        value = globals()[name]
        if isinstance(value, type) and issubclass(value, _StatusError):
            found["NotImplementedError" if value is NotImplementedApiError else name] = value
    return found
