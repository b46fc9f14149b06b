"""`cohere-dyn embed` as a subprocess: against the rate-limited embed server, and --via job against the mock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import cohere_dyn.mock
from tests.embed_server import EmbedServer, marker

MODEL = ["--model", "embed-v4.0", "--input-type", "search_document"]
JOB_MODEL = ["--model", "embed-english-v3.0", "--input-type", "search_document"]  # the mock's embed jobs know it


def environment(url: str) -> dict[str, str]:
    return {**os.environ, "CO_API_KEY": "cli-key", "CO_API_URL": url}


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "cohere_dyn", "embed", *args]


def cli(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`cohere-dyn embed` with exactly these arguments (no model added)."""
    return subprocess.run(command(*args), capture_output=True, text=True, env=environment(url), input=stdin, timeout=120)


def embed(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return cli(url, *args, *MODEL, stdin=stdin)


def on_a_terminal(url: str, *args: str) -> tuple[int, str]:
    """`cohere-dyn embed` with its standard error on a terminal: its exit code, and all it drew there."""
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen(command(*args, *MODEL), env=environment(url), stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=60)
    os.close(controller)
    return process.returncode, shown.decode()


def write_corpus(path: Path, count: int) -> list[dict[str, Any]]:
    rows = [{"id": f"doc-{i}", "text": f"text number {i}"} for i in range(count)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return rows


def read_output(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_embed_writes_one_line_per_input_in_order_with_ids(tmp_path: Path) -> None:
    rows = write_corpus(tmp_path / "in.jsonl", 250)
    with EmbedServer() as server:
        result = embed(server.url, str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 0, result.stderr
    lines = read_output(tmp_path / "out.jsonl")
    assert [(line["index"], line["id"]) for line in lines] == [(i, row["id"]) for i, row in enumerate(rows)]
    assert all(line["embedding"][0] == marker(row["text"]) for line, row in zip(lines, rows))
    assert "embedded 250 inputs" in result.stderr and "\r" not in result.stderr  # no progress bar off a terminal


def test_several_embedding_types_map_each_type_to_its_vector(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("first\nsecond\n")
    with EmbedServer() as server:
        result = embed(server.url, str(tmp_path / "in.txt"), "-o", str(tmp_path / "out.jsonl"), "--embedding-type", "float", "--embedding-type", "int8")
    assert result.returncode == 0, result.stderr
    lines = read_output(tmp_path / "out.jsonl")
    assert [sorted(line["embedding"]) for line in lines] == [["float", "int8"]] * 2
    assert "id" not in lines[0]


def test_a_csv_column_and_standard_input_are_read(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("key,body\na,hello\nb,world\n")
    with EmbedServer() as server:
        from_csv = embed(server.url, str(tmp_path / "in.csv"), "-o", str(tmp_path / "csv.jsonl"), "--field", "body")
        from_stdin = embed(server.url, "-", "-o", str(tmp_path / "stdin.jsonl"), stdin="hello\nworld\n")
    assert from_csv.returncode == 0 and from_stdin.returncode == 0, from_csv.stderr + from_stdin.stderr
    assert [line["embedding"] for line in read_output(tmp_path / "csv.jsonl")] == [
        line["embedding"] for line in read_output(tmp_path / "stdin.jsonl")
    ]


def test_resume_sends_only_what_is_not_done_and_drops_a_torn_last_line(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in.jsonl", 300)
    output = tmp_path / "out.jsonl"
    with EmbedServer() as server:
        assert embed(server.url, str(tmp_path / "in.jsonl"), "-o", str(output)).returncode == 0
        complete = output.read_text()
    kept = complete.splitlines(keepends=True)[:120]
    output.write_text("".join(kept) + complete.splitlines()[120][:40])  # a line cut short, as by a kill
    with EmbedServer() as server:
        result = embed(server.url, str(tmp_path / "in.jsonl"), "-o", str(output), "--resume")
        assert server.stats()["embedded"] == 180
    assert result.returncode == 0, result.stderr
    assert output.read_text() == complete


def test_ctrl_c_leaves_whole_lines_and_resume_completes_the_output(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in.jsonl", 2000)
    output = tmp_path / "out.jsonl"
    with EmbedServer(rate=10, burst=1, latency=0.02) as server:
        process = subprocess.Popen(
            command(str(tmp_path / "in.jsonl"), "-o", str(output), "--batch-size", "20", *MODEL),
            env=environment(server.url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        while not output.exists() or output.stat().st_size < 10_000:
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 130, stderr
        done = read_output(output)  # every line parses: whole lines only
        assert 0 < len(done) < 2000 and [line["index"] for line in done] == list(range(len(done)))
    with EmbedServer() as server:
        result = embed(server.url, str(tmp_path / "in.jsonl"), "-o", str(output), "--resume")
    assert result.returncode == 0, result.stderr
    assert [line["index"] for line in read_output(output)] == list(range(2000))


def test_via_job_uploads_runs_an_embed_job_and_writes_the_output(tmp_path: Path) -> None:
    pytest.importorskip("fastavro")
    rows = write_corpus(tmp_path / "in.jsonl", 12)
    with cohere_dyn.mock.serve(delay=0) as url:
        result = cli(url, str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"), "--via", "job", *JOB_MODEL)
    assert result.returncode == 0, result.stderr
    assert [line["id"] for line in read_output(tmp_path / "out.jsonl")] == [row["id"] for row in rows]


def test_an_input_line_without_the_field_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text('{"text": "a"}\n{"body": "b"}\n')
    with EmbedServer() as server:
        result = embed(server.url, str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 2
    assert "in.jsonl:2: expected an object with a 'text' field" in result.stderr


def test_a_terminal_gets_a_progress_line_with_rate_and_eta(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in.jsonl", 3000)
    with EmbedServer(latency=0.05) as server:
        code, text = on_a_terminal(server.url, str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"), "--batch-size", "20", "--max-workers", "2")
    assert code == 0, text
    assert "\r" in text and "/3,000 texts" in text and "/s  ETA " in text
    assert "embedded 3,000 inputs" in text


# What a run may do to OUTPUT ------------------------------------------------------------------


def embedded_before(tmp_path: Path, count: int = 30) -> tuple[Path, Path, str]:
    """An input and the complete output of a first run, and that output's text."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_corpus(source, count)
    with EmbedServer() as server:
        assert embed(server.url, str(source), "-o", str(output)).returncode == 0
    return source, output, output.read_text()


@pytest.mark.parametrize("flags", [[], ["--overwrite"]], ids=["plain", "overwrite"])
@pytest.mark.parametrize(
    "mistake, said",
    [
        (["missing.jsonl", *MODEL], "missing.jsonl: can't read the input"),
        (["IN", "--model", "embed-v4.0", "--input-type", "bogus"], "input_type: 'bogus' is not one of"),
        (["IN", *MODEL, "--batch-size", "0"], "batch_size must be at least 1"),
    ],
    ids=["a-typo-in-the-input-path", "a-bad-input-type", "batch-size-0"],
)
def test_a_run_that_fails_before_its_first_line_leaves_the_output_as_it_was(tmp_path: Path, mistake: list[str], said: str, flags: list[str]) -> None:
    source, output, before = embedded_before(tmp_path)
    arguments = [str(source) if word == "IN" else str(tmp_path / word) if word.endswith(".jsonl") else word for word in mistake]
    with EmbedServer() as server:
        result = cli(server.url, *arguments, "-o", str(output), *flags)
    assert result.returncode == 2
    assert output.read_text() == before
    if flags:  # told to replace it, the run still keeps it until it has a line to write
        assert said in result.stderr
    else:  # or it is refused first
        assert said in result.stderr or "exists and is not empty" in result.stderr


def test_a_non_empty_output_is_refused_without_resume_or_overwrite(tmp_path: Path) -> None:
    source, output, before = embedded_before(tmp_path)
    with EmbedServer() as server:
        result = embed(server.url, str(source), "-o", str(output))
        assert server.stats()["statuses"] == {}
    assert result.returncode == 2
    assert f"{output} exists and is not empty: --resume continues it, --overwrite replaces it" in result.stderr
    assert output.read_text() == before


def test_overwrite_replaces_a_non_empty_output(tmp_path: Path) -> None:
    source, output, before = embedded_before(tmp_path)
    write_corpus(source, 5)
    with EmbedServer() as server:
        result = embed(server.url, str(source), "-o", str(output), "--overwrite")
    assert result.returncode == 0, result.stderr
    assert [line["index"] for line in read_output(output)] == list(range(5))


@pytest.mark.parametrize("how", ["the-same-path", "a-symlink", "a-hard-link", "standard-input"])
def test_the_input_itself_as_output_is_refused_before_anything_is_written(tmp_path: Path, how: str) -> None:
    source = tmp_path / "corpus.txt"
    source.write_text("first text\nsecond text\n")
    output = tmp_path / "other.txt"
    if how == "a-symlink":
        output.symlink_to(source)
    elif how == "a-hard-link":
        os.link(source, output)
    elif how == "the-same-path":
        output = source
    with EmbedServer() as server, source.open() as stdin:
        arguments = ["-", "-o", str(output), *MODEL] if how == "standard-input" else [str(source), "-o", str(output), *MODEL]
        if how == "standard-input":
            os.link(source, output)
        result = subprocess.run(
            command(*arguments, "--overwrite"), capture_output=True, text=True, env=environment(server.url), stdin=stdin, timeout=120
        )
        assert server.stats()["statuses"] == {}
    assert result.returncode == 2
    assert "is the input itself" in result.stderr and "write the output to another file" in result.stderr
    assert source.read_text() == "first text\nsecond text\n"


@pytest.mark.parametrize(
    "changed, setting",
    [
        (["--model", "embed-english-v3.0", "--input-type", "search_document"], "--model embed-v4.0"),
        (["--model", "embed-v4.0", "--input-type", "search_query"], "--input-type search_document"),
        ([*MODEL, "--embedding-type", "int8"], "--embedding-type float"),
    ],
    ids=["model", "input-type", "embedding-type"],
)
def test_resume_with_other_settings_is_refused_before_anything_is_sent(tmp_path: Path, changed: list[str], setting: str) -> None:
    source, output, before = embedded_before(tmp_path)
    write_corpus(source, 60)
    with EmbedServer() as server:
        result = cli(server.url, str(source), "-o", str(output), *changed, "--resume")
        assert server.stats()["statuses"] == {}
    assert result.returncode == 2
    assert f"{output} was made with {setting}" in result.stderr and "resuming would mix vectors" in result.stderr
    assert output.read_text() == before


def test_resume_with_another_input_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    _, output, before = embedded_before(tmp_path)
    other = tmp_path / "other.jsonl"
    other.write_text("".join(json.dumps({"id": f"x-{i}", "text": f"another text {i}"}) + "\n" for i in range(60)))
    with EmbedServer() as server:
        result = embed(server.url, str(other), "-o", str(output), "--resume")
        assert server.stats()["statuses"] == {}
    assert result.returncode == 2
    assert f"{output} was made from another input: the first 30 inputs of {other} differ" in result.stderr
    assert output.read_text() == before


def test_resume_of_a_grown_input_embeds_only_the_new_inputs(tmp_path: Path) -> None:
    source, output, before = embedded_before(tmp_path)
    write_corpus(source, 45)  # the same 30 inputs, then 15 more
    with EmbedServer() as server:
        result = embed(server.url, str(source), "-o", str(output), "--resume")
        assert server.stats()["embedded"] == 15
    assert result.returncode == 0, result.stderr
    assert output.read_text().startswith(before) and [line["index"] for line in read_output(output)] == list(range(45))


def test_the_output_records_what_it_was_made_with_beside_it(tmp_path: Path) -> None:
    _, output, _ = embedded_before(tmp_path)
    record = json.loads(Path(f"{output}.meta.json").read_text())
    assert {key: record[key] for key in ("model", "input_type", "embedding_types", "inputs")} == {
        "model": "embed-v4.0", "input_type": "search_document", "embedding_types": ["float"], "inputs": 30,
    }


def test_a_second_run_on_an_output_in_use_is_refused(tmp_path: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    source, output, before = embedded_before(tmp_path)
    write_corpus(source, 60)
    with EmbedServer() as server, output.open("ab") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a first run holds it
        result = embed(server.url, str(source), "-o", str(output), "--resume")
        assert server.stats()["statuses"] == {}
    assert result.returncode == 2
    assert f"{output} is being written by another process" in result.stderr
    assert output.read_text() == before


# Where a problem is ----------------------------------------------------------------------------


def test_a_text_the_spec_refuses_is_named_by_file_and_line(tmp_path: Path) -> None:
    rows = [json.dumps({"text": f"text {i}"}) for i in range(50)]
    rows[41] = json.dumps({"text": 5})
    (tmp_path / "in.jsonl").write_text("\n".join(rows[:10]) + "\n\n" + "\n".join(rows[10:]) + "\n")  # a blank line 11
    with EmbedServer() as server:
        result = embed(server.url, str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"cohere-dyn: {tmp_path / 'in.jsonl'}:43: text: 5 is not of type 'string'"


def test_a_non_utf8_input_is_named_by_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_bytes(b"first\ncaf\xe9 au lait\n")
    with EmbedServer() as server:
        result = embed(server.url, str(tmp_path / "in.txt"), "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"cohere-dyn: {tmp_path / 'in.txt'}:2: not UTF-8 text (byte 0xe9 at column 4); save the file as UTF-8"
    assert not (tmp_path / "out.jsonl").exists()


def test_blank_lines_are_skipped_and_the_summary_says_so(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("first\n\n  \nsecond\n")
    with EmbedServer() as server:
        result = embed(server.url, str(tmp_path / "in.txt"), "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 0, result.stderr
    assert [line["index"] for line in read_output(tmp_path / "out.jsonl")] == [0, 1]
    assert "2 blank lines skipped (index counts inputs, not lines)" in result.stderr


def test_the_first_progress_line_shows_no_eta(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in.jsonl", 400)
    with EmbedServer(latency=0.05) as server:
        code, text = on_a_terminal(server.url, str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"), "--batch-size", "20", "--max-workers", "1")
    drawn = [line.strip() for line in text.split("\r") if "texts" in line]
    assert code == 0
    assert drawn[0].endswith("/400 texts") and "ETA" not in drawn[0]


# --via job: what Ctrl-C leaves, and --resume -------------------------------------------------


def job_run(url: str, source: Path, output: Path, *more: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command(str(source), "-o", str(output), "--via", "job", *JOB_MODEL, *more),
        env=environment(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.parametrize(
    "interrupted_at, expected",
    [
        ("datasets.get", ["the dataset in-", "was uploaded; no embed job was started; --resume reuses it", "cohere-dyn call datasets.delete -p id=in-"]),
        ("embed_jobs.get", ["the embed job embed-job-", "goes on on Cohere's side; --resume waits for it", "cohere-dyn call embed_jobs.cancel -p id=embed-job-"]),
    ],
    ids=["while-the-dataset-validates", "while-the-job-runs"],
)
def test_ctrl_c_during_a_job_names_what_goes_on_and_resume_reuses_it(tmp_path: Path, interrupted_at: str, expected: list[str]) -> None:
    pytest.importorskip("fastavro")
    rows = write_corpus(tmp_path / "in.jsonl", 12)
    output = tmp_path / "out.jsonl"
    running: dict[str, Any] = {}

    def interrupt(received: Any) -> None:  # Ctrl-C while the client waits for this answer
        if received.operation == interrupted_at and "process" in running and not running.get("done"):
            running["done"] = True
            running["process"].send_signal(signal.SIGINT)
            running["process"].wait(timeout=60)

    with cohere_dyn.mock.MockServer(delay=0, on_request=interrupt) as server:
        running["process"] = process = job_run(server.url, tmp_path / "in.jsonl", output)
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 130, stderr
        assert stderr.startswith("interrupted: ") and all(part in stderr for part in expected), stderr
        resumed = job_run(server.url, tmp_path / "in.jsonl", output, "--resume")
        _, stderr = resumed.communicate(timeout=120)
        made = [received.operation for received in server.requests]
    assert resumed.returncode == 0, stderr
    assert made.count("datasets.create") == 1 and made.count("embed_jobs.create") == 1
    assert [line["id"] for line in read_output(output)] == [row["id"] for row in rows]


def test_a_job_s_summary_counts_the_whole_run(tmp_path: Path) -> None:
    pytest.importorskip("fastavro")
    write_corpus(tmp_path / "in.jsonl", 5)
    with cohere_dyn.mock.serve(delay=0) as url:
        client = cohere_dyn.Client(api_key="k", base_url=url)
        summary = client.embed_dataset(
            str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), model="embed-english-v3.0",
            input_type="search_document", interval=0.3,
        )
    # the dataset validates on its second poll, `interval` seconds after the first: inside the run
    assert summary.embedded == 5 and summary.seconds >= 0.3


def test_a_resume_that_reuses_its_dataset_does_not_copy_the_input_for_an_upload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("fastavro")
    import tempfile
    import types

    from cohere_dyn._bulk import _via_job

    source, output = tmp_path / "in.txt", tmp_path / "out.jsonl"  # a .txt goes up as a .jsonl copy
    source.write_text("".join(f"text number {i}\n" for i in range(12)))
    copies: list[str] = []

    def copy(*args: Any, **kwargs: Any) -> Any:
        made = tempfile.NamedTemporaryFile(*args, **kwargs)
        copies.append(made.name)
        return made

    monkeypatch.setattr(_via_job, "tempfile", types.SimpleNamespace(NamedTemporaryFile=copy))
    arguments = {"model": "embed-english-v3.0", "input_type": "search_document", "embedding_types": ["float"]}
    with cohere_dyn.mock.serve(delay=0) as url:
        client = cohere_dyn.Client(api_key="k", base_url=url)
        _via_job.embed_via_job(client, str(source), str(output), arguments=arguments, interval=0.05)
        resumed = _via_job.embed_via_job(client, str(source), str(output), arguments=arguments, interval=0.05, resume=True)
    assert len(copies) == 1  # the first run's upload; the resume reuses its dataset and job
    assert resumed.skipped == 12 and [line["index"] for line in read_output(output)] == list(range(12))
