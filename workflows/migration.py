"""Moving a running case to another version of its process: what would change, or why not.

A saved case names each of its tasks' elements by id (the definition version holds the specs),
so a case moves by having its saved tasks point at the new version's elements: the same id, or
the one a process owner's mapping names in its place. Before anything moves, every element the
case has been through, and every one it waits on, must be found in the new version; an element
it waits on must be of the same kind there (a user task still a user task, a timer still the
same kind of timer); and what its open tasks already hold for their forms must pass the new
forms. Otherwise the case is blocked, each reason naming the element.

What moves:

- An open task whose element is kept stays the same task (its id, its data, who holds it).
- An open task the mapping moves to another element is withdrawn, and a task of the new element
  is opened in its place (a new id), counting its due time from the move.
- The work predicted after each open step is worked out again from the new version, so a step
  inserted after it (a new user task after the live-time review) is the next one reached.
- A timer whose expression changed is worked out again from when the case began waiting on it
  (a 30-minute deadline changed to 60 minutes falls due 60 minutes after it began).

Pure: given the saved state, the new version's specs, the old version's element shapes and a
mapping, it edits the saved tasks and then the restored workflow. The runner (workflows.runner)
restores, runs the checks that evaluate diagram code (timer expressions, due dates) and saves.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.util.task import TaskState

from . import clock
from .catalog import FORM_PROPERTY

# Specs the parser derives from an element, named after it: they move with it.
DERIVED_SUFFIXES = (".BoundaryEventSplit", ".BoundaryEventJoin", ".EndJoin", " [child]")
LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
PREDICTED = TaskState.FUTURE | TaskState.PREDICTED_MASK

# Why a case cannot move: each reason's code, for pages to word in their own language.
MISSING_WAITING = "waits_on_missing"
MISSING_PASSED = "passed_missing"
MISSING_PROCESS = "runs_missing_process"
KIND_CHANGED = "kind_changed"
TIMER_CHANGED = "timer_kind_changed"
FORM_REFUSES = "form_refuses"
PATH_UNKNOWN = "path_unknown"


@dataclass(frozen=True)
class Shape:
    """What a case waiting on an element relies on: the element's kind and its timers."""

    kind: str
    timers: tuple[tuple[str, str], ...] = ()  # (kind, expression) of each timer it waits on


def shapes_of(spec, subprocess_specs: Mapping) -> dict[str, dict[str, Shape]]:
    """The shape of every element of a process and of the processes it calls, by process id
    and element (spec) name: plain data, sent beside a case to be moved."""
    return {
        each.name: {name: _shape(task_spec) for name, task_spec in each.task_specs.items()}
        for each in (spec, *subprocess_specs.values())
    }


def _shape(task_spec: TaskSpec) -> Shape:
    return Shape(type(task_spec).__name__, _timers(task_spec))


def _timers(task_spec: TaskSpec) -> tuple[tuple[str, str], ...]:
    definition = getattr(task_spec, "event_definition", None)
    members = getattr(definition, "event_definitions", None) or [definition]
    return tuple(
        (timer_kind(each), str(each.expression))
        for each in members
        if isinstance(each, TimerEventDefinition)
    )


def timer_kind(timer: TimerEventDefinition) -> str:
    name = type(timer).__name__
    if name.startswith("TimeDate"):
        return "date"
    if name.startswith("Cycle"):
        return "cycle"
    return "duration"


@dataclass(frozen=True)
class Blocked:
    """One reason a case cannot move, naming the element."""

    code: str
    element_id: str
    detail: str

    def as_dict(self) -> dict:
        return {"code": self.code, "element_id": self.element_id, "detail": self.detail}


@dataclass
class Edited:
    """The saved tasks pointed at the new version, and what must still be done once restored."""

    saved: dict
    blocked: list[Blocked] = field(default_factory=list)
    predict_again: dict[str, int | None] = field(default_factory=dict)  # task id -> old state
    replaced: dict[str, tuple[str, str]] = field(default_factory=dict)  # new id -> (old id, old)
    reschedule: set[str] = field(default_factory=set)  # ids of waiting timers to work out again
    renamed: dict[str, str] = field(default_factory=dict)  # old element -> new, of open tasks


