"""Tests for cohere_dyn._streaming._sse: the WHATWG event-stream parsing rules."""

from __future__ import annotations

import random

import pytest

from cohere_dyn._streaming._sse import ServerSentEvent, SSEDecoder, iter_sse


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    return list(iter_sse(chunks))


def ev(
    data: str, event: str = "message", id: str | None = None, retry: int | None = None
) -> ServerSentEvent:
    return ServerSentEvent(event=event, data=data, id=id, retry=retry)


# A recorded stream exercising most rules at once, and what it must give.
RECORDED = (
    "\ufeff: connected\r\n"
    "retry: 3000\r\n"
    "\r\n"
    "event: message-start\n"
    'data: {"type":"message-start","id":"4f2c"}\n'
    "id: 1\n"
    "\n"
    "event: content-delta\r"
    'data: {"text":"h\u00e9llo \u20ac \U0001f600"}\r'
    "\r"
    ": keep-alive\n"
    "data: line one\r\n"
    "data:line two\r\n"
    "data:  indented\r\n"
    "retry: 1500\r\n"
    "id\r\n"
    "\r\n"
    "event: ignored-no-data\n"
    "id: 2\x003\n"
    "\n"
    "data: [DONE]\n"
    "\n"
).encode()

RECORDED_EVENTS = [
    ev('{"type":"message-start","id":"4f2c"}', "message-start", "1"),
    ev('{"text":"h\u00e9llo \u20ac \U0001f600"}', "content-delta", "1"),
    ev("line one\nline two\n indented", id="", retry=1500),
    ev("[DONE]", id=""),
]


# Line ends


def test_lf_line_ends() -> None:
    assert decode(b"data: a\n\ndata: b\n\n") == [ev("a"), ev("b")]


def test_crlf_line_ends() -> None:
    assert decode(b"data: a\r\n\r\ndata: b\r\n\r\n") == [ev("a"), ev("b")]


def test_cr_line_ends() -> None:
    assert decode(b"data: a\r\rdata: b\r\r") == [ev("a"), ev("b")]


def test_mixed_line_ends_in_one_stream() -> None:
    assert decode(b"data: a\rdata: b\r\ndata: c\n\r\n") == [ev("a\nb\nc")]


def test_cr_cr_lf_is_two_line_ends() -> None:
    assert decode(b"data: a\r\r\ndata: b\n\n") == [ev("a"), ev("b")]


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    assert decode(b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n") == [ev("a\nb")]


def test_cr_at_chunk_end_ends_the_line_at_once() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r\r") == [ev("a")]
    assert decoder.feed(b"\n") == []
    assert not decoder.pending


def test_lf_after_cr_skipped_only_once() -> None:
    assert decode(b"data: a\r", b"\n\n") == [ev("a")]


def test_empty_chunk_between_cr_and_lf() -> None:
    assert decode(b"data: a\r", b"", b"\ndata: b\n\n") == [ev("a\nb")]


def test_lf_only_chunk_after_cr() -> None:
    assert decode(b"data: a\r", b"\n", b"data: b\n\n") == [ev("a\nb")]


def test_cr_chunk_then_cr_chunk() -> None:
    assert decode(b"data: a\r", b"\r") == [ev("a")]


# UTF-8


def test_multibyte_characters_split_across_chunks() -> None:
    body = "data: h\u00e9 \u20ac \U0001f600\n\n".encode()
    for cut in range(len(body) + 1):
        assert decode(body[:cut], body[cut:]) == [ev("h\u00e9 \u20ac \U0001f600")], cut


def test_invalid_utf8_replaced() -> None:
    assert decode(b"data: a\xffb\n\n") == [ev("a\ufffdb")]


def test_incomplete_utf8_sequence_at_line_end_keeps_line_end() -> None:
    assert decode(b"data: \xe2\x82\ndata: x\n\n") == [ev("\ufffd\nx")]


def test_invalid_utf8_field_name_is_unknown_field() -> None:
    assert decode(b"d\xffata: x\n\ndata: y\n\n") == [ev("y")]


def test_block_decoding_matches_per_line_decoding() -> None:
    # The decoder decodes many complete lines at once; that must equal
    # decoding each line on its own, whatever the bytes.
    rng = random.Random(1234)
    alphabet = [
        b"\n",
        b"a",
        b"\xc3",
        b"\xa9",
        b"\xe2",
        b"\x82",
        b"\xac",
        b"\xf0",
        b"\x9f",
        b"\xff",
    ]
    for _ in range(500):
        block = b"".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 30)))
        whole = block.decode("utf-8", "replace").split("\n")
        per_line = [line.decode("utf-8", "replace") for line in block.split(b"\n")]
        assert whole == per_line, block


