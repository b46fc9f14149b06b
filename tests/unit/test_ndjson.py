"""Tests for cohere_dyn._streaming._ndjson: newline-delimited JSON streams."""

from __future__ import annotations

import json
import pickle
import random
from typing import Any

import pytest

from cohere_dyn._streaming._ndjson import NDJSONDecodeError, NDJSONDecoder, iter_ndjson


def decode(*chunks: bytes) -> list[Any]:
    return list(iter_ndjson(chunks))


def error(*chunks: bytes) -> NDJSONDecodeError:
    with pytest.raises(NDJSONDecodeError) as info:
        decode(*chunks)
    return info.value


RECORDED = (
    "\ufeff"
    '{"event_type":"stream-start","generation_id":"g1"}\r\n'
    '{"event_type":"text-generation","text":"h\u00e9llo \u20ac \U0001f600"}\n'
    "\n"
    "  \r\n"
    '{"event_type":"text-generation","text":"line\\nbreak"}\r\n'
    '[1, 2.5, null, true, "x"]\n'
    '{"event_type":"stream-end","is_finished":true}'
).encode()

RECORDED_VALUES = [
    {"event_type": "stream-start", "generation_id": "g1"},
    {"event_type": "text-generation", "text": "h\u00e9llo \u20ac \U0001f600"},
    {"event_type": "text-generation", "text": "line\nbreak"},
    [1, 2.5, None, True, "x"],
    {"event_type": "stream-end", "is_finished": True},
]


# Line ends and blank lines


def test_lf_line_ends() -> None:
    assert decode(b'{"a":1}\n{"b":2}\n') == [{"a": 1}, {"b": 2}]


def test_crlf_line_ends() -> None:
    assert decode(b'{"a":1}\r\n{"b":2}\r\n') == [{"a": 1}, {"b": 2}]


def test_crlf_split_across_chunks() -> None:
    assert decode(b'{"a":1}\r', b'\n{"b":2}\r', b"\n") == [{"a": 1}, {"b": 2}]


def test_lone_cr_is_not_a_line_end() -> None:
    assert error(b'{"a":1}\r{"b":2}\n').lineno == 1


def test_empty_lines_skipped() -> None:
    assert decode(b'\n\n{"a":1}\n\n\n{"b":2}\n\n') == [{"a": 1}, {"b": 2}]


def test_whitespace_only_lines_skipped() -> None:
    assert decode(b' \t \n\r\n{"a":1}\n   \r\n') == [{"a": 1}]


def test_form_feed_line_is_not_blank() -> None:
    assert error(b'{"a":1}\n\x0c\n').lineno == 2


def test_whitespace_around_json_allowed() -> None:
    assert decode(b'  {"a": 1}  \t\r\n') == [{"a": 1}]


# End of stream


def test_final_line_without_newline_is_an_item() -> None:
    assert decode(b'{"a":1}\n{"b":2}') == [{"a": 1}, {"b": 2}]


def test_final_line_without_newline_split_over_chunks() -> None:
    assert decode(b'{"a":1}\n{"b"', b":", b"2}") == [{"a": 1}, {"b": 2}]


def test_final_blank_line_without_newline_ignored() -> None:
    assert decode(b'{"a":1}\n  ') == [{"a": 1}]


def test_final_cr_without_lf_ignored() -> None:
    assert decode(b'{"a":1}\r') == [{"a": 1}]


def test_truncated_final_line_raises() -> None:
    err = error(b'{"a":1}\n{"b":')
    assert (err.lineno, err.line) == (2, '{"b":')


def test_empty_stream_gives_nothing() -> None:
    assert decode() == []


def test_flush_without_pending_line_gives_nothing() -> None:
    decoder = NDJSONDecoder()
    assert decoder.feed(b'{"a":1}\n') == [{"a": 1}]
    assert decoder.flush() == []


def test_flush_returns_final_line() -> None:
    decoder = NDJSONDecoder()
    assert decoder.feed(b"7") == []
    assert decoder.flush() == [7]


# Values and encoding


def test_any_json_value_per_line() -> None:
    assert decode(b'1\n"s"\nnull\n[true]\n{"k":{}}\n') == [
        1,
        "s",
        None,
        [True],
        {"k": {}},
    ]


def test_multibyte_characters_split_across_chunks() -> None:
    body = '{"t":"h\u00e9 \u20ac \U0001f600"}\n'.encode()
    for cut in range(len(body) + 1):
        assert decode(body[:cut], body[cut:]) == [{"t": "h\u00e9 \u20ac \U0001f600"}], (
            cut
        )


def test_leading_bom_skipped() -> None:
    assert decode(b'\xef\xbb\xbf{"a":1}\n') == [{"a": 1}]


def test_leading_bom_split_across_chunks_skipped() -> None:
    assert decode(b"\xef", b"\xbb", b'\xbf{"a":1}') == [{"a": 1}]


def test_bom_on_later_line_is_an_error() -> None:
    assert error(b'{"a":1}\n\xef\xbb\xbf{"b":2}\n').lineno == 2


