"""A call the Vulnerability Desk finds discloses no offence, through the API.

The policy (section 5) has the SRAU review every call record before it closes, to catch
offences that were never recorded. A call with no offence disclosed gets a light review of its
own (``srau_call_review``): the call closes only when the SRAU confirms that no offence was
missed; an offence it finds goes to first response, as one the desk found would, and that case
closes only after the SRAU's review before closure.

The clock is fixed on the afternoon of the sample call.
"""

import pytest

from tests.lifecycle import (
    WELSH,
    Case,
    from_risk_assessment,
    investigation_tokens,
    refused,
    to_confirmed_nfa,
)
from tests.samples import (
    CALL,
    FIRST_RESPONSE,
    INVESTIGATION_PLAN,
    REVIEW_NO_OFFENCE,
    SRAU_CALL_CLEAR,
    SRAU_CALL_MISSED,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
)

pytestmark = pytest.mark.usefixtures("afternoon_of_the_call")

LETTER_SENT = {"letter_sent_at": "2026-11-28T13:55:00Z", "letter_method": "post"}
SRAU_CLEAR = {
    "srau_missed_offence": False,
    "srau_notes": "Every incident on the timeline is covered.",
}
CLOSURE = {
    "closure_standards_met": False,
    "closure_summary": "The live-time review missed the stalking; the SRAU found it.",
    "retention_review_on": "2032-11-28",
}


@pytest.fixture
def tokens(token_for):
    return investigation_tokens(token_for)


def test_a_call_with_no_offence_closes_only_after_the_srau_has_reviewed_it(client, tokens):
    case = Case(client, tokens)
    case.complete("live_time_review", "desk", REVIEW_NO_OFFENCE)
    assert case.last["status"] == "running"
    assert case.open_tasks == [("srau_call_review", "SRAU")]

    english, welsh = case.instructions("srau_call_review", "srau")
    assert "The Vulnerability Desk found that the call discloses no offence." in english
    assert CALL["summary"] in english and CALL["summary"] in welsh
    assert "Canfu'r Ddesg Bregusrwydd nad yw'r alwad yn datgelu unrhyw drosedd." in welsh
    assert "28 November 2026, 09:30" in english and "28 Tachwedd 2026, 09:30" in welsh

    case.complete("srau_call_review", "srau", SRAU_CALL_CLEAR)
    assert case.last["status"] == "completed"
    assert case.open_tasks == []
    assert case.path() == ["live_time_review", "srau_call_review"]
    assert case.data["srau_call_offence_missed"] is False
    assert case.data["offences_disclosed"] is False
    assert "incident_count" not in case.data


def test_an_offence_the_srau_finds_goes_to_first_response_and_back_to_the_srau(client, tokens):
    case = Case(client, tokens)
    case.complete("live_time_review", "desk", REVIEW_NO_OFFENCE)
    case.complete("srau_call_review", "srau", SRAU_CALL_MISSED)
    assert case.last["status"] == "running"
    assert case.open_tasks == [("first_response", "Attending Officer")]
    # The call now discloses the offence the SRAU found, with the response it directed.
    assert case.data["offences_disclosed"] is True
    assert case.data["pha_sections"] == ["s2A"]
    assert case.data["first_response"] == "scheduled_attendance"
    english, welsh = case.instructions("first_response", "officer")
    assert "The SRAU found offences the live-time review missed" in english
    assert "scheduled attendance; offences: Stalking (s2A)." in english
    assert "Canfu'r SRAU droseddau a fethwyd" in welsh
    assert "mynychu ar amser wedi'i drefnu; troseddau: Stelcio (adran 2A)." in welsh

    # The case runs on as any other, and closes only after the SRAU's review before closure.
    case.complete("first_response", "officer", FIRST_RESPONSE)
    from_risk_assessment(case)
    assert case.data["crime_recorded_within_24_hours"] is True
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    to_confirmed_nfa(case)
    case.complete("victim_letter_nfa", "investigator", LETTER_SENT)
    assert case.open_tasks == [("srau_closure_review", "SRAU")]
    case.complete("srau_closure_review", "srau", SRAU_CLEAR)
    case.complete("case_closure", "sergeant", CLOSURE)
    assert case.last["status"] == "completed"
    path = case.path()
    assert path[:3] == ["live_time_review", "srau_call_review", "first_response"]
    assert path[-2:] == ["srau_closure_review", "case_closure"]


def test_the_srau_call_review_refuses_an_incomplete_finding_in_both_languages(client, tokens):
    case = Case(client, tokens)
    case.complete("live_time_review", "desk", REVIEW_NO_OFFENCE)
    no_sections = {**SRAU_CALL_MISSED}
    del no_sections["srau_call_pha_sections"]
    assert refused(case.submit("srau_call_review", "srau", no_sections), "srau_call_pha_sections")
    no_response = {**SRAU_CALL_MISSED}
    del no_response["srau_call_first_response"]
    message = refused(
        case.submit("srau_call_review", "srau", no_response, WELSH), "srau_call_first_response"
    )
    assert message == "mae angen llenwi'r maes hwn"
    sections_but_clear = {**SRAU_CALL_CLEAR, "srau_call_pha_sections": ["s2"]}
    refused(case.submit("srau_call_review", "srau", sections_but_clear), "srau_call_pha_sections")
    response_but_clear = {**SRAU_CALL_CLEAR, "srau_call_first_response": "immediate_attendance"}
    message = refused(
        case.submit("srau_call_review", "srau", response_but_clear), "srau_call_first_response"
    )
    assert message == "No offence was missed: there is no first response to direct."
    welsh = refused(
        case.submit("srau_call_review", "srau", response_but_clear, WELSH),
        "srau_call_first_response",
    )
    assert welsh == "Ni fethwyd unrhyw drosedd: nid oes ymateb cyntaf i'w gyfarwyddo."
    # Only the SRAU may review the call.
    assert case.submit("srau_call_review", "desk", SRAU_CALL_CLEAR).status_code == 403
    assert case.open_tasks == [("srau_call_review", "SRAU")]
