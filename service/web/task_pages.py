"""A task's page: its form drawn from the form's JSON Schema (``schema_form``), its instructions
and its case, and sending it through the same completion command as the API."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workflows.diagram_functions import london_time
from workflows.problems import FieldError

from ..audit.reads import log_read
from ..case_access import WITHHELD, readable_task
from ..commands import complete_task
from ..db import db
from ..definitions import runner_for
from ..drafts import draft_of, save_draft
from ..messages import CompleteTask
from ..models import Case, Task
from ..names import ShownNames
from ..problems import ApiProblem, not_found, not_your_lane
from ..roles import role_catalogue, role_working
from ..task_view import task_view
from .language import page_language
from .routes import web
from .schema_form import (
    add_item,
    error_summary_items,
    errors_by_field,
    form_fields,
    item_action,
    parse_submission,
    remove_item,
)

OPEN = "open"
# Refusals that are not a field's mistake but leave the form worth sending again: a limit or rule
# of the diagram (422), an engine process lost mid-command (503). The form comes back with what
# was typed and the reason above it, rather than an error page.
KEPT_ON_REFUSAL = {422, 503}


@web.get("/tasks/<task_id>")
def task_page(task_id: str):
    task, case = _workable(task_id)
    draft = draft_of(g.actor, task.id) if task.status == OPEN else None
    if draft is None:
        return _render(task, case, values={}, errors={})
    when = london_time(draft.saved_at, page_language())
    return _render(task, case, values=draft.answers, errors={}, restored=when)


@web.post("/tasks/<task_id>/draft")
def keep_draft(task_id: str):
    """The form's answers so far, sent by the page's script as they are typed."""
    task, case = _workable(task_id)
    schema, ui_schema = _form_of(case, task, page_language())
    saved = save_draft(g.actor, task.id, parse_submission(schema, request.form, ui_schema))
    return ("", 204) if saved else ("", 413)


@web.post("/tasks/<task_id>")
def submit_task(task_id: str):
    gone = db.session.get(Task, task_id)
    lanes = role_catalogue().lanes_of(g.actor.role_names)
    if gone is not None and gone.status != OPEN and gone.lane in lanes:
        return _taken(gone, None)  # done or withdrawn while this person was filling it in
    task, case = _workable(task_id)
    language = page_language()
    schema, ui_schema = _form_of(case, task, language)
    values = parse_submission(schema, request.form, ui_schema)
    listed = item_action(request.form.get("action"))
    if listed is not None:  # "Add another" or "Remove": the form again, one item more or less
        verb, path, index = listed
        if verb == "add":
            values = add_item(values, path, schema)
        elif index is not None:
            values = remove_item(values, path, index)
        return _render(task, case, values, {})
    try:
        changed = complete_task(CompleteTask(task.id, values, g.actor, language))
    except ApiProblem as problem:
        save_draft(g.actor, task.id, values)  # whatever went wrong, nothing typed is lost
        if problem.status == 422 and problem.extra.get("errors"):
            found = [FieldError(e["field"], e["message"]) for e in problem.extra["errors"]]
            return _render(task, case, values, errors_by_field(found, schema))
        if problem.status == 409:
            return _taken(task, problem)
        if problem.status in KEPT_ON_REFUSAL:
            return _render(task, case, values, {}, status=problem.status, refusal=problem)
        raise
    name = ShownNames(language).element(task.case_id, task.bpmn_id, task.name)
    flash(_("%(task)s is done.", task=name))
    following = [t for t in changed.open_tasks if t.lane in lanes]
    if following:
        return redirect(url_for("web.task_page", task_id=following[0].id))
    return redirect(url_for("web.inbox"))


def _form_of(case: Case, task: Task, language: str) -> tuple[dict, dict]:
    """The task's form's schema and UI schema in ``language``: what reading a submission needs,
    without rendering the task's instructions and letter (diagram code, run in an engine
    process) as showing the page does."""
    form = runner_for(case.definition_version_id).catalog.form(task.form)
    return form.localized(language) if form else ({}, {})


def _workable(task_id: str) -> tuple[Task, Case]:
    """The task and its case, for someone who may work it: 404 when its case is not one they
    may read, 403 when the task is another role's work."""
    task = db.session.get(Task, task_id)
    if task is None:
        raise not_found("Task", task_id)
    reading = readable_task(g.actor, task, "task.view")
    language = page_language()
    if reading == WITHHELD or task.lane not in role_catalogue().lanes_of(g.actor.role_names):
        name = ShownNames(language).element(task.case_id, task.bpmn_id, task.name)
        raise not_your_lane(task, language, name)
    return task, db.session.get(Case, task.case_id)


def _render(
    task: Task,
    case: Case,
    values: dict,
    errors: dict[str, str],
    status: int = 200,
    restored: str | None = None,
    refusal: ApiProblem | None = None,
):
    language = page_language()
    view = task_view(case, task, language)
    schema, ui_schema = view.form.localized(language) if view.form else ({}, {})
    fields = form_fields(schema, ui_schema, values, errors)
    log_read(g.actor, "task.view", case.id, task.id)
    names = ShownNames(language).know(case)
    return (
        render_template(
            "web/task.html",
            title=names.element(case.id, task.bpmn_id, task.name),
            task=task,
            case=case,
            process_name=names.process(case.definition_version_id, case.process_id),
            lane=role_working(task.lane, language) if task.lane else "",
            due=london_time(task.due_at, language) if task.due_at else None,
            instructions=view.instructions,
            letter=view.letter,
            fields=fields,
            summary=error_summary_items(fields, errors),
            has_errors=bool(errors) or refusal is not None,
            refusal=refusal.detail if refusal is not None else None,
            form_title=schema.get("title"),
            form_description=schema.get("description"),
            open=task.status == OPEN,
            restored=restored,
        ),
        status,
    )


def _taken(task: Task, problem: ApiProblem | None):
    """Someone else got there first: say so plainly, and what to do next."""
    return (
        render_template(
            "web/task_taken.html",
            title=_("This task has already been dealt with"),
            detail=problem.detail if problem is not None else None,
            task=task,
        ),
        409,
    )
