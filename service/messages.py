"""The commands entry points build (the API, the pages, the scheduler, the CLI), and what a
command hands back. Plain data: the handlers in ``service.commands`` carry them out, and the
audit trail records them."""

from dataclasses import dataclass

from .auth import Actor
from .models import Case, Task, Timer


@dataclass(frozen=True)
class StartCase:
    process_id: str
    data: dict
    actor: Actor
    language: str = "en"


@dataclass(frozen=True)
class CompleteTask:
    task_id: str
    data: dict
    actor: Actor
    language: str = "en"


@dataclass(frozen=True)
class ClaimTask:
    task_id: str
    actor: Actor
    language: str = "en"


@dataclass(frozen=True)
class UnclaimTask:
    task_id: str
    actor: Actor
    language: str = "en"


@dataclass(frozen=True)
class FireTimers:
    case_id: str
    actor: Actor


@dataclass(frozen=True)
class CaseChanged:
    """What a command leaves for its caller: the case and its open tasks after it."""

    case: Case
    open_tasks: list[Task]
    timers: list[Timer] | None = None  # its waiting timers, when the command knows them
