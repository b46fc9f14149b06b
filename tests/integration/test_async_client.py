"""The async client against the mock server and a capture server: the same methods as coroutines,
streams as async iterators, the same validation, errors, retries, batching, paging and waiting;
and every recorded SDK call replayed through it sends what the official SDK sent."""

from __future__ import annotations

import asyncio
import inspect
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import pytest

pytest.importorskip("aiohttp")
pytest.importorskip("pytest_asyncio")

import cohere_dyn
from cohere_dyn._dispatch import Group
from cohere_dyn.mock import MockServer
from tests import faults
from tests.conftest import TINY_SPEC
from tests.capture import Captured, CaptureServer, Reply
from tests.integration import test_wire_replay as replay
from tests.integration.test_streams import V2_EVENTS, sse, streaming

MODEL = "command-a-03-2025"
HELLO = [{"role": "user", "content": "hello"}]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(delay=0) as server:
        yield server


def _count(server: MockServer, path: str) -> int:
    return sum(1 for request in server.requests if request.path == path)


# ------------------------------------------------------------------------------ the methods


def test_methods_are_coroutine_functions_with_the_sync_signatures_and_docs() -> None:
    sync = cohere_dyn.ClientV2(api_key="k")
    client = cohere_dyn.AsyncClientV2(api_key="k")
    assert inspect.iscoroutinefunction(client.chat)
    assert inspect.iscoroutinefunction(client.datasets.get)
    assert inspect.signature(client.chat) == inspect.signature(sync.chat)
    assert client.chat.__doc__ == sync.chat.__doc__
    assert inspect.signature(client.chat_stream).return_annotation.startswith("AsyncStream[")
    assert inspect.signature(cohere_dyn.AsyncClient) == inspect.signature(cohere_dyn.Client)


