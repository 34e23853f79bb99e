"""Signing in with a force's identity provider, against a real OpenID provider run by the test
(oidc-provider-mock, in a thread on a free local port): the service's side through Flask's test
client, the provider's side through its own authorization form, posted with requests; and the
whole round trip once in Chromium."""

import html
import logging
import re
from urllib.parse import parse_qs, quote, urlsplit

import oidc_provider_mock
import pytest
import requests
from playwright.sync_api import expect

from service.auth import create_user, deactivate_user, find_user
from service.db import db
from tests import test_browser
from tests.conftest import bearer
from tests.pages import PASSWORD, csrf_token, sign_in
from tests.test_browser import CHROMIUM, check, open_page

# The browser tests' fixtures: Chromium, and the service on a free local port.
browser, server = test_browser.browser, test_browser.server


@pytest.fixture
def provider():
    """A real OpenID provider: users' claims are set with PUT /users/<sub>, and a user signs in
    through its authorization form by naming their ``sub``."""
    with oidc_provider_mock.run_server_in_thread() as running:
        yield f"http://localhost:{running.server_port}"


@pytest.fixture
def limit():
    return "10000 per minute"


@pytest.fixture
def settings(provider, limit):
    return {
        "OIDC_ISSUER": provider,
        "OIDC_CLIENT_ID": "gwarchod",
        "OIDC_CLIENT_SECRET": "a-client-secret",
        "AUTH_FAILURE_LIMIT": limit,
    }


def claims(provider: str, sub: str, **values) -> None:
    """What the provider says of the user ``sub`` in their ID token from now on."""
    response = requests.put(f"{provider}/users/{sub}", json=values, timeout=10)
    assert response.status_code == 204, response.text


def to_provider(client, provider: str, next_page: str | None = None) -> str:
    """Follow the force-account button: the provider's authorization address."""
    address = "/sign-in/oidc" + (f"?next={quote(next_page, safe='')}" if next_page else "")
    response = client.get(address)
    assert response.status_code == 302
    authorize = response.headers["Location"]
    assert authorize.startswith(f"{provider}/oauth2/authorize?")
    asked = parse_qs(urlsplit(authorize).query)
    assert asked["response_type"] == ["code"] and asked["code_challenge_method"] == ["S256"]
    assert asked["state"][0] and asked["nonce"][0] and asked["code_challenge"][0]
    assert asked["scope"] == ["openid profile"]
    return authorize