def mapped(name: str, mapping: Mapping[str, str]) -> str:
    """An element (spec) name in the new version: mapped, with its derived specs."""
    if name in mapping:
        return mapping[name]
    for suffix in DERIVED_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in mapping:
            return mapping[name[: -len(suffix)]] + suffix
    return name


def element_of(name: str) -> str:
    """The diagram element a spec belongs to (a derived spec belongs to its element)."""
    for suffix in DERIVED_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def edit_saved(
    saved: dict,
    spec,
    subprocess_specs: Mapping,
    old_shapes: Mapping[str, Mapping[str, Shape]],
    mapping: Mapping[str, str],
    version_label: str,
) -> Edited:
    """Point a saved case's tasks at the new version's elements, in place; say what blocks it.

    ``saved`` is the case's saved state as a dict (without the spec); ``spec`` and
    ``subprocess_specs`` are the new version's; ``old_shapes`` the old version's
    (``shapes_of``); ``version_label`` names the new version in reasons ("version 7").
    """
    edited = Edited(saved)
    runs = [(saved, spec)]
    for run_id, run in saved.get("subprocesses", {}).items():
        owner = _find_task(saved, run_id)
        called = None
        if owner is not None:
            owner_spec = _spec_of_run(saved, spec, subprocess_specs, run_id)
            owner_element = owner_spec.task_specs.get(mapped(owner["task_spec"], mapping))
            called = getattr(owner_element, "spec", None)
        run_spec = subprocess_specs.get(called) if called else None
        if run_spec is None:
            name = run.get("spec") or "?"
            edited.blocked.append(
                Blocked(
                    MISSING_PROCESS,
                    name,
                    f"it is running '{name}', which {version_label} does not call from there",
                )
            )
            continue
        runs.append((run, run_spec))
    for run, run_spec in runs:
        _edit_run(
            edited,
            run,
            run_spec,
            old_shapes.get(run.get("spec") or spec.name, {}),
            mapping,
            version_label,
        )
    return edited


def _spec_of_run(saved: dict, spec, subprocess_specs: Mapping, run_id: str):
    """The new spec of the run (top-level or called) that holds task ``run_id``."""
    if run_id in saved["tasks"]:
        return spec
    for run in saved.get("subprocesses", {}).values():
        if run_id in run["tasks"]:
            return subprocess_specs.get(run.get("spec"), spec)
    return spec


def _find_task(saved: dict, task_id: str) -> dict | None:
    if task_id in saved["tasks"]:
        return saved["tasks"][task_id]
    for run in saved.get("subprocesses", {}).values():
        if task_id in run["tasks"]:
            return run["tasks"][task_id]
    return None


def _edit_run(
    edited: Edited,
    run: dict,
    run_spec,
    old_shapes: Mapping[str, Shape],
    mapping: Mapping[str, str],
    version_label: str,
) -> None:
    tasks: dict = run["tasks"]
    elements = run_spec.task_specs
    # Work predicted after an open step is worked out again from the new version, unless it
    # still matches it (then it stays as it is, predicted as the engine predicted it).
    dropped: set[str] = set()
    for task_id, task in list(tasks.items()):
        if not task["state"] & LIVE:
            continue
        predicted = [c for c in task["children"] if tasks[c]["state"] & PREDICTED]
        if predicted and not _still_matches(tasks, task, predicted, elements, mapping):
            edited.predict_again[task_id] = min(tasks[c]["state"] for c in predicted)
            for child in predicted:
                dropped |= _subtree(tasks, child)
            task["children"] = [c for c in task["children"] if c not in predicted]
    for task_id in dropped:
        del tasks[task_id]
    for task_id, task in list(tasks.items()):
        old_name = task["task_spec"]
        new_name = mapped(old_name, mapping)
        element = elements.get(new_name)
        live = bool(task["state"] & LIVE)
        shown = element_of(old_name)
        if element is None:
            if task["state"] & PREDICTED:
                edited.blocked.append(
                    Blocked(
                        PATH_UNKNOWN,
                        shown,
                        f"the path it would take after '{shown}' cannot be worked out in "
                        f"{version_label}",
                    )
                )
            elif live:
                edited.blocked.append(
                    Blocked(
                        MISSING_WAITING,
                        shown,
                        f"it waits on '{shown}', which {version_label} does not have, and the "
                        "mapping names no element in its place",
                    )
                )
            else:
                edited.blocked.append(
                    Blocked(
                        MISSING_PASSED,
                        shown,
                        f"it has been through '{shown}', which {version_label} does not have; "
                        "name the element that takes its place in the mapping",
                    )
                )
            continue
        if live:
            old = old_shapes.get(old_name)
            new = _shape(element)
            if old is not None and old.kind != new.kind:
                edited.blocked.append(
                    Blocked(
                        KIND_CHANGED,
                        shown,
                        f"it waits on '{shown}', a {_words(old.kind)} here and a "
                        f"{_words(new.kind)} in {version_label}",
                    )
                )
                continue
            if old is not None and task["state"] & TaskState.WAITING and old.timers:
                old_kinds = [kind for kind, _ in old.timers]
                new_kinds = [kind for kind, _ in new.timers]
                if old_kinds != new_kinds:
                    edited.blocked.append(
                        Blocked(
                            TIMER_CHANGED,
                            shown,
                            f"it waits on the timer '{shown}', a {_listed(old_kinds)} timer "
                            f"here and {_timer_words(new_kinds)} in {version_label}",
                        )
                    )
                    continue
                if old.timers != new.timers:
                    edited.reschedule.add(task_id)
            if new_name != old_name:
                edited.renamed[old_name] = new_name
                if getattr(element, "manual", False) and task["state"] & TaskState.READY:
                    new_id = _replace_id(run, task_id)
                    edited.replaced[new_id] = (task_id, element_of(old_name))
                    if task_id in edited.predict_again:
                        edited.predict_again[new_id] = edited.predict_again.pop(task_id)
                    if task_id in edited.reschedule:
                        edited.reschedule.discard(task_id)
                        edited.reschedule.add(new_id)
        task["task_spec"] = new_name


