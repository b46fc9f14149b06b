"""The official SDK's client constructor keywords (5.15.0 and 7.3.1), each with its meaning here."""

from __future__ import annotations

import asyncio
import inspect
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator

import pytest

import cohere_dyn
from cohere_dyn import ClientEnvironment
from cohere_dyn.mock import MockServer

# inspect.signature(cohere.Client.__init__) of each SDK, same for ClientV2, AsyncClient, AsyncClientV2
SDK_KEYWORDS = {
    "5.15.0": ["api_key", "base_url", "environment", "client_name", "timeout", "httpx_client", "thread_pool_executor",
               "log_warning_experimental_features"],
    "7.3.1": ["api_key", "base_url", "environment", "client_name", "timeout", "max_retries", "httpx_client",
              "thread_pool_executor", "log_warning_experimental_features"],
}
CLIENTS = [cohere_dyn.Client, cohere_dyn.ClientV2, cohere_dyn.AsyncClient, cohere_dyn.AsyncClientV2]
V1_EMBED = {"model": "embed-english-v3.0", "input_type": "search_document"}


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(delay=0) as server:
        yield server


@pytest.mark.parametrize("sdk", sorted(SDK_KEYWORDS))
@pytest.mark.parametrize("client_class", CLIENTS, ids=lambda c: c.__name__)
def test_every_constructor_keyword_of_the_sdk_is_taken(sdk: str, client_class: type) -> None:
    parameters = inspect.signature(client_class).parameters
    assert [name for name in SDK_KEYWORDS[sdk] if name not in parameters] == []


# environment


def test_client_environment_has_the_sdks_members() -> None:
    assert {member.name: member.value for member in ClientEnvironment} == {"PRODUCTION": "https://api.cohere.com"}
    from cohere_dyn.environment import ClientEnvironment as at_the_sdks_path

    assert at_the_sdks_path is ClientEnvironment


def test_the_environment_is_the_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CO_API_URL", raising=False)
    assert "base_url='https://api.cohere.com'" in repr(cohere_dyn.Client(api_key="k", environment=ClientEnvironment.PRODUCTION))
    assert "base_url='http://gateway.test'" in repr(cohere_dyn.Client(api_key="k", environment="http://gateway.test"))


def test_base_url_wins_over_the_environment_as_in_the_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CO_API_URL", raising=False)
    client = cohere_dyn.Client(api_key="k", base_url="http://api.test", environment=ClientEnvironment.PRODUCTION)
    assert "base_url='http://api.test'" in repr(client)


def test_no_environment_and_no_base_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CO_API_URL", raising=False)
    with pytest.raises(ValueError, match="pass base_url=... or environment="):
        cohere_dyn.Client(api_key="k", environment=None)
    monkeypatch.setenv("CO_API_URL", "http://from-env.test")
    assert "base_url='http://from-env.test'" in repr(cohere_dyn.Client(api_key="k", environment=None))


def test_an_environment_of_another_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="environment must be a ClientEnvironment or a URL, not int"):
        cohere_dyn.Client(api_key="k", environment=3)  # type: ignore[arg-type]


# httpx_client (the whole of it: test_httpx_client.py)


def test_the_async_client_sends_with_the_given_httpx_client(mock: MockServer) -> None:
    httpx = pytest.importorskip("httpx")
    seen: list[str] = []

    async def record(request: Any) -> None:
        seen.append(request.url.path)

    async def chat() -> Any:
        given = httpx.AsyncClient(event_hooks={"request": [record]})
        async with cohere_dyn.AsyncClientV2(api_key="k", base_url=mock.url, httpx_client=given) as client:
            return await client.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "hi"}])

    assert asyncio.run(chat()).message.content[0].text
    assert seen == ["/v2/chat"]


# thread_pool_executor and log_warning_experimental_features


class _CountingExecutor(ThreadPoolExecutor):
    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.submitted = 0

    def submit(self, *args: Any, **kwargs: Any) -> Any:
        self.submitted += 1
        return super().submit(*args, **kwargs)


def test_batched_slices_run_on_the_clients_thread_pool_executor(mock: MockServer) -> None:
    with _CountingExecutor() as executor:
        client = cohere_dyn.Client(api_key="k", base_url=mock.url, thread_pool_executor=executor)
        texts = [f"text {i}" for i in range(200)]
        reply = client.embed(texts=texts, **V1_EMBED)
        assert executor.submitted == 3  # 96 + 96 + 8 texts
        assert reply.texts == texts
        assert executor.submit(len, "still open").result() == 10  # the owner's pool is left open


def test_the_experimental_features_warning_switch_is_accepted(mock: MockServer) -> None:
    client = cohere_dyn.ClientV2(api_key="k", base_url=mock.url, log_warning_experimental_features=False)
    assert client.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "hi"}]).message
