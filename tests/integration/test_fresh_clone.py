"""What a fresh clone's test run says when the reference files (not in the repository) are missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_tests_needing_the_reference_files_say_how_to_provide_them(tmp_path: Path) -> None:
    environment = {**os.environ, "COHERE_DYN_REFERENCE": str(tmp_path / "nowhere")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit/test_spec_against_published.py"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"6 tests skipped: the reference files are not in {tmp_path / 'nowhere'} (set COHERE_DYN_REFERENCE; README: Testing)" in result.stdout
    assert "are not in the repository; set COHERE_DYN_REFERENCE" in result.stdout  # each skip's own reason
