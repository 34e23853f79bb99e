"""The auditor's reading of a case: its history as a story, with who read it; whether its chain
is intact; the case as it was at any event; and whether its recorded commands reproduce it.

The story is the caseworker's history (``case_history.CaseHistory`` with ``audit=True``) with
the read log's entries for the case woven in by time, filtered by kind and by person. The
checks are the audit API's own (``verify_case``, ``state_at``, ``replay_case``), said in the
reader's language. The pages (``routes``) only ask for these and draw them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from workflows.catalog import Catalog

from ...audit.chain import ALTERED, MISSING, OUT_OF_ORDER, STATE_ALTERED, verify_case
from ...audit.reads import reads
from ...audit.replay import replay_case, state_at
from ...definitions import runner_for
from ...models import Case
from ...names import ShownNames
from ...roles import role_catalogue, role_working
from ..case_history import (
    KINDS,
    READ,
    REFUSAL,
    CaseHistory,
    Change,
    Entry,
    cut,
    value_text,
)
from ..decision_words import DiagramWords

# The most read-log entries woven into a case's story, newest kept.
MOST_READS = 1000


def kind_names() -> dict[str, str]:
    """Each kind of entry, as the filter names it."""
    return {
        "work": _("Work on tasks"),
        "decision": _("Decisions"),
        "timer": _("Timers"),
        "escalation": _("Escalations"),
        "letter": _("Letters to the victim"),
        "refusal": _("Refusals and errors"),
        "migration": _("Moves to another version"),
        "access": _("Restrictions and access"),
        "read": _("Reads"),
    }


@dataclass
class Story:
    """A case's entries, oldest first, as filtered, and what the filter can choose from."""

    entries: list[Entry]
    total: int
    people: list[str]
    kinds: list[str]
    person: str | None
    last_seq: int


@dataclass
class Integrity:
    ok: bool
    events: int
    seq: int | None = None
    what: str | None = None  # which check failed, in the reader's language
    detail: str | None = None  # the check's own words (English), for the technical record
    checkpoints: int = 0


@dataclass
class Moment:
    """The case as it was after an event, rebuilt from its history."""

    seq: int
    at: datetime | None
    when: str
    status: str
    data: list[Change] = field(default_factory=list)
    open_tasks: list[dict] = field(default_factory=list)
    consistent: bool = True
    difference: str | None = None


class AuditReading:
    """One case, read by an auditor in ``language``."""

    def __init__(self, case: Case, language: str) -> None:
        self.case, self.language = case, language
        self.catalog: Catalog = runner_for(case.definition_version_id).catalog
        self.names = ShownNames(language).know(case, self.catalog)
        self.history = CaseHistory(case, self.catalog, self.names, language, False, audit=True)
        self.words = DiagramWords(self.catalog, self.names, case, language)

    # --- the story ---------------------------------------------------------------------

    def story(
        self, kinds: list[str] | None = None, person: str | None = None, upto: int | None = None
    ) -> Story:
        """The history and the reads, oldest first; only entries of ``kinds`` (any of them),
        by ``person``, and (for a past moment) at or before event ``upto``."""
        entries = self.history.story()
        last_seq = self.history.last_seq
        entries.extend(self._reads())
        entries.sort(key=lambda entry: (entry.at is None, entry.at or datetime.min))
        people = sorted({e.actor for e in entries if e.actor}, key=str.casefold)
        chosen = [kind for kind in (kinds or []) if kind in KINDS]
        person = person if person in people else None
        shown = [
            entry
            for entry in entries
            if (not chosen or entry.kinds & set(chosen))
            and (person is None or entry.actor == person)
            and (upto is None or (entry.seq is not None and entry.seq <= upto))
        ]
        return Story(shown, len(entries), people, chosen, person, last_seq)

    def _reads(self) -> list[Entry]:
        entries = []
        for read in reads(case_id=self.case.id, limit=MOST_READS):
            who = self._reader(read["user"], read["roles"])
            action = read["action"] or ""
            refused = action.endswith(".refused")
            what = _read_words(action.removesuffix(".refused"), read["detail"], who, refused)
            at = read["at"]
            entries.append(
                Entry(
                    what=what,
                    when=self.when(at),
                    at=at,
                    actor=read["user"],
                    kinds={READ, REFUSAL} if refused else {READ},
                )
            )
        return entries

    def _reader(self, name: str, roles: str | None) -> str:
        shown = []
        for role_name in (roles or "").split(", "):
            if role_name:
                role = role_catalogue().role(role_name)
                shown.append(role.shown_name(self.language) if role is not None else role_name)
        return f"{name} ({', '.join(shown)})" if shown else name

    def when(self, moment: Any) -> str:
        """A time in Europe/London, to the second."""
        return self.history._when(moment)

    # --- a past moment -------------------------------------------------------------------

    def moment(self, at_seq: int | None = None, at: datetime | None = None) -> Moment:
        """The case after event ``at_seq`` (or at time ``at``), its data labelled as the forms
        label it. Raises ApiProblem as ``state_at`` does."""
        view = state_at(self.case.id, at_seq, at)
        data = view["data"] or {}
        changes = []
        for key, value in data.items():
            schema = self.words.fields().get(key, {})
            label = self.words.field_label(key)
            if key == "letters_sent" and isinstance(value, list):
                text = _("%(count)d letter(s)", count=len(value))
            else:
                text = cut(value_text(value, schema, self.language))
            changes.append(Change(label, text))
        changes.sort(key=lambda change: change.label.casefold())
        tasks = [
            {
                "name": self.names.element(self.case.id, task["bpmn_id"], task["name"]),
                "lane": role_working(task["lane"], self.language) if task.get("lane") else "",
                "assignee": task.get("assignee"),
            }
            for task in view["open_tasks"]
        ]
        difference = view["difference"]
        at = _parsed(view["as_of"])
        return Moment(
            seq=view["as_of_seq"],
            at=at,
            when=self.when(at),
            status=_("Closed") if view["status"] == "completed" else _("Open"),
            data=changes,
            open_tasks=tasks,
            consistent=view["consistent"],
            difference=difference["detail"] if difference else None,
        )

    # --- replay -----------------------------------------------------------------------------

    def replay(self) -> dict:
        """Run the recorded commands again: whether they make the stored case, or the first
        event where they do not, with what differs said by its label."""
        report = replay_case(self.case.id)
        difference = report["first_difference"]
        answer = {
            "match": report["match"],
            "commands": report["commands"],
            "events": report["events"],
            "checkpoints": report["checkpoints"],
        }
        if difference is not None:
            what = str(difference.get("what") or "")
            if what.startswith("data."):
                what = self.words.field_label(what.removeprefix("data."))
            answer.update(
                seq=difference.get("seq"),
                what=_what_differs(what),
                recorded=_json_text(difference.get("recorded")),
                replayed=_json_text(difference.get("replayed")),
                detail=difference.get("detail"),
            )
        return answer


