"""Methods and groups built from the spec: real functions with signatures and docstrings.

`MethodTree` arranges a spec's operations into groups (`client.v2`, `client.datasets`). A `Group`
hands out bound methods on first access and then keeps them as plain instance attributes, so a
call costs one attribute lookup. Each method is a function whose `__signature__` lists its
arguments (path parameters positional-or-keyword, in route order, as in the official SDK; the
rest keyword-only), whose `__doc__` comes from the spec, and which has a `.validate(**kwargs)`.
An async client's methods are `async def` coroutine functions (stream methods return an
`AsyncStream` at once). An operation with a `pagination` rule also gets an iterator method
(`client.models.iter(...)`, named by the rule) that yields the items of every page.
"""

from __future__ import annotations

from _thread import allocate_lock

from ._naming import did_you_mean
from ._spec._operations import Operation

TYPE_CHECKING = False  # typing is not imported at run time: importing cohere_dyn stays fast
if TYPE_CHECKING:
    import inspect
    from typing import Any, Callable

    from ._spec._schemas import Resolver
    from ._spec._document import Spec

__all__ = ["Group", "MethodTree", "PagerNode", "bind_positional", "describe_type", "docstring", "returns_of", "signature"]

REQUEST_OPTIONS_DOC = (
    "request_options (dict, optional): per-call settings: timeout (or timeout_in_seconds), max_retries, "
    "additional_headers, additional_query_parameters, additional_body_parameters (sent unchecked), "
    "validate (False skips offline validation)."
)


class PagerNode:
    """The iterator method of a paginated operation: `name` yields the items of `operation`'s pages."""

    __slots__ = ("operation", "name")

    def __init__(self, operation: Operation):
        self.operation = operation
        self.name = operation.pagination.method  # type: ignore[union-attr]


class MethodTree:
    """The groups and methods of a spec, as nested dicts: name -> Operation, PagerNode or MethodTree."""

    def __init__(self, spec: Spec, promote: tuple[str, ...] = ()):
        self.children: dict[str, Operation | PagerNode | MethodTree] = {}
        for operation in spec.operations:
            self._insert(operation.group, operation)
            if operation.pagination is not None:
                self._insert(operation.group, PagerNode(operation))
        if promote:
            promoted = self._subtree(promote)
            if promoted is not None:
                self.children.update({k: v for k, v in promoted.children.items() if not isinstance(v, MethodTree)})

    def _insert(self, group: tuple[str, ...], operation: Operation | PagerNode) -> None:
        node = self
        for part in group:
            child = node.children.get(part)
            if child is not None and not isinstance(child, MethodTree):
                raise ValueError(f"{'.'.join(group)}: the group {part!r} has the name of a method")
            if child is None:
                child = node.children[part] = MethodTree.__new__(MethodTree)
                child.children = {}
            node = child
        existing = node.children.get(operation.name)
        if isinstance(existing, MethodTree):
            raise ValueError(f"{'.'.join((*group, operation.name))}: the method has the name of a group")
        if isinstance(operation, PagerNode) and existing is not None:
            raise ValueError(f"{'.'.join((*group, operation.name))}: the iterator has the name of a method")
        node.children[operation.name] = operation

    def _subtree(self, path: tuple[str, ...]) -> "MethodTree | None":
        node: Any = self
        for part in path:
            node = node.children.get(part) if isinstance(node, MethodTree) else None
        return node if isinstance(node, MethodTree) else None


_TREES: dict[tuple[int, tuple[str, ...]], MethodTree] = {}
_TREES_LOCK = allocate_lock()


def tree_for(spec: Spec, promote: tuple[str, ...] = ()) -> MethodTree:
    key = (id(spec), promote)
    tree = _TREES.get(key)
    if tree is None:
        with _TREES_LOCK:
            tree = _TREES.get(key)
            if tree is None:
                from ._errors import SpecError

                try:
                    tree = MethodTree(spec, promote)
                except ValueError as exc:
                    raise SpecError(str(exc), source=spec.source) from None
                _TREES[key] = tree
    return tree


