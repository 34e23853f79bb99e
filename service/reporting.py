"""Performance figures for stalking and harassment cases, for the performance reports.

``report_figures(period_start, period_end)`` is offered to diagram code: the performance
reporting process puts a month's or a quarter's figures into its data for the Inspector, the
MARAC Unit and the Policy Owner. A case belongs to the period in which it was reported
(``reported_at``, or when the case was created if that is missing), counted half-open: a case
reported at the very start of the next period belongs to the next period.

Every figure comes from the cases' current data; a field a case does not hold yet counts as
"not yet" (not recorded, not graded, undecided), never as an error. A reason why an s2 offence
is not stalking counts as given only when it holds words by the rule its form applies
(``workflows.justification``), with the shortest length that form asks for in the case's own
definition version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import select

from workflows.diagram_functions import LONDON, parse_datetime
from workflows.justification import holds_words, minimum_length

from .catalogs import catalog_of
from .db import db
from .models import Case

CASE_PROCESS = "stalking_harassment"
OFFENCES = ("s2", "s2A", "s4", "s4A")
RISK_GRADES = ("standard", "medium", "high")
SCREENING_TOOLS = ("s_dash", "dash")
OUTCOMES = ("charge", "out_of_court_disposal", "nfa")
# Where an s2 offence's reason why it is not stalking is given.
REASON_FORM, REASON_FIELD = "crime_recording", "not_stalking_reason"
CLOSED = "completed"
# A case is created when its call is received, so it is not created before it was reported;
# the margin covers a call handler's clock running ahead of the server's.
CREATED_MARGIN = timedelta(days=1)


def report_figures(period_start: Any, period_end: Any) -> dict[str, Any]:
    """Figures for the cases reported in [period_start, period_end).

    Each bound is a date ("2026-11-01": midnight in London, as the force's month begins) or a
    date-time with a UTC offset. The result is plain JSON, the same keys every time.
    """
    start, end = _instant(period_start, "period_start"), _instant(period_end, "period_end")
    if end <= start:
        raise ValueError("the period must end after it starts")
    figures = _empty(start, end)
    # Called while a command runs: reading must not flush that command's unfinished changes.
    with db.session.no_autoflush:
        reason_length = reason_lengths()
        for case in reported_in(stored_cases(start), start, end):
            for mark in case_marks(case, reason_length):
                _add(figures, mark)
    return figures


@dataclass(frozen=True)
class CaseFacts:
    """What the figures read of one case: its data, status, when it was created, the
    definition version it runs on and (for the reports pages) the timers that fired. From the
    cases table (``stored_cases``) or rebuilt from its history alone
    (``service.audit.figures``)."""

    id: str
    data: dict
    status: str
    created_at: datetime
    version_id: int
    fired: frozenset[str] = frozenset()  # the timers that fired, by element id


def stored_cases(start: datetime) -> Iterator[CaseFacts]:
    """The stalking and harassment cases that may have been reported from ``start`` on, as
    the cases table holds them now."""
    query = (
        select(Case.id, Case.data, Case.status, Case.created_at, Case.definition_version_id)
        .where(Case.process_id == CASE_PROCESS, Case.created_at >= start - CREATED_MARGIN)
        .order_by(Case.created_at, Case.id)
    )
    for case_id, data, status, created_at, version_id in db.session.execute(query):
        yield CaseFacts(case_id, data or {}, status, created_at, version_id)


def reported_in(cases: Iterable[CaseFacts], start: datetime, end: datetime) -> Iterator[CaseFacts]:
    """The cases reported in [start, end)."""
    for case in cases:
        if start <= _reported_at(case.data, case.created_at) < end:
            yield case


def reason_lengths() -> Callable[[int], int]:
    """The shortest reason of each definition version's form, each read once (for one count:
    a version id names different files in another database)."""
    return cache(_reason_length)


def case_marks(case: CaseFacts, reason_length: Callable[[int], int]) -> list[tuple[str, ...]]:
    """Where the case counts in ``report_figures``: each mark is the path of a count, such as
    ``("recorded_offence", "s2")`` or ``("cases_received",)``. ``reason_length`` is
    ``reason_lengths()``."""
    data = case.data
    marks: list[tuple[str, ...]] = [("cases_received",)]
    offence = data.get("recorded_offence")
    marks.append(("recorded_offence", offence if offence in OFFENCES else "not_recorded"))
    if offence == "s2":
        given = holds_words(data.get(REASON_FIELD), reason_length(case.version_id))
        marks.append(
            ("s2_with_not_stalking_reason",) if given else ("s2_without_not_stalking_reason",)
        )
    grade = data.get("risk_grade")
    marks.append(("risk_grade", grade if grade in RISK_GRADES else "not_graded"))
    if data.get("risk_tool") in SCREENING_TOOLS:
        marks.append(("risk_screenings",))
    if data.get("marac_referral_required") is True:
        marks.append(("marac_referrals_required",))
    if data.get("marac_referral_sent_at"):
        marks.append(("marac_referrals_sent",))
    if data.get("spo_considered") is True:
        marks.append(("spo_considered",))
    contact = _victim_contact(data)
    if contact is not None:
        marks.append(("victim_told_crime_recorded", contact))
    outcome = data.get("outcome")
    marks.append(("outcome", outcome if outcome in OUTCOMES else "undecided"))
    if case.status == CLOSED:
        marks.append(("cases_closed",))
    # Found at the review before closure, or on a call the live-time review found no offence on.
    if data.get("srau_missed_offence") is True or data.get("srau_call_offence_missed") is True:
        marks.append(("srau_missed_offences",))
    return marks


def _add(figures: dict[str, Any], mark: tuple[str, ...]) -> None:
    place = figures
    for key in mark[:-1]:
        place = place[key]
    place[mark[-1]] += 1


def _reason_length(version_id: int) -> int:
    """The fewest characters the crime recording form of a definition version asks of a
    reason why an s2 offence is not stalking."""
    form = catalog_of(version_id).forms.get(REASON_FORM)
    field_schema = form.schema.get("properties", {}).get(REASON_FIELD, {}) if form else {}
    return minimum_length(field_schema)


def _empty(start: datetime, end: datetime) -> dict[str, Any]:
    return {
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "cases_received": 0,
        "recorded_offence": {**dict.fromkeys(OFFENCES, 0), "not_recorded": 0},
        "s2_with_not_stalking_reason": 0,
        "s2_without_not_stalking_reason": 0,
        "risk_grade": {**dict.fromkeys(RISK_GRADES, 0), "not_graded": 0},
        "risk_screenings": 0,
        "marac_referrals_required": 0,
        "marac_referrals_sent": 0,
        "spo_considered": 0,
        "victim_told_crime_recorded": {"on_time": 0, "late": 0, "not_yet": 0},
        "outcome": {**dict.fromkeys(OUTCOMES, 0), "undecided": 0},
        "cases_closed": 0,
        "srau_missed_offences": 0,
    }


def _victim_contact(data: dict) -> str | None:
    """on_time / late / not_yet for a case whose contact deadline is set, else None."""
    due = _parsed(data.get("victim_contact_due_at"))
    if due is None:
        return None
    told = _parsed(data.get("victim_contacted_at"))
    if told is None:
        return "not_yet"
    return "on_time" if told <= due else "late"


def _reported_at(data: dict, created_at: datetime) -> datetime:
    reported = _parsed(data.get("reported_at"))
    if reported is not None:
        return reported
    return created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)


def _parsed(value: Any) -> datetime | None:
    """A stored date-time, or None when it is missing or not a time with an offset."""
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):
        return None


def _instant(value: Any, name: str) -> datetime:
    """A period bound: a date is midnight in London, as the force's day begins."""
    if isinstance(value, str) and len(value.strip()) == 10:
        value = date.fromisoformat(value.strip())
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=LONDON).astimezone(UTC)
    try:
        return parse_datetime(value)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
