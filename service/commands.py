"""Commands and their handlers: every change to a case goes through here.

Each handler is one unit of work: it loads what it needs, asks the runner for the new state,
and writes the case, its task projection and everything else in one transaction. Either all
of it commits or none of it does.

Rows are written with plain INSERT and UPDATE statements rather than through the ORM's unit of
work, which costs more than the engine itself on every command; the objects handed back are
kept in step with what was written, so the answer needs no second read.
"""

import logging
from datetime import datetime

from sqlalchemy import bindparam, exists, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from workflows import outside_reads
from workflows.clock import engine_clock
from workflows.isolation import EngineProcessFailed
from workflows.runner import (
    DiagramError,
    FormInvalid,
    LimitExceeded,
    Outcome,
    StateVersionMismatch,
    TaskNotOpen,
)
from workflows.serializer import LIBRARY_VERSION, SERIALIZER_VERSION

from .audit import trail as audit
from .audit.models import CaseAuditHead
from .auth import Actor
from .case_access import reading_of, restriction_of
from .db import db
from .definitions import runner_for
from .drafts import drop_drafts
from .matching import keep_match_keys
from .messages import CaseChanged, ClaimTask, CompleteTask, FireTimers, StartCase, UnclaimTask
from .models import (
    Case,
    CaseRestriction,
    CaseRestrictionUser,
    DefinitionVersion,
    ProcessDefinition,
    Task,
    TaskDraft,
    User,
    new_id,
    utcnow,
)
from .names import ShownNames
from .problems import ApiProblem, not_found, not_your_lane
from .roles import role_catalogue, role_working
from .timers import sync_timers

log = logging.getLogger(__name__)

OPEN, COMPLETED, CANCELLED = "open", "completed", "cancelled"
RUNNING, CASE_COMPLETED = "running", "completed"


# Built once; these run on every start and completion. Statements that name tables rather
# than mapped classes run as plain statements, which costs less than the ORM's unit of work
# and object loading.
_cases, _tasks, _drafts = Case.__table__, Task.__table__, TaskDraft.__table__
_processes, _versions = ProcessDefinition.__table__, DefinitionVersion.__table__
_LATEST_PROCESS = (
    select(
        _processes.c.version_id,
        _processes.c.name,
        _processes.c.start_lane,
        _versions.c.content_hash,
    )
    .join(_versions, _processes.c.version_id == _versions.c.id)
    .where(_processes.c.process_id == bindparam("process_id"))
    .order_by(_processes.c.version_id.desc())
    .limit(1)
)
# What a completion needs of its task, beside the whole case row, whether the case is
# restricted and the caller named on its restriction, and the head of its history (read without
# a lock: moving it checks it): one statement.
_TASK_FIELDS = ("id", "case_id", "bpmn_id", "name", "lane", "status", "assignee_id")
_restrictions, _named = CaseRestriction.__table__, CaseRestrictionUser.__table__
_heads = CaseAuditHead.__table__
_TASK_WITH_CASE = (
    select(
        *(_tasks.c[name].label(f"task_{name}") for name in _TASK_FIELDS),
        _cases,
        _versions.c.content_hash,
        exists().where(_restrictions.c.case_id == _tasks.c.case_id).label("case_restricted"),
        exists()
        .where(_named.c.case_id == _tasks.c.case_id, _named.c.user_id == bindparam("actor_id"))
        .label("actor_named"),
        _heads.c.seq.label("head_seq"),
        _heads.c.hash.label("head_hash"),
        _heads.c.state_hash.label("head_state_hash"),
        _heads.c.checkpoint_seq.label("head_checkpoint_seq"),
    )
    .join(_cases, _tasks.c.case_id == _cases.c.id)
    .outerjoin(_heads, _heads.c.case_id == _tasks.c.case_id)
    .join(_versions, _cases.c.definition_version_id == _versions.c.id)
    .where(_tasks.c.id == bindparam("task_id"))
)
CASE_WITH_HASH = (
    select(_cases, _versions.c.content_hash)
    .join(_versions, _cases.c.definition_version_id == _versions.c.id)
    .where(_cases.c.id == bindparam("case_id"))
)
# The case's open tasks, each with whether anyone keeps a draft of it (dropped with the task).
_OPEN_TASKS_OF_CASE = select(
    Task, exists().where(_drafts.c.task_id == Task.id).label("has_drafts")
).where(Task.case_id == bindparam("case_id"), Task.status == OPEN)
_INSERT_CASE = insert(_cases)
_INSERT_TASKS = insert(_tasks)
# Optimistic concurrency: an UPDATE that finds another version changes nothing, and a person
# gets 409 instead of silently overwriting another command's work.
SAVE_CASE = (
    update(_cases)
    .where(_cases.c.id == bindparam("case_id"), _cases.c.version == bindparam("old_version"))
    .values(
        status=bindparam("status"),
        state=bindparam("state"),
        data=bindparam("data"),
        last_error=None,
        version=bindparam("version"),
        updated_at=bindparam("updated_at"),
    )
)
_MARK_COMPLETED = (
    update(_tasks)
    .where(_tasks.c.id == bindparam("task_id"), _tasks.c.status == OPEN)
    .values(status=COMPLETED, completed_by_id=bindparam("actor_id"), completed_at=bindparam("now"))
)


