"""The official SDK's model classes and type aliases, built from the packaged spec on first use.

    from cohere_dyn.types import UserChatMessageV2, ToolCallV2, ToolCallV2Function
    message = UserChatMessageV2(content="hi")   # message.role == "user"; sent as {"role": "user", "content": "hi"}

Answers are instances of the same classes (see `cohere_dyn._models`); `cohere_dyn._spec._types`
says how the names are derived.
"""

from typing import Any

# A package for the import system: the SDK's per-type modules (`cohere_dyn.types.user_chat_message_v2`)
# are served by cohere_dyn._compat._modules.
__path__: list[str] = []


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from ._models import models_of
    from ._spec._document import Spec

    value = models_of(Spec.load()).value(name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    from ._spec._document import Spec

    return Spec.load().types.names()
