"""Text behaviours: generate, summarize, classify, tokenize and detokenize, check_api_key."""

from __future__ import annotations

import re
from typing import Any

from ._exchange import Call, Events
from ._text import meta, new_id, overlap, pieces, quote

__all__ = ["generate", "generate_stream", "summarize", "classify", "tokenize", "detokenize", "check_api_key"]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SUMMARY_SENTENCES = {"short": 1, "medium": 2, "long": 3}
_DEFAULT_LABELS = ("positive", "negative")


def _generations(call: Call) -> list[tuple[str, str]]:
    """Each generation's text and finish reason (MAX_TOKENS when max_tokens cut it short)."""
    prompt = str(call.body.get("prompt") or "")
    count = max(1, int(call.body.get("num_generations") or 1))
    limit = call.body.get("max_tokens")
    out = []
    for index in range(count):
        words = pieces(
            f' Continuing "{quote(prompt)}": this is generation {index + 1} from the cohere_dyn mock server.'
        )
        cut = isinstance(limit, int) and 0 < limit < len(words)
        out.append(("".join(words[:limit] if cut else words), "MAX_TOKENS" if cut else "COMPLETE"))
    return out


def generate(call: Call) -> dict[str, Any]:
    prompt = str(call.body.get("prompt") or "")
    likelihoods = call.body.get("return_likelihoods") in ("GENERATION", "ALL")
    generations = []
    for index, (text, _) in enumerate(_generations(call)):
        generation: dict[str, Any] = {"id": new_id(), "text": text, "index": index}
        if likelihoods:
            tokens = [{"token": piece, "likelihood": -0.5} for piece in pieces(text)]
            generation["likelihood"] = -0.5 * len(tokens)
            generation["token_likelihoods"] = tokens
        generations.append(generation)
    output = " ".join(g["text"] for g in generations)
    return {"id": new_id(), "prompt": prompt, "generations": generations, "meta": meta(prompt, output)}


def generate_stream(call: Call) -> Events:
    generations = _generations(call)
    several = len(generations) > 1
    events: list[dict[str, Any]] = []
    for index, (text, _) in enumerate(generations):
        for piece in pieces(text):
            event = {"event_type": "text-generation", "text": piece, "is_finished": False}
            events.append({**event, "index": index} if several else event)
    finished = [
        {"id": new_id(), "text": text, "index": index, "finish_reason": reason}
        for index, (text, reason) in enumerate(generations)
    ]
    response = {"id": new_id(), "prompt": str(call.body.get("prompt") or ""), "generations": finished}
    events.append(
        {
            "event_type": "stream-end",
            "is_finished": True,
            "finish_reason": finished[0]["finish_reason"],
            "response": response,
        }
    )
    return Events(events)


def summarize(call: Call) -> dict[str, Any]:
    text = str(call.body.get("text") or "")
    count = _SUMMARY_SENTENCES.get(call.body.get("length") or "medium", 2)
    sentences = [quote(sentence, 30) for sentence in _SENTENCE_END.split(text.strip()) if sentence][:count]
    if call.body.get("format") == "bullets":
        summary = "\n".join(f"- {sentence}" for sentence in sentences)
    else:
        summary = " ".join(sentences)
    return {"id": new_id(), "summary": summary, "meta": meta(text, summary)}


def classify(call: Call) -> dict[str, Any]:
    """Each input gets the label of the example it shares most words with."""
    examples = [e for e in call.body.get("examples") or () if isinstance(e, dict) and e.get("label") is not None]
    labels = list(dict.fromkeys(str(e["label"]) for e in examples)) or list(_DEFAULT_LABELS)
    classifications = []
    for text in call.body.get("inputs") or ():
        best = labels[0]
        if examples:
            best = str(max(examples, key=lambda e: overlap(str(e.get("text", "")), text))["label"])
        rest = (1 - 0.8) / (len(labels) - 1) if len(labels) > 1 else 0.0
        confidence = {label: (0.8 if label == best or len(labels) == 1 else rest) for label in labels}
        classifications.append(
            {
                "id": new_id(),
                "input": text,
                "prediction": best,
                "predictions": [best],
                "confidence": confidence[best],
                "confidences": [confidence[best]],
                "labels": {label: {"confidence": value} for label, value in confidence.items()},
                "classification_type": "single-label",
            }
        )
    inputs = " ".join(call.body.get("inputs") or ())
    return {
        "id": new_id(),
        "classifications": classifications,
        "meta": meta(inputs, classifications=len(classifications)),
    }


def tokenize(call: Call) -> dict[str, Any]:
    ids, strings = call.store.vocabulary.encode(str(call.body["text"]))
    return {"tokens": ids, "token_strings": strings, "meta": {"api_version": {"version": "1"}}}


def detokenize(call: Call) -> dict[str, Any]:
    text = call.store.vocabulary.decode([int(token) for token in call.body["tokens"]])
    return {"text": text, "meta": {"api_version": {"version": "1"}}}


def check_api_key(call: Call) -> dict[str, Any]:
    return {"valid": True, "organization_id": "mock-organization", "owner_id": "mock-owner"}
