"""The Bedrock and SageMaker runtime routes of the mock, in front of its Cohere API.

    POST /model/{model}/invoke, /model/{model}/invoke-with-response-stream          (Bedrock)
    POST /endpoints/{name}/invocations, /endpoints/{name}/invocations-response-stream  (SageMaker)

Each request's SigV4 signature is checked by botocore against the known test credentials
(`MOCK_ACCESS_KEY`, `MOCK_SECRET_KEY`, any session token but `EXPIRED_SESSION_TOKEN`). The body
is then turned back into the Cohere call it maps (model from the path, the stream flag, rerank's
`api_version` dropped), checked and answered by the mock's Cohere API, and the answer is given
back as the service would: Bedrock's token-count headers on JSON answers, streams as real
event-stream frames (base64 `chunk` frames for Bedrock; newline-delimited JSON cut across
`PayloadPart` frames for SageMaker, each line spanning two), errors named by `x-amzn-ErrorType`.
A signature that doesn't match is answered 403 with the canonical request, as AWS does (the
session token included: what a client must not let into its exceptions).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator
from urllib.parse import unquote

from ._awsframes import bedrock_chunk, payload_part
from ._exchange import Outgoing, Received

if TYPE_CHECKING:
    from .._spec._operations import Operation

__all__ = ["AwsRuntime", "MOCK_ACCESS_KEY", "MOCK_SECRET_KEY", "EXPIRED_SESSION_TOKEN", "is_aws_route"]

MOCK_ACCESS_KEY = "AKIDCOHEREDYNMOCK"
MOCK_SECRET_KEY = "cohere-dyn-mock-secret-access-key"
EXPIRED_SESSION_TOKEN = "cohere-dyn-mock-expired-session-token"
EVENT_STREAM = "application/vnd.amazon.eventstream"

_ROUTE = re.compile(r"^/(model|endpoints)/([^/]+)/(invoke|invoke-with-response-stream|invocations|invocations-response-stream)$")
_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request,\s*"
    r"SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$"
)
_SERVICES = {"model": "bedrock", "endpoints": "sagemaker"}
_ERROR_TYPES = {400: "ValidationException", 404: "ResourceNotFoundException", 429: "ThrottlingException"}


def is_aws_route(path: str) -> bool:
    return _ROUTE.match(path) is not None


class AwsRuntime:
    """Answers the runtime routes of both services with the mock's Cohere answers (`answer`, the
    app's handling of a Cohere request)."""

    def __init__(self, operations: Iterable[Operation], answer: Callable[[Received], Outgoing]):
        self.cohere_answer = answer
        self.operations = {operation.qualified_name: operation for operation in operations}

    def answer(self, received: Received) -> Outgoing:
        kind, segment, action = _ROUTE.match(received.path).groups()  # type: ignore[union-attr]
        service = _SERVICES[kind]
        refused = _signature_problem(received, service)
        if refused is not None:
            return refused
        try:
            body = json.loads(received.body)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return _aws_error(400, "ValidationException", "the body must be a JSON object")
        streaming = action.endswith("stream")
        name = _operation_name(body, streaming)
        if name is None or name not in self.operations:
            return _aws_error(400, "ValidationException", "the body is not a request any Cohere model takes")
        operation = self.operations[name]
        cohere_body = {key: value for key, value in body.items() if key != "api_version"}
        cohere_body["model"] = unquote(segment)
        if operation.stream is not None:
            cohere_body[operation.stream.flag] = operation.streaming
        inner = _inner_request(operation.path, cohere_body)
        outgoing = self.cohere_answer(inner)
        received.operation, received.problems = inner.operation, inner.problems
        if outgoing.status >= 400:
            message = json.loads(outgoing.body or b"{}").get("message", "the model refused the request")
            return _aws_error(outgoing.status, _ERROR_TYPES.get(outgoing.status, "InternalServerException"), message)
        if outgoing.chunks is not None:
            return _stream(service, outgoing.chunks)
        if service == "bedrock":
            outgoing.headers.update(_token_headers(json.loads(outgoing.body or b"{}")))
        else:
            outgoing.headers["X-Amzn-Invoked-Production-Variant"] = "AllTraffic"
        return outgoing


def _operation_name(body: dict[str, Any], streaming: bool) -> str | None:
    """The Cohere method a body is for, told by its fields as a Cohere model container tells it."""
    if "messages" in body:
        name = "v2.chat"
    elif "message" in body:
        name = "chat"
    elif "prompt" in body:
        name = "generate"
    elif "query" in body:
        return "v2.rerank" if body.get("api_version") == 2 else "rerank"
    elif any(key in body for key in ("texts", "images", "inputs")):
        return "v2.embed" if "embedding_types" in body or "inputs" in body else "embed"
    else:
        return None
    return f"{name}_stream" if streaming else name


