"""Record what the official SDK's OCI clients send, and what they make of OCI's answers, as fixtures.

Run with the official SDK's interpreter (not cohere_dyn's), for instance:

    python -m venv /tmp/oci-sdk && /tmp/oci-sdk/bin/pip install cohere==7.3.1 oci
    /tmp/oci-sdk/bin/python tools/capture_oci_wire.py tests/fixtures/oci_wire

The SDK builds https://inference.generativeai.<region>.oci.oraclecloud.com/... URLs itself; this
script sends those requests to the loopback server of tests/capture.py instead (scheme, host and
port replaced, path and body kept). Each call gets one JSON file: the call, the method, the raw
path, the body bytes, the headers that describe it (the signature's algorithm, keyId and header
list, not its value, which depends on the time), the answer the loopback server gave (written here
after OCI's API reference: chat, embedText, SSE streams) and what the SDK returned from it
(`sdk_result`, or `sdk_outcome` naming the exception). Fake credentials only (a key made on the
spot); nothing leaves the machine.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.capture import CaptureServer, Reply  # noqa: E402

REGION = "us-chicago-1"
COMPARTMENT = "ocid1.compartment.oc1..capturecompartment"
TENANCY = "ocid1.tenancy.oc1..capturetenancy"
USER = "ocid1.user.oc1..captureuser"
FINGERPRINT = "11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff"
KEPT_HEADERS = ("content-type",)

V1, V2 = "OciClient", "OciClientV2"
TOOL_V2 = '{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}'
CASES = {
    # name: (client class, python call using `co`, the OCI answer the loopback server gives)
    "chat": (V1, 'co.chat(model="command-r-08-2024", message="What is the capital of France?")', "v1"),
    "chat_options": (V1, 'co.chat(model="cohere.command-r-plus-08-2024", message="Caf\\u00e9?", preamble="Answer in French", temperature=0.3, max_tokens=50, k=10, p=0.75, seed=7, stop_sequences=["END"], frequency_penalty=0.1, presence_penalty=0.2)', "v1"),
    "chat_history_documents": (V1, 'co.chat(model="command-r-08-2024", message="and now?", chat_history=[{"role": "USER", "message": "hi"}, {"role": "CHATBOT", "message": "hello"}], documents=[{"title": "Tall penguins", "snippet": "Emperor penguins are the tallest."}])', "v1-citations"),
    "chat_tools_v1": (V1, 'co.chat(model="command-r-08-2024", message="weather in Paris?", tools=[{"name": "get_weather", "description": "Weather in a city", "parameter_definitions": {"city": {"description": "the city", "type": "str", "required": True}}}])', "v1-tools"),
    "chat_tool_results_v1": (V1, 'co.chat(model="command-r-08-2024", message="", tools=[{"name": "get_weather", "description": "Weather in a city"}], tool_results=[{"call": {"name": "get_weather", "parameters": {"city": "Paris"}}, "outputs": [{"temperature": 21}]}], force_single_step=True)', "v1"),
    "chat_format_safety_v1": (V1, 'co.chat(model="command-r-08-2024", message="JSON please", response_format={"type": "json_object", "schema": {"type": "object"}}, safety_mode="STRICT", prompt_truncation="AUTO_PRESERVE_ORDER", citation_quality="FAST", max_input_tokens=1000, search_queries_only=False, raw_prompting=False)', "v1"),
    "chat_stream": (V1, 'list(co.chat_stream(model="command-r-08-2024", message="Tell me a story", max_tokens=50))', "v1-stream"),
    "chat_stream_history": (V1, 'list(co.chat_stream(model="command-r-08-2024", message="more", chat_history=[{"role": "USER", "message": "a"}, {"role": "CHATBOT", "message": "b"}], temperature=0.0))', "v1-stream"),
    "embed": (V1, 'co.embed(model="embed-english-v3.0", texts=["hello", "world"], input_type="search_document")', "embed"),
    "embed_types_truncate": (V1, 'co.embed(model="cohere.embed-multilingual-v3.0", texts=["x", "y"], input_type="clustering", embedding_types=["float", "int8"], truncate="END")', "embed-types"),
    "embed_images_v1": (V1, 'co.embed(model="embed-english-image-v3.0", images=["data:image/png;base64,AAAA"], input_type="image")', "embed"),
    "rerank_v1": (V1, 'co.rerank(model="rerank-v3.5", query="q", documents=["a", "b"])', "v1"),
    "v2_chat": (V2, 'co.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "Hi there"}], temperature=0.5)', "v2"),
    "v2_chat_options": (V2, 'co.chat(model="command-a-03-2025", messages=[{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Caf\\u00e9?"}], max_tokens=30, k=5, p=0.9, seed=1, stop_sequences=["END"], frequency_penalty=0.1, presence_penalty=0.2, safety_mode="CONTEXTUAL")', "v2"),
    "v2_chat_tools": (V2, 'co.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "weather in Paris?"}], tools=[' + TOOL_V2 + '])', "v2-tools"),
    "v2_chat_tools_strict_choice": (V2, 'co.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "weather?"}], tools=[' + TOOL_V2 + '], strict_tools=True, tool_choice="REQUIRED")', "v2-tools"),
    "v2_chat_tool_history": (V2, 'co.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "weather?"}, {"role": "assistant", "tool_plan": "I will look it up", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}}]}, {"role": "tool", "tool_call_id": "c1", "content": [{"type": "document", "document": {"data": {"temperature": "21C"}}}]}], tools=[' + TOOL_V2 + '])', "v2-citations"),
    "v2_chat_documents": (V2, 'co.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "How tall are penguins?"}], documents=[{"id": "doc1", "data": {"title": "Tall penguins", "snippet": "Emperor penguins are the tallest."}}], citation_options={"mode": "FAST"})', "v2-citations"),
    "v2_chat_response_format": (V2, 'co.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "JSON"}], response_format={"type": "json_object", "json_schema": {"type": "object", "properties": {"a": {"type": "string"}}}})', "v2"),
    "v2_chat_image": (V2, 'co.chat(model="command-a-vision-07-2025", messages=[{"role": "user", "content": [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"}}]}])', "v2"),
    "v2_chat_thinking": (V2, 'co.chat(model="command-a-reasoning-08-2025", messages=[{"role": "user", "content": "think"}], thinking={"type": "enabled", "token_budget": 100})', "v2-thinking"),
    "v2_chat_logprobs_priority": (V2, 'co.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "q"}], logprobs=True, priority=1)', "v2"),
    "v2_chat_stream": (V2, 'list(co.chat_stream(model="command-a-03-2025", messages=[{"role": "user", "content": "Stream this \\u00e9"}]))', "v2-stream"),
    "v2_chat_stream_options": (V2, 'list(co.chat_stream(model="command-a-03-2025", messages=[{"role": "user", "content": "Count"}], max_tokens=10, temperature=0.0, seed=1))', "v2-stream"),
    "v2_embed": (V2, 'co.embed(model="embed-v4.0", texts=["a", "b"], input_type="search_document", embedding_types=["float"])', "embed-types"),
    "v2_embed_query": (V2, 'co.embed(model="embed-english-v3.0", texts=["q"], input_type="search_query")', "embed"),
    "v2_embed_options": (V2, 'co.embed(model="embed-v4.0", texts=["a"], input_type="classification", embedding_types=["int8", "float"], truncate="NONE", output_dimension=256, max_tokens=100, priority=2)', "embed-types"),
    "v2_embed_images": (V2, 'co.embed(model="embed-v4.0", images=["data:image/png;base64,AAAA"], input_type="image", embedding_types=["float"])', "embed-types"),
    "v2_embed_inputs": (V2, 'co.embed(model="embed-v4.0", inputs=[{"content": [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}], input_type="search_document", embedding_types=["float"])', "embed-types"),
    "v2_embed_inputs_single": (V2, 'co.embed(model="embed-v4.0", inputs=[{"content": [{"type": "text", "text": "a"}]}, {"content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}], input_type="search_document", embedding_types=["float"])', "embed-types"),
    "v2_chat_stream_tools": (V2, 'list(co.chat_stream(model="command-a-03-2025", messages=[{"role": "user", "content": "weather in Paris?"}], tools=[' + TOOL_V2 + ']))', "v2-stream"),
    "v2_rerank": (V2, 'co.rerank(model="rerank-v3.5", query="q", documents=["a", "b"], top_n=1)', "v2"),
}

USAGE = {"promptTokens": 12, "completionTokens": 7, "totalTokens": 19}
V1_CHAT = {
    "apiFormat": "COHERE",
    "text": "Paris is the capital of France.",
    "chatHistory": [
        {"role": "USER", "message": "What is the capital of France?"},
        {"role": "CHATBOT", "message": "Paris is the capital of France."},
    ],
    "finishReason": "COMPLETE",
    "usage": USAGE,
}
V1_CITATIONS = {
    **V1_CHAT,
    "text": "Emperor penguins are the tallest.",
    "citations": [{"start": 0, "end": 16, "text": "Emperor penguins", "documentIds": ["doc_0"]}],
    "documents": [{"id": "doc_0", "title": "Tall penguins", "snippet": "Emperor penguins are the tallest."}],
    "isSearchRequired": False,
}
V1_TOOLS = {
    "apiFormat": "COHERE",
    "text": "",
    "toolCalls": [{"name": "get_weather", "parameters": {"city": "Paris"}}],
    "finishReason": "COMPLETE",
    "usage": USAGE,
}
V2_CHAT = {
    "apiFormat": "COHEREV2",
    "id": "oci-v2-0001",
    "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": "Hello! How can I help?"}]},
    "finishReason": "COMPLETE",
    "usage": USAGE,
}
V2_TOOLS = {
    **V2_CHAT,
    "message": {
        "role": "ASSISTANT",
        "toolPlan": "I will look up the weather in Paris.",
        "toolCalls": [{"id": "call_1", "type": "FUNCTION", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}],
    },
    "finishReason": "TOOL_CALL",
}
V2_CITATIONS = {
    **V2_CHAT,
    "message": {
        "role": "ASSISTANT",
        "content": [{"type": "TEXT", "text": "Emperor penguins are the tallest."}],
        "citations": [
            {
                "start": 0,
                "end": 16,
                "text": "Emperor penguins",
                "contentIndex": 0,
                "type": "TEXT_CONTENT",
                "sources": [{"type": "DOCUMENT", "document": {"id": "doc1", "document": {"title": "Tall penguins"}}}],
            }
        ],
    },
}
V2_THINKING = {
    **V2_CHAT,
    "message": {
        "role": "ASSISTANT",
        "content": [{"type": "THINKING", "thinking": "The user wants me to think."}, {"type": "TEXT", "text": "Done."}],
    },
}
EMBED = {"id": "oci-embed-0001", "embeddings": [[0.25, -0.5], [0.125, 1.0]], "modelId": "cohere.embed-english-v3.0", "modelVersion": "3.0", "usage": {"promptTokens": 4, "totalTokens": 4}}
EMBED_TYPES = {**EMBED, "embeddingsByType": {"float": [[0.25, -0.5], [0.125, 1.0]], "int8": [[32, -64], [16, 127]]}}


def _chat(response: dict[str, Any]) -> dict[str, Any]:
    return {"modelId": "cohere.command-r-08-2024", "modelVersion": "1.7", "chatResponse": response}


def _sse(events: list[dict[str, Any]]) -> bytes:
    return b"".join(b"data: " + json.dumps(event).encode() + b"\n\n" for event in events)


V1_STREAM = [
    {"apiFormat": "COHERE", "text": "Once", "index": 0},
    {"apiFormat": "COHERE", "text": " upon", "index": 0},
    {"apiFormat": "COHERE", "text": " a time.", "index": 0},
    {"apiFormat": "COHERE", "text": "Once upon a time.", "chatHistory": [{"role": "USER", "message": "Tell me a story"}, {"role": "CHATBOT", "message": "Once upon a time."}], "finishReason": "COMPLETE", "usage": USAGE},
]
V2_STREAM = [
    {"apiFormat": "COHEREV2", "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": "Hel"}]}, "index": 0},
    {"apiFormat": "COHEREV2", "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": "lo!"}]}, "index": 0},
    {"apiFormat": "COHEREV2", "message": {"role": "ASSISTANT"}, "finishReason": "COMPLETE", "usage": USAGE},
]
ANSWERS: dict[str, tuple[str, bytes]] = {
    "v1": ("application/json", json.dumps(_chat(V1_CHAT)).encode()),
    "v1-citations": ("application/json", json.dumps(_chat(V1_CITATIONS)).encode()),
    "v1-tools": ("application/json", json.dumps(_chat(V1_TOOLS)).encode()),
    "v2": ("application/json", json.dumps(_chat(V2_CHAT)).encode()),
    "v2-tools": ("application/json", json.dumps(_chat(V2_TOOLS)).encode()),
    "v2-citations": ("application/json", json.dumps(_chat(V2_CITATIONS)).encode()),
    "v2-thinking": ("application/json", json.dumps(_chat(V2_THINKING)).encode()),
    "v1-stream": ("text/event-stream", _sse(V1_STREAM)),
    "v2-stream": ("text/event-stream", _sse(V2_STREAM)),
    "embed": ("application/json", json.dumps(EMBED).encode()),
    "embed-types": ("application/json", json.dumps(EMBED_TYPES).encode()),
}


def _signature(authorization: str) -> dict[str, Any]:
    """The parts of an OCI Signature header that don't depend on the time."""
    fields = dict(part.split("=", 1) for part in authorization.removeprefix("Signature ").split(","))
    values = {key: value.strip('"') for key, value in fields.items()}
    return {"algorithm": values.get("algorithm"), "keyId": values.get("keyId"), "headers": values.get("headers", "").split(), "version": values.get("version")}


