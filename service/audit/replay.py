"""Replay: rebuild a case from its definition version and its recorded commands.

Each command runs again with the engine's clock at its recorded time. Task ids are random, so a
recorded task is matched to the rebuilt one by the order in which tasks were opened. After each
command the rebuilt events must equal the recorded ones (ignoring task ids); at the end the
rebuilt case must equal the stored one in status, data, open tasks and path taken. Nothing is
written: the rebuilt case lives only in memory.
"""

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from workflows import outside_reads
from workflows.clock import engine_clock
from workflows.migration import shapes_of
from workflows.outside_reads import EVENT_TYPE as READ_EVENT
from workflows.path import path_taken
from workflows.runner import (
    DiagramError,
    FormInvalid,
    Outcome,
    StateVersionMismatch,
    TaskNotOpen,
    element_id,
    ready_user_tasks,
)

from ..db import db
from ..definitions import runner_for
from ..models import Case
from ..problems import ApiProblem, not_found
from .chain import EVENT_ROWS, canonical_json, stored_time, time_text
from .events import COMMAND, engine_events
from .trail import (
    ACCESS_COMMANDS,
    ACCESS_EVENTS,
    ASSIGN_TASK,
    CLAIM_TASK,
    COMPLETE_TASK,
    FIRE_TIMERS,
    MIGRATE_CASE,
    START_CASE,
    UNCLAIM_TASK,
)

# Recorded alongside the engine's events but not made by it.
_NOT_FROM_ENGINE = {
    COMMAND,
    "definition_version",
    "case_migrated",
    "task_claimed",
    "task_unclaimed",
    "task_assigned",
    *ACCESS_EVENTS,
}


@dataclass(frozen=True)
class RecordedEvent:
    seq: int
    type: str
    payload: dict


@dataclass
class RecordedCommand:
    """A command event and the events it produced (one transaction)."""

    seq: int
    at: datetime
    actor: str | None
    payload: dict
    events: list[RecordedEvent] = field(default_factory=list)

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq if self.events else self.seq


@dataclass(frozen=True)
class Difference:
    seq: int | None
    what: str
    recorded: Any
    replayed: Any
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Rebuilt:
    """The case as the replayed commands left it."""

    commands: int = 0
    as_of: RecordedCommand | None = None
    status: str | None = None
    data: dict = field(default_factory=dict)
    open_tasks: list[dict] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    difference: Difference | None = None


class UnreadableHistory(Exception):
    def __init__(self, seq: int, reason: str):
        self.seq = seq
        super().__init__(f"event {seq} cannot be read: {reason}")


def load_history(case_id: str) -> list[RecordedCommand]:
    commands: list[RecordedCommand] = []
    for row in db.session.execute(EVENT_ROWS, {"case_id": case_id}):
        try:
            payload = json.loads(row.payload)
        except (TypeError, ValueError) as error:
            raise UnreadableHistory(row.seq, str(error)) from error
        if row.type == COMMAND:
            at = stored_time(row.at)
            if at is None:
                raise UnreadableHistory(row.seq, f"its time '{row.at}' is not a time")
            commands.append(RecordedCommand(row.seq, at, row.actor_name, payload))
        elif commands:
            commands[-1].events.append(RecordedEvent(row.seq, row.type, payload))
        else:
            raise UnreadableHistory(row.seq, "the history does not begin with a command")
    return commands


