"""The API key never shows: not in a repr, an exception (its message, body, headers, traceback),
a log line at any level, or the CLI's output, even when a server echoes it back. Header values
that could split a request are refused before anything is sent."""

from __future__ import annotations

import base64
import json
import logging
import re
import traceback
from typing import Any, Callable
from urllib.parse import quote

import pytest

import cohere_dyn
from cohere_dyn._tools._cli import main as cli
from tests import faults
from tests.blocking import KINDS, Blocking, make_client
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




# ------------------------------------------------ every spelling, every surface (issue 18, item 16)

ODD_KEY = "sk-live/0123456789+abcdefSECRET="  # '/', '+' and '=' get escaped by JSON, URLs, HTML
SECRET = "aws-secret/0123456789+abcdefXYZ"  # as AWS secret keys go: base64 characters
TOKEN = "IQoJb3JpZ2luX2VjE/session+token0123456789=="


def spellings(secret: str) -> dict[str, str]:
    """The ways a server may echo a secret: each a text to put in an answer."""
    return {
        "plain": secret,
        "json-u-lower": "".join(f"\\u{ord(c):04x}" for c in secret),
        "json-u-upper": "".join(f"\\u{ord(c):04X}" for c in secret),
        "json-slash": secret.replace("/", "\\/").replace("+", "\\u002b"),
        "json-nested": json.dumps(json.dumps({"key": secret}))[1:-1],
        "percent-upper": quote(secret, safe=""),
        "percent-lower": re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(secret, safe="")),
        "html": "".join(f"&#{ord(c)};" if not c.isalnum() else c for c in secret),
        "base64": base64.b64encode(f"Authorization: Bearer {secret}".encode()).decode(),
        "base64-url": base64.urlsafe_b64encode(f"a{secret}".encode()).decode(),
    }


def spelled_leaks(texts: list[str], secrets: list[str]) -> int:
    forms = {form for secret in secrets for form in spellings(secret).values()}
    forms |= {form.replace("\\", "\\\\") for form in forms}  # as repr() shows them
    return sum(text.count(form) for text in texts for form in forms)


