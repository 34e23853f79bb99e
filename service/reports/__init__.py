"""The policy's reports as figures, each with the cases behind it.

The performance reporting process counts a month's or a quarter's cases for its reports
(``service.reporting.report_figures``); the reports pages (``/reports``) show the same figures,
and more that the policy asks for, with the cases that make each one. A case earns *marks*
(``reporting.case_marks``, and ``more_marks`` here for the figures the process does not
count): a figure is the cases holding its mark.

Every figure counts every case reported in the period. Which of those cases a reader is shown
is a separate question, answered by the case access rules (``service.case_access``): a case
the reader may not read is counted but not listed (``cases_shown``).

The figures are worked out from the cases table (``tally``) or, to prove them, from the audit
log alone (``service.audit.figures.tally_from_history``): both read cases as ``CaseFacts`` and
mark them with the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from sqlalchemy import select

from workflows.diagram_functions import LONDON

from ..auth import Actor
from ..case_access import readable_cases
from ..db import db
from ..models import Case, Timer
from ..reporting import (
    CASE_PROCESS,
    CREATED_MARGIN,
    CaseFacts,
    _instant,
    _parsed,
    _reported_at,
    case_marks,
    reason_lengths,
    reported_in,
    stored_cases,
)
from ..timers import FIRED
from .survey import survey_answers

Mark = tuple[str, ...]
MONTH, QUARTER = "month", "quarter"
LENGTHS = {MONTH: 1, QUARTER: 3}
FIRST_YEAR, LAST_YEAR = 2000, 2100
# The timers that escalate a deadline missed.
LIVE_REVIEW_SLA, VICTIM_CONTACT_SLA = "live_review_sla", "victim_contact_sla"


# --- the figures the process does not count ----------------------------------------------------


def more_marks(case: CaseFacts) -> list[Mark]:
    """Marks for the live-time review's timeliness, the 24-hour crime recording standard and
    the breaches of the policy's service levels."""
    data = case.data
    marks: list[Mark] = []
    # The review's SLA timer fired: the review was still open at 30 minutes.
    escalated = LIVE_REVIEW_SLA in case.fired or bool(data.get("live_review_escalated_at"))
    if escalated:
        marks.append(("live_review", "late"))
    elif isinstance(data.get("offences_disclosed"), bool):
        marks.append(("live_review", "on_time"))
    else:
        marks.append(("live_review", "not_yet"))
    within = data.get("crime_recorded_within_24_hours")
    if within is True:
        marks.append(("crime_recorded", "within_24_hours"))
    elif within is False:
        marks.append(("crime_recorded", "after_24_hours"))
    else:
        marks.append(("crime_recorded", "not_recorded"))
    if escalated:
        marks.append(("sla_breach", "live_review"))
    if within is False:
        marks.append(("sla_breach", "crime_recording"))
    # The Victims' Code contact's SLA timer fired, or the victim was told after the deadline.
    due, told = _parsed(data.get("victim_contact_due_at")), _parsed(data.get("victim_contacted_at"))
    if VICTIM_CONTACT_SLA in case.fired or (due is not None and told is not None and told > due):
        marks.append(("sla_breach", "victim_contact"))
    return marks


# --- the reports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """A share: the cases holding ``numerator`` of those holding any of ``denominator``."""

    key: str
    numerator: Mark
    denominator: tuple[Mark, ...]


@dataclass(frozen=True)
class Group:
    """Figures shown together, as one table and one chart. A group not ``of_cases`` counts
    something else than cases (victims who answered a survey): it has no cases to list."""

    key: str
    marks: tuple[Mark, ...]
    rates: tuple[Rate, ...] = ()
    of_cases: bool = True


@dataclass(frozen=True)
class Report:
    key: str
    length: str  # the period it is usually made for
    groups: tuple[Group, ...]

    @property
    def marks(self) -> tuple[Mark, ...]:
        return tuple(mark for group in self.groups for mark in group.marks)

    @property
    def case_marks(self) -> tuple[Mark, ...]:
        """The marks whose cases can be listed."""
        return tuple(mark for group in self.groups if group.of_cases for mark in group.marks)


def _marks(name: str, *values: str) -> tuple[Mark, ...]:
    return tuple((name, value) for value in values)


