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


def environment(url: str) -> dict[str, str]:
    return {**os.environ, "CO_API_KEY": "cli-key", "CO_API_URL": url}


def embed(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cohere_dyn", "embed", *args, *MODEL],
        capture_output=True, text=True, env=environment(url), input=stdin, timeout=120,
    )


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
            [sys.executable, "-m", "cohere_dyn", "embed", str(tmp_path / "in.jsonl"), "-o", str(output), "--batch-size", "20", *MODEL],
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
        result = subprocess.run(
            [sys.executable, "-m", "cohere_dyn", "embed", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"),
             "--via", "job", "--model", "embed-english-v3.0", "--input-type", "search_document"],
            capture_output=True, text=True, env=environment(url), timeout=120,
        )
    assert result.returncode == 0, result.stderr
    assert [line["id"] for line in read_output(tmp_path / "out.jsonl")] == [row["id"] for row in rows]


def test_an_input_line_without_the_field_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text('{"text": "a"}\n{"body": "b"}\n')
    with EmbedServer() as server:
        result = embed(server.url, str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 2
    assert "in.jsonl:2: expected an object with a 'text' field" in result.stderr


def test_a_terminal_gets_a_progress_line_with_rate_and_eta(tmp_path: Path) -> None:
    import pty

    write_corpus(tmp_path / "in.jsonl", 3000)
    controller, terminal = pty.openpty()
    with EmbedServer(latency=0.05) as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "cohere_dyn", "embed", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"), "--batch-size", "20", "--max-workers", "2", *MODEL],
            env=environment(server.url), stdout=subprocess.DEVNULL, stderr=terminal,
        )
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
    text = shown.decode()
    assert process.returncode == 0, text
    assert "\r" in text and "/3,000 texts" in text and "/s  ETA " in text
    assert "embedded 3,000 inputs" in text
