"""Methods and groups built from the spec: real functions with signatures and docstrings.

`MethodTree` arranges a spec's operations into groups (`client.v2`, `client.datasets`). The
methods of the packaged spec are attributes of the classes, as in the official SDK:
`Client.chat`, `ClientV2.rerank`, `V2Client.chat` (the class of `client.v2`), `AsyncClient.chat`
are functions, so `mock.patch.object(cohere_dyn.ClientV2, "rerank")` and instrumentation that
wraps `Client.chat` (wrapt, OpenTelemetry) see every call. They are made when a class is first
used (its first method looked up, on the class or an instance), not at import: making them reads
the spec and builds signatures. Each takes its path parameters positionally or by keyword (in
route order, as the SDK's signatures do) and the rest by keyword, and calls the operation of the
same name in its instance's spec (`self._tree`), so a client made with another spec runs that
spec's operation. A method only another spec has is bound per instance on first access.

An async class's methods are `async def` (stream methods return an `AsyncStream` at once). An
operation with a `pagination` rule also gets an iterator method (`client.models.iter(...)`).
"""

from __future__ import annotations

from _thread import RLock, allocate_lock

from ._naming import did_you_mean
from ._spec._operations import Operation

TYPE_CHECKING = False  # typing is not imported at run time: importing cohere_dyn stays fast
if TYPE_CHECKING:
    from typing import Any, Callable

    from ._spec._document import Spec

__all__ = [
    "Group",
    "GroupType",
    "MethodTree",
    "PagerNode",
    "RawView",
    "bind_positional",
    "group_class",
    "group_class_name",
    "install_methods",
    "tree_for",
]


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
            promoted = self.subtree(promote)
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

    def subtree(self, path: tuple[str, ...]) -> "MethodTree | None":
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


# -- the classes: methods as class attributes ----------------------------------------------------

_INSTALL_LOCK = RLock()


class GroupType(type):
    """The class of clients and groups: their spec methods are made on first use of the class.

    A class that carries methods (`_carries_methods`) says which part of the packaged spec's tree
    is its own with `_promote` (the group whose methods come up to the top: ClientV2's `v2`),
    `_group_path` (`("v2",)` for V2Client) and `_asynchronous`.
    """

    def __getattr__(cls, name: str) -> Any:
        node = _class_tree(cls).children.get(name) if name[:1] != "_" else None
        if node is None or isinstance(node, MethodTree):
            raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")
        install_methods(cls)
        return type.__getattribute__(cls, name)

    def __delattr__(cls, name: str) -> None:
        """Deleting a method (mock.patch undoing a patch it made on a class not yet used) puts the
        class's own function back rather than exposing its base's method of the same name."""
        type.__delattr__(cls, name)
        node = _class_tree(cls).children.get(name)
        if node is not None and not isinstance(node, MethodTree) and "_installed" in cls.__dict__:
            _define(cls, name, node)

    def __dir__(cls) -> list[str]:
        names = set(type.__dir__(cls))
        names |= {name for name, node in _class_tree(cls).children.items() if not isinstance(node, MethodTree)}
        return sorted(names)


def _class_tree(cls: Any) -> MethodTree:
    """The part of the packaged spec's tree a class carries (empty for a class that carries none)."""
    if cls is None or not getattr(cls, "_carries_methods", False):
        return _EMPTY_TREE
    from ._spec._document import Spec

    tree = tree_for(Spec.load(), cls._promote)
    return tree.subtree(cls._group_path) or _EMPTY_TREE


_EMPTY_TREE = MethodTree.__new__(MethodTree)
_EMPTY_TREE.children = {}


