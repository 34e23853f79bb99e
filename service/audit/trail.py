"""What each command leaves in its case's history: the command handlers call these.

Each function runs inside the command's transaction and appends the command (enough to run it
again in replay) followed by what happened.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, bindparam, select

from workflows.runner import DiagramError, Outcome
from workflows.serializer import LIBRARY_VERSION, SERIALIZER_VERSION

from ..auth import Actor
from ..db import db
from ..messages import (
    AssignTask,
    ClaimTask,
    CompleteTask,
    FireTimers,
    LiftRestriction,
    OpenCaseAccess,
    RestrictCase,
    StartCase,
    UnclaimTask,
)
from ..models import Case, Task, User
from .checkpoints import Snapshot
from .events import engine_events, record

START_CASE, COMPLETE_TASK, FIRE_TIMERS = "start_case", "complete_task", "fire_timers"
CLAIM_TASK, UNCLAIM_TASK, ASSIGN_TASK = "claim_task", "unclaim_task", "assign_task"
RESTRICT_CASE, LIFT_RESTRICTION = "restrict_case", "lift_restriction"
OPEN_CASE_ACCESS = "open_case_access"
MIGRATE_CASE = "migrate_case"
# Commands about who may see or work a case, not run by the engine: replay passes over them.
ACCESS_COMMANDS = (RESTRICT_CASE, LIFT_RESTRICTION, OPEN_CASE_ACCESS)
ACCESS_EVENTS = ("case_restricted", "case_restriction_lifted", "case_access_opened")

_tasks, _users = Task.__table__, User.__table__
_ASSIGNEES = (
    select(_tasks.c.id, _users.c.name)
    .join(_users, _users.c.id == _tasks.c.assignee_id)
    .where(_tasks.c.id.in_(bindparam("ids", expanding=True)))
)


def case_started(
    command: StartCase,
    case: Case,
    process: Row,  # the process definition's version_id and start_lane
    content_hash: str,
    outcome: Outcome,
    at: datetime,
) -> None:
    version = {
        "type": "definition_version",
        "version_id": process.version_id,
        "content_hash": content_hash,
        "library_version": LIBRARY_VERSION,
        "serializer_version": SERIALIZER_VERSION,
    }
    record(
        case.id,
        command.actor,
        process.start_lane,
        at,
        start_command(command),
        [version, *engine_events(outcome.events, known_open=set())],
        outcome.state,
        new_case=True,
        snapshot=lambda: _snapshot(outcome, []),
    )


def task_completed(
    command: CompleteTask,
    task: Task,
    case: Case,
    outcome: Outcome,
    at: datetime,
    were_open: list[Task],
    head_read: tuple | None = None,
) -> None:
    """``were_open``: the case's other tasks open before the command; ``head_read``: the
    case's history head as read with the case (see ``record``)."""
    open_ids = {t.id for t in were_open} | {task.id}
    record(
        case.id,
        command.actor,
        task.lane,
        at,
        complete_command(command, task),
        engine_events(outcome.events, open_ids, _withdrawn(were_open, outcome, task.id)),
        outcome.state,
        head_read=head_read,
        snapshot=lambda: _snapshot(outcome, were_open),
    )


def timers_fired(
    command: FireTimers, case: Case, outcome: Outcome, at: datetime, were_open: list[Task]
) -> None:
    record(
        case.id,
        command.actor,
        None,
        at,
        fire_timers_command(),
        engine_events(
            outcome.events, {t.id for t in were_open}, _withdrawn(were_open, outcome, None)
        ),
        outcome.state,
        snapshot=lambda: _snapshot(outcome, were_open),
    )


def case_migrated(
    command,  # service.case_migrations.MigrateCase
    case: Case,
    content_hash: str,
    outcome: Outcome,
    at: datetime,
    were_open: list[Task],
) -> None:
    """A case moved onto another version: from which, to which, with which mapping, and (as
    the actor) who asked. Replay switches the case's version here and runs the move again."""
    details = {
        "migration": command.migration_id,
        "from_version": case.definition_version_id,
        "to_version": command.to_version,
        "mapping": command.mapping,
    }
    version = {
        "type": "definition_version",
        "version_id": command.to_version,
        "content_hash": content_hash,
        "library_version": LIBRARY_VERSION,
        "serializer_version": SERIALIZER_VERSION,
    }
    record(
        case.id,
        command.actor,
        None,
        at,
        {"name": MIGRATE_CASE, **details},
        [
            {"type": "case_migrated", **details},
            version,
            *engine_events(
                outcome.events, {t.id for t in were_open}, _withdrawn(were_open, outcome, None)
            ),
        ],
        outcome.state,
    )


