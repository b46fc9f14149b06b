"""Each network fault, injected by a loopback server: the outcome, the exception, and how many
requests the server saw (so how many times the client tried).

The retry policy is the real one except for its sleeping: `FastPolicy` records the delay the
real policy chose and then waits a millisecond, so the suite stays fast; one test sleeps for real.

Every test runs on both transports: the sync client's (requests) and the async client's
(aiohttp, through `tests.blocking`), which must behave alike.
"""

from __future__ import annotations

import builtins
import email.utils
import io
import json
import logging
import os
import threading
import time
from typing import Any, Callable, Iterator

import pytest

import cohere_dyn
from cohere_dyn._call._retry import RetryPolicy
from tests import faults
from tests.blocking import KINDS, make_client
from tests.capture import default_reply
from tests.conftest import TINY_SPEC
from tests.faults import FaultServer, causes
from tests.reliability import record

KEY = "fault-test-key-0123456789"
MESSAGES = [{"role": "user", "content": "hi"}]


class FastPolicy(RetryPolicy):
    """The real policy; its delays are recorded, then replaced by a millisecond."""

    def __init__(self) -> None:
        super().__init__()
        self.delays: list[float] = []

    def delay(self, attempt: int, headers: Any = None) -> float:
        chosen = super().delay(attempt, headers)
        self.delays.append(chosen)
        return 0.001


_OPEN: list[Any] = []  # the clients of the running test, closed after it
_KIND = ["requests"]


@pytest.fixture(params=KINDS, autouse=True)
def transport(request: pytest.FixtureRequest) -> Iterator[str]:
    """Runs each test on the sync and on the async transport."""
    _KIND[0] = request.param
    yield request.param
    while _OPEN:
        _OPEN.pop().close()


def client_for(url: str, spec: Any = TINY_SPEC, policy: RetryPolicy | None = None, **options: Any) -> Any:
    client = make_client(_KIND[0], KEY, base_url=url, spec=spec, **options)
    _OPEN.append(client)
    client._start().retry = policy or FastPolicy()
    return client


def delays(client: cohere_dyn.Client) -> list[float]:
    return client._caller.retry.delays


def attempt(fault: str, server: FaultServer | None, call: Callable[[], Any], **extra: Any) -> tuple[Any, BaseException | None]:
    """Run `call`, record what happened, and return (result, exception)."""
    started = time.perf_counter()
    try:
        result, error = call(), None
    except Exception as exc:  # the point is to see which
        result, error = None, exc
    record(
        "fault",
        fault=fault,
        transport=_KIND[0],
        outcome="success" if error is None else "raised",
        exception=type(error).__name__ if error is not None else "",
        requests=len(server.requests) if server is not None else None,
        seconds=round(time.perf_counter() - started, 3),
        **extra,
    )
    return result, error


def sse_stream(events: int = 2) -> list[bytes]:
    body = default_reply(_StreamRequest()).body
    chunks = body.split(b"\n\n")
    return [chunk + b"\n\n" for chunk in chunks if chunk][:events]


class _StreamRequest:
    path = "/v2/chat"
    body = json.dumps({"stream": True}).encode()

    def header(self, name: str) -> None:
        return None


# Statuses --------------------------------------------------------------------------------------


def test_two_errors_then_success_takes_three_requests() -> None:
    with FaultServer([faults.status(503), faults.status(503), faults.ok({"message": "hi"})]) as server:
        client = client_for(server.url)
        result, error = attempt("503, 503, then 200", server, lambda: client.echo_test(message="hi"))
    assert error is None and result.message == "hi"
    assert len(server.requests) == 3


def test_errors_beyond_the_retries_raise_the_last_status_with_its_headers() -> None:
    answer = faults.status(503, {"message": "overloaded"}, {"X-Request-Id": "r-1"})
    with FaultServer([answer] * 5) as server:
        client = client_for(server.url)
        _, error = attempt("503 every time", server, lambda: client.echo_test(message="hi"))
    assert isinstance(error, cohere_dyn.ServiceUnavailableError)
    assert error.status_code == 503 and error.body == {"message": "overloaded"}
    assert error.headers["X-Request-Id"] == "r-1"
    assert len(server.requests) == 3


@pytest.mark.parametrize("code", [408, 409, 429, 500, 502, 503, 504])
def test_each_retryable_status_is_retried(code: int) -> None:
    with FaultServer([faults.status(code, {"message": "again"})]) as server:
        client = client_for(server.url)
        _, error = attempt(f"{code} once, then 200", server, lambda: client.echo_test(message="hi"))
    assert error is None
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("code", "error_type"),
    [
        (400, cohere_dyn.BadRequestError),
        (401, cohere_dyn.UnauthorizedError),
        (403, cohere_dyn.ForbiddenError),
        (404, cohere_dyn.NotFoundError),
        (422, cohere_dyn.UnprocessableEntityError),
        (498, cohere_dyn.InvalidTokenError),
        (501, cohere_dyn.NotImplementedApiError),
    ],
)
def test_other_error_statuses_are_never_retried(code: int, error_type: type) -> None:
    with FaultServer([faults.status(code, {"message": "no"})]) as server:
        client = client_for(server.url)
        _, error = attempt(f"{code}", server, lambda: client.echo_test(message="hi"))
    assert type(error) is error_type
    assert len(server.requests) == 1