_START_NEEDS_ROLE = {
    "en": "Starting a '{name}' case needs the {role} role.",
    "cy": "Mae angen y rôl {role} i ddechrau achos '{name}'.",
}
_NOT_ON_ITS_OWN = {
    "en": "'{name}' runs only as a step of another process: start a case of '{caller}' "
    "(process {caller_id}) instead.",
    "cy": "Dim ond fel cam mewn proses arall y mae '{name}' yn rhedeg: dechreuwch achos o "
    "'{caller}' (proses {caller_id}) yn lle hynny.",
}


_RESTRICTED_WORK = {
    "en": "This case is restricted: only the people named on its restriction work its tasks.",
    "cy": "Mae'r achos hwn wedi'i gyfyngu: dim ond y bobl a enwir ar ei gyfyngiad sy'n "
    "gweithio ar ei dasgau.",
}


def start_case(command: StartCase) -> CaseChanged:
    process = db.session.execute(_LATEST_PROCESS, {"process_id": command.process_id}).first()
    if process is None:
        raise not_found("Process", command.process_id)
    content_hash = process.content_hash
    runner = runner_for(process.version_id, content_hash)
    names = runner.catalog.names
    name = names.name(process.name, command.process_id, command.language, command.process_id)
    lanes = role_catalogue().lanes_of(command.actor.role_names)
    if process.start_lane and process.start_lane not in lanes:
        text = _START_NEEDS_ROLE.get(command.language, _START_NEEDS_ROLE["en"])
        role = role_working(process.start_lane, command.language)
        raise ApiProblem(403, "Forbidden", text.format(name=name, role=role))
    caller = runner.catalog.called_by.get(command.process_id)
    if caller is not None:
        info = runner.catalog.processes[caller]
        text = _NOT_ON_ITS_OWN.get(command.language, _NOT_ON_ITS_OWN["en"])
        caller_name = names.name(info.name, caller, command.language, caller)
        raise ApiProblem(
            422,
            "Not a process to start on its own",
            text.format(name=name, caller=caller_name, caller_id=caller),
        )
    now = utcnow()  # the command's time: the engine's clock while it runs, and replay's
    try:
        with engine_clock(now), outside_reads.capture() as reads:
            outcome = runner.start(command.process_id, command.data, command.language)
        outcome.events.extend(reads)
    except FormInvalid as error:
        raise _form_problem(error) from error
    except DiagramError as error:
        raise _diagram_problem(error) from error
    except EngineProcessFailed as error:
        raise _engine_failed(error) from error
    case = _insert_case(command, process.version_id, outcome, now)
    keep_match_keys(case.id, None, outcome.data, runner.catalog.match_fields)
    opened = project_new_tasks(case, outcome, known=set(), now=now)
    audit.case_started(command, case, process, content_hash, outcome, now)
    timers = sync_timers(case.id, outcome.timers, now, firing=False, new_case=True)
    db.session.commit()
    return CaseChanged(case, opened, timers, runner.catalog)


