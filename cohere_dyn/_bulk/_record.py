"""What an output of `cohere-dyn embed` was made with, kept beside it in `OUTPUT.meta.json`.

    {"made_by": "cohere-dyn embed", "model": "embed-v4.0", "input_type": "search_document",
     "embedding_types": ["float"], "truncate": null, "input": "corpus.jsonl", "via": "stream",
     "inputs": 1200, "inputs_sha256": "9f2c...", "dataset_id": null, "job_id": null}

OUTPUT itself stays one JSON line per input. `inputs_sha256` fingerprints the first `inputs`
records of the input (each one's text and id): the lines written so far (`--via stream`), or
the whole input uploaded (`--via job`, which also keeps its dataset and job ids). A resume
compares the settings, and the fingerprint of as many records of the input it is given, and
refuses a difference before anything is sent.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

__all__ = ["Fingerprint", "SETTINGS", "OutputError", "load_record", "record_path", "save_record"]

SUFFIX = ".meta.json"
MADE_BY = "cohere-dyn embed"
# The arguments whose change would mix vectors, with the option that sets each.
SETTINGS = {"model": "--model", "input_type": "--input-type", "embedding_types": "--embedding-type", "truncate": "--truncate"}


class OutputError(ValueError):
    """An output that a run must not write: another run's, the input itself, a mismatching resume."""


def record_path(output: str) -> str:
    return output + SUFFIX


def load_record(output: str, settings: dict[str, Any]) -> dict[str, Any] | None:
    """The record beside `output`, or None when there is none; OutputError when it isn't one, or
    when it was made with other `settings` (resuming would mix vectors)."""
    path = record_path(output)
    try:
        with open(path, "rb") as handle:
            record = json.loads(handle.read())
    except FileNotFoundError:
        return None
    except ValueError:
        record = None
    if not isinstance(record, dict) or record.get("made_by") != MADE_BY:
        raise OutputError(f"{path} is not a record that cohere-dyn embed wrote; move it away to resume {output} unchecked")
    _check_settings(output, record, settings)
    return record


def save_record(output: str, record: dict[str, Any]) -> None:
    """Replace the record whole (a reader sees the old one or the new one, never a mix)."""
    path = record_path(output)
    partial = f"{path}.{os.getpid()}.partial"
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump({"made_by": MADE_BY, **record}, handle, ensure_ascii=False)
        handle.write("\n")
    os.replace(partial, path)


def _check_settings(output: str, recorded: dict[str, Any], settings: dict[str, Any]) -> None:
    for name, option in SETTINGS.items():
        was, now = recorded.get(name), settings.get(name)
        if name == "embedding_types":
            was, now = sorted(was or ["float"]), sorted(now or ["float"])
        if was != now:
            raise OutputError(
                f"{output} was made with {option} {_shown(was)}, this run asks for {option} {_shown(now)}: resuming would mix "
                f"vectors; resume with the same settings, or write another output"
            )


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return "(none)" if value is None else str(value)


class Fingerprint:
    """A running SHA-256 over records (text and id), with the digest after the first `at` kept."""

    def __init__(self, at: int | None = None):
        self.count = 0
        self.digest = hashlib.sha256()
        self.at = at
        self.digest_at: str | None = self.digest.hexdigest() if at == 0 else None

    def add(self, record: Any) -> None:
        text = record.text  # a text is length-prefixed, anything else (refused later) written as its repr
        entry = f"{len(text)}:{text}{record.id!r}\n" if type(text) is str else f"-{text!r}{record.id!r}\n"
        self.digest.update(entry.encode("utf-8", "surrogatepass"))
        self.count += 1
        if self.count == self.at:
            self.digest_at = self.digest.hexdigest()

    def state(self) -> dict[str, Any]:
        return {"inputs": self.count, "inputs_sha256": self.digest.hexdigest()}