def rebuild(case: Case, history: list[RecordedCommand], upto_seq: int | None = None) -> Rebuilt:
    """Run the recorded commands again, up to the one holding event ``upto_seq``."""
    # Kept workflows (see Runner) of the replay's own, not the service's. The case starts on
    # the version it started on, and is moved at each recorded move.
    runner = runner_for(_started_on(case, history)).detached()
    rebuilt = Rebuilt()
    state: str | None = None
    outcome: Outcome | None = None
    to_recorded: dict[str, str] = {}  # rebuilt task id -> recorded task id
    to_rebuilt: dict[str, str] = {}
    assignees: dict[str, str | None] = {}
    for command in history:
        if upto_seq is not None and command.seq > upto_seq:
            break
        name = command.payload.get("name")
        failure = next((e for e in command.events if e.type == "diagram_error"), None)
        if name in (CLAIM_TASK, UNCLAIM_TASK, ASSIGN_TASK):
            task_id = command.payload.get("task_id")
            assignees[task_id] = {
                CLAIM_TASK: command.actor,
                UNCLAIM_TASK: None,
                ASSIGN_TASK: command.payload.get("assignee"),
            }[name]
            rebuilt.commands += 1
            rebuilt.as_of = command
            continue
        if name in ACCESS_COMMANDS:  # who may see the case, not what it holds
            rebuilt.commands += 1
            rebuilt.as_of = command
            continue
        was_open = {t.id: t.bpmn_id for t in outcome.open_tasks} if outcome else {}
        try:
            recorded_reads = [
                {"type": e.type, **e.payload} for e in command.events if e.type == READ_EVENT
            ]
            target = runner
            if name == MIGRATE_CASE:
                target = runner_for(command.payload.get("to_version")).detached()
            with engine_clock(command.at), outside_reads.capture(recorded_reads) as reads:
                new = _run(runner, case, command, name, state, to_rebuilt, target)
            new.events.extend(reads)
        except DiagramError as error:
            if failure is not None:
                rebuilt.commands += 1
                rebuilt.as_of = command
                continue  # it failed then too, and changed nothing
            rebuilt.difference = Difference(
                command.seq, "error", None, str(error), "the command fails when replayed"
            )
            return rebuilt
        except (FormInvalid, TaskNotOpen, StateVersionMismatch, _CannotRun) as error:
            rebuilt.difference = Difference(
                command.seq,
                "error",
                None,
                f"{type(error).__name__}: {error}",
                "the command cannot be run again",
            )
            return rebuilt
        if failure is not None:
            rebuilt.difference = Difference(
                command.seq,
                "error",
                failure.payload.get("message"),
                None,
                "the command failed when it was run, but succeeds when replayed",
            )
            return rebuilt
        finished = to_rebuilt.get(command.payload.get("task_id", ""))
        still_open = {t.id for t in new.open_tasks}
        withdrawn = [
            {"task_id": task_id, "bpmn_id": bpmn_id}
            for task_id, bpmn_id in sorted(
                was_open.items(), key=lambda item: to_recorded.get(item[0], item[0])
            )
            if task_id not in still_open and task_id != finished
        ]
        replayed = engine_events(new.events, set(was_open), withdrawn)
        recorded = [e for e in command.events if e.type not in _NOT_FROM_ENGINE]
        difference = _compare_events(command, recorded, replayed)
        if difference is not None:
            rebuilt.difference = difference
            return rebuilt
        opened_recorded = [e.payload["task_id"] for e in recorded if e.type == "task_opened"]
        opened_rebuilt = [e["task_id"] for e in replayed if e["type"] == "task_opened"]
        for recorded_id, rebuilt_id in zip(opened_recorded, opened_rebuilt, strict=True):
            to_recorded[rebuilt_id], to_rebuilt[recorded_id] = recorded_id, rebuilt_id
        outcome, state, runner = new, new.state, target
        rebuilt.commands += 1
        rebuilt.as_of = command
    if outcome is None:
        return rebuilt
    rebuilt.status = "completed" if outcome.completed else "running"
    rebuilt.data = outcome.data
    rebuilt.open_tasks = [
        {
            "id": to_recorded.get(t.id, t.id),
            "bpmn_id": t.bpmn_id,
            "name": t.name,
            "lane": t.lane,
            "assignee": assignees.get(to_recorded.get(t.id, t.id)),
        }
        for t in outcome.open_tasks
    ]
    rebuilt.path = path_taken(runner.restore(case.process_id, state))
    return rebuilt


def replay_case(case_id: str) -> dict:
    """Rebuild the case and compare it with the stored one: match, or the first difference."""
    case = _case(case_id)
    try:
        history = load_history(case_id)
    except UnreadableHistory as error:
        return _report(case_id, 0, 0, Difference(error.seq, "history", None, None, str(error)))
    if not history:
        return _report(
            case_id,
            0,
            0,
            Difference(None, "history", None, None, "the case has no recorded history"),
        )
    rebuilt = rebuild(case, history)
    events = history[-1].last_seq
    difference = rebuilt.difference or _compare_with_stored(case, rebuilt, events)
    return _report(case_id, rebuilt.commands, events, difference)


def state_at(case_id: str, at_seq: int | None = None, at: datetime | None = None) -> dict:
    """The case as it stood after event ``at_seq``, or at time ``at``: rebuilt, not stored."""
    case = _case(case_id)
    try:
        history = load_history(case_id)
    except UnreadableHistory as error:
        raise ApiProblem(409, "History cannot be read", str(error)) from error
    if not history:
        raise ApiProblem(409, "No history", f"The case '{case_id}' has no recorded history.")
    last_seq = history[-1].last_seq
    if at_seq is not None and at_seq > last_seq:
        raise ApiProblem(
            422,
            "No such event",
            f"Event {at_seq} is past the end of the case's history, which has {last_seq} events.",
        )
    if at is not None:
        if at < history[0].at:
            raise ApiProblem(
                422,
                "Before the case began",
                f"{at.isoformat()} is before the case began at {time_text(history[0].at)}.",
            )
        at_seq = max(c.seq for c in history if c.at <= at)
    rebuilt = rebuild(case, history, upto_seq=at_seq)
    as_of = rebuilt.as_of
    return {
        "case_id": case_id,
        "as_of_seq": as_of.last_seq if as_of else None,
        "as_of": time_text(as_of.at) if as_of else None,
        "status": rebuilt.status,
        "data": rebuilt.data,
        "open_tasks": rebuilt.open_tasks,
        "path": rebuilt.path,
        "consistent": rebuilt.difference is None,
        "difference": rebuilt.difference.as_dict() if rebuilt.difference else None,
    }


