"""`Timeout`: how long to wait for a connection, and then between bytes of a response."""

from __future__ import annotations

__all__ = ["Timeout", "CONNECT_TIMEOUT", "READ_TIMEOUT"]

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 300.0  # an LLM call can think for minutes before its first byte


class Timeout:
    """Seconds to connect (short) and to wait between bytes of the response (long)."""

    __slots__ = ("connect", "read")

    def __init__(self, connect: float = CONNECT_TIMEOUT, read: float = READ_TIMEOUT):
        if connect <= 0 or read <= 0:
            raise ValueError("timeouts must be positive numbers of seconds")
        self.connect = float(connect)
        self.read = float(read)

    @classmethod
    def of(cls, value: "float | Timeout | None") -> "Timeout":
        """A Timeout from what users pass: None (the defaults), seconds, or a Timeout."""
        if value is None:
            return cls()
        if isinstance(value, Timeout):
            return value
        seconds = float(value)
        return cls(connect=min(CONNECT_TIMEOUT, seconds), read=seconds)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Timeout) and (self.connect, self.read) == (other.connect, other.read)

    def __repr__(self) -> str:
        return f"Timeout(connect={self.connect}, read={self.read})"
