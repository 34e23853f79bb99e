"""The engine's clock: the real time, or a fixed instant for one command.

A command runs with the clock fixed at its recorded time, so that running it again later
(replay) sees the same "now" in timers and diagram code. SpiffWorkflow reads
``datetime.now(timezone.utc)`` in its timer module; that module's ``datetime`` is swapped for a
subclass whose ``now()`` consults a context variable, and its task module's ``time`` for one
whose ``time()`` does. A context variable (not a process-wide
clock patch such as time-machine) keeps other threads, such as concurrent requests or the
scheduler, on the real clock while a replay runs.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, tzinfo
from types import SimpleNamespace

from SpiffWorkflow import task as _spiff_task
from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

_fixed: ContextVar[datetime | None] = ContextVar("engine_clock", default=None)


class EngineDatetime(datetime):
    """``datetime`` whose ``now()`` answers the fixed instant, when one is set."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:
        fixed = _fixed.get()
        if fixed is None:
            return datetime.now(tz)
        return fixed.astimezone(tz) if tz is not None else fixed.astimezone().replace(tzinfo=None)


def now() -> datetime:
    """The engine's current instant, aware and in UTC."""
    fixed = _fixed.get()
    return fixed.astimezone(UTC) if fixed is not None else datetime.now(UTC)


def fixed() -> datetime | None:
    """The instant the engine's clock stands at, if it has been fixed."""
    return _fixed.get()


def timestamp() -> float:
    """The engine's current instant as a POSIX timestamp (what tasks record as changed)."""
    at = _fixed.get()
    return at.timestamp() if at is not None else time.time()


@contextmanager
def engine_clock(at: datetime) -> Iterator[datetime]:
    """Run the block with the engine's clock standing still at ``at`` (aware)."""
    if at.tzinfo is None:
        raise ValueError("the engine clock needs an aware time")
    token = _fixed.set(at)
    try:
        yield at
    finally:
        _fixed.reset(token)


def _install() -> None:
    # Every datetime the timer module makes comes from its own ``datetime`` name, so its
    # isinstance checks still hold with the subclass in place.
    if _spiff_timer.datetime is not EngineDatetime:
        _spiff_timer.datetime = EngineDatetime
    # A task records when its state changed (a person's task falls due counted from then) with
    # its module's ``time.time()``: the command's instant too, wherever the command runs.
    if getattr(_spiff_task.time, "time", None) is not timestamp:
        _spiff_task.time = SimpleNamespace(time=timestamp)


_install()
