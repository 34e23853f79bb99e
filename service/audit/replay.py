"""Replay: rebuild a case from its definition version and its recorded commands.

Each command runs again with the engine's clock at its recorded time. Task ids are random, so a
recorded task is matched to the rebuilt one by the order in which tasks were opened. After each
command the rebuilt events must equal the recorded ones (ignoring task ids); at the end the
rebuilt case must equal the stored one in status, data, open tasks and path taken, and so must
every checkpoint met on the way. A point in time is rebuilt from the nearest checkpoint at or
before it, replaying only the commands after it. Nothing is written: the rebuilt case lives
only in memory.
"""

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, func, select, type_coerce

from workflows import outside_reads
from workflows.clock import engine_clock
from workflows.migration import shapes_of
from workflows.outside_reads import EVENT_TYPE as READ_EVENT
from workflows.path import path_in_saved_state, path_taken
from workflows.runner import (
    Deferred,
    DiagramError,
    FormInvalid,
    OpenTask,
    Outcome,
    StateVersionMismatch,
    TaskNotOpen,
    element_id,
    ready_user_tasks,
)
from workflows.saved_states import first_difference

from ..db import db
from ..definitions import runner_for
from ..models import Case
from ..problems import ApiProblem, not_found
from . import checkpoints
from .chain import EVENT_ROWS, canonical_json, stored_time, time_text
from .checkpoints import CHECKPOINT, Checkpoint, DamagedCheckpoint, Snapshot
from .events import COMMAND, engine_events
from .models import CaseEvent
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
    CHECKPOINT,
    *ACCESS_EVENTS,
}
# The events after one, up to another: the part of a history a point in time replays.
_EVENTS_BETWEEN = EVENT_ROWS.where(
    CaseEvent.seq > bindparam("after"), CaseEvent.seq <= bindparam("through")
)
_NO_END = 2**31 - 1
_NEXT_COMMAND = select(func.min(CaseEvent.seq)).where(
    CaseEvent.case_id == bindparam("case_id"),
    CaseEvent.type == COMMAND,
    CaseEvent.seq > bindparam("seq"),
)
_LAST_SEQ = select(func.max(CaseEvent.seq)).where(CaseEvent.case_id == bindparam("case_id"))
_COMMAND_TIMES = (
    select(CaseEvent.seq, type_coerce(CaseEvent.at, String).label("at"))
    .where(CaseEvent.case_id == bindparam("case_id"), CaseEvent.type == COMMAND)
    .order_by(CaseEvent.seq)
)


@dataclass(frozen=True)
class RecordedEvent:
    seq: int
    type: str
    payload: dict
    state_hash: str | None = None


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

    commands: int = 0  # commands replayed
    as_of_seq: int | None = None  # the last event of the last command replayed
    as_of: datetime | None = None  # and its time
    status: str | None = None
    data: dict = field(default_factory=dict)
    open_tasks: list[dict] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    difference: Difference | None = None
    checkpoints: int = 0  # checkpoints found equal to the case replayed to them

    def replayed(self, command: RecordedCommand) -> None:
        self.commands += 1
        self.as_of_seq, self.as_of = command.last_seq, command.at


class UnreadableHistory(Exception):
    def __init__(self, seq: int, reason: str):
        self.seq = seq
        super().__init__(f"event {seq} cannot be read: {reason}")


def load_history(case_id: str, after: int = 0, through: int = _NO_END) -> list[RecordedCommand]:
    """The recorded commands from event ``after`` + 1 to event ``through``, both command
    boundaries."""
    commands: list[RecordedCommand] = []
    rows = db.session.execute(
        _EVENTS_BETWEEN, {"case_id": case_id, "after": after, "through": through}
    )
    for row in rows:
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
            commands[-1].events.append(RecordedEvent(row.seq, row.type, payload, row.state_hash))
        else:
            raise UnreadableHistory(row.seq, "the history does not begin with a command")
    return commands