def integrity(case_id: str) -> Integrity:
    """The case's chain checked now, as ``verify`` checks it."""
    report = verify_case(case_id)
    if report.ok:
        return Integrity(True, report.events, checkpoints=report.checkpoints)
    return Integrity(
        False,
        report.events,
        seq=report.first_bad_seq,
        what=_check_failed(report.problem),
        detail=report.detail,
    )


def _check_failed(problem: str | None) -> str:
    if problem == MISSING:
        return _("An event is missing from the history.")
    if problem == OUT_OF_ORDER:
        return _("The events are out of order.")
    if problem == STATE_ALTERED:
        return _("The case's saved state is not the one its history recorded.")
    if problem == ALTERED:
        return _("An event does not match its hash: it was changed.")
    return _("The history does not match its hashes.")


def _what_differs(what: str) -> str:
    return {
        "status": _("The case's status"),
        "open_tasks": _("The open tasks"),
        "path": _("The path the case took"),
        "events": _("The events the command caused"),
        "history": _("The history itself"),
    }.get(what, what)


def _read_words(action: str, detail: str | None, who: str, refused: bool) -> str:
    if refused:
        return _("%(who)s was refused the case", who=who)
    try:
        details = json.loads(detail) if detail else {}
    except ValueError:
        details = {}
    details = details if isinstance(details, dict) else {}
    if action == "case.view":
        return _("%(who)s looked at the case", who=who)
    if action == "task.view":
        return _("%(who)s looked at a task of the case", who=who)
    if action == "case.history":
        return _("%(who)s read the case's history", who=who)
    if action == "case.events":
        form = str(details.get("format", "json")).upper()
        return _("%(who)s took the history away as %(format)s", who=who, format=form)
    if action == "case.verify":
        return _("%(who)s checked the history is intact", who=who)
    if action == "case.replay":
        return _("%(who)s replayed the history", who=who)
    if action == "case.state":
        if details.get("at_seq"):
            return _(
                "%(who)s looked at the case as it was at event %(seq)s",
                who=who,
                seq=details["at_seq"],
            )
        return _("%(who)s looked at the case as it was at a past moment", who=who)
    if action == "case.print":
        return _("%(who)s printed the case's history", who=who)
    if action == "case.restriction":
        return _("%(who)s looked at who may see the case", who=who)
    if action == "read_log.list":
        return _("%(who)s read who has looked at the case", who=who)
    return _("%(who)s read the case", who=who)


def _parsed(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _json_text(value: Any) -> str:
    return cut(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str), 600)
