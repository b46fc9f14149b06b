"""`Client` and `ClientV2`: configuration and authentication; calls go through a `SyncCaller`.

`ClientBase` holds what the sync and async clients share (settings, key, method binding).

Making a client reads the spec (from its cache) and nothing else: `requests`, the validators
and the call path are loaded by the first call, so `import cohere_dyn; Client()` stays fast.
"""

from __future__ import annotations

import os
from _thread import allocate_lock

from ._dispatch import Group, tree_for
from ._errors import ApiError
from ._call._headers import check_header_name, check_header_value
from ._spec._document import Spec
from ._timeout import Timeout

TYPE_CHECKING = False
if TYPE_CHECKING:
    from concurrent.futures import Executor
    from typing import Any, Callable

    from ._call._caller import SyncCaller
    from enum import Enum

    from ._spec._operations import Operation

__all__ = [
    "Client",
    "ClientBase",
    "ClientV2",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "checked_base_url",
]

DEFAULT_BASE_URL = "https://api.cohere.com"  # ClientEnvironment.PRODUCTION (environment.py; enum is not imported for it)
DEFAULT_MAX_CONNECTIONS = 100
# The largest answers are a few MB (a batch of embeddings of every type, a rerank returning its
# documents); a gzip bomb inflating past this stops here instead of filling memory.
DEFAULT_MAX_RESPONSE_BYTES = 256 << 20
_START_LOCK = allocate_lock()


def checked_base_url(url: str) -> str:
    """`url` without its trailing slash; ValueError unless it is an http(s) URL naming a host,
    with nothing a base URL can't carry.

    Found at construction, so that a typo (`htps://`, `file:///...`, a bare host name) is not
    taken for a connection failure and retried, and so that nothing is sent mangled: a query or
    a fragment would swallow the paths appended to it, credentials (`user:password@`) would be
    sent as Basic auth in place of the key, whitespace or a CR/LF would break the request line.
    The message never shows credentials.
    """
    if not isinstance(url, str):
        raise TypeError(f"base_url must be a str, not {type(url).__name__}")
    scheme, separator, rest = url.partition("://")
    authority = rest
    for end in "/?#":
        authority = authority.split(end, 1)[0]
    host = authority.rpartition("@")[2]
    shown = url
    if "@" in url:  # whatever precedes the last "@" may be a password
        shown = f"{scheme}://<credentials hidden>@{url.rpartition('@')[2]}"
    host_name, _, port = host[1:].partition("]") if host.startswith("[") else ("", "", "")
    if not host.startswith("["):
        host_name, _, port = host.partition(":")
    elif port:
        port = port[1:] if port.startswith(":") else "x"  # anything after "]" but a port is wrong
    problem = None
    if any(character.isspace() or not character.isprintable() for character in url):
        problem = "must not contain whitespace or control characters (a CR/LF would split the request)"
    elif not separator or scheme.lower() not in ("http", "https") or not host_name:
        problem = f"must be an http:// or https:// URL with a host name, like {DEFAULT_BASE_URL!r}"
    elif "@" in authority:
        problem = "must not carry credentials (user:password@): pass the key as api_key=..."
    elif port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        problem = "has a port that is no number from 1 to 65535"
    elif "?" in url:
        problem = "must not have a query (?...): the API's paths are appended to it"
    elif "#" in url:
        problem = "must not have a fragment (#...): the API's paths are appended to it"
    if problem is not None:
        raise ValueError(f"base_url {problem}; got {shown!r}")
    return url.rstrip("/")