def test_max_retries_zero_means_one_attempt() -> None:
    with FaultServer([faults.status(503)] * 3) as server:
        client = client_for(server.url, max_retries=0)
        _, error = attempt("503, max_retries=0", server, lambda: client.echo_test(message="hi"))
    assert isinstance(error, cohere_dyn.ServiceUnavailableError)
    assert len(server.requests) == 1


def test_max_retries_per_call_overrides_the_client() -> None:
    with FaultServer([faults.status(429)] * 10) as server:
        client = client_for(server.url, max_retries=0)
        _, error = attempt(
            "429, max_retries=4 per call",
            server,
            lambda: client.echo_test(message="hi", request_options={"max_retries": 4}),
        )
    assert isinstance(error, cohere_dyn.TooManyRequestsError)
    assert len(server.requests) == 5


def test_a_bad_max_retries_fails_before_sending() -> None:
    with FaultServer() as server:
        client = client_for(server.url)
        with pytest.raises(TypeError):
            client.echo_test(message="hi", request_options={"max_retries": "3"})
        with pytest.raises(ValueError):
            client.echo_test(message="hi", request_options={"max_retries": -1})
    assert server.requests == []


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    policy = RetryPolicy()
    for attempt_number, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, 8.0), (5000, 8.0)]:
        chosen = [policy.delay(attempt_number) for _ in range(50)]
        assert all(ceiling / 2 <= value <= ceiling for value in chosen)
        assert len(set(chosen)) > 1  # jitter


# Retry-After -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after-ms": "150"}, 0.15),
        ({"Retry-After": "2", "retry-after-ms": "250"}, 0.25),  # the finer one wins
        ({"Retry-After": "3600"}, 60.0),  # capped
        ({"Retry-After": "-5"}, 0.01),  # "now", or sooner: still the floor
        ({"Retry-After": "0"}, 0.01),
        ({"retry-after-ms": "0"}, 0.01),
    ],
)
def test_retry_after_headers_set_the_delay(headers: dict[str, str], expected: float) -> None:
    with FaultServer([faults.status(429, {"message": "slow down"}, headers)]) as server:
        client = client_for(server.url)
        _, error = attempt(f"429 with {headers}", server, lambda: client.echo_test(message="hi"), delay=expected)
    assert error is None and len(server.requests) == 2
    assert delays(client) == [pytest.approx(expected)]


@pytest.mark.parametrize("headers", [{"Retry-After": "0"}, {"Retry-After": "-1"}, {"retry-after-ms": "0"}])
def test_a_429_saying_retry_now_again_and_again_costs_a_pause_that_doubles(headers: dict[str, str]) -> None:
    with FaultServer([faults.status(429, {"message": "slow down"}, headers)] * 5) as server:
        client = client_for(server.url, max_retries=5)
        _, error = attempt(f"429 with {headers}, five times", server, lambda: client.echo_test(message="hi"))
    assert error is None and len(server.requests) == 6
    assert delays(client) == [pytest.approx(0.01 * 2**n) for n in range(5)]


def test_retry_after_as_an_http_date() -> None:
    when = email.utils.formatdate(time.time() + 5, usegmt=True)
    with FaultServer([faults.status(503, b"", {"Retry-After": when})]) as server:
        client = client_for(server.url)
        _, error = attempt("503 with Retry-After: <date>", server, lambda: client.echo_test(message="hi"))
    assert error is None and len(server.requests) == 2
    assert 3.5 <= delays(client)[0] <= 5.0


@pytest.mark.parametrize("value", ["soon", "nan", "inf", ""])
def test_a_meaningless_retry_after_falls_back_to_backoff(value: str) -> None:
    with FaultServer([faults.status(503, b"", {"Retry-After": value})]) as server:
        client = client_for(server.url)
        _, error = attempt(f"503 with Retry-After: {value!r}", server, lambda: client.echo_test(message="hi"))
    assert error is None and len(server.requests) == 2
    assert 0.25 <= delays(client)[0] <= 0.5


def test_retry_after_ms_is_really_waited_for() -> None:
    with FaultServer([faults.status(429, b"", {"retry-after-ms": "300"})]) as server:
        client = client_for(server.url, policy=RetryPolicy())
        started = time.perf_counter()
        _, error = attempt("429 with retry-after-ms: 300 (real sleep)", server, lambda: client.echo_test(message="hi"))
        waited = time.perf_counter() - started
    assert error is None and len(server.requests) == 2
    assert 0.3 <= waited < 2.0


# Connections -----------------------------------------------------------------------------------


