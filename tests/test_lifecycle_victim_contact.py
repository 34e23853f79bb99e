"""The Victims' Code contact after the crime is recorded, through the API.

Beside the investigation, the case decides the victim's contact deadline
(``victim_contact_deadline.dmn``: 1 working day for enhanced rights, otherwise 5), counted from
``crime_recorded_at``, and opens ``victim_update_crime_recorded`` for the Investigator, due then.
A non-interrupting timer (``victim_contact_sla``) puts ``victim_contact_overdue`` in the
Sergeant's inbox once the deadline has passed; the update stays open.

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
    to_risk_assessment,
)
from tests.samples import (
    CRIME_S4A,
    INVESTIGATION_PLAN,
    MARAC_REFERRAL,
    RISK_SDASH_HIGH,
    SAFEGUARDING,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
)

T0 = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)  # Saturday: the call and first response
# The crime is recorded on Friday 4 December 2026 at 15:00 (GMT): a stalking victim has
# enhanced rights, so the victim must be told by 15:00 on Monday 7 December.
RECORDED = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
DUE = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
ONE_SECOND = timedelta(seconds=1)

VICTIM_UPDATE = {
    "victim_contacted_at": "2026-12-07T10:15:00Z",
    "victim_contact_method": "telephone",
    "victim_contact_language": "cy",
    "victim_information_given": ["crime_recorded", "officer_in_case", "support_services"],
    "victim_crime_reference_given": True,
    "victim_contact_notes": "Asked for updates by phone in the evenings.",
}
OVERDUE = {
    "victim_contact_overdue_action": "officer_directed",
    "victim_contact_overdue_note": "PC 1234 Davies is phoning the victim in Welsh this morning.",
}


@pytest.fixture
def tokens(token_for):
    return investigation_tokens(token_for)


def inbox(case: Case, role: str) -> list[tuple[str, str | None]]:
    response = case.client.get("/api/v1/tasks", headers=bearer(case.tokens[role]))
    assert response.status_code == 200, response.json
    return [(t["bpmn_id"], t["due_at"]) for t in response.json if t["case_id"] == case.id]


def to_victim_contact(case: Case, clock) -> None:
    to_risk_assessment(case)
    case.complete("risk_assessment", "officer", RISK_SDASH_HIGH)
    clock.move_to(RECORDED)
    case.complete("crime_recording", "officer", CRIME_S4A)
    case.complete("marac_referral", "marac", MARAC_REFERRAL)
    assert sorted(case.open_tasks) == [
        ("investigation_plan", "Investigator"),
        ("safeguarding_referrals", "Attending Officer"),
        ("victim_update_crime_recorded", "Investigator"),
    ]
    case.complete("safeguarding_referrals", "officer", SAFEGUARDING)


def test_a_stalking_victim_is_due_a_contact_the_next_working_day(app, client, tokens, clock):
    case = Case(client, tokens)
    to_victim_contact(case, clock)
    assert case.data["crime_recorded_at"] == RECORDED.isoformat()
    assert case.data["victim_enhanced_rights"] is True
    assert case.data["victim_enhanced_rights_reason"] == "stalking"
    assert case.data["victim_contact_working_days"] == 1
    assert case.data["victim_contact_due_at"] == DUE.isoformat()
    assert ("victim_update_crime_recorded", DUE.isoformat()) in inbox(case, "investigator")
    assert [(t["bpmn_id"], t["due_at"]) for t in case.last["timers"]] == [
        ("victim_contact_sla", DUE.isoformat())
    ]
    english, welsh = case.instructions("victim_update_crime_recorded", "investigator")
    assert "by **7 December 2026, 15:00**" in english and "enhanced rights" in english
    assert "make the contact in Welsh" in english
    assert "erbyn **7 Rhagfyr 2026, 15:00**" in welsh

    # The investigation does not wait for the contact.
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    clock.move_to(DUE - timedelta(hours=4))
    case.complete("victim_update_crime_recorded", "investigator", VICTIM_UPDATE)
    assert case.open_tasks == [("sergeant_review", "Sergeant")]
    assert case.data["victim_contact_method"] == "telephone"
    assert case.last["timers"] == []

    clock.move_to(DUE + timedelta(days=2))
    assert drain(app) == 0
    refresh(case)
    assert case.open_tasks == [("sergeant_review", "Sergeant")]
    assert inbox(case, "sergeant") == [("sergeant_review", None)]


def test_a_late_contact_is_escalated_to_the_sergeant(app, client, tokens, clock):
    case = Case(client, tokens)
    to_victim_contact(case, clock)
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)

    clock.move_to(DUE)
    assert drain(app) == 0  # due, not yet past
    clock.move_to(DUE + ONE_SECOND)
    assert drain(app) == 1
    refresh(case)
    assert sorted(case.open_tasks) == [
        ("sergeant_review", "Sergeant"),
        ("victim_contact_overdue", "Sergeant"),
        ("victim_update_crime_recorded", "Investigator"),
    ]
    assert ("victim_contact_overdue", None) in inbox(case, "sergeant")
    assert inbox(case, "investigator") == [("victim_update_crime_recorded", DUE.isoformat())]
    overdue = client.get(
        "/api/v1/tasks", query_string={"overdue": "true"}, headers=bearer(tokens["investigator"])
    ).json
    assert [t["bpmn_id"] for t in overdue if t["case_id"] == case.id] == [
        "victim_update_crime_recorded"
    ]
    english, welsh = case.instructions("victim_contact_overdue", "sergeant")
    assert "by **7 December 2026, 15:00**" in english
    assert "erbyn **7 Rhagfyr 2026, 15:00**" in welsh

    case.complete("victim_contact_overdue", "sergeant", OVERDUE)
    assert sorted(case.open_tasks) == [
        ("sergeant_review", "Sergeant"),
        ("victim_update_crime_recorded", "Investigator"),
    ]
    clock.move_to(DUE + timedelta(minutes=30))
    late = {**VICTIM_UPDATE, "victim_contacted_at": "2026-12-07T15:20:00Z"}
    case.complete("victim_update_crime_recorded", "investigator", late)
    assert case.open_tasks == [("sergeant_review", "Sergeant")]
    assert case.data["victim_contact_overdue_action"] == "officer_directed"
    assert case.last["status"] == "running"


def test_bad_contact_details_are_refused(client, tokens, clock):
    case = Case(client, tokens)
    to_victim_contact(case, clock)
    clock.move_to(RECORDED + timedelta(hours=2))
    task, role = "victim_update_crime_recorded", "investigator"

    def refuses(data, field):
        english = refused(case.submit(task, role, data), field)
        welsh = refused(case.submit(task, role, data, WELSH), field)
        assert english != welsh
        return english, welsh

    english, welsh = refuses(
        {**VICTIM_UPDATE, "victim_contacted_at": "2026-12-04T18:00:00Z"}, "victim_contacted_at"
    )
    assert "in the future" in english and "yn y dyfodol" in welsh
    english, welsh = refuses(
        {**VICTIM_UPDATE, "victim_contacted_at": "2026-12-04T14:59:00Z"}, "victim_contacted_at"
    )
    assert "before the crime was recorded" in english
    refuses({**VICTIM_UPDATE, "victim_contact_method": "pin"}, "victim_contact_method")
    refuses({**VICTIM_UPDATE, "victim_information_given": []}, "victim_information_given")
    refuses({**VICTIM_UPDATE, "extra": 1}, "extra")
    case.complete(task, role, {**VICTIM_UPDATE, "victim_contacted_at": "2026-12-04T16:30:00Z"})
    assert case.open_tasks == [("investigation_plan", "Investigator")]