def exposures_deep(error: BaseException) -> list[str]:
    """`exposures`, and those of every error it was raised from or while handling."""
    shown, seen, pending = [], set(), [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        shown += exposures(current)
        shown += [repr(value) for value in vars(current).values()] if hasattr(current, "__dict__") else []
        pending += [linked for linked in (current.__cause__, current.__context__) if linked is not None]
    return shown


def check_spelled(surface: str, texts: list[str], secrets: list[str]) -> None:
    found = spelled_leaks(texts, secrets)
    record("leaks", surface=surface, checked=len(texts), leaks=found)
    assert found == 0, f"a secret leaked through {surface}"


def sent_key(request: Any) -> str:
    return (request.header("Authorization") or "").split(" ", 1)[-1]


def answering(code: int, content_type: str, body: Callable[[str], str], headers: Callable[[str], dict[str, str]] | None = None) -> faults.Fault:
    """An answer built from the key the request carried."""

    def fault(connection: faults.Connection, request: Any) -> bool:
        data = body(sent_key(request)).encode()
        connection.head(code, {"Content-Type": content_type, **(headers(sent_key(request)) if headers else {})}, len(data))
        connection.send(data)
        return True

    return fault


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("spelling", sorted(spellings(ODD_KEY)))
def test_a_key_echoed_in_any_spelling_in_an_error_answer_does_not_leak(kind: str, spelling: str) -> None:
    def body(key: str) -> str:
        return f"<html><body>denied: {spellings(key)[spelling]}</body></html>"

    fault = answering(401, "text/html", body, lambda key: {"X-Echo": spellings(key)[spelling]})
    with FaultServer(after=fault) as server:
        client = make_client(kind, ODD_KEY, base_url=server.url, spec=TINY_SPEC)
        with pytest.raises(cohere_dyn.UnauthorizedError) as caught:
            client.echo_test(message="hi")
        client.close()
    assert "[redacted]" in str(caught.value.body) and "[redacted]" in caught.value.headers["X-Echo"]
    check_spelled(f"an error answer echoing the key ({spelling}, {kind})", exposures_deep(caught.value), [ODD_KEY])


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_sse_line_echoing_the_key_does_not_leak(kind: str) -> None:
    def body(key: str) -> str:
        first = {"type": "message-start", "id": f"m-{key}"}  # a good event that echoes it too
        return f"event: message-start\ndata: {json.dumps(first)}\n\nevent: content-delta\ndata: not JSON: {key}\n\n"

    with FaultServer(after=answering(200, "text/event-stream", body)) as server:
        client = make_client(kind, ODD_KEY, base_url=server.url)
        with pytest.raises(cohere_dyn.StreamError) as caught:
            list(client.v2.chat_stream(model="m", messages=[{"role": "user", "content": "hi"}]))
        client.close()
    assert "[redacted]" in str(caught.value) and caught.value.events[0].id == "m-[redacted]"
    check_spelled(f"a bad SSE line echoing the key ({kind})", exposures_deep(caught.value), [ODD_KEY])


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_ndjson_line_echoing_the_key_does_not_leak(kind: str) -> None:
    def body(key: str) -> str:
        return json.dumps({"event_type": "stream-start", "generation_id": "g"}) + "\n" + "{broken " + json.dumps(key)[1:-1] + "\n"

    with FaultServer(after=answering(200, "application/stream+json", body)) as server:
        client = make_client(kind, ODD_KEY, base_url=server.url)
        with pytest.raises(cohere_dyn.StreamError) as caught:
            list(client.chat_stream(message="hi"))
        client.close()
    assert "[redacted]" in str(caught.value)
    check_spelled(f"a bad NDJSON line echoing the key ({kind})", exposures_deep(caught.value), [ODD_KEY])


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_event_type_echoing_the_key_is_warned_about_without_it(kind: str) -> None:
    def body(key: str) -> str:
        return f"event: x\ndata: {json.dumps({'type': f'odd-{kind}-{key}'})}\n\ndata: [DONE]\n\n"  # warned once per type

    with FaultServer(after=answering(200, "text/event-stream", body)) as server:
        client = make_client(kind, ODD_KEY, base_url=server.url)
        with pytest.warns(UserWarning, match=rf"odd-{kind}-\[redacted\]") as warned:
            list(client.v2.chat_stream(model="m", messages=[{"role": "user", "content": "hi"}]))
        client.close()
    check_spelled(f"a warning about an event type echoing the key ({kind})", [str(w.message) for w in warned], [ODD_KEY])


@pytest.mark.parametrize("kind", KINDS)
def test_a_batch_answered_with_a_page_echoing_the_key_does_not_leak(kind: str) -> None:
    page = answering(200, "text/html", lambda key: f"<html>signed in as {quote(key, safe='')}</html>")
    with FaultServer(after=page) as server:
        client = make_client(kind, ODD_KEY, base_url=server.url, v2=True, max_retries=0)
        with pytest.raises(cohere_dyn.CohereError) as caught:
            client.embed(texts=[f"t{i}" for i in range(200)], model="m", input_type="search_document", embedding_types=["float"])
        client.close()
    assert "[redacted]" in str(caught.value) and caught.value.inputs
    check_spelled(f"a batch's answer echoing the key ({kind})", exposures_deep(caught.value), [ODD_KEY])


@pytest.mark.parametrize("kind", KINDS)
def test_a_malformed_answer_echoing_the_key_leaks_neither_into_errors_nor_into_log_lines(kind: str, every_log_line: list[str]) -> None:
    def bad_header(connection: faults.Connection, request: Any) -> bool:
        connection.send(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n{sent_key(request)}\r\n\r\n{{}}".encode())
        return False

    def bad_status(connection: faults.Connection, request: Any) -> bool:
        connection.send(f"HTTP/1.1 2OO {sent_key(request)}\r\nContent-Length: 2\r\n\r\n{{}}".encode())
        return False

    errors: list[str] = []
    for fault in (bad_header, bad_status, bad_status):
        with FaultServer([fault, fault]) as server:
            client = make_client(kind, ODD_KEY, base_url=server.url, spec=TINY_SPEC, max_retries=1)
            client._start().retry.initial_delay = 0.001
            try:
                client.echo_test(message="hi")
            except cohere_dyn.CohereError as exc:
                errors += exposures_deep(exc)
            client.close()
    assert every_log_line
    check_spelled(f"errors of malformed answers echoing the key ({kind})", errors, [ODD_KEY])
    check_spelled(f"log lines of malformed answers echoing the key ({kind})", every_log_line, [ODD_KEY])


# ------------------------------------------------------------ AWS credentials, in every spelling


def aws_client(kind: str, url: str, v2: bool = False) -> Any:
    pytest.importorskip("botocore")
    name = ("Async" if kind == "aiohttp" else "") + "BedrockClient" + ("V2" if v2 else "")
    client = getattr(cohere_dyn, name)(
        aws_access_key="AKIDLEAKTEST", aws_secret_key=SECRET, aws_session_token=TOKEN, aws_region="us-east-1",
        base_url=url, max_retries=0,
    )
    return client if kind == "requests" else Blocking(client)


def echoed_credentials(escape: Callable[[str], str]) -> str:
    return f"token {escape(TOKEN)} secret {escape(SECRET)}"


def json_escaped(secret: str) -> str:
    return secret.replace("/", "\\/").replace("+", "\\u002b").replace("=", "\\u003D")


@pytest.mark.parametrize("kind", KINDS)
def test_aws_credentials_in_an_html_page_answering_a_call_do_not_leak(kind: str) -> None:
    page = faults.status(200, f"<html>{echoed_credentials(lambda s: s)}</html>".encode(), {"Content-Type": "text/html"})
    with FaultServer(after=page) as server:
        client = aws_client(kind, server.url)
        with pytest.raises(cohere_dyn.CohereError) as caught:
            client.chat(model="cohere.command-r-v1:0", message="hi")
        client.close()
    assert "[redacted]" in str(caught.value)
    check_spelled(f"an HTML page echoing AWS credentials ({kind})", exposures_deep(caught.value), [SECRET, TOKEN])


@pytest.mark.parametrize("kind", KINDS)
def test_aws_credentials_in_an_html_page_answering_a_stream_do_not_leak(kind: str) -> None:
    page = faults.status(200, f"<html>{echoed_credentials(lambda s: quote(s, safe=''))}</html>".encode(), {"Content-Type": "text/html"})
    with FaultServer(after=page) as server:
        client = aws_client(kind, server.url)
        with pytest.raises(cohere_dyn.StreamError) as caught:
            list(client.chat_stream(model="cohere.command-r-v1:0", message="hi"))
        client.close()
    assert "[redacted]" in str(caught.value)
    check_spelled(f"an HTML page echoing AWS credentials instead of a stream ({kind})", exposures_deep(caught.value), [SECRET, TOKEN])


@pytest.mark.parametrize("kind", KINDS)
def test_aws_credentials_in_a_mid_stream_exception_frame_do_not_leak(kind: str) -> None:
    from cohere_dyn.mock._awsframes import bedrock_chunk, exception_frame

    frames = [bedrock_chunk({"event_type": "stream-start", "generation_id": f"g {TOKEN}"}),
              exception_frame("modelStreamErrorException", echoed_credentials(json_escaped))]
    with FaultServer(after=faults.stream(frames, "application/vnd.amazon.eventstream")) as server:
        client = aws_client(kind, server.url)
        with pytest.raises(cohere_dyn.StreamError, match="modelStreamErrorException mid-stream") as caught:
            list(client.chat_stream(model="cohere.command-r-v1:0", message="hi"))
        client.close()
    assert "[redacted]" in str(caught.value) and caught.value.events[0].generation_id == "g [redacted]"
    check_spelled(f"an exception frame echoing AWS credentials ({kind})", exposures_deep(caught.value), [SECRET, TOKEN])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("escape", ["json-slash", "json-u-upper", "json-u-lower"])
def test_aws_credentials_escaped_in_a_json_error_do_not_leak(kind: str, escape: str) -> None:
    message = echoed_credentials(lambda secret: spellings(secret)[escape])
    body = ('{"message": "The security token included in the request is invalid: ' + message + '"}').encode()
    headers = {"x-amzn-ErrorType": "UnrecognizedClientException:http://internal.amazon.com/", "x-echo": quote(TOKEN, safe="")}
    with FaultServer(after=faults.status(403, body, headers)) as server:
        client = aws_client(kind, server.url)
        with pytest.raises(cohere_dyn.ApiError) as caught:
            client.chat(model="cohere.command-r-v1:0", message="hi")
        client.close()
    assert "[redacted]" in str(caught.value) and caught.value.headers["x-echo"] == "[redacted]"
    check_spelled(f"a JSON error escaping AWS credentials ({escape}, {kind})", exposures_deep(caught.value), [SECRET, TOKEN])
