"""tokenize/detokenize(offline=...) and fetch_tokenizer(model=...): the model's own tokenizer, run here.

The mock answers models.get with a `tokenizer_url` on itself, where it serves a small byte-level
BPE tokenizer.json; nothing comes from the internet. What the official SDK 7.3.1 returns offline
(checked against the same mock): the ids without special tokens, `token_strings == []`, no meta;
decoding skips special tokens.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

import cohere_dyn
from cohere_dyn._workflows import _tokenizer
from cohere_dyn.mock import MockServer
from cohere_dyn.mock._tokenizer import _tokenizer_json
from tests.capture import Captured, CaptureServer, Reply

tokenizers = pytest.importorskip("tokenizers")

MODEL = "command-a-03-2025"
TEXT = "hello world, tokenize this é 日本"
BOS = 2  # the mock tokenizer's <BOS_TOKEN>


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Each test starts with nothing in memory and its own folder on disk."""
    monkeypatch.setattr(_tokenizer, "_LOADED", {})
    monkeypatch.setattr(_tokenizer, "_UNUSABLE", {})
    monkeypatch.setenv("COHERE_DYN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "tokenizers"


@pytest.fixture
def mock() -> Iterator[MockServer]:
    with MockServer(delay=0) as server:
        yield server


def reference() -> Any:
    """The mock's tokenizer, read by the tokenizers package itself."""
    return tokenizers.Tokenizer.from_str(_tokenizer_json().decode())


def paths(server: Any) -> list[str]:
    return [request.path for request in server.requests]


# What the offline path answers -----------------------------------------------------------------


@pytest.mark.parametrize("offline", [True, None], ids=["offline=True", "default"])
def test_offline_tokenize_answers_as_the_sdk_does_without_calling_tokenize(mock: MockServer, offline: bool | None) -> None:
    client = cohere_dyn.Client(api_key="k", base_url=mock.url)
    options = {} if offline is None else {"offline": offline}
    reply = client.tokenize(text=TEXT, model=MODEL, **options)
    assert reply.tokens == reference().encode(TEXT, add_special_tokens=False).ids
    assert reply.token_strings == [] and reply.meta is None
    assert isinstance(reply, cohere_dyn.TokenizeResponse)
    assert paths(mock) == [f"/v1/models/{MODEL}", f"/_mock/tokenizers/{MODEL}.json"]


def test_offline_detokenize_decodes_and_skips_special_tokens(mock: MockServer) -> None:
    client = cohere_dyn.Client(api_key="k", base_url=mock.url)
    ids = reference().encode(TEXT, add_special_tokens=False).ids
    reply = client.detokenize(tokens=[BOS, *ids], model=MODEL, offline=True)
    assert reply.text == TEXT and reply.meta is None
    assert "/v1/detokenize" not in paths(mock)


def test_offline_false_asks_the_api(mock: MockServer) -> None:
    client = cohere_dyn.Client(api_key="k", base_url=mock.url)
    reply = client.tokenize(text=TEXT, model=MODEL, offline=False)
    assert reply.token_strings  # the API's answer has the pieces
    assert paths(mock) == ["/v1/tokenize"]


def test_fetch_tokenizer_returns_the_models_tokenizer(mock: MockServer) -> None:
    tokenizer = cohere_dyn.Client(api_key="k", base_url=mock.url).fetch_tokenizer(model=MODEL)
    assert isinstance(tokenizer, tokenizers.Tokenizer)
    assert tokenizer.encode(TEXT).ids == reference().encode(TEXT).ids


def test_the_offline_keyword_must_be_a_boolean(mock: MockServer) -> None:
    with pytest.raises(TypeError, match="takes True, False or None"):
        cohere_dyn.Client(api_key="k", base_url=mock.url).tokenize(text="hi", model=MODEL, offline="yes")
    assert mock.requests == []


def test_a_bad_call_is_refused_before_anything_is_fetched(mock: MockServer) -> None:
    with pytest.raises(TypeError, match="text"):
        cohere_dyn.Client(api_key="k", base_url=mock.url).tokenize(model=MODEL, offline=True)
    assert mock.requests == []


# Fetched once, kept in memory and on disk ----------------------------------------------------


def test_a_tokenizer_is_downloaded_once_per_base_url_and_model(mock: MockServer) -> None:
    client = cohere_dyn.Client(api_key="k", base_url=mock.url)
    client.tokenize(text="a", model=MODEL, offline=True)
    client.detokenize(tokens=[40], model=MODEL, offline=True)
    client.fetch_tokenizer(model=MODEL)
    cohere_dyn.Client(api_key="other", base_url=mock.url).tokenize(text="b", model=MODEL, offline=True)
    client.tokenize(text="c", model="command-r-08-2024", offline=True)
    assert paths(mock) == [
        f"/v1/models/{MODEL}", f"/_mock/tokenizers/{MODEL}.json",
        "/v1/models/command-r-08-2024", "/_mock/tokenizers/command-r-08-2024.json",
    ]


def test_the_download_carries_no_api_key(mock: MockServer) -> None:
    cohere_dyn.Client(api_key="secret-key", base_url=mock.url).fetch_tokenizer(model=MODEL)
    lookup, download = mock.requests
    assert lookup.headers["authorization"] == "Bearer secret-key"
    assert "authorization" not in download.headers


def test_the_tokenizer_on_disk_serves_a_new_process_without_a_request(mock: MockServer, _fresh_caches: Path) -> None:
    cohere_dyn.Client(api_key="k", base_url=mock.url).fetch_tokenizer(model=MODEL)
    [kept] = list(_fresh_caches.iterdir())
    assert kept.read_bytes() == _tokenizer_json()
    assert kept.name.endswith(".json") and MODEL not in kept.name  # named by a hash: any model name is safe
    before = len(mock.requests)
    program = (
        "import cohere_dyn, sys\n"
        f"reply = cohere_dyn.Client(api_key='k', base_url={mock.url!r}).tokenize(text={TEXT!r}, model={MODEL!r}, offline=True)\n"
        "print(list(reply.tokens))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=os.environ.copy(), check=True)
    assert json.loads(done.stdout) == reference().encode(TEXT, add_special_tokens=False).ids
    assert len(mock.requests) == before


def test_a_damaged_file_on_disk_is_downloaded_again(mock: MockServer, _fresh_caches: Path) -> None:
    cohere_dyn.Client(api_key="k", base_url=mock.url).fetch_tokenizer(model=MODEL)
    [kept] = list(_fresh_caches.iterdir())
    kept.write_text('{"version": "1.0", "mod')
    _tokenizer._LOADED.clear()
    assert cohere_dyn.Client(api_key="k", base_url=mock.url).tokenize(text="hi", model=MODEL, offline=True).tokens
    assert kept.read_bytes() == _tokenizer_json()
    assert paths(mock).count(f"/_mock/tokenizers/{MODEL}.json") == 2


def test_a_cache_folder_that_cant_be_written_is_no_error(mock: MockServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COHERE_DYN_CACHE_DIR", str(blocker))
    assert cohere_dyn.Client(api_key="k", base_url=mock.url).tokenize(text="hi", model=MODEL, offline=True).tokens


def test_the_folder_follows_xdg_cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("COHERE_DYN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _tokenizer.tokenizer_folder() == str(tmp_path / "cohere_dyn" / "tokenizers")
    monkeypatch.setenv("COHERE_DYN_CACHE_DIR", "")
    assert _tokenizer.tokenizer_folder() is None


# Failures: offline=True raises, the default asks the API ----------------------------------------


def scripted(answers: dict[str, Callable[[Captured], Reply]]) -> Callable[[Captured], Reply]:
    """A responder by path; models.get answers a tokenizer_url on the same server."""

    def respond(request: Captured) -> Reply:
        for prefix, answer in answers.items():
            if request.path.startswith(prefix):
                return answer(request)
        return Reply(body=b'{"tokens": [7], "token_strings": ["hi"], "text": "from the api"}')

    return respond


def lookup(request: Captured) -> Reply:
    host = request.header("Host")
    return Reply(body=json.dumps({"name": "m", "tokenizer_url": f"http://{host}/files/tok.json?sig=SECRET"}).encode())


def test_an_unknown_model_offline_raises_naming_the_model_and_status(mock: MockServer) -> None:
    with pytest.raises(cohere_dyn.CohereError, match=r"no tokenizer for model 'nope': models.get failed: status 404"):
        cohere_dyn.Client(api_key="k", base_url=mock.url).tokenize(text="hi", model="nope", offline=True)
    assert paths(mock) == ["/v1/models/nope"]


def test_a_lasting_failure_is_not_looked_up_again(mock: MockServer) -> None:
    client = cohere_dyn.Client(api_key="k", base_url=mock.url)
    for _ in range(2):
        with pytest.raises(cohere_dyn.CohereError, match="no tokenizer for model 'nope'"):
            client.fetch_tokenizer(model="nope")
    assert paths(mock) == ["/v1/models/nope"]


def test_a_model_without_a_tokenizer_url_offline_raises() -> None:
    with CaptureServer(scripted({"/v1/models/": lambda r: Reply(body=b'{"name": "m"}')})) as server:
        with pytest.raises(cohere_dyn.CohereError, match=r"model 'm': models.get gave no tokenizer_url"):
            cohere_dyn.Client(api_key="k", base_url=server.url).tokenize(text="hi", model="m", offline=True)
    assert paths(server) == ["/v1/models/m"]


def test_a_failed_download_offline_raises_naming_the_url_and_status() -> None:
    answers = {"/v1/models/": lookup, "/files/": lambda r: Reply(status=404, body=b"gone", headers={})}
    with CaptureServer(scripted(answers)) as server:
        with pytest.raises(cohere_dyn.CohereError) as caught:
            cohere_dyn.Client(api_key="k", base_url=server.url).detokenize(tokens=[1], model="m", offline=True)
    assert "the tokenizer of model 'm' could not be downloaded" in str(caught.value)
    assert f"GET {server.url}/files/tok.json answered 404" in str(caught.value)
    assert "SECRET" not in str(caught.value)
    assert paths(server) == ["/v1/models/m", "/files/tok.json"]


def test_a_file_that_is_no_tokenizer_offline_raises() -> None:
    answers = {"/v1/models/": lookup, "/files/": lambda r: Reply(body=b"<html>login</html>", headers={})}
    with CaptureServer(scripted(answers)) as server:
        with pytest.raises(cohere_dyn.CohereError, match="is not a tokenizer.json the tokenizers package reads"):
            cohere_dyn.Client(api_key="k", base_url=server.url).fetch_tokenizer(model="m")


def test_the_download_is_retried_as_the_client_retries(caplog: pytest.LogCaptureFixture) -> None:
    downloads = iter([Reply(status=503, body=b"busy", headers={"retry-after-ms": "10"})])
    answers = {"/v1/models/": lookup, "/files/": lambda r: next(downloads, Reply(body=_tokenizer_json(), headers={}))}
    with CaptureServer(scripted(answers)) as server, caplog.at_level(logging.WARNING, logger="cohere_dyn"):
        reply = cohere_dyn.Client(api_key="k", base_url=server.url).tokenize(text="hello", model="m", offline=True)
    assert reply.tokens == reference().encode("hello", add_special_tokens=False).ids
    assert paths(server) == ["/v1/models/m", "/files/tok.json", "/files/tok.json"]
    assert "the tokenizer of model 'm': status 503; retry 1 of 2" in caplog.text


def test_the_download_has_the_clients_timeout() -> None:
    from tests import faults
    from tests.faults import FaultServer

    with FaultServer([faults.stall(5)]) as files:
        answers = {"/v1/models/": lambda r: Reply(body=json.dumps({"tokenizer_url": files.url + "/tok.json"}).encode())}
        with CaptureServer(scripted(answers)) as server:
            client = cohere_dyn.Client(api_key="k", base_url=server.url, timeout=0.3)
            with pytest.raises(cohere_dyn.CohereError, match="could not be downloaded: GET .*/tok.json: .*[Tt]imed? ?out"):
                client.fetch_tokenizer(model="m")
    assert len(files.requests) == 1  # a read timeout is not retried


def test_without_the_tokenizers_package_offline_raises_and_sends_nothing(mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    with pytest.raises(cohere_dyn.CohereError, match=r"pip install 'cohere-dyn\[tokenizers\]'"):
        cohere_dyn.Client(api_key="k", base_url=mock.url).tokenize(text="hi", model=MODEL, offline=True)
    assert mock.requests == []


def test_without_the_tokenizers_package_the_default_asks_the_api_quietly(
    mock: MockServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    with caplog.at_level(logging.WARNING, logger="cohere_dyn"):
        reply = cohere_dyn.Client(api_key="k", base_url=mock.url).tokenize(text="hi", model=MODEL)
    assert reply.token_strings == ["hi"]
    [request] = mock.requests
    assert request.path == "/v1/tokenize" and request.headers["sdk-api-warning-message"] == "offline_tokenizer_failed"
    assert not caplog.records


def test_the_default_asks_the_api_with_the_sdks_header_and_warns_once(mock: MockServer, caplog: pytest.LogCaptureFixture) -> None:
    client = cohere_dyn.Client(api_key="k", base_url=mock.url)
    with caplog.at_level(logging.WARNING, logger="cohere_dyn"):
        first = client.tokenize(text="hi", model="nope")
        client.tokenize(text="hi again", model="nope")
    assert first.token_strings == ["hi"]  # the API's answer
    assert paths(mock) == ["/v1/models/nope", "/v1/tokenize", "/v1/tokenize"]  # the model is not looked up again
    assert [r.headers.get("sdk-api-warning-message") for r in mock.requests[1:]] == ["offline_tokenizer_failed"] * 2
    [warning] = [record.getMessage() for record in caplog.records]
    assert "tokenize: no tokenizer for model 'nope'" in warning and "asking the API instead" in warning


def test_a_passing_failure_is_tried_again_on_the_next_call() -> None:
    lookups = iter([Reply(status=500, body=b'{"message": "oops"}')] * 3)
    answers = {"/v1/models/": lambda r: next(lookups, lookup(r)), "/files/": lambda r: Reply(body=_tokenizer_json(), headers={})}
    with CaptureServer(scripted(answers)) as server:
        client = cohere_dyn.Client(api_key="k", base_url=server.url)
        client._start().retry.initial_delay = 0.001
        assert client.tokenize(text="hi", model="m").tokens == [7]  # the API, after models.get failed 3 times
        assert client.tokenize(text="hi", model="m").tokens == reference().encode("hi", add_special_tokens=False).ids


# The async client -------------------------------------------------------------------------------


def test_the_async_client_answers_offline_the_same(mock: MockServer) -> None:
    async def calls() -> tuple[Any, Any, Any, Any]:
        async with cohere_dyn.AsyncClient(api_key="k", base_url=mock.url) as client:
            tokens = await client.tokenize(text=TEXT, model=MODEL)
            text = await client.detokenize(tokens=[BOS, *tokens.tokens], model=MODEL, offline=True)
            online = await client.tokenize(text=TEXT, model=MODEL, offline=False)
            return tokens, text, online, await client.fetch_tokenizer(model=MODEL)

    tokens, text, online, tokenizer = asyncio.run(calls())
    assert tokens.tokens == reference().encode(TEXT, add_special_tokens=False).ids and tokens.token_strings == []
    assert text.text == TEXT
    assert online.token_strings
    assert isinstance(tokenizer, tokenizers.Tokenizer)
    assert paths(mock) == [f"/v1/models/{MODEL}", f"/_mock/tokenizers/{MODEL}.json", "/v1/tokenize"]


def test_the_async_client_parses_and_encodes_off_its_event_loop(mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    loop_thread: list[threading.Thread] = []
    where: list[str] = []
    real = tokenizers.Tokenizer.from_str

    class Watched:
        def __init__(self, text: str):
            where.append("parse " + ("loop" if threading.current_thread() in loop_thread else "thread"))
            self._real = real(text)

        def encode(self, *args: Any, **kwargs: Any) -> Any:
            where.append("encode " + ("loop" if threading.current_thread() in loop_thread else "thread"))
            return self._real.encode(*args, **kwargs)

    monkeypatch.setattr(tokenizers.Tokenizer, "from_str", Watched)

    async def call() -> Any:
        loop_thread.append(threading.current_thread())
        async with cohere_dyn.AsyncClient(api_key="k", base_url=mock.url) as client:
            return await client.tokenize(text="hi", model=MODEL, offline=True)

    asyncio.run(call())
    assert where == ["parse thread", "encode thread"]


def test_the_async_client_raises_the_same_errors(mock: MockServer) -> None:
    async def call() -> Any:
        async with cohere_dyn.AsyncClient(api_key="k", base_url=mock.url) as client:
            return await client.tokenize(text="hi", model="nope", offline=True)

    with pytest.raises(cohere_dyn.CohereError, match=r"no tokenizer for model 'nope': models.get failed: status 404"):
        asyncio.run(call())
    assert paths(mock) == ["/v1/models/nope"]


# check_api_key, as the 4.x SDK called it --------------------------------------------------------


def test_check_api_key_with_a_key_raises_value_error_saying_what_to_do(mock: MockServer) -> None:
    with pytest.raises(ValueError, match=r"takes no key since the official SDK 5.0.*call client.check_api_key\(\)"):
        cohere_dyn.Client(api_key="k", base_url=mock.url).check_api_key("another-key")

    async def call() -> Any:
        async with cohere_dyn.AsyncClient(api_key="k", base_url=mock.url) as client:
            return await client.check_api_key("another-key")

    with pytest.raises(ValueError, match="takes no key"):
        asyncio.run(call())
    assert mock.requests == []
    assert cohere_dyn.Client(api_key="k", base_url=mock.url).check_api_key().valid is True
