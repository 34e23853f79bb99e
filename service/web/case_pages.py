"""A case's page: where it stands (its status, open tasks and timers), what has happened to it in
words, and the letters the victim was sent, word for word.

Who may read it is decided as for the API's ``GET /cases/{id}`` (``readable_case``): a case the
user may not read does not exist for them, and an Administrator not involved in it sees it with
no personal data. Every view is in the read log, once.
"""

import contextlib

from flask import g, render_template
from flask_babel import gettext as _

from workflows.diagram_functions import london_time

from ..audit.reads import log_read
from ..case_access import WITHHELD, readable_case
from ..case_records import open_tasks_of
from ..definitions import runner_for
from ..models import utcnow
from ..names import ShownNames
from ..personal import WITHHELD as WITHHELD_VALUE
from ..personal import withhold
from ..roles import role_catalogue, role_working
from ..timers import WAITING
from .case_history import CaseHistory, cut, letter_language, letter_title
from .language import page_language
from .routes import due_state, web

STATUS_TAGS = {"running": "govuk-tag--blue", "completed": "govuk-tag--grey"}


@web.get("/cases/<case_id>")
def case_page(case_id: str):
    actor = g.actor
    case, reading = readable_case(actor, case_id, "case.view")
    log_read(actor, "case.view", case_id)
    withheld = reading == WITHHELD
    language = page_language()
    names = ShownNames(language).know(case)
    catalog = runner_for(case.definition_version_id).catalog
    data = withhold(case.data or {}) if withheld else (case.data or {})
    history = CaseHistory(case, catalog, names, language, withheld)
    lanes = role_catalogue().lanes_of(actor.role_names)
    now = utcnow()
    tasks = []
    for task in open_tasks_of(case.id):
        state, minutes = due_state(task.due_at, now, language)
        tasks.append(
            {
                "id": task.id,
                "name": names.element(case.id, task.bpmn_id, task.name),
                "lane": role_working(task.lane, language) if task.lane else "",
                "due": london_time(task.due_at, language) if task.due_at else None,
                "state": state,
                "minutes": minutes,
                "mine": task.lane in lanes,
            }
        )
    timers = [
        {
            "name": names.element(case.id, timer.bpmn_id, timer.name),
            "due": london_time(timer.due_at, language),
        }
        for timer in sorted(history.timers, key=lambda t: (t.due_at, t.id))
        if timer.status == WAITING
    ]
    storm = data.get("storm_reference")
    return render_template(
        "web/case.html",
        title=_("Case %(reference)s", reference=case.id[:8]),
        case=case,
        withheld=withheld,
        process_name=names.process(case.definition_version_id, case.process_id),
        status=_status(case.status),
        status_class=STATUS_TAGS.get(case.status, ""),
        storm_reference=storm if isinstance(storm, str) and storm != WITHHELD_VALUE else None,
        victim_language=_language_name(data.get("victim_language")),
        started=london_time(case.created_at, language),
        updated=london_time(case.updated_at, language),
        tasks=tasks,
        timers=timers,
        entries=history.entries(),
        letters=[] if withheld else _letters(data.get("letters_sent"), catalog, language),
    )


def _status(status: str) -> str:
    if status == "running":
        return _("Open")
    if status == "completed":
        return _("Closed")
    return status


def _language_name(code) -> str | None:
    if code == "en":
        return _("English")
    if code == "cy":
        return _("Welsh (Cymraeg)")
    return None


def _written_in(code) -> str | None:
    if code == "en":
        return _("In English")
    if code == "cy":
        return _("In Welsh")
    return None


def _letters(sent, catalog, language: str) -> list[dict]:
    """The letters the victim was sent, newest first, each as they received it."""
    if not isinstance(sent, list):
        return []
    methods = {}
    for path in ("letter_method", "victim_contact_method"):
        for value, title in catalog.choices.titles.get(path, {}).get(language, {}).items():
            methods.setdefault(value, title)
    letters = []
    for letter in sent:
        if not isinstance(letter, dict):
            continue
        when = letter.get("sent_at") or letter.get("recorded_at")
        with contextlib.suppress(ValueError):
            when = london_time(when, language) if when else None
        letters.append(
            {
                "title": cut(letter_title(letter), 120),
                "text": str(letter.get("text") or ""),
                "language": letter_language(letter),
                "written_in": _written_in(letter.get("language")),
                "sent": when,
                "method": methods.get(letter.get("method"), letter.get("method")),
            }
        )
    return letters[::-1]