def test_connection_closed_before_the_headers_is_retried() -> None:
    with FaultServer([faults.close_before_headers, faults.close_before_headers]) as server:
        client = client_for(server.url)
        result, error = attempt("closed before headers x2, then 200", server, lambda: client.echo_test(message="hi"))
    assert error is None and result.message == "ok"
    assert len(server.requests) == 3


def test_connection_closed_before_the_headers_every_time_raises_connection_error() -> None:
    with FaultServer(after=faults.close_before_headers) as server:
        client = client_for(server.url)
        _, error = attempt("closed before headers every time", server, lambda: client.echo_test(message="hi"))
    assert type(error) is cohere_dyn.ConnectionError and not error.response_started
    assert len(server.requests) == 3


def test_connection_reset_is_retried() -> None:
    with FaultServer([faults.reset]) as server:
        client = client_for(server.url)
        _, error = attempt("reset once, then 200", server, lambda: client.echo_test(message="hi"))
    assert error is None
    assert len(server.requests) == 2


def test_connection_refused_is_retried_then_raises_connection_error(caplog: pytest.LogCaptureFixture) -> None:
    client = client_for(faults.refused_url())
    with caplog.at_level(logging.WARNING, logger="cohere_dyn"):
        _, error = attempt("connection refused", None, lambda: client.echo_test(message="hi"), attempts=3)
    assert type(error) is cohere_dyn.ConnectionError
    assert not isinstance(error, builtins.ConnectionError)  # not the builtin: catch CohereError
    assert len([r for r in caplog.records if r.name == "cohere_dyn"]) == 2  # two retries, three attempts


def test_connect_timeout_is_retried_then_raises_timeout_error(caplog: pytest.LogCaptureFixture) -> None:
    with faults.full_backlog() as backlog:
        if not backlog.works:
            pytest.skip("this OS accepts connections beyond a full backlog")
        client = client_for(backlog.url, timeout=cohere_dyn.Timeout(connect=0.2, read=5))
        with caplog.at_level(logging.WARNING, logger="cohere_dyn"):
            _, error = attempt("connect timeout", None, lambda: client.echo_test(message="hi"), attempts=3)
    assert isinstance(error, cohere_dyn.TimeoutError) and error.connect
    assert len([r for r in caplog.records if r.name == "cohere_dyn"]) == 2


def test_connection_closed_after_the_headers_is_not_retried() -> None:
    with FaultServer([faults.close_after_headers()]) as server:
        client = client_for(server.url)
        _, error = attempt("closed after headers", server, lambda: client.echo_test(message="hi"))
    assert type(error) is cohere_dyn.ConnectionError and error.response_started
    assert len(server.requests) == 1


def test_partial_body_is_not_retried() -> None:
    with FaultServer([faults.partial_body()]) as server:
        client = client_for(server.url)
        _, error = attempt("partial body", server, lambda: client.echo_test(message="hi"))
    assert type(error) is cohere_dyn.ConnectionError and error.response_started
    assert len(server.requests) == 1


# Timeouts --------------------------------------------------------------------------------------


def test_read_timeout_raises_timeout_error_and_is_not_retried() -> None:
    with FaultServer([faults.stall(5)]) as server:
        client = client_for(server.url, timeout=0.3)
        started = time.perf_counter()
        _, error = attempt("stall (read timeout 0.3 s)", server, lambda: client.echo_test(message="hi"))
        waited = time.perf_counter() - started
    assert isinstance(error, cohere_dyn.TimeoutError) and not error.connect
    assert isinstance(error, builtins.TimeoutError) and isinstance(error, cohere_dyn.CohereError)
    assert len(server.requests) == 1
    assert waited < 2


def test_timeout_per_call_overrides_the_client() -> None:
    with FaultServer([faults.stall(5)]) as server:
        client = client_for(server.url)  # the default read timeout is minutes
        _, error = attempt(
            "stall, timeout_in_seconds=0.3 per call",
            server,
            lambda: client.echo_test(message="hi", request_options={"timeout_in_seconds": 0.3}),
        )
    assert isinstance(error, cohere_dyn.TimeoutError)
    assert len(server.requests) == 1


def test_stall_in_the_middle_of_the_body_raises_timeout_error() -> None:
    with FaultServer([faults.stall_mid_body(5)]) as server:
        client = client_for(server.url, timeout=0.3)
        _, error = attempt("stall mid-body", server, lambda: client.echo_test(message="hi"))
    assert isinstance(error, cohere_dyn.TimeoutError) and not error.connect
    assert len(server.requests) == 1


def test_default_timeouts_suit_llm_calls() -> None:
    timeout = cohere_dyn.Client("k", spec=TINY_SPEC)._timeout
    assert timeout.connect <= 10 and timeout.read >= 120


@pytest.mark.parametrize("value", ["3", float("nan"), -1, 0, True, object()])
def test_bad_timeouts_fail_before_sending(value: Any) -> None:
    with FaultServer() as server:
        client = client_for(server.url)
        with pytest.raises((TypeError, ValueError)):
            client.echo_test(message="hi", request_options={"timeout_in_seconds": value})
    assert server.requests == []


# Bodies ----------------------------------------------------------------------------------------


