"""The API key never shows: not in a repr, an exception (its message, body, headers, traceback),
a log line at any level, or the CLI's output, even when a server echoes it back. Header values
that could split a request are refused before anything is sent."""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

import pytest

import cohere_dyn
from cohere_dyn._tools._cli import main as cli
from tests import faults
from tests.blocking import KINDS, make_client
from tests.conftest import TINY_SPEC
from tests.faults import FaultServer
from tests.reliability import record

KEY = "sk-live-0123456789abcdefSECRET"


def echo_key(code: int) -> faults.Fault:
    """An error that repeats the Authorization header in its body and in a header, as some proxies do."""

    def fault(connection: faults.Connection, request: Any) -> bool:
        auth = request.header("Authorization") or ""
        body = json.dumps({"message": f"bad credentials: {auth}", "seen": {"authorization": auth}}).encode()
        connection.head(code, {"Content-Type": "application/json", "X-Echo": auth}, len(body))
        connection.send(body)
        return True

    return fault


def exposures(error: BaseException) -> list[str]:
    """Every way an exception can be shown."""
    shown = [str(error), repr(error), "".join(traceback.format_exception(error))]
    for name in ("body", "headers", "events"):
        if hasattr(error, name):
            shown.append(repr(getattr(error, name)))
    return shown


def leaks(texts: list[str]) -> int:
    return sum(text.count(KEY) for text in texts)


def check(surface: str, texts: list[str]) -> None:
    found = leaks(texts)
    record("leaks", surface=surface, checked=len(texts), leaks=found)
    assert found == 0, f"the key leaked through {surface}"


