"""A case's page: need to know as for the API's GET /cases/{id}, one read-log entry per view, its
history in words in English and Welsh, the letters the victim was sent, and links to the work."""

import html
import re
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import event

from service.auth import create_user
from service.case_migrations import work_migrations
from service.db import db
from tests.conftest import bearer
from tests.lifecycle import Case, drain, investigation_tokens, to_investigation
from tests.pages import PASSWORD, sign_in
from tests.samples import CALL, REVIEW_OFFENCES
from tests.test_api_migrations import deploy_new_version

# A summer morning: the page shows times in British Summer Time.
SUMMER = datetime(2026, 7, 1, 8, 45, tzinfo=UTC)
SUMMER_CALL = {**CALL, "reported_at": "2026-07-01T08:30:00Z"}
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def words(page) -> str:
    """The page's main content as a reader reads it: no tags, one space between words."""
    text = page.text[page.text.index("<main") :]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


@pytest.fixture
def people(app):
    """Who signs in: the Call Handler who logs the call, a Vulnerability Desk officer, an
    Investigator (not involved in a new call) and an Administrator (who runs the service)."""
    tokens = {}
    with app.app_context():
        for name, role in (
            ("call-handler", "Call Handler"),
            ("desk-officer", "Vulnerability Desk"),
            ("investigator", "Investigator"),
            ("administrator", "Administrator"),
        ):
            _, tokens[name] = create_user(name, [role], PASSWORD)
    return tokens


@pytest.fixture
def call(client, people):
    """A call the Call Handler logged on a summer morning: its live-time review is open."""
    with time_machine.travel(SUMMER, tick=False):
        response = client.post(
            "/api/v1/cases",
            json={"process": "stalking_harassment", "data": SUMMER_CALL},
            headers=bearer(people["call-handler"]),
        )
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def reviewed(client, people, call):
    """The same call, its live-time review completed by the desk officer."""
    [review] = call["open_tasks"]
    with time_machine.travel(SUMMER, tick=False):
        done = client.post(
            f"/api/v1/tasks/{review['id']}/complete",
            json={"data": REVIEW_OFFENCES},
            headers=bearer(people["desk-officer"]),
        )
    assert done.status_code == 200, done.json
    return done.json


@pytest.fixture
def letter_sent(client, token_for):
    """A case driven as far as the crime recorded letter, sent to the victim in Welsh."""
    with time_machine.travel(NOW, tick=False):
        case = Case(client, investigation_tokens(token_for))
        to_investigation(case)
    [letter] = case.data["letters_sent"]
    assert (letter["letter"], letter["language"]) == ("crime_recorded", "cy")
    return case


def test_the_starter_and_the_lane_worker_see_the_case(app, client, people, call):
    sign_in(client, "call-handler")
    page = client.get(f"/cases/{call['id']}")
    assert page.status_code == 200
    text = words(page)
    assert f"Case {call['id'][:8]}" in text
    assert "STORM reference DP-20261128-0042" in text
    assert "Stalking and harassment case" in text
    assert "Victim's language Welsh (Cymraeg)" in text
    assert "Sian Jones" in text  # the call as it was logged
    # Due 30 minutes after the call was logged, in British Summer Time.
    assert "Live-time review Vulnerability Desk 1 July 2026, 10:15" in text
    assert "Review not done in 30 minutes Due 1 July 2026, 10:15" in text  # its timer
    [review] = call["open_tasks"]
    assert f'href="/tasks/{review["id"]}"' not in page.text  # not the Call Handler's work

    desk = app.test_client()
    sign_in(desk, "desk-officer")
    page = desk.get(f"/cases/{call['id']}")
    assert page.status_code == 200
    assert f'href="/tasks/{review["id"]}"' in page.text  # the desk's work: a link to it


def test_the_inbox_and_the_task_page_link_to_the_case(client, people, call):
    sign_in(client, "desk-officer")
    link = f'href="/cases/{call["id"]}"'
    assert link in client.get("/").text
    [review] = call["open_tasks"]
    assert link in client.get(f"/tasks/{review['id']}").text


def test_someone_not_involved_finds_no_such_case(client, people, call):
    sign_in(client, "investigator")
    for case_id in (call["id"], "00000000-0000-0000-0000-000000000000"):
        page = client.get(f"/cases/{case_id}")
        assert page.status_code == 404
        assert page.mimetype == "text/html"
        assert "Page not found" in page.text
        assert "Sian Jones" not in page.text


