"""`Client` and `ClientV2`: configuration and authentication; calls go through a `SyncCaller`.

`ClientBase` holds what the sync and async clients share (settings, key, method binding).

Making a client reads the spec (from its cache) and nothing else: `requests`, the validators
and the call path are loaded by the first call, so `import cohere_dyn; Client()` stays fast.
"""

from __future__ import annotations

import os
from _thread import allocate_lock

from ._dispatch import Group, tree_for
from ._errors import CohereError
from ._call._headers import check_header_value
from ._spec._document import Spec
from ._timeout import Timeout

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

    from ._call._caller import SyncCaller
    from ._spec._operations import Operation

__all__ = ["Client", "ClientBase", "ClientV2", "DEFAULT_BASE_URL"]

DEFAULT_BASE_URL = "https://api.cohere.com"
_START_LOCK = allocate_lock()


class ClientBase(Group):
    """Configuration shared by `Client` and `AsyncClient`; see `Client` for the arguments."""

    _promote: tuple[str, ...] = ()
    _asynchronous = False

    def __init__(
        self,
        api_key: str | Callable[[], str] | None = None,
        *,
        token: str | Callable[[], str] | None = None,
        base_url: str | None = None,
        client_name: str | None = None,
        timeout: float | Timeout | None = None,
        max_retries: int = 2,
        spec: str | os.PathLike[str] | Spec | None = None,
        transport: Any = None,
        validate: bool = True,
        validate_events: bool = False,
    ):
        key = api_key if api_key is not None else token
        if key is None:
            key = os.environ.get("CO_API_KEY") or os.environ.get("COHERE_API_KEY")
        if not key:
            raise CohereError(
                "no API key: pass api_key=... (or token=...), or set the CO_API_KEY environment variable"
            )
        if client_name is not None:
            check_header_value("X-Client-Name", client_name, type(self).__name__)
        if max_retries < 0:
            raise ValueError("max_retries can't be negative")
        loaded = spec if isinstance(spec, Spec) else Spec.load(spec)
        self._bind(loaded, tree_for(loaded, self._promote), self._invoke, (), self._asynchronous)
        settings = {
            "_api_key": key,
            "_base_url": (base_url or os.environ.get("CO_API_URL") or DEFAULT_BASE_URL).rstrip("/"),
            "_client_name": client_name,
            "_timeout": Timeout.of(timeout),
            "_max_retries": max_retries,
            "_transport": transport,
            "_validate": validate,
            "_validate_events": validate_events,
            "_caller": None,
        }
        for name, value in settings.items():
            object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return f"<cohere_dyn.{type(self).__name__} base_url={self._base_url!r} spec={self._spec.source!r}>"

    def _invoke(self, operation: Operation, kwargs: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _current_key(self) -> str:
        key = self._api_key() if callable(self._api_key) else self._api_key
        check_header_value("Authorization", key, "api_key")
        return key


class Client(ClientBase):
    """A Cohere API client whose methods come from the spec.

    Args:
        api_key: the key, or a callable returning it (called for every request). Defaults to the
            CO_API_KEY, then COHERE_API_KEY environment variables, read now.
        token: another name for api_key, as in the official SDK.
        base_url: defaults to CO_API_URL, then https://api.cohere.com; a path prefix is kept.
        client_name: sent as X-Client-Name.
        timeout: seconds (or a `Timeout(connect, read)`); default 10 s to connect, 300 s to read.
        max_retries: retries after the first attempt for 408/409/429/5xx and connection failures.
        spec: path of another OpenAPI document (default: the packaged spec/cohere.yaml).
        transport: an object with `send(request, stream=...)` and `close()` (tests, proxies).
        validate: False sends payloads without offline validation.
        validate_events: True checks every stream event against the spec (off by default: speed).

    Beyond the spec's methods: `wait(job)` polls an embed job, dataset or fine-tuned model until
    it is done; paged list methods have iterators (`client.models.iter()`); embed batches texts.
    """

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        if self._caller is not None:
            self._caller.transport.close()
        elif self._transport is not None:
            self._transport.close()

    def wait(
        self,
        job: Any,
        *,
        timeout: float | None = None,
        interval: float = 2.0,
        progress: Callable[[Any], Any] | None = None,
    ) -> Any:
        """Poll until `job` (an embed job, dataset or fine-tuned model the API returned, or the
        answer that created it) reaches a final status, and return the last answer of its `get`.

        Raises JobFailedError (with `.status`) for a failure status and WaitTimeoutError (a
        TimeoutError) after `timeout` seconds; `progress` is called with every answer.
        """
        from ._workflows._waiting import wait

        return wait(self, job, timeout, interval, progress)

    @property
    def utils(self) -> Any:
        """Dataset helpers, as the official SDK's `client.utils`: `save_dataset(dataset, path,
        format="jsonl")` (jsonl, csv or avro) and `dataset_records(dataset)`, a generator over its
        records, part after part. Needs fastavro: `pip install 'cohere-dyn[datasets]'`."""
        from ._bulk._datasets import DatasetUtils

        return DatasetUtils(self)

    def embed_dataset(
        self,
        input: str,
        output: str,
        *,
        model: str,
        input_type: str,
        embedding_types: list[str] | None = None,
        truncate: str | None = None,
        field: str = "text",
        format: str | None = None,
        name: str | None = None,
        timeout: float | None = None,
        interval: float = 2.0,
        progress: Callable[[str], Any] | None = None,
    ) -> Any:
        """Embed a corpus file with Cohere's batch engine: upload `input` (.jsonl, .csv or .txt,
        the text in `field`) as a dataset streamed from disk, run an embed job, wait for it, and
        write `output` as JSON lines `{"index", "id", "embedding"}`. `progress` gets each status
        as text; `timeout` bounds each wait. Returns a summary (`.embedded`, `.seconds`)."""
        from ._bulk._via_job import embed_via_job

        arguments = {"model": model, "input_type": input_type, "embedding_types": embedding_types or ["float"]}
        if truncate is not None:
            arguments["truncate"] = truncate
        return embed_via_job(
            self, input, output, kind=format, field=field, arguments=arguments, progress=progress,
            name=name, timeout=timeout, interval=interval,
        )

    def _invoke(self, operation: Operation, kwargs: dict[str, Any]) -> Any:
        caller = self._caller or self._start()
        if operation.bulk:
            from ._bulk._embed_stream import embed_stream

            return embed_stream(caller, operation, kwargs)
        if operation.batch is not None:
            from ._workflows._batching import run

            return run(caller, operation, kwargs)
        return caller.invoke(operation, kwargs)

    def _start(self) -> SyncCaller:
        from ._call._caller import SyncCaller
        from ._transports._requests import RequestsTransport

        with _START_LOCK:  # threads making their first call together share one transport
            if self._caller is None:
                transport = self._transport if self._transport is not None else RequestsTransport()
                object.__setattr__(self, "_caller", SyncCaller(self, transport))
        return self._caller


class ClientV2(Client):
    """The same client with the v2 methods at the top level: `ClientV2(...).chat` is v2 chat."""

    _promote = ("v2",)
