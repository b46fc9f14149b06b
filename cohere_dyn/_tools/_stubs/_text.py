"""Writing Python type expressions and declarations as text: unions, literals, docstrings, names."""

from __future__ import annotations

import functools
import keyword
import re
from typing import Any, Iterable

__all__ = ["Names", "docstring", "identifiers", "literal", "names_in", "pascal", "signature", "summary", "union"]

_TOKENS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[A-Za-z_][A-Za-z0-9_]*")


class Names:
    """The names of the generated modules: each definition gets one nobody else has."""

    def __init__(self, taken: Iterable[str]):
        self.taken = set(taken)
        self.handed_out: set[str] = set()

    def unique(self, name: str) -> str:
        """`name` made an identifier, with a number after it if it is taken."""
        name = "".join(char if char.isalnum() or char == "_" else "_" for char in name) or "Type"
        if name[0].isdigit() or keyword.iskeyword(name):
            name = "T" + name
        candidate, number = name, 2
        while candidate in self.taken:
            candidate, number = f"{name}{number}", number + 1
        self.taken.add(candidate)
        self.handed_out.add(candidate)
        return candidate


def identifiers(names: Iterable[str]) -> list[str]:
    """The names a stub can declare (a schema's name may be any string)."""
    return [name for name in names if name.isidentifier() and not keyword.iskeyword(name)]


def names_in(text: str, candidates: set[str]) -> list[str]:
    """The names of `candidates` that `text` uses (quoted literals aside), sorted."""
    return sorted({token for token in _TOKENS.findall(text) if token in candidates})


def union(kinds: Iterable[str]) -> str:
    """`A | B | None`: each member once, None last; Any absorbs the rest."""
    parts = list(dict.fromkeys(part for kind in kinds for part in _members(kind)))
    if "Any" in parts:
        return "Any"
    if "None" in parts:
        parts = [part for part in parts if part != "None"] + ["None"]
    return " | ".join(parts)


def _members(kind: str) -> list[str]:
    """The members of a union written as text (brackets respected)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(kind):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(kind[start:index].strip())
            start = index + 1
    parts.append(kind[start:].strip())
    return parts


def literal(values: list[Any]) -> str | None:
    """`Literal[...]` of JSON scalars (`| None` for a null among them); None if a value can't be one."""
    shown = []
    nullable = False
    for value in values:
        if value is None:
            nullable = True
        elif isinstance(value, (str, int, bool)):
            shown.append(repr(value))
        else:
            return None
    if not shown:
        return "None" if nullable else None
    kind = f"Literal[{', '.join(dict.fromkeys(shown))}]"
    return f"{kind} | None" if nullable else kind


def signature(head: str, parameters: list[str], tail: str, comment: str = "") -> str:
    """`def f(a, b) -> R: ...` in a class body, on one line, or one parameter a line when that is too
    long; `comment` (`  # type: ignore[...]`) on the line the definition opens with."""
    line = f"    {head}({', '.join(parameters)}){tail}"
    if len(line) <= 110:
        return line + comment
    inner = "".join(f"        {parameter},\n" for parameter in parameters)
    return f"    {head}({comment}\n{inner}    ){tail}"


def summary(schema: Any) -> str:
    """The first sentence of a schema's description (at most 150 characters)."""
    if not isinstance(schema, dict):
        return ""
    text = " ".join(str(schema.get("description") or "").split())
    first = text.split(". ")[0].rstrip(".")
    return (first[:150] + "...") if len(first) > 150 else first


def docstring(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text += " "
    return f'"""{text}"""'


@functools.lru_cache(maxsize=None)
def pascal(name: str) -> str:
    """`embed_jobs` -> `EmbedJobs`, `datasetType` -> `DatasetType`."""
    from ..._naming import snake_case

    return "".join(word[:1].upper() + word[1:] for word in snake_case(name).split("_"))
