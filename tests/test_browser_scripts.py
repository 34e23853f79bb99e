"""The pages' scripts in a real browser: questions shown only while the answer that needs them
holds, and the warning before an idle session ends (the browser's clock is moved, never waited
for)."""

import re

import pytest
from playwright.sync_api import expect

from service.auth import create_user
from tests.test_browser import (  # noqa: F401
    CHROMIUM,
    PASSWORD,
    browser,
    check,
    desk_with_a_call,
    open_page,
    server,
    sign_in,
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)"
)


def the_review(browser, server, desk: str, clock: bool = False):  # noqa: F811
    """A desk officer's page open on the live-time review of the call waiting for them (on a
    clock the test moves, when asked)."""
    page = open_page(browser)
    if clock:
        page.clock.install()
    sign_in(page, server, desk)
    page.get_by_role("link", name="Live-time review").click()
    return page


def test_the_offences_question_shows_only_when_offences_are_disclosed(
    server,  # noqa: F811
    browser,  # noqa: F811
    desk_with_a_call,  # noqa: F811
):
    page = the_review(browser, server, desk_with_a_call)
    sections = page.get_by_label("Stalking (s2A)", exact=True)
    expect(sections).to_be_hidden()
    page.get_by_label("Yes, offences are disclosed").check()
    expect(sections).to_be_visible()
    sections.check()
    page.get_by_label("No, no offence is disclosed").check()
    expect(sections).to_be_hidden()
    expect(sections).to_be_disabled()  # not sent while hidden
    check(page, "task-reveal")


def test_an_idle_session_is_warned_kept_and_then_ended(
    server,  # noqa: F811
    browser,  # noqa: F811
    desk_with_a_call,  # noqa: F811
):
    page = open_page(browser)
    page.clock.install()
    sign_in(page, server, desk_with_a_call)
    warning = page.get_by_text("You will be signed out soon")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("25:30")
    expect(warning).to_be_visible()
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    check(page, "idle-warning")
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    page.clock.fast_forward("30:01")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/"))


def test_answers_are_kept_as_they_are_typed_and_come_back_after_a_reload(
    server,  # noqa: F811
    browser,  # noqa: F811
    desk_with_a_call,  # noqa: F811
):
    page = the_review(browser, server, desk_with_a_call, clock=True)
    notes = "The caller says he has her new address."
    page.get_by_label("Review notes (optional)").fill(notes)
    with page.expect_response(re.compile(r"/draft$")) as saved:
        page.clock.run_for(1500)  # the script waits a second after the last keystroke
    assert saved.value.status == 204
    page.reload()
    expect(page.get_by_label("Review notes (optional)")).to_have_value(notes)
    expect(page.get_by_text("is back in the form below")).to_be_visible()


def test_a_long_answer_counts_down_to_its_limit_in_either_language(
    server,  # noqa: F811
    browser,  # noqa: F811
    desk_with_a_call,  # noqa: F811
):
    page = the_review(browser, server, desk_with_a_call)
    notes = page.get_by_label("Review notes (optional)")
    notes.fill("x" * 4990)
    expect(page.get_by_text("You have 10 characters remaining")).to_be_visible()
    notes.fill("x" * 5003)
    expect(page.get_by_text("You have 3 characters too many")).to_be_visible()
    check(page, "character-count")
    page.get_by_role("link", name="Cymraeg").click()
    notes = page.get_by_label("Nodiadau'r adolygiad (dewisol)")
    notes.fill("x" * 4999)
    expect(page.get_by_text("Mae gennych 1 nod ar ôl")).to_be_visible()
    # Every plural form of Welsh is given, so the count never falls back.
    assert not [text for text in page.console if "Missing plural form" in text], page.console


def tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element's text or label is ``name``, as a keyboard user
    would; fail when it is not reached."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement
                const label = el.labels && el.labels[0] ? el.labels[0].innerText : ''
                return (label || el.innerText || el.value || '').trim()
            }"""
        )
        if focused == name or focused.startswith(name + "\\n") or focused.startswith(name + ":"):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_the_live_time_review_can_be_done_with_the_keyboard_alone(
    server,  # noqa: F811
    browser,  # noqa: F811
    desk_with_a_call,  # noqa: F811
):
    page = open_page(browser)
    page.goto(f"{server}/")
    tab_to(page, "Username")
    page.keyboard.type(desk_with_a_call)
    tab_to(page, "Password")
    page.keyboard.type("correct-horse-battery-staple")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox: 1 task")
    tab_to(page, "Live-time review")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Live-time review")
    tab_to(page, "Yes, offences are disclosed")
    page.keyboard.press("Space")
    tab_to(page, "Stalking (s2A)")
    page.keyboard.press("Space")
    tab_to(page, "Immediate attendance")
    page.keyboard.press("Space")
    tab_to(page, "Send")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Live-time review is done.")).to_be_visible()


def test_a_sergeant_gives_the_review_to_a_desk_officer_on_the_team_page(
    app,
    server,  # noqa: F811
    browser,  # noqa: F811
    desk_with_a_call,  # noqa: F811
):
    with app.app_context():
        create_user("sgt-evans", ["Sergeant"], PASSWORD)
    page = open_page(browser)
    sign_in(page, server, "sgt-evans")
    page.get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team: 1 open task")
    check(page, "team")
    page.get_by_label("Give Live-time review to").select_option(desk_with_a_call)
    page.get_by_role("button", name=re.compile(r"^Give\W+Live-time review$")).click()
    expect(page.get_by_text(f"Live-time review is now {desk_with_a_call}'s.")).to_be_visible()
    expect(page.get_by_role("heading", name=desk_with_a_call)).to_be_visible()