def complete_task(command: CompleteTask) -> CaseChanged:
    found = db.session.execute(
        _TASK_WITH_CASE, {"task_id": command.task_id, "actor_id": command.actor.id}
    ).first()
    if found is None:
        raise not_found("Task", command.task_id)
    task = Task(**{name: getattr(found, f"task_{name}") for name in _TASK_FIELDS})
    case, content_hash = _case_from(found), found.content_hash
    restriction = bool(found.case_restricted), bool(found.actor_named)
    head = (
        None
        if found.head_seq is None
        else (
            found.head_seq,
            found.head_hash,
            found.head_state_hash,
            found.head_checkpoint_seq,
        )
    )
    _check_may_work_on(command.actor, task, command.language, restriction)
    runner = runner_for(case.definition_version_id, content_hash)
    now = utcnow()  # the command's time: the engine's clock while it runs, and replay's
    try:
        with engine_clock(now), outside_reads.capture() as reads:
            running = runner.begin(
                "complete", case.process_id, case.state, task.id, command.data, command.language
            )
            # While the engine runs: the case's open tasks before this command. Only a read,
            # so no lock is held while diagram code runs.
            were_open, with_drafts = _while_running(running, _open_tasks_of, case.id)
            outcome = running.result()
        outcome.events.extend(reads)
    except FormInvalid as error:
        db.session.rollback()
        raise _form_problem(error) from error
    except TaskNotOpen as error:
        db.session.rollback()
        raise _no_longer_open(task.id) from error
    except StateVersionMismatch as error:
        db.session.rollback()
        raise ApiProblem(409, "Case cannot be loaded", str(error)) from error
    except DiagramError as error:
        db.session.rollback()
        failed = audit.complete_command(command, task)
        audit.diagram_error(case.id, command.actor, task.lane, now, failed, error)
        _record_error(case.id, error)
        raise _diagram_problem(error) from error
    except EngineProcessFailed as error:
        db.session.rollback()
        raise _engine_failed(error) from error

    if not _mark_completed(task, command, now):
        db.session.rollback()
        raise _no_longer_open(task.id)
    if task.id in with_drafts:
        drop_drafts(task.id)
    were_open = [other for other in were_open if other.id != task.id]
    try:
        audit.task_completed(command, task, case, outcome, now, were_open, head)
        changed = _record_outcome(
            case,
            outcome,
            now,
            were_open,
            runner,
            firing=False,
            finished=task.id,
            with_drafts=with_drafts,
        )
        db.session.commit()
    except CaseMovedOn as error:
        db.session.rollback()
        raise _no_longer_open(task.id) from error
    return changed


def _open_tasks_of(case_id: str) -> tuple[list[Task], set[str]]:
    """The case's open tasks, and the ids of those of them someone keeps a draft of."""
    rows = db.session.execute(_OPEN_TASKS_OF_CASE, {"case_id": case_id}).all()
    return [task for task, _ in rows], {task.id for task, has_drafts in rows if has_drafts}


def _mark_completed(task: Task, command: CompleteTask, now: datetime) -> bool:
    """Mark the task completed; return whether it was still open."""
    completed = db.session.execute(
        _MARK_COMPLETED, {"task_id": task.id, "actor_id": command.actor.id, "now": now}
    )
    return completed.rowcount == 1


def _while_running(running, work, *args):
    """Do ``work`` while the engine runs; should it fail, the engine's command is let go."""
    try:
        return work(*args)
    except BaseException:
        running.abandon()
        raise


def fire_timers(command: FireTimers) -> CaseChanged:
    """Fire the case's timers that have fallen due, as the scheduler asks."""
    found = db.session.execute(CASE_WITH_HASH, {"case_id": command.case_id}).first()
    if found is None:
        raise not_found("Case", command.case_id)
    case, content_hash = _case_from(found), found.content_hash
    runner = runner_for(case.definition_version_id, content_hash)
    now = utcnow()  # the command's time: the engine's clock while it runs, and replay's
    try:
        with engine_clock(now), outside_reads.capture() as reads:
            running = runner.begin("fire_due_timers", case.process_id, case.state)
            # While the engine runs: the case's open tasks before this command.
            were_open, with_drafts = _while_running(running, _open_tasks_of, case.id)
            outcome = running.result()
        outcome.events.extend(reads)
    except StateVersionMismatch as error:
        raise ApiProblem(409, "Case cannot be loaded", str(error)) from error
    except DiagramError as error:
        db.session.rollback()
        failed = audit.fire_timers_command()
        audit.diagram_error(case.id, command.actor, None, now, failed, error)
        _record_error(case.id, error)
        raise _diagram_problem(error) from error
    except EngineProcessFailed as error:
        db.session.rollback()
        raise _engine_failed(error) from error
    try:
        audit.timers_fired(command, case, outcome, now, were_open)
        changed = _record_outcome(
            case, outcome, now, were_open, runner, firing=True, with_drafts=with_drafts
        )
        db.session.commit()
    except CaseMovedOn as error:
        db.session.rollback()
        raise ApiProblem(409, "Case changed", "Another command changed the case first.") from error
    return changed


