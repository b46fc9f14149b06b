"""`Timeout`: how long to wait for a connection, and then between bytes of a response."""

from __future__ import annotations

__all__ = ["Timeout", "CONNECT_TIMEOUT", "READ_TIMEOUT"]

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 300.0  # an LLM call can think for minutes before its first byte


class Timeout:
    """Seconds to connect (short) and to wait between bytes of the response (long)."""

    __slots__ = ("connect", "read")

    def __init__(self, connect: float = CONNECT_TIMEOUT, read: float = READ_TIMEOUT):
        self.connect = _seconds(connect)
        self.read = _seconds(read)

    @classmethod
    def of(cls, value: "float | Timeout | None") -> "Timeout":
        """A Timeout from what users pass: None (the defaults), seconds, or a Timeout."""
        if value is None:
            return cls()
        if isinstance(value, Timeout):
            return value
        seconds = _seconds(value)
        return cls(connect=min(CONNECT_TIMEOUT, seconds), read=seconds)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Timeout) and (self.connect, self.read) == (other.connect, other.read)

    def __repr__(self) -> str:
        return f"Timeout(connect={self.connect}, read={self.read})"


def _seconds(value: object) -> float:
    """A positive, finite number of seconds (a TypeError or ValueError before anything is sent)."""
    try:
        if isinstance(value, (bool, str, bytes)):
            raise TypeError
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"a timeout must be a number of seconds or a Timeout, not {type(value).__name__}") from None
    if not 0 < seconds < float("inf"):
        raise ValueError("timeouts must be positive, finite numbers of seconds")
    return seconds