def test_importing_cohere_dyn_imports_neither_aiohttp_nor_asyncio_nor_botocore() -> None:
    code = (
        "import sys, cohere_dyn; cohere_dyn.Client(api_key='k'); cohere_dyn.BedrockClient(aws_region='us-east-1'); "
        "print(sorted({'aiohttp', 'asyncio', 'botocore'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.asyncio
async def test_chat_answers(mock: MockServer) -> None:
    async with cohere_dyn.AsyncClientV2(api_key="k", base_url=mock.url) as client:
        reply = await client.chat(model=MODEL, messages=HELLO)
    assert "hello" in reply.message.content[0].text


@pytest.mark.asyncio
async def test_stream_is_an_async_iterator_of_events(mock: MockServer) -> None:
    async with cohere_dyn.AsyncClientV2(api_key="k", base_url=mock.url) as client:
        kinds = [event.type async for event in client.chat_stream(model=MODEL, messages=HELLO)]
        assert kinds[0] == "message-start" and kinds[-1] == "message-end"
        stream = await client.chat_stream(model=MODEL, messages=HELLO)  # opened: the status is checked
        final = await stream.final()
        assert "hello" in final.message.content[0].text
        async with client.chat_stream(model=MODEL, messages=HELLO) as stream:
            pieces = [piece async for piece in stream.text()]
        assert "".join(pieces) == final.message.content[0].text


@pytest.mark.asyncio
async def test_v1_ndjson_stream_and_the_sync_decoders(mock: MockServer) -> None:
    client = cohere_dyn.AsyncClient(api_key="k", base_url=mock.url)
    events = [event async for event in client.chat_stream(message="hi")]
    assert events[-1].event_type == "stream-end"
    await client.close()


@pytest.mark.asyncio
async def test_invalid_payload_raises_before_anything_is_sent(mock: MockServer) -> None:
    before = len(mock.requests)
    client = cohere_dyn.AsyncClientV2(api_key="k", base_url=mock.url)
    with pytest.raises(cohere_dyn.ValidationError, match=r"messages\[0\]\.role"):
        await client.chat(model=MODEL, messages=[{"role": "bot", "content": "x"}])
    with pytest.raises(cohere_dyn.ValidationError):
        client.chat_stream(model=MODEL, messages=[{"role": "bot", "content": "x"}])  # at the call, not the loop
    with pytest.raises(TypeError, match="Did you mean 'messages'"):
        await client.chat(model=MODEL, mesages=HELLO)
    assert len(mock.requests) == before


@pytest.mark.asyncio
async def test_error_status_raises_its_api_error(mock: MockServer) -> None:
    client = cohere_dyn.AsyncClient(api_key="k", base_url=mock.url)
    with pytest.raises(cohere_dyn.NotFoundError) as caught:
        await client.models.get(model="no-such-model")
    assert caught.value.status_code == 404 and "content-type" in {k.lower() for k in caught.value.headers}
    await client.close()


@pytest.mark.asyncio
async def test_retries_use_the_shared_policy_and_honour_retry_after_ms() -> None:
    answers = iter([Reply(503, b'{"message": "busy"}', {"Content-Type": "application/json", "retry-after-ms": "10"})])

    def respond(request: Captured) -> Reply:
        return next(answers, Reply(200, b'{"token_ids": [1], "tokens": ["a"]}'))

    with CaptureServer(respond) as server:
        client = cohere_dyn.AsyncClient(api_key="k", base_url=server.url)
        reply = await client.tokenize(text="a", model="m", offline=False)
        await client.close()
    assert reply.tokens == ["a"] and len(server.requests) == 2


@pytest.mark.asyncio
async def test_connection_refused_is_a_connection_error_after_retries() -> None:
    client = cohere_dyn.AsyncClient(api_key="k", base_url="http://127.0.0.1:9", max_retries=1)
    client._start().retry.initial_delay = 0.001
    with pytest.raises(cohere_dyn.ConnectionError):
        await client.check_api_key()
    await client.close()


@pytest.mark.asyncio
async def test_a_json_answer_to_a_stream_request_is_a_stream_error() -> None:
    with CaptureServer(lambda request: Reply(200, b'{"message": "not a stream"}')) as server:
        client = cohere_dyn.AsyncClientV2(api_key="k", base_url=server.url)
        with pytest.raises(cohere_dyn.StreamError, match="not a stream"):
            async for _ in client.chat_stream(model=MODEL, messages=HELLO):
                pass
        await client.close()


@pytest.mark.asyncio
async def test_a_stream_cut_mid_event_is_a_stream_error_with_the_events_so_far() -> None:
    first = b'event: message-start\ndata: {"type": "message-start", "id": "m"}\n\n'

    def respond(request: Captured) -> Reply:
        return Reply(200, headers={"Content-Type": "text/event-stream"}, chunks=[first, b'data: {"type": "con'], cut=True)

    with CaptureServer(respond) as server:
        client = cohere_dyn.AsyncClientV2(api_key="k", base_url=server.url, max_retries=0)
        with pytest.raises(cohere_dyn.StreamError) as caught:
            async for _ in client.chat_stream(model=MODEL, messages=HELLO):
                pass
        await client.close()
    assert [event.type for event in caught.value.events] == ["message-start"]


async def _disconnected(server: CaptureServer) -> bool:
    deadline = time.monotonic() + 3
    while server.disconnects == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    return server.disconnects == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("how", ["aclose", "async with", "dropped"])
async def test_breaking_out_of_a_stream_closes_its_connection(how: str) -> None:
    chunks = [sse([V2_EVENTS[0]], done=False)] + [sse([V2_EVENTS[2]], done=False)] * 40
    with CaptureServer(lambda r: streaming(chunks, pause=0.02)) as server:
        async with cohere_dyn.AsyncClientV2(api_key="k", base_url=server.url) as client:
            if how == "async with":
                async with client.chat_stream(model=MODEL, messages=HELLO) as stream:
                    async for event in stream:
                        break
            else:
                stream = client.chat_stream(model=MODEL, messages=HELLO)
                async for event in stream:
                    break
                if how == "aclose":
                    await stream.aclose()
                else:
                    del stream, event
            assert await _disconnected(server)


@pytest.mark.asyncio
async def test_an_html_page_with_200_instead_of_a_stream_is_a_stream_error_quoting_it() -> None:
    page = b"<html><body>Proxy login</body></html>"
    with CaptureServer(lambda request: Reply(200, page, {"Content-Type": "text/html"})) as server:
        async with cohere_dyn.AsyncClientV2(api_key="k", base_url=server.url) as client:
            with pytest.raises(cohere_dyn.StreamError, match="got text/html: <html><body>Proxy login"):
                await client.chat_stream(model=MODEL, messages=HELLO)


@pytest.mark.asyncio
async def test_max_connections_caps_the_connections_open_at_once() -> None:
    def slow(connection: faults.Connection, request: Any) -> bool:
        connection.wait(0.05)
        return faults.echo(connection, request)

    with faults.FaultServer(after=slow) as server:
        async with cohere_dyn.AsyncClient(
            api_key="k", base_url=server.url, spec=TINY_SPEC, max_connections=3, max_retries=0
        ) as client:
            replies = await asyncio.gather(*(client.echo_test(message=str(i)) for i in range(12)))
    assert [reply.message for reply in replies] == [str(i) for i in range(12)]
    assert server.connections == 3


@pytest.mark.asyncio
async def test_a_call_cancelled_mid_answer_leaves_the_client_usable() -> None:
    with faults.FaultServer([faults.stall_mid_body(5)], after=faults.echo) as server:
        async with cohere_dyn.AsyncClient(api_key="k", base_url=server.url, spec=TINY_SPEC) as client:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(client.echo_test(message="slow"), timeout=0.3)
            reply = await client.echo_test(message="next")
    assert reply.message == "next" and server.connections == 2


# ------------------------------------------------------------------- tasks and threads

TASKS = 16


@pytest.mark.asyncio
async def test_one_client_shared_by_16_tasks_never_crosses_answers() -> None:
    with faults.FaultServer(after=faults.echo) as server:
        async with cohere_dyn.AsyncClient(api_key="k", base_url=server.url, spec=TINY_SPEC, max_retries=0) as client:

            async def worker(task: int) -> list[str]:
                problems = []
                for call in range(50):
                    sent = f"task {task} call {call}"
                    received = (await client.echo_test(message=sent)).message
                    if received != sent:
                        problems.append(f"{sent}: got the answer to {received!r}")
                return problems

            found = await asyncio.gather(*(worker(task) for task in range(TASKS)))
    assert [problem for problems in found for problem in problems] == []
    assert len(server.requests) == TASKS * 50


def test_threads_each_running_their_own_loop_and_client_never_cross_answers() -> None:
    with faults.FaultServer(after=faults.echo) as server:

        async def calls(thread: int) -> list[str]:
            async with cohere_dyn.AsyncClient(api_key="k", base_url=server.url, spec=TINY_SPEC, max_retries=0) as client:
                replies = await asyncio.gather(*(client.echo_test(message=f"{thread}-{i}") for i in range(25)))
            return [reply.message for reply in replies]

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda thread: asyncio.run(calls(thread)), range(4)))
    assert answers == [[f"{thread}-{i}" for i in range(25)] for thread in range(4)]


