"""Python values to bytes on the wire: path segments, query pairs, JSON and multipart bodies."""

from __future__ import annotations

import datetime as _dt
import json
import mimetypes
import os
import secrets
import stat
from typing import IO, Any, AsyncIterator, Iterable, Iterator
from urllib.parse import quote

from .._errors import CohereError, ValidationError, ValidationProblem
from .._spec._validation import format_datetime, to_jsonable

__all__ = ["encode_path", "query_value", "query_pairs", "encode_json", "encode_multipart", "FilePart", "MultipartBody"]

CHUNK = 1 << 20  # bytes read from disk at a time while a file part is sent


def encode_path(template: str, values: dict[str, Any], where: str = "request") -> str:
    """Fill `{name}` slots; each value stays one segment whatever it contains (`/`, `?`, `#`).

    An empty value, `.` or `..` would name another resource (`/v1/datasets/` is the list, and
    servers and proxies resolve dot segments), so they are refused before anything is sent.
    """
    path = template
    for name, value in values.items():
        text = _encodable(query_value(value), name)
        if text in ("", ".", ".."):
            shown = "an empty string" if not text else repr(text)
            problem = ValidationProblem(name, f"{shown} can't be a path parameter: it would name another resource", "path")
            raise ValidationError(where, [problem])
        path = path.replace("{" + name + "}", quote(text, safe=""))
    return path


def query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, _dt.datetime):
        return format_datetime(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    enum_value = getattr(value, "value", None)
    if isinstance(enum_value, (str, int)):
        return str(enum_value)
    raise TypeError(f"{type(value).__name__} can't be sent in a URL")


def query_pairs(name: str, value: Any) -> Iterable[tuple[str, str]]:
    """Lists become repeated keys; everything else one pair."""
    if isinstance(value, (list, tuple)):
        return [(name, _encodable(query_value(item), name)) for item in value]
    return [(name, _encodable(query_value(value), name))]


def _encodable(text: str, name: str) -> str:
    """`text`, if UTF-8 can encode it (a lone surrogate can't): a URL must be."""
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            problem = ValidationProblem(name, "a string holds a lone surrogate, which UTF-8 can't encode", "encoding")
            raise ValidationError("request", [problem]) from None
    return text


def _default(value: Any) -> Any:
    return to_jsonable(value)


# JSONEncoder.encode builds a new C encoder for every call; this one is built once. It keeps no
# record of the containers it is inside (markers=None), so a value that holds itself recurses
# until RecursionError, reported as such below.
_C_MAKE_ENCODER: Any = getattr(json.encoder, "c_make_encoder", None)  # None on Pythons without the C module
_ENCODE: Any = (
    _C_MAKE_ENCODER(None, _default, json.encoder.encode_basestring, None, ":", ",", False, False, False)
    if _C_MAKE_ENCODER is not None
    else json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default, allow_nan=False).iterencode
)


def encode_json(body: Any, where: str = "request") -> bytes:
    """Compact UTF-8 JSON, non-ASCII unescaped, as the API's own clients send it.

    A value JSON can't hold (NaN, infinity, nesting deeper than Python's recursion limit, a list
    or dict inside itself) is a ValidationError, also when validation is off; a type JSON has no
    form for is a TypeError.
    """
    try:
        return "".join(_ENCODE(body, 0)).encode()
    except RecursionError:
        message = "the body is nested too deeply to be sent as JSON, or holds itself"
    except UnicodeEncodeError:  # a lone surrogate in a str
        message = "a string holds a lone surrogate, which UTF-8 can't encode"
    except ValueError as exc:  # NaN or infinity
        message = str(exc)
    raise ValidationError(where, [ValidationProblem("", message, "json")])


