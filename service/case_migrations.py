"""Moving running cases onto another version of their process.

A process owner asks for a move (which version, which cases, which element takes the place of
one the new version lacks). A dry run answers at once, case by case: movable, with what would
change, or blocked, with the reasons. Otherwise the move is stored as a migration with a row per
case, and the scheduler works it on its wake-ups (service.scheduler), each case in a unit of
work of its own: the case, its task projection, its timer rows, its history (a ``migrate_case``
command, which replay runs again) and the case's row in the migration commit together or not at
all. A scheduler stopped part-way leaves each case moved and marked so, or waiting as it was:
started again, it takes up the cases still waiting and never moves one twice.
"""

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, select, update

from workflows.clock import engine_clock
from workflows.isolation import EngineProcessFailed
from workflows.migration import shapes_of
from workflows.runner import DiagramError, Migration, StateVersionMismatch

from .audit import trail as audit
from .auth import Actor
from .catalogs import catalog_of
from .commands import CASE_COMPLETED, CASE_WITH_HASH, RUNNING, SAVE_CASE, project_new_tasks
from .db import db
from .definitions import runner_for
from .drafts import drop_drafts
from .models import (
    LARGEST_ID,
    Case,
    CaseMigration,
    CaseMigrationItem,
    DefinitionVersion,
    ProcessDefinition,
    Task,
    utcnow,
)
from .problems import ApiProblem, not_found
from .timers import sync_timers

log = logging.getLogger(__name__)

WAITING, MOVED, BLOCKED, FAILED = "waiting", "moved", "blocked", "failed"
JOB_RUNNING, JOB_FINISHED = "running", "finished"
OPEN, CANCELLED = "open", "cancelled"
NOT_RUNNING, ALREADY_THERE = "not_running", "already_on_version"

_cases, _tasks = Case.__table__, Task.__table__
_items, _jobs = CaseMigrationItem.__table__, CaseMigration.__table__
# Optimistic concurrency, as every command on a case: another command saved first, nothing moves.
_MOVE_CASE = SAVE_CASE.values(definition_version_id=bindparam("to_version"))
_MARK_ITEM = (
    update(_items)
    .where(
        _items.c.migration_id == bindparam("b_migration_id"),
        _items.c.case_id == bindparam("b_case_id"),
        _items.c.status == WAITING,
    )
    .values(
        status=bindparam("new_status"),
        reasons=bindparam("reasons"),
        changes=bindparam("changes"),
        worked_at=bindparam("worked_at"),
    )
)
# A job's next waiting case; on PostgreSQL a scheduler skips the one another is working.
_NEXT_WAITING = (
    select(_items.c.migration_id, _items.c.case_id)
    .join(_jobs, _jobs.c.id == _items.c.migration_id)
    .where(_jobs.c.status == JOB_RUNNING, _items.c.status == WAITING)
    .order_by(_items.c.migration_id, _items.c.case_id)
    .limit(1)
    .with_for_update(skip_locked=True, of=_items)
)


@dataclass(frozen=True)
class MoveCases:
    """Move running cases of a process onto version ``to_version``: the cases named, or every
    running case of the process on another version; ``mapping`` names, for an element the
    new version lacks, the element that takes its place."""

    process_id: str
    to_version: int
    case_ids: tuple[str, ...] | None
    mapping: dict
    actor: Actor
    dry_run: bool = False


@dataclass(frozen=True)
class MigrateCase:
    """Move one case (the unit of work a migration is made of)."""

    migration_id: int
    case_id: str
    to_version: int
    mapping: dict
    actor: Actor


@dataclass
class CaseResult:
    """One case's answer: movable (or moved), with what changes, or blocked, with why."""

    case_id: str
    from_version: int
    status: str
    reasons: list[dict] = field(default_factory=list)
    changes: dict | None = None

    def view(self) -> dict:
        return {
            "case_id": self.case_id,
            "from_version": self.from_version,
            "status": self.status,
            "reasons": self.reasons,
            "changes": self.changes,
        }


# --- asking ----------------------------------------------------------------------------------


def plan_move(command: MoveCases) -> dict:
    """The dry run: each case, movable with what would change, or blocked with why."""
    cases = _selected(command)
    results = []
    for case in cases:
        result = _dry_run(case, command)
        results.append(result.view())
        db.session.rollback()  # ends each case's reads; nothing was written
    return {
        "process": command.process_id,
        "to_version": command.to_version,
        "mapping": command.mapping,
        "dry_run": True,
        "movable": sum(r["status"] == MOVED for r in results),
        "blocked": sum(r["status"] == BLOCKED for r in results),
        "failed": sum(r["status"] == FAILED for r in results),
        "cases": results,
    }


