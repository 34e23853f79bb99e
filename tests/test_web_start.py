"""Starting a case on a page: the start form drawn from its schema, and the earlier reports that
hold the same details shown before the case starts."""

import html
import json

import pytest
from werkzeug.datastructures import MultiDict

from service.auth import create_user
from tests.conftest import bearer
from tests.pages import PASSWORD, csrf_token, sign_in
from tests.samples import CALL

EARLIER = {**CALL, "victim": {"name": "Sîan Jones", "date_of_birth": "1990-04-23"}}


@pytest.fixture
def handler(app):
    with app.app_context():
        create_user("call-handler", ["Call Handler"], PASSWORD)
    return "call-handler"


def call_form(token: str, action: str = "send", seen: str | None = None, **changes) -> MultiDict:
    fields = {
        "csrf_token": token,
        "process": "stalking_harassment",
        "storm_reference": "DP-20261206-0007",
        "reported_at.day": "6",
        "reported_at.month": "12",
        "reported_at.year": "2026",
        "reported_at.time": "09:30",
        "caller.name": "Sian Jones",
        "caller.relationship_to_victim": "victim",
        "victim.name": "  SÎAN jones ",
        "victim.date_of_birth.day": "23",
        "victim.date_of_birth.month": "4",
        "victim.date_of_birth.year": "1990",
        "location": "Carmarthen",
        "summary": "He waited outside her work again this morning.",
        "flags": "stalking",
        "victim_language": "cy",
        "action": action,
        **changes,
    }
    if seen:
        fields["seen"] = seen
    return MultiDict([(name, value) for name, value in fields.items() if value is not None])


def test_a_call_handler_chooses_the_process_and_sees_its_start_form(client, handler):
    sign_in(client, handler)
    assert 'href="/cases/new"' in client.get("/").text  # offered in the menu
    choice = client.get("/cases/new")
    assert 'href="/cases/new?process=stalking_harassment"' in choice.text
    assert 'href="/cases/new?process=bail_management"' not in choice.text  # a called process
    page = html.unescape(client.get("/cases/new?process=stalking_harassment").text)
    for label in ("STORM incident reference", "Caller's name", "Victim's date of birth"):
        assert label in page, label


def test_earlier_reports_are_shown_before_the_case_starts_then_it_starts(
    client, handler, token_for
):
    earlier = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": EARLIER},
        headers=bearer(token_for("Call Handler")),
    ).json
    sign_in(client, handler)
    page = client.get("/cases/new?process=stalking_harassment")
    response = client.post("/cases/new", data=call_form(csrf_token(page)))
    assert response.status_code == 200  # not started yet: the earlier report comes first
    text = html.unescape(response.text)
    assert "1 earlier case holds the same details" in text
    assert earlier["id"][:8] in text
    assert "a name" in text and "a date of birth" in text
    assert "Sian Jones" in text  # what was typed is kept
    seen = text.split('name="seen" value="')[1].split('"')[0]
    response = client.post("/cases/new", data=call_form(csrf_token(page), seen=seen))
    assert response.status_code == 302
    banner = html.unescape(client.get(response.headers["Location"]).text)
    assert "has started" in banner
    cases = client.get("/api/v1/cases", headers=bearer(token_for("Auditor"))).json
    assert len(cases) == 2
    reads = client.get(
        "/api/v1/audit/reads", query_string={"user": handler}, headers=bearer(token_for("Auditor"))
    ).json
    searches = [entry for entry in reads if entry["action"] == "case.matches"]
    assert searches and all(json.loads(e["detail"])["found"] == 1 for e in searches)


def test_a_call_with_no_earlier_report_starts_at_once_and_mistakes_come_back(
    client, handler, token_for
):
    sign_in(client, handler)
    page = client.get("/cases/new?process=stalking_harassment")
    response = client.post(
        "/cases/new", data=call_form(csrf_token(page), storm_reference="dp 7", summary=None)
    )
    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "There is a problem" in text
    assert "STORM incident reference: Write it like DP-20261128-0042" in text
    assert "Summary of the call: This field is required" in text
    response = client.post("/cases/new", data=call_form(csrf_token(page)))
    assert response.status_code == 302
    assert len(client.get("/api/v1/cases", headers=bearer(token_for("Auditor"))).json) == 1


def test_a_role_that_starts_no_case_is_refused(app, client):
    with app.app_context():
        create_user("sergeant", ["Sergeant"], PASSWORD)
    sign_in(client, "sergeant")
    assert 'href="/cases/new"' not in client.get("/").text  # not offered in the menu
    assert "None of your roles starts a case." in html.unescape(client.get("/cases/new").text)
    response = client.get("/cases/new?process=stalking_harassment")
    assert response.status_code == 403
    assert response.mimetype == "text/html"
