"""One call with more inputs than a request may carry, sent as several requests and merged.

Driven by an operation's `batch` rule (`x-cohere-dyn.batch` in the spec):

- the list argument `field` is cut into slices of `batch_size` (default: the rule's `size`);
  every slice is prepared (validated, encoded) before anything is sent, so a bad input at
  position 500 fails before the first request, its error path counted in the caller's list;
- the slices go out concurrently (threads for the sync client, or the client's
  `thread_pool_executor`, sized by its owner; tasks for the async one) through one concurrency
  window (`_throttled.RateLimits`, as embed_stream's): `max_workers` at once when given, else
  from 2 growing to the default while answers come back promptly. Each batch has the client's
  retries, except for 429s: after one the batches are paced, and it pauses every batch for the
  wait the server asked (see `_limiter`), so a rate limit slows the call down instead of
  failing it; held up past the patience (`PATIENCE` seconds without an answer), it
  raises TooManyRequestsError naming the inputs not embedded (from the first batch unanswered);
- each answer must hold one result per input of its batch in the rule's `results` field (a list,
  or an object of such lists by type, each counted): a short or long one fails the call, as a
  failing batch does, instead of shifting every later result onto the wrong input;
- the answers merge in input order by the rule's `merge` map (dotted response path -> `concat`:
  lists joined, or for an object of lists joined key by key; `sum`: numbers, or an object of
  numbers key by key, added up; `unique`: lists joined without repeats; `join`: the batches'
  values as one string, ", " between them, as the official SDK names a merged answer's id);
  every other field is the first batch's;
- an empty list gets the rule's `empty` answer with no request (the other arguments are still
  validated): the first entry whose `if-argument` was given, or that has none; inside its
  `result`, `{for-each: ARG, value: V}` is an object with one key per item of argument ARG;
- any other failing batch raises its own error at once, carrying `inputs` (the range of
  positions it covered) and naming them in its message; the batches not yet sent are cancelled.

Only `run` and `run_async` differ between the clients.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

from .._call._prepare import PreparedRequest, check_keywords, prepare, validate_arguments
from .._errors import CohereError, TooManyRequestsError, ValidationError, ValidationProblem
from .._models import Model, models_of, wrap
from .._spec._operations import PATIENCE, BatchRule, BulkRule, Operation
from .._spec._document import Spec
from .._spec._schemas import discriminator_values
from ._throttled import RateLimits, window_for

__all__ = ["Batches", "count_option", "counted_results", "merge_answers", "merge_embed_responses", "name_inputs", "run", "run_async", "shifted"]

MERGES = ("concat", "sum", "unique", "join")


class Batches:
    """What one call of a batched operation amounts to: exactly one of `call` (send it as an
    ordinary call), `result` (the answer, already known) or `prepared` (the batches to send)."""

    def __init__(self, spec: Spec, operation: Operation, kwargs: dict[str, Any], validate: bool):
        check_keywords(operation, kwargs)
        rule: BatchRule = operation.batch  # type: ignore[assignment]
        self.spec = spec
        self.operation = operation
        self.rule = rule
        by_keyword = operation.by_keyword
        options = {k: v for k, v in kwargs.items() if k in by_keyword and by_keyword[k].location == "client"}
        call = {k: v for k, v in kwargs.items() if k not in options}
        self.call: dict[str, Any] | None = None
        self.result: Any = None
        self.prepared: list[PreparedRequest] = []
        self.spans: list[tuple[int, int]] = []
        workers = options.get("max_workers")
        self.max_workers = count_option(workers, "max_workers", 8, operation)
        self.workers_given = workers is not None
        self.progress = options.get("progress")
        items = call.get(rule.keyword)
        size = count_option(options.get("batch_size"), "batch_size", rule.size, operation)
        if options.get("batching") is False or not isinstance(items, (list, tuple)):
            self.call = call
            return
        if not items:
            empty = _empty(rule, call)
            if empty is None:
                self.call = call  # no empty answer declared: the spec's validation decides
                return
            if (call.get("request_options") or {}).get("validate", validate):
                validate_arguments(spec, operation, {**call, rule.keyword: None})
            self.result = wrap(empty, models_of(spec).shape(operation.response_schema) if operation.response_schema else None)
            return
        if len(items) <= size:
            self.call = call
            return
        for start in range(0, len(items), size):
            stop = min(start + size, len(items))
            try:
                self.prepared.append(prepare(spec, operation, {**call, rule.keyword: items[start:stop]}, validate=validate))
            except ValidationError as exc:
                raise shifted(exc, rule.keyword, start, stop) from None
            self.spans.append((start, stop))
        self.total = len(items)
        self.answered = [False] * len(self.spans)

    def failed(self, exc: CohereError, index: int) -> CohereError:
        """`exc`, raised by batch `index`, made to say which inputs that batch covered."""
        start, stop = self.spans[index]
        where = f"batch {index + 1} of {len(self.spans)} ({self.rule.keyword}[{start}:{stop}])"
        return name_inputs(exc, self.operation, where, range(start, stop))

    def limits(self) -> RateLimits:
        """The window all batches of this call share: `max_workers` given, that many at once; else
        from 2 up to the default."""
        return RateLimits(window_for(self.max_workers if self.workers_given else None, self.max_workers), PATIENCE)

    def gave_up(self, exc: TooManyRequestsError, reason: str) -> CohereError:
        """A 429 past the patience, naming the inputs not embedded: from the first batch unanswered."""
        start = self.spans[self.answered.index(False)][0]  # the batch giving up is one
        left = self.answered.count(False)
        where = f"{reason}; {self.rule.keyword}[{start}:{self.total}] not embedded ({left} of {len(self.spans)} batches unanswered)"
        return name_inputs(exc, self.operation, where, range(start, self.total))

    def decoded(self, caller: Any, index: int, response: Any, content: bytes) -> Any:
        """Batch `index`'s answer as a dict (a cloud deployment's decoded as such), its results
        counted; marks it answered."""
        from .._call._caller import build_request, decode_content, secrets_of
        from .._redaction import redact

        self.answered[index] = True
        try:
            answer = decode_content(
                self.spec, self.operation, response.status_code, response.headers, content, caller.deployment
            )
        except CohereError as exc:  # it may quote the answer, which may echo what the request carried
            redact(exc, secrets_of(caller.client, build_request(caller.client, self.prepared[index])))
            raise self.failed(exc, index)
        data = answer._data if isinstance(answer, Model) else answer  # as decoded: JSON, nothing to convert
        if self.rule.results is not None:
            start, stop = self.spans[index]
            try:
                counted_results(self.rule, data, stop - start)
            except CohereError as exc:
                raise self.failed(exc, index) from None
        return data

    def merged(self, answers: list[Any]) -> Any:
        merged = merge_answers(self.rule.merge, [item for item in answers if isinstance(item, dict)])
        schema = self.operation.response_schema
        return wrap(merged, models_of(self.spec).shape(schema) if schema is not None else None)

    def reporter(self) -> "_Progress":
        return _Progress(self.progress, self.total, len(self.spans), self.rule.keyword, self.operation.qualified_name)


def run(caller: Any, operation: Operation, kwargs: dict[str, Any]) -> Any:
    """A batched call on the sync client: batches on a thread pool of at most `max_workers`, or on
    the client's `thread_pool_executor` when it has one, through one window."""
    batches = Batches(caller.spec, operation, kwargs, caller.client._validate)
    if batches.call is not None:
        return caller.invoke(operation, batches.call)
    if not batches.prepared:
        return batches.result
    from concurrent.futures import ThreadPoolExecutor, as_completed
    from contextlib import nullcontext

    from ._limiter import Gate

    limits = batches.limits()
    gate = Gate(limits.window)

    def send(index: int) -> Any:
        response, content = limits.send(
            gate, caller, batches.prepared[index], lambda exc: batches.failed(exc, index), batches.gave_up
        )
        return batches.decoded(caller, index, response, content)

    answers: list[Any] = [None] * len(batches.prepared)
    progress = batches.reporter()
    executor = caller.client._executor  # the client's thread_pool_executor (the official SDK's), kept open
    pools = (
        nullcontext(executor)
        if executor is not None
        else ThreadPoolExecutor(min(batches.max_workers, len(answers)), thread_name_prefix="cohere-dyn-batch")
    )
    with pools as pool:
        futures = {pool.submit(send, index): index for index in range(len(answers))}
        try:
            for future in as_completed(futures):
                index = futures[future]
                answers[index] = future.result()
                progress.advance(batches.spans[index])
        except BaseException:
            gate.stop()  # workers waiting for the window give up (Stopped, never looked at)
            for future in futures:
                future.cancel()
            raise
        finally:
            progress.close()
    return batches.merged(answers)


