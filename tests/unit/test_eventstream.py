"""The AWS event-stream decoder: frames in, Cohere events out, whatever the read sizes."""

from __future__ import annotations

import json

import pytest

from cohere_dyn._deployments._eventstream import EventStreamDecoder
from cohere_dyn._streaming._lines import StreamDecodeError
from cohere_dyn.mock._awsframes import bedrock_chunk, event_frame, exception_frame, frame, payload_part

pytest.importorskip("botocore")

EVENTS = [
    {"event_type": "stream-start", "generation_id": "g1"},
    {"event_type": "text-generation", "text": "Bonjour, ça va ?"},
    {"event_type": "text-generation", "text": " Très bien."},
    {"event_type": "stream-end", "finish_reason": "COMPLETE"},
]


def _bedrock_bytes() -> bytes:
    return b"".join(bedrock_chunk(event) for event in EVENTS)


def _sagemaker_bytes() -> bytes:
    lines = b"".join(json.dumps(event).encode() + b"\n" for event in EVENTS)
    cuts = [0, 5, 17, 18, 60, 61, 100, len(lines)]  # lines cut anywhere, one cut inside a UTF-8 character
    return b"".join(payload_part(lines[a:b]) for a, b in zip(cuts, cuts[1:]))


def _decode(frames: str, data: bytes, pieces: list[int]) -> list:
    decoder = EventStreamDecoder(frames, "Amazon Test")
    out: list = []
    start = 0
    for end in [*pieces, len(data)]:
        out += decoder.feed(data[start:end])
        start = end
    return out + decoder.flush()


@pytest.mark.parametrize("frames, make", [("chunk-base64", _bedrock_bytes), ("payload-part-ndjson", _sagemaker_bytes)])
def test_a_split_at_every_byte_offset_gives_the_same_events(frames: str, make) -> None:
    data = make()
    for offset in range(1, len(data)):
        assert _decode(frames, data, [offset]) == EVENTS, offset


@pytest.mark.parametrize("frames, make", [("chunk-base64", _bedrock_bytes), ("payload-part-ndjson", _sagemaker_bytes)])
def test_bytes_fed_one_at_a_time_give_the_same_events(frames: str, make) -> None:
    data = make()
    assert _decode(frames, data, list(range(1, len(data)))) == EVENTS


def test_an_event_leaves_as_soon_as_its_frame_is_complete() -> None:
    first, second = bedrock_chunk(EVENTS[0]), bedrock_chunk(EVENTS[1])
    decoder = EventStreamDecoder("chunk-base64", "Amazon Test")
    assert decoder.feed(first[:-1]) == []
    assert decoder.feed(first[-1:]) == [EVENTS[0]]
    assert decoder.feed(second) == [EVENTS[1]]


def test_a_corrupt_frame_raises_with_the_events_before_it() -> None:
    good = bedrock_chunk(EVENTS[0])
    bad = bytearray(bedrock_chunk(EVENTS[1]))
    bad[-10] ^= 0xFF  # a payload byte: the message CRC no longer matches
    decoder = EventStreamDecoder("chunk-base64", "Amazon Test")
    with pytest.raises(StreamDecodeError, match="corrupt event-stream frame") as caught:
        decoder.feed(good + bytes(bad))
    assert caught.value.parsed == [EVENTS[0]]


def test_a_corrupt_prelude_raises() -> None:
    bad = bytearray(bedrock_chunk(EVENTS[0]))
    bad[2] ^= 0x01  # the total length: the prelude CRC no longer matches
    with pytest.raises(StreamDecodeError, match="ChecksumMismatch"):
        EventStreamDecoder("chunk-base64", "Amazon Test").feed(bytes(bad))


def test_an_exception_frame_raises_the_services_type_and_message() -> None:
    data = bedrock_chunk(EVENTS[0]) + exception_frame("throttlingException", "Too many tokens, please wait.")
    with pytest.raises(StreamDecodeError) as caught:
        EventStreamDecoder("chunk-base64", "Amazon Bedrock").feed(data)
    assert str(caught.value) == "Amazon Bedrock sent throttlingException mid-stream: Too many tokens, please wait."
    assert caught.value.parsed == [EVENTS[0]]


def test_a_sagemaker_model_stream_error_keeps_its_error_code() -> None:
    headers = {":exception-type": "ModelStreamError", ":content-type": "application/json", ":message-type": "exception"}
    error = frame(headers, json.dumps({"Message": "the model crashed", "ErrorCode": "StreamBroken"}).encode())
    with pytest.raises(StreamDecodeError, match=r"ModelStreamError mid-stream: the model crashed \(StreamBroken\)"):
        EventStreamDecoder("payload-part-ndjson", "Amazon SageMaker").feed(error)


def test_an_error_frame_raises_its_code_and_message() -> None:
    error = frame({":message-type": "error", ":error-code": "InternalFailure", ":error-message": "oops"}, b"")
    with pytest.raises(StreamDecodeError, match="InternalFailure: oops"):
        EventStreamDecoder("chunk-base64", "Amazon Bedrock").feed(error)


def test_a_stream_ending_inside_a_frame_is_an_error_not_a_quiet_end() -> None:
    decoder = EventStreamDecoder("chunk-base64", "Amazon Bedrock")
    data = _bedrock_bytes()
    assert decoder.feed(data[:-3]) == EVENTS[:3]
    with pytest.raises(StreamDecodeError, match="middle of an event-stream frame"):
        decoder.flush()


def test_a_sagemaker_stream_ending_inside_a_line_is_an_error() -> None:
    decoder = EventStreamDecoder("payload-part-ndjson", "Amazon SageMaker")
    decoder.feed(payload_part(b'{"event_type": "stream-start"}\n{"event_type": "text-gen'))
    with pytest.raises(StreamDecodeError, match="invalid NDJSON on line 2"):
        decoder.flush()


def test_a_chunk_without_an_event_raises() -> None:
    with pytest.raises(StreamDecodeError, match="chunk frame that holds no event"):
        EventStreamDecoder("chunk-base64", "Amazon Bedrock").feed(event_frame("chunk", b'{"nothing": 1}'))


def test_frames_of_other_event_types_carry_no_cohere_event() -> None:
    data = event_frame("initial-response", b"{}") + bedrock_chunk(EVENTS[0])
    assert EventStreamDecoder("chunk-base64", "Amazon Bedrock").feed(data) == [EVENTS[0]]


def test_a_bad_sagemaker_line_raises_with_the_events_of_earlier_frames() -> None:
    data = payload_part(b'{"event_type": "stream-start"}\n') + payload_part(b'{"event_type": "text-generation"}\nnot json\n')
    with pytest.raises(StreamDecodeError, match="invalid NDJSON on line 3") as caught:
        EventStreamDecoder("payload-part-ndjson", "Amazon SageMaker").feed(data)
    assert caught.value.parsed == [{"event_type": "stream-start"}, {"event_type": "text-generation"}]
