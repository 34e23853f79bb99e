"""The auditor's diagrams: the path one case took, drawn on its diagram, at any event of its
history; and a heat map of a process's cases on its diagram, for a version and the dates
cases were started.

Auditors only (the ``audit`` grant); anyone else is refused (403). A case the auditor may not
read does not exist for them (404, as the API says). Every view of a case's path, and every
heat map, is in the read log. Both pages work without JavaScript: the path and the heat map
are tables; with it, bpmn-js's viewer draws them on the diagram (web/_audit_diagram.html).
"""

from datetime import date

from flask import render_template, request, url_for
from flask_babel import gettext as _

from ...audit.paths import (
    NoSuchEvent,
    NoSuchVersion,
    audited_processes,
    case_path_view,
    process_heat_view,
)
from ...audit.reads import log_read
from ..language import page_language
from . import bp
from .auditing import asked_number, audited_case, auditor


@bp.get("/audit/cases/<case_id>/diagram")
def case_diagram(case_id: str):
    actor, _case = audited_case(case_id, "case.path")
    raw = request.args.get("at_seq", "").strip()
    at_seq = None
    if raw:
        at_seq = asked_number(raw)
        if at_seq is None:
            return _bad_event(case_id, _("An event is given by its number, such as 12.")), 400
    language = page_language()
    try:
        diagram = case_path_view(case_id, at_seq, language)
    except NoSuchEvent as error:
        text = _(
            "This case's history has %(count)d events: choose one from 1 to %(count)d.",
            count=error.last_seq,
        )
        return _bad_event(case_id, text), 400
    log_read(actor, "case.path", case_id, detail={"at_seq": at_seq} if at_seq else None)
    return render_template(
        "web/case_diagram.html",
        title=_("The path of case %(reference)s", reference=case_id[:8]),
        case_id=case_id,
        diagram=diagram,
    )


def _bad_event(case_id: str, text: str) -> str:
    return render_template(
        "web/error.html",
        title=_("There is no such event"),
        paragraphs=[text],
        reference=None,
        back=(
            url_for("web.audit.case_diagram", case_id=case_id),
            _("See the path the case has taken so far"),
        ),
    )


@bp.get("/audit/processes")
def audit_processes():
    actor = auditor()
    log_read(actor, "process.list")
    return render_template(
        "web/heat_map_processes.html",
        title=_("Processes on the diagram"),
        processes=audited_processes(page_language()),
    )


@bp.get("/audit/processes/<process_id>")
def heat_map(process_id: str):
    actor = auditor()
    errors, version_id, start, end = _heat_query()
    language = page_language()
    status = 200
    if errors:
        version_id, start, end, status = None, None, None, 400
    try:
        diagram = process_heat_view(process_id, version_id, start, end, language)
    except NoSuchVersion:
        errors["version"] = _("Choose a version that holds this process.")
        diagram = process_heat_view(process_id, None, None, None, language)
        status = 400
    heading = _("Heat map: %(process)s", process=diagram["process_name"])
    if status == 200:
        detail = {"version": diagram["version_id"]}
        for key, value in (("from", start), ("to", end)):
            if value is not None:
                detail[key] = value.isoformat()
        log_read(actor, "process.heat_map", detail={"process": process_id, **detail})
    return (
        render_template(
            "web/heat_map.html",
            title=(_("Error") + ": " if errors else "") + heading,
            heading=heading,
            diagram=diagram,
            errors=errors,
            form={key: request.args.get(key, "") for key in ("version", "from", "to")},
            shown=status == 200,
        ),
        status,
    )


def _heat_query() -> tuple[dict, int | None, date | None, date | None]:
    """The form's version and dates, and what is wrong with them, by field."""
    errors: dict[str, str] = {}
    version_id = start = end = None
    raw = request.args.get("version", "").strip()
    if raw:
        version_id = asked_number(raw)
        if version_id is None:
            errors["version"] = _("Choose a version that holds this process.")
    for key in ("from", "to"):
        text = request.args.get(key, "").strip()
        if not text:
            continue
        try:
            day = date.fromisoformat(text)
            if day == date.max:  # the day after it, where its cases end, is past the calendar
                raise ValueError(text)
        except ValueError:
            errors[key] = (
                _("The first day must be a real date, such as 2026-12-01.")
                if key == "from"
                else _("The last day must be a real date, such as 2026-12-31.")
            )
            continue
        if key == "from":
            start = day
        else:
            end = day
    if start and end and end < start:
        errors["to"] = _("The last day must be the same as or after the first day.")
    return errors, version_id, start, end
