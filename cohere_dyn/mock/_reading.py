"""Media read as text: audio transcriptions and parsed document images.

A transcription says what it heard of the upload: a WAV file's length, rate and channels (read
with the standard `wave` module), or any other file's size. A parsed page names its image and
comes as markdown or as blocks, as `output_format` asks.
"""

from __future__ import annotations

import io
import wave
from typing import Any

from ._exchange import Call
from ._text import meta, new_id

__all__ = ["transcribe", "parse"]


def transcribe(call: Call) -> dict[str, Any]:
    parts = call.body if isinstance(call.body, dict) else {}
    audio = parts.get("file") or b""
    language = (parts.get("language") or b"").decode("utf-8", errors="replace") or "an unknown language"
    return {"text": f"Mock transcription of {_describe_audio(audio)} in {language}."}


def _describe_audio(audio: bytes) -> str:
    try:
        with wave.open(io.BytesIO(audio)) as recording:
            rate, frames, channels = recording.getframerate(), recording.getnframes(), recording.getnchannels()
    except (wave.Error, EOFError):
        return f"{len(audio)} bytes of audio"
    seconds = frames / rate if rate else 0.0
    layout = "mono" if channels == 1 else f"{channels} channels"
    return f"a {seconds:.2f}-second recording ({rate} Hz, {layout})"


def parse(call: Call) -> dict[str, Any]:
    document = call.body.get("document") or {}
    source = str(document.get("image_url") or "")
    shown = "an inline image" if source.startswith("data:") else source
    text = f"Text read by the cohere_dyn mock from {shown}."
    if call.body.get("output_format") == "blocks":
        page: dict[str, Any] = {
            "index": 0,
            "type": "blocks",
            "blocks": [
                {"type": "text", "text": {"content": "Mock document"}},
                {"type": "text", "text": {"content": text}},
            ],
        }
    else:
        page = {"index": 0, "type": "markdown", "markdown": {"content": f"# Mock document\n\n{text}\n", "images": []}}
    return {"id": new_id(), "pages": [page], "meta": meta(output_text=text, pages=1)}
