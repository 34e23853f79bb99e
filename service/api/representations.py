"""How cases, tasks, timers and forms look to API clients, in the caller's language."""

from workflows.forms import Form

from ..case_records import open_tasks_of, waiting_timers_of
from ..models import Case, Task, Timer
from ..names import ShownNames
from .language import request_language


def form_view(form: Form | None, language: str) -> dict | None:
    if form is None:
        return None
    schema, ui_schema = form.localized(language)
    return {"name": form.name, "schema": schema, "ui_schema": ui_schema, "language": language}


def shown_names() -> ShownNames:
    """Names in the language the caller asked for."""
    return ShownNames(request_language())


def task_summary(task: Task, names: ShownNames) -> dict:
    return {
        "id": task.id,
        "case_id": task.case_id,
        "bpmn_id": task.bpmn_id,
        "name": names.element(task.case_id, task.bpmn_id, task.name),
        "lane": task.lane,
        "status": task.status,
        "assignee": task.assignee.name if task.assignee else None,
        "assigned_by": task.assigned_by.name if task.assigned_by else None,
        "created_at": task.created_at,
        "due_at": task.due_at,
        "completed_by": task.completed_by.name if task.completed_by else None,
        "completed_at": task.completed_at,
    }


def timer_view(timer: Timer, names: ShownNames) -> dict:
    return {
        "id": timer.id,
        "case_id": timer.case_id,
        "task_id": timer.task_id,
        "bpmn_id": timer.bpmn_id,
        "name": names.element(timer.case_id, timer.bpmn_id, timer.name),
        "kind": timer.kind,
        "due_at": timer.due_at,
        "status": timer.status,
        "attempts": timer.attempts,
        "last_error": timer.last_error,
        "closed_at": timer.closed_at,
    }


def case_summary(case: Case, names: ShownNames) -> dict:
    return {
        "id": case.id,
        "process_id": case.process_id,
        "process_name": names.process(case.definition_version_id, case.process_id),
        "status": case.status,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


def case_view(
    case: Case,
    names: ShownNames,
    open_tasks: list[Task] | None = None,
    timers: list[Timer] | None = None,
) -> dict:
    if open_tasks is None:
        open_tasks = open_tasks_of(case.id)
    if timers is None:
        timers = waiting_timers_of(case.id)
    names.know(case)
    return {
        "id": case.id,
        "process_id": case.process_id,
        "process_name": names.process(case.definition_version_id, case.process_id),
        "definition_version": case.definition_version_id,
        "status": case.status,
        "data": case.data,
        "last_error": case.last_error,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "open_tasks": [task_summary(task, names) for task in open_tasks],
        "timers": [timer_view(timer, names) for timer in timers],
    }
