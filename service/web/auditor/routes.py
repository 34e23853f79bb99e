"""The auditor's workspace: find a case, read its history as a story, see it intact or where it
was altered, see it as it was at any event, replay it, and take its history away (JSON, CSV or
a printable page). For the ``audit`` grant (Auditors) alone; every view is in the read log.

The reading itself is ``history``'s; these views only parse what was asked and draw it.
"""

import json
from datetime import UTC, datetime

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workflows.diagram_functions import LONDON

from ...audit import export
from ...audit.paths import case_path_view
from ...audit.reads import log_read
from ...case_search import find_cases, recent_cases
from ...definitions import runner_for
from ...names import ShownNames
from ...problems import ApiProblem
from ..case_pages import STATUS_TAGS, _status
from ..language import page_language
from . import bp
from .auditing import asked_number, audited_case, auditor
from .history import AuditReading, integrity, kind_names

EXPORTS = {"json": "application/json", "csv": "text/csv"}


@bp.get("/audit")
def audit_home():
    actor = auditor()
    language = page_language()
    searched = request.args.get("case", "").strip()[:100]
    found = None
    if searched:
        found = find_cases(actor, searched)
        log_read(actor, "audit.search", detail={"searched": searched, "found": len(found)})
        if len(found) == 1:
            return redirect(url_for("web.audit.audit_case", case_id=found[0].id))
    names = ShownNames(language)
    rows = [
        {
            "case": case,
            "process": names.process(case.definition_version_id, case.process_id),
            "status": _status(case.status),
            "status_class": STATUS_TAGS.get(case.status, ""),
        }
        for case in (found if found is not None else recent_cases(actor))
    ]
    return render_template(
        "web/audit_home.html", title=_("Audit"), searched=searched, found=found, rows=rows
    )


@bp.get("/audit/cases/<case_id>")
def audit_case(case_id: str):
    actor, case = audited_case(case_id, "case.history")
    language = page_language()
    reading = AuditReading(case, language)
    story = reading.story(request.args.getlist("kind"), request.args.get("person") or None)
    moment, asked = None, _moment_asked(story.last_seq)
    if isinstance(asked, Response):
        return asked
    if asked is not None:
        try:
            moment = reading.moment(*asked)
        except ApiProblem as problem:
            return _moment_error(case.id, problem)
        story.entries = [
            entry
            for entry in story.entries
            if (entry.seq is not None and entry.seq <= moment.seq)
            or (entry.seq is None and entry.at is not None and moment.at and entry.at <= moment.at)
        ]
    chain = integrity(case.id)
    # The path the case took, up to the moment shown, drawn on its diagram.
    diagram = case_path_view(case.id, moment.seq if moment else None, language)
    detail = {key: value for key, value in request.args.items(multi=False)}
    log_read(actor, "case.history", case.id, detail=detail or None)
    if moment is not None:
        log_read(actor, "case.state", case.id, detail={"at_seq": str(moment.seq)})
    return render_template(
        "web/audit_case.html",
        title=_("History of case %(reference)s", reference=case.id[:8]),
        **_case_facts(case, language),
        story=story,
        kinds=kind_names(),
        chain=chain,
        checked=reading.when(datetime.now(UTC)),
        moment=moment,
        asked_time=_time_fields(),
        diagram=diagram,
    )


@bp.post("/audit/cases/<case_id>/replay")
def audit_replay(case_id: str):
    actor, case = audited_case(case_id, "case.replay")
    language = page_language()
    answer = AuditReading(case, language).replay()
    log_read(actor, "case.replay", case.id)
    return render_template(
        "web/audit_replay.html",
        title=_("Replay of case %(reference)s", reference=case.id[:8]),
        case=case,
        answer=answer,
    )


@bp.get("/audit/cases/<case_id>/events.<form>")
def audit_export(case_id: str, form: str):
    if form not in EXPORTS:
        abort(404)
    actor, case = audited_case(case_id, "case.events")
    events = [export.event_view(event) for event in export.event_rows(case.id)]
    log_read(actor, "case.events", case.id, detail={"format": form})
    if form == "csv":
        body = export.as_csv(events)
    else:
        body = json.dumps(events, ensure_ascii=False, indent=1) + "\n"
    return Response(
        body,
        mimetype=EXPORTS[form],
        headers={"Content-Disposition": f'attachment; filename="case-{case.id}-events.{form}"'},
    )


@bp.get("/audit/cases/<case_id>/print")
def audit_print(case_id: str):
    actor, case = audited_case(case_id, "case.print")
    language = page_language()
    reading = AuditReading(case, language)
    story = reading.story()
    chain = integrity(case.id)
    log_read(actor, "case.print", case.id)
    return render_template(
        "web/audit_print.html",
        title=_("History of case %(reference)s", reference=case.id[:8]),
        **_case_facts(case, language),
        story=story,
        chain=chain,
        checked=reading.when(datetime.now(UTC)),
    )


def _case_facts(case, language: str) -> dict:
    names = ShownNames(language).know(case, runner_for(case.definition_version_id).catalog)
    return {
        "case": case,
        "process_name": names.process(case.definition_version_id, case.process_id),
        "status": _status(case.status),
        "status_class": STATUS_TAGS.get(case.status, ""),
    }


def _time_fields() -> dict:
    return {key: request.args.get(key, "")[:10] for key in ("day", "month", "year", "time")}


def _moment_asked(last_seq: int):
    """What moment the page was asked for: (at_seq, None), (None, at), None for now, or an
    error page for one that cannot be."""
    at_seq = request.args.get("at_seq", "").strip()
    fields = _time_fields()
    case_id = request.view_args["case_id"]
    if at_seq:
        seq = asked_number(at_seq)
        if seq is None or seq < 1:
            return _error(
                case_id,
                400,
                _("There is no such event"),
                [_("Events are numbered from 1. Choose an event from the history.")],
            )
        if seq > last_seq:
            return _error(
                case_id,
                422,
                _("There is no such event"),
                [
                    _(
                        "The history of this case has %(count)d events: there is no event %(seq)s.",
                        count=last_seq,
                        seq=at_seq,
                    )
                ],
            )
        return seq, None
    if any(fields.values()):
        try:
            day, month, year = (int(fields[key]) for key in ("day", "month", "year"))
            hours, minutes = (int(part) for part in (fields["time"] or "23:59").split(":"))
            moment = datetime(year, month, day, hours, minutes, 59, 999999)
            return None, moment.replace(tzinfo=LONDON).astimezone(UTC)
        except (ValueError, TypeError, OverflowError):
            return _error(
                case_id,
                400,
                _("That is not a date and time"),
                [_("Enter a real date, such as 27 3 2026, and a time such as 14:30.")],
            )
    return None


def _moment_error(case_id: str, problem: ApiProblem):
    if problem.title == "Before the case began":
        return _error(
            case_id,
            422,
            _("The case had not begun then"),
            [_("Choose a time after the case began.")],
        )
    return _error(
        case_id,
        problem.status,
        _("The case cannot be shown as it was then"),
        [_("Its history cannot be read up to that moment."), problem.detail],
    )


def _error(case_id: str, status: int, title: str, paragraphs: list[str]):
    back = (url_for("web.audit.audit_case", case_id=case_id), _("Back to the case's history"))
    return Response(
        render_template("web/error.html", title=title, paragraphs=paragraphs, back=back),
        status=status,
        mimetype="text/html",
    )