def test_invalid_json_with_200_raises_cohere_error_without_retrying() -> None:
    with FaultServer([faults.status(200, b'{"message": "unfinished', {"Content-Type": "application/json"})]) as server:
        client = client_for(server.url)
        _, error = attempt("invalid JSON with 200", server, lambda: client.echo_test(message="hi"))
    assert type(error) is cohere_dyn.CohereError and "isn't JSON" in str(error)
    assert len(server.requests) == 1


HTML = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


def test_html_502_is_retried_and_kept_as_text() -> None:
    answer = faults.status(502, HTML, {"Content-Type": "text/html"})
    with FaultServer([answer] * 3) as server:
        client = client_for(server.url)
        _, error = attempt("HTML with 502 every time", server, lambda: client.echo_test(message="hi"))
    assert type(error) is cohere_dyn.ApiError and error.status_code == 502
    assert error.body == HTML.decode() and "502 Bad Gateway" in str(error)
    assert len(server.requests) == 3


def test_html_502_then_success() -> None:
    with FaultServer([faults.status(502, HTML, {"Content-Type": "text/html"})]) as server:
        client = client_for(server.url)
        _, error = attempt("HTML with 502, then 200", server, lambda: client.echo_test(message="hi"))
    assert error is None and len(server.requests) == 2


def test_an_html_page_with_200_where_the_spec_declares_json_is_an_error() -> None:
    page = b"<html><body><h1>Please sign in to the proxy</h1></body></html>"
    with FaultServer([faults.status(200, page, {"Content-Type": "text/html; charset=utf-8"})]) as server:
        client = client_for(server.url)
        result, error = attempt("HTML with 200", server, lambda: client.echo_test(message="hi"))
    assert result is None and type(error) is cohere_dyn.CohereError
    assert "text/html where the spec declares JSON" in str(error) and "Please sign in" in str(error)
    assert len(server.requests) == 1


def test_a_retried_json_request_is_byte_identical() -> None:
    with FaultServer([faults.status(500), faults.reset]) as server:
        client = client_for(server.url)
        _, error = attempt("500, reset, then 200 (JSON body)", server, lambda: client.echo_test(message="héllo"))
    assert error is None and len(server.requests) == 3
    first = server.requests[0]
    assert all(r.body == first.body and r.headers == first.headers for r in server.requests)


def test_a_retried_multipart_upload_is_byte_identical_and_the_file_is_left_where_it_was() -> None:
    upload = io.BytesIO(b"HEADER-SKIPPED\n" + b'{"text": "a"}\n' * 1000)
    upload.seek(len(b"HEADER-SKIPPED\n"))
    with FaultServer([faults.status(503), faults.close_before_headers]) as server:
        client = client_for(server.url, spec=None)
        _, error = attempt(
            "503, closed, then 200 (multipart upload)",
            server,
            lambda: client.datasets.create(name="d", type="embed-input", data=upload),
        )
    assert error is None and len(server.requests) == 3
    bodies = {r.body for r in server.requests}
    assert len(bodies) == 1 and server.requests[0].multipart()[0]["content"].startswith('{"text": "a"}')
    assert upload.tell() == len(b"HEADER-SKIPPED\n")


# Streams ---------------------------------------------------------------------------------------


def test_stream_is_retried_while_nothing_has_been_received() -> None:
    script = [faults.status(503), faults.close_before_headers, faults.stream(sse_stream())]
    with FaultServer(script) as server:
        client = client_for(server.url, spec=None)
        result, error = attempt(
            "stream: 503, closed, then events",
            server,
            lambda: list(client.v2.chat_stream(model="m", messages=MESSAGES)),
        )
    assert error is None and [event.type for event in result] == ["message-start", "message-end"]
    assert len(server.requests) == 3


def test_stream_cut_after_the_first_event_is_not_retried() -> None:
    with FaultServer([faults.stream(sse_stream(1), cut=True)]) as server:
        client = client_for(server.url, spec=None)
        _, error = attempt(
            "stream cut after 1 event",
            server,
            lambda: list(client.v2.chat_stream(model="m", messages=MESSAGES)),
        )
    assert isinstance(error, cohere_dyn.StreamError)
    assert [event.type for event in error.events] == ["message-start"]
    assert len(server.requests) == 1


def test_stream_stalled_after_the_headers_raises_stream_error_without_retrying() -> None:
    def stalled(connection: faults.Connection, request: Any) -> bool:
        connection.head(200, {"Content-Type": "text/event-stream"}, None)
        chunk = sse_stream(1)[0]
        connection.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        connection.wait(5)
        return False

    with FaultServer([stalled]) as server:
        client = client_for(server.url, spec=None, timeout=0.3)
        _, error = attempt(
            "stream stalled after 1 event (read timeout)",
            server,
            lambda: list(client.v2.chat_stream(model="m", messages=MESSAGES)),
        )
    assert isinstance(error, cohere_dyn.StreamError)
    assert isinstance(error.__cause__, cohere_dyn.TimeoutError)
    assert len(error.events) == 1
    assert len(server.requests) == 1


