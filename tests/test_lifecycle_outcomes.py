"""From the investigation to closure, through the API: suspect management and bail, the
Inspector's review, the charging decision, the outcome (charge, no further action), court and
restraining order, breaches, letters to the victim, the SRAU review and closure.

The clock is fixed while a case runs; ``drain(app)`` does the scheduler's work.
"""

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from tests.conftest import bearer
from tests.lifecycle import (
    WELSH,
    Case,
    drain,
    investigation_tokens,
    refresh,
    refused,
    to_investigation,
)
from tests.samples import (
    CALL,
    CHARGE,
    CONFIRM_NFA,
    CPS_FILE,
    CRIME_S2,
    INSPECTOR_REVIEW,
    INVESTIGATION_PLAN,
    NOT_STALKING_REASON,
    PROPOSE_NFA,
    READY,
    SUSPECT_ON_BAIL,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
)

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

ARRESTED_AND_BAILED = {
    **SUSPECT_ON_BAIL,
    "suspect_arrested_at": "2026-11-30T08:00:00Z",
    "suspect_interviewed_at": "2026-11-30T11:00:00Z",
    "bail_started_on": "2026-11-30",
}
LETTER_SENT = {"letter_sent_at": "2026-12-01T09:45:00Z", "letter_method": "post"}
CONVICTED_WITH_ORDER = {
    "court_hearing_date": "2026-12-01",
    "court_result": "convicted",
    "restraining_order_made": True,
    "restraining_order_terms": "Not to contact Sian Jones or go within 100 metres of her home.",
    "restraining_order_until": "2031-12-01",
}
BREACH = {
    "order_watch_decision": "breach_reported",
    "breach_reported_at": "2026-12-01T09:50:00Z",
    "breach_summary": "He waited outside her workplace on Monday morning.",
}
BREACH_REVIEW = {
    "breach_crime_reference": "62/13001/26",
    "breach_offence": "breach_of_restraining_order",
    "breach_risk_reassessed": True,
    "breach_actions": "Arrest for the breach; S-DASH repeated; MARAC told.",
}
ORDER_ENDED = {"order_watch_decision": "order_ended"}
SRAU_CLEAR = {
    "srau_missed_offence": False,
    "srau_notes": "Every incident on the timeline is covered.",
}
CLOSURE = {
    "closure_standards_met": True,
    "closure_summary": "Charged and convicted; order in force; victim kept informed in Welsh.",
    "retention_review_on": "2032-12-01",
}


@pytest.fixture
def tokens(token_for):
    return investigation_tokens(token_for, owner="Process Owner")


def letter(case: Case, bpmn_id: str, role: str) -> dict:
    [task] = [t for t in case.last["open_tasks"] if t["bpmn_id"] == bpmn_id]
    response = case.client.get(f"/api/v1/tasks/{task['id']}", headers=bearer(case.tokens[role]))
    assert response.status_code == 200, response.json
    return response.json["letter"]


