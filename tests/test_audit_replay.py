"""Replay and point-in-time views: rebuilt from recorded commands, changing nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from service.audit.chain import stored_time
from service.db import db
from service.models import Case
from tests.audit_helpers import complete, run_rounds, start_loop
from tests.conftest import bearer
from tests.names import with_welsh_names

PROBLEM = "application/problem+json"


@pytest.fixture
def settings():
    # These tests count events: a checkpoint ends a command once six have gone by since the
    # last one (the service's setting, pinned here; tests/test_audit_checkpoints.py tests it).
    return {"AUDIT_CHECKPOINT_EVERY": 6}


def replay(client, token, case_id):
    return client.post(f"/api/v1/cases/{case_id}/replay", headers=bearer(token))


def test_replay_rebuilds_the_same_case(app, client, loop, investigator, auditor):
    case = run_rounds(client, investigator, 3, finish=True)
    task = start_loop(client, investigator)["open_tasks"][0]["id"]
    assert complete(client, investigator, task, {"note": "boom"}).status_code == 422
    for case_id in (case["id"], task and _case_of(app, task)):
        report = replay(client, auditor, case_id)
        assert report.status_code == 200, report.json
        assert report.json["match"] is True, report.json
        assert report.json["first_difference"] is None
    with app.app_context():
        assert db.session.get(Case, case["id"]).version == 4  # replay wrote nothing


def test_replay_sees_the_clock_of_each_command(app, client, loop, investigator, auditor):
    case = run_rounds(client, investigator, 2)
    stamped = case["data"]["stamped"]  # the script stored now() when it ran
    assert replay(client, auditor, case["id"]).json["match"] is True
    with app.app_context():
        stored = db.session.get(Case, case["id"])
        assert stored.data["stamped"] == stamped


def test_replay_reports_where_the_stored_case_differs(app, client, loop, investigator, auditor):
    case = run_rounds(client, investigator, 2)
    with app.app_context():
        db.session.execute(
            text("UPDATE cases SET data = :d WHERE id = :c"),
            {"d": '{"rounds": 7, "done": false, "note": "round 2"}', "c": case["id"]},
        )
        db.session.commit()
    report = replay(client, auditor, case["id"]).json
    assert report["match"] is False
    difference = report["first_difference"]
    assert difference["what"] == "data.check" or difference["what"].startswith("data.")
    assert difference["seq"] == 18  # the last event, where the stored data is compared


def test_replay_reports_a_recorded_command_that_no_longer_matches(
    app, client, loop, investigator, auditor
):
    case = run_rounds(client, investigator, 2)
    with app.app_context():
        db.session.execute(
            text(
                "UPDATE case_events SET payload = REPLACE(payload, 'round 1', 'round X') "
                "WHERE case_id = :c AND seq = 7"
            ),
            {"c": case["id"]},
        )
        db.session.commit()
    report = replay(client, auditor, case["id"]).json
    assert report["match"] is False
    assert report["first_difference"]["seq"] == 10  # the data change that command made
    assert report["first_difference"]["what"] == "event"


def test_cli_replay(app, client, loop, investigator):
    case = run_rounds(client, investigator, 2)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "replay", case["id"]])
    assert result.exit_code == 0, result.output
    assert f"match  {case['id']}: 3 commands, 18 events" in result.output
    assert "3 checkpoint(s) checked" in result.output
    assert runner.invoke(args=["audit", "replay", "nope"]).exit_code == 1


def test_state_at_a_sequence_number(client, loop, investigator, auditor):
    case = run_rounds(client, investigator, 3)
    url = f"/api/v1/cases/{case['id']}/state"
    first = client.get(f"{url}?at_seq=5", headers=bearer(auditor)).json
    assert first["as_of_seq"] == 6  # the start ends with a checkpoint
    assert first["data"] == {"rounds": 0, "done": False}
    assert first["path"] == ["start"]
    [task] = first["open_tasks"]
    assert task["bpmn_id"] == "note" and task["id"] == case_events(client, auditor, case)[4]
    # An event inside a command shows the state after the whole command.
    second = client.get(f"{url}?at_seq=8", headers=bearer(auditor)).json
    assert second["as_of_seq"] == 12
    assert second["data"]["rounds"] == 1 and second["data"]["note"] == "round 1"
    assert second["path"] == ["start", "note", "count", "more"]
    assert second["consistent"] is True
    latest = client.get(url, headers=bearer(auditor)).json
    assert latest["data"] == case["data"]
    assert [t["id"] for t in latest["open_tasks"]] == [t["id"] for t in case["open_tasks"]]


def test_state_at_a_time(app, client, loop, investigator, auditor):
    case = run_rounds(client, investigator, 2)
    times = [
        e["at"]
        for e in client.get(f"/api/v1/cases/{case['id']}/events", headers=bearer(auditor)).json
        if e["type"] == "command"
    ]
    between = stored_time(times[1]) + timedelta(microseconds=1)
    response = client.get(
        f"/api/v1/cases/{case['id']}/state",
        query_string={"at": between.isoformat()},
        headers=bearer(auditor),
    )
    assert response.status_code == 200, response.json
    assert response.json["data"]["rounds"] == 1
    assert response.json["as_of"] == times[1]


def test_claims_show_in_the_past_state(client, loop, investigator, auditor):
    case = start_loop(client, investigator)
    task_id = case["open_tasks"][0]["id"]
    client.post(f"/api/v1/tasks/{task_id}/claim", headers=bearer(investigator))
    view = client.get(f"/api/v1/cases/{case['id']}/state", headers=bearer(auditor)).json
    assert view["open_tasks"][0]["assignee"].startswith("user-")
    before = client.get(f"/api/v1/cases/{case['id']}/state?at_seq=5", headers=bearer(auditor)).json
    assert before["open_tasks"][0]["assignee"] is None


def test_bad_points_in_time_are_clear_4xx(client, loop, investigator, auditor):
    case = run_rounds(client, investigator, 1)
    url = f"/api/v1/cases/{case['id']}/state"
    past_end = client.get(f"{url}?at_seq=999", headers=bearer(auditor))
    assert past_end.status_code == 422 and past_end.mimetype == PROBLEM
    assert "past the end" in past_end.json["detail"]
    before = client.get(f"{url}?at=2000-01-01T00:00:00Z", headers=bearer(auditor))
    assert before.status_code == 422 and "before the case began" in before.json["detail"]
    for query, field in (
        ("at_seq=0", "at_seq"),
        ("at_seq=x", "at_seq"),
        ("at=2026-01-01T00:00:00", "at"),
        ("at_seq=1&at=2026-01-01T00:00:00Z", "at"),
    ):
        response = client.get(f"{url}?{query}", headers=bearer(auditor))
        assert response.status_code == 400, query
        assert response.mimetype == PROBLEM
        assert [error["field"] for error in response.json["errors"]] == [field], query
    unknown = client.get("/api/v1/cases/nope/state?at_seq=1", headers=bearer(auditor))
    assert unknown.status_code == 404 and unknown.mimetype == PROBLEM
    assert replay(client, auditor, "nope").status_code == 404


def case_events(client, auditor, case):
    events = client.get(f"/api/v1/cases/{case['id']}/events", headers=bearer(auditor)).json
    return [e["payload"].get("task_id") for e in events]


def _case_of(app, task_id):
    from service.models import Task

    with app.app_context():
        return db.session.get(Task, task_id).case_id


def test_fired_timers_are_recorded_and_replayed(app, client, auditor):
    import time_machine

    from service.auth import Actor, create_user
    from service.commands import FireTimers, StartCase, fire_timers, start_case
    from service.definitions import deploy
    from tests.test_api_deploy import NOTE_FORM
    from tests.test_timers import waits

    files = {f"forms/{name}": content for name, content in NOTE_FORM.items()}
    files["bpmn/waits.bpmn"] = waits(
        "waits", "timeDuration", "PT1H", "stamped = isoformat(now())"
    ).encode()
    with app.app_context():
        deploy(with_welsh_names(files), actor="tests")
        db.session.commit()
        user, _ = create_user("timer-test", ["Sergeant"])
        actor = Actor(user.id, user.name, frozenset({"Sergeant"}))
        with time_machine.travel(datetime(2026, 1, 1, 9, tzinfo=UTC), tick=False):
            case_id = start_case(StartCase("waits", {}, actor)).case.id
        with time_machine.travel(datetime(2026, 1, 1, 11, tzinfo=UTC), tick=False):
            fired = fire_timers(FireTimers(case_id, actor))
        assert fired.case.data["stamped"] == "2026-01-01T11:00:00+00:00"
    events = client.get(f"/api/v1/cases/{case_id}/events", headers=bearer(auditor)).json
    fired_events = [e for e in events if e["type"] == "timer_fired"]
    assert len(fired_events) == 1 and fired_events[0]["payload"]["bpmn_id"] == "wait"
    assert replay(client, auditor, case_id).json["match"] is True
    assert client.get(f"/api/v1/cases/{case_id}/verify", headers=bearer(auditor)).json["ok"]


def test_a_decision_recorded_before_decisions_named_their_rules_still_replays():
    from datetime import UTC, datetime

    from service.audit.replay import RecordedCommand, RecordedEvent, _compare_events

    decided = {"kind": "decision_table", "bpmn_id": "grade", "result": {"risk_grade": "high"}}
    command = RecordedCommand(7, datetime(2026, 12, 1, tzinfo=UTC), None, {})
    before = [RecordedEvent(8, "decision_taken", decided)]
    replayed = [{"type": "decision_taken", **decided, "rules": ["DecisionRule_high"]}]
    assert _compare_events(command, before, replayed) is None
    # Once recorded with its rules, a different rule on replay is a difference.
    recorded = [RecordedEvent(8, "decision_taken", {**decided, "rules": ["DecisionRule_high"]})]
    other = [{"type": "decision_taken", **decided, "rules": ["DecisionRule_medium"]}]
    assert _compare_events(command, recorded, other).seq == 8
    assert _compare_events(command, recorded, replayed) is None
