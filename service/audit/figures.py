"""The reports' figures worked out again from the audit log alone.

Each figure on the reports pages (``service.reports``) is counted from the cases table. Here the
same cases are rebuilt from their recorded events, without reading the cases table: a case's
process and first data from its ``start_case`` command and ``case_started`` event, when it was
created from that command's time, every later change of its data from its ``data_changed``
events (each field's value after the command), the version it runs on from its
``definition_version`` events, the timers that fired from ``timer_fired``, and whether it is
closed from ``case_completed``. They are then
marked by the same rules as the page's. That the two agree is what a test asserts: no figure
depends on anything the audit log does not record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import String, select, type_coerce

from ..db import db
from ..reporting import CASE_PROCESS, CLOSED, CaseFacts
from ..reports import Period, Tally, tally_cases
from .canonical import stored_time
from .events import COMMAND
from .models import CaseEvent
from .trail import START_CASE

# The events a case's facts are rebuilt from.
_FACT_EVENTS = (
    COMMAND,
    "case_started",
    "definition_version",
    "data_changed",
    "timer_fired",
    "case_completed",
)
_EVENTS = (
    select(
        CaseEvent.case_id,
        CaseEvent.seq,
        CaseEvent.type,
        type_coerce(CaseEvent.at, String).label("at"),
        CaseEvent.payload,
    )
    .where(CaseEvent.type.in_(_FACT_EVENTS))
    .order_by(CaseEvent.case_id, CaseEvent.seq)
)


class _Building:
    def __init__(self, case_id: str):
        self.case_id = case_id
        self.process: str | None = None
        self.created_at: datetime | None = None
        self.version_id: int | None = None
        self.data: dict = {}
        self.completed = False
        self.fired: set[str] = set()

    def take(self, type_: str, at: str, payload: dict) -> None:
        if type_ == COMMAND:
            if payload.get("name") == START_CASE and self.created_at is None:
                self.process = payload.get("process")
                self.created_at = stored_time(at)
        elif type_ == "case_started":
            self.data.update(payload.get("data") or {})
        elif type_ == "definition_version":
            self.version_id = payload.get("version_id")
        elif type_ == "data_changed":
            for name, change in (payload.get("fields") or {}).items():
                after = change.get("after") if isinstance(change, dict) else None
                if after is None:
                    self.data.pop(name, None)
                else:
                    self.data[name] = after
        elif type_ == "timer_fired":
            self.fired.add(payload.get("bpmn_id"))
        elif type_ == "case_completed":
            self.completed = True

    def facts(self) -> CaseFacts | None:
        if self.process != CASE_PROCESS or self.created_at is None or self.version_id is None:
            return None
        status = CLOSED if self.completed else "running"
        return CaseFacts(
            self.case_id,
            self.data,
            status,
            self.created_at,
            self.version_id,
            frozenset(self.fired),
        )


def cases_from_history() -> Iterator[CaseFacts]:
    """Every stalking and harassment case, as its history records it."""
    building: _Building | None = None
    for case_id, _seq, type_, at, payload in db.session.execute(_EVENTS):
        if building is None or building.case_id != case_id:
            if building is not None and (facts := building.facts()) is not None:
                yield facts
            building = _Building(case_id)
        building.take(type_, at, json.loads(payload))
    if building is not None and (facts := building.facts()) is not None:
        yield facts


def tally_from_history(period: Period) -> Tally:
    """The period's figures, with the cases behind each, from the audit log alone."""
    cases = sorted(cases_from_history(), key=lambda case: (case.created_at, case.id))
    return tally_cases(cases, period)
