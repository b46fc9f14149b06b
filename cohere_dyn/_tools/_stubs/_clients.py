"""The clients of the stubs: `Client`, `ClientV2`, `AsyncClient`, `AsyncClientV2` and the classes
of their groups of methods (`V2Client`, `AsyncDatasetsClient`: the runtime's names, see
`_dispatch.group_class`), each method with its keyword-only arguments and what it returns."""

from __future__ import annotations

from typing import Any

from ._text import Names, docstring, pascal, signature, union
from ._types import Types

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..._spec._document import Spec
    from ..._spec._operations import Argument, Operation

__all__ = ["Clients"]

_DOCS = {
    "Client": "A Cohere API client whose methods come from the spec (see `help(cohere_dyn.Client)`).",
    "ClientV2": "The same client with the v2 methods at the top level: `ClientV2(...).chat` is v2 chat.",
    "AsyncClient": "The asyncio client: the same methods, as coroutines; streams are `AsyncStream`s.",
    "AsyncClientV2": "The asyncio client with the v2 methods at the top level.",
}


class Clients:
    """Writes the client classes; the groups' classes are collected in `blocks` on the way."""

    def __init__(self, spec: Spec, types: Types, names: Names):
        self.spec = spec
        self.types = types
        self.names = names
        self.blocks: list[str] = []
        self._groups: dict[tuple[tuple[str, ...], bool], str] = {}

    def classes(self) -> list[str]:
        """The groups' classes, then the four clients."""
        from ..._dispatch import MethodTree, tree_for

        root = tree_for(self.spec)
        v2 = root.children.get("v2")  # ClientV2 lifts the v2 group's methods to the top level
        promoted = {name: node for name, node in getattr(v2, "children", {}).items() if not isinstance(node, MethodTree)}
        clients = []
        for prefix, asynchronous in (("", False), ("Async", True)):
            base = "_AsyncClientBase" if asynchronous else "_ClientBase"
            clients.append(self.group(f"{prefix}Client", root.children, (), asynchronous, base))
            clients.append(self.group(f"{prefix}ClientV2", promoted, (), asynchronous, f"{prefix}Client", overrides=set(root.children)))
        return [*self.blocks, *clients]

    def group(
        self,
        name: str,
        children: dict[str, Any],
        path: tuple[str, ...],
        asynchronous: bool,
        base: str = "_Group",
        overrides: frozenset[str] | set[str] = frozenset(),
    ) -> str:
        from ..._dispatch import MethodTree, PagerNode

        doc = _DOCS.get(name) or f"The methods of `client.{'.'.join(path)}`."
        attributes, methods = [], []
        for child, node in children.items():
            ignore = "  # type: ignore[override]" if child in overrides else ""
            if isinstance(node, MethodTree):
                attributes.append(f"    {child}: {self.group_name((*path, child), node, asynchronous)}{ignore}")
            elif isinstance(node, PagerNode):
                methods.append(self.method(node.operation, asynchronous, ignore, iterator=node.name))
            else:
                methods.append(self.method(node, asynchronous, ignore))
        lines = [f"class {name}({base}):", f"    {docstring(doc)}"]
        for section in (attributes, methods):
            if section:
                lines += ["", "\n\n".join(section) if section is methods else "\n".join(section)]
        return "\n".join(lines)

    def group_name(self, path: tuple[str, ...], node: Any, asynchronous: bool) -> str:
        """The class of a group, declared the first time (named as the runtime names it)."""
        name = self._groups.get((path, asynchronous))
        if name is None:
            from ..._dispatch import group_class_name

            name = self._groups[(path, asynchronous)] = self.names.unique(group_class_name(path, asynchronous))
            self.blocks.append(self.group(name, node.children, path, asynchronous))
        return name

    def method(self, operation: Operation, asynchronous: bool, ignore: str, iterator: str = "") -> str:
        positional = [operation.by_keyword[keyword] for keyword in operation.positional]
        parameters = ["self", *(f"{a.keyword}: {self.argument(operation, a)}" for a in positional), "*"]
        inputs = operation.batch.stream.inputs if operation.bulk else ()  # type: ignore[union-attr]
        for argument in operation.arguments:
            if argument.keyword in operation.positional:
                continue
            kind = self.argument(operation, argument)
            if argument.keyword in inputs and kind.startswith("Sequence["):  # embed_stream's texts: any iterable
                item = kind[len("Sequence[") : -1]
                kind = f"Iterable[{item}] | AsyncIterable[{item}]" if asynchronous else f"Iterable[{item}]"
            parameters.append(f"{argument.keyword}: {kind}" if argument.required else f"{argument.keyword}: {union([kind, 'None'])} = ...")
        parameters.append("request_options: RequestOptions | None = ...")
        awaited = asynchronous and not iterator and not operation.streaming and not operation.bulk
        returns = self.items(operation, asynchronous) if iterator else self.returns(operation, asynchronous)
        head = f"{'async ' if awaited else ''}def {iterator or operation.name}"
        text = signature(head, parameters, f" -> {returns}:", ignore)
        doc = f"Every item of {operation.qualified_name}, page after page." if iterator else _method_doc(operation)
        return f"{text}\n        {docstring(doc)}"

    def argument(self, operation: Operation, argument: Argument) -> str:
        if argument.location == "file":
            return "File"
        if argument.location == "request":
            hint = pascal(operation.name) + "Request"
        else:
            hint = pascal("_".join((*operation.group, operation.name, argument.keyword)))
        return self.types.write(argument.schema, hint)

    def returns(self, operation: Operation, asynchronous: bool) -> str:
        if operation.bulk:
            return "AsyncIterator[StreamedEmbedding]" if asynchronous else "Iterator[StreamedEmbedding]"
        base = pascal("_".join((*operation.group, operation.name)))
        final = self.answer(operation.response_schema, base + "Response")
        if operation.streaming:
            events = union([self.answer(schema, base + "Event") for schema in operation.event_schemas.values()] or ["Any"])
            return f"{'AsyncStream' if asynchronous else 'Stream'}[{events}, {final}]"
        return final

    def items(self, operation: Operation, asynchronous: bool) -> str:
        """What the iterator method of a paged operation yields."""
        kind = "AsyncIterator" if asynchronous else "Iterator"
        rule = operation.pagination
        schema = operation.response_schema
        page = self.types.resolver.deref(schema) if schema is not None else None
        field = ((page or {}).get("properties") or {}).get(getattr(rule, "items", None)) if isinstance(page, dict) else None
        field = self.types.resolver.deref(field) if isinstance(field, dict) else None
        if not isinstance(field, dict) or field.get("type") != "array":
            return f"{kind}[Any]"
        shape = self.types.factory.shape(schema, pascal("_".join((*operation.group, operation.name))) + "Response")
        items = self.types.read(field.get("items"), shape.child(rule.items) if shape is not None else None)  # type: ignore[union-attr]
        return f"{kind}[{items}]"

    def answer(self, schema: Any, hint: str) -> str:
        """The type of an answer of `schema` (None: the operation answers with no JSON)."""
        if schema is None:
            return "None"
        return self.types.read(schema, self.types.factory.shape(schema, hint))


def _method_doc(operation: Operation) -> str:
    text = operation.summary or operation.qualified_name
    if operation.streaming:
        text += " (streamed)"
    return f"{text} ({operation.http_method} {operation.path})"
