"""A Sergeant's team page and giving a task to a named officer: through the API and the page,
recorded in the case's history, shown in the officer's inbox."""

import html

import pytest

from service.auth import create_user, find_user, issue_token
from tests.conftest import bearer
from tests.pages import PASSWORD, csrf_token, sign_in
from tests.samples import CALL


@pytest.fixture
def team(app, client, token_for):
    """A Sergeant, two Desk officers and an Investigator, and a call waiting for its review."""
    with app.app_context():
        for name, role in (
            ("sgt-evans", "Sergeant"),
            ("desk-one", "Vulnerability Desk"),
            ("desk-two", "Vulnerability Desk"),
            ("investigator", "Investigator"),
        ):
            create_user(name, [role], PASSWORD)
    response = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": CALL},
        headers=bearer(token_for("Call Handler")),
    )
    [review] = response.json["open_tasks"]
    return review


def test_a_sergeant_gives_the_review_to_a_desk_officer_who_sees_it_marked(client, team, token_for):
    sign_in(client, "sgt-evans")
    page = client.get("/team")
    text = html.unescape(page.text)
    assert "Team: 1 open task" in text
    assert "Not taken by anyone" in text
    assert '<option value="desk-one"' in text and '<option value="investigator"' not in text
    response = client.post(
        f"/team/tasks/{team['id']}/assign",
        data={"csrf_token": csrf_token(page), "user": "desk-two"},
    )
    assert response.status_code == 302
    text = html.unescape(client.get("/team").text)
    assert "Live-time review is now desk-two's." in text
    assert '<h2 class="govuk-heading-m">desk-two</h2>' in text
    # The officer's inbox marks it.
    client.post("/sign-out", data={"csrf_token": csrf_token(page)})
    sign_in(client, "desk-two")
    assert "Given by sgt-evans" in html.unescape(client.get("/").text)
    # The history records it; replay passes over it.
    auditor = token_for("Auditor")
    events = client.get(f"/api/v1/cases/{team['case_id']}/events", headers=bearer(auditor)).json
    assert events[-1]["type"] == "task_assigned"
    assert events[-1]["payload"]["assignee"] == "desk-two"
    assert events[-1]["actor"]["name"] == "sgt-evans"
    replay = client.post(f"/api/v1/cases/{team['case_id']}/replay", headers=bearer(auditor)).json
    assert replay["match"] is True, replay


def test_giving_a_task_needs_the_grant_and_an_officer_of_the_lane(app, client, team, token_for):
    with app.app_context():
        _, sergeant = issue_token(find_user("sgt-evans"), by="tests")
        _, desk = issue_token(find_user("desk-one"), by="tests")
    url = f"/api/v1/tasks/{team['id']}/assign"
    refused = client.post(url, json={"user": "desk-two"}, headers=bearer(desk))
    assert refused.status_code == 403
    wrong = client.post(url, json={"user": "investigator"}, headers=bearer(sergeant))
    assert wrong.status_code == 422
    assert "needs the Vulnerability Desk role" in wrong.json["detail"]
    nobody = client.post(url, json={"user": "nobody"}, headers=bearer(sergeant))
    assert (nobody.status_code, nobody.json["errors"][0]["field"]) == (422, "user")
    given = client.post(url, json={"user": "desk-one"}, headers=bearer(sergeant))
    assert given.status_code == 200
    assert (given.json["assignee"], given.json["assigned_by"]) == ("desk-one", "sgt-evans")
    # Claiming it back clears who gave it.
    client.post(f"/api/v1/tasks/{team['id']}/unclaim", headers=bearer(desk))
    claimed = client.post(f"/api/v1/tasks/{team['id']}/claim", headers=bearer(desk)).json
    assert (claimed["assignee"], claimed["assigned_by"]) == ("desk-one", None)
    # The page is refused to a role without the grant.
    sign_in(client, "desk-one")
    assert client.get("/team").status_code == 403
