"""The exception classes, importable as `cohere_dyn.errors` (as in the official SDK).

A package for the import system: the SDK's module of each error (`cohere_dyn.errors.gateway_timeout_error`)
is served by cohere_dyn._compat._modules.
"""

from ._errors import *  # noqa: F403
from ._errors import __all__  # noqa: F401
from ._errors import NotImplementedApiError as NotImplementedError  # noqa: A001  # the SDK's name for the 501 error

__path__: list[str] = []