# Logging ---------------------------------------------------------------------------------------


def test_every_retry_is_logged_with_attempt_status_and_delay(caplog: pytest.LogCaptureFixture) -> None:
    with FaultServer([faults.status(503), faults.status(429, b"", {"retry-after-ms": "20"})]) as server:
        client = client_for(server.url)
        with caplog.at_level(logging.DEBUG):
            _, error = attempt("503, 429, then 200 (logged)", server, lambda: client.echo_test(message="hi"))
    assert error is None
    retries = [r for r in caplog.records if r.name == "cohere_dyn"]
    assert [(r.levelname, r.attempt, r.status) for r in retries] == [("WARNING", 1, 503), ("WARNING", 2, 429)]
    assert delays(client)[1] == pytest.approx(0.02)  # the policy's choice (FastPolicy then waits 1 ms)
    assert "retry 1 of 2" in retries[0].getMessage() and "status 503" in retries[0].getMessage()
    assert all(KEY not in r.getMessage() and KEY not in str(r.__dict__) for r in caplog.records)


# Answers that aren't the answer: redirects, empty bodies, JSON of the wrong kind ---------------


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_a_redirect_is_an_error_naming_where_it_pointed_and_is_not_followed(code: int) -> None:
    with FaultServer() as elsewhere:
        moved = faults.redirect(code, f"{elsewhere.url}/v2/echo?signature=s3cr3t")
        with FaultServer([moved]) as server:
            client = client_for(server.url)
            _, error = attempt(f"{code} redirect", server, lambda: client.echo_test(message="hi"))
    assert isinstance(error, cohere_dyn.ApiError) and error.status_code == code
    assert f"{elsewhere.url}/v2/echo" in str(error) and "redirect" in str(error)
    assert "s3cr3t" not in str(error) and KEY not in str(error)
    assert len(server.requests) == 1 and elsewhere.requests == []


def test_a_redirect_whose_body_looks_like_an_answer_is_still_an_error() -> None:
    with FaultServer([faults.redirect(301, "http://127.0.0.1:9/echo", {"message": "moved"})]) as server:
        client = client_for(server.url)
        result, error = attempt("301 with a JSON body", server, lambda: client.echo_test(message="hi"))
    assert result is None and isinstance(error, cohere_dyn.ApiError) and error.status_code == 301


def test_a_redirect_of_a_stream_is_an_error() -> None:
    with FaultServer([faults.redirect(307, "http://127.0.0.1:9/v2/chat")]) as server:
        client = client_for(server.url, spec=None)
        _, error = attempt("307 redirect of a stream", server, lambda: list(client.v2.chat_stream(model="m", messages=MESSAGES)))
    assert isinstance(error, cohere_dyn.ApiError) and error.status_code == 307
    assert len(server.requests) == 1


@pytest.mark.parametrize("body", [b"", b" \r\n "])
def test_an_empty_200_where_the_spec_declares_json_is_an_error(body: bytes) -> None:
    with FaultServer([faults.status(200, body, {"Content-Type": "application/json"})]) as server:
        client = client_for(server.url)
        result, error = attempt(f"200 with an empty body {body!r}", server, lambda: client.echo_test(message="hi"))
    assert result is None and type(error) is cohere_dyn.CohereError
    assert "echo_test" in str(error) and "empty" in str(error)
    assert len(server.requests) == 1


def test_an_empty_200_where_the_spec_declares_no_body_is_none() -> None:
    with FaultServer([faults.status(200)]) as server:
        client = client_for(server.url, spec=None)
        result, error = attempt("200 with no body, none declared", server, lambda: client.embed_jobs.cancel(id="job-1"))
    assert error is None and result is None


@pytest.mark.parametrize("body", [b"[1, 2, 3]", b'"moved"', b"42", b"null", b"true"])
def test_json_that_is_no_object_where_the_spec_declares_one_is_an_error(body: bytes) -> None:
    with FaultServer([faults.status(200, body, {"Content-Type": "application/json"})]) as server:
        client = client_for(server.url)
        result, error = attempt(f"200 with JSON {body.decode()}", server, lambda: client.echo_test(message="hi"))
    assert result is None and type(error) is cohere_dyn.CohereError
    assert "echo_test" in str(error) and "object" in str(error) and body.decode() in str(error)
    assert len(server.requests) == 1


# Malformed answers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("a garbage status line", b"garbage\r\n\r\n"),
        ("a 100 KB header line", b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 100_000 + b"\r\nContent-Length: 2\r\n\r\n{}"),
    ],
)
def test_a_malformed_answer_is_not_retried(name: str, answer: bytes) -> None:
    with FaultServer([faults.raw(answer)]) as server:
        client = client_for(server.url)
        _, error = attempt(name, server, lambda: client.echo_test(message="hi"))
    assert isinstance(error, cohere_dyn.ConnectionError) and error.response_started
    assert "malformed" in str(error) and server.url.split("//")[1] in str(error)
    assert len(server.requests) == 1


