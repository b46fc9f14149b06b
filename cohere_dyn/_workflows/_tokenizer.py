"""The model's own tokenizer, run on this machine: `tokenize`/`detokenize(offline=...)` and `fetch_tokenizer`.

Two spec extensions drive it, so no operation is named here:

- on an operation, `x-cohere-dyn.local-tokenizer: {switch, model, encode | decode, result, answer}`
  says that the call can be answered by the tokenizer of the model its `model` keyword names:
  the `encode` keyword's text encoded without special tokens (or the `decode` keyword's ids
  decoded, special tokens skipped), put in the answer's `result` field beside the constant
  `answer` fields, as the official SDK answers offline;
- at the top of the spec, `x-cohere-dyn.tokenizers: {get, url, fallback-headers}` says where a
  model's tokenizer is found (the field `url` of the answer of the method `get`: a tokenizer.json
  of the `tokenizers` package) and what an API call made instead of a local one carries.

The `switch` keyword chooses: None (the default) runs locally when the tokenizers package is
installed and the model's tokenizer can be had, else asks the API with the fallback headers (one
WARNING says why); True runs locally or raises CohereError naming the model and what failed
(never a quiet API call); False asks the API.

A tokenizer is fetched once per base URL and model: its URL from `get` (the client's call, with
its key, retries and timeouts), the file from that URL through the client's own transport,
without the key (it is a public link), with the client's timeouts and retries, the status
checked. It is kept in memory for the process and on disk under `tokenizer_folder()`, in a file
named by a hash of the base URL and the model, written atomically, so a later process reads it
without a request. The async client awaits the lookup and the download, and parses, reads and
writes files and encodes in a thread, so its event loop never waits on them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

from .._call._caller import USER_AGENT, decode_content, logger
from .._call._prepare import prepare
from .._call._retry import RetryPolicy
from .._errors import ApiError, CohereError, ConnectionError, SpecError, TimeoutError
from .._spec._operations import Operation, TokenizerRule
from .._transports._base import HttpRequest

__all__ = [
    "INSTALL_HINT",
    "fetch_tokenizer",
    "fetch_tokenizer_async",
    "call",
    "call_async",
    "tokenizer_folder",
]

INSTALL_HINT = "the local tokenizer needs the tokenizers package: pip install 'cohere-dyn[tokenizers]'"
EXTENSION = "x-cohere-dyn"

_LOADED: dict[tuple[str, str], Any] = {}  # (base URL, model) -> tokenizers.Tokenizer
_UNUSABLE: dict[tuple[str, str], str] = {}  # (base URL, model) -> why it can't be had (an answer, not a fault)
_LOCKS: dict[tuple[str, str], threading.Lock] = {}


class _Unavailable(CohereError):
    """The model's tokenizer can't be had. `lasting`: asking again would get the same answer (it is
    remembered for the process); `warn`: offline=None warns before asking the API (not when the
    package is simply not installed, nor again for a remembered answer)."""

    def __init__(self, message: str, lasting: bool = False, warn: bool = True):
        super().__init__(message)
        self.lasting = lasting
        self.warn = warn


def tokenizer_folder() -> str | None:
    """Where tokenizers are kept between processes: `$COHERE_DYN_CACHE_DIR/tokenizers` when that
    variable is set (empty: nowhere), else `$XDG_CACHE_HOME/cohere_dyn/tokenizers` (by default
    `~/.cache/cohere_dyn/tokenizers`)."""
    from .._spec._loader import user_cache_folder

    folder = user_cache_folder()
    return os.path.join(folder, "tokenizers") if folder else None


# Calls ------------------------------------------------------------------------------------------


def call(client: Any, caller: Any, operation: Operation, kwargs: dict[str, Any]) -> Any:
    """A call of an operation with a `local-tokenizer` rule, on the sync client."""
    rule: TokenizerRule = operation.tokenizer  # type: ignore[assignment]
    offline = _switch(operation, rule, kwargs)
    if offline is False:
        return caller.invoke(operation, kwargs)
    prepare(client._spec, operation, kwargs, validate=client._validate)  # any mistake raises before a request
    try:
        tokenizer = _tokenizer(client, kwargs[rule.model])
        result = _apply(tokenizer, rule, kwargs)
    except _Unavailable as exc:
        if offline:
            raise CohereError(str(exc)) from exc.__cause__
        return caller.invoke(operation, _fallback(client, operation, kwargs, exc))
    return _answer(client, operation, rule, result)


async def call_async(client: Any, caller: Any, operation: Operation, kwargs: dict[str, Any]) -> Any:
    """`call` on the async client."""
    rule: TokenizerRule = operation.tokenizer  # type: ignore[assignment]
    offline = _switch(operation, rule, kwargs)
    if offline is False:
        return await caller.invoke(operation, kwargs)
    prepare(client._spec, operation, kwargs, validate=client._validate)
    try:
        tokenizer = await _tokenizer_async(client, kwargs[rule.model])
        result = await asyncio.to_thread(_apply, tokenizer, rule, kwargs)
    except _Unavailable as exc:
        if offline:
            raise CohereError(str(exc)) from exc.__cause__
        return await caller.invoke(operation, _fallback(client, operation, kwargs, exc))
    return _answer(client, operation, rule, result)


def fetch_tokenizer(client: Any, model: str) -> Any:
    """The model's tokenizer (a `tokenizers.Tokenizer`); CohereError when it can't be had."""
    try:
        return _tokenizer(client, _model_name(model))
    except _Unavailable as exc:
        raise CohereError(str(exc)) from exc.__cause__


async def fetch_tokenizer_async(client: Any, model: str) -> Any:
    try:
        return await _tokenizer_async(client, _model_name(model))
    except _Unavailable as exc:
        raise CohereError(str(exc)) from exc.__cause__


def _model_name(model: Any) -> str:
    if not isinstance(model, str) or not model:
        raise TypeError(f"fetch_tokenizer(model=...) takes a model name, not {model!r}")
    return model


def _switch(operation: Operation, rule: TokenizerRule, kwargs: dict[str, Any]) -> bool | None:
    """The switch's value (None when not given), taken out of the keywords: it never reaches the wire."""
    offline = kwargs.pop(rule.switch, None)
    if offline is not None and not isinstance(offline, bool):
        raise TypeError(f"{operation.qualified_name}({rule.switch}=...) takes True, False or None, not {offline!r}")
    return offline


