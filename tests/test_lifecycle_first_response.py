"""The first response stage through the API: first response, risk assessment, crime recording
and the MARAC referral decision, with the controls the inspections found missing.

Each scenario asserts the path the case took (the tasks it opened, in order) and the data it
recorded. The clock is fixed on the day of the sample call, 2026-11-28, at 14:00 UTC.
"""

from datetime import UTC, datetime

import pytest
import time_machine

from tests.conftest import bearer
from tests.lifecycle import WELSH, Case, refresh, refused, to_risk_assessment
from tests.samples import (
    CALL_DOMESTIC,
    CRIME_S2,
    CRIME_S4A,
    FIRST_RESPONSE,
    FIRST_RESPONSE_SINGLE,
    MARAC_REFERRAL,
    NOT_STALKING_REASON,
    REVIEW_OFFENCES,
    RISK_DASH,
    RISK_SDASH_HIGH,
    RISK_STANDARD_NO_TOOL,
)

pytestmark = pytest.mark.usefixtures("afternoon_of_the_call")


@pytest.fixture
def tokens(token_for):
    return {
        "call": token_for("Call Handler"),
        "desk": token_for("Vulnerability Desk"),
        "officer": token_for("Attending Officer"),
        "marac": token_for("MARAC Unit"),
        # Sees every lane of this stage, to read the path a case took.
        "reader": token_for("Vulnerability Desk", "Attending Officer", "MARAC Unit"),
    }


def test_high_risk_stalking_case_is_referred_to_marac(client, tokens):
    case = Case(client, tokens)
    to_risk_assessment(case)
    # The course of conduct was built from the timeline before the risk assessment.
    assert case.data["incident_count"] == 3
    assert case.data["incidents_last_12_months"] == 3
    assert case.data["last_incident_at"] == "2026-11-27T17:30:00+00:00"
    assert case.data["risk_screening_required"] is True
    assert case.data["four_test"] == FIRST_RESPONSE["four_test"]
    assert case.data["spo_considered"] is True

    english, welsh = case.instructions("risk_assessment", "officer")
    assert "Screening is required (3 incident(s)" in english
    assert "Mae angen sgrinio (3 digwyddiad" in welsh
    case.complete("risk_assessment", "officer", RISK_SDASH_HIGH)
    assert case.open_tasks == [("crime_recording", "Attending Officer")]
    english, welsh = case.instructions("crime_recording", "officer")
    assert "Risk grade: high" in english and "Gradd risg: uchel" in welsh
    assert case.data["risk_grade"] == "high"
    # S-DASH has no threshold: the officer's grade stands.
    assert case.data["assessed_risk_grade"] == "high"
    assert case.data["risk_grading_basis"] == "professional_judgement"

    case.complete("crime_recording", "officer", CRIME_S4A)
    assert case.data["recorded_offence"] == "s4A"
    assert case.data["classified_section"] == "s4A"
    assert case.data["aggravated"] is False
    assert case.data["crime_recorded_at"].startswith("2026-11-28T14:")
    assert case.data["crime_recorded_within_24_hours"] is True
    assert case.data["marac_referral_required"] is True
    assert case.data["marac_referral_reason"] == "visible_high_risk"
    assert case.open_tasks == [("marac_referral", "MARAC Unit")]

    # The referral is the MARAC Unit's work, not the officer's.
    marac_inbox = client.get("/api/v1/tasks", headers=bearer(tokens["marac"])).json
    assert [(t["bpmn_id"], t["case_id"]) for t in marac_inbox] == [("marac_referral", case.id)]
    assert client.get("/api/v1/tasks", headers=bearer(tokens["officer"])).json == []
    detail = client.get(f"/api/v1/tasks/{marac_inbox[0]['id']}", headers=bearer(tokens["marac"]))
    assert "visible high risk" in detail.json["instructions"]
    welsh = client.get(
        f"/api/v1/tasks/{marac_inbox[0]['id']}", headers={**bearer(tokens["marac"]), **WELSH}
    )
    assert "risg uchel amlwg" in welsh.json["instructions"]
    assert welsh.json["form"]["schema"]["title"] == "Atgyfeirio i MARAC"

    case.complete("marac_referral", "marac", MARAC_REFERRAL)
    # The case passes to the investigation (tests/test_lifecycle_investigation.py).
    assert case.last["status"] == "running"
    assert sorted(case.open_tasks) == [
        ("investigation_plan", "Investigator"),
        ("safeguarding_referrals", "Attending Officer"),
        ("victim_update_crime_recorded", "Investigator"),
    ]
    assert case.data["marac_meeting_date"] == "2026-12-03"
    assert case.path() == [
        "live_time_review",
        "first_response",
        "risk_assessment",
        "crime_recording",
        "marac_referral",
        "safeguarding_referrals",
    ]


