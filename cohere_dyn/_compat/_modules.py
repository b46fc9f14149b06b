"""The module paths code written for the official SDK imports classes from, under cohere_dyn.

The SDK keeps a module per group of methods (`cohere.datasets`, `cohere.v2`,
`cohere.audio.transcriptions`), each with a `types` submodule, plus a few more that the packaged
spec lists (`sdk-modules` in its top-level `x-cohere-dyn`: `cohere.finetuning.finetuning`), and
one file per type under each `types` (`cohere.types.user_chat_message_v2`). Here
every such path is a module created on first import from the packaged spec's groups, so
`from cohere_dyn.finetuning.finetuning import FinetunedModel, Settings` and
`cohere_dyn.batches.Batch(...)` work, and a new group in the spec brings its module with no code.
Each module offers cohere_dyn's public names (`cohere_dyn.core.api_error.ApiError`,
`cohere_dyn.client.Client`, `cohere_dyn.v2.client.OMIT`), the classes of the method groups
(`cohere_dyn.v2.client.V2Client`) and every model class of `cohere_dyn.types`: the SDK spreads its
classes over these modules, and a name it keeps in one module is found in any. The SDK's module
of each error (`cohere_dyn.errors.gateway_timeout_error`) is one of them too.

A meta path finder consulted after the regular one: real submodules (`cohere_dyn.types`,
`cohere_dyn.mock`) are found as files first, and nothing is read until such an import happens.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any, Sequence

    from .._spec._document import Spec

__all__ = ["SdkModules", "install", "module_paths"]

PACKAGE = "cohere_dyn"


def module_paths(spec: Spec | None = None) -> frozenset[str]:
    """Every SDK module path a spec (default: the packaged one) implies, without the package name:
    `datasets`, `datasets.types`, `finetuning.finetuning.types`..."""
    if spec is None:
        from .._spec._document import Spec

        spec = Spec.load()
    from .._errors import sdk_error_classes
    from .._naming import snake_case

    def prefixes(parts: Sequence[str]) -> set[str]:
        return {".".join(parts[:end]) for end in range(1, len(parts) + 1)}

    groups = set().union(*(prefixes(operation.group) for operation in spec.operations if operation.group))
    packages = groups.union(*(prefixes(str(path).split(".")) for path in spec.sdk_modules))
    errors = {f"errors.{snake_case(name)}" for name in sdk_error_classes() if name != "ApiError"}
    return frozenset(packages | {f"{path}.types" for path in packages} | {f"{path}.client" for path in groups} | errors)


class SdkModules:
    """Finds and builds the SDK's module paths (a meta path finder and its loader)."""

    _paths: frozenset[str] | None = None

    def paths(self) -> frozenset[str]:
        if self._paths is None:
            self._paths = module_paths()
        return self._paths

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> ModuleSpec | None:
        prefix, _, rest = fullname.partition(".")
        if prefix != PACKAGE or not rest or rest.startswith("_"):
            return None
        if rest in self.paths() or _is_type_file(rest, self.paths()):
            from importlib.machinery import ModuleSpec  # here: importing it costs `import cohere_dyn` time

            return ModuleSpec(fullname, self, is_package=True)  # type: ignore[arg-type]  # a Loader by protocol
        return None

    def create_module(self, spec: ModuleSpec) -> None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        name = module.__name__
        relative = name.partition(".")[2]
        children = [path.rpartition(".")[2] for path in self.paths() if path.rpartition(".")[0] == relative]

        def __getattr__(attribute: str) -> Any:
            if attribute in children:
                import importlib

                return importlib.import_module(f"{name}.{attribute}")
            if attribute == "__all__":
                return __dir__()
            if attribute.startswith("_"):
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
            if attribute.endswith("Client"):
                from .._dispatch import group_classes

                group = group_classes().get(attribute)
                if group is not None:  # `cohere_dyn.v2.client.V2Client`
                    return group
            package = sys.modules[PACKAGE]
            try:  # its public names (`ApiError`, `Client`, `OMIT`), then the model classes
                return getattr(package, attribute)
            except AttributeError as exc:
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}: {exc}") from None

        def __dir__() -> list[str]:
            from .. import types

            return sorted({*children, *sys.modules[PACKAGE].__all__, *dir(types)})

        module.__doc__ = (
            f"The official SDK's module `cohere.{relative}`: cohere_dyn's public names and payload constructors "
            "(see cohere_dyn.types)."
        )
        module.__path__ = []  # a package: its SDK submodules (`.types`) import through this finder too
        module.__getattr__ = __getattr__  # type: ignore[method-assign]
        module.__dir__ = __dir__  # type: ignore[method-assign]


def _is_type_file(path: str, paths: frozenset[str]) -> bool:
    """The SDK's file of one type under a `types` package (`types.chat_message_v2`): its own spelling of
    the type's name, so any lower-case module name there is one, and offers the constructors."""
    parent, _, name = path.rpartition(".")
    return (parent == "types" or (parent.endswith(".types") and parent in paths)) and name.isidentifier() and name.islower()


def install() -> SdkModules:
    """Put the finder at the end of `sys.meta_path`, once; the finder in place."""
    for finder in sys.meta_path:
        if isinstance(finder, SdkModules):
            return finder
    finder = SdkModules()
    sys.meta_path.append(finder)
    return finder
