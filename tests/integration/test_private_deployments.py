"""Azure AI Foundry and private deployments: the Cohere API at another base URL, with a path prefix."""

from __future__ import annotations

import cohere_dyn
from tests.capture import CaptureServer

KEY = "azure-endpoint-key-0123456789"


def test_a_base_url_with_a_path_prefix_keeps_it_for_every_call() -> None:
    with CaptureServer() as server:
        client = cohere_dyn.ClientV2(api_key=KEY, base_url=f"{server.url}/deployments/cohere-command/")
        client.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "hi"}])
        list(client.chat_stream(model="command-a-03-2025", messages=[{"role": "user", "content": "hi"}]))
        cohere_dyn.Client(api_key=KEY, base_url=f"{server.url}/deployments/cohere-command").rerank(
            model="rerank-v3.5", query="q", documents=["a"]
        )
    paths = [request.path for request in server.requests]
    assert paths == ["/deployments/cohere-command/v2/chat"] * 2 + ["/deployments/cohere-command/v1/rerank"]
    assert {request.header("Authorization") for request in server.requests} == {f"Bearer {KEY}"}


def test_the_base_url_can_come_from_the_environment(monkeypatch) -> None:
    with CaptureServer() as server:
        monkeypatch.setenv("CO_API_URL", f"{server.url}/private")
        monkeypatch.setenv("CO_API_KEY", KEY)
        cohere_dyn.Client().tokenize(text="hello", model="command", offline=False)
    assert server.requests[0].path == "/private/v1/tokenize"


def test_a_gateway_key_header_carries_the_key_instead_of_bearer() -> None:
    with CaptureServer() as server:
        client = cohere_dyn.ClientV2(api_key=KEY, base_url=f"{server.url}/gateway", key_header="api-key")
        client.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "hi"}])
    [request] = server.requests
    assert request.header("api-key") == KEY and request.header("Authorization") is None


def test_a_key_echoed_from_its_own_header_is_redacted() -> None:
    from tests.capture import Reply

    echo = Reply(status=401, body=f'{{"message": "bad key {KEY}"}}'.encode())
    with CaptureServer(lambda request: echo) as server:
        client = cohere_dyn.Client(api_key=KEY, base_url=server.url, key_header="api-key")
        try:
            client.tokenize(text="hello", model="command")
        except cohere_dyn.UnauthorizedError as exc:
            error = exc
    assert KEY not in str(error) and KEY not in repr(error.body)


def test_a_key_header_name_that_could_split_a_request_is_refused() -> None:
    import pytest

    with pytest.raises(cohere_dyn.ValidationError, match="a header name must be"):
        cohere_dyn.Client(api_key=KEY, key_header="api-key\r\nX-Evil")