def _dump(value: Any) -> Any:
    """What the SDK returned, as plain JSON (its pydantic objects dumped by their wire names)."""
    if isinstance(value, list):
        return [_dump(item) for item in value]
    if hasattr(value, "dict"):
        return json.loads(value.json(by_alias=True, exclude_unset=True)) if hasattr(value, "json") else value.dict()
    return value


def _make_key(folder: Path) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = folder / "capture_key.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return path


def main(out: Path) -> None:
    import cohere

    server = CaptureServer()
    port = int(server.url.rsplit(":", 1)[1])
    original = httpx.HTTPTransport.handle_request

    def to_loopback(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=port)
        return original(self, request)

    httpx.HTTPTransport.handle_request = to_loopback  # type: ignore[method-assign]
    out.mkdir(parents=True, exist_ok=True)
    with server, tempfile.TemporaryDirectory() as folder:
        key_path = _make_key(Path(folder))
        for name, (client_name, call, answer) in CASES.items():
            server.requests.clear()
            content_type, body = ANSWERS[answer]
            reply = Reply(body=body, headers={"Content-Type": content_type, "opc-request-id": "capture-request-id"})
            server.responder = lambda _request, reply=reply: reply
            co = getattr(cohere, client_name)(
                oci_user_id=USER,
                oci_fingerprint=FINGERPRINT,
                oci_tenancy_id=TENANCY,
                oci_private_key_path=str(key_path),
                oci_region=REGION,
                oci_compartment_id=COMPARTMENT,
            )
            result: Any = None
            try:
                result = _dump(eval(call, {"co": co}))
            except Exception as exc:
                outcome = f"{type(exc).__name__}: {exc}"[:300]
            else:
                outcome = "ok"
            case: dict[str, Any] = {
                "name": name,
                "sdk": f"cohere=={cohere.__version__}",
                "client": client_name,
                "python_call": call,
                "sdk_outcome": outcome,
            }
            if server.requests:
                [request] = server.requests
                headers = {k.lower(): v for k, v in request.headers.items()}
                case["request"] = {
                    "method": request.method,
                    "path": request.path,
                    "headers": {k: headers[k] for k in KEPT_HEADERS if k in headers},
                    "signature": _signature(headers.get("authorization", "")),
                    "body_raw": request.body.decode("utf-8"),
                    "body": request.json(),
                }
                case["oci_answer"] = {"content_type": content_type, "body_raw": body.decode()}
                case["sdk_result"] = result
            (out / f"{name}.json").write_text(json.dumps(case, indent=2, ensure_ascii=False) + "\n")
            print(name, case.get("request", {}).get("path"), outcome[:100])


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/oci_wire"))