def test_bom_at_start_of_later_chunk_is_an_error() -> None:
    assert error(b'{"a":1}\n', b'\xef\xbb\xbf{"b":2}\n').lineno == 2


def test_bom_after_leading_blank_line_is_an_error() -> None:
    assert error(b'\n\xef\xbb\xbf{"b":2}\n').lineno == 2


# Errors


def test_malformed_line_raises_with_line_and_number() -> None:
    err = error(b'{"a":1}\n{oops}\n{"b":2}\n')
    assert (err.lineno, err.line) == (2, "{oops}")


def test_error_line_number_counts_blank_lines() -> None:
    assert error(b'\n{"a":1}\n\n  \nnope\n').lineno == 5


def test_error_line_number_counts_lines_of_earlier_chunks() -> None:
    assert error(b'{"a":1}\n\n', b'{"b":2}\n', b"bad\n").lineno == 4


def test_error_line_number_of_second_bad_line_in_chunk() -> None:
    decoder = NDJSONDecoder()
    with pytest.raises(NDJSONDecodeError) as info:
        decoder.feed(b"1\n\n2\n\n3\n{\n")
    assert info.value.lineno == 6


def test_error_line_without_cr() -> None:
    assert error(b"bad\r\n").line == "bad"


def test_error_long_line_truncated() -> None:
    err = error(b'{"text":"' + b"x" * 1000 + b"\n")
    assert err.line == ('{"text":"' + "x" * 1000)[:200] + "..."


def test_error_line_of_201_chars_truncated() -> None:
    assert error(b"x" * 201 + b"\n").line == "x" * 200 + "..."


def test_error_line_of_200_chars_kept_whole() -> None:
    line = "x" * 200
    assert error(line.encode() + b"\n").line == line


def test_error_message_names_line_and_reason() -> None:
    err = error(b"[1,\n")
    assert str(err).startswith("invalid NDJSON on line 1: ")
    assert "'[1,'" in str(err)
    assert err.reason.startswith("Expecting value")


def test_error_is_value_error_caused_by_json_error() -> None:
    err = error(b"nope\n")
    assert isinstance(err, ValueError)
    assert isinstance(err.__cause__, json.JSONDecodeError)


def test_error_survives_pickling() -> None:
    err = error(b"{]\n")
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.reason, copy.line, copy.lineno) == (err.reason, err.line, err.lineno)


def test_invalid_utf8_raises_with_line_and_number() -> None:
    err = error(b'{"a":1}\n\n{"b":"\xff"}\n{"c":3}\n')
    assert (err.lineno, err.line) == (3, '{"b":"\ufffd"}')
    assert err.reason.startswith("invalid UTF-8")
    assert isinstance(err.__cause__, UnicodeDecodeError)


def test_invalid_utf8_in_final_line_raises() -> None:
    assert error(b'{"a":1}\n"\xc3"').lineno == 2


def test_encoded_surrogate_is_invalid_utf8() -> None:
    assert error(b'"\xed\xa0\x80"\n').reason.startswith("invalid UTF-8")


# Incremental use and chunking


def test_feed_returns_values_as_completed() -> None:
    decoder = NDJSONDecoder()
    assert decoder.feed(b'{"a"') == []
    assert decoder.feed(b':1}\n{"b":2}\n{') == [{"a": 1}, {"b": 2}]
    assert decoder.feed(b"}\n") == [{}]


def test_empty_chunks_ignored() -> None:
    assert decode(b"", b"1", b"", b"\n", b"") == [1]


def test_iter_ndjson_is_lazy() -> None:
    def chunks():
        yield b"1\n"
        raise RuntimeError("network dropped")

    values = iter_ndjson(chunks())
    assert next(values) == 1
    with pytest.raises(RuntimeError):
        next(values)


def test_recorded_stream_in_one_chunk() -> None:
    assert decode(RECORDED) == RECORDED_VALUES


def test_recorded_stream_split_at_every_offset() -> None:
    for cut in range(len(RECORDED) + 1):
        assert decode(RECORDED[:cut], RECORDED[cut:]) == RECORDED_VALUES, cut


def test_recorded_stream_in_one_byte_chunks() -> None:
    assert (
        decode(*(RECORDED[i : i + 1] for i in range(len(RECORDED)))) == RECORDED_VALUES
    )


def test_recorded_stream_in_random_chunks() -> None:
    rng = random.Random(7)
    for _ in range(200):
        chunks, pos = [], 0
        while pos < len(RECORDED):
            size = rng.randrange(0, 15)
            chunks.append(RECORDED[pos : pos + size])
            pos += size
        assert decode(*chunks) == RECORDED_VALUES, chunks


def test_error_line_number_same_at_every_split() -> None:
    body = b"1\n\r\n2\n[\n3\n"
    for cut in range(len(body) + 1):
        with pytest.raises(NDJSONDecodeError) as info:
            decode(body[:cut], body[cut:])
        assert (info.value.lineno, info.value.line) == (4, "["), cut
