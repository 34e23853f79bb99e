"""Driving a stalking and harassment case through the API, for the lifecycle scenarios."""

from service.scheduler import fire_all_due
from tests.conftest import bearer
from tests.roles import LANE_ROLES
from tests.samples import (
    CALL,
    CHARGE,
    CONFIRM_NFA,
    CPS_FILE,
    CRIME_S4A,
    FIRST_RESPONSE,
    INSPECTOR_REVIEW,
    MARAC_REFERRAL,
    PROPOSE_NFA,
    READY,
    REVIEW_OFFENCES,
    RISK_SDASH_HIGH,
    SAFEGUARDING,
    VICTIM_UPDATE,
)

WELSH = {"Accept-Language": "cy"}


def investigation_tokens(token_for, **extra_roles: str) -> dict[str, str]:
    """A token per lane of the case, a reader who sees every lane, and any others named,
    e.g. ``admin="Administrator"``."""
    tokens = {
        "call": token_for("Call Handler"),
        "desk": token_for("Vulnerability Desk"),
        "officer": token_for("Attending Officer"),
        "marac": token_for("MARAC Unit"),
        "investigator": token_for("Investigator"),
        "sergeant": token_for("Sergeant"),
        "inspector": token_for("Inspector"),
        "superintendent": token_for("Superintendent"),
        "cps": token_for("CPS Liaison"),
        "srau": token_for("SRAU"),
        "reader": token_for(*(role for role in LANE_ROLES if role != "Call Handler")),
    }
    tokens.update({name: token_for(role) for name, role in extra_roles.items()})
    return tokens


def drain(app) -> int:
    with app.app_context():
        return fire_all_due()


class Case:
    """A case driven through the API, remembering the last answer.

    A stalking and harassment case by default, logged by the Call Handler; other processes
    name their process, the token that starts them and the field that identifies them.
    """

    process, starter, reference = "stalking_harassment", "call", "storm_reference"

    def __init__(self, client, tokens, data=CALL):
        self.client, self.tokens = client, tokens
        response = client.post(
            "/api/v1/cases",
            json={"process": self.process, "data": data},
            headers=bearer(tokens[self.starter]),
        )
        assert response.status_code == 201, response.json
        self.id = response.json["id"]
        self.last = response.json

    @property
    def open_tasks(self) -> list[tuple[str, str]]:
        return [(t["bpmn_id"], t["lane"]) for t in self.last["open_tasks"]]

    @property
    def data(self) -> dict:
        return self.last["data"]

    def submit(self, bpmn_id: str, role: str, data: dict, headers: dict | None = None):
        """Complete the open task ``bpmn_id`` as ``role``; the raw response."""
        [task] = [t for t in self.last["open_tasks"] if t["bpmn_id"] == bpmn_id]
        response = self.client.post(
            f"/api/v1/tasks/{task['id']}/complete",
            json={"data": data},
            headers={**bearer(self.tokens[role]), **(headers or {})},
        )
        if response.status_code == 200:
            self.last = response.json
        return response

    def complete(self, bpmn_id: str, role: str, data: dict) -> None:
        response = self.submit(bpmn_id, role, data)
        assert response.status_code == 200, response.json

    def instructions(self, bpmn_id: str, role: str) -> tuple[str, str]:
        """The open task's instructions, rendered in English and in Welsh."""
        [task] = [t for t in self.last["open_tasks"] if t["bpmn_id"] == bpmn_id]
        url, headers = f"/api/v1/tasks/{task['id']}", bearer(self.tokens[role])
        english = self.client.get(url, headers=headers).json["instructions"]
        welsh = self.client.get(url, headers={**headers, **WELSH}).json["instructions"]
        for text in (english, welsh):
            assert self.data[self.reference] in text and "could not be shown" not in text
        return english, welsh

    def path(self) -> list[str]:
        """The user tasks the case opened, in the order they were opened."""
        tasks = self.client.get(
            f"/api/v1/tasks?case={self.id}&status=all", headers=bearer(self.tokens["reader"])
        ).json
        return [t["bpmn_id"] for t in sorted(tasks, key=lambda t: t["created_at"])]


def refused(response, field: str) -> str:
    """The message for ``field`` in a 422 answer that names only that field."""
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    errors = response.json["errors"]
    assert {e["field"] for e in errors} == {field}, errors
    return errors[0]["message"]


def to_risk_assessment(case: Case, first_response=FIRST_RESPONSE) -> None:
    case.complete("live_time_review", "desk", REVIEW_OFFENCES)
    assert case.open_tasks == [("first_response", "Attending Officer")]
    english, welsh = case.instructions("first_response", "officer")
    assert "immediate attendance" in english and "mynychu ar unwaith" in welsh
    case.complete("first_response", "officer", first_response)
    assert case.open_tasks == [("risk_assessment", "Attending Officer")]


def to_investigation(case: Case, crime: dict = CRIME_S4A) -> None:
    """A high-risk case recorded as ``crime``, referred to MARAC, the victim told: the
    Investigator's plan is next."""
    to_risk_assessment(case)
    from_risk_assessment(case, crime)


def from_risk_assessment(case: Case, crime: dict = CRIME_S4A) -> None:
    """From an open risk assessment: graded high, recorded as ``crime``, referred to MARAC, the
    victim told: the Investigator's plan is next."""
    case.complete("risk_assessment", "officer", RISK_SDASH_HIGH)
    case.complete("crime_recording", "officer", crime)
    case.complete("marac_referral", "marac", MARAC_REFERRAL)
    case.complete("safeguarding_referrals", "officer", SAFEGUARDING)
    case.complete(
        "victim_update_crime_recorded",
        "investigator",
        {**VICTIM_UPDATE, "victim_contacted_at": case.data["crime_recorded_at"]},
    )
    assert case.open_tasks == [("investigation_plan", "Investigator")]


def refresh(case: Case) -> dict:
    response = case.client.get(f"/api/v1/cases/{case.id}", headers=bearer(case.tokens["reader"]))
    assert response.status_code == 200, response.json
    case.last = response.json
    return case.last


def to_charge(case: Case, charge: dict = CHARGE) -> None:
    """From an open Sergeant's review: ready, the Inspector's review, the file, the CPS's
    decision to charge."""
    case.complete("sergeant_review", "sergeant", READY)
    case.complete("inspector_review", "inspector", INSPECTOR_REVIEW)
    case.complete("cps_file_submission", "investigator", CPS_FILE)
    case.complete("cps_charging_decision", "cps", charge)
    assert ("victim_letter_charge", "Investigator") in case.open_tasks


def to_confirmed_nfa(case: Case) -> None:
    """From an open Sergeant's review: no further action proposed and confirmed."""
    case.complete("sergeant_review", "sergeant", PROPOSE_NFA)
    case.complete("nfa_review", "sergeant", CONFIRM_NFA)
    assert ("victim_letter_nfa", "Investigator") in case.open_tasks
