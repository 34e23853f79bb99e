"""The auditor's diagrams in a real browser: a walked case's path drawn by bpmn-js's viewer
with its steps marked (done, here now, escalated) and a count on the step passed three times;
selecting a step lists its events, each linking to its moment in the case's history; the path
at an earlier event; the heat map's counts on the diagram; the same pages in Welsh and with
JavaScript off (the table). Every page runs under the content security policy with axe."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from service.auth import create_user
from tests import test_audit_diagram_pages, test_browser
from tests.lifecycle import Case, investigation_tokens
from tests.pages import PASSWORD
from tests.test_audit_diagram_pages import T0
from tests.test_browser import CHROMIUM, check, open_page

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)"
)

# The browser tests' fixtures, and the walked case of the page tests.
browser, server = test_browser.browser, test_browser.server
walked = test_audit_diagram_pages.walked
__all__ = ["T0"]  # the clock fixture stands still at T0


@pytest.fixture
def auditor(app):
    with app.app_context():
        create_user("auditor.bethan", ["Auditor"], PASSWORD)
    return "auditor.bethan"


# A task the case has not reached, drawn inside the canvas as the page shows it.
UNREACHED_IN_VIEW = """() => {
  const canvas = document.querySelector('.app-audit-diagram__canvas').getBoundingClientRect()
  const inside = (box) => box.left > canvas.left + 20 && box.right < canvas.right - 20 &&
    box.top > canvas.top + 20 && box.bottom < canvas.bottom - 20
  for (const shape of document.querySelectorAll('.djs-element.djs-shape[data-element-id]')) {
    const box = shape.getBoundingClientRect()
    const id = shape.dataset.elementId
    const marked = /app-path-/.test(shape.getAttribute('class'))
    const task = /_/.test(id) && !/^(lane|gw|flow|end)_/.test(id)
    if (!marked && task && box.width > 8 && box.width < 200 && inside(box)) return id
  }
  return null
}"""


def save(page, name: str) -> None:
    if test_browser.SCREENSHOTS:
        page.screenshot(path=str(Path(test_browser.SCREENSHOTS) / f"{name}.png"), full_page=True)


def shape(page, element_id: str):
    return page.locator(f'.app-audit-diagram__canvas .djs-element[data-element-id="{element_id}"]')


def test_the_path_is_drawn_marked_and_its_steps_list_their_events(
    server, browser, auditor, walked, clock
):
    page = open_page(browser)
    test_browser.sign_in(page, server, auditor)
    page.goto(f"{server}/audit/cases/{walked.id}/diagram")
    expect(page.locator("[data-app-audit-diagram][data-drawn=true]")).to_have_count(1)
    expect(shape(page, "sergeant_review")).to_have_class(re.compile(r"\bapp-path-active\b"))
    expect(shape(page, "live_time_review")).to_have_class(re.compile(r"\bapp-path-escalated\b"))
    expect(shape(page, "first_response")).to_have_class(re.compile(r"\bapp-path-completed\b"))
    expect(shape(page, "case_closure")).not_to_have_class(re.compile("app-path-"))
    badge = page.locator('.djs-overlays[data-container-id="sergeant_review"] .app-path-badge')
    expect(badge).to_have_text("3")
    # Only steps passed more than once carry a count.
    expect(page.locator(".app-path-badge:not(.app-path-badge--key)")).to_have_count(
        page.locator("tr[data-element-id] td:nth-of-type(2)")
        .filter(has_not_text=re.compile(r"^1$"))
        .count()
    )
    expect(page.locator(".app-audit-diagram__legend")).to_contain_text("Escalated")
    check(page, "audit-case-path")

    # Selecting a step lists its events, each a link to that moment of the history.
    shape(page, "sergeant_review").click()
    events = page.locator(".app-audit-diagram__events")
    expect(events).to_be_visible()
    expect(events.get_by_role("heading")).to_have_text(re.compile("review", re.I))
    links = events.get_by_role("link")
    expect(links).to_have_count(5)
    first = links.first.get_attribute("href")
    assert re.fullmatch(rf"/audit/cases/{walked.id}\?at_seq=(\d+)#event-\1", first), first
    first_round_done = int(re.search(r"at_seq=(\d+)", links.nth(1).get_attribute("href")).group(1))
    expect(events).to_contain_text("Task opened")
    expect(events).to_contain_text("Task completed")
    check(page, "audit-case-path-events")

    # A step the case never reached says so.
    unreached = page.evaluate(UNREACHED_IN_VIEW)
    shape(page, unreached).click()
    expect(events).to_contain_text("The case has not passed this step.")

    # In Welsh, the same marks, the words and names in Welsh.
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.locator("[data-app-audit-diagram][data-drawn=true]")).to_have_count(1)
    expect(shape(page, "sergeant_review")).to_have_class(re.compile(r"\bapp-path-active\b"))
    expect(page.locator("main")).to_contain_text("Adolygiad amser real")
    expect(page.locator("main")).to_contain_text("Mae'r achos yma")
    expect(shape(page, "live_time_review")).to_contain_text("Adolygiad")
    check(page, "audit-case-path-cy")
    page.get_by_role("link", name="English").click()

    # At an earlier event: the first review round done, the second not yet opened.
    seq = first_round_done
    page.goto(f"{server}/audit/cases/{walked.id}/diagram?at_seq={seq}")
    expect(page.locator("[data-app-audit-diagram][data-drawn=true]")).to_have_count(1)
    expect(shape(page, "sergeant_review")).to_have_class(re.compile(r"\bapp-path-completed\b"))
    expect(page.locator('.djs-overlays[data-container-id="sergeant_review"]')).to_have_count(0)
    expect(page.locator("main")).to_contain_text(f"As it stood after event {seq} of")
    check(page, "audit-case-path-earlier")


def test_the_heat_map_shows_counts_on_the_diagram(
    server, browser, auditor, walked, client, token_for, clock
):
    clock.move_to(T0 + timedelta(hours=2))
    Case(client, investigation_tokens(token_for))  # a second call, its review not yet due
    page = open_page(browser)
    test_browser.sign_in(page, server, auditor)
    page.goto(f"{server}/audit/processes")
    check(page, "audit-processes")
    page.get_by_role("link", name=re.compile("stalking", re.I)).first.click()
    expect(page.locator("[data-app-audit-diagram][data-drawn=true]")).to_have_count(1)
    review = page.locator('.djs-overlays[data-container-id="live_time_review"] .app-heat-count')
    expect(review).to_have_text("2 · 1")  # two cases passed it, one of them overdue
    expect(shape(page, "live_time_review")).to_have_class(re.compile(r"\bapp-heat-5\b"))
    expect(shape(page, "sergeant_review")).to_have_class(re.compile(r"\bapp-heat-3\b"))
    expect(
        page.locator('.djs-overlays[data-container-id="sergeant_review"] .app-heat-count')
    ).to_have_text("1 · 0")
    row = page.locator('tr[data-element-id="live_time_review"]')
    expect(row.locator("td").nth(0)).to_have_text("2")
    expect(row.locator("td").nth(3)).to_have_text("1")
    check(page, "audit-heat-map")

    # The form chooses the dates the cases were started; a bad date comes back with its error.
    page.get_by_label("Cases started from").fill("2026-12-01")
    page.get_by_role("button", name="Show the heat map").click()
    expect(page.locator("main")).to_contain_text("0 cases on version")
    page.goto(f"{server}/audit/processes/stalking_harassment?from=2026-02-30")
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be a real date")
    check(page, "audit-heat-map-error")


def test_without_javascript_the_path_is_a_table(server, browser, auditor, walked, clock):
    page = open_page(browser, javascript=False)
    test_browser.sign_in(page, server, auditor)
    page.goto(f"{server}/audit/cases/{walked.id}/diagram")
    expect(page.locator(".app-audit-diagram__drawing")).to_be_hidden()
    table = page.get_by_role("table")
    row = table.locator('tr[data-element-id="sergeant_review"]')
    expect(row.locator("td").nth(0)).to_have_text("The case is here")
    expect(row.locator("td").nth(1)).to_have_text("3")
    row.get_by_text(re.compile(r"^5 events")).click()
    expect(row.get_by_role("link")).to_have_count(5)
    # axe needs JavaScript: the same page is checked with it on above.
    save(page, "audit-case-path-no-js")
