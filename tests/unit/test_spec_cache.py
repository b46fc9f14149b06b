"""The parsed-spec cache: keyed by content, self-healing, and optional."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cohere_dyn._spec import _loader as _spec_loader
from cohere_dyn._spec._loader import content_hash, load_document

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny.yaml"
NEW_OPERATION = """
  /ping:
    get:
      operationId: pingServer
      responses:
        '200': {description: ok}
"""


def _methods_in_new_process(spec: Path, cache: Path) -> list[str]:
    code = "import sys, cohere_dyn; print(sorted(cohere_dyn.Spec.load(sys.argv[1]).by_name))"
    env = {**os.environ, "COHERE_DYN_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code, str(spec)], env=env, capture_output=True, text=True, check=True)
    return eval(result.stdout)  # noqa: S307 - our own repr of a list of str


def _spec_copy(tmp_path: Path) -> Path:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(TINY.read_bytes())
    return spec


def _entry(cache: Path, spec: Path) -> Path:
    return cache / f"{content_hash(spec.read_bytes())}.marshal"


def test_an_edited_spec_is_picked_up_by_the_next_process(tmp_path: Path) -> None:
    spec, cache = _spec_copy(tmp_path), tmp_path / "cache"
    before = _methods_in_new_process(spec, cache)
    assert _entry(cache, spec).is_file()
    text = spec.read_text()
    spec.write_text(text.replace("paths:\n", "paths:" + NEW_OPERATION, 1))
    after = _methods_in_new_process(spec, cache)
    assert set(after) - set(before) == {"ping_server"}
    assert len(list(cache.glob("*.marshal"))) == 2


def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec, cache = _spec_copy(tmp_path), tmp_path / "cache"
    monkeypatch.setenv("COHERE_DYN_CACHE_DIR", str(cache))
    cache.mkdir()
    entry = _entry(cache, spec)
    entry.write_bytes(b"\x00not marshal data")
    document = load_document(spec)
    assert "/echo" in document["paths"]
    assert marshal.loads(entry.read_bytes())[2] == document


def test_a_foreign_entry_is_ignored_and_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec, cache = _spec_copy(tmp_path), tmp_path / "cache"
    monkeypatch.setenv("COHERE_DYN_CACHE_DIR", str(cache))
    cache.mkdir()
    entry = _entry(cache, spec)
    for foreign in [
        ("another-tool-cache-1", content_hash(spec.read_bytes()), {"paths": {}}),  # another format
        (_spec_loader._CACHE_FORMAT, "0" * 40, {"paths": {}}),  # another file's document
        ["a", "list"],
    ]:
        entry.write_bytes(marshal.dumps(foreign))
        assert "/echo" in load_document(spec)["paths"]
        assert marshal.loads(entry.read_bytes())[1] == content_hash(spec.read_bytes())


def _unwritable(tmp_path: Path) -> Path:
    """A folder that can't be created, whoever runs the tests (root ignores permissions): under a file."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    return blocker / "folder"


def test_a_read_only_install_falls_back_to_the_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COHERE_DYN_CACHE_DIR")
    monkeypatch.setattr(_spec_loader, "_PACKAGE_DIR", str(_unwritable(tmp_path)))
    monkeypatch.setattr(_spec_loader, "default_spec_path", lambda: str(TINY))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    document = load_document()
    assert "/echo" in document["paths"]
    assert list((tmp_path / "xdg" / "cohere_dyn").glob("*.marshal"))
    assert load_document() == document  # read back from the user cache


def test_with_no_writable_cache_folder_loading_still_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COHERE_DYN_CACHE_DIR")
    monkeypatch.setattr(_spec_loader, "_PACKAGE_DIR", str(_unwritable(tmp_path)))
    (tmp_path / "x").mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(_unwritable(tmp_path / "x")))
    spec = _spec_copy(tmp_path)
    assert "/echo" in load_document(spec)["paths"]
    assert "/echo" in load_document(spec)["paths"]


def test_an_empty_cache_setting_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COHERE_DYN_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert "/echo" in load_document(_spec_copy(tmp_path))["paths"]
    assert not (tmp_path / "xdg").exists()


def _hashes_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sizes: list[int] = []
    real = _spec_loader.content_hash

    def counting(raw: bytes) -> str:
        sizes.append(len(raw))
        return real(raw)

    monkeypatch.setattr(_spec_loader, "content_hash", counting)
    return sizes


def test_a_settled_file_is_found_by_its_stat_stamp_without_reading_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec, cache = _spec_copy(tmp_path), tmp_path / "cache"
    monkeypatch.setenv("COHERE_DYN_CACHE_DIR", str(cache))
    monkeypatch.setattr(_spec_loader, "SETTLED", 0.0)  # the copy was just written: call it settled
    first = load_document(spec)
    hashed = _hashes_counted(monkeypatch)
    assert load_document(spec) == first
    assert spec.stat().st_size not in hashed  # only the path was hashed, to name its index entry
    assert len(list((cache / "index").glob("*.marshal"))) == 1


def test_any_write_to_an_indexed_file_is_seen_even_with_its_old_size_and_mtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, cache = _spec_copy(tmp_path), tmp_path / "cache"
    monkeypatch.setenv("COHERE_DYN_CACHE_DIR", str(cache))
    monkeypatch.setattr(_spec_loader, "SETTLED", 0.0)
    before = load_document(spec)
    old = spec.stat()
    time.sleep(0.05)  # past the file system's timestamp granularity
    spec.write_text(spec.read_text().replace("echoTest", "echoBest"))  # same size, other bytes
    os.utime(spec, ns=(old.st_atime_ns, old.st_mtime_ns))  # the change time still moves
    assert spec.stat().st_size == old.st_size
    after = load_document(spec)
    assert before["paths"]["/echo"]["post"]["operationId"] == "echoTest"
    assert after["paths"]["/echo"]["post"]["operationId"] == "echoBest"


def test_a_file_written_moments_ago_is_not_indexed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec, cache = _spec_copy(tmp_path), tmp_path / "cache"
    monkeypatch.setenv("COHERE_DYN_CACHE_DIR", str(cache))
    load_document(spec)
    assert not (cache / "index").exists()
    hashed = _hashes_counted(monkeypatch)
    load_document(spec)
    assert spec.stat().st_size in hashed
