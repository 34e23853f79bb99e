"""The runner: start a case or complete a task, and say what happened.

Pure engine work: given a catalog, a saved state and a command, return the new state, the open
tasks and the events. No HTTP, no SQL. The saved state leaves out the process spec, which the
definition version holds once for every case.
"""

import copy
import json
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from . import clock, migration, pruning
from .catalog import FORM_PROPERTY, UI_FORM_PROPERTY, Catalog
from .decisions import DecisionLog
from .instructions import render_instructions
from .letters import LETTER_PROPERTY, SENT_FIELD, Letter, merged_log, record_sent, render_letter
from .limits import (
    EngineLimits,
    StepBudget,
    UnsavableData,
    check_data_size,
    savable,
    unsavable,
)
from .problems import (
    CaseStalled,
    DiagramError,
    FormInvalid,
    LimitExceeded,
    StateVersionMismatch,
    TaskNotOpen,
)
from .sandbox import SandboxError, make_script_engine
from .serializer import SERIALIZER, SERIALIZER_VERSION, save
from .timers import WaitingTimer, run_due_timers, task_due_at, waiting_timers


def _withdraw_subprocesses_of_removed_tasks(workflow: BpmnWorkflow) -> BpmnWorkflow:
    """Let a step withdrawn from the case take the run of the process it called with it.

    SpiffWorkflow 3.2.0 cancels a call activity's run when the call activity itself is
    cancelled, but an interrupting event on a looped call activity (pre-charge bail ended by
    the decision on the case) cancels the loop and only drops its round from the task tree:
    the round's run was left behind, still open, its tasks in the inbox and its parent gone,
    and the next engine pass failed on it. Such a run is now cancelled (its tasks withdrawn,
    its events no longer waited for) and forgotten, as restoring the case from its saved text
    would forget it.
    """
    workflow.task_removed_event.connect(_withdraw_subprocess_of)
    return workflow


def _withdraw_subprocess_of(owner, task) -> None:
    top = getattr(owner, "top_workflow", owner)
    run = top.subprocesses.pop(task.id, None)
    if run is None:
        return
    run.cancel()
    for inner in [t for t in run.tasks.values() if t.id in top.subprocesses]:
        _withdraw_subprocess_of(top, inner)


@dataclass(frozen=True)
class OpenTask:
    id: str
    bpmn_id: str
    name: str
    lane: str | None
    form: str | None
    ui_form: str | None
    instructions: str | None
    due_at: datetime | None = None


@dataclass
class Migration:
    """Moving a case to another version: why it cannot move, or what moving it changes and
    the case as it would be saved (``outcome``)."""

    blocked: list[dict] = field(default_factory=list)
    change: dict = field(default_factory=dict)
    outcome: "Outcome | None" = None

    @property
    def movable(self) -> bool:
        return not self.blocked


@dataclass
class Outcome:
    """What a command left behind: state to save, work to show, and what happened."""

    state: str
    open_tasks: list[OpenTask]
    completed: bool
    data: dict
    events: list[dict] = field(default_factory=list)
    timers: list[WaitingTimer] = field(default_factory=list)


class Deferred:
    """A runner's command, run when its result is asked for."""

    def __init__(self, method, args: tuple) -> None:
        self.method, self.args = method, args

    def result(self):
        return self.method(*self.args)

    def abandon(self) -> None:
        pass