def rebuild(
    case: Case,
    history: list[RecordedCommand],
    upto_seq: int | None = None,
    start: Checkpoint | None = None,
    stored: dict[int, Any] | None = None,
) -> Rebuilt:
    """Run the recorded commands again, up to the one holding event ``upto_seq``: from the
    checkpoint ``start`` (``history`` then begins after it), or from the case's start.

    With ``stored`` (the case's checkpoint rows by sequence number), each checkpoint the
    history records is compared with the case as replayed to it.
    """
    # Kept workflows (see Runner) of the replay's own, not the service's. The case starts on
    # the version it started on (or was on at the checkpoint), and is moved at each recorded
    # move.
    version = _version_at(case, start.seq) if start is not None else _started_on(case, history)
    runner = runner_for(version).detached()
    rebuilt = Rebuilt()
    state: str | None = None
    outcome: Outcome | None = None
    to_recorded: dict[str, str] = {}  # rebuilt task id -> recorded task id
    to_rebuilt: dict[str, str] = {}
    assignees: dict[str, str | None] = {}
    if start is not None:
        # The checkpoint's state holds the recorded task ids: its open tasks are their own.
        outcome = _outcome_of(start.snapshot)
        state = outcome.state
        for task in start.snapshot.open_tasks:
            to_recorded[task["id"]] = to_rebuilt[task["id"]] = task["id"]
            assignees[task["id"]] = task["assignee"]
        rebuilt.as_of_seq, rebuilt.as_of = start.seq, start.at

    # A checkpoint met (``stored`` given) and the case replayed to it, to be compared while
    # the next command runs in its engine process.
    met: list[tuple[RecordedEvent, str, tuple, dict[str, str]]] = []

    def passed(command: RecordedCommand) -> bool:
        """Count the command replayed, and take note of a checkpoint it ends with: False when
        the checkpoint cannot be one."""
        rebuilt.replayed(command)
        checkpoint = next((e for e in command.events if e.type == CHECKPOINT), None)
        if stored is None or checkpoint is None:
            return True
        if outcome is None:
            detail = f"the checkpoint at event {checkpoint.seq} comes before the case's start"
            rebuilt.difference = Difference(checkpoint.seq, "checkpoint", None, None, detail)
            return False
        ids = {t.id: to_recorded.get(t.id, t.id) for t in outcome.open_tasks}
        met.append((checkpoint, state, _shown(outcome, to_recorded, assignees), ids))
        return True

    def settled() -> bool:
        """Compare the checkpoint met last, if any: False when it differs."""
        if met:
            rebuilt.difference = _compare_with_checkpoint(case, stored, *met.pop())
            rebuilt.checkpoints += rebuilt.difference is None
        return rebuilt.difference is None

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
            if not passed(command):
                return rebuilt
            continue
        if name in ACCESS_COMMANDS:  # who may see the case, not what it holds
            if not passed(command):
                return rebuilt
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
                running = _begin(runner, case, command, name, state, to_rebuilt, target)
                if not settled():
                    running.abandon()
                    return rebuilt
                new = running.result()
            new.events.extend(reads)
        except DiagramError as error:
            if failure is not None:  # it failed then too, and changed nothing
                if not passed(command):
                    return rebuilt
                continue
            rebuilt.difference = Difference(
                command.seq, "error", None, str(error), "the command fails when replayed"
            )
            return rebuilt
        except (FormInvalid, TaskNotOpen, StateVersionMismatch, _CannotRun) as error:
            if not settled():
                return rebuilt
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
        again = engine_events(new.events, set(was_open), withdrawn)
        recorded = [e for e in command.events if e.type not in _NOT_FROM_ENGINE]
        difference = _compare_events(command, recorded, again)
        if difference is not None:
            rebuilt.difference = difference
            return rebuilt
        opened_recorded = [e.payload["task_id"] for e in recorded if e.type == "task_opened"]
        opened_rebuilt = [e["task_id"] for e in again if e["type"] == "task_opened"]
        for recorded_id, rebuilt_id in zip(opened_recorded, opened_rebuilt, strict=True):
            to_recorded[rebuilt_id], to_rebuilt[recorded_id] = recorded_id, rebuilt_id
        outcome, state, runner = new, new.state, target
        if not passed(command):
            return rebuilt
    if not settled() or outcome is None:
        return rebuilt
    rebuilt.status, rebuilt.data, rebuilt.open_tasks = _shown(outcome, to_recorded, assignees)
    rebuilt.path = _path(runner, case, state)
    return rebuilt


def _path(runner, case: Case, state: str) -> list[str]:
    return path_in_saved_state(state, *runner.catalog.spec(case.process_id))


def _shown(
    outcome: Outcome, to_recorded: dict[str, str], assignees: dict[str, str | None]
) -> tuple[str, dict, list[dict]]:
    """Status, data and open tasks (by their recorded ids) as a point in time shows them."""
    open_tasks = [
        {
            "id": to_recorded.get(t.id, t.id),
            "bpmn_id": t.bpmn_id,
            "name": t.name,
            "lane": t.lane,
            "assignee": assignees.get(to_recorded.get(t.id, t.id)),
        }
        for t in outcome.open_tasks
    ]
    return ("completed" if outcome.completed else "running"), outcome.data, open_tasks


def _outcome_of(snapshot: Snapshot) -> Outcome:
    """A checkpoint as the outcome of the command it follows, for replay to go on from."""
    open_tasks = [
        OpenTask(t["id"], t["bpmn_id"], t["name"], t["lane"], None, None, None)
        for t in snapshot.open_tasks
    ]
    return Outcome(snapshot.state, open_tasks, snapshot.status == "completed", snapshot.data)


