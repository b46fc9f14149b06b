"""Object maps: the spec's rules for rewriting one JSON object into another, field by field.

A service that speaks its own API (OCI Generative AI) describes in the spec's deployments block
how each Cohere request becomes its body and how each of its answers becomes Cohere's, as named
maps (the rule language is explained beside them in spec/cohere.yaml):

    ChatRequestV2:
      envelope: {servingMode: $serving-mode, compartmentId: $compartment, chatRequest: $fields}
      set: {apiFormat: COHEREV2}
      fields:
        max_tokens: maxTokens
        messages: {to: messages, map: MessageV2}
        safety_mode: {to: safetyMode, values: {CONTEXTUAL: CONTEXTUAL, ...}}

`Maps.apply(name, value)` runs one. A request map refuses (`Refused`, with the field's path) a
field it doesn't list, a listed `refuse`, a value its table lacks and two fields landing on one
target; an answer map (`unknown: drop`) keeps only what it lists. `fill(template, variables)`
fills the `$name` placeholders of envelopes and stream event templates. A rule that makes no
sense is a SpecError naming its JSON pointer, when the maps are read.
"""

from __future__ import annotations

import copy
from typing import Any, Mapping

from .._errors import SpecError

__all__ = ["Maps", "Refused", "fill", "MISSING", "lookup"]

MISSING: Any = object()
_RULE_KEYS = frozenset({"to", "map", "map-values", "values", "keys", "string-as", "one", "merge", "set", "refuse"})
_MAP_KEYS = frozenset({"fields", "set", "unknown", "from", "envelope", "stream-set", "by", "cases"})


