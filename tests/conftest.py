from __future__ import annotations

import os
from pathlib import Path

import pytest

import cohere_dyn

FIXTURES = Path(__file__).parent / "fixtures"
TINY_SPEC = FIXTURES / "tiny.yaml"


def _reference() -> Path:
    """The reference material (Cohere's published specs, the official SDKs' method lists and captured
    requests), which the repository doesn't hold: COHERE_DYN_REFERENCE, else the first
    shared/reference found beside the checkout or above it (a git worktree sits deeper)."""
    given = os.environ.get("COHERE_DYN_REFERENCE")
    if given:
        return Path(given)
    checkout = Path(__file__).resolve().parents[1]
    for folder in checkout.parents:
        if (folder / "shared" / "reference").is_dir():
            return folder / "shared" / "reference"
    return checkout.parent / "shared" / "reference"


REFERENCE = _reference()
WIRE = REFERENCE / "wire"  # requests captured from the official SDK 5.15.0
WIRE_7 = REFERENCE / "wire-7.3.1"  # ... and from the SDK 7.3.1 (the current API)
# More calls of both generations, recorded here from the official SDKs by tools/capture_sdk_wire.py.
OUR_WIRE = (FIXTURES / "sdk_wire" / "5.15.0", FIXTURES / "sdk_wire" / "7.3.1")
WIRE_FOLDERS = (WIRE, WIRE_7, *OUR_WIRE)


def missing_reference(name: str) -> str:
    """Why a test that needs the reference file `name` skips, and how to provide the files."""
    return (
        f"{name} is not in {REFERENCE}: the reference files (Cohere's published specs, the official SDKs' "
        "method lists and requests) are not in the repository; set COHERE_DYN_REFERENCE (README: Testing)"
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say once, even under -q, why tests skipped for want of the reference files."""
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if "COHERE_DYN_REFERENCE" in str(report.longrepr)]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} tests skipped: the reference files are not in {REFERENCE} (set COHERE_DYN_REFERENCE; README: Testing)"
        )


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test sees the developer's key, base URL or spec cache, nor asks an AWS metadata service."""
    for name in ("CO_API_KEY", "COHERE_API_KEY", "CO_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # botocore's credential chain stays on this machine
    monkeypatch.setenv("COHERE_DYN_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "spec-cache"))


@pytest.fixture
def tiny_client() -> cohere_dyn.Client:
    return cohere_dyn.Client(api_key="secret-key-123", base_url="http://api.test/base", spec=TINY_SPEC)
