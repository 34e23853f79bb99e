"""A case's history in words, for its page: what happened, who did it, when, and what changed.

The history (``service.audit``) records each command and then what it caused. The page shows one
entry per command, in the words of the action it stands for ("Live-time review completed by
desk-officer (Vulnerability Desk)"), with what followed from it beneath: the fields the task set,
labelled and worded as its form shows them, the tasks it opened or withdrew, a letter it sent. The
bookkeeping a history keeps for auditors (the command's own record, the definition version, the
engine's decisions at gateways) is not shown as such.

Everything is read once: the history in one query, the case's tasks and timers in one each.

For an auditor (``audit=True``) each entry says more: the events it stands for (to see the case
as it was then), its kinds (to filter by), the decisions the engine took with the decision
table's inputs and answer, the timers set and cancelled, and each letter's text as sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from workflows.case_path import attachments, diagram_elements
from workflows.catalog import Catalog
from workflows.diagram_functions import LONDON, london_time
from workflows.languages import LANGUAGES
from workflows.readable import shown

from ..audit.chain import stored_time
from ..audit.events import COMMAND
from ..audit.export import event_rows
from ..case_records import every_task_of, every_timer_of
from ..models import Case, Timer
from ..names import ShownNames
from ..roles import role_catalogue, role_working
from ..timers import CANCELLED
from .decision_words import DiagramWords

LONGEST = 300  # characters of a value shown before it is cut short
ELLIPSIS = "…"
SYSTEM = "system"  # the history's name for the scheduler and other work no person did

# What an entry is about, for an auditor's filter (an entry may be of several kinds).
WORK, DECISION, TIMER, ESCALATION, LETTER = "work", "decision", "timer", "escalation", "letter"
REFUSAL, MIGRATION, ACCESS, READ = "refusal", "migration", "access", "read"
KINDS = (WORK, DECISION, TIMER, ESCALATION, LETTER, REFUSAL, MIGRATION, ACCESS, READ)


@dataclass
class Change:
    label: str
    after: str
    before: str | None = None  # shown when the field held something else before


@dataclass
class Note:
    """A line under an entry; ``quoted`` is a name in another language (a letter's heading in
    the victim's language), marked with ``lang``."""

    text: str
    quoted: str | None = None
    lang: str | None = None


@dataclass
class Decision:
    """A decision the engine took: what decided, on what (each input's label and value), the
    rule that matched when it is recorded, and the answer."""

    what: str
    inputs: list[Change] = field(default_factory=list)
    answer: list[Change] = field(default_factory=list)
    rule: str | None = None


@dataclass
class SentLetter:
    title: str
    text: str
    lang: str | None


@dataclass
class Entry:
    """One thing that happened to the case, as the page says it."""

    what: str
    when: str
    at: datetime | None
    changes: list[Change] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    failed: bool = False
    # For an auditor: the events it stands for, who did it, what it is about, and more.
    seq: int | None = None
    last_seq: int | None = None
    actor: str | None = None
    kinds: set[str] = field(default_factory=set)
    decisions: list[Decision] = field(default_factory=list)
    letters: list[SentLetter] = field(default_factory=list)


def letter_title(letter: dict) -> str:
    """A letter's own heading (its first line, ``# The crime has been recorded``), else its
    name."""
    for line in str(letter.get("text") or "").splitlines():
        if line.strip():
            return line.strip().lstrip("#").strip() or str(letter.get("letter"))
    return str(letter.get("letter") or "")


def letter_language(letter: dict) -> str | None:
    language = letter.get("language")
    return language if language in LANGUAGES else None


def labelled(title: str) -> str:
    """A field's title before its value: "First response:", but "Offences disclosed?"."""
    return title if title.rstrip().endswith(("?", ":")) else f"{title}:"


def cut(text: str, longest: int = LONGEST) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= longest else text[: longest - 1].rstrip() + ELLIPSIS


class CaseHistory:
    """The case's history as entries in ``language``. With ``withheld`` (an Administrator not
    involved in the case) entries say what happened and who did it, never with what data."""

    def __init__(
        self,
        case: Case,
        catalog: Catalog,
        names: ShownNames,
        language: str,
        withheld: bool,
        audit: bool = False,
    ) -> None:
        self.case, self.catalog, self.names = case, catalog, names
        self.language, self.withheld, self.audit = language, withheld, audit
        self.tasks = {task.id: task for task in every_task_of(case.id)}
        self.timers = every_timer_of(case.id)
        self._schemas: dict[str, dict] = {}
        self._data: dict[str, Any] = {}  # the case's data as the entries so far left it
        self._diagram: DiagramWords | None = None
        self._boundaries: set[str] | None = None  # read when first asked (escalations are rare)
        self._timers_told: set[tuple[int, str]] = set()  # (timer, set or cancelled) said
        self._timers_at: dict[datetime, list[Timer]] | None = None
        self.last_seq = 0  # the history's last event, once read

    def entries(self) -> list[Entry]:
        """Newest first: a caseworker opening a case at night wants what happened last, and the
        call that started it is at the bottom, where a long story begins."""
        return self.story()[::-1]

    def story(self) -> list[Entry]:
        """Oldest first, as an auditor reads the history from the call to now."""
        rows = event_rows(self.case.id)
        self.last_seq = rows[-1].seq if rows else 0
        return [self._entry(group) for group in self._commands(rows)]

    # --- reading the history -------------------------------------------------------------

    def _commands(self, rows: Iterable) -> list[list[dict]]:
        """The history cut into commands, each the command's own event and what it caused."""
        groups: list[list[dict]] = []
        for row in rows:
            try:
                payload = json.loads(row.payload)
            except (TypeError, ValueError):
                payload = {}  # a damaged row: verification reports it
            event = {
                "seq": row.seq,
                "type": row.type,
                "at": stored_time(row.at),
                "actor": row.actor_name,
                "role": row.actor_role,
                "payload": payload if isinstance(payload, dict) else {},
            }
            if row.type == COMMAND or not groups:
                groups.append([event])
            else:
                groups[-1].append(event)
        return groups

    def _entry(self, group: list[dict]) -> Entry:
        command = group[0]
        payload = command["payload"]
        name = payload.get("name") if command["type"] == COMMAND else None
        who = self._who(command)
        by_type: dict[str, list[dict]] = {}
        for event in group[1:]:
            by_type.setdefault(event["type"], []).append(event["payload"])
        failure = (by_type.get("diagram_error") or [None])[0]
        task = self._task_name(payload.get("task_id"), payload.get("bpmn_id"))
        entry = Entry(
            what="",
            when=self._when(command["at"]),
            at=command["at"],
            seq=command["seq"],
            last_seq=group[-1]["seq"],
            actor=command["actor"] if command["actor"] != SYSTEM else None,
        )
        changed = _fields_changed(by_type.get("data_changed", []))
        entry.kinds = _kinds(name, by_type, changed, self._boundary_timers)

        if name == "start_case":
            entry.what = _("Case started by %(who)s", who=who)
            entry.changes = field_changes(changed, self._start_schema(), self.language)
        elif name == "complete_task":
            if failure is not None:
                entry.what = _("%(task)s could not be completed by %(who)s", task=task, who=who)
            else:
                entry.what = _("%(task)s completed by %(who)s", task=task, who=who)
                schema = self._task_schema(payload.get("task_id"))
                entry.changes = field_changes(changed, schema, self.language)
        elif name == "claim_task":
            entry.what = _("%(task)s claimed by %(who)s", task=task, who=who)
        elif name == "unclaim_task":
            entry.what = _("%(task)s given back by %(who)s", task=task, who=who)
        elif name == "fire_timers":
            fired = [self._timer_name(each) for each in by_type.get("timer_fired", [])]
            entry.what = (
                _("Time reached: %(timers)s", timers=", ".join(fired))
                if fired
                else _("Gwarchod checked the case's timers")
            )
        elif name == "assign_task":
            entry.what = _(
                "%(task)s given to %(assignee)s by %(who)s",
                task=task,
                assignee=payload.get("assignee", ""),
                who=who,
            )
        elif name == "migrate_case":
            entry.what = _(
                "Case moved from version %(before)s to version %(after)s of its process by %(who)s",
                before=payload.get("from_version", ""),
                after=payload.get("to_version", ""),
                who=who,
            )
        elif name == "restrict_case":
            entry.what = _("Case restricted by %(who)s", who=who)
            if not self.withheld:
                reason = cut(payload.get("reason", ""))
                entry.notes.append(Note(_("Reason: %(reason)s", reason=reason)))
                users = ", ".join(str(user) for user in payload.get("users", []))
                entry.notes.append(Note(_("Only these people may see it: %(users)s", users=users)))
        elif name == "lift_restriction":
            entry.what = _("Restriction lifted by %(who)s", who=who)
        elif name == "open_case_access":
            until = payload.get("until")
            entry.what = _(
                "Case opened by %(who)s, who is not involved in it, until %(until)s",
                who=who,
                until=self._when(until),
            )
            if not self.withheld:
                reason = cut(payload.get("reason", ""))
                entry.notes.append(Note(_("Reason: %(reason)s", reason=reason)))
        else:
            entry.what = _("%(action)s by %(who)s", action=name or command["type"], who=who)

        if failure is not None:
            entry.failed = True
            entry.notes.append(Note(_("The workflow stopped with an error; nothing was changed.")))
            if not self.withheld:
                entry.notes.append(Note(cut(str(failure.get("message", "")))))
        for letter in self._letters_sent(changed):
            if self.withheld:  # even its heading is the letter's text
                entry.notes.append(Note(_("A letter was sent to the victim.")))
            else:
                title, lang = letter
                entry.notes.append(Note(_("Letter sent to the victim:"), title, lang))
        for opened in by_type.get("task_opened", []):
            entry.notes.append(Note(self._opened(opened)))
        for cancelled in by_type.get("task_cancelled", []):
            withdrawn = self._task_name(cancelled.get("task_id"), cancelled.get("bpmn_id"))
            entry.notes.append(Note(_("Withdrawn: %(task)s", task=withdrawn)))
        if "case_completed" in by_type:
            entry.notes.append(Note(_("The case is closed.")))
        if self.audit:
            self._audit_details(entry, command, by_type, changed)
        if self.withheld:
            entry.changes = []
        return entry

    # --- what an auditor reads besides ---------------------------------------------------

    def _audit_details(self, entry: Entry, command: dict, by_type: dict, changed: dict) -> None:
        """The decisions the command's engine took, the timers it set and cancelled, and each
        letter's text as sent; the case's data folded forward for the next entry."""
        for key, change in changed.items():
            if isinstance(change, dict):
                self._data[key] = change.get("after")
        diagram = self._words()
        for decision in by_type.get("decision_taken", []):
            said = diagram.decision(decision, self._data, self.withheld)
            if said is not None:
                entry.decisions.append(said)
        # A timer's row is written by the command that set it, and closed by the one that
        # cancelled it, each at the command's own time: each is told once, by the first
        # command of that time.
        at = command["at"]
        if self._timers_at is None:  # the timers set or closed at each time, found once
            self._timers_at = {}
            for timer in sorted(self.timers, key=lambda t: (t.due_at, t.id)):
                for moment in {timer.created_at, timer.closed_at} - {None}:
                    self._timers_at.setdefault(moment, []).append(timer)
        for timer in self._timers_at.get(at, []):
            name = self.names.element(self.case.id, timer.bpmn_id, timer.name)
            if timer.created_at == at and (timer.id, "set") not in self._timers_told:
                self._timers_told.add((timer.id, "set"))
                due = self._when(timer.due_at)
                said = _("Timer set: %(timer)s, due %(due)s", timer=name, due=due)
                entry.notes.append(Note(said))
                entry.kinds.add(TIMER)
            elif (
                timer.status == CANCELLED
                and timer.closed_at == at
                and (timer.id, "set") in self._timers_told
                and (timer.id, "cancelled") not in self._timers_told
            ):
                self._timers_told.add((timer.id, "cancelled"))
                entry.notes.append(Note(_("Timer cancelled: %(timer)s", timer=name)))
                entry.kinds.add(TIMER)
        for moved in by_type.get("timer_rescheduled", []):
            name = self._timer_name(moved)
            entry.notes.append(Note(_("Timer worked out again: %(timer)s", timer=name)))
            entry.kinds.add(TIMER)
        if ESCALATION in entry.kinds:
            entry.notes.insert(0, Note(_("Escalated: the time allowed ran out.")))
        if not self.withheld:
            entry.letters = [
                SentLetter(cut(letter_title(item), 120), str(item.get("text") or ""), lang)
                for item, lang in self._letter_items(changed)
            ]

    def _boundary_timers(self) -> set[str]:
        """The diagrams' boundary events: a timer among them that fires ends the time allowed
        for the step it is attached to (a timer between steps only waits)."""
        if self._boundaries is None:
            elements = diagram_elements(self.catalog.files, "")
            self._boundaries = set(attachments(elements))
        return self._boundaries

    def _words(self) -> DiagramWords:
        if self._diagram is None:
            self._diagram = DiagramWords(self.catalog, self.names, self.case, self.language)
        return self._diagram

    # --- words -------------------------------------------------------------------------

    def _who(self, event: dict) -> str:
        if event["actor"] in (None, SYSTEM) and not event["role"]:
            return "Gwarchod"
        if not event["role"]:
            return str(event["actor"])
        return f"{event['actor']} ({self._role(event['role'])})"

    def _role(self, name: str) -> str:
        role = role_catalogue().role(name)
        return role.shown_name(self.language) if role is not None else name

    def _when(self, moment: Any) -> str:
        """A time in Europe/London; for an auditor to the second, who may need to order two
        things of the same minute."""
        try:
            text = london_time(moment, self.language)
        except (TypeError, ValueError):
            return str(moment or "")
        if self.audit and isinstance(moment, datetime):
            text += f":{moment.astimezone(LONDON):%S}"
        return text

    def _task_name(self, task_id: str | None, bpmn_id: str | None) -> str:
        task = self.tasks.get(task_id) if task_id else None
        english = task.name if task is not None else (bpmn_id or "")
        return self.names.element(self.case.id, bpmn_id or "", english)

    def _opened(self, opened: dict) -> str:
        task_id = opened.get("task_id")
        name = self._task_name(task_id, opened.get("bpmn_id"))
        task = self.tasks.get(task_id) if task_id else None
        if task is not None and task.lane:
            lane = role_working(task.lane, self.language)
            return _("Now open: %(task)s, for %(lane)s", task=name, lane=lane)
        return _("Now open: %(task)s", task=name)

    def _timer_name(self, fired: dict) -> str:
        bpmn_id = fired.get("bpmn_id") or ""
        english = next((t.name for t in self.timers if t.bpmn_id == bpmn_id), bpmn_id)
        return self.names.element(self.case.id, bpmn_id, english)

    # --- what a task set ---------------------------------------------------------------

    def _task_schema(self, task_id: str | None) -> dict:
        task = self.tasks.get(task_id) if task_id else None
        return self._schema(task.form if task is not None else None)

    def _start_schema(self) -> dict:
        info = self.catalog.processes.get(self.case.process_id)
        return self._schema(info.start_form if info is not None else None)

    def _schema(self, filename: str | None) -> dict:
        if not filename:
            return {}
        if filename not in self._schemas:
            form = self.catalog.form(filename)
            self._schemas[filename] = form.localized(self.language)[0] if form else {}
        return self._schemas[filename]

    def _letters_sent(self, changed: dict[str, dict]) -> list[tuple[str, str | None]]:
        """The heading and language of each letter the command added to ``letters_sent``."""
        return [(cut(letter_title(item), 120), lang) for item, lang in self._letter_items(changed)]

    @staticmethod
    def _letter_items(changed: dict[str, dict]) -> list[tuple[dict, str | None]]:
        """Each letter the command added to ``letters_sent``, with its language."""
        letters = changed.get("letters_sent")
        if not isinstance(letters, dict):
            return []
        before = letters.get("before") or []
        after = letters.get("after") or []
        if not isinstance(after, list) or not isinstance(before, list):
            return []
        return [
            (item, letter_language(item)) for item in after[len(before) :] if isinstance(item, dict)
        ]


def field_changes(changed: dict[str, dict], schema: dict, language: str) -> list[Change]:
    """The form's fields among those changed (``{field: {"before": ..., "after": ...}}``), in
    the form's order, labelled by their titles and worded as the form words them."""
    properties = schema.get("properties") or {}
    changes = []
    for name, field_schema in properties.items():
        if name not in changed or not isinstance(changed[name], dict):
            continue
        before, after = changed[name].get("before"), changed[name].get("after")
        label = labelled(field_schema.get("title") or name)
        shown_after = cut(value_text(after, field_schema, language))
        shown_before = (
            cut(value_text(before, field_schema, language)) if before is not None else None
        )
        changes.append(Change(label, shown_after, shown_before))
    return changes


def value_text(value: Any, schema: dict, language: str) -> str:
    """A value as a reader of ``language`` reads it: a choice by its title, yes or no, a time
    in Europe/London, a list item by item, a record field by field."""
    schema = schema if isinstance(schema, dict) else {}
    for option in schema.get("oneOf") or []:
        if isinstance(option, dict) and option.get("const") == value and option.get("title"):
            return str(option["title"])
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        items = schema.get("items")
        texts = [value_text(item, items, language) for item in value]
        return ("; " if any(isinstance(item, dict) for item in value) else ", ").join(texts)
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        parts = []
        for key, item in value.items():
            inner = properties.get(key) if isinstance(properties.get(key), dict) else {}
            text = value_text(item, inner, language)
            if isinstance(item, dict):
                text = f"({text})"
            parts.append(f"{labelled(inner.get('title') or key)} {text}")
        return " — ".join(parts)
    return str(shown(value, language))


def _kinds(
    name: str | None, by_type: dict[str, list], changed: dict, boundaries: Callable[[], set[str]]
) -> set[str]:
    """What a command's entry is about, for an auditor's filter. ``boundaries``: the
    diagrams' boundary events, asked only when a timer fired."""
    kinds = set()
    if name in ("start_case", "complete_task", "claim_task", "unclaim_task", "assign_task"):
        kinds.add(WORK)
    if name == "fire_timers" or "timer_fired" in by_type:
        kinds.add(TIMER)
        fired = {timer.get("bpmn_id") for timer in by_type.get("timer_fired", [])}
        if "task_opened" in by_type and fired & boundaries():
            kinds.add(ESCALATION)  # a step's time ran out and the work went to someone
    if "decision_taken" in by_type:
        kinds.add(DECISION)
    if "diagram_error" in by_type:
        kinds.add(REFUSAL)
    if name == "migrate_case":
        kinds.add(MIGRATION)
    if name in ("restrict_case", "lift_restriction", "open_case_access"):
        kinds.add(ACCESS)
    if CaseHistory._letter_items(changed):
        kinds.add(LETTER)
    return kinds


def _fields_changed(events: list[dict]) -> dict[str, dict]:
    changed: dict[str, dict] = {}
    for event in events:
        fields = event.get("fields")
        if isinstance(fields, dict):
            changed.update(fields)
    return changed