class Refused(ValueError):
    """A request field the service can't take; `path` locates it in the Cohere request."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.reason = message


class _Rule:
    __slots__ = ("source", "targets", "map", "map_values", "values", "keys", "string_as", "one", "merge", "set", "refuse")

    def __init__(self, source: str, rule: Any, fail: Any):
        if isinstance(rule, str) or rule is None:
            rule = {"to": rule}
        if not isinstance(rule, dict) or set(rule) - _RULE_KEYS:
            raise fail(f"a field's rule is a target name or a mapping of {', '.join(sorted(_RULE_KEYS))}")
        self.source = source
        target = rule.get("to", MISSING)
        if target is MISSING:
            target = None if rule.get("merge") or "refuse" in rule else source
        targets = target if isinstance(target, list) else [] if target is None else [target]
        if not all(isinstance(t, str) and t for t in targets):
            raise fail("'to' must be a field name, a dotted path, a list of them, or null")
        self.targets: tuple[tuple[str, ...], ...] = tuple(tuple(t.split(".")) for t in targets)
        self.map: str | None = rule.get("map")
        self.map_values: str | None = rule.get("map-values")
        values = rule.get("values")
        if values is not None and values not in ("upper", "lower") and not isinstance(values, dict):
            raise fail("'values' must be upper, lower or a table {from: to}")
        self.values: Any = values
        if rule.get("keys") not in (None, "lower"):
            raise fail("'keys' may only be lower")
        self.keys: str | None = rule.get("keys")
        self.string_as: Any = rule.get("string-as", MISSING)
        self.one = bool(rule.get("one"))
        self.merge = bool(rule.get("merge"))
        self.set: dict[str, Any] = rule.get("set") or {}
        refuse = rule.get("refuse")
        if refuse is not None and not isinstance(refuse, str):
            raise fail("'refuse' must say why")
        self.refuse: str | None = refuse


class _Map:
    __slots__ = ("name", "rules", "set", "strict", "source", "envelope", "stream_set", "by", "cases")

    def __init__(self, name: str, rules: Any, fail: Any):
        if not isinstance(rules, dict) or set(rules) - _MAP_KEYS:
            raise fail("", f"a map is a mapping of {', '.join(sorted(_MAP_KEYS))}")
        self.name = name
        self.by: str | None = rules.get("by")
        self.cases: dict[str, str] = rules.get("cases") or {}
        if (self.by is None) != (not self.cases):
            raise fail("by", "'by' and 'cases' go together: the field that picks a map, and the map for each value")
        fields = rules.get("fields") or {}
        if not isinstance(fields, dict) or (not fields and self.by is None):
            raise fail("fields", "'fields' must map each source field to its rule")
        self.rules = [_Rule(source, rule, lambda message, s=source: fail(f"fields/{s}", message)) for source, rule in fields.items()]
        self.set: dict[str, Any] = rules.get("set") or {}
        self.stream_set: dict[str, Any] = rules.get("stream-set") or {}
        if rules.get("unknown", "refuse") not in ("refuse", "drop"):
            raise fail("unknown", "'unknown' must be refuse (requests) or drop (answers)")
        self.strict = rules.get("unknown", "refuse") == "refuse"
        self.source: str | None = rules.get("from")
        self.envelope: dict[str, Any] | None = rules.get("envelope")


class Maps:
    """The named maps of one service, checked; `apply` runs one on a value."""

    def __init__(self, rules: Any, pointer: str, source: str):
        def fail_at(name: str) -> Any:
            return lambda where, message: SpecError(message, source=source, pointer=f"{pointer}/{name}" + (f"/{where}" if where else ""))

        if not isinstance(rules, dict) or not rules:
            raise SpecError("'maps' must name the service's object maps", source=source, pointer=pointer)
        self._maps = {name: _Map(name, body, fail_at(name)) for name, body in rules.items()}
        for name, found in self._maps.items():
            named = [*(r.map for r in found.rules), *(r.map_values for r in found.rules), *found.cases.values()]
            for other in named:
                if other is not None and other not in self._maps:
                    raise fail_at(name)("", f"names map {other!r}, which the service doesn't define")

    def __contains__(self, name: str) -> bool:
        return name in self._maps

    def get(self, name: str) -> _Map:
        return self._maps[name]

    def fields(self, name: str) -> list[str]:
        """The source fields map `name` lists."""
        return [rule.source for rule in self._maps[name].rules]

    def apply(self, name: str, value: Any, path: str = "") -> dict[str, Any]:
        """`value` rewritten by map `name` (its `from` part, for an answer); Refused for a request it can't take."""
        found = self._maps[name]
        if found.source is not None and isinstance(value, dict):
            value = value.get(found.source, {})
        return self._object(found, value, path)

    def _object(self, found: _Map, value: Any, path: str) -> dict[str, Any]:
        if found.by is not None:
            if not isinstance(value, dict):
                raise Refused(path, f"expected an object, got {type(value).__name__}")
            case = found.cases.get(str(value.get(found.by)))
            if case is None:
                if not found.strict:
                    return {}
                known = ", ".join(map(repr, found.cases))
                raise Refused(_join(path, found.by), f"{value.get(found.by)!r}: OCI takes only {known} here")
            found = self._maps[case]
        if not isinstance(value, dict):
            if found.strict:
                raise Refused(path, f"expected an object, got {type(value).__name__}")
            return {}
        out: dict[str, Any] = copy.deepcopy(found.set)
        written: dict[tuple[str, ...], str] = {}
        for rule in found.rules:
            item = value.get(rule.source, MISSING)
            if item is MISSING or item is None:
                continue
            where = _join(path, rule.source)
            if rule.refuse is not None:
                raise Refused(where, f"OCI Generative AI can't take it: {rule.refuse}")
            item = self._convert(rule, item, where, found.strict)
            if rule.merge:
                if isinstance(item, dict):
                    out.update(item)
                continue
            for target in rule.targets:
                if found.strict and target in written:
                    raise Refused(where, f"{written[target]!r} and {rule.source!r} both become OCI's {'.'.join(target)!r}: send one")
                written[target] = rule.source
                _put(out, target, copy.deepcopy(item) if len(rule.targets) > 1 else item)
            for key, extra in rule.set.items():
                _put(out, tuple(key.split(".")), copy.deepcopy(extra))
        if found.strict:
            listed = {rule.source for rule in found.rules}
            for key, item in value.items():
                if key not in listed and item is not None:
                    takes = ", ".join(r.source for r in found.rules if r.refuse is None and r.targets)
                    raise Refused(_join(path, key), f"OCI Generative AI doesn't define this field (it takes {takes})")
        return out

    def _convert(self, rule: _Rule, item: Any, where: str, strict: bool) -> Any:
        if rule.one:
            if not isinstance(item, list) or len(item) != 1:
                raise Refused(where, "OCI takes exactly one item here (one text or one image per input)")
            item, where = item[0], f"{where}[0]"
        if isinstance(item, str) and rule.string_as is not MISSING:
            item = fill(rule.string_as, {"": item})
        if rule.map_values is not None:
            if isinstance(item, dict):
                target = self._maps[rule.map_values]
                item = {key: self._object(target, sub, _join(where, key)) for key, sub in item.items()}
        elif rule.map is not None:
            target = self._maps[rule.map]
            if isinstance(item, list):
                item = [self._object(target, sub, f"{where}[{i}]") for i, sub in enumerate(item)]
            elif isinstance(item, dict):
                item = self._object(target, item, where)
            elif strict:
                raise Refused(where, f"expected an object or a list, got {type(item).__name__}")
        if rule.values is not None:
            item = [_value(rule.values, v, f"{where}[{i}]", strict) for i, v in enumerate(item)] if isinstance(item, list) else _value(rule.values, item, where, strict)
        if rule.keys == "lower" and isinstance(item, dict):
            item = {str(key).lower(): sub for key, sub in item.items()}
        return item


