"""A safe YAML loader that reads scalars the way JSON-minded OpenAPI authors mean them.

Only the safe constructors run (no Python tags, no code). Two YAML 1.1 habits are dropped:
`OFF`/`on`/`yes`/`no` stay strings (only true/false are booleans, as in YAML 1.2), and unquoted
timestamps stay strings instead of becoming datetimes, so every loaded document is plain JSON.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ._errors import SpecError

__all__ = ["load_yaml"]

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _JsonishLoader(_Base):  # type: ignore[misc, valid-type]
    pass


_JsonishLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_JsonishLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(text: str, source: str) -> Any:
    """Parse YAML text; a syntax error names the file, line and column."""
    try:
        return yaml.load(text, Loader=_JsonishLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise SpecError(f"invalid YAML{where}: {exc.problem}", source=source) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", source=source) from None
