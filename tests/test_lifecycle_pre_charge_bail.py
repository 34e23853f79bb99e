"""Pre-charge bail ends with the decision on the case, through the API.

While the suspect is on pre-charge bail, its rounds (``bail_management``, a call activity
beside the Sergeant's reviews) keep the bail review open with the Investigator. The charging
decision (charge, out-of-court disposal or no further action) or a confirmed no further action
ends pre-charge bail: the bail review, an extension waiting for its approval and a bail letter
not yet sent are withdrawn, as the statutory time limit warnings are, and the case records that
bail has ended.

The clock only moves when a test moves it; ``drain(app)`` does the scheduler's work.
"""

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import bearer
from tests.lifecycle import (
    Case,
    drain,
    investigation_tokens,
    refresh,
    to_charge,
    to_confirmed_nfa,
    to_investigation,
)
from tests.samples import (
    CHARGE,
    CONFIRM_NFA,
    CPS_FILE,
    CRIME_S4A,
    INSPECTOR_REVIEW,
    INVESTIGATION_PLAN,
    PROPOSE_NFA,
    READY,
    SUSPECT_ON_BAIL,
)

# After every time the samples record (the charging decision is at 09:30 on 1 December).
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
# Stalking acts, but no fear of violence and no serious alarm or distress: s2A, so the
# statutory time limit warnings wait beside the bail rounds.
CRIME_S2A = {
    **CRIME_S4A,
    "feared_violence_on_two_occasions": False,
    "serious_alarm_or_distress": False,
    "recorded_offence": "s2A",
}
BAIL_TASKS = {
    "bail_review",
    "bail_extension_inspector",
    "bail_extension_superintendent",
    "bail_extension_court",
    "victim_letter_bail_changed",
}
EXTEND_TO_6 = {
    "bail_decision": "extend",
    "bail_extension_to_months": 6,
    "victim_views_on_extension_sought": True,
    "bail_decision_reason": "Phone download awaited from the digital unit.",
}
APPROVE = {
    "bail_extension_approved": True,
    "bail_extension_decision_reason": "Necessary: the phone download is booked.",
}
OUT_OF_COURT = {
    "charging_decision": "out_of_court_disposal",
    "oocd_type": "conditional_caution",
    "charging_decision_reason": "A conditional caution meets the victim's wishes and the risk.",
    "charging_decided_at": "2026-12-01T09:30:00Z",
}
CPS_NFA = {
    "charging_decision": "no_further_action",
    "charging_decision_reason": "The evidential stage of the Full Code Test is not met.",
    "charging_decided_at": "2026-12-01T09:30:00Z",
}


@pytest.fixture
def tokens(token_for):
    return investigation_tokens(token_for, admin="Administrator")


def on_bail(client, tokens) -> Case:
    """A case whose suspect is on pre-charge bail, the bail review open beside the Sergeant's."""
    case = Case(client, tokens)
    to_investigation(case, CRIME_S2A)
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_ON_BAIL)
    assert sorted(case.open_tasks) == [
        ("bail_review", "Investigator"),
        ("sergeant_review", "Sergeant"),
    ]
    assert case.data["bail_status"] == "on_bail"
    return case


def decide(case: Case, decision: str) -> None:
    """From an open Sergeant's review to the decision that ends pre-charge bail."""
    if decision == "charge":
        to_charge(case, {**CHARGE, "charged_offence": "s2A"})
    elif decision == "out_of_court_disposal":
        to_charge_decision(case, OUT_OF_COURT)
    elif decision == "cps_nfa":
        to_charge_decision(case, CPS_NFA)
    else:
        to_confirmed_nfa(case)


def to_charge_decision(case: Case, decision: dict) -> None:
    case.complete("sergeant_review", "sergeant", READY)
    case.complete("inspector_review", "inspector", INSPECTOR_REVIEW)
    case.complete("cps_file_submission", "investigator", CPS_FILE)
    case.complete("cps_charging_decision", "cps", decision)


def statuses(case: Case, status: str) -> list[str]:
    tasks = case.client.get(
        "/api/v1/tasks",
        query_string={"case": case.id, "status": status},
        headers=bearer(case.tokens["reader"]),
    ).json
    return sorted(t["bpmn_id"] for t in tasks)


def waiting_timers(case: Case) -> list[str]:
    response = case.client.get(
        "/api/v1/timers", query_string={"case": case.id}, headers=bearer(case.tokens["admin"])
    )
    assert response.status_code == 200, response.json
    return [t["bpmn_id"] for t in response.json if t["status"] == "waiting"]


@pytest.mark.parametrize(
    "decision", ["charge", "out_of_court_disposal", "cps_nfa", "confirmed_nfa"]
)
def test_the_decision_on_the_case_withdraws_the_bail_review(app, client, tokens, clock, decision):
    case = on_bail(client, tokens)
    clock.move_to(T0 + timedelta(hours=2))
    decide(case, decision)

    assert not BAIL_TASKS & {bpmn_id for bpmn_id, _ in case.open_tasks}
    assert "bail_review" in statuses(case, "cancelled")
    assert case.data["bail_status"] == "ended"
    # Nothing of the bail rounds, or of the time limit warnings, is left waiting.
    assert refresh(case)["timers"] == [] and waiting_timers(case) == []
    # Past the day bail would have expired, no bail review comes back.
    clock.move_to(T0 + timedelta(days=120))
    assert drain(app) == 0
    refresh(case)
    assert not BAIL_TASKS & {bpmn_id for bpmn_id, _ in case.open_tasks}


def test_an_extension_and_its_letter_still_open_are_withdrawn_by_the_charge(client, tokens, clock):
    case = on_bail(client, tokens)
    case.complete("bail_review", "investigator", EXTEND_TO_6)
    assert ("bail_extension_inspector", "Inspector") in case.open_tasks
    case.complete("sergeant_review", "sergeant", READY)
    case.complete("inspector_review", "inspector", INSPECTOR_REVIEW)
    # The Inspector approves the extension: the victim is to be told of it.
    case.complete("bail_extension_inspector", "inspector", APPROVE)
    assert ("victim_letter_bail_changed", "Investigator") in case.open_tasks
    case.complete("cps_file_submission", "investigator", CPS_FILE)
    case.complete("cps_charging_decision", "cps", {**CHARGE, "charged_offence": "s2A"})

    # The charge letter tells the victim what happens now; the bail letter is withdrawn.
    assert case.open_tasks == [("victim_letter_charge", "Investigator")]
    assert statuses(case, "cancelled") == ["victim_letter_bail_changed"]
    assert case.data["bail_status"] == "ended"
    # The Inspector's approval stays on the case's record; the round it was part of never
    # finished, so the case's data keeps the bail as the last finished round left it.
    assert "bail_extension_inspector" in statuses(case, "completed")
    assert case.data["bail_months"] == 3


def test_bail_still_runs_while_the_sergeant_only_proposes_no_further_action(client, tokens, clock):
    """A proposed no further action the Sergeant sends for a charging decision does not end
    bail: only the decision does."""
    case = on_bail(client, tokens)
    case.complete("sergeant_review", "sergeant", PROPOSE_NFA)
    case.complete(
        "nfa_review", "sergeant", {**CONFIRM_NFA, "nfa_review_decision": "seek_charging_advice"}
    )
    assert sorted(case.open_tasks) == [
        ("bail_review", "Investigator"),
        ("inspector_review", "Inspector"),
    ]
    assert case.data["bail_status"] == "on_bail"
