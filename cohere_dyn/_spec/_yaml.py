"""A safe YAML loader that reads scalars the way JSON-minded OpenAPI authors mean them.

Only the safe constructors run (no Python tags, no code). Two YAML 1.1 habits are dropped:
`OFF`/`on`/`yes`/`no` stay strings (only true/false are booleans, as in YAML 1.2), and unquoted
timestamps stay strings instead of becoming datetimes, so every loaded document is plain JSON.

A spec file can come from anywhere, so before building anything the parser's event stream is
checked (libyaml's parser keeps its own stack; the builder recurses in C and would crash the
process on a document nested a few thousand levels deep): nesting deeper than MAX_DEPTH, an
alias inside the node it names (a document that contains itself), and aliases that expand to
more than MAX_NODES nodes ("billion laughs") are refused with a SpecError naming the line.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .._errors import SpecError

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
        _check_events(text, source)
        return yaml.load(text, Loader=_JsonishLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise SpecError(f"invalid YAML{where}: {exc.problem}", source=source) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", source=source) from None


MAX_DEPTH = 200  # the packaged spec nests 14 levels deep
MAX_NODES = 2_000_000  # counting each alias as the nodes it stands for


def _check_events(text: str, source: str) -> None:
    open_nodes: list[list[Any]] = []  # [anchor, expanded size] of each collection being read
    sizes: dict[str, int] = {}  # anchor -> expanded size of its node
    total = 0
    event: Any  # each kind of event has its own fields (`anchor` on nodes and aliases)
    for event in yaml.parse(text, Loader=_JsonishLoader):
        kind = type(event)
        if kind is yaml.ScalarEvent or kind is yaml.AliasEvent:
            if kind is yaml.AliasEvent:
                if any(node[0] == event.anchor for node in open_nodes):
                    _refuse(source, event, f"the alias *{event.anchor} is inside the node it names")
                size = sizes.get(event.anchor, 1)
            else:
                size = 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            if open_nodes:
                open_nodes[-1][1] += size
            total += size
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if len(open_nodes) >= MAX_DEPTH:
                _refuse(source, event, f"nested more than {MAX_DEPTH} levels deep")
            open_nodes.append([event.anchor, 1])
            total += 1
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            anchor, size = open_nodes.pop()
            if anchor is not None:
                sizes[anchor] = size
            if open_nodes:
                open_nodes[-1][1] += size
        else:
            continue
        if total > MAX_NODES:
            _refuse(source, event, f"the aliases expand to more than {MAX_NODES:,} nodes")


def _refuse(source: str, event: Any, message: str) -> None:
    mark = event.start_mark
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    raise SpecError(f"refused{where}: {message}", source=source)
