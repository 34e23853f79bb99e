"""The path a case took through its diagram, as its history records it, and the same across
many cases (a heat map).

Read from the recorded events only, never from the saved state, which lets go of finished
rounds of a loop: an element's every pass is in the history. What the history names an element
for: a task opened, completed or withdrawn (``task_opened``, ``task_completed``,
``task_cancelled``), claimed, given back or given to someone, a timer fired (``timer_fired``),
a gateway's or decision table's decision (``decision_taken``) and a diagram error. A script
task or a flow the engine passed by itself leaves no event of its own, so it is not marked.

An element attached to another (a boundary timer on a task, as ``attached_to`` says) that
fires while its task is open escalates that task. A task completed after its due date (as
``due`` gives it, by task id) is late. Both make the element *overdue* in the heat map.

Pure: no Flask, no database. Events are dicts as the history is exported
(``seq``, ``type``, ``at``, ``payload``, and optionally ``actor``).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from .controls import FLOW_NODES
from .safe_xml import SAFE_XML

COMPLETED, ACTIVE, CANCELLED, ESCALATED = "completed", "active", "cancelled", "escalated"
STATUSES = (ACTIVE, ESCALATED, CANCELLED, COMPLETED)

# Events that open, close or touch a task, by the task's id.
_OPENED, _COMPLETED, _CANCELLED = "task_opened", "task_completed", "task_cancelled"
_TOUCHED = ("task_claimed", "task_unclaimed", "task_assigned")
_INSTANT = ("timer_fired", "decision_taken")


@dataclass
class Visit:
    """One pass through an element: from when it was entered to when it was left (None while
    the case is still there), and how it was left."""

    entered_seq: int
    entered_at: datetime | None
    left_seq: int | None = None
    left_at: datetime | None = None
    outcome: str | None = None  # COMPLETED or CANCELLED; None while open
    task_id: str | None = None
    due_at: datetime | None = None
    escalated: bool = False

    @property
    def open(self) -> bool:
        return self.outcome is None

    @property
    def seconds(self) -> float | None:
        """Time spent there, once left."""
        if self.open or self.entered_at is None or self.left_at is None:
            return None
        return max((self.left_at - self.entered_at).total_seconds(), 0.0)

    @property
    def late(self) -> bool:
        """Completed after its due date."""
        return (
            self.outcome == COMPLETED
            and self.due_at is not None
            and self.left_at is not None
            and self.left_at > self.due_at
        )

    @property
    def overdue(self) -> bool:
        return self.late or self.escalated


@dataclass
class ElementPath:
    """What the case did at one element."""

    element_id: str
    visits: list[Visit] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)  # every event naming it, in order
    escalated: bool = False

    @property
    def passes(self) -> int:
        return len(self.visits)

    @property
    def status(self) -> str:
        """ACTIVE while the case is there; else ESCALATED if it ever was; else how its last
        pass ended."""
        if any(visit.open for visit in self.visits):
            return ACTIVE
        if self.escalated:
            return ESCALATED
        if self.visits and self.visits[-1].outcome == CANCELLED:
            return CANCELLED
        return COMPLETED

    @property
    def entered(self) -> list[datetime | None]:
        return [visit.entered_at for visit in self.visits]

    @property
    def left(self) -> list[datetime | None]:
        return [visit.left_at for visit in self.visits]

    @property
    def overdue(self) -> bool:
        return any(visit.overdue for visit in self.visits)


@dataclass
class CasePath:
    """Per element, what the case did there, up to ``last_seq``; and the moves onto another
    version met on the way (seq, from version, to version)."""

    elements: dict[str, ElementPath]
    last_seq: int
    migrations: list[tuple[int, int | None, int | None]] = field(default_factory=list)

    def __getitem__(self, element_id: str) -> ElementPath:
        return self.elements[element_id]

    def __contains__(self, element_id: str) -> bool:
        return element_id in self.elements


def case_path(
    events: Iterable[Mapping],
    at_seq: int | None = None,
    attached_to: Mapping[str, str] | None = None,
    due: Mapping[str, datetime] | None = None,
) -> CasePath:
    """The case's path from its ``events`` (any order), up to and including event ``at_seq``
    when given. ``attached_to``: boundary event id -> the id of the activity it is attached to;
    ``due``: task id -> when the task was due."""
    attached_to, due = attached_to or {}, due or {}
    elements: dict[str, ElementPath] = {}
    open_visits: dict[str, tuple[ElementPath, Visit]] = {}  # task id -> its open visit
    migrations: list[tuple[int, int | None, int | None]] = []
    last_seq = 0

    def element(element_id: str) -> ElementPath:
        if element_id not in elements:
            elements[element_id] = ElementPath(element_id)
        return elements[element_id]

    for event in sorted(events, key=lambda e: e["seq"]):
        seq = event["seq"]
        if at_seq is not None and seq > at_seq:
            break
        last_seq = seq
        kind, payload, at = event["type"], event.get("payload") or {}, _time(event.get("at"))
        if not isinstance(payload, Mapping):
            continue
        if kind == "case_migrated":
            migrations.append((seq, payload.get("from_version"), payload.get("to_version")))
            continue
        bpmn_id = payload.get("element_id") if kind == "diagram_error" else payload.get("bpmn_id")
        task_id = payload.get("task_id")
        if kind == _OPENED and bpmn_id:
            path = element(bpmn_id)
            visit = Visit(seq, at, task_id=task_id, due_at=_time(due.get(task_id)))
            path.visits.append(visit)
            path.seqs.append(seq)
            if task_id:
                open_visits[task_id] = (path, visit)
        elif kind in (_COMPLETED, _CANCELLED) and (bpmn_id or task_id in open_visits):
            outcome = COMPLETED if kind == _COMPLETED else CANCELLED
            if task_id in open_visits:
                path, visit = open_visits.pop(task_id)
            else:  # opened before what is read (or never recorded): entered as it was left
                path = element(bpmn_id)
                visit = Visit(seq, at, task_id=task_id, due_at=_time(due.get(task_id)))
                path.visits.append(visit)
            visit.left_seq, visit.left_at, visit.outcome = seq, at, outcome
            path.seqs.append(seq)
        elif kind in _INSTANT and bpmn_id:
            path = element(bpmn_id)
            path.visits.append(Visit(seq, at, seq, at, COMPLETED, task_id))
            path.seqs.append(seq)
            host = attached_to.get(bpmn_id) if kind == "timer_fired" else None
            if host is not None:
                _escalate(element(host), seq, open_visits)
        elif (kind in _TOUCHED or kind == "diagram_error") and bpmn_id:
            element(bpmn_id).seqs.append(seq)
    return CasePath(elements, last_seq, migrations)


def _escalate(host: ElementPath, seq: int, open_visits: dict) -> None:
    host.escalated = True
    host.seqs.append(seq)
    for path, visit in open_visits.values():
        if path is host:
            visit.escalated = True


@dataclass(frozen=True)
class ElementHeat:
    """One element across many cases."""

    element_id: str
    cases: int  # cases that passed it at least once
    passes: int  # passes, loops counted
    median_seconds: float | None  # time spent there per pass left, at the median
    overdue: int  # cases where it was escalated, or completed after its due date


def heat_map(paths: Iterable[CasePath]) -> dict[str, ElementHeat]:
    """Per element, across the cases' ``paths``: how many cases passed it, the median time
    spent in a pass, and in how many cases it was overdue."""
    cases: dict[str, int] = {}
    passes: dict[str, int] = {}
    durations: dict[str, list[float]] = {}
    overdue: dict[str, int] = {}
    for path in paths:
        for element_id, element in path.elements.items():
            if not element.visits:
                continue
            cases[element_id] = cases.get(element_id, 0) + 1
            passes[element_id] = passes.get(element_id, 0) + element.passes
            spent = durations.setdefault(element_id, [])
            spent.extend(v.seconds for v in element.visits if v.seconds is not None)
            overdue[element_id] = overdue.get(element_id, 0) + int(element.overdue)
    return {
        element_id: ElementHeat(
            element_id,
            count,
            passes[element_id],
            statistics.median(durations[element_id]) if durations[element_id] else None,
            overdue[element_id],
        )
        for element_id, count in cases.items()
    }


@dataclass(frozen=True)
class DiagramElement:
    """A flow node of a diagram: its kind (``userTask``, ``boundaryEvent``...), its English
    name (or ""), the process it belongs to and, for a boundary event, what it is attached to."""

    id: str
    kind: str
    name: str
    process_id: str
    file: str
    attached_to: str | None = None


def diagram_elements(files: Mapping[str, bytes], first: str) -> dict[str, DiagramElement]:
    """The flow nodes of every diagram in ``files``, by id; an id found in more than one file
    is taken from ``first`` (the case's own diagram), then from the files in order."""
    found: dict[str, DiagramElement] = {}
    paths = [first, *sorted(path for path in files if path != first)]
    for path in paths:
        if not path.endswith(".bpmn") or path not in files:
            continue
        try:
            root = etree.fromstring(files[path], SAFE_XML)
        except etree.XMLSyntaxError:
            continue
        for process in root.iter("{*}process"):
            for node in process.iter():
                if not isinstance(node.tag, str):
                    continue
                kind = etree.QName(node).localname
                if kind not in FLOW_NODES or not node.get("id") or node.get("id") in found:
                    continue
                found[node.get("id")] = DiagramElement(
                    node.get("id"),
                    kind,
                    (node.get("name") or "").strip(),
                    process.get("id"),
                    path,
                    node.get("attachedToRef"),
                )
    return found


def renamed(xml: bytes, name_of: Callable[[str, str, str], str]) -> str:
    """The diagram with each named flow node (and process) named by ``name_of(element id,
    English name, process id)``: drawn in the reader's language. Only the names change."""
    root = etree.fromstring(xml, SAFE_XML)
    for process in root.iter("{*}process"):
        process_id = process.get("id")
        for node in process.iter():
            if not isinstance(node.tag, str) or not (node.get("name") or "").strip():
                continue
            if node is process or etree.QName(node).localname in FLOW_NODES:
                node.set("name", name_of(node.get("id"), node.get("name"), process_id))
    return etree.tostring(root, encoding="unicode")


def attachments(elements: Mapping[str, DiagramElement]) -> dict[str, str]:
    """Boundary event id -> the activity it is attached to."""
    return {e.id: e.attached_to for e in elements.values() if e.attached_to}


def _time(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None