# BOM


def test_leading_bom_skipped() -> None:
    assert decode(b"\xef\xbb\xbfdata: a\n\n") == [ev("a")]


def test_leading_bom_split_across_chunks_skipped() -> None:
    assert decode(b"\xef", b"\xbb", b"\xbfdata: a\n\n") == [ev("a")]


def test_only_one_leading_bom_skipped() -> None:
    # The second BOM makes the field name "\ufeffdata", an unknown field.
    assert decode(b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n") == [ev("b")]


def test_bom_after_stream_start_kept() -> None:
    assert decode(b"data: \xef\xbb\xbfa\n\n") == [ev("\ufeffa")]


def test_bom_at_start_of_later_chunk_kept() -> None:
    assert decode(b"data: a\n\n", b"\xef\xbb\xbfdata: b\n\n") == [ev("a")]


def test_bom_on_second_line_not_skipped() -> None:
    assert decode(b"\n\xef\xbb\xbfdata: a\n\ndata: b\n\n") == [ev("b")]


# Comments and field parsing


def test_comment_lines_ignored() -> None:
    assert decode(b": hello\ndata: a\n:\n: data: b\n\n") == [ev("a")]


def test_comment_only_block_dispatches_nothing() -> None:
    assert decode(b": ping\n\n") == []


def test_field_without_colon_has_empty_value() -> None:
    assert decode(b"data\n\n") == [ev("")]


def test_event_field_without_colon_gives_default_type() -> None:
    assert decode(b"event\ndata: a\n\n") == [ev("a")]


def test_one_leading_space_stripped() -> None:
    assert decode(b"data: a\n\n") == [ev("a")]


def test_no_space_after_colon() -> None:
    assert decode(b"data:a\n\n") == [ev("a")]


def test_only_one_space_stripped() -> None:
    assert decode(b"data:  a\n\n") == [ev(" a")]


def test_tab_after_colon_kept() -> None:
    assert decode(b"data:\ta\n\n") == [ev("\ta")]


def test_trailing_space_kept() -> None:
    assert decode(b"data: a \n\n") == [ev("a ")]


def test_colon_in_value_kept() -> None:
    assert decode(b'data: {"a":"b:c"}\n\n') == [ev('{"a":"b:c"}')]


def test_space_only_value_becomes_empty() -> None:
    assert decode(b"data: \n\n") == [ev("")]


def test_field_names_are_case_sensitive() -> None:
    assert decode(b"Data: a\nDATA: b\n\n") == []


def test_space_before_field_name_makes_unknown_field() -> None:
    assert decode(b" data: a\n\n") == []


def test_unknown_field_ignored() -> None:
    assert decode(b"foo: bar\ndata: a\nbaz\n\n") == [ev("a")]


def test_nul_in_data_kept() -> None:
    assert decode(b"data: a\x00b\n\n") == [ev("a\x00b")]


# event


def test_default_event_type_is_message() -> None:
    assert decode(b"data: a\n\n")[0].event == "message"


def test_event_field_sets_type() -> None:
    assert decode(b"event: content-delta\ndata: a\n\n") == [ev("a", "content-delta")]


def test_last_event_field_wins() -> None:
    assert decode(b"event: a\nevent: b\ndata: x\n\n") == [ev("x", "b")]


def test_empty_event_field_gives_default_type() -> None:
    assert decode(b"event:\ndata: a\n\n") == [ev("a")]


def test_event_type_reset_after_dispatch() -> None:
    assert decode(b"event: x\ndata: a\n\ndata: b\n\n") == [ev("a", "x"), ev("b")]


def test_event_type_reset_after_block_without_data() -> None:
    assert decode(b"event: x\n\ndata: a\n\n") == [ev("a")]


# data


def test_data_only_event() -> None:
    assert decode(b"data: hello\n\n") == [ev("hello")]


def test_multiline_data_joined_with_lf() -> None:
    assert decode(b"data: a\ndata: b\ndata: c\n\n") == [ev("a\nb\nc")]


def test_empty_data_lines_kept_in_multiline_data() -> None:
    assert decode(b"data: a\ndata\ndata:\ndata: b\n\n") == [ev("a\n\n\nb")]


def test_empty_data_field_dispatches_empty_string() -> None:
    assert decode(b"data:\n\n") == [ev("")]


def test_two_empty_data_fields_give_one_lf() -> None:
    assert decode(b"data\ndata\n\n") == [ev("\n")]


def test_data_lines_around_other_fields() -> None:
    assert decode(b"data: a\nevent: x\ndata: b\n\n") == [ev("a\nb", "x")]


def test_done_sentinel_passes_through_as_data() -> None:
    assert decode(b"data: [DONE]\n\n") == [ev("[DONE]")]


def test_block_without_data_not_dispatched() -> None:
    assert decode(b"event: x\nid: 1\nretry: 5\n\n") == []


def test_blank_lines_only_dispatch_nothing() -> None:
    assert decode(b"\n\n\r\n\r\r") == []


def test_extra_blank_lines_between_events() -> None:
    assert decode(b"data: a\n\n\n\ndata: b\n\n") == [ev("a"), ev("b")]


# id


def test_id_none_until_set() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\n") == [ev("a")]
    assert decoder.last_event_id is None


def test_id_field_sets_event_id() -> None:
    assert decode(b"id: 42\ndata: a\n\n") == [ev("a", id="42")]


def test_id_persists_across_events() -> None:
    assert decode(b"id: 7\ndata: a\n\ndata: b\n\n") == [
        ev("a", id="7"),
        ev("b", id="7"),
    ]


def test_id_after_data_in_same_block_applies() -> None:
    assert decode(b"data: a\nid: 3\n\n") == [ev("a", id="3")]


def test_id_with_nul_ignored() -> None:
    assert decode(b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n") == [
        ev("a", id="1"),
        ev("b", id="1"),
    ]


def test_empty_id_resets_last_event_id() -> None:
    assert decode(b"id: 1\ndata: a\n\nid\ndata: b\n\n") == [
        ev("a", id="1"),
        ev("b", id=""),
    ]


def test_id_spaces_kept_after_first() -> None:
    assert decode(b"id:  x \ndata: a\n\n") == [ev("a", id=" x ")]


def test_id_in_block_without_data_updates_last_event_id() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 5\n\n") == []
    assert decoder.last_event_id == "5"
    assert decoder.feed(b"data: a\n\n") == [ev("a", id="5")]


def test_last_event_id_updated_only_at_blank_line() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"id: 1\n\nid: 2\n")
    assert decoder.last_event_id == "1"
    decoder.feed(b"\n")
    assert decoder.last_event_id == "2"