# ------------------------------------------------------------------------ closing


EXIT_SCRIPT = """
import asyncio, sys, cohere_dyn

async def main():
    async with cohere_dyn.AsyncClientV2(api_key="k", base_url=sys.argv[1]) as client:
        await client.chat(model="m", messages=[{"role": "user", "content": "hello"}])
        async for event in client.chat_stream(model="m", messages=[{"role": "user", "content": "hello"}]):
            break
        await (await client.chat_stream(model="m", messages=[{"role": "user", "content": "hello"}])).final()
        try:
            await client.models.get(model="no-such-model")
        except cohere_dyn.NotFoundError:
            pass
    other = cohere_dyn.AsyncClientV2(api_key="k", base_url=sys.argv[1])
    await other.chat(model="m", messages=[{"role": "user", "content": "hello"}])
    await other.close()

asyncio.run(main())
print("done")
"""


def test_a_closed_client_leaves_no_warning_even_at_interpreter_exit(mock: MockServer) -> None:
    run = subprocess.run(
        [sys.executable, "-W", "error", "-c", EXIT_SCRIPT, mock.url], capture_output=True, text=True, timeout=60
    )
    assert (run.returncode, run.stdout.strip(), run.stderr) == (0, "done", "")


# ------------------------------------------------------------- batching, paging, waiting


