"""Streaming calls against a real loopback HTTP server: incremental, loud on faults, complete."""

from __future__ import annotations

import json
import time
import warnings
from typing import Any

import pytest

import cohere_dyn
from tests.capture import Captured, CaptureServer, Reply

V2_EVENTS: list[dict[str, Any]] = [
    {"type": "message-start", "id": "msg-1", "delta": {"message": {"role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}}},
    {"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}},
    *(
        {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": piece}}}}
        for piece in ["Paris", " is", " the", " capital", " — été", "."]
    ),
    {"type": "content-end", "index": 0},
    {"type": "citation-start", "index": 0, "delta": {"message": {"citations": {"start": 0, "end": 5, "text": "Paris", "sources": [{"type": "document", "id": "doc-1", "document": {"id": "doc-1"}}]}}}},
    {"type": "citation-end", "index": 0},
    {"type": "message-end", "delta": {"finish_reason": "COMPLETE", "usage": {"billed_units": {"input_tokens": 5, "output_tokens": 6}, "tokens": {"input_tokens": 50, "output_tokens": 6}}}},
]
TOOL_EVENTS: list[dict[str, Any]] = [
    {"type": "message-start", "id": "msg-2", "delta": {"message": {"role": "assistant"}}},
    {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": "I will look"}}},
    {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": " it up."}}},
    {"type": "tool-call-start", "index": 0, "delta": {"message": {"tool_calls": {"id": "call-1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}}}},
    {"type": "tool-call-delta", "index": 0, "delta": {"message": {"tool_calls": {"function": {"arguments": '{"city": '}}}}},
    {"type": "tool-call-delta", "index": 0, "delta": {"message": {"tool_calls": {"function": {"arguments": '"Paris"}'}}}}},
    {"type": "tool-call-end", "index": 0},
    {"type": "message-end", "delta": {"finish_reason": "TOOL_CALL"}},
]
MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]


def sse(events: list[dict[str, Any]], done: bool = True, line_end: str = "\n") -> bytes:
    text = "".join(f"event: {e['type']}{line_end}data: {json.dumps(e, ensure_ascii=False)}{line_end}{line_end}" for e in events)
    return (text + (f"data: [DONE]{line_end}{line_end}" if done else "")).encode()


def ndjson(events: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(e).encode() + b"\n" for e in events)


def streaming(chunks: list[bytes], content_type: str = "text/event-stream", **options: Any) -> Reply:
    return Reply(headers={"Content-Type": content_type}, chunks=chunks, **options)


def client_for(server: CaptureServer, **options: Any) -> cohere_dyn.Client:
    return cohere_dyn.Client(api_key="k", base_url=server.url, **options)


def test_events_are_objects_of_the_spec() -> None:
    with CaptureServer(lambda r: streaming([sse(V2_EVENTS)])) as server:
        events = list(client_for(server).v2.chat_stream(model="m", messages=MESSAGES))
    assert [e.type for e in events] == [e["type"] for e in V2_EVENTS]
    assert events[2].delta.message.content.text == "Paris"
    assert events[0]["id"] == "msg-1"
    assert json.loads(server.requests[0].body)["stream"] is True


def test_a_stream_cut_at_every_byte_offset_gives_the_same_events() -> None:
    body = sse(V2_EVENTS, line_end="\r\n")
    expected = [e["type"] for e in V2_EVENTS]

    def split_where_asked(request: Captured) -> Reply:
        offset = int(request.header("X-Split") or 0)
        return streaming([body[:offset], body[offset:]] if 0 < offset < len(body) else [body])

    with CaptureServer(split_where_asked) as server:
        client = client_for(server)
        for offset in range(len(body) + 1):
            stream = client.v2.chat_stream(model="m", messages=MESSAGES, request_options={"additional_headers": {"X-Split": str(offset)}})
            assert [e.type for e in stream] == expected, offset


def test_events_are_yielded_as_they_arrive_not_when_the_body_ends() -> None:
    chunks = [sse([event], done=False) for event in V2_EVENTS] + [b"data: [DONE]\n\n"]
    with CaptureServer(lambda r: streaming(chunks, pause=0.15)) as server:
        start = time.monotonic()
        stream = client_for(server).v2.chat_stream(model="m", messages=MESSAGES)
        first = next(stream)
        first_at = time.monotonic() - start
        rest = list(stream)
        total = time.monotonic() - start
    assert first.type == "message-start"
    assert len(rest) == len(V2_EVENTS) - 1
    assert first_at < 0.5 * total
    assert total >= 0.15 * (len(chunks) - 1)


def test_breaking_out_closes_the_connection_at_once() -> None:
    chunks = [sse([V2_EVENTS[0]], done=False)] + [sse([V2_EVENTS[2]], done=False)] * 40
    with CaptureServer(lambda r: streaming(chunks, pause=0.02)) as server:
        stream = client_for(server).v2.chat_stream(model="m", messages=MESSAGES)
        for index, _ in enumerate(stream):
            if index == 2:
                break
        stream.close()
        deadline = time.monotonic() + 3
        while server.disconnects == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert server.disconnects == 1


def test_with_block_closes_the_stream() -> None:
    with CaptureServer(lambda r: streaming([sse(V2_EVENTS)])) as server:
        with client_for(server).v2.chat_stream(model="m", messages=MESSAGES) as stream:
            next(stream)
        assert list(stream) == []
        assert "closed" in repr(stream)


def test_a_cut_connection_raises_stream_error_with_the_events_so_far() -> None:
    with CaptureServer(lambda r: streaming([sse(V2_EVENTS[:3], done=False)], cut=True)) as server:
        stream = client_for(server).v2.chat_stream(model="m", messages=MESSAGES)
        received = []
        with pytest.raises(cohere_dyn.StreamError) as caught:
            for event in stream:
                received.append(event)
    assert [e.type for e in caught.value.events] == ["message-start", "content-start", "content-delta"]
    assert len(received) == 3


def test_a_stream_ending_inside_an_event_is_an_error() -> None:
    body = sse(V2_EVENTS[:2], done=False) + b"event: content-delta\ndata: {\"type\": \"content-delta\"}"
    with CaptureServer(lambda r: streaming([body])) as server:
        with pytest.raises(cohere_dyn.StreamError, match="middle of an event") as caught:
            list(client_for(server).v2.chat_stream(model="m", messages=MESSAGES))
    assert len(caught.value.events) == 2


def test_nothing_after_done_is_read() -> None:
    body = sse(V2_EVENTS[:1]) + b"data: not json at all\n\n"
    with CaptureServer(lambda r: streaming([body])) as server:
        events = list(client_for(server).v2.chat_stream(model="m", messages=MESSAGES))
    assert [e.type for e in events] == ["message-start"]


def test_malformed_event_data_raises_with_events_so_far() -> None:
    body = sse(V2_EVENTS[:2], done=False) + b"data: {oops\n\n"
    with CaptureServer(lambda r: streaming([body])) as server:
        with pytest.raises(cohere_dyn.StreamError, match="not a JSON object") as caught:
            list(client_for(server).v2.chat_stream(model="m", messages=MESSAGES))
    assert len(caught.value.events) == 2


def test_unknown_event_type_is_yielded_as_it_came_with_one_warning() -> None:
    surprise = {"type": "thinking-delta", "delta": {"text": "hmm"}}
    body = sse([V2_EVENTS[0], surprise, surprise, V2_EVENTS[-1]])
    with CaptureServer(lambda r: streaming([body])) as server:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            events = list(client_for(server).v2.chat_stream(model="m", messages=MESSAGES))
    assert [e.type for e in events] == ["message-start", "thinking-delta", "thinking-delta", "message-end"]
    assert events[1].delta.text == "hmm"
    assert len([w for w in caught if "thinking-delta" in str(w.message)]) == 1


def test_json_answer_to_a_stream_request_raises_at_call_time() -> None:
    reply = Reply(body=b'{"id": "x", "message": {}}', headers={"Content-Type": "application/json"})
    with CaptureServer(lambda r: reply) as server:
        with pytest.raises(cohere_dyn.StreamError, match="expected a stream .*got application/json"):
            client_for(server).v2.chat_stream(model="m", messages=MESSAGES)


def test_http_error_raises_at_call_time_not_at_first_next() -> None:
    reply = Reply(status=429, body=b'{"message": "slow down"}', headers={"Content-Type": "application/json"})
    with CaptureServer(lambda r: reply) as server:
        with pytest.raises(cohere_dyn.TooManyRequestsError):
            client_for(server, max_retries=0).v2.chat_stream(model="m", messages=MESSAGES)


def test_v1_chat_stream_reads_newline_delimited_json() -> None:
    events = [
        {"event_type": "stream-start", "generation_id": "g1", "is_finished": False},
        {"event_type": "text-generation", "text": "Hello", "is_finished": False},
        {"event_type": "text-generation", "text": " there", "is_finished": False},
        {"event_type": "stream-end", "finish_reason": "COMPLETE", "is_finished": True, "response": {"text": "Hello there", "generation_id": "g1", "finish_reason": "COMPLETE"}},
    ]
    with CaptureServer(lambda r: streaming([ndjson(events)], "application/stream+json")) as server:
        stream = client_for(server).chat_stream(message="hi")
        assert [e.event_type for e in stream] == [e["event_type"] for e in events]
        final = stream.final()
    assert final.text == "Hello there"
    assert final.finish_reason == "COMPLETE"


def test_v1_chat_stream_with_accepts_sse_decodes_the_sse_answer() -> None:
    events = [
        {"event_type": "stream-start", "generation_id": "g1"},
        {"event_type": "text-generation", "text": "Hi"},
        {"event_type": "stream-end", "finish_reason": "COMPLETE", "response": {"text": "Hi"}},
    ]
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events).encode()
    with CaptureServer(lambda r: streaming([body])) as server:
        stream = client_for(server).chat_stream(message="hi", accepts="text/event-stream")
        assert [e.event_type for e in stream] == ["stream-start", "text-generation", "stream-end"]
    assert server.requests[0].header("Accepts") == "text/event-stream"


def test_malformed_ndjson_line_raises_with_events_so_far() -> None:
    body = ndjson([{"event_type": "text-generation", "text": "a"}]) + b"{broken\n"
    with CaptureServer(lambda r: streaming([body], "application/stream+json")) as server:
        with pytest.raises(cohere_dyn.StreamError, match="line 2") as caught:
            list(client_for(server).generate_stream(prompt="p"))
    assert [e.text for e in caught.value.events] == ["a"]


def test_final_accumulates_text_citations_finish_reason_and_usage() -> None:
    with CaptureServer(lambda r: streaming([sse(V2_EVENTS)])) as server:
        final = client_for(server).v2.chat_stream(model="m", messages=MESSAGES).final()
    assert final.id == "msg-1"
    assert final.message.content[0].text == "Paris is the capital — été."
    assert final.message.citations[0].text == "Paris"
    assert final.finish_reason == "COMPLETE"
    assert final.usage.billed_units.output_tokens == 6


def test_final_accumulates_tool_plan_and_tool_calls() -> None:
    with CaptureServer(lambda r: streaming([sse(TOOL_EVENTS)])) as server:
        final = client_for(server).v2.chat_stream(model="m", messages=MESSAGES).final()
    assert final.message.tool_plan == "I will look it up."
    call = final.message.tool_calls[0]
    assert (call.id, call.function.name, json.loads(call.function.arguments)) == ("call-1", "get_weather", {"city": "Paris"})
    assert final.finish_reason == "TOOL_CALL"


def test_text_yields_only_the_text_pieces() -> None:
    with CaptureServer(lambda r: streaming([sse(V2_EVENTS)])) as server:
        pieces = list(client_for(server).v2.chat_stream(model="m", messages=MESSAGES).text())
    assert pieces == ["Paris", " is", " the", " capital", " — été", "."]


def test_strict_mode_checks_events_against_the_spec() -> None:
    bad = {"type": "content-delta", "index": "zero", "delta": {"message": {"content": {"text": 5}}}}
    with CaptureServer(lambda r: streaming([sse([V2_EVENTS[0], bad])])) as server:
        assert len(list(client_for(server).v2.chat_stream(model="m", messages=MESSAGES))) == 2
        with pytest.raises(cohere_dyn.StreamError, match="breaks the spec"):
            list(client_for(server, validate_events=True).v2.chat_stream(model="m", messages=MESSAGES))


def test_final_keeps_ids_and_appends_logprobs_per_delta() -> None:
    events = [
        {"type": "message-start", "id": "msg-9", "delta": {"message": {"role": "assistant"}}},
        {"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}},
        {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "Hi"}}}, "logprobs": {"text": "Hi", "token_ids": [1], "logprobs": [-0.1]}},
        {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "!"}}}, "logprobs": {"text": "!", "token_ids": [2], "logprobs": [-0.2]}},
        {"type": "message-end", "id": "msg-9", "delta": {"finish_reason": "COMPLETE"}},
    ]
    with CaptureServer(lambda r: streaming([sse(events)])) as server:
        final = client_for(server).v2.chat_stream(model="m", messages=MESSAGES).final()
    assert final.id == "msg-9"
    assert [item.text for item in final.logprobs] == ["Hi", "!"]
    assert final.message.content[0].text == "Hi!"


def test_generate_stream_final_is_shaped_like_a_generation() -> None:
    events = [
        {"event_type": "text-generation", "text": "Once", "is_finished": False},
        {"event_type": "text-generation", "text": " upon", "is_finished": False},
        {"event_type": "stream-end", "is_finished": True, "finish_reason": "COMPLETE", "response": {"id": "gen-1", "prompt": "p", "generations": [{"id": "g0", "text": "Once upon", "finish_reason": "COMPLETE"}]}},
    ]
    with CaptureServer(lambda r: streaming([ndjson(events)], "application/stream+json")) as server:
        stream = client_for(server).generate_stream(prompt="p")
        assert list(stream.text()) == ["Once", " upon"]
        final = stream.final()
    assert final.id == "gen-1"
    assert final.generations[0].text == "Once upon"


def test_breaking_out_of_a_loop_over_the_call_closes_the_connection() -> None:
    chunks = [sse([V2_EVENTS[0]], done=False)] + [sse([V2_EVENTS[2]], done=False)] * 40
    with CaptureServer(lambda r: streaming(chunks, pause=0.02)) as server:
        client = client_for(server)
        for index, _ in enumerate(client.v2.chat_stream(model="m", messages=MESSAGES)):
            if index == 2:
                break
        deadline = time.monotonic() + 3
        while server.disconnects == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert server.disconnects == 1


def test_leaving_a_loop_early_keeps_the_unread_events_for_the_next_read() -> None:
    with CaptureServer(lambda r: streaming([sse(V2_EVENTS)])) as server:
        stream = client_for(server).v2.chat_stream(model="m", messages=MESSAGES)
        first = []
        for event in stream:
            first.append(event.type)
            if len(first) == 2:
                break
        assert next(stream).type == V2_EVENTS[2]["type"]
        rest = [event.type for event in stream]
    assert first + [V2_EVENTS[2]["type"]] + rest == [e["type"] for e in V2_EVENTS]
