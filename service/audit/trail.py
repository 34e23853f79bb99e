"""What each command leaves in its case's history: the command handlers call these.

Each function runs inside the command's transaction and appends the command (enough to run it
again in replay) followed by what happened.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select

from workflows.runner import LIBRARY_VERSION, SERIALIZER_VERSION, DiagramError, Outcome

from ..auth import Actor
from ..db import db
from ..models import Case, ProcessDefinition, Task
from .events import engine_events, record

if TYPE_CHECKING:
    from ..commands import ClaimTask, CompleteTask, FireTimers, StartCase, UnclaimTask

START_CASE, COMPLETE_TASK, FIRE_TIMERS = "start_case", "complete_task", "fire_timers"
CLAIM_TASK, UNCLAIM_TASK = "claim_task", "unclaim_task"

_OPEN_TASK_IDS = select(Task.id).where(Task.case_id == bindparam("case_id"), Task.status == "open")


def case_started(
    command: StartCase,
    case: Case,
    process: ProcessDefinition,
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
    )


def task_completed(
    command: CompleteTask, task: Task, case: Case, outcome: Outcome, at: datetime
) -> None:
    were_open = _open_task_ids(case.id) | {task.id}
    record(
        case.id,
        command.actor,
        task.lane,
        at,
        complete_command(command, task),
        engine_events(outcome.events, were_open, _withdrawn(case.id, were_open, outcome, task.id)),
        outcome.state,
    )


def timers_fired(command: FireTimers, case: Case, outcome: Outcome, at: datetime) -> None:
    were_open = _open_task_ids(case.id)
    record(
        case.id,
        command.actor,
        None,
        at,
        fire_timers_command(),
        engine_events(outcome.events, were_open, _withdrawn(case.id, were_open, outcome, None)),
        outcome.state,
    )


def task_claimed(command: ClaimTask, task: Task, at: datetime) -> None:
    _assignment(CLAIM_TASK, "task_claimed", command.actor, task, at)


def task_unclaimed(command: UnclaimTask, task: Task, at: datetime) -> None:
    _assignment(UNCLAIM_TASK, "task_unclaimed", command.actor, task, at)


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


def _open_task_ids(case_id: str) -> set[str]:
    # The projection as it stood before this command: nothing of it has been flushed yet.
    with db.session.no_autoflush:
        return set(db.session.scalars(_OPEN_TASK_IDS, {"case_id": case_id}))


def _withdrawn(
    case_id: str, were_open: set[str], outcome: Outcome, finished: str | None
) -> list[dict]:
    still_open = {t.id for t in outcome.open_tasks}
    gone = sorted(were_open - still_open - {finished})
    if not gone:
        return []
    with db.session.no_autoflush:
        rows = db.session.execute(select(Task.id, Task.bpmn_id).where(Task.id.in_(gone))).all()
    # Ordered by task id, as replay orders them, whatever order the database answers in.
    return [{"task_id": row.id, "bpmn_id": row.bpmn_id} for row in sorted(rows)]
