"""Read an OpenAPI document, safely, and cache the parsed result by content hash.

Parsing the YAML costs a few hundred milliseconds; reading the cache costs about a millisecond.
The cache is keyed by a hash of the file's bytes, so an edited spec is picked up by the next
process with no command. Entries are marshal data, as Python's own `__pycache__` files are (and
`marshal` is loaded before any import, so reading one adds no import); an entry names its format
and hash, and a corrupt or foreign one is ignored and rewritten. Where a cache folder can't be
written, the next is tried (the package's folder, the user's cache folder), then no cache.

Reading and hashing a 1 MB file costs more than the rest of a warm load, so an index beside the
entries maps a file (its real path) and its `os.stat` stamp (size, inode, modification and change
times in nanoseconds) to the hash last found for it. Any write changes the change time, so a
stamp that still matches means the same bytes. A file changed less than `SETTLED` seconds before
it is indexed is not indexed (timestamps are coarser than a nanosecond, and two writes close
together could share one): its next load hashes it again.
"""

from __future__ import annotations

import marshal
import os

from .._errors import SpecError
from ._normalize import NORMALIZER_VERSION

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["default_spec_path", "load_document", "parse_document", "content_hash", "user_cache_folder", "write_atomically"]

_CACHE_FORMAT = f"cohere_dyn-spec-cache-1-normalizer-{NORMALIZER_VERSION}"
_INDEX_FORMAT = "cohere_dyn-spec-index-1"
SETTLED = 2.0
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def default_spec_path() -> str:
    """The spec shipped in the wheel, or the repository's spec/ in a source checkout."""
    installed = os.path.join(_PACKAGE_DIR, "spec", "cohere.yaml")
    if os.path.isfile(installed):
        return installed
    return os.path.join(os.path.dirname(_PACKAGE_DIR), "spec", "cohere.yaml")


def content_hash(raw: bytes) -> str:
    try:
        from _blake2 import blake2b  # the C module itself: `import hashlib` costs a few ms more
    except ImportError:  # pragma: no cover - other Python implementations
        from hashlib import blake2b
    return blake2b(raw, digest_size=20).hexdigest()


def load_document(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The parsed, normalized document at `path` (default: the packaged spec), from the cache when it can."""
    spec_path = os.fspath(path) if path is not None else default_spec_path()
    folders = _cache_folders(packaged=path is None)
    try:
        stamp = _stamp(spec_path)
        entry = _index_entry(spec_path)
        for folder in folders:
            digest = _indexed(folder, entry, stamp)
            document = _read_cache(os.path.join(folder, digest + ".marshal"), digest) if digest else None
            if document is not None:
                return document
        with open(spec_path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise SpecError(f"can't read the spec: {exc.strerror or exc}", source=spec_path) from None
    digest = content_hash(raw)
    for folder in folders:
        document = _read_cache(os.path.join(folder, digest + ".marshal"), digest)
        if document is not None:
            _index(folder, entry, stamp, digest)
            return document
    document = _parse(raw, spec_path)
    for folder in folders:
        if _write_cache(folder, digest, document):
            _index(folder, entry, stamp, digest)
            break
    return document


def _stamp(path: str) -> tuple[int, int, int, int]:
    found = os.stat(path)
    return (found.st_size, found.st_ino, found.st_mtime_ns, found.st_ctime_ns)


def _index_entry(path: str) -> str:
    """The file name of `path`'s index entry (in each cache folder's `index`): its real path, hashed."""
    return content_hash(os.path.realpath(path).encode("utf-8", "surrogateescape")) + ".marshal"


def _indexed(folder: str, entry: str, stamp: tuple[int, int, int, int]) -> str | None:
    """The hash the index entry of a file holds for this stamp, if any."""
    try:
        with open(os.path.join(folder, "index", entry), "rb") as handle:
            entry = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == _INDEX_FORMAT and entry[1] == stamp:
        return entry[2] if isinstance(entry[2], str) else None
    return None


def _index(folder: str, entry: str, stamp: tuple[int, int, int, int], digest: str) -> None:
    import time

    if time.time_ns() - max(stamp[2], stamp[3]) < SETTLED * 1e9:
        return
    index = os.path.join(folder, "index")
    write_atomically(index, os.path.join(index, entry), marshal.dumps((_INDEX_FORMAT, stamp, digest)))


def user_cache_folder() -> str | None:
    """cohere_dyn's cache folder: `$COHERE_DYN_CACHE_DIR` when that variable is set (empty: none),
    else `$XDG_CACHE_HOME/cohere_dyn` (by default `~/.cache/cohere_dyn`)."""
    override = os.environ.get("COHERE_DYN_CACHE_DIR")
    if override is not None:
        return override or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "cohere_dyn")


def _cache_folders(packaged: bool) -> list[str]:
    beside_package = packaged and "COHERE_DYN_CACHE_DIR" not in os.environ
    folders = [os.path.join(_PACKAGE_DIR, "__pycache__", "spec")] if beside_package else []
    user = user_cache_folder()
    return folders + [user] if user else folders


def _read_cache(file: str, digest: str) -> dict[str, Any] | None:
    try:
        with open(file, "rb") as handle:
            entry = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if (
        isinstance(entry, tuple)
        and len(entry) == 3
        and entry[0] == _CACHE_FORMAT
        and entry[1] == digest
        and isinstance(entry[2], dict)
    ):
        return entry[2]
    return None


def _write_cache(folder: str, digest: str, document: dict[str, Any]) -> bool:
    try:
        data = marshal.dumps((_CACHE_FORMAT, digest, document))
    except ValueError:  # a value marshal can't hold: such a document is simply not cached
        return False
    return write_atomically(folder, os.path.join(folder, digest + ".marshal"), data)


def write_atomically(folder: str, target: str, data: bytes) -> bool:
    """`data` in `target` (inside `folder`), written whole or not at all; False where it can't be."""
    import tempfile

    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return False
    return True


