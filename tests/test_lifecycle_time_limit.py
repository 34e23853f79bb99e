"""Statutory time limit warnings during the investigation, through the API.

Harassment (s2) and stalking (s2A) are summary only: an information must be laid within six
months of the last incident of the course of conduct. While the investigation runs, the case
warns the Investigator at 4 months and the Sergeant at 5 (timers ``time_limit_4_months`` and
``time_limit_5_months`` on a branch beside the investigation). The investigation's ends are
terminate end events, so the warnings never keep a finished case open; either-way offences
(s4, s4A) set no warning timers at all.

The clock only moves when a test moves it; ``fire_all_due()`` does the scheduler's work.
"""

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import bearer
from tests.lifecycle import (
    WELSH,
    Case,
    drain,
    investigation_tokens,
    refresh,
    refused,
    to_charge,
    to_confirmed_nfa,
    to_investigation,
)
from tests.samples import (
    CHARGE,
    CRIME_S4A,
    INVESTIGATION_PLAN,
    NOT_STALKING_REASON,
    REVIEW_CONTINUE,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
)

T0 = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
# The last incident of FIRST_RESPONSE is 2026-11-27T17:30:00Z (GMT). Four months on is still
# GMT; five months on is British Summer Time, so the warning falls at 17:30 London, 16:30 UTC.
FOUR_MONTHS = datetime(2027, 3, 27, 17, 30, tzinfo=UTC)
FIVE_MONTHS = datetime(2027, 4, 27, 16, 30, tzinfo=UTC)
TIME_LIMIT = "2027-05-27"
# The engine fires a timer once its due time has passed (strictly later), as the live-time
# review's SLA tests do.
ONE_SECOND = timedelta(seconds=1)

# Stalking acts, but no fear of violence and no serious alarm or distress: s2A.
CRIME_S2A = {
    **CRIME_S4A,
    "crime_reference": "62/12377/26",
    "feared_violence_on_two_occasions": False,
    "serious_alarm_or_distress": False,
    "recorded_offence": "s2A",
}
INVESTIGATOR_WARNING = {
    "investigator_time_limit_action": "information_to_be_laid",
    "investigator_time_limit_plan": "Interview booked for next week; file to the CPS by 30 April.",
    "information_to_be_laid_by": "2027-05-14",
}
SERGEANT_WARNING = {
    "sergeant_time_limit_action": "charging_advice_expedited",
    "sergeant_time_limit_note": "CPS asked for advice by 7 May; the OIC lays the information then.",
}
WARNING_TIMERS = {"time_limit_4_months", "time_limit_5_months"}


@pytest.fixture
def tokens(token_for):
    return investigation_tokens(token_for, admin="Administrator")


def timers(case: Case) -> list[tuple[str, str]]:
    return [(t["bpmn_id"], t["due_at"]) for t in refresh(case)["timers"]]


def all_timers(case: Case) -> dict[str, str]:
    response = case.client.get(
        "/api/v1/timers", query_string={"case": case.id}, headers=bearer(case.tokens["admin"])
    )
    assert response.status_code == 200, response.json
    return {t["bpmn_id"]: t["status"] for t in response.json}


