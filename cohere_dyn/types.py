"""Payload constructors derived from the packaged spec, named as the official SDK's classes.

    from cohere_dyn.types import UserChatMessageV2, ToolV2, ToolV2Function
    UserChatMessageV2(content="hi")  # -> {"role": "user", "content": "hi"}

Each returns a plain dict; see `cohere_dyn._spec._types` for how names are derived.
"""

from typing import Any, Callable

# A package for the import system: the SDK's per-type modules (`cohere_dyn.types.user_chat_message_v2`)
# are served by cohere_dyn._compat._modules.
__path__: list[str] = []


def __getattr__(name: str) -> Callable[..., dict[str, Any]]:
    if name.startswith("__"):
        raise AttributeError(name)
    from ._spec._document import Spec

    value = Spec.load().types.value(name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    from ._spec._document import Spec

    return Spec.load().types.names()