class Runner:
    """Runs the processes of one definition version.

    It keeps the workflows behind the last states it saved (at most ``keep`` of them), so the
    next command on a case can take up the workflow instead of rebuilding it from the saved
    text. A kept workflow is found only by the exact text it saved, so a case saved since by
    anyone else is always restored from what is stored. A command takes the workflow for
    itself; one that fails leaves nothing behind, and the next command restores from the text.

    ``fresh`` keeps nothing between commands: each one restores the case from its text around
    freshly parsed specs, as a process that has never seen the case would.

    Every command counts its engine steps and the size of the data it leaves, against
    ``limits``; ``on_step`` hears the id of each element before the engine runs it.
    """

    def __init__(
        self,
        catalog: Catalog,
        script_engine=None,
        keep: int = 32,
        fresh: bool = False,
        limits: EngineLimits | None = None,
        on_step=None,
        copy_answers: bool = True,
    ):
        self.catalog = catalog
        self.copy_answers = copy_answers
        self.script_engine = script_engine or make_script_engine()
        self.fresh = fresh
        self.limits = limits or EngineLimits()
        self.on_step = on_step
        self._keep = keep
        self._kept: OrderedDict[str, BpmnWorkflow] = OrderedDict()
        self._kept_lock = threading.Lock()

    def begin(self, operation: str, *args) -> "Deferred":
        """``operation`` (a method's name) with its arguments, run when its result is asked
        for: the same calls as a runner in an engine process, which starts at once."""
        return Deferred(getattr(self, operation), args)

    def detached(self) -> "Runner":
        """A runner of the same version with workflows kept apart from this one's."""
        return Runner(
            self.catalog,
            self.script_engine,
            self._keep,
            self.fresh,
            self.limits,
            self.on_step,
            self.copy_answers,
        )

    def start(self, process_id: str, data: dict, language: str = "en") -> Outcome:
        """Start a case with its start form's data (checked against the form first)."""
        spec, subprocess_specs = self.catalog.spec(process_id, fresh=self.fresh)
        _check_form(
            self.catalog.form(self.catalog.processes[process_id].start_form), data, {}, language
        )
        workflow = _withdraw_subprocesses_of_removed_tasks(
            BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        )
        # The start form's data is the case's first data: put it where every task inherits it.
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        steps = self._steps()
        with _diagram_errors(steps):
            workflow.do_engine_steps(will_complete_task=steps)
        events = [{"type": "case_started", "process": process_id, "data": dict(data)}]
        return self._outcome(workflow, events, before={}, steps=steps)

    def complete(
        self, process_id: str, state: str, task_id: str, data: dict, language: str = "en"
    ) -> Outcome:
        """Complete a user task with its form's data (checked against the form first)."""
        workflow = self._take(process_id, state)
        task = self.open_task(workflow, task_id)
        properties = (getattr(task.task_spec, "extensions", None) or {}).get("properties", {})
        _check_form(self.catalog.form(properties.get(FORM_PROPERTY)), data, task.data, language)
        before = case_data(workflow)
        decisions = DecisionLog()
        letter = self.letter(task, data)
        if letter is not None:
            data = {**data, SENT_FIELD: record_sent(letter, task.data, data)}
        steps = self._steps()
        with _diagram_errors(steps):
            task.data.update(data)
            steps(task)
            task.run()
            workflow.do_engine_steps(will_complete_task=steps, did_complete_task=decisions)
        events = [
            {
                "type": "task_completed",
                "task_id": task_id,
                "bpmn_id": element_id(task.task_spec),
                "lane": task.task_spec.lane,
            }
        ]
        return self._outcome(workflow, events + decisions.events, before, steps)

    def letter(self, task, submitted: dict | None = None) -> Letter | None:
        """The letter the task sends, rendered in the victim's language from the task's data
        with what the officer submits laid over it."""
        properties = (getattr(task.task_spec, "extensions", None) or {}).get("properties", {})
        name = properties.get(LETTER_PROPERTY)
        if not name:
            return None
        try:
            return render_letter(
                self.catalog.letters,
                name,
                {**task.data, **(submitted or {})},
                self.catalog.choices,
            )
        except SandboxError as error:
            raise DiagramError(
                f"the letter '{name}' could not be written: {error}", element_id(task.task_spec)
            ) from error

    def fire_due_timers(self, process_id: str, state: str) -> Outcome:
        """Fire every timer of the case that has fallen due by the clock, and run on."""
        workflow = self._take(process_id, state)
        before = case_data(workflow)
        waiting = waiting_timers(workflow)
        decisions = DecisionLog()
        steps = self._steps()
        with _diagram_errors(steps):
            run_due_timers(workflow, will_complete_task=steps, did_complete_task=decisions)
        still_waiting = set(waiting_timers(workflow))
        now = clock.now()
        events = [
            {
                "type": "timer_fired",
                "task_id": t.task_id,
                "bpmn_id": t.bpmn_id,
                "due_at": t.due_at.isoformat(),
            }
            for t in waiting
            if t not in still_waiting and t.due_at <= now
        ]
        return self._outcome(workflow, events + decisions.events, before, steps)

    def migrate(
        self,
        process_id: str,
        state: str,
        mapping: dict[str, str],
        old_shapes: dict,
        version_label: str,
    ) -> Migration:
        """Move a case saved on another version onto this runner's version (see
        workflows.migration): why it cannot move, or the case as it would be saved.

        ``old_shapes`` are the old version's elements (``migration.shapes_of``); ``mapping``
        names, for an element the case has been through or waits on, the element of this
        version that takes its place. Timer expressions, due dates and pre-scripts of tasks
        the move opens are diagram code: this runs where the runner's commands run.
        """
        spec, subprocess_specs = self.catalog.spec(process_id, fresh=self.fresh)
        saved = json.loads(state)
        if saved.get("serializer_version") != SERIALIZER_VERSION:
            raise StateVersionMismatch("the case was saved by another version of the engine")
        edited = migration.edit_saved(
            saved, spec, subprocess_specs, old_shapes, mapping, version_label
        )
        if edited.blocked:
            return Migration(blocked=_unique(edited.blocked))
        workflow = self.restore(process_id, json.dumps(edited.saved))
        before = case_data(workflow)
        steps = self._steps()
        with _diagram_errors(steps):
            change = migration.settle(workflow, edited)
            for opened in change.tasks_created:
                # A task the move opens becomes ready as any task does: its pre-script runs.
                task = workflow.get_task_from_id(UUID(opened["task_id"]))
                steps(task)
                task.task_spec._update_hook(task)
        blocked = migration.form_problems(
            workflow, self.catalog, ready_user_tasks(workflow), version_label
        )
        if blocked:
            return Migration(blocked=_unique(blocked))
        events = [{"type": "timer_rescheduled", **timer} for timer in change.timers_rescheduled]
        outcome = self._outcome(workflow, events, before, steps)
        return Migration(change=asdict(change), outcome=outcome)

    def task_view(
        self,
        process_id: str,
        state: str,
        task_id: str,
        template: str | None = None,
        language: str = "en",
    ) -> tuple[dict, dict | None, str | None]:
        """An open task's data, the letter it sends (if any) as the victim will read it, or why
        the letter cannot be written, and its instructions rendered from ``template`` for a
        reader of ``language``."""
        task = self.open_task(self.restore(process_id, state), task_id)
        data = dict(task.data)
        try:
            letter = self.letter(task)
        except DiagramError as error:
            view = {"problem": f"the letter could not be written: {error}"}
        else:
            view = vars(letter) if letter is not None else None
        return data, view, self.instructions(template, data, language)

    def instructions(self, template: str | None, data: dict, language: str = "en") -> str | None:
        """Instructions rendered with a case's data for a reader of ``language``, or why they
        cannot be shown."""
        if not template:
            return None
        try:
            return render_instructions(template, data, language, self.catalog.choices)
        except SandboxError as error:
            return f"(The instructions could not be shown: {error})"

    def open_task(self, workflow: BpmnWorkflow, task_id: str):
        try:
            task = workflow.get_task_from_id(UUID(task_id))
        except (ValueError, TypeError, KeyError, SpiffWorkflowException):
            task = None
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotOpen(task_id)
        return task

    def _steps(self) -> StepBudget:
        return StepBudget(self.limits.max_steps, self.on_step)

    def _take(self, process_id: str, state: str) -> BpmnWorkflow:
        """The workflow at ``state``, for a command to run on: the kept one, or restored."""
        if self.fresh:
            return self.restore(process_id, state)
        with self._kept_lock:
            workflow = self._kept.pop(state, None)
        return workflow if workflow is not None else self.restore(process_id, state)

    def _keep_workflow(self, state: str, workflow: BpmnWorkflow) -> None:
        if self.fresh:
            return
        with self._kept_lock:
            self._kept[state] = workflow
            while len(self._kept) > self._keep:
                self._kept.popitem(last=False)

    def restore(self, process_id: str, state: str) -> BpmnWorkflow:
        """The workflow rebuilt from its saved text."""
        spec, subprocess_specs = self.catalog.spec(process_id, fresh=self.fresh)
        saved = json.loads(state)
        if saved.pop("serializer_version", None) != SERIALIZER_VERSION:
            raise StateVersionMismatch("the case was saved by another version of the engine")
        saved["spec"], saved["subprocess_specs"] = spec, subprocess_specs
        workflow = _withdraw_subprocesses_of_removed_tasks(SERIALIZER.from_dict(saved))
        workflow.script_engine = self.script_engine
        # A case saved before finished rounds were let go is held as one saved since.
        pruning.prune(workflow)
        return workflow

    def _outcome(
        self, workflow: BpmnWorkflow, events: list[dict], before: dict, steps: StepBudget
    ) -> Outcome:
        # A copy: the workflow is kept for the case's next command, which may run while this
        # one is still answering with the data (unless the answer is copied on its way out).
        data = case_data(workflow)
        if self.copy_answers:
            data = copy.deepcopy(data)
        try:
            check_data_size(data, self.limits.max_data_bytes, steps.element_id)
        except UnsavableData as error:
            error.element_id = _unsavable_since(workflow) or error.element_id
            raise
        changed = {
            key: {"before": before.get(key), "after": data.get(key)}
            for key in sorted(set(before) | set(data))
            if before.get(key) != data.get(key)
        }
        if changed:
            events.append({"type": "data_changed", "fields": changed})
        open_tasks = [self._describe(task) for task in ready_user_tasks(workflow)]
        timers = waiting_timers(workflow)
        if not workflow.completed and not open_tasks and not timers:
            where = stopped_at(workflow, steps.element_id)
            raise CaseStalled(
                f"the case would be left waiting on nothing, with no open task and no timer, "
                f"after '{where}'; nothing was saved",
                where,
            )
        events.extend(
            {"type": "task_opened", "task_id": t.id, "bpmn_id": t.bpmn_id} for t in open_tasks
        )
        if workflow.completed:
            events.append({"type": "case_completed"})
        # After the case's data and open tasks are read: letting go of finished rounds
        # changes neither (see workflows.pruning).
        pruning.prune(workflow)
        try:
            state = save(workflow)
        except (ValueError, TypeError, RecursionError) as error:
            # Kept by a step whose data the case no longer shows (a later step let it go).
            raise unsavable(error, _unsavable_since(workflow) or steps.element_id) from None
        if not workflow.completed:
            self._keep_workflow(state, workflow)
        return Outcome(state, open_tasks, workflow.completed, data, events, timers)

    def _describe(self, task) -> OpenTask:
        spec = task.task_spec
        try:
            due_at = task_due_at(task, self.script_engine)
        except Exception as error:  # the engine's duration parser raises bare Exception
            raise DiagramError(
                f"the task's due date could not be worked out: {error}", spec.name
            ) from error
        extensions = getattr(spec, "extensions", {}) or {}
        properties = extensions.get("properties", {})
        return OpenTask(
            id=str(task.id),
            bpmn_id=element_id(spec),
            name=spec.bpmn_name or spec.name,
            lane=spec.lane,
            form=properties.get(FORM_PROPERTY),
            ui_form=properties.get(UI_FORM_PROPERTY),
            instructions=extensions.get("instructionsForEndUser"),
            due_at=due_at,
        )


