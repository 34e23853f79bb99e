"""Tasks: the caller's inbox, a task's form, and claiming and completing work."""

from ..assignment import assign_task
from ..audit.reads import log_read
from ..auth import current_user
from ..case_access import WITHHELD, readable_task
from ..commands import claim_task, complete_task, unclaim_task
from ..db import db
from ..definitions import runner_for
from ..inbox import InboxQuery, inbox_tasks
from ..messages import AssignTask, ClaimTask, CompleteTask, UnclaimTask
from ..models import Case, Task
from ..names import ShownNames
from ..personal import withhold
from ..problems import not_found, not_your_lane
from ..roles import role_catalogue
from ..task_view import task_view
from .blueprint import Blueprint
from .language import request_language
from .representations import case_view, form_view, shown_names, task_summary
from .schemas import (
    PROBLEM,
    AssignTaskSchema,
    CaseSchema,
    CompleteTaskSchema,
    LanguageQuerySchema,
    TaskDetailSchema,
    TaskQuerySchema,
    TaskSummarySchema,
)

blp = Blueprint("tasks", __name__, url_prefix="/tasks")
# Grants whose holders read any task, in any lane (Auditors and Administrators).
READERS = ("audit", "administer")


@blp.get("")
@blp.arguments(TaskQuerySchema(), location="query")
@blp.response(200, TaskSummarySchema(many=True))
def inbox(query):
    """The caller's inbox: tasks in the lanes of their roles (open ones unless asked), of
    cases they may read; of a restricted case, only when they are named on it."""
    fields = ("status", "case", "lane", "due_before", "overdue", "limit")
    tasks = inbox_tasks(
        current_user(), InboxQuery(**{name: query[name] for name in fields if name in query})
    )
    names = shown_names().know_cases({task.case_id for task in tasks})
    return [task_summary(task, names) for task in tasks]


@blp.get("/<task_id>")
@blp.arguments(LanguageQuerySchema(), location="query")
@blp.response(200, TaskDetailSchema)
@blp.alt_response(404, description="No such task, or not one the caller may read", **PROBLEM)
def get_task(_query, task_id: str):
    """A task with its form (JSON Schema and UI schema), instructions and current data. An
    Administrator who does not work on the case sees neither its personal data nor the
    instructions and letter, which show it."""
    task, reading = _readable_task(task_id)
    case = db.session.get(Case, task.case_id)
    log_read(current_user(), "task.view", case.id, task.id)
    runner = runner_for(case.definition_version_id)
    language = request_language()
    form = runner.catalog.form(task.form)
    if reading == WITHHELD:
        return {
            **task_summary(task, ShownNames(language).know(case)),
            "form": form_view(form, language),
            "instructions": None,
            "letter": None,
            "data": withhold(case.data),
        }
    view = task_view(case, task, language)
    return {
        **task_summary(task, ShownNames(language).know(case)),
        "form": form_view(form, language),
        "instructions": view.instructions,
        "letter": view.letter,
        "data": view.data,
    }


@blp.post("/<task_id>/claim")
@blp.response(200, TaskSummarySchema)
def claim(task_id: str):
    """Take a task so that no one else works on it."""
    return task_summary(
        claim_task(ClaimTask(task_id, current_user(), request_language())), shown_names()
    )


@blp.post("/<task_id>/unclaim")
@blp.response(200, TaskSummarySchema)
def unclaim(task_id: str):
    """Give a claimed task back to the lane."""
    return task_summary(
        unclaim_task(UnclaimTask(task_id, current_user(), request_language())), shown_names()
    )


@blp.post("/<task_id>/assign")
@blp.arguments(AssignTaskSchema())
@blp.response(200, TaskSummarySchema)
@blp.alt_response(403, description="The caller's roles cannot give tasks out", **PROBLEM)
@blp.alt_response(404, description="No such task, or not one the caller may read", **PROBLEM)
@blp.alt_response(409, description="The task is no longer open", **PROBLEM)
@blp.alt_response(
    422,
    description="No such active user, one without the lane's role, or one not named on the "
    "case's restriction",
    **PROBLEM,
)
def assign(body, task_id: str):
    """Give an open task to a named officer who holds its lane's role (Sergeant, Inspector)."""
    task = assign_task(AssignTask(task_id, body["user"], current_user(), request_language()))
    return task_summary(task, shown_names())


@blp.post("/<task_id>/complete")
@blp.arguments(CompleteTaskSchema())
@blp.response(200, CaseSchema)
@blp.alt_response(422, description="The form's data is not valid; each field is named", **PROBLEM)
@blp.alt_response(409, description="The task is no longer open", **PROBLEM)
def complete(body, task_id: str):
    """Complete a task with its form's data; answers with the case and its next open tasks."""
    changed = complete_task(CompleteTask(task_id, body["data"], current_user(), request_language()))
    names = shown_names().know(changed.case, changed.catalog)
    return case_view(changed.case, names, changed.open_tasks, changed.timers)


def _readable_task(task_id: str) -> tuple[Task, str]:
    """The task and how the caller reads its case: 404 for a case they may not read, 403 for a
    task of a case they read outside their lanes (unless they read any task)."""
    task = db.session.get(Task, task_id)
    if task is None:
        raise not_found("Task", task_id)
    actor = current_user()
    reading = readable_task(actor, task, "task.view")
    catalogue = role_catalogue()
    reads_any = catalogue.grants_of(actor.role_names).intersection(READERS)
    if task.lane not in catalogue.lanes_of(actor.role_names) and not reads_any:
        language = request_language()
        name = ShownNames(language).element(task.case_id, task.bpmn_id, task.name)
        raise not_your_lane(task, language, name)
    return task, reading
