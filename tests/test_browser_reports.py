"""The policy's reports in a real browser: an Inspector opens Reports from the menu, chooses
November 2026 in the period form, reads the figures, their chart and the cases behind one, in
English and Welsh, downloads the CSV, and a period that cannot be read brings the form back,
with JavaScript off. axe and the content security policy are checked on each page, as in
tests/test_browser.py."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from service.auth import create_user
from tests.conftest import bearer
from tests.samples import CALL, REVIEW_OFFENCES
from tests.test_browser import CHROMIUM, PASSWORD, browser, check, open_page, server  # noqa: F401

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)"
)


@pytest.fixture
def november(app, client, token_for):
    """Three calls reported in November 2026: one reviewed, one restricted to another
    Inspector and a desk officer."""
    with app.app_context():
        create_user("insp-evans", ["Inspector"], PASSWORD)
        _, other = create_user("insp-hughes", ["Inspector"], PASSWORD)
        create_user("desk-price", ["Vulnerability Desk"], PASSWORD)
    handler, desk = token_for("Call Handler"), token_for("Vulnerability Desk")
    ids = []
    for number in (1, 2, 3):
        data = {**CALL, "storm_reference": f"DP-20261128-000{number}"}
        response = client.post(
            "/api/v1/cases",
            json={"process": "stalking_harassment", "data": data},
            headers=bearer(handler),
        )
        assert response.status_code == 201, response.json
        ids.append(response.json["id"])
        if number == 1:
            [review] = response.json["open_tasks"]
            done = client.post(
                f"/api/v1/tasks/{review['id']}/complete",
                json={"data": REVIEW_OFFENCES},
                headers=bearer(desk),
            )
            assert done.status_code == 200, done.json
    restricted = client.put(
        f"/api/v1/cases/{ids[2]}/restriction",
        json={"reason": "The suspect works for the force.", "users": ["desk-price"]},
        headers=bearer(other),
    )
    assert restricted.status_code == 200, restricted.json
    return ids


def sign_in(page, address, url, name="insp-evans"):
    page.goto(f"{address}{url}")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_inspector_reads_a_report_its_chart_its_cases_and_its_csv(
    server,  # noqa: F811
    browser,  # noqa: F811
    november,
):
    page = open_page(browser)
    sign_in(page, server, "/")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    check(page, "reports")

    page.get_by_role("link", name="BCU performance report").click()
    page.get_by_label("Month it begins").select_option(label="November")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("A month").check()
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_text("1 November 2026 to 30 November 2026", exact=True)).to_be_visible()
    received = page.get_by_role("row", name="Cases received")
    expect(received.get_by_role("link")).to_have_text("3: the cases, Cases received")
    not_recorded = page.get_by_role("row", name="Not recorded yet").get_by_role("link")
    expect(not_recorded).to_have_text("3: the cases, Not recorded yet")
    chart = page.get_by_role("img", name="Offence recorded")
    expect(chart).to_be_visible()
    assert "Not recorded yet 3" in chart.locator("desc").text_content()
    check(page, "report")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download this report (CSV)").click()
    assert download.value.suggested_filename == "bcu_monthly-2026-11-month.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = {row["figure"]: row["cases"] for row in csv.DictReader(io.StringIO(text))}
    assert rows["cases_received"] == "3" and rows["recorded_offence.not_recorded"] == "3"

    received.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Cases received")).to_be_visible()
    expect(
        page.get_by_text("1 case counted here is not listed: you may not read it.")
    ).to_be_visible()
    expect(page.get_by_role("link", name=november[0][:8])).to_be_visible()
    expect(page.get_by_role("link", name=november[2][:8])).to_have_count(0)
    check(page, "report-cases")

    page.get_by_role("link", name="BCU performance report").click()
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.get_by_text("1 Tachwedd 2026 i 30 Tachwedd 2026", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Y drosedd a gofnodwyd")).to_be_visible()
    check(page, "report-cy")


def test_a_period_that_cannot_be_read_is_put_right_with_javascript_off(
    server,  # noqa: F811
    browser,  # noqa: F811
    november,
):
    wrong = "/reports/live_review?year=20x6&month=11&length=month"
    page = open_page(browser)
    sign_in(page, server, wrong)
    expect(page.get_by_role("link", name="Enter the year as four figures")).to_be_visible()
    check(page, "report-error")

    page = open_page(browser, javascript=False)  # axe needs scripts: checked above
    sign_in(page, server, wrong)
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter the year as four figures")).to_be_visible()
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show the figures").click()
    on_time = page.get_by_role("row", name="Reviewed on time", exact=False).first
    expect(on_time.get_by_role("link")).to_have_text("1: the cases, Reviewed on time")
    rate = page.get_by_role("row", name="Reviewed on time of the calls reviewed")
    expect(rate).to_contain_text("1 of 1 (100%)")
    expect(page.get_by_role("row", name="Not reviewed yet")).to_contain_text("2")
