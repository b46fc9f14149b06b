"""Property-based: payloads for every operation, generated from its schema, and mutations of them,
through the sync and the async client.

Every call either sends a request whose JSON body validates against the spec (checked again
here, by the pure-Python validator on the bundled schema) and whose path keeps one segment per
path parameter, or raises ValidationError/TypeError having sent nothing. No other exception, no
partial send. Large inputs go through in time that grows linearly.

Examples per operation: COHERE_DYN_FUZZ_EXAMPLES (default 25; the CI budget). Run bigger with
e.g. COHERE_DYN_FUZZ_EXAMPLES=500. Under CI (CI set) the examples are derandomized, so that a
landing never depends on luck; elsewhere every run explores new inputs.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import cohere_dyn
from cohere_dyn import Spec
from cohere_dyn._call._prepare import split_arguments
from cohere_dyn._spec._schemas import discriminator_values
from cohere_dyn._spec._validation import to_jsonable
from tests.blocking import KINDS, make_client
from tests.capture import CaptureServer
from tests.reliability import record

# generated payloads use deprecated keywords too; their warning is tested in test_current_api
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EXAMPLES = int(os.environ.get("COHERE_DYN_FUZZ_EXAMPLES", "25"))
SPEC = Spec.load()
RESOLVER = SPEC.resolver
OPERATIONS = [operation.qualified_name for operation in SPEC.operations if not operation.bulk]  # bulk: lazy, many requests
FIGURES: dict[str, dict[str, int]] = {}
FUZZING = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=bool(os.environ.get("CI")),
)


# Strategies from the spec's schemas ----------------------------------------------------------

JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(max_size=8))
ANY_JSON = st.recursive(JSON_LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)


def from_schema(schema: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values valid under `schema` (a schema of the document, `$ref`s followed)."""
    schema = RESOLVER.deref(schema)
    if schema is True or not isinstance(schema, dict) or not schema:
        return ANY_JSON
    if "const" in schema:
        return st.just(schema["const"])
    if isinstance(schema.get("enum"), list):
        return st.sampled_from(schema["enum"])
    union = discriminator_values(RESOLVER, schema)
    if union:
        return st.one_of([from_schema(branch, depth + 1) for branch in union.values()])
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return st.one_of([from_schema(branch, depth + 1) for branch in schema[key]])
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in [schema, *schema["allOf"]]:
            part = RESOLVER.deref(part)
            merged["properties"].update(part.get("properties") or {})
            merged["required"] += part.get("required") or []
        return from_schema(merged, depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": one}, depth) for one in kind])
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "number"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if isinstance(schema.get("exclusiveMinimum"), (int, float)):
            low = schema["exclusiveMinimum"] + (1 if kind == "integer" else 1e-6)
        if isinstance(schema.get("exclusiveMaximum"), (int, float)):
            high = schema["exclusiveMaximum"] - (1 if kind == "integer" else 1e-6)
        if kind == "integer":
            return st.integers(None if low is None else math.ceil(low), None if high is None else math.floor(high))
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    if kind == "string":
        if schema.get("format") == "date-time":
            return st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1))
        low = schema.get("minLength", 0)
        return st.text(min_size=low, max_size=max(low, min(schema.get("maxLength", 12), 12)))
    if kind == "array" or "items" in schema:
        low = schema.get("minItems", 0)
        high = min(schema.get("maxItems", low + 3), low + (3 if depth < 3 else 0))
        return st.lists(from_schema(schema.get("items", True), depth + 1), min_size=low, max_size=high)
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        required = [name for name in schema.get("required", ()) if name in properties]
        optional = {} if depth > 3 else {name: from_schema(sub, depth + 1) for name, sub in properties.items() if name not in required}
        return st.fixed_dictionaries({name: from_schema(properties[name], depth + 1) for name in required}, optional=optional)
    return ANY_JSON


def arguments_for(name: str) -> st.SearchStrategy[dict[str, Any]]:
    operation = SPEC.operation(name)
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for argument in operation.arguments:
        if argument.location == "file":
            strategy: st.SearchStrategy[Any] = st.binary(max_size=64)
        elif argument.location in ("body", "request", "path", "query", "header"):
            strategy = from_schema(argument.schema)
        else:
            continue  # client-side options (batching, offline tokenizing): not part of the wire
        (required if argument.required else optional)[argument.keyword] = strategy
    if operation.stream is not None:
        optional.pop(operation.stream.flag, None)
    return st.fixed_dictionaries(required, optional=optional)