def test_officer_cannot_grade_lower_than_the_dash_grade(client, tokens):
    case = Case(client, tokens, CALL_DOMESTIC)
    to_risk_assessment(case)
    lower = {**RISK_DASH, "risk_grade": "standard"}
    message = refused(case.submit("risk_assessment", "officer", lower), "risk_grade")
    assert "never lower" in message
    message = refused(case.submit("risk_assessment", "officer", lower, WELSH), "risk_grade")
    assert message.startswith("Ni all y radd risg fod yn is")
    medium = {**RISK_DASH, "risk_grade": "medium"}
    refused(case.submit("risk_assessment", "officer", medium), "risk_grade")
    assert case.open_tasks == [("risk_assessment", "Attending Officer")]

    case.complete("risk_assessment", "officer", RISK_DASH)
    assert case.data["risk_grade"] == "high"
    assert case.data["dash_yes_count"] == 15
    assert case.data["assessed_risk_grade"] == "high"
    assert case.data["risk_grading_basis"] == "dash_threshold"


def test_judgement_may_raise_the_dash_grade(client, tokens):
    case = Case(client, tokens, CALL_DOMESTIC)
    to_risk_assessment(case)
    case.complete("risk_assessment", "officer", {**RISK_DASH, "dash_yes_count": 4})
    assert (case.data["assessed_risk_grade"], case.data["risk_grade"]) == ("standard", "high")


def test_domestic_case_needs_dash(client, tokens):
    case = Case(client, tokens, CALL_DOMESTIC)
    to_risk_assessment(case)
    message = refused(case.submit("risk_assessment", "officer", RISK_SDASH_HIGH), "risk_tool")
    assert "DASH" in message


def test_screening_cannot_be_skipped_where_it_is_required(client, tokens):
    case = Case(client, tokens)
    to_risk_assessment(case)  # three incidents and a very frightened victim
    message = refused(
        case.submit("risk_assessment", "officer", RISK_STANDARD_NO_TOOL, WELSH), "risk_tool"
    )
    assert message.startswith("Mae angen sgrinio risg")


@pytest.mark.parametrize("grade", ["medium", "high"])
def test_medium_or_high_risk_needs_a_risk_plan(client, tokens, grade):
    case = Case(client, tokens)
    to_risk_assessment(case)
    without_plan = {k: v for k, v in RISK_SDASH_HIGH.items() if k != "risk_plan"}
    without_plan["risk_grade"] = grade
    assert refused(case.submit("risk_assessment", "officer", without_plan), "risk_plan") == (
        "this field is required"
    )
    welsh = refused(case.submit("risk_assessment", "officer", without_plan, WELSH), "risk_plan")
    assert welsh == "mae angen llenwi'r maes hwn"
    case.complete(
        "risk_assessment", "officer", {**without_plan, "risk_plan": "Daily welfare checks."}
    )
    assert case.data["risk_plan"] == "Daily welfare checks."


def test_s2_needs_a_reason_why_it_is_not_stalking(client, tokens):
    case = Case(client, tokens)
    to_risk_assessment(case, FIRST_RESPONSE_SINGLE)
    assert case.data["risk_screening_required"] is False
    case.complete("risk_assessment", "officer", RISK_STANDARD_NO_TOOL)
    assert case.data["assessed_risk_grade"] == "standard"

    refused(case.submit("crime_recording", "officer", CRIME_S2), "not_stalking_reason")
    case.complete(
        "crime_recording", "officer", {**CRIME_S2, "not_stalking_reason": NOT_STALKING_REASON}
    )
    assert case.data["recorded_offence"] == "s2"
    assert case.data["classified_section"] == "s2"
    assert case.data["not_stalking_reason"] == NOT_STALKING_REASON
    # One incident, standard risk, no judgement or earlier referral: no MARAC referral.
    assert case.data["marac_referral_required"] is False
    assert case.data["marac_referral_reason"] == "none"
    assert sorted(case.open_tasks) == [
        ("investigation_plan", "Investigator"),
        ("safeguarding_referrals", "Attending Officer"),
        ("victim_update_crime_recorded", "Investigator"),
    ]
    assert case.path() == [
        "live_time_review",
        "first_response",
        "risk_assessment",
        "crime_recording",
        "safeguarding_referrals",
    ]


REASON_RULE = (
    "write at least 10 characters, not counting spaces at either end, with at least three "
    "letters: spaces, figures or punctuation alone are not a reason"
)
REASON_RULE_CY = (
    "ysgrifennwch o leiaf 10 nod, heb gyfrif bylchau ar y naill ben na'r llall, gydag o leiaf "
    "dair llythyren: nid yw bylchau, rhifau nac atalnodau'n unig yn rheswm"
)


