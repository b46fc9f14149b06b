"""The types of the stubs: the model classes, what an answer holds, and what a payload may be.

- Model classes (`types.pyi`): every name of the spec's `TypeIndex` the runtime makes a class of.
  Names the runtime doesn't tell apart (`isinstance` matches by schema and filled-in values:
  `ChatResponse` and `V2ChatResponse`, `TextContent` and `TextAssistantMessageResponseContentItem`)
  are one class, declared under the shortest name, the others aliases of it; a discriminated
  union (`ChatMessageV2`) is the union of its branches' classes; the SDK's type aliases (enums,
  unions, `ChatMessages`) are aliases of what a payload may be, where they are mostly written. A
  class has an attribute per declared field and an `__init__` of its constructor's keywords.
- What an answer holds (`read`): what `_models.wrap` makes of it. A `ModelFactory` of the spec (a
  fresh one, so that the names of classes the SDK doesn't name follow the hints given here) says
  which class reads each object, by the runtime's own rules; arrays are lists, free-form JSON
  `dict[str, Any]`, enums Literals.
- What a payload may be (`write`): the object's JSON as a TypedDict (`...Param`, declared in
  `_generated_types.pyi`), or its model class: `Sequence[ChatMessageV2Param | ChatMessageV2]`.
"""

from __future__ import annotations

import keyword
from typing import Any, Tuple

from ..._models import RAW, ModelFactory, Shape
from ..._naming import sdk_attribute
from ._templates import MODEL_MEMBERS, RESERVED
from ._text import Names, docstring, identifiers, literal, pascal, signature, summary, union

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..._spec._document import Spec

__all__ = ["Types"]

_Key = Tuple[int, Tuple[Tuple[str, Any], ...]]  # (id of the schema, the values the name fills in)
_PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}
_OBJECT_KEYS = ("properties", "additionalProperties", "discriminator", "allOf")


