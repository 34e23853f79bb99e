"""The auditor's diagrams as pages: the path a case took (/audit/cases/<id>/diagram), at any
event, and the heat map of a process's cases (/audit/processes/<id>); for Auditors only, each
view in the read log, in English and Welsh, with bad input answered by a page that says what
to do."""

import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from service.audit.reads import reads
from service.auth import create_user
from tests.audit_helpers import run_rounds
from tests.lifecycle import Case, drain, from_risk_assessment, investigation_tokens, refresh
from tests.pages import PASSWORD, sign_in
from tests.samples import (
    FIRST_RESPONSE,
    INVESTIGATION_PLAN,
    REVIEW_CONTINUE,
    REVIEW_OFFENCES,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
)

T0 = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)  # after every time the samples record
WELSH = {"Accept-Language": "cy"}


def words(page) -> str:
    text = page.text[page.text.index("<main") :]
    text = re.sub(r"<script.*?</script>", " ", text, flags=re.S)  # the diagram's XML
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def rows(page) -> dict[str, dict]:
    """The path table's rows by element id: status, times passed and event numbers."""
    found = {}
    for match in re.finditer(
        r'<tr class="govuk-table__row" id="step-([^"]+)" data-element-id="[^"]+"'
        r'(?: data-status="([^"]+)")?>(.*?)</tr>',
        page.text,
        re.S,
    ):
        element_id, status, body = match.groups()
        cells = re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', body, re.S)
        found[element_id] = {
            "status": status,
            "name": html.unescape(re.sub(r"<[^>]+>", " ", body.split("</th>")[0]).split("  ")[0])
            .strip()
            .split("\n")[0]
            .strip(),
            "numbers": [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells],
            "events": [int(seq) for seq in re.findall(r"\?at_seq=(\d+)#event-\1", body)],
        }
    return found


def drawn(page) -> dict:
    """What the page gives its script to draw: the diagram and its marks."""
    text = re.search(
        r'<script type="application/json" class="app-audit-diagram__data">(.*?)</script>',
        page.text,
        re.S,
    ).group(1)
    return json.loads(text)


@pytest.fixture
def auditor_name(app):
    with app.app_context():
        create_user("auditor", ["Auditor"], PASSWORD)
    return "auditor"


@pytest.fixture
def walked(app, client, token_for, clock):
    """A stalking and harassment case: its live-time review escalated to the Sergeant, then
    done; taken to the investigation; the Sergeant's review done twice and open a third time."""
    case = Case(client, investigation_tokens(token_for))
    clock.move_to(T0 + timedelta(minutes=31))
    assert drain(app) == 1
    refresh(case)
    case.complete(
        "live_review_escalation", "sergeant", {"escalation_action": "reviewed_personally"}
    )
    clock.move_to(T0 + timedelta(minutes=40))
    case.complete("live_time_review", "desk", REVIEW_OFFENCES)
    case.complete("first_response", "officer", FIRST_RESPONSE)
    from_risk_assessment(case)
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    case.complete("sergeant_review", "sergeant", REVIEW_CONTINUE)
    case.complete("sergeant_review", "sergeant", REVIEW_CONTINUE)
    assert ("sergeant_review", "Sergeant") in case.open_tasks
    return case


def test_the_path_marks_what_the_case_passed_with_loops_counted(client, walked, auditor_name, app):
    sign_in(client, auditor_name)
    page = client.get(f"/audit/cases/{walked.id}/diagram")
    assert page.status_code == 200
    table = rows(page)
    assert table["live_time_review"]["status"] == "escalated"
    assert table["live_review_sla"]["status"] == "completed"
    assert table["first_response"]["status"] == "completed"
    assert table["sergeant_review"]["status"] == "active"
    assert table["sergeant_review"]["numbers"][1] == "3"  # two rounds done, the third open
    assert table["first_response"]["numbers"][1] == "1"
    assert "investigation_plan" in table and "crime_recording" in table
    # Never reached: not in the path.
    assert "cps_charging_decision" not in table and "closure" not in table
    text = words(page)
    assert "Live-time review" in text and "Escalated" in text and "The case is here" in text
    # The drawing's marks say the same, for the steps on this diagram.
    marks = {mark["id"]: mark for mark in drawn(page)["marks"]}
    assert marks["sergeant_review"] == {
        "id": "sergeant_review",
        "status": "active",
        "escalated": False,
        "passes": 3,
    }
    assert marks["live_time_review"]["escalated"] is True
    assert '<bpmn:userTask id="sergeant_review"' in drawn(page)["xml"]
    # Each event links to its place in the case's history.
    review_events = table["sergeant_review"]["events"]
    assert len(review_events) == 5  # opened, done, opened, done, opened
    assert f'href="/audit/cases/{walked.id}?at_seq={review_events[0]}#event-' in page.text
    with app.app_context():
        [entry] = [e for e in reads(case_id=walked.id) if e["action"] == "case.path"]
    assert entry["user"] == auditor_name


