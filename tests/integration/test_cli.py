"""The command line, driven as a subprocess, against the embedded mock server where it calls the API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

import cohere_dyn.mock

KEY = "cli-secret-key-42"
CHAT = {"model": "command-a-03-2025", "messages": [{"role": "user", "content": "Hello there"}]}


def cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("CO_API_KEY", "COHERE_API_KEY", "CO_API_URL")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cohere_dyn", *args],
        capture_output=True,
        text=True,
        env=environment,
        input=stdin,
        timeout=60,
    )


@pytest.fixture(scope="module")
def api() -> Iterator[dict[str, str]]:
    with cohere_dyn.mock.serve(delay=0) as url:
        yield {"CO_API_KEY": KEY, "CO_API_URL": url}


def test_ops_lists_every_method_with_route_and_summary() -> None:
    result = cli("ops")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 47  # the 45 methods of one request, and v1 and v2 embed_stream
    chat = next(line for line in lines if line.startswith("v2.chat "))
    assert "POST /v2/chat" in chat
    assert any(line.startswith("datasets.create ") and "POST /v1/datasets" in line for line in lines)


def test_describe_shows_types_requiredness_enums_and_stream_twin() -> None:
    result = cli("describe", "v2.chat")
    assert result.returncode == 0
    out = result.stdout
    assert "route: POST /v2/chat" in out
    assert "stream twin: v2.chat_stream" in out
    assert "messages: list[ChatMessageV2]; required" in out
    assert '"CONTEXTUAL"' in out and "safety_mode" in out
    assert "returns: ChatResponse" in out


def test_describe_shows_where_query_parameters_go() -> None:
    out = cli("describe", "datasets.list").stdout
    assert "query 'datasetType'" in out


def test_validate_accepts_a_valid_payload(tmp_path: Path) -> None:
    payload = tmp_path / "chat.json"
    payload.write_text(json.dumps(CHAT))
    result = cli("validate", "v2.chat", str(payload))
    assert (result.returncode, result.stdout.strip()) == (0, "v2.chat: valid")


def test_validate_reports_each_problem_with_its_path_and_exits_1() -> None:
    bad = {"model": "m", "messages": [{"role": "bot", "content": "x"}], "temperature": "hot"}
    result = cli("validate", "v2.chat", "-", stdin=json.dumps(bad))
    assert result.returncode == 1
    assert "messages[0].role: 'bot' is not one of ['user', 'assistant', 'system', 'tool']" in result.stdout
    assert "temperature: 'hot' is not of type 'number'" in result.stdout


def test_call_prints_the_json_response(api: dict[str, str]) -> None:
    result = cli("call", "v2.chat", "--json", json.dumps(CHAT), env=api)
    assert result.returncode == 0, result.stderr
    response = json.loads(result.stdout)
    assert "Hello there" in response["message"]["content"][0]["text"]


def test_call_takes_key_value_pairs(api: dict[str, str]) -> None:
    result = cli("call", "tokenize", "-p", "text=hello world", "-p", "model=command", env=api)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tokens"]


def test_call_reads_arguments_from_a_file(api: dict[str, str], tmp_path: Path) -> None:
    payload = tmp_path / "rerank.json"
    payload.write_text(json.dumps({"model": "rerank-v3.5", "query": "capital", "documents": ["a", "b"], "top_n": 1}))
    result = cli("call", "v2.rerank", "--data", str(payload), env=api)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["results"]) == 1


def test_call_of_a_stream_prints_text_then_a_summary(api: dict[str, str]) -> None:
    result = cli("call", "v2.chat_stream", "-p", "model=command-a-03-2025", "-p", 'messages=[{"role":"user","content":"Stream me"}]', env=api)
    assert result.returncode == 0, result.stderr
    assert "Stream me" in result.stdout
    assert "events, finish reason COMPLETE" in result.stderr


def test_call_of_a_stream_with_bare_json_prints_json_lines(api: dict[str, str]) -> None:
    result = cli("call", "v2.chat_stream", "--data", "-", "--json", env=api, stdin=json.dumps(CHAT))
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[0]["type"] == "message-start" and events[-1]["type"] == "message-end"


def test_errors_are_one_line_without_traceback_and_exit_non_zero(api: dict[str, str]) -> None:
    result = cli("call", "v2.chta", "--json", "{}", env=api)
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "Did you mean 'chat'" in result.stderr


def test_debug_shows_the_traceback(api: dict[str, str]) -> None:
    result = cli("--debug", "call", "v2.chta", "--json", "{}", env=api)
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_missing_key_is_one_clear_line() -> None:
    result = cli("call", "v2.chat", "--json", json.dumps(CHAT))
    assert result.returncode != 0
    assert "CO_API_KEY" in result.stderr and "Traceback" not in result.stderr


def test_invalid_payload_in_a_call_sends_nothing_and_names_the_problem(api: dict[str, str]) -> None:
    result = cli("call", "v2.chat", "--json", json.dumps({"model": "m", "messages": [{"role": "bot", "content": "x"}]}), env=api)
    assert result.returncode != 0
    assert "messages[0].role" in result.stderr


def test_the_key_never_appears_in_output(api: dict[str, str]) -> None:
    outputs = [
        cli("call", "v2.chat", "--json", json.dumps(CHAT), env=api),
        cli("call", "datasets.get", "-p", "id=missing", env=api),
        cli("--debug", "call", "datasets.get", "-p", "id=missing", env=api),
    ]
    for result in outputs:
        assert KEY not in result.stdout + result.stderr


def test_demo_runs_the_tour_against_the_embedded_mock_without_a_key() -> None:
    result = cli("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "embedded mock server" in out
    for step in ("v2 chat", "streamed", "v2 embed", "v2 rerank", "offline validation"):
        assert step in out
    assert "messages[0].role: 'bot' is not one of" in out
    assert out.index("[thinking]") < out.index("[text]")  # the reasoning step: thinking before the answer
    assert out.rstrip().endswith("Done.")


# Python as it is after `pip install .` without the aws extra: botocore can't be imported.
WITHOUT_BOTOCORE = """
import sys
class NoBotocore:
    def find_spec(self, name, path=None, target=None):
        if name == "botocore" or name.startswith("botocore."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, NoBotocore())
from cohere_dyn._tools._cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("deployment", ["bedrock", "sagemaker"])
def test_the_aws_demo_without_botocore_says_how_to_install_it_in_one_line(deployment: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_BOTOCORE, "demo", "--deployment", deployment], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "pip install 'cohere-dyn[aws]'" in result.stderr


def test_no_command_prints_help() -> None:
    result = cli()
    assert result.returncode == 2 and "usage" in result.stdout