HOSTILE = st.sampled_from(
    [None, float("nan"), float("inf"), 10**40, -1, "", "\ud800", b"bytes", {"set"}, object(), [], {}, [[[[[]]]]],
     "x" * 10_000, {"unknown": "key"}, True, 1.5, dt.date(2024, 1, 1), ("tu", "ple")]
)


@st.composite
def mutated(draw: st.DrawFn, name: str) -> tuple[str, dict[str, Any]]:
    kwargs = draw(arguments_for(name))
    how = draw(st.sampled_from(["none", "none", "value", "value", "value", "drop", "unknown"]))
    if how == "drop" and kwargs:
        kwargs.pop(draw(st.sampled_from(sorted(kwargs))))
    elif how == "unknown":
        kwargs[draw(st.sampled_from(["mesage", "colour", "request_option", "x"]))] = draw(JSON_LEAVES)
    elif how == "value" and kwargs:
        spots = _spots(kwargs)
        container, key = draw(st.sampled_from(spots))
        container[key] = draw(HOSTILE)
    return how, kwargs


def _spots(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) whose value could be replaced."""
    found = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        found.append((node, key))
        found += _spots(value)
    return found


# A transport that keeps what it is given -----------------------------------------------------


class Sent:
    status_code = 200

    def __init__(self, streaming: bool):
        self.headers = {"content-type": "text/event-stream" if streaming else "application/json"}
        self.content = b"" if streaming else b"{}"

    def read(self) -> bytes:
        return self.content

    def iter_bytes(self) -> Any:
        yield self.content

    def close(self) -> None:
        pass


class Recorder:
    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send(self, request: Any, *, stream: bool = False) -> Sent:
        self.sent.append(request)
        return Sent(stream)

    def close(self) -> None:
        pass


class AsyncSent(Sent):
    async def aread(self) -> bytes:
        return self.content

    async def aiter_bytes(self) -> Any:
        yield self.content

    async def aclose(self) -> None:
        pass


class AsyncRecorder(Recorder):
    """The same record, as an async transport: the async client sends through the same checks."""

    async def send(self, request: Any, *, stream: bool = False) -> AsyncSent:  # type: ignore[override]
        self.sent.append(request)
        return AsyncSent(stream)

    async def aclose(self) -> None:
        pass


def method_of(client: Any, name: str) -> Any:
    for part in name.split("."):
        client = getattr(client, part)
    return client


BODY_CHECKERS: dict[str, Draft202012Validator] = {}


def check_sent(name: str, request: Any) -> None:
    operation = SPEC.operation(name)
    template = operation.path.split("/")
    assert len(urlsplit(request.url).path.split("/")) == len(template) + 1  # base URL "/x" adds one
    if operation.body_media_type == "application/json":
        checker = BODY_CHECKERS.get(name)
        if checker is None:
            checker = BODY_CHECKERS[name] = Draft202012Validator(SPEC.validator(operation, "body").schema)
        body = json.loads(request.content)
        problems = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in checker.iter_errors(body)]
        assert problems == [], problems
    elif operation.body_media_type == "multipart/form-data":
        assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", OPERATIONS)
def test_every_call_sends_a_valid_request_or_raises_before_sending(name: str, kind: str) -> None:
    figures = FIGURES.setdefault(name, {"examples": 0, "mutated": 0, "sent": 0, "refused": 0})
    recorder = Recorder() if kind == "requests" else AsyncRecorder()
    client = make_client(kind, "fuzz-key", base_url="http://fuzz.invalid/x", spec=SPEC, transport=recorder, max_retries=0)
    method = method_of(client, name)
    tokenizer = SPEC.operation(name).tokenizer

    @FUZZING
    @given(case=mutated(name))
    def run(case: tuple[str, dict[str, Any]]) -> None:
        how, kwargs = case
        if tokenizer is not None:  # the API's request, not the lookups of the model's own tokenizer
            kwargs[tokenizer.switch] = False
        recorder.sent.clear()
        figures["examples"] += 1
        figures["mutated"] += how != "none"
        try:
            method(**kwargs)
        except (cohere_dyn.ValidationError, TypeError):
            assert recorder.sent == [], "a refused call sent something"
            figures["refused"] += 1
            return
        assert recorder.sent, "nothing sent and nothing raised"
        batching = name.endswith("embed")  # embed splits long lists into several requests
        assert len(recorder.sent) == 1 or batching
        for request in recorder.sent:
            check_sent(name, request)
        figures["sent"] += 1

    try:
        run()
    finally:
        client.close()


FULL_CHECKERS: dict[tuple[str, str], Draft202012Validator] = {}


@pytest.mark.parametrize("name", OPERATIONS)
def test_a_refusal_lists_what_a_full_pure_python_run_lists(name: str) -> None:
    """Problems are located by jsonschema-rs and worded node by node by jsonschema; the list
    is the full pure-Python run's, without its repeats."""
    operation = SPEC.operation(name)

    @FUZZING
    @given(case=mutated(name))
    def run(case: tuple[str, dict[str, Any]]) -> None:
        try:
            body, params = split_arguments(operation, case[1])
        except (TypeError, ValueError):
            return
        parts = {"params": params}
        if operation.body_media_type == "application/json":
            parts["body"] = body
        for part, instance in parts.items():
            validator = SPEC.validator(operation, part)
            try:
                instance = to_jsonable(instance)
            except (TypeError, ValueError):
                continue
            if validator.is_valid(instance):
                continue
            full = FULL_CHECKERS.get((name, part))
            if full is None:
                full = FULL_CHECKERS[(name, part)] = Draft202012Validator(validator.schema)
            expected = {(problem.path, problem.message) for problem in map(full_problem, full.iter_errors(instance))}
            assert {(problem.path, problem.message) for problem in validator.problems(instance)} == expected

    run()