def at_provider(authorize: str, sub: str | None = None) -> str:
    """Sign in as ``sub`` on the provider's form (or deny, without one); the path and query it
    sends the browser back to."""
    form = {"sub": sub} if sub else {"action": "deny"}
    response = requests.post(authorize, data=form, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    back = urlsplit(response.headers["Location"])
    assert back.path == "/sign-in/oidc/callback"
    return f"{back.path}?{back.query}"


def sign_in_as(client, provider: str, sub: str, next_page: str | None = None):
    return client.get(at_provider(to_provider(client, provider, next_page), sub))


def reads_of(client, token_for, name: str) -> list[dict]:
    reads = client.get(
        "/api/v1/audit/reads", query_string={"user": name}, headers=bearer(token_for("Auditor"))
    ).json
    return list(reversed(reads))


def test_a_first_sign_in_makes_the_user_with_the_roles_of_their_claim(
    app, client, provider, token_for, caplog
):
    page = client.get("/sign-in?next=/?overdue=yes")
    assert "Sign in with your force account" in page.text
    assert 'href="/sign-in/oidc?next=/?overdue%3Dyes"' in page.text
    claims(
        provider,
        "4f1c-77",
        preferred_username="sgt.rhys.evans",
        roles=["sergeant", "Inspector", "Chief Wizard"],
    )
    with caplog.at_level(logging.WARNING, logger="service.web.oidc"):
        response = sign_in_as(client, provider, "4f1c-77", next_page="/?overdue=yes")
    assert (response.status_code, response.headers["Location"]) == (302, "/?overdue=yes")
    assert "Chief Wizard" in caplog.text  # left out, and logged
    page = client.get("/?overdue=yes")
    assert page.status_code == 200 and "sgt.rhys.evans" in page.text
    with app.app_context():
        user = find_user("sgt.rhys.evans")
        assert user.role_names == {"Sergeant", "Inspector"}
        assert user.password_hash is None
        db.session.rollback()
    [entry] = reads_of(client, token_for, "sgt.rhys.evans")
    assert entry["action"] == "session.sign_in"
    assert '"method":"oidc"' in entry["detail"].replace(" ", "")


def test_each_sign_in_brings_the_users_roles_up_to_date(app, client, provider):
    claims(provider, "desk-1", preferred_username="desk.officer", roles="Vulnerability Desk")
    response = sign_in_as(client, provider, "desk-1")
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    assert "Inbox" in client.get("/").text
    with app.app_context():
        assert find_user("desk.officer").role_names == {"Vulnerability Desk"}
        db.session.rollback()
    # Their force moves them: the claim, now a string of names, is the roles they hold.
    claims(provider, "desk-1", preferred_username="desk.officer", roles="investigator sergeant")
    client.delete_cookie("session")
    response = sign_in_as(client, provider, "desk-1")
    assert response.headers["Location"] == "/"
    with app.app_context():
        assert find_user("desk.officer").role_names == {"Investigator", "Sergeant"}
        db.session.rollback()


def test_without_a_username_claim_the_subject_names_the_user(app, client, provider):
    claims(provider, "officer-2291", roles=["Investigator"])
    assert sign_in_as(client, provider, "officer-2291").headers["Location"] == "/"
    with app.app_context():
        assert find_user("officer-2291").role_names == {"Investigator"}
        db.session.rollback()


def test_signing_out_signs_the_user_out_at_the_provider_too(app, client, provider, token_for):
    claims(provider, "shared-1", preferred_username="pc.shared.station", roles=["Investigator"])
    sign_in_as(client, provider, "shared-1")
    page = client.get("/sign-out")
    assert page.status_code == 200
    # The pages' policy lets the sign-out form lead on to the provider, and nowhere else.
    assert f"form-action 'self' {provider};" in page.headers["Content-Security-Policy"]
    response = client.post("/sign-out", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    address = urlsplit(response.headers["Location"])
    assert f"{address.scheme}://{address.netloc}{address.path}" == f"{provider}/oauth2/end_session"
    asked = parse_qs(address.query)
    assert asked["client_id"] == ["gwarchod"]
    assert asked["post_logout_redirect_uri"] == ["http://localhost/sign-in"]
    [hint] = asked["id_token_hint"]
    assert hint.count(".") == 2  # the ID token the provider issued at sign-in
    assert client.get("/").status_code == 302  # signed out here already
    [signed_out] = [e for e in reads_of(client, token_for, "pc.shared.station")][-1:]
    assert signed_out["action"] == "session.sign_out"
    # The provider ends its session and sends the browser back to the sign-in page.
    confirm = requests.get(response.headers["Location"], timeout=10)
    back = re.search(r'name="redirect_uri" value="([^"]+)"', confirm.text).group(1)
    assert html.unescape(back) == "http://localhost/sign-in"


def test_a_password_user_signs_out_here_only(app, client, provider):
    with app.app_context():
        create_user("desk.password", ["Vulnerability Desk"], password=PASSWORD)
        db.session.commit()
    sign_in(client, "desk.password")
    page = client.get("/sign-out")
    response = client.post("/sign-out", data={"csrf_token": csrf_token(page)})
    assert (response.status_code, response.headers["Location"]) == (302, "/sign-in")


def test_a_name_held_by_someone_else_is_never_taken_over(app, client, provider, token_for):
    # A user made here, with a password: a provider's user giving the same name is not them.
    with app.app_context():
        create_user("insp.jones", ["Inspector"], password="a long enough password")
        db.session.commit()
    claims(provider, "intruder-1", preferred_username="insp.jones", roles=["Investigator"])
    response = sign_in_as(client, provider, "intruder-1")
    assert response.status_code == 403
    text = html.unescape(response.text)
    assert "a different account already has that username in Gwarchod" in text
    assert client.get("/").status_code == 302  # not signed in
    with app.app_context():
        user = find_user("insp.jones")
        assert user.role_names == {"Inspector"} and user.provider_account is None
        db.session.rollback()
    [entry] = reads_of(client, token_for, "insp.jones")
    assert entry["action"] == "session.sign_in.refused" and "name taken" in entry["detail"]
    # Nor is one made by another force account: the name stays with the account it was made for.
    claims(provider, "owner-1", preferred_username="dc.price", roles=["Investigator"])
    assert sign_in_as(client, provider, "owner-1").headers["Location"] == "/"
    client.delete_cookie("session")
    claims(provider, "owner-2", preferred_username="dc.price", roles=["Sergeant"])
    assert sign_in_as(client, provider, "owner-2").status_code == 403
    # The account itself signs in under a new name as the same user, keeping their history.
    claims(provider, "owner-1", preferred_username="dc.price-renamed", roles=["Investigator"])
    assert sign_in_as(client, provider, "owner-1").headers["Location"] == "/"
    with app.app_context():
        assert find_user("dc.price").role_names == {"Investigator"}
        with pytest.raises(LookupError):
            find_user("dc.price-renamed")
        db.session.rollback()


def test_a_user_with_no_role_gwarchod_knows_is_refused_with_what_to_do(
    app, client, provider, token_for
):
    claims(provider, "clerk-9", preferred_username="clerk", roles=["Clerk", "Tea Maker"])
    response = sign_in_as(client, provider, "clerk-9")
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "Your force account has no Gwarchod role" in response.text
    assert "Ask your administrator which roles you should have" in response.text
    assert "Traceback" not in response.text
    assert client.get("/").status_code == 302  # not signed in
    with app.app_context(), pytest.raises(LookupError):
        find_user("clerk")
    [entry] = reads_of(client, token_for, "clerk")
    assert entry["action"] == "session.sign_in.refused"


def test_a_deactivated_user_is_refused(app, client, provider):
    claims(provider, "gone-1", preferred_username="gone.officer", roles=["Investigator"])
    sign_in_as(client, provider, "gone-1")
    with app.app_context():
        deactivate_user(find_user("gone.officer"), by="tests")
    assert client.get("/").status_code == 302  # signed out at once
    claims(provider, "gone-1", preferred_username="gone.officer", roles=["Sergeant"])
    response = sign_in_as(client, provider, "gone-1")
    assert response.status_code == 403
    assert "Your Gwarchod account has been closed" in response.text
    assert client.get("/").status_code == 302
    with app.app_context():
        assert find_user("gone.officer").role_names == {"Investigator"}  # unchanged
        db.session.rollback()


def test_when_the_provider_will_not_sign_a_user_in_they_get_a_plain_page(client, provider):
    response = client.get(at_provider(to_provider(client, provider)))  # "Deny"
    assert response.status_code == 403
    assert "You have not signed in" in response.text
    assert "did not let you sign in to Gwarchod" in response.text
    assert 'href="/sign-in"' in response.text
    assert "Traceback" not in response.text and "access_denied" not in response.text
    assert "/language/cy?next=/sign-in" in response.text  # not back to the used answer
    assert client.get("/").status_code == 302


def test_a_sign_in_not_started_in_this_browser_is_refused(client, app, provider):
    claims(provider, "desk-2", preferred_username="desk.two", roles=["Vulnerability Desk"])
    back = at_provider(to_provider(client, provider), "desk-2")
    # The state was not this browser's: another's, made up, or already used.
    stranger = app.test_client()
    response = stranger.get(back)
    assert response.status_code == 400
    assert "This sign-in was not started here, or has expired" in response.text
    assert stranger.get("/").status_code == 302
    tampered = back.replace("state=", "state=x")
    assert client.get(tampered).status_code == 400
    assert client.get("/sign-in/oidc/callback").status_code == 400
    assert client.get(back).status_code == 302  # the real one still works, once
    assert client.get(back).status_code == 400


@pytest.mark.parametrize("provider", ["http://127.0.0.1:9"])  # nothing listens there
def test_a_provider_that_cannot_be_reached_gives_a_plain_page(client):
    response = client.get("/sign-in/oidc")
    assert response.status_code == 502
    assert "Your force's sign-in service is not working" in html.unescape(response.text)
    assert "Traceback" not in response.text


@pytest.mark.parametrize("limit", ["2 per minute"])
def test_failed_sign_ins_with_the_provider_are_limited(client, provider):
    for _ in range(2):
        assert client.get(at_provider(to_provider(client, provider))).status_code == 403
    claims(provider, "desk-3", preferred_username="desk.three", roles=["Vulnerability Desk"])
    response = sign_in_as(client, provider, "desk-3")  # right, but too soon
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.text


@pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)"
)
def test_an_officer_signs_in_with_their_force_account_in_a_browser(server, browser, provider):
    claims(provider, "7d2e", preferred_username="pc.megan.hughes", roles=["Vulnerability Desk"])
    page = open_page(browser)
    page.goto(f"{server}/")
    assert page.url.endswith("/sign-in?next=/")
    check(page, "sign-in-force")
    page.get_by_role("button", name="Sign in with your force account").click()
    page.get_by_placeholder("sub").fill("7d2e")
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox: 0 tasks")
    assert page.url == f"{server}/"
    expect(page.get_by_text("pc.megan.hughes")).to_be_visible()
    check(page, "inbox-force")
    # Signing out ends the session at the provider too, which sends her back to sign in.
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Gwarchod")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert page.url == f"{server}/sign-in"
    check(page, "signed-out-force")