def test_every_view_is_one_entry_in_the_read_log(client, people, call, token_for):
    sign_in(client, "desk-officer")
    for _ in range(2):
        assert client.get(f"/cases/{call['id']}").status_code == 200
    sign_in(client, "investigator")
    assert client.get(f"/cases/{call['id']}").status_code == 404
    reads = client.get(
        "/api/v1/audit/reads",
        query_string={"case": call["id"]},
        headers=bearer(token_for("Auditor")),
    ).json
    seen = [(entry["user"], entry["action"]) for entry in reads]
    assert seen.count(("desk-officer", "case.view")) == 2
    assert seen.count(("investigator", "case.view.refused")) == 1
    assert ("investigator", "case.view") not in seen


def test_the_timeline_says_what_the_review_set_in_english_and_welsh(client, people, reviewed):
    sign_in(client, "desk-officer")
    text = words(client.get(f"/cases/{reviewed['id']}"))
    assert "Live-time review completed by desk-officer (Vulnerability Desk)" in text
    assert "1 July 2026, 09:45" in text  # when, in British Summer Time
    assert "First response: Immediate attendance" in text
    assert "Offences disclosed? Yes, offences are disclosed" in text
    assert "Stalking (s2A)" in text
    assert "Now open: First response, for Attending Officer" in text
    assert "Case started by call-handler (Call Handler)" in text
    # Newest first; no bookkeeping of the history shown as such.
    assert text.index("Live-time review completed") < text.index("Case started by")
    assert "definition_version" not in text and "complete_task" not in text

    client.get("/language/cy?next=/")
    text = words(client.get(f"/cases/{reviewed['id']}"))
    assert "Cwblhawyd Adolygiad amser real gan desk-officer (Desg Bregusrwydd)" in text
    assert "1 Gorffennaf 2026, 09:45" in text
    assert "Ymateb cyntaf: Mynychu ar unwaith" in text
    assert "Iaith y dioddefwr Cymraeg" in text


def test_a_letter_the_victim_was_sent_is_shown_as_they_read_it(app, client, letter_sent):
    with app.app_context():
        create_user("officer-in-case", ["Investigator"], PASSWORD)  # the plan is theirs to do
    sign_in(client, "officer-in-case")
    page = client.get(f"/cases/{letter_sent.id}")
    assert page.status_code == 200
    text = words(page)
    assert "Letters to the victim" in text
    assert "Annwyl Sian Jones" in text
    assert "Cyfeirnod y drosedd:</strong> 62/12345/26" in page.text
    assert "DP-20261128-0042<br />" in page.text  # its lines kept
    assert "Sent on 1 December 2026, 10:00 (Telephone). In Welsh." in text
    assert re.search(r'<div class="app-letter-text" lang="cy">', page.text)
    assert "Letter sent to the victim: Mae'r drosedd wedi'i chofnodi" in text


def test_an_administrator_sees_the_case_without_its_personal_data(app, client, people, letter_sent):
    sign_in(client, "administrator")
    page = client.get(f"/cases/{letter_sent.id}")
    assert page.status_code == 200
    text = words(page)
    assert letter_sent.id in text  # the ids, the process, the status, the dates
    assert "Stalking and harassment case" in text and "Open" in text
    assert "1 December 2026, 10:00" in text
    assert "Investigation plan" in text
    assert "Tell the victim the crime is recorded completed by" in text
    assert "are not shown" in text
    for personal in ("Sian Jones", "Heol y Dwr", "Annwyl", "Mae'r drosedd", "Ex-partner"):
        assert personal not in text, personal
    assert "Letters to the victim" not in text
    assert "A letter was sent to the victim." in text


