"""What the reliability tests observed, for docs/RELIABILITY.md.

Tests call `record(kind, **figures)` with what they saw (the fault, the outcome, the exception
type, the requests the server received...), before they assert on it. When the environment
variable COHERE_DYN_RELIABILITY_LOG names a file, each record is appended to it as one JSON line
with the test's id; otherwise `record` does nothing. `tools/reliability_report.py` runs the tests
with the variable set and turns the lines, and each test's pass or fail, into the report.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

__all__ = ["record", "ENV"]

ENV = "COHERE_DYN_RELIABILITY_LOG"
_lock = threading.Lock()


def record(kind: str, **figures: Any) -> None:
    path = os.environ.get(ENV)
    if not path:
        return
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    line = json.dumps({"kind": kind, "test": test, **figures}, default=str, ensure_ascii=False)
    with _lock, open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
