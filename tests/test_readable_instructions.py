"""Instructions read as people read them, through the API: dates and times as "28 November
2026, 09:30" or "28 Tachwedd 2026, 09:30" (Europe/London), and choices by the titles of the
forms that define them, in the reader's language. Nothing shows as stored: no ISO 8601 time and
no choice's value.

The clock stands still while a case runs.
"""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from tests.conftest import bearer
from tests.lifecycle import Case, investigation_tokens
from tests.samples import (
    CALL,
    CHARGE,
    CPS_FILE,
    INSPECTOR_REVIEW,
    READY,
    to_investigation,
    victim_contacted,
)
from tests.test_lifecycle_outcomes import (
    ARRESTED_AND_BAILED,
    CLOSURE,
    CONVICTED_WITH_ORDER,
    LETTER_SENT,
    ORDER_ENDED,
    SRAU_CLEAR,
)

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")
IDENTIFIER = re.compile(r"[a-z0-9]+(_[a-z0-9]+)+")

# The main path: the call to closure, with the suspect bailed, charged and convicted with a
# restraining order, and the lane that does each step.
LANES = {
    "live_time_review": "desk",
    "first_response": "officer",
    "risk_assessment": "officer",
    "crime_recording": "officer",
    "marac_referral": "marac",
    "safeguarding_referrals": "officer",
    "victim_update_crime_recorded": "investigator",
    "investigation_plan": "investigator",
    "suspect_management": "investigator",
    "sergeant_review": "sergeant",
    "inspector_review": "inspector",
    "cps_file_submission": "investigator",
    "cps_charging_decision": "cps",
    "victim_letter_charge": "investigator",
    "court_outcome": "investigator",
    "victim_letter_restraining_order": "investigator",
    "order_breach": "investigator",
    "bail_review": "investigator",
    "srau_closure_review": "srau",
    "case_closure": "sergeant",
}
MAIN_PATH = [
    *to_investigation(ARRESTED_AND_BAILED),
    ("sergeant_review", READY),
    ("inspector_review", INSPECTOR_REVIEW),
    ("cps_file_submission", CPS_FILE),
    ("cps_charging_decision", CHARGE),
    ("victim_letter_charge", LETTER_SENT),
    ("court_outcome", CONVICTED_WITH_ORDER),
    ("victim_letter_restraining_order", LETTER_SENT),
    ("order_breach", ORDER_ENDED),
    ("srau_closure_review", SRAU_CLEAR),
    ("case_closure", CLOSURE),
]


@pytest.fixture
def tokens(token_for):
    return investigation_tokens(token_for)


def stored_choices(case_data: dict) -> set[str]:
    """Every choice's value written as an identifier (``immediate_attendance``): in the forms,
    and in the case's data (values its scripts and decision tables write)."""
    values = set()

    def collect(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("const"), str):
                values.add(node["const"])
            node = list(node.values())
        if isinstance(node, list):
            for item in node:
                collect(item)
        elif isinstance(node, str):
            values.add(node)

    for path in (ROOT / "forms").glob("*.schema.json"):
        collect(json.loads(path.read_text()))
    collect({key: value for key, value in case_data.items() if key != "letters_sent"})
    return {value for value in values if IDENTIFIER.fullmatch(value)}


def read(case: Case, task: dict) -> tuple[str, str]:
    """The task's instructions, from GET /tasks/{id} in English and with ?lang=cy."""
    url, headers = f"/api/v1/tasks/{task['id']}", bearer(case.tokens[LANES[task["bpmn_id"]]])
    english = case.client.get(url, headers=headers)
    welsh = case.client.get(f"{url}?lang=cy", headers=headers)
    assert english.status_code == welsh.status_code == 200, (english.json, welsh.json)
    return english.json["instructions"], welsh.json["instructions"]


def test_instructions_on_the_main_path_show_dates_and_choices_as_people_read_them(client, tokens):
    shown: dict[str, tuple[str, str]] = {}
    with time_machine.travel(NOW, tick=False):
        case = Case(client, tokens)  # the victim asked for Welsh
        for bpmn_id, data in MAIN_PATH:
            for task in case.last["open_tasks"]:
                if task["bpmn_id"] not in shown:
                    shown[task["bpmn_id"]] = read(case, task)
            case.complete(bpmn_id, LANES[bpmn_id], victim_contacted(bpmn_id, data, case.data))
        assert case.last["status"] == "completed"
    assert set(shown) == set(LANES)

    raw = stored_choices(case.data)
    assert "immediate_attendance" in raw and "out_of_court_disposal" in raw
    for bpmn_id, texts in shown.items():
        for text in texts:
            assert "could not be shown" not in text, (bpmn_id, text)
            assert not ISO_DATE.search(text), (bpmn_id, text)
            assert not raw.intersection(re.findall(r"[a-z0-9_]+", text)), (bpmn_id, text)

    def english_and_welsh(bpmn_id: str, english: str, welsh: str) -> None:
        assert english in shown[bpmn_id][0] and welsh in shown[bpmn_id][1], shown[bpmn_id]

    # Times in Europe/London (GMT in November), in each language; dates alone too.
    english_and_welsh("live_time_review", "28 November 2026, 09:30", "28 Tachwedd 2026, 09:30")
    english_and_welsh(
        "investigation_plan",
        "the last at 27 November 2026, 17:30",
        "yr olaf am 27 Tachwedd 2026, 17:30",
    )
    english_and_welsh(
        "victim_update_crime_recorded",
        "at 1 December 2026, 10:00), and give them",
        "am 1 Rhagfyr 2026, 10:00), a rhowch",
    )
    english_and_welsh("bail_review", "until **28 February 2027**", "tan **28 Chwefror 2027**")
    # Choices by the titles in the form that defines them: English, and Welsh from its overlay.
    english_and_welsh(
        "first_response", "disclosed: Stalking (s2A).", "ddatgelwyd: Stelcio (adran 2A)."
    )
    english_and_welsh(
        "victim_update_crime_recorded",
        "recorded as Stalking involving fear of violence or serious alarm or distress (s4A)",
        "wedi'i chofnodi fel Stelcio sy'n cynnwys ofn trais neu fraw neu ofid difrifol (adran 4A)",
    )
    english_and_welsh("safeguarding_referrals", "Risk grade: High.", "Gradd risg: uchel.")
    english_and_welsh(
        "cps_charging_decision", "Anticipated plea: Not guilty.", "Ple a ragwelir: dieuog."
    )

    # The victim's letters read the same way, in the victim's language.
    letters = {entry["letter"]: entry["text"] for entry in case.data["letters_sent"]}
    assert "Arestiwyd y sawl a ddrwgdybir ar 30 Tachwedd 2026, 08:00." in letters["arrest_and_bail"]
    assert "tan **28 Chwefror 2027**" in letters["arrest_and_bail"]
    for text in letters.values():
        assert not ISO_DATE.search(text), text


def test_a_time_in_summer_shows_in_british_summer_time(client, tokens):
    with time_machine.travel(NOW, tick=False):
        case = Case(client, tokens, {**CALL, "reported_at": "2026-07-01T08:30:00Z"})
        [task] = case.last["open_tasks"]
        english, welsh = read(case, task)
    assert "reported at 1 July 2026, 09:30 (" in english
    assert "a adroddwyd am 1 Gorffennaf 2026, 09:30 (" in welsh
