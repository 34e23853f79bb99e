"""Timers as the host sees them: what a case is waiting for, and firing what has fallen due.

The engine keeps waiting timer events in its event manager and reads the wall clock itself;
a host persists each waiting timer's due time so that a scheduler can wake the case then.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.util.task import TaskState

from . import timer_text

# A timer that falls due makes its task READY, and only the next engine pass runs what follows;
# a chain of timers that are all due needs several passes. This bounds a runaway chain.
MAX_PASSES = 50


@dataclass(frozen=True)
class WaitingTimer:
    task_id: str
    bpmn_id: str
    name: str
    kind: str  # "date", "duration" or "cycle"
    due_at: datetime


def waiting_timers(workflow: BpmnWorkflow) -> list[WaitingTimer]:
    """Every timer the case is waiting on, with the time it falls due (UTC)."""
    found = []
    for task in workflow.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        for timer in _timers_of(definition):
            value = timer.details(task).value
            if not isinstance(value, str):
                continue  # a cycle that has run all its repetitions reports its spent state
            owner = _timer_event(task.task_spec, timer)
            found.append(
                WaitingTimer(
                    task_id=str(task.id),
                    bpmn_id=owner.name,
                    name=owner.bpmn_name or owner.name,
                    kind=_kind(timer),
                    due_at=datetime.fromisoformat(value).astimezone(UTC),
                )
            )
    # Task ids differ in every run; a replay must list timers due together in the same order.
    return sorted(found, key=lambda timer: (timer.due_at, timer.bpmn_id, timer.task_id))


def run_due_timers(workflow: BpmnWorkflow, will_complete_task=None, did_complete_task=None):
    """Let every timer that has fallen due fire, and run the work that follows it."""
    for _ in range(MAX_PASSES):
        workflow.refresh_timers()
        if not any(not t.task_spec.manual for t in workflow.get_tasks(state=TaskState.READY)):
            return
        workflow.do_engine_steps(
            will_complete_task=will_complete_task, did_complete_task=did_complete_task
        )


def _timer_event(spec, timer: TimerEventDefinition):
    """The timer event a waiting timer belongs to. An event-based gateway waits on the events
    after it (a deadline, or a decision that comes first), holding their definitions in the
    order of its outgoing flows: people know the timer by its event, not by the gateway."""
    members = getattr(spec.event_definition, "event_definitions", None) or []
    outputs = getattr(spec, "outputs", [])
    if isinstance(spec, EventBasedGateway) and len(members) == len(outputs):
        for member, following in zip(members, outputs, strict=True):
            if member is timer:
                return following
    return spec


def _timers_of(definition) -> list[TimerEventDefinition]:
    members = getattr(definition, "event_definitions", None) or [definition]
    return [each for each in members if isinstance(each, TimerEventDefinition)]


def _kind(timer: TimerEventDefinition) -> str:
    if isinstance(timer, CycleTimerEventDefinition):
        return "cycle"
    if isinstance(timer, TimeDateEventDefinition):
        return "date"
    return "duration"


DUE_IN_PROPERTY = "dueIn"
DUE_AT_PROPERTY = "dueAt"


def task_due_at(task, script_engine) -> datetime | None:
    """When a person's task falls due, from its ``dueIn`` or ``dueAt`` property.

    ``dueIn`` is an ISO 8601 duration (plain, quoted, or an expression giving one) counted from
    the moment the task became ready; ``dueAt`` is an expression giving a time, for example
    ``add_working_days(reported_at, 1)``. Both are evaluated in the sandbox with the task's data.
    """
    properties = (getattr(task.task_spec, "extensions", None) or {}).get("properties", {})
    if properties.get(DUE_AT_PROPERTY):
        value = script_engine.evaluate(task, properties[DUE_AT_PROPERTY])
        due = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        if due.tzinfo is None:
            raise ValueError(f"dueAt gave '{value}', a time without a UTC offset")
        return due.astimezone(UTC)
    if properties.get(DUE_IN_PROPERTY):
        text = timer_text.as_engine_expression(properties[DUE_IN_PROPERTY], timer_text.DURATION)
        duration = script_engine.evaluate(task, text)
        ready_at = datetime.fromtimestamp(task.last_state_change, UTC)
        parsed = TimerEventDefinition.parse_iso_duration(str(duration))
        return ready_at + TimerEventDefinition.get_timedelta_from_start(parsed, ready_at)
    return None
