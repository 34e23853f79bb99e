"""Reads of the world outside a case, recorded so that a replay sees what the original run saw.

Most diagram code depends only on the case's own data and the engine clock, so running a
command again gives the same result. A host function that reads other cases (the performance
report's figures) would answer differently later. Wrapped with ``recorded``, each call made
while a command runs is kept as an ``outside_read`` event of the command, and a replay plays
the recorded answers back in order instead of reading again.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from .sandbox import SandboxError

EVENT_TYPE = "outside_read"


@dataclass
class _Reads:
    playback: list[dict] | None
    made: list[dict] = field(default_factory=list)


_current: ContextVar[_Reads | None] = ContextVar("outside_reads", default=None)


@contextmanager
def capture(playback: list[dict] | None = None) -> Iterator[list[dict]]:
    """Record the outside reads made in the block, as events; with ``playback`` (the events a
    command recorded), answer each read from them instead."""
    reads = _Reads(list(playback) if playback is not None else None)
    token = _current.set(reads)
    try:
        yield reads.made
    finally:
        _current.reset(token)


def recorded(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` as diagrams call it: recorded in a command, played back in a replay."""

    def read(*args: Any) -> Any:
        reads = _current.get()
        if reads is None:
            return function(*args)
        if reads.playback is None:
            result = function(*args)
        else:
            if not reads.playback:
                raise SandboxError(f"{name}() was not called when this command was first run")
            entry = reads.playback.pop(0)
            if entry.get("function") != name or entry.get("args") != list(args):
                raise SandboxError(
                    f"{name}{tuple(args)} differs from the read this command first made"
                )
            result = entry["result"]
        reads.made.append(
            {"type": EVENT_TYPE, "function": name, "args": list(args), "result": result}
        )
        return result

    read.__name__ = name
    return read
