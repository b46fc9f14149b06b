"""The `x-cohere-dyn-deployments` block of a spec: which methods each cloud service serves, and how.

    x-cohere-dyn-deployments:
      body-order: {chat: [message, model, ...], ...}   # the official SDK's field order per method
      services:
        bedrock:
          title: Amazon Bedrock
          signing-name: bedrock
          endpoint: https://bedrock-runtime.{region}.amazonaws.com
          endpoint-variables: [AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_ENDPOINT_URL]
          path-field: model
          route: /model/{model}/invoke
          stream-route: /model/{model}/invoke-with-response-stream
          stream-frames: chunk-base64          # or payload-part-ndjson
          token-count-headers: {input_tokens: X-Amzn-Bedrock-Input-Token-Count, ...}
          operations:
            v2.rerank: {token-counts: meta, add: {api_version: 2}}

A service with `protocol: oci` speaks its own API; its rules are read by `_mappedservice`.
A rule that makes no sense is a SpecError naming its JSON pointer, when a deployment client is made.
"""

from __future__ import annotations

from typing import Any

from .._client import checked_base_url
from .._errors import SpecError

__all__ = ["BLOCK", "STREAM_FRAMES", "Route", "Service", "service", "checked_region", "regional_endpoint"]

BLOCK = "x-cohere-dyn-deployments"
STREAM_FRAMES = ("chunk-base64", "payload-part-ndjson")
_TOKEN_TARGETS = ("meta", "usage")
_SERVICE_KEYS = {
    "title",
    "signing-name",
    "endpoint",
    "endpoint-variables",
    "path-field",
    "route",
    "stream-route",
    "stream-frames",
    "token-count-headers",
    "operations",
}


class Route:
    """How one method is sent to a service: body fields added, and where token counts go."""

    __slots__ = ("add", "token_counts", "body_order")

    def __init__(self, add: dict[str, Any], token_counts: str | None, body_order: tuple[str, ...]):
        self.add = add
        self.token_counts = token_counts
        self.body_order = body_order


class Service:
    """One cloud service's rules (see the module docstring)."""

    def __init__(self, name: str, rules: dict[str, Any], body_order: dict[str, Any], source: str):
        pointer = f"#/{BLOCK}/services/{name}"

        def fail(where: str, message: str) -> SpecError:
            return SpecError(message, source=source, pointer=f"{pointer}/{where}" if where else pointer)

        if not isinstance(rules, dict):
            raise fail("", "a service's rules must be a mapping")
        unknown = sorted(set(rules) - _SERVICE_KEYS)
        if unknown:
            raise fail(unknown[0], f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_SERVICE_KEYS))})")
        for key in ("title", "signing-name", "endpoint", "path-field", "route", "stream-route"):
            if not isinstance(rules.get(key), str) or not rules[key]:
                raise fail(key, f"{key!r} must be a non-empty string")
        self.name = name
        self.title: str = rules["title"]
        self.signing_name: str = rules["signing-name"]
        self.endpoint: str = rules["endpoint"]
        self.path_field: str = rules["path-field"]
        slot = "{" + self.path_field + "}"
        for key in ("route", "stream-route"):
            if not rules[key].startswith("/") or slot not in rules[key]:
                raise fail(key, f"{key!r} must be a path starting with '/' holding {slot}")
        self.route: str = rules["route"]
        self.stream_route: str = rules["stream-route"]
        variables = rules.get("endpoint-variables", [])
        if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
            raise fail("endpoint-variables", "'endpoint-variables' must be a list of environment variable names")
        self.endpoint_variables: tuple[str, ...] = tuple(variables)
        frames = rules.get("stream-frames")
        if frames not in STREAM_FRAMES:
            raise fail("stream-frames", f"'stream-frames' must be one of {', '.join(STREAM_FRAMES)}, not {frames!r}")
        self.stream_frames: str = frames
        headers = rules.get("token-count-headers", {})
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise fail("token-count-headers", "'token-count-headers' must map a count's name to a header name")
        self.token_count_headers: dict[str, str] = dict(headers)
        operations = rules.get("operations")
        if not isinstance(operations, dict) or not operations:
            raise fail("operations", "'operations' must map each method served to its rules")
        self.routes: dict[str, Route] = {}
        for method, route in operations.items():
            route = route or {}
            where = f"operations/{method}"
            if not isinstance(route, dict) or set(route) - {"add", "token-counts"}:
                raise fail(where, "a method's rules may only hold 'add' and 'token-counts'")
            add = route.get("add", {})
            if not isinstance(add, dict):
                raise fail(f"{where}/add", "'add' must map body fields to values")
            target = route.get("token-counts")
            if target is not None and target not in _TOKEN_TARGETS:
                raise fail(f"{where}/token-counts", f"'token-counts' must be one of {', '.join(_TOKEN_TARGETS)}")
            if target is not None and not self.token_count_headers:
                raise fail(f"{where}/token-counts", "'token-counts' needs the service's 'token-count-headers'")
            base = method[: -len("_stream")] if method.endswith("_stream") else method
            order = body_order.get(base, ())
            self.routes[method] = Route(dict(add), target, tuple(order))

    def path(self, streaming: bool) -> str:
        return self.stream_route if streaming else self.route


def service(document: dict[str, Any], name: str, source: str) -> Any:
    """The rules of service `name` in a spec document, checked: a `Service` (AWS's invoke routes), or
    a `MappedService` for one whose API differs from Cohere's (`protocol: oci`)."""
    block = document.get(BLOCK)
    if not isinstance(block, dict) or not isinstance(block.get("services"), dict):
        raise SpecError(f"the spec has no {BLOCK}.services block: no cloud deployment is described", source=source)
    rules = block["services"].get(name)
    if rules is None:
        known = ", ".join(block["services"]) or "none"
        raise SpecError(f"the spec describes no deployment {name!r} (described: {known})", source=source)
    if isinstance(rules, dict) and rules.get("protocol") == "oci":
        from ._mappedservice import MappedService

        return MappedService(name, rules, f"#/{BLOCK}/services/{name}", source)
    body_order = block.get("body-order", {})
    if not isinstance(body_order, dict) or not all(isinstance(v, list) for v in body_order.values()):
        raise SpecError("'body-order' must map methods to lists of body fields", source=source, pointer=f"#/{BLOCK}/body-order")
    return Service(name, rules, body_order, source)


def checked_region(region: str) -> str:
    """`region`, if it is a region name (`us-east-1`, `us-chicago-1`): it becomes part of the
    service's host name, where a dot, a slash or a `#` would send the signed request elsewhere.
    ValueError otherwise."""
    if not isinstance(region, str) or not region.isascii() or not all(c.isalnum() or c == "-" for c in region):
        raise ValueError(f"the region must be a region name like 'us-east-1' (letters, digits, hyphens); got {region!r}")
    return region


def regional_endpoint(template: str, region: str) -> str:
    """A service's endpoint (`https://bedrock-runtime.{region}.amazonaws.com`) for `region`."""
    return checked_base_url(template.replace("{region}", checked_region(region)))