def test_high_risk_stalking_case_to_charge_with_order_and_breach(client, tokens):
    with time_machine.travel(NOW, tick=False):
        case = Case(client, tokens, {**CALL, "victim_language": "en"})
        to_investigation(case)
        case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
        assert case.open_tasks == [("suspect_management", "Investigator")]

        # The arrest and bail letter is written from the case, in the victim's language.
        text = letter(case, "suspect_management", "investigator")
        assert text["language"] == "en"
        case.complete("suspect_management", "investigator", ARRESTED_AND_BAILED)
        assert sorted(case.open_tasks) == [
            ("bail_review", "Investigator"),
            ("sergeant_review", "Sergeant"),
        ]
        assert case.data["bail_expires_on"] == "2027-02-28"
        # The crime recorded letter went with the Victims' Code contact, on another branch
        # (the clock stands still in this test, so the two are recorded at the same instant).
        by_name = {entry["letter"]: entry for entry in case.data["letters_sent"]}
        crime_recorded, arrest = by_name["crime_recorded"], by_name["arrest_and_bail"]
        assert (crime_recorded["letter"], crime_recorded["language"]) == ("crime_recorded", "en")
        assert crime_recorded["method"] == "telephone"  # sent with the contact
        assert arrest["letter"] == "arrest_and_bail"
        assert "Not to enter Heol y Dwr" in arrest["text"]
        assert "until **28 February 2027**" in arrest["text"]  # when bail ends

        case.complete("sergeant_review", "sergeant", READY)
        assert ("inspector_review", "Inspector") in case.open_tasks
        case.complete("inspector_review", "inspector", INSPECTOR_REVIEW)
        assert case.data["charging_authority"] == "cps"
        case.complete("cps_file_submission", "investigator", CPS_FILE)
        assert ("cps_charging_decision", "CPS Liaison") in case.open_tasks

        # Only the CPS may make this charging decision.
        forbidden = case.submit("cps_charging_decision", "inspector", CHARGE)
        assert forbidden.status_code == 403
        assert "CPS Liaison" in forbidden.json["detail"]
        assert forbidden.mimetype == "application/problem+json"
        welsh = case.submit("cps_charging_decision", "inspector", CHARGE, WELSH)
        assert welsh.json["detail"].startswith(
            "Gwaith i'r rôl Cyswllt Gwasanaeth Erlyn y Goron yw'r dasg"
        )
        pin = case.submit(
            "cps_charging_decision",
            "cps",
            {**CHARGE, "charging_decision": "police_information_notice"},
        )
        refused(pin, "charging_decision")

        case.complete("cps_charging_decision", "cps", CHARGE)
        assert case.data["outcome"] == "charge"
        charge_letter = letter(case, "victim_letter_charge", "investigator")
        assert charge_letter["language"] == "en"
        assert "stalking involving fear of violence" in charge_letter["text"].lower()
        assert "DC 1234 Rhian Evans" in charge_letter["text"]  # signed by the officer in the case
        case.complete("victim_letter_charge", "investigator", LETTER_SENT)
        case.complete("court_outcome", "investigator", CONVICTED_WITH_ORDER)
        order_letter = letter(case, "victim_letter_restraining_order", "investigator")
        assert CONVICTED_WITH_ORDER["restraining_order_terms"] in order_letter["text"]
        case.complete("victim_letter_restraining_order", "investigator", LETTER_SENT)

        # A breach is reviewed by a Sergeant as a new crime linked to the case; the watch goes on.
        assert ("order_breach", "Investigator") in case.open_tasks
        case.complete("order_breach", "investigator", BREACH)
        assert ("breach_crime_review", "Sergeant") in case.open_tasks
        case.complete("breach_crime_review", "sergeant", BREACH_REVIEW)
        assert ("order_breach", "Investigator") in case.open_tasks
        assert case.data["breaches"] == [
            {
                "reported_at": BREACH["breach_reported_at"],
                "summary": BREACH["breach_summary"],
                "crime_reference": "62/13001/26",
                "offence": "breach_of_restraining_order",
            }
        ]
        case.complete("order_breach", "investigator", ORDER_ENDED)

        case.complete("srau_closure_review", "srau", SRAU_CLEAR)
        assert ("case_closure", "Sergeant") in case.open_tasks
        case.complete("case_closure", "sergeant", CLOSURE)
        assert case.last["status"] == "completed"
        assert case.open_tasks == []  # the bail review still open was withdrawn at closure
        assert sorted(entry["letter"] for entry in case.data["letters_sent"][:2]) == [
            "arrest_and_bail",
            "crime_recorded",
        ]
        assert [entry["letter"] for entry in case.data["letters_sent"][2:]] == [
            "charge",
            "restraining_order",
        ]
        assert case.data["spo_application"] == "interim_spo_applied"
        assert case.data["marac_referral_required"] is True
        path = case.path()
        for step in (
            "inspector_review",
            "cps_charging_decision",
            "court_outcome",
            "breach_crime_review",
            "srau_closure_review",
            "case_closure",
        ):
            assert step in path


def test_nfa_with_sergeant_review_and_a_welsh_right_to_review_notice(client, tokens):
    with time_machine.travel(NOW, tick=False):
        case = Case(client, tokens)  # the victim asked for Welsh
        to_investigation(case)
        case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
        case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
        assert case.open_tasks == [("sergeant_review", "Sergeant")]
        case.complete("sergeant_review", "sergeant", PROPOSE_NFA)
        assert case.open_tasks == [("nfa_review", "Sergeant")]
        case.complete(
            "nfa_review",
            "sergeant",
            {
                "nfa_review_decision": "confirm_nfa",
                "nfa_reason_category": "victim_withdrew_support",
                "nfa_review_reason": "Only the victim's account, now withdrawn.",
            },
        )
        assert case.data["outcome"] == "nfa" and case.data["nfa_decided_on"] == "2026-12-01"
        notice = letter(case, "victim_letter_nfa", "investigator")
        assert notice["language"] == "cy"
        assert "**1 Mawrth 2027**" in notice["text"]  # the last day to ask for a review
        case.complete("victim_letter_nfa", "investigator", LETTER_SENT)
        sent = case.data["letters_sent"][-1]
        assert (sent["letter"], sent["language"]) == ("nfa_right_to_review", "cy")
        english, welsh = case.instructions("srau_closure_review", "srau")
        assert "outcome: no further action." in english
        assert "canlyniad: dim camau pellach." in welsh

        # The SRAU finds an offence that was missed: it is recorded before the case closes.
        case.complete(
            "srau_closure_review",
            "srau",
            {
                "srau_missed_offence": True,
                "srau_missed_offences": [
                    {
                        "offence": "Criminal damage",
                        "details": "Her car tyres were slashed on 20 November.",
                    }
                ],
                "srau_notes": "Criminal damage disclosed in the call but never recorded.",
            },
        )
        assert case.open_tasks == [("missed_offence_recording", "Investigator")]
        case.complete(
            "missed_offence_recording",
            "investigator",
            {
                "missed_offence_crime_reference": "62/13002/26",
                "missed_offence_recorded_at": "2026-12-01T09:55:00Z",
            },
        )
        assert case.open_tasks == [("case_closure", "Sergeant")]
        case.complete("case_closure", "sergeant", CLOSURE)
        assert case.last["status"] == "completed"