def start_move(command: MoveCases) -> CaseMigration:
    """Store the move with a row per case, for the scheduler to work."""
    cases = _selected(command)
    job = CaseMigration(
        process_id=command.process_id,
        to_version_id=command.to_version,
        mapping=command.mapping,
        status=JOB_RUNNING if cases else JOB_FINISHED,
        created_by_id=command.actor.id,
        created_by=command.actor.name,
        created_at=utcnow(),
        finished_at=None if cases else utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    if cases:
        db.session.execute(
            insert(_items),
            [
                {
                    "migration_id": job.id,
                    "case_id": case.id,
                    "from_version_id": case.definition_version_id,
                    "status": WAITING,
                    "reasons": None,
                    "changes": None,
                    "worked_at": None,
                }
                for case in cases
            ],
        )
    db.session.commit()
    return job


def _selected(command: MoveCases) -> list[Case]:
    """The cases to move, after checking the request: 404 for a process that does not exist,
    422 naming each field that cannot be used."""
    if (
        db.session.scalar(
            select(ProcessDefinition.id).where(ProcessDefinition.process_id == command.process_id)
        )
        is None
    ):
        raise not_found("Process", command.process_id)
    holds = 1 <= command.to_version <= LARGEST_ID and db.session.scalar(
        select(ProcessDefinition.id).where(
            ProcessDefinition.process_id == command.process_id,
            ProcessDefinition.version_id == command.to_version,
        )
    )
    if not holds:
        raise _invalid(
            "to_version",
            f"Version {command.to_version} does not hold the process '{command.process_id}'.",
        )
    elements = _elements(command.to_version, command.process_id)
    errors = [
        {
            "field": f"mapping.{old}",
            "message": f"version {command.to_version} has no element '{new}'",
        }
        for old, new in sorted(command.mapping.items())
        if new not in elements
    ]
    if errors:
        raise ApiProblem(
            422,
            "The mapping is not valid",
            "The mapping names elements the new version does not have.",
            errors=errors,
        )
    if command.case_ids is None:
        return list(
            db.session.scalars(
                select(Case)
                .where(
                    Case.process_id == command.process_id,
                    Case.status == RUNNING,
                    Case.definition_version_id != command.to_version,
                )
                .order_by(Case.created_at, Case.id)
            )
        )
    found = {
        case.id: case
        for case in db.session.scalars(select(Case).where(Case.id.in_(command.case_ids)))
    }
    errors = []
    for index, case_id in enumerate(command.case_ids):
        case = found.get(case_id)
        problem = None
        if case is None or case.process_id != command.process_id:
            problem = f"no case '{case_id}' of the process '{command.process_id}'"
        elif case.status != RUNNING:
            problem = f"the case '{case_id}' is not running"
        elif case.definition_version_id == command.to_version:
            problem = f"the case '{case_id}' is on version {command.to_version} already"
        if problem:
            errors.append({"field": f"cases.{index}", "message": problem})
    if errors:
        raise ApiProblem(
            422, "Some cases cannot be moved", "Some cases named cannot be moved.", errors=errors
        )
    return [found[case_id] for case_id in dict.fromkeys(command.case_ids)]


def _invalid(field_name: str, message: str) -> ApiProblem:
    return ApiProblem(
        422, "The request is not valid", message, errors=[{"field": field_name, "message": message}]
    )


def _elements(version_id: int, process_id: str) -> set[str]:
    spec, subprocess_specs = catalog_of(version_id).spec(process_id)
    return {name for each in (spec, *subprocess_specs.values()) for name in each.task_specs}


_shapes: dict[tuple[str, str], dict] = {}
_shapes_lock = threading.Lock()


def _old_shapes(version_id: int, digest: str, process_id: str) -> dict:
    key = (digest, process_id)
    shapes = _shapes.get(key)
    if shapes is None:
        shapes = shapes_of(*catalog_of(version_id, digest).spec(process_id))
        with _shapes_lock:
            _shapes[key] = shapes
    return shapes


def _dry_run(case: Case, command: MoveCases) -> CaseResult:
    content_hash = db.session.scalar(
        select(DefinitionVersion.content_hash).where(
            DefinitionVersion.id == case.definition_version_id
        )
    )
    try:
        moved = _run_engine(case, content_hash, command.to_version, command.mapping, utcnow())
    except _EngineRefused as refused:
        return CaseResult(case.id, case.definition_version_id, FAILED, [refused.reason])
    return _result(case, moved)


def _result(case: Case, moved: Migration) -> CaseResult:
    if not moved.movable:
        return CaseResult(case.id, case.definition_version_id, BLOCKED, moved.blocked)
    return CaseResult(case.id, case.definition_version_id, MOVED, changes=moved.change)


class _EngineRefused(Exception):
    def __init__(self, code: str, message: str, element_id: str | None = None):
        self.reason = {"code": code, "element_id": element_id, "detail": message}
        super().__init__(message)


def _run_engine(case: Case, digest: str, to_version: int, mapping: dict, now: datetime):
    old_shapes = _old_shapes(case.definition_version_id, digest, case.process_id)
    runner = runner_for(to_version)
    try:
        with engine_clock(now):
            return runner.migrate(
                case.process_id, case.state, mapping, old_shapes, f"version {to_version}"
            )
    except DiagramError as error:
        raise _EngineRefused(
            "diagram_error", f"the new version's diagram failed: {error}", error.element_id
        ) from error
    except StateVersionMismatch as error:
        raise _EngineRefused("state_version", str(error)) from error
    except EngineProcessFailed as error:
        log.error("the engine process failed moving case %s: %s", case.id, error)
        raise _EngineRefused(
            "engine_failed", "the process engine stopped before it finished moving the case"
        ) from error


# --- working a migration ---------------------------------------------------------------------


def work_migrations(for_at_most: timedelta | None = None) -> int:
    """Work waiting cases of running migrations, one unit of work each, until none waits (or,
    given ``for_at_most``, until that long has passed); return how many were worked."""
    deadline = None if for_at_most is None else time.monotonic() + for_at_most.total_seconds()
    worked = 0
    while deadline is None or time.monotonic() < deadline:
        claimed = db.session.execute(_NEXT_WAITING).first()
        if claimed is None:
            db.session.rollback()
            _finish_jobs()
            break
        migration_id, case_id = claimed
        job = db.session.get(CaseMigration, migration_id)
        command = MigrateCase(
            migration_id,
            case_id,
            job.to_version_id,
            dict(job.mapping or {}),
            Actor(id=job.created_by_id, name=job.created_by, role_names=frozenset()),
        )
        try:
            migrate_case(command)
        except ApiProblem as error:  # another command appended to the case's history first
            db.session.rollback()
            if error.status != 409:
                raise
        worked += 1
    return worked


def migrate_case(command: MigrateCase) -> CaseResult | None:
    """Move one case of a migration in one unit of work, and mark it so; None when another
    scheduler or command got there first (the case is then worked again later, or was)."""
    found = db.session.execute(CASE_WITH_HASH, {"case_id": command.case_id}).first()
    case = Case(**{column.key: getattr(found, column.key) for column in _cases.columns})
    now = utcnow()
    if case.status != RUNNING:
        reason = {"code": NOT_RUNNING, "element_id": None, "detail": "the case is not running"}
        return _mark(command, CaseResult(case.id, case.definition_version_id, BLOCKED, [reason]))
    if case.definition_version_id == command.to_version:
        reason = {
            "code": ALREADY_THERE,
            "element_id": None,
            "detail": f"the case is on version {command.to_version} already",
        }
        return _mark(command, CaseResult(case.id, case.definition_version_id, BLOCKED, [reason]))
    try:
        moved = _run_engine(case, found.content_hash, command.to_version, command.mapping, now)
    except _EngineRefused as refused:
        db.session.rollback()
        return _mark(
            command, CaseResult(case.id, case.definition_version_id, FAILED, [refused.reason])
        )
    result = _result(case, moved)
    if not moved.movable:
        return _mark(command, result)
    if not _claim(command, result, now):
        db.session.rollback()
        return None
    outcome = moved.outcome
    were_open = db.session.scalars(
        select(Task).where(Task.case_id == case.id, Task.status == OPEN)
    ).all()
    saved = db.session.execute(
        _MOVE_CASE,
        {
            "case_id": case.id,
            "old_version": case.version,
            "to_version": command.to_version,
            "status": CASE_COMPLETED if outcome.completed else RUNNING,
            "state": outcome.state,
            "data": outcome.data,
            "version": case.version + 1,
            "updated_at": now,
        },
    )
    if saved.rowcount != 1:
        db.session.rollback()  # another command saved the case first: worked again later
        return None
    still_open = {t.id: t for t in outcome.open_tasks}
    withdrawn = [t for t in were_open if t.id not in still_open]
    if withdrawn:
        db.session.execute(
            update(_tasks)
            .where(_tasks.c.id.in_([t.id for t in withdrawn]))
            .values(status=CANCELLED, completed_at=now)
        )
        drop_drafts(*[t.id for t in withdrawn])
    _reproject_kept(were_open, still_open)
    project_new_tasks(case, outcome, known={t.id for t in were_open}, now=now)
    sync_timers(case.id, outcome.timers, now, firing=False)
    audit.case_migrated(command, case, _content_hash(command.to_version), outcome, now, were_open)
    db.session.commit()
    return result


def _reproject_kept(were_open: list[Task], still_open: dict) -> None:
    """A task kept by the move shows its element as the new version has it."""
    for task in were_open:
        now_is = still_open.get(task.id)
        if now_is is None:
            continue
        values = {
            name: getattr(now_is, name)
            for name in ("bpmn_id", "name", "lane", "form", "ui_form", "instructions", "due_at")
            if getattr(now_is, name) != getattr(task, name)
        }
        if "lane" in values:
            values.update(assignee_id=None, assigned_by_id=None)  # another role's work now
        if values:
            db.session.execute(update(_tasks).where(_tasks.c.id == task.id).values(**values))


def _content_hash(version_id: int) -> str:
    return db.session.scalar(
        select(DefinitionVersion.content_hash).where(DefinitionVersion.id == version_id)
    )


def _claim(command: MigrateCase, result: CaseResult, now: datetime) -> bool:
    """Mark the case's row in the migration, in the unit of work that moves the case."""
    marked = db.session.execute(
        _MARK_ITEM,
        {
            "b_migration_id": command.migration_id,
            "b_case_id": command.case_id,
            "new_status": result.status,
            "reasons": result.reasons or None,
            "changes": result.changes,
            "worked_at": now,
        },
    )
    return marked.rowcount == 1


def _mark(command: MigrateCase, result: CaseResult) -> CaseResult | None:
    """Record a case that does not move (blocked or failed): it stays as it was."""
    if not _claim(command, result, utcnow()):
        db.session.rollback()
        return None
    db.session.commit()
    return result


def _finish_jobs() -> None:
    """Mark finished the migrations with no case left waiting (an idle scheduler only reads)."""
    if db.session.scalar(select(_jobs.c.id).where(_jobs.c.status == JOB_RUNNING).limit(1)) is None:
        db.session.rollback()
        return
    waiting = (
        select(func.count())
        .where(_items.c.migration_id == _jobs.c.id, _items.c.status == WAITING)
        .scalar_subquery()
    )
    db.session.execute(
        update(_jobs)
        .where(_jobs.c.status == JOB_RUNNING, waiting == 0)
        .values(status=JOB_FINISHED, finished_at=utcnow())
    )
    db.session.commit()


def waiting_migrations() -> bool:
    """Whether any migration has a case waiting: the scheduler wakes again soon if so."""
    waiting = db.session.scalar(
        select(_items.c.case_id)
        .join(_jobs, _jobs.c.id == _items.c.migration_id)
        .where(_jobs.c.status == JOB_RUNNING, _items.c.status == WAITING)
        .limit(1)
    )
    db.session.rollback()
    return waiting is not None


# --- reading ---------------------------------------------------------------------------------


def migration_view(migration_id: int) -> dict:
    """A migration's progress: how many of its cases are done, moved, blocked and failed, and
    each case with its reasons or what moving it changed."""
    job = db.session.get(CaseMigration, migration_id)
    if job is None:
        raise not_found("Migration", migration_id)
    items = db.session.scalars(
        select(CaseMigrationItem)
        .where(CaseMigrationItem.migration_id == migration_id)
        .order_by(CaseMigrationItem.case_id)
    ).all()
    counts = {status: 0 for status in (WAITING, MOVED, BLOCKED, FAILED)}
    for item in items:
        counts[item.status] = counts.get(item.status, 0) + 1
    return {
        "id": job.id,
        "process": job.process_id,
        "to_version": job.to_version_id,
        "mapping": job.mapping or {},
        "status": job.status,
        "created_by": job.created_by,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "total": len(items),
        "done": len(items) - counts[WAITING],
        "waiting": counts[WAITING],
        "moved": counts[MOVED],
        "blocked": counts[BLOCKED],
        "failed": counts[FAILED],
        "cases": [
            {
                "case_id": item.case_id,
                "from_version": item.from_version_id,
                "status": item.status,
                "reasons": item.reasons or [],
                "changes": item.changes,
                "worked_at": item.worked_at,
            }
            for item in items
        ],
    }


def migrations_of(process_id: str, limit: int = 20) -> list[CaseMigration]:
    """A process's migrations, newest first."""
    return list(
        db.session.scalars(
            select(CaseMigration)
            .where(CaseMigration.process_id == process_id)
            .order_by(CaseMigration.id.desc())
            .limit(limit)
        )
    )
