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
            CaseEvent.type.in_((COMMAND, "data_changed", "task_completed")),
        )
        .order_by(CaseEvent.case_id, CaseEvent.seq)
    )
    # A survey's answers count once its task is completed: a completion the diagram refused is
    # in the history as a command too, with no task completed after it.
    case_id, period, sent = None, None, None
    for row_case, type_, payload in db.session.execute(query):
        if row_case != case_id:
            case_id, period, sent = row_case, None, None
        details = json.loads(payload)
        if type_ == "data_changed":
            change = (details.get("fields") or {}).get(PERIOD_FIELD)
            if isinstance(change, dict):
                period = change.get("after")
        elif type_ == COMMAND:
            sending = _sends_the_survey(details) and _within(period, first, after)
            sent = (details.get("data") or {}) if sending else None
        elif details.get("bpmn_id") == SURVEY_TASK and sent is not None:
            for name in ANSWERS:
                value = sent.get(name)
                if isinstance(value, int) and not isinstance(value, bool):
                    totals[name] += value
            sent = None
    return totals


def _sends_the_survey(command: dict) -> bool:
    return command.get("name") == COMPLETE_TASK and command.get("bpmn_id") == SURVEY_TASK


def _within(period: object, first: date, after: date) -> bool:
    try:
        month = date.fromisoformat(str(period))
    except ValueError:
        return False
    return first <= month < after
