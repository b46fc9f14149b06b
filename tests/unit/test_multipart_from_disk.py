"""A multipart body read from disk as it is sent (`_call._encoding.MultipartBody`): exactly the
announced length, or a clear error when the file changes under it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import cohere_dyn
from cohere_dyn._call import _encoding
from cohere_dyn._call._encoding import FilePart, encode_multipart


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_encoding, "CHUNK", 10)


def _body(path: Path) -> _encoding.MultipartBody:
    body, _ = encode_multipart([FilePart("file", path)])
    assert isinstance(body, _encoding.MultipartBody)
    return body


def test_an_unchanged_file_is_sent_whole_again_and_again(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 4)
    body = _body(path)
    first = b"".join(body)
    assert len(first) == len(body) and b"".join(body) == first


@pytest.mark.parametrize("change", [b"more bytes", b""])
def test_a_file_that_changes_mid_read_stops_short_of_the_announced_length(tmp_path: Path, change: bytes) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * 100)
    body = _body(path)
    sent = []
    with pytest.raises(cohere_dyn.CohereError, match="changed while it was being uploaded") as caught:
        for chunk in body:
            sent.append(chunk)
            if len(sent) == 3:  # the head, then two chunks of the file
                if change:
                    with path.open("ab") as handle:
                        handle.write(change)
                else:
                    path.write_bytes(b"x" * 50)  # cut shorter
    assert sum(map(len, sent)) < len(body)
    assert str(path) in str(caught.value)


def test_a_file_rewritten_with_the_same_size_is_caught_by_its_modification_time(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * 100)
    body = _body(path)
    stamp = path.stat()
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))
    with pytest.raises(cohere_dyn.CohereError, match="modified, same size"):
        b"".join(body)