def test_the_page_reads_the_history_once(app, client, people, letter_sent):
    with app.app_context():
        create_user("officer-in-case", ["Investigator"], PASSWORD)
    sign_in(client, "officer-in-case")
    statements = []
    with app.app_context():
        engine = db.engine

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get(f"/cases/{letter_sent.id}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    history = [s for s in statements if "FROM case_events" in s]
    assert len(history) == 1, history
    assert len(statements) < 30, statements  # a case of 41 events, not a query for each


def test_a_changed_field_shows_before_and_after_and_long_text_is_cut_short(app):
    from service.web.case_history import field_changes

    schema = {
        "properties": {
            "first_response": {
                "title": "First response",
                "oneOf": [
                    {"const": "immediate_attendance", "title": "Immediate attendance"},
                    {"const": "scheduled_attendance", "title": "Scheduled attendance"},
                ],
            },
            "attended": {"title": "Attended?", "type": "boolean"},
            "attended_at": {"title": "Time of first contact", "format": "date-time"},
            "notes": {"title": "Notes"},
        }
    }
    changed = {
        "notes": {"before": None, "after": "word " * 100},
        "first_response": {"before": "scheduled_attendance", "after": "immediate_attendance"},
        "attended": {"before": None, "after": True},
        "attended_at": {"before": None, "after": "2026-07-01T08:30:00Z"},
        "internal_flag": {"before": None, "after": 3},  # not the form's: not shown
    }
    with app.test_request_context():
        changes = field_changes(changed, schema, "en")
    shown = [(c.label, c.before, c.after) for c in changes]
    assert shown[:3] == [  # in the form's order
        ("First response:", "Scheduled attendance", "Immediate attendance"),
        ("Attended?", None, "Yes"),
        ("Time of first contact:", None, "1 July 2026, 09:30"),
    ]
    label, before, notes = shown[3]
    assert (label, before, len(notes), notes[-1]) == ("Notes:", None, 300, "…")
    assert len(shown) == 4


def test_opening_and_restricting_the_case_are_told_with_their_reasons(
    client, people, call, token_for
):
    opened = client.post(
        f"/api/v1/cases/{call['id']}/access",
        json={"reason": "The suspect is named in my investigation 62/999/26."},
        headers=bearer(people["investigator"]),
    )
    assert opened.status_code == 201, opened.json
    restricted = client.put(
        f"/api/v1/cases/{call['id']}/restriction",
        json={"reason": "The victim is a serving officer.", "users": ["desk-officer"]},
        headers=bearer(token_for("Inspector")),
    )
    assert restricted.status_code == 200, restricted.json
    sign_in(client, "desk-officer")
    text = words(client.get(f"/cases/{call['id']}"))
    assert re.search(r"Case restricted by user-\w+ \(Inspector\)", text)
    assert "Reason: The victim is a serving officer." in text
    assert "Only these people may see it: desk-officer" in text
    assert "Case opened by investigator (Investigator), who is not involved in it, until" in text
    assert "Reason: The suspect is named in my investigation 62/999/26." in text

    sign_in(client, "administrator")
    text = words(client.get(f"/cases/{call['id']}"))
    assert re.search(r"Case restricted by user-\w+ \(Inspector\)", text)
    assert "serving officer" not in text and "62/999/26" not in text


def test_a_timer_that_fell_due_is_told_with_what_it_opened(app, client, people, call):
    with time_machine.travel(datetime(2026, 7, 1, 9, 20, tzinfo=UTC), tick=False):
        assert drain(app) >= 1
    sign_in(client, "desk-officer")
    text = words(client.get(f"/cases/{call['id']}"))
    assert "Time reached: Review not done in 30 minutes" in text
    assert "1 July 2026, 10:20" in text  # when the scheduler fired it, in British Summer Time
    assert "Now open: Live-time review overdue, for Sergeant" in text
    assert "Gwarchod checked" not in text


def test_a_task_given_out_and_a_move_onto_a_new_version_are_told_in_words(
    app, client, people, call, token_for
):
    [review] = call["open_tasks"]
    given = client.post(
        f"/api/v1/tasks/{review['id']}/assign",
        json={"user": "desk-officer"},
        headers=bearer(token_for("Sergeant")),
    )
    assert given.status_code == 200, given.json
    owner = token_for("Process Owner")
    version = deploy_new_version(client, owner)
    moving = client.post(
        "/api/v1/processes/stalking_harassment/migrations",
        json={"to_version": version, "cases": [call["id"]]},
        headers=bearer(owner),
    )
    assert moving.status_code == 202, moving.json
    with app.app_context():
        assert work_migrations() == 1
    sign_in(client, "desk-officer")
    text = words(client.get(f"/cases/{call['id']}"))
    assert re.search(r"Live-time review given to desk-officer by user-\w+ \(Sergeant\)", text)
    assert re.search(
        rf"Case moved from version 1 to version {version} of its process by user-\w+ \d",
        text,
    )
    assert "assign_task" not in text and "migrate_case" not in text
    client.get("/language/cy")
    text = words(client.get(f"/cases/{call['id']}"))
    assert f"Achos wedi'i symud o fersiwn 1 i fersiwn {version} o'i broses gan" in text
