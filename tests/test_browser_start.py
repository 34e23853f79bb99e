"""Starting a case in a real browser: a Call Handler logs a call, is shown the earlier report
that names the same victim, and starts the case. axe and the content security policy are
checked on each page, as in tests/test_browser.py."""

import pytest
from playwright.sync_api import expect

from service.auth import create_user
from tests.conftest import bearer
from tests.samples import CALL
from tests.test_browser import CHROMIUM, PASSWORD, browser, check, open_page, server  # noqa: F401

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)"
)


@pytest.fixture
def handler_and_an_earlier_report(app, client, token_for):
    with app.app_context():
        create_user("call-handler", ["Call Handler"], PASSWORD)
    data = {**CALL, "victim": {"name": "Sian Jones", "date_of_birth": "1990-04-23"}}
    response = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": data},
        headers=bearer(token_for("Call Handler")),
    )
    assert response.status_code == 201
    return "call-handler"


def test_a_call_handler_sees_the_earlier_report_then_starts_the_case(
    server,  # noqa: F811
    browser,  # noqa: F811
    handler_and_an_earlier_report,
):
    page = open_page(browser)
    page.goto(f"{server}/cases/new")
    page.get_by_label("Username").fill(handler_and_an_earlier_report)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Stalking and harassment case").click()
    check(page, "start-case")
    page.get_by_label("STORM incident reference").fill("DP-20261206-0007")
    page.locator("#f-reported_at-day").fill("6")
    page.locator("#f-reported_at-month").fill("12")
    page.locator("#f-reported_at-year").fill("2026")
    page.locator("#f-reported_at-time").fill("09:30")
    page.get_by_label("Caller's name").fill("Sian Jones")
    page.get_by_label("Victim's name").fill("sian  jones")
    page.get_by_label("Location").fill("Carmarthen")
    page.get_by_label("Summary of the call").fill("He waited outside her work again today.")
    page.get_by_label("Stalking", exact=True).check()
    page.get_by_label("Welsh (Cymraeg)").check()
    page.get_by_role("button", name="Check for earlier reports").click()
    expect(page.get_by_text("1 earlier case holds the same details")).to_be_visible()
    check(page, "start-case-earlier")
    page.get_by_role("button", name="Start the case").click()
    expect(page.get_by_text("has started")).to_be_visible()