def _inner_request(path: str, body: dict[str, Any]) -> Received:
    headers = {"authorization": "Bearer aws-mock", "content-type": "application/json"}
    return Received("POST", path, [], headers, json.dumps(body).encode())


def _signature_problem(received: Received, service: str) -> Outgoing | None:
    """None when the request is signed with the test credentials for `service`, else AWS's 403."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = received.headers
    match = _AUTHORIZATION.match(headers.get("authorization", ""))
    if match is None or "x-amz-date" not in headers:
        return _aws_error(403, "IncompleteSignatureException", "the request carries no valid SigV4 Authorization header")
    access_key, _date, region, signing_service, signed, signature = match.groups()
    if access_key != MOCK_ACCESS_KEY:
        return _aws_error(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
    if signing_service != service:
        return _aws_error(403, "InvalidSignatureException", f"Credential should be scoped to correct service: '{service}'.")
    token = headers.get("x-amz-security-token")
    if token == EXPIRED_SESSION_TOKEN:
        return _aws_error(403, "ExpiredTokenException", "The security token included in the request is expired")
    request = AWSRequest(
        method=received.method,
        url=f"http://{headers.get('host', '')}{received.path}",
        headers={name: headers[name] for name in signed.split(";") if name in headers},
        data=received.body,
    )
    request.context["timestamp"] = headers["x-amz-date"]
    signer = SigV4Auth(Credentials(MOCK_ACCESS_KEY, MOCK_SECRET_KEY, token), signing_service, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if expected != signature:
        message = (
            "The request signature we calculated does not match the signature you provided. Check your AWS "
            f"Secret Access Key and signing method. The Canonical String for this request should have been\n'{canonical}'"
        )
        return _aws_error(403, "InvalidSignatureException", message)
    return None


def _aws_error(status: int, error_type: str, message: str) -> Outgoing:
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": f"{error_type}:http://internal.amazon.com/coral/com.amazon.bedrock/"}
    return Outgoing(status, headers, json.dumps({"message": message}).encode())


def _token_headers(answer: Any) -> dict[str, str]:
    """Bedrock's token counts for an answer, from its billed units (or a count of its words)."""
    meta = answer.get("meta") or answer.get("usage") or {} if isinstance(answer, dict) else {}
    billed = meta.get("billed_units") or {} if isinstance(meta, dict) else {}
    counts = {"Input": billed.get("input_tokens"), "Output": billed.get("output_tokens")}
    headers = {"X-Amzn-Bedrock-Invocation-Latency": "42"}
    for name, value in counts.items():
        if isinstance(value, (int, float)):
            headers[f"X-Amzn-Bedrock-{name}-Token-Count"] = str(int(value))
    return headers


def _events(chunks: Iterator[bytes]) -> Iterator[dict[str, Any]]:
    """The Cohere events of the mock's own stream chunks (one event per chunk, SSE or NDJSON)."""
    for chunk in chunks:
        text = chunk.decode()
        data = next((line[5:].strip() for line in text.split("\n") if line.startswith("data:")), None) if text.startswith(("event:", "data:")) else text
        if data and data != "[DONE]":
            yield json.loads(data)


def _stream(service: str, chunks: Iterator[bytes]) -> Outgoing:
    def bedrock() -> Iterator[bytes]:
        previous = None
        for event in _events(chunks):
            if previous is not None:
                yield bedrock_chunk(previous)
            previous = event
        if previous is not None:
            metrics = {"inputTokenCount": 7, "outputTokenCount": 5, "invocationLatency": 42, "firstByteLatency": 12}
            yield bedrock_chunk({**previous, "amazon-bedrock-invocationMetrics": metrics})

    def sagemaker() -> Iterator[bytes]:
        tail = b""
        for event in _events(chunks):
            line = json.dumps(event, separators=(",", ":")).encode() + b"\n"
            middle = len(line) // 2
            yield payload_part(tail + line[:middle])  # every line spans two frames
            tail = line[middle:]
        if tail:
            yield payload_part(tail)

    headers = {"Content-Type": EVENT_STREAM}
    if service == "sagemaker":
        headers["X-Amzn-SageMaker-Content-Type"] = "application/jsonlines"
    return Outgoing(200, headers, chunks=bedrock() if service == "bedrock" else sagemaker())
