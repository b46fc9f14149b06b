"""What the mock exchanges: a request as received (`Received`) and an answer as sent (`Outgoing`);
what a behaviour receives (`Call`) and what it may answer (`Reply`, `Events`, or a JSON value)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Union

from .._spec._operations import Operation

if TYPE_CHECKING:
    from ._checks import Problem
    from ._store import Store
    from ._synth import Synthesizer

__all__ = ["Behaviour", "Call", "Events", "Outgoing", "Received", "Reply", "Answer", "not_found"]


@dataclass
class Received:
    """One request the mock received, and what it made of it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    operation: str | None = None  # the qualified method name, once routed
    status: int = 0
    problems: "list[Problem]" = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Outgoing:
    """An answer: a whole body, or `chunks` to stream one by one."""

    status: int
    headers: dict[str, str]
    body: bytes = b""
    chunks: Iterator[bytes] | None = None


@dataclass(frozen=True)
class Call:
    """One checked request, routed to its operation."""

    operation: Operation
    path_params: Mapping[str, str]
    query: Mapping[str, list[str]]  # every value of each key, in order
    headers: Mapping[str, str]  # lower-case names
    body: Any  # parsed JSON; for multipart, {part name: bytes}; None without a body
    store: "Store"
    synth: "Synthesizer"

    def arg(self, name: str, default: Any = None) -> Any:
        """A JSON body field, else the first value of a query parameter, else `default`."""
        if isinstance(self.body, dict) and name in self.body and self.operation.body_media_type == "application/json":
            return self.body[name]
        values = self.query.get(name)
        return values[0] if values else default

    def schema_answer(self) -> Any:
        """What the generic core would answer: a value built from the 200 response schema."""
        schema = self.operation.response_schema
        return None if schema is None else self.synth.value(schema)


@dataclass
class Reply:
    """A whole answer: a status and a JSON body (None: no body)."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Events:
    """A streamed answer: the events in order; `done` ends a server-sent event stream with `data: [DONE]`."""

    events: Iterable[dict[str, Any]]
    done: bool = False


Answer = Union[Reply, Events, Any]
Behaviour = Callable[[Call], Answer]


def not_found(kind: str, ident: str) -> Reply:
    return Reply(404, {"message": f"{kind} {ident!r} not found"})
