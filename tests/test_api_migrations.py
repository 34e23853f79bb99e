"""Moving running cases onto a new version, through the API: a Sergeant's check inserted after
the live-time review, and the overdue review's escalation replaced by another element.

The clock is fixed while cases run; ``work_migrations`` is what the scheduler's wake-up does.
"""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from service.case_migrations import work_migrations
from tests.conftest import bearer
from tests.lifecycle import (
    Case,
    drain,
    from_risk_assessment,
    investigation_tokens,
    refresh,
    to_confirmed_nfa,
)
from tests.migration_versions import CHECK, OVERDUE, inserted_check_files
from tests.samples import (
    FIRST_RESPONSE,
    INVESTIGATION_PLAN,
    REVIEW_NO_OFFENCE,
    REVIEW_OFFENCES,
    SRAU_CALL_CLEAR,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
)
from tests.test_lifecycle_no_offence_call import CLOSURE, LETTER_SENT, SRAU_CLEAR

PROCESS = "stalking_harassment"
T0 = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
AFTERNOON = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
ESCALATED = {"escalation_action": "reviewed_personally"}


@pytest.fixture
def tokens(token_for, user_for):
    tokens = investigation_tokens(token_for, auditor="Auditor")
    tokens["owner_name"], tokens["owner"] = user_for("Process Owner")
    return tokens


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def deploy_new_version(client, owner) -> int:
    files = {path.rsplit("/", 1)[-1]: content for path, content in inserted_check_files().items()}
    response = client.post(
        "/api/v1/processes",
        data={"file": [(io.BytesIO(content), name) for name, content in files.items()]},
        headers=bearer(owner),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    process = client.get(f"/api/v1/processes/{PROCESS}", headers=bearer(owner)).json
    assert process["version"] == response.json["version"]
    return process["version"]


def move(client, owner, body):
    return client.post(f"/api/v1/processes/{PROCESS}/migrations", json=body, headers=bearer(owner))


def events_of(client, tokens, case: Case) -> list[dict]:
    response = client.get(f"/api/v1/cases/{case.id}/events", headers=bearer(tokens["auditor"]))
    assert response.status_code == 200, response.json
    return response.json


def three_cases(client, tokens, clock):
    """One escalated (waiting on the escalation the new version replaces), one waiting on the
    live-time review, one at first response."""
    escalated = Case(client, tokens)
    clock.move_to(T0 + timedelta(minutes=31))
    drain_app = client.application
    drain(drain_app)
    refresh(escalated)
    assert sorted(escalated.open_tasks) == [
        ("live_review_escalation", "Sergeant"),
        ("live_time_review", "Vulnerability Desk"),
    ]
    waiting = Case(client, tokens)
    responding = Case(client, tokens)
    responding.complete("live_time_review", "desk", REVIEW_OFFENCES)
    assert responding.open_tasks == [("first_response", "Attending Officer")]
    clock.move_to(T0 + timedelta(minutes=35))
    return escalated, waiting, responding


def test_a_dry_run_then_the_move_and_each_case_goes_on_to_closure(client, tokens, clock, app):
    escalated, waiting, responding = three_cases(client, tokens, clock)
    version = deploy_new_version(client, tokens["owner"])

    dry = move(client, tokens["owner"], {"to_version": version, "dry_run": True})
    assert dry.status_code == 200, dry.json
    by_case = {c["case_id"]: c for c in dry.json["cases"]}
    assert (dry.json["movable"], dry.json["blocked"]) == (2, 1)
    assert by_case[waiting.id]["status"] == by_case[responding.id]["status"] == "moved"
    assert by_case[waiting.id]["changes"] == {
        "tasks_cancelled": [],
        "tasks_created": [],
        "timers_rescheduled": [],
    }
    blocked = by_case[escalated.id]
    assert blocked["status"] == "blocked"
    assert blocked["reasons"] == [
        {
            "code": "waits_on_missing",
            "element_id": "live_review_escalation",
            "detail": f"it waits on 'live_review_escalation', which version {version} does not "
            "have, and the mapping names no element in its place",
        }
    ]
    # A dry run moves nothing.
    assert refresh(waiting)["definition_version"] != version

    started = move(client, tokens["owner"], {"to_version": version})
    assert started.status_code == 202, started.json
    assert (started.json["status"], started.json["total"], started.json["done"]) == (
        "running",
        3,
        0,
    )
    with app.app_context():
        assert work_migrations() == 3
    progress = client.get(
        f"/api/v1/migrations/{started.json['id']}", headers=bearer(tokens["owner"])
    ).json
    assert progress["status"] == "finished"
    assert (progress["done"], progress["moved"], progress["blocked"], progress["failed"]) == (
        3,
        2,
        1,
        0,
    )
    assert refresh(waiting)["definition_version"] == version
    assert refresh(responding)["definition_version"] == version
    assert refresh(escalated)["definition_version"] != version

    # The move is in each moved case's history: from, to, the mapping, and who asked.
    history = events_of(client, tokens, waiting)
    [migrated] = [e for e in history if e["type"] == "case_migrated"]
    assert migrated["payload"]["to_version"] == version
    assert migrated["payload"]["from_version"] == progress["cases"][0]["from_version"]
    assert migrated["payload"]["mapping"] == {}
    assert migrated["actor"]["name"] == tokens["owner_name"]

    # The case waiting on the review reaches the inserted check, and closes.
    clock.move_to(T0 + timedelta(minutes=40))
    waiting.complete("live_time_review", "desk", REVIEW_NO_OFFENCE)
    assert waiting.open_tasks == [(CHECK, "Sergeant")]
    waiting.complete(CHECK, "sergeant", {"review_checked": True})
    assert waiting.open_tasks == [("srau_call_review", "SRAU")]
    waiting.complete("srau_call_review", "srau", SRAU_CALL_CLEAR)
    assert waiting.last["status"] == "completed"

    # The case at first response goes on through the investigation to closure (in the
    # afternoon, after every time the samples record).
    clock.move_to(AFTERNOON)
    responding.complete("first_response", "officer", FIRST_RESPONSE)
    from_risk_assessment(responding)
    responding.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    responding.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    to_confirmed_nfa(responding)
    responding.complete("victim_letter_nfa", "investigator", LETTER_SENT)
    responding.complete("srau_closure_review", "srau", SRAU_CLEAR)
    responding.complete("case_closure", "sergeant", CLOSURE)
    assert responding.last["status"] == "completed"

    # The blocked case goes on, on the version it started on.
    escalated.complete("live_review_escalation", "sergeant", ESCALATED)
    escalated.complete("live_time_review", "desk", REVIEW_NO_OFFENCE)
    assert escalated.open_tasks == [("srau_call_review", "SRAU")]
    escalated.complete("srau_call_review", "srau", SRAU_CALL_CLEAR)
    assert escalated.last["status"] == "completed"

    # Replay runs the recorded commands again, switching version at the move.
    for case in (waiting, responding, escalated):
        replay = client.post(f"/api/v1/cases/{case.id}/replay", headers=bearer(tokens["auditor"]))
        assert replay.status_code == 200, replay.json
        assert replay.json["match"], replay.json
    # And the case as it stood just before the move is the old version's.
    seq = migrated["seq"] - 1
    before = client.get(
        f"/api/v1/cases/{waiting.id}/state?at_seq={seq}", headers=bearer(tokens["auditor"])
    ).json
    assert before["consistent"] and [t["bpmn_id"] for t in before["open_tasks"]] == [
        "live_time_review"
    ]


def test_a_mapping_moves_the_escalated_case_onto_the_replacing_task(client, tokens, clock, app):
    escalated, _waiting, _responding = three_cases(client, tokens, clock)
    version = deploy_new_version(client, tokens["owner"])
    body = {
        "to_version": version,
        "cases": [escalated.id],
        "mapping": {"live_review_escalation": OVERDUE},
    }
    dry = move(client, tokens["owner"], {**body, "dry_run": True})
    [plan] = dry.json["cases"]
    assert plan["status"] == "moved"
    [cancelled] = plan["changes"]["tasks_cancelled"]
    assert cancelled["bpmn_id"] == "live_review_escalation"
    assert [t["bpmn_id"] for t in plan["changes"]["tasks_created"]] == [OVERDUE]

    started = move(client, tokens["owner"], body)
    assert started.json["total"] == 1
    with app.app_context():
        work_migrations()
    refresh(escalated)
    assert sorted(escalated.open_tasks) == sorted(
        [("live_time_review", "Vulnerability Desk"), (OVERDUE, "Sergeant")]
    )
    tasks = client.get(
        f"/api/v1/tasks?case={escalated.id}&status=cancelled", headers=bearer(tokens["reader"])
    ).json
    assert [t["bpmn_id"] for t in tasks] == ["live_review_escalation"]
    escalated.complete(OVERDUE, "sergeant", ESCALATED)
    escalated.complete("live_time_review", "desk", REVIEW_NO_OFFENCE)
    assert escalated.open_tasks == [(CHECK, "Sergeant")]
    replay = client.post(
        f"/api/v1/cases/{escalated.id}/replay", headers=bearer(tokens["auditor"])
    ).json
    assert replay["match"], replay


def test_what_cannot_be_used_is_refused_naming_it(client, tokens, clock):
    escalated, _waiting, _responding = three_cases(client, tokens, clock)
    version = deploy_new_version(client, tokens["owner"])
    wrong_version = move(client, tokens["owner"], {"to_version": version + 100})
    assert wrong_version.status_code == 422
    assert wrong_version.mimetype == "application/problem+json"
    assert wrong_version.json["errors"][0]["field"] == "to_version"
    wrong_mapping = move(
        client,
        tokens["owner"],
        {"to_version": version, "mapping": {"live_review_escalation": "nowhere"}},
    )
    assert wrong_mapping.status_code == 422
    assert wrong_mapping.json["errors"] == [
        {
            "field": "mapping.live_review_escalation",
            "message": f"version {version} has no element 'nowhere'",
        }
    ]
    wrong_case = move(
        client, tokens["owner"], {"to_version": version, "cases": [escalated.id, "nope"]}
    )
    assert wrong_case.status_code == 422
    assert [e["field"] for e in wrong_case.json["errors"]] == ["cases.1"]
    not_owner = move(client, tokens["sergeant"], {"to_version": version, "dry_run": True})
    assert not_owner.status_code == 403
    no_process = client.post(
        "/api/v1/processes/nothing_here/migrations",
        json={"to_version": version},
        headers=bearer(tokens["owner"]),
    )
    assert no_process.status_code == 404
    assert client.get("/api/v1/migrations/999", headers=bearer(tokens["owner"])).status_code == 404