def test_bail_extended_to_6_and_9_months_only_by_the_right_roles(client, tokens):
    with time_machine.travel(NOW, tick=False):
        case = Case(client, tokens)
        to_investigation(case)
        case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
        case.complete("suspect_management", "investigator", ARRESTED_AND_BAILED)

        extend = {
            "bail_decision": "extend",
            "victim_views_on_extension_sought": True,
            "bail_decision_reason": "Phone download awaited from the digital unit.",
        }
        # Asking for no more than bail already runs is refused, naming the rule.
        refused(
            case.submit("bail_review", "investigator", {**extend, "bail_extension_to_months": 3}),
            "bail_extension_to_months",
        )
        case.complete("bail_review", "investigator", {**extend, "bail_extension_to_months": 6})
        assert ("bail_extension_inspector", "Inspector") in case.open_tasks
        approve = {
            "bail_extension_approved": True,
            "bail_extension_decision_reason": "Necessary: the phone download is booked.",
        }
        # The Superintendent has no part in this case yet: to them it does not exist.
        assert case.submit("bail_extension_inspector", "superintendent", approve).status_code == 404
        assert case.submit("bail_extension_inspector", "investigator", approve).status_code == 403
        case.complete("bail_extension_inspector", "inspector", approve)
        assert case.data["bail_months"] == 6 and case.data["bail_expires_on"] == "2027-05-30"
        # The victim hears of every bail change, in Welsh here, before the next round.
        [told] = [
            t for t in case.last["open_tasks"] if t["bpmn_id"] == "victim_letter_bail_changed"
        ]
        assert told["due_at"] == "2026-12-02T10:00:00+00:00"  # one working day
        notice = letter(case, "victim_letter_bail_changed", "investigator")
        assert notice["language"] == "cy" and "tan **30 Mai 2027**" in notice["text"]
        case.complete("victim_letter_bail_changed", "investigator", LETTER_SENT)

        case.complete("bail_review", "investigator", {**extend, "bail_extension_to_months": 9})
        assert ("bail_extension_superintendent", "Superintendent") in case.open_tasks
        assert case.submit("bail_extension_superintendent", "inspector", approve).status_code == 403
        case.complete("bail_extension_superintendent", "superintendent", approve)
        assert case.data["bail_months"] == 9 and case.data["bail_expires_on"] == "2027-08-30"
        case.complete("victim_letter_bail_changed", "investigator", LETTER_SENT)

        # Beyond 9 months only a magistrates' court: the officer records its decision.
        case.complete("bail_review", "investigator", {**extend, "bail_extension_to_months": 12})
        assert ("bail_extension_court", "Investigator") in case.open_tasks
        case.complete(
            "bail_extension_court",
            "investigator",
            {
                "bail_extension_approved": False,
                "court_name": "Llanelli Magistrates' Court",
                "court_decision_date": "2026-12-01",
            },
        )
        assert case.data["bail_status"] == "released_under_investigation"
        case.complete("victim_letter_bail_changed", "investigator", LETTER_SENT)
        assert case.open_tasks == [("sergeant_review", "Sergeant")]  # the bail rounds are over
        history = case.path()
        assert history.count("bail_review") == 3
        sent = [entry["letter"] for entry in case.data["letters_sent"]]
        assert sorted(sent[:2]) == ["arrest_and_bail", "crime_recorded"]
        assert sent[2:] == [
            "bail_changed",
            "bail_changed",
            "bail_changed",
        ]


def test_time_limit_warnings_are_withdrawn_by_the_charging_decision(client, tokens, app):
    with time_machine.travel(NOW, tick=False):
        case = Case(client, tokens)
        to_investigation(case, {**CRIME_S2, "not_stalking_reason": NOT_STALKING_REASON})
        watching = [t["bpmn_id"] for t in refresh(case)["timers"] if t["status"] == "waiting"]
        assert len(watching) == 2, watching  # the warnings at 4 and 5 months
        case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
        case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
        case.complete("sergeant_review", "sergeant", READY)
        case.complete("inspector_review", "inspector", INSPECTOR_REVIEW)
        case.complete("cps_file_submission", "investigator", CPS_FILE)
        case.complete("cps_charging_decision", "cps", {**CHARGE, "charged_offence": "s2"})
        waiting = [t for t in refresh(case)["timers"] if t["status"] == "waiting"]
        assert waiting == []
    with time_machine.travel(datetime(2027, 6, 1, tzinfo=UTC), tick=False):
        drain(app)
        refresh(case)
        assert case.open_tasks == [("victim_letter_charge", "Investigator")]