def _record_outcome(
    case: Case,
    outcome: Outcome,
    now: datetime,
    were_open: list[Task],
    runner,
    firing: bool,
    finished: str | None = None,
    with_drafts: set[str] = frozenset(),
) -> CaseChanged:
    """Write the case, its task projection, its match keys and its timer rows; return what
    changed.

    ``were_open`` are the case's tasks open before the command, apart from ``finished``, the
    task this command completed, already marked so; ``with_drafts`` those someone keeps a
    draft of.
    """
    keep_match_keys(case.id, case.data, outcome.data, runner.catalog.match_fields)
    _save_case(case, outcome, now)
    still_open = {t.id for t in outcome.open_tasks}
    vanished = [t.id for t in were_open if t.id not in still_open and t.id != finished]
    if vanished:
        # The engine withdrew these (an interrupting event, a cancelled branch); what anyone
        # had typed into them goes too.
        db.session.execute(
            update(_tasks)
            .where(_tasks.c.id.in_(vanished))
            .values(status=CANCELLED, completed_at=now)
        )
        if with_drafts.intersection(vanished):
            drop_drafts(*with_drafts.intersection(vanished))
    remaining = [t for t in were_open if t.id in still_open]
    opened = project_new_tasks(case, outcome, known={t.id for t in were_open}, now=now)
    timers = sync_timers(case.id, outcome.timers, now, firing)
    return CaseChanged(case, remaining + opened, timers, runner.catalog)