def _parse(raw: bytes, source: str) -> dict[str, Any]:
    from ._normalize import normalize

    document = parse_document(raw, source)
    if not isinstance(document.get("paths"), dict):
        raise SpecError("the document has no 'paths' mapping", source=source, pointer="#/paths")
    check_document(document, source)
    return normalize(document)


def parse_document(raw: bytes, source: str) -> dict[str, Any]:
    """The document in `raw` as written (YAML or JSON), before any check or repair."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", source=source) from None
    if text.lstrip().startswith("{"):
        import json

        try:
            document = json.loads(text)
        except RecursionError:
            raise SpecError(f"nested more than {MAX_DEPTH} levels deep", source=source) from None
        except ValueError as exc:
            raise SpecError(f"invalid JSON: {exc}", source=source) from None
    else:
        from ._yaml import load_yaml

        document = load_yaml(text, source)
    if not isinstance(document, dict):
        raise SpecError("the document is not a mapping", source=source, pointer="#")
    return document


# Checking a document's shape ------------------------------------------------------------------

MAX_DEPTH = 200

_SCHEMA: dict[str, Any] = {"type": ["object", "boolean"]}  # a JSON Schema: filled in below
_STRINGS = {"type": "array", "items": {"type": "string"}}
_COUNT = {"type": "integer", "minimum": 0}
_CONTENT = {
    "type": "object",
    "additionalProperties": {"type": "object", "properties": {"schema": {"$ref": "#/$defs/schema"}}},
}
_SHAPE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "paths": {"type": "object", "additionalProperties": {"$ref": "#/$defs/pathItem"}},
        "components": {
            "type": "object",
            "properties": {
                "schemas": {"type": "object", "additionalProperties": {"$ref": "#/$defs/schema"}},
                "parameters": {"type": "object", "additionalProperties": {"$ref": "#/$defs/parameter"}},
                "requestBodies": {"type": "object", "additionalProperties": {"$ref": "#/$defs/body"}},
                "responses": {"type": "object", "additionalProperties": {"$ref": "#/$defs/body"}},
            },
        },
    },
    "$defs": {
        "pathItem": {
            "type": "object",
            "properties": {
                "$ref": {"type": "string"},
                "parameters": {"type": "array", "items": {"$ref": "#/$defs/parameter"}},
                **{
                    verb: {"$ref": "#/$defs/operation"}
                    for verb in ("get", "put", "post", "delete", "options", "head", "patch", "trace")
                },
            },
        },
        "operation": {
            "type": "object",
            "properties": {
                "operationId": {"type": "string"},
                "summary": {"type": "string"},
                "description": {"type": "string"},
                "parameters": {"type": "array", "items": {"$ref": "#/$defs/parameter"}},
                "requestBody": {"$ref": "#/$defs/body"},
                "responses": {"type": "object", "additionalProperties": {"$ref": "#/$defs/body"}},
                "x-cohere-dyn": {
                    "type": "object",
                    "properties": {
                        "group": {"anyOf": [{"type": "string"}, _STRINGS]},
                        "method": {"type": "string"},
                        "request-argument": {"type": "string"},
                        "stream": {
                            "type": "object",
                            "required": ["method"],
                            "properties": {"method": {"type": "string"}, "flag": {"type": "string"}},
                        },
                        "sdk-arguments": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "object",
                                "properties": {
                                    "schema": {"$ref": "#/$defs/schema"},
                                    "description": {"type": "string"},
                                },
                            },
                        },
                    },
                },
                "x-fern-sdk-group-name": {"anyOf": [{"type": "string"}, _STRINGS]},
                "x-fern-sdk-method-name": {"type": "string"},
                "x-fern-streaming": {"type": ["boolean", "object"]},
            },
        },
        "parameter": {
            "type": "object",
            "properties": {
                "$ref": {"type": "string"},
                "name": {"type": "string"},
                "in": {"enum": ["path", "query", "header", "cookie"]},
                "required": {"type": "boolean"},
                "description": {"type": "string"},
                "schema": {"$ref": "#/$defs/schema"},
            },
        },
        "body": {
            "type": "object",
            "properties": {
                "$ref": {"type": "string"},
                "required": {"type": "boolean"},
                "description": {"type": "string"},
                "content": _CONTENT,
            },
        },
        "schema": {
            "type": ["object", "boolean"],
            "properties": {
                "$ref": {"type": "string"},
                "type": {"anyOf": [{"type": "string"}, _STRINGS]},
                "required": _STRINGS,
                "enum": {"type": "array"},
                "description": {"type": "string"},
                "title": {"type": "string"},
                "pattern": {"type": "string"},
                "format": {"type": "string"},
                "nullable": {"type": "boolean"},
                "discriminator": {
                    "type": "object",
                    "required": ["propertyName"],
                    "properties": {
                        "propertyName": {"type": "string"},
                        "mapping": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                },
                **{
                    key: {"$ref": "#/$defs/schema"}
                    for key in ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames")
                },
                **{
                    key: {"type": "array", "items": {"$ref": "#/$defs/schema"}}
                    for key in ("allOf", "anyOf", "oneOf", "prefixItems")
                },
                **{
                    key: {"type": "object", "additionalProperties": {"$ref": "#/$defs/schema"}}
                    for key in ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
                },
                **{
                    key: _COUNT
                    for key in ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties")
                },
                **{key: {"type": "number"} for key in ("minimum", "maximum", "multipleOf")},
                **{key: {"type": ["number", "boolean"]} for key in ("exclusiveMinimum", "exclusiveMaximum")},
            },
        },
    },
}
_SCALARS = (str, int, float, bool, type(None))
_shape_validator: Any = None


def check_document(document: dict[str, Any], source: str) -> None:
    """Refuse, with a SpecError naming the JSON pointer, a document the client can't build from:
    nesting deeper than MAX_DEPTH, a key that isn't a string, a value JSON has no form for (a
    YAML set or binary), or a part the client reads that has the wrong shape (a parameter that
    isn't a mapping, a `required` that isn't a list of names, a `$ref` that isn't a string).
    Vendor extensions and parts the client doesn't read are left alone."""
    stack: list[tuple[Any, str, int]] = [(document, "#", 0)]
    while stack:
        node, pointer, depth = stack.pop()
        if isinstance(node, dict):
            if depth >= MAX_DEPTH:
                raise SpecError(f"nested more than {MAX_DEPTH} levels deep", source=source, pointer=pointer)
            for key, value in node.items():
                if not isinstance(key, str):
                    raise SpecError(f"the key {key!r} is not a string (quote it)", source=source, pointer=pointer)
                stack.append((value, f"{pointer}/{_escape(key)}", depth + 1))
        elif isinstance(node, list):
            if depth >= MAX_DEPTH:
                raise SpecError(f"nested more than {MAX_DEPTH} levels deep", source=source, pointer=pointer)
            stack.extend((value, f"{pointer}/{index}", depth + 1) for index, value in enumerate(node))
        elif not isinstance(node, _SCALARS):
            raise SpecError(f"a {type(node).__name__} is not a JSON value", source=source, pointer=pointer)
    global _shape_validator
    if _shape_validator is None:
        import jsonschema_rs

        _shape_validator = jsonschema_rs.validator_for(_SHAPE)
    error = next(iter(_shape_validator.iter_errors(document)), None)
    if error is not None:
        pointer = "#" + "".join(f"/{_escape(str(part))}" for part in error.instance_path)
        message = " ".join(error.message.split())
        if len(message) > 200:
            message = message[:197] + "..."
        raise SpecError(message, source=source, pointer=pointer)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
