"""Starting a case on a page: the process's start form, drawn like any task's, and before the
case starts, the earlier reports that hold the same names, dates of birth, phone numbers or
STORM references (repeat reports are how stalking is spotted; ``service.matching``)."""

import hashlib

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workflows.matching import match_keys
from workflows.problems import FieldError

from ..commands import start_case
from ..definitions import latest_process, latest_processes, runner_for
from ..matching import matching_cases
from ..messages import StartCase
from ..names import ShownNames
from ..problems import ApiProblem
from ..roles import role_catalogue, role_working
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
from .task_pages import KEPT_ON_REFUSAL


@web.get("/cases/new")
def new_case():
    process_id = request.args.get("process")
    if not process_id:
        return _choose_process()
    process, form = _startable(process_id)
    return _render(process, form, values={}, errors={})


@web.post("/cases/new")
def start_new_case():
    process, form = _startable(request.form.get("process", ""))
    language = page_language()
    schema, ui_schema = form.localized(language) if form else ({}, {})
    values = parse_submission(schema, request.form, ui_schema)
    action = request.form.get("action", "send")
    listed = item_action(action)
    if listed is not None:
        verb, path, index = listed
        if verb == "add":
            values = add_item(values, path, schema)
        elif index is not None:
            values = remove_item(values, path, index)
        return _render(process, form, values, {})
    catalog = runner_for(process.version_id).catalog
    keys = match_keys(values, catalog.match_fields)
    found = _earlier(keys)
    seen = _digest(keys)
    if action == "check" or (found and request.form.get("seen") != seen):
        return _render(process, form, values, {}, earlier=found, seen=seen, checked=True)
    try:
        changed = start_case(StartCase(process.process_id, values, g.actor, language))
    except ApiProblem as problem:
        if problem.status == 422 and problem.extra.get("errors"):
            found_errors = [FieldError(e["field"], e["message"]) for e in problem.extra["errors"]]
            errors = errors_by_field(found_errors, schema)
            return _render(process, form, values, errors, earlier=found, seen=seen)
        if problem.status in KEPT_ON_REFUSAL:
            return _render(process, form, values, {}, earlier=found, seen=seen, refusal=problem)
        raise
    flash(_("The case %(reference)s has started.", reference=changed.case.id[:8]))
    lanes = role_catalogue().lanes_of(g.actor.role_names)
    following = [task for task in changed.open_tasks if task.lane in lanes]
    if following:
        return redirect(url_for("web.task_page", task_id=following[0].id))
    return redirect(url_for("web.inbox"))


def _choose_process():
    """The processes the user's roles start, each a link to its form."""
    language = page_language()
    lanes = role_catalogue().lanes_of(g.actor.role_names)
    choices = []
    for process in latest_processes():
        catalog = runner_for(process.version_id).catalog
        if process.start_lane not in lanes or process.process_id in catalog.called_by:
            continue
        name = catalog.names.name(process.name, process.process_id, language, process.process_id)
        choices.append((process.process_id, name))
    return render_template("web/new_case_choice.html", title=_("Start a case"), choices=choices)


def _startable(process_id: str):
    """The process at its latest version and its start form; 404 for no such process, 403 for
    one the user's roles do not start."""
    process = latest_process(process_id) if process_id else None
    if process is None:
        abort(404)
    catalog = runner_for(process.version_id).catalog
    lanes = role_catalogue().lanes_of(g.actor.role_names)
    if process.start_lane not in lanes or process.process_id in catalog.called_by:
        abort(403)
    return process, catalog.form(process.start_form)


def _earlier(keys: set[tuple[str, str]]) -> list[dict]:
    """Earlier cases holding any of the values typed, in minimal form (the search is logged).
    A form may hold several of a kind: the caller's, the victim's and the suspect's names."""
    if not keys:
        return []
    names = ShownNames(page_language())
    return [
        {
            "reference": case.id[:8],
            "process": names.process(case.definition_version_id, case.process_id),
            "status": case.status,
            "started": case.created_at,
            "restricted": restricted,
            "kinds": kinds,
        }
        for case, kinds, restricted in matching_cases(g.actor, keys)
    ]


def _digest(keys: set[tuple[str, str]]) -> str:
    """Names the values searched for, so that a second send of the same values starts the case."""
    text = "\n".join(f"{kind}:{value}" for kind, value in sorted(keys))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _render(process, form, values, errors, earlier=None, seen=None, checked=False, refusal=None):
    language = page_language()
    schema, ui_schema = form.localized(language) if form else ({}, {})
    fields = form_fields(schema, ui_schema, values, errors)
    catalog = runner_for(process.version_id).catalog
    name = catalog.names.name(process.name, process.process_id, language, process.process_id)
    page = render_template(
        "web/new_case.html",
        title=name,
        process=process,
        lane=role_working(process.start_lane, language) if process.start_lane else "",
        fields=fields,
        summary=error_summary_items(fields, errors),
        has_errors=bool(errors) or refusal is not None,
        refusal=refusal.detail if refusal is not None else None,
        form_description=schema.get("description"),
        earlier=earlier or [],
        seen=seen,
        checked=checked,
    )
    return page, refusal.status if refusal is not None else 200