def replay_case(case_id: str) -> dict:
    """Rebuild the case and compare it with the stored one: match, or the first difference."""
    case = _case(case_id)
    try:
        history = load_history(case_id)
    except UnreadableHistory as error:
        return _report(case_id, None, 0, Difference(error.seq, "history", None, None, str(error)))
    if not history:
        return _report(
            case_id,
            None,
            0,
            Difference(None, "history", None, None, "the case has no recorded history"),
        )
    rebuilt = rebuild(case, history, stored=checkpoints.rows_of(case_id))
    events = history[-1].last_seq
    difference = rebuilt.difference or _compare_with_stored(case, rebuilt, events)
    return _report(case_id, rebuilt, events, difference)


def state_at(
    case_id: str,
    at_seq: int | None = None,
    at: datetime | None = None,
    from_checkpoint: bool = True,
) -> dict:
    """The case as it stood after event ``at_seq``, or at time ``at``: rebuilt, not stored.

    Rebuilt from the nearest checkpoint at or before that event, or, with ``from_checkpoint``
    off or no checkpoint there, from the first event. A checkpoint that does not match the
    event recording it is not used: the case is rebuilt from the first event, and the answer
    names the checkpoint as a difference.
    """
    case = _case(case_id)
    last_seq = db.session.scalar(_LAST_SEQ, {"case_id": case_id})
    if last_seq is None:
        raise ApiProblem(409, "No history", f"The case '{case_id}' has no recorded history.")
    if at_seq is not None and at_seq > last_seq:
        raise ApiProblem(
            422,
            "No such event",
            f"Event {at_seq} is past the end of the case's history, which has {last_seq} events.",
        )
    if at is not None:
        at_seq = _last_command_at(case_id, at)
    target = last_seq if at_seq is None else at_seq
    # The whole command holding the event counts: a checkpoint at its end is near enough.
    following = db.session.scalar(_NEXT_COMMAND, {"case_id": case_id, "seq": target})
    end = following - 1 if following is not None else last_seq
    start, damaged = None, None
    if from_checkpoint:
        try:
            start = checkpoints.nearest(case_id, end)
        except DamagedCheckpoint as damage:
            detail = f"{damage} The case was rebuilt from its first event instead."
            damaged = Difference(damage.seq, "checkpoint", None, None, detail)
    try:
        history = load_history(case_id, after=start.seq if start else 0, through=end)
    except UnreadableHistory as error:
        raise ApiProblem(409, "History cannot be read", str(error)) from error
    rebuilt = rebuild(case, history, upto_seq=target, start=start)
    difference = rebuilt.difference or damaged
    return {
        "case_id": case_id,
        "as_of_seq": rebuilt.as_of_seq,
        "as_of": time_text(rebuilt.as_of) if rebuilt.as_of else None,
        "status": rebuilt.status,
        "data": rebuilt.data,
        "open_tasks": rebuilt.open_tasks,
        "path": rebuilt.path,
        "consistent": difference is None,
        "difference": difference.as_dict() if difference else None,
        "checkpoint_seq": start.seq if start else None,
        "commands_replayed": rebuilt.commands,
    }


def _last_command_at(case_id: str, at: datetime) -> int:
    """The command event of the last command at or before ``at``."""
    commands = []
    for row in db.session.execute(_COMMAND_TIMES, {"case_id": case_id}):
        when = stored_time(row.at)
        if when is None:
            raise ApiProblem(
                409,
                "History cannot be read",
                f"event {row.seq} cannot be read: its time '{row.at}' is not a time",
            )
        commands.append((row.seq, when))
    if not commands or at < commands[0][1]:
        began = f" at {time_text(commands[0][1])}" if commands else ""
        raise ApiProblem(
            422, "Before the case began", f"{at.isoformat()} is before the case began{began}."
        )
    return max(seq for seq, when in commands if when <= at)


class _CannotRun(Exception):
    pass


def _started_on(case: Case, history: list[RecordedCommand]) -> int:
    """The version the case started on, as its first command recorded it."""
    for event in history[0].events if history else []:
        if event.type == "definition_version" and event.payload.get("version_id") is not None:
            return event.payload["version_id"]
    return case.definition_version_id


def _version_at(case: Case, seq: int) -> int:
    """The version the case was on at event ``seq``: the last one its history records by then
    (at its start, or at a move onto another version)."""
    payload = db.session.scalar(
        select(CaseEvent.payload)
        .where(
            CaseEvent.case_id == case.id,
            CaseEvent.type == "definition_version",
            CaseEvent.seq <= seq,
        )
        .order_by(CaseEvent.seq.desc())
        .limit(1)
    )
    version = json.loads(payload).get("version_id") if payload else None
    return version if version is not None else case.definition_version_id