def test_an_s2a_case_warns_the_investigator_at_4_months_and_the_sergeant_at_5(
    app, client, tokens, clock
):
    case = Case(client, tokens)
    to_investigation(case, CRIME_S2A)
    assert case.data["recorded_offence"] == "s2A"
    assert case.data["last_incident_at"] == "2026-11-27T17:30:00+00:00"
    assert timers(case) == [
        ("time_limit_4_months", FOUR_MONTHS.isoformat()),
        ("time_limit_5_months", FIVE_MONTHS.isoformat()),
    ]
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    case.complete("sergeant_review", "sergeant", REVIEW_CONTINUE)

    clock.move_to(FOUR_MONTHS - timedelta(minutes=1))
    assert drain(app) == 0
    refresh(case)
    assert case.open_tasks == [("sergeant_review", "Sergeant")]

    clock.move_to(FOUR_MONTHS + ONE_SECOND)
    assert drain(app) == 1
    refresh(case)
    assert sorted(case.open_tasks) == [
        ("sergeant_review", "Sergeant"),
        ("time_limit_warning_investigator", "Investigator"),
    ]
    [warning] = [t for t in case.last["open_tasks"] if t["bpmn_id"].startswith("time_limit")]
    assert warning["name"] == "Statutory time limit: 2 months left"
    inbox = client.get("/api/v1/tasks", headers=bearer(tokens["investigator"])).json
    assert [(t["bpmn_id"], t["case_id"]) for t in inbox] == [
        ("time_limit_warning_investigator", case.id)
    ]
    # The 5-month timer is still waiting.
    assert timers(case) == [("time_limit_5_months", FIVE_MONTHS.isoformat())]
    english, welsh = case.instructions("time_limit_warning_investigator", "investigator")
    assert "must be laid by **27 May 2027**" in english
    assert "27 November 2026, 17:30" in english and "Two months are left" in english
    assert "rhaid gosod gwybodaeth erbyn **27 Mai 2027**" in welsh
    assert "27 Tachwedd 2026, 17:30" in welsh

    clock.move_to(FOUR_MONTHS + timedelta(days=1))
    case.complete("time_limit_warning_investigator", "investigator", INVESTIGATOR_WARNING)
    assert case.open_tasks == [("sergeant_review", "Sergeant")]
    assert case.data["investigator_time_limit_action"] == "information_to_be_laid"
    assert case.last["status"] == "running"

    clock.move_to(FIVE_MONTHS - timedelta(minutes=1))
    assert drain(app) == 0
    clock.move_to(FIVE_MONTHS + ONE_SECOND)
    assert drain(app) == 1
    refresh(case)
    assert sorted(case.open_tasks) == [
        ("sergeant_review", "Sergeant"),
        ("time_limit_warning_sergeant", "Sergeant"),
    ]
    assert timers(case) == []
    english, welsh = case.instructions("time_limit_warning_sergeant", "sergeant")
    assert "must be laid by **27 May 2027**" in english and "One month is left" in english
    assert "erbyn **27 Mai 2027**" in welsh and "Mae un mis ar ôl" in welsh

    case.complete("time_limit_warning_sergeant", "sergeant", SERGEANT_WARNING)
    assert case.open_tasks == [("sergeant_review", "Sergeant")]
    assert case.data["sergeant_time_limit_action"] == "charging_advice_expedited"
    to_charge(case, {**CHARGE, "charged_offence": "s2A"})
    # The warnings' answers stay in the case data after the charging decision.
    assert case.data["investigator_time_limit_action"] == "information_to_be_laid"
    assert case.data["sergeant_time_limit_action"] == "charging_advice_expedited"


def test_an_s4a_case_gets_no_warning_timers(app, client, tokens, clock):
    case = Case(client, tokens)
    to_investigation(case, CRIME_S4A)
    assert timers(case) == []
    assert not WARNING_TIMERS & set(all_timers(case))
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    clock.move_to(FIVE_MONTHS + timedelta(days=1))
    assert drain(app) == 0
    assert refresh(case)["status"] == "running"
    assert case.open_tasks == [("sergeant_review", "Sergeant")]


def test_an_s2_case_is_watched_too(client, tokens, clock):
    case = Case(client, tokens)
    crime_s2 = {
        **CRIME_S2A,
        "stalking_acts": [],
        "recorded_offence": "s2",
        "not_stalking_reason": NOT_STALKING_REASON,
    }
    to_investigation(case, crime_s2)
    assert [bpmn_id for bpmn_id, _ in timers(case)] == [
        "time_limit_4_months",
        "time_limit_5_months",
    ]


