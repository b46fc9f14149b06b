"""Embed and rerank (v1 and v2): one vector per input, documents ranked by word overlap.

Vectors are deterministic per input text: the same text always embeds to the same vector, and
every embedding type is a quantization of the same float vector, as with the real models (base64
is that vector's float32 little-endian bytes). With `relevant_spans` enabled, v2 rerank results
point at the sentences of each document that share words with the query.
"""

from __future__ import annotations

import base64
import json
import random
import re
import struct
from typing import Any

from ._exchange import Call
from ._text import first_text, meta, new_id, overlap

__all__ = ["DIMENSION", "embed", "embed_v2", "rerank", "rerank_v2"]

DIMENSION = 1024  # float, int8 and uint8 vectors; binary and ubinary pack 8 dimensions a byte
_DATA_URI = re.compile(r"data:image/(\w+)")
_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]?")


def _floats(seed: str, dimension: int) -> list[float]:
    generator = random.Random(seed)
    return [round(generator.uniform(-1.0, 1.0), 6) for _ in range(dimension)]


def _typed(kind: str, floats: list[float]) -> list[float] | list[int] | str:
    if kind == "base64":
        return base64.b64encode(struct.pack(f"<{len(floats)}f", *floats)).decode("ascii")
    if kind == "int8":
        return [round(value * 127) for value in floats]
    if kind == "uint8":
        return [round((value + 1) * 127.5) for value in floats]
    if kind in ("binary", "ubinary"):
        packed = []
        for start in range(0, len(floats) - 7, 8):
            byte = sum(1 << (7 - bit) for bit, value in enumerate(floats[start : start + 8]) if value > 0)
            packed.append(byte - 128 if kind == "binary" else byte)
        return packed
    return floats


def _by_type(kinds: list[str], seeds: list[str], dimension: int) -> dict[str, list[Any]]:
    floats = [_floats(seed, dimension) for seed in seeds]
    return {kind: [_typed(kind, vector) for vector in floats] for kind in dict.fromkeys(kinds)}


def _image_facts(images: list[str]) -> list[dict[str, Any]]:
    facts = []
    for image in images:
        found = _DATA_URI.match(image)
        facts.append({"width": 512, "height": 512, "format": found.group(1) if found else "png", "bit_depth": 24})
    return facts


def embed(call: Call) -> dict[str, Any]:
    """v1: float vectors only without `embedding_types`, else one list per requested type."""
    texts = list(call.body.get("texts") or ())
    images = list(call.body.get("images") or ())
    seeds = texts or images
    kinds = call.body.get("embedding_types")
    answer: dict[str, Any] = {"id": new_id(), "texts": texts}
    if kinds:
        answer = {"response_type": "embeddings_by_type", **answer, "embeddings": _by_type(kinds, seeds, DIMENSION)}
    else:
        answer = {"response_type": "embeddings_floats", **answer, "embeddings": [_floats(s, DIMENSION) for s in seeds]}
    if images:
        answer["images"] = _image_facts(images)
    answer["meta"] = meta(" ".join(texts), images=len(images)) if images else meta(" ".join(texts))
    return answer


def embed_v2(call: Call) -> dict[str, Any]:
    """v2: one vector per text, image or input, of `output_dimension` (default 1024) per type."""
    texts = list(call.body.get("texts") or ())
    images = list(call.body.get("images") or ())
    inputs = [json.dumps(item.get("content"), sort_keys=True) for item in call.body.get("inputs") or ()]
    seeds = texts or images or inputs
    dimension = call.body.get("output_dimension") or DIMENSION
    kinds = call.body.get("embedding_types") or ["float"]
    answer: dict[str, Any] = {
        "id": new_id(),
        "response_type": "embeddings_by_type",
        "embeddings": _by_type(kinds, seeds, dimension),
    }
    if texts:
        answer["texts"] = texts
    if images:
        answer["images"] = _image_facts(images)
    heard = " ".join(texts) or " ".join(first_text(item.get("content")) for item in call.body.get("inputs") or ())
    answer["meta"] = meta(heard)
    return answer


def _ranked(query: str, texts: list[str], top_n: Any) -> list[tuple[int, float]]:
    """(index, relevance) best first; relevance strictly decreases down the list."""
    order = sorted(range(len(texts)), key=lambda index: (-overlap(query, texts[index]), index))
    count = len(texts)
    ranked = [
        (index, round(0.9 * overlap(query, texts[index]) + 0.09 * (1 - rank / count), 6))
        for rank, index in enumerate(order)
    ]
    return ranked[:top_n] if isinstance(top_n, int) else ranked


def _document_text(document: Any, fields: list[str] | None) -> str:
    if isinstance(document, dict) and fields:
        return " ".join(str(document.get(name, "")) for name in fields)
    return first_text(document)


def rerank(call: Call) -> dict[str, Any]:
    documents = list(call.body.get("documents") or ())
    texts = [_document_text(document, call.body.get("rank_fields")) for document in documents]
    results = []
    for index, relevance in _ranked(str(call.body.get("query", "")), texts, call.body.get("top_n")):
        result: dict[str, Any] = {"index": index, "relevance_score": relevance}
        if call.body.get("return_documents"):
            document = documents[index]
            result["document"] = (
                {"text": texts[index], **document} if isinstance(document, dict) else {"text": document}
            )
        results.append(result)
    return {"id": new_id(), "results": results, "meta": meta(search_units=1)}


def rerank_v2(call: Call) -> dict[str, Any]:
    documents = [str(document) for document in call.body.get("documents") or ()]
    query = str(call.body.get("query", ""))
    spans = call.body.get("relevant_spans") or {}
    results = []
    for index, relevance in _ranked(query, documents, call.body.get("top_n")):
        result: dict[str, Any] = {"index": index, "relevance_score": relevance}
        if call.body.get("return_documents"):
            result["document"] = {"text": documents[index]}
        if spans.get("mode") == "enabled":
            result["relevant_spans"] = _relevant_spans(query, documents[index], spans)
        results.append(result)
    return {"id": new_id(), "results": results, "meta": meta(search_units=1)}


def _relevant_spans(query: str, document: str, options: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's sentences scored by their overlap with the query, best first, above the threshold."""
    threshold = options.get("threshold", 0.1)
    found = []
    for match in _SENTENCE.finditer(document):
        start = match.start() + len(match.group()) - len(match.group().lstrip())
        score = round(overlap(query, match.group()), 6)
        if match.group().strip() and score >= threshold:
            found.append({"start": start, "end": match.end(), "score": score})
    found.sort(key=lambda span: (-span["score"], span["start"]))
    limit = options.get("max_spans")
    return found[:limit] if isinstance(limit, int) else found