@pytest.fixture
def every_log_line() -> Any:
    """Every log record of every logger, at every level, formatted as a handler would."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record) + repr(record.__dict__))

    handler = Keep(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lines
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_repr_of_the_client_has_no_key() -> None:
    client = cohere_dyn.Client(KEY, spec=TINY_SPEC)
    check("repr(client)", [repr(client), str(client)])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("code", [400, 401, 429, 503])
def test_a_server_echoing_the_key_in_an_error_does_not_leak_it(code: int, kind: str, every_log_line: list[str]) -> None:
    with FaultServer(after=echo_key(code)) as server:
        client = make_client(kind, KEY, base_url=server.url, spec=TINY_SPEC)
        client._start().retry.initial_delay = 0.001
        with pytest.raises(cohere_dyn.ApiError) as caught:
            client.echo_test(message="hi")
        client.close()
    assert "[redacted]" in str(caught.value) and caught.value.headers["X-Echo"] == "Bearer [redacted]"
    check(f"ApiError {code} echoing the key", exposures(caught.value))
    check(f"log lines around a {code}", every_log_line)


@pytest.mark.parametrize("kind", KINDS)
def test_transport_errors_and_their_causes_have_no_key(kind: str, every_log_line: list[str]) -> None:
    client = make_client(kind, KEY, base_url=faults.refused_url(), spec=TINY_SPEC, max_retries=1)
    client._start().retry.initial_delay = 0.001
    with pytest.raises(cohere_dyn.ConnectionError) as refused:
        client.echo_test(message="hi")
    client.close()
    with FaultServer([faults.stall(5)]) as server:
        slow = make_client(kind, KEY, base_url=server.url, spec=TINY_SPEC, timeout=0.2)
        with pytest.raises(cohere_dyn.TimeoutError) as timed_out:
            slow.echo_test(message="hi")
        slow.close()
    check("ConnectionError and TimeoutError", exposures(refused.value) + exposures(timed_out.value))
    check("log lines around transport errors", every_log_line)


@pytest.mark.parametrize("kind", KINDS)
def test_a_page_echoing_the_key_instead_of_a_stream_does_not_leak_it(kind: str) -> None:
    def page(connection: faults.Connection, request: Any) -> bool:
        body = f"<html>your header: {request.header('Authorization')}</html>".encode()
        connection.head(200, {"Content-Type": "text/html"}, len(body))
        connection.send(body)
        return True

    with FaultServer(after=page) as server:
        client = make_client(kind, KEY, base_url=server.url)
        with pytest.raises(cohere_dyn.StreamError) as caught:
            list(client.v2.chat_stream(model="m", messages=[{"role": "user", "content": "hi"}]))
        client.close()
    assert "[redacted]" in str(caught.value)
    check("StreamError quoting a page that echoes the key", exposures(caught.value))


def test_successful_calls_log_nothing_with_the_key(every_log_line: list[str]) -> None:
    with FaultServer() as server:
        client = cohere_dyn.Client(KEY, base_url=server.url, spec=TINY_SPEC, client_name="app")
        client.echo_test(message="hi")
        client.items.get(item_id="a/b", tags=["x"])
    assert every_log_line  # urllib3 logs each request at DEBUG
    check("DEBUG log lines of successful calls", every_log_line)


@pytest.mark.parametrize("bad", [KEY + "\r\nX-Evil: 1", KEY + "\n", KEY + "\x00", KEY + "✓"])
def test_a_key_that_cannot_be_a_header_is_refused_without_echoing_it(bad: str) -> None:
    with FaultServer() as server:
        client = cohere_dyn.Client(bad, base_url=server.url, spec=TINY_SPEC)
        with pytest.raises(cohere_dyn.ValidationError) as caught:
            client.echo_test(message="hi")
    assert server.requests == []
    check("ValidationError for a malformed key", exposures(caught.value))


@pytest.mark.parametrize("value", ["app\r\nX-Injected: 1", "app\n", "app\rx", "app\x00"])
def test_cr_or_lf_in_client_name_is_refused(value: str) -> None:
    with pytest.raises(cohere_dyn.ValidationError):
        cohere_dyn.Client(KEY, spec=TINY_SPEC, client_name=value)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Trace": "a\r\nX-Injected: 1"},
        {"X-Trace": "a\nb"},
        {"X-Trace\r\nX-Injected": "1"},
        {"X Trace": "1"},
        {"": "1"},
        {"X-Trace": "ツ"},
    ],
)
def test_bad_additional_headers_are_refused_before_sending(headers: dict[str, str]) -> None:
    with FaultServer() as server:
        client = cohere_dyn.Client(KEY, base_url=server.url, spec=TINY_SPEC)
        with pytest.raises(cohere_dyn.ValidationError):
            client.echo_test(message="hi", request_options={"additional_headers": headers})
    assert server.requests == []


def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("CO_API_KEY", KEY)
    monkeypatch.setenv("CO_API_URL", url)
    code = cli(["call", "echo_test", "--spec", str(TINY_SPEC), *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_cli_never_prints_the_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, every_log_line: list[str]
) -> None:
    outputs: list[str] = []
    with FaultServer(after=echo_key(401)) as server:
        code, output = run_cli(capsys, monkeypatch, server.url, "-p", "message=hi")
        assert code != 0 and "401" in output
        outputs.append(output)
    code, output = run_cli(capsys, monkeypatch, faults.refused_url(), "-p", "message=hi", "-p", "nope=1")
    assert code != 0
    outputs.append(output)
    with FaultServer() as server:
        code, output = run_cli(capsys, monkeypatch, server.url, "-p", "message=hi")
        assert code == 0
        outputs.append(output)
    check("CLI output", outputs)
    check("log lines of the CLI", every_log_line)


def test_validation_errors_do_not_echo_the_payload() -> None:
    secret_prompt = "PRIVATE-" + "x" * 500
    with pytest.raises(cohere_dyn.ValidationError) as caught:
        cohere_dyn.validate("echo_test", {"message": secret_prompt, "shapes": [{"kind": "hexagon"}]}, spec=TINY_SPEC)
    assert secret_prompt not in str(caught.value)


