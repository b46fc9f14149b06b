"""A deployment whose API differs from Cohere's (`protocol: oci` in the spec's deployments block).

    oci:
      title: OCI Generative AI
      protocol: oci
      endpoint: https://inference.generativeai.{region}.oci.oraclecloud.com
      path-field: model
      model: {prefix: cohere., keep: [cohere., ocid1.], dedicated: ocid1.generativeaiendpoint.}
      operations:
        v2.chat: {route: /20231130/actions/chat, request: ChatRequestV2, answer: ChatAnswerV2}
        v2.chat_stream: {route: /20231130/actions/chat, request: ChatRequestV2, stream: ChatStreamV2}
      maps: {...}          # see _mapping
      streams: {...}       # see _mappedstream

`MappedService` checks those rules (a SpecError at the JSON pointer of anything amiss) and
turns a model name into OCI's serving mode.
"""

from __future__ import annotations

from typing import Any

from .._errors import SpecError
from ._mapping import Maps
from ._mappedstream import StreamRules

__all__ = ["MappedService", "MappedRoute"]

_KEYS = frozenset({"title", "protocol", "endpoint", "path-field", "model", "operations", "maps", "streams"})


class MappedRoute:
    """How one method reaches the service: its route, request map, and answer map or stream rules."""

    __slots__ = ("route", "request", "answer", "stream")

    def __init__(self, route: str, request: str, answer: str | None, stream: StreamRules | None):
        self.route = route
        self.request = request
        self.answer = answer
        self.stream = stream


class MappedService:
    def __init__(self, name: str, rules: dict[str, Any], pointer: str, source: str):
        def fail(where: str, message: str) -> SpecError:
            return SpecError(message, source=source, pointer=f"{pointer}/{where}" if where else pointer)

        unknown = sorted(set(rules) - _KEYS)
        if unknown:
            raise fail(unknown[0], f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
        for key in ("title", "endpoint", "path-field"):
            if not isinstance(rules.get(key), str) or not rules[key]:
                raise fail(key, f"{key!r} must be a non-empty string")
        self.name = name
        self.title: str = rules["title"]
        self.endpoint: str = rules["endpoint"]
        self.path_field: str = rules["path-field"]
        model = rules.get("model") or {}
        if not isinstance(model, dict) or set(model) - {"prefix", "keep", "dedicated"}:
            raise fail("model", "'model' may hold prefix, keep and dedicated")
        self.model_prefix: str = model.get("prefix", "")
        self.model_kept: tuple[str, ...] = tuple(model.get("keep") or ())
        self.dedicated: str | None = model.get("dedicated")
        self.maps = Maps(rules.get("maps"), f"{pointer}/maps", source)
        streams = rules.get("streams") or {}
        if not isinstance(streams, dict):
            raise fail("streams", "'streams' must name each stream's rules")
        self.streams = {key: StreamRules(key, value, self.maps, f"{pointer}/streams/{key}", source) for key, value in streams.items()}
        operations = rules.get("operations")
        if not isinstance(operations, dict) or not operations:
            raise fail("operations", "'operations' must map each method served to its route and maps")
        self.routes: dict[str, MappedRoute] = {}
        for method, route in operations.items():
            where = f"operations/{method}"
            if not isinstance(route, dict) or set(route) - {"route", "request", "answer", "stream"}:
                raise fail(where, "a method's rules are route, request, and answer (or stream)")
            if not isinstance(route.get("route"), str) or not route["route"].startswith("/"):
                raise fail(f"{where}/route", "'route' must be a path starting with '/'")
            for key in ("request", "answer"):
                if route.get(key) is not None and route[key] not in self.maps:
                    raise fail(f"{where}/{key}", f"no map {route[key]!r} in the service's maps")
            if route.get("request") is None:
                raise fail(f"{where}/request", "'request' must name the map of the method's body")
            stream = route.get("stream")
            if stream is not None and stream not in self.streams:
                raise fail(f"{where}/stream", f"no stream {stream!r} in the service's streams")
            if (route.get("answer") is None) == (stream is None):
                raise fail(where, "a method has an 'answer' map, or 'stream' rules for a stream method")
            self.routes[method] = MappedRoute(route["route"], route["request"], route.get("answer"), self.streams.get(stream) if stream else None)

    def serving_mode(self, model: str) -> dict[str, str]:
        """OCI's servingMode for a Cohere model name (or an OCID)."""
        if self.dedicated and model.startswith(self.dedicated):
            return {"servingType": "DEDICATED", "endpointId": model}
        if self.model_prefix and not model.startswith(self.model_kept):
            model = self.model_prefix + model
        return {"servingType": "ON_DEMAND", "modelId": model}

    def problems(self, body_fields: dict[str, set[str]]) -> list[tuple[str, str]]:
        """(where, message) for each field a request map names that none of its methods' bodies has
        (`body_fields`: each served method's body fields), for lint."""
        takes: dict[str, set[str]] = {}
        for method, route in self.routes.items():
            takes.setdefault(route.request, set()).update(body_fields.get(method, ()))
        return [
            (f"maps/{name}/fields/{field}", f"{field!r} is no body field of the methods using {name}")
            for name, fields in takes.items()
            for field in self.maps.fields(name)
            if field not in fields
        ]