@pytest.mark.asyncio
async def test_embed_batches_as_tasks_and_merges_in_input_order(mock: MockServer) -> None:
    texts = [f"text {i}" for i in range(1000)]
    before = _count(mock, "/v2/embed")
    client = cohere_dyn.AsyncClientV2(api_key="k", base_url=mock.url)
    reply = await client.embed(texts=texts, model="embed-v4.0", input_type="search_document", embedding_types=["int8"])
    single = await client.embed(texts=[texts[777]], model="embed-v4.0", input_type="search_document", embedding_types=["int8"])
    await client.close()
    assert _count(mock, "/v2/embed") - before == 11 + 1  # ceil(1000 / 96), then the single one
    assert reply.texts == texts and len(reply.embeddings.int8) == 1000
    assert reply.embeddings.int8[777] == single.embeddings.int8[0]


@pytest.mark.asyncio
async def test_async_batches_respect_max_workers() -> None:
    in_flight, peak, lock = 0, 0, threading.Lock()

    def respond(request: Captured) -> Reply:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.05)
        with lock:
            in_flight -= 1
        return Reply(200, json.dumps({"id": "e", "embeddings": {"float": [[0.0]] * len(request.json()["texts"])}}).encode())

    with CaptureServer(respond) as server:
        client = cohere_dyn.AsyncClientV2(api_key="k", base_url=server.url)
        reply = await client.embed(
            texts=["t"] * 40, model="m", input_type="search_document", embedding_types=["float"], batch_size=5, max_workers=3
        )
        await client.close()
    assert len(server.requests) == 8 and len(reply.embeddings.float) == 40
    assert 1 < peak <= 3


@pytest.mark.asyncio
async def test_an_async_batch_answered_with_fewer_embeddings_than_texts_fails_naming_its_inputs() -> None:
    def respond(request: Captured) -> Reply:
        texts = request.json()["texts"]
        vectors = [[0.0]] * (len(texts) - (3 if "t100" in texts else 0))
        return Reply(200, json.dumps({"id": "e", "embeddings": {"float": vectors}}).encode())

    with CaptureServer(respond) as server:
        client = cohere_dyn.AsyncClientV2(api_key="k", base_url=server.url)
        with pytest.raises(cohere_dyn.CohereError, match=r"batch 2 of 3 \(texts\[96:192\]\): the answer holds 93 float embeddings for 96 inputs") as caught:
            await client.embed(texts=[f"t{i}" for i in range(200)], model="m", input_type="search_document", embedding_types=["float"])
        await client.close()
    assert caught.value.inputs == range(96, 192)


@pytest.mark.asyncio
async def test_empty_texts_answer_without_a_request() -> None:
    client = cohere_dyn.AsyncClientV2(api_key="k", base_url="http://127.0.0.1:9")
    reply = await client.embed(texts=[], model="m", input_type="search_document", embedding_types=["float"])
    assert reply.embeddings.float == [] and reply.texts == []


@pytest.mark.asyncio
async def test_async_iterators_page_lazily(mock: MockServer) -> None:
    client = cohere_dyn.AsyncClient(api_key="k", base_url=mock.url)
    names = [model.name async for model in client.models.iter(page_size=3)]
    also = [model.name async for model in cohere_dyn.paginate(client.models.list, page_size=4)]
    pages = [page async for page in client.models.iter(page_size=5).pages()]
    await client.close()
    assert len(names) == 10 and names == also
    assert [len(page.models) for page in pages] == [5, 5]


