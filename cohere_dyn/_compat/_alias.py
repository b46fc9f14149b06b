"""`install_as_cohere()`: code that imports `cohere` (LangChain, LlamaIndex, instrumentors) gets cohere_dyn.

    import cohere_dyn
    cohere_dyn.install_as_cohere()      # before the framework is imported
    from langchain_cohere import ChatCohere

Afterwards `import cohere` is cohere_dyn itself, and every module path under it is the module of
the same path under cohere_dyn (`cohere.errors.gateway_timeout_error`, `cohere.v2.client`,
`cohere.types.tool_call_v2`...), the same objects, so classes compare and `isinstance` holds
whichever name imported them. `importlib.metadata.version("cohere")` answers the SDK version
cohere_dyn speaks for (instrumentors check it), and the exceptions carry the SDK's module names
(`cohere.core.api_error`), which some code tells errors apart by.

If the official SDK is installed too, it is never imported: the alias is found first, for its
modules and its metadata. If it was already imported in this process, the alias can't replace it
(objects made from it would live on), and `install_as_cohere()` raises ImportError saying so.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any, Iterator, Sequence

__all__ = ["SDK_VERSION", "install_as_cohere"]

ALIAS = "cohere"
PACKAGE = "cohere_dyn"
# The SDK version reported for `cohere`: the newest 5.x, whose API cohere_dyn speaks (with 7.x's);
# the frameworks that check a version ask for >=5,<6 (opentelemetry-instrumentation-cohere, instructor).
SDK_VERSION = "5.21.1"


def install_as_cohere(version: str = SDK_VERSION) -> None:
    """Make `import cohere` (and every `cohere.*` module) resolve to cohere_dyn, from now on.

    Call it before anything imports `cohere`; calling it again does nothing. `version` is what
    `importlib.metadata.version("cohere")` answers.
    """
    package = sys.modules[PACKAGE]
    existing = sys.modules.get(ALIAS)
    if existing is not None and existing is not package:
        where = getattr(existing, "__file__", None) or "elsewhere"
        raise ImportError(
            f"install_as_cohere(): the official SDK is already imported (from {where}); call "
            "cohere_dyn.install_as_cohere() before anything imports cohere"
        )
    for finder in sys.meta_path:
        if isinstance(finder, CohereAlias):
            finder.version = version
            return
    sys.meta_path.insert(0, CohereAlias(version))
    for name, module in list(sys.modules.items()):  # modules of cohere_dyn already imported
        if name == PACKAGE or name.startswith(PACKAGE + "."):
            sys.modules.setdefault(ALIAS + name[len(PACKAGE) :], module)
    _name_errors_as_the_sdk()


class CohereAlias:
    """A meta path finder (and its loader) serving `cohere.<path>` as `cohere_dyn.<path>`, and
    the `cohere` distribution's metadata."""

    def __init__(self, version: str):
        self.version = version

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname != ALIAS and not fullname.startswith(ALIAS + "."):
            return None
        real = PACKAGE + fullname[len(ALIAS) :]
        import importlib.util

        try:
            found = importlib.util.find_spec(real)
        except (ImportError, ValueError):
            return None
        if found is None:
            return None
        from importlib.machinery import ModuleSpec

        loader = _AliasLoader(real)
        return ModuleSpec(fullname, loader, is_package=found.submodule_search_locations is not None)  # type: ignore[arg-type]  # a Loader by protocol

    def find_distributions(self, context: Any = None) -> Iterator[Any]:
        name = getattr(context, "name", None)
        if name is None or name.replace("-", "_").replace(".", "_").lower() == ALIAS:
            yield _distribution(self.version)


class _AliasLoader:
    """Hands out the cohere_dyn module itself; importlib's only change to it (its `__spec__`) is undone."""

    def __init__(self, real: str):
        self.real = real
        self._spec: Any = None

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        import importlib

        module = importlib.import_module(self.real)
        self._spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self._spec


def _distribution(version: str) -> Any:
    from importlib.metadata import Distribution

    class CohereDistribution(Distribution):
        """The `cohere` distribution, as cohere_dyn stands in for it."""

        def read_text(self, filename: str) -> str | None:
            if filename == "METADATA":
                return (
                    f"Metadata-Version: 2.1\nName: {ALIAS}\nVersion: {version}\n"
                    "Summary: Provided by cohere_dyn (cohere_dyn.install_as_cohere())\n"
                )
            if filename == "top_level.txt":
                return ALIAS + "\n"
            return None

        def locate_file(self, path: Any) -> Any:
            import pathlib

            return pathlib.Path(sys.modules[PACKAGE].__file__ or ".").parent / str(path)

    return CohereDistribution()


def _name_errors_as_the_sdk() -> None:
    """The exceptions' `__module__` as the SDK names it: `cohere.core.api_error` for ApiError,
    `cohere.errors.bad_request_error` for BadRequestError."""
    from .. import _errors
    from .._naming import snake_case

    for name, cls in _errors.sdk_error_classes().items():
        cls.__module__ = f"{ALIAS}.core.api_error" if cls is _errors.ApiError else f"{ALIAS}.errors.{snake_case(name)}"
