"""Schema plumbing: `$ref` resolution inside one document, and self-contained validation schemas.

`bundle()` turns a schema that points into the document into a standalone JSON Schema whose
`$defs` hold exactly the definitions it reaches. On the way it rewrites discriminated unions
(`oneOf` + `discriminator`) into dispatch on the discriminator value: a payload is checked against
the one branch its discriminator names, so branches that overlap never reject a valid payload, and
errors come from that branch rather than from "not valid under any of".
"""

from __future__ import annotations

from .._errors import SpecError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterator

__all__ = ["Resolver", "bundle", "discriminator_values"]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"
# OpenAPI-only keywords that mean nothing to a JSON Schema validator.
_DROPPED = frozenset({"discriminator", "xml", "externalDocs", "example", "examples", "deprecated"})


class Resolver:
    """Follows `#/...` references inside one document. External references are refused."""

    def __init__(self, document: dict[str, Any], source: str = "<spec>"):
        self.document = document
        self.source = source

    def lookup(self, ref: str) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise SpecError(f"reference {ref!r} points outside the document", source=self.source, pointer=ref)
        node: Any = self.document
        for token in ref[1:].split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            try:
                node = node[int(token)] if isinstance(node, list) else node[token]
            except (KeyError, IndexError, ValueError, TypeError):
                raise SpecError(f"unresolvable reference {ref!r}", source=self.source, pointer=ref) from None
        return node

    def deref(self, node: Any) -> Any:
        """Follow a chain of `$ref`s to the node that holds the content."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                raise SpecError(f"reference cycle through {ref!r}", source=self.source, pointer=ref)
            seen.add(ref)
            node = self.lookup(ref)
        return node


def discriminator_values(resolver: Resolver, schema: dict[str, Any]) -> dict[str, Any] | None:
    """For a discriminated union, {discriminator value: branch schema}; else None."""
    branches = schema.get("oneOf") or schema.get("anyOf")
    discriminator = schema.get("discriminator")
    if not isinstance(discriminator, dict) or not isinstance(branches, list) or not branches:
        return None
    prop = discriminator.get("propertyName")
    if not isinstance(prop, str):
        return None
    mapping = discriminator.get("mapping")
    values: dict[str, Any] = {}
    if isinstance(mapping, dict) and mapping:
        for value, target in mapping.items():
            values[str(value)] = {"$ref": target} if isinstance(target, str) and target.startswith("#") else target
    for branch in branches:
        for value in _pinned_values(resolver, resolver.deref(branch), prop):
            values.setdefault(value, branch)
    return values or None


def _pinned_values(resolver: Resolver, branch: Any, prop: str) -> Iterator[str]:
    if not isinstance(branch, dict):
        return
    parts = [branch, *(resolver.deref(part) for part in branch.get("allOf", ()))]
    for part in parts:
        spec = resolver.deref((part.get("properties") or {}).get(prop)) if isinstance(part, dict) else None
        if isinstance(spec, dict):
            if "const" in spec:
                yield str(spec["const"])
            elif isinstance(spec.get("enum"), list):
                yield from (str(value) for value in spec["enum"])


def bundle(resolver: Resolver, schema: Any, names: dict[str, str] | None = None) -> dict[str, Any]:
    """A standalone Draft 2020-12 schema equivalent to `schema` within the document.

    `names`, when given, is filled with {document reference: name under `$defs`}, so that a
    problem found in the bundle can be reported at its place in the document.
    """
    bundler = _Bundler(resolver)
    if names is not None:
        bundler.names = names
    root = bundler.rewrite(schema)
    if not isinstance(root, dict):
        root = {"allOf": [root]} if root is not True else {}
    root = dict(root)
    root["$schema"] = _DRAFT
    if bundler.definitions:
        root["$defs"] = bundler.definitions
    return root


class _Bundler:
    def __init__(self, resolver: Resolver):
        self.resolver = resolver
        self.definitions: dict[str, Any] = {}
        self.names: dict[str, str] = {}

    def reference(self, ref: str) -> dict[str, str]:
        name = self.names.get(ref)
        if name is None:
            name = f"d{len(self.names)}"
            self.names[ref] = name
            self.definitions[name] = True  # placeholder: breaks cycles while the target is rewritten
            self.definitions[name] = self.rewrite(self.resolver.lookup(ref))
        return {"$ref": f"#/$defs/{name}"}

    def rewrite(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.rewrite(item) for item in node]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str):
            target = self.reference(node["$ref"])
            siblings = {k: v for k, v in node.items() if k != "$ref" and k not in _DROPPED and not k.startswith("x-")}
            if not siblings:
                return target
            return {**self.rewrite(siblings), "allOf": [target]}
        dispatch = discriminator_values(self.resolver, node)
        if dispatch is not None:
            return self.rewrite_union(node, dispatch)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROPPED or key.startswith("x-"):
                continue
            if key in ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas"):
                out[key] = {name: self.rewrite(sub) for name, sub in value.items()} if isinstance(value, dict) else value
            elif key in ("enum", "const", "required", "type", "default", "title", "description"):
                out[key] = value
            else:
                out[key] = self.rewrite(value)
        return out

    def rewrite_union(self, node: dict[str, Any], dispatch: dict[str, Any]) -> dict[str, Any]:
        prop = node["discriminator"]["propertyName"]
        out = self.rewrite({k: v for k, v in node.items() if k not in ("oneOf", "anyOf", "discriminator")})
        out.setdefault("type", "object")
        out["required"] = sorted({*out.get("required", ()), prop})
        out["properties"] = {**out.get("properties", {}), prop: {"enum": list(dispatch)}}
        out["allOf"] = [
            *out.get("allOf", ()),
            *(
                {"if": {"required": [prop], "properties": {prop: {"const": value}}}, "then": self.rewrite(branch)}
                for value, branch in dispatch.items()
            ),
        ]
        return out