def full_problem(error: Any) -> Any:
    from cohere_dyn._spec._validation import _problem

    return _problem(error, "")


def test_zz_record_fuzzing_figures() -> None:
    for name, figures in sorted(FIGURES.items()):
        record("fuzz", operation=name, **figures)
    assert all(f["examples"] > 0 for f in FIGURES.values())


# Large inputs ----------------------------------------------------------------------------------


def timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


@pytest.mark.parametrize("size", [1_000_000, 10_000_000])
def test_a_large_string_goes_through_in_linear_time(size: int) -> None:
    recorder = Recorder()
    client = cohere_dyn.Client("k", base_url="http://fuzz.invalid", transport=recorder)
    text = "é" * (size // 2)
    seconds = timed(lambda: client.v2.chat(model="m", messages=[{"role": "user", "content": text}]))
    record("large_input", case=f"v2.chat, a {size / 1e6:.0f} MB string (encode + validate)", seconds=round(seconds, 3))
    assert len(recorder.sent[0].content) > size
    assert seconds < 0.5 * size / 1e6 + 1  # about 10 ms per MB here; quadratic would take minutes


def test_a_10_mb_body_crosses_loopback() -> None:
    with CaptureServer() as server:
        client = cohere_dyn.Client("k", base_url=server.url)
        text = "x" * 10_000_000
        seconds = timed(lambda: client.v2.chat(model="m", messages=[{"role": "user", "content": text}]))
    record("large_input", case="v2.chat, 10 MB string over loopback", seconds=round(seconds, 3))
    assert json.loads(server.requests[0].body)["messages"][0]["content"] == text
    assert seconds < 10


@pytest.mark.parametrize("count", [10_000, 100_000])
def test_a_long_list_goes_through_in_linear_time(count: int) -> None:
    recorder = Recorder()
    client = cohere_dyn.Client("k", base_url="http://fuzz.invalid", transport=recorder)
    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"m{i}"} for i in range(count)]
    seconds = timed(lambda: client.v2.chat(model="m", messages=messages))
    record("large_input", case=f"v2.chat, {count:,} messages", seconds=round(seconds, 3))
    assert len(json.loads(recorder.sent[0].content)["messages"]) == count
    assert seconds < count / 10_000 + 1


def test_a_long_invalid_list_is_refused_quickly_with_the_bad_item_named() -> None:
    recorder = Recorder()
    client = cohere_dyn.Client("k", base_url="http://fuzz.invalid", transport=recorder)
    # jsonschema-rs finds the bad item; only that item is worded by the pure-Python validator.
    messages = [{"role": "user", "content": "m"}] * 99_999 + [{"role": "robot", "content": "m"}]
    started = time.perf_counter()
    with pytest.raises(cohere_dyn.ValidationError) as caught:
        client.v2.chat(model="m", messages=messages)
    seconds = time.perf_counter() - started
    record("large_input", case="v2.chat, 100,000 messages, the last invalid (refused)", seconds=round(seconds, 3))
    assert [problem.path for problem in caught.value.problems] == ["messages[99999].role"]
    assert recorder.sent == []
    assert seconds < 15
