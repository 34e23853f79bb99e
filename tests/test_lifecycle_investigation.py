"""The investigation stage through the API: the investigation plan, then the Sergeant's
recurring supervisory reviews until the case is ready for CPS charging advice.

The review is a standard loop on the user task (see tests/test_review_rounds_scale.py for 300
rounds): each round opens the same task, ``sergeant_review``, in the Sergeant's inbox, until the
Sergeant decides the case is ready for charging advice or proposes no further action.
"""

import pytest

from tests.conftest import bearer
from tests.lifecycle import (
    WELSH,
    Case,
    investigation_tokens,
    refused,
    to_investigation,
)
from tests.samples import (
    INVESTIGATION_PLAN,
    REVIEW_CONTINUE,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
)

pytestmark = pytest.mark.usefixtures("afternoon_of_the_call")


@pytest.fixture
def tokens(token_for):
    return investigation_tokens(token_for)


def test_two_review_rounds_then_ready_for_charging_advice(client, tokens):
    case = Case(client, tokens)
    to_investigation(case)
    english, welsh = case.instructions("investigation_plan", "investigator")
    # The recorded offence by its title in the crime recording form, in each language.
    assert "recorded as Stalking involving fear of violence" in english
    assert "Risk grade: high" in english
    assert "wedi'i chofnodi fel Stelcio sy'n cynnwys ofn trais" in welsh
    assert "Gradd risg: uchel" in welsh
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    assert case.data["lines_of_enquiry"] == INVESTIGATION_PLAN["lines_of_enquiry"]
    assert case.data["spo_considered"] is True
    assert case.data["spo_note"] == INVESTIGATION_PLAN["spo_note"]
    assert case.data["investigation_started_at"].startswith("2026-11-28T14:")
    assert case.open_tasks == [("sergeant_review", "Sergeant")]

    # The review reaches the Sergeant's inbox, not the investigator's.
    inbox = client.get("/api/v1/tasks", headers=bearer(tokens["sergeant"])).json
    assert [(t["bpmn_id"], t["case_id"]) for t in inbox] == [("sergeant_review", case.id)]
    assert client.get("/api/v1/tasks", headers=bearer(tokens["investigator"])).json == []

    first_review = case.last["open_tasks"][0]["id"]
    case.complete("sergeant_review", "sergeant", REVIEW_CONTINUE)
    assert case.open_tasks == [("sergeant_review", "Sergeant")]
    # Each round is a task of its own.
    assert case.last["open_tasks"][0]["id"] != first_review
    english, welsh = case.instructions("sergeant_review", "sergeant")
    assert "Last review's findings: Enquiries under way" in english
    assert "Canfyddiadau'r adolygiad diwethaf: Enquiries under way" in welsh

    second = {**REVIEW_CONTINUE, "review_findings": "CCTV received; interview arranged."}
    case.complete("sergeant_review", "sergeant", second)
    assert case.open_tasks == [("sergeant_review", "Sergeant")]
    assert case.last["status"] == "running"

    ready = {
        **REVIEW_CONTINUE,
        "review_decision": "ready_for_charging_advice",
        "review_findings": "File complete: send to CPS for charging advice.",
    }
    case.complete("sergeant_review", "sergeant", ready)
    assert case.last["status"] == "running"
    assert case.open_tasks == [("inspector_review", "Inspector")]
    assert case.data["review_decision"] == "ready_for_charging_advice"
    assert case.data["review_findings"] == ready["review_findings"]
    path = case.path()
    assert path[:5] == [
        "live_time_review",
        "first_response",
        "risk_assessment",
        "crime_recording",
        "marac_referral",
    ]
    # Opened together by the MARAC decision, on three branches.
    assert sorted(path[5:8]) == [
        "investigation_plan",
        "safeguarding_referrals",
        "victim_update_crime_recorded",
    ]
    assert path[8:] == [
        "suspect_management",
        "sergeant_review",
        "sergeant_review",
        "sergeant_review",
        "inspector_review",
    ]


def test_a_review_without_the_spo_answer_is_refused(client, tokens):
    case = Case(client, tokens)
    to_investigation(case)
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    case.complete("sergeant_review", "sergeant", REVIEW_CONTINUE)
    # Second round: the SPO question must be answered again.
    without_spo = {k: v for k, v in REVIEW_CONTINUE.items() if k != "review_spo_considered"}
    assert (
        refused(case.submit("sergeant_review", "sergeant", without_spo), "review_spo_considered")
        == "this field is required"
    )
    welsh = refused(
        case.submit("sergeant_review", "sergeant", without_spo, WELSH), "review_spo_considered"
    )
    assert welsh == "mae angen llenwi'r maes hwn"
    assert case.open_tasks == [("sergeant_review", "Sergeant")]


def test_the_plan_needs_an_spo_reason(client, tokens):
    case = Case(client, tokens)
    to_investigation(case)
    without_reason = {k: v for k, v in INVESTIGATION_PLAN.items() if k != "spo_note"}
    refused(case.submit("investigation_plan", "investigator", without_reason), "spo_note")
    no_statement = {**INVESTIGATION_PLAN, "victim_statement_taken": False}
    refused(
        case.submit("investigation_plan", "investigator", no_statement), "victim_statement_note"
    )


def test_not_ready_for_charging_advice_without_an_spo_considered(client, tokens):
    case = Case(client, tokens)
    to_investigation(case)
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    premature = {
        **REVIEW_CONTINUE,
        "review_spo_considered": False,
        "review_decision": "ready_for_charging_advice",
    }
    message = refused(case.submit("sergeant_review", "sergeant", premature), "review_decision")
    assert "Stalking Protection Order" in message
    welsh = refused(case.submit("sergeant_review", "sergeant", premature, WELSH), "review_decision")
    assert welsh.startswith("Ni all yr achos fynd am gyngor cyhuddo")


def test_no_further_action_proposed_goes_to_the_nfa_review(client, tokens):
    case = Case(client, tokens)
    to_investigation(case)
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    case.complete(
        "sergeant_review", "sergeant", {**REVIEW_CONTINUE, "review_decision": "propose_nfa"}
    )
    assert case.open_tasks == [("nfa_review", "Sergeant")]
    assert case.data["review_decision"] == "propose_nfa"


def test_the_review_rounds_replay(client, tokens, auditor):
    case = Case(client, tokens)
    to_investigation(case)
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    case.complete("sergeant_review", "sergeant", REVIEW_CONTINUE)
    replayed = client.post(f"/api/v1/cases/{case.id}/replay", headers=bearer(auditor))
    assert replayed.status_code == 200, replayed.json
    assert replayed.json["match"] is True, replayed.json
