"""What victims told the MARAC Unit's monthly survey, from the performance reporting process.

Each month the MARAC Unit records how many victims answered its survey and how many were
satisfied (``report_marac_victim_survey``, in the ``performance_reporting`` process). The case's
data keeps only its latest round; every round is in its history. So the answers are read from
the history, the record: each completed survey with the month its round covered
(``survey_report_period_start`` in the case's data as the survey was sent).
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from ..audit.events import COMMAND
from ..audit.models import CaseEvent
from ..audit.trail import COMPLETE_TASK
from ..db import db
from ..models import Case

PROCESS = "performance_reporting"
SURVEY_TASK = "report_marac_victim_survey"
PERIOD_FIELD = "survey_report_period_start"
ANSWERS = ("survey_responses", "survey_satisfied")


def survey_answers(first: date, after: date) -> dict[str, int]:
    """The survey answers of the months from ``first`` up to (not including) ``after``: the
    victims who answered and those satisfied, summed over every reporting schedule."""
    totals = dict.fromkeys(ANSWERS, 0)
    schedules = select(Case.id).where(Case.process_id == PROCESS)
    query = (
        select(CaseEvent.case_id, CaseEvent.type, CaseEvent.payload)
        .where(
            CaseEvent.case_id.in_(schedules),
            CaseEvent.type.in_((COMMAND, "case_started", "data_changed")),
        )
        .order_by(CaseEvent.case_id, CaseEvent.seq)
    )
    case_id, period = None, None
    for row_case, type_, payload in db.session.execute(query):
        if row_case != case_id:
            case_id, period = row_case, None
        details = json.loads(payload)
        if type_ == "data_changed":
            change = (details.get("fields") or {}).get(PERIOD_FIELD)
            if isinstance(change, dict):
                period = change.get("after")
        elif _sends_the_survey(type_, details) and _within(period, first, after):
            for name in ANSWERS:
                value = (details.get("data") or {}).get(name)
                if isinstance(value, int) and not isinstance(value, bool):
                    totals[name] += value
    return totals


def _sends_the_survey(type_: str, details: dict) -> bool:
    return (
        type_ == COMMAND
        and details.get("name") == COMPLETE_TASK
        and details.get("bpmn_id") == SURVEY_TASK
    )


def _within(period: object, first: date, after: date) -> bool:
    try:
        month = date.fromisoformat(str(period))
    except ValueError:
        return False
    return first <= month < after
