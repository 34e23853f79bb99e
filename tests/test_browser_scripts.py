"""The pages' scripts in a real browser: questions shown only while the answer that needs them
holds, and the warning before an idle session ends (the browser's clock is moved, never waited
for)."""

import re

import pytest
from playwright.sync_api import expect

from tests.test_browser import (  # noqa: F401
    CHROMIUM,
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


def test_the_offences_question_shows_only_when_offences_are_disclosed(
    server,  # noqa: F811
    browser,  # noqa: F811
    desk_with_a_call,  # noqa: F811
):
    page = open_page(browser)
    sign_in(page, server, desk_with_a_call)
    page.get_by_role("link", name="Live-time review").click()
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
    page = open_page(browser)
    page.clock.install()
    sign_in(page, server, desk_with_a_call)
    page.get_by_role("link", name="Live-time review").click()
    notes = "The caller says he has her new address."
    page.get_by_label("Review notes (optional)").fill(notes)
    with page.expect_response(re.compile(r"/draft$")) as saved:
        page.clock.run_for(1500)  # the script waits a second after the last keystroke
    assert saved.value.status == 204
    page.reload()
    expect(page.get_by_label("Review notes (optional)")).to_have_value(notes)
    expect(page.get_by_text("is back in the form below")).to_be_visible()