def test_a_called_process_is_not_started_on_its_own(client, token_for):
    response = client.post(
        "/api/v1/cases",
        json={"process": "bail_management", "data": {}},
        headers=bearer(token_for("Investigator")),
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "stalking_harassment" in response.json["detail"]
    processes = client.get("/api/v1/processes", headers=bearer(token_for("Investigator"))).json
    called_by = {process["id"]: process["called_by"] for process in processes}
    assert called_by["bail_management"] == "stalking_harassment"
    assert called_by["restraining_order_watch"] == "stalking_harassment"
    assert called_by["stalking_harassment"] is None


def test_a_process_owner_lets_the_police_charge_by_editing_the_decision_table(client, tokens):
    """Who may charge is the decision table's rule, not code: a table that leaves s4A to the
    police sends the decision to the Inspector, and the CPS's task never opens."""
    table = (ROOT / "bpmn" / "charging_authority.dmn").read_text()
    police = table.replace('<text>? in ["s2A", "s4A"]</text>', '<text>? in ["s2A"]</text>')
    assert police != table
    response = client.post(
        "/api/v1/processes",
        data={"file": [(io.BytesIO(police.encode()), "charging_authority.dmn")]},
        headers=bearer(tokens["owner"]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    with time_machine.travel(NOW, tick=False):
        case = Case(client, tokens, {**CALL, "victim_language": "en"})
        to_investigation(case)
        case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
        case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
        case.complete("sergeant_review", "sergeant", READY)
        case.complete("inspector_review", "inspector", INSPECTOR_REVIEW)
        assert case.data["charging_authority"] == "police"
        case.complete("cps_file_submission", "investigator", CPS_FILE)
        assert ("police_charging_decision", "Inspector") in case.open_tasks
        assert ("cps_charging_decision", "CPS Liaison") not in case.open_tasks
        # The CPS has no task in a case the police charge: to its Liaison it does not exist.
        assert case.submit("police_charging_decision", "cps", CHARGE).status_code == 404
        case.complete("police_charging_decision", "inspector", CHARGE)
        assert (case.data["outcome"], case.data["charging_decided_by"]) == ("charge", "police")


def test_after_a_charging_decision_of_nfa_the_sergeant_cannot_ask_for_another(client, tokens):
    """No further action decided by the CPS still needs the Sergeant's review and the Right to
    Review letter, but the Sergeant cannot send the case round for a second decision."""
    with time_machine.travel(NOW, tick=False):
        case = Case(client, tokens)
        to_investigation(case)
        case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
        case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
        case.complete("sergeant_review", "sergeant", READY)
        case.complete("inspector_review", "inspector", INSPECTOR_REVIEW)
        case.complete("cps_file_submission", "investigator", CPS_FILE)
        nfa = {
            **CHARGE,
            "charging_decision": "no_further_action",
            "charging_decision_reason": "The evidential stage of the Full Code Test is not met.",
        }
        del nfa["charged_offence"]
        case.complete("cps_charging_decision", "cps", nfa)
        assert case.open_tasks == [("nfa_review", "Sergeant")]
        again = {**CONFIRM_NFA, "nfa_review_decision": "seek_charging_advice"}
        message = refused(case.submit("nfa_review", "sergeant", again), "nfa_review_decision")
        assert message.startswith("The charging decision has already been made")
        welsh = refused(case.submit("nfa_review", "sergeant", again, WELSH), "nfa_review_decision")
        assert welsh.startswith("Mae'r penderfyniad cyhuddo eisoes wedi'i wneud")
        case.complete("nfa_review", "sergeant", CONFIRM_NFA)
        assert case.data["outcome"] == "nfa"
        assert case.open_tasks == [("victim_letter_nfa", "Investigator")]


def test_a_sergeant_may_send_a_proposed_nfa_for_a_charging_decision(client, tokens):
    with time_machine.travel(NOW, tick=False):
        case = Case(client, tokens)
        to_investigation(case)
        case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
        case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
        case.complete("sergeant_review", "sergeant", PROPOSE_NFA)
        case.complete(
            "nfa_review", "sergeant", {**CONFIRM_NFA, "nfa_review_decision": "seek_charging_advice"}
        )
        assert case.open_tasks == [("inspector_review", "Inspector")]
        assert "outcome" not in case.data