# retry


def test_retry_digits_set_event_and_decoder_retry() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"retry: 2500\ndata: a\n\n") == [ev("a", retry=2500)]
    assert decoder.retry == 2500


def test_retry_leading_zeros() -> None:
    assert decode(b"retry: 007\ndata: a\n\n") == [ev("a", retry=7)]


@pytest.mark.parametrize(
    "value",
    [
        b"10a",
        b"-1",
        b"+1",
        b"1.5",
        b"1e3",
        b" 10",
        b"10 ",
        b"",
        b"\xd9\xa1\xd9\xa2",
        b"\xc2\xb2",
    ],
    ids=[
        "letter",
        "minus",
        "plus",
        "dot",
        "exp",
        "space",
        "trailing",
        "empty",
        "arabic",
        "super",
    ],
)
def test_retry_not_ascii_digits_ignored(value: bytes) -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"retry: " + value + b"\ndata: a\n\n") == [ev("a")]
    assert decoder.retry is None


def test_retry_without_colon_ignored() -> None:
    assert decode(b"retry\ndata: a\n\n") == [ev("a")]


def test_retry_too_many_digits_ignored() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"retry: " + b"9" * 5000 + b"\ndata: a\n\n") == [ev("a")]
    assert decoder.retry is None


def test_invalid_retry_keeps_earlier_value() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"retry: 10\n\nretry: x\n\n")
    assert decoder.retry == 10


def test_retry_is_per_event() -> None:
    assert decode(b"retry: 10\ndata: a\n\ndata: b\n\n") == [ev("a", retry=10), ev("b")]