def install_methods(cls: Any) -> None:
    """Make `cls`'s spec methods its attributes (those its base doesn't carry already), and then
    its subclasses' (so that no subclass reaches a base's method of the same name by mistake).
    An attribute already there (a patch, a wrapper) is left as it is."""
    if "_installed" in cls.__dict__ or not getattr(cls, "_carries_methods", False):
        return
    with _INSTALL_LOCK:
        base = _carrying_base(cls)
        if base is not None:
            install_methods(base)
        if "_installed" in cls.__dict__:  # installed by its base's cascade
            return
        inherited = _class_tree(base).children
        for name, node in _class_tree(cls).children.items():
            if isinstance(node, MethodTree) or name in cls.__dict__ or _same(inherited.get(name), node):
                continue
            _define(cls, name, node)
        type.__setattr__(cls, "_installed", True)
        for subclass in cls.__subclasses__():
            install_methods(subclass)


def _carrying_base(cls: Any) -> Any:
    """The nearest base class that carries methods of its own, or None."""
    return next((base for base in cls.__mro__[1:] if getattr(base, "_carries_methods", False)), None)


def _same(inherited: Any, node: Any) -> bool:
    """Whether a base class's method is this one (the same operation, or its iterator)."""
    if inherited is node:
        return True
    return isinstance(inherited, PagerNode) and isinstance(node, PagerNode) and inherited.operation is node.operation


def _define(cls: Any, name: str, node: Operation | PagerNode) -> None:
    from ._spec._document import Spec

    spec = Spec.load()
    asynchronous = cls._asynchronous
    if isinstance(node, PagerNode):
        function = _class_pager(spec, node, asynchronous)
    else:
        function = _class_method(spec, node, asynchronous)
    function.__qualname__ = f"{cls.__qualname__}.{name}"
    function.__module__ = cls.__module__
    type.__setattr__(cls, name, function)


def _class_method(spec: Spec, operation: Operation, asynchronous: bool) -> Callable[..., Any]:
    name = operation.name
    coroutine = asynchronous and not operation.streaming and not operation.bulk
    if coroutine:

        async def awaited(self: Any, *args: Any, **kwargs: Any) -> Any:
            own = self._tree.children.get(name)
            if type(own) is not Operation:
                own = _missing(self, name)
            if args:
                bind_positional(own, args, kwargs)
            return await self._invoke(own, kwargs)

        function: Callable[..., Any] = awaited
    else:

        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            own = self._tree.children.get(name)
            if type(own) is not Operation:
                own = _missing(self, name)
            if args:
                bind_positional(own, args, kwargs)
            return self._invoke(own, kwargs)

        function = method
    _describe(function, spec, operation, asynchronous, bound=False)
    return function


def _class_pager(spec: Spec, node: PagerNode, asynchronous: bool) -> Callable[..., Any]:
    name = node.name

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        own = self._tree.children.get(name)
        if type(own) is not PagerNode:
            own = _missing(self, name)
        return _page(own.operation, self._invoke, asynchronous, args, kwargs)

    _describe_pager(method, spec, node, asynchronous, bound=False)
    return method


def _missing(group: Any, name: str) -> Any:
    where = ".".join(group._path) or type(group).__name__
    raise AttributeError(f"{where}: the spec of this client ({group._spec.source}) has no method {name!r}")


class Group(metaclass=GroupType):
    """A set of methods (`client.datasets`); groups nest (`client.audio.transcriptions`)."""

    _tree: MethodTree
    _invoke: Callable[[Operation, dict[str, Any]], Any]
    _spec: Spec
    _path: tuple[str, ...]
    _async: bool = False  # methods are coroutine functions
    _carries_methods = False  # a class of the packaged spec's groups (see GroupType)
    _promote: tuple[str, ...] = ()
    _group_path: tuple[str, ...] = ()
    _asynchronous = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        base = _carrying_base(cls)
        if base is not None and "_installed" in base.__dict__:  # a subclass made after its base was used
            install_methods(cls)

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
        cls = type(self)
        if isinstance(node, MethodTree):
            value = group_class(self._path + (name,), self._async)() if _packaged(self) else Group()
            value._bind(self._spec, node, self._invoke, (*self._path, name), self._async)
        elif cls._carries_methods and name in _class_tree(cls).children:
            install_methods(cls)  # the class's methods, on its first use
            return object.__getattribute__(self, name)
        elif isinstance(node, Operation):
            value = bind_method(self._spec, node, self._invoke, self._async)
        else:
            value = bind_pager(self._spec, node, self._invoke, self._async)
        self.__dict__[name] = value
        return value

    @property
    def with_raw_response(self) -> Any:
        """These methods answering an HttpResponse: `.status_code`, `.headers`, and `.data`, what
        the plain call returns (see cohere_dyn._call._raw)."""
        return RawView(self)

    def __dir__(self) -> list[str]:
        own = [name for name in type(self).__dict__ if not name.startswith("_")]
        inherited = [name for cls in type(self).__mro__[1:] for name in cls.__dict__ if not name.startswith("_")]
        return sorted({*self._tree.children, *own, *inherited} - {"mro"})

    def __repr__(self) -> str:
        return f"<cohere_dyn group {'.'.join(self._path)}: {', '.join(sorted(self._tree.children))}>"


