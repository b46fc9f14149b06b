"""From a request's method and path to the spec's operation, and to its stream twin when asked."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from .._spec._operations import Operation

__all__ = ["Route", "Router", "pick"]

_SLOT = re.compile(r"\{([^{}/]+)\}")


class Route:
    """One path template and its operations by HTTP method (each with its stream twin, if any)."""

    def __init__(self, template: str):
        self.template = template
        pattern, last = "", 0
        self.names: list[str] = []
        for slot in _SLOT.finditer(template):
            pattern += re.escape(template[last : slot.start()]) + "([^/]+)"
            self.names.append(slot.group(1))
            last = slot.end()
        self.regex = re.compile(pattern + re.escape(template[last:]) + r"\Z")
        self.operations: dict[str, list[Operation]] = {}

    def match(self, path: str) -> dict[str, str] | None:
        found = self.regex.match(path)
        if found is None:
            return None
        return {name: unquote(value) for name, value in zip(self.names, found.groups())}


class Router:
    """Finds the operation a request is for. Literal segments win over `{slots}`, so
    `/v1/datasets/usage` never reaches `/v1/datasets/{id}`."""

    def __init__(self, operations: list[Operation]):
        routes: dict[str, Route] = {}
        for operation in operations:
            route = routes.setdefault(operation.path, Route(operation.path))
            route.operations.setdefault(operation.http_method, []).append(operation)
        self.routes = sorted(routes.values(), key=lambda route: (len(route.names), -len(route.template)))

    def find(self, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            params = route.match(path)
            if params is not None:
                return route, params
        return None


def pick(candidates: list[Operation], body: Any) -> Operation:
    """The stream twin when the body sets its flag to true, else the plain operation."""
    plain = next(op for op in candidates if not op.streaming)
    if plain.stream is not None and isinstance(body, dict) and body.get(plain.stream.flag) is True:
        return next((op for op in candidates if op.streaming), plain)
    return plain
