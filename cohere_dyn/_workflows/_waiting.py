"""`client.wait(job)`: poll a job or dataset until it reaches a final status.

Two spec extensions drive it, so no resource is named here:

- on a response schema, `x-cohere-dyn-wait: {get: embed_jobs.get, id: job_id}` says that an
  object of that schema (an `EmbedJob`, a `CreateEmbedJobResponse`, a `DatasetsGetResponse`...)
  can be waited on by calling the method `get` with the value at the dotted path `id` as its
  one path argument;
- on that get operation, `x-cohere-dyn.wait: {status, done, failed}` says where its answer's
  status is (a dotted path) and which statuses end the wait in success or in failure.

The wait returns the last answer of `get` once its status is in `done`, raises `JobFailedError`
once it is in `failed`, and `WaitTimeoutError` when `timeout` seconds pass first. Nothing is
printed; `progress`, if given, is called with every answer.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from .._errors import CohereError, JobFailedError, WaitTimeoutError
from .._models import Model
from .._spec._operations import Operation
from .._spec._document import Spec

__all__ = ["target", "wait", "wait_async"]

WAIT_EXTENSION = "x-cohere-dyn-wait"
DEFAULT_INTERVAL = 2.0


def target(spec: Spec, job: Any) -> tuple[Operation, dict[str, Any]]:
    """The get operation that reports on `job`, and its arguments."""
    if not isinstance(job, Model):
        raise TypeError(
            f"wait() takes an object the API returned (an embed job, a dataset...), not {type(job).__name__}"
        )
    name = job._shape.name
    schema = (spec.document.get("components", {}).get("schemas", {}) or {}).get(name)
    rule = schema.get(WAIT_EXTENSION) if isinstance(schema, dict) else None
    if not isinstance(rule, dict):
        waitable = sorted(
            key for key, value in (spec.document.get("components", {}).get("schemas", {}) or {}).items()
            if isinstance(value, dict) and WAIT_EXTENSION in value
        )
        raise TypeError(f"wait() can't wait on a {name}; it waits on {', '.join(waitable) or 'nothing in this spec'}")
    operation = spec.operation(rule["get"])
    if operation.wait is None:
        raise CohereError(f"{operation.qualified_name} has no `wait` rule in the spec, so its statuses are unknown")
    ident = _at(job.to_dict(), rule["id"])
    if ident is None:
        raise ValueError(f"wait(): this {name} has no {rule['id']!r}")
    path = [argument.keyword for argument in operation.arguments if argument.location == "path"]
    if len(path) != 1:
        raise CohereError(f"{operation.qualified_name} must take exactly one path argument to be waited on")
    return operation, {path[0]: ident}


def verdict(operation: Operation, answer: Any) -> tuple[str | None, Any]:
    """("done" | "failed" | None, the status) for one answer of the get operation."""
    rule = operation.wait
    assert rule is not None
    status = _at(answer.to_dict() if isinstance(answer, Model) else answer, rule.status)
    if status in rule.done:
        return "done", status
    if status in rule.failed:
        return "failed", status
    return None, status


def wait(
    client: Any,
    job: Any,
    timeout: float | None = None,
    interval: float = DEFAULT_INTERVAL,
    progress: Callable[[Any], Any] | None = None,
) -> Any:
    operation, kwargs = target(client._spec, job)
    deadline = _deadline(timeout, interval)
    while True:
        answer = client._invoke(operation, kwargs)
        delay = _next(operation, answer, deadline, timeout, interval, progress)
        if delay is None:
            return answer
        time.sleep(delay)


async def wait_async(
    client: Any,
    job: Any,
    timeout: float | None = None,
    interval: float = DEFAULT_INTERVAL,
    progress: Callable[[Any], Any] | None = None,
) -> Any:
    import asyncio

    operation, kwargs = target(client._spec, job)
    deadline = _deadline(timeout, interval)
    while True:
        answer = await client._invoke(operation, kwargs)
        delay = _next(operation, answer, deadline, timeout, interval, progress)
        if delay is None:
            return answer
        await asyncio.sleep(delay)


def _deadline(timeout: float | None, interval: float) -> float | None:
    if interval < 0:
        raise ValueError("wait(): interval can't be negative")
    if timeout is not None and timeout < 0:
        raise ValueError("wait(): timeout can't be negative")
    return None if timeout is None else time.monotonic() + timeout


def _next(
    operation: Operation,
    answer: Any,
    deadline: float | None,
    timeout: float | None,
    interval: float,
    progress: Callable[[Any], Any] | None,
) -> float | None:
    """None when `answer` is final; the seconds to wait before the next poll otherwise."""
    if progress is not None:
        progress(answer)
    outcome, status = verdict(operation, answer)
    if outcome == "done":
        return None
    if outcome == "failed":
        raise JobFailedError(f"{operation.qualified_name}: ended with status {status!r}", status, answer)
    if deadline is None:
        return interval
    left = deadline - time.monotonic()
    if left <= 0:
        raise WaitTimeoutError(
            f"{operation.qualified_name}: still {status!r} after {timeout:g} s", answer
        )
    return min(interval, left)


def _at(data: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
