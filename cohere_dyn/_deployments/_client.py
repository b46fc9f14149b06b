"""What a client of a cloud deployment adds to `Client` / `AsyncClient` (mixed in before them).

Requests are signed with the cloud's credentials, so no Cohere key is asked for; a method the
deployment doesn't serve raises NotServedError before anything is checked or sent; the
deployment (`_deployment`, see `_call._caller.build_request`) is made once the core client is.
"""

from __future__ import annotations

from typing import Any, Callable

from .._spec._operations import Operation

__all__ = ["DeploymentClient"]


class DeploymentClient:
    """The part of a deployment's clients that doesn't depend on the cloud."""

    _deployment: Any

    def _start_deployment(self, make: Callable[[Any], Any], **core: Any) -> None:
        """Make the core client with `core`'s keywords, then the deployment from its spec (`make`)."""
        super().__init__(**core)  # type: ignore[call-arg]
        object.__setattr__(self, "_deployment", make(self._spec))  # type: ignore[attr-defined]

    def _resolve_key(self, key: Any) -> None:
        return None  # requests are signed with the cloud's credentials, not a Cohere key

    def _invoke(self, operation: Operation, kwargs: dict[str, Any], raw: bool = False) -> Any:
        self._deployment.route(operation)  # NotServedError before anything is checked or sent
        return super()._invoke(operation, kwargs, raw)  # type: ignore[misc]