class RawView:
    """`group.with_raw_response`: its methods, each answering an `HttpResponse` (see `_call/_raw.py`)."""

    __slots__ = ("_group",)

    def __init__(self, group: Any):
        self._group = group

    def __getattr__(self, name: str) -> Callable[..., Any]:
        group = self._group
        operation = group._tree.children.get(name) if name[:1] != "_" else None
        if not isinstance(operation, Operation) or operation.bulk:
            where = ".".join(group._path) or type(group).__name__
            raise AttributeError(f"{where}.with_raw_response has no method {name!r}")
        invoke = group._invoke

        def raw(*args: Any, **kwargs: Any) -> Any:
            if args:
                bind_positional(operation, args, kwargs)
            return invoke(operation, kwargs, raw=True)

        raw.__name__ = name
        raw.__qualname__ = f"{operation.qualified_name} (raw response)"
        raw.__doc__ = f"{operation.qualified_name}, answered with the HTTP status and headers: an HttpResponse whose .data is its answer."
        return raw

    def __dir__(self) -> list[str]:
        return sorted(name for name, node in self._group._tree.children.items() if isinstance(node, Operation) and not node.bulk)


def _packaged(group: Group) -> bool:
    from ._spec._document import Spec

    return group._spec is Spec.load()


_GROUP_CLASSES: dict[tuple[tuple[str, ...], bool], type] = {}


def group_class(path: tuple[str, ...], asynchronous: bool) -> Any:
    """The class of a group of the packaged spec (`V2Client` for `client.v2`, `AsyncDatasetsClient`),
    at the official SDK's module of it (`cohere_dyn.v2.client`)."""
    key = (path, asynchronous)
    cls = _GROUP_CLASSES.get(key)
    if cls is None:
        with _INSTALL_LOCK:
            cls = _GROUP_CLASSES.get(key)
            if cls is None:
                name = group_class_name(path, asynchronous)
                namespace = {
                    "__module__": "cohere_dyn." + ".".join(path) + ".client",
                    "__qualname__": name,
                    "__doc__": f"The methods of `client.{'.'.join(path)}`, as the official SDK's {name}.",
                    "_carries_methods": True,
                    "_group_path": path,
                    "_asynchronous": asynchronous,
                }
                cls = _GROUP_CLASSES[key] = GroupType(name, (Group,), namespace)
    return cls


def group_class_name(path: tuple[str, ...], asynchronous: bool) -> str:
    """The official SDK's name of a group's class: `V2Client`, `AsyncEmbedJobsClient`."""
    return ("Async" if asynchronous else "") + path[-1].title().replace("_", "") + "Client"


def group_classes() -> dict[str, Any]:
    """Every group class of the packaged spec by name (sync and async), for the SDK's modules."""
    from ._spec._document import Spec

    found: dict[str, Any] = {}

    def walk(tree: MethodTree, path: tuple[str, ...]) -> None:
        for name, node in tree.children.items():
            if isinstance(node, MethodTree):
                for asynchronous in (False, True):
                    cls = group_class((*path, name), asynchronous)
                    found[cls.__name__] = cls
                walk(node, (*path, name))

    walk(tree_for(Spec.load()), ())
    return found