async def run_async(caller: Any, operation: Operation, kwargs: dict[str, Any]) -> Any:
    """A batched call on the async client: one task per batch, through one window."""
    import asyncio

    batches = Batches(caller.spec, operation, kwargs, caller.client._validate)
    if batches.call is not None:
        return await caller.invoke(operation, batches.call)
    if not batches.prepared:
        return batches.result
    from ._limiter import AsyncGate

    limits = batches.limits()
    gate = AsyncGate(limits.window)
    waiting = asyncio.Semaphore(batches.max_workers)  # no more tasks than that woken by each change of the window

    async def send(index: int) -> tuple[int, Any]:
        async with waiting:
            response, content = await limits.send_async(
                gate, caller, batches.prepared[index], lambda exc: batches.failed(exc, index), batches.gave_up
            )
        return index, batches.decoded(caller, index, response, content)

    answers: list[Any] = [None] * len(batches.prepared)
    progress = batches.reporter()
    tasks = [asyncio.ensure_future(send(index)) for index in range(len(answers))]
    try:
        for next_done in asyncio.as_completed(tasks):
            index, answer = await next_done
            answers[index] = answer
            progress.advance(batches.spans[index])
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    finally:
        progress.close()
    return batches.merged(answers)


# ------------------------------------------------------------------------------------ merging