def task_claimed(command: ClaimTask, task: Task, at: datetime) -> None:
    _assignment(CLAIM_TASK, "task_claimed", command.actor, task, at)


def task_unclaimed(command: UnclaimTask, task: Task, at: datetime) -> None:
    _assignment(UNCLAIM_TASK, "task_unclaimed", command.actor, task, at)


def task_assigned(command: AssignTask, task: Task, role: str | None, at: datetime) -> None:
    details = {"task_id": task.id, "bpmn_id": task.bpmn_id, "assignee": command.assignee}
    command_row = {"name": ASSIGN_TASK, **details}
    events = [{"type": "task_assigned", **details}]
    record(task.case_id, command.actor, role, at, command_row, events, state=None)


def case_restricted(command: RestrictCase, users: list[str], role: str | None, at) -> None:
    details = {"reason": command.reason, "users": users}
    _access(RESTRICT_CASE, "case_restricted", command.case_id, command.actor, role, at, details)


def restriction_lifted(command: LiftRestriction, role: str | None, at: datetime) -> None:
    _access(LIFT_RESTRICTION, "case_restriction_lifted", command.case_id, command.actor, role, at)


def case_access_opened(
    command: OpenCaseAccess, until: datetime, role: str | None, at: datetime
) -> None:
    details = {"reason": command.reason, "until": until.isoformat()}
    _access(
        OPEN_CASE_ACCESS, "case_access_opened", command.case_id, command.actor, role, at, details
    )


def _access(name, event, case_id, actor, role, at, details: dict | None = None) -> None:
    details = details or {}
    record(case_id, actor, role, at, {"name": name, **details}, [{"type": event, **details}], None)


def diagram_error(
    case_id: str,
    actor: Actor | None,
    role: str | None,
    at: datetime,
    command: dict,
    error: DiagramError,
) -> None:
    """The command failed in the diagram: record it with the error; the state did not change."""
    failure = {"type": "diagram_error", "element_id": error.element_id, "message": str(error)}
    record(case_id, actor, role, at, command, [failure], state=None)


def start_command(command: StartCase) -> dict:
    return {
        "name": START_CASE,
        "process": command.process_id,
        "data": command.data,
        "language": command.language,
    }


def complete_command(command: CompleteTask, task: Task) -> dict:
    return {
        "name": COMPLETE_TASK,
        "task_id": task.id,
        "bpmn_id": task.bpmn_id,
        "data": command.data,
        "language": command.language,
    }


def fire_timers_command() -> dict:
    return {"name": FIRE_TIMERS}


def _assignment(name: str, event: str, actor: Actor, task: Task, at: datetime) -> None:
    details = {"task_id": task.id, "bpmn_id": task.bpmn_id}
    command = {"name": name, **details}
    record(task.case_id, actor, task.lane, at, command, [{"type": event, **details}], state=None)


def _snapshot(outcome: Outcome, were_open: list[Task]) -> Snapshot:
    """The case as the command leaves it, for a checkpoint: its open tasks as replay shows
    them, with who holds each (only tasks open before the command can be held)."""
    still_open = {t.id for t in outcome.open_tasks}
    held = [t.id for t in were_open if t.id in still_open]
    assignees = dict(db.session.execute(_ASSIGNEES, {"ids": held}).all()) if held else {}
    open_tasks = [
        {
            "id": t.id,
            "bpmn_id": t.bpmn_id,
            "name": t.name,
            "lane": t.lane,
            "assignee": assignees.get(t.id),
        }
        for t in outcome.open_tasks
    ]
    status = "completed" if outcome.completed else "running"
    return Snapshot(status, outcome.data, open_tasks, outcome.state)


def _withdrawn(were_open: list[Task], outcome: Outcome, finished: str | None) -> list[dict]:
    still_open = {t.id for t in outcome.open_tasks}
    gone = [t for t in were_open if t.id not in still_open and t.id != finished]
    # Ordered by task id, as replay orders them.
    return [{"task_id": t.id, "bpmn_id": t.bpmn_id} for t in sorted(gone, key=lambda t: t.id)]