class FilePart:
    """One file of a multipart upload. A path is streamed from disk when sent (`content` is
    None, `path` and `size` say what will be read), so a multi-GB file never sits in memory;
    anything else is read once, so that a retry sends the same bytes.

    A path must name a regular file (a FIFO or a device has no length to announce, and reading
    one may block forever): anything else is a ValueError before anything is sent. The file's
    size and modification time are noted, and each sending checks them (`chunks`).
    """

    __slots__ = ("name", "filename", "content", "content_type", "path", "size", "_stamp")

    def __init__(self, name: str, value: Any):
        self.name = name
        self.path: str | None = None
        self.size = 0
        if isinstance(value, (str, os.PathLike)):
            self.path = os.fspath(value)
            with _open_regular(self.path) as handle:  # unreadable: an error now, before anything is sent
                found = os.fstat(handle.fileno())
            self.size = found.st_size
            self._stamp = (found.st_size, found.st_mtime_ns)
            self.filename = os.path.basename(self.path)
            self.content = None
            self.content_type = mimetypes.guess_type(self.filename)[0] or "application/octet-stream"
        else:
            self.filename, self.content, self.content_type = _read_file(value)

    def chunks(self) -> Iterator[bytes]:
        """The file's bytes from its start, exactly `size` of them; CohereError (sending stops
        short of the announced length, and no retry follows) when the file changed since the call
        began: before the first chunk, and again before the last one leaves."""
        with _open_regular(self.path) as handle:  # type: ignore[arg-type]
            self._check(handle)
            left = self.size
            while left:
                chunk = handle.read(min(CHUNK, left))
                if not chunk:
                    break
                left -= len(chunk)
                if not left:
                    self._check(handle)
                yield chunk
            if left:
                self._check(handle)
                raise self._changed(self.size - left)

    def _check(self, handle: IO[bytes]) -> None:
        found = os.fstat(handle.fileno())
        if (found.st_size, found.st_mtime_ns) != self._stamp:
            raise self._changed(found.st_size)

    def _changed(self, size: int) -> CohereError:
        change = f"{self.size:,} -> {size:,} bytes" if size != self.size else "modified, same size"
        return CohereError(
            f"{self.path} changed while it was being uploaded ({change}); the upload was stopped short of "
            "its announced length and is not retried: upload a file that doesn't change (a copy of it)"
        )


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _open_regular(path: str) -> IO[bytes]:
    """`path` opened for reading if it is a regular file, else ValueError. Opened without
    blocking: an ordinary open of a FIFO waits for a writer, maybe forever."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise ValueError(
            f"{path} is {kind}: an upload must be a regular file, whose length is known before it is sent; "
            "pass its content as bytes instead"
        )
    return os.fdopen(descriptor, "rb")


class TextPart:
    """One plain field of a multipart form, written as a query value would be."""

    __slots__ = ("name", "filename", "content", "content_type")

    def __init__(self, name: str, value: Any):
        self.name = name
        self.filename = None
        self.content = query_value(value).encode()
        self.content_type = None


def form_parts(name: str, value: Any) -> list[TextPart]:
    """A plain form field's parts: one per item for a list."""
    values = value if isinstance(value, (list, tuple)) else [value]
    return [TextPart(name, item) for item in values]


def _read_file(value: Any) -> tuple[str, bytes, str]:
    content_type = None
    if isinstance(value, tuple):
        if not 2 <= len(value) <= 3:
            raise TypeError("a file tuple is (filename, content) or (filename, content, content_type)")
        filename, source = str(value[0]), value[1]
        content_type = value[2] if len(value) == 3 else None
        content = _content(source)
    else:
        content = _content(value)
        name = getattr(value, "name", None)
        filename = os.path.basename(name) if isinstance(name, str) and name else "upload"
    if content_type is None:
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return filename, content, content_type


def _content(source: Any) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, str):
        return source.encode()
    read = getattr(source, "read", None)
    if not callable(read):
        raise TypeError(f"a file must be a path, bytes, a binary file object or a tuple, not {type(source).__name__}")
    if callable(getattr(source, "seek", None)) and callable(getattr(source, "tell", None)):
        start = source.tell()
        data = read()
        source.seek(start)
    else:
        data = read()
    if isinstance(data, str):
        data = data.encode()
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("a file object must return bytes from read()")
    return bytes(data)


def _quote_header(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "%0D").replace("\n", "%0A")


def encode_multipart(parts: list[FilePart | TextPart]) -> tuple[bytes | MultipartBody, str]:
    """A multipart/form-data body and its Content-Type: bytes, or a `MultipartBody` when a
    file part is to be read from disk as it is sent."""
    boundary = secrets.token_hex(16)
    pieces: list[bytes | FilePart] = []
    for part in parts:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote_header(part.name)}"'
        if part.filename is not None:
            head += f'; filename="{_quote_header(part.filename)}"\r\nContent-Type: {part.content_type}'
        pieces.append((head + "\r\n\r\n").encode())
        pieces.append(part if isinstance(part, FilePart) and part.path is not None else part.content)  # type: ignore[arg-type]
        pieces.append(b"\r\n")
    pieces.append(f"--{boundary}--\r\n".encode())
    content_type = f"multipart/form-data; boundary={boundary}"
    if all(isinstance(piece, bytes) for piece in pieces):
        return b"".join(pieces), content_type  # type: ignore[arg-type]
    return MultipartBody(pieces), content_type


class MultipartBody:
    """A multipart body whose files are read from disk while it is sent, a chunk at a time.

    Each iteration starts afresh, re-reading the files from their start, so every attempt of a
    retried request sends the same bytes; `len()` is the exact length (sent as Content-Length),
    and never more is sent. A file that changed since the call (its size or modification time)
    raises CohereError rather than send a torn body (`FilePart.chunks`).
    """

    __slots__ = ("pieces", "length")

    def __init__(self, pieces: list[bytes | FilePart]):
        self.pieces = pieces
        self.length = sum(piece.size if isinstance(piece, FilePart) else len(piece) for piece in pieces)

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.pieces:
            if isinstance(piece, bytes):
                yield piece
            else:
                yield from piece.chunks()

    async def aiter(self) -> AsyncIterator[bytes]:
        """The same chunks for an async transport."""
        for chunk in self:
            yield chunk

    def __bytes__(self) -> bytes:
        return b"".join(self)
