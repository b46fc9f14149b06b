"""OCI Generative AI's inference routes in the mock: `POST /20231130/actions/chat` and `/embedText`.

Written from OCI's API reference, independently of the client's maps, so that a client test
through the mock checks the client's mapping against OCI's own names:

- each request's HTTP signature (rsa-sha256 over date, (request-target), host, content-length,
  content-type, x-content-sha256) is verified with a public key the mock trusts:
  `oci_test_credentials()` makes a key pair, trusts it and returns the client's keywords; a
  missing, unknown or wrong signature, a stale date or a body that doesn't match its digest is
  answered 401 `NotAuthenticated`, as OCI answers;
- the body must use only the fields OCI defines (ChatDetails, CohereChatRequest,
  CohereChatRequestV2, EmbedTextDetails; top level and request level): anything else is a 400
  `InvalidParameter` naming the field;
- answers are OCI's: `chatResponse` with `apiFormat` COHERE or COHEREV2, `usage` with
  `promptTokens`/`completionTokens`; streams are SSE, one event per word, a last event with
  `finishReason` (v1 repeats the whole text there, as OCI does), a usage event when
  `streamOptions.isIncludeUsage` asks for it, then `data: [DONE]`; embeddings one per input, the
  mock's deterministic vectors (`_retrieval`), 8 dimensions.

This module imports nothing of the mock's app, only what it exchanges (`Received`, `Outgoing`).
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import json
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

from ._exchange import Outgoing, Received
from ._retrieval import _by_type
from ._text import new_id, pieces, reply_to

__all__ = ["OciRuntime", "OCI_PREFIX", "oci_test_credentials", "trust_oci_key"]

OCI_PREFIX = "/20231130/actions/"
_ROUTES = ("chat", "embedText")
_TOP = {"chat": {"compartmentId", "servingMode", "chatRequest"}}
_EMBED = {"inputs", "embedContents", "servingMode", "compartmentId", "isEcho", "embeddingTypes", "outputDimensions", "truncate", "inputType"}
_COHERE = {
    "apiFormat", "message", "chatHistory", "documents", "responseFormat", "isSearchQueriesOnly", "preambleOverride",
    "isStream", "streamOptions", "maxTokens", "maxInputTokens", "temperature", "topK", "topP", "promptTruncation",
    "frequencyPenalty", "presencePenalty", "seed", "isEcho", "tools", "toolResults", "isForceSingleStep",
    "stopSequences", "isRawPrompting", "citationQuality", "safetyMode",
}
_COHEREV2 = {
    "apiFormat", "messages", "documents", "citationOptions", "toolsChoice", "tools", "isStrictToolsEnabled",
    "isLogProbsEnabled", "thinking", "responseFormat", "isSearchQueriesOnly", "streamOptions", "isStream", "maxTokens",
    "temperature", "topK", "topP", "frequencyPenalty", "presencePenalty", "seed", "stopSequences", "priority",
    "isRawPrompting", "safetyMode",
}
_EMBEDDING_TYPES = {"float", "int8", "uint8", "binary", "ubinary", "base64"}
_DIMENSION = 8
_SIGNED = ("date", "(request-target)", "host", "content-length", "content-type", "x-content-sha256")
_TRUSTED: dict[str, Any] = {}  # keyId -> public key
_SKEW = 300  # seconds a request's date may be off, as OCI allows


def trust_oci_key(key_id: str, public_key: Any) -> None:
    """Make the mock accept signatures by `key_id` that verify with `public_key` (a cryptography key)."""
    _TRUSTED[key_id] = public_key


def oci_test_credentials(folder: str | Path | None = None, region: str = "us-chicago-1") -> dict[str, Any]:
    """A fresh key pair the mock trusts, written to `folder` (a temporary one by default): the
    keywords of an OciClient that signs with it (add base_url= the mock's URL)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    where = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="cohere-dyn-oci-"))
    path = where / "oci_mock_api_key.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    path.chmod(0o600)
    public_der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.md5(public_der, usedforsecurity=False).hexdigest()  # how OCI names a key: its fingerprint
    fingerprint = ":".join(digest[i : i + 2] for i in range(0, 32, 2))
    tenancy, user = "ocid1.tenancy.oc1..cohere-dyn-mock", "ocid1.user.oc1..cohere-dyn-mock"
    trust_oci_key(f"{tenancy}/{user}/{fingerprint}", key.public_key())
    return {
        "oci_user_id": user,
        "oci_fingerprint": fingerprint,
        "oci_tenancy_id": tenancy,
        "oci_private_key_path": str(path),
        "oci_region": region,
        "oci_compartment_id": "ocid1.compartment.oc1..cohere-dyn-mock",
    }


def _error(status: int, code: str, message: str) -> Outgoing:
    body = json.dumps({"code": code, "message": message}).encode()
    return Outgoing(status, {"Content-Type": "application/json", "opc-request-id": new_id()}, body)


def _json(answer: dict[str, Any]) -> Outgoing:
    return Outgoing(200, {"Content-Type": "application/json", "opc-request-id": new_id()}, json.dumps(answer).encode())


class OciRuntime:
    """Answers OCI's inference routes (see the module docstring)."""

    def answer(self, received: Received) -> Outgoing:
        method, path, headers, body = received.method, received.path, received.headers, received.body
        action = path[len(OCI_PREFIX) :] if path.startswith(OCI_PREFIX) else ""
        if action not in _ROUTES:
            return _error(404, "NotFound", f"no action at {path}")
        if method != "POST":
            return _error(405, "MethodNotAllowed", f"{method} is not allowed on {path}")
        problem = _signature_problem(method, path, headers, body)
        if problem is not None:
            return _error(401, "NotAuthenticated", f"The required information to complete authentication was not provided or was incorrect: {problem}")
        try:
            details = json.loads(body)
        except ValueError:
            return _error(400, "CannotParseRequest", "the body is not JSON")
        if not isinstance(details, dict):
            return _error(400, "CannotParseRequest", "the body is not a JSON object")
        return self._chat(details) if action == "chat" else self._embed(details)

    def _chat(self, details: dict[str, Any]) -> Outgoing:
        refused = _unknown(details, _TOP["chat"], "") or _serving(details)
        if refused:
            return refused
        request = details.get("chatRequest")
        if not isinstance(request, dict):
            return _error(400, "MissingParameter", "chatRequest is required")
        api_format = request.get("apiFormat")
        if api_format not in ("COHERE", "COHEREV2"):
            return _error(400, "InvalidParameter", f"chatRequest.apiFormat {api_format!r} doesn't match a Cohere model")
        refused = _unknown(request, _COHERE if api_format == "COHERE" else _COHEREV2, "chatRequest.")
        if refused:
            return refused
        turn = _turn_v1(request) if api_format == "COHERE" else _turn_v2(request)
        if isinstance(turn, Outgoing):
            return turn
        wants_usage = bool((request.get("streamOptions") or {}).get("isIncludeUsage"))
        if request.get("isStream"):
            return Outgoing(200, {"Content-Type": "text/event-stream", "opc-request-id": new_id()}, chunks=_stream(api_format, turn, wants_usage))
        return _json({"modelId": details["servingMode"].get("modelId", "dedicated"), "modelVersion": "1.0", "chatResponse": _whole(api_format, turn)})

    def _embed(self, details: dict[str, Any]) -> Outgoing:
        refused = _unknown(details, _EMBED, "") or _serving(details)
        if refused:
            return refused
        inputs = details.get("inputs")
        contents = details.get("embedContents")
        if not inputs and not contents:
            return _error(400, "MissingParameter", "inputs or embedContents is required")
        items = [str(item) for item in inputs] if inputs else [json.dumps(item, sort_keys=True) for item in contents or ()]
        types = details.get("embeddingTypes") or []
        if not set(types) <= _EMBEDDING_TYPES:
            return _error(400, "InvalidParameter", f"embeddingTypes: each of {sorted(_EMBEDDING_TYPES)}")
        vectors = _by_type(["float", *types], items, _DIMENSION)
        answer: dict[str, Any] = {"id": new_id(), "embeddings": vectors["float"], "modelId": details["servingMode"].get("modelId"), "modelVersion": "3.0"}
        if types:
            answer["embeddingsByType"] = {kind: vectors[kind] for kind in types}
        if details.get("isEcho") and inputs:
            answer["inputs"] = inputs
        words = sum(len(item.split()) for item in items)
        answer["usage"] = {"promptTokens": words, "totalTokens": words}
        return _json(answer)


def _unknown(found: dict[str, Any], defined: set[str], prefix: str) -> Outgoing | None:
    extra = [key for key in found if key not in defined]
    if extra:
        return _error(400, "InvalidParameter", f"Unrecognized field {prefix}{extra[0]}: OCI defines {', '.join(sorted(defined))}")
    return None


def _serving(details: dict[str, Any]) -> Outgoing | None:
    if not details.get("compartmentId"):
        return _error(400, "MissingParameter", "compartmentId is required")
    mode = details.get("servingMode")
    if not isinstance(mode, dict) or mode.get("servingType") not in ("ON_DEMAND", "DEDICATED"):
        return _error(400, "InvalidParameter", "servingMode.servingType must be ON_DEMAND or DEDICATED")
    wanted = "modelId" if mode["servingType"] == "ON_DEMAND" else "endpointId"
    if not mode.get(wanted) or set(mode) != {"servingType", wanted}:
        return _error(400, "InvalidParameter", f"servingMode holds servingType and {wanted}")
    return None


class _Turn:
    def __init__(self, said: str, text: str, tools: list[dict[str, Any]], history: list[Any]):
        self.said = said
        self.text = text
        self.tools = tools
        self.history = history

    @property
    def usage(self) -> dict[str, int]:
        prompt, completion = len(self.said.split()) or 1, len(self.text.split())
        return {"promptTokens": prompt, "completionTokens": completion, "totalTokens": prompt + completion}


def _turn_v1(request: dict[str, Any]) -> _Turn | Outgoing:
    message = request.get("message")
    if not isinstance(message, str):
        return _error(400, "MissingParameter", "chatRequest.message is required")
    tools = request.get("tools") or []
    for tool in tools:
        if not isinstance(tool, dict) or set(tool) - {"name", "description", "parameterDefinitions"}:
            return _error(400, "InvalidParameter", "chatRequest.tools[]: CohereTool holds name, description, parameterDefinitions")
    text = "" if tools and not request.get("toolResults") else reply_to(message)
    return _Turn(message, text, tools if not request.get("toolResults") else [], list(request.get("chatHistory") or []))


def _turn_v2(request: dict[str, Any]) -> _Turn | Outgoing:
    messages = request.get("messages")
    if not isinstance(messages, list) or not messages:
        return _error(400, "MissingParameter", "chatRequest.messages is required")
    said = ""
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ("USER", "ASSISTANT", "SYSTEM", "TOOL"):
            return _error(400, "InvalidParameter", "chatRequest.messages[].role is USER, ASSISTANT, SYSTEM or TOOL")
        content = message.get("content")
        if content is not None and not isinstance(content, list):
            return _error(400, "InvalidParameter", "chatRequest.messages[].content is a list of content objects")
        if message["role"] == "USER":
            said = " ".join(item.get("text", "") for item in content or () if isinstance(item, dict) and item.get("type") == "TEXT")
    tools = request.get("tools") or []
    answered = messages[-1].get("role") == "TOOL"
    text = "" if tools and not answered else reply_to(said)
    return _Turn(said, text, tools if not answered else [], [])


def _tool_name(tool: dict[str, Any]) -> str:
    return str(tool.get("name") or (tool.get("function") or {}).get("name") or "tool")


def _whole(api_format: str, turn: _Turn) -> dict[str, Any]:
    if api_format == "COHERE":
        answer: dict[str, Any] = {"apiFormat": "COHERE", "text": turn.text, "finishReason": "COMPLETE", "usage": turn.usage}
        answer["chatHistory"] = [*turn.history, {"role": "USER", "message": turn.said}, {"role": "CHATBOT", "message": turn.text}]
        if turn.tools:
            answer["toolCalls"] = [{"name": _tool_name(turn.tools[0]), "parameters": {}}]
        return answer
    message: dict[str, Any] = {"role": "ASSISTANT"}
    if turn.tools:
        message["toolPlan"] = f"I will call {_tool_name(turn.tools[0])}."
        message["toolCalls"] = [{"id": new_id(), "type": "FUNCTION", "function": {"name": _tool_name(turn.tools[0]), "arguments": "{}"}}]
    else:
        message["content"] = [{"type": "TEXT", "text": turn.text}]
    return {"apiFormat": "COHEREV2", "id": new_id(), "message": message, "finishReason": "TOOL_CALL" if turn.tools else "COMPLETE", "usage": turn.usage}


def _sse(event: Any) -> bytes:
    return b"data: " + (event if isinstance(event, bytes) else json.dumps(event).encode()) + b"\n\n"


def _stream(api_format: str, turn: _Turn, wants_usage: bool) -> Iterator[bytes]:
    whole = _whole(api_format, turn)
    usage = whole.pop("usage")
    for piece in pieces(turn.text):
        if api_format == "COHERE":
            yield _sse({"apiFormat": "COHERE", "text": piece, "index": 0})
        else:
            yield _sse({"apiFormat": "COHEREV2", "index": 0, "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": piece}]}})
    if api_format == "COHERE":
        yield _sse(whole)  # OCI's last v1 event: the whole answer again, with finishReason
    else:
        message = {key: value for key, value in whole["message"].items() if key != "content"}
        yield _sse({"apiFormat": "COHEREV2", "message": message, "finishReason": whole["finishReason"]})
    if wants_usage:
        yield _sse({"apiFormat": api_format, "usage": usage})
    yield _sse(b"[DONE]")


