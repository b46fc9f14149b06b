"""The README's examples run as a newcomer would paste them: after `import cohere_dyn` alone."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def python_block_after(heading: str) -> str:
    """The first ```python block of the README section `heading`."""
    section = README.read_text().split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, f"no python block under {heading!r}"
    return textwrap.dedent(found.group(1))


def test_the_mock_server_example_runs_after_import_cohere_dyn_alone() -> None:
    snippet = python_block_after("The mock server")
    assert "cohere_dyn.mock" in snippet and "import cohere_dyn.mock" not in snippet
    result = subprocess.run([sys.executable, "-c", "import cohere_dyn\n" + snippet], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "hi" in result.stdout


def test_the_mock_package_is_not_imported_by_import_cohere_dyn() -> None:
    code = "import sys, cohere_dyn; print('cohere_dyn.mock' in sys.modules); cohere_dyn.mock; print('cohere_dyn.mock' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "True"], result.stderr