def test_a_reason_why_it_is_not_stalking_must_hold_words(client, tokens):
    case = Case(client, tokens)
    to_risk_assessment(case, FIRST_RESPONSE_SINGLE)
    case.complete("risk_assessment", "officer", RISK_STANDARD_NO_TOOL)

    blank = {**CRIME_S2, "not_stalking_reason": " " * 12}
    english = refused(case.submit("crime_recording", "officer", blank), "not_stalking_reason")
    assert english == REASON_RULE
    welsh = refused(case.submit("crime_recording", "officer", blank, WELSH), "not_stalking_reason")
    assert welsh == REASON_RULE_CY
    [task] = [t for t in case.last["open_tasks"] if t["bpmn_id"] == "crime_recording"]
    for reason in ("..........!!", "0123456789", "  n/a       "):
        response = client.post(
            f"/api/v1/tasks/{task['id']}/complete?lang=cy",
            json={"data": {**CRIME_S2, "not_stalking_reason": reason}},
            headers=bearer(tokens["officer"]),
        )
        assert refused(response, "not_stalking_reason") == REASON_RULE_CY, reason
    assert case.open_tasks == [("crime_recording", "Attending Officer")]
    assert "not_stalking_reason" not in refresh(case)["data"]

    # Letters of any alphabet count; the spaces around the words do not, and are kept.
    reason = "  Cweryl rhwng cymdogion am ŵyn.  "
    case.complete("crime_recording", "officer", {**CRIME_S2, "not_stalking_reason": reason})
    assert case.data["not_stalking_reason"] == reason


def test_offence_cannot_be_recorded_below_what_the_facts_support(client, tokens):
    case = Case(client, tokens)
    to_risk_assessment(case)
    case.complete("risk_assessment", "officer", RISK_SDASH_HIGH)
    stalking_as_harassment = {
        **CRIME_S4A,
        "recorded_offence": "s2",
        "not_stalking_reason": "x" * 12,
    }
    message = refused(
        case.submit("crime_recording", "officer", stalking_as_harassment), "recorded_offence"
    )
    assert "less serious than the facts" in message
    refused(
        case.submit("crime_recording", "officer", {**CRIME_S4A, "recorded_offence": "s2A"}),
        "recorded_offence",
    )


def test_a_police_information_notice_is_not_an_outcome(client, tokens):
    case = Case(client, tokens)
    pin_response = case.submit(
        "live_time_review", "desk", {**REVIEW_OFFENCES, "first_response": "pin"}
    )
    assert refused(pin_response, "first_response").startswith("must be one of")
    to_risk_assessment(case)
    case.complete("risk_assessment", "officer", RISK_SDASH_HIGH)

    pin = {**CRIME_S4A, "recorded_offence": "pin"}
    message = refused(case.submit("crime_recording", "officer", pin), "recorded_offence")
    assert message == "must be one of 's2', 's2A', 's4', 's4A'"
    welsh = refused(case.submit("crime_recording", "officer", pin, WELSH), "recorded_offence")
    assert welsh == "rhaid iddo fod yn un o 's2', 's2A', 's4', 's4A'"
    flagged = refused(
        case.submit("crime_recording", "officer", {**CRIME_S4A, "pin_issued": True}), "pin_issued"
    )
    assert flagged == "this field is not part of the form"
    assert case.open_tasks == [("crime_recording", "Attending Officer")]
    assert "pin_issued" not in case.data


def test_bad_timeline_is_refused_in_the_callers_language(client, tokens):
    case = Case(client, tokens)
    case.complete("live_time_review", "desk", REVIEW_OFFENCES)
    timeline = FIRST_RESPONSE["incident_timeline"]
    out_of_order = {**FIRST_RESPONSE, "incident_timeline": [timeline[1], timeline[0]]}
    message = refused(case.submit("first_response", "officer", out_of_order), "incident_timeline")
    assert "earliest first" in message
    future = {
        **FIRST_RESPONSE,
        "incident_timeline": [{"occurred_at": "2026-12-25T10:00:00Z", "description": "Later."}],
    }
    message = refused(case.submit("first_response", "officer", future, WELSH), "incident_timeline")
    assert message == "Ni all digwyddiad fod yn y dyfodol."
    naive = {**FIRST_RESPONSE, "attended_at": "2026-11-28T11:00:00"}
    message = refused(case.submit("first_response", "officer", naive, WELSH), "attended_at")
    assert "gwrthbwyso UTC" in message
    assert case.open_tasks == [("first_response", "Attending Officer")]


def test_crime_recorded_late_is_marked(client, tokens):
    case = Case(client, tokens)
    to_risk_assessment(case)
    case.complete("risk_assessment", "officer", RISK_SDASH_HIGH)
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=True):
        case.complete("crime_recording", "officer", CRIME_S4A)
    assert case.data["crime_recorded_within_24_hours"] is False
