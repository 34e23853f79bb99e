"""The auditor's workspace in a real browser: an Auditor finds a case walked through its first
stages, reads its history in English and Welsh with no diagram id in the words, filters it,
sees the case as it was at an event, replays it, and sees the badge turn to "altered" once a row
is changed in the database. axe and the content security policy are checked on each page, as in
tests/test_browser.py; with GWARCHOD_SCREENSHOTS set each page is saved there."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import expect
from sqlalchemy import text

from service.auth import create_user
from service.db import db
from tests.lifecycle import Case, investigation_tokens, to_investigation
from tests.test_audit_pages import diagram_ids, settings  # noqa: F401 (counts events alike)
from tests.test_browser import CHROMIUM, PASSWORD, browser, check, open_page, server  # noqa: F401

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)"
)
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def walked(app, client, token_for):
    with app.app_context():
        create_user("auditor", ["Auditor"], PASSWORD)
    with time_machine.travel(NOW, tick=True):
        case = Case(client, investigation_tokens(token_for))
        to_investigation(case)
    return case


def main_text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


def no_diagram_id(page) -> None:
    shown = main_text(page)
    found = [each for each in diagram_ids() if re.search(rf"\b{re.escape(each)}\b", shown)]
    assert found == [], found


def test_an_auditor_reads_checks_and_replays_a_case_in_both_languages(
    app,
    server,  # noqa: F811
    browser,  # noqa: F811
    walked,
):
    page = open_page(browser)
    page.goto(f"{server}/audit")
    page.get_by_label("Username").fill("auditor")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit")
    check(page, "audit-home")

    # Found by its STORM reference, from the menu's Audit page.
    page.get_by_label("Find a case").fill("DP-20261128-0042")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("History of case")
    expect(page.get_by_text("Intact: 46 events, verified now")).to_be_visible()
    expect(page.get_by_text("Live-time review completed by")).to_be_visible()
    expect(page.get_by_text("Decision: Grade the risk")).to_be_visible()
    no_diagram_id(page)
    check(page, "audit-case")
    case_page = page.url

    # Only the decisions, by the filter's checkboxes (a plain GET form).
    page.get_by_label("Decisions").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("Decision: Classify the offence")).to_be_visible()
    expect(page.get_by_text("Case started by")).to_have_count(0)
    check(page, "audit-case-decisions")

    # The case as it was after the call was logged.
    page.goto(case_page)
    page.get_by_role("link", name="See the case as it was then (after event 5)").click()
    expect(page.get_by_role("heading", name="The case as it was after event 5")).to_be_visible()
    expect(page.locator(".app-moment")).to_contain_text("Live-time review, for Vulnerability Desk")
    expect(page.locator(".app-moment")).to_contain_text("DP-20261128-0042")
    no_diagram_id(page)
    check(page, "audit-case-moment")

    # Replay on demand.
    page.goto(case_page)
    page.get_by_role("button", name="Replay the history").click()
    expect(page.get_by_text("The recorded commands reproduce the stored case.")).to_be_visible()
    check(page, "audit-replay")

    # In Welsh.
    page.goto(case_page)
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hanes achos")
    expect(page.get_by_text("Cyfan: 46 digwyddiad, wedi'u gwirio nawr")).to_be_visible()
    expect(page.get_by_text("Cwblhawyd Adolygiad amser real gan").first).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "cy"
    no_diagram_id(page)
    check(page, "audit-case-cy")
    page.get_by_role("link", name="Hanes i'w argraffu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hanes achos")
    check(page, "audit-print-cy")
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    page.emulate_media(media="screen")
    page.get_by_role("link", name="English").click()

    # A row changed behind the service's back: the badge says where.
    with app.app_context():
        db.session.execute(
            text(
                "UPDATE case_events SET payload = REPLACE(payload, 'immediate_attendance', "
                "'none') WHERE case_id = :c AND seq = 6"
            ),
            {"c": walked.id},
        )
        db.session.commit()
    page.goto(case_page)
    expect(page.get_by_text("Altered at event 6: An event does not match its hash")).to_be_visible()
    check(page, "audit-case-altered")


def test_the_history_works_without_javascript(
    server,  # noqa: F811
    browser,  # noqa: F811
    walked,
):
    page = open_page(browser, javascript=False)
    page.goto(f"{server}/audit/cases/{walked.id}")
    page.get_by_label("Username").fill("auditor")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("History of case")
    page.get_by_label("Letters to the victim").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("Showing 1 of")).to_be_visible()
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Time (24-hour, such as 14:30)").fill("09:00")
    page.get_by_role("button", name="Show the case then").click()
    expect(page.get_by_role("heading", name="The case had not begun then")).to_be_visible()
    # (axe needs JavaScript: it checked these pages in the test above.)
