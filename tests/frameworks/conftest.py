"""The frameworks' Cohere integrations, run on cohere_dyn against the mock (`pip install -e '.[test,frameworks]'`).

`import cohere` is cohere_dyn from here on: `install_as_cohere()` is called before any framework is
imported, as a user does. The official SDK is installed too (the frameworks depend on it); the
alias is found first, so it is never imported.
"""

from __future__ import annotations

from typing import Iterator

import pytest

import cohere_dyn
from cohere_dyn.mock import MockServer

cohere_dyn.install_as_cohere()


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(delay=0) as server:
        yield server


@pytest.fixture(autouse=True)
def _no_base_url_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CO_BASE_URL", raising=False)  # pydantic-ai's name for it (the others: tests/conftest.py)