def merge_embed_responses(responses: list[Any], spec: Spec | None = None) -> Any:
    """One answer from the answers of an embed request split in batches, by the merge rule of the
    operation that answered them (v1 or v2 embed: the one whose response schema reads them)."""
    if not responses:
        raise ValueError("merge_embed_responses() needs at least one answer")
    spec = spec or Spec.load()
    schemas = {id(getattr(getattr(answer, "_shape", None), "schema", None)) for answer in responses}
    for operation in spec.operations:
        if operation.batch is None or operation.bulk or operation.response_schema is None:
            continue
        target = spec.resolver.deref(operation.response_schema)
        branches = discriminator_values(spec.resolver, target) if isinstance(target, dict) else None
        readable = {id(target), *(id(spec.resolver.deref(branch)) for branch in (branches or {}).values())}
        if schemas <= readable:
            data = [answer.to_dict() if isinstance(answer, Model) else answer for answer in responses]
            merged = merge_answers(operation.batch.merge, data)
            return wrap(merged, models_of(spec).shape(operation.response_schema))
    raise TypeError("merge_embed_responses() takes the answers of an embed request (the models its calls return)")


def merge_answers(merge: dict[str, str], answers: list[dict[str, Any]]) -> dict[str, Any]:
    """One answer from several, by the `merge` map (see the module docstring)."""
    if not answers:
        return {}
    result = dict(answers[0])
    for path, how in merge.items():
        keys = path.split(".")
        values = [value for value in (_at(answer, keys) for answer in answers) if value is not None]
        if values:
            _put(result, keys, _combine(how, values))
    return result


def _combine(how: str, values: list[Any]) -> Any:
    first = values[0]
    if how == "join":  # ids: each batch's, as the official SDK's merged answer names them
        return ", ".join(str(value) for value in values)
    if how == "sum":
        if isinstance(first, dict):
            keys = dict.fromkeys(key for value in values if isinstance(value, dict) for key in value)
            return {key: _combine("sum", [v[key] for v in values if isinstance(v, dict) and v.get(key) is not None] or [None]) for key in keys}
        numbers = [value for value in values if isinstance(value, (int, float)) and not isinstance(value, bool)]
        return sum(numbers) if numbers else first
    if isinstance(first, dict):  # an object of lists (embeddings by type): joined key by key
        keys = dict.fromkeys(key for value in values if isinstance(value, dict) for key in value)
        return {key: _combine(how, [v[key] for v in values if isinstance(v, dict) and key in v]) for key in keys}
    if not isinstance(first, list):
        return first
    joined = [item for value in values if isinstance(value, list) for item in value]
    if how == "unique":
        unique: list[Any] = []
        for item in joined:
            if item not in unique:
                unique.append(item)
        return unique
    return joined