def _timeliness(name: str, rate: str, in_time: str, late: str, not_done: str) -> Group:
    """Cases done in time, done late and not done (yet), with the share of those done that
    were done in time."""
    return Group(
        name,
        _marks(name, in_time, late, not_done),
        (Rate(rate, (name, in_time), _marks(name, in_time, late)),),
    )


CASES = Group("cases", (("cases_received",), ("cases_closed",)))
OFFENCES = Group(
    "recorded_offence", _marks("recorded_offence", "s2", "s2A", "s4", "s4A", "not_recorded")
)
S2_REASONS = Group(
    "s2_reason", (("s2_with_not_stalking_reason",), ("s2_without_not_stalking_reason",))
)
RISK = Group("risk_grade", _marks("risk_grade", "high", "medium", "standard", "not_graded"))
STANDARDS = Group(
    "standards", (("risk_screenings",), ("spo_considered",), ("srau_missed_offences",))
)
MARAC = Group(
    "marac",
    (("marac_referrals_required",), ("marac_referrals_sent",), ("risk_grade", "high")),
    (Rate("marac_sent", ("marac_referrals_sent",), (("marac_referrals_required",),)),),
)
VICTIMS_CODE = _timeliness(
    "victim_told_crime_recorded", "victims_code_on_time", "on_time", "late", "not_yet"
)
CRIME_RECORDING = _timeliness(
    "crime_recorded", "crime_recorded_in_time", "within_24_hours", "after_24_hours", "not_recorded"
)
LIVE_REVIEW = _timeliness("live_review", "live_review_on_time", "on_time", "late", "not_yet")
SLA_BREACHES = Group(
    "sla_breach", _marks("sla_breach", "live_review", "crime_recording", "victim_contact")
)
DECIDED = _marks("outcome", "charge", "out_of_court_disposal", "nfa")
OUTCOMES = Group(
    "outcome",
    _marks("outcome", "charge", "out_of_court_disposal", "nfa", "undecided"),
    (
        Rate("charge_rate", ("outcome", "charge"), DECIDED),
        Rate("nfa_rate", ("outcome", "nfa"), DECIDED),
    ),
)

SURVEY = Group(
    "survey",
    (("survey", "survey_responses"), ("survey", "survey_satisfied")),
    (Rate("survey_satisfied", ("survey", "survey_satisfied"), (("survey", "survey_responses"),)),),
    of_cases=False,
)

REPORTS = {
    report.key: report
    for report in (
        Report("bcu_monthly", MONTH, (CASES, OFFENCES, S2_REASONS, RISK, STANDARDS)),
        Report("marac_survey", MONTH, (SURVEY, MARAC, RISK)),
        Report(
            "quarterly",
            QUARTER,
            (CASES, OFFENCES, S2_REASONS, RISK, STANDARDS, MARAC, VICTIMS_CODE, OUTCOMES),
        ),
        Report("victims_code", MONTH, (VICTIMS_CODE,)),
        Report("live_review", MONTH, (LIVE_REVIEW,)),
        Report("sla_breaches", MONTH, (SLA_BREACHES, CRIME_RECORDING, LIVE_REVIEW)),
        Report("outcomes", QUARTER, (OUTCOMES,)),
    )
}


def mark_key(mark: Mark) -> str:
    """The mark as a figure's name in an address or a CSV file: ``recorded_offence.s2``."""
    return ".".join(mark)


def mark_of(key: str) -> Mark | None:
    """The mark a figure's name stands for, when some report shows it."""
    mark = tuple(key.split("."))
    known = {m for report in REPORTS.values() for m in report.marks}
    return mark if mark in known else None


# --- periods -----------------------------------------------------------------------------------


class PeriodError(ValueError):
    """A period that cannot be read: ``field`` is the part at fault (year, month or length)."""

    def __init__(self, field: str):
        self.field = field
        super().__init__(field)


