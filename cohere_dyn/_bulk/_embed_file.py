"""A corpus file embedded through embed_stream into a resumable JSONL output (`cohere-dyn embed`).

Before anything is sent: the input is opened, OUTPUT is guarded (`_output.Output`), and a
resume is checked against OUTPUT's record (`_record`): the same settings, and the inputs already
done fingerprinted as they were. A problem with one text names its file and line.
"""

from __future__ import annotations

import collections
import logging
import os
import re
import time
from typing import Any, Callable, Iterator

from .._errors import ValidationError
from ._corpus import Corpus, InputError, Record, count_records
from ._embed_stream import numbers_as_text
from ._output import Output, encode_line, per_input, resume_point
from ._record import SETTINGS, Fingerprint, OutputError, load_record, record_path

__all__ = ["Summary", "embed_file", "start_record"]

logger = logging.getLogger("cohere_dyn")


class Summary:
    """What a run did: inputs embedded now, inputs found already done, blank lines skipped, seconds."""

    def __init__(self, skipped: int, total: int | None):
        self.skipped = skipped
        self.total = total
        self.embedded = 0
        self.blank = 0
        self.started = time.monotonic()
        self.seconds = 0.0

    def finish(self) -> None:
        self.seconds = time.monotonic() - self.started

    def __str__(self) -> str:
        parts = [f"embedded {self.embedded:,} inputs in {self.seconds:.1f} s ({self.embedded / max(self.seconds, 1e-9):,.0f}/s)"]
        if self.skipped:
            parts.append(f"{self.skipped:,} already done")
        if self.blank:
            parts.append(f"{self.blank:,} blank line{'s' if self.blank != 1 else ''} skipped (index counts inputs, not lines)")
        return "; ".join(parts)


def start_record(corpus: Corpus, arguments: dict[str, Any], via: str) -> dict[str, Any]:
    """The record of a run's settings (`_record`), before its fingerprint and job ids."""
    settings = {name: arguments.get(name) for name in SETTINGS}
    return {**settings, "input": corpus.name, "field": corpus.field, "via": via}


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
    overwrite: bool = False,
) -> Summary:
    """Embed `source` into `output` with `method` (an embed_stream); Ctrl-C leaves whole lines.

    With `resume`, the inputs already in `output` are skipped, not sent again.
    """
    summary = Summary(0, None)
    corpus = Corpus(source, kind, field)
    out = Output(output, corpus, resume=resume, overwrite=overwrite)
    try:
        recorded = load_record(output, arguments) if resume and os.path.getsize(output) else None  # an empty output has nothing to mix
        done = resume_point(output) if resume else 0
        records = iter(corpus)
        fingerprint = _skip_done(records, done, recorded if done else None, output, corpus.name)
        summary.skipped = done
        summary.total = count_records(source, kind) if progress is not None else None
        out.record = {**start_record(corpus, arguments, "stream"), **fingerprint.state()}
        pending: collections.deque[Record] = collections.deque()

        def texts() -> Iterator[Any]:
            for record in records:
                pending.append(record)
                yield record.text

        several = len(arguments.get("embedding_types") or ()) > 1
        try:
            with numbers_as_text():  # vectors are copied into lines as the server wrote them
                results = method(texts=texts(), **arguments)
            for vectors in per_input(results):
                record = pending.popleft()
                out.write(encode_line(done + summary.embedded, record.id, vectors, several))
                fingerprint.add(record)
                summary.embedded += 1
                if progress is not None:
                    progress(summary)
        except ValidationError as exc:
            raise _at_lines(exc, pending, summary.embedded, corpus.name, field) from None
        finally:
            out.record.update(fingerprint.state())
            summary.blank = corpus.blank
            summary.finish()
    finally:
        out.close()
    return summary


def _skip_done(records: Iterator[Record], done: int, recorded: dict[str, Any] | None, output: str, name: str) -> Fingerprint:
    """Read past the `done` inputs, checking them against OUTPUT's record; their fingerprint."""
    if recorded is None and done:
        logger.warning("%s has no record of the settings and input it was made with (%s): resuming unchecked", output, record_path(output))
    checked = recorded.get("inputs") if recorded is not None else None
    fingerprint = Fingerprint(at=checked if isinstance(checked, int) and checked <= done else None)
    while fingerprint.count < done:
        record = next(records, None)
        if record is None:
            break
        fingerprint.add(record)
    if fingerprint.count < done:
        raise OutputError(f"{output} holds {done:,} inputs but {name} has only {fingerprint.count:,}: not the input it was made from")
    if recorded is not None and fingerprint.at is None:
        logger.warning("%s holds fewer inputs than its record counts: resuming without checking the input", output)
    elif recorded is not None and fingerprint.digest_at != recorded.get("inputs_sha256"):
        raise OutputError(
            f"{output} was made from another input: the first {fingerprint.at:,} inputs of {name} differ from those it holds; "
            "resume with the same input, or write another output"
        )
    return fingerprint


_TEXT = re.compile(r"texts\[(\d+)\](.*)")


def _at_lines(exc: ValidationError, pending: collections.deque[Record], first: int, name: str, field: str) -> Exception:
    """A validation problem of texts as `file:line: field: problem` lines (other problems as they were)."""
    lines = []
    for problem in exc.problems:
        found = _TEXT.fullmatch(problem.path)
        position = int(found.group(1)) - first if found else -1
        if not 0 <= position < len(pending):
            return exc
        assert found is not None
        lines.append(f"{name}:{pending[position].line}: {field}{found.group(2)}: {problem.message}")
    return InputError("\n".join(lines))