def test_retry_in_block_without_data_sets_decoder_retry_only() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"retry: 10\n\ndata: a\n\n") == [ev("a")]
    assert decoder.retry == 10


# End of stream and pending


def test_unterminated_event_discarded() -> None:
    assert decode(b"data: a\n\ndata: b\n") == [ev("a")]


def test_event_without_blank_line_is_pending() -> None:
    decoder = SSEDecoder()
    assert list(iter_sse([b"data: a\n\ndata: b\n"], decoder)) == [ev("a")]
    assert decoder.pending


def test_unterminated_line_is_pending() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\ndata: b") == [ev("a")]
    assert decoder.pending


def test_field_without_data_at_end_is_pending() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: a\n\nevent: x\n")
    assert decoder.pending


def test_complete_stream_not_pending() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: a\n\n")
    assert not decoder.pending


def test_trailing_comment_not_pending() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: a\n\n: keep-alive\n")
    assert not decoder.pending


def test_new_decoder_not_pending() -> None:
    assert not SSEDecoder().pending


def test_partial_bom_only_is_pending() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"\xef\xbb") == []
    assert decoder.pending


def test_flush_returns_nothing_and_keeps_pending() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: a")
    assert decoder.flush() == []
    assert decoder.pending


# Incremental use and chunking


def test_feed_returns_events_as_completed() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n") == []
    assert decoder.feed(b"\ndata: b\n\nda") == [ev("a"), ev("b")]
    assert decoder.feed(b"ta: c\n") == []
    assert decoder.feed(b"\n") == [ev("c")]


def test_empty_chunks_ignored() -> None:
    assert decode(b"", b"data: a\n", b"", b"\n", b"") == [ev("a")]


def test_line_spread_over_many_chunks() -> None:
    assert decode(b"da", b"ta", b": ", b"long", b" line", b"\n\n") == [ev("long line")]


def test_iter_sse_accepts_any_iterable() -> None:
    assert list(iter_sse(iter([b"data: a\n\n"]))) == [ev("a")]


def test_iter_sse_is_lazy() -> None:
    def chunks():
        yield b"data: a\n\n"
        raise RuntimeError("network dropped")

    events = iter_sse(chunks())
    assert next(events) == ev("a")
    with pytest.raises(RuntimeError):
        next(events)


def test_recorded_stream_in_one_chunk() -> None:
    decoder = SSEDecoder()
    assert list(iter_sse([RECORDED], decoder)) == RECORDED_EVENTS
    assert not decoder.pending
    assert decoder.retry == 1500
    assert decoder.last_event_id == ""


def test_recorded_stream_split_at_every_offset() -> None:
    for cut in range(len(RECORDED) + 1):
        decoder = SSEDecoder()
        events = list(iter_sse([RECORDED[:cut], RECORDED[cut:]], decoder))
        assert events == RECORDED_EVENTS, cut
        assert not decoder.pending, cut


def test_recorded_stream_split_at_every_pair_of_offsets() -> None:
    n = len(RECORDED)
    for a in range(n + 1):
        for b in range(a, n + 1, 7):
            assert (
                decode(RECORDED[:a], RECORDED[a:b], RECORDED[b:]) == RECORDED_EVENTS
            ), (a, b)


def test_recorded_stream_in_one_byte_chunks() -> None:
    chunks = [RECORDED[i : i + 1] for i in range(len(RECORDED))]
    assert decode(*chunks) == RECORDED_EVENTS


def test_recorded_stream_in_random_chunks() -> None:
    rng = random.Random(42)
    for _ in range(200):
        chunks, pos = [], 0
        while pos < len(RECORDED):
            size = rng.randrange(0, 12)
            chunks.append(RECORDED[pos : pos + size])
            pos += size
        assert decode(*chunks) == RECORDED_EVENTS, chunks


# ServerSentEvent


def test_server_sent_event_defaults() -> None:
    assert ServerSentEvent() == ServerSentEvent("message", "", None, None)


def test_server_sent_event_is_immutable() -> None:
    event = ServerSentEvent(data="a")
    with pytest.raises(AttributeError):
        event.data = "b"  # type: ignore[misc]


def test_server_sent_event_fields_by_name() -> None:
    event = decode(b"event: e\nid: 1\nretry: 2\ndata: d\n\n")[0]
    assert (event.event, event.data, event.id, event.retry) == ("e", "d", "1", 2)