DEEP = b'{"a":' * 100_000 + b"1" + b"}" * 100_000


def test_deeply_nested_json_with_200_is_a_cohere_error() -> None:
    with FaultServer([faults.status(200, DEEP, {"Content-Type": "application/json"})]) as server:
        client = client_for(server.url)
        _, error = attempt("200 with JSON nested 100,000 deep", server, lambda: client.echo_test(message="hi"))
    assert type(error) is cohere_dyn.CohereError and "echo_test" in str(error)
    assert len(server.requests) == 1


def test_deeply_nested_json_in_an_error_answer_is_kept_as_text() -> None:
    with FaultServer([faults.status(400, DEEP, {"Content-Type": "application/json"})]) as server:
        client = client_for(server.url)
        _, error = attempt("400 with JSON nested 100,000 deep", server, lambda: client.echo_test(message="hi"))
    assert type(error) is cohere_dyn.BadRequestError and error.body == DEEP.decode()


@pytest.mark.parametrize(
    ("content_type", "framing"),
    [("text/event-stream", lambda data: b"data: " + data + b"\n\n"), ("application/stream+json", lambda data: data + b"\n")],
)
def test_deeply_nested_json_in_a_stream_is_a_stream_error(content_type: str, framing: Callable[[bytes], bytes]) -> None:
    first = b'{"type": "message-start", "id": "m"}'
    with FaultServer([faults.stream([framing(first), framing(DEEP)], content_type)]) as server:
        client = client_for(server.url, spec=None)
        _, error = attempt(
            f"{content_type} event nested 100,000 deep", server, lambda: list(client.v2.chat_stream(model="m", messages=MESSAGES))
        )
    assert isinstance(error, cohere_dyn.StreamError) and len(error.events) == 1


def _every(client: Any, results: Any) -> list[Any]:
    """The items of an iterator, or of an async one (on the blocking client's loop)."""
    if hasattr(results, "__aiter__"):

        async def collect() -> list[Any]:
            return [item async for item in results]

        return client.run(collect())  # type: ignore[no-any-return]
    return list(results)


def test_deeply_nested_json_in_an_embed_stream_answer_is_a_cohere_error() -> None:
    with FaultServer([faults.status(200, DEEP, {"Content-Type": "application/json"})]) as server:
        client = client_for(server.url, spec=None)
        _, error = attempt(
            "embed_stream answer nested 100,000 deep",
            server,
            lambda: _every(client, client.v2.embed_stream(texts=["a", "b"], model="m", input_type="search_document")),
        )
    assert isinstance(error, cohere_dyn.CohereError) and len(server.requests) == 1


# Connections: what the message says ------------------------------------------------------------


def test_a_refused_connection_names_the_host_and_port_once() -> None:
    url = faults.refused_url()
    client = client_for(url, max_retries=0)
    _, error = attempt("connection refused (message)", None, lambda: client.echo_test(message="hi"))
    assert type(error) is cohere_dyn.ConnectionError
    message = str(error)
    assert url.split("//")[1] in message and "refused" in message.lower()
    assert "ConnectionError" not in message and "Errno" not in message


def test_a_host_name_that_does_not_resolve_is_named_and_not_retried(caplog: pytest.LogCaptureFixture) -> None:
    client = client_for("http://cohere-dyn-test.invalid:8080")
    with caplog.at_level(logging.WARNING, logger="cohere_dyn"):
        _, error = attempt("DNS: name not resolved", None, lambda: client.echo_test(message="hi"), attempts=1)
    assert type(error) is cohere_dyn.ConnectionError
    assert "cohere-dyn-test.invalid" in str(error) and "resolve" in str(error)
    assert [r for r in caplog.records if r.name == "cohere_dyn"] == []


# Answers too large once decoded ----------------------------------------------------------------


def test_a_gzip_answer_inflating_past_the_limit_is_an_error() -> None:
    bomb = b'{"message": "' + b"a" * 50_000_000 + b'"}'  # 50 MB decoded, about 50 KB on the wire
    with FaultServer([faults.gzipped(bomb)]) as server:
        client = client_for(server.url, max_response_bytes=1_000_000)
        _, error = attempt("gzip answer inflating to 50 MB (limit 1 MB)", server, lambda: client.echo_test(message="hi"))
    assert type(error) is cohere_dyn.CohereError and "max_response_bytes" in str(error)
    assert len(server.requests) == 1


def test_an_answer_within_the_limit_is_read_whole() -> None:
    answer = json.dumps({"message": "a" * 900_000}).encode()
    with FaultServer([faults.gzipped(answer)]) as server:
        client = client_for(server.url, max_response_bytes=1_000_000)
        result, error = attempt("gzip answer of 0.9 MB (limit 1 MB)", server, lambda: client.echo_test(message="hi"))
    assert error is None and len(result.message) == 900_000


