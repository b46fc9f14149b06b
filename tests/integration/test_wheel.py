"""The built wheel carries the spec: installed (not editable) in a fresh venv, it works from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel (and its dependencies) installed; returns its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", work / "dist", ROOT, cwd=work)
    assert built.returncode == 0, built.stderr
    [wheel] = (work / "dist").glob("cohere_dyn-*.whl")
    venv.create(work / "venv", with_pip=True)
    bin_dir = work / "venv" / ("Scripts" if os.name == "nt" else "bin")
    installed = run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=work)
    assert installed.returncode == 0, installed.stderr
    return bin_dir


def test_wheel_contains_the_spec(installed: Path, tmp_path: Path) -> None:
    code = "import cohere_dyn, os; print(cohere_dyn._spec._loader.default_spec_path())"
    result = run(installed / "python", "-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.is_file() and ROOT not in path.parents


def test_installed_package_builds_every_method_from_another_folder(installed: Path, tmp_path: Path) -> None:
    code = (
        "import cohere_dyn, inspect\n"
        "c = cohere_dyn.ClientV2(api_key='x')\n"
        "print(len(c._spec.operations), list(inspect.signature(c.chat).parameters)[:2])\n"
        "cohere_dyn.validate('v2.chat', {'model': 'm', 'messages': [{'role': 'user', 'content': 'hi'}]})\n"
    )
    result = run(installed / "python", "-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "47 ['model', 'messages']"  # 45 methods + v1 and v2 embed_stream


def test_installed_console_script_runs_the_demo(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("CO_API_KEY", "COHERE_API_KEY", "CO_API_URL")}
    result = run(installed / "cohere-dyn", "demo", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("Done.")
