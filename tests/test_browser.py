"""The caseworker's pages in a real browser: Debian's Chromium driven by Playwright, with axe-core
checking each page for accessibility and every Content-Security-Policy violation failing the
test. With ``GWARCHOD_SCREENSHOTS=<folder>`` (``make screenshots``) each page is saved there as
a PNG in English and Welsh."""

import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from service.auth import create_user
from tests.conftest import bearer
from tests.samples import CALL

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = os.environ.get("GWARCHOD_SCREENSHOTS")
PASSWORD = "correct-horse-battery-staple"
# Collects what the browser reports before any page script runs.
WATCH_CSP = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)"
)


@pytest.fixture
def server(app, database_uri):
    """The service on a free local port, in a thread of this process."""
    if not database_uri.startswith("sqlite"):
        pytest.skip("browser tests run on SQLite; the pages' PostgreSQL runs are in test_web_pages")
    served = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{served.server_port}"
    served.shutdown()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def desk_with_a_call(app, client, token_for):
    with app.app_context():
        create_user("desk-officer", ["Vulnerability Desk"], PASSWORD)
    response = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": CALL},
        headers=bearer(token_for("Call Handler")),
    )
    assert response.status_code == 201, response.json
    return "desk-officer"


def open_page(browser, javascript=True):
    """A page that keeps its console and every script error, for ``check``."""
    context = browser.new_context(java_script_enabled=javascript, locale="en-GB")
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    console, errors = [], []
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: errors.append(f"{error}\n{error.stack}"))
    page.console, page.errors = console, errors
    return page


def check(page, name: str) -> None:
    """No script error, no CSP violation, no serious or critical accessibility fault; saved
    when asked."""
    assert page.errors == [], page.errors
    violations = page.evaluate("window.__violations")
    blocked = [text for text in page.console if "Content Security Policy" in text]
    assert violations == [] and blocked == [], (violations, blocked)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], json.dumps(serious, indent=1)
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def sign_in(page, server, name):
    page.goto(f"{server}/")
    assert page.url.endswith("/sign-in?next=/")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_desk_officer_signs_in_works_the_inbox_in_both_languages_and_signs_out(
    server, browser, desk_with_a_call
):
    page = open_page(browser)
    page.goto(f"{server}/sign-in")
    check(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check(page, "sign-in-errors")
    sign_in(page, server, desk_with_a_call)
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox: 1 task")
    check(page, "inbox")
    page.get_by_role("button", name=re.compile(r"^Claim\W+Live-time review$")).click()
    expect(page.get_by_text("You have claimed the task.")).to_be_visible()
    check(page, "inbox-claimed")

    # The case, from its reference in the inbox; in Welsh, and back to the inbox.
    page.get_by_role("link", name=re.compile(r"^Case [0-9a-f]{8}$")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case")
    case_page = page.url
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.get_by_role("heading", name="Beth sydd wedi digwydd")).to_be_visible()
    check(page, "case-cy")
    page.get_by_role("link", name="Mewnflwch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mewnflwch: 1 tasg")
    assert page.locator("html").get_attribute("lang") == "cy"
    check(page, "inbox-cy")
    page.get_by_role("link", name="Adolygiad amser real").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adolygiad amser real")
    check(page, "task-cy")
    page.get_by_role("link", name="English").click()

    # The live-time review: sent empty, it comes back with each mistake named; put right, done.
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.title().startswith("Error: ")
    check(page, "task-errors")
    page.get_by_role("link", name=re.compile("^Offences disclosed")).first.click()
    page.get_by_label("Yes, offences are disclosed").check()
    page.get_by_label("Stalking (s2A)", exact=True).check()
    page.get_by_label("Immediate attendance").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Live-time review is done.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox: 0 tasks")
    check(page, "inbox-done")

    # The case page now tells what the review set; the letter-free case has no letters part.
    page.goto(case_page)
    expect(page.get_by_text("Live-time review completed by desk-officer")).to_be_visible()
    expect(page.get_by_text("First response: Immediate attendance")).to_be_visible()
    check(page, "case")

    page.get_by_role("link", name="Cymraeg").click()
    page.get_by_role("link", name="Allgofnodi").click()
    page.get_by_role("button", name="Allgofnodi").click()
    assert "/sign-in" in page.url
    check(page, "sign-in-cy")


def test_the_inbox_works_with_javascript_off(server, browser, desk_with_a_call):
    page = open_page(browser, javascript=False)
    sign_in(page, server, desk_with_a_call)
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox: 1 task")
    page.get_by_role("button", name=re.compile(r"^Claim\W+Live-time review$")).click()
    expect(page.get_by_text("You have claimed the task.")).to_be_visible()
    page.get_by_role("link", name="Live-time review").click()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    page.get_by_label("Yes, offences are disclosed").check()
    page.get_by_label("Stalking (s2A)", exact=True).check()
    page.get_by_label("Immediate attendance").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Live-time review is done.")).to_be_visible()
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    assert "/sign-in" in page.url