# -- per-instance functions: a method only another spec has ---------------------------------------


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
    method.__qualname__ = operation.qualified_name
    method.__module__ = "cohere_dyn"
    _describe(method, spec, operation, asynchronous, bound=True)
    return method


def _describe(function: Any, spec: Spec, operation: Operation, asynchronous: bool, bound: bool) -> None:
    """Name, docstring, signature and `.validate` of a method's function (`bound`: no `self`)."""
    from ._signatures import docstring, signature

    def validate(*args: Any, **kwargs: Any) -> None:
        """Check these arguments against the spec, offline; raise ValidationError if they break it."""
        from ._call._prepare import validate_call

        if args:
            bind_positional(operation, args, kwargs)
        validate_call(spec, operation, kwargs)

    function.__name__ = operation.name
    function.__doc__ = docstring(spec, operation)
    described = signature(spec, operation)
    if asynchronous and (operation.bulk or operation.streaming):  # an async iterator: `AsyncStream[...]`
        returned = "Iterator[" if operation.bulk else "Stream["
        function.__doc__ = function.__doc__.replace(returned, "Async" + returned, 1)
        described = described.replace(return_annotation="Async" + described.return_annotation)
    function.__signature__ = described if bound else _with_self(described)
    function.validate = validate
    function.operation = operation


def _with_self(described: Any) -> Any:
    import inspect

    own = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    return described.replace(parameters=[own, *described.parameters.values()])


def _calling(
    operation: Operation, invoke: Callable[[Operation, dict[str, Any]], Any], asynchronous: bool
) -> Callable[..., Any]:
    """The function a method is: keywords, plus its path parameters positionally when it has some;
    a coroutine function on an async client, except for stream and bulk methods (they hand back
    their async iterator at once)."""
    coroutine = asynchronous and not operation.streaming and not operation.bulk
    if not operation.positional and operation.sdk_changed is None:
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
        if operation.sdk_changed is not None:  # a call written for an older official SDK
            raise ValueError(operation.sdk_changed)
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
        return _page(operation, invoke, asynchronous, args, kwargs)

    method.__qualname__ = ".".join((*operation.group, node.name))
    method.__module__ = "cohere_dyn"
    _describe_pager(method, spec, node, asynchronous, bound=True)
    return method


def _page(
    operation: Operation, invoke: Callable[[Operation, dict[str, Any]], Any], asynchronous: bool, args: Any, kwargs: Any
) -> Any:
    from ._workflows._pagination import pager

    if args:
        bind_positional(operation, args, kwargs)
    return pager(lambda page_kwargs: invoke(operation, page_kwargs), operation, kwargs, asynchronous)


def _describe_pager(function: Any, spec: Spec, node: PagerNode, asynchronous: bool, bound: bool) -> None:
    from ._signatures import describe_type, docstring, returns_of, signature

    operation = node.operation
    kind = "AsyncIterator" if asynchronous else "Iterator"
    item = returns_of(spec, operation)[0]
    rule = operation.pagination
    items = spec.resolver.deref(operation.response_schema) if operation.response_schema is not None else None
    schema = ((items or {}).get("properties") or {}).get(rule.items, {}) if isinstance(items, dict) else {}  # type: ignore[union-attr]
    item = describe_type(spec.resolver, (spec.resolver.deref(schema) or {}).get("items"), "body") if schema else item
    lines = docstring(spec, operation).split("\n")
    lines[0] = f"Every item of {operation.qualified_name}, page after page; pages are fetched as the loop needs them."
    function.__name__ = node.name
    function.__doc__ = "\n".join(lines).replace("Returns:\n", f"Yields:\n    {item}: one `{rule.items}` entry at a time.\n\nEach page:\n", 1)  # type: ignore[union-attr]
    described = signature(spec, operation).replace(return_annotation=f"{kind}[{item}]")
    function.__signature__ = described if bound else _with_self(described)
    function.operation = operation