@pytest.mark.asyncio
async def test_wait_polls_with_asyncio_sleep_until_done(mock: MockServer) -> None:
    client = cohere_dyn.AsyncClient(api_key="k", base_url=mock.url)
    created = await client.datasets.create(name="docs", type="embed-input", data=b'{"text": "a"}\n')
    seen: list[str] = []
    dataset = await client.wait(created, interval=0, progress=lambda answer: seen.append(answer.dataset.validation_status))
    job = await client.embed_jobs.create(model="embed-english-v3.0", dataset_id=created.id, input_type="search_document")
    finished = await client.wait(job, interval=0)
    await client.close()
    assert seen == ["queued", "processing", "validated"] and dataset.dataset.validation_status == "validated"
    assert finished.status == "complete"


# ------------------------------------------------------------------------------ event loops


def test_a_client_used_from_a_second_event_loop_fails_clearly(mock: MockServer) -> None:
    client = cohere_dyn.AsyncClientV2(api_key="k", base_url=mock.url)
    asyncio.run(client.chat(model=MODEL, messages=HELLO))
    started = time.monotonic()
    with pytest.raises(cohere_dyn.CohereError, match="another event loop"):
        asyncio.run(asyncio.wait_for(client.chat(model=MODEL, messages=HELLO), timeout=10))
    assert time.monotonic() - started < 5


def test_without_aiohttp_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "aiohttp" else real(name, *a))
    with pytest.raises(cohere_dyn.CohereError, match=r"pip install 'cohere-dyn\[async\]'"):
        cohere_dyn.AsyncClient(api_key="k")


# ------------------------------------------------------------------ the wire, through async


class _Blocking:
    """A sync face on an async client, so that the recorded sync SDK calls run through it."""

    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop):
        self._target = target
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if isinstance(value, Group):
            return _Blocking(value, self._loop)
        if inspect.iscoroutinefunction(value):
            return lambda *args, **kwargs: self._loop.run_until_complete(value(*args, **kwargs))
        if callable(value):  # a stream method: read the whole stream
            return lambda *args, **kwargs: self._loop.run_until_complete(self._collect(value(*args, **kwargs)))
        return value

    @staticmethod
    async def _collect(stream: Any) -> list[Any]:
        return [event async for event in stream]


SYNC_FIXTURES = [(path, case_id) for path, case_id in zip(replay.FIXTURES, replay.FIXTURE_IDS) if not path.stem.startswith("async_")]


@pytest.mark.parametrize("fixture", [path for path, _ in SYNC_FIXTURES], ids=[case_id for _, case_id in SYNC_FIXTURES])
def test_recorded_sdk_calls_send_the_same_through_the_async_client(fixture: Path) -> None:
    case = replay._load(fixture)
    if not replay._replayable(case):
        pytest.skip("the SDK sent nothing here")
    source = case["python_call"]
    for pattern, replacement in replay.SDK_IDIOMS:
        source = pattern.sub(replacement, source)
    loop = asyncio.new_event_loop()
    with CaptureServer() as server:
        clients = [
            cohere_dyn.AsyncClient(api_key="test-api-key", base_url=server.url, client_name="wire-capture"),
            cohere_dyn.AsyncClientV2(api_key="test-api-key", base_url=server.url, client_name="wire-capture"),
        ]
        namespace: dict[str, Any] = {
            "cohere": replay._Cohere(server.url),
            "client": _Blocking(clients[1] if replay._made_on_client_v2(case) else clients[0], loop),
            "co2": _Blocking(clients[1], loop),
            "dt": replay.dt,
            "io": replay.io,
            "json": replay.json,
            "BASE_URL": server.url,
        }
        try:
            exec(compile(source, case["method_name"], "exec"), namespace)
        finally:
            for client in clients:
                loop.run_until_complete(client.close())
            loop.close()
    expected = replay._expected_requests(case)
    assert len(server.requests) == len(expected)
    for captured, recorded in zip(server.requests, expected):
        replay._assert_same(captured, recorded)