def test_an_answer_past_the_limit_is_raised_as_it_was_not_as_its_own_cause() -> None:
    bomb = b'{"message": "' + b"a" * 5_000_000 + b'"}'
    with FaultServer([faults.gzipped(bomb)]) as server:
        client = client_for(server.url, max_response_bytes=1_000_000)
        _, error = attempt("gzip answer past the limit", server, lambda: client.echo_test(message="hi"))
    assert error is not None and "max_response_bytes" in str(error)
    assert causes(error)[0] is error


def test_an_error_answer_past_the_limit_is_an_error_too() -> None:
    body = json.dumps({"message": "a" * 2_000_000}).encode()
    with FaultServer([faults.status(400, body, {"Content-Type": "application/json"})]) as server:
        client = client_for(server.url, max_response_bytes=1_000_000)
        _, error = attempt("400 with a 2 MB body (limit 1 MB)", server, lambda: client.echo_test(message="hi"))
    assert type(error) is cohere_dyn.CohereError and "max_response_bytes" in str(error)


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("one endless event", b"data: " + b"a" * 20_000_000),
        ("many events", b'data: {"type": "content-delta", "index": 0}\n\n' * 500_000),
    ],
)
def test_a_gzip_stream_inflating_past_the_limit_is_a_stream_error(name: str, body: bytes) -> None:
    with FaultServer([faults.gzipped(body, "text/event-stream", chunks=20)]) as server:
        client = client_for(server.url, spec=None, max_response_bytes=1_000_000)
        _, error = attempt(
            f"gzip stream of {name} past the limit", server, lambda: list(client.v2.chat_stream(model="m", messages=MESSAGES))
        )
    assert isinstance(error, cohere_dyn.StreamError) and "max_response_bytes" in str(error)
    assert len(server.requests) == 1


def test_the_default_limit_takes_the_largest_real_answers() -> None:
    client = cohere_dyn.Client("k", spec=TINY_SPEC)
    assert 64 << 20 <= client._max_response_bytes <= 1 << 30


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "1000"])
def test_a_bad_max_response_bytes_fails_at_construction(value: Any) -> None:
    with pytest.raises((TypeError, ValueError), match="max_response_bytes"):
        cohere_dyn.Client("k", spec=TINY_SPEC, max_response_bytes=value)


# Uploads from disk -----------------------------------------------------------------------------


def _complete(request: Any) -> bool:
    return len(request.body) == int(request.header("Content-Length") or 0)


def test_a_file_that_grows_while_it_is_uploaded_is_never_sent_past_its_length_nor_retried(tmp_path: Any) -> None:
    path = tmp_path / "growing.bin"
    path.write_bytes(b"x" * (32 << 20))  # more than the socket buffers hold: the upload is still going
    grown: list[bool] = []

    def grow() -> None:
        if not grown:
            grown.append(True)
            with path.open("ab") as handle:
                handle.write(b"y" * (1 << 20))

    with FaultServer(before_body=grow) as server:
        client = client_for(server.url)

        def upload() -> Any:
            try:
                return client.uploads.create(file=path, model="small")
            finally:
                server.wait_for(1)  # what came of the request, read by the server

        _, error = attempt("file grows during the upload", server, upload)
    assert type(error) is cohere_dyn.CohereError and "changed while it was being uploaded" in str(error)
    assert len(server.requests) == 1 and not _complete(server.requests[0])
    assert b"yyyy" not in server.requests[0].body


def test_a_file_that_changes_before_a_retry_is_not_sent_again(tmp_path: Any) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * 100_000)
    with FaultServer([faults.grow_then_503(path)]) as server:
        client = client_for(server.url)

        def upload() -> Any:
            try:
                return client.uploads.create(file=path, model="small")
            finally:
                server.wait_for(2, seconds=0.5)  # the second attempt, if one began

        _, error = attempt("file changes between attempts", server, upload)
    assert type(error) is cohere_dyn.CohereError and "changed while it was being uploaded" in str(error)
    assert [_complete(request) for request in server.requests] in ([True], [True, False])


def test_a_file_that_changed_is_raised_as_it_was_not_as_its_own_cause(tmp_path: Any) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * 100_000)
    with FaultServer([faults.grow_then_503(path)]) as server:
        client = client_for(server.url)
        _, error = attempt("file changed before a retry", server, lambda: client.uploads.create(file=path, model="small"))
        server.wait_for(2, seconds=0.5)
    assert error is not None and "changed while it was being uploaded" in str(error)
    assert causes(error)[0] is error