class Types:
    """The types of one spec's stubs; payload TypedDicts and classes without an SDK name are
    collected in `blocks` (for `_generated_types.pyi`) as they are asked for."""

    def __init__(self, spec: Spec, names: Names):
        self.resolver = spec.resolver
        self.index = spec.types
        self.factory = ModelFactory(spec.resolver, spec.types)
        self.names = names
        self.blocks: list[str] = []
        self.declared = [name for name in identifiers(self.index.names()) if name not in RESERVED]
        names.taken.update(self.declared)
        self._by_key: dict[_Key, list[str]] = {}
        for name in self.declared:
            self._by_key.setdefault(self._key(name), []).append(name)
        self._unnamed: dict[type, str] = {}
        self._typed_dicts: dict[int, str] = {}  # schema id -> its TypedDict (or alias of a union of them)

    # -- the model classes (types.pyi) --------------------------------------------------------

    def declarations(self) -> str:
        """`types.pyi`'s body: every SDK name, in name order."""
        parts = []
        for name in self.declared:
            canonical = _shortest(self._by_key[self._key(name)])
            if canonical != name:
                parts.append(f"{name} = {canonical}")
            elif self.index.is_alias(name):
                parts.append(f"{name}: TypeAlias = {self.write(self.index.entry(name)[0], name)}")
            else:
                parts.append(self._declare(name, self.factory.model_class(name)))
        return "\n\n".join(parts)

    def class_name(self, cls: Any) -> str:
        """The stubs' name for a model class the runtime makes; a class with no SDK name is declared
        in `blocks` the first time, under the runtime's name made unique."""
        if cls.__module__ == "cohere_dyn.types" and cls.__name__ in self.index:
            names = self._by_key.get(self._key(cls.__name__))
            if names:
                return _shortest(names)
        name = self._unnamed.get(cls)
        if name is None:
            if cls._class_shape.union is not None:
                members = self._branches(cls._class_shape)
                if " | " not in members:  # a union of one branch: that branch's class
                    return members
            name = self._unnamed[cls] = self.names.unique(cls.__name__)
            self.blocks.append(self._declare(name, cls, named=False))
        return name

    def _declare(self, name: str, cls: Any, named: bool = True) -> str:
        """A class's declaration (with its constructor if it has an SDK name), or a union's alias."""
        shape: Shape = cls._class_shape
        if shape.union is not None:
            return f"{name}: TypeAlias = {self._branches(shape)}"
        target = cls._schema if isinstance(cls._schema, dict) else {}
        fixed = cls._fixed
        optional = set(self.index.entry(name)[2]) if named else set()  # the SDK's base class lacks them
        required = set(target.get("required") or ()) - optional
        attributes = []
        for key in cls._declared:
            attribute = sdk_attribute(key)
            if not attribute.isidentifier() or attribute.startswith("_") or attribute in MODEL_MEMBERS:
                continue  # readable as obj[key]
            kind = literal([fixed[key]]) if key in fixed else None
            if kind is None:
                kind = self.read(shape.fields.get(key), shape.child(key))
                kind = kind if key in required else union([kind, "None"])
            attributes.append(f"    {attribute}: {kind}")
        methods = ["    def __getattr__(self, name: str) -> Any: ..."] if _open(target) else []
        if named:
            methods.append(self._constructor(name, fixed))
        lines = [f"class {name}(Model):"]
        if summary(target):
            lines.append(f"    {docstring(summary(target))}")
        for section in (attributes, methods):
            if section:
                lines += ["", *section] if len(lines) > 1 else section
        return "\n".join(lines if len(lines) > 1 else [*lines, "    ..."])

    def _constructor(self, name: str, fixed: dict[str, Any]) -> str:
        keywords, _ = self.index.keywords(name)
        properties = self.index.properties(self.index.entry(name)[0])
        parameters = []
        for spelling, field, required in keywords:
            if not spelling.isidentifier() or keyword.iskeyword(spelling):
                continue  # passed as **{...}
            value = literal([fixed[field]]) if field in fixed else None
            if value is not None:
                parameters.append(f"{spelling}: {value} = {fixed[field]!r}")
                continue
            kind = self.write(properties.get(field), name + pascal(field))
            parameters.append(f"{spelling}: {kind}" if required else f"{spelling}: {union([kind, 'None'])} = None")
        parameters = ["self", *(["*", *parameters] if parameters else []), "**extra: Any"]
        return signature("def __init__", parameters, " -> None: ...")

    def _branches(self, shape: Shape) -> str:
        """The classes of a discriminated union's branches, as the runtime names them."""
        members = []
        for value in shape.union[1]:
            branch = shape.resolve({shape.union[0]: value})
            members.append("dict[str, Any]" if branch is shape else self.class_name(branch.model_class()))
        return union(members)

    def _key(self, name: str) -> _Key:
        schema, fixed, _ = self.index.entry(name)
        return id(self.resolver.deref(schema)), tuple(sorted(fixed.items()))

    def _sdk_name(self, key: int, otherwise: str) -> str:
        """The SDK's name for the schema object of id `key` (filling nothing in), or `otherwise`."""
        names = self._by_key.get((key, ()))
        return _shortest(names) if names else otherwise

    def _alias(self, target: Any) -> str | None:
        """The SDK's type alias naming this schema, if it has one and the schema is the same in
        answers and payloads (an enum, a union of values)."""
        names = self._by_key.get((id(target), ()))
        if not names or not self.index.is_alias(names[0]) or not _is_plain(self.resolver, target):
            return None
        return _shortest(names)

    # -- what an answer holds -----------------------------------------------------------------

    def read(self, node: Any, shape: Shape | None, depth: int = 0) -> str:
        """The type of what an answer holds at `node`, read with `shape` as `_models.wrap` reads
        it: objects as the shape's class, whatever branch of a union they come from."""
        target = self.resolver.deref(node) if isinstance(node, dict) else node
        if not isinstance(target, dict) or not target or depth > 40:
            return "Any"
        if "$ref" in node:
            named = self._alias(target)
            if named is not None:
                return named
        if "const" in target:
            return literal([target["const"]]) or "Any"
        if isinstance(target.get("enum"), list) and literal(target["enum"]):
            return literal(target["enum"]) or "Any"
        branches = target.get("oneOf") or target.get("anyOf")
        kinds = []
        if isinstance(branches, list) and branches and "discriminator" not in target:
            kinds = [self.read(branch, shape, depth + 1) for branch in branches]
        else:
            declared = target.get("type")
            if declared is None and any(key in target for key in _OBJECT_KEYS):
                declared = "object"
            for kind in declared if isinstance(declared, list) else [declared]:
                if kind == "object":
                    kinds.append(self._read_object(target, shape, depth))
                elif kind == "array":
                    kinds.append(f"list[{self.read(target.get('items'), shape, depth + 1)}]")
                else:
                    kinds.append(_PRIMITIVES.get(kind, "Any") if isinstance(kind, str) else "Any")
        if target.get("nullable") is True:
            kinds.append("None")
        return union(kinds) if kinds else "Any"

    def _read_object(self, target: dict[str, Any], shape: Shape | None, depth: int) -> str:
        values = target.get("additionalProperties")
        if shape is None or shape is RAW:  # free-form JSON, kept as it came
            return f"dict[str, {self.read(values, None, depth + 1) if isinstance(values, dict) else 'Any'}]"
        if shape.values is not None:  # a map of objects
            return f"dict[str, {self.read(values, shape.values, depth + 1)}]"
        return self.class_name(shape.model_class())

    # -- what a payload may be ----------------------------------------------------------------

    def write(self, node: Any, hint: str, depth: int = 0, branch: bool = False) -> str:
        """The type of a payload value at `node`: its JSON (TypedDicts named after `hint` where the
        SDK has no name) or, for an object, its model class; `branch`: a branch of a discriminated
        union, whose classes the union's own accepts."""
        target = self.resolver.deref(node) if isinstance(node, dict) else node
        if not isinstance(target, dict) or not target or depth > 40:
            return "Any"
        ref = node.get("$ref")
        if isinstance(ref, str):
            named = self._alias(target)
            if named is not None:
                return named
            hint = ref.rsplit("/", 1)[-1]
        kind = self._write_json(target, hint, depth)
        model = None if branch else self._payload_class(node, target)
        return union([kind, model]) if model else kind

    def _payload_class(self, node: Any, target: dict[str, Any]) -> str | None:
        """The model class an object of this schema is read as (None if it is no object of fields)."""
        if not target.get("properties") and "discriminator" not in target:
            return None
        shape = self.factory.shape(node)
        if shape is None or shape is RAW or shape.values is not None:
            return None
        return self.class_name(shape.model_class())

    def _write_json(self, target: dict[str, Any], hint: str, depth: int, key: int | None = None) -> str:
        """The JSON of a payload value (`key`: the id of the spec's schema object, when `target` is
        a copy made here)."""
        key = id(target) if key is None else key
        if "const" in target:
            return literal([target["const"]]) or "Any"
        if isinstance(target.get("enum"), list) and literal(target["enum"]):
            return literal(target["enum"]) or "Any"
        branches = target.get("oneOf") or target.get("anyOf")
        if isinstance(branches, list) and branches:
            return self._write_union(target, branches, hint, depth)
        parts = target.get("allOf")
        if isinstance(parts, list) and parts:
            own = {k: v for k, v in target.items() if k != "allOf"}
            if len(parts) == 1 and not _is_object_part(own):
                return self.write(parts[0], hint, depth + 1)
            return self._typed_dict(_merge(self.resolver, [own, *parts]), hint, depth, key)
        kind = target.get("type")
        if isinstance(kind, list):
            return union([self._write_json({**target, "type": item}, hint, depth + 1, key) for item in kind])
        if kind == "object" or "properties" in target:
            return self._typed_dict(target, hint, depth, key)
        if kind == "array":
            return f"Sequence[{self.write(target.get('items'), _singular(hint), depth + 1)}]"
        if kind == "string" and target.get("format") == "binary":
            return "File"
        if kind == "string" and target.get("format") == "date-time":
            return "datetime | str"
        return _PRIMITIVES.get(kind, "Any") if isinstance(kind, str) else "Any"

    def _write_union(self, target: dict[str, Any], branches: list[Any], hint: str, depth: int) -> str:
        """A union's branches; a discriminated one is named once (`ChatMessageV2Param`), and its
        branches' classes are the union's (the SDK's base class of a branch lacks the discriminator)."""
        if "discriminator" not in target:
            return union([self.write(branch, f"{hint}Variant{index + 1}", depth + 1) for index, branch in enumerate(branches)])
        name = self._typed_dicts.get(id(target))
        if name is None:
            name = self._typed_dicts[id(target)] = self.names.unique(self._sdk_name(id(target), hint) + "Param")
            kinds = [self.write(branch, f"{hint}Variant{index + 1}", depth + 1, branch=True) for index, branch in enumerate(branches)]
            self.blocks.append(f"{name}: TypeAlias = {union(kinds)}")
        return name

    def _typed_dict(self, schema: dict[str, Any], hint: str, depth: int, key: int) -> str:
        """The TypedDict of an object's JSON (declared once per schema); an object that welcomes
        keys beyond its declared ones is a Mapping."""
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        if not properties or _open(schema):
            extra = schema.get("additionalProperties")
            value = self.write(extra, hint + "Value", depth + 1) if isinstance(extra, dict) and extra and not properties else "Any"
            return f"Mapping[str, {value}]"
        if key in self._typed_dicts:
            return self._typed_dicts[key]
        name = self._typed_dicts[key] = self.names.unique(self._sdk_name(key, hint) + "Param")
        base = name[: -len("Param")] if name.endswith("Param") else name
        required = set(schema.get("required") or ())
        fields = []
        for field, sub in properties.items():
            kind = self.write(sub, base + pascal(field), depth + 1)
            fields.append((field, f"Required[{kind}]" if field in required else kind))
        doc = summary(schema)
        if all(field.isidentifier() and not keyword.iskeyword(field) for field, _ in fields):
            lines = [f"class {name}(TypedDict, total=False):"]
            if doc:
                lines += [f"    {docstring(doc)}", ""]
            self.blocks.append("\n".join(lines + [f"    {field}: {kind}" for field, kind in fields]))
        else:
            entries = ", ".join(f"{field!r}: {kind}" for field, kind in fields)
            self.blocks.append(f"{name} = TypedDict({name!r}, {{{entries}}}, total=False)")
        return name