class _CannotRun(Exception):
    pass


def _started_on(case: Case, history: list[RecordedCommand]) -> int:
    """The version the case started on, as its first command recorded it."""
    for event in history[0].events if history else []:
        if event.type == "definition_version" and event.payload.get("version_id") is not None:
            return event.payload["version_id"]
    return case.definition_version_id


def _run(
    runner, case: Case, command: RecordedCommand, name, state, to_rebuilt, target=None
) -> Outcome:
    data = command.payload.get("data") or {}
    language = command.payload.get("language", "en")
    if name == START_CASE:
        return runner.start(command.payload["process"], data, language)
    if state is None:
        raise _CannotRun("the history does not begin with the case's start")
    if name == COMPLETE_TASK:
        task_id = to_rebuilt.get(command.payload.get("task_id"))
        if task_id is None:
            raise _CannotRun(f"task '{command.payload.get('bpmn_id')}' was never opened")
        return runner.complete(case.process_id, state, task_id, data, language)
    if name == FIRE_TIMERS:
        return runner.fire_due_timers(case.process_id, state)
    if name == MIGRATE_CASE:
        to_version = command.payload.get("to_version")
        old_shapes = shapes_of(*runner.catalog.spec(case.process_id))
        moved = target.migrate(
            case.process_id,
            state,
            command.payload.get("mapping") or {},
            old_shapes,
            f"version {to_version}",
        )
        if not moved.movable:
            reasons = "; ".join(reason["detail"] for reason in moved.blocked)
            raise _CannotRun(f"the move to version {to_version} is blocked: {reasons}")
        return moved.outcome
    raise _CannotRun(f"unknown command '{name}'")


def _comparable(event: dict) -> dict:
    # Task ids are random in each run; everything else must be the same.
    return json.loads(canonical_json({k: v for k, v in event.items() if k != "task_id"}))


def _compare_events(
    command: RecordedCommand, recorded: list[RecordedEvent], replayed: list[dict]
) -> Difference | None:
    for index in range(max(len(recorded), len(replayed))):
        mine = _comparable(replayed[index]) if index < len(replayed) else None
        theirs = (
            _comparable({"type": recorded[index].type, **recorded[index].payload})
            if index < len(recorded)
            else None
        )
        if mine != theirs:
            seq = recorded[index].seq if index < len(recorded) else command.last_seq
            return Difference(
                seq,
                "event",
                theirs,
                mine,
                "the replayed command did not do what the recorded one did",
            )
    return None


def _compare_with_stored(case: Case, rebuilt: Rebuilt, last_seq: int) -> Difference | None:
    runner = runner_for(case.definition_version_id)
    try:
        stored = runner.restore(case.process_id, case.state)
    except (StateVersionMismatch, ValueError, KeyError) as error:
        return Difference(
            last_seq, "state", None, None, f"the stored state cannot be read: {error}"
        )
    if rebuilt.status != case.status:
        return Difference(last_seq, "status", case.status, rebuilt.status, "the status differs")
    if canonical_json(rebuilt.data) != canonical_json(case.data):
        field_name = next(
            key
            for key in sorted(set(case.data) | set(rebuilt.data))
            if canonical_json(case.data.get(key)) != canonical_json(rebuilt.data.get(key))
        )
        return Difference(
            last_seq,
            f"data.{field_name}",
            case.data.get(field_name),
            rebuilt.data.get(field_name),
            f"the case data differ in '{field_name}'",
        )
    stored_open = sorted(element_id(t.task_spec) for t in ready_user_tasks(stored))
    rebuilt_open = sorted(t["bpmn_id"] for t in rebuilt.open_tasks)
    if stored_open != rebuilt_open:
        return Difference(
            last_seq, "open_tasks", stored_open, rebuilt_open, "the open tasks differ"
        )
    stored_path = path_taken(stored)
    if stored_path != rebuilt.path:
        return Difference(last_seq, "path", stored_path, rebuilt.path, "the path taken differs")
    return None


def _report(case_id: str, commands: int, events: int, difference: Difference | None) -> dict:
    return {
        "case_id": case_id,
        "match": difference is None,
        "commands": commands,
        "events": events,
        "first_difference": difference.as_dict() if difference else None,
    }


def _case(case_id: str) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise not_found("Case", case_id)
    return case
