"""A corpus embedded by Cohere's own batch engine: upload a dataset, run an embed job, download.

`embed_via_job` (`client.embed_dataset`, `cohere-dyn embed --via job`):

1. checks what it can before anything is sent: fastavro is there to read the result, the job's
   arguments are valid, OUTPUT may be written (`_output.Output`), and the input reads whole
   (one pass that also fingerprints it for OUTPUT's record, `_record`);
2. uploads the input as an `embed-input` dataset, streamed from disk (a .jsonl or .csv whose
   text is in `text` goes as it is; anything else is first rewritten, a line at a time, to a
   temporary .jsonl), keeping `id` where the input has one;
3. waits for the dataset to validate, starts the embed job and waits for it (`client.wait`),
   reporting each status to `progress`; the dataset and job ids go to OUTPUT's record as soon
   as they are known;
4. reads the job's result dataset part by part and writes OUTPUT as `cohere-dyn embed` does:
   one line per input, `{"index", "id", "embedding"}`.

With `resume`, the recorded dataset and job are reused (no second upload, no second job) and
the lines already in OUTPUT are not written again. Ctrl-C raises `JobInterrupted`, which names
the dataset and job still on Cohere's side.
"""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
from typing import Any, Callable

from .._errors import CohereError
from ._corpus import Corpus, corpus_format
from ._embed_file import Summary, start_record
from ._output import Output, encode_line, resume_point
from ._record import Fingerprint, OutputError, load_record

__all__ = ["JobInterrupted", "embed_via_job"]


class JobInterrupted(KeyboardInterrupt):
    """Ctrl-C during an embed via a job, at `stage`: what lives on on Cohere's side.

    Stages: "upload" (nothing known to reuse), "validation" (the dataset `dataset_id` exists),
    "start" (the job was asked for, its answer had not come: it may exist), "job" (`job_id`
    runs), "download" (the job is done; OUTPUT holds whole lines).
    """

    def __init__(self, stage: str, dataset_id: str | None, job_id: str | None):
        self.stage = stage
        self.dataset_id = dataset_id
        self.job_id = job_id
        super().__init__(
            {
                "upload": "interrupted before a dataset was made; nothing on Cohere's side to reuse",
                "validation": f"the dataset {dataset_id} was uploaded; no embed job was started",
                "start": f"the dataset {dataset_id} was uploaded; an embed job was asked for, but its answer didn't arrive",
                "job": f"the embed job {job_id} (dataset {dataset_id}) goes on on Cohere's side",
                "download": f"the embed job {job_id} is done; its result was being downloaded",
            }[stage]
        )


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
    resume: bool = False,
    overwrite: bool = True,
) -> Summary:
    summary = Summary(0, None)
    kind = kind or corpus_format(source)
    if importlib.util.find_spec("fastavro") is None:
        from ._datasets import INSTALL_HINT

        raise CohereError(INSTALL_HINT)
    from .._call._prepare import validate_call

    spec = client._spec
    validate_call(spec, spec.operation("embed_jobs.create"), {"dataset_id": "checked-before-upload", **arguments})
    corpus = Corpus(source, kind, field)
    out = Output(output, corpus, resume=resume, overwrite=overwrite)
    job = _Job(client, out, arguments, progress or (lambda text: None), timeout, interval)
    try:
        recorded = load_record(output, arguments) if resume else None
        reused = recorded if recorded is not None and recorded.get("via") == "job" else None
        upload, temporary, fingerprint = _upload_file(corpus, recorded, needed=reused is None or reused.get("dataset_id") is None)
        try:
            if recorded is not None and fingerprint.at is not None and fingerprint.digest_at != recorded.get("inputs_sha256"):
                raise OutputError(f"{output} was made from another input than {corpus.name}: resume with the same input, or write another output")
            summary.skipped = resume_point(output) if resume else 0
            out.record = {**start_record(corpus, arguments, "job"), **fingerprint.state(), "dataset_id": None, "job_id": None}
            if reused is not None:
                job.reuse(reused.get("dataset_id"), reused.get("job_id"))
            job.start(upload, name or os.path.splitext(os.path.basename(source))[0] or "corpus")
        finally:
            if temporary is not None:
                os.unlink(temporary)
        job.download(summary, len(arguments.get("embedding_types") or ()) > 1)
    except KeyboardInterrupt:
        raise JobInterrupted(job.stage, job.dataset_id, job.job_id) from None
    finally:
        out.close()
        summary.blank = corpus.blank
        summary.finish()
    return summary


