"""Pooled connections never cross `os.fork()`.

A child process that kept using its parent's pooled connections would share their sockets: each
process could read the answers to the other's requests. Objects that hold a pool register here
(`after_fork_in_child(holder)`), and in a forked child each one's `after_fork()` lets go of what it
inherited, so that the child's first call opens connections of its own. The parent is untouched.
"""

from __future__ import annotations

import os
import weakref
from typing import Any

__all__ = ["after_fork_in_child"]

_HOLDERS: weakref.WeakSet[Any] = weakref.WeakSet()


def after_fork_in_child(holder: Any) -> None:
    """Call `holder.after_fork()` in the child of every later fork (while `holder` lives)."""
    _HOLDERS.add(holder)


def _forked() -> None:
    for holder in list(_HOLDERS):
        holder.after_fork()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_forked)