@pytest.mark.parametrize("decision", ["charge", "confirmed_nfa"])
def test_a_case_decided_before_4_months_leaves_no_warning_waiting(
    app, client, tokens, clock, decision
):
    case = Case(client, tokens)
    to_investigation(case, CRIME_S2A)
    assert {bpmn_id for bpmn_id, _ in timers(case)} == WARNING_TIMERS
    clock.move_to(T0 + timedelta(days=30))
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    if decision == "charge":
        to_charge(case, {**CHARGE, "charged_offence": "s2A"})
    else:
        to_confirmed_nfa(case)
    assert case.last["timers"] == []
    statuses = all_timers(case)
    assert {bpmn_id: statuses[bpmn_id] for bpmn_id in WARNING_TIMERS} == {
        "time_limit_4_months": "cancelled",
        "time_limit_5_months": "cancelled",
    }
    clock.move_to(FIVE_MONTHS + timedelta(days=1))
    assert drain(app) == 0
    refresh(case)
    assert not {bpmn_id for bpmn_id, _ in case.open_tasks} & {
        "time_limit_warning_investigator",
        "time_limit_warning_sergeant",
    }


def test_an_open_warning_stays_for_its_answer_after_the_charge(app, client, tokens, clock):
    """The 4-month warning already with the officer is answered (information laid); the
    5-month warning still waiting is withdrawn by the charging decision."""
    case = Case(client, tokens)
    to_investigation(case, CRIME_S2A)
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    clock.move_to(FOUR_MONTHS + timedelta(hours=1))
    assert drain(app) == 1
    refresh(case)
    assert ("time_limit_warning_investigator", "Investigator") in case.open_tasks
    to_charge(case, {**CHARGE, "charged_offence": "s2A"})
    assert ("time_limit_warning_investigator", "Investigator") in case.open_tasks
    assert case.last["timers"] == []
    assert all_timers(case)["time_limit_5_months"] == "cancelled"


def test_the_warning_forms_refuse_bad_values(app, client, tokens, clock):
    case = Case(client, tokens)
    to_investigation(case, CRIME_S2A)
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    clock.move_to(FIVE_MONTHS + ONE_SECOND)
    drain(app)  # both are overdue: one engine pass may fire both
    refresh(case)
    assert sorted(case.open_tasks) == [
        ("sergeant_review", "Sergeant"),
        ("time_limit_warning_investigator", "Investigator"),
        ("time_limit_warning_sergeant", "Sergeant"),
    ]
    assert timers(case) == []

    def refuses(task, role, data, field):
        english = refused(case.submit(task, role, data), field)
        welsh = refused(case.submit(task, role, data, WELSH), field)
        assert english != welsh
        return english, welsh

    task, role = "time_limit_warning_investigator", "investigator"
    refuses(
        task,
        role,
        {**INVESTIGATOR_WARNING, "investigator_time_limit_action": "pin"},
        "investigator_time_limit_action",
    )
    refuses(
        task,
        role,
        {**INVESTIGATOR_WARNING, "investigator_time_limit_plan": "soon"},
        "investigator_time_limit_plan",
    )
    no_date = {k: v for k, v in INVESTIGATOR_WARNING.items() if k != "information_to_be_laid_by"}
    refuses(task, role, no_date, "information_to_be_laid_by")
    english, welsh = refuses(
        task,
        role,
        {**INVESTIGATOR_WARNING, "information_to_be_laid_by": "2027-05-28"},
        "information_to_be_laid_by",
    )
    assert "after the statutory time limit" in english
    assert "ar ôl y terfyn amser statudol" in welsh
    # The last day itself is in time.
    case.complete(task, role, {**INVESTIGATOR_WARNING, "information_to_be_laid_by": TIME_LIMIT})

    task, role = "time_limit_warning_sergeant", "sergeant"
    refuses(
        task,
        role,
        {**SERGEANT_WARNING, "sergeant_time_limit_action": "none"},
        "sergeant_time_limit_action",
    )
    without_note = {"sergeant_time_limit_action": "plan_confirmed"}
    refuses(task, role, without_note, "sergeant_time_limit_note")
    refuses(task, role, {**SERGEANT_WARNING, "extra": 1}, "extra")
    case.complete(task, role, SERGEANT_WARNING)
    assert case.open_tasks == [("sergeant_review", "Sergeant")]