def test_a_past_event_cuts_the_path_there(client, walked, auditor_name, app):
    sign_in(client, auditor_name)
    whole = rows(client.get(f"/audit/cases/{walked.id}/diagram"))
    first_round_done = whole["sergeant_review"]["events"][1]
    page = client.get(f"/audit/cases/{walked.id}/diagram?at_seq={first_round_done}")
    assert page.status_code == 200
    table = rows(page)
    assert table["sergeant_review"]["status"] == "completed"
    assert table["sergeant_review"]["numbers"][1] == "1"
    assert max(seq for row in table.values() for seq in row["events"]) <= first_round_done
    assert f"after event {first_round_done} of" in words(page)
    opened = whole["live_time_review"]["events"][0]
    early = rows(client.get(f"/audit/cases/{walked.id}/diagram?at_seq={opened}"))
    assert list(early) == ["live_time_review"] and early["live_time_review"]["status"] == "active"
    with app.app_context():
        cut = [e for e in reads(case_id=walked.id) if e["action"] == "case.path"][0]
    assert json.loads(cut["detail"]) == {"at_seq": opened}


def test_the_path_in_welsh(client, walked, auditor_name):
    sign_in(client, auditor_name)
    page = client.get(f"/audit/cases/{walked.id}/diagram", headers=WELSH)
    assert page.status_code == 200
    text = words(page)
    assert "Adolygiad amser real" in text  # the task's Welsh name, from the diagram's names
    assert "Live-time review" not in text
    assert "Mae'r achos yma" in text and "Wedi'i uwchgyfeirio" in text
    # The drawing names its steps in Welsh too.
    assert 'name="Adolygiad amser real"' in drawn(page)["xml"]
    assert 'name="Live-time review"' not in drawn(page)["xml"]


def test_a_loop_of_the_small_process_is_counted(client, loop, investigator, auditor_name):
    case = run_rounds(client, investigator, 4, finish=True)
    sign_in(client, auditor_name)
    table = rows(client.get(f"/audit/cases/{case['id']}/diagram"))
    assert table["note"]["status"] == "completed" and table["note"]["numbers"][1] == "4"
    assert table["more"]["numbers"][1] == "4"  # the gateway's four decisions


def test_bad_events_and_unknown_cases_are_said_plainly(client, walked, auditor_name):
    sign_in(client, auditor_name)
    # Digits Python reads as digits but not as a number, and more digits than any number.
    for query in (
        "at_seq=abc",
        "at_seq=0",
        "at_seq=100000",
        "at_seq=-2",
        "at_seq=²",
        "at_seq=" + "9" * 5000,
    ):
        page = client.get(f"/audit/cases/{walked.id}/diagram?{query}")
        assert page.status_code == 400, query
        assert "There is no such event" in words(page)
        assert f'href="/audit/cases/{walked.id}/diagram"' in page.text
    assert "choose one from 1 to" in words(client.get(f"/audit/cases/{walked.id}/diagram?at_seq=0"))
    welsh = client.get(f"/audit/cases/{walked.id}/diagram?at_seq=0", headers=WELSH)
    assert welsh.status_code == 400 and "There is no such event" not in words(welsh)
    unknown = client.get("/audit/cases/no-such-case/diagram")
    assert unknown.status_code == 404 and "Page not found" in words(unknown)


