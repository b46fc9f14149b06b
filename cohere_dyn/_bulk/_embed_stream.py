"""`embed_stream`: any iterable of inputs in, one `StreamedEmbedding` per input and type out.

Driven by the operation's `batch.stream` rule (spec: `x-cohere-dyn.batch.stream`): which list
arguments may be iterables (`inputs`), where an answer keeps its results (`results`: a list, or
lists by embedding type) and the type of a plain list (`plain-type`).

- Inputs are read a batch at a time, only when the concurrency window (`_workflows._limiter`) has
  room for another request; results are yielded in input order, a batch once it and every
  batch before it are answered. So at any point: inputs read <= results yielded + (batches sent
  and not yet yielded + 1) x batch_size, and memory stays flat however long the input.
- Each batch is prepared (validated, encoded) by the core call path and sent through the run's
  `_workflows._throttled.RateLimits`: the client's caller with its retries, except for 429s,
  after which requests are paced and every worker pauses at once. A run held up by 429s for
  longer than `patience` seconds raises TooManyRequestsError naming the inputs not embedded
  (`inputs`: their range).
- Any other error fails fast: batches in flight are abandoned, nothing more is read, and the
  error names the batch's inputs (`texts[192:288]`, and `.inputs`).
- Within `numbers_as_text()`, a run yields each vector as a `JSONText`, the numbers as the
  server wrote them, for a writer that copies vectors out (`cohere-dyn embed`): it skips
  turning every number into a float and back into text (less than half the CPU per text at
  1024 floats). An answer holding anything else in a vector (a string, null), or not written
  compactly, is decoded as usual, and so are the run's later ones.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import json
from typing import Any, Iterable, Iterator

from .._call._prepare import PreparedRequest, check_keywords, prepare
from .._errors import CohereError, TooManyRequestsError, ValidationError
from .._spec._operations import Operation
from .._workflows._batching import count_option, counted_results, name_inputs, shifted
from .._workflows._limiter import AsyncGate, Gate, Stopped
from .._workflows._throttled import RateLimits, window_for

__all__ = ["JSONText", "StreamedEmbedding", "embed_stream", "embed_stream_async", "numbers_as_text"]

OPTIONS = ("batch_size", "max_workers", "patience")
_AS_TEXT = contextvars.ContextVar("cohere_dyn_numbers_as_text", default=False)


class JSONText(str):
    """A vector as the JSON text of its numbers, exactly as the server sent them (`numbers_as_text`)."""

    __slots__ = ()


@contextlib.contextmanager
def numbers_as_text() -> Iterator[None]:
    """embed_stream runs started within yield vectors as `JSONText` (see the module doc)."""
    token = _AS_TEXT.set(True)
    try:
        yield
    finally:
        _AS_TEXT.reset(token)


class StreamedEmbedding:
    """One input's embedding of one type: `index` (its position in the input), `embedding`,
    `embedding_type` ("float", "int8"...) and `text` (None for an image or a mixed input)."""

    __slots__ = ("index", "embedding", "embedding_type", "text")

    def __init__(self, index: int, embedding: list[Any] | str, embedding_type: str, text: str | None = None):
        self.index = index
        self.embedding = embedding
        self.embedding_type = embedding_type
        self.text = text

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StreamedEmbedding) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        shown = self.embedding[:3] if isinstance(self.embedding, list) else self.embedding[:12]
        return f"StreamedEmbedding(index={self.index}, embedding_type={self.embedding_type!r}, embedding={shown}...)"


class _Batch:
    __slots__ = ("start", "items", "prepared")

    def __init__(self, start: int, items: list[Any], prepared: PreparedRequest):
        self.start = start
        self.items = items
        self.prepared = prepared

    @property
    def stop(self) -> int:
        return self.start + len(self.items)


class _Run:
    """What one embed_stream call amounts to: the input, the batches, the window."""

    def __init__(self, caller: Any, operation: Operation, kwargs: dict[str, Any]):
        check_keywords(operation, kwargs)  # a misspelt keyword fails at the call, not at the first item
        rule = operation.batch.stream if operation.batch is not None else None
        assert rule is not None  # the dispatcher sends only bulk operations here, and those have the rule
        self.operation = operation
        self.caller = caller
        self.rule = rule
        given = [name for name in rule.inputs if kwargs.get(name) is not None]
        if len(given) != 1:
            raise TypeError(f"{operation.qualified_name}() takes exactly one of {', '.join(rule.inputs)}")
        self.field = given[0]
        self.call = {k: v for k, v in kwargs.items() if k not in OPTIONS and k != self.field}
        source = kwargs[self.field]
        if isinstance(source, (str, bytes)):
            raise TypeError(f"{operation.qualified_name}(): {self.field} must be an iterable of inputs, not one {type(source).__name__}")
        self.source = source
        self.size = count_option(kwargs.get("batch_size"), "batch_size", _default_size(caller.spec, operation, self.field), operation)
        workers = kwargs.get("max_workers")
        self.window = window_for(None if workers is None else count_option(workers, "max_workers", 1, operation))
        patience = kwargs.get("patience")
        self.limits = RateLimits(self.window, float(operation.by_keyword["patience"].default if patience is None else patience))
        self.validate = caller.client._validate
        self.as_text = _AS_TEXT.get()
        self.read = 0  # inputs taken from the source
        self.yielded = 0  # inputs whose results were all yielded

    def next_batch(self, iterator: Iterator[Any]) -> _Batch | None:
        items = []
        for item in iterator:
            items.append(item)
            if len(items) == self.size:
                break
        return self.batch_of(items) if items else None

    def batch_of(self, items: list[Any]) -> _Batch:
        start = self.read
        self.read += len(items)
        try:
            prepared = prepare(self.caller.spec, self.operation, {**self.call, self.field: items}, validate=self.validate)
        except ValidationError as exc:
            raise shifted(exc, self.field, start, start + len(items)) from None
        return _Batch(start, items, prepared)

    def results_of(self, batch: _Batch, content: bytes) -> list[StreamedEmbedding]:
        """One StreamedEmbedding per input and embedding type, input by input."""
        by_type = _texts_by_type(self.answer_lists(batch, content, as_text=True), content) if self.as_text else None
        if by_type is None:
            self.as_text = False  # an answer not written as expected: the next ones are decoded once
            by_type = self.answer_lists(batch, content)
        count = len(batch.items)
        texts = batch.items if self.field == "texts" else [None] * count
        start = batch.start
        return [
            StreamedEmbedding(start + i, values[i], kind, texts[i])
            for i in range(count)
            for kind, values in by_type.items()
        ]

    def answer_lists(self, batch: _Batch, content: bytes, as_text: bool = False) -> dict[str, list[Any]]:
        """The answer's lists of results by embedding type, one result per input, counted as a
        batched embed counts them (numbers left as text: `as_text`)."""
        try:
            data = json.loads(content, parse_float=str, parse_int=str, parse_constant=str) if as_text else json.loads(content)
        except (ValueError, RecursionError):
            data = None
        try:
            return counted_results(self.rule, data, len(batch.items))
        except CohereError as exc:
            raise self.failed(exc, batch) from None

    def failed(self, exc: CohereError, batch: _Batch) -> CohereError:
        return name_inputs(exc, self.operation, f"{self.field}[{batch.start}:{batch.stop}]", range(batch.start, batch.stop))

    def gave_up(self, exc: TooManyRequestsError, reason: str) -> CohereError:
        """The 429 past the patience, naming the inputs not embedded: from the first not yielded."""
        stop = self.read
        where = f"{reason}; {self.field}[{self.yielded}:{stop}] and any after them not embedded"
        return name_inputs(exc, self.operation, where, range(self.yielded, stop))


def _texts_by_type(by_type: dict[str, Any], content: bytes) -> dict[str, list[Any]] | None:
    """Each vector of number texts made a JSONText, when the answer holds it just so: the vectors
    of a type one after another, each `[` its numbers joined by commas `]` (a string among them
    would be quoted there; true, null or a list can't be joined). Else None."""
    made: dict[str, list[Any]] = {}
    for kind, values in by_type.items():
        texts = made[kind] = []
        at = -1  # where the next vector must start; -1: anywhere (the first)
        for vector in values:
            if isinstance(vector, list):
                try:
                    vector = JSONText(f"[{','.join(vector)}]")
                except TypeError:
                    return None
                raw = vector.encode()
                if at < 0:
                    at = content.find(raw)
                if at < 0 or not content.startswith(raw, at):
                    return None
                at += len(raw) + 1  # and a comma
            texts.append(vector)
    return made


def _default_size(spec: Any, operation: Operation, field: str) -> int:
    """The rule's batch size, or fewer when the spec allows fewer of this field per request."""
    size = operation.batch.size  # type: ignore[union-attr]
    body = spec.resolver.deref(operation.body_schema) or {}
    schema = spec.resolver.deref((body.get("properties") or {}).get(field)) or {}
    most = schema.get("maxItems") if isinstance(schema, dict) else None
    return min(size, most) if isinstance(most, int) and most > 0 else size


# ------------------------------------------------------------------------------------------- sync


def embed_stream(caller: Any, operation: Operation, kwargs: dict[str, Any]) -> Iterator[StreamedEmbedding]:
    """The sync embed_stream: checks its arguments now, reads and sends as the loop advances."""
    run = _Run(caller, operation, kwargs)
    return _drive(run, iter(run.source))


def _drive(run: _Run, source: Iterator[Any]) -> Iterator[StreamedEmbedding]:
    import queue
    from concurrent.futures import ThreadPoolExecutor

    gate = Gate(run.window)
    pool = ThreadPoolExecutor(run.window.ceiling, thread_name_prefix="cohere-dyn-embed-stream")
    outstanding: collections.deque[tuple[_Batch, Any]] = collections.deque()
    finished: queue.SimpleQueue[Any] = queue.SimpleQueue()  # futures as they finish, read every round
    exhausted = False
    try:
        while True:
            while not exhausted and len(outstanding) < run.window.size():
                batch = run.next_batch(source)
                if batch is None:
                    exhausted = True
                else:
                    future = pool.submit(_send, run, gate, batch)
                    future.add_done_callback(finished.put)
                    outstanding.append((batch, future))
            if not outstanding:
                return
            head = outstanding[0][1]
            while not head.done() or not finished.empty():  # any batch's error ends the run at once
                error = finished.get().exception()
                if error is not None:
                    raise error
            batch, _ = outstanding.popleft()
            results = head.result()
            yield from results
            run.yielded = batch.stop
            del results, head
    finally:
        gate.stop()
        pool.shutdown(wait=False, cancel_futures=True)


def _send(run: _Run, gate: Gate, batch: _Batch) -> list[StreamedEmbedding]:
    """One batch, in a worker thread (see `RateLimits.send`)."""
    try:
        _, content = run.limits.send(gate, run.caller, batch.prepared, lambda exc: run.failed(exc, batch), run.gave_up)
    except Stopped:
        return []
    return run.results_of(batch, content)


# ------------------------------------------------------------------------------------------ async


def embed_stream_async(caller: Any, operation: Operation, kwargs: dict[str, Any]) -> Any:
    """The async embed_stream: an async iterator; the source may be an iterable or an async one."""
    run = _Run(caller, operation, kwargs)
    return _drive_async(run)


async def _drive_async(run: _Run) -> Any:
    import asyncio

    gate = AsyncGate(run.window)
    source = run.source
    if hasattr(source, "__aiter__"):
        pull = _async_pull(run, source.__aiter__())
    else:
        iterator = iter(source)

        async def pull() -> _Batch | None:
            return run.next_batch(iterator)

    outstanding: collections.deque[tuple[_Batch, asyncio.Task[Any]]] = collections.deque()
    finished: asyncio.Queue[asyncio.Task[Any]] = asyncio.Queue()  # tasks, as they finish
    exhausted = False
    try:
        while True:
            while not exhausted and len(outstanding) < run.window.size():
                batch = await pull()
                if batch is None:
                    exhausted = True
                else:
                    task = asyncio.ensure_future(_send_async(run, gate, batch))
                    task.add_done_callback(finished.put_nowait)
                    outstanding.append((batch, task))
            if not outstanding:
                return
            head = outstanding[0][1]
            while not head.done() or not finished.empty():
                task = await finished.get()
                if not task.cancelled() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
            batch, _ = outstanding.popleft()
            for result in head.result():
                yield result
            run.yielded = batch.stop
    finally:
        for _, task in outstanding:
            task.cancel()
        if outstanding:
            await asyncio.gather(*(task for _, task in outstanding), return_exceptions=True)


def _async_pull(run: _Run, iterator: Any) -> Any:
    async def pull() -> _Batch | None:
        items = []
        async for item in _take(iterator, run.size):
            items.append(item)
        return run.batch_of(items) if items else None

    return pull


async def _take(iterator: Any, count: int) -> Any:
    for _ in range(count):
        try:
            yield await iterator.__anext__()
        except StopAsyncIteration:
            return


async def _send_async(run: _Run, gate: AsyncGate, batch: _Batch) -> list[StreamedEmbedding]:
    _, content = await run.limits.send_async(gate, run.caller, batch.prepared, lambda exc: run.failed(exc, batch), run.gave_up)
    return run.results_of(batch, content)
