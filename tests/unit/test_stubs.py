"""The typed stubs: generated from the spec, shipped current, and good enough for mypy to check
users' calls (one mypy run over tests/unit/typing_snippets)."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import cohere_dyn
from cohere_dyn._tools._cli import main
from cohere_dyn._spec._document import Spec
from cohere_dyn._tools._stubs import STUB_FILES, generate, stale

from tests.conftest import missing_reference

from .test_published_spec import PUBLISHED, newer_variant

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "cohere_dyn"
SNIPPETS = Path(__file__).parent / "typing_snippets"


def test_shipped_stubs_are_current_with_the_spec() -> None:
    assert stale(Spec.load(), PACKAGE) == [], "stale stubs: regenerate with `cohere-dyn stubs`"


def test_the_package_is_marked_typed() -> None:
    assert (PACKAGE / "py.typed").is_file()


def test_stubs_check_exits_1_when_stale_and_0_when_current(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stubs", "-o", str(tmp_path), "--check"]) == 1
    assert "cohere-dyn stubs" in capsys.readouterr().out
    assert main(["stubs", "-o", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*STUB_FILES, "py.typed"])
    assert main(["stubs", "-o", str(tmp_path), "--check"]) == 0


def test_every_public_name_is_in_the_package_stub() -> None:
    tree = ast.parse((PACKAGE / "__init__.pyi").read_text())
    declared = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
    declared |= {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    declared |= {node.target.id for node in tree.body if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)}
    assert set(cohere_dyn.__all__) <= declared


def test_a_method_has_keyword_only_typed_arguments_and_its_response_type() -> None:
    text = generate(Spec.load())["_generated_types.pyi"]
    chat = text[text.index("class V2Group") :]
    chat = chat[chat.index("    def chat(") : chat.index('"""', chat.index("    def chat("))]
    assert "self,\n        *,\n        model: str,\n        messages: Sequence[ChatMessageV2Param]," in chat
    assert "temperature: float | None = ...," in chat
    assert "request_options: RequestOptions | None = ...," in chat
    assert chat.rstrip().endswith(") -> ChatResponse:")
    assert "Stream[StreamedChatResponseV2, ChatResponse]" in text


def test_requests_are_typed_dicts_with_required_keys_and_enums_are_literals() -> None:
    text = generate(Spec.load())["_generated_types.pyi"]
    assert re.search(r"class UserMessageV2Param\(TypedDict, total=False\):\n(    .*\n|\n)*?    role: Required\[Literal\['user'\]\]", text)
    assert "safety_mode: Literal['CONTEXTUAL', 'STRICT', 'OFF'] | None = ...," in text


def test_responses_are_classes_with_optional_fields_as_none() -> None:
    text = generate(Spec.load())["_generated_types.pyi"]
    block = text[text.index("class ChatResponse(Object):") :].split("\n\n\n")[0]
    assert "    id: str" in block
    assert re.search(r"    usage: \w+ \| None", block)


def test_stubs_of_a_newer_spec_have_its_nested_groups_and_file_arguments(tmp_path: Path) -> None:
    path = newer_variant(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = Spec.load(path)
    text = generate(spec)["_generated_types.pyi"]
    ast.parse(text)
    assert "class AudioTranscriptionsGroup:" in text
    assert "    transcriptions: AudioTranscriptionsGroup" in text
    assert "file: File," in text
    assert "class BatchesGroup:" in text


@pytest.mark.skipif(not PUBLISHED.is_file(), reason=missing_reference(PUBLISHED.name))
def test_stubs_of_the_published_spec_are_valid_python() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = Spec.load(PUBLISHED)
    for text in generate(spec).values():
        ast.parse(text)


def test_the_wheel_ships_the_stubs(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
    )
    if built.returncode != 0:
        pytest.skip(f"can't build a wheel here: {built.stderr.strip()[-200:]}")
    import zipfile

    [wheel] = tmp_path.glob("cohere_dyn-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"cohere_dyn/__init__.pyi", "cohere_dyn/_generated_types.pyi", "cohere_dyn/py.typed"} <= set(names)


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install '.[test]')")
def test_mypy_accepts_correct_calls_and_reports_each_wrong_one(tmp_path: Path) -> None:
    """One mypy run: correct_calls.py must be clean, each `# error` line of wrong_calls.py an error."""
    work = tmp_path / "snippets"
    shutil.copytree(SNIPPETS, work)
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-error-summary",
         "--show-error-codes", "--no-incremental", "--cache-dir", os.devnull, "correct_calls.py", "wrong_calls.py"],
        cwd=work, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert not [line for line in errors if line.startswith("correct_calls.py")], result.stdout
    reported = {int(line.split(":")[1]) for line in errors if line.startswith("wrong_calls.py")}
    lines = (work / "wrong_calls.py").read_text().splitlines()
    expected = {number for number, line in enumerate(lines, 1) if "# error" in line}
    assert reported == expected, result.stdout


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install '.[test]')")
def test_the_package_itself_type_checks() -> None:
    """mypy over cohere_dyn's own source (settings in pyproject.toml): types are read, so they must hold."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", os.devnull, "cohere_dyn"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