def test_only_auditors_see_the_diagrams(client, app, walked, loop):
    with app.app_context():
        create_user("sergeant", ["Sergeant"], PASSWORD)
        create_user("owner", ["Process Owner"], PASSWORD)
    for name in ("sergeant", "owner"):
        sign_in(client, name)
        for path in (
            f"/audit/cases/{walked.id}/diagram",
            "/audit/processes",
            "/audit/processes/stalking_harassment",
        ):
            page = client.get(path)
            assert page.status_code == 403, (name, path)
            assert "You cannot do this" in words(page)
        client.post("/sign-out", data={})
        client.get("/sign-out")
    with app.app_context():
        actions = [e["action"] for e in reads(case_id=walked.id)]
    assert "case.path" not in actions
    # Each refusal to see the case's path is in the read log, as any refused read is.
    assert actions.count("case.path.refused") == 2


def test_the_heat_map_counts_the_cases(client, app, loop, investigator, auditor_name, clock):
    run_rounds(client, investigator, 3, finish=True)
    run_rounds(client, investigator, 1, finish=True)
    open_case = run_rounds(client, investigator, 2)  # its third note still open
    sign_in(client, auditor_name)
    listing = client.get("/audit/processes")
    assert listing.status_code == 200
    assert 'href="/audit/processes/audit_loop"' in listing.text
    assert 'href="/audit/processes/bail_management"' not in listing.text  # a step of another
    page = client.get("/audit/processes/audit_loop")
    assert page.status_code == 200
    table = rows(page)
    # Cases that passed, times passed, median time, cases overdue.
    assert table["note"]["numbers"][0] == "3" and table["note"]["numbers"][1] == "7"
    assert table["more"]["numbers"][:2] == ["3", "6"]
    assert table["note"]["numbers"][3] == "0"
    assert "3 cases on version" in words(page)
    marks = {mark["id"]: mark for mark in drawn(page)["marks"]}
    assert marks["note"]["cases"] == 3 and marks["note"]["level"] == 5
    with app.app_context():
        [entry] = [e for e in reads(user=auditor_name) if e["action"] == "process.heat_map"]
    assert json.loads(entry["detail"])["process"] == "audit_loop"
    assert open_case["open_tasks"]
    # A range the cases were not started in has none.
    later = client.get("/audit/processes/audit_loop?from=2026-12-01&to=2026-12-31")
    assert later.status_code == 200 and "0 cases on version" in words(later)
    same_day = client.get("/audit/processes/audit_loop?from=2026-11-28&to=2026-11-28")
    assert rows(same_day)["note"]["numbers"][0] == "3"


def test_the_heat_map_counts_escalations_as_overdue(client, walked, auditor_name, token_for):
    Case(client, investigation_tokens(token_for))  # a second call, reviewed in time or not yet
    sign_in(client, auditor_name)
    table = rows(client.get("/audit/processes/stalking_harassment"))
    assert table["live_time_review"]["numbers"][0] == "2"
    assert table["live_time_review"]["numbers"][3] == "1"
    assert table["sergeant_review"]["numbers"][:2] == ["1", "3"]


def test_bad_heat_map_choices_bring_the_form_back(client, loop, auditor_name):
    sign_in(client, auditor_name)
    for query, message in (
        ("from=2026-13-01", "The first day must be a real date"),
        ("to=yesterday", "The last day must be a real date"),
        ("from=2026-12-10&to=2026-12-01", "The last day must be the same as or after"),
        ("version=abc", "Choose a version that holds this process"),
        ("version=²", "Choose a version that holds this process"),
        ("version=" + "9" * 5000, "Choose a version that holds this process"),
        ("to=9999-12-31", "The last day must be a real date"),
        ("version=999", "Choose a version that holds this process"),
    ):
        page = client.get(f"/audit/processes/audit_loop?{query}")
        assert page.status_code == 400, query
        text = words(page)
        assert "There is a problem" in text and message in text, query
        assert "<title>Error:" in page.text
    welsh = client.get("/audit/processes/audit_loop?from=2026-13-01", headers=WELSH)
    assert welsh.status_code == 400 and "There is a problem" not in words(welsh)
    assert client.get("/audit/processes/no_such_process").status_code == 404