def _apply(tokenizer: Any, rule: TokenizerRule, kwargs: dict[str, Any]) -> Any:
    value = kwargs[rule.input]
    try:
        if rule.action == "encode":
            return tokenizer.encode(value, add_special_tokens=False).ids
        return tokenizer.decode(list(value))
    except Exception as exc:  # the tokenizers package's own errors (an id its vocabulary lacks...)
        raise CohereError(f"the tokenizer of model {kwargs[rule.model]!r} could not {rule.action} this: {exc}") from exc


def _answer(client: Any, operation: Operation, rule: TokenizerRule, result: Any) -> Any:
    """The answer object, as the API's would be (its fields, its type)."""
    content = json.dumps({rule.result: result, **rule.answer}).encode()
    return decode_content(client._spec, operation, 200, {"content-type": "application/json"}, content)


def _fallback(client: Any, operation: Operation, kwargs: dict[str, Any], reason: _Unavailable) -> dict[str, Any]:
    """The keywords of the API call made in place of a local one: the source's fallback headers added."""
    if reason.warn:
        logger.warning("%s: %s; asking the API instead (offline=True would raise)", operation.qualified_name, reason)
    options = dict(kwargs.get("request_options") or {})
    options["additional_headers"] = {**(options.get("additional_headers") or {}), **_source(client)[2]}
    return {**kwargs, "request_options": options}


# Finding and loading a tokenizer ----------------------------------------------------------------


def _tokenizer(client: Any, model: str) -> Any:
    key = (client._base_url, model)
    found = _LOADED.get(key)
    if found is not None:
        return found
    _check_usable(key)
    tokenizers = _require_tokenizers()
    with _LOCKS.setdefault(key, threading.Lock()), _remembered(key):  # threads asking together download it once
        found = _LOADED.get(key)
        if found is None:
            found = _from_disk(tokenizers, key)
            if found is None:
                url = _url(client, model, _ask(client, model))
                content = _download(client, model, url)
                found = _parse(tokenizers, model, url, content)
                _to_disk(key, content)
            _LOADED[key] = found
    return found