def _signature_problem(method: str, path: str, headers: dict[str, str], body: bytes) -> str | None:
    """None when the request is signed as OCI requires by a key the mock trusts."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    authorization = headers.get("authorization", "")
    if not authorization.startswith("Signature "):
        return "no Signature in the Authorization header"
    try:
        parts = dict(part.strip().split("=", 1) for part in authorization[len("Signature ") :].split(","))
    except ValueError:
        return "a malformed Signature"
    fields = {key: value.strip('"') for key, value in parts.items()}
    public_key = _TRUSTED.get(fields.get("keyId", ""))
    if public_key is None:
        return f"unknown keyId {fields.get('keyId', '')!r}"
    if fields.get("algorithm") != "rsa-sha256":
        return "the algorithm must be rsa-sha256"
    signed = fields.get("headers", "").split()
    missing = [name for name in _SIGNED if name not in signed]
    if missing:
        return f"the signature must cover {', '.join(missing)}"
    if headers.get("x-content-sha256") != base64.b64encode(hashlib.sha256(body).digest()).decode():
        return "x-content-sha256 is not the digest of the body"
    if headers.get("content-length") != str(len(body)):
        return "content-length is not the body's length"
    when = email.utils.parsedate_to_datetime(headers["date"]).timestamp() if headers.get("date") else None
    if when is None or abs(time.time() - when) > _SKEW:
        return "the date header is missing or more than 5 minutes off"
    lines = [f"(request-target): {method.lower()} {path}" if name == "(request-target)" else f"{name}: {headers.get(name, '')}" for name in signed]
    try:
        public_key.verify(base64.b64decode(fields.get("signature", "")), "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return "the signature does not verify"
    return None