def element_id(spec) -> str:
    """The diagram's id for a task spec.

    A task with a standard loop (``bpmn:standardLoopCharacteristics``, such as the Sergeant's
    recurring review) is parsed into a loop task named by the element's id and a child spec
    the engine names ``<id> [child]``; people and API clients know the task by the element's id.
    """
    return getattr(spec, "bpmn_id", None) or spec.name


def _unique(blocked: list) -> list[dict]:
    """Each reason once (a loop's rounds may each wait on the same missing element)."""
    return list({tuple(b.as_dict().items()): b.as_dict() for b in blocked}.values())


def _check_form(form, data: dict, context: dict, language: str) -> None:
    if form is None:
        return
    errors = form.validate(data, context=context, language=language)
    if errors:
        raise FormInvalid(errors)


def ready_user_tasks(workflow: BpmnWorkflow) -> list:
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def every_task(workflow: BpmnWorkflow) -> list:
    """The case's tasks and those of every run of a process it called: a call activity's steps
    (a round of bail review) run in a sub-workflow of their own."""
    runs = [workflow, *workflow.subprocesses.values()]
    return [task for run in runs for task in run.tasks.values()]


def case_data(workflow: BpmnWorkflow) -> dict:
    """The case's data: what the latest finished step of every branch left behind.

    One branch's last step does not carry what a parallel branch recorded (a Sergeant's
    escalation beside the desk's review), so the tips of all branches, and of the called
    processes' runs, are merged, oldest first, and a later value wins.
    """
    data: dict = {}
    logs: list[list] = []
    for task in sorted(branch_tips(workflow), key=lambda task: task.last_state_change):
        data.update(task.data)
        logs.append(task.data.get(SENT_FIELD) or [])
    if any(logs):
        # The letters sent are a log kept on every branch: each branch knows only its own
        # letters, so the case's log is all of them, in the order they were sent.
        data[SENT_FIELD] = merged_log(logs)
    return SERIALIZER.registry.clean(data)


