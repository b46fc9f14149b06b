"""A corpus file embedded through embed_stream into a resumable JSONL output (`cohere-dyn embed`)."""

from __future__ import annotations

import collections
import itertools
import time
from typing import Any, Callable, Iterator

from ._corpus import count_records, read_corpus
from ._output import OutputWriter, output_lines, resume_point

__all__ = ["Summary", "embed_file"]


class Summary:
    """What a run did: inputs embedded now, inputs found already done, seconds, 429s sat out."""

    def __init__(self, skipped: int, total: int | None):
        self.skipped = skipped
        self.total = total
        self.embedded = 0
        self.started = time.monotonic()
        self.seconds = 0.0

    def finish(self) -> None:
        self.seconds = time.monotonic() - self.started

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.embedded / elapsed if elapsed > 0 else 0.0

    def __str__(self) -> str:
        parts = [f"embedded {self.embedded:,} inputs in {self.seconds:.1f} s ({self.embedded / max(self.seconds, 1e-9):,.0f}/s)"]
        if self.skipped:
            parts.append(f"{self.skipped:,} already done")
        return "; ".join(parts)


def embed_file(
    method: Callable[..., Any],
    source: str,
    output: str,
    *,
    kind: str,
    field: str,
    resume: bool,
    arguments: dict[str, Any],
    progress: Callable[[Summary], None] | None = None,
) -> Summary:
    """Embed `source` into `output` with `method` (an embed_stream); Ctrl-C leaves whole lines.

    With `resume`, the inputs already in `output` are skipped, not sent again.
    """
    done = resume_point(output) if resume else 0
    total = count_records(source, kind) if progress is not None else None
    summary = Summary(done, total)
    ids: collections.deque[Any] = collections.deque()
    records = itertools.islice(read_corpus(source, kind, field), done, None)

    def texts() -> Iterator[Any]:
        for record in records:
            ids.append(record.id)
            yield record.text

    several = len(arguments.get("embedding_types") or ()) > 1
    writer = OutputWriter(output, append=resume)
    try:
        for line in output_lines(method(texts=texts(), **arguments), _popping(ids), done, several):
            writer.write(line)
            summary.embedded += 1
            if progress is not None:
                progress(summary)
    finally:
        writer.close()
        summary.finish()
    return summary


def _popping(ids: collections.deque[Any]) -> Iterator[Any]:
    while True:
        yield ids.popleft()
