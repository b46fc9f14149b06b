"""A corpus embedded by Cohere's own batch engine: upload a dataset, run an embed job, download.

`embed_via_job` (`client.embed_dataset`, `cohere-dyn embed --via job`):

1. uploads the input as an `embed-input` dataset, streamed from disk (a .jsonl or .csv whose
   text is in `text` goes as it is; anything else is first rewritten, a line at a time, to a
   temporary .jsonl), keeping `id` where the input has one;
2. waits for the dataset to validate, starts the embed job and waits for it (`client.wait`),
   reporting each status to `progress`;
3. reads the job's result dataset part by part and writes OUTPUT as `cohere-dyn embed` does:
   one line per input, `{"index", "id", "embedding"}`.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Callable

from ._corpus import corpus_format, read_corpus
from ._datasets import dataset_records
from ._embed_file import Summary
from ._output import OutputWriter, encode_line

__all__ = ["embed_via_job"]


def embed_via_job(
    client: Any,
    source: str,
    output: str,
    *,
    kind: str | None = None,
    field: str = "text",
    arguments: dict[str, Any],
    progress: Callable[[str], None] | None = None,
    name: str | None = None,
    timeout: float | None = None,
    interval: float = 2.0,
) -> Summary:
    kind = kind or corpus_format(source)
    report = progress or (lambda text: None)
    upload, temporary = _upload_file(source, kind, field)
    try:
        report(f"uploading {os.path.getsize(upload):,} bytes")
        created = client.datasets.create(
            name=name or os.path.splitext(os.path.basename(source))[0] or "corpus",
            type="embed-input",
            data=upload,
            optional_fields=["id"],
        )
    finally:
        if temporary:
            os.unlink(upload)
    client.wait(created, timeout=timeout, interval=interval, progress=lambda answer: report(f"dataset {answer.dataset.validation_status}"))
    job = client.embed_jobs.create(dataset_id=created.id, **arguments)
    finished = client.wait(job, timeout=timeout, interval=interval, progress=lambda answer: report(f"embed job {answer.status}"))
    result = client.datasets.get(id=finished.output_dataset_id)
    summary = Summary(0, None)
    several = len(arguments.get("embedding_types") or ()) > 1
    writer = OutputWriter(output, append=False)
    try:
        for index, record in enumerate(dataset_records(client, result, (client._caller or client._start()).transport)):
            vectors = {kind: vector for kind, vector in (record.get("embeddings") or {}).items() if vector is not None}
            writer.write(encode_line(index, record.get("id"), vectors, several))
            summary.embedded += 1
            if summary.embedded % 1000 == 0:
                report(f"downloaded {summary.embedded:,} embeddings")
    finally:
        writer.close()
        summary.finish()
    return summary


def _upload_file(source: str, kind: str, field: str) -> tuple[str, bool]:
    """The file to upload, and whether it is a temporary one to delete afterwards."""
    if source != "-" and kind in ("jsonl", "csv") and field == "text":
        return source, False
    handle = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8")
    try:
        with handle:
            for record in read_corpus(source, kind, field):
                row = {"text": record.text} if record.id is None else {"text": record.text, "id": record.id}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    except BaseException:  # a bad input line: nothing to upload, and no file left behind
        os.unlink(handle.name)
        raise
    return handle.name, True
