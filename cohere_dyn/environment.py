"""`ClientEnvironment`: the base URLs the official SDK names, as `cohere.environment` has them.

    Client(environment=ClientEnvironment.PRODUCTION)  # the same as base_url="https://api.cohere.com"
"""

import enum

from ._client import DEFAULT_BASE_URL

__all__ = ["ClientEnvironment"]


class ClientEnvironment(enum.Enum):
    """A named base URL for `Client(environment=...)`; `base_url=` (or CO_API_URL) takes precedence."""

    PRODUCTION = DEFAULT_BASE_URL