def branch_tips(workflow: BpmnWorkflow) -> list:
    """The latest finished step of every branch: each completed task with no completed child.

    Found from one set of the completed tasks' parents, rather than by looking up every child
    of every task (each look-up hashes a UUID in Python)."""
    completed = [task for task in every_task(workflow) if task.state == TaskState.COMPLETED]
    parents = {task._parent for task in completed}
    return [task for task in completed if task.id not in parents]


def _unsavable_since(workflow: BpmnWorkflow) -> str | None:
    """The element whose step first held data that cannot be saved: the one that made it."""
    for task in sorted(every_task(workflow), key=lambda task: task.last_state_change):
        if not all(savable(value) for value in task.data.values()):
            return element_id(task.task_spec)
    return None


def stopped_at(workflow: BpmnWorkflow, last_run: str | None = None) -> str | None:
    """The element a case that waits on nothing stopped at: an event it waits for that nothing
    in the service sends (a message, a signal), else the last element the engine ran, else the
    last one that moved."""
    # No timer is among them: the case would not be stuck.
    waiting = next(iter(workflow.event_manager.tasks.values()), None)
    if waiting is not None:
        return element_id(waiting.task_spec)
    if last_run is not None:
        return last_run
    reached = TaskState.DEFINITE_MASK & ~TaskState.FUTURE | TaskState.COMPLETED | TaskState.ERROR
    moved = [
        task
        for task in every_task(workflow)
        if getattr(task.task_spec, "bpmn_id", None) and task.state & reached
    ]
    if not moved:
        return None
    return element_id(max(moved, key=lambda task: task.last_state_change).task_spec)


class _diagram_errors:
    """Turn engine and sandbox failures into a DiagramError naming the element."""

    def __init__(self, steps: StepBudget):
        self.steps = steps

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, RecursionError):
            # The engine recurses once per pass; a loop of engine work that never waits
            # runs out of stack before it runs out of steps.
            raise LimitExceeded(
                "the process ran engine steps in a loop that never waits and was stopped",
                self.steps.element_id,
                "engine steps",
                f"{self.steps.steps}",
            ) from None
        if error is None or not isinstance(error, SpiffWorkflowException | SandboxError):
            return False
        task = getattr(error, "task", None)
        element = task.task_spec.name if task is not None else None
        message = str(error).strip()
        for note in getattr(error, "notes", None) or []:
            if note not in message:
                message += f" {note}"
        raise DiagramError(message, element) from error