class ClientBase(Group):
    """Configuration shared by `Client` and `AsyncClient`; see `Client` for the arguments."""

    _deployment: Any = None  # a cloud deployment's mapping (see _deployments); None: the Cohere API

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
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        validate: bool = True,
        validate_events: bool = False,
        key_header: str = "Authorization",
        environment: Enum | str | None = DEFAULT_BASE_URL,  # a ClientEnvironment, or a URL
        httpx_client: Any = None,
        thread_pool_executor: Executor | None = None,
        log_warning_experimental_features: bool = True,
    ):
        key = self._resolve_key(api_key if api_key is not None else token)
        base_url = checked_base_url(base_url or os.environ.get("CO_API_URL") or _environment_url(environment))
        if client_name is not None:
            check_header_value("X-Client-Name", client_name, type(self).__name__)
        check_header_name(key_header, type(self).__name__)
        if max_retries < 0:
            raise ValueError("max_retries can't be negative")
        _check_count("max_connections", max_connections)
        _check_count("max_response_bytes", max_response_bytes)
        if httpx_client is not None:
            transport = self._httpx_transport(httpx_client, transport, max_response_bytes)
        loaded = spec if isinstance(spec, Spec) else Spec.load(spec)
        self._bind(loaded, tree_for(loaded, self._promote), self._invoke, (), self._asynchronous)
        settings = {
            "_api_key": key,
            "_base_url": base_url,
            "_client_name": client_name,
            "_timeout": Timeout.of(timeout),
            "_max_retries": max_retries,
            "_transport": transport,
            "_max_connections": max_connections,
            "_max_response_bytes": max_response_bytes,
            "_validate": validate,
            "_validate_events": validate_events,
            "_key_header": "Authorization" if key_header.lower() == "authorization" else key_header,
            "_executor": thread_pool_executor,
            "_caller": None,
            "_checked_key": None,  # the last key found fit for a header
        }
        for name, value in settings.items():
            object.__setattr__(self, name, value)

    def _httpx_transport(self, httpx_client: Any, transport: Any, max_response_bytes: int) -> Any:
        """The transport that sends with the official SDK's `httpx_client` (an `httpx.Client` here)."""
        from ._transports._httpx import check_httpx_client
        from ._transports._httpx_sync import HttpxSyncTransport

        check_httpx_client(type(self).__name__, httpx_client, transport, asynchronous=False)
        return HttpxSyncTransport(httpx_client, max_response_bytes)

    @property
    def _client_wrapper(self) -> Any:
        """The official SDK's private settings object, as integrations read it (see _compat._client_wrapper)."""
        from ._compat._client_wrapper import ClientWrapper

        return ClientWrapper(self)

    def _send_with(self, transport: Any) -> None:
        """Send with `transport` from the next call on (the one in use is left to its owner)."""
        object.__setattr__(self, "_transport", transport)
        object.__setattr__(self, "_caller", None)

    def _resolve_key(self, key: str | Callable[[], str] | None) -> str | Callable[[], str] | None:
        """The key given, else from the environment; a client that signs its requests needs none."""
        if key is None:
            key = os.environ.get("CO_API_KEY") or os.environ.get("COHERE_API_KEY")
        if not key:  # an ApiError with no status, as the official SDK raises it (code catches that)
            raise ApiError(body="no API key: pass api_key=... (or token=...), or set the CO_API_KEY environment variable")
        return key

    def __repr__(self) -> str:
        return f"<cohere_dyn.{type(self).__name__} base_url={self._base_url!r} spec={self._spec.source!r}>"

    def _invoke(self, operation: Operation, kwargs: dict[str, Any], raw: bool = False) -> Any:
        raise NotImplementedError

    def _current_key(self) -> str:
        key = self._api_key() if callable(self._api_key) else self._api_key
        if key is not self._checked_key:
            check_header_value(self._key_header, key, "api_key")
            from ._redaction import remember

            remember(key)  # the HTTP libraries' log lines may quote a server echoing it
            object.__setattr__(self, "_checked_key", key)
        return key


