"""`cohere-dyn diff` from Cohere's published files to the packaged spec: nothing breaks except
the deliberate differences listed here, each with its reason."""

from __future__ import annotations

import inspect
import re
import warnings

import pytest

import cohere_dyn
from cohere_dyn import Spec
from cohere_dyn._tools._diff import Change, diff_specs
from tests.conftest import REFERENCE, missing_reference

# (method, where) of each breaking finding we accept, and why.
ALLOWED_FROM_2026_08_20 = {
    # The file gives the v2 `debug` stream event the v1 event base (`event_type`); on the wire it
    # carries `type` like every other v2 event, which is what the spec says.
    ("v2.chat_stream", "event_type"),
}
ALLOWED_FROM_2025_04_15 = ALLOWED_FROM_2026_08_20 | {
    # Listed in the file of 2025 but never a keyword of the SDK 5.15.0, and gone from the API of
    # 2026 (replaced by `thinking`): no code written for the SDK sends it.
    ("v2.chat", "reasoning_effort"),
    ("v2.chat_stream", "reasoning_effort"),
}


def _breaking(published: str) -> list[Change]:
    path = REFERENCE / published
    if not path.is_file():
        pytest.skip(missing_reference(published))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the published file's repairs are reported elsewhere
        changes = diff_specs(Spec.load(path), Spec.load())
    return [change for change in changes if change.breaking]


def test_the_spec_breaks_nothing_of_the_published_file_of_2026_08_20_but_its_defects() -> None:
    found = {(change.method, change.where): str(change) for change in _breaking("cohere-openapi-2026-08-20.yaml")}
    assert {key: found[key] for key in found.keys() - ALLOWED_FROM_2026_08_20} == {}


def test_code_written_against_the_published_file_of_2025_04_15_still_works() -> None:
    found = {(change.method, change.where): str(change) for change in _breaking("cohere-openapi-2025-04-15.yaml")}
    assert {key: found[key] for key in found.keys() - ALLOWED_FROM_2025_04_15} == {}


def test_every_allowed_difference_still_occurs() -> None:
    """An entry the diff no longer reports is stale and goes."""
    found = {(change.method, change.where) for change in _breaking("cohere-openapi-2026-08-20.yaml")}
    assert ALLOWED_FROM_2026_08_20 <= found


# ------------------------------------------------------------------ the official SDKs' methods

_ROW = re.compile(r"^\| `([\w.]+)` \| (\w+) `([^`]+)` \|[^|]*\|[^|]*\| ([^|]*) \|", re.M)


def _sdk_methods(name: str) -> dict[str, list[str]]:
    path = REFERENCE / name
    if not path.is_file():
        pytest.skip(missing_reference(name))
    methods = {}
    for method, _, _, keywords in _ROW.findall(path.read_text()):
        methods[method] = [word.strip().rstrip("?") for word in keywords.split(",") if word.strip()]
    return methods


@pytest.mark.parametrize("listing", ["sdk-methods.md", "sdk-methods-7.3.1.md"])
def test_every_method_and_keyword_of_the_official_sdk_exists(listing: str) -> None:
    methods = _sdk_methods(listing)
    assert len(methods) >= 39
    client = cohere_dyn.Client(api_key="k")
    missing = []
    for method, keywords in methods.items():
        target: object = client
        for part in method.split("."):
            target = getattr(target, part, None)
        if target is None:
            missing.append(method)
            continue
        parameters = inspect.signature(target).parameters
        missing += [f"{method}({keyword})" for keyword in keywords if keyword not in parameters]
    assert missing == []


def test_the_7_3_1_listing_has_the_new_methods() -> None:
    methods = _sdk_methods("sdk-methods-7.3.1.md")
    assert {"batches.list", "batches.create", "batches.retrieve", "batches.cancel", "audio.transcriptions.create", "v2.parse"} <= set(methods)
