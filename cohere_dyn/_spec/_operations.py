"""The operation model: what each method of the client is, read from the spec.

An `Operation` knows its route, its keyword arguments (where each one goes on the wire), its
request body, its response schemas and its name in the client. A stream twin is a second
`Operation` for the same route, with `streaming=True`. Nothing here does I/O or validation.
"""

from __future__ import annotations

from .._errors import SpecError
from .._naming import python_identifier, snake_case
from ._schemas import Resolver

TYPE_CHECKING = False  # typing is not imported at run time: importing cohere_dyn stays fast
if TYPE_CHECKING:
    from typing import Any, Iterable

__all__ = [
    "Argument", "BatchRule", "BulkRule", "Operation", "PageRule", "StreamTwin", "TokenizerRule", "WaitRule", "build_operations",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
STREAM_MEDIA_TYPES = ("text/event-stream", "application/stream+json", "application/x-ndjson", "application/jsonl")
EXTENSION = "x-cohere-dyn"
# Headers the client sets itself; a spec that declares them as parameters doesn't make them keywords.
CLIENT_HEADERS = frozenset({"authorization", "x-client-name", "user-agent", "content-type", "content-length"})
# "request": the whole body; "client": handled by the client itself (batching), never sent
LOCATIONS = ("path", "query", "header", "body", "request", "file", "form", "sdk", "client")
PATIENCE = 300.0  # seconds of rate limiting a batched embed or embed_stream sits out before giving up


class Argument:
    """One keyword argument of a method and where its value goes (one of LOCATIONS)."""

    __slots__ = ("keyword", "wire_name", "location", "required", "schema", "description", "default", "deprecated", "deprecated_values")

    def __init__(
        self,
        keyword: str,
        wire_name: str,
        location: str,
        required: bool,
        schema: Any,
        description: str = "",
        default: Any = None,
        deprecated: bool = False,
        deprecated_values: frozenset[Any] = frozenset(),
    ):
        self.keyword = keyword
        self.wire_name = wire_name
        self.location = location
        self.required = required
        self.schema = schema
        self.description = description
        self.default = default
        self.deprecated = deprecated  # the spec marks the field `deprecated: true`: still sent, with a warning
        self.deprecated_values = deprecated_values  # values of a deprecated enum branch (old spellings)

    def __repr__(self) -> str:
        return f"Argument({self.keyword!r}, {self.location} {self.wire_name!r}, required={self.required})"


class StreamTwin:
    __slots__ = ("method", "flag")

    def __init__(self, method: str, flag: str):
        self.method = method
        self.flag = flag


class BulkRule:
    """`batch.stream`: a second method taking any iterable of inputs and yielding one result per
    input and embedding type, read lazily, sent concurrently at the pace the server allows."""

    __slots__ = ("method", "inputs", "results", "plain_type")

    def __init__(self, spec: dict[str, Any], results: str, plain_type: str):
        self.method = spec["method"]
        self.inputs = tuple(python_identifier(name) for name in spec["inputs"])  # one of them per call
        self.results = results  # the batch rule's
        self.plain_type = plain_type


class BatchRule:
    """`batch`: one list argument sent in requests of at most `size` items, answers merged."""

    __slots__ = ("field", "keyword", "size", "merge", "empty", "results", "plain_type", "stream")

    def __init__(
        self,
        field: str,
        size: int,
        merge: dict[str, str],
        empty: list[dict[str, Any]],
        results: str | None = None,
        plain_type: str = "float",
        stream: BulkRule | None = None,
    ):
        self.field = field  # the body property that is split
        self.keyword = python_identifier(field)
        self.size = size
        self.merge = merge  # dotted response path -> concat | sum | unique | join; other fields: the first batch's
        self.empty = empty  # [{if-argument?, result}]: the answer to an empty list, sent without a request
        self.results = results  # the answer's field with one entry per item of `field`, or such lists by type
        self.plain_type = plain_type  # the type of a plain list of results
        self.stream = stream


class PageRule:
    """`pagination`: where a list answer's items are and how to ask for the next page."""

    __slots__ = ("style", "items", "next_token", "token_param", "limit_param", "offset_param", "total", "method")

    def __init__(self, spec: dict[str, Any], name: str):
        self.style = spec.get("style", "token")  # token | offset
        self.items = spec["items"]
        self.next_token = spec.get("next-token", "next_page_token")
        self.token_param = spec.get("token-param", "page_token")
        self.limit_param = spec.get("limit-param", "limit")
        self.offset_param = spec.get("offset-param", "offset")
        self.total = spec.get("total")  # the field holding the number of items in all, if any
        self.method = spec.get("method") or ("iter" if name == "list" else "iter_" + name.removeprefix("list_"))


class WaitRule:
    """`wait`: where a get answer's status is, and which statuses end the wait."""

    __slots__ = ("status", "done", "failed")

    def __init__(self, status: str, done: list[str], failed: list[str]):
        self.status = status  # dotted path into the answer
        self.done = frozenset(done)
        self.failed = frozenset(failed)


class TokenizerRule:
    """`local-tokenizer`: the call can be answered by the model's own tokenizer, run on this machine
    (`_workflows/_tokenizer.py`); `switch` is the keyword choosing where, `action` encode or decode."""

    __slots__ = ("switch", "model", "action", "input", "result", "answer")

    def __init__(self, spec: dict[str, Any]):
        actions = [action for action in ("encode", "decode") if action in spec]
        if len(actions) != 1:
            raise ValueError("local-tokenizer needs one of encode or decode")
        self.switch = python_identifier(spec["switch"])
        self.model = python_identifier(spec["model"])  # the keyword naming the model
        self.action = actions[0]
        self.input = python_identifier(spec[self.action])  # the keyword whose value is encoded or decoded
        self.result = spec["result"]  # the answer's field that receives the result
        self.answer = dict(spec.get("answer") or {})  # the answer's other fields


class Operation:
    """One method of the client: route, arguments, body and responses."""

    __slots__ = (
        "http_method",
        "path",
        "operation_id",
        "group",
        "name",
        "summary",
        "description",
        "arguments",
        "body_media_type",
        "body_schema",
        "response_schema",
        "event_schemas",
        "stream",
        "streaming",
        "pointer",
        "batch",
        "pagination",
        "wait",
        "bulk",
        "tokenizer",
        "sdk_changed",
        "qualified_name",
        "by_keyword",
        "has_required_parameters",
        "deprecated",
        "positional",
        "required_keywords",
    )

    def __init__(
        self,
        *,
        http_method: str,
        path: str,
        operation_id: str,
        group: tuple[str, ...],
        name: str,
        summary: str,
        description: str,
        arguments: tuple[Argument, ...],
        body_media_type: str | None,  # "application/json", "multipart/form-data" or None
        body_schema: Any,
        response_schema: Any,  # 200 application/json schema; None when the response has no JSON body
        event_schemas: dict[str, Any],  # stream media type -> event schema
        stream: StreamTwin | None,
        streaming: bool = False,
        pointer: str = "",
        batch: BatchRule | None = None,
        pagination: PageRule | None = None,
        wait: WaitRule | None = None,
        bulk: bool = False,  # the `batch.stream` method (embed_stream): iterable in, results out
        tokenizer: TokenizerRule | None = None,
        sdk_changed: str | None = None,  # what a call with arguments it doesn't take raises (ValueError)
    ):
        self.http_method = http_method
        self.path = path
        self.operation_id = operation_id
        self.group = group
        self.name = name
        self.summary = summary
        self.description = description
        self.arguments = arguments
        self.body_media_type = body_media_type
        self.body_schema = body_schema
        self.response_schema = response_schema
        self.event_schemas = event_schemas
        self.stream = stream
        self.streaming = streaming
        self.pointer = pointer
        self.batch = batch
        self.pagination = pagination
        self.wait = wait
        self.bulk = bulk
        self.tokenizer = tokenizer
        self.sdk_changed = sdk_changed
        self.qualified_name = ".".join((*group, name))
        self.by_keyword = {argument.keyword: argument for argument in arguments}
        self.has_required_parameters = any(
            a.required for a in arguments if a.location in ("path", "query", "header")
        )
        # keyword -> argument, for the arguments a call may use in a deprecated way (usually none)
        self.deprecated = {a.keyword: a for a in arguments if a.deprecated or a.deprecated_values}
        # The path parameters in route order: they may also be passed positionally, as the SDK allows
        places = {a.keyword: path.find("{" + a.wire_name + "}") for a in arguments if a.location == "path"}
        self.positional = tuple(sorted(places, key=lambda keyword: (places[keyword] < 0, places[keyword])))
        self.required_keywords = tuple(a.keyword for a in arguments if a.required)

    def replace(self, **changes: Any) -> "Operation":
        fields = {name: getattr(self, name) for name in _CONSTRUCTED}
        return Operation(**{**fields, **changes})

    def stream_twin(self) -> "Operation":
        """The same route, named and sent as the stream twin."""
        assert self.stream is not None
        return self.replace(name=self.stream.method, streaming=True, batch=None, pagination=None, wait=None)

    def bulk_twin(self) -> "Operation":
        """The `batch.stream` method of a batched operation: its arguments but the batching
        options that only concern one list (progress, batching), plus `patience`."""
        rule: BatchRule = self.batch  # type: ignore[assignment]
        arguments = [a for a in self.arguments if a.location != "client" or a.keyword == "batch_size"]
        arguments += [
            Argument(
                "max_workers",
                "max_workers",
                "client",
                False,
                {"type": ["integer", "null"], "minimum": 1},
                "The most requests in flight at once. None: as many as the server answers promptly "
                "and without 429s, found while running (at most 16).",
            ),
            Argument(
                "patience",
                "patience",
                "client",
                False,
                {"type": "number", "minimum": 0},
                "Seconds of rate limiting (429s, no answer) to sit out before giving up; the error "
                "then names the inputs not embedded.",
                PATIENCE,
            ),
        ]
        return self.replace(name=rule.stream.method, arguments=tuple(arguments), pagination=None, wait=None, bulk=True)  # type: ignore[union-attr]

    def __repr__(self) -> str:
        return f"<Operation {self.qualified_name}: {self.http_method} {self.path}>"


# The constructor's arguments: the slots before the ones __init__ derives from them.
_CONSTRUCTED = Operation.__slots__[: Operation.__slots__.index("qualified_name")]


def build_operations(document: dict[str, Any], source: str = "<spec>") -> list[Operation]:
    """Every operation of the document, stream twins included, in document order."""
    resolver = Resolver(document, source)
    operations: list[Operation] = []
    for path, item in document.get("paths", {}).items():
        item = resolver.deref(item)
        if not isinstance(item, dict):
            raise SpecError("a path item must be a mapping", source=source, pointer=_pointer("paths", path))
        shared = item.get("parameters", [])
        for verb in HTTP_METHODS:
            if isinstance(item.get(verb), dict):
                pointer = _pointer("paths", path, verb)
                operation = _build(resolver, path, verb, item[verb], shared, pointer)
                operations.append(operation)
                if operation.stream is not None:
                    operations.append(operation.stream_twin())
                if operation.batch is not None and operation.batch.stream is not None:
                    operations.append(operation.bulk_twin())
    return operations


def _build(resolver: Resolver, path: str, verb: str, spec: dict[str, Any], shared: list[Any], pointer: str) -> Operation:
    naming = spec.get(EXTENSION) or {}
    operation_id = spec.get("operationId") or snake_case(f"{verb}_{path}")
    group = naming.get("group") or ()
    group = tuple(snake_case(part) for part in ([group] if isinstance(group, str) else group))
    name = naming.get("method") or python_identifier(operation_id)
    stream = naming.get("stream")
    twin = StreamTwin(stream["method"], stream.get("flag", "stream")) if isinstance(stream, dict) else None

    media_type, body_schema, body_required = _request_body(resolver, spec.get("requestBody"))
    arguments = [
        *_parameters(resolver, [*shared, *spec.get("parameters", [])], pointer),
        *_body_arguments(resolver, media_type, body_schema, body_required, naming.get("request-argument"), twin),
        *_sdk_arguments(naming.get("sdk-arguments") or {}),
    ]
    batch = naming.get("batch")
    if isinstance(batch, dict):
        arguments += _sdk_arguments(batch.get("arguments") or {}, "client")
    _check_unique(arguments, source=resolver.source, pointer=pointer)
    arguments.sort(key=lambda argument: not argument.required)
    response_schema, event_schemas = _responses(resolver, spec.get("responses") or {})
    return Operation(
        http_method=verb.upper(),
        path=path,
        operation_id=operation_id,
        group=group,
        name=name,
        summary=(spec.get("summary") or "").strip(),
        description=(spec.get("description") or "").strip(),
        arguments=tuple(arguments),
        body_media_type=media_type,
        body_schema=body_schema,
        response_schema=response_schema,
        event_schemas=event_schemas,
        stream=twin,
        pointer=pointer,
        **_behaviours(naming, name, {a.keyword for a in arguments}, resolver.source, pointer),
    )


def _behaviours(naming: dict[str, Any], name: str, keywords: set[str], source: str, pointer: str) -> dict[str, Any]:
    """The `batch`, `pagination`, `wait` and `local-tokenizer` rules of an operation, checked against its arguments."""
    found: dict[str, Any] = {}
    needed: list[str] = []
    try:
        batch = naming.get("batch")
        if batch is not None:
            merge, empty = dict(batch.get("merge") or {}), list(batch.get("empty") or [])
            results, plain_type = batch.get("results"), str(batch.get("plain-type", "float"))
            stream = None
            if batch.get("stream") is not None:
                if not isinstance(results, str):
                    raise ValueError("batch.stream needs batch.results: the answer's field with one result per input")
                stream = BulkRule(batch["stream"], results, plain_type)
            found["batch"] = BatchRule(batch["field"], int(batch["size"]), merge, empty, results, plain_type, stream)
            needed += list(stream.inputs) if stream is not None else []
            unknown = sorted({str(how) for how in merge.values()} - {"concat", "sum", "unique", "join"})
            if unknown:
                raise ValueError(f"batch merge {unknown[0]!r} is not concat, sum, unique or join")
            needed.append(found["batch"].keyword)
        pages = naming.get("pagination")
        if pages is not None:
            found["pagination"] = rule = PageRule(pages, name)
            if rule.style not in ("token", "offset"):
                raise ValueError(f"pagination style {rule.style!r} is neither token nor offset")
            needed += [rule.token_param] if rule.style == "token" else [rule.limit_param, rule.offset_param]
        changed = naming.get("sdk-changed")
        if changed is not None:
            if not isinstance(changed, str):
                raise TypeError("sdk-changed must be a message")
            found["sdk_changed"] = " ".join(changed.split())
        local = naming.get("local-tokenizer")
        if local is not None:
            found["tokenizer"] = tokenizer = TokenizerRule(local)
            needed += [tokenizer.switch, tokenizer.model, tokenizer.input]
        for keyword in needed:
            if keyword not in keywords:
                raise ValueError(f"names {keyword!r}, which is not an argument of the method")
        wait = naming.get("wait")
        if wait is not None:
            found["wait"] = WaitRule(wait["status"], list(wait["done"]), list(wait.get("failed") or ()))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = f"lacks {exc}" if isinstance(exc, KeyError) else str(exc)
        raise SpecError(f"{EXTENSION}: {detail}", source=source, pointer=pointer) from None
    return found


def _parameters(resolver: Resolver, specs: Iterable[Any], pointer: str) -> list[Argument]:
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for spec in specs:
        spec = resolver.deref(spec)
        if not isinstance(spec, dict) or "name" not in spec or "in" not in spec:
            raise SpecError("a parameter needs 'name' and 'in'", source=resolver.source, pointer=pointer)
        merged[(spec["in"], spec["name"])] = spec  # operation-level parameters override path-level ones
    arguments = []
    for (location, name), spec in merged.items():
        if location == "cookie" or (location == "header" and name.lower() in CLIENT_HEADERS):
            continue
        schema = spec.get("schema", {})
        arguments.append(
            Argument(
                keyword=python_identifier(name),
                wire_name=name,
                location=location,
                required=bool(spec.get("required")) or location == "path",
                schema=schema,
                description=(spec.get("description") or "").strip(),
                deprecated=spec.get("deprecated") is True or _is_deprecated(resolver, schema),
                deprecated_values=_deprecated_values(resolver, schema),
            )
        )
    return arguments


def _is_deprecated(resolver: Resolver, schema: Any) -> bool:
    """`deprecated: true` on the schema, beside its `$ref` or on its target."""
    if isinstance(schema, dict) and schema.get("deprecated") is True:
        return True
    target = resolver.deref(schema)
    return isinstance(target, dict) and target.get("deprecated") is True


def _deprecated_values(resolver: Resolver, schema: Any) -> frozenset[Any]:
    """The enum values of the deprecated branches of a union (old spellings still accepted)."""
    target = resolver.deref(schema)
    if not isinstance(target, dict):
        return frozenset()
    values: set[Any] = set()
    for key in ("anyOf", "oneOf"):
        for branch in target.get(key) or ():
            branch = resolver.deref(branch)
            if isinstance(branch, dict) and branch.get("deprecated") is True and isinstance(branch.get("enum"), list):
                values.update(value for value in branch["enum"] if isinstance(value, (str, int)))
    return frozenset(values)


def _request_body(resolver: Resolver, body: Any) -> tuple[str | None, Any, bool]:
    body = resolver.deref(body)
    if not isinstance(body, dict) or not isinstance(body.get("content"), dict) or not body["content"]:
        return None, None, False
    content = body["content"]
    for media_type in ("application/json", "multipart/form-data"):
        if media_type in content:
            return media_type, (content[media_type] or {}).get("schema", {}), bool(body.get("required"))
    media_type = next(iter(content))
    return media_type, (content[media_type] or {}).get("schema", {}), bool(body.get("required"))


def _body_arguments(
    resolver: Resolver,
    media_type: str | None,
    schema: Any,
    body_required: bool,
    request_argument: str | None,
    twin: StreamTwin | None,
) -> list[Argument]:
    if media_type is None:
        return []
    resolved = _object_view(resolver, schema)
    if request_argument or resolved is None:
        keyword = request_argument or "request"
        return [Argument(keyword, keyword, "request", body_required, schema, _description(resolver, schema))]
    properties, required = resolved
    multipart = media_type == "multipart/form-data"
    arguments = []
    for name, sub in properties.items():
        if twin is not None and name == twin.flag:
            continue
        location = ("file" if _is_binary(resolver, sub) else "form") if multipart else "body"
        arguments.append(
            Argument(
                python_identifier(name),
                name,
                location,
                name in required,
                sub,
                _description(resolver, sub),
                deprecated=_is_deprecated(resolver, sub),
                deprecated_values=_deprecated_values(resolver, sub),
            )
        )
    return arguments


def _is_binary(resolver: Resolver, schema: Any) -> bool:
    """A file part of a multipart body (binary content, or a list of such)."""
    target = resolver.deref(schema)
    if not isinstance(target, dict):
        return False
    if target.get("type") == "array":
        return _is_binary(resolver, target.get("items"))
    return target.get("format") in ("binary", "byte") or "contentMediaType" in target or "contentEncoding" in target


def _object_view(resolver: Resolver, schema: Any) -> tuple[dict[str, Any], set[str]] | None:
    """Properties and required names of an object schema (allOf merged); None if not an object."""
    schema = resolver.deref(schema)
    if not isinstance(schema, dict):
        return None
    properties: dict[str, Any] = {}
    required: set[str] = set()
    for part in [schema, *(resolver.deref(sub) for sub in schema.get("allOf", ()))]:
        if isinstance(part, dict):
            properties.update(part.get("properties") or {})
            required.update(part.get("required") or ())
    return (properties, required) if properties else None


def _description(resolver: Resolver, schema: Any) -> str:
    if isinstance(schema, dict) and isinstance(schema.get("description"), str):
        return schema["description"].strip()
    target = resolver.deref(schema)
    return (target.get("description") or "").strip() if isinstance(target, dict) else ""


def _sdk_arguments(specs: dict[str, Any], location: str = "sdk") -> list[Argument]:
    return [
        Argument(
            keyword=python_identifier(name),
            wire_name=name,
            location=location,
            required=False,
            schema=spec.get("schema", {}),
            description=(spec.get("description") or "").strip(),
            default=spec.get("default"),
        )
        for name, spec in specs.items()
    ]


def _responses(resolver: Resolver, responses: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    ok = resolver.deref(responses.get("200") or responses.get("201") or responses.get("2XX") or {})
    content = ok.get("content") if isinstance(ok, dict) else None
    if not isinstance(content, dict):
        return None, {}
    json_schema = None
    events: dict[str, Any] = {}
    for media_type, spec in content.items():
        schema = (spec or {}).get("schema")
        if media_type in STREAM_MEDIA_TYPES:
            events[media_type] = schema
        elif media_type == "application/json" or media_type.endswith("+json"):
            json_schema = schema if schema is not None else {}
    return json_schema, events


def _check_unique(arguments: list[Argument], source: str, pointer: str) -> None:
    seen: dict[str, Argument] = {}
    for argument in arguments:
        if argument.keyword in seen:
            first = seen[argument.keyword]
            raise SpecError(
                f"keyword {argument.keyword!r} names both the {first.location} field {first.wire_name!r} "
                f"and the {argument.location} field {argument.wire_name!r}",
                source=source,
                pointer=pointer,
            )
        seen[argument.keyword] = argument


def _pointer(*tokens: str) -> str:
    return "#/" + "/".join(token.replace("~", "~0").replace("/", "~1") for token in tokens)
