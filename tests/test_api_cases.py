"""A call is logged, the Vulnerability Desk reviews it, and the case moves on: through the API."""

import threading

import pytest

from service.db import db
from service.models import Case, Task
from tests.conftest import bearer
from tests.samples import CALL, REVIEW_NO_OFFENCE, REVIEW_OFFENCES

PROBLEM = "application/problem+json"


def start_case(client, token, data=CALL):
    return client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": data},
        headers=bearer(token),
    )


@pytest.fixture
def call_handler(token_for):
    return token_for("Call Handler")


@pytest.fixture
def desk(token_for):
    return token_for("Vulnerability Desk")


@pytest.fixture
def started(client, call_handler):
    response = start_case(client, call_handler)
    assert response.status_code == 201, response.json
    return response.json


def test_call_logged_puts_live_review_in_the_desk_inbox(client, started, desk, call_handler):
    assert started["status"] == "running"
    assert started["created_at"].endswith("+00:00")  # times are UTC, with their offset
    assert started["data"]["storm_reference"] == CALL["storm_reference"]
    [review] = started["open_tasks"]
    assert (review["bpmn_id"], review["lane"], review["status"]) == (
        "live_time_review",
        "Vulnerability Desk",
        "open",
    )
    inbox = client.get("/api/v1/tasks", headers=bearer(desk)).json
    assert [t["id"] for t in inbox] == [review["id"]]
    # The call handler's inbox does not show the desk's work.
    assert client.get("/api/v1/tasks", headers=bearer(call_handler)).json == []


def test_completing_the_review_moves_the_case_on(client, started, desk):
    task_id = started["open_tasks"][0]["id"]
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": REVIEW_OFFENCES}, headers=bearer(desk)
    )
    assert response.status_code == 200, response.json
    case = response.json
    assert case["status"] == "running"
    # Offences disclosed: the first response is the Attending Officer's work now.
    assert [(t["bpmn_id"], t["lane"]) for t in case["open_tasks"]] == [
        ("first_response", "Attending Officer")
    ]
    assert case["data"]["pha_sections"] == ["s2A"]
    assert case["data"]["storm_reference"] == CALL["storm_reference"]
    shown = client.get(f"/api/v1/cases/{case['id']}", headers=bearer(desk)).json
    assert shown["status"] == "running"
    done = client.get("/api/v1/tasks?status=completed", headers=bearer(desk)).json
    assert done[0]["id"] == task_id
    assert done[0]["completed_by"].startswith("user-")


def test_task_detail_serves_the_form_in_english_and_welsh(client, started, desk):
    task_id = started["open_tasks"][0]["id"]
    english = client.get(f"/api/v1/tasks/{task_id}", headers=bearer(desk)).json
    assert english["form"]["schema"]["properties"]["offences_disclosed"]["type"] == "boolean"
    assert CALL["storm_reference"] in english["instructions"]
    assert english["data"]["location"] == CALL["location"]
    welsh = client.get(
        f"/api/v1/tasks/{task_id}", headers={**bearer(desk), "Accept-Language": "cy"}
    ).json
    assert welsh["form"]["language"] == "cy"
    assert welsh["form"]["schema"]["title"] != english["form"]["schema"]["title"]
    assert CALL["storm_reference"] in welsh["instructions"]
    by_parameter = client.get(f"/api/v1/tasks/{task_id}?lang=cy", headers=bearer(desk)).json
    assert by_parameter["form"]["schema"] == welsh["form"]["schema"]


def test_invalid_review_is_refused_field_by_field_and_nothing_changes(client, started, desk, app):
    task_id = started["open_tasks"][0]["id"]
    bad = {"offences_disclosed": "yes", "first_response": "shrug", "colour": "blue"}
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": bad}, headers=bearer(desk)
    )
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    fields = {error["field"] for error in response.json["errors"]}
    assert fields == {"offences_disclosed", "first_response", "colour"}
    with app.app_context():
        assert db.session.get(Task, task_id).status == "open"
        assert db.session.get(Case, started["id"]).version == 1


def test_offences_disclosed_needs_the_sections(client, started, desk):
    task_id = started["open_tasks"][0]["id"]
    data = {"offences_disclosed": True, "first_response": "immediate_attendance"}
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": data}, headers=bearer(desk)
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == ["pha_sections"]


