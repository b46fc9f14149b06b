"""The typed stubs: generated from the spec, shipped current, and good enough for mypy to check
users' calls (one mypy run over tests/unit/typing_snippets)."""

from __future__ import annotations

import ast
import functools
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


@functools.lru_cache(maxsize=1)
def _packaged() -> dict[str, str]:
    """The stubs of the packaged spec."""
    return generate(Spec.load())


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
    assert set(cohere_dyn.__all__) | {"OMIT"} <= declared


def test_a_method_has_keyword_only_typed_arguments_and_its_response_type() -> None:
    text = _packaged()["_generated_types.pyi"]
    chat = text[text.index("class V2Client(_Group):") :]
    chat = chat[chat.index("    def chat(") : chat.index('"""', chat.index("    def chat("))]
    assert "self,\n        *,\n        model: str,\n        messages: Sequence[ChatMessageV2Param | ChatMessageV2]," in chat
    assert "temperature: float | None = ...," in chat
    assert "request_options: RequestOptions | None = ...," in chat
    assert chat.rstrip().endswith(") -> ChatResponse:")
    assert "Stream[V2ChatStreamResponse, ChatResponse]" in text


def test_an_async_method_is_a_coroutine_and_its_stream_an_async_stream() -> None:
    text = _packaged()["_generated_types.pyi"]
    group = text[text.index("class AsyncV2Client(_Group):") :]
    assert "    async def chat(\n" in group
    assert "    def chat_stream(\n" in group
    assert "AsyncStream[V2ChatStreamResponse, ChatResponse]" in group
    assert "    v2: AsyncV2Client" in text[text.index("class AsyncClient(_AsyncClientBase):") :]


def test_requests_are_typed_dicts_with_required_keys_and_enums_are_literals() -> None:
    text = _packaged()["_generated_types.pyi"]
    assert re.search(r"class UserMessageV2Param\(TypedDict, total=False\):\n(    .*\n|\n)*?    role: Required\[Literal\['user'\]\]", text)
    assert "safety_mode: Literal['CONTEXTUAL', 'STRICT', 'OFF'] | None = ...," in text


def test_a_payload_object_is_its_typed_dict_or_its_model_class() -> None:
    text = _packaged()["_generated_types.pyi"]
    assert "tools: Sequence[ToolV2Param | ToolV2] | None = ...," in text
    assert "    function: ToolCallV2FunctionParam | ToolCallV2Function\n" in text  # inside a TypedDict too


def _block(text: str, head: str) -> str:
    """The definition that opens with `head`, up to the next one at the top level."""
    start = text.index(f"\n{head}") + 1
    end = re.search(r"\n\S", text[start + len(head) :])
    return text[start:] if end is None else text[start : start + len(head) + end.start() + 1]


def test_a_model_class_has_typed_attributes_and_a_constructor_of_its_keywords() -> None:
    text = _packaged()["types.pyi"]
    block = _block(text, "class ChatResponse(Model):")
    assert "    id: str\n" in block
    assert "    message: AssistantMessageResponse\n" in block
    assert "    usage: Usage | None\n" in block
    assert "    logprobs: list[LogprobItem] | None\n" in block
    assert "        id: str,\n" in block and "        usage: UsageParam | Usage | None = None,\n" in block
    assert block.rstrip().endswith("**extra: Any,\n    ) -> None: ...")


def test_the_values_a_class_fills_in_are_literals_and_defaults() -> None:
    text = _packaged()["types.pyi"]
    block = _block(text, "class UserChatMessageV2(Model):")
    assert "    role: Literal['user']\n" in block
    assert "role: Literal['user'] = 'user'" in block
    base = _block(text, "class UserMessageV2(Model):")  # the SDK's base class: the role isn't filled in
    assert "    role: Literal['user'] | None\n" in base


def test_fields_are_attributes_as_the_sdk_spells_them() -> None:
    text = _packaged()["types.pyi"]
    assert "    float_: list[list[float]] | None\n" in _block(text, "class EmbedByTypeResponseEmbeddings(Model):")
    dataset = _block(text, "class Dataset(Model):")
    assert "    schema_: str | None\n" in dataset and "    schema:" not in dataset


def test_names_the_runtime_does_not_tell_apart_are_one_class() -> None:
    """`isinstance` matches by schema and filled-in values, so `V2ChatResponse` is `ChatResponse`."""
    text = _packaged()["types.pyi"]
    assert "\nV2ChatResponse = ChatResponse\n" in text
    assert "\nContentDeltaStreamedChatResponseV2 = ContentDeltaV2ChatStreamResponse\n" in text
    assert isinstance(cohere_dyn.types.ChatResponse(id="r", finish_reason="COMPLETE", message={}), cohere_dyn.types.V2ChatResponse)


