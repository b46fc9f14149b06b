"""Python names from spec names, and did-you-mean hints."""

from __future__ import annotations

import difflib
import keyword
import re
from typing import Iterable

__all__ = ["snake_case", "python_identifier", "did_you_mean"]

# An acronym counts as one word: checkAPIKey -> check_api_key, oAuthAuthorize -> o_auth_authorize.
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")


def snake_case(name: str) -> str:
    """`datasetType` -> `dataset_type`, `embed-jobs` -> `embed_jobs`, `ListEvents` -> `list_events`."""
    return "_".join(word.lower() for word in _WORD.findall(name))


def python_identifier(name: str) -> str:
    """snake_case that is also a legal keyword argument (`from` -> `from_`)."""
    ident = snake_case(name) or "_"
    if ident[0].isdigit():
        ident = "_" + ident
    return ident + "_" if keyword.iskeyword(ident) else ident


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """' Did you mean 'x'?' when a close candidate exists, else ''."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""
