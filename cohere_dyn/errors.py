"""The exception classes, importable as `cohere_dyn.errors` (as in the official SDK)."""

from ._errors import *  # noqa: F403
from ._errors import __all__  # noqa: F401
from ._errors import NotImplementedApiError as NotImplementedError  # noqa: A001  # the SDK's name for the 501 error
