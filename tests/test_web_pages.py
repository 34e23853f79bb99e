"""The caseworker's pages, through Flask's test client: signing in and out, the session's
rules, the inbox, the language switch, error pages and the security headers."""

import html
import re
from datetime import timedelta

import pytest
import time_machine
from flask_migrate import upgrade  # noqa: F401

from service.auth import deactivate_user, find_user
from service.db import db
from tests.conftest import bearer
from tests.pages import PASSWORD, csrf_token, sign_in


def test_a_signed_out_visitor_is_sent_to_sign_in_and_brought_back(client, desk):
    response = client.get("/?overdue=yes")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/?overdue%3Dyes"
    page = client.get(response.headers["Location"])
    assert re.search(r'<label class="govuk-label" for="username">\s*Username\s*</label>', page.text)
    assert re.search(r'<label class="govuk-label" for="password">\s*Password\s*</label>', page.text)
    assert 'value="/?overdue=yes"' in page.text
    response = sign_in(client, desk, next_page="/?overdue=yes")
    assert (response.status_code, response.headers["Location"]) == (302, "/?overdue=yes")
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_in_plain_words_and_logged(app, client, desk, token_for):
    response = sign_in(client, desk, password="not-the-password")
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "The username or password is not right" in response.text
    assert 'href="#password"' in response.text  # the summary links to the field
    assert response.text.count("Error:") >= 1
    assert client.get("/").status_code == 302
    reads = client.get(
        "/api/v1/audit/reads", query_string={"user": desk}, headers=bearer(token_for("Auditor"))
    ).json
    assert [entry["action"] for entry in reads] == ["session.sign_in.refused"]
    # An unknown name gets the same answer.
    assert "is not right" in sign_in(client, "nobody-at-all").text


def test_a_form_sent_without_its_csrf_token_is_refused(client, desk):
    response = client.post("/sign-in", data={"username": desk, "password": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.text
    assert client.get("/").status_code == 302  # not signed in
    sign_in(client, desk)
    response = client.post("/sign-out")
    assert response.status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_every_page_carries_the_security_headers_and_a_safe_cookie(client, desk):
    response = sign_in(client, desk)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    for url in ("/sign-in", "/", "/no-such-page"):
        page = client.get(url)
        policy = page.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy and "style-src 'self'" in policy
        nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy).group(1)
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        for script in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page.text):
            assert f'nonce="{nonce}"' in script, url  # an inline script runs only by nonce