def test_a_discriminated_union_is_the_union_of_its_branches_classes() -> None:
    text = _packaged()["types.pyi"]
    assert "\nChatMessageV2: TypeAlias = UserChatMessageV2 | AssistantChatMessageV2 | SystemChatMessageV2 | ToolChatMessageV2\n" in text


def test_each_class_declares_the_fields_its_runtime_class_reads() -> None:
    from cohere_dyn._naming import sdk_attribute
    from cohere_dyn._tools._stubs._templates import MODEL_MEMBERS

    tree = ast.parse(_packaged()["types.pyi"])
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    assert len(classes) > 100
    for node in classes:
        declared = [item.target.id for item in node.body if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)]
        runtime = getattr(cohere_dyn.types, node.name)
        readable = [sdk_attribute(key) for key in runtime._declared]
        assert declared == [name for name in readable if name.isidentifier() and name[0] != "_" and name not in MODEL_MEMBERS], node.name


def test_every_name_of_cohere_dyn_types_is_declared() -> None:
    tree = ast.parse(_packaged()["types.pyi"])
    declared = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    declared |= {node.targets[0].id for node in tree.body if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    declared |= {node.target.id for node in tree.body if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)}
    assert set(Spec.load().types.names()) <= declared


def test_group_classes_are_named_as_the_runtime_names_them() -> None:
    from cohere_dyn._dispatch import group_classes

    text = _packaged()["_generated_types.pyi"]
    assert {name for name in group_classes() if f"\nclass {name}(_Group):" not in text} == set()


def test_the_clients_own_methods_take_the_runtime_arguments() -> None:
    """`__init__`, `wait`, `fetch_tokenizer`, `embed_dataset` are written by hand in the stubs: they
    must take what the hand-written clients take."""
    import inspect

    tree = ast.parse(_packaged()["_generated_types.pyi"])
    stubbed = {
        (cls.name, item.name): [a.arg for a in (*item.args.posonlyargs, *item.args.args, *item.args.kwonlyargs)]
        for cls in tree.body
        if isinstance(cls, ast.ClassDef)
        for item in cls.body
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    checked = [
        ("_ClientCommon", "__init__", cohere_dyn.Client.__init__),
        ("_ClientBase", "wait", cohere_dyn.Client.wait),
        ("_ClientBase", "fetch_tokenizer", cohere_dyn.Client.fetch_tokenizer),
        ("_ClientBase", "embed_dataset", cohere_dyn.Client.embed_dataset),
        ("_AsyncClientBase", "wait", cohere_dyn.AsyncClient.wait),
        ("_AsyncClientBase", "fetch_tokenizer", cohere_dyn.AsyncClient.fetch_tokenizer),
    ]
    for cls, method, function in checked:
        assert stubbed[(cls, method)] == list(inspect.signature(function).parameters), (cls, method)


def _undefined_names(files: dict[str, str]) -> set[str]:
    """Names a stub file uses that it neither defines nor imports."""
    import builtins

    missing = set()
    for text in files.values():
        tree = ast.parse(text)
        defined = set(dir(builtins))
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                defined.add(node.name)
            elif isinstance(node, ast.Assign):
                defined |= {target.id for target in node.targets if isinstance(target, ast.Name)}
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                defined.add(node.target.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                defined |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
        missing |= used - defined
    return missing


def test_every_name_the_stubs_use_is_defined_or_imported() -> None:
    assert _undefined_names(_packaged()) == set()


def test_stubs_of_a_newer_spec_have_its_nested_groups_and_file_arguments(tmp_path: Path) -> None:
    path = newer_variant(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = Spec.load(path)
    files = generate(spec)
    text = files["_generated_types.pyi"]
    assert _undefined_names(files) == set()
    assert "class TranscriptionsClient(_Group):" in text
    assert "    transcriptions: TranscriptionsClient" in text
    assert "file: File," in text
    assert "class BatchesClient(_Group):" in text


@pytest.mark.skipif(not PUBLISHED.is_file(), reason=missing_reference(PUBLISHED.name))
def test_stubs_of_the_published_spec_are_valid_python_with_every_name_defined() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = Spec.load(PUBLISHED)
    assert _undefined_names(generate(spec)) == set()


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