async def _tokenizer_async(client: Any, model: str) -> Any:
    key = (client._base_url, model)
    found = _LOADED.get(key)
    if found is not None:
        return found
    _check_usable(key)
    tokenizers = _require_tokenizers()
    with _remembered(key):
        found = await asyncio.to_thread(_from_disk, tokenizers, key)
        if found is None:
            get, arguments = _lookup(client, model)
            try:
                answer = await client._invoke(get, arguments)
            except CohereError as exc:
                raise _lookup_failed(client, model, exc) from exc
            url = _url(client, model, answer)
            content = await _download_async(client, model, url)
            found = await asyncio.to_thread(_parse, tokenizers, model, url, content)
            await asyncio.to_thread(_to_disk, key, content)
    return _LOADED.setdefault(key, found)


def _check_usable(key: tuple[str, str]) -> None:
    reason = _UNUSABLE.get(key)
    if reason is not None:
        raise _Unavailable(reason, lasting=True, warn=False)  # said when it was found


@contextmanager
def _remembered(key: tuple[str, str]) -> Iterator[None]:
    """A lasting `_Unavailable` raised inside is kept for `key`: the next call raises it at once."""
    try:
        yield
    except _Unavailable as exc:
        if exc.lasting:
            _UNUSABLE[key] = str(exc)
        raise


def _require_tokenizers() -> Any:
    try:
        import tokenizers
    except ImportError:
        raise _Unavailable(INSTALL_HINT, warn=False) from None
    return tokenizers