def _check_count(name: str, value: Any) -> None:
    """TypeError unless `value` is an int (not a bool), ValueError unless it is at least 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1")


def _environment_url(environment: Enum | str | None) -> str:
    if isinstance(environment, str) and environment:
        return environment
    value = getattr(environment, "value", None)  # a ClientEnvironment, known without importing enum
    if isinstance(value, str) and value:
        return value
    if environment is None:
        raise ValueError("pass base_url=... or environment=ClientEnvironment.PRODUCTION: there is no base URL")
    raise TypeError(f"environment must be a ClientEnvironment or a URL, not {type(environment).__name__}")


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
        max_connections: connections to the API kept at once (default 100). The sync client
            pools at most this many for reuse; the async client opens at most this many, and
            calls beyond wait for a free one.
        max_response_bytes: the most an answer may hold once decoded (default 256 MiB): past it,
            reading stops with a CohereError (a gzip bomb can't fill memory). For a stream it
            bounds all its events together.
        validate: False sends payloads without offline validation.
        validate_events: True checks every stream event against the spec (off by default: speed).
        key_header: the header that carries the key: `Authorization` (default) sends
            `Bearer <key>`; any other name (a gateway's `api-key`) sends the key as its value.

    The official SDK's other arguments are taken too, so its code runs unchanged:
        environment: a `ClientEnvironment` (or a URL): the base URL when neither base_url nor
            CO_API_URL gives one. None with neither is an error, as in the SDK.
        thread_pool_executor: a `concurrent.futures.Executor` that runs the slices of a batched
            call (embed with more texts than one request takes) instead of a pool made per call;
            its size bounds how many go out at once.
        httpx_client: an `httpx.Client` to send with instead of requests: its event hooks,
            proxies, TLS settings, headers, auth and redirect policy apply; timeouts and retries
            are this client's; `close()` closes it. (`AsyncClient` takes an `httpx.AsyncClient`.)
        log_warning_experimental_features: accepted, with no effect (cohere_dyn warns about no
            experimental features).

    Beyond the spec's methods: `wait(job)` polls an embed job, dataset or fine-tuned model until
    it is done; paged list methods have iterators (`client.models.iter()`); embed batches texts.
    """

    _carries_methods = True  # the spec's methods are this class's attributes (see _dispatch)

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
        timeout: float | None = None,
        interval: float = 2.0,
        *,
        progress: Callable[[Any], Any] | None = None,
    ) -> Any:
        """Poll until `job` (an embed job, dataset or fine-tuned model the API returned, or the
        answer that created it) reaches a final status, and return the last answer of its `get`.

        Raises JobFailedError (with `.status`) for a failure status and WaitTimeoutError (a
        TimeoutError) after `timeout` seconds; `progress` is called with every answer.
        """
        from ._workflows._waiting import wait

        return wait(self, job, timeout, interval, progress)

    def fetch_tokenizer(self, *, model: str) -> Any:
        """The model's tokenizer, a `tokenizers.Tokenizer` (`pip install 'cohere-dyn[tokenizers]'`),
        as `tokenize(offline=True)` uses it: found through the model's `tokenizer_url`, downloaded
        once, then kept in memory and on disk. CohereError names the model and what failed."""
        from ._workflows._tokenizer import fetch_tokenizer

        return fetch_tokenizer(self, model)

    @property
    def utils(self) -> Any:
        """Dataset helpers, as the official SDK's `client.utils`: `save_dataset(dataset, path,
        format="jsonl")` (jsonl, csv or avro) and `dataset_records(dataset)`, a generator over its
        records, part after part. Needs fastavro: `pip install 'cohere-dyn[datasets]'`."""
        from ._bulk._datasets import DatasetUtils

        return DatasetUtils(self, (self._caller or self._start()).transport)

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

    def _invoke(self, operation: Operation, kwargs: dict[str, Any], raw: bool = False) -> Any:
        caller = self._caller or self._start()
        if raw:  # client.with_raw_response: one request, its HTTP response beside the answer
            from ._call._raw import raw_call

            return raw_call(caller, operation, kwargs)
        if operation.tokenizer is not None:
            from ._workflows._tokenizer import call

            return call(self, caller, operation, kwargs)
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
                transport = self._transport
                if transport is None:
                    transport = RequestsTransport(self._max_connections, self._max_response_bytes)
                if self._deployment is not None:
                    transport = self._deployment.wrap(transport)
                object.__setattr__(self, "_caller", SyncCaller(self, transport))
        return self._caller


class ClientV2(Client):
    """The same client with the v2 methods at the top level: `ClientV2(...).chat` is v2 chat."""

    _promote = ("v2",)
