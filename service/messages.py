"""The commands entry points build (the API, the pages, the scheduler, the CLI), and what a
command hands back. Plain data: the handlers in ``service.commands`` carry them out, and the
audit trail records them."""

from dataclasses import dataclass

from workflows.catalog import Catalog

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
class AssignTask:
    """Give an open task to a named officer who holds its lane's role."""

    task_id: str
    assignee: str
    actor: Actor
    language: str = "en"


@dataclass(frozen=True)
class FireTimers:
    case_id: str
    actor: Actor


@dataclass(frozen=True)
class RestrictCase:
    """Restrict a case to the users named (the restricting user is named too), with a reason;
    a case already restricted has its reason and users replaced."""

    case_id: str
    reason: str
    users: tuple[str, ...]
    actor: Actor
    language: str = "en"


@dataclass(frozen=True)
class LiftRestriction:
    case_id: str
    actor: Actor
    language: str = "en"


@dataclass(frozen=True)
class OpenCaseAccess:
    """Read a case one is not involved in, for a stated reason, for a while ("break glass")."""

    case_id: str
    reason: str
    actor: Actor
    language: str = "en"


@dataclass(frozen=True)
class CaseChanged:
    """What a command leaves for its caller: the case and its open tasks after it."""

    case: Case
    open_tasks: list[Task]
    timers: list[Timer] | None = None  # its waiting timers, when the command knows them
    # The catalog of the case's version, which the command ran on: names in the answer are
    # taken from it without reading the database after the command has committed.
    catalog: Catalog | None = None