def _source(client: Any) -> tuple[str, str, dict[str, str]]:
    """(the get method, the URL field, the fallback headers) of the spec's `tokenizers` entry."""
    spec = client._spec
    entry = (spec.document.get(EXTENSION) or {}).get("tokenizers")
    if entry is None:
        raise _Unavailable(f"{spec.source} names no tokenizers ({EXTENSION}.tokenizers)", lasting=True)
    try:
        return str(entry["get"]), str(entry["url"]), {str(k): str(v) for k, v in (entry.get("fallback-headers") or {}).items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise SpecError(f"{EXTENSION}.tokenizers needs get, url and optional fallback-headers ({exc})", source=spec.source,
                        pointer=f"#/{EXTENSION}/tokenizers") from None


def _lookup(client: Any, model: str) -> tuple[Operation, dict[str, Any]]:
    """The get operation that names the model's tokenizer, and its arguments."""
    operation = client._spec.operation(_source(client)[0])
    path = [argument.keyword for argument in operation.arguments if argument.location == "path"]
    if len(path) != 1:
        raise SpecError(f"{EXTENSION}.tokenizers: {operation.qualified_name} must take one path argument, the model",
                        source=client._spec.source)
    return operation, {path[0]: model}


def _ask(client: Any, model: str) -> Any:
    get, arguments = _lookup(client, model)
    try:
        return client._invoke(get, arguments)
    except CohereError as exc:
        raise _lookup_failed(client, model, exc) from exc


def _lookup_failed(client: Any, model: str, exc: CohereError) -> _Unavailable:
    status = exc.status_code if isinstance(exc, ApiError) else None
    lasting = status is not None and 400 <= status < 500 and status not in (408, 429)
    return _Unavailable(f"no tokenizer for model {model!r}: {_source(client)[0]} failed: {exc}", lasting)


def _url(client: Any, model: str, answer: Any) -> str:
    field = _source(client)[1]
    url = (answer.to_dict() if hasattr(answer, "to_dict") else {}).get(field)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise _Unavailable(
            f"no tokenizer for model {model!r}: {_source(client)[0]} gave no {field} (an http(s) URL), but {url!r}",
            lasting=True,
        )
    return url


def _parse(tokenizers: Any, model: str, url: str, content: bytes) -> Any:
    try:
        return tokenizers.Tokenizer.from_str(content.decode("utf-8"))
    except Exception as exc:  # the tokenizers package raises its own kinds
        raise _Unavailable(
            f"the tokenizer of model {model!r} from {_shown(url)} is not a tokenizer.json the tokenizers package "
            f"reads: {exc}",
            lasting=True,
        ) from exc


def _shown(url: str) -> str:
    """A URL as errors show it: without its query string (a signed link's secret)."""
    return url.split("?", 1)[0]


# Downloading --------------------------------------------------------------------------------------


def _download(client: Any, model: str, url: str) -> bytes:
    """The file at `url`, through the client's transport, retried as the client retries."""
    transport = (client._caller or client._start()).transport
    request = HttpRequest("GET", url, {"User-Agent": USER_AGENT}, None, client._timeout)
    policy, attempt = RetryPolicy(), 0
    while True:
        try:
            response = transport.send(request)
            try:
                status, headers, content = response.status_code, response.headers, response.read()
            finally:
                response.close()
        except (ConnectionError, TimeoutError) as exc:
            delay = _after_failure(policy, exc, attempt, client._max_retries, model, url)
        else:
            if status < 400:
                return content
            delay = _after_status(policy, status, headers, attempt, client._max_retries, model, url)
        time.sleep(delay)
        attempt += 1


async def _download_async(client: Any, model: str, url: str) -> bytes:
    transport = (client._caller or client._start()).transport
    request = HttpRequest("GET", url, {"User-Agent": USER_AGENT}, None, client._timeout)
    policy, attempt = RetryPolicy(), 0
    while True:
        try:
            response = await transport.send(request)
            try:
                status, headers, content = response.status_code, response.headers, await response.aread()
            finally:
                await response.aclose()
        except (ConnectionError, TimeoutError) as exc:
            delay = _after_failure(policy, exc, attempt, client._max_retries, model, url)
        else:
            if status < 400:
                return content
            delay = _after_status(policy, status, headers, attempt, client._max_retries, model, url)
        await asyncio.sleep(delay)
        attempt += 1


def _after_failure(policy: RetryPolicy, exc: Exception, attempt: int, max_retries: int, model: str, url: str) -> float:
    delay = policy.after_failure(exc, attempt, max_retries)
    if delay is None:
        raise _Unavailable(f"the tokenizer of model {model!r} could not be downloaded: GET {_shown(url)}: {exc}") from exc
    _log_retry(model, str(exc), attempt, max_retries, delay)
    return delay


def _after_status(
    policy: RetryPolicy, status: int, headers: Any, attempt: int, max_retries: int, model: str, url: str
) -> float:
    delay = policy.after_status(status, headers, attempt, max_retries)
    if delay is None:
        raise _Unavailable(
            f"the tokenizer of model {model!r} could not be downloaded: GET {_shown(url)} answered {status}",
            lasting=400 <= status < 500 and status not in (408, 409, 429),
        )
    _log_retry(model, f"status {status}", attempt, max_retries, delay)
    return delay


def _log_retry(model: str, reason: str, attempt: int, max_retries: int, delay: float) -> None:
    logger.warning("the tokenizer of model %r: %s; retry %d of %d in %.2fs", model, reason, attempt + 1, max_retries, delay)


# The cache on disk --------------------------------------------------------------------------------


def _file(key: tuple[str, str]) -> str | None:
    folder = tokenizer_folder()
    if folder is None:
        return None
    digest = hashlib.sha256(f"{key[0]}\n{key[1]}".encode()).hexdigest()  # any model name makes a safe file name
    return os.path.join(folder, digest + ".json")


def _from_disk(tokenizers: Any, key: tuple[str, str]) -> Any:
    """The tokenizer kept for `key`, or None (none kept, or one that doesn't load: fetched anew)."""
    path = _file(key)
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return tokenizers.Tokenizer.from_str(handle.read())
    except Exception:  # missing, unreadable or damaged: the download replaces it
        return None


def _to_disk(key: tuple[str, str], content: bytes) -> None:
    """Keep `content` for `key`, whole or not at all; a folder that can't be written is no error."""
    from .._spec._loader import write_atomically

    path = _file(key)
    if path is not None and not write_atomically(os.path.dirname(path), path, content):
        logger.info("the tokenizer could not be kept in %s", os.path.dirname(path))
