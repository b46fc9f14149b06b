"""Chat (v1 and v2): a reply that refers to the last message, a tool call when tools are asked
for, citations of the given documents, and the same answer as a stream of events.

Each request is first turned into a `Turn` (what the model "decided"); the plain answer and
the stream are two renderings of it, so a stream's events add up to the non-streamed answer.
A v2 model thinks first when `thinking` is enabled, or when it is left out and the model's name
says it reasons: the thinking is the first content part, before the text (or the tool plan).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterator

from .._errors import SpecError
from .._spec._schemas import Resolver
from ._exchange import Call, Events
from ._synth import Synthesizer
from ._text import first_text, meta, new_id, pieces, quote, reply_to

__all__ = ["chat", "chat_stream", "chat_v2", "chat_v2_stream"]


@dataclass
class Turn:
    """What the mock model makes of one chat request, before it is rendered as an answer."""

    said: str  # the text the reply answers
    heard: str  # everything the model read, for token counts
    text: str = ""
    tool_name: str = ""
    tool_arguments: dict[str, Any] = field(default_factory=dict)
    tool_plan: str = ""
    documents: list[tuple[str, Any, str]] = field(default_factory=list)  # (id, document, its text)
    cite: tuple[int, int] | None = None  # span of `text` quoting the first document
    thinking: str = ""  # v2: what the model thought before answering ("" when it didn't)
    cached: int = 0  # v2: input tokens of the conversation before the last message (a cached prefix)

    @property
    def cited_text(self) -> str:
        return self.text[self.cite[0] : self.cite[1]] if self.cite else ""


def _compose(turn: Turn, tool: dict[str, Any] | None, json_schema: Any, tool_output: str | None) -> Turn:
    """Fill in the reply: a tool plan, or text (JSON when asked) that may quote a document."""
    if tool is not None:
        turn.tool_name = str(tool.get("name") or "tool")
        turn.tool_plan = f"I will call {turn.tool_name} to answer this."
        return turn
    if json_schema is not None:
        turn.text = json.dumps(_example(json_schema) if json_schema else {"answer": reply_to(turn.said)})
        return turn
    turn.text = f"The tool returned: {quote(tool_output)}." if tool_output is not None else reply_to(turn.said)
    if turn.documents:
        snippet = quote(turn.documents[0][2], 8) or "(empty)"
        turn.text += " The documents say: "
        turn.cite = (len(turn.text), len(turn.text) + len(snippet))
        turn.text += snippet
    return turn


def _chosen_tool(tools: list[dict[str, Any]], said: str, choice: Any) -> dict[str, Any] | None:
    """The tool the message names, or the first one when a tool is required or asked for."""
    if not tools or choice == "NONE":
        return None
    lowered = said.lower()
    named = next((tool for tool in tools if str(tool.get("name", "")).lower() in lowered and tool.get("name")), None)
    if named is not None:
        return named
    return tools[0] if choice == "REQUIRED" or "tool" in lowered else None


def _example(schema: Any) -> Any:
    """An instance of a schema that came in the request (tool parameters, a JSON answer's schema)."""
    if not isinstance(schema, dict):
        return {}
    try:
        return Synthesizer(Resolver(schema)).value(schema)
    except (SpecError, RecursionError):
        return {}


def _json_schema(response_format: Any, key: str) -> Any:
    """None for a text answer; else the schema a JSON answer must follow ({} when none is given)."""
    if isinstance(response_format, dict) and response_format.get("type") == "json_object":
        return response_format.get(key) or {}
    return None


# ------------------------------------------------------------------------------------------ v2


def _turn_v2(call: Call) -> Turn:
    body = call.body
    messages = [m for m in body.get("messages") or () if isinstance(m, dict)]
    last = messages[-1] if messages else {}
    turn = Turn(said=first_text(last.get("content")), heard=" ".join(first_text(m.get("content")) for m in messages))
    for index, document in enumerate(body.get("documents") or ()):
        if isinstance(document, dict):
            turn.documents.append(
                (str(document.get("id") or f"doc:{index}"), document.get("data", {}), first_text(document.get("data")))
            )
        else:
            turn.documents.append((f"doc:{index}", {"text": str(document)}, str(document)))
    tools = [tool.get("function") or {} for tool in body.get("tools") or () if isinstance(tool, dict)]
    tool = _chosen_tool(tools, turn.said, body.get("tool_choice")) if last.get("role") == "user" else None
    if tool is not None:
        turn.tool_arguments = _example(tool.get("parameters"))
    tool_output = (turn.said or json.dumps(last.get("content"))) if last.get("role") == "tool" else None
    turn.cached = sum(len(first_text(m.get("content")).split()) for m in messages[:-1])
    turn.thinking = _thinking(body, turn.said)
    return _compose(turn, tool, _json_schema(body.get("response_format"), "json_schema"), tool_output)


def _thinking(body: dict[str, Any], said: str) -> str:
    """The model's thinking, within its token budget (a word a token); "" when it doesn't think."""
    setting: dict[str, Any] = body["thinking"] if isinstance(body.get("thinking"), dict) else {}
    kind = setting.get("type") or ("enabled" if "reasoning" in str(body.get("model", "")) else "disabled")
    if kind != "enabled":
        return ""
    words = f'The user asks: "{quote(said)}". A short, direct answer will do; no tool is needed to reply.'.split()
    budget = setting.get("token_budget")
    return " ".join(words[:budget] if isinstance(budget, int) else words)


def _usage(turn: Turn) -> dict[str, Any]:
    produced = len((turn.text or turn.tool_plan).split()) + len(turn.thinking.split())
    tokens = {"input_tokens": len(turn.heard.split()), "output_tokens": produced}
    return {"billed_units": dict(tokens), "tokens": tokens, "cached_tokens": turn.cached}


def _tool_call_v2(turn: Turn, call_id: str, arguments: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": turn.tool_name, "arguments": arguments}}


def _citation_v2(turn: Turn) -> dict[str, Any]:
    assert turn.cite is not None
    ident, document, _ = turn.documents[0]
    source = {
        "type": "document",
        "id": ident,
        "document": document if isinstance(document, dict) else {"text": document},
    }
    return {
        "start": turn.cite[0],
        "end": turn.cite[1],
        "text": turn.cited_text,
        "sources": [source],
        "type": "TEXT_CONTENT",
        "content_index": 1 if turn.thinking else 0,
    }


def _logprobs(call: Call, piece: str) -> dict[str, Any]:
    ids, _ = call.store.vocabulary.encode(piece)
    return {"text": piece, "token_ids": ids, "logprobs": [-0.1] * len(ids)}


def chat_v2(call: Call) -> dict[str, Any]:
    turn = _turn_v2(call)
    message: dict[str, Any] = {"role": "assistant"}
    thought = [{"type": "thinking", "thinking": turn.thinking}] if turn.thinking else []
    if turn.tool_name:
        message["tool_plan"] = turn.tool_plan
        message["tool_calls"] = [_tool_call_v2(turn, f"call_{new_id()[:8]}", json.dumps(turn.tool_arguments))]
        if thought:
            message["content"] = thought
    else:
        message["content"] = [*thought, {"type": "text", "text": turn.text}]
    if turn.cite:
        message["citations"] = [_citation_v2(turn)]
    answer: dict[str, Any] = {
        "id": new_id(),
        "finish_reason": "TOOL_CALL" if turn.tool_name else "COMPLETE",
        "message": message,
        "usage": _usage(turn),
    }
    if call.body.get("logprobs") and turn.text:
        answer["logprobs"] = [_logprobs(call, piece) for piece in pieces(turn.text)]
    return answer


def chat_v2_stream(call: Call) -> Events:
    return Events(_events_v2(call, _turn_v2(call)), done=True)


def _events_v2(call: Call, turn: Turn) -> Iterator[dict[str, Any]]:
    ident = new_id()
    yield {"type": "message-start", "id": ident, "delta": {"message": {"role": "assistant"}}}
    text_index = 0
    if turn.thinking:
        yield {"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "thinking", "thinking": ""}}}}
        for piece in pieces(turn.thinking):
            yield {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"thinking": piece}}}}
        yield {"type": "content-end", "index": 0}
        text_index = 1
    if turn.tool_name:
        for piece in pieces(turn.tool_plan):
            yield {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": piece}}}
        start = _tool_call_v2(turn, f"call_{ident[:8]}", "")
        yield {"type": "tool-call-start", "index": 0, "delta": {"message": {"tool_calls": start}}}
        for piece in pieces(json.dumps(turn.tool_arguments)):
            yield {
                "type": "tool-call-delta",
                "index": 0,
                "delta": {"message": {"tool_calls": {"function": {"arguments": piece}}}},
            }
        yield {"type": "tool-call-end", "index": 0}
    else:
        start = {"type": "text", "text": ""}
        yield {"type": "content-start", "index": text_index, "delta": {"message": {"content": start}}}
        for piece in pieces(turn.text):
            event: dict[str, Any] = {
                "type": "content-delta",
                "index": text_index,
                "delta": {"message": {"content": {"text": piece}}},
            }
            if call.body.get("logprobs"):
                event["logprobs"] = _logprobs(call, piece)
            yield event
        if turn.cite:
            yield {"type": "citation-start", "index": 0, "delta": {"message": {"citations": _citation_v2(turn)}}}
            yield {"type": "citation-end", "index": 0}
        yield {"type": "content-end", "index": text_index}
    finish = "TOOL_CALL" if turn.tool_name else "COMPLETE"
    yield {"type": "message-end", "id": ident, "delta": {"finish_reason": finish, "usage": _usage(turn)}}


# ------------------------------------------------------------------------------------------ v1


def _turn_v1(call: Call) -> Turn:
    body = call.body
    said = str(body.get("message") or "")
    history = " ".join(str(m.get("message", "")) for m in body.get("chat_history") or () if isinstance(m, dict))
    turn = Turn(said=said, heard=f"{body.get('preamble') or ''} {history} {said}".strip())
    for index, document in enumerate(body.get("documents") or ()):
        if isinstance(document, dict):
            ident = str(document.get("id") or f"doc_{index}")
            turn.documents.append((ident, {**document, "id": ident}, first_text(document)))
    results = body.get("tool_results")
    tools = [tool for tool in body.get("tools") or () if isinstance(tool, dict)]
    tool = None if results else _chosen_tool(tools, said, None)
    if tool is not None:
        turn.tool_arguments = {
            name: _parameter_example(name, spec) for name, spec in (tool.get("parameter_definitions") or {}).items()
        }
    tool_output = json.dumps([r.get("outputs") for r in results if isinstance(r, dict)]) if results else None
    return _compose(turn, tool, _json_schema(body.get("response_format"), "schema"), tool_output)


def _parameter_example(name: str, spec: Any) -> Any:
    kind = str(spec.get("type", "str")).lower() if isinstance(spec, dict) else "str"
    examples = {"int": 1, "integer": 1, "float": 0.5, "number": 0.5, "bool": False, "boolean": False}
    return examples.get(kind, f"mock {name}")


def _response_v1(call: Call, turn: Turn, generation_id: str) -> dict[str, Any]:
    body = call.body
    text = turn.tool_plan if turn.tool_name else turn.text
    searching = bool(body.get("search_queries_only"))
    if searching:
        text = ""
    history = [m for m in body.get("chat_history") or () if isinstance(m, dict)]
    if turn.said:
        history.append({"role": "USER", "message": turn.said})
    if body.get("tool_results"):
        history.append({"role": "TOOL", "tool_results": body["tool_results"]})
    reply: dict[str, Any] = {"role": "CHATBOT", "message": text}
    answer: dict[str, Any] = {
        "text": text,
        "generation_id": generation_id,
        "response_id": new_id(),
        "finish_reason": "COMPLETE",
        "chat_history": [*history, reply],
        "meta": meta(turn.heard, text),
    }
    if turn.tool_name:
        answer["tool_calls"] = reply["tool_calls"] = [{"name": turn.tool_name, "parameters": turn.tool_arguments}]
    if turn.cite:
        answer["citations"] = [_citation_v1(turn)]
        answer["documents"] = [document for _, document, _ in turn.documents]
    if searching:
        answer["is_search_required"] = True
        answer["search_queries"] = [{"text": turn.said, "generation_id": generation_id}]
    return answer


def _citation_v1(turn: Turn) -> dict[str, Any]:
    assert turn.cite is not None
    return {
        "start": turn.cite[0],
        "end": turn.cite[1],
        "text": turn.cited_text,
        "document_ids": [turn.documents[0][0]],
        "type": "TEXT_CONTENT",
    }


def chat(call: Call) -> dict[str, Any]:
    return _response_v1(call, _turn_v1(call), new_id())


def chat_stream(call: Call) -> Events:
    return Events(_events_v1(call, _turn_v1(call)))


def _events_v1(call: Call, turn: Turn) -> Iterator[dict[str, Any]]:
    generation_id = new_id()
    response = _response_v1(call, turn, generation_id)
    yield {"event_type": "stream-start", "generation_id": generation_id}
    if response.get("search_queries"):
        yield {"event_type": "search-queries-generation", "search_queries": response["search_queries"]}
    for piece in pieces(response["text"]):
        yield {"event_type": "text-generation", "text": piece}
    if response.get("citations"):
        yield {"event_type": "citation-generation", "citations": response["citations"]}
    if response.get("tool_calls"):
        yield {"event_type": "tool-calls-generation", "text": response["text"], "tool_calls": response["tool_calls"]}
    yield {"event_type": "stream-end", "finish_reason": "COMPLETE", "response": response}