class _Job:
    """The steps on Cohere's side, each id saved in OUTPUT's record once known, and the stage reached."""

    def __init__(self, client: Any, out: Output, arguments: dict[str, Any], report: Callable[[str], None], timeout: float | None, interval: float):
        self.client = client
        self.out = out
        self.arguments = arguments
        self.report = report
        self.timeout = timeout
        self.interval = interval
        self.stage = "upload"
        self.dataset_id: str | None = None
        self.job_id: str | None = None

    def reuse(self, dataset_id: str | None, job_id: str | None) -> None:
        self.dataset_id, self.job_id = dataset_id, job_id
        self.stage = "job" if job_id is not None else "validation" if dataset_id is not None else "upload"

    def start(self, upload: str | None, name: str) -> None:
        """Upload the dataset and start the embed job, unless a resume found them recorded."""
        client = self.client
        if self.job_id is not None:
            self.report(f"resuming: embed job {self.job_id}")
            self.out.record.update(dataset_id=self.dataset_id, job_id=self.job_id)
            self.out.begin()
            return
        if self.dataset_id is None:
            assert upload is not None  # made unless a resume reuses the dataset
            self.report(f"uploading {os.path.getsize(upload):,} bytes")
            dataset = client.datasets.create(name=name, type="embed-input", data=upload, optional_fields=["id"])
            self.dataset_id, self.stage = dataset.id, "validation"
        else:
            self.report(f"resuming: dataset {self.dataset_id}")
            dataset = client.datasets.get(id=self.dataset_id)
        self.out.record["dataset_id"] = self.dataset_id
        self.out.begin()
        client.wait(dataset, timeout=self.timeout, interval=self.interval, progress=lambda answer: self.report(f"dataset {answer.dataset.validation_status}"))
        self.stage = "start"
        started = client.embed_jobs.create(dataset_id=self.dataset_id, **self.arguments)
        self.job_id, self.stage = started.job_id, "job"
        self.out.record["job_id"] = self.job_id
        self.out.save_record()

    def download(self, summary: Summary, several: bool) -> None:
        """Wait for the job, then write its result after the lines OUTPUT already holds."""
        client = self.client
        job = client.embed_jobs.get(id=self.job_id)
        finished = client.wait(job, timeout=self.timeout, interval=self.interval, progress=lambda answer: self.report(f"embed job {answer.status}"))
        result = client.datasets.get(id=finished.output_dataset_id)
        self.stage = "download"
        from ._datasets import dataset_records

        for index, record in enumerate(dataset_records(client, result, (client._caller or client._start()).transport)):
            if index < summary.skipped:
                continue
            vectors = {kind: vector for kind, vector in (record.get("embeddings") or {}).items() if vector is not None}
            self.out.write(encode_line(index, record.get("id"), vectors, several))
            summary.embedded += 1
            if summary.embedded % 1000 == 0:
                self.report(f"downloaded {summary.embedded:,} embeddings")


def _upload_file(corpus: Corpus, recorded: dict[str, Any] | None, needed: bool) -> tuple[str | None, str | None, Fingerprint]:
    """The file to upload (None when not `needed`: a resume reuses its dataset), the same file when
    it is a temporary one to delete afterwards (else None), and the input's fingerprint (taken in
    the same pass, which also finds a bad line before anything is sent)."""
    checked = recorded.get("inputs") if recorded is not None else None
    fingerprint = Fingerprint(at=checked if isinstance(checked, int) else None)
    if not needed or (corpus.path != "-" and corpus.kind in ("jsonl", "csv") and corpus.field == "text"):
        for record in corpus:
            fingerprint.add(record)
        return corpus.path if needed else None, None, fingerprint
    handle = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8")
    try:
        with handle:
            for record in corpus:
                fingerprint.add(record)
                row = {"text": record.text} if record.id is None else {"text": record.text, "id": record.id}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    except BaseException:  # a bad input line: nothing to upload, and no file left behind
        os.unlink(handle.name)
        raise
    return handle.name, handle.name, fingerprint