def _still_matches(tasks, task, predicted, elements, mapping) -> bool:
    """Whether the work predicted after ``task`` is what the new version predicts."""
    element = elements.get(mapped(task["task_spec"], mapping))
    if element is None:
        return False
    outputs = {output.name for output in element.outputs}
    if not {mapped(tasks[c]["task_spec"], mapping) for c in predicted} <= outputs:
        return False
    for child_id in predicted:
        child = tasks[child_id]
        if child["children"] and not _still_matches(
            tasks, child, child["children"], elements, mapping
        ):
            return False
        if not child["children"] and mapped(child["task_spec"], mapping) not in elements:
            return False
    return True


def _subtree(tasks: dict, task_id: str) -> set[str]:
    found, stack = set(), [task_id]
    while stack:
        each = stack.pop()
        found.add(each)
        stack.extend(tasks[each]["children"])
    return found


def _replace_id(run: dict, task_id: str) -> str:
    """Give a task a new id in its saved run (its parent, children and run point to it)."""
    tasks = run["tasks"]
    new_id = str(uuid4())
    task = tasks.pop(task_id)
    task["id"] = new_id
    tasks[new_id] = task
    if task["parent"] is not None and task["parent"] in tasks:
        parent = tasks[task["parent"]]
        parent["children"] = [new_id if c == task_id else c for c in parent["children"]]
    for child in task["children"]:
        tasks[child]["parent"] = new_id
    if run.get("root") == task_id:
        run["root"] = new_id
    if run.get("last_task") == task_id:
        run["last_task"] = new_id
    return new_id


_KIND_WORDS = {
    "UserTask": "user task",
    "ManualTask": "manual task",
    "ScriptTask": "script task",
    "BusinessRuleTask": "decision task",
    "CallActivity": "call activity",
    "SubWorkflowTask": "sub-process",
    "BoundaryEvent": "boundary event",
    "IntermediateCatchEvent": "catching event",
    "EventBasedGateway": "event-based gateway",
    "ParallelGateway": "parallel gateway",
    "ExclusiveGateway": "exclusive gateway",
    "InclusiveGateway": "inclusive gateway",
}


def _words(kind: str) -> str:
    return _KIND_WORDS.get(kind, kind)


def _listed(kinds: list[str]) -> str:
    return " and ".join(kinds)


def _timer_words(kinds: list[str]) -> str:
    return f"a {_listed(kinds)} timer" if kinds else "no timer"


# --- once restored around the new version's specs ------------------------------------------