def counted_results(rule: BatchRule | BulkRule, data: Any, count: int) -> dict[str, list[Any]]:
    """An answer's results by type, each list holding one result per input of its batch (`count`
    of them); else a CohereError saying what is wrong. The rule's `results` field is a list of them
    (of the rule's plain type), or an object of such lists by type (each counted; other values are
    no results)."""
    found = data.get(rule.results) if isinstance(data, dict) else None
    if isinstance(found, list):
        by_type = {rule.plain_type: found}
    elif isinstance(found, dict):
        by_type = {str(kind): values for kind, values in found.items() if isinstance(values, list)}
        if not by_type:
            raise CohereError(f"the answer's {rule.results!r} holds no list of results for {count} inputs")
    else:
        raise CohereError(f"the answer has no {rule.results!r} for {count} inputs")
    for kind, values in by_type.items():
        if len(values) != count:
            raise CohereError(f"the answer holds {len(values)} {kind} {rule.results} for {count} inputs")
    return by_type


def _at(data: Any, keys: list[str]) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _put(data: dict[str, Any], keys: list[str], value: Any) -> None:
    for key in keys[:-1]:
        inner = data.get(key)
        data[key] = inner = dict(inner) if isinstance(inner, dict) else {}  # copied: answers stay as received
        data = inner
    data[keys[-1]] = value


# --------------------------------------------------------------------------- empty, checks


def _empty(rule: BatchRule, call: dict[str, Any]) -> Any:
    for entry in rule.empty:
        condition = entry.get("if-argument")
        if condition is None or call.get(condition) is not None:
            return _render(entry.get("result"), call)
    return None


def _render(template: Any, call: dict[str, Any]) -> Any:
    if isinstance(template, dict):
        if set(template) == {"for-each", "value"}:
            return {str(item): _render(template["value"], call) for item in call.get(template["for-each"]) or ()}
        return {key: _render(value, call) for key, value in template.items()}
    if isinstance(template, list):
        return [_render(item, call) for item in template]
    return template


def name_inputs(exc: CohereError, operation: Operation, where: str, inputs: range) -> CohereError:
    """`exc` made to say which inputs it concerns: `where` in its message, `inputs` as an attribute."""
    message = str(exc.args[0]) if exc.args else type(exc).__name__
    exc.args = (f"{operation.qualified_name}: {where}: {message}", *exc.args[1:])
    exc.inputs = inputs  # type: ignore[attr-defined]
    return exc


def count_option(value: Any, name: str, default: int, operation: Operation) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{operation.qualified_name}(): {name} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{operation.qualified_name}(): {name} must be at least 1, not {value}")
    return value


def shifted(exc: ValidationError, keyword: str, start: int, stop: int) -> ValidationError:
    """A batch's ValidationError with paths counted in the caller's whole list."""
    prefix = keyword + "["
    problems = []
    for problem in exc.problems:
        path = problem.path
        if path.startswith(prefix) and "]" in path:
            position, rest = path[len(prefix) :].split("]", 1)
            if position.isdigit():
                path = f"{prefix}{int(position) + start}]{rest}"
        problems.append(ValidationProblem(path, problem.message, problem.validator))
    shifted = ValidationError(exc.method, problems)
    shifted.inputs = range(start, stop)  # type: ignore[attr-defined]
    return shifted


class _Progress:
    """Reports finished batches: to a callable, to a tqdm bar, or nowhere.

    `option` None: a tqdm bar only when tqdm is installed, stderr is a terminal and there is more
    than one batch; True: a tqdm bar if tqdm is installed; False: nothing; a callable is called as
    `option(done, total)` with counts of inputs.
    """

    def __init__(self, option: Any, total: int, batches: int, unit: str, name: str):
        self.total = total
        self.done = 0
        self.callback: Callable[[int, int], Any] | None = option if callable(option) else None
        self.bar: Any = None
        wanted = option is True or (option is None and batches > 1 and _interactive())
        if self.callback is None and wanted:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                return
            self.bar = tqdm(total=total, unit=unit.rstrip("s") or unit, desc=name, leave=False)

    def advance(self, span: tuple[int, int]) -> None:
        count = span[1] - span[0]
        self.done += count
        if self.callback is not None:
            self.callback(self.done, self.total)
        elif self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _interactive() -> bool:
    stream = sys.stderr
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):
        return False
