"""Replays the official SDK's Bedrock and SageMaker calls through cohere_dyn's AWS clients.

Each fixture in tests/fixtures/aws_wire (recorded by tools/capture_aws_wire.py from cohere 7.3.1
with boto3; more in $COHERE_DYN_AWS_WIRE if set) holds the SDK call and what reached the server.
The same call runs here through the cohere_dyn client of the same name against a loopback
server: method, path and body bytes must be identical, the Content-Type and session token
headers the same, and the SigV4 scope (region, service) the same.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import cohere_dyn
from tests.capture import Captured, CaptureServer, Reply

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "aws_wire"
EXTRA = Path(os.environ["COHERE_DYN_AWS_WIRE"]) if os.environ.get("COHERE_DYN_AWS_WIRE") else None
FIXTURES = sorted(HERE.glob("*.json")) + (sorted(EXTRA.glob("*.json")) if EXTRA and EXTRA.is_dir() else [])
ACCESS_KEY, SECRET_KEY = "AKIDCAPTURE", "capture-secret"


def _answer(request: Captured) -> Reply:
    """An empty stream for the stream routes, else an empty JSON object: only the request matters."""
    if request.path.endswith(("-stream", "response-stream")):
        return Reply(body=b"", headers={"Content-Type": "application/vnd.amazon.eventstream"})
    return Reply()


def _scope(authorization: str) -> dict[str, str]:
    credential = authorization.split("Credential=", 1)[1].split(",", 1)[0].split("/")
    return {"region": credential[2], "service": credential[3]}


@pytest.mark.parametrize("fixture", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_aws_call_sends_the_official_sdks_path_and_body_bytes(fixture: Path) -> None:
    case: dict[str, Any] = json.loads(fixture.read_text())
    recorded = case["request"]
    token = recorded["headers"].get("x-amz-security-token")
    region = recorded.get("signed_scope", {}).get("region") or "us-east-1"
    with CaptureServer(_answer) as server:
        client = getattr(cohere_dyn, case["client"])(
            aws_access_key=ACCESS_KEY,
            aws_secret_key=SECRET_KEY,
            aws_session_token=token,
            aws_region=region,
            base_url=server.url,
        )
        eval(compile(case["python_call"], case["name"], "eval"), {"co": client})
    [captured] = server.requests
    assert captured.method == recorded["method"]
    assert captured.path == recorded["path"]
    assert captured.body == recorded["body_raw"].encode("utf-8")
    assert captured.header("Content-Type") == recorded["headers"]["content-type"]
    assert captured.header("X-Amz-Security-Token") == token
    if "signed_scope" in recorded:
        assert _scope(captured.header("Authorization") or "") == recorded["signed_scope"]
