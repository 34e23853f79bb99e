"""A task's page: the form drawn from its JSON Schema, sent through the completion command, its
errors shown GOV.UK's way with every value kept, and someone else getting there first."""

import html
import re

import pytest
from werkzeug.datastructures import MultiDict

from service.auth import create_user
from service.db import db
from service.models import TaskDraft
from tests.conftest import bearer
from tests.pages import PASSWORD, csrf_token, sign_in
from tests.samples import REVIEW_OFFENCES


@pytest.fixture
def review(call):
    """The live-time review of a call a Call Handler just logged."""
    [task] = call["open_tasks"]
    return task


def review_form(token: str, **changes) -> MultiDict:
    fields = MultiDict(
        [
            ("csrf_token", token),
            ("offences_disclosed", "true"),
            ("first_response", REVIEW_OFFENCES["first_response"]),
            ("review_notes", REVIEW_OFFENCES["review_notes"]),
            *[("pha_sections", section) for section in REVIEW_OFFENCES["pha_sections"]],
            ("action", "send"),
        ]
    )
    for name, value in changes.items():
        fields.setlist(name, [] if value is None else [value])
    return fields


def test_the_review_is_drawn_from_its_form_and_completed_through_the_command(
    client, desk, review, token_for
):
    sign_in(client, desk)
    inbox = client.get("/")
    assert f'href="/tasks/{review["id"]}"' in inbox.text
    page = client.get(f"/tasks/{review['id']}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for label in ("Offences disclosed?", "First response", "Review notes", "Stalking (s2A)"):
        assert label in text, label
    response = client.post(f"/tasks/{review['id']}", data=review_form(csrf_token(page)))
    assert response.status_code == 302
    assert "Live-time review is done." in client.get(response.headers["Location"]).text
    api = client.get(f"/api/v1/tasks/{review['id']}", headers=bearer(token_for("Auditor"))).json
    assert api["status"] == "completed"
    assert api["data"]["pha_sections"] == ["s2A"]


def test_a_form_sent_with_mistakes_comes_back_with_each_one_beside_its_field(client, desk, review):
    sign_in(client, desk)
    page = client.get(f"/tasks/{review['id']}")
    notes = "Partner has followed her to work; stalking."
    fields = review_form(
        csrf_token(page), offences_disclosed=None, first_response=None, review_notes=notes
    )
    response = client.post(f"/tasks/{review['id']}", data=fields)
    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "<title>Error: " in text
    assert "There is a problem" in text
    start = text.index("govuk-error-summary")
    summary = text[start : text.index("</ul>", start)]
    links = re.findall(r'href="#([^"]+)"', summary)
    assert {"f-offences_disclosed", "f-first_response"} <= set(links)  # the two left out
    assert notes in text  # what was typed is kept
    assert 'value="s2A" checked' in text or re.search(r'value="s2A"[^>]*checked', text)


def test_the_review_speaks_welsh(client, desk, review):
    sign_in(client, desk)
    client.get("/language/cy?next=/")
    text = html.unescape(client.get(f"/tasks/{review['id']}").text)
    assert "Adolygiad amser real" in text
    assert '<html lang="cy"' in text


def test_when_someone_else_completes_it_first_the_page_says_so_plainly(
    app, client, desk, review, token_for
):
    sign_in(client, desk)
    page = client.get(f"/tasks/{review['id']}")
    other = token_for("Vulnerability Desk")
    done = client.post(
        f"/api/v1/tasks/{review['id']}/complete",
        json={"data": REVIEW_OFFENCES},
        headers=bearer(other),
    )
    assert done.status_code == 200
    response = client.post(f"/tasks/{review['id']}", data=review_form(csrf_token(page)))
    assert response.status_code == 409
    assert "This task has already been dealt with" in html.unescape(response.text)


def test_another_roles_task_is_refused_with_a_page_naming_the_role(app, client, review):
    with app.app_context():
        create_user("investigator", ["Investigator"], PASSWORD)
    sign_in(client, "investigator")
    response = client.get(f"/tasks/{review['id']}")
    assert response.status_code in (403, 404)
    assert response.mimetype == "text/html"


def test_instructions_show_their_markdown_but_never_html_or_links():
    from service.web.text import as_html

    shown = as_html("Review **DP-1**.\n\n<script>alert(1)</script> [here](javascript:alert(1))")
    assert '<p class="govuk-body">Review <strong>DP-1</strong>.</p>' in shown
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "<a " not in shown


def test_what_was_typed_is_kept_until_the_task_is_done(app, client, desk, review):
    sign_in(client, desk)
    page = client.get(f"/tasks/{review['id']}")
    notes = "Typed before the tea break; the caller is frightened."
    # As the page's script sends it while typing.
    response = client.post(
        f"/tasks/{review['id']}/draft",
        data={"csrf_token": csrf_token(page), "review_notes": notes, "first_response": "x"},
    )
    assert response.status_code == 204
    # After a timeout and signing in again, it is back in the form.
    client.post("/sign-out", data={"csrf_token": csrf_token(page)})
    sign_in(client, desk)
    text = html.unescape(client.get(f"/tasks/{review['id']}").text)
    assert notes in text
    assert "is back in the form below" in text
    # A draft without the CSRF token is refused.
    assert (
        client.post(f"/tasks/{review['id']}/draft", data={"review_notes": "x"}).status_code == 400
    )
    # Sent with a mistake: kept too.
    page = client.get(f"/tasks/{review['id']}")
    fields = review_form(csrf_token(page), first_response=None, review_notes="Second go at it.")
    assert client.post(f"/tasks/{review['id']}", data=fields).status_code == 200
    assert "Second go at it." in html.unescape(client.get(f"/tasks/{review['id']}").text)
    # Done: the draft goes with the task, in the same transaction.
    response = client.post(f"/tasks/{review['id']}", data=review_form(csrf_token(page)))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(TaskDraft).count() == 0


def test_another_users_draft_is_never_shown(app, client, desk, review):
    sign_in(client, desk)
    page = client.get(f"/tasks/{review['id']}")
    client.post(
        f"/tasks/{review['id']}/draft",
        data={"csrf_token": csrf_token(page), "review_notes": "Only mine to see."},
    )
    client.post("/sign-out", data={"csrf_token": csrf_token(page)})
    with app.app_context():
        create_user("other-desk", ["Vulnerability Desk"], PASSWORD)
    sign_in(client, "other-desk")
    page = client.get(f"/tasks/{review['id']}")
    assert page.status_code == 200
    assert "Only mine to see." not in html.unescape(page.text)