@dataclass
class Change:
    """What moving a case changes, as a process owner reads it."""

    tasks_cancelled: list[dict] = field(default_factory=list)  # {task_id, bpmn_id}
    tasks_created: list[dict] = field(default_factory=list)  # {task_id, bpmn_id, replaces}
    timers_rescheduled: list[dict] = field(default_factory=list)  # {task_id, bpmn_id, from, to}


def settle(workflow: BpmnWorkflow, edited: Edited) -> Change:
    """Finish the move on the restored workflow: predict again after the steps whose next
    steps changed, open the tasks that replace others, work out changed timers again."""
    change = Change()
    for task_id, old_state in edited.predict_again.items():
        task = _task(workflow, task_id)
        if task is not None:
            _predict_again(task, old_state)
    for new_id, (old_id, old_element) in sorted(edited.replaced.items()):
        task = _task(workflow, new_id)
        # A task opened by the move: its due time counts from now, as any new task's does.
        task.last_state_change = clock.timestamp()
        change.tasks_cancelled.append({"task_id": old_id, "bpmn_id": old_element})
        change.tasks_created.append(
            {"task_id": new_id, "bpmn_id": element_of(task.task_spec.name), "replaces": old_id}
        )
    for task_id in sorted(edited.reschedule):
        task = _task(workflow, task_id)
        before = _due(task)
        _work_out_timers(task)
        after = _due(task)
        if before != after:
            change.timers_rescheduled.append(
                {
                    "task_id": task_id,
                    "bpmn_id": element_of(task.task_spec.name),
                    "from": before,
                    "to": after,
                }
            )
    return change


def _task(workflow: BpmnWorkflow, task_id: str):
    uuid = UUID(task_id)
    for run in (workflow, *workflow.subprocesses.values()):
        if uuid in run.tasks:
            return run.tasks[uuid]
    return None


# Elements whose next steps are simply their outputs (a task, a catching event): predicted
# again in the state they were predicted in before. Others (gateways, loops) predict their own.
_PLAIN_PREDICTION = (TaskSpec._predict_hook, CatchingEvent._predict_hook)


def _predict_again(task, old_state: int | None) -> None:
    """Predict the work after ``task`` from its new element, as the engine would have."""
    spec = task.task_spec
    plain = type(spec)._predict_hook in _PLAIN_PREDICTION
    cycle = isinstance(getattr(spec, "event_definition", None), CycleTimerEventDefinition)
    if plain and not cycle and old_state is not None:
        # The plain prediction: the next steps in the state they were predicted in before.
        state = TaskState.FUTURE if old_state & TaskState.FUTURE else old_state
        task._sync_children(spec.outputs, state)
        for child in task.children:
            child.task_spec._predict(child, mask=PREDICTED)
        return
    spec._predict(task, mask=PREDICTED | task.state)


def _due(task) -> str | None:
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):  # a cycle
        value = value.get("next")
    return value if isinstance(value, str) else None


def _work_out_timers(task) -> None:
    """Work a waiting timer's due time out again from its new expression, counted from when
    the case began waiting on it (as the engine counted it then)."""
    began = datetime.fromtimestamp(task.last_state_change, UTC)
    task.internal_data.pop("event_value", None)
    task.internal_data.pop("event_fired", None)
    definition = task.task_spec.event_definition
    members = getattr(definition, "event_definitions", None) or [definition]
    with clock.engine_clock(began):
        for timer in members:
            if isinstance(timer, CycleTimerEventDefinition):
                timer.cycle_complete(task)
            elif isinstance(timer, TimerEventDefinition):
                timer.has_fired(task)


def form_problems(workflow: BpmnWorkflow, catalog, tasks, version_label: str) -> list[Blocked]:
    """What the open tasks already hold for their forms that the new forms refuse."""
    blocked = []
    for task in tasks:
        properties = (getattr(task.task_spec, "extensions", None) or {}).get("properties", {})
        form = catalog.form(properties.get(FORM_PROPERTY))
        if form is None:
            continue
        problems = form.held_problems(task.data)
        if problems:
            shown = element_of(task.task_spec.name)
            listed = "; ".join(f"{p.field}: {p.message}" for p in problems)
            blocked.append(
                Blocked(
                    FORM_REFUSES,
                    shown,
                    f"what it holds for '{shown}' no longer passes its form in "
                    f"{version_label}: {listed}",
                )
            )
    return blocked
