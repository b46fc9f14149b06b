"""The mock's request handling, free of HTTP plumbing: received request in, answer out.

In order: the API key (401), the route (404, 405), openapi-core's check of the whole request
(400 with the problems), then the operation's behaviour, or the generic spec-built answer.
"""

from __future__ import annotations

import json
import logging
from email.message import Message
from email.parser import BytesParser
from typing import Any, Iterator, Mapping

from .._spec._operations import Operation
from .._spec._schemas import Resolver, discriminator_values
from .._spec._document import Spec
from ._behaviours import BEHAVIOURS
from ._checks import Problem, RequestChecker
from ._exchange import Behaviour, Call, Events, Outgoing, Received, Reply
from ._files import FILES_PREFIX, serve_file
from ._framing import DONE, SSE, frame, stream_media_type
from ._routing import Router, pick
from ._tokenizer import TOKENIZERS_PREFIX, serve_tokenizer
from ._store import Store
from ._synth import Synthesizer

__all__ = ["MockApp", "Received", "Outgoing"]

logger = logging.getLogger("cohere_dyn.mock")


class MockApp:
    """Answers requests for the operations of one spec, with its own in-memory state."""

    def __init__(self, spec: Spec, behaviours: Mapping[str, Behaviour] = BEHAVIOURS):
        self.spec = spec
        self.behaviours = behaviours
        self.router = Router(spec.operations)
        self.checker = RequestChecker(spec.document)
        self.store = Store()
        self.synth = Synthesizer(spec.resolver)
        self._aws: Any = None  # the Bedrock and SageMaker routes, made on their first request
        self._oci: Any = None  # OCI Generative AI's routes, likewise

    def handle(self, received: Received) -> Outgoing:
        """The answer to `received`, whose operation, status and problems are filled in on the way."""
        try:
            outgoing = self._answer(received)
        except Exception as exc:  # a bug here or in openapi-core must not drop the connection unexplained
            logger.exception("cohere_dyn mock: %s %s failed", received.method, received.path)
            outgoing = _json(500, {"message": f"the mock failed on {received.method} {received.path}: {exc!r}"})
        received.status = outgoing.status
        return outgoing

    def _answer(self, received: Received) -> Outgoing:
        if received.method == "GET" and received.path.startswith(FILES_PREFIX):  # a dataset part's download link
            status, content = serve_file(self.store, received.path)
            return Outgoing(status, {"Content-Type": "application/avro" if status == 200 else "text/plain"}, content)
        if received.method == "GET" and received.path.startswith(TOKENIZERS_PREFIX):  # a model's tokenizer_url
            status, content = serve_tokenizer(received.path)
            return Outgoing(status, {"Content-Type": "application/json" if status == 200 else "text/plain"}, content)
        if received.path.startswith(("/model/", "/endpoints/")):
            from ._aws import AwsRuntime, is_aws_route

            if is_aws_route(received.path):
                if self._aws is None:
                    self._aws = AwsRuntime(self.spec.operations, self._answer)
                return self._aws.answer(received)
        if received.path.startswith("/20231130/actions/"):  # OCI Generative AI (see _oci)
            if self._oci is None:
                from ._oci import OciRuntime

                self._oci = OciRuntime()
            return self._oci.answer(received)
        scheme, _, key = received.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return _json(401, {"message": "no api key supplied"})
        found = self.router.find(received.path)
        if found is None:
            return _json(404, {"message": f"no route for {received.method} {received.path}"})
        route, path_params = found
        candidates = route.operations.get(received.method)
        if candidates is None:
            allowed = ", ".join(sorted(route.operations))
            return _json(405, {"message": f"{received.method} is not allowed on {route.template}"}, {"Allow": allowed})
        content_type = received.headers.get("content-type", "")
        body = _parsed(content_type, received.body)
        operation = pick(candidates, body)
        received.operation = operation.qualified_name
        received.problems = self.checker.problems(
            received.method, received.path, received.query, received.headers, received.body
        )
        if received.problems:
            return _json(400, {"message": _summary(received.problems), "problems": received.problems})
        query: dict[str, list[str]] = {}
        for name, value in received.query:
            query.setdefault(name, []).append(value)
        call = Call(operation, path_params, query, received.headers, body, self.store, self.synth)
        answer = self.behaviours.get(operation.qualified_name, _generic)(call)
        if isinstance(answer, Events):
            return self._stream(operation, received.headers, answer)
        if isinstance(answer, Reply):
            return _json(answer.status, answer.body, answer.headers)
        return _json(200, answer)

    def _stream(self, operation: Operation, headers: Mapping[str, str], answer: Events) -> Outgoing:
        media_type = stream_media_type(operation, headers)
        union = _event_union(self.spec.resolver, operation.event_schemas.get(media_type))
        type_field = union[0] if union else None

        def chunks() -> Iterator[bytes]:
            for event in answer.events:
                yield frame(event, media_type, type_field)
            if answer.done and media_type == SSE:
                yield DONE

        return Outgoing(200, {"Content-Type": media_type, "Cache-Control": "no-cache"}, chunks=chunks())


def _generic(call: Call) -> Any:
    """The answer of an operation without a behaviour: built from its response schemas."""
    if not call.operation.streaming:
        return call.schema_answer()
    schema = next(iter(call.operation.event_schemas.values()), None)
    union = _event_union(call.synth.resolver, schema)
    if union is None:
        return Events([call.synth.value(schema)])
    prop, branches = union
    return Events([{**call.synth.value(branch), prop: value} for value, branch in branches.items()])


def _event_union(resolver: Resolver, schema: Any) -> tuple[str, dict[str, Any]] | None:
    """For an event schema that is a discriminated union: its type property and branches by type."""
    target = resolver.deref(schema)
    branches = discriminator_values(resolver, target) if isinstance(target, dict) else None
    return (target["discriminator"]["propertyName"], branches) if branches else None


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Outgoing:
    if body is None:
        return Outgoing(status, dict(headers or {}))
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Outgoing(status, {"Content-Type": "application/json", **(headers or {})}, content)


def _parsed(content_type: str, body: bytes) -> Any:
    """The body as behaviours see it: JSON, {part name: bytes} for a form, else None."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/json" and body:
        try:
            return json.loads(body)
        except ValueError:
            return None
    if media_type == "multipart/form-data":
        message = BytesParser().parsebytes(b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
        parts: list[Message] = message.get_payload() if message.is_multipart() else []  # type: ignore[assignment]
        return {
            part.get_param("name", header="content-disposition"): part.get_payload(decode=True) or b"" for part in parts
        }
    return None


def _summary(problems: list[Problem]) -> str:
    shown = "; ".join(f"{p['path']}: {p['message']}" if p["path"] else p["message"] for p in problems[:3])
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return f"invalid request: {shown}{more}"