def test_the_inbox_lists_my_lanes_work_and_claims_it(client, desk, call):
    sign_in(client, desk)
    page = client.get("/")
    assert "Inbox: 1 task" in page.text
    assert "Live-time review" in page.text
    assert re.search(r"Due in (2\d|30) min", page.text)  # the review is due in 30 minutes
    assert call["id"][:8] in page.text
    form = csrf_token(page)
    [review] = call["open_tasks"]
    response = client.post(f"/tasks/{review['id']}/claim", data={"csrf_token": form, "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    assert "You have claimed the task." in page.text
    assert re.search(r">\s*You\s*<", page.text)
    assert "Give back" in page.text


def test_the_pages_speak_welsh_when_asked_and_remember_it(app, client, desk, call):
    sign_in(client, desk)
    response = client.get("/language/cy?next=/")
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    page = client.get("/")
    assert '<html lang="cy"' in page.text
    assert "Mewnflwch: 1 tasg" in page.text
    assert "Adolygiad amser real" in page.text or "Adolygiad" in page.text
    assert '<span lang="en">English</span>' in page.text
    with app.app_context():
        assert find_user(desk).language == "cy"
    # Remembered for the user: a new session speaks Welsh from the start.
    client.post("/sign-out", data={"csrf_token": csrf_token(page)})
    client.delete_cookie("session")
    sign_in(client, desk)
    assert "Mewnflwch" in client.get("/").text
    assert "Heb ddod o hyd i'r dudalen" in html.unescape(client.get("/no-such-page").text)


def test_a_language_just_chosen_holds_when_an_older_cookie_comes_back(client, desk, call):
    """A browser keeps whichever cookie is answered last. An answer to a request sent before
    the switch (a style sheet, a second tab) comes back with the session as it was: the
    choice is on the user's record, and it holds."""
    sign_in(client, desk)
    before_the_switch = client.get_cookie("session").value
    assert "Set-Cookie" not in client.get("/assets/gwarchod.js").headers
    client.get("/language/cy?next=/")
    client.set_cookie("session", before_the_switch)
    assert '<html lang="cy"' in client.get("/").text
    client.get("/language/en?next=/")
    client.set_cookie("session", before_the_switch)
    assert '<html lang="en"' in client.get("/").text


def test_a_session_ends_when_idle_and_when_its_user_is_deactivated(app, client, desk):
    with time_machine.travel("2026-12-01 09:00:00+00:00", tick=False) as clock:
        sign_in(client, desk)
        clock.move_to("2026-12-01 09:29:00+00:00")
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get("/")
        assert response.headers["Location"] == "/sign-in?next=/"
        assert "had not used Gwarchod for a while" in client.get("/sign-in").text
    sign_in(client, desk)
    assert client.get("/").status_code == 200
    with app.app_context():
        deactivate_user(find_user(desk), by="tests")
    assert client.get("/").status_code == 302
    assert "is not right" in sign_in(client, desk).text


def test_every_workspaces_pages_ask_a_signed_out_visitor_to_sign_in(app, client, desk):
    """The auditor's, the process owner's and the reports' pages are blueprints nested in the
    pages' one: its sign-in and CSRF rules hold in every one of their routes."""
    nested = [rule for rule in app.url_map.iter_rules() if rule.endpoint.count(".") == 2]
    assert {rule.endpoint.split(".")[1] for rule in nested} == {"audit", "model", "reports"}

    for rule in nested:
        if "GET" in rule.methods:
            response = client.get(address_of(rule, 1))
            assert response.status_code == 302, (rule.rule, response.status_code)
            assert response.headers["Location"].startswith("/sign-in?next="), rule.rule
    for signed_in in (False, True):
        if signed_in:
            sign_in(client, desk)
        for rule in nested:
            if "POST" in rule.methods:
                refused = client.post(address_of(rule, 1), data={})  # no CSRF token
                assert refused.status_code == 400, (rule.rule, signed_in, refused.status_code)


def address_of(rule, number) -> str:
    """A route's address with ``number`` for each of its parts, and a file name for a path."""
    return re.sub(r"<(?:\w+:)?\w+>", str(number), rule.rule.replace("<path:path>", "x"))


def test_a_number_no_record_can_have_in_a_pages_address_is_not_found(app, client, every_role):
    """Every page whose address holds a number answers a number past what the database holds
    as a page it cannot find, never as a failure."""
    sign_in(client, every_role)
    numbered = [
        rule
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith("/api/")
        and "GET" in rule.methods
        and re.search(r"<(int|id):", rule.rule)
    ]
    assert len(numbered) >= 2
    for rule in numbered:
        path = address_of(rule, 10**23)
        response = client.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert "Page not found" in response.text


def test_without_a_force_identity_provider_there_is_no_force_sign_in(client):
    page = client.get("/sign-in?next=/")
    assert page.status_code == 200
    assert "force account" not in page.text and "/sign-in/oidc" not in page.text
    assert client.get("/sign-in/oidc").status_code == 404
    assert client.get("/sign-in/oidc/callback?code=x&state=y").status_code == 404


def test_sign_in_never_sends_a_visitor_to_another_site(client, desk):
    for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = sign_in(client, desk, next_page=elsewhere)
        assert response.headers["Location"] == "/", elsewhere


def test_sign_out_ends_the_session_and_is_logged(client, desk, token_for):
    sign_in(client, desk)
    page = client.get("/sign-out")
    assert page.status_code == 200
    response = client.post("/sign-out", data={"csrf_token": csrf_token(page)})
    assert response.headers["Location"] == "/sign-in"
    assert "You have signed out." in client.get("/sign-in").text
    assert client.get("/").status_code == 302
    reads = client.get(
        "/api/v1/audit/reads", query_string={"user": desk}, headers=bearer(token_for("Auditor"))
    ).json
    assert [entry["action"] for entry in reversed(reads)] == [
        "session.sign_in",
        "session.sign_out",
    ]


def test_the_api_still_answers_problems_not_pages(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.mimetype == "application/problem+json"
    response = client.post("/api/v1/cases", data="x=1")
    assert response.mimetype == "application/problem+json"


def test_users_create_gives_a_password_to_sign_in_with(app, client):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "new-officer", "--role", "Investigator"]
    )
    assert result.exit_code == 0, result.output
    password = re.search(r"Password to sign in with \(shown once\): (\S+)", result.output).group(1)
    assert result.output.strip().splitlines()[-1].startswith("gw_")  # the token, last
    response = sign_in(client, "new-officer", password=password)
    assert response.headers["Location"] == "/"
    with app.app_context():
        assert find_user("new-officer").password_hash.startswith("$argon2")
        db.session.rollback()


@pytest.fixture
def settings():
    return {"AUTH_FAILURE_LIMIT": "3 per minute"}


def test_failed_sign_ins_are_limited_with_the_apis_failed_tokens(client, desk):
    for _ in range(2):
        assert "is not right" in sign_in(client, desk, password="not-the-password").text
    # A bad API token from the same address counts in the same store.
    assert client.get("/api/v1/cases", headers=bearer("gw_not-a-token")).status_code == 401
    response = sign_in(client, desk)  # even the right password, until the window passes
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many attempts to sign in" in response.text
    assert response.mimetype == "text/html"
    assert client.get("/api/v1/cases", headers=bearer("gw_x")).mimetype == (
        "application/problem+json"
    )


def test_a_fault_is_a_page_with_the_reference_it_was_logged_with_never_a_trace(app, client, caplog):
    def broken():
        raise RuntimeError("the disk is on fire")

    app.add_url_rule("/broken", "broken", broken)
    response = client.get("/broken")
    assert (response.status_code, response.mimetype) == (500, "text/html")
    text = html.unescape(response.text)
    assert "Sorry, there is a problem with Gwarchod" in text
    assert "the disk is on fire" not in text and "Traceback" not in text
    reference = re.search(r"give them this reference: ([0-9a-f]{12})", text).group(1)
    assert f"reference {reference}" in caplog.text  # an operator finds it in the log
    client.get("/language/cy?next=/broken")
    assert "Mae'n ddrwg gennym, mae problem gyda Gwarchod" in html.unescape(
        client.get("/broken").text
    )