def test_start_form_is_validated(client, call_handler):
    data = {**CALL, "reported_at": "yesterday", "extra": 1}
    del data["summary"]
    response = start_case(client, call_handler, data)
    assert response.status_code == 422
    assert {e["field"] for e in response.json["errors"]} == {"reported_at", "extra", "summary"}
    assert client.get("/api/v1/cases", headers=bearer(call_handler)).json == []


def test_naive_report_time_is_refused(client, call_handler):
    response = start_case(client, call_handler, {**CALL, "reported_at": "2026-11-28T09:30:00"})
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "reported_at"
    assert "offset" in response.json["errors"][0]["message"]


def test_only_the_start_lane_may_log_a_call(client, desk):
    response = start_case(client, desk)
    assert response.status_code == 403
    assert response.mimetype == PROBLEM


def test_completing_a_task_twice_is_a_conflict(client, started, desk):
    task_id = started["open_tasks"][0]["id"]
    url = f"/api/v1/tasks/{task_id}/complete"
    first = client.post(url, json={"data": REVIEW_NO_OFFENCE}, headers=bearer(desk))
    assert first.status_code == 200
    second = client.post(url, json={"data": REVIEW_NO_OFFENCE}, headers=bearer(desk))
    assert second.status_code == 409
    assert second.mimetype == PROBLEM


def test_another_lane_cannot_complete_the_task(client, started, call_handler):
    task_id = started["open_tasks"][0]["id"]
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete",
        json={"data": REVIEW_NO_OFFENCE},
        headers=bearer(call_handler),
    )
    assert response.status_code == 403


def test_claimed_task_belongs_to_its_claimant(client, started, desk, token_for):
    task_id = started["open_tasks"][0]["id"]
    other = token_for("Vulnerability Desk")
    claimed = client.post(f"/api/v1/tasks/{task_id}/claim", headers=bearer(desk))
    assert claimed.status_code == 200
    assert claimed.json["assignee"].startswith("user-")
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=bearer(other)).status_code == 403
    refused = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": REVIEW_NO_OFFENCE}, headers=bearer(other)
    )
    assert refused.status_code == 403
    assert claimed.json["assignee"] in refused.json["detail"]  # who to ask to let go of it
    assert client.post(f"/api/v1/tasks/{task_id}/unclaim", headers=bearer(desk)).status_code == 200
    done = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": REVIEW_NO_OFFENCE}, headers=bearer(other)
    )
    assert done.status_code == 200


def test_two_concurrent_completions_one_wins_the_other_gets_409(app, started, desk, monkeypatch):
    from workflows.runner import Runner

    task_id = started["open_tasks"][0]["id"]
    both_loaded = threading.Barrier(2, timeout=10)
    original = Runner.complete

    def complete_after_both_loaded(self, *args, **kwargs):
        outcome = original(self, *args, **kwargs)
        both_loaded.wait()  # both requests have read the case before either writes
        return outcome

    monkeypatch.setattr(Runner, "complete", complete_after_both_loaded)
    statuses = []

    def complete():
        with app.test_client() as client:
            response = client.post(
                f"/api/v1/tasks/{task_id}/complete",
                json={"data": REVIEW_OFFENCES},
                headers=bearer(desk),
            )
            statuses.append(response.status_code)

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    with app.app_context():
        assert db.session.get(Case, started["id"]).version == 2


def test_unknown_ids_are_404(client, desk):
    for url in ("/api/v1/tasks/nope", "/api/v1/cases/nope", "/api/v1/processes/nope"):
        response = client.get(url, headers=bearer(desk))
        assert response.status_code == 404, url
        assert response.mimetype == PROBLEM
        assert response.json["detail"]
    response = client.post("/api/v1/tasks/nope/complete", json={"data": {}}, headers=bearer(desk))
    assert response.status_code == 404


def test_unknown_process_cannot_be_started(client, call_handler):
    response = client.post(
        "/api/v1/cases", json={"process": "nope", "data": {}}, headers=bearer(call_handler)
    )
    assert response.status_code == 404
