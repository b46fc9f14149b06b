"""Read an OpenAPI document, safely, and cache the parsed result by content hash.

Parsing the YAML costs a few hundred milliseconds; reading the cached JSON costs about a
millisecond. The cache key is the sha256 of the file's bytes, so an edited spec is picked up by
the next process with no command. A corrupt or foreign cache entry is ignored and rewritten; when
no cache folder is writable the document is simply parsed every time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ._errors import SpecError
from ._normalize import NORMALIZER_VERSION, normalize

__all__ = ["default_spec_path", "load_document"]

_CACHE_FORMAT = 100 + NORMALIZER_VERSION  # a new normalizer invalidates every cached document
_PACKAGE_DIR = Path(__file__).resolve().parent


def default_spec_path() -> Path:
    """The spec shipped in the wheel, or the repository's spec/ in a source checkout."""
    installed = _PACKAGE_DIR / "spec" / "cohere.yaml"
    return installed if installed.is_file() else _PACKAGE_DIR.parent / "spec" / "cohere.yaml"


def load_document(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The parsed document at `path` (default: the packaged spec), from the cache when it can."""
    spec_path = Path(path) if path is not None else default_spec_path()
    try:
        raw = spec_path.read_bytes()
    except OSError as exc:
        raise SpecError(f"can't read the spec: {exc.strerror or exc}", source=str(spec_path)) from None
    digest = hashlib.sha256(raw).hexdigest()
    folders = _cache_folders(packaged=path is None)
    for folder in folders:
        document = _read_cache(folder / f"{digest[:32]}.json", digest)
        if document is not None:
            return document
    document = _parse(raw, str(spec_path))
    for folder in folders:
        if _write_cache(folder / f"{digest[:32]}.json", digest, document):
            break
    return document


def _cache_folders(packaged: bool) -> list[Path]:
    override = os.environ.get("COHERE_DYN_CACHE_DIR")
    if override is not None:
        return [Path(override)] if override else []
    folders = [_PACKAGE_DIR / "__pycache__" / "spec"] if packaged else []
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folders.append(Path(base) / "cohere_dyn")
    return folders


def _read_cache(file: Path, digest: str) -> dict[str, Any] | None:
    try:
        with open(file, "rb") as handle:
            entry = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    if (
        isinstance(entry, dict)
        and entry.get("format") == _CACHE_FORMAT
        and entry.get("sha256") == digest
        and isinstance(entry.get("document"), dict)
    ):
        return entry["document"]
    return None


def _write_cache(file: Path, digest: str, document: dict[str, Any]) -> bool:
    entry = {"format": _CACHE_FORMAT, "sha256": digest, "document": document}
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(entry, handle, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, file)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, TypeError, ValueError):
        return False
    return True


def _parse(raw: bytes, source: str) -> dict[str, Any]:
    text = raw.decode("utf-8-sig", errors="strict") if raw else ""
    if text.lstrip().startswith("{"):
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
