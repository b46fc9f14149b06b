"""`httpx_client=`: the sync and async clients send with a given httpx client (its hooks, headers,
proxies, TLS settings), with the same error translation, retries and timeouts as the default
transports; the official SDK's `DefaultAsyncHttpxClient` and `DefaultAioHttpClient`.

The fault tests run on three ways of sending: `Client(httpx_client=httpx.Client())`,
`AsyncClient(httpx_client=httpx.AsyncClient())` and `AsyncClient(httpx_client=DefaultAioHttpClient())`.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import ssl
import subprocess
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

import cohere_dyn
from cohere_dyn._call._retry import RetryPolicy
from cohere_dyn.mock import MockServer
from tests import faults
from tests.blocking import Blocking
from tests.capture import CaptureServer, Reply
from tests.conftest import TINY_SPEC
from tests.faults import FaultServer, causes

httpx = pytest.importorskip("httpx")

KEY = "httpx-test-key-0123456789"
MESSAGES = [{"role": "user", "content": "hi"}]
KINDS = ["httpx", "httpx-async", "aiohttp-via-httpx"]


class _NoSleep(RetryPolicy):
    def delay(self, attempt: int, headers: Any = None) -> float:
        super().delay(attempt, headers)
        return 0.001


_OPEN: list[Any] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def make(kind: str, url: str, *, given: Any = None, spec: Any = TINY_SPEC, **options: Any) -> Any:
    """A client of `kind` sending with an httpx client (`given`, or a plain one), retries unslept."""
    if kind == "httpx":
        client: Any = cohere_dyn.ClientV2(KEY, base_url=url, spec=spec, httpx_client=given or httpx.Client(), **options)
    else:
        made = given or (httpx.AsyncClient() if kind == "httpx-async" else cohere_dyn.DefaultAioHttpClient())
        client = Blocking(cohere_dyn.AsyncClientV2(KEY, base_url=url, spec=spec, httpx_client=made, **options))
    _OPEN.append(client)
    client._start().retry = _NoSleep()
    return client


def sse(events: list[dict[str, Any]]) -> list[bytes]:
    return [f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode() for event in events]


START = {"type": "message-start", "id": "m1"}
END = {"type": "message-end", "delta": {"finish_reason": "COMPLETE"}}


# The error translation: each fault means what it means with requests and aiohttp -------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_connection_closed_before_the_headers_is_retried(kind: str) -> None:
    with FaultServer([faults.close_before_headers, faults.reset]) as server:
        assert make(kind, server.url).echo_test(message="hi").message == "ok"
    assert len(server.requests) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_a_refused_connection_is_retried_then_raises_connection_error(kind: str) -> None:
    with pytest.raises(cohere_dyn.ConnectionError) as caught:
        make(kind, faults.refused_url()).echo_test(message="hi")
    assert not caught.value.response_started


@pytest.mark.parametrize("kind", KINDS)
def test_a_host_name_that_does_not_resolve_is_named_and_not_retried(kind: str) -> None:
    client = make(kind, "http://cohere-dyn-test.invalid:8080")
    with pytest.raises(cohere_dyn.ConnectionError) as caught:
        client.echo_test(message="hi")
    assert not caught.value.retryable and "cohere-dyn-test.invalid:8080" in str(caught.value)


@pytest.mark.parametrize("kind", KINDS)
def test_a_gzip_answer_inflating_past_the_limit_is_an_error(kind: str) -> None:
    bomb = b'{"message": "' + b"a" * 20_000_000 + b'"}'
    with FaultServer([faults.gzipped(bomb)]) as server:
        with pytest.raises(cohere_dyn.CohereError, match="max_response_bytes"):
            make(kind, server.url, max_response_bytes=1_000_000).echo_test(message="hi")
    assert len(server.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_that_changed_before_a_retry_is_raised_as_it_was_not_as_its_own_cause(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * 100_000)
    with FaultServer([faults.grow_then_503(path)]) as server:
        with pytest.raises(cohere_dyn.CohereError, match="changed while it was being uploaded") as caught:
            make(kind, server.url).uploads.create(file=path, model="small")
        server.wait_for(2, seconds=0.5)
    assert causes(caught.value)[0] is caught.value


@pytest.mark.parametrize("kind", KINDS)
def test_a_connect_timeout_is_a_retried_timeout_error(kind: str) -> None:
    with faults.full_backlog() as backlog:
        if not backlog.works:
            pytest.skip("this OS accepts connections beyond a full backlog")
        client = make(kind, backlog.url, timeout=cohere_dyn.Timeout(connect=0.2, read=5))
        with pytest.raises(cohere_dyn.TimeoutError) as caught:
            client.echo_test(message="hi")
    assert caught.value.connect


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fault", [faults.close_after_headers(), faults.partial_body()], ids=["closed", "partial"])
def test_a_body_cut_after_the_headers_is_not_retried(kind: str, fault: Any) -> None:
    with FaultServer([fault]) as server:
        with pytest.raises(cohere_dyn.ConnectionError) as caught:
            make(kind, server.url).echo_test(message="hi")
    assert caught.value.response_started
    assert len(server.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_read_timeout_is_a_timeout_error_and_not_retried(kind: str) -> None:
    with FaultServer([faults.stall(5)]) as server:
        with pytest.raises(cohere_dyn.TimeoutError) as caught:
            make(kind, server.url, timeout=0.3).echo_test(message="hi")
    assert not caught.value.connect
    assert len(server.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_an_error_status_is_retried_then_raised_with_its_headers(kind: str) -> None:
    script = [faults.status(503, {"message": "busy"}, {"X-Request-Id": "r1"})] * 3
    with FaultServer(script) as server:
        with pytest.raises(cohere_dyn.ServiceUnavailableError) as caught:
            make(kind, server.url).echo_test(message="hi")
    assert caught.value.headers["x-request-id"] == "r1"
    assert len(server.requests) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_a_stream_cut_after_an_event_raises_stream_error_with_it(kind: str) -> None:
    with FaultServer([faults.stream(sse([START]), cut=True)]) as server:
        with pytest.raises(cohere_dyn.StreamError) as caught:
            list(make(kind, server.url, spec=None).chat_stream(model="m", messages=MESSAGES))
    assert [event.type for event in caught.value.events] == ["message-start"]
    assert len(server.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_streams_events_arrive_as_they_are_sent(kind: str) -> None:
    gate, seen = threading.Event(), []
    fault = faults.gated_stream(sse([START])[0], sse([END]), gate, "text/event-stream", seen)
    with FaultServer([fault]) as server:
        client = make(kind, server.url, spec=None)
        if kind == "httpx":
            stream = client.chat_stream(model="m", messages=MESSAGES)
            assert next(iter(stream)).type == "message-start"
            gate.set()
            assert [event.type for event in stream] == ["message-end"]
        else:

            async def read() -> list[str]:
                types = []
                async for event in client._target.chat_stream(model="m", messages=MESSAGES):
                    types.append(event.type)
                    gate.set()
                return types

            assert client.run(read()) == ["message-start", "message-end"]
    assert seen == [True]  # the first event was seen before the server sent the rest


# What the httpx client brings ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["httpx", "httpx-async"])
def test_the_httpx_clients_event_hooks_and_headers_apply(kind: str) -> None:
    seen: list[str] = []

    def on_request(request: Any) -> None:
        seen.append(f"request {request.url.path}")

    def on_response(response: Any) -> None:
        seen.append(f"response {response.status_code}")

    async def on_request_async(request: Any) -> None:
        on_request(request)

    async def on_response_async(response: Any) -> None:
        on_response(response)

    headers = {"X-Team": "search", "Authorization": "Bearer not-this-one"}
    if kind == "httpx":
        given: Any = httpx.Client(headers=headers, event_hooks={"request": [on_request], "response": [on_response]})
    else:
        given = httpx.AsyncClient(headers=headers, event_hooks={"request": [on_request_async], "response": [on_response_async]})
    with CaptureServer(lambda request: Reply(body=b'{"message": "ok"}')) as server:
        make(kind, server.url, given=given).echo_test(message="hi")
    [request] = server.requests
    assert request.header("X-Team") == "search"
    assert request.header("Authorization") == f"Bearer {KEY}"  # the client's key wins
    assert seen == ["request /echo", "response 200"]


@pytest.mark.parametrize("kind", ["httpx", "httpx-async"])
def test_the_httpx_clients_proxy_carries_the_requests(kind: str) -> None:
    with CaptureServer(lambda request: Reply(body=b'{"message": "via proxy"}')) as proxy:
        given = httpx.Client(proxy=proxy.url) if kind == "httpx" else httpx.AsyncClient(proxy=proxy.url)
        reply = make(kind, "http://api.cohere.invalid", given=given).echo_test(message="hi")
    assert reply.message == "via proxy"
    [request] = proxy.requests
    assert request.header("Host") == "api.cohere.invalid"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.mark.parametrize("kind", ["httpx", "httpx-async"])
def test_the_httpx_clients_tls_settings_apply(kind: str, certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    trusted = ssl.create_default_context(cafile=str(cert))
    with CaptureServer(lambda request: Reply(body=b'{"message": "over tls"}')) as server:
        server._server.socket = served.wrap_socket(server._server.socket, server_side=True)
        url = server.url.replace("http://", "https://")
        with pytest.raises(cohere_dyn.ConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            make(kind, url, max_retries=0).echo_test(message="hi")  # the system's CAs don't know this one
        given = httpx.Client(verify=trusted) if kind == "httpx" else httpx.AsyncClient(verify=trusted)
        assert make(kind, url, given=given).echo_test(message="hi").message == "over tls"


@pytest.mark.parametrize("kind", ["httpx", "httpx-async"])
def test_the_timeouts_are_the_clients_not_the_httpx_clients(kind: str) -> None:
    def late(connection: faults.Connection, request: Any) -> bool:
        connection.wait(0.5)
        return faults.ok(b'{"message": "late"}')(connection, request)

    with FaultServer([late]) as server:
        short = httpx.Client(timeout=0.05) if kind == "httpx" else httpx.AsyncClient(timeout=0.05)
        assert make(kind, server.url, given=short).echo_test(message="hi").message == "late"
    with FaultServer([faults.stall(5)]) as server:
        with pytest.raises(cohere_dyn.TimeoutError):
            make(kind, server.url, timeout=0.2).echo_test(message="hi")


def test_closing_the_client_closes_the_httpx_client() -> None:
    given = httpx.Client()
    with cohere_dyn.Client(KEY, httpx_client=given):
        pass
    assert given.is_closed

    given_async = httpx.AsyncClient()

    async def use() -> None:
        async with cohere_dyn.AsyncClient(KEY, httpx_client=given_async):
            pass

    asyncio.run(use())
    assert given_async.is_closed


def test_a_multipart_upload_goes_out_whole_with_its_length(tmp_path: Path) -> None:
    upload = tmp_path / "data.bin"
    upload.write_bytes(b"x" * 10_000)
    with CaptureServer(lambda request: Reply(body=b"{}")) as server:
        make("httpx", server.url).uploads.create(file=str(upload), model="small")
    [request] = server.requests
    assert request.header("Content-Length") == str(len(request.body))
    assert b"x" * 10_000 in request.body


# Which httpx client goes where -----------------------------------------------------------------


def test_each_client_takes_its_own_kind_of_httpx_client() -> None:
    with pytest.raises(TypeError, match=r"takes an httpx.Client, not AsyncClient; an httpx.AsyncClient goes to cohere_dyn.AsyncClient"):
        cohere_dyn.Client(KEY, httpx_client=httpx.AsyncClient())
    with pytest.raises(TypeError, match=r"takes an httpx.AsyncClient, not Client; an httpx.Client goes to cohere_dyn.Client"):
        cohere_dyn.AsyncClientV2(KEY, httpx_client=httpx.Client())
    with pytest.raises(TypeError, match="not both"):
        cohere_dyn.ClientV2(KEY, httpx_client=httpx.Client(), transport=object())
    cohere_dyn.Client(KEY, httpx_client=None)


def test_the_default_clients_are_httpx_async_clients_with_the_sdks_defaults() -> None:
    for made in (cohere_dyn.DefaultAsyncHttpxClient(), cohere_dyn.DefaultAioHttpClient()):
        assert isinstance(made, httpx.AsyncClient)
        assert made.timeout == httpx.Timeout(60.0) and made.follow_redirects
    mine = cohere_dyn.DefaultAsyncHttpxClient(timeout=5.0, follow_redirects=False, headers={"X-Team": "a"})
    assert mine.timeout == httpx.Timeout(5.0) and not mine.follow_redirects and mine.headers["X-Team"] == "a"


def test_the_aiohttp_client_sends_through_aiohttp() -> None:
    from cohere_dyn._transports._httpx_clients import AiohttpForHttpx

    made = cohere_dyn.DefaultAioHttpClient()
    assert isinstance(made._transport, AiohttpForHttpx)

    async def standalone() -> Any:  # an httpx client in its own right, as the SDK's is
        with CaptureServer(lambda request: Reply(body=b'{"ok": true}', headers={"Content-Type": "application/json", "X-A": "1"})) as server:
            async with made:
                return await made.post(server.url + "/x", json={"a": 1})

    response = asyncio.run(standalone())
    assert response.status_code == 200 and response.json() == {"ok": True} and response.headers["x-a"] == "1"


@pytest.mark.parametrize("name", ["DefaultAsyncHttpxClient", "DefaultAioHttpClient"])
def test_the_default_clients_serve_calls_and_streams_on_the_async_client(name: str) -> None:
    async def run(url: str) -> tuple[Any, list[str]]:
        async with cohere_dyn.AsyncClientV2(KEY, base_url=url, httpx_client=getattr(cohere_dyn, name)()) as client:
            reply = await client.chat(model="command-a-03-2025", messages=MESSAGES)
            types = [event.type async for event in client.chat_stream(model="command-a-03-2025", messages=MESSAGES)]
            return reply, types

    with MockServer(delay=0) as mock:
        reply, types = asyncio.run(run(mock.url))
    assert reply.message.content[0].text
    assert types[0] == "message-start" and types[-1] == "message-end"
