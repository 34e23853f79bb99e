"""The diagrams an auditor reads: the path one case took, drawn on its version's diagram, and a
heat map of many cases on a process's diagram.

Both are worked out from the recorded events (``workflows.case_path``), never from a case's
saved state, which lets go of a loop's finished rounds. Due dates come from the task rows,
which keep every task a case opened. Names are in the reader's language, from the Welsh names
beside the diagram of the version shown. What is said of each element (its status, the kind
of each event) is a code here; the pages say it in words.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import String, func, select, type_coerce

from workflows.case_path import (
    CasePath,
    DiagramElement,
    attachments,
    case_path,
    diagram_elements,
    heat_map,
    renamed,
)
from workflows.diagram_functions import LONDON, london_time

from ..db import db
from ..definitions import runner_for
from ..models import Case, ProcessDefinition, Task
from ..problems import not_found
from ..versions import versions_holding
from .canonical import stored_time
from .models import CaseEvent

# What the path is read from: tasks, timers, decisions, errors, and the case's versions.
PATH_EVENTS = (
    "task_opened",
    "task_completed",
    "task_cancelled",
    "task_claimed",
    "task_unclaimed",
    "task_assigned",
    "timer_fired",
    "decision_taken",
    "diagram_error",
    "case_migrated",
    "definition_version",
)
HEAT_LEVELS = 5


class NoSuchEvent(Exception):
    """``at_seq`` names no event of the case's history."""

    def __init__(self, at_seq, last_seq: int):
        self.at_seq, self.last_seq = at_seq, last_seq
        super().__init__(f"event {at_seq} is not in a history of {last_seq} events")


class NoSuchVersion(Exception):
    """The version asked for does not hold the process."""

    def __init__(self, version_id):
        self.version_id = version_id
        super().__init__(f"version {version_id} does not hold the process")


@dataclass(frozen=True)
class Diagram:
    """A process's diagram in one version: its XML, its elements, and names in a language."""

    version_id: int
    process_id: str
    xml: str
    elements: dict[str, DiagramElement]
    catalog: object

    @classmethod
    def of(cls, version_id: int, process_id: str) -> Diagram | None:
        path = db.session.scalar(
            select(ProcessDefinition.file).where(
                ProcessDefinition.version_id == version_id,
                ProcessDefinition.process_id == process_id,
            )
        )
        if path is None:
            return None
        catalog = runner_for(version_id).catalog
        files = catalog.files
        return cls(
            version_id,
            process_id,
            files[path].decode("utf-8"),
            diagram_elements(files, path),
            catalog,
        )

    def xml_in(self, language: str) -> str:
        """The diagram with its steps named in ``language``."""
        if language == "en":
            return self.xml
        names = self.catalog.names
        return renamed(
            self.xml.encode("utf-8"),
            lambda element_id, english, process_id: names.name(
                english, element_id, language, process_id
            ),
        )

    def in_drawing(self, element_id: str) -> bool:
        element = self.elements.get(element_id)
        return element is not None and element.process_id == self.process_id

    def name(self, element_id: str, language: str) -> str:
        element = self.elements.get(element_id)
        if element is None or not element.name:
            return ""
        return self.catalog.names.name(element.name, element_id, language, element.process_id)

    def kind(self, element_id: str) -> str:
        element = self.elements.get(element_id)
        return element.kind if element is not None else ""

    def process_name(self, language: str) -> str:
        info = self.catalog.processes.get(self.process_id)
        english = info.name if info is not None else self.process_id
        return self.catalog.names.name(english, self.process_id, language, self.process_id)