class Group:
    """A set of methods (`client.datasets`); groups nest (`client.audio.transcriptions`)."""

    _tree: MethodTree
    _invoke: Callable[[Operation, dict[str, Any]], Any]
    _spec: Spec
    _path: tuple[str, ...]
    _async: bool = False  # methods are coroutine functions

    def _bind(
        self,
        spec: Spec,
        tree: MethodTree,
        invoke: Callable[[Operation, dict[str, Any]], Any],
        path: tuple[str, ...],
        asynchronous: bool = False,
    ) -> None:
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "_tree", tree)
        object.__setattr__(self, "_invoke", invoke)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_async", asynchronous)

    def __getattr__(self, name: str) -> Any:
        node = self._tree.children.get(name) if name[:1] != "_" else None
        if node is None:
            if name[:2] == "__" or "_spec" not in self.__dict__:
                raise AttributeError(name)
            if not self._path and name in self._spec.sdk_removed:
                return removed_function(name, self._spec.sdk_removed[name])
            if name[:1] == "_":
                raise AttributeError(name)
            where = ".".join(self._path) or type(self).__name__
            hint = did_you_mean(name, self._tree.children)
            raise AttributeError(f"{where} has no method or group {name!r}.{hint}")
        if isinstance(node, Operation):
            value: Any = bind_method(self._spec, node, self._invoke, self._async)
        elif isinstance(node, PagerNode):
            value = bind_pager(self._spec, node, self._invoke, self._async)
        else:
            value = Group.__new__(Group)
            value._bind(self._spec, node, self._invoke, (*self._path, name), self._async)
        self.__dict__[name] = value
        return value

    def __dir__(self) -> list[str]:
        own = [name for name in type(self).__dict__ if not name.startswith("_")]
        inherited = [name for cls in type(self).__mro__[1:] for name in cls.__dict__ if not name.startswith("_")]
        return sorted({*self._tree.children, *own, *inherited} - {"mro"})

    def __repr__(self) -> str:
        return f"<cohere_dyn group {'.'.join(self._path)}: {', '.join(sorted(self._tree.children))}>"


def removed_function(name: str, moved_to: str | None) -> Callable[..., Any]:
    """What the official SDK has in place of a function it removed: one that raises ValueError when called."""

    def removed(*args: Any, **kwargs: Any) -> Any:
        if moved_to is None:
            raise ValueError(f"{name}(...) was removed from the official SDK in version 5.0 and has no replacement")
        raise ValueError(f"{name}(...) was moved to client.{moved_to}(...) in the official SDK 5.0; call that instead")

    removed.__name__ = removed.__qualname__ = name
    removed.__doc__ = f"Removed in the official SDK 5.0{f': use client.{moved_to}(...)' if moved_to else ''}."
    return removed


def bind_method(
    spec: Spec, operation: Operation, invoke: Callable[[Operation, dict[str, Any]], Any], asynchronous: bool = False
) -> Callable[..., Any]:
    method = _calling(operation, invoke, asynchronous)

    def validate(*args: Any, **kwargs: Any) -> None:
        """Check these arguments against the spec, offline; raise ValidationError if they break it."""
        from ._call._prepare import validate_call

        if args:
            bind_positional(operation, args, kwargs)
        validate_call(spec, operation, kwargs)

    method.__name__ = operation.name
    method.__qualname__ = operation.qualified_name
    method.__module__ = "cohere_dyn"
    method.__doc__ = docstring(spec, operation)
    method.__signature__ = signature(spec, operation)  # type: ignore[attr-defined]
    if asynchronous and (operation.bulk or operation.streaming):  # an async iterator: `AsyncStream[...]`
        returned = "Iterator[" if operation.bulk else "Stream["
        method.__doc__ = method.__doc__.replace(returned, "Async" + returned, 1)
        returns = method.__signature__.return_annotation  # type: ignore[attr-defined]
        method.__signature__ = method.__signature__.replace(return_annotation="Async" + returns)  # type: ignore[attr-defined]
    method.validate = validate  # type: ignore[attr-defined]
    method.operation = operation  # type: ignore[attr-defined]
    return method