def claim_task(command: ClaimTask) -> Task:
    task = _task(command.task_id)
    _check_may_work_on(command.actor, task, command.language)
    result = db.session.execute(
        update(Task)
        .where(Task.id == task.id, Task.status == OPEN)
        .where((Task.assignee_id.is_(None)) | (Task.assignee_id == command.actor.id))
        .values(assignee_id=command.actor.id, assigned_by_id=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise _claim_conflict(task.id)
    audit.task_claimed(command, task, utcnow())
    db.session.commit()
    return db.session.get(Task, task.id, populate_existing=True)


def unclaim_task(command: UnclaimTask) -> Task:
    task = _task(command.task_id)
    _check_may_work_on(command.actor, task, command.language)
    if task.assignee_id is None:
        return task
    db.session.execute(
        update(Task)
        .where(Task.id == task.id, Task.status == OPEN, Task.assignee_id == command.actor.id)
        .values(assignee_id=None, assigned_by_id=None)
        .execution_options(synchronize_session=False)
    )
    audit.task_unclaimed(command, task, utcnow())
    db.session.commit()
    return db.session.get(Task, task.id, populate_existing=True)


def _task(task_id: str) -> Task:
    task = db.session.get(Task, task_id)
    if task is None:
        raise not_found("Task", task_id)
    return task


def _check_may_work_on(
    actor: Actor, task: Task, language: str = "en", restriction: tuple[bool, bool] | None = None
) -> None:
    """Refuse unless the task is open, in one of the actor's lanes, and not someone else's; a
    task of a case the actor may not read does not exist for them. An open task in their lane
    is involvement in its case, so only other tasks need the question asked. Only the users
    named on a restricted case work its tasks. ``restriction`` is whether the case is
    restricted and the actor named on it, when the caller has read it already."""
    in_lane = task.lane in role_catalogue().lanes_of(actor.role_names)
    restricted, named = restriction or restriction_of(actor, task.case_id)
    if restricted and not named:
        if reading_of(actor, task.case_id) is None:
            raise not_found("Task", task.id)
        raise ApiProblem(403, "Forbidden", _RESTRICTED_WORK.get(language, _RESTRICTED_WORK["en"]))
    if not (in_lane and task.status == OPEN) and reading_of(actor, task.case_id) is None:
        raise not_found("Task", task.id)
    if not in_lane:
        raise not_your_lane(
            task, language, ShownNames(language).element(task.case_id, task.bpmn_id, task.name)
        )
    if task.status != OPEN:
        raise _no_longer_open(task.id)
    if task.assignee_id not in (None, actor.id):
        raise ApiProblem(
            403,
            "Forbidden",
            f"The task is claimed by {db.session.get(User, task.assignee_id).name}; they must "
            "unclaim it first.",
        )


def _form_problem(error: FormInvalid) -> ApiProblem:
    return ApiProblem(
        422,
        "The form is not valid",
        f"Some fields are not valid: {error}",
        errors=[e.as_dict() for e in error.errors],
    )


class CaseMovedOn(Exception):
    """The case's version changed under the command: another command won."""


def _case_from(row) -> Case:
    """The case in a row read with a plain statement, as an object the session does not track:
    commands write it back with a plain UPDATE (see _save_case)."""
    return Case(**{column.key: getattr(row, column.key) for column in _cases.columns})


def _insert_case(command: StartCase, version_id: int, outcome: Outcome, now: datetime) -> Case:
    values = {
        "id": new_id(),
        "process_id": command.process_id,
        "definition_version_id": version_id,
        "status": CASE_COMPLETED if outcome.completed else RUNNING,
        "state": outcome.state,
        "library_version": LIBRARY_VERSION,
        "serializer_version": SERIALIZER_VERSION,
        "data": outcome.data,
        "last_error": None,
        "version": 1,
        "created_by_id": command.actor.id,
        "created_at": now,
        "updated_at": now,
    }
    db.session.execute(_INSERT_CASE, values)
    return Case(**values)


def _save_case(case: Case, outcome: Outcome, now: datetime) -> None:
    """Write the case's new state, or raise CaseMovedOn if another command saved it first."""
    values = {
        "status": CASE_COMPLETED if outcome.completed else RUNNING,
        "state": outcome.state,
        "data": outcome.data,
        "last_error": None,
        "version": case.version + 1,
        "updated_at": now,
    }
    saved = db.session.execute(
        SAVE_CASE, {"case_id": case.id, "old_version": case.version, **values}
    )
    if saved.rowcount != 1:
        raise CaseMovedOn(case.id)
    for key, value in values.items():
        set_committed_value(case, key, value)


def project_new_tasks(case: Case, outcome: Outcome, known: set[str], now: datetime) -> list[Task]:
    """Add the tasks the outcome opened (those not in ``known``) to the task projection, in the
    command's transaction; return them. Every command that changes a case's tasks uses it."""
    rows = [
        {
            "id": open_task.id,
            "case_id": case.id,
            "bpmn_id": open_task.bpmn_id,
            "name": open_task.name,
            "lane": open_task.lane,
            "form": open_task.form,
            "ui_form": open_task.ui_form,
            "instructions": open_task.instructions,
            "status": OPEN,
            "assignee_id": None,
            "created_at": now,
            "due_at": open_task.due_at,
            "completed_by_id": None,
            "completed_at": None,
        }
        for open_task in outcome.open_tasks
        if open_task.id not in known
    ]
    if rows:
        db.session.execute(_INSERT_TASKS, rows)
    return [Task(**row) for row in rows]


def _record_error(case_id: str, error: DiagramError) -> None:
    # Only the error is written; the case's state stays as it was before the command.
    db.session.execute(
        update(Case)
        .where(Case.id == case_id)
        .values(last_error=str(error), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _diagram_problem(error: DiagramError) -> ApiProblem:
    where = f" at '{error.element_id}'" if error.element_id else ""
    if isinstance(error, LimitExceeded):
        return ApiProblem(
            422,
            "The process went past a limit",
            f"The diagram went past the limit on {error.limit}{where}: {error}. Nothing was "
            "changed; a process owner needs to correct the diagram.",
            element_id=error.element_id,
            limit=error.limit,
            figure=error.figure,
        )
    return ApiProblem(
        422,
        "The process could not continue",
        f"The diagram failed{where}: {error}. Nothing was changed; "
        "a process owner needs to correct the diagram.",
        element_id=error.element_id,
    )


def _engine_failed(error: EngineProcessFailed) -> ApiProblem:
    # The service's own fault, not the diagram's or the caller's: logged for its operators,
    # and the person may simply try again.
    log.error("the engine process failed: %s", error)
    return ApiProblem(
        503,
        "The engine could not run the command",
        "The process engine stopped before it finished this command. Nothing was changed; "
        "please try again.",
    )


def _no_longer_open(task_id: str) -> ApiProblem:
    return ApiProblem(409, "Task is not open", f"The task '{task_id}' is no longer open.")


def _claim_conflict(task_id: str) -> ApiProblem:
    return ApiProblem(
        409, "Task already claimed", f"Someone else claimed the task '{task_id}' just now."
    )