@dataclass(frozen=True)
class Period:
    """A month, or three months (a quarter), from the first of ``first`` in London time."""

    first: date
    length: str

    @property
    def months(self) -> int:
        return LENGTHS[self.length]

    @property
    def after(self) -> date:
        """The day after the period: the first of the month after its last."""
        month = self.first.month - 1 + self.months
        return date(self.first.year + month // 12, month % 12 + 1, 1)

    @property
    def last(self) -> date:
        return date.fromordinal(self.after.toordinal() - 1)

    @property
    def start(self) -> datetime:
        return _instant(self.first, "period_start")

    @property
    def end(self) -> datetime:
        return _instant(self.after, "period_end")


def period_from(
    year: str | None, month: str | None, length: str | None, default_length: str, today: date
) -> Period:
    """The period a form asked for; each part left out is the latest whole period's."""
    length = length or default_length
    if length not in LENGTHS:
        raise PeriodError("length")
    if not year and not month:
        # The latest whole period: the month before this one, or the three months ending there.
        back = today.year * 12 + today.month - 1 - LENGTHS[length]
        return Period(date(back // 12, back % 12 + 1, 1), length)
    try:
        number = int((month or "").strip())
    except ValueError:
        raise PeriodError("month") from None
    if not 1 <= number <= 12:
        raise PeriodError("month")
    try:
        year_number = int((year or "").strip())
    except ValueError:
        raise PeriodError("year") from None
    if not FIRST_YEAR <= year_number <= LAST_YEAR:
        raise PeriodError("year")
    return Period(date(year_number, number, 1), length)


def london_today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


# --- counting ----------------------------------------------------------------------------------


@dataclass
class Tally:
    """The cases behind each mark, in the order the cases were created."""

    period: Period
    cases: dict[Mark, list[str]] = field(default_factory=dict)
    reported: dict[str, datetime] = field(default_factory=dict)  # case id -> reported at
    other: dict[Mark, int] = field(default_factory=dict)  # what is not a count of cases

    def count(self, mark: Mark) -> int:
        if mark in self.other:
            return self.other[mark]
        return len(self.cases.get(mark, ()))

    def rate(self, rate: Rate) -> tuple[int, int]:
        return self.count(rate.numerator), sum(self.count(m) for m in rate.denominator)

    def figures(self, report: Report) -> dict[str, int]:
        """The report's figures by name: what a page shows and the audit log proves."""
        return {mark_key(mark): self.count(mark) for mark in report.marks}


def tally_cases(cases: Iterable[CaseFacts], period: Period) -> Tally:
    """Mark the cases reported in the period; with the MARAC survey's answers for it, which
    only the history keeps (``survey.survey_answers``)."""
    answers = survey_answers(period.first, period.after)
    tally = Tally(period, other={("survey", name): count for name, count in answers.items()})
    reason_length = reason_lengths()
    for case in reported_in(cases, period.start, period.end):
        tally.reported[case.id] = _reported_at(case.data, case.created_at)
        for mark in (*case_marks(case, reason_length), *more_marks(case)):
            tally.cases.setdefault(mark, []).append(case.id)
    return tally


def tally(period: Period) -> Tally:
    """The period's figures, from the cases as they stand and their timers."""
    with db.session.no_autoflush:
        fired: dict[str, set[str]] = {}
        query = (
            select(Timer.case_id, Timer.bpmn_id)
            .join(Case, Case.id == Timer.case_id)
            .where(
                Case.process_id == CASE_PROCESS,
                Case.created_at >= period.start - CREATED_MARGIN,
                Timer.status == FIRED,
            )
        )
        for case_id, bpmn_id in db.session.execute(query):
            fired.setdefault(case_id, set()).add(bpmn_id)
        cases = (
            replace(case, fired=frozenset(fired.get(case.id, ())))
            for case in stored_cases(period.start)
        )
        return tally_cases(cases, period)


# --- the cases a reader is shown ---------------------------------------------------------------


@dataclass(frozen=True)
class ShownCase:
    id: str
    storm_reference: str | None
    reported_at: datetime
    status: str


@dataclass(frozen=True)
class CasesShown:
    cases: list[ShownCase]
    not_shown: int  # counted, but cases the reader may not read


def cases_shown(actor: Actor, tally: Tally, mark: Mark) -> CasesShown:
    """The cases behind a figure that the reader may read, and how many others it counts."""
    ids = tally.cases.get(mark, [])
    rows = {}
    for chunk in range(0, len(ids), 500):
        query = select(Case.id, Case.data, Case.status).where(
            Case.id.in_(ids[chunk : chunk + 500]), readable_cases(actor)
        )
        for case_id, data, status in db.session.execute(query):
            storm = (data or {}).get("storm_reference")
            rows[case_id] = ShownCase(
                case_id,
                storm if isinstance(storm, str) else None,
                tally.reported[case_id].astimezone(UTC),
                status,
            )
    shown = [rows[case_id] for case_id in ids if case_id in rows]
    return CasesShown(shown, len(ids) - len(shown))
