"""The mock's tokenizer file: what a model's `tokenizer_url` points at, served by the mock itself.

`models.get` answers `tokenizer_url: http://<mock>/_mock/tokenizers/<model>.json`; like the
public link of a real tokenizer, it needs no key. The file is a small tokenizer.json of the
`tokenizers` library, written here without it: a byte-level BPE like Cohere's (any text
encodes, and decodes back exactly), a few merges of common words so that tokens aren't all
single bytes, and a `<BOS_TOKEN>` that encoding with special tokens puts first (the client's
offline path leaves it out, as the official SDK does, and decoding skips it).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

__all__ = ["TOKENIZERS_PREFIX", "serve_tokenizer", "tokenizer_url"]

TOKENIZERS_PREFIX = "/_mock/tokenizers/"
SPECIAL_TOKENS = ("<PAD>", "<UNK>", "<BOS_TOKEN>", "<EOS_TOKEN>")
# Words merged into one token (with and without the space before them); the rest stays bytes.
_WORDS = ("the", "and", "hello", "world", "token", "ize", "this", "is", "a", "of", "to", "in", "mock", "cohere")
_BYTE_LEVEL = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}


def tokenizer_url(host: str, model: str) -> str:
    return f"http://{host}{TOKENIZERS_PREFIX}{model}.json"


def serve_tokenizer(path: str) -> tuple[int, bytes]:
    """The status and body for a GET of a model's tokenizer (every model has the same one)."""
    if not path.endswith(".json") or len(path) <= len(TOKENIZERS_PREFIX) + len(".json"):
        return 404, b"no such tokenizer"
    return 200, _tokenizer_json()


@lru_cache(maxsize=1)
def _tokenizer_json() -> bytes:
    alphabet = _byte_alphabet()
    vocab: dict[str, int] = {token: index for index, token in enumerate(SPECIAL_TOKENS)}
    for byte in range(256):
        vocab.setdefault(alphabet[byte], len(vocab))
    merges: list[str] = []
    space = alphabet[ord(" ")]
    for word in _WORDS:
        pairs = [(word[:end - 1], word[end - 1]) for end in range(2, len(word) + 1)] + [(space, word)]
        for left, right in pairs:
            if left + right not in vocab:
                merges.append(f"{left} {right}")
                vocab[left + right] = len(vocab)
    bos = vocab["<BOS_TOKEN>"]
    document: dict[str, Any] = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": vocab[token], "content": token, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True}
            for token in SPECIAL_TOKENS
        ],
        "normalizer": None,
        "pre_tokenizer": _BYTE_LEVEL,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<BOS_TOKEN>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<BOS_TOKEN>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<BOS_TOKEN>": {"id": "<BOS_TOKEN>", "ids": [bos], "tokens": ["<BOS_TOKEN>"]}},
        },
        "decoder": _BYTE_LEVEL,
        "model": {
            "type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
            "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "vocab": vocab, "merges": merges,
        },
    }
    return json.dumps(document, ensure_ascii=False).encode()


def _byte_alphabet() -> list[str]:
    """The byte-level BPE alphabet: each byte as a printable character (printable bytes as
    themselves, the others moved past 255), so that a vocabulary of strings covers every byte."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    characters = {byte: chr(byte) for byte in printable}
    moved = 0
    for byte in range(256):
        if byte not in characters:
            characters[byte] = chr(256 + moved)
            moved += 1
    return [characters[byte] for byte in range(256)]
