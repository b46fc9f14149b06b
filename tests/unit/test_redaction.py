"""`_redaction`: every spelling of a secret out of everything an error shows."""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import quote

import pytest

from cohere_dyn._errors import ApiError, Headers, StreamError
from cohere_dyn._models import EMPTY_SHAPE, wrap
from cohere_dyn._redaction import REDACTED, redact, remember, scrub

SECRET = "sk/0123456789+abcdef="


@pytest.mark.parametrize(
    "spelled",
    [
        SECRET,
        SECRET.replace("/", "\\/"),
        "".join(f"\\u{ord(c):04x}" for c in SECRET),
        "".join(f"\\u{ord(c):04X}" for c in SECRET),
        SECRET.replace("/", "\\\\/"),  # JSON in JSON: the escape's backslash escaped too
        quote(SECRET, safe=""),
        quote(SECRET, safe="").replace("%2F", "%2f").replace("%2B", "%2b"),
        "".join(f"&#x{ord(c):x};" for c in SECRET),
        SECRET.replace("+", " "),
    ],
)
def test_every_spelling_of_a_secret_is_removed(spelled: str) -> None:
    assert scrub(f"echo <{spelled}> end", [SECRET]) == f"echo <{REDACTED}> end"


@pytest.mark.parametrize("prefix", ["", "a", "ab", "abc"])
def test_a_secret_inside_base64_text_is_removed_at_any_alignment(prefix: str) -> None:
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        text = encode(f"{prefix}Bearer {SECRET} and more".encode()).decode()
        assert REDACTED in scrub(text, [SECRET]), (prefix, encode)


def test_secrets_shorter_than_six_characters_are_left_alone() -> None:
    assert scrub("the word abc stays", ["abc", None, ""]) == "the word abc stays"


def test_bytes_keep_their_type_and_undecodable_bytes() -> None:
    assert scrub(b"\xff " + SECRET.encode() + b" \xfe", [SECRET]) == b"\xff " + REDACTED.encode() + b" \xfe"


def test_an_api_error_is_redacted_in_its_message_body_and_headers_which_stay_headers() -> None:
    error = ApiError(401, {"message": f"bad {SECRET}"}, {"X-Echo": quote(SECRET, safe="")})
    redact(error, [SECRET])
    assert SECRET not in str(error) and error.body == {"message": f"bad {REDACTED}"}
    assert isinstance(error.headers, Headers) and error.headers["x-echo"] == REDACTED


def test_a_stream_error_s_events_and_the_errors_it_came_from_are_redacted() -> None:
    cause = ValueError(f"line {SECRET}")
    error = StreamError("broken", [wrap({"id": SECRET}, EMPTY_SHAPE)])
    error.__cause__ = cause
    redact(error, [SECRET])
    assert error.events[0].id == REDACTED and str(cause) == f"line {REDACTED}"


def test_named_tuples_and_other_mappings_in_an_error_are_redacted() -> None:
    from collections import OrderedDict, namedtuple

    Info = namedtuple("Info", "url headers")

    class Wrapped(Exception):
        def __init__(self, info: Info) -> None:
            super().__init__("wrapped")
            self.info = info

    error = Wrapped(Info("u", OrderedDict(Authorization=f"Bearer {SECRET}")))
    redact(error, [SECRET])
    assert error.info.headers["Authorization"] == f"Bearer {REDACTED}" and isinstance(error.info, Info)


def test_log_records_of_the_http_libraries_are_scrubbed_of_remembered_secrets(caplog: pytest.LogCaptureFixture) -> None:
    remember(SECRET)
    with caplog.at_level(logging.WARNING, logger="urllib3.connection"):
        logging.getLogger("urllib3.connection").warning("unparsed data: %r", f"{SECRET}\r\n")
    assert SECRET not in caplog.text and REDACTED in caplog.text


def test_the_log_filter_lets_a_record_whose_arguments_do_not_fit_through_to_logging() -> None:
    remember(SECRET)
    [scrubber] = [f for f in logging.getLogger("urllib3.connection").filters if type(f).__name__ == "_LogScrubber"]
    record = logging.LogRecord("urllib3.connection", logging.WARNING, __file__, 1, "%s %s", ("one",), None)
    assert scrubber.filter(record) is True