def _begin(runner, case: Case, command: RecordedCommand, name, state, to_rebuilt, target=None):
    """The recorded command, begun: in an engine process it runs while replay goes on. A move
    onto another version runs on ``target``, that version's runner."""
    data = command.payload.get("data") or {}
    language = command.payload.get("language", "en")
    if name == START_CASE:
        return runner.begin("start", command.payload["process"], data, language)
    if state is None:
        raise _CannotRun("the history does not begin with the case's start")
    if name == COMPLETE_TASK:
        task_id = to_rebuilt.get(command.payload.get("task_id"))
        if task_id is None:
            raise _CannotRun(f"task '{command.payload.get('bpmn_id')}' was never opened")
        return runner.begin("complete", case.process_id, state, task_id, data, language)
    if name == FIRE_TIMERS:
        return runner.begin("fire_due_timers", case.process_id, state)
    if name == MIGRATE_CASE:
        return Deferred(_moved, (runner, target, case, command, state))
    raise _CannotRun(f"unknown command '{name}'")


def _moved(runner, target, case: Case, command: RecordedCommand, state) -> Outcome:
    """The recorded move onto another version, made again."""
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


# What the engine says of an event that it did not always say: events recorded before it
# lack it, and their replay is compared without it.
_RECORDED_LATER = "rules"


def _comparable(event: dict) -> dict:
    # Task ids are random in each run; everything else must be the same.
    return json.loads(canonical_json({k: v for k, v in event.items() if k != "task_id"}))


def _compare_events(
    command: RecordedCommand, recorded: list[RecordedEvent], replayed: list[dict]
) -> Difference | None:
    for index in range(max(len(recorded), len(replayed))):
        theirs = (
            _comparable({"type": recorded[index].type, **recorded[index].payload})
            if index < len(recorded)
            else None
        )
        mine = _comparable(replayed[index]) if index < len(replayed) else None
        if mine and theirs and _RECORDED_LATER in mine and _RECORDED_LATER not in theirs:
            del mine[_RECORDED_LATER]  # recorded before decisions named their rules
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


def _compare_with_checkpoint(
    case: Case,
    stored: dict[int, Any],
    event: RecordedEvent,
    state: str,
    shown: tuple[str, dict, list[dict]],
    open_ids: dict[str, str],
) -> Difference | None:
    """A checkpoint against the case as replayed to it: its status, data and open tasks, and
    its saved state against the replayed one (the same tasks, specs, states and data, its open
    tasks the recorded ones), so that a point in time rebuilt from it is the one rebuilt from
    the first event."""
    seq = event.seq
    row = stored.get(seq)
    if row is None:
        detail = f"the checkpoint recorded by event {seq} is missing"
        return Difference(seq, "checkpoint", None, None, detail)
    try:
        snapshot = checkpoints.read(case.id, row, event.payload.get("digest"), event.state_hash)
    except DamagedCheckpoint as damage:
        return Difference(seq, "checkpoint", None, None, str(damage))
    status, data, open_tasks = shown
    if snapshot.status != status:
        return _checkpoint_differs(seq, "status", snapshot.status, status)
    if canonical_json(snapshot.data) != canonical_json(data):
        return _checkpoint_differs(seq, "data", snapshot.data, data)
    if snapshot.open_tasks != open_tasks:
        return _checkpoint_differs(seq, "open_tasks", snapshot.open_tasks, open_tasks)
    try:
        where, twins = first_difference(snapshot.state, state)
    except (ValueError, KeyError, TypeError) as error:
        where, twins = f"it cannot be read ({error})", {}
    if where is None and any(twins.get(mine) != theirs for mine, theirs in open_ids.items()):
        where = "its open tasks are not the recorded ones"
    if where is not None:
        detail = (
            f"the saved state of the checkpoint at event {seq} is not the state replayed to "
            f"it: {where}"
        )
        return Difference(seq, "checkpoint.state", None, None, detail)
    return None


def _checkpoint_differs(seq: int, what: str, recorded, replayed) -> Difference:
    return Difference(
        seq,
        f"checkpoint.{what}",
        recorded,
        replayed,
        f"the checkpoint at event {seq} differs from the case replayed to it in its {what}",
    )


def _report(
    case_id: str, rebuilt: Rebuilt | None, events: int, difference: Difference | None
) -> dict:
    return {
        "case_id": case_id,
        "match": difference is None,
        "commands": rebuilt.commands if rebuilt else 0,
        "events": events,
        "checkpoints": rebuilt.checkpoints if rebuilt else 0,
        "first_difference": difference.as_dict() if difference else None,
    }


def _case(case_id: str) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise not_found("Case", case_id)
    return case