def _value(table: Any, value: Any, where: str, strict: bool) -> Any:
    if not isinstance(value, str):
        return value
    if table == "upper":
        return value.upper()
    if table == "lower":
        return value.lower()
    if value in table:
        return table[value]
    if not strict:
        return value
    takes = ", ".join(sorted({repr(v) for v in table}))
    raise Refused(where, f"{value!r} has no equivalent in OCI Generative AI (it takes {takes})")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _put(out: dict[str, Any], target: tuple[str, ...], value: Any) -> None:
    for key in target[:-1]:
        inner = out.get(key)
        if not isinstance(inner, dict):
            inner = out[key] = {}
        out = inner
    out[target[-1]] = value


def lookup(variables: Mapping[str, Any], name: str) -> Any:
    """The value of a dotted placeholder name (`item.type`), or MISSING."""
    head, _, rest = name.partition(".")
    value = variables.get(head, MISSING)
    for key in rest.split(".") if rest else ():
        value = value.get(key, MISSING) if isinstance(value, dict) else MISSING
    return value


def fill(template: Any, variables: Mapping[str, Any]) -> Any:
    """`template` with each `$name` string replaced by its value (`$` alone: the key ""); a key or
    list item whose value is missing is left out. Key "*" with `$name` spreads that object's
    fields not placed elsewhere in the same template."""
    if isinstance(template, str):
        return lookup(variables, template[1:]) if template.startswith("$") else template
    if isinstance(template, list):
        items = (fill(item, variables) for item in template)
        return [item for item in items if item is not MISSING]
    if isinstance(template, dict):
        out: dict[str, Any] = {}
        for key, sub in template.items():
            if key == "*" and isinstance(sub, str):
                rest = fill(sub, variables)
                placed = {v.rsplit(".", 1)[-1] for v in template.values() if isinstance(v, str) and v.startswith(sub + ".")}
                if isinstance(rest, dict):
                    out.update((k, v) for k, v in rest.items() if k not in placed)
                continue
            value = fill(sub, variables)
            if value is not MISSING:
                out[key] = value
        return out
    return copy.deepcopy(template)
