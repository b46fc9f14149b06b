"""Record what the official SDK's Bedrock and SageMaker clients send, as test fixtures.

Run with the official SDK's interpreter (not cohere_dyn's), for instance:

    python -m venv /tmp/sdk && /tmp/sdk/bin/pip install cohere==7.3.1 boto3
    /tmp/sdk/bin/python tools/capture_aws_wire.py tests/fixtures/aws_wire

The SDK builds https://bedrock-runtime.<region>.amazonaws.com/... URLs itself; this script sends
those requests to the loopback server of tests/capture.py instead (scheme, host and port replaced,
path and body kept) and writes one JSON file per call: the call, the method, the raw path, the body
bytes and the headers that describe the call (not the signature values, which depend on the time).
Fake credentials only; nothing leaves the machine. Not recorded: a model given as an ARN, which the
SDK puts in the path raw (a 404 from AWS) where cohere_dyn percent-encodes it as boto3 does
(tests/unit/test_deployment_routes.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.capture import CaptureServer, Reply  # noqa: E402

ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, REGION = "AKIDCAPTURE", "capture-secret", "capture-session-token", "us-east-1"
KEPT_HEADERS = ("content-type", "x-amz-security-token")

CASES = {
    # name: (client class, python call using `co`)
    "bedrock_chat": ("BedrockClient", 'co.chat(model="cohere.command-r-plus-v1:0", message="What is the capital of France?", temperature=0.3)'),
    "bedrock_chat_stream": ("BedrockClient", 'list(co.chat_stream(model="cohere.command-r-v1:0", message="Tell me a story", max_tokens=50))'),
    "bedrock_generate": ("BedrockClient", 'co.generate(model="cohere.command-text-v14", prompt="Write a haiku", max_tokens=20)'),
    "bedrock_generate_stream": ("BedrockClient", 'list(co.generate_stream(model="cohere.command-light-text-v14", prompt="Count to three"))'),
    "bedrock_embed": ("BedrockClient", 'co.embed(model="cohere.embed-english-v3", texts=["hello", "world"], input_type="search_document")'),
    "bedrock_v2_chat": ("BedrockClientV2", 'co.chat(model="cohere.command-r-plus-v1:0", messages=[{"role": "user", "content": "Hi there"}], temperature=0.5)'),
    "bedrock_v2_chat_stream": ("BedrockClientV2", 'list(co.chat_stream(model="cohere.command-r-v1:0", messages=[{"role": "user", "content": "Stream this \\u00e9"}]))'),
    "bedrock_v2_embed": ("BedrockClientV2", 'co.embed(model="cohere.embed-v4:0", texts=["a", "b"], input_type="search_document", embedding_types=["float"])'),
    "bedrock_v2_rerank": ("BedrockClientV2", 'co.rerank(model="cohere.rerank-v3-5:0", query="capital", documents=["Paris is in France", "Berlin"], top_n=1)'),
    "bedrock_chat_keyword_order": ("BedrockClient", 'co.chat(max_tokens=40, temperature=0.2, message="Caf\\u00e9 au lait?", model="cohere.command-r-v1:0", preamble="Answer in French")'),
    "bedrock_v2_chat_keyword_order": ("BedrockClientV2", 'co.chat(temperature=0.1, max_tokens=30, model="cohere.command-r-plus-v1:0", messages=[{"role": "user", "content": "Hi"}], seed=7)'),
    "bedrock_v2_embed_keyword_order": ("BedrockClientV2", 'co.embed(embedding_types=["int8"], input_type="search_query", texts=["q"], model="cohere.embed-v4:0", truncate="END")'),
    "bedrock_v2_chat_tools": ("BedrockClientV2", 'co.chat(model="cohere.command-r-plus-v1:0", messages=[{"role": "user", "content": "weather?"}], tools=[{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}])'),
    "bedrock_chat_history_documents": ("BedrockClient", 'co.chat(model="cohere.command-r-v1:0", message="and now?", chat_history=[{"role": "USER", "message": "hi"}, {"role": "CHATBOT", "message": "hello"}], documents=[{"title": "t", "snippet": "s"}], stop_sequences=["x"], k=5, p=0.9)'),
    "bedrock_generate_options": ("BedrockClient", 'co.generate(model="cohere.command-text-v14", prompt="hi", max_tokens=5, temperature=0.5, k=3, p=0.5, stop_sequences=["."], return_likelihoods="NONE", truncate="END", num_generations=2)'),
    "sagemaker_chat": ("SagemakerClient", 'co.chat(model="my-command-endpoint", message="Hello", preamble="Be brief")'),
    "sagemaker_chat_stream": ("SagemakerClient", 'list(co.chat_stream(model="my-command-endpoint", message="Hello"))'),
    "sagemaker_generate": ("SagemakerClient", 'co.generate(model="my-generate-endpoint", prompt="Once upon", max_tokens=10)'),
    "sagemaker_embed": ("SagemakerClient", 'co.embed(model="my-embed-endpoint", texts=["one"], input_type="classification")'),
    "sagemaker_rerank": ("SagemakerClient", 'co.rerank(model="my-rerank-endpoint", query="q", documents=["d1", "d2"], top_n=2)'),
    "sagemaker_embed_types": ("SagemakerClient", 'co.embed(model="my-embed-endpoint", texts=["a", "b"], input_type="search_query", embedding_types=["float", "int8"], truncate="NONE")'),
    "sagemaker_v2_chat_unicode": ("SagemakerClientV2", 'co.chat(model="my-command-endpoint", messages=[{"role": "user", "content": "\u65e5\u672c\u8a9e \u2603 \\"quotes\\" \\\\ back"}])'),
    "sagemaker_v2_rerank_options": ("SagemakerClientV2", 'co.rerank(model="my-rerank-endpoint", query="q", documents=["a", "b"], top_n=1, max_tokens_per_doc=100)'),
    "sagemaker_v2_chat": ("SagemakerClientV2", 'co.chat(model="my-command-endpoint", messages=[{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Hi"}])'),
    "sagemaker_v2_chat_stream": ("SagemakerClientV2", 'list(co.chat_stream(model="my-command-endpoint", messages=[{"role": "user", "content": "Hi"}], max_tokens=5))'),
    "sagemaker_v2_embed": ("SagemakerClientV2", 'co.embed(model="my-embed-endpoint", texts=["x"], input_type="search_query", embedding_types=["float", "int8"])'),
    "sagemaker_v2_rerank": ("SagemakerClientV2", 'co.rerank(model="my-rerank-endpoint", query="q", documents=["d1", "d2", "d3"], top_n=2)'),
    "bedrock_v2_chat_documents_format": ("BedrockClientV2", 'co.chat(model="cohere.command-r-plus-v1:0", messages=[{"role": "system", "content": "s"}, {"role": "user", "content": "q"}], documents=[{"data": {"title": "t", "snippet": "x"}}], response_format={"type": "json_object"}, safety_mode="OFF", p=0.5, k=10, stop_sequences=["END"])'),
    "bedrock_v2_chat_tool_history": ("BedrockClientV2", 'co.chat(model="cohere.command-r-plus-v1:0", messages=[{"role": "user", "content": "weather?"}, {"role": "assistant", "tool_plan": "look", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{\\"c\\": 1}"}}]}, {"role": "tool", "tool_call_id": "c1", "content": "sunny"}])'),
    "bedrock_v2_embed_images": ("BedrockClientV2", 'co.embed(model="cohere.embed-v4:0", images=["data:image/png;base64,AAAA"], input_type="image", embedding_types=["float"])'),
    "bedrock_v2_embed_inputs_dims": ("BedrockClientV2", 'co.embed(model="cohere.embed-v4:0", inputs=[{"content": [{"type": "text", "text": "a"}]}], input_type="search_document", embedding_types=["float", "int8"], output_dimension=256)'),
    "bedrock_embed_types_truncate": ("BedrockClient", 'co.embed(model="cohere.embed-multilingual-v3", texts=["x", "y"], input_type="clustering", embedding_types=["int8"], truncate="END")'),
    "bedrock_chat_tools_v1": ("BedrockClient", 'co.chat(model="cohere.command-r-v1:0", message="q", tools=[{"name": "t", "description": "d", "parameter_definitions": {"a": {"type": "str", "required": True}}}])'),
    "bedrock_v2_chat_stream_options": ("BedrockClientV2", 'list(co.chat_stream(model="cohere.command-r-plus-v1:0", messages=[{"role": "user", "content": "Count"}], max_tokens=10, temperature=0.0, seed=1))'),
    "bedrock_chat_stream_history": ("BedrockClient", 'list(co.chat_stream(model="cohere.command-r-v1:0", message="more", chat_history=[{"role": "USER", "message": "a"}, {"role": "CHATBOT", "message": "b"}]))'),
    "sagemaker_chat_documents": ("SagemakerClient", 'co.chat(model="my-command-endpoint", message="q", documents=[{"title": "t", "text": "x"}], temperature=0.1)'),
    "sagemaker_generate_stream": ("SagemakerClient", 'list(co.generate_stream(model="my-generate-endpoint", prompt="Once", max_tokens=5))'),
    "sagemaker_v2_chat_tools": ("SagemakerClientV2", 'co.chat(model="my-command-endpoint", messages=[{"role": "user", "content": "q"}], tools=[{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}], temperature=0.3)'),
    "sagemaker_v2_embed_images": ("SagemakerClientV2", 'co.embed(model="my-embed-endpoint", images=["data:image/jpeg;base64,AAAA"], input_type="image", embedding_types=["float"])'),
    "sagemaker_v2_chat_stream_unicode": ("SagemakerClientV2", 'list(co.chat_stream(model="my-command-endpoint", messages=[{"role": "user", "content": "caf\\u00e9 \\u2603"}]))'),
    "sagemaker_rerank_options": ("SagemakerClient", 'co.rerank(model="my-rerank-endpoint", query="q", documents=[{"text": "a"}, {"text": "b"}], top_n=1, return_documents=True, max_chunks_per_doc=3)'),
    "bedrock_embed_images_v1": ("BedrockClient", 'co.embed(model="cohere.embed-english-v3", images=["data:image/png;base64,AAAA"], input_type="image")'),
    "bedrock_v2_embed_truncate": ("BedrockClientV2", 'co.embed(model="cohere.embed-v4:0", texts=["a"], input_type="search_query", embedding_types=["float"], truncate="NONE")'),
    "bedrock_v2_rerank_docs_options": ("BedrockClientV2", 'co.rerank(model="cohere.rerank-v3-5:0", query="q", documents=["a", "b", "c"], top_n=2, max_tokens_per_doc=256)'),
    "sagemaker_chat_tools_v1": ("SagemakerClient", 'co.chat(model="ep", message="q", tools=[{"name": "t", "description": "d"}], tool_results=[{"call": {"name": "t", "parameters": {}}, "outputs": [{"a": 1}]}])'),
    "sagemaker_embed_images_v1": ("SagemakerClient", 'co.embed(model="ep", images=["data:image/png;base64,AAAA"], input_type="image")'),
    "sagemaker_v2_embed_inputs": ("SagemakerClientV2", 'co.embed(model="ep", inputs=[{"content": [{"type": "text", "text": "x"}]}], input_type="search_document", embedding_types=["float"])'),
    "sagemaker_v2_chat_thinking": ("SagemakerClientV2", 'co.chat(model="ep", messages=[{"role": "user", "content": "q"}], thinking={"type": "enabled", "token_budget": 100})'),
    "bedrock_v2_chat_thinking_priority": ("BedrockClientV2", 'co.chat(model="cohere.command-a-v1:0", messages=[{"role": "user", "content": "q"}], thinking={"type": "disabled"}, priority=1)'),
    "bedrock_generate_stream_options": ("BedrockClient", 'list(co.generate_stream(model="cohere.command-text-v14", prompt="p", max_tokens=3, temperature=0.1, stop_sequences=["x"]))'),
    "bedrock_chat_stream_documents": ("BedrockClient", 'list(co.chat_stream(model="cohere.command-r-v1:0", message="q", documents=[{"title": "t", "snippet": "s"}], temperature=0.0))'),
    "sagemaker_generate_options": ("SagemakerClient", 'co.generate(model="ep", prompt="p", num_generations=2, return_likelihoods="ALL", truncate="END")'),
}


def main(out: Path) -> None:
    import cohere

    server = CaptureServer(lambda _request: Reply(status=400, body=b'{"message": "captured"}'))
    port = int(server.url.rsplit(":", 1)[1])
    original = httpx.HTTPTransport.handle_request

    def to_loopback(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=port)
        return original(self, request)

    httpx.HTTPTransport.handle_request = to_loopback  # type: ignore[method-assign]
    out.mkdir(parents=True, exist_ok=True)
    with server:
        for name, (client_name, call) in CASES.items():
            server.requests.clear()
            co = getattr(cohere, client_name)(
                aws_access_key=ACCESS_KEY, aws_secret_key=SECRET_KEY, aws_session_token=SESSION_TOKEN, aws_region=REGION
            )
            try:
                eval(call, {"co": co})
            except Exception as exc:  # the loopback answers 400: only the request matters here
                outcome = type(exc).__name__
            else:
                outcome = "ok"
            [request] = server.requests
            headers = {k.lower(): v for k, v in request.headers.items()}
            authorization = headers.get("authorization", "")
            scope = authorization.split("Credential=", 1)[-1].split(",", 1)[0].split("/")[2:4]
            case = {
                "name": name,
                "sdk": f"cohere=={cohere.__version__}",
                "client": client_name,
                "python_call": call,
                "sdk_outcome": outcome,
                "request": {
                    "method": request.method,
                    "path": request.path,
                    "headers": {k: headers[k] for k in KEPT_HEADERS if k in headers},
                    "signed_scope": {"region": scope[0] if scope else None, "service": scope[1] if len(scope) > 1 else None},
                    "signed_headers": authorization.split("SignedHeaders=", 1)[-1].split(",", 1)[0].split(";"),
                    "body_raw": request.body.decode("utf-8"),
                    "body": request.json(),
                },
            }
            (out / f"{name}.json").write_text(json.dumps(case, indent=2, ensure_ascii=False) + "\n")
            print(name, request.path, outcome)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/aws_wire"))