def _calling(
    operation: Operation, invoke: Callable[[Operation, dict[str, Any]], Any], asynchronous: bool
) -> Callable[..., Any]:
    """The function a method is: keywords, plus its path parameters positionally when it has some;
    a coroutine function on an async client, except for stream and bulk methods (they hand back
    their async iterator at once)."""
    coroutine = asynchronous and not operation.streaming and not operation.bulk
    if not operation.positional:
        if coroutine:

            async def keywords_awaited(**kwargs: Any) -> Any:
                return await invoke(operation, kwargs)

            return keywords_awaited

        def keywords(**kwargs: Any) -> Any:
            return invoke(operation, kwargs)

        return keywords
    if coroutine:

        async def positional_awaited(*args: Any, **kwargs: Any) -> Any:
            if args:
                bind_positional(operation, args, kwargs)
            return await invoke(operation, kwargs)

        return positional_awaited

    def positional(*args: Any, **kwargs: Any) -> Any:
        if args:
            bind_positional(operation, args, kwargs)
        return invoke(operation, kwargs)

    return positional


def bind_positional(operation: Operation, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Put the positional arguments of a call (its path parameters, in route order) into `kwargs`."""
    names = operation.positional
    if len(args) > len(names):
        raise TypeError(
            f"{operation.qualified_name}() takes {len(names)} positional argument{'s' if len(names) != 1 else ''} "
            f"({', '.join(names) or 'none'}) but {len(args)} were given; the others are keyword-only"
        )
    for name, value in zip(names, args):
        if name in kwargs:
            raise TypeError(f"{operation.qualified_name}() got multiple values for argument {name!r}")
        kwargs[name] = value


def bind_pager(
    spec: Spec, node: PagerNode, invoke: Callable[[Operation, dict[str, Any]], Any], asynchronous: bool = False
) -> Callable[..., Any]:
    """The iterator method of a paginated operation: its items, page after page, fetched lazily."""
    operation = node.operation

    def method(*args: Any, **kwargs: Any) -> Any:
        from ._workflows._pagination import pager

        if args:
            bind_positional(operation, args, kwargs)
        return pager(lambda page_kwargs: invoke(operation, page_kwargs), operation, kwargs, asynchronous)

    kind = "AsyncIterator" if asynchronous else "Iterator"
    item = returns_of(spec, operation)[0]
    rule = operation.pagination
    items = spec.resolver.deref(operation.response_schema) if operation.response_schema is not None else None
    schema = ((items or {}).get("properties") or {}).get(rule.items, {}) if isinstance(items, dict) else {}  # type: ignore[union-attr]
    item = describe_type(spec.resolver, (spec.resolver.deref(schema) or {}).get("items"), "body") if schema else item
    lines = docstring(spec, operation).split("\n")
    lines[0] = f"Every item of {operation.qualified_name}, page after page; pages are fetched as the loop needs them."
    method.__name__ = node.name
    method.__qualname__ = ".".join((*operation.group, node.name))
    method.__module__ = "cohere_dyn"
    method.__doc__ = "\n".join(lines).replace("Returns:\n", f"Yields:\n    {item}: one `{rule.items}` entry at a time.\n\nEach page:\n", 1)  # type: ignore[union-attr]
    method.__signature__ = signature(spec, operation).replace(return_annotation=f"{kind}[{item}]")  # type: ignore[attr-defined]
    method.operation = operation  # type: ignore[attr-defined]
    return method


_SIGNATURES: dict[int, Any] = {}
_DOCSTRINGS: dict[int, str] = {}


def signature(spec: Spec, operation: Operation) -> "inspect.Signature":
    cached = _SIGNATURES.get(id(operation))
    if cached is not None:
        return cached
    import inspect

    positional = operation.positional
    first = [operation.by_keyword[keyword] for keyword in positional]
    rest = [argument for argument in operation.arguments if argument.keyword not in positional]
    parameters = [
        inspect.Parameter(
            argument.keyword,
            inspect.Parameter.POSITIONAL_OR_KEYWORD if argument.keyword in positional else inspect.Parameter.KEYWORD_ONLY,
            default=inspect.Parameter.empty if argument.required else argument.default,
            annotation=describe_type(spec.resolver, argument.schema, argument.location),
        )
        for argument in (*first, *rest)
    ]
    parameters.append(
        inspect.Parameter("request_options", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="dict | None")
    )
    result = inspect.Signature(parameters, return_annotation=returns_of(spec, operation)[0])
    _SIGNATURES[id(operation)] = result
    return result


def docstring(spec: Spec, operation: Operation) -> str:
    cached = _DOCSTRINGS.get(id(operation))
    if cached is not None:
        return cached
    lines = [operation.summary or operation.qualified_name]
    if operation.streaming:
        lines[0] += " (streamed)"
    if operation.bulk:
        inputs = ", ".join(operation.batch.stream.inputs)  # type: ignore[union-attr]
        lines[0] += (
            f": one of {inputs} as any iterable (a generator too), read as the requests need it; "
            "one result per input and embedding type, in input order"
        )
    if operation.description and operation.description != operation.summary:
        lines += ["", operation.description]
    lines += ["", "Args:"]
    for argument in operation.arguments:
        kind = describe_type(spec.resolver, argument.schema, argument.location)
        flag = "required" if argument.required else "optional"
        text = " ".join(argument.description.split()) or f"sent as the {argument.location} field {argument.wire_name!r}."
        where = f" Sent as {argument.location} {argument.wire_name!r}." if argument.location in ("query", "header") else ""
        lines.append(f"    {argument.keyword} ({kind}, {flag}): {text}{where}")
    lines.append(f"    {REQUEST_OPTIONS_DOC}")
    name, meaning = returns_of(spec, operation)
    lines += ["", "Returns:", f"    {name}: {meaning}" if meaning else f"    {name}"]
    lines += ["", f"Route: {operation.http_method} {operation.path}"]
    result = "\n".join(lines)
    _DOCSTRINGS[id(operation)] = result
    return result


def returns_of(spec: Spec, operation: Operation) -> tuple[str, str]:
    if operation.bulk:
        return "Iterator[StreamedEmbedding]", "index, embedding, embedding_type and text of each input, in input order."
    if operation.streaming:
        schema = next(iter(operation.event_schemas.values()), None)
        name = describe_type(spec.resolver, schema, "body") if schema is not None else "dict"
        return f"Stream[{name}]", "an iterator of events, yielded as they arrive; close it or use `with`."
    if operation.response_schema is None:
        return "None", ""
    target = spec.resolver.deref(operation.response_schema)
    meaning = target.get("description", "") if isinstance(target, dict) else ""
    return describe_type(spec.resolver, operation.response_schema, "body"), " ".join(str(meaning).split())


def describe_type(resolver: Resolver, schema: Any, location: str = "body", depth: int = 0) -> str:
    """A short Python-flavoured type for docs and signatures: `str`, `list[ChatMessageV2]`, `Literal[...]`."""
    if location == "file":
        return "bytes | str | PathLike | IO[bytes] | tuple"
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        return schema["$ref"].rsplit("/", 1)[-1]
    if not isinstance(schema, dict) or depth > 3:
        return "Any"
    if "enum" in schema:
        values = schema["enum"]
        shown = ", ".join(repr(value) for value in values[:8])
        return f"Literal[{shown}{', ...' if len(values) > 8 else ''}]"
    if "const" in schema:
        return f"Literal[{schema['const']!r}]"
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return " | ".join(dict.fromkeys(describe_type(resolver, s, location, depth + 1) for s in schema[key]))
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(describe_type(resolver, {**schema, "type": k}, location, depth + 1) for k in kind)
    if kind == "array":
        return f"list[{describe_type(resolver, schema.get('items'), location, depth + 1)}]"
    if kind == "string" and schema.get("format") == "date-time":
        return "datetime | str"
    names = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "object": "dict", "null": "None"}
    return names.get(kind, "Any") if isinstance(kind, str) else "Any"
