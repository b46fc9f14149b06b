"""Read an OpenAPI document, safely, and cache the parsed result by content hash.

Parsing the YAML costs a few hundred milliseconds; reading the cache costs about a millisecond.
The cache is keyed by a hash of the file's bytes, so an edited spec is picked up by the next
process with no command. Entries are marshal data, as Python's own `__pycache__` files are (and
`marshal` is loaded before any import, so reading one adds no import); an entry names its format
and hash, and a corrupt or foreign one is ignored and rewritten. Where a cache folder can't be
written, the next is tried (the package's folder, the user's cache folder), then no cache.
"""

from __future__ import annotations

import marshal
import os

from ._errors import SpecError
from ._normalize import NORMALIZER_VERSION

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["default_spec_path", "load_document", "content_hash"]

_CACHE_FORMAT = f"cohere_dyn-spec-cache-1-normalizer-{NORMALIZER_VERSION}"
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


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
    try:
        with open(spec_path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise SpecError(f"can't read the spec: {exc.strerror or exc}", source=spec_path) from None
    digest = content_hash(raw)
    folders = _cache_folders(packaged=path is None)
    for folder in folders:
        document = _read_cache(os.path.join(folder, digest + ".marshal"), digest)
        if document is not None:
            return document
    document = _parse(raw, spec_path)
    for folder in folders:
        if _write_cache(folder, digest, document):
            break
    return document


def _cache_folders(packaged: bool) -> list[str]:
    override = os.environ.get("COHERE_DYN_CACHE_DIR")
    if override is not None:
        return [override] if override else []
    folders = [os.path.join(_PACKAGE_DIR, "__pycache__", "spec")] if packaged else []
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folders.append(os.path.join(base, "cohere_dyn"))
    return folders


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
    import tempfile

    try:
        data = marshal.dumps((_CACHE_FORMAT, digest, document))
    except ValueError:  # a value marshal can't hold: such a document is simply not cached
        return False
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".marshal")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, os.path.join(folder, digest + ".marshal"))
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return False
    return True


def _parse(raw: bytes, source: str) -> dict[str, Any]:
    from ._normalize import normalize

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", source=source) from None
    if text.lstrip().startswith("{"):
        import json

        try:
            document = json.loads(text)
        except ValueError as exc:
            raise SpecError(f"invalid JSON: {exc}", source=source) from None
    else:
        from ._yaml import load_yaml

        document = load_yaml(text, source)
    if not isinstance(document, dict):
        raise SpecError("the document is not a mapping", source=source, pointer="#")
    if not isinstance(document.get("paths"), dict):
        raise SpecError("the document has no 'paths' mapping", source=source, pointer="#/paths")
    return normalize(document)
