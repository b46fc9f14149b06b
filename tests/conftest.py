from __future__ import annotations

import os
from pathlib import Path

import pytest

import cohere_dyn

FIXTURES = Path(__file__).parent / "fixtures"
TINY_SPEC = FIXTURES / "tiny.yaml"
# The reference material (the official SDK's captured requests, its method list, Cohere's published
# spec) lives in shared/ beside the checkout; COHERE_DYN_REFERENCE points elsewhere.
REFERENCE = Path(os.environ.get("COHERE_DYN_REFERENCE") or Path(__file__).resolve().parents[1].parent / "shared" / "reference")
WIRE = REFERENCE / "wire"  # requests captured from the official SDK 5.15.0
WIRE_7 = REFERENCE / "wire-7.3.1"  # ... and from the SDK 7.3.1 (the current API)
# More calls of both generations, recorded here from the official SDKs by tools/capture_sdk_wire.py.
OUR_WIRE = (FIXTURES / "sdk_wire" / "5.15.0", FIXTURES / "sdk_wire" / "7.3.1")
WIRE_FOLDERS = (WIRE, WIRE_7, *OUR_WIRE)


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
