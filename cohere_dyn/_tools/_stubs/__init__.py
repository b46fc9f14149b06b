"""`cohere-dyn stubs`: typed `.pyi` stubs of what a spec builds, so that mypy and pyright check
code made of run-time objects: calls, answers, the model classes.

Three files, all generated:
- `types.pyi`: the model classes of `cohere_dyn.types` (each a `Model` with an attribute per
  declared field and its constructor's keywords) and the SDK's type aliases;
- `_generated_types.pyi`: `Model`, `Stream`, `AsyncStream`, the four clients and their groups'
  classes (each method with its keyword-only arguments and the class of its answer, or
  `Stream[Event, Final]`), the TypedDicts (`...Param`) a payload may be written as, and the
  classes the SDK doesn't name;
- `__init__.pyi`: the package's public names, typed where the hand-written modules define them,
  and the model classes (`cohere_dyn.UserChatMessageV2`).

    _types      the model classes, what an answer holds, what a payload may be
    _clients    the clients and groups of methods
    _templates  the fixed parts
    _text       writing type expressions

Run only by the `stubs` command and the tests: never imported by `import cohere_dyn`.
"""

from __future__ import annotations

import os

from ._clients import Clients
from ._templates import GENERATED_HEAD, INIT, RESERVED, TYPED_IN_GENERATED, TYPES_HEAD
from ._text import Names, names_in
from ._types import Types

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..._spec._document import Spec

__all__ = ["STUB_FILES", "generate", "stale", "write"]

STUB_FILES = ("__init__.pyi", "_generated_types.pyi", "types.pyi")
_SHARED = frozenset({"Model", "File"})  # defined by the generated module's fixed head, used by types.pyi


def generate(spec: Spec) -> dict[str, str]:
    """The stub files for `spec`: file name -> text."""
    names = Names(RESERVED)
    types = Types(spec, names)
    models = types.declarations()
    clients = Clients(spec, types, names).classes()  # may declare more payload types
    generated = "\n\n\n".join([*types.blocks, *clients])
    source = os.path.basename(spec.source) or "the spec"
    head = GENERATED_HEAD.format(source=source, models=_import(".types", names_in(generated, set(types.declared))))
    types_head = TYPES_HEAD.format(source=source, generated=_import("._generated_types", names_in(models, names.handed_out | _SHARED)))
    public = _public()
    return {
        "__init__.pyi": INIT.format(
            imports=_init_imports(),
            models="\n".join(f"from .types import {name} as {name}" for name in types.declared if name not in public),
        ),
        "_generated_types.pyi": f"{head}\n\n\n{generated}\n",
        "types.pyi": f"{types_head}\n\n{models}\n",
    }


def write(spec: Spec, folder: str | os.PathLike[str]) -> list[str]:
    """Write the stubs (and `py.typed`) into `folder`; the paths written."""
    os.makedirs(folder, exist_ok=True)
    written = []
    for name, text in [*generate(spec).items(), ("py.typed", "")]:
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        written.append(path)
    return written


def stale(spec: Spec, folder: str | os.PathLike[str]) -> list[str]:
    """The stub files in `folder` that differ from what `spec` generates."""
    different = []
    for name, text in generate(spec).items():
        path = os.path.join(folder, name)
        try:
            with open(path, encoding="utf-8") as handle:
                current = handle.read()
        except OSError:
            current = None
        if current != text:
            different.append(path)
    return different


def _import(module: str, names: list[str]) -> str:
    if not names:
        return ""
    return f"\nfrom {module} import (\n" + "".join(f"    {name},\n" for name in names) + ")\n"


def _public() -> set[str]:
    import cohere_dyn

    return set(cohere_dyn.__all__) | {"types", "errors", "environment"}


def _init_imports() -> str:
    """`from .module import Name as Name` for the public names: from the generated module those it
    types, the others from where they are defined."""
    import cohere_dyn

    from ... import _errors

    by_module: dict[str, list[str]] = {"._generated_types": list(TYPED_IN_GENERATED), "._spec._document": ["Spec"]}
    for name in cohere_dyn.__all__:
        if name in TYPED_IN_GENERATED or name in ("__version__", "validate", "Spec"):
            continue
        # the exceptions are _errors' (install_as_cohere() gives them the SDK's module names)
        module = _errors.__name__ if name in _errors.__all__ else getattr(getattr(cohere_dyn, name), "__module__", "") or ""
        if not module.startswith("cohere_dyn."):
            raise ValueError(f"cohere_dyn.{name} is defined outside the package ({module!r}); type it in _stubs._templates")
        by_module.setdefault(module[len("cohere_dyn") :], []).append(name)
    lines = []
    for module in sorted(by_module):
        names = sorted(by_module[module])
        if len(names) == 1:
            lines.append(f"from {module} import {names[0]} as {names[0]}")
        else:
            lines.append(f"from {module} import (\n" + "".join(f"    {name} as {name},\n" for name in names) + ")")
    return "\n".join(lines)
