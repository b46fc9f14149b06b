"""The model catalogue: a fixed list of Cohere models, filtered by endpoint and paged."""

from __future__ import annotations

from typing import Any

from ._exchange import Call, not_found
from ._paging import paged
from ._tokenizer import tokenizer_url

__all__ = ["models_list", "models_get"]

# (name, endpoints, default endpoints, context length, vision)
_CATALOGUE = [
    ("command-a-03-2025", ["chat", "generate"], ["chat"], 256000, False),
    ("command-r-plus-08-2024", ["chat", "generate"], [], 128000, False),
    ("command-r-08-2024", ["chat", "generate", "summarize"], ["generate", "summarize"], 128000, False),
    ("command-r7b-12-2024", ["chat", "generate"], [], 128000, False),
    ("command-a-vision-07-2025", ["chat"], [], 128000, True),
    ("embed-v4.0", ["embed"], ["embed"], 128000, True),
    ("embed-english-v3.0", ["embed", "classify"], ["classify"], 512, True),
    ("embed-multilingual-v3.0", ["embed", "classify"], [], 512, True),
    ("rerank-v3.5", ["rerank"], ["rerank"], 4096, False),
    ("rerank-english-v3.0", ["rerank"], [], 4096, False),
]


def _model(call: Call, entry: tuple[str, list[str], list[str], int, bool]) -> dict[str, Any]:
    name, endpoints, defaults, context, vision = entry
    return {
        "name": name,
        "endpoints": endpoints,
        "finetuned": False,
        "context_length": context,
        "tokenizer_url": tokenizer_url(call.headers.get("host", "127.0.0.1"), name),
        "supports_vision": vision,
        "default_endpoints": defaults,
        "features": ["tools"] if "chat" in endpoints else [],
    }


def models_list(call: Call) -> Any:
    endpoint = call.arg("endpoint")
    default_only = call.arg("default_only") == "true"
    found = [
        _model(call, entry)
        for entry in _CATALOGUE
        if endpoint is None or (endpoint in (entry[2] if default_only else entry[1]))
    ]
    return paged(call, found, "models", 20)


def models_get(call: Call) -> Any:
    name = call.path_params["model"]
    entry = next((entry for entry in _CATALOGUE if entry[0] == name), None)
    return not_found("model", name) if entry is None else _model(call, entry)