def _shortest(names: list[str]) -> str:
    return min(names, key=lambda name: (len(name), name))


def _open(schema: dict[str, Any]) -> bool:
    """An object that admits keys beyond its declared ones (or declares none)."""
    extra = schema.get("additionalProperties")
    return not schema.get("properties") or extra is True or (isinstance(extra, dict) and extra != {"not": {}})


def _is_object_part(schema: dict[str, Any]) -> bool:
    return bool(schema.get("properties")) or bool(schema.get("required"))


def _is_plain(resolver: Any, schema: Any, depth: int = 0) -> bool:
    """A schema with no object in it, and whose type is the same in payloads and answers."""
    if depth > 8:
        return False
    schema = resolver.deref(schema) if isinstance(schema, dict) else schema
    if not isinstance(schema, dict):
        return True
    if schema.get("type") in ("object", "array") or "properties" in schema or "items" in schema:
        return False
    for key in ("oneOf", "anyOf", "allOf"):
        if isinstance(schema.get(key), list) and not all(_is_plain(resolver, sub, depth + 1) for sub in schema[key]):
            return False
    return schema.get("format") not in ("binary", "date-time")


def _merge(resolver: Any, parts: list[Any]) -> dict[str, Any]:
    """allOf parts as one object schema: properties and required names of all."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    description = ""
    for part in parts:
        part = resolver.deref(part)
        if not isinstance(part, dict):
            continue
        if isinstance(part.get("allOf"), list):
            inner = _merge(resolver, part["allOf"])
            properties.update(inner["properties"])
            required += inner["required"]
        properties.update(part.get("properties") or {})
        required += [name for name in part.get("required") or () if isinstance(name, str)]
        description = description or str(part.get("description") or "")
    return {"type": "object", "properties": properties, "required": required, "description": description}


def _singular(hint: str) -> str:
    return hint[:-1] if hint.endswith("s") and not hint.endswith("ss") else hint + "Item"