def _finishes(seconds: float, call: Callable[[], Any]) -> tuple[bool, Any, BaseException | None]:
    """Run `call` on a thread: (finished within `seconds`, result, exception)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((call(), None))
        except BaseException as exc:  # the point is to see which
            outcome.append((None, exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return (True, *outcome[0]) if outcome else (False, None, None)


@pytest.mark.parametrize("kind", ["a named pipe (FIFO)", "a directory", "a character device"])
def test_an_upload_that_is_no_regular_file_is_refused_before_sending(kind: str, tmp_path: Any) -> None:
    if kind.startswith("a named pipe"):
        path = tmp_path / "pipe"
        os.mkfifo(path)
    elif kind == "a directory":
        path = tmp_path
    else:
        path = "/dev/zero"
        if not os.path.exists(path):
            pytest.skip("no /dev/zero here")
    with FaultServer() as server:
        client = client_for(server.url)
        finished, _, error = _finishes(10, lambda: client.uploads.create(file=path, model="small"))
        if not finished and kind.startswith("a named pipe"):
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))  # let the blocked reader go
        record("fault", fault=f"upload of {kind}", transport=_KIND[0], outcome="raised" if error else "hung",
               exception=type(error).__name__ if error else "", requests=len(server.requests))
    assert finished, "the call blocked"
    assert isinstance(error, cohere_dyn.ValidationError) and kind in str(error)
    assert server.requests == []


# Writing a body the server doesn't read --------------------------------------------------------


def test_a_body_the_server_never_reads_times_out_and_is_not_retried() -> None:
    with faults.deaf_listener() as deaf:
        client = client_for(deaf.url, timeout=cohere_dyn.Timeout(connect=0.5, read=0.5))
        finished, _, error = _finishes(60, lambda: client.echo_test(message="x" * 20_000_000))
        connections = len(deaf.accepted)
        record("fault", fault=f"server never reads a 20 MB body ({connections} connection)", transport=_KIND[0],
               outcome="raised" if error else ("success" if finished else "hung"),
               exception=type(error).__name__ if error else "", requests=None)
    assert finished, "the call hung"
    assert isinstance(error, cohere_dyn.TimeoutError) and not error.connect
    assert "made no progress" in str(error) and deaf.url.split("//")[1] in str(error)
    assert connections == 1


# Closing a client with calls in flight ---------------------------------------------------------


def _slow_echo(connection: faults.Connection, request: Any) -> bool:
    connection.wait(1.0)
    return faults.echo(connection, request)


async def _five_calls_then_close(client: Any, server: FaultServer) -> list[Any]:
    import asyncio

    calls = [asyncio.ensure_future(client.echo_test(message=f"call {n}")) for n in range(5)]
    while len(server.requests) < 5:
        await asyncio.sleep(0.01)
    await client.close()
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    await asyncio.sleep(0.2)  # time for any call that would be resent
    return outcomes


def test_closing_a_client_with_calls_in_flight_resends_nothing_and_leaves_nothing_open(
    transport: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The async client's close() is final: its calls in flight fail saying so. The sync client's
    lets them finish (requests keeps their connections until they are answered)."""
    import gc
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    with FaultServer(after=_slow_echo) as server, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = client_for(server.url)
        with caplog.at_level(logging.ERROR, logger="asyncio"):
            if transport == "aiohttp":
                outcomes = client.run(_five_calls_then_close(client._target, server))
                later = attempt("a call after close()", server, lambda: client.echo_test(message="after"))[1]
            else:
                with ThreadPoolExecutor(5) as pool:
                    calls = [pool.submit(client.echo_test, message=f"call {n}") for n in range(5)]
                    while len(server.requests) < 5:
                        time.sleep(0.01)
                    client.close()
                    outcomes = [call.result().message for call in calls]
            gc.collect()
        record("fault", fault="close() with 5 calls in flight", transport=transport,
               outcome="raised" if transport == "aiohttp" else "success",
               exception=type(outcomes[0]).__name__ if transport == "aiohttp" else "", requests=len(server.requests))
    if transport == "aiohttp":
        assert all(type(outcome) is cohere_dyn.CohereError and "closed" in str(outcome) for outcome in outcomes)
        assert type(later) is cohere_dyn.CohereError and "closed" in str(later)
        assert client._target._caller.transport._session is None
    else:
        assert outcomes == [f"call {n}" for n in range(5)]
    assert len(server.requests) == 5 and server.connections == 5
    assert not [w for w in caught if "Unclosed" in str(w.message)]
    assert not [r for r in caplog.records if "Unclosed" in r.getMessage()]


# Forks -----------------------------------------------------------------------------------------


def test_a_forked_child_connects_afresh_and_each_process_gets_its_own_answers(transport: str) -> None:
    import asyncio

    with FaultServer(after=faults.echo) as server:
        client = client_for(server.url)
        assert client.echo_test(message="parent").message == "parent"  # a pooled connection now
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: report its answer (or error) through the pipe, and leave at once
            try:
                if transport == "aiohttp":
                    answer = asyncio.run(client._target.echo_test(message="child")).message
                else:
                    answer = client.echo_test(message="child").message
            except BaseException as exc:
                answer = f"{type(exc).__name__}: {exc}"
            os.write(write, answer.encode())
            os._exit(0)
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            child = pipe.read().decode()
        os.waitpid(pid, 0)
        parent = client.echo_test(message="parent again").message
        record("fault", fault="os.fork() after a call: a call in each process", transport=transport,
               outcome="success" if (child, parent) == ("child", "parent again") else "crossed",
               exception="", requests=len(server.requests))
    assert child == "child" and parent == "parent again"
    assert server.connections == 2  # the parent's, and the child's own