def case_path_view(case_id: str, at_seq: int | None = None, language: str = "en") -> dict:
    """What the diagram partial (web/_audit_diagram.html) draws for one case: the diagram of
    the version the case was on at event ``at_seq`` (or now), and per element the case passed
    up to then its status, passes, times and events. Raises 404 for no such case and
    ``NoSuchEvent`` for an event its history does not have. The caller checks who may read
    the case and logs the read."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise not_found("Case", case_id)
    events = _events([case_id])[case_id]
    last = select(func.max(CaseEvent.seq)).where(CaseEvent.case_id == case_id)
    last_seq = db.session.scalar(last) or 0
    if at_seq is not None and not 1 <= at_seq <= last_seq:
        raise NoSuchEvent(at_seq, last_seq)
    version_id = case.definition_version_id
    for event in events:
        if at_seq is not None and event["seq"] > at_seq:
            break
        if event["type"] == "definition_version" and event["payload"].get("version_id"):
            version_id = event["payload"]["version_id"]
    diagram = Diagram.of(version_id, case.process_id)
    if diagram is None:  # no such process in its version: a damaged record
        raise not_found("Case", case_id)
    path = case_path(
        events, at_seq, attachments(diagram.elements), _due_dates([case_id]).get(case_id)
    )
    by_seq = {event["seq"]: event for event in events}
    elements = []
    for element_id, element in sorted(path.elements.items(), key=lambda item: item[1].seqs[0]):
        visits = element.visits
        elements.append(
            {
                "id": element_id,
                "name": diagram.name(element_id, language),
                "kind": diagram.kind(element_id),
                "in_drawing": diagram.in_drawing(element_id),
                "status": element.status,
                "escalated": element.escalated,
                "passes": element.passes,
                "overdue": element.overdue,
                "first_entered": _shown(visits[0].entered_at, language) if visits else None,
                "last_left": _shown(visits[-1].left_at, language) if visits else None,
                "events": [
                    {
                        "seq": seq,
                        "type": by_seq[seq]["type"],
                        "at": _shown(by_seq[seq]["at"], language),
                        "actor": by_seq[seq]["actor"],
                    }
                    for seq in element.seqs
                ],
            }
        )
    return {
        "kind": "path",
        "case_id": case_id,
        "at_seq": at_seq,
        "last_seq": last_seq,
        "version_id": version_id,
        "process_id": case.process_id,
        "process_name": diagram.process_name(language),
        "xml": diagram.xml_in(language),
        "elements": elements,
        "marks": [
            {
                "id": e["id"],
                "status": e["status"],
                "escalated": e["escalated"],
                "passes": e["passes"],
            }
            for e in elements
            if e["in_drawing"]
        ],
        "migrations": [
            {"seq": seq, "from_version": before, "to_version": after}
            for seq, before, after in path.migrations
        ],
    }


def audited_processes(language: str = "en") -> list[dict]:
    """Every process cases are started on (not one that runs only as another's step), with the
    versions holding it, newest first, and how many cases each version has."""
    counts = dict(
        ((process_id, version_id), count)
        for process_id, version_id, count in db.session.execute(
            select(Case.process_id, Case.definition_version_id, func.count()).group_by(
                Case.process_id, Case.definition_version_id
            )
        )
    )
    rows = db.session.execute(
        select(ProcessDefinition.process_id, ProcessDefinition.version_id).order_by(
            ProcessDefinition.process_id, ProcessDefinition.version_id.desc()
        )
    )
    processes: dict[str, dict] = {}
    for process_id, version_id in rows:
        if process_id not in processes:
            catalog = runner_for(version_id).catalog
            if process_id in catalog.called_by:
                processes[process_id] = None  # a step of another process
                continue
            info = catalog.processes.get(process_id)
            english = info.name if info is not None else process_id
            processes[process_id] = {
                "id": process_id,
                "name": catalog.names.name(english, process_id, language, process_id),
                "versions": [],
                "cases": 0,
            }
        process = processes[process_id]
        if process is not None:
            cases = counts.get((process_id, version_id), 0)
            process["versions"].append({"id": version_id, "cases": cases})
            process["cases"] += cases
    return [process for process in processes.values() if process is not None]


def process_heat_view(
    process_id: str,
    version_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    language: str = "en",
) -> dict:
    """What the diagram partial draws for many cases: the process's diagram in ``version_id``
    (the newest version holding it when None) and, per element, over the cases on that version
    started from ``start`` to ``end`` (London dates, both included): how many cases passed it,
    passes with loops, the median time a pass took, and in how many it was overdue (escalated,
    or completed after its due date). 404 for no such process; ``NoSuchVersion`` for a version
    that does not hold it."""
    versions = versions_holding(process_id)
    if not versions:
        raise not_found("Process", process_id)
    if version_id is None:
        version_id = versions[0]
    elif version_id not in versions:
        raise NoSuchVersion(version_id)
    diagram = Diagram.of(version_id, process_id)
    statement = select(Case.id).where(
        Case.process_id == process_id, Case.definition_version_id == version_id
    )
    if start is not None:
        statement = statement.where(Case.created_at >= _london_midnight(start))
    if end is not None:
        statement = statement.where(Case.created_at < _london_midnight(end + timedelta(days=1)))
    case_ids = list(db.session.scalars(statement))
    events, due = _events(case_ids), _due_dates(case_ids)
    attached = attachments(diagram.elements)
    paths: list[CasePath] = [
        case_path(events[case_id], attached_to=attached, due=due.get(case_id))
        for case_id in case_ids
    ]
    heat = heat_map(paths)
    busiest = max((element.cases for element in heat.values()), default=0)
    elements = []
    for element_id, element in sorted(heat.items(), key=lambda item: (-item[1].cases, item[0])):
        elements.append(
            {
                "id": element_id,
                "name": diagram.name(element_id, language),
                "kind": diagram.kind(element_id),
                "in_drawing": diagram.in_drawing(element_id),
                "cases": element.cases,
                "passes": element.passes,
                "median_seconds": element.median_seconds,
                "overdue": element.overdue,
                "level": max(1, -(-element.cases * HEAT_LEVELS // busiest)) if busiest else 0,
            }
        )
    return {
        "kind": "heat",
        "process_id": process_id,
        "process_name": diagram.process_name(language),
        "version_id": version_id,
        "versions": versions,
        "start": start,
        "end": end,
        "cases": len(case_ids),
        "xml": diagram.xml_in(language),
        "elements": elements,
        "marks": [
            {
                "id": e["id"],
                "level": e["level"],
                "cases": e["cases"],
                "overdue": e["overdue"],
            }
            for e in elements
            if e["in_drawing"]
        ],
    }


def _events(case_ids: list[str]) -> dict[str, list[dict]]:
    """Each case's events that the path is read from, in order."""
    found: dict[str, list[dict]] = defaultdict(list)
    for chunk in _chunks(case_ids):
        rows = db.session.execute(
            select(
                CaseEvent.case_id,
                CaseEvent.seq,
                CaseEvent.type,
                # Read as stored, not trusted: a garbled time is no time (verification says
                # what is wrong with the row), never a page that fails.
                type_coerce(CaseEvent.at, String),
                CaseEvent.actor_name,
                CaseEvent.payload,
            )
            .where(CaseEvent.case_id.in_(chunk), CaseEvent.type.in_(PATH_EVENTS))
            .order_by(CaseEvent.case_id, CaseEvent.seq)
        )
        for case_id, seq, type_, at, actor, payload in rows:
            try:
                details = json.loads(payload)
            except (TypeError, ValueError):
                details = {}  # a damaged row: verification says what is wrong with it
            if not isinstance(details, dict):
                details = {}
            found[case_id].append(
                {
                    "seq": seq,
                    "type": type_,
                    "at": stored_time(at) if at is not None else None,
                    "actor": actor,
                    "payload": details,
                }
            )
    return found


def _due_dates(case_ids: list[str]) -> dict[str, dict[str, datetime]]:
    due: dict[str, dict[str, datetime]] = defaultdict(dict)
    for chunk in _chunks(case_ids):
        rows = db.session.execute(
            select(Task.case_id, Task.id, Task.due_at).where(
                Task.case_id.in_(chunk), Task.due_at.is_not(None)
            )
        )
        for case_id, task_id, due_at in rows:
            due[case_id][task_id] = due_at
    return due


def _chunks(items: list, size: int = 500):
    for offset in range(0, len(items), size):
        yield items[offset : offset + size]


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def _shown(moment: datetime | None, language: str) -> str | None:
    return london_time(moment, language) if moment is not None else None
